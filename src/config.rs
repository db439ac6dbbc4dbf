//! `site.toml`: the site's configuration, loaded and validated before anything else.

use std::path::Path;

use chrono::format::{Item, StrftimeItems};
use serde::Deserialize;

use crate::deploy::DeployConfig;
use crate::diagnostics::{Diagnostic, line_col};
use crate::places::{Countries, PlacesConfig};
use crate::routes::is_reserved;
use crate::slug::slugify;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// A taxonomy declared in `site.toml`: a way to group articles by term.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// The front matter key and URL segment (`topics` gives `/topics/<term>/`).
    pub name: String,
    /// The heading shown to readers ("Topics"); defaults to the name, capitalised.
    #[serde(default)]
    pub title: Option<String>,
    /// The terms expected in this taxonomy, if it has a fixed list (say, the countries of the
    /// world): `annals check` warns about any other.
    #[serde(default)]
    pub terms: Option<Vec<String>>,
    /// What the taxonomy's terms are, when Annals should know: `places`.
    #[serde(default)]
    pub role: Option<TaxonomyRole>,
}

/// What a taxonomy's terms are.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TaxonomyRole {
    /// Places (countries, regions, cities): articles are filed by where they happened, and
    /// metadata names them as the article's location (schema.org `contentLocation`).
    Places,
}

impl TaxonomyConfig {
    /// The heading shown to readers.
    pub fn display_title(&self) -> String {
        self.title.clone().unwrap_or_else(|| {
            let mut chars = self.name.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
    }
}

/// The site's configuration, with defaults filled in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name, shown in the header and the `<title>` of every page.
    #[serde(default = "default_title")]
    pub title: String,
    /// One sentence about the site, for the home page's description.
    #[serde(default)]
    pub description: String,
    /// The absolute URL the site is served from, e.g. `https://example.org` or
    /// `https://user.github.io/project` (a sub-path is honoured by every link).
    pub base_url: String,
    /// The language of the content, for `<html lang>`.
    #[serde(default = "default_language")]
    pub language: String,
    /// The site's owner or publisher, shown in the footer.
    #[serde(default)]
    pub author: Option<String>,
    /// How many articles a listing page shows.
    #[serde(default = "default_paginate_by")]
    pub paginate_by: usize,
    /// The URL pattern of an article, from `{year}`, `{month}`, `{day}` and `{slug}`.
    #[serde(default = "default_article_path")]
    pub article_path: String,
    /// Where an article's URL slug comes from when its front matter has no `slug`.
    #[serde(default)]
    pub slug_from: SlugFrom,
    /// Where `annals new` writes an article below `content/`, from `{year}`, `{month}`, `{day}`
    /// and `{slug}`.
    #[serde(default = "default_new_path")]
    pub new_path: String,
    /// How dates are shown to readers, as a chrono `strftime` pattern.
    #[serde(default = "default_date_format")]
    pub date_format: String,
    /// The taxonomies articles are indexed by.
    #[serde(default = "default_taxonomies")]
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Which feed formats are written, for the site and for every term.
    #[serde(default = "default_feeds")]
    pub feeds: Vec<FeedFormat>,
    /// How many of the newest articles a feed holds.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Whether feed entries carry the whole article or only its summary.
    #[serde(default)]
    pub feed_content: ArticleText,
    /// Whether every taxonomy term gets feeds of its own, besides the site's.
    #[serde(default = "default_true")]
    pub term_feeds: bool,
    /// Writes `news-sitemap.xml` (Google News) with the articles of the last two days.
    #[serde(default)]
    pub news_sitemap: bool,
    /// URLs per sitemap file; above it `sitemap.xml` becomes an index of parts.
    #[serde(default = "default_sitemap_max_urls")]
    pub sitemap_max_urls: usize,
    /// How many related articles an article page lists (0 for none).
    #[serde(default = "default_related")]
    pub related_count: usize,
    /// Builds a full-text search index (see [`crate::search`]) and the `/search/` page.
    #[serde(default = "default_true")]
    pub search: bool,
    /// What the search index holds of each article: the whole text (the default), or only title
    /// and summary (less time and memory to build, a smaller index).
    #[serde(default)]
    pub search_content: ArticleText,
    /// What happens to raw HTML written inside Markdown.
    #[serde(default)]
    pub raw_html: RawHtml,
    /// What the taxonomy of places knows of countries beyond the built-in names.
    #[serde(default)]
    pub places: PlacesConfig,
    /// The countries, with the names and aliases of `places`.
    #[serde(skip)]
    pub countries: Countries,
    /// Where `annals deploy` publishes the site (`[[deploy.targets]]`) and with which headers.
    #[serde(default)]
    pub deploy: DeployConfig,
    /// Free values handed to templates as `site.extra`.
    #[serde(default)]
    pub extra: toml::Table,
}

/// What happens to raw HTML written inside Markdown.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Kept as written: for archives whose authors are trusted (embeds, tables, figures).
    #[default]
    Keep,
    /// Shown as text: nothing the author writes becomes markup.
    Escape,
    /// Cleaned by the `ammonia` sanitizer: safe formatting stays, scripts, event handlers,
    /// styles and unknown elements go.
    Sanitize,
}

