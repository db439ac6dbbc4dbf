//! What templates see: one typed view per thing a template shows. These structs are the theme's
//! contract (the README's "Writing a theme" describes the same keys), and a snapshot test pins
//! their JSON, so a renamed or dropped key fails a test instead of reaching a theme as an empty
//! variable.
//!
//! Views borrow from the site where they can. Values many pages share (the `site` view, each term's
//! view, one card per article up to 250,000 articles) are turned into template values once and
//! reused as [`tera::Value`]s.

use serde::{Serialize, Serializer};
use tera::Value;

/// HTML that templates print as it is (with `| safe`): a rendered body, a summary, JSON-LD.
#[derive(Debug, Clone, Copy)]
pub struct Html<'a>(pub &'a str);

impl Serialize for Html<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A template value keeps the mark that it needs no escaping; elsewhere it is a string.
        Value::safe_string(self.0).serialize(serializer)
    }
}

/// `site`: on every page.
#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    /// The site's name.
    pub title: &'a str,
    /// One sentence about the site.
    pub description: &'a str,
    /// The content language, for `<html lang>`.
    pub language: &'a str,
    /// The publisher, if set.
    pub author: Option<&'a str>,
    /// The absolute base URL without trailing slash.
    pub base_url: &'a str,
    /// The home page's root-relative URL.
    pub home_url: String,
    /// The archive page's URL.
    pub archive_url: String,
    /// The theme stylesheet's URL with a version query.
    pub css_url: String,
    /// Every declared taxonomy.
    pub taxonomies: Vec<TaxonomyView<'a>>,
    /// The site's feeds.
    pub feeds: Vec<FeedLink>,
    /// The search page's URL, when search is on.
    pub search_url: Option<String>,
    /// The `[extra]` table of `site.toml`.
    pub extra: &'a toml::Table,
}

/// `page`: on every page.
#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    /// `home`, `article`, `term`, `taxonomy`, `year`, `month`, `day`, `archive`, `search`, `404`.
    pub kind: &'static str,
    /// The page's title, without the site's.
    pub title: &'a str,
    /// Its root-relative URL.
    pub url: String,
    /// Its absolute URL.
    pub permalink: String,
    /// A plain-text description for `<meta name="description">`.
    pub description: &'a str,
}

/// `search`: on the search page, where its script finds the index.
#[derive(Debug, Hash, Serialize)]
pub struct SearchView<'a> {
    /// The search script.
    pub script: String,
    /// The index's manifest, with a query string that changes when the index does.
    pub index: String,
    /// The taxonomies that have terms, which results can be narrowed by (besides the year).
    pub facets: Vec<TaxonomyView<'a>>,
}

/// A taxonomy: `taxonomy`, and the items of `site.taxonomies`.
#[derive(Debug, Hash, Serialize)]
pub struct TaxonomyView<'a> {
    /// Its name and URL segment (`topics`).
    pub name: &'a str,
    /// Its heading (`Topics`).
    pub title: &'a str,
    /// The URL of the list of its terms.
    pub url: String,
}

/// A feed a page advertises: items of `site.feeds` and `term.feeds`.
#[derive(Debug, Hash, Serialize)]
pub struct FeedLink {
    /// "Site title (Atom)".
    pub title: String,
    /// "Atom", "RSS", "JSON Feed".
    pub label: &'static str,
    /// The feed's URL.
    pub url: String,
    /// Its media type.
    #[serde(rename = "type")]
    pub media_type: &'static str,
}

/// A term an article has, in a card.
#[derive(Debug, Serialize)]
pub struct TermLink<'a> {
    /// Its display name.
    pub name: &'a str,
    /// Its URL segment.
    pub slug: &'a str,
    /// Its listing's URL.
    pub url: String,
}

/// A [`TermLink`] as the template value it was turned into, made once per term and shared by
/// every card that shows the term (Tera's maps are reference-counted): a card holds a pointer
/// to it, not a copy.
#[derive(Debug, Clone)]
pub struct SharedLink(pub Value);

