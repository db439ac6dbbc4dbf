//! Finding article files under `content/`.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, slash_path};

/// The name of the article of a page bundle: `content/2016/mir/index.md` makes `2016/mir/` a
/// bundle, whose other files are published beside the article's page.
pub const BUNDLE_ARTICLE: &str = "index.md";

/// What `content/` holds.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The Markdown articles, at any depth, sorted by path.
    pub articles: Vec<PathBuf>,
    /// The other files of page bundles, published beside their article's page.
    pub resources: Vec<Resource>,
    /// Files that are neither articles nor in a bundle: not published.
    pub orphans: Vec<PathBuf>,
}

/// A file of a page bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The file.
    pub file: PathBuf,
    /// The bundle's article (its `index.md`).
    pub article: PathBuf,
    /// Its path below the bundle's folder, with `/` separators (`data/table.csv`).
    pub rel: String,
}

/// Lists what `content_dir` holds: every Markdown article at any depth, the files of page
/// bundles, and the files that are neither.
///
/// A folder below `content_dir` with an `index.md` is a page bundle: that file is its article,
/// and every other file in the folder and its subfolders (Markdown files and bundles within
/// included) belongs to it. Hidden files and folders (starting with `.`) and editor files
/// (`#draft.md#`, `draft.md~`, `.#draft.md`) are skipped. Symbolic links are not followed, so
/// nothing outside the folder is read.
pub fn discover(content_dir: &Path) -> Result<Discovered, Vec<Diagnostic>> {
    let mut found = Discovered::default();
    let mut errors = Vec::new();
    let mut bundle: Option<PathBuf> = None;
    let walker = WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(content_dir).to_path_buf();
                errors.push(Diagnostic::new(path, format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        if bundle.as_ref().is_some_and(|b| !path.starts_with(b)) {
            bundle = None;
        }
        if entry.file_type().is_dir() {
            if bundle.is_none() && entry.depth() > 0 && path.join(BUNDLE_ARTICLE).is_file() {
                bundle = Some(path.to_path_buf());
            }
            continue;
        }
        if !entry.file_type().is_file() || is_ignored(path) {
            continue;
        }
        match &bundle {
            Some(folder) if path != folder.join(BUNDLE_ARTICLE) => {
                found.resources.push(Resource {
                    file: path.to_path_buf(),
                    article: folder.join(BUNDLE_ARTICLE),
                    rel: slash_path(path, folder),
                });
            }
            _ if is_article_name(entry.file_name()) => found.articles.push(entry.into_path()),
            _ => found.orphans.push(entry.into_path()),
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

/// Whether the file at `path` below `content_dir` belongs to a page bundle's structure: it is a
/// bundle's article (`index.md`), or some folder above it has one, so that it is a file of that
/// bundle. A change to such a file can change what is an article.
pub fn in_bundle(content_dir: &Path, path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == BUNDLE_ARTICLE)
        || path
            .ancestors()
            .skip(1)
            .take_while(|folder| *folder != content_dir && folder.starts_with(content_dir))
            .any(|folder| folder.join(BUNDLE_ARTICLE).is_file())
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Whether a file name is an article's: `*.md`, not hidden, not an editor's file.
pub fn is_article_name(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.ends_with(".md") && n.len() > 3 && !is_ignored_name(n))
}

/// Whether a path names no source file: a hidden file, or an editor's backup, swap or
/// temporary file (`.x.md`, `#x.md#`, `x.md~`, `x.swp`, `x.tmp`).
pub fn is_ignored(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_none_or(is_ignored_name)
}

fn is_ignored_name(name: &str) -> bool {
    name.starts_with(['.', '#'])
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(root: &Path, paths: &[&str]) {
        for path in paths {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, "x").unwrap();
        }
    }

    fn rel(root: &Path, paths: &[PathBuf]) -> Vec<String> {
        paths.iter().map(|p| slash_path(p, root)).collect()
    }

    #[test]
    fn finds_markdown_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        files(
            root,
            &[
                "a.md",
                "2024/06/b.md",
                "notes.txt",
                ".hidden.md",
                "#c.md#",
                "d.md~",
                ".git/e.md",
            ],
        );
        assert!(is_ignored(Path::new("content/.a.md.swp")));
        assert!(is_ignored(Path::new("content/a.md.tmp")));
        assert!(!is_ignored(Path::new("static/logo.png")));
        let found = discover(root).unwrap();
        assert_eq!(rel(root, &found.articles), ["2024/06/b.md", "a.md"]);
        assert_eq!(rel(root, &found.orphans), ["notes.txt"]);
        assert!(found.resources.is_empty());
    }

    #[test]
    fn a_folder_with_an_index_is_a_bundle_of_everything_below_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        files(
            root,
            &[
                "index.md",
                "2016/mir/index.md",
                "2016/mir/flow.svg",
                "2016/mir/data/table.csv",
                "2016/mir/notes.md",
                "2016/mir/part/index.md",
                "2016/mir/.DS_Store",
                "2016/other.md",
                "2017/zz/index.md",
            ],
        );
        let found = discover(root).unwrap();
        assert_eq!(
            rel(root, &found.articles),
            [
                "2016/mir/index.md",
                "2016/other.md",
                "2017/zz/index.md",
                "index.md"
            ]
        );
        let resources: Vec<(String, String, String)> = found
            .resources
            .iter()
            .map(|r| {
                (
                    slash_path(&r.file, root),
                    slash_path(&r.article, root),
                    r.rel.clone(),
                )
            })
            .collect();
        let mir = "2016/mir/index.md".to_owned();
        assert_eq!(
            resources,
            [
                (
                    "2016/mir/data/table.csv".to_owned(),
                    mir.clone(),
                    "data/table.csv".to_owned()
                ),
                (
                    "2016/mir/flow.svg".to_owned(),
                    mir.clone(),
                    "flow.svg".to_owned()
                ),
                (
                    "2016/mir/notes.md".to_owned(),
                    mir.clone(),
                    "notes.md".to_owned()
                ),
                (
                    "2016/mir/part/index.md".to_owned(),
                    mir,
                    "part/index.md".to_owned()
                ),
            ]
        );
    }
}
