//! The whole build, stage after stage: config → articles → Markdown → indexes → pages → output.
//!
//! [`Site::load`] reads and checks everything; [`Site::write`] renders the pages whose
//! fingerprints changed into the output folder; [`build`] runs both with the build cache, and
//! [`check`] renders every page without writing and checks the links.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::cache::{self, BuildCache, CACHE_DIR, CacheRecord};
use crate::check;
use crate::config::SiteConfig;
use crate::content::{self, Article, FileStamp, Publish, ReadArticles, Resource};
use crate::diagnostics::{Diagnostic, catch_panic, sorted_unique};
use crate::engine::{self, Applied, ArticleSet, Change};
use crate::hash::stable_hash;
use crate::index::SiteIndex;
use crate::layout;
use crate::ledger::{self, Ledger};
use crate::output::{OutputDir, Staging, check_output_dir};
use crate::progress::{Progress, Silent};
use crate::render::{Page, Renderer};
use crate::routes::Links;
use crate::search::{self, SearchError};
use crate::statics;
use crate::theme::Theme;

pub use crate::engine::BuildError;

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
    /// Follows the URL ledger (`permalinks.txt`): earlier URLs of articles redirect to them,
    /// and a build records the URLs it publishes.
    pub ledger: bool,
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
            ledger: true,
        }
    }

    /// Which articles go on the site now.
    pub fn publish(&self) -> Publish {
        Publish {
            drafts: self.drafts,
            future: self.future,
            now: chrono::Local::now().fixed_offset(),
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

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Articles published.
    pub articles: usize,
    /// Files the pages make: HTML pages (articles, listings, archives, redirects), feeds,
    /// sitemaps and other generated files.
    pub pages: usize,
    /// Of those, HTML pages.
    pub html_pages: usize,
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
    /// Articles whose URL changed since the URL ledger was written: their old URLs redirect.
    pub moved: Vec<ledger::Move>,
}

/// What `annals check` found in a site that loads.
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

/// A loaded site: configuration, theme, and its articles with their indexes.
pub struct Site {
    /// `site.toml`, with command-line overrides applied.
    pub config: SiteConfig,
    /// The templates.
    pub theme: Theme,
    /// The site root.
    pub root: PathBuf,
    /// Things worth a look that do not fail the build (unless `--strict`).
    pub warnings: Vec<Diagnostic>,
    /// A hash of the stylesheet, so that pages ask for a new one when it changes.
    css_version: String,
    /// The published articles, newest first, and their indexes.
    articles: ArticleSet,
    /// The files of page bundles.
    resources: Vec<Resource>,
    /// The URL ledger as read (empty when the ledger is not followed).
    ledger_read: Ledger,
    /// What the URL ledger says of the articles, and the ledger after this build.
    ledger: ledger::Followed,
    /// Where the search index's batches are kept between builds (with the build cache).
    search_cache: Option<PathBuf>,
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
        let css_version = statics::stylesheet_version(root);
        let key = theme
            .as_ref()
            .map_or(0, |theme| cache::key(options, theme, &css_version));
        let read = content::read_all(
            &root.join("content"),
            &config,
            options.publish(),
            options.progress(),
            || cache(key),
        );
        let (theme, read) = match (theme, read) {
            (Ok(theme), Ok(read)) => (theme, read),
            (theme, read) => {
                let mut errors = theme.err().unwrap_or_default();
                errors.extend(read.err().unwrap_or_default());
                return Err(BuildError::Input(errors));
            }
        };
        let ReadArticles {
            articles,
            resources,
            mut warnings,
            readings,
        } = read;
        let mut site = Site {
            config,
            theme,
            root: root.clone(),
            warnings: Vec::new(),
            css_version,
            articles: ArticleSet::default(),
            resources,
            ledger_read: Ledger::default(),
            ledger: ledger::Followed::default(),
            search_cache: options
                .cache
                .then(|| root.join(CACHE_DIR).join(search::CACHE_DIR)),
        };
        let changes = articles
            .into_iter()
            .map(|article| Change {
                rel: article.meta.rel_path.clone(),
                article: Some(article),
            })
            .collect();
        // A full load is every article applied to an empty site.
        site.articles.apply(&site.config, changes, &|_| Ok(None))?;
        let read_ledger = if options.ledger {
            Ledger::load(root).map_err(|d| BuildError::Input(vec![d]))?
        } else {
            Ledger::default()
        };
        let mut followed = read_ledger.follow(site.articles());
        site.articles
            .set_redirects(std::mem::take(&mut followed.redirects));
        warnings.extend(ledger_warnings(root, &followed));
        site.ledger = followed;
        site.ledger_read = read_ledger;
        warnings.extend(check::suspicious_terms(
            &site.config,
            site.articles(),
            site.index(),
        ));
        if options.strict && !warnings.is_empty() {
            return Err(BuildError::Strict(warnings));
        }
        site.warnings = warnings;
        Ok((site, key, readings))
    }

    /// Every published article, newest first.
    pub fn articles(&self) -> &[Article] {
        self.articles.articles()
    }

    /// The articles grouped by term and date.
    pub fn index(&self) -> &SiteIndex {
        self.articles.index()
    }

    /// Reads the article files at `rels` (below `content/`) again and applies the changes (see
    /// [`ArticleSet::apply`]); on error nothing changes.
    pub fn update(&mut self, rels: &[String], publish: Publish) -> Result<Applied, BuildError> {
        let content_dir = self.root.join("content");
        let config = &self.config;
        let read = |rel: &str| publish.reread(&content_dir, rel, config);
        let mut rels = rels.to_vec();
        rels.sort_unstable();
        rels.dedup();
        let mut changes = Vec::with_capacity(rels.len());
        let mut errors = Vec::new();
        for rel in rels {
            match read(&rel) {
                Ok(article) => changes.push(Change { rel, article }),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(BuildError::Input(errors));
        }
        let applied = self.articles.apply(config, changes, &read)?;
        // The ledger as read at load: an article that moved since redirects from its old URL,
        // as the next build will make it.
        let mut followed = self.ledger_read.follow(self.articles());
        self.articles
            .set_redirects(std::mem::take(&mut followed.redirects));
        Ok(applied)
    }

    /// The static files of the site: its `static/` folder over the theme's, and the files of the
    /// page bundles of published articles.
    pub fn static_files(&self) -> Result<Vec<statics::StaticFile>, BuildError> {
        let mut files = statics::list(&self.root)?;
        files.extend(statics::bundle_files(&self.resources, self.articles()));
        Ok(files)
    }

    /// The renderer of this site's pages.
    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(
            &self.config,
            self.articles(),
            self.index(),
            &self.theme,
            &self.css_version,
            chrono::Local::now().fixed_offset(),
        )
    }

    /// Every page with its output file, checked to fit together (see [`layout::pages`]).
    pub fn pages(&self, renderer: &Renderer) -> Result<Vec<(Page, String)>, BuildError> {
        layout::pages(self, renderer)
    }

    /// Renders one page at the end of `out`; a bug of Annals met on the way is an error naming
    /// the page's source.
    pub fn render(
        &self,
        renderer: &Renderer,
        page: Page,
        out: &mut Vec<u8>,
    ) -> Result<(), Diagnostic> {
        catch_panic(|| renderer.render(page, out))
            .map_err(|panic| panic.at(self.source_of(renderer, page)))?
    }

    /// The file a page comes from, to name in errors: an article page's Markdown file, else its
    /// template (or `site.toml` for pages without one).
    pub(crate) fn source_of(&self, renderer: &Renderer, page: Page) -> PathBuf {
        match page.article() {
            Some(i) => self.articles()[i].meta.source.clone(),
            None => renderer.template_of(page).map_or_else(
                || self.root.join(crate::config::CONFIG_FILE),
                |t| self.theme.template_file(t),
            ),
        }
    }

    /// Renders every page without writing anything, and checks every link of every page the way
    /// a link checker does: relative links resolved against the page's URL, links that leave a
    /// sub-path site's base path, missing files, and fragments that name no element of their
    /// page. Returns the counts, warnings about taxonomy terms, and every broken link (at its
    /// line when it comes from an article's Markdown, else naming the template) and page that
    /// fails to render.
    pub fn check(&self) -> Result<CheckReport, BuildError> {
        let renderer = self.renderer();
        let pages = self.pages(&renderer)?;
        let mut files: HashSet<String> = pages.iter().map(|(_, file)| file.clone()).collect();
        files.extend(self.static_files()?.into_iter().map(|s| s.rel));
        let site = Links::new(&self.config.base_url);
        let bundle = format!("{}/", search::BUNDLE_DIR);
        // Every page is rendered once: its links are checked at once, but for fragments naming
        // elements of other pages, which wait until every page's ids are known.
        let checked: Vec<PageCheck> = pages
            .par_iter()
            .map(|(page, file)| {
                let url = renderer.link(&renderer.url_of(*page));
                let mut result = PageCheck {
                    file: file.clone(),
                    ids: HashSet::new(),
                    broken: Vec::new(),
                    waiting: Vec::new(),
                };
                let mut text = Vec::new();
                let html = match self.render(&renderer, *page, &mut text) {
                    Ok(()) => String::from_utf8_lossy(&text),
                    Err(error) => {
                        result.broken.push(Broken::Error(error));
                        return result;
                    }
                };
                if !file.ends_with(".html") {
                    return result;
                }
                let scan = crate::html::scan(&html);
                result.ids = scan.ids.iter().map(stable_hash).collect();
                for link in scan.links {
                    let problem = match check::resolve(&link, &url, &site) {
                        check::Target::Elsewhere => None,
                        check::Target::OutsideBase => Some(format!(
                            "{url} links to {link}, outside the site's base path {}/: write links to articles as @/ links (their paths in content/), and other links relative to the page or with the base path",
                            site.base_path()
                        )),
                        check::Target::File { file: target, .. } if target.starts_with(&bundle) => None,
                        check::Target::File { file: target, fragment } => {
                            match check::existing(&target, &files) {
                                None => Some(format!(
                                    "{url} links to {link}, which is not a page or file of the site"
                                )),
                                Some(found) => {
                                    if let Some(fragment) = fragment {
                                        result.waiting.push((link.clone(), found.into_owned(), fragment));
                                    }
                                    None
                                }
                            }
                        }
                    };
                    if let Some(message) = problem {
                        result.broken.push(Broken::Link { page: *page, link, message });
                    }
                }
                result
            })
            .collect();
        let ids: HashMap<&str, &HashSet<u64>> =
            checked.iter().map(|c| (c.file.as_str(), &c.ids)).collect();
        let page_of: HashMap<&str, Page> = pages.iter().map(|(p, f)| (f.as_str(), *p)).collect();
        let mut broken: Vec<Broken> = Vec::new();
        for check in &checked {
            for (link, target, fragment) in &check.waiting {
                let known = ids
                    .get(target.as_str())
                    .is_none_or(|ids| ids.contains(&stable_hash(fragment)));
                if !known && let Some(&page) = page_of.get(check.file.as_str()) {
                    let url = renderer.link(&renderer.url_of(page));
                    broken.push(Broken::Link {
                        page,
                        link: link.clone(),
                        message: format!(
                            "{url} links to {link}, but /{target} has no element with the id {fragment:?}"
                        ),
                    });
                }
            }
        }
        broken.extend(checked.into_iter().flat_map(|c| c.broken));
        let mut warnings = self.warnings.clone();
        warnings.extend(
            self.articles()
                .iter()
                .filter(|a| a.body.summary_text.trim() == crate::scaffold::PLACEHOLDER)
                .map(|a| {
                    Diagnostic::new(
                        &a.meta.source,
                        format!(
                            "still has the placeholder text of `annals new` ({:?}): write the article",
                            crate::scaffold::PLACEHOLDER
                        ),
                    )
                }),
        );
        Ok(CheckReport {
            articles: self.articles().len(),
            pages: pages.len(),
            warnings,
            errors: self.locate(&renderer, broken),
        })
    }

    /// Turns broken links into errors: at their line of an article's Markdown when they come from
    /// its body, else naming the template, once for all the pages a template link breaks on.
    fn locate(&self, renderer: &Renderer, broken: Vec<Broken>) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut lines: HashMap<usize, HashMap<String, usize>> = HashMap::new();
        let mut from_templates: HashMap<(PathBuf, String), (String, usize)> = HashMap::new();
        for item in broken {
            let (page, link, message) = match item {
                Broken::Error(error) => {
                    errors.push(error);
                    continue;
                }
                Broken::Link {
                    page,
                    link,
                    message,
                } => (page, link, message),
            };
            if let Some(i) = page.article() {
                // Keyed as written, percent-escapes decoded: the HTML escapes what Markdown did
                // not (`/café/` is `/caf%C3%A9/` in the page).
                let body = lines.entry(i).or_insert_with(|| {
                    self.link_lines(renderer, i)
                        .into_iter()
                        .map(|(link, line)| (decoded(&link), line))
                        .collect()
                });
                if let Some(&line) = body.get(&decoded(&link)) {
                    let file = &self.articles()[i].meta.source;
                    errors.push(Diagnostic::at(file, line, None, message));
                    continue;
                }
            }
            let template = renderer.template_of(page).map_or_else(
                || self.root.join(crate::config::CONFIG_FILE),
                |t| self.theme.template_file(t),
            );
            let seen = from_templates
                .entry((template, link))
                .or_insert((message, 0));
            seen.1 += 1;
        }
        for ((template, _), (message, pages)) in from_templates {
            let message = match pages {
                1 => message,
                n => format!(
                    "{message} (and on {})",
                    crate::diagnostics::counted(n - 1, "more page")
                ),
            };
            errors.push(Diagnostic::new(template, message));
        }
        sorted_unique(errors)
    }

    /// Where the links of article `i`'s body lead, with their lines.
    fn link_lines(&self, renderer: &Renderer, i: usize) -> crate::markdown::LinkLines {
        let a = &self.articles()[i];
        let Ok(body) = a.markdown() else {
            return Vec::new();
        };
        let source = crate::markdown::BodySource {
            file: &a.meta.source,
            first_line: body.first_line,
            raw_html: self.config.raw_html,
        };
        let links = content::ArticleLinks::new(
            &self.config,
            self.articles()
                .iter()
                .map(|a| (a.meta.rel_path.as_str(), a.url.as_str())),
        );
        crate::markdown::link_lines(
            &body.text,
            source,
            &|rel| links.url(rel),
            &renderer.link(&a.url),
        )
        .unwrap_or_default()
    }

    /// Writes the site to `output`, changing what was there only if everything succeeded: files
    /// of the previous build that the site no longer has are removed, files Annals did not write
    /// stay. Returns every file of the site with a fingerprint of what made it.
    ///
    /// With the `previous` build's cache for the same output folder, only the files whose
    /// fingerprint changed (or that are missing) are rendered; otherwise every page is rendered,
    /// and written where its bytes changed. With `search_later`, a search index that needs
    /// building is left to `serve`, which builds it on another thread (the old one stays until
    /// then).
    pub fn write(
        &self,
        output: &OutputDir,
        progress: &dyn Progress,
        previous: Option<&BuildCache>,
        search_later: bool,
    ) -> Result<(BuildReport, HashMap<String, u64>), BuildError> {
        let renderer = self.renderer();
        // Checked first: a site whose pages do not fit together fails without waiting for its
        // search index.
        let pages = self.pages(&renderer)?;
        let previous = previous
            .filter(|p| p.describes(output.path()))
            .map(|p| &p.files);
        // The search index stays when nothing it is built from changed (and, with
        // `search_later`, until the index of the new state is built on another thread).
        let search = self.search_plan(&renderer, previous, search_later);
        let staging = Staging::create(output)?;
        let write_search = || {
            if !search.build {
                return Ok(Vec::new());
            }
            self.write_search(&renderer, previous, &staging)
        };
        // The index is built beside the pages, on cores that writing them leaves idle.
        let (written, bundle) = rayon::join(
            || self.write_pages(&renderer, &pages, previous, &staging, progress, &search),
            write_search,
        );
        let Written {
            mut files,
            static_count,
            rendered,
        } = written?;
        files.extend(bundle?);
        progress.advance(usize::from(search.build));
        // Every file of the site: those with fingerprints, and pages written by every build.
        let all: HashSet<&str> = files
            .keys()
            .chain(pages.iter().map(|(_, file)| file))
            .map(String::as_str)
            .collect();
        staging.commit(&all)?;
        drop(all);
        renderer.free_in_background();
        let report = BuildReport {
            articles: self.articles().len(),
            pages: pages.len(),
            html_pages: pages.iter().filter(|(_, f)| f.ends_with(".html")).count(),
            static_files: static_count,
            search_files: files
                .keys()
                .filter(|rel| search::is_bundle_file(rel))
                .count(),
            rendered,
            warnings: self.warnings.clone(),
            output: output.path().to_path_buf(),
            moved: self.ledger.moved.clone(),
        };
        Ok((report, files))
    }

    /// Writes the static files and those of `pages` that `previous` (output file → fingerprint)
    /// does not hold as they are into `staging`.
    fn write_pages(
        &self,
        renderer: &Renderer,
        pages: &[(Page, String)],
        previous: Option<&HashMap<String, u64>>,
        staging: &Staging,
        progress: &dyn Progress,
        search: &SearchPlan,
    ) -> Result<Written, BuildError> {
        let mut files = renderer.fingerprints(pages, &renderer.article_hashes());
        let mut statics = self.static_files()?;
        let static_count = statics.len();
        // A page wins over a static file at the same path.
        statics.retain(|s| !files.contains_key(&s.rel));
        files.extend(statics.iter().map(|s| (s.rel.clone(), s.fingerprint)));
        files.extend(search.kept.iter().cloned());
        statics.retain(|file| engine::stale(previous, &file.rel, Some(file.fingerprint)));
        let dirty = engine::dirty(pages, &files, previous);
        let rels: Vec<&str> = dirty
            .iter()
            .map(|(_, file)| file.as_str())
            .chain(statics.iter().map(|file| file.rel.as_str()))
            .collect();
        staging.make_folders(&rels)?;
        statics.par_iter().try_for_each(|file| {
            Ok::<_, BuildError>(staging.write(&file.rel, &file.source.bytes()?)?)
        })?;
        progress.stage(
            "Writing pages and search index",
            dirty.len() + usize::from(search.build),
        );
        engine::write_pages(
            &dirty,
            |page, out| self.render(renderer, page, out),
            staging,
            progress,
        )?;
        let rendered = dirty.len();
        Ok(Written {
            files,
            static_count,
            rendered,
        })
    }

    /// Whether this build makes the search index, and the files of the index it keeps from
    /// `previous` (output file → fingerprint): all of them when the index is current or
    /// `search_later` leaves the new one to another thread; nothing when `search` is off.
    fn search_plan(
        &self,
        renderer: &Renderer,
        previous: Option<&HashMap<String, u64>>,
        search_later: bool,
    ) -> SearchPlan {
        if !self.config.search {
            return SearchPlan::default();
        }
        let current = !engine::stale(
            previous,
            &search::manifest_path(),
            Some(renderer.search_hash()),
        );
        let mut kept: Vec<search::Fingerprinted> = Vec::new();
        if current || search_later {
            kept.extend(
                previous
                    .into_iter()
                    .flatten()
                    .filter(|(rel, _)| search::is_bundle_file(rel))
                    .map(|(rel, &fingerprint)| (rel.clone(), fingerprint)),
            );
        }
        SearchPlan {
            build: !current && !search_later,
            kept,
        }
    }

    /// The fingerprint of the search index the site has now; none when search is off.
    pub(crate) fn search_hash(&self) -> Option<u64> {
        self.config.search.then(|| self.renderer().search_hash())
    }

    /// Builds the search index into `sink`, writing the files that `previous` does not hold as
    /// they are; returns every file of the index with its fingerprint.
    fn write_search(
        &self,
        renderer: &Renderer,
        previous: Option<&HashMap<String, u64>>,
        sink: &dyn engine::Sink,
    ) -> Result<Vec<search::Fingerprinted>, BuildError> {
        let emit =
            |rel: &str, fingerprint: u64, bytes: &dyn Fn() -> Result<Vec<u8>, SearchError>| {
                if engine::stale(previous, rel, Some(fingerprint)) {
                    sink.write(rel, &bytes()?)
                        .map_err(|e| SearchError::new(e.to_string()))?;
                }
                Ok(())
            };
        let cache = self.search_cache.clone().map(search::PartCache::new);
        let built = catch_panic(|| {
            Ok(search::build(
                &renderer.search_settings(),
                &renderer.search_facets(),
                &renderer.search_records(),
                renderer.search_hash(),
                &emit,
                cache.as_ref(),
            )?)
        });
        built.unwrap_or_else(|panic| Err(BuildError::Search(SearchError::new(panic.to_string()))))
    }

    /// The search index to build on another thread when `files` (output file → fingerprint)
    /// does not hold the current one; none when search is off or the index is current.
    pub(crate) fn search_job(&self, files: &HashMap<String, u64>) -> Option<search::Job> {
        let renderer = self.renderer();
        let plan = self.search_plan(&renderer, Some(files), false);
        plan.build.then(|| {
            search::Job::new(
                renderer.search_settings(),
                renderer.search_facets(),
                &renderer.search_records(),
                renderer.search_hash(),
                files
                    .iter()
                    .filter(|(rel, _)| search::is_bundle_file(rel))
                    .map(|(rel, &fingerprint)| (rel.clone(), fingerprint))
                    .collect(),
                self.search_cache.clone(),
            )
        })
    }
}

