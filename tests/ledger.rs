//! The URL ledger: after a headline edit, a date correction or a file move, the old URL
//! redirects to the new one, also in a cold build of a fresh copy of the site (the ledger
//! committed, no build cache).

mod common;

use std::path::Path;

use common::{Fixture, stderr};

fn site() -> Fixture {
    let site = Fixture::with_base("https://news.example.org", 20);
    site.article(
        "2024/treaty.md",
        "Treaty signed",
        "2024-06-19T10:00:00Z",
        "",
        "The treaty.",
    )
    .article(
        "2024/other.md",
        "Other news",
        "2024-06-20T10:00:00Z",
        "",
        "Other.",
    );
    site
}

/// Copies the site's sources (not its output, not its build cache) to a fresh folder, as a
/// clone of its repository would have them.
fn fresh_copy(site: &Fixture) -> Fixture {
    let copy = Fixture::new(&std::fs::read_to_string(site.root().join("site.toml")).unwrap());
    for entry in walkdir::WalkDir::new(site.root().join("content")) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(site.root()).unwrap();
        if entry.file_type().is_file() {
            copy.file(
                rel.to_str().unwrap(),
                &std::fs::read_to_string(entry.path()).unwrap(),
            );
        }
    }
    let ledger = site.root().join("permalinks.txt");
    std::fs::copy(&ledger, copy.root().join("permalinks.txt")).expect("the build wrote a ledger");
    copy
}

fn build(site: &Fixture) -> String {
    let out = site.build();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn redirects(site: &Fixture, from: &str, to: &str) {
    let page = site.read(&format!("{}index.html", from.trim_start_matches('/')));
    assert!(
        page.contains(&format!("url={to}")),
        "{from} does not redirect to {to}:\n{page}"
    );
}

fn edit(site: &Fixture, rel: &str, from: &str, to: &str) {
    let path = site.root().join("content").join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from));
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

fn check_cold_copy(site: &Fixture, from: &str, to: &str) {
    let copy = fresh_copy(site);
    build(&copy);
    redirects(&copy, from, to);
    assert!(copy.exists(&format!("{}index.html", to.trim_start_matches('/'))));
}

#[test]
fn a_corrected_headline_keeps_the_old_url_redirecting() {
    let site = site();
    build(&site);
    let ledger = std::fs::read_to_string(site.root().join("permalinks.txt")).unwrap();
    assert!(ledger.contains("2024/treaty.md\t"), "{ledger}");
    assert!(
        ledger.contains("\t/2024/06/19/treaty-signed/\n"),
        "{ledger}"
    );

    edit(
        &site,
        "2024/treaty.md",
        "Treaty signed",
        "Treaty signed in Vienna",
    );
    let out = build(&site);
    assert!(
        out.contains("moved: content/2024/treaty.md: /2024/06/19/treaty-signed/ → /2024/06/19/treaty-signed-in-vienna/ (the old URL redirects)"),
        "{out}"
    );
    redirects(
        &site,
        "/2024/06/19/treaty-signed/",
        "/2024/06/19/treaty-signed-in-vienna/",
    );
    let again = build(&site);
    assert!(!again.contains("moved:"), "a move is told once: {again}");
    check_cold_copy(
        &site,
        "/2024/06/19/treaty-signed/",
        "/2024/06/19/treaty-signed-in-vienna/",
    );
}

#[test]
fn a_date_correction_and_a_file_move_keep_their_old_urls() {
    let site = site();
    build(&site);
    edit(
        &site,
        "2024/treaty.md",
        "2024-06-19T10:00:00Z",
        "2024-06-18T10:00:00Z",
    );
    build(&site);
    redirects(
        &site,
        "/2024/06/19/treaty-signed/",
        "/2024/06/18/treaty-signed/",
    );

    // A moved file with a new slug: recognised by its text.
    let from = site.root().join("content/2024/other.md");
    let text = std::fs::read_to_string(&from).unwrap();
    std::fs::create_dir_all(site.root().join("content/archive")).unwrap();
    std::fs::write(
        site.root().join("content/archive/other.md"),
        text.replace("+++\ntitle", "+++\nslug = \"other-story\"\ntitle"),
    )
    .unwrap();
    std::fs::remove_file(&from).unwrap();
    let out = build(&site);
    assert!(out.contains("moved: content/archive/other.md"), "{out}");
    redirects(&site, "/2024/06/20/other-news/", "/2024/06/20/other-story/");
    let ledger = std::fs::read_to_string(site.root().join("permalinks.txt")).unwrap();
    assert!(
        !ledger.contains("2024/other.md"),
        "the line followed the file: {ledger}"
    );

    let copy = fresh_copy(&site);
    build(&copy);
    redirects(
        &copy,
        "/2024/06/19/treaty-signed/",
        "/2024/06/18/treaty-signed/",
    );
    redirects(&copy, "/2024/06/20/other-news/", "/2024/06/20/other-story/");
}

#[test]
fn a_deleted_article_is_reported_and_a_retired_url_is_gone() {
    let site = site();
    build(&site);
    edit(&site, "2024/treaty.md", "Treaty signed", "Treaty");
    build(&site);
    std::fs::remove_file(site.root().join("content/2024/other.md")).unwrap();
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "content/2024/other.md: is gone, and its URLs /2024/06/20/other-news/ lead nowhere now"
        ),
        "{err}"
    );

    // Retiring: the earlier URL deleted from the ledger redirects no more.
    let path = site.root().join("permalinks.txt");
    let ledger = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, ledger.replace("\t/2024/06/19/treaty-signed/", "")).unwrap();
    build(&site);
    assert!(!site.exists("2024/06/19/treaty-signed/index.html"));
    assert!(site.exists("2024/06/19/treaty/index.html"));
}

#[test]
fn a_broken_ledger_line_is_an_error_naming_its_line() {
    let site = site();
    site.file(
        "permalinks.txt",
        "# comment\n2024/treaty.md\tnot-hex\t/x/\n",
    );
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("permalinks.txt:2"),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new(&site.out()).join("index.html").exists());

    // An earlier URL that leaves the site would be a redirect page written outside it.
    let config = std::fs::read_to_string(site.root().join("site.toml")).expect("read");
    site.file(
        "permalinks.txt",
        "2024/treaty.md\t00ff\t/2024/06/19/treaty-signed/\t/../site.toml\n",
    );
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("permalinks.txt:1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(site.root().join("site.toml")).expect("read"),
        config
    );
}

#[test]
fn a_live_site_redirects_an_article_that_moved_as_the_next_build_will() {
    use annals::live::LiveSite;
    use annals::site::BuildOptions;
    let site = site();
    build(&site);
    let out = site.root().join("live");
    let options = BuildOptions {
        output: Some(out.clone()),
        ..BuildOptions::new(site.root())
    };
    let (mut live, _) = LiveSite::build(&options, false).expect("live build");
    edit(
        &site,
        "2024/treaty.md",
        "Treaty signed",
        "Treaty signed in Vienna",
    );
    live.update(&[site.root().join("content/2024/treaty.md")])
        .expect("update");
    let page = std::fs::read_to_string(out.join("2024/06/19/treaty-signed/index.html"))
        .expect("the old URL redirects in the preview");
    assert!(
        page.contains("url=/2024/06/19/treaty-signed-in-vienna/"),
        "{page}"
    );
    // The preview writes no ledger: the next build records the move.
    let ledger = std::fs::read_to_string(site.root().join("permalinks.txt")).unwrap();
    assert!(!ledger.contains("vienna"), "{ledger}");
    assert!(build(&site).contains("moved: content/2024/treaty.md"));
}
