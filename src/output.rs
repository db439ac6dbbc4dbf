//! Writing the site into its output folder, without ever losing a file Annals did not write.
//!
//! Every output folder holds a record of the files Annals wrote into it ([`RECORD_FILE`]). A build
//! removes only files listed there; everything else in the folder (a `.git` folder, a `CNAME`
//! file, documents) stays as it was, and a file of the new site that would replace such a file is
//! an error unless the build is forced. A folder with files but no record is refused unless the
//! build is forced.
//!
//! The new site is written to a staging folder first. When the output folder does not exist yet,
//! the staging folder is the whole site and is renamed into place at the end. Otherwise it is a
//! patch inside the output folder holding only the files that changed; once complete it is marked
//! committed and applied file by file (stale files removed, new ones moved in, the record replaced
//! last). A build killed while applying it is finished by the next build, which applies every
//! committed patch it finds before it reads anything else. Either way a failed build, or one
//! killed before its commit, leaves the previous site as it was; and since the output folder itself
//! is never moved, it may be a mount point.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;
use walkdir::WalkDir;

use crate::diagnostics::slash_path;
use crate::engine::Sink;

/// The record of the files Annals wrote, inside the output folder: one path per line below the
/// output folder, with `/` separators.
pub const RECORD_FILE: &str = ".annals-files";

/// The first line of the record.
const RECORD_HEADER: &str =
    "# Files written by Annals into this folder; a build removes only files listed here.";

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
    /// A file of the new site would replace a file Annals did not write.
    #[error(
        "{path} is in the way: Annals did not write it, and the site has a file there; move it (into static/ if it belongs to the site), or build with --force to replace it"
    )]
    Foreign {
        /// The file in the way.
        path: PathBuf,
    },
    /// A page or file of the site would be written outside the output folder (a URL with `..`
    /// from a hand-edited `permalinks.txt`, say).
    #[error("refusing to write {rel:?}: it is not a path inside the output folder")]
    Outside {
        /// The path asked for.
        rel: String,
    },
    /// The record lists a path that is not a file inside the folder (`../x`, `/x`): a hand-edited
    /// or foreign record, which must not make Annals remove or read anything elsewhere.
    #[error(
        "{record}: {entry:?} is not a path inside the folder; delete that line (Annals never writes one)"
    )]
    BadRecord {
        /// The record file.
        record: PathBuf,
        /// The line.
        entry: String,
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
/// holds the site root, a `content/` folder or any of the site's sources, and anything inside
/// `content/`, `templates/` or `static/`. Symbolic links are followed, so a `content/` that links
/// elsewhere is protected where it really is. Returns the resolved output path.
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
    for source in ["content", "templates", "static", crate::config::CONFIG_FILE] {
        let real = resolve(&root.join(source)).map_err(io_error(&root))?;
        if out.starts_with(&real) {
            return Err(refuse(&format!("it is inside the site's {source}")));
        }
        if real.starts_with(&out) {
            return Err(refuse(&format!("it contains the site's {source}")));
        }
    }
    if out.exists() && !out.is_dir() {
        return Err(refuse("it exists and is not a folder"));
    }
    Ok(out)
}

/// An output folder made ready for a build: checked, locked against other builds, cleaned of
/// what killed builds left, with the record of what Annals wrote there.
pub struct OutputDir {
    path: PathBuf,
    /// The files Annals wrote there, or `None` when the folder does not exist yet.
    record: Option<HashSet<String>>,
    /// Whether files Annals did not write may be replaced.
    force: bool,
    /// Held until the build is over: an exclusive lock on the folder holding the output folder.
    _lock: Option<File>,
}

impl OutputDir {
    /// Prepares the output folder `path` (already checked by [`check_output_dir`]): waits for
    /// other builds writing next to it, finishes the patches of builds killed while applying them,
    /// and reads the record. A folder with visible files and no record is refused unless `force`.
    pub fn open(path: &Path, force: bool) -> Result<OutputDir, OutputError> {
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let lock = File::open(parent).ok().filter(|f| f.lock().is_ok());
        recover_leftovers(path)?;
        let record = match read_record(path)? {
            Some(record) => Some(record),
            None if !path.exists() => None,
            None => {
                let visible = visible_entries(path)?;
                if !visible.is_empty() && !force {
                    let mut names = visible.iter().take(3).cloned().collect::<Vec<_>>();
                    if visible.len() > 3 {
                        names.push(format!("and {} more", visible.len() - 3));
                    }
                    return Err(OutputError::Unsafe {
                        path: path.to_path_buf(),
                        reason: format!(
                            "it holds files Annals did not write ({}) and no record of an earlier build ({RECORD_FILE}); choose an empty or new folder, or build with --force to write the site into it (files of the site replace files at the same paths; nothing else is removed)",
                            names.join(", ")
                        ),
                    });
                }
                Some(HashSet::new())
            }
        };
        Ok(OutputDir {
            path: path.to_path_buf(),
            record,
            force,
            _lock: lock,
        })
    }

