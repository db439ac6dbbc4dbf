//! End-to-end builds of fixture sites: pages, links, pagination, escaping, terms and errors.

mod common;

use common::{Fixture, check_links, html_files, stderr};

/// Five articles over two years, three months and four days, with topics and countries.
fn news_site(base_url: &str, paginate_by: usize) -> Fixture {
    let site = Fixture::with_base(base_url, paginate_by);
    site.article(
        "2024/putin.md",
        "Putin arrives in Pyongyang",
        "2024-06-19T09:30:00+09:00",
        "topics = [\"Diplomacy\", \"Sanctions\"]\ncountries = [\"Russia\", \"North Korea\"]\nauthors = [\"Desk\"]",
        "Putin landed in Pyongyang.\n\nSee also [the treaty](@/2024/treaty.md).",
    )
    .article(
        "2024/treaty.md",
        "Treaty signed",
        "2024-06-19T19:30:00+09:00",
        "topics = [\"diplomacy\"]\ncountries = [\"north korea \", \"Russia\"]",
        "A mutual defence treaty.",
    )
    .article(
        "2024/hanoi.md",
        "Putin in Hanoi",
        "2024-06-20T18:30:00+07:00",
        "topics = [\"Diplomacy\"]\ncountries = [\"Vietnam\"]",
        "Hanoi.",
    )
    .article(
        "2024/troops.md",
        "Troops sent",
        "2024-10-18",
        "topics = [\"Military\"]\ncountries = [\"North  Korea\"]",
        "Troops.",
    )
    .article(
        "2023/vostochny.md",
        "Kim at Vostochny",
        "2023-09-13T20:00:00+10:00",
        "topics = [\"Space\"]\ncountries = [\"Russia\", \"Côte d'Ivoire\"]",
        "Rockets.",
    );
    site
}

#[test]
fn every_article_term_and_period_has_a_page() {
    let site = news_site("https://example.org", 20);
    site.build();
    for page in [
        "index.html",
        "404.html",
        "archive/index.html",
        "2024/06/19/putin-arrives-in-pyongyang/index.html",
        "2024/06/19/treaty-signed/index.html",
        "2024/06/20/putin-in-hanoi/index.html",
        "2024/10/18/troops-sent/index.html",
        "2023/09/13/kim-at-vostochny/index.html",
        "topics/index.html",
        "countries/index.html",
        "topics/diplomacy/index.html",
        "topics/sanctions/index.html",
        "topics/military/index.html",
        "topics/space/index.html",
        "countries/russia/index.html",
        "countries/north-korea/index.html",
        "countries/vietnam/index.html",
        "countries/cote-d-ivoire/index.html",
        "2024/index.html",
        "2023/index.html",
        "2024/06/index.html",
        "2024/10/index.html",
        "2023/09/index.html",
        "2024/06/19/index.html",
        "2024/06/20/index.html",
        "2024/10/18/index.html",
        "2023/09/13/index.html",
        "css/annals.css",
    ] {
        assert!(site.exists(page), "missing {page}");
    }
    assert!(!site.exists("2024/07/index.html"));
    assert!(!site.exists("topics/page/2/index.html"));

    let article = site.read("2024/06/19/putin-arrives-in-pyongyang/index.html");
    for link in [
        "href=\"/topics/diplomacy/\"",
        "href=\"/countries/north-korea/\"",
        "href=\"/2024/06/19/\"",
        "href=\"/2024/06/\"",
        "href=\"/2024/\"",
        "href=\"/2024/06/19/treaty-signed/\"",
        "href=\"/2023/09/13/kim-at-vostochny/\"",
    ] {
        assert!(article.contains(link), "article lacks {link}");
    }
    assert!(article.contains("datetime=\"2024-06-19T09:30:00+09:00\""));
    assert!(article.contains("19 June 2024"));

    let archive = site.read("archive/index.html");
    assert!(archive.contains("href=\"/2024/06/\"") && archive.contains("href=\"/2023/09/\""));
    let day = site.read("2024/06/19/index.html");
    assert!(
        day.contains("href=\"/2024/06/20/\""),
        "day links to the next day"
    );
    assert!(
        day.contains("href=\"/2024/06/\""),
        "day links up to its month"
    );
    let month = site.read("2024/06/index.html");
    assert!(month.contains("href=\"/2023/09/\"") && month.contains("href=\"/2024/10/\""));

    let unreachable = check_links(&site.out(), "");
    assert_eq!(
        unreachable.into_iter().collect::<Vec<_>>(),
        ["404.html"],
        "pages not reachable from the home page"
    );
}

