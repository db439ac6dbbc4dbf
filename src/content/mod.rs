//! Articles: finding the Markdown files under `content/`, reading their front matter, and giving
//! each one its URL.
//!
//! The stage runs in three steps: [`discover`] lists the files, [`parse_file`] reads one file into a
//! [`ParsedArticle`] (front matter checked, body still Markdown), and [`assign_urls`] gives every
//! article its URL and rejects two articles that would land on the same one. What pages need
//! of the body is kept from reading in small archives ([`KEEP_BODIES_UP_TO`], [`KeptBody`]); in
//! larger ones article pages, feeds and the search index read it again with [`read_body`], so
//! that no large build holds every body.

mod dates;
mod discover;
mod front_matter;
mod read;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use dates::{ArticleDate, rfc2822, strftime};
pub use discover::{
    BUNDLE_ARTICLE, Discovered, Resource, discover, in_bundle, is_article_name, is_ignored,
};
pub(crate) use front_matter::alias_path;
pub use front_matter::{parse_file, parse_text, read_body};
pub use read::{Publish, Published, ReadArticles, Readings, read_all, read_article};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::markdown::{ArticleBody, PendingHtml};

/// What the front matter of an article says, checked and normalized.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleMeta {
    /// The Markdown file. A build cache does not keep it (it depends on the working folder); the
    /// cache's reader sets it again from `rel_path`.
    #[serde(skip)]
    pub source: PathBuf,
    /// The file's path relative to `content/`, with `/` separators (`2024/putin.md`).
    pub rel_path: String,
    /// The headline.
    pub title: String,
    /// When the article was published, in the offset it was written with.
    pub date: ArticleDate,
    /// When it was last updated, if ever.
    pub updated: Option<ArticleDate>,
    /// The last segment of its URL.
    pub slug: String,
    /// A summary written in front matter (plain text).
    pub summary: Option<String>,
    /// Bylines, in order.
    pub authors: Vec<String>,
    /// The article's terms for each taxonomy of `site.toml`, in that order.
    pub terms: Vec<Vec<TermName>>,
    /// Unpublished unless the build asks for drafts.
    pub draft: bool,
    /// Former URLs of the article.
    pub aliases: Vec<String>,
    /// The free `[extra]` table, for templates.
    #[serde(with = "json_text")]
    pub extra: serde_json::Value,
    /// What reading the file found worth a warning, as (line, message); kept with the rest, so
    /// that a build taking the article from its cache warns too.
    pub warnings: Vec<(usize, String)>,
}

impl ArticleMeta {
    /// The warnings about the article's file.
    pub fn diagnostics(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.warnings
            .iter()
            .map(|(line, message)| Diagnostic::at(&self.source, *line, None, message))
    }
}

/// A term as an article names it. Its text is shared: the articles naming one term hold one copy
/// of it (see [`share_term_names`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermName {
    /// As written, trimmed, with runs of white space folded to one space.
    pub name: Arc<str>,
    /// Its slug: what makes two spellings one term.
    pub slug: Arc<str>,
    /// For a term of the taxonomy of places that names a country, its ISO code; the name is
    /// then the country's.
    pub code: Option<Arc<str>>,
}

/// Makes the articles' equal term names, slugs and codes one shared string each. Articles are
/// read in parallel, each with its own copy; at a million articles the copies would be half a
/// gigabyte.
pub fn share_term_names(articles: &mut [Article]) {
    let mut known: HashSet<Arc<str>> = HashSet::new();
    let mut share = |text: &mut Arc<str>| match known.get(&**text) {
        Some(shared) => *text = Arc::clone(shared),
        None => {
            known.insert(Arc::clone(text));
        }
    };
    for term in articles
        .iter_mut()
        .flat_map(|a| a.meta.terms.iter_mut().flatten())
    {
        share(&mut term.name);
        share(&mut term.slug);
        if let Some(code) = &mut term.code {
            share(code);
        }
    }
}

