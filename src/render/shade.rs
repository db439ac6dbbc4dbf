//! How many articles a cell has, as a step a stylesheet can draw: shades of colour for calendars,
//! the archive and the world map (on a square-root scale, so one busy month or country does not
//! wash out the rest), and heights for bar charts (a linear one).

use super::views::LegendStep;

/// Shades of colour from 1 (fewest) to this, 0 for none.
pub const SHADES: u8 = 5;
/// Bar heights from 1 to this, 0 for none.
pub const BAR_HEIGHTS: u8 = 8;

/// The shading of counts from 1 to the largest among those shown together.
#[derive(Debug, Clone, Copy)]
pub struct Shades {
    max: usize,
}

impl Shades {
    /// A scale for `counts`.
    pub fn new(counts: impl IntoIterator<Item = usize>) -> Shades {
        Shades {
            max: counts.into_iter().max().unwrap_or(0),
        }
    }

    /// The shade of `count`: 0 for none, 1 for a single article, [`SHADES`] for the largest
    /// counts, in even steps of the square root between.
    pub fn level(&self, count: usize) -> u8 {
        if count == 0 || self.max == 0 {
            return 0;
        }
        let ratio = ((count - 1) as f64 / (self.max.max(2) - 1) as f64).sqrt();
        (1 + (f64::from(SHADES) * ratio).floor() as u8).clamp(1, SHADES)
    }

    /// The shades in use with the counts each stands for, for a legend.
    pub fn legend(&self) -> Vec<LegendStep> {
        let mut steps: Vec<LegendStep> = Vec::new();
        let mut from = 1;
        while from <= self.max {
            let level = self.level(from);
            // The first count past `from` with a deeper shade (levels only grow with counts).
            let (mut low, mut high) = (from, self.max + 1);
            while low + 1 < high {
                let mid = low + (high - low) / 2;
                if self.level(mid) == level {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            steps.push(LegendStep {
                level,
                from,
                to: low,
            });
            from = high;
        }
        steps
    }
}

/// The height of a bar of `count` where the tallest is `max`: 0 for none, else 1 to
/// [`BAR_HEIGHTS`].
pub fn bar_height(count: usize, max: usize) -> u8 {
    if count == 0 || max == 0 {
        return 0;
    }
    let height = (count * usize::from(BAR_HEIGHTS)).div_ceil(max);
    height.clamp(1, usize::from(BAR_HEIGHTS)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_grow_with_counts_and_the_legend_covers_every_count() {
        let shades = Shades::new([1, 3, 40, 1000]);
        assert_eq!(Shades::new([15]).level(2), 2);
        assert_eq!(Shades::new([15]).level(12), 5);
        assert_eq!(shades.level(0), 0);
        assert_eq!(shades.level(1), 1);
        assert_eq!(shades.level(1000), SHADES);
        assert!(shades.level(300) > shades.level(40));
        let legend = shades.legend();
        assert_eq!(legend.first().map(|s| s.from), Some(1));
        assert_eq!(legend.last().map(|s| s.to), Some(1000));
        for pair in legend.windows(2) {
            assert_eq!(pair[0].to + 1, pair[1].from);
            assert!(pair[0].level < pair[1].level);
        }
        for step in &legend {
            assert_eq!(shades.level(step.from), step.level);
            assert_eq!(shades.level(step.to), step.level);
        }
        assert_eq!(Shades::new([1]).legend().len(), 1);
        assert!(Shades::new([]).legend().is_empty());
    }

    #[test]
    fn bars_are_proportional_and_never_vanish() {
        assert_eq!(bar_height(0, 10), 0);
        assert_eq!(bar_height(1, 1000), 1);
        assert_eq!(bar_height(10, 10), BAR_HEIGHTS);
        assert_eq!(bar_height(5, 10), 4);
    }
}
