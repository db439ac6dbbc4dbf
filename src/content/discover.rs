//! Finding article files under `content/`.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// Lists every Markdown article under `content_dir`, at any depth, sorted by path.
///
/// Only files ending in `.md` count; hidden files and folders (starting with `.`), editor files
/// (`#draft.md#`, `draft.md~`, `.#draft.md`) and anything else are skipped. Symbolic links are not
/// followed, so nothing outside the folder is read.
pub fn discover(content_dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() && is_article_name(entry.file_name()) => {
                files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(content_dir).to_path_buf();
                errors.push(Diagnostic::new(path, format!("cannot read: {e}")));
            }
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
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

    #[test]
    fn finds_markdown_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "a.md",
            "2024/06/b.md",
            "notes.txt",
            ".hidden.md",
            "#c.md#",
            "d.md~",
            ".git/e.md",
        ] {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, "x").unwrap();
        }
        assert!(is_ignored(Path::new("content/.a.md.swp")));
        assert!(is_ignored(Path::new("content/a.md.tmp")));
        assert!(!is_ignored(Path::new("static/logo.png")));
        let found: Vec<_> = discover(root)
            .unwrap()
            .into_iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(found, ["2024/06/b.md", "a.md"]);
    }
}