/// A feed format.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// Atom 1.0, at `atom.xml`.
    Atom,
    /// RSS 2.0, at `rss.xml`.
    Rss,
    /// JSON Feed 1.1, at `feed.json`.
    Json,
}

impl FeedFormat {
    /// The feed's file name inside its listing's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    /// The media type for `<link rel="alternate" type="...">`.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    /// A short name for readers ("Atom", "RSS", "JSON Feed").
    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Atom => "Atom",
            FeedFormat::Rss => "RSS",
            FeedFormat::Json => "JSON Feed",
        }
    }
}

/// Where an article's slug comes from when its front matter has none.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SlugFrom {
    /// The title, transliterated ("Côte d'Ivoire votes" gives `cote-d-ivoire-votes`).
    #[default]
    Title,
    /// The file name without `.md` (as Hugo and Zola do): `live-updates-2.md` gives
    /// `live-updates-2`, so two articles with one title on one day can both exist.
    File,
}

/// What a feed entry or the search index carries of an article.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "lowercase")]
pub enum ArticleText {
    /// The whole article.
    #[default]
    Full,
    /// Only the summary.
    Summary,
}

fn default_title() -> String {
    "Annals".to_owned()
}
fn default_language() -> String {
    "en".to_owned()
}
fn default_paginate_by() -> usize {
    20
}
fn default_article_path() -> String {
    "/{year}/{month}/{day}/{slug}/".to_owned()
}
fn default_new_path() -> String {
    "{year}/{slug}.md".to_owned()
}
fn default_date_format() -> String {
    "%-d %B %Y".to_owned()
}
fn default_true() -> bool {
    true
}
fn default_feeds() -> Vec<FeedFormat> {
    vec![FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json]
}
fn default_feed_limit() -> usize {
    20
}
fn default_sitemap_max_urls() -> usize {
    50_000
}
fn default_related() -> usize {
    4
}
fn default_taxonomies() -> Vec<TaxonomyConfig> {
    ["topics", "countries"]
        .into_iter()
        .map(|name| TaxonomyConfig {
            name: name.to_owned(),
            title: None,
            terms: None,
            role: None,
        })
        .collect()
}