    /// The output folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The names at the top of `dir` that are not hidden (do not start with `.`).
fn visible_entries(dir: &Path) -> Result<Vec<String>, OutputError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    Ok(names)
}

/// Reads the record of the output folder `dir`, if it has one: the files the last build wrote.
/// A line that is not a relative path inside the folder is an error, since builds remove and
/// deploys read the files listed.
pub fn read_record(dir: &Path) -> Result<Option<HashSet<String>>, OutputError> {
    let path = dir.join(RECORD_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let files: HashSet<String> = text
                .lines()
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(decode_record_line)
                .collect();
            match files.iter().find(|rel| !is_inside(rel)) {
                Some(bad) => Err(OutputError::BadRecord {
                    record: path,
                    entry: bad.clone(),
                }),
                None => Ok(Some(files)),
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(&path)(e)),
    }
}

/// Whether a record line is a relative `/`-separated path that stays inside the folder.
fn is_inside(rel: &str) -> bool {
    !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.split('/').any(|s| matches!(s, "" | "." | ".."))
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Replaces the file at `path` with `bytes` all at once: written to a new file of this process
/// beside it (where a linked file really is) and renamed over it, keeping its permissions, so
/// that a failed write leaves the old file whole and two processes never mix their writes.
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let target = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let staged = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&staged)?;
        file.write_all(bytes)?;
        if let Ok(metadata) = std::fs::metadata(&target) {
            file.set_permissions(metadata.permissions())?;
        }
        std::fs::rename(&staged, &target)
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&staged);
    })
}

/// `rel` if it is a path inside the folder, else the error that says so: every write goes
/// through here, whatever made the path.
fn inside(rel: &str) -> Result<(), OutputError> {
    if is_inside(rel) {
        Ok(())
    } else {
        Err(OutputError::Outside {
            rel: rel.to_owned(),
        })
    }
}

/// The text of a record listing `files`, sorted (so that it changes only where the site does).
fn record_text<'a>(files: impl Iterator<Item = &'a str>) -> String {
    let mut lines: Vec<Cow<str>> = files.map(encode_record_line).collect();
    lines.sort_unstable();
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum::<usize>() + 100);
    text.push_str(RECORD_HEADER);
    text.push('\n');
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Characters of a path escaped in a record line: `%`, line breaks, and `#` (which starts a
/// comment line).
const RECORD_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%').add(b'#');

fn encode_record_line(path: &str) -> Cow<'_, str> {
    percent_encoding::utf8_percent_encode(path, RECORD_ESCAPES).into()
}

fn decode_record_line(line: &str) -> String {
    percent_encoding::percent_decode_str(line)
        .decode_utf8_lossy()
        .into_owned()
}

/// A folder the new site, or a patch to the current one, is written into: applied by
/// [`Staging::commit`], removed if the build fails.
pub struct Staging<'o> {
    output: &'o OutputDir,
    dir: PathBuf,
    /// Where files go: `dir` for a whole site, `dir/site` for a patch.
    files: PathBuf,
    committed: bool,
}

/// In a patch folder, the list of files to remove; its presence marks the patch committed.
const REMOVED_LIST: &str = "removed";
/// In a patch folder, the record of the output once the patch is applied.
const NEW_RECORD: &str = "record";
/// In a patch folder, the new files.
const PATCH_FILES: &str = "site";

/// Staging folders beside the output folder (a whole site) are named `.NAME.annals-tmp-PID`;
/// inside it (a patch), `.annals-patch-PID`.
const PATCH_PREFIX: &str = ".annals-patch-";

fn whole_site_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    format!(".{name}.annals-tmp-")
}

