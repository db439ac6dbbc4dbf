//! Date archives: a listing per year, month and day with articles (`/2024/`, `/2024/06/`,
//! `/2024/06/19/`, paginated), each linking up, down and across, and the archive page of every
//! year and month (`/archive/`).

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

use super::shade::Shades;
use super::views::{
    ArchiveMonth, ArchiveYear, ArticleGroup, CalendarDay, MonthCalendar, PeriodChild, PeriodLink,
    PeriodView, WeekdayName,
};
use super::{HashInputs, Kind, Listed, Page, Renderer, numbered};
use crate::content;
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::index::SiteIndex;
use crate::routes;

/// A year, month or day of the date index, by positions in [`SiteIndex::years`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodRef {
    /// `years[y]`.
    Year(usize),
    /// `years[y].months[m]`.
    Month(usize, usize),
    /// `years[y].months[m].days[d]`.
    Day(usize, usize, usize),
}

/// A page of a year, month or day listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodPage {
    /// Which period.
    pub period: PeriodRef,
    /// The page, from 1.
    pub page: usize,
}

/// `/archive/`: every year and month with counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchivePage;

/// `/archive/days.json`: every day with articles, for the 404 page to find the nearest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaysPage;

/// A calendar period by its date, which is all its URL, label and `datetime` depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Year(i32),
    Month(i32, u32),
    Day(NaiveDate),
}

impl Period {
    fn url(self) -> String {
        match self {
            Period::Year(year) => routes::year(year),
            Period::Month(year, month) => routes::month(year, month),
            Period::Day(day) => routes::day(day),
        }
    }

    /// The form `<time datetime>` takes: `2024`, `2024-06`, `2024-06-19`.
    fn datetime(self) -> String {
        match self {
            Period::Year(year) => format!("{year:04}"),
            Period::Month(year, month) => format!("{year:04}-{month:02}"),
            Period::Day(day) => day.format("%Y-%m-%d").to_string(),
        }
    }

    /// "2024", "June 2024", or the day in the configured date format.
    fn label(self, date_format: &str) -> String {
        match self {
            Period::Year(year) => format!("{year:04}"),
            Period::Month(year, month) => NaiveDate::from_ymd_opt(year, month, 1)
                .map(|d| d.format("%B %Y").to_string())
                .unwrap_or_default(),
            Period::Day(day) => format_day(day, date_format),
        }
    }

    /// The label, with the weekday for a day ("Wednesday 19 June 2024").
    fn heading(self, date_format: &str) -> String {
        match self {
            Period::Day(day) => format!("{} {}", day.format("%A"), self.label(date_format)),
            _ => self.label(date_format),
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Period::Year(_) => "year",
            Period::Month(..) => "month",
            Period::Day(_) => "day",
        }
    }
}

/// A calendar day in the configured date format.
fn format_day(day: NaiveDate, format: &str) -> String {
    content::strftime(
        &day.and_time(NaiveTime::MIN).and_utc().fixed_offset(),
        format,
    )
}

/// Every month and day with articles, newest first, for previous/next links.
pub(super) struct Calendar {
    /// Every month as (year, month) positions; newest first, so sorted as tuples.
    months: Vec<(usize, usize)>,
    /// Every day as (year, month, day) positions, likewise.
    days: Vec<(usize, usize, usize)>,
}

impl Calendar {
    pub(super) fn new(index: &SiteIndex) -> Calendar {
        let mut calendar = Calendar {
            months: Vec::new(),
            days: Vec::new(),
        };
        for (y, year) in index.years.iter().enumerate() {
            for (m, month) in year.months.iter().enumerate() {
                calendar.months.push((y, m));
                calendar
                    .days
                    .extend((0..month.days.len()).map(|d| (y, m, d)));
            }
        }
        calendar
    }
}