impl SiteConfig {
    /// Reads and validates `site.toml` in `root`.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                let here = if root.as_os_str().is_empty() { Path::new(".") } else { root };
                let folder = here.canonicalize().unwrap_or_else(|_| here.to_path_buf());
                format!(
                    "{} is not an Annals site (it has no {CONFIG_FILE}): run annals in a site's folder, name one with --root DIR, or start one with `annals init DIR`",
                    folder.display()
                )
            } else {
                format!("cannot read the site configuration: {e}")
            };
            vec![Diagnostic::new(&path, message)]
        })?;
        SiteConfig::parse(&text, &path)
    }

    /// Parses and validates configuration text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let config: SiteConfig = toml::from_str(text).map_err(|e| {
            let message = e.message().to_owned();
            vec![match e.span() {
                Some(span) => {
                    let (line, col) = line_col(text, span.start);
                    Diagnostic::at(path, line, Some(col), message)
                }
                None => Diagnostic::new(path, message),
            }]
        })?;
        let mut config = config;
        let mut problems = config.problems();
        match Countries::new(&config.places) {
            Ok(countries) => config.countries = countries,
            Err(e) => problems.push(format!("[places]: {e}")),
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems
                .into_iter()
                .map(|p| Diagnostic::new(path, p))
                .collect())
        }
    }

    /// The same configuration served from another base URL (checked like the one in the file).
    pub fn with_base_url(
        mut self,
        base_url: &str,
        path: &Path,
    ) -> Result<SiteConfig, Vec<Diagnostic>> {
        self.base_url = base_url.to_owned();
        let problems = self.problems();
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems
                .into_iter()
                .map(|p| Diagnostic::new(path, format!("--base-url: {p}")))
                .collect())
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(why) = check_base_url(&self.base_url) {
            problems.push(format!(
                "`base_url` must be an absolute http(s) URL such as \"https://example.org\" or \"https://user.github.io/project\": {:?} {why}",
                self.base_url
            ));
        }
        for (i, feed) in self.feeds.iter().enumerate() {
            if self.feeds[..i].contains(feed) {
                let name = match feed {
                    FeedFormat::Atom => "atom",
                    FeedFormat::Rss => "rss",
                    FeedFormat::Json => "json",
                };
                problems.push(format!(
                    "`feeds` lists \"{name}\" twice; list each format once"
                ));
            }
        }
        for (key, value) in [
            ("title", self.title.as_str()),
            ("description", &self.description),
            ("author", self.author.as_deref().unwrap_or_default()),
            ("language", &self.language),
        ] {
            if value.chars().any(crate::text::is_forbidden) {
                problems.push(format!(
                    "`{key}` contains a control character, which HTML and XML do not allow"
                ));
            }
        }
        if self.paginate_by == 0 {
            problems.push("`paginate_by` must be at least 1".to_owned());
        }
        if self.feed_limit == 0 {
            problems.push("`feed_limit` must be at least 1".to_owned());
        }
        if self.sitemap_max_urls == 0 || self.sitemap_max_urls > 50_000 {
            problems.push("`sitemap_max_urls` must be between 1 and 50000".to_owned());
        }
        if let Err(p) = check_article_path(&self.article_path) {
            problems.push(p);
        }
        if !self.new_path.ends_with(".md")
            || !self.new_path.contains("{slug}")
            || self.new_path.starts_with('/')
            || self.new_path.split('/').any(|s| s == ".." || s == ".")
        {
            problems.push(format!(
                "`new_path` {:?} must be a relative path ending in .md with {{slug}} and no `..`",
                self.new_path
            ));
        }
        if !formats(&self.date_format) {
            problems.push(format!(
                "`date_format` {:?} is not a strftime pattern chrono can format dates with",
                self.date_format
            ));
        }
        let mut seen = Vec::new();
        for taxonomy in &self.taxonomies {
            if slugify(&taxonomy.name) != taxonomy.name {
                problems.push(format!(
                    "taxonomy name {:?} must be lowercase letters, digits and dashes",
                    taxonomy.name
                ));
            } else if is_reserved(&taxonomy.name)
                || taxonomy.name.bytes().all(|b| b.is_ascii_digit())
            {
                problems.push(format!(
                    "taxonomy name {:?} is reserved for other pages",
                    taxonomy.name
                ));
            }
            if seen.contains(&&taxonomy.name) {
                problems.push(format!("taxonomy {:?} is declared twice", taxonomy.name));
            }
            seen.push(&taxonomy.name);
        }
        let places: Vec<&str> = self
            .taxonomies
            .iter()
            .filter(|t| t.role == Some(TaxonomyRole::Places))
            .map(|t| t.name.as_str())
            .collect();
        if places.len() > 1 {
            problems.push(format!(
                "only one taxonomy may have `role = \"places\"`, not {}",
                places.join(" and ")
            ));
        }
        problems.extend(self.deploy.problems());
        problems
    }

    /// The position of the taxonomy of places: the one with `role = "places"`, else the one named
    /// `countries`.
    pub fn places(&self) -> Option<usize> {
        self.taxonomies
            .iter()
            .position(|t| t.role == Some(TaxonomyRole::Places))
            .or_else(|| self.taxonomies.iter().position(|t| t.name == "countries"))
    }

    /// The base URL without a trailing slash: `https://example.org/news`.
    pub fn base_url_trimmed(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The path part of the base URL without a trailing slash: `/news`, or empty at a domain's root.
    pub fn base_path(&self) -> &str {
        let trimmed = self.base_url_trimmed();
        let after_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
        after_scheme.find('/').map_or("", |i| &after_scheme[i..])
    }
}

/// Whether chrono formats dates with `pattern`: it parses, and it has no specifier that only
/// parsing knows (like `%#z`). Every date has every field, so one sample date tells.
fn formats(pattern: &str) -> bool {
    use std::fmt::Write;
    if StrftimeItems::new(pattern).any(|item| matches!(item, Item::Error)) {
        return false;
    }
    let sample = chrono::DateTime::parse_from_rfc3339("2024-06-19T09:30:00+09:00");
    let mut out = String::new();
    sample.is_ok_and(|date| write!(out, "{}", date.format(pattern)).is_ok())
}

/// Checks a base URL: http or https, a host, a valid port, and nothing after the path.
fn check_base_url(base_url: &str) -> Result<(), String> {
    if base_url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err("has white space, control characters or `\\`".to_owned());
    }
    let url = url::Url::parse(base_url).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || !base_url.contains("://") {
        return Err("does not start with http:// or https://".to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("may not have a query, fragment or user name".to_owned());
    }
    Ok(())
}

