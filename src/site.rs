//! The whole build, stage after stage: config → articles → Markdown → indexes → pages → output.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, FixedOffset};

use rayon::prelude::*;
use thiserror::Error;

use crate::cache::{BuildCache, CACHE_DIR, CacheKey, CacheRecord, CachedArticle};
use crate::check;
use crate::config::SiteConfig;
use crate::content::{self, Article, ArticleLinks, ArticleMeta, FileStamp};
use crate::diagnostics::{self, Diagnostic, Panic, catch_panic};
use crate::hash::stable_hash;
use crate::index::{SiteIndex, sort_articles};
use crate::markdown::{self, ArticleBody, BodySource};
use crate::output::{OutputDir, OutputError, Staging, check_output_dir, static_files};
use crate::render::{Page, RenderedPage, Renderer};
use crate::search::{self, BundleFile, SearchError};
use crate::theme::{BUILTIN_STATIC, STYLESHEET, Theme};

/// Receives the progress of a build, to draw a progress bar.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// A stage with `total` steps begins ("Reading articles", "Writing pages").
    fn stage(&self, name: &'static str, total: usize);
    /// `steps` more steps of the current stage are done.
    fn advance(&self, steps: usize);
}

/// Progress that goes nowhere.
#[derive(Debug)]
struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &'static str, _: usize) {}
    fn advance(&self, _: usize) {}
}

/// Whether an article goes on the site.
#[derive(Debug)]
pub enum Published {
    /// Yes.
    Yes,
    /// No: a draft.
    No,
    /// Not yet: dated in the future; the warning says so.
    Scheduled(Diagnostic),
}

/// What a build or check is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root: the folder with `site.toml`, `content/`, and optionally `templates/` and
    /// `static/`.
    pub root: PathBuf,
    /// Where the site is written; `public/` under the root when not given.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` of `site.toml` (e.g. for a preview).
    pub base_url: Option<String>,
    /// Publishes articles marked `draft = true` too.
    pub drafts: bool,
    /// Publishes articles dated in the future too (otherwise they wait, scheduled).
    pub future: bool,
    /// Fails on warnings too.
    pub strict: bool,
    /// Told how the build advances, when given.
    pub progress: Option<Arc<dyn Progress>>,
    /// Uses and leaves a build cache in `.annals-cache/`, so that the next build reads and
    /// writes only what changed.
    pub cache: bool,
    /// Writes into an output folder that holds files Annals did not write (replacing those at
    /// the paths of the site's files; nothing else is removed).
    pub force: bool,
}

impl BuildOptions {
    /// Options for building the site at `root` with everything else at its default.
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: root.into(),
            output: None,
            base_url: None,
            drafts: false,
            future: false,
            strict: false,
            progress: None,
            cache: false,
            force: false,
        }
    }

    /// Whether an article is published now: not a draft and not scheduled, unless asked for.
    /// Returns a warning for a scheduled one.
    pub fn publishes(&self, meta: &ArticleMeta, now: DateTime<FixedOffset>) -> Published {
        if meta.draft && !self.drafts {
            Published::No
        } else if meta.date.instant > now && !self.future {
            Published::Scheduled(Diagnostic::new(
                &meta.source,
                format!(
                    "dated {}, in the future: scheduled, not published (--future publishes it)",
                    meta.date.machine()
                ),
            ))
        } else {
            Published::Yes
        }
    }

    /// Where progress goes: the given receiver, or nowhere.
    pub fn progress(&self) -> &dyn Progress {
        self.progress.as_deref().unwrap_or(&Silent)
    }

    /// The output folder: `--output`, else `public/` under the root.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

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

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Articles published.
    pub articles: usize,
    /// HTML pages written (articles, listings, archives, redirects).
    pub pages: usize,
    /// Static files copied.
    pub static_files: usize,
    /// Files of the search index.
    pub search_files: usize,
    /// Pages rendered and written: all of them, or with a build cache only those that changed.
    pub rendered: usize,
    /// Things worth a look that did not fail the build.
    pub warnings: Vec<Diagnostic>,
    /// Where the site was written.
    pub output: PathBuf,
}