/// Every year's, month's and day's listing, then the archive page.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    let periods = (0..r.index.years.len())
        .map(PeriodRef::Year)
        .chain(
            r.calendar
                .months
                .iter()
                .map(|&(y, m)| PeriodRef::Month(y, m)),
        )
        .chain(
            r.calendar
                .days
                .iter()
                .map(|&(y, m, d)| PeriodRef::Day(y, m, d)),
        );
    let mut pages = Vec::new();
    for period in periods {
        let count = r.period_articles(period).len();
        pages.extend(
            (1..=r.page_count(count)).map(|page| Page::Period(PeriodPage { period, page })),
        );
    }
    pages.push(Page::Archive(ArchivePage));
    pages.push(Page::Days(DaysPage));
    pages
}

/// A month's days as weeks starting on `week_start`, each day with its count from `counts`
/// (by day of the month), linked by `url` when it has articles.
fn month_calendar(
    year: i32,
    month: u32,
    week_start: Weekday,
    counts: &HashMap<u32, usize>,
    shades: Shades,
    date_format: &str,
    url: impl Fn(NaiveDate) -> String,
) -> Option<MonthCalendar> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let blanks = first.weekday().days_since(week_start) as usize;
    let mut cells: Vec<CalendarDay> = (0..blanks)
        .map(|_| CalendarDay {
            day: None,
            label: String::new(),
            datetime: String::new(),
            url: None,
            count: 0,
            level: 0,
        })
        .collect();
    let mut day = Some(first);
    while let Some(date) = day.filter(|d| d.month() == month) {
        let count = counts.get(&date.day()).copied().unwrap_or(0);
        cells.push(CalendarDay {
            day: Some(date.day()),
            label: Period::Day(date).label(date_format),
            datetime: Period::Day(date).datetime(),
            url: (count > 0).then(|| url(date)),
            count,
            level: shades.level(count),
        });
        day = date.checked_add_days(Days::new(1));
    }
    let mut weeks: Vec<Vec<CalendarDay>> = Vec::new();
    let mut cells = cells.into_iter().peekable();
    while cells.peek().is_some() {
        weeks.push(cells.by_ref().take(7).collect());
    }
    let weekdays = (0..7)
        .scan(week_start, |weekday, _| {
            let this = *weekday;
            *weekday = this.succ();
            Some(this)
        })
        .map(|weekday| {
            // A week of 2024 that starts on a Monday: 1 January.
            let date = NaiveDate::from_isoywd_opt(2024, 1, weekday).unwrap_or(first);
            WeekdayName {
                short: date.format("%a").to_string(),
                name: date.format("%A").to_string(),
            }
        })
        .collect();
    Some(MonthCalendar { weekdays, weeks })
}

/// The link to an article's year.
pub(super) fn year_link(r: &Renderer, day: NaiveDate) -> PeriodLink {
    r.link_to(Period::Year(day.year()))
}

/// The link to an article's month.
pub(super) fn month_link(r: &Renderer, day: NaiveDate) -> PeriodLink {
    r.link_to(Period::Month(day.year(), day.month()))
}

/// The link to an article's day.
pub(super) fn day_link(r: &Renderer, day: NaiveDate) -> PeriodLink {
    r.link_to(Period::Day(day))
}

