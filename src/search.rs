//! Full-text search: a Pagefind index of every article, written as static files under
//! `/pagefind/` and searched in the reader's browser, chunk by chunk, with no server.
//!
//! The index is split into **shards** by period — the whole archive, a decade, a year, a half or
//! quarter year, a month, parts of a month — the coarsest period holding at most
//! `search_shard_articles` (default [`SHARD_ARTICLES`]) articles, so that each shard is built alone (in parallel, in bounded
//! memory), rebuilt alone when one of its articles changes, and its period stays put as the
//! archive grows. The search page loads the newest shard and merges the others into it
//! (Pagefind's `mergeIndex`). Articles are handed to Pagefind as records (plain text from the
//! Markdown, title, date, one filter per taxonomy plus the year), so no page is parsed again.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::config::{ArticleText, RawHtml, SiteConfig};
use crate::content::{self, Article};
use crate::hash::StableHasher;
use crate::index::SiteIndex;

/// The folder of the search bundle below the output folder.
pub const BUNDLE_DIR: &str = crate::routes::SEARCH_BUNDLE;

/// The most articles a shard holds by default (`search_shard_articles`), unless one month alone
/// has more (it is then cut into parts of at most this many).
pub const SHARD_ARTICLES: usize = 1_000;

/// Pagefind's search script, shared by every shard, directly in [`BUNDLE_DIR`].
const SCRIPT: &str = "pagefind.js";

/// Whether a file of Pagefind's output for a shard stays in the shard's folder: its index, and
/// the worker script and WebAssembly that the first (primary) shard loads from its own folder.
/// Pagefind's own search interfaces are left out: the search page does not use them.
fn is_shard_file(name: &str) -> bool {
    name == "pagefind-entry.json"
        || name == "pagefind-worker.js"
        || name.ends_with(".pf_meta")
        || (name.starts_with("wasm.") && name.ends_with(".pagefind"))
        || ["index/", "filter/", "fragment/"]
            .iter()
            .any(|folder| name.starts_with(folder))
}

/// A file of the search bundle: path below the output folder, bytes and fingerprint.
pub type BundleFile = (String, Vec<u8>, u64);

/// A shard with the hash of what it is built from.
pub type HashedShard = (Shard, u64);

/// An output file (path below the output folder) with its fingerprint.
pub type Fingerprinted = (String, u64);

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

/// One part of the index: the articles of one period, in a folder of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// The period, which names the folder: `all`, `2010s`, `2024`, `2024-h2`, `2024-q3`,
    /// `2024-08` or `2024-08-p2`.
    pub key: String,
    /// Positions of its articles.
    pub articles: Vec<usize>,
}

impl Shard {
    /// The folder of its files below the output folder.
    pub fn dir(&self) -> String {
        format!("{BUNDLE_DIR}/{}", self.key)
    }
}

/// The periods a shard can cover, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Period {
    All,
    Decade,
    Year,
    Half,
    Quarter,
    Month,
}

impl Period {
    fn finer(self) -> Option<Period> {
        match self {
            Period::All => Some(Period::Decade),
            Period::Decade => Some(Period::Year),
            Period::Year => Some(Period::Half),
            Period::Half => Some(Period::Quarter),
            Period::Quarter => Some(Period::Month),
            Period::Month => None,
        }
    }

    /// The number of the period holding `day` (periods in time order) and its name.
    fn of(self, day: NaiveDate) -> (i64, String) {
        let (year, month) = (i64::from(day.year()), i64::from(day.month0()));
        match self {
            Period::All => (0, "all".to_owned()),
            Period::Decade => {
                let start = year - year.rem_euclid(10);
                (start, format!("{start:04}s"))
            }
            Period::Year => (year, format!("{year:04}")),
            Period::Half => (
                year * 2 + month / 6,
                format!("{year:04}-h{}", month / 6 + 1),
            ),
            Period::Quarter => (
                year * 4 + month / 3,
                format!("{year:04}-q{}", month / 3 + 1),
            ),
            Period::Month => (year * 12 + month, format!("{year:04}-{:02}", month + 1)),
        }
    }
}

