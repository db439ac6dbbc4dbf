//! A built site kept in memory and brought up to date after edits, for `annals serve`.
//!
//! A change to articles goes through the same engine as a build ([`crate::engine`]): the changed
//! files are read again and applied to the loaded site, and the pages whose fingerprint changed
//! are rendered into the served folder. A change to `site.toml`, a template or a static file
//! rebuilds everything. The search index, when what it is built from changed, is built again off
//! the live-edit path: [`LiveSite::search_job`] hands it to another thread, and
//! [`LiveSite::apply_search`] puts the result in place.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::content;
use crate::diagnostics::slash_path;
use crate::engine::Sink;
use crate::engine::{self, Applied};
use crate::output::{Folder, OutputDir};
use crate::progress::Silent;
use crate::render::{ArticleHashes, Page};
use crate::search;
use crate::site::{BuildError, BuildOptions, BuildReport, Site};

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
        /// Articles whose URL changed, as (old link, new link): an open page of one follows it.
        moved: Vec<(String, String)>,
    },
}

/// A site built into a folder, with what each page was made from.
pub struct LiveSite {
    options: BuildOptions,
    /// The served folder.
    folder: Folder,
    /// The last good site.
    site: Site,
    /// Every page with its output file, as last built.
    pages: Vec<(Page, String)>,
    /// What every article's card and page show, as last built.
    hashes: ArticleHashes,
    /// Output file → fingerprint of its inputs, for every page that has one.
    fingerprints: HashMap<String, u64>,
    /// The static files of the last full build.
    statics: HashSet<String>,
    /// The files of the search index, with their fingerprints.
    search_files: HashMap<String, u64>,
    /// A failed update may leave the folder half updated: the next update rebuilds everything.
    stale: bool,
}