impl Serialize for SharedLink {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// An article's terms of one taxonomy.
#[derive(Debug, Serialize)]
pub struct TermGroup<'a> {
    /// The taxonomy's name.
    pub name: &'a str,
    /// Its heading.
    pub title: &'a str,
    /// The terms shown, each a [`TermLink`].
    pub terms: Vec<SharedLink>,
    /// How many more the article has (cards show at most 12 per taxonomy).
    pub more: usize,
}

/// An article in a listing, or as a neighbour or related article: items of `listing.articles`,
/// `article.earlier`, `article.later`, `article.related`.
#[derive(Debug, Serialize)]
pub struct Card<'a> {
    /// The headline.
    pub title: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// Absolute URL.
    pub permalink: String,
    /// RFC 3339 (or the day alone), for `<time datetime>`.
    pub date: String,
    /// The date as `date_format` shows it.
    pub date_display: String,
    /// The time in the article's own offset, when it has one.
    pub time_display: Option<String>,
    /// The same, hours and minutes alone ("09:30"), for compact rows.
    pub time: Option<String>,
    /// The summary as plain text.
    pub summary: &'a str,
    /// The summary as HTML.
    pub summary_html: Html<'a>,
    /// Bylines.
    pub authors: &'a [String],
    /// Words in the body.
    pub word_count: usize,
    /// Minutes to read.
    pub reading_time: usize,
    /// Its terms by taxonomy.
    pub taxonomies: Vec<TermGroup<'a>>,
    /// Its first term of the taxonomy of places, for compact rows.
    pub place: Option<SharedLink>,
}

/// A year, month or day as a link: `article.day`, `period.up`, `period.prev`, crumbs.
#[derive(Debug, Serialize)]
pub struct PeriodLink {
    /// "2024", "June 2024", "19 June 2024", or "Archive".
    pub label: String,
    /// Its URL.
    pub url: String,
    /// `2024`, `2024-06`, `2024-06-19` for `<time datetime>`; none for the archive page.
    pub datetime: Option<String>,
}

/// `article` (article.html): everything a card has, and the rest of the article.
#[derive(Debug, Serialize)]
pub struct ArticleView<'a> {
    /// The card of the article (all its terms, not 12 per taxonomy).
    #[serde(flatten)]
    pub card: Card<'a>,
    /// The body as HTML.
    pub content: Html<'a>,
    /// When it was updated (RFC 3339), if ever.
    pub updated: Option<String>,
    /// The same, as `date_format` shows it.
    pub updated_display: Option<String>,
    /// The `[extra]` table of its front matter.
    pub extra: &'a serde_json::Value,
    /// Its file below `content/`.
    pub source_path: &'a str,
    /// Its year's archive.
    pub year: PeriodLink,
    /// Its month's archive.
    pub month: PeriodLink,
    /// Its day's archive.
    pub day: PeriodLink,
    /// schema.org JSON-LD, safe inside `<script>`.
    pub json_ld: Html<'a>,
    /// Cards of related articles, best first.
    pub related: Vec<Value>,
    /// The card of the previous (older) article.
    pub earlier: Option<Value>,
    /// The card of the next (newer) article.
    pub later: Option<Value>,
}

/// `listing`: the articles of one page of a listing.
#[derive(Debug, Serialize)]
pub struct ListingView<'a> {
    /// What the listing is ("Sanctions", "June 2024", "Latest").
    pub title: &'a str,
    /// Articles in the whole listing.
    pub total: usize,
    /// The cards on this page.
    pub articles: Vec<Value>,
}

/// `paginator`: the links between the pages of a listing.
#[derive(Debug, Serialize)]
pub struct PaginatorView {
    /// This page's number, from 1.
    pub current: usize,
    /// How many pages the listing has.
    pub total_pages: usize,
    /// The first page's URL.
    pub first_url: String,
    /// The last page's URL.
    pub last_url: String,
    /// The previous page's URL, none on the first.
    pub prev_url: Option<String>,
    /// The next page's URL, none on the last.
    pub next_url: Option<String>,
    /// The page numbers to show; a gap has no number.
    pub pages: Vec<PageNumber>,
}

/// One entry of `paginator.pages`.
#[derive(Debug, Serialize)]
pub struct PageNumber {
    /// The page's number, or none for a gap (`…`).
    pub number: Option<usize>,
    /// Its URL, or none for a gap.
    pub url: Option<String>,
    /// Whether it is this page.
    pub current: bool,
}

