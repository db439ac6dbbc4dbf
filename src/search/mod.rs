//! Full-text search: an index of every article's words, written as static files under
//! `/search-index/` and searched in the reader's browser by the script beside them
//! (`search.js`), with no server.
//!
//! Articles have ids in time order, oldest first, so that "newest first" is the order of ids
//! and a new article adds to the end. The index is one inverted index for the whole archive,
//! whatever its size, cut into chunk files of about the same size: a query fetches one words
//! chunk and one postings chunk per word it has, however many articles there are.
//! - `index.json`, the manifest: the first key and file of every chunk, the facets' files, and
//!   the files of the articles' details;
//! - `w/…`: each word with its stem (the search script looks a reader's words up there, so it
//!   needs no stemmer of its own);
//! - `p/…`: each stem with the ids of the articles that have it and a weight (BM25, computed at
//!   build time);
//! - `f/…`: one file per facet (each taxonomy, then the year): each value with its articles;
//! - `m/…`: what a result shows (URL, title, date, summary, facet values), a group of
//!   consecutive ids per file.
//!
//! Every file but the manifest and the script is gzipped and named by its contents, so that
//! browsers and CDNs may keep it for ever and a rebuild changes only the files whose contents
//! change. The layouts are in [`inverted`]; the script (`client.js`) reads them.

mod inverted;
mod parts;
mod words;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::Compression;
use flate2::write::GzEncoder;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{ArticleText, RawHtml, SiteConfig};
use crate::content::KeptBody;
use crate::hash::{StableHasher, stable_hash};
use inverted::BatchWords;
use parts::Part;
pub use parts::PartCache;
use words::Stems;

/// The folder of the search bundle below the output folder.
pub const BUNDLE_DIR: &str = crate::routes::SEARCH_BUNDLE;

/// The folder below the build cache where batches of the index are kept between builds.
pub const CACHE_DIR: &str = "search";

/// The manifest, which the search page loads first.
const MANIFEST: &str = "index.json";

/// The search script, directly in [`BUNDLE_DIR`].
const SCRIPT: &str = "search.js";

/// The search script's source.
const CLIENT: &str = include_str!("client.js");

/// Files of each kind (words, postings, details) the index aims at, whatever the archive's size,
/// so that the whole bundle stays well within what static hosts accept (Cloudflare Pages: 20,000
/// files a site).
const FILES_OF_A_KIND: usize = 2_000;

/// A file of the search bundle: path below the output folder, fingerprint, and bytes unless the
/// folder it is built for has them already.
pub type BundleFile = (String, u64, Option<Vec<u8>>);

/// An output file (path below the output folder) with its fingerprint.
pub type Fingerprinted = (String, u64);

/// Why the search index could not be built.
#[derive(Debug, thiserror::Error)]
#[error("building the search index failed: {0}")]
pub struct SearchError(String);

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> SearchError {
        SearchError(format!("cannot read a part of the index: {e}"))
    }
}

impl SearchError {
    /// An error saying `what`.
    pub fn new(what: impl Into<String>) -> SearchError {
        SearchError(what.into())
    }
}

/// What the index is built with besides the articles.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Settings {
    /// The site's language (which stemmer).
    pub language: String,
    /// Whole text or summaries.
    pub scope: ArticleText,
    /// What raw HTML in bodies is.
    pub raw_html: RawHtml,
}

impl Settings {
    /// The settings of `config`.
    pub fn new(config: &SiteConfig) -> Settings {
        Settings {
            language: config.language.clone(),
            scope: config.search_content,
            raw_html: config.raw_html,
        }
    }
}

/// A facet results can be narrowed by: a taxonomy, or the year.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct Facet {
    /// Its URL parameter on the search page (`topics`, `year`).
    pub name: String,
    /// Its heading (`Topics`, `Year`).
    pub title: String,
}