impl<'o> Staging<'o> {
    /// Creates an empty staging folder for the site in `output`: the whole site beside the
    /// output folder when it does not exist yet, else a patch inside it.
    pub fn create(output: &'o OutputDir) -> Result<Staging<'o>, OutputError> {
        let pid = std::process::id();
        let (dir, files) = if output.record.is_none() {
            let parent = output.path.parent().unwrap_or(Path::new("."));
            let dir = parent.join(format!("{}{pid}", whole_site_prefix(&output.path)));
            (dir.clone(), dir)
        } else {
            let dir = output.path.join(format!("{PATCH_PREFIX}{pid}"));
            (dir.clone(), dir.join(PATCH_FILES))
        };
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        std::fs::create_dir_all(&files).map_err(io_error(&files))?;
        Ok(Staging {
            output,
            dir,
            files,
            committed: false,
        })
    }

    /// Writes a file at `rel` (with `/` separators). A file the output folder already has with
    /// the same bytes is left as it is (keeping its modification time, so deploy tools that
    /// compare times skip it). A file there that Annals did not write is an error, unless forced.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        inside(rel)?;
        if let Some(record) = &self.output.record {
            let current = self.output.path.join(rel);
            if let Ok(metadata) = std::fs::symlink_metadata(&current) {
                if !record.contains(rel) && !self.output.force {
                    return Err(OutputError::Foreign { path: current });
                }
                if metadata.is_file()
                    && metadata.len() == bytes.len() as u64
                    && std::fs::read(&current).is_ok_and(|old| old == bytes)
                {
                    return Ok(());
                }
            }
        }
        write_file(&self.files.join(rel), bytes)
    }

    /// Makes the folders that the files at `rels` (with `/` separators) will be written in,
    /// parents first and each level's folders in parallel: writing thousands of files then makes
    /// and checks no folder one by one. ([`Staging::write`] makes a missing folder anyway.)
    pub fn make_folders(&self, rels: &[&str]) -> Result<(), OutputError> {
        let mut levels: Vec<HashSet<&str>> = Vec::new();
        for &rel in rels {
            inside(rel)?;
            let mut at = rel;
            while let Some((parent, _)) = at.rsplit_once('/') {
                let depth = parent.matches('/').count();
                if levels.len() <= depth {
                    levels.resize_with(depth + 1, HashSet::new);
                }
                // A folder met before brings its parents with it.
                if !levels[depth].insert(parent) {
                    break;
                }
                at = parent;
            }
        }
        for level in &levels {
            level.par_iter().try_for_each(|folder| {
                let path = self.files.join(folder);
                match std::fs::create_dir(&path) {
                    Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(io_error(&path)(e)),
                    _ => Ok(()),
                }
            })?;
        }
        Ok(())
    }

    /// Puts the site in place: `files` is every file of the new site (those written and those
    /// left as they were). Files of the previous build that are not among them are removed.
    pub fn commit(mut self, files: &HashSet<&str>) -> Result<(), OutputError> {
        let target = &self.output.path;
        let Some(old) = &self.output.record else {
            let record = self.dir.join(RECORD_FILE);
            std::fs::write(&record, record_text(files.iter().copied()))
                .map_err(io_error(&record))?;
            std::fs::rename(&self.dir, target).map_err(io_error(target))?;
            self.committed = true;
            return Ok(());
        };
        let mut removed: Vec<&str> = old
            .iter()
            .map(String::as_str)
            .filter(|f| !files.contains(f))
            .collect();
        removed.sort_unstable();
        let added = files.iter().any(|f| !old.contains(*f));
        if added || !removed.is_empty() {
            let new_record = self.dir.join(NEW_RECORD);
            std::fs::write(&new_record, record_text(files.iter().copied()))
                .map_err(io_error(&new_record))?;
        }
        if added {
            // Until the patch is applied, the record lists the files of both sites: whatever
            // happens next, every file Annals wrote is in it.
            write_record(target, files.iter().copied().chain(removed.iter().copied()))?;
        }
        let list = self.dir.join(REMOVED_LIST);
        let pending = list.with_extension("tmp");
        std::fs::write(&pending, removed.join("\0")).map_err(io_error(&pending))?;
        // The commit: from here on the patch is applied, if need be by the next build.
        std::fs::rename(&pending, &list).map_err(io_error(&list))?;
        self.committed = true;
        apply_patch(&self.dir, target)
    }
}

/// Replaces the record of the output folder `target` with one listing `files`, in one step.
fn write_record<'a>(
    target: &Path,
    files: impl Iterator<Item = &'a str>,
) -> Result<(), OutputError> {
    let path = target.join(RECORD_FILE);
    let pending = target.join(format!("{RECORD_FILE}.tmp"));
    std::fs::write(&pending, record_text(files)).map_err(io_error(&pending))?;
    std::fs::rename(&pending, &path).map_err(io_error(&path))
}

