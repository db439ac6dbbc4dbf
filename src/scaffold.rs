//! Authoring helpers: `annals init` starts a new archive, `annals new` starts a new article.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use thiserror::Error;

use crate::config::{CONFIG_FILE, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::slug::article_slug;
use crate::theme::{BUILTIN_STATIC, BUILTIN_TEMPLATES};

/// Why a scaffold could not be written.
#[derive(Debug, Error)]
pub enum ScaffoldError {
    /// `init` into a folder that already has files.
    #[error("{0} exists and is not empty; choose a new folder")]
    NotEmpty(PathBuf),
    /// `new` would overwrite an article.
    #[error("{0} already exists; choose another title or edit that file")]
    Exists(PathBuf),
    /// The title gives no URL slug.
    #[error("the title {0:?} has no letters or digits to make a file name from")]
    EmptySlug(String),
    /// `new --term` names a taxonomy the site does not have.
    #[error("the site has no taxonomy `{name}`; site.toml declares: {declared}")]
    UnknownTaxonomy {
        /// The name given.
        name: String,
        /// The taxonomies of the site, separated by commas.
        declared: String,
    },
    /// `site.toml` is broken.
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Config(Vec<Diagnostic>),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

fn write_new(path: &Path, text: &[u8]) -> Result<(), ScaffoldError> {
    let io = |source| ScaffoldError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Exists(path.to_path_buf()),
            _ => io(e),
        })?;
    file.write_all(text).map_err(io)
}

/// The `site.toml` of a new archive: `base_url` set, every other key commented with its default.
const SITE_TOML: &str = r#"# Annals site configuration. Only base_url is required; the other keys show their defaults.

# The absolute URL the site is served from; a sub-path works (https://user.github.io/news).
base_url = "https://example.org"

# The site's name, one sentence about it, its language and publisher.
# title = "Annals"
# description = ""
# language = "en"
# author = "The News Desk"

# Articles per listing page (home, topics, countries, date archives).
# paginate_by = 20

# Article URLs, from {year}, {month}, {day} and {slug}; the slug comes from the "title" or the
# "file" name when an article sets none.
# article_path = "/{year}/{month}/{day}/{slug}/"
# slug_from = "title"

# Where `annals new` writes articles, below content/.
# new_path = "{year}/{slug}.md"

# How dates are shown to readers (chrono strftime).
# date_format = "%-d %B %Y"

# Feeds for the site and every term: formats, size, full text or summary.
# feeds = ["atom", "rss", "json"]
# feed_limit = 20
# feed_content = "full"
# term_feeds = true

# Sitemaps: URLs per file, and a Google News sitemap of the last two days.
# sitemap_max_urls = 50000
# news_sitemap = false

# Related articles per article page; full-text search ("full" text, or "summary").
# related_count = 4
# search = true
# search_content = "full"

# Raw HTML inside Markdown: "keep" it (trusted archives: embeds, figures), "escape" it (shown as
# text) or "sanitize" it (formatting stays; scripts, event handlers and styles go).
# raw_html = "keep"

# The taxonomies articles are indexed by; each is a front matter key of its own. Declaring one
# replaces this default list. role = "places" marks the taxonomy of places (countries by default).
# `terms` lists the expected terms (annals check warns about others).
# [[taxonomies]]
# name = "topics"
# title = "Topics"
# terms = ["Diplomacy", "Elections"]
#
# [[taxonomies]]
# name = "countries"
# title = "Countries"
# role = "places"

# Where `annals deploy` publishes the built site: an S3-compatible bucket. Keys come from
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials, never from this file. Without
# an endpoint, AWS S3 in the region; matchers set Cache-Control and gzip by path.
# [[deploy.targets]]
# name = "production"
# bucket = "my-archive"
# region = "eu-west-1"
# endpoint = "https://ACCOUNT_ID.r2.cloudflarestorage.com"
#
# [[deploy.matchers]]
# pattern = "**/*.html"
# cache_control = "public, max-age=300"
# gzip = true

