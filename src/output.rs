//! Writing the site: everything goes to a staging folder next to the output folder, which replaces
//! the old output only once the whole build has succeeded.
//!
//! A failed build (or one that stops half way) leaves the previous site as it was, and files of
//! deleted articles never linger, since every build starts from an empty folder.

use std::io;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;
use walkdir::WalkDir;

use crate::diagnostics::slash_path;

/// Why the output could not be written.
#[derive(Debug, Error)]
pub enum OutputError {
    /// The output folder would overwrite or delete something it must not.
    #[error("refusing to write the site to {path}: {reason}")]
    Unsafe {
        /// The output folder asked for.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// A file system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An absolute path with `.` and `..` resolved and symbolic links of existing parts followed.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut resolved = PathBuf::new();
    for component in std::path::absolute(path)?.components() {
        match component {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => {
                resolved.push(other);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    Ok(resolved)
}

/// Refuses output folders that would destroy the site's sources: `/`, the site root, a folder that
/// holds the site root or a `content/` folder, and anything inside `content/`, `templates/` or
/// `static/`. Returns the resolved output path.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<PathBuf, OutputError> {
    let refuse = |reason: &str| OutputError::Unsafe {
        path: output.to_path_buf(),
        reason: reason.to_owned(),
    };
    let out = resolve(output).map_err(io_error(output))?;
    let root = resolve(root).map_err(io_error(root))?;
    if out.parent().is_none() {
        return Err(refuse("it is the file system root"));
    }
    if root.starts_with(&out) {
        return Err(refuse("it is, or contains, the site root"));
    }
    if out.join("content").exists() {
        return Err(refuse("it contains a content/ folder"));
    }
    for source in ["content", "templates", "static"] {
        if out.starts_with(root.join(source)) {
            return Err(refuse(&format!("it is inside the site's {source}/ folder")));
        }
    }
    if out.exists() && !out.is_dir() {
        return Err(refuse("it exists and is not a folder"));
    }
    Ok(out)
}

/// A folder the new site is written into, swapped in by [`Staging::commit`] and removed if the
/// build fails.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder beside `target` (so the final rename stays on one disk).
    pub fn create(target: &Path) -> Result<Staging, OutputError> {
        let parent = target.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let name = target
            .file_name()
            .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
        recover_leftovers(parent, &name, target)?;
        let dir = parent.join(format!(".{name}.annals-tmp-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        std::fs::create_dir(&dir).map_err(io_error(&dir))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
        })
    }

    /// Writes a file at `rel` (with `/` separators) below the staging folder. When the current
    /// output already has that file with the same bytes, the file itself is carried over (a hard
    /// link), so its modification time stays and deploy tools that compare times skip it.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let current = self.target.join(rel);
        let unchanged = std::fs::metadata(&current).is_ok_and(|m| m.len() == bytes.len() as u64)
            && std::fs::read(&current).is_ok_and(|old| old == bytes);
        if unchanged && std::fs::hard_link(&current, &path).is_ok() {
            return Ok(());
        }
        std::fs::write(&path, bytes).map_err(io_error(&path))
    }

    /// Copies the files [`static_files`] lists into the staging folder; returns their paths.
    pub fn copy_tree(&self, source: &Path) -> Result<Vec<String>, OutputError> {
        let files = static_files(source)?;
        for rel in &files {
            let path = source.join(rel);
            let bytes = std::fs::read(&path).map_err(io_error(&path))?;
            self.write(rel, &bytes)?;
        }
        Ok(files)
    }

    /// Replaces the output folder with the staging folder.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let old = self.dir.with_file_name(
            self.dir
                .file_name()
                .map(|n| n.to_string_lossy().replace("annals-tmp", "annals-old"))
                .unwrap_or_default(),
        );
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(io_error(&self.target))?;
        }
        if let Err(source) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                // Put the previous site back; the new one stays in staging and is removed on drop.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(OutputError::Io {
                path: self.target.clone(),
                source,
            });
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old).map_err(io_error(&old))?;
        }
        Ok(())
    }
}

