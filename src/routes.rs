//! The URL scheme of a site: every URL Annals writes, made in one place.
//!
//! URLs here are paths below the site's base path, starting with `/` (`/topics/sanctions/`);
//! [`Links`] puts the base path or the whole base URL in front. The top-level segments that
//! Annals' own pages and the theme's static files use are reserved ([`is_reserved`]): taxonomies
//! and `article_path` may not take them.

use chrono::{Datelike, NaiveDate};

/// The segment of the archive page: `/archive/`.
pub const ARCHIVE: &str = "archive";
/// The segment of the search page: `/search/`.
pub const SEARCH: &str = "search";
/// The segment before a page number: `/topics/sanctions/page/2/`.
pub const PAGE: &str = "page";
/// The folder of the search index: `/search-index/`.
pub const SEARCH_BUNDLE: &str = "search-index";
/// Top-level URL segments of Annals' own pages.
const PAGE_SEGMENTS: [&str; 4] = [ARCHIVE, PAGE, SEARCH, SEARCH_BUNDLE];

/// Whether a top-level URL segment belongs to Annals' own pages or to the folders of the
/// built-in theme's static files (`css`, `js`), so that taxonomies and `article_path` may not
/// start with it.
pub fn is_reserved(segment: &str) -> bool {
    PAGE_SEGMENTS.contains(&segment)
        || crate::theme::BUILTIN_STATIC.iter().any(|(rel, _)| {
            rel.split_once('/')
                .is_some_and(|(folder, _)| folder == segment)
        })
}

/// The home page.
pub fn home() -> String {
    "/".to_owned()
}

/// The archive of every year and month.
pub fn archive() -> String {
    format!("/{ARCHIVE}/")
}

/// The search page.
pub fn search() -> String {
    format!("/{SEARCH}/")
}

/// The page served for missing URLs.
pub fn not_found() -> String {
    "/404.html".to_owned()
}

/// The list of all terms of a taxonomy: `/topics/`.
pub fn taxonomy(name: &str) -> String {
    format!("/{name}/")
}

/// A term's listing: `/topics/sanctions/`.
pub fn term(taxonomy: &str, slug: &str) -> String {
    format!("/{taxonomy}/{slug}/")
}

/// A term's articles of one year: `/countries/north-korea/2024/`.
pub fn term_year(taxonomy: &str, slug: &str, year: i32) -> String {
    format!("/{taxonomy}/{slug}/{year:04}/")
}

/// The list of every day with articles, which the 404 page reads to lead a date-shaped URL to
/// the nearest day: `/archive/days.json`.
pub fn days() -> String {
    format!("/{ARCHIVE}/days.json")
}

/// A year's archive: `/2024/`.
pub fn year(year: i32) -> String {
    format!("/{year:04}/")
}

/// A month's archive: `/2024/06/`.
pub fn month(year: i32, month: u32) -> String {
    format!("/{year:04}/{month:02}/")
}

/// A day's archive: `/2024/06/19/`.
pub fn day(date: NaiveDate) -> String {
    format!("/{:04}/{:02}/{:02}/", date.year(), date.month(), date.day())
}

/// Page `page` (1-based) of the listing at `base`: `base` itself, then `base` + `page/2/`.
pub fn paginated(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_owned()
    } else {
        format!("{base}{PAGE}/{page}/")
    }
}

/// A feed file (`atom.xml`) in the folder of the listing at `base`: `/topics/sanctions/atom.xml`.
pub fn feed(base: &str, file_name: &str) -> String {
    format!("{base}{file_name}")
}

/// `sitemap.xml`, or part `n` of it (`/sitemap-2.xml`) when it is split.
pub fn sitemap(part: Option<usize>) -> String {
    match part {
        None => "/sitemap.xml".to_owned(),
        Some(part) => format!("/sitemap-{part}.xml"),
    }
}

/// The Google News sitemap.
pub fn news_sitemap() -> String {
    "/news-sitemap.xml".to_owned()
}

/// The crawl rules.
pub fn robots() -> String {
    "/robots.txt".to_owned()
}

/// A static file at `rel` below the output folder: `/css/annals.css`.
pub fn static_file(rel: &str) -> String {
    format!("/{rel}")
}

/// Fills a pattern of `article_path` or `new_path` with a date and a slug: `{year}`, `{month}`,
/// `{day}` and `{slug}`.
pub fn fill(pattern: &str, date: NaiveDate, slug: &str) -> String {
    pattern
        .replace("{year}", &format!("{:04}", date.year()))
        .replace("{month}", &format!("{:02}", date.month()))
        .replace("{day}", &format!("{:02}", date.day()))
        .replace("{slug}", slug)
}

/// Where a new article goes below `content/`: the `new_path` pattern filled in, except that a
/// file that would be named like a bundle's article (`index.md`, for the slug `index`) becomes
/// the bundle `…/index/index.md`, so that it does not turn its folder's other articles into
/// files of a bundle. With `bundle`, always a bundle: `…/SLUG/index.md`.
pub fn new_article_file(pattern: &str, date: NaiveDate, slug: &str, bundle: bool) -> String {
    use crate::content::BUNDLE_ARTICLE;
    let rel = fill(pattern, date, slug);
    if pattern.ends_with(&format!("/{BUNDLE_ARTICLE}")) {
        return rel;
    }
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    if bundle || name == BUNDLE_ARTICLE {
        format!(
            "{}/{BUNDLE_ARTICLE}",
            rel.strip_suffix(".md").unwrap_or(&rel)
        )
    } else {
        rel
    }
}