/// What [`Site::write_pages`] wrote.
struct Written {
    /// Every file of the site with a fingerprint (pages, static files, index files kept).
    files: HashMap<String, u64>,
    /// How many static files the site has.
    static_count: usize,
    /// How many pages were rendered.
    rendered: usize,
}

/// The search index of a build.
#[derive(Default)]
struct SearchPlan {
    /// Whether the index is built.
    build: bool,
    /// The files of the index kept from the previous build, with fingerprints.
    kept: Vec<search::Fingerprinted>,
}

/// What checking one page found.
struct PageCheck {
    /// Its file.
    file: String,
    /// Hashes of the ids of its elements.
    ids: HashSet<u64>,
    /// Its broken links, or why it could not be rendered.
    broken: Vec<Broken>,
    /// Links to elements of other pages, as (link, target file, fragment).
    waiting: Vec<(String, String, String)>,
}

/// A broken link, or a page that cannot be rendered.
enum Broken {
    Link {
        page: Page,
        link: String,
        message: String,
    },
    Error(Diagnostic),
}

/// Warnings about the URL ledger: earlier URLs another page took, articles that are gone.
fn ledger_warnings(root: &Path, followed: &ledger::Followed) -> Vec<Diagnostic> {
    let content = root.join("content");
    let mut warnings: Vec<Diagnostic> = followed
        .taken
        .iter()
        .map(|(url, rel)| {
            Diagnostic::new(
                content.join(rel),
                format!(
                    "its earlier URL {url} is now another page's, so it no longer redirects here"
                ),
            )
        })
        .collect();
    warnings.extend(followed.gone.iter().map(|(rel, urls)| {
        Diagnostic::new(
            content.join(rel),
            format!(
                "is gone, and its URLs {} lead nowhere now; {} keeps them until you delete its line",
                urls.join(", "),
                ledger::LEDGER_FILE
            ),
        )
    }));
    warnings
}

