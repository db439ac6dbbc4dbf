//! `annals import`: brings an archive over from WordPress (an export file) or from another static
//! generator's site folder (Hugo, Jekyll, Zola, Pelican), keeping every old URL as an alias.
//!
//! The stages follow the build's: a reader ([`wordpress`] or [`generators`]) turns the source
//! into [`Entry`] values in Annals' terms (title, date with offset, terms, aliases, a Markdown
//! body, the files of its bundle); [`plan`] gives each entry its file below `content/` (the
//! site's `new_path`), settles clashes, sorts terms into topics and places, and resolves links
//! between entries; [`write`] writes what is new, never replacing a file, and adds to `site.toml`
//! only the keys it does not set.

mod generators;
mod html;
mod markup;
mod plan;
mod wordpress;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use thiserror::Error;

use crate::config::{CONFIG_FILE, SiteConfig};
use crate::diagnostics::{Diagnostic, counted};
use crate::progress::Progress;

/// Where an archive comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A WordPress export file (WXR, from Tools → Export).
    Wordpress,
    /// A Hugo site folder.
    Hugo,
    /// A Jekyll site folder.
    Jekyll,
    /// A Zola site folder.
    Zola,
    /// A Pelican site folder.
    Pelican,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Wordpress => "WordPress",
            Format::Hugo => "Hugo",
            Format::Jekyll => "Jekyll",
            Format::Zola => "Zola",
            Format::Pelican => "Pelican",
        })
    }
}

/// What to import, and where to.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The Annals site the articles go into.
    pub root: PathBuf,
    /// The source's format.
    pub format: Format,
    /// The export file (WordPress) or the site folder (the others).
    pub source: PathBuf,
    /// Only report what would be written.
    pub dry_run: bool,
    /// Import drafts too (with `draft = true`).
    pub drafts: bool,
    /// WordPress: a copy of the old site's `wp-content/uploads` folder, to copy the images and
    /// attachments the articles use.
    pub uploads: Option<PathBuf>,
}

/// Why an import could not run. Problems with single articles are not errors: they are reported
/// in the [`ImportReport`] and the article is skipped.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The source cannot be read at all.
    #[error("{path}: {message}")]
    Source {
        /// The export file or site folder (or the file in it).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The export file is not well-formed XML.
    #[error("{path}:{line}: {message}")]
    Xml {
        /// The export file.
        path: PathBuf,
        /// The line of the error.
        line: usize,
        /// What the XML reader said.
        message: String,
    },
    /// The Annals site's `site.toml` is broken.
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Config(Vec<Diagnostic>),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// An article read from the source, in Annals' terms, before it has a file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Entry {
    /// Where it comes from, for messages: a file of the source, or an export item.
    pub origin: String,
    /// How other entries of the source link to it (its path in the source's content folder),
    /// if they can.
    pub key: Option<String>,
    pub title: String,
    pub date: Option<DateTime<FixedOffset>>,
    /// Whether the source gave only a day (no time).
    pub date_only: bool,
    pub updated: Option<DateTime<FixedOffset>>,
    /// The slug the source used (before it is made unique).
    pub slug: String,
    pub summary: Option<String>,
    pub authors: Vec<String>,
    /// Terms of the source (tags, categories): sorted into topics and places by [`plan`].
    pub terms: Vec<String>,
    /// Terms the source files under places already.
    pub places: Vec<String>,
    pub draft: bool,
    /// The URL paths the source served it at (and its own aliases), below the site's root.
    pub aliases: Vec<String>,
    /// The source's `extra` table, kept for templates.
    pub extra: Option<toml::Table>,
    /// The Markdown body; links to other entries are written [`link_marker`]s.
    pub body: String,
    /// Files of its bundle: the source file and its path relative to the bundle.
    pub files: Vec<(PathBuf, String)>,
}

