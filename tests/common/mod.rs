//! Helpers for integration tests: fixture sites in temporary folders and checks on built output.
//!
//! Every test file compiles its own copy of this module and uses a part of it, so the parts one
//! file leaves unused are not dead code.
#![allow(dead_code)]

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Output;

use annals::check::{Target, resolve};
use annals::html::links;
use annals::routes::Links;
use tempfile::TempDir;

/// A site in a temporary folder.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    /// A site with this `site.toml` and no articles yet.
    pub fn new(site_toml: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("site.toml"), site_toml).expect("write site.toml");
        std::fs::create_dir_all(dir.path().join("content")).expect("content dir");
        Fixture { dir }
    }

    /// A site with a base URL and a page size.
    pub fn with_base(base_url: &str, paginate_by: usize) -> Fixture {
        Fixture::new(&format!(
            "title = \"Test Archive\"\nbase_url = \"{base_url}\"\npaginate_by = {paginate_by}\n"
        ))
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes a file below the site root.
    pub fn file(&self, rel: &str, text: &str) -> &Fixture {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// Writes an article with TOML front matter; `extra` lines go into the front matter.
    pub fn article(&self, rel: &str, title: &str, date: &str, extra: &str, body: &str) -> &Fixture {
        self.file(
            &format!("content/{rel}"),
            &format!("+++\ntitle = {title:?}\ndate = {date}\n{extra}\n+++\n{body}\n"),
        )
    }

    /// Runs the `annals` binary with these arguments in the site root.
    pub fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(args)
            .current_dir(self.root())
            .output()
            .expect("run annals")
    }

    /// Builds into `public/` and panics with the errors if it fails.
    pub fn build(&self) -> Output {
        let out = self.run(&["build"]);
        assert!(
            out.status.success(),
            "build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// A built file's text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out().join(rel))
            .unwrap_or_else(|e| panic!("cannot read public/{rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out().join(rel).exists()
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every HTML file below `dir`, relative, with `/` separators.
pub fn html_files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("below dir")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// The output file a link on `page` (a file below the output folder) leads to, if it leads into
/// the site.
fn target(link: &str, page: &str, site: &Links) -> Option<String> {
    let url = format!(
        "{}/{}",
        site.base_path(),
        page.strip_suffix("index.html").unwrap_or(page)
    );
    match resolve(link, &url, site) {
        Target::File { file, .. } => Some(file),
        Target::Elsewhere | Target::OutsideBase => None,
    }
}

/// Asserts every internal link of every page resolves to a file, and returns the pages not
/// reachable by following links from the home page.
pub fn check_links(dir: &Path, base_path: &str) -> BTreeSet<String> {
    let site = Links::new(&format!("https://example.org{base_path}"));
    let pages = html_files(dir);
    let mut broken = Vec::new();
    for page in &pages {
        let html = std::fs::read_to_string(dir.join(page)).expect("read page");
        for link in links(&html) {
            if let Some(file) = target(&link, page, &site)
                && !dir.join(&file).is_file()
                && !dir.join(&file).join("index.html").is_file()
            {
                broken.push(format!("{page} -> {link}"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));

    let mut seen: HashSet<String> = HashSet::from(["index.html".to_owned()]);
    let mut queue = VecDeque::from(["index.html".to_owned()]);
    while let Some(page) = queue.pop_front() {
        let html = std::fs::read_to_string(dir.join(&page)).expect("read page");
        for link in links(&html) {
            if let Some(file) = target(&link, &page, &site)
                && file.ends_with(".html")
                && seen.insert(file.clone())
            {
                queue.push_back(file);
            }
        }
    }
    pages.into_iter().filter(|p| !seen.contains(p)).collect()
}