/// A term with its count: items of `terms`, `terms_by_count`, `letters[].terms`.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct TermCount<'a> {
    /// Its display name.
    pub name: &'a str,
    /// Its URL segment.
    pub slug: &'a str,
    /// Its listing's URL.
    pub url: String,
    /// Its articles.
    pub count: usize,
    /// The ISO code of the country it is, in the taxonomy of places.
    pub code: Option<&'a str>,
    /// That country's flag (an emoji; never show it as the only label).
    pub flag: Option<String>,
}

/// `term` (term.html, term_year.html).
#[derive(Debug, Hash, Serialize)]
pub struct TermView<'a> {
    /// The term and its count.
    #[serde(flatten)]
    pub term: TermCount<'a>,
    /// The term's feeds.
    pub feeds: Vec<FeedLink>,
    /// The country it is, in the taxonomy of places.
    pub country: Option<CountryView<'a>>,
    /// What the term's articles add up to.
    pub profile: TermProfile<'a>,
}

/// `term.country`: the country a term of the taxonomy of places is.
#[derive(Debug, Hash, Serialize)]
pub struct CountryView<'a> {
    /// ISO 3166-1 alpha-2 code (`KP`).
    pub code: &'a str,
    /// Alpha-3 code (`PRK`).
    pub alpha3: &'a str,
    /// Its flag as an emoji.
    pub flag: String,
    /// Its region: Africa, Americas, Asia, Europe or Oceania.
    pub region: &'a str,
    /// Its subregion ("Eastern Asia").
    pub subregion: &'a str,
}

/// `term.profile`: a term's coverage over time and the terms found with it.
#[derive(Debug, Hash, Serialize)]
pub struct TermProfile<'a> {
    /// Its oldest article's date.
    pub since: Option<DateLabel>,
    /// Its newest article's date.
    pub latest: Option<DateLabel>,
    /// Every year from its first to its last, oldest first, with a bar height.
    pub years: Vec<TermYearBar>,
    /// For each taxonomy, the terms its articles most often also have.
    pub found_with: Vec<FoundWith<'a>>,
}

/// A date to show in `<time>`.
#[derive(Debug, Hash, Serialize)]
pub struct DateLabel {
    /// For `<time datetime>`.
    pub datetime: String,
    /// As `date_format` shows it.
    pub label: String,
}

/// Items of `term.profile.years`: one bar of a term's articles per year.
#[derive(Debug, Hash, Serialize)]
pub struct TermYearBar {
    /// The year.
    pub year: i32,
    /// The term's articles that year.
    pub count: usize,
    /// The term's page of that year, none without articles.
    pub url: Option<String>,
    /// The bar's height, 0 (none) to 8 (the busiest year).
    pub height: u8,
    /// What the bar stands for, as its title and its name for screen readers: "2024: 5
    /// articles", "2001: no articles".
    pub label: String,
    /// Whether the chart leaves its year unlabelled, to make room: every year but the first, the
    /// last and those divisible by five.
    pub minor: bool,
}

/// Items of `term.profile.found_with`.
#[derive(Debug, Hash, Serialize)]
pub struct FoundWith<'a> {
    /// The taxonomy's name (`countries`).
    pub name: &'a str,
    /// Its heading.
    pub title: &'a str,
    /// Its terms most often found with this one, with the number of shared articles, most
    /// first.
    pub terms: Vec<TermCount<'a>>,
}

/// `term_year` (term_year.html): a term's articles of one year.
#[derive(Debug, Serialize)]
pub struct TermYearView {
    /// The year.
    pub year: i32,
    /// The term's articles that year.
    pub count: usize,
    /// The page's URL.
    pub url: String,
    /// The term's previous year with articles.
    pub prev: Option<PeriodLink>,
    /// Its next year with articles.
    pub next: Option<PeriodLink>,
    /// The year's archive of every article.
    pub archive: PeriodLink,
    /// The articles by month, in time order.
    pub groups: Vec<ArticleGroup>,
}

