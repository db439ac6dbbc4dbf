//! The build cache, `.annals-cache/` in the site root: what the last build read of every article
//! and a fingerprint of every file it wrote. With it, the next `annals build` reads only the
//! articles whose files changed and writes only the files whose fingerprint changed.
//!
//! The cache is only a shortcut: it is ignored (and the site built from scratch) when it is
//! missing, unreadable, written by another version of Annals, or made for other settings,
//! templates or another output folder.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::content::{Article, ArticleMeta, FileStamp, Readings, nanos_since_epoch};
use crate::hash::StableHasher;
use crate::markdown::ArticleBody;
use crate::site::BuildOptions;
use crate::theme::Theme;

/// The cache folder, in the site root.
pub const CACHE_DIR: &str = ".annals-cache";

/// The cache file in [`CACHE_DIR`] of builds to the output folder `output`.
fn cache_file(root: &Path, output: &Path) -> PathBuf {
    let id = crate::hash::stable_hash(output);
    root.join(CACHE_DIR).join(format!("build-{id:016x}.bin"))
}

/// Changes whenever the cache's layout does, with the version of Annals.
const FORMAT: &str = concat!("annals-cache-4-", env!("CARGO_PKG_VERSION"));

/// Files changed less than this long before a build may change again within the file system's
/// clock tick without their time changing, so the next build reads them again.
const RACY_MARGIN_NS: u64 = 2_000_000_000;

/// An article as the last build read it: its front matter and what listings need of its body.
#[derive(Debug, Clone, Deserialize)]
struct CachedArticle {
    /// The file's stamp when it was read.
    pub stamp: FileStamp,
    /// Its front matter.
    pub meta: ArticleMeta,
    /// Its body, as read (links are resolved again by every build).
    pub body: ArticleBody,
}

/// The same, borrowed from a build, to be written.
#[derive(Serialize)]
struct CachedArticleRef<'a> {
    stamp: FileStamp,
    meta: &'a ArticleMeta,
    body: &'a ArticleBody,
}

/// Articles per chunk of the cache file; chunks are written and read in parallel.
const CHUNK: usize = 1024;

/// A chunk of the cache file: the encoded articles, as bytes.
struct Chunk<'a>(&'a [u8]);

impl Serialize for Chunk<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Chunk<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(d).map(Chunk)
    }
}

/// Chunks of the cache file encoded at once (in parallel) while it is written: the encoded
/// articles of a large archive are never all in memory (a million articles make about 600 MB).
const WINDOW: usize = 16;

/// The articles of a cache file as it is written: [`Stored::articles`], encoded [`WINDOW`]
/// chunks at a time as they are written.
struct EncodedArticles<'a>(&'a [CachedArticleRef<'a>]);

impl Serialize for EncodedArticles<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.0.len().div_ceil(CHUNK)))?;
        for window in self.0.chunks(CHUNK * WINDOW) {
            let encoded: Vec<Vec<u8>> = window
                .par_chunks(CHUNK)
                .map(postcard::to_allocvec)
                .collect::<Result<_, _>>()
                .map_err(S::Error::custom)?;
            for bytes in &encoded {
                seq.serialize_element(&Chunk(bytes))?;
            }
        }
        seq.end()
    }
}

/// The cache file as it is written: [`Stored`]'s fields, in its order.
#[derive(Serialize)]
struct Storing<'a> {
    format: &'a str,
    key: u64,
    started_ns: u64,
    output: &'a Path,
    output_stamp: Option<FileStamp>,
    articles: EncodedArticles<'a>,
    files: &'a HashMap<String, u64>,
}

/// The cache file.
#[derive(Deserialize)]
struct Stored<'a> {
    format: &'a str,
    key: u64,
    started_ns: u64,
    output: PathBuf,
    output_stamp: Option<FileStamp>,
    /// Chunks of encoded articles.
    #[serde(borrow)]
    articles: Vec<Chunk<'a>>,
    files: HashMap<String, u64>,
}

/// Whether a file with `stamp`, read at `read_ns`, was read in its final state for sure: it had
/// not changed within [`RACY_MARGIN_NS`] before.
pub fn settled(stamp: FileStamp, read_ns: u64) -> bool {
    stamp.last_change_ns().saturating_add(RACY_MARGIN_NS) < read_ns
}

