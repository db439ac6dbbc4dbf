//! What a deploy does, decided by content: the site's files whose bytes the bucket lacks are
//! uploaded, the bucket's objects the site no longer has are deleted, the rest stay.

use std::collections::{HashMap, HashSet};

use super::local::LocalFile;
use super::s3::RemoteObject;

/// Why a file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The bucket has no object at its key.
    New,
    /// The bucket's object has other bytes.
    Changed,
}

/// The changes a deploy makes.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to upload (positions in the site's file list), assets first and HTML pages last, so
    /// that a page never goes live before what it links to.
    pub uploads: Vec<(usize, Change)>,
    /// Keys (below the prefix) of objects to delete.
    pub deletes: Vec<String>,
    /// Files the bucket already holds as they are.
    pub unchanged: usize,
}

/// What the listing tells of one file.
pub enum Verdict {
    /// Upload it, for this reason.
    Upload(Change),
    /// Same bytes: leave it.
    Same,
    /// Same size but the ETag does not tell: it is not an MD5 (a multipart upload, a service
    /// that gives none), or it differs and may not be one (SSE-KMS encrypted objects have an
    /// ETag of MD5's shape that is not their MD5). The MD5 stored in the metadata decides.
    AskStoredMd5,
}

/// Compares one file with the bucket's object at its key.
pub fn verdict(file: &LocalFile, remote: Option<&RemoteObject>) -> Verdict {
    let Some(remote) = remote else {
        return Verdict::Upload(Change::New);
    };
    if remote.size != file.size {
        return Verdict::Upload(Change::Changed);
    }
    match &remote.etag {
        Some(etag) if is_md5(etag) && etag.eq_ignore_ascii_case(&file.md5) => Verdict::Same,
        _ => Verdict::AskStoredMd5,
    }
}

/// Whether an ETag has the shape of an MD5 (a single-part upload's is one).
fn is_md5(etag: &str) -> bool {
    etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The objects to delete: those below the prefix that the site does not have.
pub fn deletes(local: &[LocalFile], remote: &HashMap<String, RemoteObject>) -> Vec<String> {
    let keep: HashSet<&str> = local.iter().map(|f| f.path.as_str()).collect();
    let mut deletes: Vec<String> = remote
        .keys()
        .filter(|key| !keep.contains(key.as_str()))
        .cloned()
        .collect();
    deletes.sort();
    deletes
}

/// When a file goes out: everything else (0), then feeds, sitemaps and the search manifest (1,
/// once the files they name are there), then pages (2).
fn rank(path: &str) -> u8 {
    if path.ends_with(".html") {
        2
    } else if path.ends_with(".xml")
        || path.ends_with("feed.json")
        || path == crate::search::manifest_path()
    {
        1
    } else {
        0
    }
}

/// Puts uploads in the order they go out, by [`rank`] and then path.
pub fn order_uploads(local: &[LocalFile], uploads: &mut [(usize, Change)]) {
    uploads.sort_by(|a, b| {
        let (pa, pb) = (&local[a.0].path, &local[b.0].path);
        rank(pa).cmp(&rank(pb)).then_with(|| pa.cmp(pb))
    });
}

/// Ordered uploads split where the rank changes: each group goes out once the one before it
/// is complete.
pub fn groups<'u>(
    local: &[LocalFile],
    uploads: &'u [(usize, Change)],
) -> Vec<&'u [(usize, Change)]> {
    uploads
        .chunk_by(|a, b| rank(&local[a.0].path) == rank(&local[b.0].path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, md5: &str, size: u64) -> LocalFile {
        LocalFile {
            path: path.to_owned(),
            size,
            md5: md5.to_owned(),
            gzip: false,
            headers: Vec::new(),
        }
    }

    fn object(key: &str, etag: Option<&str>, size: u64) -> RemoteObject {
        RemoteObject {
            key: key.to_owned(),
            size,
            etag: etag.map(str::to_owned),
        }
    }

    #[test]
    fn content_decides_not_time() {
        let md5 = "0123456789abcdef0123456789abcdef";
        let local = file("index.html", md5, 10);
        let verdict_of = |remote: Option<RemoteObject>| verdict(&local, remote.as_ref());
        assert!(matches!(verdict_of(None), Verdict::Upload(Change::New)));
        assert!(matches!(
            verdict_of(Some(object("index.html", Some(&md5.to_uppercase()), 10))),
            Verdict::Same
        ));
        assert!(matches!(
            verdict_of(Some(object(
                "index.html",
                Some("ffffffffffffffffffffffffffffffff"),
                10
            ))),
            Verdict::AskStoredMd5
        ));
        assert!(matches!(
            verdict_of(Some(object("index.html", Some(md5), 11))),
            Verdict::Upload(Change::Changed)
        ));
        assert!(matches!(
            verdict_of(Some(object(
                "index.html",
                Some("0123456789abcdef0123456789abcdef-2"),
                10
            ))),
            Verdict::AskStoredMd5
        ));
        assert!(matches!(
            verdict_of(Some(object("index.html", None, 10))),
            Verdict::AskStoredMd5
        ));
    }

    #[test]
    fn pages_go_out_after_what_they_link_to() {
        let local = vec![
            file("a/index.html", "", 1),
            file("atom.xml", "", 1),
            file("css/annals.css", "", 1),
            file("index.html", "", 1),
            file("search-index/index.json", "", 1),
            file("search-index/p/0a1b2c3d4e5f.bin", "", 1),
        ];
        let mut uploads: Vec<(usize, Change)> =
            (0..local.len()).map(|i| (i, Change::New)).collect();
        order_uploads(&local, &mut uploads);
        let order: Vec<&str> = uploads
            .iter()
            .map(|(i, _)| local[*i].path.as_str())
            .collect();
        let sizes: Vec<usize> = groups(&local, &uploads).iter().map(|g| g.len()).collect();
        assert_eq!(sizes, [2, 2, 2]);
        assert_eq!(
            order,
            [
                "css/annals.css",
                "search-index/p/0a1b2c3d4e5f.bin",
                "atom.xml",
                "search-index/index.json",
                "a/index.html",
                "index.html"
            ]
        );
    }
}
