//! Writes a planned import: articles and their bundle files below `content/`, other files below
//! `static/`, and the keys `site.toml` does not set yet. Never replaces a file.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::plan::Plan;
use super::{ImportError, ImportReport};
use crate::config::CONFIG_FILE;
use crate::progress::Progress;

/// Writes `plan` into the site at `root` (or, with `dry_run`, only counts what it would write),
/// filling `report`.
pub(crate) fn write(
    plan: &Plan,
    root: &Path,
    dry_run: bool,
    report: &mut ImportReport,
    progress: &dyn Progress,
) -> Result<(), ImportError> {
    report.notes = plan.notes.clone();
    let mut terms: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    progress.stage("Writing articles", plan.articles.len());
    for article in &plan.articles {
        let path = root.join("content").join(&article.rel);
        if !new_file(&path, article.text.as_bytes(), dry_run, report)? {
            progress.advance(1);
            continue;
        }
        report.articles += 1;
        report.drafts += usize::from(article.draft);
        report.aliases += article.aliases;
        for (taxonomy, term) in &article.terms {
            terms
                .entry(taxonomy.clone())
                .or_default()
                .insert(term.to_lowercase());
        }
        for (source, rel) in &article.files {
            copy(source, &root.join("content").join(rel), dry_run, report)?;
        }
        progress.advance(1);
    }
    for (source, rel) in &plan.statics {
        copy(source, &root.join("static").join(rel), dry_run, report)?;
    }
    report.terms = terms
        .into_iter()
        .map(|(t, names)| (t, names.len()))
        .collect();
    site_keys(root, &plan.site, dry_run, report)
}

/// Writes `bytes` to the new file `path`; false (and a clash reported) if a file is there.
fn new_file(
    path: &Path,
    bytes: &[u8],
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<bool, ImportError> {
    let io = |source| ImportError::Write {
        path: path.to_path_buf(),
        source,
    };
    if path.symlink_metadata().is_ok() {
        report.clashes.push(path.to_path_buf());
        return Ok(false);
    }
    if dry_run {
        return Ok(true);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            report.clashes.push(path.to_path_buf());
            return Ok(false);
        }
        Err(e) => return Err(io(e)),
    };
    if let Err(e) = file.write_all(bytes) {
        // The import created this file a moment ago: a half-written one must not stay, or the
        // next run would take it for the user's and skip it.
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(io(e));
    }
    Ok(true)
}

/// Copies `source` to the new file `target`.
fn copy(
    source: &Path,
    target: &Path,
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let bytes = if dry_run {
        Vec::new()
    } else {
        std::fs::read(source).map_err(|e| ImportError::Source {
            path: source.to_path_buf(),
            message: e.to_string(),
        })?
    };
    if new_file(target, &bytes, dry_run, report)? {
        report.files += 1;
    }
    Ok(())
}

/// Adds the keys of `site` that `site.toml` does not set, at its top (top-level keys must come
/// before its tables); writes a new `site.toml` if there is none.
fn site_keys(
    root: &Path,
    site: &[(&'static str, String)],
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let path: PathBuf = root.join(CONFIG_FILE);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(ImportError::Write { path, source }),
    };
    let set: toml::Table = existing
        .as_deref()
        .and_then(|text| text.parse().ok())
        .unwrap_or_default();
    let mut lines = String::new();
    for (key, value) in site {
        if !set.contains_key(*key) {
            lines.push_str(&format!("{key} = {}\n", toml::Value::String(value.clone())));
            report.site_keys.push((*key).to_owned());
        }
    }
    if existing.is_none() && !site.iter().any(|(key, _)| *key == "base_url") {
        lines.push_str(&format!(
            "base_url = {}\n",
            crate::scaffold::toml_string(super::PLACEHOLDER_BASE_URL)
        ));
        report.site_keys.push("base_url".to_owned());
    }
    if lines.is_empty() || dry_run {
        return Ok(());
    }
    let text = format!(
        "# Set by `annals import`.\n{lines}\n{}",
        existing.unwrap_or_default()
    );
    crate::output::replace_file(&path, text.as_bytes())
        .map_err(|source| ImportError::Write { path, source })
}