impl Renderer<'_> {
    fn period(&self, period: PeriodRef) -> Period {
        let years = &self.index.years;
        match period {
            PeriodRef::Year(y) => Period::Year(years[y].year),
            PeriodRef::Month(y, m) => Period::Month(years[y].year, years[y].months[m].month),
            PeriodRef::Day(y, m, d) => {
                let (year, month) = (&years[y], &years[y].months[m]);
                NaiveDate::from_ymd_opt(year.year, month.month, month.days[d].day)
                    .map_or(Period::Month(year.year, month.month), Period::Day)
            }
        }
    }

    fn period_articles(&self, period: PeriodRef) -> &[usize] {
        let years = &self.index.years;
        match period {
            PeriodRef::Year(y) => &years[y].articles,
            PeriodRef::Month(y, m) => &years[y].months[m].articles,
            PeriodRef::Day(y, m, d) => &years[y].months[m].days[d].articles,
        }
    }

    fn link_to(&self, period: Period) -> PeriodLink {
        PeriodLink {
            label: period.label(&self.config.date_format),
            url: self.link(&period.url()),
            datetime: Some(period.datetime()),
        }
    }

    fn archive_link(&self) -> PeriodLink {
        PeriodLink {
            label: "Archive".to_owned(),
            url: self.link(&routes::archive()),
            datetime: None,
        }
    }

    /// The previous (older) and next (newer) period of the same kind that has articles.
    fn adjacent_periods(&self, period: PeriodRef) -> (Option<PeriodRef>, Option<PeriodRef>) {
        // Every list is newest first, so the previous period is the next entry.
        let (months, days) = (&self.calendar.months, &self.calendar.days);
        match period {
            PeriodRef::Year(y) => (
                (y + 1 < self.index.years.len()).then(|| PeriodRef::Year(y + 1)),
                y.checked_sub(1).map(PeriodRef::Year),
            ),
            PeriodRef::Month(y, m) => {
                let pos = months.binary_search(&(y, m)).unwrap_or_default();
                let month = |p: usize| PeriodRef::Month(months[p].0, months[p].1);
                (
                    (pos + 1 < months.len()).then(|| month(pos + 1)),
                    pos.checked_sub(1).map(month),
                )
            }
            PeriodRef::Day(y, m, d) => {
                let pos = days.binary_search(&(y, m, d)).unwrap_or_default();
                let day = |p: usize| {
                    let (y, m, d) = days[p];
                    PeriodRef::Day(y, m, d)
                };
                (
                    (pos + 1 < days.len()).then(|| day(pos + 1)),
                    pos.checked_sub(1).map(day),
                )
            }
        }
    }

    /// A year's twelve months in order (with counts and shades), or a month's days with articles
    /// in order; nothing for a day.
    fn children_view(&self, period: PeriodRef) -> (Vec<PeriodChild>, Shades) {
        let children = self.period_children(period);
        let shades = Shades::new(children.iter().map(|&c| self.period_articles(c).len()));
        let child = |period: Period, url: Option<String>, count: usize| {
            let (label, datetime) = (period.label(&self.config.date_format), period.datetime());
            let short = match period {
                Period::Month(year, month) => NaiveDate::from_ymd_opt(year, month, 1)
                    .map(|d| d.format("%b").to_string())
                    .unwrap_or_default(),
                Period::Day(day) => day.day().to_string(),
                Period::Year(year) => format!("{year:04}"),
            };
            PeriodChild {
                label,
                short,
                url,
                datetime: Some(datetime),
                count,
                level: shades.level(count),
            }
        };
        let views = match period {
            PeriodRef::Year(y) => {
                let year = self.index.years[y].year;
                (1..=12)
                    .map(|month| {
                        let found = children.iter().find(|&&c| {
                            matches!(c, PeriodRef::Month(y2, m) if self.index.years[y2].months[m].month == month)
                        });
                        let period = Period::Month(year, month);
                        child(
                            period,
                            found.map(|_| self.link(&period.url())),
                            found.map_or(0, |&c| self.period_articles(c).len()),
                        )
                    })
                    .collect()
            }
            _ => children
                .iter()
                .rev()
                .map(|&c| {
                    let period = self.period(c);
                    child(
                        period,
                        Some(self.link(&period.url())),
                        self.period_articles(c).len(),
                    )
                })
                .collect(),
        };
        (views, shades)
    }

    /// The articles of a period's listing in the order it shows them: newest first, but a day
    /// reads in time order.
    fn listing_order(&self, period: PeriodRef) -> Vec<usize> {
        let ids = self.period_articles(period);
        match period {
            PeriodRef::Day(..) => ids.iter().rev().copied().collect(),
            _ => ids.to_vec(),
        }
    }

    /// The articles `ids` grouped under the day, or else the month, of their own offset.
    pub(super) fn article_groups(&self, ids: &[usize], by_day: bool) -> Vec<ArticleGroup> {
        let mut groups: Vec<ArticleGroup> = Vec::new();
        let mut current = None;
        for &i in ids {
            let date = self.articles[i].meta.date.local_date();
            let period = if by_day {
                Period::Day(date)
            } else {
                Period::Month(date.year(), date.month())
            };
            if current != Some(period) {
                current = Some(period);
                groups.push(ArticleGroup {
                    label: period.heading(&self.config.date_format),
                    datetime: period.datetime(),
                    url: self.link(&period.url()),
                    articles: Vec::new(),
                });
            }
            if let Some(group) = groups.last_mut() {
                group.articles.push(self.card_value(i));
            }
        }
        groups
    }

    /// A year's months or a month's days, newest first; nothing for a day.
    fn period_children(&self, period: PeriodRef) -> Vec<PeriodRef> {
        let years = &self.index.years;
        match period {
            PeriodRef::Year(y) => (0..years[y].months.len())
                .map(|m| PeriodRef::Month(y, m))
                .collect(),
            PeriodRef::Month(y, m) => (0..years[y].months[m].days.len())
                .map(|d| PeriodRef::Day(y, m, d))
                .collect(),
            PeriodRef::Day(..) => Vec::new(),
        }
    }
}