/// Articles under a heading: a month of a year, a day of a month.
#[derive(Debug, Serialize)]
pub struct ArticleGroup {
    /// "June 2024", "19 June 2024".
    pub label: String,
    /// For `<time datetime>`.
    pub datetime: String,
    /// The period's archive.
    pub url: String,
    /// The cards, in the order of the page.
    pub articles: Vec<Value>,
}

/// `regions` (places.html): the countries with articles by region and subregion.
#[derive(Debug, Serialize)]
pub struct RegionGroup<'a> {
    /// "Africa", "Americas", "Asia", "Europe", "Oceania".
    pub name: &'a str,
    /// Articles about its countries (an article about two counts twice).
    pub count: usize,
    /// Its subregions with countries with articles, by name.
    pub subregions: Vec<SubregionGroup<'a>>,
}

/// Items of `regions[].subregions`.
#[derive(Debug, Serialize)]
pub struct SubregionGroup<'a> {
    /// "Eastern Asia".
    pub name: &'a str,
    /// Its countries with articles, by name.
    pub terms: Vec<TermCount<'a>>,
}

/// `map` (places.html): the world, each country shaded by its articles.
#[derive(Debug, Serialize)]
pub struct WorldMap<'a> {
    /// The SVG `viewBox`.
    pub view_box: &'a str,
    /// Every shape, countries without articles included.
    pub shapes: Vec<MapShape<'a>>,
    /// What the shades stand for.
    pub legend: Vec<LegendStep>,
}

/// Items of `map.shapes`.
#[derive(Debug, Serialize)]
pub struct MapShape<'a> {
    /// The country's ISO code; none for land that is no country Annals knows.
    pub code: Option<&'a str>,
    /// Its name, for the shape's `<title>`.
    pub name: Option<&'a str>,
    /// The SVG path.
    pub path: &'a str,
    /// Its page, when it has articles.
    pub url: Option<String>,
    /// Its articles.
    pub count: usize,
    /// Its shade, 0 (none) to 5.
    pub level: u8,
}

/// Items of `letters` (taxonomy.html): terms grouped by first letter.
#[derive(Debug, Serialize)]
pub struct LetterGroup<'a> {
    /// "A" … "Z", or "#" for the rest.
    pub letter: String,
    /// Its terms, by name.
    pub terms: Vec<TermCount<'a>>,
}

/// `period` (period.html).
#[derive(Debug, Serialize)]
pub struct PeriodView {
    /// `year`, `month` or `day`.
    pub kind: &'static str,
    /// "2024", "June 2024", "19 June 2024".
    pub label: String,
    /// Its URL.
    pub url: String,
    /// `2024`, `2024-06`, `2024-06-19`.
    pub datetime: Option<String>,
    /// The enclosing period (the archive page for a year).
    pub up: PeriodLink,
    /// From the archive page down to the enclosing period.
    pub crumbs: Vec<PeriodLink>,
    /// The previous period of the same kind with articles.
    pub prev: Option<PeriodLink>,
    /// The next period of the same kind with articles.
    pub next: Option<PeriodLink>,
    /// A year's months (all twelve) or a month's days with articles, in order.
    pub children: Vec<PeriodChild>,
    /// The heading: the label, with the weekday for a day ("Wednesday 19 June 2024").
    pub heading: String,
    /// A month's calendar, weekday-aligned.
    pub calendar: Option<MonthCalendar>,
    /// What the shades of `children` and `calendar` stand for.
    pub legend: Vec<LegendStep>,
    /// The page's articles by month (a year) or day (a month); a day's in time order.
    pub groups: Vec<ArticleGroup>,
}

/// `period.calendar`: a month as weeks of seven days.
#[derive(Debug, Serialize)]
pub struct MonthCalendar {
    /// The weekdays, from the site's first day of the week.
    pub weekdays: Vec<WeekdayName>,
    /// The weeks; days of other months are blank cells.
    pub weeks: Vec<Vec<CalendarDay>>,
}

/// Items of `period.calendar.weekdays`.
#[derive(Debug, Serialize)]
pub struct WeekdayName {
    /// "Mon".
    pub short: String,
    /// "Monday".
    pub name: String,
}