# Anything else, for your templates as site.extra.
# [extra]
"#;

/// Starts a new archive in `dir`: `site.toml` (with `title` when given), an example article and
/// a `.gitignore`; with `theme`, also a copy of the default templates and static files to
/// customise. Returns the files written.
pub fn init(
    dir: &Path,
    title: Option<&str>,
    theme: bool,
    now: DateTime<FixedOffset>,
) -> Result<Vec<PathBuf>, ScaffoldError> {
    let config = match title {
        Some(title) => SITE_TOML.replacen(
            "# title = \"Annals\"",
            &format!("title = {}", toml_string(title)),
            1,
        ),
        None => SITE_TOML.to_owned(),
    };
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut entries| entries.next().is_some())
            .unwrap_or(true)
    {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (dir.join(CONFIG_FILE), config.into_bytes()),
        (dir.join(".gitignore"), b"/public\n/.annals-cache\n".to_vec()),
        (
            dir.join("content")
                .join(now.format("%Y").to_string())
                .join("welcome-to-your-archive.md"),
            article_text(
                "Welcome to your archive",
                now,
                "welcome-to-your-archive",
                false,
                &[("topics", vec!["Announcements".to_owned()])],
                "This is your first article. Edit it, or write new ones with `annals new \"Title\"`.\n\n\
                 Run `annals serve` to preview the site while you write, and `annals build` to publish it.\n",
            )
            .into_bytes(),
        ),
    ];
    if theme {
        files.extend(
            BUILTIN_TEMPLATES
                .iter()
                .map(|(name, text)| (dir.join("templates").join(name), text.as_bytes().to_vec())),
        );
        files.extend(
            BUILTIN_STATIC
                .iter()
                .map(|(name, bytes)| (dir.join("static").join(name), bytes.to_vec())),
        );
    }
    for (path, text) in &files {
        write_new(path, text)?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// A TOML string.
pub(crate) fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A TOML list of strings.
pub(crate) fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| toml_string(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The body `annals new` writes; `annals check` warns about an article that still has it.
pub const PLACEHOLDER: &str = "Write the article here.";

/// The text of a new article: front matter with the title, the date, the slug (pinned, so that
/// a corrected headline keeps the URL), `draft = true` when `draft`, and each taxonomy's terms
/// (`(taxonomy, terms)`, in the order of `site.toml`; none empty), then the body.
fn article_text(
    title: &str,
    date: DateTime<FixedOffset>,
    slug: &str,
    draft: bool,
    terms: &[(&str, Vec<String>)],
    body: &str,
) -> String {
    let mut text = format!(
        "+++\ntitle = {}\ndate = {}\nslug = {}\n",
        toml_string(title),
        date.format("%Y-%m-%dT%H:%M:%S%:z"),
        toml_string(slug),
    );
    if draft {
        text.push_str("draft = true\n");
    }
    for (taxonomy, names) in terms.iter().filter(|(_, names)| !names.is_empty()) {
        text.push_str(&format!("{taxonomy} = {}\n", toml_list(names)));
    }
    text.push_str(&format!("+++\n\n{body}"));
    text
}

/// A new article: its file and the URL it will have once published.
#[derive(Debug, Clone)]
pub struct NewArticle {
    /// The file written.
    pub path: PathBuf,
    /// Its URL, with the site's base URL.
    pub url: String,
}

/// Writes a new draft dated `now` under `content/`, at the `new_path` pattern of the site's
/// configuration, with `terms` as (taxonomy, term) pairs (blank ones left out). Refuses to
/// overwrite.
pub fn new_article(
    root: &Path,
    title: &str,
    terms: &[(String, String)],
    now: DateTime<FixedOffset>,
) -> Result<NewArticle, ScaffoldError> {
    let terms: Vec<(String, String)> = terms
        .iter()
        .map(|(taxonomy, term)| (taxonomy.trim().to_owned(), term.trim().to_owned()))
        .filter(|(_, term)| !term.is_empty())
        .collect();
    let terms = &terms[..];
    let config = SiteConfig::load(root).map_err(ScaffoldError::Config)?;
    let slug = article_slug(title);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptySlug(title.to_owned()));
    }
    if let Some((name, _)) = terms
        .iter()
        .find(|(name, _)| !config.taxonomies.iter().any(|t| t.name == *name))
    {
        let declared: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();
        return Err(ScaffoldError::UnknownTaxonomy {
            name: name.clone(),
            declared: declared.join(", "),
        });
    }
    let by_taxonomy: Vec<(&str, Vec<String>)> = config
        .taxonomies
        .iter()
        .map(|t| {
            let names = terms
                .iter()
                .filter(|(name, _)| *name == t.name)
                .map(|(_, term)| term.clone())
                .collect();
            (t.name.as_str(), names)
        })
        .filter(|(_, names): &(&str, Vec<String>)| !names.is_empty())
        .collect();
    let rel = crate::routes::new_article_file(&config.new_path, now.date_naive(), &slug, false);
    let path = root.join("content").join(rel);
    let body = format!("{PLACEHOLDER}\n");
    write_new(
        &path,
        article_text(title, now, &slug, true, &by_taxonomy, &body).as_bytes(),
    )?;
    let url = crate::routes::fill(&config.article_path, now.date_naive(), &slug);
    Ok(NewArticle {
        path,
        url: format!("{}{url}", config.base_url_trimmed()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-29T10:30:00+01:00").unwrap()
    }

    #[test]
    fn init_then_new_make_a_buildable_site() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("news");
        let files = init(&site, None, true, now()).unwrap();
        assert!(files.contains(&site.join("templates/base.html")));
        assert!(matches!(
            init(&site, None, false, now()),
            Err(ScaffoldError::NotEmpty(_))
        ));
        let config = SiteConfig::load(&site).unwrap();
        assert_eq!(
            config.paginate_by, 20,
            "every key but base_url is commented out"
        );

        let terms = [
            ("countries".to_owned(), "Côte d'Ivoire".to_owned()),
            ("topics".to_owned(), "Elections".to_owned()),
            ("topics".to_owned(), "Votes".to_owned()),
        ];
        let path = new_article(&site, "Vote \"count\" begins", &terms, now())
            .unwrap()
            .path;
        assert_eq!(path, site.join("content/2026/vote-count-begins.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("title = 'Vote \"count\" begins'")
                || text.contains("title = \"Vote \\\"count\\\" begins\""),
            "{text}"
        );
        assert!(text.contains("date = 2026-11-29T10:30:00+01:00"));
        assert!(text.contains("countries = [\"Côte d'Ivoire\"]"), "{text}");
        assert!(
            text.contains("topics = [\"Elections\", \"Votes\"]\ncountries"),
            "{text}"
        );
        assert!(
            text.contains("slug = \"vote-count-begins\"\ndraft = true\n"),
            "{text}"
        );
        assert!(
            !text.contains("summary") && !text.contains("authors"),
            "{text}"
        );
        let blank = [("topics".to_owned(), " ".to_owned())];
        let other = new_article(&site, "Blank terms", &blank, now()).unwrap();
        let text = std::fs::read_to_string(&other.path).unwrap();
        assert!(!text.contains("topics"), "{text}");
        assert_eq!(other.url, "https://example.org/2026/11/29/blank-terms/");
        assert!(matches!(
            new_article(&site, "Vote count begins", &[], now()),
            Err(ScaffoldError::Exists(_))
        ));
        let people = [("people".to_owned(), "Kim".to_owned())];
        assert!(matches!(
            new_article(&site, "Another", &people, now()),
            Err(ScaffoldError::UnknownTaxonomy { .. })
        ));
    }
}
