//! The theme contract: what every template gets, as JSON, pinned by snapshots in
//! `tests/snapshots/`. A renamed or dropped key fails here before it reaches a theme as an empty
//! variable. After a deliberate change to the contract (and to the README's "Writing a theme"),
//! `UPDATE_SNAPSHOTS=1 cargo test --test views` writes the snapshots anew.

mod common;

use std::path::Path;

use common::Fixture;

/// Every template the contract covers, with the output file that shows its context.
const VIEWS: [(&str, &str, &str); 13] = [
    (
        "article",
        "article.html",
        "2024/06/19/talks-resume-in-geneva/index.html",
    ),
    ("listing", "index.html", "index.html"),
    ("term", "term.html", "topics/energy/index.html"),
    (
        "term_year",
        "term_year.html",
        "countries/russia/2024/index.html",
    ),
    ("taxonomy", "taxonomy.html", "topics/index.html"),
    ("places", "places.html", "countries/index.html"),
    ("period", "period.html", "2024/06/index.html"),
    ("period_year", "period.html", "2024/index.html"),
    ("period_day", "period.html", "2024/06/19/index.html"),
    ("archive", "archive.html", "archive/index.html"),
    ("feed", "atom.xml", "atom.xml"),
    ("special", "404.html", "404.html"),
    ("search", "search.html", "search/index.html"),
];

fn site() -> Fixture {
    let site = Fixture::new(
        "title = \"Views\"\ndescription = \"A fixture\"\nauthor = \"Desk\"\nbase_url = \"https://example.org/news\"\npaginate_by = 2\n[extra]\ntagline = \"Every day\"\n",
    );
    // A stylesheet of its own, so that its version in `site.css_url` stays put.
    site.file("static/css/annals.css", "body {}\n");
    let templates: std::collections::BTreeSet<&str> = VIEWS.iter().map(|v| v.1).collect();
    for template in templates {
        site.file(
            &format!("templates/{template}"),
            "{{ __tera_context | json_encode(pretty=true) | safe }}",
        );
    }
    site.article(
        "geneva.md",
        "Talks resume in Geneva",
        "2024-06-19T09:30:00+09:00",
        "updated = 2024-06-20T11:00:00+09:00\ntopics = [\"Energy\", \"Diplomacy\"]\ncountries = [\"Russia\"]\nauthors = [\"Annals Desk\"]\naliases = [\"/old/geneva/\"]\n[extra]\ndateline = \"Geneva\"",
        "First paragraph, with [the pipeline](@/pipeline.md).\n\n<!-- more -->\n\n## Later\n\nMore.",
    );
    site.article(
        "pipeline.md",
        "Pipeline opens",
        "2024-06-03",
        "topics = [\"Energy\"]\ncountries = [\"Russia\", \"Norway\"]",
        "The pipeline opened.",
    );
    site.article(
        "grid.md",
        "Grid expands",
        "2023-01-15T08:00:00Z",
        "topics = [\"Energy\"]",
        "A grid.",
    );
    site
}

#[test]
fn what_every_template_gets_matches_its_snapshot() {
    let site = site();
    site.build();
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut differ = Vec::new();
    for (name, _, output) in VIEWS {
        let mut json: serde_json::Value = serde_json::from_str(&site.read(output))
            .unwrap_or_else(|e| panic!("{output} is not the JSON of a context: {e}"));
        // The world map's ~240 shapes: the countries with articles and the first one without
        // stand for them all.
        if let Some(shapes) = json
            .pointer_mut("/map/shapes")
            .and_then(|s| s.as_array_mut())
        {
            let first_blank = shapes.iter().position(|s| s["url"].is_null());
            let mut kept = 0;
            shapes.retain(|s| {
                kept += 1;
                !s["url"].is_null() || Some(kept - 1) == first_blank
            });
            for shape in shapes.iter_mut() {
                shape["path"] = "…".into();
            }
        }
        let text = serde_json::to_string_pretty(&json).unwrap() + "\n";
        let snapshot = dir.join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&snapshot, &text).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(text.as_str()) {
            differ.push(format!("{name} ({output}):\n{text}"));
        }
    }
    assert!(
        differ.is_empty(),
        "the theme contract changed; if that is meant, update the README and run \
         UPDATE_SNAPSHOTS=1 cargo test --test views\n{}",
        differ.join("\n")
    );
}
