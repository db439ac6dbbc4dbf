//! Reading articles: one file into an [`Article`], every file of `content/` in parallel (taking
//! unchanged ones from earlier readings), and which of them are published.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;

use super::{
    Article, ArticleMeta, Discovered, FileStamp, KEEP_BODIES_UP_TO, KeptBody, Markdown, Resource,
    discover, parse_file,
};
use crate::config::{ArticleText, RawHtml, SiteConfig};
use crate::diagnostics::{Diagnostic, catch_panic, slash_path};
use crate::markdown::{self, ArticleBody, BodySource};
use crate::progress::Progress;

/// Which articles go on the site: drafts and articles dated in the future wait, unless asked for.
#[derive(Debug, Clone, Copy)]
pub struct Publish {
    /// Publishes drafts too.
    pub drafts: bool,
    /// Publishes articles dated in the future too.
    pub future: bool,
    /// The time of the build.
    pub now: DateTime<FixedOffset>,
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

impl Publish {
    /// Whether the article of `meta` is published now.
    pub fn decide(&self, meta: &ArticleMeta) -> Published {
        if meta.draft && !self.drafts {
            Published::No
        } else if meta.date.instant > self.now && !self.future {
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

    /// Reads the article at `rel` below `content_dir` again: `None` when its file is gone or it
    /// is not published. Its body is not kept: for one article, reading the file again when the
    /// body is needed costs little.
    pub fn reread(
        &self,
        content_dir: &Path,
        rel: &str,
        config: &SiteConfig,
    ) -> Result<Option<Article>, Vec<Diagnostic>> {
        let path = content_dir.join(rel);
        if !path.is_file() {
            return Ok(None);
        }
        let article = read_article(&path, content_dir, config, false)?;
        Ok(matches!(self.decide(&article.meta), Published::Yes).then_some(article))
    }
}

/// Readings of articles from an earlier build (a build cache).
pub trait Readings: Send {
    /// The earlier reading of the article at `rel` below `content/`, if its file still has
    /// `stamp`.
    fn take(&mut self, rel: &str, stamp: FileStamp) -> Option<(ArticleMeta, ArticleBody)>;
}

/// The published articles of a site, with warnings about them, and what is left of the earlier
/// readings.
pub struct ReadArticles<R> {
    /// The articles, in the order their files were found; URLs are still empty.
    pub articles: Vec<Article>,
    /// The files of page bundles (of published articles or not).
    pub resources: Vec<Resource>,
    /// Scheduled articles, and what reading the files found.
    pub warnings: Vec<Diagnostic>,
    /// The earlier readings not used.
    pub readings: Option<R>,
}

/// Discovers and reads every article of `content_dir` in parallel, taking from the readings that
/// `load` gives (while the files are listed) those whose files did not change.
pub fn read_all<R: Readings>(
    content_dir: &Path,
    config: &SiteConfig,
    publish: Publish,
    progress: &dyn Progress,
    load: impl FnOnce() -> Option<R> + Send,
) -> Result<ReadArticles<R>, Vec<Diagnostic>> {
    if !content_dir.is_dir() {
        return Err(vec![Diagnostic::new(
            content_dir,
            "there is no content/ folder: articles go there as Markdown files",
        )]);
    }
    // Stamps are taken before reading, so that a file changed while it is read looks changed to
    // the next build.
    let (listed, mut readings) = rayon::join(
        || {
            let found = discover(content_dir)?;
            let stamps: Vec<Option<FileStamp>> = found
                .articles
                .par_iter()
                .map(|f| FileStamp::of(f))
                .collect();
            Ok::<_, Vec<Diagnostic>>((found, stamps))
        },
        load,
    );
    let (found, stamps) = listed?;
    let keep = stamps.iter().flatten().map(|s| s.len).sum::<u64>() <= KEEP_BODIES_UP_TO;
    let Discovered {
        articles: files,
        resources,
        orphans,
    } = found;
    progress.stage("Reading articles", files.len());
    type Job<'f> = (
        &'f PathBuf,
        Option<FileStamp>,
        Option<(ArticleMeta, ArticleBody)>,
    );
    let jobs: Vec<Job> = files
        .iter()
        .zip(stamps)
        .map(|(file, stamp)| {
            let earlier = readings
                .as_mut()
                .zip(stamp)
                .and_then(|(r, stamp)| r.take(&slash_path(file, content_dir), stamp));
            (file, stamp, earlier)
        })
        .collect();
    let results: Vec<_> = jobs
        .into_par_iter()
        .map(|(file, stamp, earlier)| {
            let read = match earlier {
                Some((meta, body)) => Ok(Article {
                    meta: ArticleMeta {
                        source: file.clone(),
                        ..meta
                    },
                    url: String::new(),
                    body,
                    stamp,
                    kept: None,
                    moved_from: Vec::new(),
                }),
                None => read_article(file, content_dir, config, keep),
            };
            progress.advance(1);
            read.map(|article| Article { stamp, ..article })
        })
        .collect();
    let mut warnings = unpublished(&resources, &orphans);
    let mut errors = Vec::new();
    // Collected in place, over the readings' memory, rather than into a second array as long.
    let mut articles: Vec<Article> = results
        .into_iter()
        .filter_map(|result| match result {
            Ok(article) => match publish.decide(&article.meta) {
                Published::Yes => {
                    warnings.extend(article.meta.diagnostics());
                    Some(article)
                }
                Published::No => None,
                Published::Scheduled(warning) => {
                    warnings.push(warning);
                    None
                }
            },
            Err(e) => {
                errors.extend(e);
                None
            }
        })
        .collect();
    if errors.is_empty() {
        super::share_term_names(&mut articles);
        Ok(ReadArticles {
            articles,
            resources,
            warnings,
            readings,
        })
    } else {
        Err(errors)
    }
}

/// Warnings about files of `content/` that are not published as one might expect: Markdown
/// files in a page bundle, which are files of the bundle rather than articles, and files that are
/// neither articles nor in a bundle.
fn unpublished(resources: &[Resource], orphans: &[PathBuf]) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let mut by_bundle: Vec<(&Path, Vec<&str>)> = Vec::new();
    for resource in resources.iter().filter(|r| r.rel.ends_with(".md")) {
        match by_bundle.last_mut() {
            Some((article, names)) if *article == resource.article => names.push(&resource.rel),
            _ => by_bundle.push((&resource.article, vec![&resource.rel])),
        }
    }
    for (article, names) in by_bundle {
        warnings.push(Diagnostic::new(
            article,
            format!(
                "makes its folder a page bundle, so its other Markdown files ({}) are published as files beside this article, not as articles; rename it if they are articles",
                names.join(", ")
            ),
        ));
    }
    if let Some(first) = orphans.first() {
        let others = match orphans.len() {
            1 => String::new(),
            2 => " (one more file like it)".to_owned(),
            n => format!(" ({} more files like it)", n - 1),
        };
        warnings.push(Diagnostic::new(
            first,
            format!(
                "is neither an article nor in a page bundle (a folder with an index.md), so it is not published{others}; move it into static/ or beside an index.md"
            ),
        ));
    }
    warnings
}

/// Reads one article file: its front matter, and what listings need of its body, which it keeps
/// whole if `keep`. Its URL is still empty and its `@/` links unresolved. A bug of Annals met on
/// the way is an error naming the file.
pub fn read_article(
    file: &Path,
    content_dir: &Path,
    config: &SiteConfig,
    keep: bool,
) -> Result<Article, Vec<Diagnostic>> {
    catch_panic(|| {
        #[cfg(debug_assertions)]
        inject_panic(file);
        let parsed = parse_file(file, content_dir, config)?;
        let source = BodySource {
            file: &parsed.meta.source,
            first_line: parsed.body_line,
            raw_html: config.raw_html,
        };
        let summary = parsed.meta.summary.as_deref();
        // A kept body takes from this pass its search text, when the index wants the full text,
        // and its HTML, unless the sanitizer rewrites it (which it must do with the links
        // resolved, to give the same bytes); then its Markdown is kept, to render at page time.
        let wants = markdown::Keep {
            search_text: keep && config.search && config.search_content == ArticleText::Full,
            html: keep && config.raw_html != RawHtml::Sanitize,
        };
        let (body, made) = markdown::analyze_keeping(&parsed.body, source, summary, wants);
        let kept = keep.then(|| {
            Arc::new(KeptBody {
                markdown: made.html.is_none().then_some(Markdown {
                    text: parsed.body,
                    first_line: parsed.body_line,
                }),
                search_text: made.search_text,
                html: made.html,
            })
        });
        Ok(Article {
            meta: parsed.meta,
            url: String::new(),
            body,
            stamp: None,
            kept,
            moved_from: Vec::new(),
        })
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