/// Checks an article URL pattern: starts and ends with `/`, has `{slug}`, only known fields, and
/// nothing a URL path or file name cannot hold.
fn check_article_path(pattern: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("`article_path` {pattern:?} {why}"));
    if !pattern.starts_with('/') || !pattern.ends_with('/') {
        return bad("must start and end with `/`");
    }
    if pattern.contains(['?', '#', '\\', '%'])
        || pattern.chars().any(char::is_whitespace)
        || pattern.chars().any(char::is_control)
    {
        return bad("may not contain `?`, `#`, `\\`, `%`, white space or control characters");
    }
    if pattern.contains("//") {
        return bad("may not contain an empty segment (`//`)");
    }
    let first = pattern.split('/').nth(1).unwrap_or_default();
    if is_reserved(first) {
        return bad(&format!(
            "may not start with /{first}/, which is reserved for other pages"
        ));
    }
    if !pattern.contains("{slug}") {
        return bad("must contain `{slug}`");
    }
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return bad("has an unclosed `{`");
        };
        let field = &rest[start + 1..start + len];
        if !["year", "month", "day", "slug"].contains(&field) {
            return bad(&format!(
                "uses `{{{field}}}`; the fields are {{year}}, {{month}}, {{day}} and {{slug}}"
            ));
        }
        rest = &rest[start + len + 1..];
    }
    if pattern.split('/').any(|seg| seg == ".." || seg == ".") {
        return bad("must not contain `.` or `..` segments");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        SiteConfig::parse(text, Path::new("site.toml"))
    }

    #[test]
    fn defaults_and_base_path() {
        let c = parse("base_url = \"https://user.github.io/project/\"").unwrap();
        assert_eq!(c.paginate_by, 20);
        assert_eq!(c.base_path(), "/project");
        assert_eq!(c.base_url_trimmed(), "https://user.github.io/project");
        assert_eq!(c.taxonomies.len(), 2);
        let root = parse("base_url = \"https://example.org\"").unwrap();
        assert_eq!(root.base_path(), "");
    }

    #[test]
    fn a_feed_listed_twice_is_named() {
        let errors = parse("base_url = \"https://e.org\"\nfeeds = [\"atom\", \"rss\", \"atom\"]\n")
            .unwrap_err();
        let text = errors[0].to_string();
        assert!(text.contains("`feeds` lists \"atom\" twice"), "{text}");
    }

    #[test]
    fn the_taxonomy_of_places_is_a_role() {
        let default = parse("base_url = \"https://e.org\"").unwrap();
        assert_eq!(default.places(), Some(1), "countries, by default");
        let regions = parse(
            "base_url = \"https://e.org\"\n[[taxonomies]]\nname = \"countries\"\n[[taxonomies]]\nname = \"regions\"\nrole = \"places\"\n",
        )
        .unwrap();
        assert_eq!(regions.places(), Some(1));
        let none =
            parse("base_url = \"https://e.org\"\n[[taxonomies]]\nname = \"topics\"\n").unwrap();
        assert_eq!(none.places(), None);
        assert!(
            parse("base_url = \"https://e.org\"\n[[taxonomies]]\nname = \"a\"\nrole = \"places\"\n[[taxonomies]]\nname = \"b\"\nrole = \"places\"\n")
                .is_err()
        );
        assert!(
            parse(
                "base_url = \"https://e.org\"\n[[taxonomies]]\nname = \"a\"\nrole = \"people\"\n"
            )
            .is_err()
        );
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let errs = parse("base_url = \"https://e.org\"\npaginate = 3\n").unwrap_err();
        assert_eq!(errs[0].line, Some(2));
        assert!(errs[0].message.contains("paginate"), "{}", errs[0].message);
    }

    #[test]
    fn rejects_bad_values() {
        let errs = parse(
            "base_url = \"example.org\"\npaginate_by = 0\narticle_path = \"/{year}/{title}/\"\ndate_format = \"%Q\"\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        for base_url in [
            "https://",
            "https://example.org:99999/",
            "https://example.org:x/",
            " https://example.org",
            "https://exa mple.org",
            "https://example.org/\n",
            "https://example.org\\news",
            "ftp://example.org",
            "https://example.org/?x=1",
            "example.org",
        ] {
            let errs = parse(&format!("base_url = {base_url:?}\n")).unwrap_err();
            assert!(
                errs[0].message.contains("base_url"),
                "{base_url:?}: {errs:?}"
            );
        }
        for path in [
            "/{year}/{slug}?/",
            "/{year}/#{slug}/",
            "/{year}\\\\{slug}/",
            "/{year} {slug}/",
            "/{year}/\\u0000{slug}/",
            "/search-index/{slug}/",
            "/{year}//{slug}/",
        ] {
            let errs = parse(&format!(
                "base_url = \"https://e.org\"\narticle_path = \"{path}\"\n"
            ));
            assert!(errs.is_err(), "{path:?} was accepted");
        }
        assert!(parse("base_url = \"https://e.org\"\ntitle = \"a\\u0008b\"\n").is_err());
        let errs = parse("base_url = \"https://e.org\"\ndate_format = \"%#z\"\n").unwrap_err();
        assert!(errs[0].message.contains("date_format"), "{errs:?}");
    }
}
