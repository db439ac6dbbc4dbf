//! Static files: the site's `static/` folder over the built-in theme's files, copied verbatim.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::content::{Article, BUNDLE_ARTICLE, FileStamp, Resource, nanos_since_epoch};
use crate::hash::stable_hash;
use crate::output::{OutputError, static_files};
use crate::theme::{BUILTIN_STATIC, STYLESHEET, Theme};

/// Where a static file's bytes come from.
pub enum Source {
    /// A file of the site's `static/` folder.
    File(PathBuf),
    /// A file of the built-in theme.
    Builtin(&'static [u8]),
}

impl Source {
    /// The file's bytes.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'static, [u8]>, OutputError> {
        match self {
            Source::File(path) => {
                std::fs::read(path)
                    .map(std::borrow::Cow::Owned)
                    .map_err(|source| OutputError::Io {
                        path: path.clone(),
                        source,
                    })
            }
            Source::Builtin(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
        }
    }
}

/// A static file of the site.
pub struct StaticFile {
    /// Its path below the output folder, with `/` separators.
    pub rel: String,
    /// A fingerprint of what it is made from, to tell whether it needs copying again.
    pub fingerprint: u64,
    /// Where its bytes come from.
    pub source: Source,
}

/// The static files of the site at `root`: its `static/` folder, then the built-in files it does
/// not replace.
pub fn list(root: &Path) -> Result<Vec<StaticFile>, OutputError> {
    let folder = root.join("static");
    let now = nanos_since_epoch(SystemTime::now());
    let mut statics: Vec<StaticFile> = static_files(&folder)?
        .into_iter()
        .map(|rel| {
            let path = folder.join(&rel);
            let stamp = FileStamp::of(&path);
            // A file changed just now may change again without its stamp changing: then its
            // fingerprint matches nothing, and the next build copies it again.
            let unsettled = stamp.filter(|s| !crate::cache::settled(*s, now));
            StaticFile {
                fingerprint: stable_hash((&rel, stamp, unsettled.map(|_| now))),
                rel,
                source: Source::File(path),
            }
        })
        .collect();
    for (rel, bytes) in BUILTIN_STATIC {
        if !statics.iter().any(|s| s.rel == *rel) {
            statics.push(StaticFile {
                rel: (*rel).to_owned(),
                fingerprint: stable_hash((rel, bytes)),
                source: Source::Builtin(bytes),
            });
        }
    }
    Ok(statics)
}

/// The files of page bundles whose article is published, each copied beside its article's page:
/// `2016/mir/flow.svg` of an article at `/2016/03/04/mir/` goes to `2016/03/04/mir/flow.svg`.
pub fn bundle_files(resources: &[Resource], articles: &[Article]) -> Vec<StaticFile> {
    if resources.is_empty() {
        return Vec::new();
    }
    let now = nanos_since_epoch(SystemTime::now());
    let pages: HashMap<&Path, &str> = articles
        .iter()
        .filter(|a| a.meta.rel_path.rsplit('/').next() == Some(BUNDLE_ARTICLE))
        .map(|a| (a.meta.source.as_path(), a.url.as_str()))
        .collect();
    resources
        .iter()
        .filter_map(|resource| {
            let url = pages.get(resource.article.as_path())?;
            let rel = format!("{}{}", url.trim_start_matches('/'), resource.rel);
            let stamp = FileStamp::of(&resource.file);
            let unsettled = stamp.filter(|s| !crate::cache::settled(*s, now));
            Some(StaticFile {
                fingerprint: stable_hash((&rel, stamp, unsettled.map(|_| now))),
                rel,
                source: Source::File(resource.file.clone()),
            })
        })
        .collect()
}

impl StaticFile {
    /// The file it is copied from, to name in errors.
    pub fn origin(&self, theme: &Theme) -> PathBuf {
        match &self.source {
            Source::File(path) => path.clone(),
            Source::Builtin(_) => theme.static_file(&self.rel),
        }
    }
}

/// A short hash of the stylesheet pages link to: the site's own, else the built-in one.
pub fn stylesheet_version(root: &Path) -> String {
    let bytes = std::fs::read(root.join("static").join(STYLESHEET)).unwrap_or_else(|_| {
        BUILTIN_STATIC
            .iter()
            .find(|(path, _)| *path == STYLESHEET)
            .map(|(_, bytes)| bytes.to_vec())
            .unwrap_or_default()
    });
    format!("{:08x}", stable_hash(bytes) as u32)
}
