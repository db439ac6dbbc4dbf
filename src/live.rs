//! A built site kept in memory and brought up to date after edits, for `annals serve`.
//!
//! A change to articles re-reads only those files (and the articles that link to them when their
//! URL moved), rebuilds the indexes, and renders again only the pages whose fingerprint changed:
//! the article, its neighbours, the listings and feeds it appears in, and the sitemap. A change to
//! `site.toml`, a template or a static file rebuilds everything. The search index is rebuilt with
//! full builds only.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::{self, Article, ArticleLinks};
use crate::diagnostics::{Diagnostic, slash_path};
use crate::index::{SiteIndex, sort_articles};
use crate::output::{self, OutputDir};
use crate::render::{ArticleHashes, Page};
use crate::site::{BuildError, BuildOptions, BuildReport, Published, Site, read_article};

/// Articles that changed without moving: their places, and whether the pages stayed the same.
struct InPlace {
    places: Vec<usize>,
    same_pages: bool,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// Everything was rebuilt.
    Full(usize),
    /// Only these pages were rendered again and written, and these files removed.
    Pages {
        /// Pages written.
        written: usize,
        /// Files of pages that no longer exist, removed.
        removed: usize,
    },
}

/// A site built into a folder, with what each page was made from.
pub struct LiveSite {
    options: BuildOptions,
    output: PathBuf,
    site: Site,
    /// Every page with its output file, as last built.
    pages: Vec<(Page, String)>,
    /// What every article's card and page show, as last built.
    hashes: ArticleHashes,
    /// Output file → fingerprint of its inputs, for every page that has one.
    fingerprints: HashMap<String, u64>,
    /// Every file of the site in the output folder, as its record lists them.
    record: HashSet<String>,
    /// A failed update may leave the site half updated: the next update rebuilds everything.
    stale: bool,
}

impl LiveSite {
    /// Builds the whole site into `options.output_dir()`.
    pub fn build(options: &BuildOptions) -> Result<(LiveSite, BuildReport), BuildError> {
        let site = Site::load(options)?;
        let output = options.output_dir();
        let output_dir = OutputDir::open(&output, options.force)?;
        let (report, files) = site.write(&output_dir, options.progress(), None)?;
        drop(output_dir);
        let renderer = site.renderer();
        let pages = site.pages(&renderer)?;
        let hashes = renderer.article_hashes();
        let fingerprints = renderer.fingerprints(&pages, &hashes);
        drop(renderer);
        Ok((
            LiveSite {
                options: options.clone(),
                output,
                site,
                pages,
                hashes,
                fingerprints,
                record: files.into_keys().collect(),
                stale: false,
            },
            report,
        ))
    }