/// One article as the index holds it.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    /// Its URL, as links on the site's pages give it.
    pub url: Cow<'a, str>,
    pub title: Cow<'a, str>,
    /// Its date as results show it.
    pub date: Cow<'a, str>,
    /// The summary as plain text.
    pub summary: Cow<'a, str>,
    /// The Markdown file, read again for its full text unless `kept` has it.
    pub source: Cow<'a, Path>,
    /// What is kept of its body from reading, if anything.
    pub kept: Option<Arc<KeptBody>>,
    /// A digest of its text (its body's, with full text).
    pub digest: u64,
    /// Its values of each facet.
    pub facets: Vec<Vec<Cow<'a, str>>>,
}

/// Every field but the kept body, which `digest` stands for.
impl Hash for Record<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let Record {
            url,
            title,
            date,
            summary,
            source,
            kept: _,
            digest,
            facets,
        } = self;
        (url, title, date, summary, source, digest, facets).hash(h);
    }
}

impl Record<'_> {
    /// A copy owning its text.
    fn owned(&self) -> Record<'static> {
        let own = |s: &Cow<str>| Cow::Owned(s.to_string());
        Record {
            url: own(&self.url),
            title: own(&self.title),
            date: own(&self.date),
            summary: own(&self.summary),
            source: Cow::Owned(self.source.to_path_buf()),
            kept: self.kept.clone(),
            digest: self.digest,
            facets: self
                .facets
                .iter()
                .map(|values| values.iter().map(own).collect())
                .collect(),
        }
    }

    fn borrowed(&self) -> Record<'_> {
        fn borrow(s: &str) -> Cow<'_, str> {
            Cow::Borrowed(s)
        }
        Record {
            url: borrow(&self.url),
            title: borrow(&self.title),
            date: borrow(&self.date),
            summary: borrow(&self.summary),
            source: Cow::Borrowed(self.source.as_ref()),
            kept: self.kept.clone(),
            digest: self.digest,
            facets: self
                .facets
                .iter()
                .map(|values| values.iter().map(|v| borrow(v)).collect())
                .collect(),
        }
    }
}

/// The articles to index, by id (oldest first), made one at a time as the index needs them.
pub trait Records: Sync {
    /// How many there are.
    fn count(&self) -> usize;
    /// The article with id `id`.
    fn record(&self, id: usize) -> Record<'_>;
}

impl Records for Vec<Record<'static>> {
    fn count(&self) -> usize {
        self.len()
    }

    fn record(&self, id: usize) -> Record<'_> {
        self[id].borrowed()
    }
}

/// Everything the index is built from but the articles' text: when it has not changed, neither
/// has the index. It is the manifest's fingerprint.
pub fn input_hash(settings: &Settings, facets: &[Facet], records: &dyn Records) -> u64 {
    let mut h = StableHasher::default();
    (settings, facets, CLIENT).hash(&mut h);
    // Each record hashed apart, in parallel; then the sequence of their hashes.
    let each: Vec<u64> = (0..records.count())
        .into_par_iter()
        .map(|id| {
            let mut h = StableHasher::default();
            parts::hash_record(settings, records.record(id), &mut h);
            h.finish()
        })
        .collect();
    each.hash(&mut h);
    h.finish()
}

/// The path of the search script below the output folder.
pub fn script_path() -> String {
    format!("{BUNDLE_DIR}/{SCRIPT}")
}

/// The path of the manifest below the output folder.
pub fn manifest_path() -> String {
    format!("{BUNDLE_DIR}/{MANIFEST}")
}

/// The search script's fingerprint.
pub fn script_hash() -> u64 {
    stable_hash(CLIENT)
}

/// How many articles' details one file holds: a power of two from 32, so that an archive of a
/// million articles has about [`FILES_OF_A_KIND`] of them.
fn details_per_file(articles: usize) -> usize {
    articles
        .div_ceil(FILES_OF_A_KIND)
        .next_power_of_two()
        .max(32)
}

/// Where [`build`] hands each file: its path below the output folder, its fingerprint, and
/// what makes its bytes (called only when the file is written).
pub type Emit<'e> = dyn Fn(&str, u64, &dyn Fn() -> Result<Vec<u8>, SearchError>) -> Result<(), SearchError>
    + Sync
    + 'e;