/// The files under `source` that a build copies verbatim, relative to it with `/` separators:
/// links are not followed and hidden files and folders are skipped.
pub fn static_files(source: &Path) -> Result<Vec<String>, OutputError> {
    let mut files = Vec::new();
    if !source.is_dir() {
        return Ok(files);
    }
    let walker = WalkDir::new(source)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|e| OutputError::Io {
            path: e.path().unwrap_or(source).to_path_buf(),
            source: e.into(),
        })?;
        if entry.file_type().is_file() {
            files.push(slash_path(entry.path(), source));
        }
    }
    Ok(files)
}

/// Cleans up after builds that were killed: their staging folders are removed, and if one was
/// killed between moving the old site aside and moving the new one in, the old site goes back.
/// Folders of builds still running (on this machine, by process id) are left alone.
fn recover_leftovers(parent: &Path, name: &str, target: &Path) -> Result<(), OutputError> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&format!(".{name}.annals-")) else {
            continue;
        };
        let (kind, pid) = rest.split_once('-').unwrap_or((rest, ""));
        let running = pid.parse::<u32>().is_ok_and(|pid| {
            Path::new(&format!("/proc/{pid}")).exists() || pid == std::process::id()
        });
        if running || !Path::new("/proc/self").exists() {
            continue;
        }
        let path = entry.path();
        if kind == "old" && !target.exists() {
            std::fs::rename(&path, target).map_err(io_error(&path))?;
        } else if kind == "tmp" || kind == "old" {
            std::fs::remove_dir_all(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_output_dir(&root, Path::new("/")).is_err());
        assert!(check_output_dir(&root, &root).is_err());
        assert!(check_output_dir(&root, dir.path()).is_err());
        assert!(check_output_dir(&root, &root.join("content/out")).is_err());
        assert!(check_output_dir(&root, &root.join("public/../content")).is_err());
        assert!(check_output_dir(&root, &root.join("public")).is_ok());
    }

    #[test]
    fn unchanged_files_keep_their_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let staging = Staging::create(&target).unwrap();
        staging.write("same.html", b"same").unwrap();
        staging.write("changed.html", b"old").unwrap();
        staging.commit().unwrap();
        let before = |f: &str| {
            std::fs::metadata(target.join(f))
                .unwrap()
                .modified()
                .unwrap()
        };
        let (same, changed) = (before("same.html"), before("changed.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));
        let staging = Staging::create(&target).unwrap();
        staging.write("same.html", b"same").unwrap();
        staging.write("changed.html", b"new").unwrap();
        staging.commit().unwrap();
        assert_eq!(before("same.html"), same);
        assert_ne!(before("changed.html"), changed);
        assert_eq!(std::fs::read(target.join("changed.html")).unwrap(), b"new");
    }

    #[test]
    fn leftovers_of_killed_builds_are_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        // A build killed after moving the old site aside: process 999999 is not running.
        std::fs::create_dir_all(dir.path().join(".public.annals-old-999999")).unwrap();
        std::fs::write(
            dir.path().join(".public.annals-old-999999/index.html"),
            "old",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join(".public.annals-tmp-999999/half")).unwrap();
        let staging = Staging::create(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
        assert!(!dir.path().join(".public.annals-tmp-999999").exists());
        drop(staging);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn commit_replaces_and_drop_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("stale.html"), "old").unwrap();
        let staging = Staging::create(&target).unwrap();
        staging.write("a/index.html", b"new").unwrap();
        staging.commit().unwrap();
        assert!(!target.join("stale.html").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("a/index.html")).unwrap(),
            "new"
        );

        let staging = Staging::create(&target).unwrap();
        staging.write("b.html", b"x").unwrap();
        drop(staging);
        assert!(target.join("a/index.html").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