/// What a reader found in the source.
#[derive(Debug, Default)]
pub(crate) struct Source {
    /// The site's title, base URL and description, if the source says.
    pub title: Option<String>,
    pub base_url: Option<String>,
    pub description: Option<String>,
    pub entries: Vec<Entry>,
    /// Files to copy below the site's `static/`: the source file and the path below `static/`.
    pub statics: Vec<(PathBuf, String)>,
    pub notes: Notes,
}

/// What an import counts and reports besides its articles.
#[derive(Debug, Default, Clone)]
pub struct Notes {
    /// Items or files not imported, by reason, with where they are.
    pub skipped: BTreeMap<String, Vec<String>>,
    /// Things converted that a person should look at: each message with where it applies
    /// ("file:line").
    pub warnings: BTreeMap<String, Vec<String>>,
    /// Other counts ("password-protected posts imported as drafts").
    pub counts: BTreeMap<String, usize>,
}

impl Notes {
    /// Records that `origin` is not imported because of `reason`.
    pub(crate) fn skip(&mut self, reason: &str, origin: impl Into<String>) {
        self.skipped
            .entry(reason.to_owned())
            .or_default()
            .push(origin.into());
    }

    /// Adds `n` to the count of `what`.
    pub(crate) fn count(&mut self, what: &str, n: usize) {
        if n > 0 {
            *self.counts.entry(what.to_owned()).or_default() += n;
        }
    }

    /// Adds the notes of `other` after these.
    pub(crate) fn merge(&mut self, other: Notes) {
        for (reason, origins) in other.skipped {
            self.skipped.entry(reason).or_default().extend(origins);
        }
        for (message, origins) in other.warnings {
            self.warnings.entry(message).or_default().extend(origins);
        }
        for (what, n) in other.counts {
            self.count(&what, n);
        }
    }

    /// Records a warning about `origin`.
    pub(crate) fn warn(&mut self, origin: &str, message: impl fmt::Display) {
        self.warnings
            .entry(message.to_string())
            .or_default()
            .push(origin.to_owned());
    }
}

/// The result of an import.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// The source format.
    pub format: Option<Format>,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Articles written (or to write), drafts included.
    pub articles: usize,
    /// Of those, drafts.
    pub drafts: usize,
    /// Bundle and static files copied.
    pub files: usize,
    /// Distinct terms, by taxonomy.
    pub terms: BTreeMap<String, usize>,
    /// Old URLs kept as aliases.
    pub aliases: usize,
    /// Files not written because a file is there already.
    pub clashes: Vec<PathBuf>,
    /// Keys added to `site.toml`.
    pub site_keys: Vec<String>,
    /// Skipped items, warnings and counts.
    pub notes: Notes,
}

/// How many skipped items or warnings the summary names before "and N more".
const SHOWN: usize = 5;

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "Would import"
        } else {
            "Imported"
        };
        let format = self.format.map(|f| f.to_string()).unwrap_or_default();
        writeln!(
            f,
            "{verb} {} from {format} ({} drafts) and {}; {} to the new {}",
            counted(self.articles, "article"),
            self.drafts,
            counted(self.files, "file"),
            if self.aliases == 1 {
                "1 old URL redirects".to_owned()
            } else {
                format!("{} old URLs redirect", self.aliases)
            },
            if self.aliases == 1 { "page" } else { "pages" },
        )?;
        if !self.terms.is_empty() {
            let terms: Vec<String> = self
                .terms
                .iter()
                .map(|(taxonomy, n)| format!("{n} {taxonomy}"))
                .collect();
            writeln!(f, "  terms: {}", terms.join(", "))?;
        }
        for (what, n) in &self.notes.counts {
            writeln!(f, "  {what}: {n}")?;
        }
        if !self.site_keys.is_empty() {
            writeln!(f, "  site.toml: set {}", self.site_keys.join(", "))?;
        }
        for (reason, origins) in &self.notes.skipped {
            writeln!(f, "  skipped {} {reason}: {}", origins.len(), list(origins))?;
        }
        if !self.clashes.is_empty() {
            let clashes: Vec<String> = self
                .clashes
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            writeln!(
                f,
                "  not written, a file is there already: {}",
                list(&clashes)
            )?;
        }
        let mut warnings: Vec<(&String, &Vec<String>)> = self.notes.warnings.iter().collect();
        warnings.sort_by_key(|(_, origins)| std::cmp::Reverse(origins.len()));
        for (message, origins) in warnings.iter().take(SHOWN * 4) {
            writeln!(f, "warning: {message}: {}", list(origins))?;
        }
        if warnings.len() > SHOWN * 4 {
            let more: usize = warnings[SHOWN * 4..].iter().map(|(_, o)| o.len()).sum();
            writeln!(f, "warning: and {more} more")?;
        }
        Ok(())
    }
}