/// `bytes` gzipped, as every file of the bundle but the manifest and the script is.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>, SearchError> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(bytes)
        .and_then(|()| gz.finish())
        .map_err(|e| SearchError(e.to_string()))
}

/// The manifest: where everything is, relative to the bundle folder.
#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    articles: usize,
    /// The first word of each words chunk, with its file.
    words: Vec<(String, String)>,
    /// The first stem of each postings chunk, with its file.
    postings: Vec<(String, String)>,
    /// Articles per details file, and the files in the order of ids.
    per_file: usize,
    details: Vec<String>,
    facets: Vec<FacetFile<'a>>,
}

#[derive(Serialize)]
struct FacetFile<'a> {
    name: &'a str,
    title: &'a str,
    file: String,
}

/// Builds the index of `records` (with `facets`, and `hash` from [`input_hash`]), handing each
/// file to `emit` as soon as it is made; returns every file with its fingerprint. Batches whose
/// articles did not change since the last build are read back from `cache` (without one, the
/// parts of this build go to a temporary folder).
pub fn build(
    settings: &Settings,
    facets: &[Facet],
    records: &dyn Records,
    hash: u64,
    emit: &Emit,
    cache: Option<&PartCache>,
) -> Result<Vec<Fingerprinted>, SearchError> {
    let articles = records.count();
    let per_file = details_per_file(articles);
    // Batches of whole details files, enough of them to keep both cores busy.
    let batch = (articles / 64).max(2_048).div_ceil(per_file) * per_file;
    let indexing = parts::Indexing {
        settings,
        stems: Stems::of(&settings.language),
        facets: facets.len(),
        records,
        per_file,
    };
    // Named by a hash of the contents, compressed only when written.
    let file = |kind: &str, bytes: &[u8]| -> Result<Fingerprinted, SearchError> {
        let fingerprint = stable_hash(bytes);
        let name = format!("{kind}/{:012x}.bin", fingerprint >> 16);
        emit(&format!("{BUNDLE_DIR}/{name}"), fingerprint, &|| {
            gzip(bytes)
        })?;
        Ok((name, fingerprint))
    };
    let chunk_files = |kind: &str, chunks: Vec<(String, Vec<u8>)>| {
        chunks
            .into_par_iter()
            .map(|(key, bytes)| Ok((key, file(kind, &bytes)?)))
            .collect::<Result<Vec<(String, Fingerprinted)>, SearchError>>()
    };
    // Without a cache to keep them in, the parts live in a temporary folder for this build.
    let temporary;
    let cache = match cache {
        Some(cache) => cache,
        None => {
            temporary = PartCache::temporary()?;
            &temporary
        }
    };
    // Each batch's details files are written as soon as it is indexed: only its words and
    // facet values wait for the others (its postings wait in its file).
    let parts: Vec<(Part, Vec<Fingerprinted>)> = (0..articles.div_ceil(batch))
        .into_par_iter()
        .map(|b| {
            let ids = b * batch..((b + 1) * batch).min(articles);
            let mut part = indexing.part(ids, cache)?;
            let details = std::mem::take(&mut part.details)
                .iter()
                .map(|bytes| file("m", bytes))
                .collect::<Result<_, SearchError>>()?;
            Ok((part, details))
        })
        .collect::<Result<_, SearchError>>()?;
    cache.prune();
    let (parts, details): (Vec<Part>, Vec<Vec<Fingerprinted>>) = parts.into_iter().unzip();
    let details: Vec<Fingerprinted> = details.into_iter().flatten().collect();
    let batches: Vec<&BatchWords> = parts.iter().map(|p| &p.words).collect();
    let words = chunk_files("w", inverted::word_chunks(&batches, FILES_OF_A_KIND).chunks)?;
    // Postings chunks are written a few dozen at a time, as the merge completes them.
    let sections = parts
        .iter()
        .map(|p| Ok((p.words.start, p.postings.open()?)))
        .collect::<Result<Vec<_>, std::io::Error>>()?;
    let total = parts.iter().map(|p| p.postings.len as usize).sum();
    let mut postings = Vec::new();
    inverted::postings_chunks(sections, total, FILES_OF_A_KIND, |done| {
        postings.extend(chunk_files("p", done)?);
        Ok::<_, SearchError>(())
    })?;
    let mut facet_files = Vec::new();
    for (f, facet) in facets.iter().enumerate() {
        let mut values: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for part in &parts {
            for (value, ids) in &part.facets[f] {
                values.entry(value).or_default().extend(ids);
            }
        }
        facet_files.push((facet, file("f", &inverted::facet_file(&values))?));
    }
    let manifest = Manifest {
        version: 1,
        articles,
        words: words
            .iter()
            .map(|(k, (f, _))| (k.clone(), f.clone()))
            .collect(),
        postings: postings
            .iter()
            .map(|(k, (f, _))| (k.clone(), f.clone()))
            .collect(),
        per_file,
        details: details.iter().map(|(f, _)| f.clone()).collect(),
        facets: facet_files
            .iter()
            .map(|(facet, (f, _))| FacetFile {
                name: &facet.name,
                title: &facet.title,
                file: f.clone(),
            })
            .collect(),
    };
    let manifest = serde_json::to_vec(&manifest).map_err(|e| SearchError(e.to_string()))?;
    emit(&manifest_path(), hash, &|| Ok(manifest.clone()))?;
    emit(&script_path(), script_hash(), &|| {
        Ok(CLIENT.as_bytes().to_vec())
    })?;
    let mut files: Vec<Fingerprinted> = words
        .into_iter()
        .chain(postings)
        .map(|(_, file)| file)
        .chain(details)
        .chain(facet_files.into_iter().map(|(_, file)| file))
        .map(|(name, fingerprint)| (format!("{BUNDLE_DIR}/{name}"), fingerprint))
        .collect();
    files.push((manifest_path(), hash));
    files.push((script_path(), script_hash()));
    Ok(files)
}