/// What the last build read and wrote.
#[derive(Debug)]
pub struct BuildCache {
    /// When the last build began reading files.
    started_ns: u64,
    /// The output folder it wrote.
    output: PathBuf,
    /// The output folder's own stamp after the build: a folder emptied, replaced or restored
    /// from elsewhere since has another.
    output_stamp: Option<FileStamp>,
    /// The articles it read, by path below `content/`.
    articles: HashMap<String, CachedArticle>,
    /// Every file it wrote below the output folder, with a fingerprint of what made it.
    pub files: HashMap<String, u64>,
}

/// The key of a build's cache: a hash of its inputs other than articles (the site folder,
/// settings, templates, the stylesheet, and the command-line options that change pages). A cache
/// made with another key is not used.
pub fn key(options: &BuildOptions, theme: &Theme, css_version: &str) -> u64 {
    let root = &options.root;
    let settings = std::fs::read(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    let mut h = StableHasher::default();
    std::path::absolute(root).unwrap_or_default().hash(&mut h);
    settings.hash(&mut h);
    (&options.base_url, options.drafts, options.future).hash(&mut h);
    (theme.fingerprint, css_version).hash(&mut h);
    h.finish()
}

impl BuildCache {
    /// The cache of the last build in `root` to `output`, when there is one made with the same
    /// `key`.
    pub fn load(root: &Path, key: u64, output: &Path) -> Option<BuildCache> {
        let bytes = std::fs::read(cache_file(root, output)).ok()?;
        let stored: Stored = postcard::from_bytes(&bytes).ok()?;
        if stored.format != FORMAT || stored.key != key || stored.output != output {
            return None;
        }
        let chunks: Vec<Vec<CachedArticle>> = stored
            .articles
            .par_iter()
            .map(|chunk| postcard::from_bytes(chunk.0))
            .collect::<Result<_, _>>()
            .ok()?;
        Some(BuildCache {
            started_ns: stored.started_ns,
            output: stored.output,
            output_stamp: stored.output_stamp,
            articles: chunks
                .into_iter()
                .flatten()
                .map(|a| (a.meta.rel_path.clone(), a))
                .collect(),
            files: stored.files,
        })
    }

    /// Whether the cache describes the folder `output` as it is now: the folder the build wrote,
    /// not replaced or changed at its top since.
    pub fn describes(&self, output: &Path) -> bool {
        self.output == output
            && self.output_stamp.is_some()
            && self.output_stamp == FileStamp::of(output)
    }

    /// Deletes the cache of builds in `root` to `output`, which a build without the cache makes
    /// out of date.
    pub fn forget(root: &Path, output: &Path) {
        // Nothing to do when there is none.
        let _ = std::fs::remove_file(cache_file(root, output));
    }
}

impl Readings for BuildCache {
    /// The cached reading of the article at `rel`, if its file still has the same `stamp` and did
    /// not change too close to the last build to tell.
    fn take(&mut self, rel: &str, stamp: FileStamp) -> Option<(ArticleMeta, ArticleBody)> {
        let cached = self.articles.remove(rel)?;
        (cached.stamp == stamp && settled(stamp, self.started_ns))
            .then_some((cached.meta, cached.body))
    }
}

/// What a build leaves for the next one.
pub struct CacheRecord<'a> {
    /// The build's key.
    pub key: u64,
    /// When it began reading files.
    pub started: SystemTime,
    /// The output folder written.
    pub output: &'a Path,
    /// Its stamp once written.
    pub output_stamp: Option<FileStamp>,
    /// The articles read.
    pub articles: &'a [Article],
    /// Every file written, with its fingerprint.
    pub files: &'a HashMap<String, u64>,
}

impl CacheRecord<'_> {
    /// Writes the cache into `root`, replacing the old one in one step.
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        let dir = root.join(CACHE_DIR);
        std::fs::create_dir_all(&dir)?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "*\n")?;
        }
        let cacheable: Vec<CachedArticleRef> = self
            .articles
            .iter()
            .filter_map(|a| {
                Some(CachedArticleRef {
                    stamp: a.stamp?,
                    meta: &a.meta,
                    body: &a.body,
                })
            })
            .collect();
        let stored = Storing {
            format: FORMAT,
            key: self.key,
            started_ns: nanos_since_epoch(self.started),
            output: self.output,
            output_stamp: self.output_stamp,
            articles: EncodedArticles(&cacheable),
            files: self.files,
        };
        let path = cache_file(root, self.output);
        let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
        let mut file =
            std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temporary)?);
        postcard::to_io(&stored, &mut file).map_err(std::io::Error::other)?;
        file.flush()?;
        drop(file);
        std::fs::rename(&temporary, path)
    }
}
