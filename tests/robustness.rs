//! Bad input and bad luck: every row of the README's bad-input table, killed builds, escaping.

mod common;

use std::time::{Duration, Instant};

use common::{Fixture, html_files, stderr};

fn fixture() -> Fixture {
    Fixture::new("title = \"Robust\"\nbase_url = \"https://example.org\"\nsearch = false\n")
}

fn leftovers(site: &Fixture) -> Vec<String> {
    std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".annals-") && n != ".annals-cache")
        .collect()
}

#[test]
fn a_killed_build_leaves_the_previous_site_and_the_next_build_cleans_up() {
    let site = Fixture::new("base_url = \"https://example.org\"\n");
    for i in 0..300 {
        site.article(
            &format!("{}/a{i}.md", 2000 + i % 20),
            &format!("Article {i}"),
            &format!("{}-0{}-1{}", 2000 + i % 20, 1 + i % 9, i % 10),
            &format!("topics = [\"T{}\"]\ncountries = [\"C{}\"]", i % 30, i % 40),
            &"Words and more words. ".repeat(200),
        );
    }
    site.build();
    let before: Vec<(String, String)> = html_files(&site.out())
        .into_iter()
        .map(|p| (site.read(&p), p))
        .map(|(text, p)| (p, text))
        .collect();
    for signal in ["-TERM", "-INT", "-KILL"] {
        site.article("2019/new.md", "A new article", "2019-05-05", "", "New.");
        // Without the build cache the build stages the whole site, which takes long enough to
        // be interrupted (a patch is tested in `output.rs`).
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(["build", "--no-cache"])
            .current_dir(site.root())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while leftovers(&site).is_empty() && started.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(50));
        let finished_already = child.try_wait().unwrap().is_some();
        std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let _ = child.wait();
        if finished_already {
            continue; // too fast to interrupt on this machine; nothing to check
        }
        for (page, text) in &before {
            assert_eq!(&site.read(page), text, "{signal}: {page} changed");
        }
        assert!(
            !site.exists("2019/05/05/a-new-article/index.html"),
            "{signal}"
        );
        std::fs::remove_file(site.root().join("content/2019/new.md")).unwrap();
    }
    site.build();
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}