/// What `annals check` found in a site without errors.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Articles read.
    pub articles: usize,
    /// Pages rendered.
    pub pages: usize,
    /// Things worth a look that do not fail a build, like two spellings of one country.
    pub warnings: Vec<Diagnostic>,
    /// Links that lead nowhere, and pages that fail to render.
    pub errors: Vec<Diagnostic>,
}

/// A loaded site: configuration, theme, articles (newest first) and their indexes.
pub struct Site {
    /// `site.toml`, with command-line overrides applied.
    pub config: SiteConfig,
    /// The templates.
    pub theme: Theme,
    /// Every published article, newest first.
    pub articles: Vec<Article>,
    /// The articles grouped by term and date.
    pub index: SiteIndex,
    /// The site root.
    pub root: PathBuf,
    /// Things worth a look that do not fail the build (unless `--strict`).
    pub warnings: Vec<Diagnostic>,
    /// A hash of the stylesheet, so that pages ask for a new one when it changes.
    css_version: String,
}

impl Site {
    /// Reads and checks everything: configuration, templates and every article. All problems are
    /// reported together.
    pub fn load(options: &BuildOptions) -> Result<Site, BuildError> {
        Ok(Site::load_cached(options, |_| None)?.0)
    }

    /// Like [`Site::load`], taking the articles whose files did not change from the cache that
    /// `cache` gives for the key of everything else the pages are made from. Returns the key and
    /// the rest of the cache too.
    fn load_cached(
        options: &BuildOptions,
        cache: impl FnOnce(u64) -> Option<BuildCache> + Send,
    ) -> Result<(Site, u64, Option<BuildCache>), BuildError> {
        let root = &options.root;
        let mut config = SiteConfig::load(root)?;
        if let Some(base_url) = &options.base_url {
            config = config.with_base_url(base_url, &root.join(crate::config::CONFIG_FILE))?;
        }
        let theme = Theme::load(&root.join("templates"));
        let css_version = stylesheet_version(root);
        let key = theme.as_ref().map_or(0, |theme| {
            let settings = std::fs::read(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
            CacheKey::default()
                .add(std::path::absolute(root).unwrap_or_default())
                .add(settings)
                .add((&options.base_url, options.drafts, options.future))
                .add((theme.fingerprint, &css_version))
                .finish()
        });
        let read = read_articles(root, &config, options, || cache(key));
        let (
            theme,
            ReadArticles {
                articles: read,
                mut warnings,
                cache,
            },
        ) = match (theme, read) {
            (Ok(theme), Ok(read)) => (theme, read),
            (theme, read) => {
                let mut errors = theme.err().unwrap_or_default();
                errors.extend(read.err().unwrap_or_default());
                return Err(BuildError::Input(errors));
            }
        };
        let mut articles = resolve_links(&config, read)?;
        sort_articles(&mut articles);
        let index = SiteIndex::build(&config, &articles);
        warnings.extend(check::suspicious_terms(&config, &articles, &index));
        if options.strict && !warnings.is_empty() {
            return Err(BuildError::Strict(warnings));
        }
        let site = Site {
            config,
            theme,
            articles,
            index,
            root: root.clone(),
            warnings,
            css_version,
        };
        Ok((site, key, cache))
    }

    /// The renderer of this site's pages.
    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(
            &self.config,
            &self.articles,
            &self.index,
            &self.theme,
            &self.css_version,
            chrono::Local::now().fixed_offset(),
        )
    }