/// The shards of `articles` with at most `most` articles each (but for parts of a month),
/// newest first.
pub fn shards(articles: &[Article], most: usize) -> Vec<Shard> {
    let days: Vec<NaiveDate> = articles.iter().map(|a| a.meta.date.local_date()).collect();
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by(|&a, &b| {
        (articles[a].meta.date.instant, &articles[a].url)
            .cmp(&(articles[b].meta.date.instant, &articles[b].url))
    });
    let mut rank = vec![0; articles.len()];
    for (position, &i) in order.iter().enumerate() {
        rank[i] = position;
    }
    periods(&days, &rank, most)
}

/// The shards of articles on `days` (`rank`: their places in time order) with at most `most`
/// articles each, newest first.
fn periods(days: &[NaiveDate], rank: &[usize], most: usize) -> Vec<Shard> {
    let mut split = Split {
        days,
        rank,
        most: most.max(1),
        shards: Vec::new(),
    };
    if !days.is_empty() {
        split.add((0..days.len()).collect(), Period::All, "all".to_owned());
    }
    split.shards
}

/// Cutting the archive into shards.
struct Split<'a> {
    days: &'a [NaiveDate],
    rank: &'a [usize],
    most: usize,
    shards: Vec<Shard>,
}

impl Split<'_> {
    /// Adds `ids`, the articles of the period `period` named `key`, as one shard or as the
    /// shards of its finer periods, newest first.
    fn add(&mut self, mut ids: Vec<usize>, period: Period, key: String) {
        if ids.len() <= self.most {
            self.shards.push(Shard { key, articles: ids });
            return;
        }
        let Some(finer) = period.finer() else {
            // One month with more articles than a shard holds: parts of it, in time order.
            ids.sort_by_key(|&i| self.rank[i]);
            let parts = ids.len().div_ceil(self.most);
            let size = ids.len().div_ceil(parts);
            let chunks: Vec<&[usize]> = ids.chunks(size).collect();
            for (n, chunk) in chunks.iter().enumerate().rev() {
                self.shards.push(Shard {
                    key: format!("{key}-p{}", n + 1),
                    articles: chunk.to_vec(),
                });
            }
            return;
        };
        let mut periods: BTreeMap<i64, (String, Vec<usize>)> = BTreeMap::new();
        for i in ids {
            let (number, name) = finer.of(self.days[i]);
            periods
                .entry(number)
                .or_insert((name, Vec::new()))
                .1
                .push(i);
        }
        for (_, (name, ids)) in periods.into_iter().rev() {
            self.add(ids, finer, name);
        }
    }
}

/// What every shard is built with besides its articles.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Settings {
    /// The site's language (Pagefind's stemming and word splitting).
    pub language: String,
    /// Whole text or summaries.
    pub scope: ArticleText,
    /// What raw HTML in bodies is.
    pub raw_html: RawHtml,
    /// The date as search results show it.
    pub date_format: String,
    /// Articles per fragment file (Pagefind's `max_fragments`), from the archive's size, so that
    /// the whole bundle stays within the file counts static hosts accept.
    pub per_fragment: usize,
}

/// Fragment files the whole bundle aims to stay under; static hosts such as Cloudflare Pages cap
/// a site at 20,000 files.
const FRAGMENT_FILES: usize = 12_000;

impl Settings {
    /// The settings for a site with `articles` articles.
    pub fn new(config: &SiteConfig, articles: usize) -> Settings {
        Settings {
            language: config.language.clone(),
            scope: config.search_content,
            raw_html: config.raw_html,
            date_format: config.date_format.clone(),
            per_fragment: articles.div_ceil(FRAGMENT_FILES).next_power_of_two().max(8),
        }
    }
}

/// What Pagefind is told about one article. Owned, so that a shard can be built on another
/// thread while the site changes.
#[derive(Debug, Clone)]
pub struct Record {
    url: String,
    title: String,
    /// The Markdown file, read again for full text.
    source: PathBuf,
    /// The summary, indexed instead of the full text with `search_content = "summary"`.
    summary: String,
    meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
    sort: BTreeMap<String, String>,
}

/// A shard with everything needed to build it.
#[derive(Debug, Clone)]
pub struct ShardInput {
    /// Its folder below the output folder.
    pub dir: String,
    /// The hash of everything it is built from; every file of the shard carries it as its
    /// fingerprint.
    pub hash: u64,
    /// Its articles.
    pub records: Vec<Record>,
}

/// Shards to build on another thread while the site goes on changing (`serve`).
#[derive(Debug)]
pub struct Job {
    /// What they are built with.
    pub settings: Settings,
    /// The shared script's path and fingerprint.
    pub script: Fingerprinted,
    /// The shards.
    pub shards: Vec<ShardInput>,
}