impl Kind for PeriodPage {
    fn url(&self, r: &Renderer) -> String {
        routes::paginated(&r.period(self.period).url(), self.page)
    }

    fn template(&self) -> Option<&'static str> {
        Some("period.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let period = r.period(self.period);
        let (up, crumbs) = match self.period {
            PeriodRef::Year(_) => (r.archive_link(), vec![r.archive_link()]),
            PeriodRef::Month(y, _) => {
                let year = r.link_to(r.period(PeriodRef::Year(y)));
                let crumbs = vec![r.archive_link(), r.link_to(r.period(PeriodRef::Year(y)))];
                (year, crumbs)
            }
            PeriodRef::Day(y, m, _) => {
                let month = r.link_to(r.period(PeriodRef::Month(y, m)));
                let crumbs = vec![
                    r.archive_link(),
                    r.link_to(r.period(PeriodRef::Year(y))),
                    r.link_to(r.period(PeriodRef::Month(y, m))),
                ];
                (month, crumbs)
            }
        };
        let (prev, next) = r.adjacent_periods(self.period);
        let (children, shades) = r.children_view(self.period);
        let calendar = match (self.period, period) {
            (PeriodRef::Month(y, m), Period::Month(year, month)) => {
                let counts: HashMap<u32, usize> = r.index.years[y].months[m]
                    .days
                    .iter()
                    .map(|d| (d.day, d.articles.len()))
                    .collect();
                month_calendar(
                    year,
                    month,
                    r.config.countries.week_start(&r.config.language),
                    &counts,
                    shades,
                    &r.config.date_format,
                    |date| r.link(&Period::Day(date).url()),
                )
            }
            _ => None,
        };
        let label = period.label(&r.config.date_format);
        let ids = r.listing_order(self.period);
        let description = format!("{} articles from {label} in {}", ids.len(), r.config.title);
        let title = numbered(&label, self.page);
        let page = r.page_view(period.kind(), &title, &self.url(r), &description);
        let mut ctx = r.context(&page);
        ctx.insert(
            "period",
            &PeriodView {
                kind: period.kind(),
                label: label.clone(),
                url: r.link(&period.url()),
                datetime: Some(period.datetime()),
                up,
                crumbs,
                prev: prev.map(|p| r.link_to(r.period(p))),
                next: next.map(|p| r.link_to(r.period(p))),
                children,
                heading: period.heading(&r.config.date_format),
                calendar,
                legend: shades.legend(),
                groups: r.article_groups(
                    r.on_page(&ids, self.page),
                    !matches!(self.period, PeriodRef::Year(_)),
                ),
            },
        );
        r.add_listing(&mut ctx, &label, &period.url(), &ids, self.page);
        r.theme.render("period.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        r.hash_listing(&r.listing_order(self.period), self.page, inputs.hashes, h);
        // What the page shows besides its articles: its children's counts and its neighbours.
        for child in r.period_children(self.period) {
            (r.period(child).url(), r.period_articles(child).len()).hash(h);
        }
        let (prev, next) = r.adjacent_periods(self.period);
        prev.map(|p| r.period(p).url()).hash(h);
        next.map(|p| r.period(p).url()).hash(h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        let newest = r.period_articles(self.period).first();
        Listed::Yes(newest.map(|&i| r.articles[i].meta.date.instant))
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for ArchivePage {
    fn url(&self, _: &Renderer) -> String {
        routes::archive()
    }

    fn template(&self) -> Option<&'static str> {
        Some("archive.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let shades = Shades::new(
            r.index
                .years
                .iter()
                .flat_map(|y| y.months.iter().map(|m| m.articles.len())),
        );
        let years: Vec<ArchiveYear> = r
            .index
            .years
            .iter()
            .map(|year| {
                let months: HashMap<u32, usize> = year
                    .months
                    .iter()
                    .enumerate()
                    .map(|(m, month)| (month.month, m))
                    .collect();
                ArchiveYear {
                    year: year.year,
                    url: r.link(&Period::Year(year.year).url()),
                    count: year.articles.len(),
                    months: (1..=12u32)
                        .map(|number| {
                            let found = months.get(&number);
                            let name = NaiveDate::from_ymd_opt(2000, number, 1)
                                .map(|d| d.format("%B").to_string())
                                .unwrap_or_default();
                            let count = found.map_or(0, |&m| year.months[m].articles.len());
                            ArchiveMonth {
                                number,
                                short: name.chars().take(3).collect(),
                                name,
                                url: found.map(|_| r.link(&Period::Month(year.year, number).url())),
                                count,
                                level: shades.level(count),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let description = format!("Every year and month of {}", r.config.title);
        let page = r.page_view("archive", "Archive", &self.url(r), &description);
        let mut ctx = r.context(&page);
        ctx.insert("years", &years);
        ctx.insert("legend", &shades.legend());
        r.theme.render("archive.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, _: &HashInputs, h: &mut StableHasher) -> bool {
        for year in &r.index.years {
            year.year.hash(h);
            for month in &year.months {
                (month.month, month.articles.len()).hash(h);
            }
        }
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        Listed::Yes(r.last_change)
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for DaysPage {
    fn url(&self, _: &Renderer) -> String {
        routes::days()
    }

    fn template(&self) -> Option<&'static str> {
        None
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        // Newest first, as `"2024-06-19"`: digits and dashes need no escaping.
        let days: Vec<String> = r
            .calendar
            .days
            .iter()
            .map(|&(y, m, d)| format!("\"{}\"", r.period(PeriodRef::Day(y, m, d)).datetime()))
            .collect();
        out.extend_from_slice(format!("[{}]\n", days.join(",")).as_bytes());
        Ok(())
    }

    fn fingerprint(&self, r: &Renderer, _: &HashInputs, h: &mut StableHasher) -> bool {
        r.calendar.days.len().hash(h);
        for &(y, m, d) in &r.calendar.days {
            r.period(PeriodRef::Day(y, m, d)).datetime().hash(h);
        }
        true
    }

    fn sitemap(&self, _: &Renderer) -> Listed {
        Listed::No
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_know_their_url_label_and_datetime() {
        let day = NaiveDate::from_ymd_opt(2024, 6, 9).unwrap();
        assert_eq!(Period::Day(day).url(), "/2024/06/09/");
        assert_eq!(Period::Day(day).datetime(), "2024-06-09");
        assert_eq!(Period::Day(day).label("%-d %B %Y"), "9 June 2024");
        assert_eq!(Period::Month(2024, 6).label("%-d %B %Y"), "June 2024");
        assert_eq!(Period::Month(2024, 6).datetime(), "2024-06");
        assert_eq!(Period::Year(2024).label(""), "2024");
        assert_eq!(Period::Year(2024).datetime(), "2024");
    }
}
