//! Writing the site: everything goes to a staging folder next to the output folder first.
//!
//! A full build stages the whole site, which replaces the old output only once the whole build
//! has succeeded; files of deleted articles never linger, since such a build starts from an empty
//! folder. An incremental build stages a patch: only the files that changed, with the list of
//! files to remove. Once the patch is complete it is marked committed and moved into the output
//! file by file; a build killed while moving it is finished by the next one.
//!
//! Either way a failed build (or one killed before its commit) leaves the previous site as it
//! was.

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

/// A folder the new site, or a patch to the current one, is written into: moved into place by
/// [`Staging::commit`], removed if the build fails.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    /// Where files go: `dir` for a whole site, `dir/site` for a patch.
    files: PathBuf,
    /// For a patch: the files to remove from the output.
    removed: Option<Vec<String>>,
    committed: bool,
}

/// In a patch folder, the list of files to remove; its presence marks the patch committed.
const REMOVED_LIST: &str = "removed";

impl Staging {
    /// Creates an empty staging folder for a whole site beside `target` (so the final rename stays
    /// on one disk).
    pub fn create(target: &Path) -> Result<Staging, OutputError> {
        Staging::new(target, "tmp")
    }

    /// Creates a staging folder for a patch to the site in `target`: only the files written and
    /// those given to [`Staging::remove`] change.
    pub fn patch(target: &Path) -> Result<Staging, OutputError> {
        let mut staging = Staging::new(target, "patch")?;
        staging.files = staging.dir.join("site");
        staging.removed = Some(Vec::new());
        Ok(staging)
    }

    fn new(target: &Path, kind: &str) -> Result<Staging, OutputError> {
        let parent = target.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let name = target
            .file_name()
            .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
        recover_leftovers(parent, &name, target)?;
        let dir = parent.join(format!(".{name}.annals-{kind}-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        std::fs::create_dir(&dir).map_err(io_error(&dir))?;
        Ok(Staging {
            target: target.to_path_buf(),
            files: dir.clone(),
            dir,
            removed: None,
            committed: false,
        })
    }

    /// Writes a file at `rel` (with `/` separators). When the current output already has that
    /// file with the same bytes, the file itself is kept (in a whole site, carried over as a hard
    /// link), so its modification time stays and deploy tools that compare times skip it.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let current = self.target.join(rel);
        let unchanged = std::fs::metadata(&current).is_ok_and(|m| m.len() == bytes.len() as u64)
            && std::fs::read(&current).is_ok_and(|old| old == bytes);
        if unchanged && self.removed.is_some() {
            return Ok(());
        }
        let path = self.files.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        if unchanged && std::fs::hard_link(&current, &path).is_ok() {
            return Ok(());
        }
        std::fs::write(&path, bytes).map_err(io_error(&path))
    }

    /// In a patch, removes the file at `rel` from the output on commit; a whole site has only the
    /// files written to it anyway.
    pub fn remove(&mut self, rel: String) {
        if let Some(removed) = &mut self.removed {
            removed.push(rel);
        }
    }

    /// Replaces the output folder with the staging folder, or applies the patch to it.
    pub fn commit(mut self) -> Result<(), OutputError> {
        if let Some(removed) = &self.removed {
            let list = self.dir.join(REMOVED_LIST);
            let pending = list.with_extension("tmp");
            std::fs::write(&pending, removed.join("\0")).map_err(io_error(&pending))?;
            // The commit: from here on the patch is applied, if need be by the next build.
            std::fs::rename(&pending, &list).map_err(io_error(&list))?;
            self.committed = true;
            return apply_patch(&self.dir, &self.target);
        }
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
        // A leftover with this process's id comes from an earlier process that had the same id.
        let running = pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists()
        });
        if running || !Path::new("/proc/self").exists() {
            continue;
        }
        let path = entry.path();
        if kind == "old" && !target.exists() {
            std::fs::rename(&path, target).map_err(io_error(&path))?;
        } else if kind == "patch" && path.join(REMOVED_LIST).exists() && target.is_dir() {
            // A patch that cannot be finished is dropped; the build cache was removed before it
            // was committed, so the build that follows writes the whole site again.
            if apply_patch(&path, target).is_err() {
                std::fs::remove_dir_all(&path).map_err(io_error(&path))?;
            }
        } else if kind == "tmp" || kind == "old" || kind == "patch" {
            std::fs::remove_dir_all(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

/// Moves the files of the committed patch in `dir` into `target`, removes the files it lists
/// (and folders they leave empty), then the patch folder. Moving what was moved already is
/// skipped, so a patch interrupted half way can be applied again.
fn apply_patch(dir: &Path, target: &Path) -> Result<(), OutputError> {
    // Removals first: a file that gives way to a folder of the same name (or the reverse) must be
    // gone before the new one moves in.
    let list = dir.join(REMOVED_LIST);
    let removed = std::fs::read_to_string(&list).map_err(io_error(&list))?;
    for rel in removed.split('\0').filter(|l| !l.is_empty()) {
        let path = target.join(rel);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(&path)(e)),
            _ => {}
        }
        // Folders left empty go too, as they would from a full build.
        let mut folder = path.parent();
        while let Some(f) = folder.filter(|f| *f != target) {
            if std::fs::remove_dir(f).is_err() {
                break;
            }
            folder = f.parent();
        }
    }
    let site = dir.join("site");
    if site.is_dir() {
        for entry in WalkDir::new(&site) {
            let entry = entry.map_err(|e| OutputError::Io {
                path: e.path().unwrap_or(&site).to_path_buf(),
                source: e.into(),
            })?;
            if entry.file_type().is_dir() {
                continue;
            }
            let destination = target.join(slash_path(entry.path(), &site));
            if let Some(parent) = destination.parent() {
                std::fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            std::fs::rename(entry.path(), &destination).map_err(io_error(&destination))?;
        }
    }
    std::fs::remove_dir_all(dir).map_err(io_error(dir))
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
    fn a_committed_patch_is_finished_and_an_uncommitted_one_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(target.join("gone")).unwrap();
        std::fs::write(target.join("gone/index.html"), "old").unwrap();
        std::fs::write(target.join("kept.html"), "kept").unwrap();
        // A build killed after committing its patch, and one killed before.
        let committed = dir.path().join(".public.annals-patch-999998");
        std::fs::create_dir_all(committed.join("site/new")).unwrap();
        std::fs::write(committed.join("site/new/index.html"), "new").unwrap();
        std::fs::write(committed.join(REMOVED_LIST), "gone/index.html").unwrap();
        let uncommitted = dir.path().join(".public.annals-patch-999999");
        std::fs::create_dir_all(uncommitted.join("site")).unwrap();
        std::fs::write(uncommitted.join("site/kept.html"), "half").unwrap();

        let staging = Staging::patch(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("new/index.html")).unwrap(),
            "new"
        );
        assert!(!target.join("gone").exists(), "emptied folders go too");
        assert_eq!(
            std::fs::read_to_string(target.join("kept.html")).unwrap(),
            "kept"
        );
        assert!(!committed.exists() && !uncommitted.exists());

        // A file that gives way to a folder of the same name.
        std::fs::write(target.join("story"), "redirect").unwrap();
        let mut staging = staging;
        staging.remove("story".to_owned());
        staging.write("story/index.html", b"page").unwrap();
        staging.write("kept.html", b"kept").unwrap();
        staging.remove("new/index.html".to_owned());
        staging.write("other.html", b"other").unwrap();
        staging.commit().unwrap();
        assert!(!target.join("new").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("story/index.html")).unwrap(),
            "page"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("other.html")).unwrap(),
            "other"
        );
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
