//! The URL ledger: every URL each published article has had, kept in `permalinks.txt` in the
//! site root and committed with the site, so that a corrected headline, a fixed date or a moved
//! file never breaks a link: the article's earlier URLs redirect to its current one, on every
//! later build, on any machine.
//!
//! An article is known by its file below `content/`. A file that moved is recognised as the
//! same article when it keeps its URL or its text (then its line follows it). A line whose
//! article is gone stays, so that its URLs are reported as leading nowhere until the line is
//! removed; removing a URL from a line retires it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::content::Article;
use crate::diagnostics::Diagnostic;

/// The ledger's file in the site root.
pub const LEDGER_FILE: &str = "permalinks.txt";

const HEADER: &str = "\
# The URLs of every published article, written by `annals build`: commit this file.
# An article's earlier URLs redirect to its current one. To retire a URL, delete it here.
# content file <TAB> text digest <TAB> current URL <TAB> earlier URLs...
";

/// One article's line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    /// A digest of its text, to recognise the article when its file moved.
    digest: u64,
    /// Its URLs, the current one first.
    urls: Vec<String>,
}

/// The ledger: the URLs of every article by its file below `content/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    lines: BTreeMap<String, Line>,
}

/// An article whose URL changed since the ledger was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The article's file below `content/`.
    pub rel: String,
    /// Its URL in the ledger.
    pub from: String,
    /// Its URL now.
    pub to: String,
}

/// What the ledger says of the site's articles now.
#[derive(Debug, Default)]
pub struct Followed {
    /// The earlier URLs each article (by position) redirects from.
    pub redirects: Vec<(usize, Vec<String>)>,
    /// The articles whose URL changed.
    pub moved: Vec<Move>,
    /// Earlier URLs that now belong to another article, so they cannot redirect: (URL, the
    /// article that had it).
    pub taken: Vec<(String, String)>,
    /// Articles of the ledger that are gone, with their URLs (which lead nowhere now).
    pub gone: Vec<(String, Vec<String>)>,
    /// The ledger as it is after this build.
    pub next: Ledger,
}

impl Ledger {
    /// Reads the ledger of the site at `root`; an empty one if it has none.
    pub fn load(root: &Path) -> Result<Ledger, Diagnostic> {
        let path = root.join(LEDGER_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(e) => {
                return Err(Diagnostic::new(
                    &path,
                    format!("cannot read the URL ledger: {e}"),
                ));
            }
        };
        let mut lines = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(rel), Some(digest)) = (fields.next(), fields.next()) else {
                return Err(bad_line(&path, n));
            };
            let Ok(digest) = u64::from_str_radix(digest, 16) else {
                return Err(bad_line(&path, n));
            };
            let urls: Vec<String> = fields
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect();
            // Earlier URLs become redirect pages: each must be a path an alias could be.
            if rel.is_empty() || urls.iter().any(|u| crate::content::alias_path(u).is_err()) {
                return Err(bad_line(&path, n));
            }
            lines.insert(rel.to_owned(), Line { digest, urls });
        }
        Ok(Ledger { lines })
    }

    /// Writes the ledger into the site at `root`, replacing the old one at once.
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        let mut text = String::from(HEADER);
        for (rel, line) in &self.lines {
            let _ = write!(text, "{rel}\t{:016x}", line.digest);
            for url in &line.urls {
                text.push('\t');
                text.push_str(url);
            }
            text.push('\n');
        }
        crate::output::replace_file(&root.join(LEDGER_FILE), text.as_bytes())
    }

    /// Follows the site's `articles` (published, with their URLs) from this ledger: which moved,
    /// which earlier URLs redirect, which articles are gone, and the ledger after this build.
    pub fn follow(&self, articles: &[Article]) -> Followed {
        let current: HashSet<&str> = articles
            .iter()
            .map(|a| a.url.as_str())
            .chain(
                articles
                    .iter()
                    .flat_map(|a| a.meta.aliases.iter().map(String::as_str)),
            )
            .collect();
        // Each article's line: its own, else that of a file that is gone with its URL, else with
        // its text when only one gone file had that text. Lines are taken in file order, so the
        // same ledger and site always pair the same way.
        let present: HashSet<&str> = articles.iter().map(|a| a.meta.rel_path.as_str()).collect();
        let mut unclaimed: BTreeMap<&str, &Line> = self
            .lines
            .iter()
            .filter(|(rel, _)| !present.contains(rel.as_str()))
            .map(|(rel, line)| (rel.as_str(), line))
            .collect();
        let mut by_url: HashMap<&str, &str> = HashMap::new();
        let mut by_digest: HashMap<u64, Vec<&str>> = HashMap::new();
        for (rel, line) in &unclaimed {
            if let Some(url) = line.urls.first() {
                by_url.entry(url.as_str()).or_insert(rel);
            }
            by_digest.entry(line.digest).or_default().push(rel);
        }
        let mut followed = Followed::default();
        for (i, article) in articles.iter().enumerate() {
            let rel = article.meta.rel_path.as_str();
            let line = self.lines.get(rel).or_else(|| {
                let found =
                    by_url.get(article.url.as_str()).copied().or_else(|| {
                        match by_digest.get(&article.body.digest).map(Vec::as_slice) {
                            Some([only]) => Some(*only),
                            _ => None,
                        }
                    })?;
                unclaimed.remove(found)
            });
            let mut urls = vec![article.url.clone()];
            if let Some(line) = line {
                if let Some(from) = line.urls.first().filter(|u| **u != article.url) {
                    followed.moved.push(Move {
                        rel: rel.to_owned(),
                        from: from.clone(),
                        to: article.url.clone(),
                    });
                }
                let mut redirects = Vec::new();
                for url in line.urls.iter().filter(|u| **u != article.url) {
                    if current.contains(url.as_str()) {
                        followed.taken.push((url.clone(), rel.to_owned()));
                        continue;
                    }
                    redirects.push(url.clone());
                    urls.push(url.clone());
                }
                if !redirects.is_empty() {
                    followed.redirects.push((i, redirects));
                }
            }
            followed.next.lines.insert(
                rel.to_owned(),
                Line {
                    digest: article.body.digest,
                    urls,
                },
            );
        }
        for (rel, line) in unclaimed {
            followed.gone.push((rel.to_owned(), line.urls.clone()));
            followed.next.lines.insert(rel.to_owned(), line.clone());
        }
        followed.gone.sort();
        followed
    }
}

/// The error for a line that is not `file <TAB> digest <TAB> /url...`.
fn bad_line(path: &Path, n: usize) -> Diagnostic {
    Diagnostic::at(
        path,
        n + 1,
        None,
        "not a ledger line: write the content file, a tab, the digest, then each URL (starting with /) after a tab",
    )
}
