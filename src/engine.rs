//! The incremental engine that `annals build` and `annals serve` share.
//!
//! - [`ArticleSet::apply`] brings the articles and their indexes up to date after article files
//!   changed: the new readings get their URLs (two articles on one URL are an error), their `@/`
//!   links are resolved (and so are those of articles linking to one that moved), and the
//!   indexes follow. A full load is the same applied to an empty set. Nothing changes when an
//!   error is found.
//! - [`dirty`] compares the fingerprint of every page with the previous one: a page is written
//!   when its fingerprint is new or changed, kept otherwise.
//! - [`write_pages`] renders those pages into a [`Sink`]: the staging folder of a build, or the
//!   served folder of `serve`. Files of the previous site that the new one lacks are removed by
//!   the sink when it finishes, from its record of the files it wrote.

use std::cell::Cell;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use thiserror::Error;

use crate::config::SiteConfig;
use crate::content::{self, Article, ArticleLinks};
use crate::diagnostics::{self, Diagnostic, Panic};
use crate::index::{SiteIndex, sort_articles};
use crate::markdown::ArticleBody;
use crate::output::OutputError;
use crate::progress::Progress;
use crate::render::Page;
use crate::search::SearchError;

/// Why a build failed.
#[derive(Debug, Error)]
pub enum BuildError {
    /// Problems in the site's files; all of them, each naming its file.
    #[error("{} in the site", diagnostics::counted(.0.len(), "error"))]
    Input(Vec<Diagnostic>),
    /// The site could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The search index could not be built.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// Warnings, with `--strict`.
    #[error("{} and --strict", diagnostics::counted(.0.len(), "warning"))]
    Strict(Vec<Diagnostic>),
    /// A bug of Annals, met outside the work on any one file.
    #[error(transparent)]
    Internal(#[from] Panic),
}

impl From<Vec<Diagnostic>> for BuildError {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        BuildError::Input(diagnostics)
    }
}

/// Merges failures: every input problem (once each), or else the first other error.
pub fn first_error(failures: Vec<BuildError>) -> Option<BuildError> {
    let mut problems = Vec::new();
    let mut other = None;
    for failure in failures {
        match failure {
            BuildError::Input(d) => problems.extend(d),
            failure => {
                other.get_or_insert(failure);
            }
        }
    }
    if problems.is_empty() {
        other
    } else {
        Some(BuildError::Input(diagnostics::sorted_unique(problems)))
    }
}

/// An article file that changed: read again (its URL still empty), or gone from the site (its
/// file deleted, or no longer published).
#[derive(Debug)]
pub struct Change {
    /// Its path below `content/`.
    pub rel: String,
    /// The new reading, if it is on the site.
    pub article: Option<Article>,
}

/// Reads the article at a path below `content/` again: `None` when it is not on the site.
pub type Reread<'a> = dyn Fn(&str) -> Result<Option<Article>, Vec<Diagnostic>> + Sync + 'a;

/// How [`ArticleSet::apply`] changed the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The changed articles kept their place in time and their terms, so the order and the
    /// indexes stayed: the new readings took the old ones' places.
    InPlace {
        /// Their positions.
        places: Vec<usize>,
        /// Whether every page of the site is still there (no URL or alias changed).
        same_pages: bool,
    },
    /// Articles came, went or moved: the set was sorted and indexed again.
    Reindexed,
}

/// The published articles of a site, newest first, with their indexes.
#[derive(Debug, Default)]
pub struct ArticleSet {
    articles: Vec<Article>,
    index: SiteIndex,
}

impl ArticleSet {
    /// The articles, newest first.
    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    /// Their indexes.
    pub fn index(&self) -> &SiteIndex {
        &self.index
    }

