//! Static files: the site's `static/` folder over the built-in theme's files, copied verbatim.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::content::{FileStamp, nanos_since_epoch};
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

/// Every static file of the site (below the output folder) with the file to name in errors.
pub fn paths(root: &Path, theme: &Theme) -> Result<HashMap<String, PathBuf>, OutputError> {
    let folder = root.join("static");
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
            .or_insert_with(|| theme.static_file(rel));
    }
    Ok(paths)
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
