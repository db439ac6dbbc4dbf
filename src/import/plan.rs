//! Gives every imported entry its file below `content/`, a slug and URL no other article of the
//! import has, its terms sorted into the site's taxonomies, aliases that can be served, and links
//! to the other entries as `@/` links; writes its front matter.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use regex::{Captures, Regex};

use super::{Entry, ImportError, ImportOptions, Notes, Source};
use crate::config::SiteConfig;
use crate::places::Place;
use crate::routes::{fill, new_article_file};
use crate::scaffold::{toml_list, toml_string};
use crate::slug::{MAX_DERIVED_SLUG, article_slug, is_valid_slug};

/// One article ready to be written.
#[derive(Debug)]
pub(crate) struct Planned {
    /// Its file below `content/`.
    pub rel: String,
    /// The whole file: front matter and body.
    pub text: String,
    /// Files of its bundle: the source file and the path below `content/`.
    pub files: Vec<(PathBuf, String)>,
    pub draft: bool,
    pub aliases: usize,
    /// Its terms as (taxonomy, term).
    pub terms: Vec<(String, String)>,
}

/// What an import writes.
#[derive(Debug)]
pub(crate) struct Plan {
    pub articles: Vec<Planned>,
    /// Files for `static/`: the source file and the path below `static/`.
    pub statics: Vec<(PathBuf, String)>,
    /// Keys of `site.toml` the source tells (title, base_url, description) with their values.
    pub site: Vec<(&'static str, String)>,
    pub notes: Notes,
}

/// Plans the import of `source` into a site configured by `config`.
pub(crate) fn plan(
    source: Source,
    config: &SiteConfig,
    options: &ImportOptions,
) -> Result<Plan, ImportError> {
    let old_links = OldLinks::new(source.base_url.as_deref());
    let Source {
        title,
        base_url,
        description,
        entries,
        statics,
        mut notes,
    } = source;
    let mut sorter = TermSorter::new(config);

    let mut kept = Vec::new();
    for entry in entries {
        if entry.title.trim().is_empty() {
            notes.skip("without a title", &entry.origin);
        } else if entry.date.is_none() {
            notes.skip("without a date", &entry.origin);
        } else if entry.draft && !options.drafts {
            notes.skip("drafts (import them with --drafts)", &entry.origin);
        } else {
            kept.push(entry);
        }
    }
    // Oldest first, so that the first of two articles with one URL keeps it.
    kept.sort_by_key(|e| e.date);

    let mut rels = HashSet::new();
    let mut urls = HashSet::new();
    let mut placed = Vec::with_capacity(kept.len());
    for entry in kept {
        let date = entry.date.expect("entries without date are skipped");
        let mut slug = usable_slug(&entry);
        let base = slug.clone();
        let mut n = 1;
        let (rel, url) = loop {
            let rel = new_article_file(
                &config.new_path,
                date.date_naive(),
                &slug,
                !entry.files.is_empty(),
            );
            let url = fill(&config.article_path, date.date_naive(), &slug);
            if !rels.contains(&rel) && !urls.contains(&url) {
                break (rel, url);
            }
            n += 1;
            slug = format!("{base}-{n}");
        };
        rels.insert(rel.clone());
        urls.insert(url.clone());
        placed.push((entry, slug, rel, url));
    }

    // Old URLs: each served once, by the first article that had it, never over a new URL.
    let keys: HashMap<String, String> = placed
        .iter()
        .filter_map(|(entry, _, rel, _)| entry.key.clone().map(|key| (key, rel.clone())))
        .collect();
    // Old URL → the article's file and its new link (below the new site's base path).
    let old_urls: HashMap<String, (String, String)> = placed
        .iter()
        .flat_map(|(entry, _, rel, url)| {
            let link = format!("{}{url}", config.base_path());
            entry
                .aliases
                .iter()
                .map(move |alias| (OldLinks::key(alias), (rel.clone(), link.clone())))
        })
        .collect();
    let mut aliases_taken: HashSet<String> = HashSet::new();
    let mut articles = Vec::with_capacity(placed.len());
    for (entry, slug, rel, url) in placed {
        let mut aliases = Vec::new();
        for alias in &entry.aliases {
            let Some(alias) = usable_alias(alias) else {
                notes.count("old URLs with a query or fragment (not kept)", 1);
                continue;
            };
            if same_url(&alias, &url) {
                continue;
            }
            if urls.contains(&alias) || !aliases_taken.insert(alias.trim_end_matches('/').into()) {
                notes.warn(
                    &entry.origin,
                    format!("old URL {alias} belongs to another article; not kept"),
                );
                continue;
            }
            aliases.push(alias);
        }
        let terms = sorter.sort(&entry, &mut notes);
        let body = resolve_links(&entry.body, &keys, &entry.origin, &mut notes);
        let body = old_links.rewrite(&body, &old_urls);
        let bundle_dir = rel.trim_end_matches("index.md").to_owned();
        articles.push(Planned {
            text: article_text(&entry, &slug, &terms, &aliases, &body),
            files: entry
                .files
                .iter()
                .map(|(path, name)| (path.clone(), format!("{bundle_dir}{name}")))
                .collect(),
            rel,
            draft: entry.draft,
            aliases: aliases.len(),
            terms,
        });
    }
    let site = [
        ("title", title),
        ("base_url", base_url),
        ("description", description),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((key, value?.trim().to_owned())).filter(|(_, v)| !v.is_empty()))
    .collect();
    Ok(Plan {
        articles,
        statics,
        site,
        notes,
    })
}

/// The entry's slug if Annals can serve it, else one made from it or from the title.
fn usable_slug(entry: &Entry) -> String {
    let slug = entry.slug.trim();
    if is_valid_slug(slug) && slug.len() <= MAX_DERIVED_SLUG {
        return slug.to_owned();
    }
    [slug, entry.title.as_str()]
        .into_iter()
        .map(article_slug)
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "article".to_owned())
}

