//! `annals check` finds what a link checker finds: relative links resolved against their page,
//! links that leave a sub-path site, missing files and fragments naming no element, each at the
//! line of the Markdown it came from, or naming the template.

mod common;

use common::{Fixture, stderr};

fn site() -> Fixture {
    let site = Fixture::new(
        "title = \"Checked\"\nbase_url = \"https://example.net/blog\"\nsearch = false\n",
    );
    site.article(
        "2015/timeline/index.md",
        "Final timeline",
        "2015-02-13",
        "",
        "Intro with [the application](application.txt).\n\n## Flatten the curve\n\nSee [below](#flatten-the-curve), [the theme](#Theme-Flatten-the-curve)\nand [the note][^1].\n\n[^1]: A note.\n",
    )
    .file("content/2015/timeline/application.txt", "text")
    .file("static/images/a.png", "png");
    site
}

fn check(site: &Fixture) -> (bool, String) {
    let out = site.run(&["check"]);
    (out.status.success(), stderr(&out))
}

#[test]
fn a_clean_site_with_relative_links_and_fragments_checks() {
    let site = site();
    site.file(
        "content/2015/timeline/index.md",
        "+++\ntitle = \"Final timeline\"\ndate = 2015-02-13\n+++\nIntro with [the application](application.txt), [the note][^1],\n[below](#flatten-the-curve) and <a href='images/../application.txt'>raw</a>,\n[tidied](/blog/2015/./02/13/../13/final-timeline/) as browsers do.\n\n## Flatten the curve\n\n[^1]: A note.\n",
    );
    let (ok, err) = check(&site);
    assert!(ok, "{err}");
}

#[test]
fn broken_links_are_named_at_their_line() {
    let site = site();
    site.article(
        "2015/other.md",
        "Other",
        "2015-02-14",
        "",
        "One [sub-path mistake](/2015/02/13/final-timeline/).\n\nTwo [missing](gone.txt) and\n<img src=\"photo.jpg\" alt=\"raw HTML\">\n\n[a fragment elsewhere](@/2015/timeline/index.md#nowhere)\n\n[not ASCII](/blog/café-missing/)\n",
    );
    let (ok, err) = check(&site);
    assert!(!ok, "check passed:\n{err}");
    for expected in [
        // A GitHub-style anchor names no id: heading ids are lowercase.
        "content/2015/timeline/index.md:10: ",
        "#Theme-Flatten-the-curve",
        "content/2015/other.md:6: ",
        "outside the site's base path /blog/",
        "content/2015/other.md:8: ",
        "gone.txt, which is not a page or file",
        "content/2015/other.md:9: ",
        "photo.jpg",
        "content/2015/other.md:11: ",
        "has no element with the id \"nowhere\"",
        // Escaped in the page, found as written.
        "content/2015/other.md:13: ",
        "/blog/caf%C3%A9-missing/",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn a_broken_template_link_is_named_once_per_template() {
    let site = site();
    site.file(
        "templates/partials/card.html",
        "<a href=\"{{ article.url }}\">{{ article.title }}</a> <a href=\"/blog/nowhere/\">x</a>",
    );
    site.article("2015/second.md", "Second", "2015-02-15", "", "Text.");
    let (ok, err) = check(&site);
    assert!(!ok);
    // The card is on the pages of the home listing and of term listings: one error for each of
    // those templates, however many pages they make.
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("/blog/nowhere/"))
        .collect();
    assert!(!lines.is_empty() && lines.len() <= 3, "{err}");
    assert!(lines.iter().all(|l| l.contains("templates/")), "{err}");
    assert!(lines.iter().any(|l| l.contains("more page")), "{err}");
}

#[test]
fn a_small_site_gets_misspelling_warnings_too() {
    let site = Fixture::with_base("https://example.org", 10);
    site.article("a.md", "A", "2024-01-01", "topics = [\"Elections\"]", "A.")
        .article("b.md", "B", "2024-01-02", "topics = [\"Elections\"]", "B.")
        .article("c.md", "C", "2024-01-03", "topics = [\"Electons\"]", "C.")
        .article("d.md", "D", "2024-01-04", "countries = [\"Ireland\"]", "D.")
        .article("e.md", "E", "2024-01-05", "countries = [\"Ireland\"]", "E.")
        .article("f.md", "F", "2024-01-06", "countries = [\"Iceland\"]", "F.");
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: content/c.md: topics \"Electons\" (1 article) looks like \"Elections\" (2 articles); a misspelling?"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("\"Iceland\" (1 article) looks like"),
        "two countries are two places: {}",
        stderr(&out)
    );
}