/// A shard built by a [`Job`]: its folder, hash and files (or why it failed).
pub type BuiltShard = (String, u64, Result<Vec<BundleFile>, SearchError>);

impl Job {
    /// Builds the shards one after another, the first with the shared script.
    pub fn run(self) -> Vec<BuiltShard> {
        self.shards
            .iter()
            .enumerate()
            .map(|(n, shard)| {
                let script = (n == 0).then_some(&self.script);
                let files = build_shard(&self.settings, shard, script);
                (shard.dir.clone(), shard.hash, files)
            })
            .collect()
    }
}

/// The hash of what `shard` is built from.
pub fn shard_hash(
    settings: &Settings,
    articles: &[Article],
    index: &SiteIndex,
    shard: &Shard,
) -> u64 {
    let mut h = StableHasher::default();
    (settings, &shard.key).hash(&mut h);
    for &i in &shard.articles {
        let article = &articles[i];
        (&article.url, &article.meta.title, &article.meta.date).hash(&mut h);
        for (t, terms) in index.article_terms[i].iter().enumerate() {
            for &term in terms {
                (t, &index.taxonomies[t].terms[term].name).hash(&mut h);
            }
        }
        match settings.scope {
            ArticleText::Full => article.body.digest.hash(&mut h),
            ArticleText::Summary => article.body.summary_text.hash(&mut h),
        }
    }
    h.finish()
}

/// The hash of the files every shard shares.
pub fn script_hash(settings: &Settings) -> u64 {
    let mut h = StableHasher::default();
    settings.language.hash(&mut h);
    h.finish()
}

/// The path of the shared search script below the output folder.
pub fn script_path() -> String {
    format!("{BUNDLE_DIR}/{SCRIPT}")
}

/// What building `shard` with `hash` takes, with URLs made root-relative by `link`.
pub fn shard_input(
    settings: &Settings,
    articles: &[Article],
    index: &SiteIndex,
    (shard, hash): &HashedShard,
    link: &impl Fn(&str) -> String,
) -> ShardInput {
    let records = shard
        .articles
        .iter()
        .map(|&i| {
            let article = &articles[i];
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
                title: article.meta.title.clone(),
                source: article.meta.source.clone(),
                summary: article.body.summary_text.clone(),
                meta: BTreeMap::from([
                    ("title".to_owned(), article.meta.title.clone()),
                    (
                        "date".to_owned(),
                        article.meta.date.display(&settings.date_format),
                    ),
                ]),
                filters,
                sort: BTreeMap::from([("date".to_owned(), article.meta.date.instant.to_rfc3339())]),
            }
        })
        .collect();
    ShardInput {
        dir: shard.dir(),
        hash: *hash,
        records,
    }
}

/// Builds the files of one shard, with `script` (the shared search script's path and
/// fingerprint) when asked: paths below the output folder, bytes and fingerprints.
pub fn build_shard(
    settings: &Settings,
    shard: &ShardInput,
    script: Option<&Fingerprinted>,
) -> Result<Vec<BundleFile>, SearchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SearchError(e.to_string()))?;
    runtime.block_on(async {
        let fragments = shard.records.len().div_ceil(settings.per_fragment);
        let options = PagefindServiceConfig::builder()
            .force_language(settings.language.clone())
            .max_fragments(u32::try_from(fragments).unwrap_or(u32::MAX))
            .build();
        let mut search =
            PagefindIndex::new(Some(options)).map_err(|e| SearchError(e.to_string()))?;
        for record in &shard.records {
            let text = match settings.scope {
                ArticleText::Full => {
                    let (body, _) = content::read_body(&record.source)
                        .map_err(|d| SearchError(d.to_string()))?;
                    crate::markdown::search_text(&body, settings.raw_html)
                }
                ArticleText::Summary => record.summary.clone(),
            };
            search
                .add_custom_record(
                    record.url.clone(),
                    format!("{}. {text}", record.title),
                    settings.language.clone(),
                    Some(record.meta.clone()),
                    Some(record.filters.clone()),
                    Some(record.sort.clone()),
                )
                .await
                .map_err(|e| SearchError(format!("{}: {e}", record.source.display())))?;
        }
        let files = search
            .get_files()
            .await
            .map_err(|e| SearchError(e.to_string()))?;
        let mut bundle = Vec::new();
        for file in files {
            // Pagefind names its files relative to the bundle folder.
            let name = file.filename.to_string_lossy().replace('\\', "/");
            let name = name.trim_start_matches("./").trim_start_matches('/');
            if name == SCRIPT {
                if let Some((path, fingerprint)) = script {
                    bundle.push((path.clone(), file.contents, *fingerprint));
                }
            } else if is_shard_file(name) {
                bundle.push((format!("{}/{name}", shard.dir), file.contents, shard.hash));
            }
        }
        Ok(bundle)
    })
}