/// The output file of a URL path: `/2024/` gives `2024/index.html`, `/robots.txt` itself.
pub fn file_for(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

/// Turns URL paths into the links pages print: root-relative under the base path, or absolute.
#[derive(Debug, Clone)]
pub struct Links {
    /// The base URL without a trailing slash: `https://example.org/news`.
    base_url: String,
    /// Its path without a trailing slash: `/news`, or empty.
    base_path: String,
}

impl Links {
    /// Links for a site served from `base_url` (with or without a trailing slash).
    pub fn new(base_url: &str) -> Links {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let after_scheme = base_url
            .split_once("://")
            .map_or(&*base_url, |(_, rest)| rest);
        let base_path = after_scheme
            .find('/')
            .map_or("", |i| &after_scheme[i..])
            .to_owned();
        Links {
            base_url,
            base_path,
        }
    }

    /// The root-relative link to `path` (which starts with `/`): `/news/topics/`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_path)
    }

    /// The absolute URL of `path`: `https://example.org/news/topics/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The path of the base URL without a trailing slash (empty at a domain's root).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The scheme and host of the base URL, without its path: `https://example.org`.
    pub fn origin(&self) -> &str {
        self.base_url
            .strip_suffix(&self.base_path)
            .unwrap_or(&self.base_url)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_new_article_never_makes_its_folder_a_bundle() {
        let day = NaiveDate::from_ymd_opt(2020, 6, 19).expect("date");
        let file = |pattern, slug, bundle| new_article_file(pattern, day, slug, bundle);
        assert_eq!(file("{year}/{slug}.md", "treaty", false), "2020/treaty.md");
        assert_eq!(
            file("{year}/{slug}.md", "treaty", true),
            "2020/treaty/index.md"
        );
        assert_eq!(
            file("{year}/{slug}.md", "index", false),
            "2020/index/index.md"
        );
        assert_eq!(file("{slug}.md", "index", false), "index/index.md");
        assert_eq!(
            file("{year}/{slug}/index.md", "treaty", true),
            "2020/treaty/index.md"
        );
        assert_eq!(
            file("{year}/{slug}/index.md", "index", false),
            "2020/index/index.md"
        );
    }

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_page_has_its_url() {
        assert_eq!(home(), "/");
        assert_eq!(archive(), "/archive/");
        assert_eq!(search(), "/search/");
        assert_eq!(not_found(), "/404.html");
        assert_eq!(taxonomy("topics"), "/topics/");
        assert_eq!(term("countries", "north-korea"), "/countries/north-korea/");
        assert_eq!(year(786), "/0786/");
        assert_eq!(month(2024, 6), "/2024/06/");
        assert_eq!(day(date(2024, 6, 9)), "/2024/06/09/");
        assert_eq!(paginated("/topics/x/", 1), "/topics/x/");
        assert_eq!(paginated("/topics/x/", 3), "/topics/x/page/3/");
        assert_eq!(paginated("/", 2), "/page/2/");
        assert_eq!(feed("/", "atom.xml"), "/atom.xml");
        assert_eq!(feed("/topics/x/", "feed.json"), "/topics/x/feed.json");
        assert_eq!(sitemap(None), "/sitemap.xml");
        assert_eq!(sitemap(Some(2)), "/sitemap-2.xml");
        assert_eq!(news_sitemap(), "/news-sitemap.xml");
        assert_eq!(robots(), "/robots.txt");
        assert_eq!(static_file("css/annals.css"), "/css/annals.css");
    }

    #[test]
    fn patterns_are_filled_and_urls_map_to_files() {
        let day = date(2024, 6, 9);
        assert_eq!(
            fill("/{year}/{month}/{day}/{slug}/", day, "putin"),
            "/2024/06/09/putin/"
        );
        assert_eq!(fill("{year}/{slug}.md", day, "putin"), "2024/putin.md");
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(file_for("/2024/"), "2024/index.html");
        assert_eq!(file_for("/robots.txt"), "robots.txt");
    }

    #[test]
    fn links_honour_the_base_path() {
        let links = Links::new("https://user.github.io/project/");
        assert_eq!(links.link("/topics/"), "/project/topics/");
        assert_eq!(
            links.permalink("/topics/"),
            "https://user.github.io/project/topics/"
        );
        assert_eq!(links.origin(), "https://user.github.io");
        assert_eq!(links.base_path(), "/project");
        let root = Links::new("https://example.org");
        assert_eq!(root.link("/"), "/");
        assert_eq!(root.origin(), "https://example.org");
        assert_eq!(root.base_url(), "https://example.org");
    }

    #[test]
    fn reserved_segments_hold_every_top_level_page_folder() {
        for url in [
            archive(),
            search(),
            paginated("/", 2),
            format!("/{SEARCH_BUNDLE}/"),
            static_file(crate::theme::STYLESHEET),
        ] {
            let first = url.split('/').nth(1).unwrap();
            assert!(is_reserved(first), "{url}");
        }
        assert!(!is_reserved("topics") && !is_reserved("2024"));
    }
}