/// An old URL as an alias path (`/2012/01/05/hello/`), checked and normalized as the build
/// checks `aliases` (no query, fragment, `..`, control characters; a folder ends in `/`), or
/// none when it cannot be one.
fn usable_alias(alias: &str) -> Option<String> {
    let alias = format!("/{}", alias.trim().trim_start_matches('/'));
    crate::content::alias_path(&alias)
        .ok()
        .filter(|alias| alias != "/")
}

/// Whether two URL paths are one page (`/a/b` and `/a/b/`).
fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Sorts terms into the site's taxonomies: places the site's country list knows go to the
/// taxonomy of places, the others to the first other taxonomy.
struct TermSorter<'a> {
    config: &'a SiteConfig,
    topics: Option<String>,
    places: Option<String>,
    /// Whether a term names a country, by term: looking a name up is costly when it is no
    /// country (the nearest names are searched), and imports repeat their terms.
    known: HashMap<String, bool>,
}

impl<'a> TermSorter<'a> {
    fn new(config: &'a SiteConfig) -> TermSorter<'a> {
        let places = config.places().map(|i| config.taxonomies[i].name.clone());
        let topics = config
            .taxonomies
            .iter()
            .map(|t| t.name.clone())
            .find(|name| Some(name) != places.as_ref());
        TermSorter {
            config,
            topics,
            places,
            known: HashMap::new(),
        }
    }

    /// The entry's terms as (taxonomy, term), in the order of the site's taxonomies.
    fn sort(&mut self, entry: &Entry, notes: &mut Notes) -> Vec<(String, String)> {
        let mut seen = HashSet::new();
        let mut terms = Vec::new();
        let tagged = entry.terms.iter().map(|t| (t, false));
        for (term, is_place) in entry.places.iter().map(|t| (t, true)).chain(tagged) {
            let term = term.split_whitespace().collect::<Vec<_>>().join(" ");
            if !term.chars().any(char::is_alphanumeric) || !seen.insert(term.to_lowercase()) {
                continue;
            }
            let countries = &self.config.countries;
            let country = *self
                .known
                .entry(term.clone())
                .or_insert_with(|| matches!(countries.resolve(&term), Place::Country(_)));
            let taxonomy = if is_place || country {
                &self.places
            } else {
                &self.topics
            };
            match taxonomy {
                Some(taxonomy) => {
                    if country && !is_place {
                        notes.count("tags that name a country, filed as places", 1);
                    }
                    terms.push((taxonomy.clone(), term));
                }
                None => notes.count("terms dropped (the site has no taxonomy for them)", 1),
            }
        }
        let order = |taxonomy: &String| {
            self.config
                .taxonomies
                .iter()
                .position(|t| t.name == *taxonomy)
        };
        terms.sort_by_key(|(taxonomy, _)| order(taxonomy));
        terms
    }
}

/// The body with every link to another entry of the import made an `@/` link to its new file;
/// a link to an entry that is not imported (a draft, say) stays as the source wrote it.
fn resolve_links(
    body: &str,
    keys: &HashMap<String, String>,
    origin: &str,
    notes: &mut Notes,
) -> String {
    const OPEN: &str = "@@import:";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let Some(end) = after.find("@@") else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let key = &after[..end];
        let (path, fragment) = key.split_once('#').map_or((key, ""), |(p, f)| (p, f));
        let path = path.trim_end_matches('/');
        let found = [
            path.to_owned(),
            format!("{path}.md"),
            format!("{path}/index.md"),
        ]
        .into_iter()
        .find_map(|k| keys.get(&k));
        match found {
            Some(rel) => {
                out.push_str("@/");
                out.push_str(rel);
                if !fragment.is_empty() {
                    out.push('#');
                    out.push_str(fragment);
                }
            }
            None => {
                notes.warn(
                    origin,
                    format!("links to {path}, which is not imported; the link is kept as written"),
                );
                out.push_str(key);
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Links to the old site's URLs of imported articles, absolute or root-relative.
struct OldLinks {
    /// Link targets in Markdown (`](…)`, `]: …`) and HTML (`href="…"`) that may be old URLs.
    pattern: Regex,
    /// The old site's base path (`/news` for `https://e.org/news`), or "".
    base_path: String,
}

impl OldLinks {
    fn new(base_url: Option<&str>) -> OldLinks {
        let base = base_url.unwrap_or("").trim_end_matches('/');
        let (host, base_path) = match base.split_once("://") {
            Some((_, rest)) => match rest.find('/') {
                Some(i) => (&rest[..i], rest[i..].to_owned()),
                None => (rest, String::new()),
            },
            None => ("", String::new()),
        };
        let host = if host.is_empty() {
            String::new()
        } else {
            format!("(?:https?://{})?", regex::escape(host))
        };
        let pattern = Regex::new(&format!(
            r#"(\]\(\s*<?|\]:\s*|href="){host}(/[^\s)"'<>#?]*)(#[^\s)"'<>]*)?"#
        ))
        .expect("an escaped host makes a valid pattern");
        OldLinks { pattern, base_path }
    }

    /// How an old URL path is looked up: percent-escapes decoded, without surrounding slashes.
    fn key(path: &str) -> String {
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        decoded.trim_matches('/').to_owned()
    }

    /// `body` with links to old URLs in `old_urls` (old URL key → file below `content/` and
    /// new link) made links to the imported articles: `@/` links in Markdown, the new link in
    /// HTML (where `@/` links are not resolved).
    fn rewrite(&self, body: &str, old_urls: &HashMap<String, (String, String)>) -> String {
        self.pattern
            .replace_all(body, |c: &Captures| {
                let path = &c[2];
                let path = path
                    .strip_prefix(self.base_path.as_str())
                    .filter(|rest| {
                        !self.base_path.is_empty() && (rest.is_empty() || rest.starts_with('/'))
                    })
                    .unwrap_or(path);
                match old_urls.get(&OldLinks::key(path)) {
                    Some((rel, link)) => {
                        let fragment = c.get(3).map_or("", |m| m.as_str());
                        if c[1].starts_with("href") {
                            format!("{}{link}{fragment}", &c[1])
                        } else {
                            format!("{}@/{rel}{fragment}", &c[1])
                        }
                    }
                    None => c[0].to_owned(),
                }
            })
            .into_owned()
    }
}

/// A date as front matter writes it: a TOML date-time with its offset, or a day.
fn toml_date(date: DateTime<FixedOffset>, date_only: bool) -> String {
    if date_only {
        date.format("%Y-%m-%d").to_string()
    } else {
        date.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// The article's file: TOML front matter (empty keys left out), then the body.
fn article_text(
    entry: &Entry,
    slug: &str,
    terms: &[(String, String)],
    aliases: &[String],
    body: &str,
) -> String {
    let date = entry.date.expect("entries without date are skipped");
    let mut text = String::from("+++\n");
    let _ = writeln!(text, "title = {}", toml_string(entry.title.trim()));
    let _ = writeln!(text, "date = {}", toml_date(date, entry.date_only));
    if let Some(updated) = entry.updated.filter(|u| *u > date) {
        let _ = writeln!(text, "updated = {}", toml_date(updated, false));
    }
    let _ = writeln!(text, "slug = {}", toml_string(slug));
    if let Some(summary) = entry
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let _ = writeln!(text, "summary = {}", toml_string(summary));
    }
    let mut taxonomies: Vec<&str> = Vec::new();
    for (taxonomy, _) in terms {
        if !taxonomies.contains(&taxonomy.as_str()) {
            taxonomies.push(taxonomy);
        }
    }
    for taxonomy in taxonomies {
        let names: Vec<String> = terms
            .iter()
            .filter(|(t, _)| t == taxonomy)
            .map(|(_, name)| name.clone())
            .collect();
        let _ = writeln!(text, "{taxonomy} = {}", toml_list(&names));
    }
    if !entry.authors.is_empty() {
        let _ = writeln!(text, "authors = {}", toml_list(&entry.authors));
    }
    if entry.draft {
        text.push_str("draft = true\n");
    }
    if !aliases.is_empty() {
        let _ = writeln!(text, "aliases = {}", toml_list(aliases));
    }
    if let Some(extra) = entry.extra.as_ref().filter(|e| !e.is_empty()) {
        let mut outer = toml::Table::new();
        outer.insert("extra".into(), toml::Value::Table(extra.clone()));
        if let Ok(table) = toml::to_string(&outer) {
            text.push('\n');
            text.push_str(&table);
        }
    }
    text.push_str("+++\n\n");
    text.push_str(body.trim_start_matches(['\n', '\r']));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_a_static_host_can_serve() {
        assert_eq!(
            usable_alias("2012/01/05/hello/").as_deref(),
            Some("/2012/01/05/hello/")
        );
        assert_eq!(usable_alias("/?p=12"), None);
        assert_eq!(usable_alias("/a/../b/"), None);
        assert_eq!(usable_alias("/"), None);
    }

    #[test]
    fn links_to_entries_become_at_links() {
        let keys = HashMap::from([("posts/a.md".to_owned(), "2020/a.md".to_owned())]);
        let mut notes = Notes::default();
        let body = "[a](@@import:posts/a.md#x@@) [b](@@import:posts/b.md@@)";
        assert_eq!(
            resolve_links(body, &keys, "c.md", &mut notes),
            "[a](@/2020/a.md#x) [b](posts/b.md)"
        );
        assert_eq!(notes.warnings.len(), 1);
    }
}