impl LiveSite {
    /// Builds the whole site into `options.output_dir()`; with `search_later`, without the
    /// search index, which [`LiveSite::search_job`] then builds.
    pub fn build(
        options: &BuildOptions,
        search_later: bool,
    ) -> Result<(LiveSite, BuildReport), BuildError> {
        let site = Site::load(options)?;
        let output = options.output_dir();
        let output_dir = OutputDir::open(&output, options.force)?;
        let (report, files) = site.write(&output_dir, options.progress(), None, search_later)?;
        drop(output_dir);
        let renderer = site.renderer();
        let pages = site.pages(&renderer)?;
        let hashes = renderer.article_hashes();
        let fingerprints = renderer.fingerprints(&pages, &hashes);
        drop(renderer);
        let page_files: HashSet<&String> = pages.iter().map(|(_, file)| file).collect();
        let statics = files
            .keys()
            .filter(|file| !page_files.contains(file) && !search::is_bundle_file(file))
            .cloned()
            .collect();
        let search_files = files
            .iter()
            .filter(|(file, _)| search::is_bundle_file(file))
            .map(|(file, &fingerprint)| (file.clone(), fingerprint))
            .collect();
        let mut recorded: HashSet<String> = files.into_keys().collect();
        recorded.extend(pages.iter().map(|(_, file)| file.clone()));
        Ok((
            LiveSite {
                options: options.clone(),
                folder: Folder::new(&output, recorded),
                site,
                pages,
                hashes,
                fingerprints,
                statics,
                search_files,
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
    /// folder) changed. On error the site keeps its last good state.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Update, BuildError> {
        let content_dir = self.site.root.join("content");
        let canonical_content = content_dir.canonicalize().unwrap_or(content_dir.clone());
        let mut articles = Vec::new();
        for path in changed {
            let base = [&canonical_content, &content_dir]
                .into_iter()
                .find(|base| path.starts_with(base));
            // Articles outside page bundles are updated one by one; a change to a bundle (its
            // article or its files) may change what is an article, and rebuilds.
            let rel = base
                .filter(|_| path.file_name().is_some_and(content::is_article_name))
                .filter(|base| !content::in_bundle(base, path))
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
                moved: Vec::new(),
            });
        }
        let before = self.links_of(&articles);
        let applied = self.site.update(&articles, self.options.publish())?;
        // From here a failure leaves the folder behind the site.
        self.stale = true;
        let mut update = self.write_changed_pages(&applied)?;
        self.stale = false;
        if let Update::Pages { moved, .. } = &mut update {
            let after = self.links_of(&articles);
            *moved = before
                .into_iter()
                .filter_map(|(rel, old)| Some((old, after.get(&rel)?.clone())))
                .filter(|(old, new)| old != new)
                .collect();
        }
        Ok(update)
    }

    /// The links (below the served root) of the articles at `rels` that are published.
    fn links_of(&self, rels: &[String]) -> HashMap<String, String> {
        let base = self.site.config.base_path();
        self.site
            .articles()
            .iter()
            .filter(|a| rels.contains(&a.meta.rel_path))
            .map(|a| (a.meta.rel_path.clone(), format!("{base}{}", a.url)))
            .collect()
    }

    /// Builds everything again (after a change to settings, templates or static files), the
    /// search index on another thread.
    fn rebuild(&mut self) -> Result<Update, BuildError> {
        let (fresh, report) = LiveSite::build(&self.options, true)?;
        *self = fresh;
        Ok(Update::Full(report.pages))
    }

    /// Renders and writes the pages whose fingerprint changed, and removes pages that are gone.
    /// After articles changed in place, only their hashes are computed again, and the list of
    /// pages is kept if it still holds.
    fn write_changed_pages(&mut self, applied: &Applied) -> Result<Update, BuildError> {
        let renderer = self.site.renderer();
        let pages = match applied {
            Applied::InPlace {
                same_pages: true, ..
            } => std::mem::take(&mut self.pages),
            Applied::InPlace { .. } | Applied::Reindexed => self.site.pages(&renderer)?,
        };
        match applied {
            Applied::InPlace { places, .. } => renderer.rehash_articles(&mut self.hashes, places),
            Applied::Reindexed => self.hashes = renderer.article_hashes(),
        }
        let fresh = renderer.fingerprints(&pages, &self.hashes);
        let dirty = engine::dirty(&pages, &fresh, Some(&self.fingerprints));
        engine::write_pages(
            &dirty,
            |page, out| self.site.render(&renderer, page, out),
            &self.folder,
            &Silent,
        )?;
        let written = dirty.len();
        // The set of files changes only when pages come or go.
        let same_pages = matches!(
            applied,
            Applied::InPlace {
                same_pages: true,
                ..
            }
        );
        drop(renderer);
        self.pages = pages;
        self.fingerprints = fresh;
        let removed = if same_pages { 0 } else { self.finish_folder()? };
        Ok(Update::Pages {
            written,
            removed,
            moved: Vec::new(),
        })
    }

    /// Removes from the folder the files the site no longer has; returns how many.
    fn finish_folder(&mut self) -> Result<usize, BuildError> {
        let files: HashSet<&str> = self
            .pages
            .iter()
            .map(|(_, file)| file)
            .chain(&self.statics)
            .chain(self.search_files.keys())
            .map(String::as_str)
            .collect();
        Ok(self.folder.finish(&files)?)
    }

    /// The search index, when it changed since it was last built, to build on another thread
    /// and hand to [`LiveSite::apply_search`]; none when nothing changed.
    pub fn search_job(&self) -> Option<search::Job> {
        self.site.search_job(&self.search_files)
    }

    /// Puts the index a [`search::Job`] built into the served folder in place of the old one,
    /// if it is still current (an edit made while it was built leaves it to the next job).
    /// Returns how many of its files changed, or why it could not be built (the old index
    /// stays).
    pub fn apply_search(&mut self, (hash, built): search::Built) -> Result<usize, BuildError> {
        if self.site.search_hash() != Some(hash) {
            return Ok(0);
        }
        let mut changed = 0;
        let mut files = HashMap::new();
        for (path, fingerprint, bytes) in built? {
            let current = self.search_files.get(&path) == Some(&fingerprint);
            match bytes {
                Some(bytes) if !current => {
                    self.folder.write(&path, &bytes)?;
                    changed += 1;
                }
                None if !current => {
                    return Err(BuildError::Search(search::SearchError::new(format!(
                        "{path} was taken to be in place, and is not"
                    ))));
                }
                _ => {}
            }
            files.insert(path, fingerprint);
        }
        self.search_files = files;
        self.finish_folder()?;
        Ok(changed)
    }
}