    /// Every page with its output file, after checking that the files fit together: no two pages
    /// on one file, no article or alias on a static file or in the search index's folder, no file
    /// where another needs a folder, no name too long for a file system.
    pub fn pages(&self, renderer: &Renderer) -> Result<Vec<(Page, String)>, BuildError> {
        let pages = renderer.pages();
        let statics = self.static_paths()?;
        let mut files: HashMap<String, Page> = HashMap::with_capacity(pages.len());
        let mut errors = Vec::new();
        let bundle = format!("{}/", search::BUNDLE_DIR);
        for page in pages {
            let file = renderer.file_of(page);
            let url = renderer.url_of(page);
            let written_by_article = page.article().is_some();
            let problem = if let Some(&other) = files.get(&file) {
                // An article is the likelier culprit; the other page is named too.
                let (culprit, rival) = if page.article().is_none() {
                    (other, page)
                } else {
                    (page, other)
                };
                let (culprit, rival) = (
                    self.source_of(renderer, culprit),
                    self.source_of(renderer, rival),
                );
                let message = if culprit == rival {
                    format!(
                        "{url} is both this article's URL and one of its aliases, or two of its aliases"
                    )
                } else {
                    format!(
                        "two pages would be written to {url}, by this article and by {}; change a slug or alias",
                        rival.display()
                    )
                };
                errors.push(Diagnostic::new(culprit, message));
                continue;
            } else if written_by_article && statics.contains_key(&file) {
                Some(format!(
                    "{url} is a static file of the site or its theme; give the article another slug or alias"
                ))
            } else if written_by_article && file.starts_with(&bundle) {
                Some(format!(
                    "{url} is inside /{bundle}, the search index's folder; give the article another slug or alias"
                ))
            } else {
                file.split('/').find(|s| s.len() > MAX_FILE_NAME).map(|segment| {
                    format!(
                        "{url} has a part of {} bytes, longer than file systems allow ({MAX_FILE_NAME}); shorten the slug, term or alias",
                        segment.len()
                    )
                })
            };
            if let Some(problem) = problem {
                errors.push(Diagnostic::new(self.source_of(renderer, page), problem));
            }
            files.insert(file, page);
        }
        // A file where another file needs a folder of that name.
        let taken = |f: &str| files.contains_key(f) || statics.contains_key(f);
        let mut reported = HashSet::new();
        for file in files.keys().chain(statics.keys()) {
            for (at, _) in file.match_indices('/') {
                let folder = &file[..at];
                if !taken(folder) || !reported.insert(folder) {
                    continue;
                }
                let (Some(inner), Some(outer)) = (
                    self.owner(renderer, file, &files, &statics),
                    self.owner(renderer, folder, &files, &statics),
                ) else {
                    continue;
                };
                let article = [&inner, &outer].into_iter().find(|o| o.1).unwrap_or(&outer);
                errors.push(Diagnostic::new(
                    article.0.clone(),
                    format!(
                        "/{folder} would be a file, but /{file} needs a folder of that name; change a slug or alias, or the static file"
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(files.into_iter().map(|(file, page)| (page, file)).collect())
        } else {
            Err(BuildError::Input(dedup(errors)))
        }
    }

    /// Who writes the output file `file`, if anyone: the file to name in an error, and whether
    /// it is an article (an article is the likelier culprit of a clash).
    fn owner(
        &self,
        renderer: &Renderer,
        file: &str,
        files: &HashMap<String, Page>,
        statics: &HashMap<String, PathBuf>,
    ) -> Option<(PathBuf, bool)> {
        if let Some(&page) = files.get(file) {
            let article = page.article().is_some();
            return Some((self.source_of(renderer, page), article));
        }
        statics.get(file).map(|source| (source.clone(), false))
    }

    /// Every static file of the site (below the output folder) with the file it is copied from.
    fn static_paths(&self) -> Result<HashMap<String, PathBuf>, BuildError> {
        let folder = self.root.join("static");
        let mut paths: HashMap<String, PathBuf> = static_files(&folder)?
            .into_iter()
            .map(|rel| {
                let source = folder.join(&rel);
                (rel, source)
            })
            .collect();
        for (rel, _) in BUILTIN_STATIC {
            paths
                .entry((*rel).to_owned())
                .or_insert_with(|| self.theme.static_file(rel));
        }
        Ok(paths)
    }

    /// Renders every page without writing anything, and checks that every internal link leads
    /// to a page or static file. Returns the counts, warnings about taxonomy terms, and every
    /// broken link and page that fails to render.
    pub fn check(&self) -> Result<CheckReport, BuildError> {
        let renderer = self.renderer();
        let pages = self.pages(&renderer)?;
        let mut files: HashSet<String> = pages.iter().map(|(_, file)| file.clone()).collect();
        files.extend(BUILTIN_STATIC.iter().map(|(path, _)| (*path).to_owned()));
        files.extend(static_files(&self.root.join("static"))?);
        let base_path = self.config.base_path();
        let bundle = format!("{}/", search::BUNDLE_DIR);
        let errors: Vec<Diagnostic> = pages
            .par_iter()
            .flat_map_iter(|&(page, _)| match self.render(&renderer, page) {
                Err(error) => vec![error],
                Ok(rendered) => check::broken_links(&rendered.body, base_path, &files, &bundle)
                    .into_iter()
                    .map(|link| {
                        Diagnostic::new(
                            self.source_of(&renderer, page),
                            format!(
                                "{} links to {link}, which is not a page or file of the site",
                                renderer.url_of(page)
                            ),
                        )
                    })
                    .collect(),
            })
            .collect();
        Ok(CheckReport {
            articles: self.articles.len(),
            pages: pages.len(),
            warnings: self.warnings.clone(),
            errors: dedup(errors),
        })
    }

    /// Renders one page; a bug of Annals met on the way is an error naming the page's source.
    pub fn render(&self, renderer: &Renderer, page: Page) -> Result<RenderedPage, Diagnostic> {
        catch_panic(|| renderer.render(page))
            .map_err(|panic| panic.at(self.source_of(renderer, page)))?
    }

    /// The file a page comes from, to name in errors: an article page's Markdown file, else its
    /// template (or `site.toml` for pages without one).
    fn source_of(&self, renderer: &Renderer, page: Page) -> PathBuf {
        match page.article() {
            Some(i) => self.articles[i].meta.source.clone(),
            None => renderer.template_of(page).map_or_else(
                || self.root.join(crate::config::CONFIG_FILE),
                |t| self.theme.template_file(t),
            ),
        }
    }

    /// Writes the site to `output`, changing what was there only if everything succeeded: files
    /// of the previous build that the site no longer has are removed, files Annals did not write
    /// stay. Returns every file of the site with a fingerprint of what made it.
    ///
    /// With the `previous` build's cache for the same output folder, only the files whose
    /// fingerprint changed (or that are missing) are rendered; otherwise every page is rendered,
    /// and written where its bytes changed.
    pub fn write(
        &self,
        output: &OutputDir,
        progress: &dyn Progress,
        previous: Option<&BuildCache>,
    ) -> Result<(BuildReport, HashMap<String, u64>), BuildError> {
        let renderer = self.renderer();
        let pages = self.pages(&renderer)?;
        let mut files = renderer.fingerprints(&pages, &renderer.article_hashes());
        let mut statics = self.static_files()?;
        let static_count = statics.len();
        // A page wins over a static file at the same path.
        statics.retain(|(rel, _, _)| !files.contains_key(rel));
        for (rel, fingerprint, _) in &statics {
            files.insert(rel.clone(), *fingerprint);
        }
        let search_hash = self
            .config
            .search
            .then(|| search::inputs_hash(&self.config, &self.articles, &self.index));
        let previous = previous.filter(|p| p.describes(output.path()));
        let known = |rel: &str, fingerprint: u64| {
            previous.is_some_and(|p| p.files.get(rel) == Some(&fingerprint))
        };
        // An unchanged search index stays, with the fingerprints of its files.
        let keep_search = previous.filter(|p| {
            let bundle: Vec<u64> = p
                .files
                .iter()
                .filter(|(rel, _)| is_bundle_file(rel))
                .map(|(_, &f)| f)
                .collect();
            search_hash.is_some_and(|h| !bundle.is_empty() && bundle.iter().all(|&f| f == h))
        });
        let search_again = search_hash.is_some() && keep_search.is_none();
        if let Some(p) = keep_search {
            files.extend(
                p.files
                    .iter()
                    .filter(|(rel, _)| is_bundle_file(rel))
                    .map(|(rel, &f)| (rel.clone(), f)),
            );
        }
        let staging = Staging::create(output)?;
        // A file is written when it is new or changed.
        let stale =
            |rel: &str, fingerprint: Option<u64>| !fingerprint.is_some_and(|f| known(rel, f));
        for (rel, fingerprint, source) in &statics {
            if !stale(rel, Some(*fingerprint)) {
                continue;
            }
            match source {
                StaticSource::File(path) => {
                    let bytes = std::fs::read(path).map_err(|source| OutputError::Io {
                        path: path.clone(),
                        source,
                    })?;
                    staging.write(rel, &bytes)?;
                }
                StaticSource::Builtin(bytes) => staging.write(rel, bytes)?,
            }
        }
        let dirty: Vec<Page> = pages
            .par_iter()
            .filter(|(_, file)| stale(file, files.get(file).copied()))
            .map(|&(page, _)| page)
            .collect();
        // The search index is built on one thread while the pages render on the others.
        progress.stage(
            "Writing pages and search index",
            dirty.len() + usize::from(search_again),
        );
        let (failures, bundle) = rayon::join(
            || {
                dirty
                    .par_iter()
                    .filter_map(|&page| {
                        let result = self
                            .render(&renderer, page)
                            .map_err(|d| BuildError::Input(vec![d]))
                            .and_then(|p| Ok(staging.write(&p.path, p.body.as_bytes())?));
                        progress.advance(1);
                        result.err()
                    })
                    .collect::<Vec<BuildError>>()
            },
            || {
                if !search_again {
                    return Ok(Vec::new());
                }
                let bundle =
                    catch_panic(|| self.search_bundle(&renderer)).unwrap_or_else(|panic| {
                        Err(BuildError::Search(SearchError::new(panic.to_string())))
                    });
                progress.advance(1);
                bundle
            },
        );
        if let Some(error) = first_error(failures) {
            return Err(error);
        }
        let bundle = bundle?;
        for (path, bytes) in &bundle {
            staging.write(path, bytes)?;
            files.insert(path.clone(), search_hash.unwrap_or_default());
        }
        staging.commit(&files.keys().cloned().collect())?;
        let report = BuildReport {
            articles: self.articles.len(),
            pages: pages.len(),
            static_files: static_count,
            search_files: files.keys().filter(|rel| is_bundle_file(rel)).count(),
            rendered: dirty.len(),
            warnings: self.warnings.clone(),
            output: output.path().to_path_buf(),
        };
        Ok((report, files))
    }

    /// The static files of the site, each with a fingerprint and where its bytes come from: the
    /// site's `static/` folder, then the built-in files it does not replace.
    fn static_files(&self) -> Result<Vec<(String, u64, StaticSource)>, BuildError> {
        let folder = self.root.join("static");
        let now = content::nanos_since_epoch(SystemTime::now());
        let mut statics: Vec<(String, u64, StaticSource)> = static_files(&folder)?
            .into_iter()
            .map(|rel| {
                let path = folder.join(&rel);
                let stamp = FileStamp::of(&path);
                // A file changed just now may change again without its stamp changing: then its
                // fingerprint matches nothing, and the next build copies it again.
                let unsettled = stamp.filter(|s| !crate::cache::settled(*s, now));
                let fingerprint = stable_hash((&rel, stamp, unsettled.map(|_| now)));
                (rel, fingerprint, StaticSource::File(path))
            })
            .collect();
        for (rel, bytes) in BUILTIN_STATIC {
            if !statics.iter().any(|(r, _, _)| r == rel) {
                let fingerprint = stable_hash((rel, bytes));
                statics.push(((*rel).to_owned(), fingerprint, StaticSource::Builtin(bytes)));
            }
        }
        Ok(statics)
    }

    /// The Pagefind search bundle, or nothing when `search` is off.
    fn search_bundle(&self, renderer: &Renderer) -> Result<Vec<BundleFile>, BuildError> {
        if !self.config.search {
            return Ok(Vec::new());
        }
        Ok(search::build_bundle(
            &self.config,
            &self.articles,
            &self.index,
            |url| renderer.link(url),
            |i| renderer.body_html(i),
        )?)
    }
}

/// The longest file or folder name file systems allow, in bytes.
const MAX_FILE_NAME: usize = 255;

/// Where a static file's bytes come from.
enum StaticSource {
    /// A file of the site's `static/` folder.
    File(PathBuf),
    /// A file of the built-in theme.
    Builtin(&'static [u8]),
}

fn is_bundle_file(rel: &str) -> bool {
    rel.strip_prefix(search::BUNDLE_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// A short hash of the stylesheet pages link to: the site's own, else the built-in one.
fn stylesheet_version(root: &Path) -> String {
    let bytes = std::fs::read(root.join("static").join(STYLESHEET)).unwrap_or_else(|_| {
        BUILTIN_STATIC
            .iter()
            .find(|(path, _)| *path == STYLESHEET)
            .map(|(_, bytes)| bytes.to_vec())
            .unwrap_or_default()
    });
    format!("{:08x}", stable_hash(bytes) as u32)
}

/// Merges failures: every input problem (once each), or else the first output error.
fn first_error(failures: Vec<BuildError>) -> Option<BuildError> {
    let mut diagnostics = Vec::new();
    let mut output = None;
    for failure in failures {
        match failure {
            BuildError::Input(d) => diagnostics.extend(d),
            other => {
                output.get_or_insert(other);
            }
        }
    }
    if diagnostics.is_empty() {
        output
    } else {
        Some(BuildError::Input(dedup(diagnostics)))
    }
}

fn dedup(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
    diagnostics.dedup();
    diagnostics
}

/// The published articles read, warnings about them, and what is left of the build cache.
struct ReadArticles {
    articles: Vec<Article>,
    warnings: Vec<Diagnostic>,
    cache: Option<BuildCache>,
}

/// Discovers and reads every article in parallel, taking from `cache` those whose files did
/// not change; drafts and scheduled articles are dropped unless asked for, the scheduled ones with
/// a warning. The articles' URLs are still empty.
fn read_articles(
    root: &Path,
    config: &SiteConfig,
    options: &BuildOptions,
    load_cache: impl FnOnce() -> Option<BuildCache> + Send,
) -> Result<ReadArticles, Vec<Diagnostic>> {
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        return Err(vec![Diagnostic::new(
            &content_dir,
            "there is no content/ folder: articles go there as Markdown files",
        )]);
    }
    // The files are listed while the cache loads. Stamps are taken before reading, so that a
    // file changed while it is read looks changed to the next build.
    let (listed, mut loaded) = rayon::join(
        || {
            let files = content::discover(&content_dir)?;
            let stamps: Vec<Option<FileStamp>> =
                files.par_iter().map(|f| FileStamp::of(f)).collect();
            Ok::<_, Vec<Diagnostic>>((files, stamps))
        },
        load_cache,
    );
    let (files, stamps) = listed?;
    let progress = options.progress();
    progress.stage("Reading articles", files.len());
    let mut cache = loaded.as_mut();
    let jobs: Vec<(&PathBuf, Option<FileStamp>, Option<CachedArticle>)> = files
        .iter()
        .zip(stamps)
        .map(|(file, stamp)| {
            let cached = cache.as_deref_mut().zip(stamp).and_then(|(cache, stamp)| {
                cache.article(&diagnostics::slash_path(file, &content_dir), stamp)
            });
            (file, stamp, cached)
        })
        .collect();
    let results: Vec<_> = jobs
        .into_par_iter()
        .map(|(file, stamp, cached)| {
            let read = match cached {
                Some(cached) => Ok(Article {
                    meta: ArticleMeta {
                        source: file.clone(),
                        ..cached.meta
                    },
                    url: String::new(),
                    body: cached.body,
                    stamp,
                }),
                None => read_article(file, &content_dir, config).map(|mut article| {
                    article.stamp = stamp;
                    article
                }),
            };
            progress.advance(1);
            read
        })
        .collect();
    let now = chrono::Local::now().fixed_offset();
    let mut articles = Vec::with_capacity(results.len());
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(article) => match options.publishes(&article.meta, now) {
                Published::Yes => {
                    warnings.extend(article.meta.diagnostics());
                    articles.push(article);
                }
                Published::No => {}
                Published::Scheduled(warning) => warnings.push(warning),
            },
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(ReadArticles {
            articles,
            warnings,
            cache: loaded,
        })
    } else {
        Err(errors)
    }
}

/// Reads one article file: its front matter, and what listings need of its body. Its URL is
/// still empty and its `@/` links unresolved.
pub(crate) fn read_article(
    file: &Path,
    content_dir: &Path,
    config: &SiteConfig,
) -> Result<Article, Vec<Diagnostic>> {
    catch_panic(|| {
        #[cfg(debug_assertions)]
        inject_panic(file);
        analyze_article(file, content_dir, config)
    })
    .unwrap_or_else(|panic| Err(vec![panic.at(file)]))
}

/// In debug builds (the tests'), reading an article whose file holds the text of the environment
/// variable `ANNALS_TEST_PANIC` panics: how tests reach the code that copes with a bug of Annals.
#[cfg(debug_assertions)]
fn inject_panic(file: &Path) {
    if let Some(marker) = std::env::var_os("ANNALS_TEST_PANIC").and_then(|m| m.into_string().ok())
        && std::fs::read_to_string(file).is_ok_and(|text| text.contains(&marker))
    {
        panic!("a panic injected by ANNALS_TEST_PANIC");
    }
}

fn analyze_article(
    file: &Path,
    content_dir: &Path,
    config: &SiteConfig,
) -> Result<Article, Vec<Diagnostic>> {
    let parsed = content::parse_file(file, content_dir, config)?;
    let source = BodySource {
        file: &parsed.meta.source,
        first_line: parsed.body_line,
        raw_html: config.raw_html,
    };
    let body = markdown::analyze(&parsed.body, source, parsed.meta.summary.as_deref());
    Ok(Article {
        meta: parsed.meta,
        url: String::new(),
        body,
        stamp: None,
    })
}

/// Gives every article its URL, then resolves the `@/` links between them.
fn resolve_links(
    config: &SiteConfig,
    mut articles: Vec<Article>,
) -> Result<Vec<Article>, Vec<Diagnostic>> {
    let urls = content::assign_urls(config, articles.iter().map(|a| &a.meta))?;
    for (article, url) in articles.iter_mut().zip(urls) {
        article.url = url;
    }
    // The bodies are resolved apart from the articles, whose paths and URLs they look up.
    let mut bodies: Vec<ArticleBody> = articles
        .iter_mut()
        .map(|a| std::mem::take(&mut a.body))
        .collect();
    let links = ArticleLinks::new(
        config,
        articles
            .iter()
            .map(|a| (a.meta.rel_path.as_str(), a.url.as_str())),
    );
    let errors: Vec<Diagnostic> = bodies
        .par_iter_mut()
        .zip(&articles)
        .flat_map_iter(|(body, a)| {
            body.resolve(&a.meta.source, &|rel| links.url(rel))
                .err()
                .unwrap_or_default()
        })
        .collect();
    drop(links);
    for (article, body) in articles.iter_mut().zip(bodies) {
        article.body = body;
    }
    if errors.is_empty() {
        Ok(articles)
    } else {
        Err(errors)
    }
}

/// Loads the site and writes it to the output folder.
///
/// With `options.cache`, the build cache of the last build to the same output folder (if any)
/// spares reading unchanged articles and writing unchanged files, and this build leaves its own.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = SystemTime::now();
    let output = check_output_dir(&options.root, &options.output_dir())?;
    let output_dir = OutputDir::open(&output, options.force)?;
    let (site, key, previous) = Site::load_cached(options, |key| {
        options
            .cache
            .then(|| BuildCache::load(&options.root, key, &output))
            .flatten()
    })?;
    // From the first change to the output on, the old cache no longer describes it: a build that
    // fails or is killed from here leaves no cache, and the next build starts afresh.
    BuildCache::forget(&options.root, &output);
    let (mut report, files) = site.write(&output_dir, options.progress(), previous.as_ref())?;
    // Freeing every article takes a while and nobody waits for it.
    std::thread::spawn(move || drop(previous));
    if options.cache {
        let record = CacheRecord {
            key,
            started,
            output: &output,
            output_stamp: FileStamp::of(&output),
            articles: &site.articles,
            files: &files,
        };
        if let Err(e) = record.save(&site.root) {
            report.warnings.push(Diagnostic::new(
                site.root.join(CACHE_DIR),
                format!("cannot save the build cache (the next build starts afresh): {e}"),
            ));
        }
    }
    std::thread::spawn(move || drop(site));
    Ok(report)
}

/// Loads the site and renders every page without writing; returns the number of pages.
pub fn check(options: &BuildOptions) -> Result<CheckReport, BuildError> {
    Site::load(options)?.check()
}