/// An article whose front matter is read and checked; its body is still Markdown.
#[derive(Debug, Clone)]
pub struct ParsedArticle {
    /// The front matter.
    pub meta: ArticleMeta,
    /// The Markdown after the front matter.
    pub body: String,
    /// The line of the file on which `body` starts, to report positions in the file.
    pub body_line: usize,
}

/// An article's Markdown body, with the line of its file it starts on (to report positions in
/// the file).
#[derive(Debug, Clone)]
pub struct Markdown {
    /// The Markdown after the front matter, without the characters HTML and XML forbid.
    pub text: String,
    /// The line of the file on which `text` starts.
    pub first_line: usize,
}

/// What the reading pass keeps of an article's body in an archive small enough to keep them all
/// ([`KEEP_BODIES_UP_TO`]): what its page, the feeds and the search index would otherwise make
/// again from its file.
#[derive(Debug)]
pub struct KeptBody {
    /// The Markdown, when something that needs it was not made while reading.
    pub markdown: Option<Markdown>,
    /// Its [`crate::markdown::search_text`], when the search index holds the full text.
    pub search_text: Option<String>,
    /// Its HTML with the links that depend on URLs still to resolve (unless the sanitizer
    /// rewrites raw HTML).
    pub html: Option<PendingHtml>,
}

/// Archives whose article files hold at most this many bytes together keep every body in memory
/// from the reading pass to the pages, feeds and search index that need it again (its HTML and
/// search text, about twice the Markdown); larger ones read each body again from its file when
/// it is needed, so that memory does not grow with the archive's text.
pub const KEEP_BODIES_UP_TO: u64 = 160 << 20;

/// The Markdown of the article whose file is `source`: the one kept from reading (see
/// [`KeptBody`]), or its file read again.
pub fn markdown<'k>(
    source: &Path,
    kept: Option<&'k KeptBody>,
) -> Result<Cow<'k, Markdown>, Diagnostic> {
    match kept.and_then(|k| k.markdown.as_ref()) {
        Some(markdown) => Ok(Cow::Borrowed(markdown)),
        None => read_body(source).map(Cow::Owned),
    }
}

/// Fills the `article_path` pattern of `config` for one article.
pub fn article_url(config: &SiteConfig, meta: &ArticleMeta) -> String {
    crate::routes::fill(&config.article_path, meta.date.local_date(), &meta.slug)
}

/// Gives every article its URL, in order. Two articles with the same URL are an error naming
/// both files.
pub fn assign_urls<'a>(
    config: &SiteConfig,
    articles: impl Iterator<Item = &'a ArticleMeta>,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut by_url: HashMap<String, &Path> = HashMap::new();
    let mut errors = Vec::new();
    let mut urls = Vec::new();
    for meta in articles {
        let url = article_url(config, meta);
        if let Some(other) = by_url.get(&url) {
            errors.push(Diagnostic::new(
                &meta.source,
                format!(
                    "this article and {} both have the URL {url}; give one of them another `slug`",
                    other.display()
                ),
            ));
            continue;
        }
        by_url.insert(url.clone(), &meta.source);
        urls.push(url);
    }
    if errors.is_empty() {
        Ok(urls)
    } else {
        Err(errors)
    }
}

/// The URL of every article by its content path (`2024/putin.md`), for `@/` links: the one
/// lookup used both when bodies are read and when they are rendered, so the two always agree.
pub struct ArticleLinks<'a> {
    base_path: &'a str,
    urls: HashMap<&'a str, &'a str>,
}

impl<'a> ArticleLinks<'a> {
    /// The links of `articles` (content path, URL below the base path) on the site of `config`.
    pub fn new(
        config: &'a SiteConfig,
        articles: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ArticleLinks<'a> {
        ArticleLinks {
            base_path: config.base_path(),
            urls: articles.into_iter().collect(),
        }
    }

    /// Adds or moves the article at `rel`.
    pub fn insert(&mut self, rel: &'a str, url: &'a str) {
        self.urls.insert(rel, url);
    }