/// A cell of `period.calendar.weeks`.
#[derive(Debug, Serialize)]
pub struct CalendarDay {
    /// The day of the month; none for a blank cell.
    pub day: Option<u32>,
    /// "19 June 2024".
    pub label: String,
    /// `2024-06-19`.
    pub datetime: String,
    /// The day's archive, none without articles.
    pub url: Option<String>,
    /// Its articles.
    pub count: usize,
    /// Its shade, 0 (none) to 5.
    pub level: u8,
}

/// Items of a legend: the counts a shade stands for.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct LegendStep {
    /// The shade, 1 to 5.
    pub level: u8,
    /// The fewest articles it stands for.
    pub from: usize,
    /// The most.
    pub to: usize,
}

/// Items of `period.children`.
#[derive(Debug, Serialize)]
pub struct PeriodChild {
    /// "June 2024" or "19 June 2024".
    pub label: String,
    /// "Jun" or "19".
    pub short: String,
    /// Its URL, none without articles.
    pub url: Option<String>,
    /// `2024-06` or `2024-06-19`.
    pub datetime: Option<String>,
    /// Its articles.
    pub count: usize,
    /// Its shade, 0 (none) to 5.
    pub level: u8,
}

/// Items of `years` (archive.html).
#[derive(Debug, Serialize)]
pub struct ArchiveYear {
    /// The year.
    pub year: i32,
    /// Its archive's URL.
    pub url: String,
    /// Its articles.
    pub count: usize,
    /// All twelve months, in order.
    pub months: Vec<ArchiveMonth>,
}

/// Items of `years[].months`.
#[derive(Debug, Serialize)]
pub struct ArchiveMonth {
    /// 1 to 12.
    pub number: u32,
    /// "June".
    pub name: String,
    /// "Jun".
    pub short: String,
    /// Its archive's URL, none without articles.
    pub url: Option<String>,
    /// Its articles.
    pub count: usize,
    /// Its shade, 0 (none) to 5.
    pub level: u8,
}

/// `feed` (atom.xml, rss.xml).
#[derive(Debug, Serialize)]
pub struct FeedView<'a> {
    /// The feed's title.
    pub title: String,
    /// The site's description.
    pub description: &'a str,
    /// The content language.
    pub language: &'a str,
    /// The feed's own absolute URL.
    pub url: String,
    /// The page it belongs to.
    pub home_url: String,
    /// The newest entry's update (RFC 3339), if any entry.
    pub updated: Option<String>,
    /// The same in RFC 2822, for RSS.
    pub updated_rfc2822: Option<String>,
    /// The site's author, else its title.
    pub author: &'a str,
    /// The entries, newest first: each a [`FeedEntry`] as the template value shared by every
    /// feed that holds it.
    pub entries: Vec<Value>,
}

/// Items of `feed.entries`.
#[derive(Debug, Serialize)]
pub struct FeedEntry<'a> {
    /// The headline.
    pub title: &'a str,
    /// The article's absolute URL (also its id).
    pub permalink: String,
    /// RFC 3339.
    pub published: String,
    /// RFC 2822.
    pub published_rfc2822: String,
    /// The update, or the publication (RFC 3339).
    pub updated: String,
    /// Bylines.
    pub authors: &'a [String],
    /// The article's terms.
    pub categories: Vec<Category<'a>>,
    /// The summary as plain text.
    pub summary: &'a str,
    /// The article (or summary) HTML with absolute links, as text the XML templates escape.
    pub content: FeedText,
}

/// HTML a feed carries, which templates escape: a template value made once for all the feeds
/// that carry it, or text made for this feed. A template sees the same string either way.
#[derive(Debug)]
pub enum FeedText {
    /// A template value shared by the feeds (a reference-counted string, not a copy).
    Shared(Value),
    /// Made for this feed.
    Text(String),
}

impl Serialize for FeedText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            FeedText::Shared(value) => value.serialize(serializer),
            FeedText::Text(text) => text.serialize(serializer),
        }
    }
}

/// Items of `feed.entries[].categories`.
#[derive(Debug, Serialize)]
pub struct Category<'a> {
    /// The term's name.
    pub name: &'a str,
    /// Its taxonomy's name.
    pub taxonomy: &'a str,
    /// Its listing's absolute URL.
    pub url: String,
}
