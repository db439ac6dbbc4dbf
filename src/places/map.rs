//! The world map's shapes: one SVG path per country, keyed by ISO code (`world.tsv`, written by
//! `tools/worldmap.py` from Natural Earth's 1:50m countries, projected with Equal Earth). A build
//! only chooses each shape's shade, link and title.

/// The map's SVG `viewBox`: the whole width, cropped to the land (Antarctica is left out).
pub const VIEW_BOX: &str = "0 37 960 419";

/// A shape of the map.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The country's ISO alpha-2 code; none for land that is no country Annals knows.
    pub code: Option<&'static str>,
    /// The SVG path.
    pub path: &'static str,
}

/// Every shape of the map, countries sorted by code, then land of no country.
pub fn shapes() -> impl Iterator<Item = Shape> {
    include_str!("world.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(code, path)| Shape {
            code: (code != "-").then_some(code),
            path,
        })
}
