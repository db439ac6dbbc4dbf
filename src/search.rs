//! Full-text search: a Pagefind index of every article, written as static files under
//! `/pagefind/` and searched in the reader's browser, chunk by chunk, with no server.
//!
//! Articles are handed to Pagefind as records (plain text, title, date, and one filter per
//! taxonomy plus the year), so no rendered page needs to be parsed again.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::config::{ArticleText, SiteConfig};
use crate::content::Article;
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::index::SiteIndex;

/// The folder of the search bundle below the output folder.
pub const BUNDLE_DIR: &str = crate::routes::SEARCH_BUNDLE;

/// A file of the search bundle: path below the output folder and bytes.
pub type BundleFile = (String, Vec<u8>);

/// Why the search index could not be built.
#[derive(Debug, thiserror::Error)]
#[error("building the search index failed: {0}")]
pub struct SearchError(String);

impl SearchError {
    /// An error saying `what`.
    pub fn new(what: impl Into<String>) -> SearchError {
        SearchError(what.into())
    }
}

/// What Pagefind is told about one article, besides its text.
struct Record {
    url: String,
    meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
    sort: BTreeMap<String, String>,
}

fn record(
    config: &SiteConfig,
    index: &SiteIndex,
    i: usize,
    article: &Article,
    link: &impl Fn(&str) -> String,
) -> Record {
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (t, terms) in index.article_terms[i].iter().enumerate() {
        if !terms.is_empty() {
            let taxonomy = &index.taxonomies[t];
            filters.insert(
                taxonomy.title.clone(),
                terms
                    .iter()
                    .map(|&term| taxonomy.terms[term].name.clone())
                    .collect(),
            );
        }
    }
    let day = article.meta.date.local_date();
    filters.insert("Year".to_owned(), vec![day.format("%Y").to_string()]);
    Record {
        url: link(&article.url),
        meta: BTreeMap::from([
            ("title".to_owned(), article.meta.title.clone()),
            (
                "date".to_owned(),
                article.meta.date.display(&config.date_format),
            ),
        ]),
        filters,
        sort: BTreeMap::from([("date".to_owned(), article.meta.date.instant.to_rfc3339())]),
    }
}

/// A hash of what the search bundle for `articles` is made from besides the settings, to tell
/// whether it needs building again.
pub fn inputs_hash(config: &SiteConfig, articles: &[Article], index: &SiteIndex) -> u64 {
    let scope = config.search_content.resolve(articles.len());
    let mut h = StableHasher::default();
    (scope == ArticleText::Full).hash(&mut h);
    for (i, article) in articles.iter().enumerate() {
        (&article.url, &article.meta.title, &article.meta.date).hash(&mut h);
        for (t, terms) in index.article_terms[i].iter().enumerate() {
            for &term in terms {
                (t, &index.taxonomies[t].terms[term].name).hash(&mut h);
            }
        }
        match scope {
            ArticleText::Full => article.body.digest.hash(&mut h),
            ArticleText::Summary => article.body.summary_text.hash(&mut h),
        }
    }
    h.finish()
}

/// Builds the search bundle for `articles`; `link` gives an article's root-relative URL and
/// `body_html` the HTML body of the article at a position (for full-text search).
pub fn build_bundle(
    config: &SiteConfig,
    articles: &[Article],
    index: &SiteIndex,
    link: impl Fn(&str) -> String,
    body_html: impl Fn(usize) -> Result<String, Diagnostic>,
) -> Result<Vec<BundleFile>, SearchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SearchError(e.to_string()))?;
    let scope = config.search_content.resolve(articles.len());
    runtime.block_on(async {
        let options = PagefindServiceConfig::builder()
            .force_language(config.language.clone())
            .build();
        let mut search =
            PagefindIndex::new(Some(options)).map_err(|e| SearchError(e.to_string()))?;
        for (i, article) in articles.iter().enumerate() {
            let record = record(config, index, i, article, &link);
            let text = match scope {
                ArticleText::Full => {
                    crate::html::text(&body_html(i).map_err(|d| SearchError(d.to_string()))?)
                }
                ArticleText::Summary => article.body.summary_text.clone(),
            };
            let content = format!("{}. {text}", article.meta.title);
            search
                .add_custom_record(
                    record.url,
                    content,
                    config.language.clone(),
                    Some(record.meta),
                    Some(record.filters),
                    Some(record.sort),
                )
                .await
                .map_err(|e| SearchError(format!("{}: {e}", article.meta.source.display())))?;
        }
        let files = search
            .get_files()
            .await
            .map_err(|e| SearchError(e.to_string()))?;
        Ok(files
            .into_iter()
            .map(|f| {
                // Pagefind names its files relative to the bundle folder.
                let name = f.filename.to_string_lossy().replace('\\', "/");
                let name = name.trim_start_matches("./").trim_start_matches('/');
                (format!("{BUNDLE_DIR}/{name}"), f.contents)
            })
            .collect())
    })
}
