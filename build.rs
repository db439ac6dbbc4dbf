//! Lists the files of the default theme (`templates/` and `static/` of this repository) for the
//! binary to embed, so that a template or static file added to the theme needs no code change.

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The files below `dir` (not hidden), sorted, as paths relative to it with `/` separators.
fn files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&entry.path(), &rel, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut code = String::new();
    code.push_str(
        "/// The built-in templates, by name.\npub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[\n",
    );
    for name in files(&root.join("templates")) {
        let path = root.join("templates").join(&name);
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n\n/// The built-in static files, by path below the output folder.\npub const BUILTIN_STATIC: &[(&str, &[u8])] = &[\n");
    for name in files(&root.join("static")) {
        let path = root.join("static").join(&name);
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("theme.rs");
    std::fs::write(out, code).expect("write the theme's file list");
    println!("cargo::rerun-if-changed=templates");
    println!("cargo::rerun-if-changed=static");
}