    /// The site as last built.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Brings the output up to date after `changed` files (absolute or relative to the current
    /// folder) changed. On error the output keeps its last good state.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Update, BuildError> {
        let content_dir = self.site.root.join("content");
        let canonical_content = content_dir.canonicalize().unwrap_or(content_dir.clone());
        let mut articles = Vec::new();
        for path in changed {
            let base = [&canonical_content, &content_dir]
                .into_iter()
                .find(|base| path.starts_with(base));
            let rel = base
                .filter(|_| path.file_name().is_some_and(content::is_article_name))
                .map(|base| slash_path(path, base));
            match rel {
                Some(rel) => articles.push(rel),
                // Something other than an article: settings, templates or static files.
                None if content::is_ignored(path) => {}
                None => return self.rebuild(),
            }
        }
        if self.stale {
            return self.rebuild();
        }
        if articles.is_empty() {
            return Ok(Update::Pages {
                written: 0,
                removed: 0,
            });
        }
        self.update_articles(articles)
    }

    fn rebuild(&mut self) -> Result<Update, BuildError> {
        let (fresh, report) = LiveSite::build(&self.options)?;
        *self = fresh;
        Ok(Update::Full(report.pages))
    }

    /// Re-reads the articles at these paths below `content/`, and re-renders what depends on them.
    fn update_articles(&mut self, mut changed: Vec<String>) -> Result<Update, BuildError> {
        let content_dir = self.site.root.join("content");
        let config = &self.site.config;
        let old_urls: HashMap<&str, &str> = self
            .site
            .articles
            .iter()
            .map(|a| (a.meta.rel_path.as_str(), a.url.as_str()))
            .collect();

        // Parse the changed files; a deleted file or an unpublished draft is a removal.
        let mut parsed = parse(&content_dir, &changed, &self.options, config)?;
        // Articles that link with `@/` to one whose URL moved or that disappeared.
        let moved: HashSet<&str> = changed
            .iter()
            .filter(|rel| {
                let new_url = parsed
                    .get(rel.as_str())
                    .and_then(|p| p.as_ref())
                    .map(|p| content::article_url(config, &p.meta));
                old_urls.get(rel.as_str()).copied() != new_url.as_deref()
            })
            .map(String::as_str)
            .collect();
        let dependents: Vec<String> = self
            .site
            .articles
            .iter()
            .filter(|a| !parsed.contains_key(&a.meta.rel_path))
            .filter(|a| a.body.links_to().any(|t| moved.contains(t)))
            .map(|a| a.meta.rel_path.clone())
            .collect();
        parsed.extend(parse(&content_dir, &dependents, &self.options, config)?);
        changed.extend(dependents);

        // URLs: unique among the unchanged articles and the new ones.
        let located: Vec<(&Article, String)> = parsed
            .values()
            .flatten()
            .map(|article| (article, content::article_url(config, &article.meta)))
            .collect();
        let unchanged = self
            .site
            .articles
            .iter()
            .filter(|a| !parsed.contains_key(&a.meta.rel_path));
        let mut urls: HashMap<&str, &Path> = unchanged
            .clone()
            .map(|a| (a.url.as_str(), a.meta.source.as_path()))
            .collect();
        let mut errors = Vec::new();
        for (article, url) in &located {
            if let Some(other) = urls.insert(url, &article.meta.source) {
                errors.push(Diagnostic::new(
                    &article.meta.source,
                    format!(
                        "this article and {} both have the URL {url}; give one of them another `slug`",
                        other.display()
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(BuildError::Input(errors));
        }

        // Resolve the new bodies' links against every article's current URL.
        let mut targets = ArticleLinks::new(
            config,
            unchanged.map(|a| (a.meta.rel_path.as_str(), a.url.as_str())),
        );
        for (article, url) in &located {
            targets.insert(&article.meta.rel_path, url);
        }
        let links = |rel: &str| targets.url(rel);
        let mut fresh: Vec<Article> = Vec::with_capacity(located.len());
        for (article, url) in &located {
            let mut article = (*article).clone();
            article.url = url.clone();
            match article.body.resolve(&article.meta.source, &links) {
                Ok(()) => fresh.push(article),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(BuildError::Input(errors));
        }

        // Swap the articles in; from here a failure leaves a stale site.
        self.stale = true;
        let in_place = self.replace_in_place(&mut fresh, changed.len());
        if in_place.is_none() {
            let replaced: HashSet<&str> = changed.iter().map(String::as_str).collect();
            self.site
                .articles
                .retain(|a| !replaced.contains(a.meta.rel_path.as_str()));
            self.site.articles.extend(fresh);
            sort_articles(&mut self.site.articles);
            self.site.index = SiteIndex::build(&self.site.config, &self.site.articles);
        }
        let update = self.write_changed_pages(in_place.as_ref())?;
        self.stale = false;
        Ok(update)
    }

    /// The common edit, of an article's text or title, changes neither its place in time nor its
    /// terms: then the articles keep their order and the indexes stay as they are, and the new
    /// versions simply take the old ones' places. Returns `None` (changing nothing) otherwise, or
    /// the places and whether the site still has the same pages (no URL or alias changed).
    fn replace_in_place(&mut self, fresh: &mut Vec<Article>, changed: usize) -> Option<InPlace> {
        if fresh.len() != changed {
            return None; // an article was added, removed or became a draft
        }
        let positions: HashMap<&str, usize> = self
            .site
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.meta.rel_path.as_str(), i))
            .collect();
        let mut places = Vec::with_capacity(fresh.len());
        let mut same_pages = true;
        for article in fresh.iter() {
            let i = *positions.get(article.meta.rel_path.as_str())?;
            let old = &self.site.articles[i];
            if old.meta.date != article.meta.date || old.meta.terms != article.meta.terms {
                return None;
            }
            same_pages &= old.url == article.url && old.meta.aliases == article.meta.aliases;
            places.push(i);
        }
        for (article, &i) in fresh.drain(..).zip(&places) {
            self.site.articles[i] = article;
        }
        Some(InPlace { places, same_pages })
    }

    /// Renders and writes the pages whose fingerprint changed, and removes pages that are gone.
    /// After articles changed `in_place`, only their hashes are computed again, and the list of
    /// pages is kept if it still holds.
    fn write_changed_pages(&mut self, in_place: Option<&InPlace>) -> Result<Update, BuildError> {
        let renderer = self.site.renderer();
        let pages = match in_place {
            Some(InPlace {
                same_pages: true, ..
            }) => std::mem::take(&mut self.pages),
            _ => self.site.pages(&renderer)?,
        };
        match in_place {
            Some(InPlace { places, .. }) => renderer.rehash_articles(&mut self.hashes, places),
            None => self.hashes = renderer.article_hashes(),
        }
        let fresh = renderer.fingerprints(&pages, &self.hashes);
        let dirty: Vec<(Page, &String)> = pages
            .iter()
            .filter(
                |(_, file)| match (fresh.get(file), self.fingerprints.get(file)) {
                    (Some(new), Some(old)) => new != old,
                    _ => true,
                },
            )
            .map(|(page, file)| (*page, file))
            .collect();
        let output = &self.output;
        let failures: Vec<BuildError> = dirty
            .par_iter()
            .filter_map(|&(page, _)| {
                let result = self
                    .site
                    .render(&renderer, page)
                    .map_err(|d| BuildError::Input(vec![d]))
                    .and_then(|p| write(output, &p.path, p.body.as_bytes()));
                result.err()
            })
            .collect();
        if let Some(error) = failures.into_iter().next() {
            return Err(error);
        }
        self.record
            .extend(dirty.iter().map(|(_, file)| (*file).clone()));
        let mut removed = 0;
        for file in self.fingerprints.keys().filter(|f| !fresh.contains_key(*f)) {
            self.record.remove(file);
            if std::fs::remove_file(output.join(file)).is_ok() {
                removed += 1;
            }
        }
        output::write_record(output, self.record.iter())?;
        let written = dirty.len();
        drop(dirty);
        drop(renderer);
        self.pages = pages;
        self.fingerprints = fresh;
        Ok(Update::Pages { written, removed })
    }
}

/// Reads and checks articles by content path; `None` for a file that is gone, an unpublished
/// draft or a scheduled article.
fn parse(
    content_dir: &Path,
    rels: &[String],
    options: &BuildOptions,
    config: &crate::config::SiteConfig,
) -> Result<HashMap<String, Option<Article>>, BuildError> {
    let now = chrono::Local::now().fixed_offset();
    let mut parsed = HashMap::new();
    let mut errors = Vec::new();
    for rel in rels {
        let path = content_dir.join(rel);
        if !path.is_file() {
            parsed.insert(rel.clone(), None);
            continue;
        }
        match read_article(&path, content_dir, config) {
            Ok(article) => {
                let published = options.publishes(&article.meta, now);
                parsed.insert(
                    rel.clone(),
                    matches!(published, Published::Yes).then_some(article),
                );
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(BuildError::Input(errors))
    }
}

fn write(output: &Path, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
    let path = output.join(rel);
    let io = |source| {
        BuildError::Output(crate::output::OutputError::Io {
            path: path.clone(),
            source,
        })
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, bytes).map_err(io)
}
