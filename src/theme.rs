//! The theme: Tera templates and static files, built into the binary and overridable per site.
//!
//! The default theme lives in `templates/` and `static/` of the Annals repository and is compiled
//! in, so a site with only `content/` and `site.toml` builds. A site's own `templates/NAME`
//! replaces the built-in template of that name; a site's own `static/` file replaces a built-in
//! static file at the same path.

use std::path::{Path, PathBuf};

use tera::Tera;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, slash_path};

// `BUILTIN_TEMPLATES` and `BUILTIN_STATIC`: every file of the repository's `templates/` and
// `static/`, listed by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/theme.rs"));

/// The path of the theme stylesheet below the site root.
pub const STYLESHEET: &str = "css/annals.css";

/// Loaded templates, ready to render.
pub struct Theme {
    /// The template engine holding every template.
    pub tera: Tera,
    /// Template names the site overrides, with their files (to name them in errors).
    overrides: Vec<(String, PathBuf)>,
    /// A hash of every template's name and text, built-in or the site's.
    pub fingerprint: u64,
}

impl Theme {
    /// Loads the built-in templates and the site's own from `templates_dir` (if it exists).
    pub fn load(templates_dir: &Path) -> Result<Theme, Vec<Diagnostic>> {
        let mut sources: Vec<(String, String)> = BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        let mut overrides = Vec::new();
        let mut errors = Vec::new();
        if templates_dir.is_dir() {
            for entry in WalkDir::new(templates_dir).sort_by_file_name() {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        errors.push(Diagnostic::new(templates_dir, format!("cannot read: {e}")));
                        continue;
                    }
                };
                let name = slash_path(entry.path(), templates_dir);
                if !entry.file_type().is_file() || name.split('/').any(|s| s.starts_with('.')) {
                    continue;
                }
                match std::fs::read_to_string(entry.path()) {
                    Ok(text) => {
                        sources.retain(|(n, _)| *n != name);
                        sources.push((name.clone(), text));
                        overrides.push((name, entry.path().to_path_buf()));
                    }
                    Err(e) => {
                        errors.push(Diagnostic::new(entry.path(), format!("cannot read: {e}")))
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let fingerprint = crate::hash::stable_hash(&sources);
        let mut tera = Tera::new();
        tera.register_filter("json_encode", json_encode);
        match tera.add_raw_templates(sources) {
            Ok(()) => Ok(Theme {
                tera,
                overrides,
                fingerprint,
            }),
            Err(e) => Err(vec![Diagnostic::new(
                templates_dir,
                format!("the templates do not compile: {}", error_chain(&e)),
            )]),
        }
    }

    /// The file a built-in static file stands for, for error messages.
    pub fn static_file(&self, rel: &str) -> PathBuf {
        PathBuf::from(format!("static/{rel} (built-in)"))
    }

    /// The file a template comes from, for error messages.
    pub fn template_file(&self, name: &str) -> PathBuf {
        self.overrides
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| PathBuf::from(format!("templates/{name} (built-in)")))
    }

    /// Renders a template at the end of `out`, reporting a failure as a diagnostic naming the
    /// template file (`out` then holds part of the page).
    pub fn render(
        &self,
        name: &str,
        context: &tera::Context,
        out: &mut Vec<u8>,
    ) -> Result<(), Diagnostic> {
        self.tera.render_to(name, context, out).map_err(|e| {
            Diagnostic::new(
                self.template_file(name),
                format!("rendering failed: {}", error_chain(&e)),
            )
        })
    }
}

/// The `json_encode` filter: a value as JSON text, with sorted keys; `pretty=true` indents it.
/// For themes that hand data to scripts, and to see what a template gets:
/// `{{ __tera_context | json_encode(pretty=true) }}`.
fn json_encode(
    value: tera::Value,
    kwargs: tera::Kwargs,
    _: &tera::State,
) -> tera::TeraResult<String> {
    let pretty = kwargs.get::<bool>("pretty")?.unwrap_or(false);
    let json = serde_json::to_value(&value).map_err(|e| tera::Error::message(e.to_string()))?;
    let text = if pretty {
        serde_json::to_string_pretty(&json)
    } else {
        serde_json::to_string(&json)
    };
    text.map_err(|e| tera::Error::message(e.to_string()))
}

/// An error and its causes on one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