/// The folder of the shard that the bundle file `rel` belongs to, if any.
pub fn shard_dir(rel: &str) -> Option<&str> {
    let key = rel
        .strip_prefix(BUNDLE_DIR)?
        .strip_prefix('/')?
        .split_once('/')?
        .0;
    Some(&rel[..BUNDLE_DIR.len() + 1 + key.len()])
}

/// Which shards need building: those whose files `previous` (output file → fingerprint) lacks
/// or holds with another hash. Returns them with the files of the shards that stay.
pub fn stale_shards<'s>(
    inputs: &'s [HashedShard],
    previous: Option<&HashMap<String, u64>>,
) -> (Vec<&'s HashedShard>, Vec<Fingerprinted>) {
    let mut kept_files: HashMap<&str, Vec<Fingerprinted>> = HashMap::new();
    for (rel, &fingerprint) in previous.into_iter().flatten() {
        if let Some(dir) = shard_dir(rel) {
            kept_files
                .entry(dir)
                .or_default()
                .push((rel.clone(), fingerprint));
        }
    }
    let mut stale = Vec::new();
    let mut kept = Vec::new();
    for input in inputs {
        let (shard, hash) = input;
        match kept_files.remove(shard.dir().as_str()) {
            Some(files)
                if files.iter().all(|(_, f)| f == hash)
                    && files
                        .iter()
                        .any(|(rel, _)| rel.ends_with("/pagefind-entry.json")) =>
            {
                kept.extend(files)
            }
            _ => stale.push(input),
        }
    }
    (stale, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn keys(days: &[&str], most: usize) -> Vec<(String, usize)> {
        let days: Vec<NaiveDate> = days.iter().map(|d| day(d)).collect();
        let rank: Vec<usize> = (0..days.len()).collect();
        periods(&days, &rank, most)
            .into_iter()
            .map(|s| (s.key, s.articles.len()))
            .collect()
    }

    #[test]
    fn a_small_archive_is_one_shard() {
        assert_eq!(
            keys(&["2024-01-01", "1999-05-05"], 2),
            [("all".to_owned(), 2)]
        );
        assert!(keys(&[], 2).is_empty());
    }

    #[test]
    fn shards_are_the_coarsest_periods_that_fit_newest_first() {
        let days = [
            "1998-03-01",
            "2003-01-01",
            "2003-02-01",
            "2024-01-05",
            "2024-02-01",
            "2024-08-01",
            "2024-08-02",
            "2024-08-03",
        ];
        assert_eq!(
            keys(&days, 3),
            [
                ("2024-h2".to_owned(), 3),
                ("2024-h1".to_owned(), 2),
                ("2000s".to_owned(), 2),
                ("1990s".to_owned(), 1),
            ]
        );
        // Quarters, then months, then parts of a month in time order.
        assert_eq!(
            keys(&days, 1),
            [
                ("2024-08-p3".to_owned(), 1),
                ("2024-08-p2".to_owned(), 1),
                ("2024-08-p1".to_owned(), 1),
                ("2024-02".to_owned(), 1),
                ("2024-01".to_owned(), 1),
                ("2003-02".to_owned(), 1),
                ("2003-01".to_owned(), 1),
                ("1990s".to_owned(), 1),
            ]
        );
    }

    #[test]
    fn an_added_article_changes_only_the_shard_of_its_period() {
        let mut days = vec!["2019-01-01"; 3];
        days.extend(["2020-06-01"; 3]);
        let before = keys(&days, 3);
        days.push("2020-07-01");
        let after = keys(&days, 3);
        assert_eq!(before, [("2020s".to_owned(), 3), ("2010s".to_owned(), 3)]);
        assert_eq!(
            after,
            [
                ("2020-h2".to_owned(), 1),
                ("2020-h1".to_owned(), 3),
                ("2010s".to_owned(), 3)
            ]
        );
    }
}