/// An index to build on another thread while the site goes on changing (`serve`).
#[derive(Debug)]
pub struct Job {
    pub settings: Settings,
    pub facets: Vec<Facet>,
    pub records: Vec<Record<'static>>,
    /// The manifest's fingerprint, which says which state of the site the index is of.
    pub hash: u64,
    /// The files of the index the served folder has, with their fingerprints: they are not made
    /// again.
    pub known: HashMap<String, u64>,
    /// Where batches of the index are kept between builds.
    pub cache: Option<PathBuf>,
}

/// What a [`Job`] built: the manifest's fingerprint and the files (or why it failed).
pub type Built = (u64, Result<Vec<BundleFile>, SearchError>);

impl Job {
    /// A job indexing `records` (with `facets` and `hash` as for [`build`]) for a folder that
    /// has the index files `known`, keeping batches in `cache`.
    pub fn new(
        settings: Settings,
        facets: Vec<Facet>,
        records: &dyn Records,
        hash: u64,
        known: HashMap<String, u64>,
        cache: Option<PathBuf>,
    ) -> Job {
        Job {
            settings,
            facets,
            records: (0..records.count())
                .map(|id| records.record(id).owned())
                .collect(),
            hash,
            known,
            cache,
        }
    }

    /// Builds the index in memory.
    pub fn run(self) -> Built {
        let files = std::sync::Mutex::new(Vec::new());
        let cache = self.cache.map(PartCache::new);
        let result = build(
            &self.settings,
            &self.facets,
            &self.records,
            self.hash,
            &|path, fingerprint, bytes| {
                let bytes = match self.known.get(path) {
                    Some(&known) if known == fingerprint => None,
                    _ => Some(bytes()?),
                };
                files.lock().map_err(|e| SearchError(e.to_string()))?.push((
                    path.to_owned(),
                    fingerprint,
                    bytes,
                ));
                Ok(())
            },
            cache.as_ref(),
        );
        let files = files.into_inner().map_err(|e| SearchError(e.to_string()));
        (self.hash, result.and(files))
    }
}

/// Whether `rel` is a file of the search bundle.
pub fn is_bundle_file(rel: &str) -> bool {
    rel.strip_prefix(BUNDLE_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}