/// The first few items, then how many more.
fn list(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

/// How an entry links to another of the source in its body until [`plan`] knows the other's
/// file: replaced by an `@/` link then.
pub(crate) fn link_marker(key: &str) -> String {
    format!("@@import:{key}@@")
}

/// Imports the archive `options` names into the site at `options.root`.
pub fn import(
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    if options.format != Format::Wordpress {
        separate(&options.source, &options.root)?;
    }
    if options.root.join(CONFIG_FILE).exists() {
        SiteConfig::load(&options.root).map_err(ImportError::Config)?;
    }
    let source = match options.format {
        Format::Wordpress => wordpress::read(options, progress)?,
        format => generators::read(format, &options.source, progress)?,
    };
    let config = site_config(&options.root, source.base_url.as_deref())?;
    let plan = plan::plan(source, &config, options)?;
    let mut report = ImportReport {
        format: Some(options.format),
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    write::write(&plan, &options.root, options.dry_run, &mut report, progress)?;
    Ok(report)
}

/// Refuses a site root that is the source folder, inside it, or whose `content/` holds it:
/// the import would write its articles among the source's files.
fn separate(source: &Path, root: &Path) -> Result<(), ImportError> {
    let source = source.canonicalize().map_err(|e| ImportError::Source {
        path: source.to_path_buf(),
        message: e.to_string(),
    })?;
    // The root may not exist yet: its nearest existing folder tells where it is.
    let existing = root
        .ancestors()
        .find(|a| a.exists() || a.as_os_str().is_empty())
        .and_then(|a| {
            if a.as_os_str().is_empty() {
                Path::new(".").canonicalize().ok()
            } else {
                a.canonicalize().ok()
            }
        });
    let Some(existing) = existing else {
        return Ok(());
    };
    let inside_source = existing.starts_with(&source);
    let holds_source = source.starts_with(existing.join("content"));
    if inside_source || holds_source {
        return Err(ImportError::Source {
            path: root.to_path_buf(),
            message: format!(
                "the site to import into must be outside the source {}: give another folder with --root",
                source.display()
            ),
        });
    }
    Ok(())
}

/// The `base_url` a new `site.toml` gets when the source names none.
pub(crate) const PLACEHOLDER_BASE_URL: &str = "https://example.org";

/// The site's configuration; when it has no `site.toml` yet, the defaults with the source's
/// `base_url` (which the import will write), so that links are planned below its path.
fn site_config(root: &Path, source_base_url: Option<&str>) -> Result<SiteConfig, ImportError> {
    let path = root.join(CONFIG_FILE);
    if path.exists() {
        return SiteConfig::load(root).map_err(ImportError::Config);
    }
    let defaults = |base_url: &str| {
        SiteConfig::parse(
            &format!("base_url = {}\n", crate::scaffold::toml_string(base_url)),
            &path,
        )
    };
    source_base_url
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .and_then(|url| defaults(url).ok())
        .map_or_else(|| defaults(PLACEHOLDER_BASE_URL), Ok)
        .map_err(ImportError::Config)
}