#[test]
fn terms_are_normalized_into_one_page_with_one_name() {
    let site = news_site("https://example.org", 20);
    site.build();
    let dirs: Vec<_> = std::fs::read_dir(site.out().join("countries"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        dirs.iter().filter(|d| d.contains("korea")).count(),
        1,
        "{dirs:?}"
    );
    let page = site.read("countries/north-korea/index.html");
    assert!(page.contains("North Korea"));
    assert!(!page.contains("north korea"));
    assert!(!page.contains("North  Korea"));
    for article in ["putin-arrives-in-pyongyang", "treaty-signed", "troops-sent"] {
        assert!(
            page.contains(article),
            "{article} missing from the term page"
        );
    }
    let index = site.read("countries/index.html");
    // "Côte d'Ivoire" is the country, shown by its name.
    assert!(index.contains("Côte d’Ivoire"), "{index}");
    let topics = site.read("topics/diplomacy/index.html");
    assert!(topics.contains("Diplomacy") && !topics.contains(">diplomacy<"));
}

#[test]
fn listings_are_paginated_with_first_previous_next_last() {
    let site = Fixture::with_base("https://example.org", 3);
    for i in 1..=8 {
        site.article(
            &format!("a{i}.md"),
            &format!("Story number {i}"),
            &format!("2024-03-{:02}", i),
            "topics = [\"Economy\"]",
            "Text.",
        );
    }
    site.build();
    assert!(site.exists("page/2/index.html") && site.exists("page/3/index.html"));
    assert!(!site.exists("page/4/index.html"));
    assert!(site.exists("topics/economy/page/3/index.html"));
    assert!(site.exists("2024/03/page/3/index.html"));
    assert!(site.exists("2024/page/3/index.html"));
    let home = site.read("index.html");
    assert!(home.contains("Story number 8") && home.contains("Story number 6"));
    assert!(!home.contains("Story number 5"));
    let middle = site.read("topics/economy/page/2/index.html");
    assert!(middle.contains("Story number 5") && !middle.contains("Story number 8"));
    for link in [
        "href=\"/topics/economy/\"",
        "href=\"/topics/economy/page/3/\"",
    ] {
        assert!(middle.contains(link), "page 2 lacks {link}");
    }
    assert!(middle.contains("aria-current=\"page\""));
    let last = site.read("topics/economy/page/3/index.html");
    assert!(last.contains("Story number 1") && last.contains("Story number 2"));
    assert!(!last.contains("href=\"/topics/economy/page/4/\""));
    check_links(&site.out(), "");
}

#[test]
fn a_base_url_with_a_sub_path_prefixes_every_link() {
    let site = news_site("https://user.github.io/project/", 2);
    site.build();
    let home = site.read("index.html");
    assert!(home.contains("href=\"/project/archive/\""));
    assert!(home.contains("href=\"/project/css/annals.css"));
    assert!(!home.contains("href=\"/archive/\""));
    let article = site.read("2024/06/19/putin-arrives-in-pyongyang/index.html");
    assert!(
        article.contains("href=\"/project/2024/06/19/treaty-signed/\""),
        "@/ link"
    );
    assert!(
        article.contains("https://user.github.io/project/2024/06/19/putin-arrives-in-pyongyang/")
    );
    let unreachable = check_links(&site.out(), "/project");
    assert_eq!(unreachable.into_iter().collect::<Vec<_>>(), ["404.html"]);
}

#[test]
fn user_text_is_escaped_everywhere() {
    let site = Fixture::with_base("https://example.org", 20);
    site.article(
        "x.md",
        "<script>alert(1)</script> & \"quotes\"",
        "2024-01-02",
        "slug = \"xss\"\nsummary = \"<img src=x onerror=alert(2)>\"\ntopics = [\"<b>bold</b>\"]\nauthors = [\"<i>Eve</i>\"]",
        "Body.",
    );
    site.build();
    let mut pages = 0;
    for page in html_files(&site.out()) {
        let html = site.read(&page);
        assert!(!html.contains("<script>alert"), "raw script in {page}");
        assert!(!html.contains("<img src=x"), "raw img in {page}");
        assert!(!html.contains("<b>bold</b>"), "raw term in {page}");
        assert!(!html.contains("<i>Eve</i>"), "raw author in {page}");
        pages += 1;
    }
    assert!(pages > 5);
    let article = site.read("2024/01/02/xss/index.html");
    assert!(article.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(site.exists("topics/b-bold-b/index.html"));
}

#[test]
fn broken_front_matter_is_reported_with_file_and_line_all_at_once() {
    let site = Fixture::with_base("https://example.org", 20);
    site.article("good.md", "Fine", "2024-01-01", "", "Ok.")
        .file(
            "content/typo.md",
            "+++\ntitle = \"Typo\"\ndate = 2024-01-01\ntopic = [\"x\"]\n+++\nBody\n",
        )
        .file(
            "content/nested/baddate.md",
            "+++\ntitle = \"Bad\"\ndate = \"2024-02-30\"\n+++\nBody\n",
        )
        .file(
            "content/syntax.md",
            "+++\ntitle = \"Oops\ndate = 2024-01-01\n+++\n",
        )
        .file("content/yaml.md", "---\ntitle: Fine\ndate: [1, 2]\n---\n")
        .file("content/nofm.md", "Just text.\n");
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    for expected in [
        "content/typo.md:4:",
        "unknown field `topic`",
        "content/nested/baddate.md:3:",
        "2024-02-30",
        "content/syntax.md:2:",
        "content/yaml.md:3",
        "content/nofm.md:1:",
        "no front matter",
    ] {
        assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
    }
    assert!(!site.out().exists(), "a failed build writes nothing");
    assert!(!err.contains("panicked"));

    let check = site.run(&["check"]);
    assert!(!check.status.success());
    assert!(stderr(&check).contains("content/typo.md:4:"));
}

#[test]
fn a_failed_build_leaves_the_previous_site_intact() {
    let site = news_site("https://example.org", 20);
    site.build();
    let before = html_files(&site.out());
    let home = site.read("index.html");
    site.file("content/broken.md", "+++\ntitle = \"Broken\"\n+++\n");
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("content/broken.md"));
    assert_eq!(html_files(&site.out()), before);
    assert_eq!(site.read("index.html"), home);
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.annals-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn deleted_articles_leave_no_stale_pages() {
    let site = news_site("https://example.org", 20);
    site.build();
    assert!(site.exists("topics/space/index.html"));
    std::fs::remove_file(site.root().join("content/2023/vostochny.md")).unwrap();
    site.build();
    assert!(!site.exists("2023/09/13/kim-at-vostochny/index.html"));
    assert!(!site.exists("topics/space/index.html"));
    assert!(!site.exists("2023/index.html"));
}

#[test]
fn links_between_articles_and_duplicate_urls_are_checked() {
    let site = Fixture::with_base("https://example.org", 20);
    site.article(
        "a.md",
        "Same title",
        "2024-01-01",
        "",
        "See [gone](@/nowhere.md).",
    )
    .article("b/a.md", "Same title", "2024-01-01", "", "Text.");
    let err = stderr(&site.run(&["build"]));
    assert!(
        err.contains("b/a.md") && err.contains("content/a.md"),
        "{err}"
    );
    assert!(err.contains("/2024/01/01/same-title/"), "{err}");

    std::fs::remove_file(site.root().join("content/b/a.md")).unwrap();
    let err = stderr(&site.run(&["build"]));
    assert!(
        err.contains("content/a.md:6:5") && err.contains("content/nowhere.md"),
        "{err}"
    );
}

#[test]
fn drafts_yaml_and_custom_article_paths() {
    let site = Fixture::new(
        "base_url = \"https://example.org\"\narticle_path = \"/news/{year}/{slug}/\"\n",
    );
    site.file(
        "content/y.md",
        "---\ntitle: \"Hello from YAML\"\ndate: 2024-05-06T10:00:00Z\ntopics:\n  - Tests\n---\nBody **bold**.\n",
    )
    .article("d.md", "Secret draft", "2024-05-07", "draft = true", "Draft.");
    site.build();
    assert!(
        site.read("news/2024/hello-from-yaml/index.html")
            .contains("<strong>bold</strong>")
    );
    assert!(!site.exists("news/2024/secret-draft/index.html"));
    assert!(site.exists("topics/tests/index.html"));
    let out = site.run(&["build", "--drafts"]);
    assert!(out.status.success());
    assert!(site.exists("news/2024/secret-draft/index.html"));
    check_links(&site.out(), "");
}

#[test]
fn site_templates_override_the_built_in_ones() {
    let site = news_site("https://example.org", 20);
    site.file(
        "templates/partials/card.html",
        "<p class=\"custom-card\">{{ article.title }} ({{ article.reading_time }} min)</p>",
    );
    site.build();
    let home = site.read("index.html");
    assert!(
        home.contains("<p class=\"custom-card\">Troops sent (1 min)</p>"),
        "{home}"
    );
    assert!(
        home.contains("<nav"),
        "the built-in base.html still frames the page"
    );

    site.file(
        "templates/article.html",
        "{% extends \"base.html\" %}{% block nope %}{{ broken( }}{% endblock %}",
    );
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("templates"), "{}", stderr(&out));
}

#[test]
fn dangerous_output_folders_are_refused() {
    let site = news_site("https://example.org", 20);
    for output in [".", "content", "/"] {
        let out = site.run(&["build", "--output", output]);
        assert!(!out.status.success(), "--output {output} was accepted");
        assert!(stderr(&out).contains("refusing"), "{}", stderr(&out));
    }
    assert!(site.root().join("content/2024/putin.md").exists());
}

#[test]
fn the_sample_archive_builds_with_every_page_linked() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["build", "--quiet", "--root", repo, "--output"])
        .arg(&dest)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", stderr(&status));
    let pages = html_files(&dest);
    assert!(pages.len() > 40, "only {} pages", pages.len());
    let unreachable = check_links(&dest, "");
    assert!(
        unreachable
            .iter()
            .all(|p| p == "404.html" || p.starts_with("old/")),
        "unreachable: {unreachable:?}"
    );
    assert!(dest.join("2024/06/19/index.html").exists());
}

#[test]
fn an_empty_archive_still_builds_a_home_and_archive() {
    let site = Fixture::with_base("https://example.org", 20);
    site.build();
    assert!(site.exists("index.html") && site.exists("archive/index.html"));
    assert!(site.exists("topics/index.html") && site.exists("404.html"));
    check_links(&site.out(), "");
}

#[test]
fn check_writes_nothing() {
    let site = news_site("https://example.org", 20);
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 articles"));
    let entries: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
}