/// Cleans up after builds that were killed: their staging folders are removed, and the patches
/// they had committed are applied. Folders of builds still running (on this machine, by process
/// id) are left alone.
fn recover_leftovers(target: &Path) -> Result<(), OutputError> {
    let parent = target.parent().unwrap_or(Path::new("."));
    let whole = whole_site_prefix(target);
    for (folder, prefix) in [(parent, whole.as_str()), (target, PATCH_PREFIX)] {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = file_name.strip_prefix(prefix) else {
                continue;
            };
            // A leftover with this process's id comes from an earlier process that had the same id.
            let running = pid.parse::<u32>().is_ok_and(|pid| {
                pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists()
            });
            if running || !Path::new("/proc/self").exists() {
                continue;
            }
            let path = entry.path();
            if prefix == PATCH_PREFIX && path.join(REMOVED_LIST).exists() {
                apply_patch(&path, target)?;
            } else {
                std::fs::remove_dir_all(&path).map_err(io_error(&path))?;
            }
        }
    }
    let pending = target.join(format!("{RECORD_FILE}.tmp"));
    if pending.exists() {
        std::fs::remove_file(&pending).map_err(io_error(&pending))?;
    }
    Ok(())
}

/// Applies the committed patch in `dir` to `target`: removes the files it lists (and folders
/// they leave empty), moves its files in, replaces the record, and removes the patch folder.
/// Moving what was moved already is skipped, so a patch interrupted half way can be applied
/// again.
fn apply_patch(dir: &Path, target: &Path) -> Result<(), OutputError> {
    // Removals first: a file that gives way to a folder of the same name (or the reverse) must be
    // gone before the new one moves in.
    let list = dir.join(REMOVED_LIST);
    let removed = std::fs::read_to_string(&list).map_err(io_error(&list))?;
    remove_files(target, removed.split('\0').filter(|l| !l.is_empty()))?;
    let site = dir.join(PATCH_FILES);
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
    let record = dir.join(NEW_RECORD);
    if record.exists() {
        let path = target.join(RECORD_FILE);
        std::fs::rename(&record, &path).map_err(io_error(&path))?;
    }
    std::fs::remove_dir_all(dir).map_err(io_error(dir))
}

/// Removes the files at `rels` below `target` (those already gone are fine), and the folders
/// they leave empty; a folder with anything else in it stays.
fn remove_files<'a>(target: &Path, rels: impl Iterator<Item = &'a str>) -> Result<(), OutputError> {
    for rel in rels {
        let path = target.join(rel);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(&path)(e)),
            _ => {}
        }
        let mut folder = path.parent();
        while let Some(f) = folder.filter(|f| *f != target) {
            if std::fs::remove_dir(f).is_err() {
                break;
            }
            folder = f.parent();
        }
    }
    Ok(())
}

/// An output folder written in place, without staging: the preview's private folder, which
/// nothing else writes into. It keeps a record of its files like a build's output folder.
pub struct Folder {
    path: PathBuf,
    /// The files of the site in it, as its record lists them.
    record: HashSet<String>,
}

impl Folder {
    /// The folder at `path`, which a build made with `files`.
    pub fn new(path: &Path, files: HashSet<String>) -> Folder {
        Folder {
            path: path.to_path_buf(),
            record: files,
        }
    }

    /// Removes the recorded files that `files` (every file of the site now) lacks, and records
    /// `files`. Returns how many files were removed.
    pub fn finish(&mut self, files: &HashSet<&str>) -> Result<usize, OutputError> {
        let gone: Vec<&str> = self
            .record
            .iter()
            .map(String::as_str)
            .filter(|f| !files.contains(f))
            .collect();
        let removed = gone.len();
        if gone.is_empty() && files.iter().all(|f| self.record.contains(*f)) {
            return Ok(0);
        }
        remove_files(&self.path, gone.into_iter())?;
        write_record(&self.path, files.iter().copied())?;
        self.record = files.iter().map(|f| (*f).to_owned()).collect();
        Ok(removed)
    }
}

impl Sink for Folder {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        inside(rel)?;
        write_file(&self.path.join(rel), bytes)
    }
}

/// Writes `bytes` at `path`, making its folder first if it is missing.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    match std::fs::write(path, bytes) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            std::fs::write(path, bytes)
        }
        written => written,
    }
    .map_err(io_error(path))
}