/// Loads the site and writes it to the output folder.
///
/// With `options.cache`, the build cache of the last build to the same output folder (if any)
/// spares reading unchanged articles and writing unchanged files, and this build leaves its own.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = SystemTime::now();
    let output = check_output_dir(&options.root, &options.output_dir())?;
    // Before anything is read: a patch a killed build committed is finished first.
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
    let (mut report, files) =
        site.write(&output_dir, options.progress(), previous.as_ref(), false)?;
    // Freeing every article takes a while and nobody waits for it.
    std::thread::spawn(move || drop(previous));
    // The ledger records what is published: not a preview with drafts or future articles.
    if site.ledger.next != site.ledger_read
        && options.ledger
        && !options.drafts
        && !options.future
        && let Err(e) = site.ledger.next.save(&site.root)
    {
        return Err(BuildError::Input(vec![Diagnostic::new(
            site.root.join(ledger::LEDGER_FILE),
            format!("cannot write the URL ledger: {e}"),
        )]));
    }
    if options.cache {
        let record = CacheRecord {
            key,
            started,
            output: &output,
            output_stamp: FileStamp::of(&output),
            articles: site.articles(),
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

/// Loads the site and renders every page without writing, checking every internal link.
pub fn check(options: &BuildOptions) -> Result<CheckReport, BuildError> {
    Site::load(options)?.check()
}

/// A link with its percent-escapes decoded.
fn decoded(link: &str) -> String {
    percent_encoding::percent_decode_str(link)
        .decode_utf8_lossy()
        .into_owned()
}
