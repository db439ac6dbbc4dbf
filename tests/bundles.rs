//! Page bundles: an article kept as a folder (`content/2016/mir/index.md`) with its images and
//! files beside it, published beside its page under any `article_path` and base path.

mod common;

use common::{Fixture, check_links, stderr};

fn site(settings: &str) -> Fixture {
    let site = Fixture::new(&format!(
        "title = \"Bundles\"\nbase_url = \"https://example.org/blog\"\nsearch = false\n{settings}\n"
    ));
    site.article(
        "2016/mir/index.md",
        "The Mir optimisation pass",
        "2016-03-04",
        "topics = [\"Compilers\"]",
        "How MIR flows: ![the flow](flow.svg) and [the table](data/table.csv).\n\nSee [the other post](@/2016/other.md).\n\n## Details\n\n![the graph](cfg.svg)",
    )
    .file("content/2016/mir/flow.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    .file("content/2016/mir/cfg.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    .file("content/2016/mir/data/table.csv", "a,b\n1,2\n")
    .file("content/2016/mir/notes.md", "Notes, not an article.")
    .file("content/2016/mir/.DS_Store", "junk");
    site.article(
        "2016/other.md",
        "Another post",
        "2016-03-05",
        "topics = [\"Compilers\"]",
        "Back to [the bundle](@/2016/mir/) and [its article](@/2016/mir/index.md) and [again](@/2016/mir).",
    );
    site
}

#[test]
fn a_bundles_files_are_published_beside_its_page() {
    let site = site("");
    let out = site.build();
    let warnings = stderr(&out);
    assert!(
        warnings.contains("index.md") && warnings.contains("notes.md"),
        "a Markdown file in a bundle is a file, said: {warnings}"
    );
    let page = "2016/03/04/the-mir-optimisation-pass/";
    for file in ["flow.svg", "cfg.svg", "data/table.csv", "notes.md"] {
        assert!(site.exists(&format!("{page}{file}")), "{file} is published");
    }
    assert!(!site.exists(&format!("{page}.DS_Store")));
    let html = site.read(&format!("{page}index.html"));
    assert!(
        html.contains(&format!("src=\"/blog/{page}flow.svg\"")),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"/blog/{page}data/table.csv\"")));
    // Feeds get absolute URLs, of whole articles and of summaries alike.
    assert!(
        site.read("atom.xml")
            .contains(&format!("https://example.org/blog/{page}flow.svg"))
    );
    let other = site.read("2016/03/05/another-post/index.html");
    let body = other
        .split("story-body")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    assert_eq!(
        body.matches(&format!("href=\"/blog/{page}\"")).count(),
        3,
        "{body}"
    );
    check_links(&site.out(), "/blog");
    let check = site.run(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn summaries_of_bundles_keep_their_images_in_summary_feeds() {
    let site = site("feed_content = \"summary\"");
    site.build();
    let page = "2016/03/04/the-mir-optimisation-pass/";
    let feed = site.read("feed.json");
    assert!(
        feed.contains(&format!("https://example.org/blog/{page}flow.svg")),
        "{feed}"
    );
}

#[test]
fn a_bundle_is_named_by_its_folder_and_a_draft_bundle_publishes_nothing() {
    let site = site("slug_from = \"file\"\narticle_path = \"/{slug}/\"");
    site.build();
    assert!(site.exists("mir/index.html"));
    assert!(site.exists("mir/flow.svg"));
    assert!(site.exists("other/index.html"));

    site.article(
        "2017/draft/index.md",
        "Draft",
        "2017-01-01",
        "draft = true",
        "![x](x.png)",
    )
    .file("content/2017/draft/x.png", "png");
    site.build();
    assert!(!site.exists("draft/x.png"));
    assert!(!site.exists("draft/index.html"));
}

#[test]
fn a_bundle_file_on_a_static_file_or_a_page_is_an_error() {
    let site = site("");
    site.file("content/2016/mir/index.html", "<p>mine</p>");
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("mir/index"), "{}", stderr(&out));
}

#[test]
fn files_in_content_outside_bundles_are_named_as_unpublished() {
    let site = site("");
    site.file("content/images/logo.png", "png");
    site.file("content/images/banner.png", "png");
    let out = site.build();
    let warnings = stderr(&out);
    assert!(
        warnings.contains("banner.png") && warnings.contains("not published"),
        "{warnings}"
    );
    assert!(warnings.contains("one more file"), "{warnings}");
}