impl Sink for Staging<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        Staging::write(self, rel, bytes)
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

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[&str]) -> HashSet<String> {
        files.iter().map(|f| (*f).to_owned()).collect()
    }

    /// Builds `files` (path, text) into `target` the way a build does.
    fn build(target: &Path, force: bool, files: &[(&str, &str)]) -> Result<(), OutputError> {
        let output = OutputDir::open(target, force)?;
        let staging = Staging::create(&output)?;
        for (rel, text) in files {
            staging.write(rel, text.as_bytes())?;
        }
        let all: HashSet<&str> = files.iter().map(|(rel, _)| *rel).collect();
        staging.commit(&all)
    }

    fn read(path: PathBuf) -> String {
        std::fs::read_to_string(path).unwrap()
    }

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

    #[cfg(unix)]
    #[test]
    fn a_linked_content_folder_is_protected_where_it_really_is() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("articles")).unwrap();
        std::fs::create_dir_all(dir.path().join("elsewhere/posts")).unwrap();
        std::os::unix::fs::symlink(root.join("articles"), root.join("content")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere/posts"), root.join("static"))
            .unwrap();
        assert!(check_output_dir(&root, &root.join("content")).is_err());
        assert!(check_output_dir(&root, &root.join("articles")).is_err());
        assert!(check_output_dir(&root, &root.join("articles/x")).is_err());
        assert!(check_output_dir(&root, &dir.path().join("elsewhere")).is_err());
        assert!(check_output_dir(&root, &root.join("public")).is_ok());
    }

    #[test]
    fn a_record_line_outside_the_folder_removes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, false, &[("index.html", "a")]).unwrap();
        std::fs::write(dir.path().join("victim.txt"), "precious").unwrap();
        let record = target.join(RECORD_FILE);
        let text = read(record.clone());
        for line in ["../victim.txt", "/etc/hostname", "a/./b", "a//b"] {
            std::fs::write(&record, format!("{text}{line}\n")).unwrap();
            let error = build(&target, false, &[("index.html", "b")]).unwrap_err();
            assert!(
                matches!(error, OutputError::BadRecord { .. }),
                "{line}: {error}"
            );
        }
        assert_eq!(read(dir.path().join("victim.txt")), "precious");
        assert_eq!(read(target.join("index.html")), "a");
    }

    #[test]
    fn no_write_leaves_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::write(dir.path().join("site.toml"), "mine").unwrap();
        for rel in ["../site.toml", "a/../../site.toml", "/tmp/x.html"] {
            let error = build(&target, false, &[("index.html", "a"), (rel, "page")]).unwrap_err();
            assert!(
                matches!(error, OutputError::Outside { .. }),
                "{rel}: {error}"
            );
        }
        assert_eq!(read(dir.path().join("site.toml")), "mine");
    }

    #[test]
    fn files_annals_did_not_write_stay() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(
            &target,
            false,
            &[("index.html", "one"), ("old/index.html", "x")],
        )
        .unwrap();
        std::fs::create_dir_all(target.join(".git/objects")).unwrap();
        std::fs::write(target.join(".git/HEAD"), "ref").unwrap();
        std::fs::write(target.join("CNAME"), "example.org").unwrap();
        std::fs::write(target.join("old/notes.txt"), "mine").unwrap();
        build(&target, false, &[("index.html", "two")]).unwrap();
        assert_eq!(read(target.join("index.html")), "two");
        assert_eq!(read(target.join(".git/HEAD")), "ref");
        assert_eq!(read(target.join("CNAME")), "example.org");
        assert_eq!(read(target.join("old/notes.txt")), "mine");
        assert!(!target.join("old/index.html").exists());
        assert_eq!(read_record(&target).unwrap(), Some(set(&["index.html"])));
        // A file of the site where a foreign file is: refused, unless forced.
        let error = build(&target, false, &[("index.html", "3"), ("CNAME", "x")]).unwrap_err();
        assert!(matches!(error, OutputError::Foreign { .. }), "{error}");
        assert_eq!(
            read(target.join("index.html")),
            "two",
            "a failed build changes nothing"
        );
        build(&target, true, &[("index.html", "3"), ("CNAME", "x")]).unwrap();
        assert_eq!(read(target.join("CNAME")), "x");
    }

    #[test]
    fn a_folder_with_files_and_no_record_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("docs");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("thesis.txt"), "years of work").unwrap();
        let error = build(&target, false, &[("index.html", "site")]).unwrap_err();
        assert!(error.to_string().contains("thesis.txt"), "{error}");
        assert!(!target.join("index.html").exists());
        build(&target, true, &[("index.html", "site")]).unwrap();
        assert_eq!(read(target.join("thesis.txt")), "years of work");
        assert_eq!(read(target.join("index.html")), "site");
        // Hidden files alone (a clone of a deploy branch) are no reason to refuse.
        let clone = dir.path().join("clone");
        std::fs::create_dir_all(clone.join(".git")).unwrap();
        build(&clone, false, &[("index.html", "site")]).unwrap();
        assert!(clone.join(".git").is_dir());
    }

    #[test]
    fn unchanged_files_keep_their_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(
            &target,
            false,
            &[("same.html", "same"), ("changed.html", "old")],
        )
        .unwrap();
        let modified = |f: &str| {
            std::fs::metadata(target.join(f))
                .unwrap()
                .modified()
                .unwrap()
        };
        let (same, changed) = (modified("same.html"), modified("changed.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));
        build(
            &target,
            false,
            &[("same.html", "same"), ("changed.html", "new")],
        )
        .unwrap();
        assert_eq!(modified("same.html"), same);
        assert_ne!(modified("changed.html"), changed);
        assert_eq!(read(target.join("changed.html")), "new");
    }

    #[test]
    fn leftovers_of_killed_builds_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        // Process 999999 is not running.
        std::fs::create_dir_all(dir.path().join(".public.annals-tmp-999999/half")).unwrap();
        let output = OutputDir::open(&target, false).unwrap();
        assert!(!dir.path().join(".public.annals-tmp-999999").exists());
        let staging = Staging::create(&output).unwrap();
        drop(staging);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_committed_patch_is_finished_and_an_uncommitted_one_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(
            &target,
            false,
            &[("gone/index.html", "old"), ("kept.html", "kept")],
        )
        .unwrap();
        // A build killed after committing its patch, and one killed before.
        let committed = target.join(".annals-patch-999998");
        std::fs::create_dir_all(committed.join("site/new")).unwrap();
        std::fs::write(committed.join("site/new/index.html"), "new").unwrap();
        std::fs::write(committed.join(REMOVED_LIST), "gone/index.html").unwrap();
        std::fs::write(
            committed.join(NEW_RECORD),
            record_text(["new/index.html", "kept.html"].into_iter()),
        )
        .unwrap();
        let uncommitted = target.join(".annals-patch-999999");
        std::fs::create_dir_all(uncommitted.join("site")).unwrap();
        std::fs::write(uncommitted.join("site/kept.html"), "half").unwrap();

        let output = OutputDir::open(&target, false).unwrap();
        assert_eq!(read(target.join("new/index.html")), "new");
        assert!(!target.join("gone").exists(), "emptied folders go too");
        assert_eq!(read(target.join("kept.html")), "kept");
        assert!(!committed.exists() && !uncommitted.exists());
        assert_eq!(output.record, Some(set(&["new/index.html", "kept.html"])));
        drop(output);

        // A file that gives way to a folder of the same name.
        build(
            &target,
            false,
            &[("story", "redirect"), ("kept.html", "kept")],
        )
        .unwrap();
        build(
            &target,
            false,
            &[("story/index.html", "page"), ("other.html", "other")],
        )
        .unwrap();
        assert!(!target.join("new").exists() && !target.join("kept.html").exists());
        assert_eq!(read(target.join("story/index.html")), "page");
        assert_eq!(read(target.join("other.html")), "other");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_build_leaves_the_site_and_no_staging() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, false, &[("a/index.html", "one")]).unwrap();
        let output = OutputDir::open(&target, false).unwrap();
        let staging = Staging::create(&output).unwrap();
        staging.write("b.html", b"x").unwrap();
        drop(staging);
        assert_eq!(read(target.join("a/index.html")), "one");
        assert!(!target.join("b.html").exists());
        let mut names: Vec<String> = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [RECORD_FILE, "a"]);
    }

    #[test]
    fn record_lines_survive_odd_names() {
        for name in [
            "a b/index.html",
            "100%/x",
            "#hash",
            "line\nbreak",
            "é/ü.html",
        ] {
            assert_eq!(decode_record_line(&encode_record_line(name)), name);
            assert!(!encode_record_line(name).contains('\n'));
        }
    }
}
