//! The built site as a deploy sees it: each file Annals wrote, with the bytes to store (gzipped
//! where a matcher says so), their MD5 and the headers to store them with.

use std::io::Write;
use std::path::Path;

use flate2::{Compression, GzBuilder};
use md5::{Digest, Md5};
use rayon::prelude::*;

use super::config::HeaderRules;
use super::s3::MD5_HEADER;
use crate::progress::Progress;

/// A file of the site, ready to compare with the bucket.
#[derive(Debug, Clone)]
pub struct LocalFile {
    /// Its path below the output folder with `/` separators: its key below the prefix.
    pub path: String,
    /// The size of the bytes to store.
    pub size: u64,
    /// The MD5 of the bytes to store, in lower-case hex.
    pub md5: String,
    /// Whether the bytes to store are the file gzipped.
    pub gzip: bool,
    /// The headers to store it with: `content-type`, `cache-control`, `content-encoding` and
    /// the MD5 as metadata.
    pub headers: Vec<(&'static str, String)>,
}

impl LocalFile {
    /// Reads the file at `path` below `output` and works out what to store.
    fn read(output: &Path, path: &str, rules: &HeaderRules) -> Result<LocalFile, String> {
        let matcher = rules.matching(path);
        let gzip = matcher.is_some_and(|m| m.gzip);
        let bytes = stored_bytes(output, path, gzip)?;
        let md5 = hex(&Md5::digest(&bytes));
        let content_type = matcher
            .and_then(|m| m.content_type.clone())
            .unwrap_or_else(|| crate::media::content_type(path));
        let mut headers = vec![("content-type", content_type)];
        if let Some(cache_control) = matcher.and_then(|m| m.cache_control.clone()) {
            headers.push(("cache-control", cache_control));
        }
        if gzip {
            headers.push(("content-encoding", "gzip".to_owned()));
        }
        headers.push((MD5_HEADER, md5.clone()));
        Ok(LocalFile {
            path: path.to_owned(),
            size: bytes.len() as u64,
            md5,
            gzip,
            headers,
        })
    }

    /// The bytes to store, read again; an error if the file changed since it was compared.
    pub fn bytes(&self, output: &Path) -> Result<Vec<u8>, String> {
        let bytes = stored_bytes(output, &self.path, self.gzip)?;
        if hex(&Md5::digest(&bytes)) != self.md5 {
            return Err(format!(
                "{} changed while deploying (is a build running?)",
                self.path
            ));
        }
        Ok(bytes)
    }
}

/// Reads every file of `files` below `output`, in parallel, keeping their order.
pub fn read_all(
    output: &Path,
    files: Vec<String>,
    rules: &HeaderRules,
    progress: &dyn Progress,
) -> Result<Vec<LocalFile>, String> {
    progress.stage("Reading the site", files.len());
    files
        .par_iter()
        .map(|path| {
            let file = LocalFile::read(output, path, rules);
            progress.advance(1);
            file
        })
        .collect()
}

/// The file's bytes, gzipped the same way every time when `gzip` is set (no name, no time, best
/// compression), so that an unchanged file keeps its MD5.
fn stored_bytes(output: &Path, path: &str, gzip: bool) -> Result<Vec<u8>, String> {
    let file = output.join(path);
    let bytes = std::fs::read(&file).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{}: the build's record lists it but it is missing; run `annals build` again",
                file.display()
            )
        } else {
            format!("{}: {e}", file.display())
        }
    })?;
    if !gzip {
        return Ok(bytes);
    }
    let mut encoder = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::with_capacity(bytes.len() / 3), Compression::best());
    encoder
        .write_all(&bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// Bytes in lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