    /// The root-relative link to the article at `rel`, if there is one; a page bundle's folder
    /// (`2016/mir/` or `2016/mir`) stands for its `index.md`.
    pub fn url(&self, rel: &str) -> Option<String> {
        self.urls
            .get(rel)
            .or_else(|| {
                let folder = rel.trim_end_matches('/');
                (!folder.is_empty() && !folder.ends_with(".md"))
                    .then(|| self.urls.get(format!("{folder}/{BUNDLE_ARTICLE}").as_str()))
                    .flatten()
            })
            .map(|url| format!("{}{url}", self.base_path))
    }
}

/// What identifies a version of a file without reading it: its size, modification and change
/// times and inode (what git looks at too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, in nanoseconds since 1970.
    pub modified_ns: u64,
    /// Change time of the inode, in nanoseconds since 1970: a write whose modification time was
    /// put back afterwards (`cp -p`, `rsync -t`, `touch -r`) still changes it.
    pub changed_ns: u64,
    /// The file's inode where there are inodes: a file replaced by another (an editor's save, a
    /// folder made again) has a new one.
    pub inode: u64,
}

impl FileStamp {
    /// The stamp of the file at `path`, if it can be read.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let metadata = std::fs::metadata(path).ok()?;
        let modified_ns = nanos_since_epoch(metadata.modified().ok()?);
        #[cfg(unix)]
        let (inode, changed_ns) = {
            use std::os::unix::fs::MetadataExt;
            let seconds = u64::try_from(metadata.ctime()).unwrap_or(0);
            let nanos = u64::try_from(metadata.ctime_nsec()).unwrap_or(0);
            (
                metadata.ino(),
                seconds.saturating_mul(1_000_000_000).saturating_add(nanos),
            )
        };
        #[cfg(not(unix))]
        let (inode, changed_ns) = (0, modified_ns);
        Some(FileStamp {
            len: metadata.len(),
            modified_ns,
            changed_ns,
            inode,
        })
    }

    /// The later of the modification and change times: when the file last changed for sure.
    pub fn last_change_ns(&self) -> u64 {
        self.modified_ns.max(self.changed_ns)
    }
}

/// Nanoseconds from 1970 to `time` (0 before).
pub fn nanos_since_epoch(time: std::time::SystemTime) -> u64 {
    time.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// A finished article: front matter, URL and rendered body.
#[derive(Debug, Clone)]
pub struct Article {
    /// What the front matter says.
    pub meta: ArticleMeta,
    /// Its URL below the site's base path.
    pub url: String,
    /// What listings need of the body: summary, word count, digest.
    pub body: ArticleBody,
    /// The file's stamp when it was read, for the build cache.
    pub stamp: Option<FileStamp>,
    /// What is kept of its body from reading (see [`KeptBody`]); [`Article::markdown`] gives
    /// its Markdown either way.
    pub kept: Option<Arc<KeptBody>>,
    /// Its earlier URLs from the URL ledger (see [`crate::ledger`]), redirecting to it like its
    /// `aliases`.
    pub moved_from: Vec<String>,
}

impl Article {
    /// Its Markdown: the one kept from reading, or its file read again.
    pub fn markdown(&self) -> Result<Cow<'_, Markdown>, Diagnostic> {
        markdown(&self.meta.source, self.kept.as_deref())
    }

    /// Every URL that redirects to the article: its `aliases`, then its earlier URLs.
    pub fn redirects(&self) -> impl Iterator<Item = &String> {
        self.meta.aliases.iter().chain(&self.moved_from)
    }
}

/// Serializes a JSON value as its text (nothing for null), for formats that do not describe
/// themselves.
pub mod json_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    /// Writes `value` as JSON text.
    pub fn serialize<S: Serializer>(value: &Value, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Value::Null => s.serialize_str(""),
            other => s.serialize_str(&other.to_string()),
        }
    }

    /// Reads JSON text.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let text = <&str>::deserialize(d)?;
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(text).map_err(serde::de::Error::custom)
    }
}