    /// Applies changes to article files; `reread` reads again the articles whose `@/` links lead
    /// to one whose URL changed. On error nothing changes.
    pub fn apply(
        &mut self,
        config: &SiteConfig,
        mut changes: Vec<Change>,
        reread: &Reread,
    ) -> Result<Applied, Vec<Diagnostic>> {
        if !self.articles.is_empty() {
            let dependents = self.dependents(config, &changes);
            let mut errors = Vec::new();
            for rel in dependents {
                match reread(&rel) {
                    Ok(article) => changes.push(Change { rel, article }),
                    Err(e) => errors.extend(e),
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
        }
        // Articles are moved once, out of the changes (a move of every article of a large
        // archive is felt).
        let mut rels = Vec::with_capacity(changes.len());
        let mut fresh: Vec<Article> = Vec::with_capacity(changes.len());
        for change in changes {
            rels.push(change.rel);
            fresh.extend(change.article);
        }
        // A full load has no unchanged articles to tell apart.
        let changed: HashSet<&str> = if self.articles.is_empty() {
            HashSet::new()
        } else {
            rels.iter().map(String::as_str).collect()
        };
        let unchanged = || {
            self.articles
                .iter()
                .filter(|a| !changed.contains(a.meta.rel_path.as_str()))
        };

        // URLs: unique among the unchanged articles and the new readings; a later reading with
        // the URL of an earlier one is the error.
        let urls: Vec<String> = fresh
            .par_iter()
            .map(|a| content::article_url(config, &a.meta))
            .collect();
        let mut by_url: HashMap<&str, &Path> = unchanged()
            .map(|a| (a.url.as_str(), a.meta.source.as_path()))
            .collect();
        let mut errors = Vec::new();
        for (article, url) in fresh.iter().zip(&urls) {
            match by_url.entry(url) {
                Entry::Occupied(other) => {
                    errors.push(Diagnostic::new(
                        &article.meta.source,
                        format!(
                            "this article and {} both have the URL {url}; give one of them another `slug`",
                            other.get().display()
                        ),
                    ));
                }
                Entry::Vacant(place) => {
                    place.insert(&article.meta.source);
                }
            }
        }
        drop(by_url);
        if !errors.is_empty() {
            return Err(errors);
        }
        for (article, url) in fresh.iter_mut().zip(urls) {
            article.url = url;
        }

        // Links: resolved against every article's URL. The bodies are resolved apart from the
        // articles, whose paths and URLs they look up.
        let mut bodies: Vec<ArticleBody> = fresh
            .iter_mut()
            .map(|a| std::mem::take(&mut a.body))
            .collect();
        let mut links = ArticleLinks::new(
            config,
            unchanged().map(|a| (a.meta.rel_path.as_str(), a.url.as_str())),
        );
        for article in &fresh {
            links.insert(&article.meta.rel_path, &article.url);
        }
        let errors: Vec<Diagnostic> = bodies
            .par_iter_mut()
            .zip(&fresh)
            .flat_map_iter(|(body, a)| {
                let here = format!("{}{}", config.base_path(), a.url);
                body.resolve(&a.meta.source, &|rel| links.url(rel), &here)
                    .err()
                    .unwrap_or_default()
            })
            .collect();
        drop(links);
        if !errors.is_empty() {
            return Err(errors);
        }
        for (article, body) in fresh.iter_mut().zip(bodies) {
            article.body = body;
        }

        // From here on the set changes.
        if let Some(applied) = self.replace_in_place(&mut fresh, rels.len()) {
            return Ok(applied);
        }
        self.articles
            .retain(|a| !changed.contains(a.meta.rel_path.as_str()));
        if self.articles.is_empty() {
            self.articles = fresh;
        } else {
            self.articles.append(&mut fresh);
        }
        sort_articles(&mut self.articles);
        self.index = SiteIndex::build(config, &self.articles);
        Ok(Applied::Reindexed)
    }

    /// Sets the earlier URLs of articles (by position) that the URL ledger redirects from; the
    /// others have none.
    pub fn set_redirects(&mut self, redirects: Vec<(usize, Vec<String>)>) {
        for article in &mut self.articles {
            article.moved_from.clear();
        }
        for (i, urls) in redirects {
            if let Some(article) = self.articles.get_mut(i) {
                article.moved_from = urls;
            }
        }
    }

    /// The unchanged articles whose `@/` links lead to a changed one whose URL moved or that is
    /// gone: their links must be resolved again.
    fn dependents(&self, config: &SiteConfig, changes: &[Change]) -> Vec<String> {
        let old_urls: HashMap<&str, &str> = self
            .articles
            .iter()
            .map(|a| (a.meta.rel_path.as_str(), a.url.as_str()))
            .collect();
        let moved: HashSet<&str> = changes
            .iter()
            .filter(|c| {
                let new_url = c
                    .article
                    .as_ref()
                    .map(|a| content::article_url(config, &a.meta));
                old_urls.get(c.rel.as_str()).copied() != new_url.as_deref()
            })
            .map(|c| c.rel.as_str())
            .collect();
        if moved.is_empty() {
            return Vec::new();
        }
        let changed: HashSet<&str> = changes.iter().map(|c| c.rel.as_str()).collect();
        self.articles
            .iter()
            .filter(|a| !changed.contains(a.meta.rel_path.as_str()))
            .filter(|a| a.body.links_to().any(|t| moved.contains(t.as_str())))
            .map(|a| a.meta.rel_path.clone())
            .collect()
    }

    /// The common edit, of an article's text or title, changes neither its place in time nor its
    /// terms: then the articles keep their order and the indexes stay as they are, and the new
    /// readings take the old ones' places. Returns `None` (changing nothing) otherwise.
    fn replace_in_place(&mut self, fresh: &mut Vec<Article>, changed: usize) -> Option<Applied> {
        if fresh.len() != changed || self.articles.is_empty() {
            return None; // an article was added, removed or left the site
        }
        let positions: HashMap<&str, usize> = self
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.meta.rel_path.as_str(), i))
            .collect();
        let mut places = Vec::with_capacity(fresh.len());
        let mut same_pages = true;
        for article in fresh.iter() {
            let i = *positions.get(article.meta.rel_path.as_str())?;
            let old = &self.articles[i];
            if old.meta.date != article.meta.date || old.meta.terms != article.meta.terms {
                return None;
            }
            same_pages &= old.url == article.url && old.meta.aliases == article.meta.aliases;
            places.push(i);
        }
        for (article, &i) in fresh.drain(..).zip(&places) {
            self.articles[i] = article;
        }
        Some(Applied::InPlace { places, same_pages })
    }
}