#[test]
fn invalid_utf8_is_an_error_naming_the_file() {
    let site = fixture();
    site.article("good.md", "Good", "2024-01-01", "", "Fine.");
    std::fs::write(
        site.root().join("content/latin1.md"),
        b"+++\ntitle = \"Caf\xe9\"\ndate = 2024-01-01\n+++\n",
    )
    .unwrap();
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("content/latin1.md: is not valid UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn wrong_types_and_empty_values_are_errors_at_their_line() {
    let site = fixture();
    site.file(
        "content/a.md",
        "+++\ntitle = \"A\"\ndate = 2024-01-01\ntopics = \"Politics\"\n+++\n",
    )
    .file(
        "content/b.md",
        "+++\ntitle = \"\"\ndate = 2024-01-01\n+++\n",
    )
    .file(
        "content/c.md",
        "+++\ntitle = \"C\"\ndate = 2024-01-01\ncountries = [\"  \"]\n+++\n",
    )
    .file(
        "content/d.md",
        "---\ntitle: D\ndate: 2024-01-01\ntopics: {a: 1}\n---\n",
    )
    .file(
        "content/e.md",
        "+++\ntitle = \"E\"\ndate = 2024-01-01T25:00:00Z\n+++\n",
    );
    let err = stderr(&site.run(&["build"]));
    for expected in [
        "content/a.md:4:",
        "content/b.md:2: `title` is empty",
        "content/c.md:4:",
        "content/d.md:4",
        "content/e.md:3:",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn empty_topics_no_body_crlf_bom_and_deep_folders_are_fine() {
    let site = fixture();
    site.file(
        "content/a.md",
        "+++\ntitle = \"No body\"\ndate = 2024-01-01\ntopics = []\n+++\n",
    );
    site.file(
        "content/b.md",
        "\u{feff}+++\r\ntitle = \"Windows\"\r\ndate = 2024-01-02\r\n+++\r\nLine one.\r\n",
    );
    let deep: String = (0..40).map(|i| format!("level{i}/")).collect();
    site.article(
        &format!("{deep}deep.md"),
        "Deep down",
        "2024-01-03",
        "",
        "Found.",
    );
    site.build();
    assert!(site.exists("2024/01/01/no-body/index.html"));
    assert!(
        site.read("2024/01/02/windows/index.html")
            .contains("Line one.")
    );
    assert!(site.exists("2024/01/03/deep-down/index.html"));
}

#[test]
fn future_articles_wait_unless_asked_for() {
    let site = fixture();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    site.article("now.md", "Published", "2024-01-01", "", "Now.")
        .article("later.md", "Scheduled", &tomorrow, "", "Later.");
    let out = site.build();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Built 1 article into"),
        "one published"
    );
    assert!(
        stderr(&out).contains("later.md") && stderr(&out).contains("scheduled"),
        "{}",
        stderr(&out)
    );
    assert!(!site.read("index.html").contains("Scheduled"));
    let out = site.run(&["build", "--future"]);
    assert!(out.status.success());
    assert!(site.read("index.html").contains("Scheduled"));
}

#[test]
fn warnings_fail_only_with_strict() {
    let site = fixture();
    site.article("a.md", "A", "2024-01-01", "topics = [\"Economy\"]", "x")
        .article("b.md", "B", "2024-01-02", "topics = [\"economy\"]", "x");
    let out = site.run(&["build"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("warning:"), "{}", stderr(&out));
    for command in ["build", "check"] {
        let out = site.run(&[command, "--strict"]);
        assert!(!out.status.success(), "{command} --strict");
        assert!(stderr(&out).contains("warning"), "{}", stderr(&out));
    }
}

#[test]
fn symlinks_are_not_followed_out_of_the_site() {
    let site = fixture();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "+++\ntitle = \"Secret\"\ndate = 2024-01-01\n+++\nFrom outside.\n",
    )
    .unwrap();
    site.article("a.md", "Inside", "2024-01-01", "", "In.");
    std::os::unix::fs::symlink(outside.path(), site.root().join("content/linked")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.root().join("content/secret.md"),
    )
    .unwrap();
    std::fs::create_dir_all(site.root().join("static")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.root().join("static/outside")).unwrap();
    site.build();
    let pages = html_files(&site.out());
    assert!(!pages.iter().any(|p| p.contains("secret")), "{pages:?}");
    assert!(!site.out().join("outside").exists());
}

#[test]
fn large_articles_and_thousands_of_terms_build() {
    let site = fixture();
    let paragraph =
        "A long paragraph of reporting with *emphasis* and [a link](https://example.org). ";
    let body: String = (0..2_500)
        .map(|i| format!("## Part {i}\n\n{}\n\n", paragraph.repeat(60)))
        .collect();
    assert!(body.len() > 10_000_000);
    site.article("big.md", "Very long", "2024-01-01", "", &body);
    let topics: Vec<String> = (0..2_000).map(|i| format!("\"Topic {i}\"")).collect();
    site.article(
        "many.md",
        "Many terms",
        "2024-01-02",
        &format!("topics = [{}]", topics.join(", ")),
        "x",
    );
    site.build();
    assert!(site.exists("2024/01/01/very-long/index.html"));
    assert!(site.exists("topics/topic-1999/index.html"));
}

#[test]
fn raw_html_can_be_kept_escaped_or_sanitized() {
    let body = "Text <b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n<div onclick=\"x()\">block</div>\n";
    for (setting, expect, forbid) in [
        ("keep", "<script>alert(1)</script>", &[][..]),
        (
            "escape",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            &["<script>alert", "<img src=x", "<div onclick"][..],
        ),
        (
            "sanitize",
            "<b>bold</b>",
            &["<script>alert", "onerror", "onclick"][..],
        ),
    ] {
        let site = Fixture::new(&format!(
            "base_url = \"https://example.org\"\nsearch = false\nraw_html = \"{setting}\"\n"
        ));
        site.article("a.md", "Raw", "2024-01-01", "slug = \"raw\"", body);
        site.build();
        let page = site.read("2024/01/01/raw/index.html");
        assert!(page.contains(expect), "{setting}: {page}");
        for bad in forbid {
            assert!(!page.contains(bad), "{setting}: {bad} in {page}");
        }
    }
}

#[test]
fn user_strings_are_escaped_in_every_context() {
    let nasty = "Q&A: <script>x</script> \\\"quoted\\\" 'single' ]]> </script>";
    let site = Fixture::new("base_url = \"https://example.org\"\n");
    site.article(
        "x.md",
        nasty,
        "2024-01-02",
        &format!(
            "slug = \"x\"\nsummary = \"{nasty}\"\nauthors = [\"{nasty}\"]\ntopics = [\"{nasty}\"]\n[extra]\nnote = \"{nasty}\""
        ),
        "Body.",
    );
    site.build();
    for page in html_files(&site.out()) {
        let html = site.read(&page);
        assert!(!html.contains("<script>x</script>"), "raw in {page}");
        assert!(
            !html.contains("\"quoted\""),
            "an attribute could break in {page}"
        );
    }
    for feed in ["atom.xml", "rss.xml", "sitemap.xml"] {
        let text = site.read(feed);
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{feed}: {e}"));
        assert!(!text.contains("<script>x"), "{feed}");
    }
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["items"][0]["title"], nasty);
}
