//! Real-world text shapes (`tests/fixtures/shapes`): curly quotes next to entities, emoji and
//! flag sequences, combining marks and zero-width joiners, right-to-left and CJK text, raw HTML
//! as WordPress writes it, footnotes, tables, a 400-character headline, a page bundle, and an
//! explicit heading id linked GitHub-style. The site builds with the default settings (search
//! included), `check` finds nothing, and the text arrives intact. CI also runs the W3C validator
//! over it (`.ci/validate.py`).

mod common;

use std::path::Path;

use common::{Fixture, check_links, html_files, stderr};

/// A copy of the fixture in a temporary folder (a build leaves its cache in the site).
fn shapes() -> Fixture {
    let site = Fixture::new("");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shapes");
    for entry in walkdir::WalkDir::new(&fixture)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(&fixture).unwrap();
        let to = site.root().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    site
}

#[test]
fn real_world_text_builds_checks_and_arrives_intact() {
    let site = shapes();
    let out = site.build();
    assert!(stderr(&out).is_empty(), "no warnings: {}", stderr(&out));
    let check = site.run(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let unreachable = check_links(&site.out(), "/blog");
    assert!(
        unreachable.iter().all(|p| p == "404.html"
            || p.starts_with("archives/")
            || p.starts_with("2022/02/02/imported")),
        "only the 404 page and redirects are not linked: {unreachable:?}"
    );

    let flatten = html_files(&site.out())
        .into_iter()
        .find(|p| p.contains("theme-flatten-the-curve-what-it-meant"))
        .expect("the bundle's page");
    let page = site.read(&flatten);
    for text in [
        "“Flatten the curve”",
        "Hà Nội",
        "Ha\u{300} No\u{323}i",
        "👩\u{200d}👩\u{200d}👧",
        "🇨🇭",
        "zero\u{200d}width",
        "id=\"Theme-Flatten-the-curve\"",
        "curve.svg",
        "<table>",
        "footnote",
    ] {
        assert!(page.contains(text), "{text:?} missing from {flatten}");
    }
    let folder = flatten.trim_end_matches("index.html");
    assert!(site.exists(&format!("{folder}data/cases.csv")));

    let rtl = site.read("2021/06/01/index.html");
    assert!(
        rtl.contains("القمة في الرياض"),
        "the Arabic headline in its day's listing"
    );
    let wordpress = html_files(&site.out())
        .into_iter()
        .find(|p| p.contains("imported-from-wordpress"))
        .unwrap();
    let html = site.read(&wordpress);
    assert!(
        html.contains("srcset='/blog/images/photo.jpg 1x"),
        "raw HTML kept"
    );
    assert!(
        site.exists("archives/123/index.html"),
        "an old WordPress URL redirects"
    );
    assert!(site.exists("2022/02/02/imported-post.html"));

    let long = html_files(&site.out())
        .into_iter()
        .find(|p| p.contains("officials-in-the-capital"))
        .unwrap();
    let slug = long.split('/').rev().nth(1).unwrap();
    assert!(slug.len() <= 150, "{slug}");

    for feed in ["atom.xml", "rss.xml", "topics/energy/atom.xml"] {
        roxmltree::Document::parse(&site.read(feed)).unwrap_or_else(|e| panic!("{feed}: {e}"));
    }
    assert!(site.read("atom.xml").contains("太阳能发电"));
    assert!(site.exists("search-index/index.json"), "search is on");
}