/// Whether the file `rel` with `fingerprint` needs writing: it has no fingerprint (it is written
/// by every build), or `previous` has another one for it, or none.
pub fn stale(previous: Option<&HashMap<String, u64>>, rel: &str, fingerprint: Option<u64>) -> bool {
    fingerprint.is_none_or(|f| previous.is_none_or(|p| p.get(rel) != Some(&f)))
}

/// The pages to render, with their files: those whose file is [`stale`].
pub fn dirty<'p>(
    pages: &'p [(Page, String)],
    fingerprints: &HashMap<String, u64>,
    previous: Option<&HashMap<String, u64>>,
) -> Vec<&'p (Page, String)> {
    pages
        .par_iter()
        .filter(|(_, file)| stale(previous, file, fingerprints.get(file).copied()))
        .collect()
}

/// Where rendered files go: the staging folder of a build, or the served folder of `serve`.
pub trait Sink: Sync {
    /// Writes the file at `rel` (with `/` separators) below the output folder.
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError>;
}

thread_local! {
    /// Each thread's page buffer, reused from page to page: a page is made in memory that has
    /// already grown to page size, not in a buffer doubled (and copied) as it grows.
    static PAGE_BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// A page buffer larger than this is let go after its page rather than kept for the next.
const KEPT_BUFFER: usize = 8 << 20;

/// Renders `pages` in parallel with `render` (which writes a page at the end of the buffer it
/// is given) and writes them into `sink` at their files. Every input error is reported;
/// otherwise the first output error.
pub fn write_pages(
    pages: &[&(Page, String)],
    render: impl Fn(Page, &mut Vec<u8>) -> Result<(), Diagnostic> + Sync,
    sink: &dyn Sink,
    progress: &dyn Progress,
) -> Result<(), BuildError> {
    let failures: Vec<BuildError> = pages
        .par_iter()
        .filter_map(|&&(page, ref file)| {
            // Taken, not borrowed: a render that waits on other parallel work may run another
            // page on this thread meanwhile, which then starts from an empty buffer.
            let mut buffer = PAGE_BUFFER.take();
            buffer.clear();
            let result = render(page, &mut buffer)
                .map_err(|d| BuildError::Input(vec![d]))
                .and_then(|()| Ok(sink.write(file, &buffer)?));
            if buffer.capacity() <= KEPT_BUFFER {
                PAGE_BUFFER.set(buffer);
            }
            progress.advance(1);
            result.err()
        })
        .collect();
    first_error(failures).map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{HomePage, NotFoundPage};

    #[test]
    fn pages_are_written_when_their_fingerprint_is_new_or_changed() {
        let home = Page::Home(HomePage(1));
        let second = Page::Home(HomePage(2));
        let missing = Page::NotFound(NotFoundPage);
        let pages = vec![
            (home, "index.html".to_owned()),
            (second, "page/2/index.html".to_owned()),
            (missing, "404.html".to_owned()),
        ];
        let fresh = HashMap::from([
            ("index.html".to_owned(), 1),
            ("page/2/index.html".to_owned(), 2),
        ]);
        // No previous build: everything.
        assert_eq!(dirty(&pages, &fresh, None).len(), 3);
        // The home page kept its fingerprint; page 2 changed; the 404 page has none.
        let previous = HashMap::from([
            ("index.html".to_owned(), 1),
            ("page/2/index.html".to_owned(), 9),
            ("404.html".to_owned(), 3),
        ]);
        let written: Vec<Page> = dirty(&pages, &fresh, Some(&previous))
            .into_iter()
            .map(|&(page, _)| page)
            .collect();
        assert_eq!(written, [second, missing]);
        assert!(!stale(Some(&previous), "index.html", Some(1)));
        assert!(stale(Some(&previous), "new.html", Some(1)));
    }
}
