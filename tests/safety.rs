//! Annals never deletes what it did not write, never panics, and never publishes a broken site:
//! each test is one of the ways that once went wrong.

mod common;

use std::path::Path;

use common::{Fixture, stderr};

fn site() -> Fixture {
    let site =
        Fixture::new("title = \"Safe\"\nbase_url = \"https://example.org\"\nsearch = false\n");
    site.article(
        "a.md",
        "First story",
        "2024-06-19",
        "topics = [\"Energy\"]",
        "Body.",
    );
    site
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn an_output_folder_with_other_files_is_refused_and_force_keeps_them() {
    let site = site();
    let docs = site.root().join("docs");
    std::fs::create_dir_all(docs.join(".ssh")).unwrap();
    std::fs::write(docs.join("thesis.txt"), "years of work").unwrap();
    std::fs::write(docs.join(".ssh/id_ed25519"), "secret").unwrap();

    let out = site.run(&["build", "--output", "docs"]);
    assert!(!out.status.success(), "a folder of documents was accepted");
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(stderr(&out).contains("thesis.txt"), "{}", stderr(&out));
    assert!(!docs.join("index.html").exists());

    let out = site.run(&["build", "--output", "docs", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(docs.join("index.html").is_file());
    assert_eq!(read(&docs.join("thesis.txt")), "years of work");
    assert_eq!(read(&docs.join(".ssh/id_ed25519")), "secret");

    // From now on the folder has a record: plain builds work, and still keep the documents.
    let out = site.run(&["build", "--output", "docs", "--no-cache"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&docs.join("thesis.txt")), "years of work");
}

#[test]
fn a_deploy_clone_keeps_its_git_folder_and_cname_and_loses_only_stale_pages() {
    let site = site();
    site.article("b.md", "Second story", "2024-06-20", "", "Body.");
    site.build();
    // The usual GitHub Pages workflow: public/ is a clone of the deploy branch.
    let public = site.out();
    std::fs::create_dir_all(public.join(".git/refs")).unwrap();
    std::fs::write(public.join(".git/HEAD"), "ref: refs/heads/gh-pages").unwrap();
    std::fs::write(public.join("CNAME"), "news.example.org").unwrap();
    std::fs::write(public.join("2024/notes.txt"), "mine").unwrap();
    assert!(site.exists("2024/06/20/second-story/index.html"));

    std::fs::remove_file(site.root().join("content/b.md")).unwrap();
    for args in [&["build"][..], &["build", "--no-cache"]] {
        let out = site.run(args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(read(&public.join(".git/HEAD")), "ref: refs/heads/gh-pages");
        assert_eq!(read(&public.join("CNAME")), "news.example.org");
        assert_eq!(read(&public.join("2024/notes.txt")), "mine");
        assert!(
            !site.exists("2024/06/20/second-story/index.html"),
            "stale page"
        );
        assert!(site.exists("2024/06/19/first-story/index.html"));
    }
}

#[test]
fn a_file_annals_did_not_write_is_never_replaced_without_force() {
    let site = site();
    site.build();
    std::fs::write(
        site.out().join("robots.txt"),
        "User-agent: *\nDisallow: /private/\n",
    )
    .unwrap();
    // The record says robots.txt is Annals' own: so it is replaced. A new file of the site where
    // the user put one is not.
    site.file("static/notes.txt", "from static");
    std::fs::write(site.out().join("notes.txt"), "the user's").unwrap();
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("notes.txt"), "{}", stderr(&out));
    assert_eq!(site.read("notes.txt"), "the user's");
    let out = site.run(&["build", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(site.read("notes.txt"), "from static");
}

#[cfg(unix)]
#[test]
fn a_linked_content_folder_cannot_be_the_output() {
    let site = Fixture::new("base_url = \"https://example.org\"\nsearch = false\n");
    std::fs::remove_dir(site.root().join("content")).unwrap();
    site.file(
        "articles/a.md",
        "+++\ntitle = \"Kept\"\ndate = 2024-01-01\n+++\nText.\n",
    );
    std::os::unix::fs::symlink(site.root().join("articles"), site.root().join("content")).unwrap();
    for output in ["content", "articles"] {
        let out = site.run(&["build", "--output", output, "--force"]);
        assert!(!out.status.success(), "--output {output} was accepted");
        assert!(site.root().join("articles/a.md").is_file());
    }
    assert!(!site.root().join("articles/index.html").exists());
}

/// Runs `annals build` and returns (success, stderr); the stderr never holds a bare panic.
fn build(site: &Fixture, args: &[&str]) -> (bool, String) {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let out = site.run(&all);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "a bare panic:\n{err}");
    assert_ne!(out.status.code(), Some(101), "exit code of a panic:\n{err}");
    (out.status.success(), err)
}

fn searchable() -> Fixture {
    Fixture::new("title = \"Search\"\nbase_url = \"https://example.org\"\n")
}

#[test]
fn text_next_to_multi_byte_characters_builds_with_search() {
    let site = searchable();
    site.article(
        "a.md",
        "Result",
        "2024-06-19",
        "",
        "A >.\nIt’s a result &amp; “more” &é’’’’’’’.",
    );
    let (ok, err) = build(&site, &[]);
    assert!(ok, "{err}");
    assert!(site.exists("search-index/index.json"));
}

#[test]
fn a_date_format_chrono_cannot_format_is_a_configuration_error() {
    let site = Fixture::new("base_url = \"https://example.org\"\ndate_format = \"%#z\"\n");
    site.article("a.md", "A", "2024-06-19", "", "Body.");
    for command in ["build", "check"] {
        let out = site.run(&[command]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("site.toml"), "{}", stderr(&out));
        assert!(stderr(&out).contains("date_format"), "{}", stderr(&out));
    }
}

#[test]
fn years_outside_0000_to_9999_are_errors_at_their_line() {
    let site = site();
    site.file(
        "content/b.md",
        "---\ntitle: B\ndate: -2024-06-19\n---\nBody.\n",
    );
    site.file(
        "content/c.md",
        "+++\ntitle = \"C\"\ndate = 2024-06-19\nupdated = \"+10000-01-01\"\n+++\nBody.\n",
    );
    let (ok, err) = build(&site, &[]);
    assert!(!ok);
    assert!(err.contains("b.md:3"), "{err}");
    assert!(err.contains("c.md:4"), "{err}");
}

#[test]
fn a_bug_met_on_an_article_is_an_internal_error_naming_it() {
    let site = site();
    site.build();
    let before = site.read("index.html");
    site.article("b.md", "Buggy", "2024-06-20", "", "INJECTED-BUG");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
        .arg("build")
        .env("ANNALS_TEST_PANIC", "INJECTED-BUG")
        .current_dir(site.root())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("b.md") && err.contains("internal error"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(site.read("index.html"), before, "the previous site stays");
}

#[test]
fn long_headlines_and_emoji_get_short_slugs_and_long_terms_and_aliases_are_errors() {
    let site = searchable();
    let headline = "Officials say the long-awaited agreement on regional trade ".repeat(7);
    site.article("long.md", &headline, "2024-06-19", "", "Body.");
    site.article("emoji.md", &"🎉".repeat(60), "2024-06-20", "", "Body.");
    let (ok, err) = build(&site, &[]);
    assert!(ok, "{err}");
    let slug_dirs: Vec<String> = std::fs::read_dir(site.out().join("2024/06/19"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(slug_dirs.iter().all(|s| s.len() <= 150), "{slug_dirs:?}");

    let long = "x".repeat(300);
    site.article(
        "term.md",
        "T",
        "2024-06-21",
        &format!("topics = [\"{long}\"]"),
        "B.",
    );
    site.article(
        "alias.md",
        "A",
        "2024-06-22",
        &format!("aliases = [\"/{long}/\"]"),
        "B.",
    );
    site.article(
        "slug.md",
        "S",
        "2024-06-23",
        &format!("slug = \"{long}\""),
        "B.",
    );
    let (ok, err) = build(&site, &[]);
    assert!(!ok);
    for at in ["term.md:4", "alias.md:4", "slug.md:4"] {
        assert!(err.contains(at), "{at} missing:\n{err}");
    }
    assert!(!err.contains("os error"), "{err}");
}

/// Every XML file of the output parses.
fn assert_xml_well_formed(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_some_and(|e| e == "xml") {
            let text = read(entry.path());
            if let Err(e) = roxmltree::Document::parse(&text) {
                panic!("{} is not well-formed: {e}", entry.path().display());
            }
        }
    }
}

#[test]
fn control_characters_never_reach_the_feeds_and_are_warned_about() {
    let site = site();
    site.file(
        "content/word.md",
        "+++\ntitle = \"Pasted\u{0B}from Word\"\ndate = 2024-06-20\ntopics = [\"Energy\"]\nsummary = \"A\\u0008B\"\n+++\nBody\u{0C}with a form feed and a \u{1} and &#8; too.\n",
    );
    site.file(
        "content/yaml.md",
        "---\ntitle: \"Escaped \\x01 control\"\ndate: 2024-06-21\ntopics: [\"Energy\\x1B\"]\n---\nBody.\n",
    );
    let (ok, err) = build(&site, &[]);
    assert!(ok, "{err}");
    assert!(
        err.contains("word.md:2") && err.contains("control character"),
        "{err}"
    );
    assert!(err.contains("yaml.md:2"), "{err}");
    assert_xml_well_formed(&site.out());
    let rss = site.read("rss.xml");
    assert!(rss.contains("Pasted from Word"), "{rss}");
    for feed in ["feed.json", "topics/energy/feed.json"] {
        serde_json::from_str::<serde_json::Value>(&site.read(feed)).unwrap();
    }
    let (ok, err) = build(&site, &["--strict"]);
    assert!(!ok, "--strict fails on the warnings:\n{err}");
}

#[test]
fn aliases_on_static_files_or_in_the_search_folder_are_errors() {
    let site = searchable();
    site.file("static/images/logo.png", "png");
    site.article(
        "a.md",
        "A",
        "2024-06-19",
        "aliases = [\"/css/annals.css\"]",
        "B.",
    );
    site.article(
        "b.md",
        "B",
        "2024-06-20",
        "aliases = [\"/images/logo.png\"]",
        "B.",
    );
    site.article(
        "c.md",
        "C",
        "2024-06-21",
        "aliases = [\"/search-index/old/\"]",
        "B.",
    );
    let (ok, err) = build(&site, &[]);
    assert!(!ok);
    for file in ["a.md", "b.md", "c.md"] {
        assert!(err.contains(file), "{file} missing:\n{err}");
    }
}

#[test]
fn files_and_folders_of_one_name_are_errors_naming_the_culprit() {
    let site = Fixture::new(
        "base_url = \"https://example.org\"\nsearch = false\narticle_path = \"/{slug}/\"\n",
    );
    site.article("a.md", "A", "2024-06-19", "slug = \"sitemap.xml\"", "B.");
    site.article("b.md", "B", "2024-06-20", "slug = \"404.html\"", "B.");
    site.article("c.md", "C", "2024-06-21", "aliases = [\"/2024\"]", "B.");
    site.article(
        "d.md",
        "D",
        "2024-06-22",
        "aliases = [\"/d/\", \"/e/old\"]",
        "B.",
    );
    site.article("e.md", "E", "2023-01-01", "slug = \"e\"", "B.");
    site.file("static/2023", "a file where the year's folder goes");
    let (ok, err) = build(&site, &[]);
    assert!(!ok);
    for culprit in ["a.md", "b.md", "c.md", "d.md", "static/2023"] {
        assert!(err.contains(culprit), "{culprit} missing:\n{err}");
    }
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn urls_that_would_build_a_broken_site_are_errors() {
    for (settings, key) in [
        ("article_path = \"/{year}/{slug}?/\"", "article_path"),
        ("article_path = \"/{year}/#{slug}/\"", "article_path"),
        ("article_path = \"/{year} {slug}/\"", "article_path"),
        ("article_path = \"/search-index/{slug}/\"", "article_path"),
    ] {
        let site = Fixture::new(&format!("base_url = \"https://example.org\"\n{settings}\n"));
        let (ok, err) = build(&site, &[]);
        assert!(!ok && err.contains(key), "{settings}: {err}");
    }
    for base_url in [
        "https://",
        "https://example.org:99999",
        "https://exa mple.org",
    ] {
        let site = Fixture::new(&format!("base_url = {base_url:?}\n"));
        let (ok, err) = build(&site, &[]);
        assert!(!ok && err.contains("base_url"), "{base_url}: {err}");
    }
    let site = site();
    for (i, front) in [
        "aliases = [\"/a\\nb/\"]",
        "aliases = [\"/x/%2e%2e/%2e%2e/etc/\"]",
        "aliases = [\"//evil.example/\"]",
        "slug = \"\\u200B\"",
        "slug = \"\\u2060\"",
        "slug = \"\\uFEFF\"",
        "slug = \"\\u202Egpj.exe\"",
    ]
    .iter()
    .enumerate()
    {
        site.article(&format!("bad{i}.md"), "Bad", "2024-06-19", front, "B.");
    }
    let (ok, err) = build(&site, &[]);
    assert!(!ok);
    for i in 0..7 {
        assert!(
            err.contains(&format!("bad{i}.md:4")),
            "bad{i}.md missing:\n{err}"
        );
    }
}

#[test]
fn an_edit_that_restores_the_modification_time_is_still_seen() {
    let site = site();
    let file = site.root().join("content/a.md");
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let set_time = |path: &Path| {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
    };
    set_time(&file);
    site.build();
    assert!(
        site.read("2024/06/19/first-story/index.html")
            .contains("Body.")
    );
    // The same size, written in place, its time put back (cp -p, rsync -t, touch -r).
    let text = read(&file).replace("Body.", "Edit.");
    std::fs::write(&file, text).unwrap();
    set_time(&file);
    site.build();
    assert!(
        site.read("2024/06/19/first-story/index.html")
            .contains("Edit.")
    );
}

#[test]
fn a_patch_committed_by_a_killed_build_is_finished_even_if_the_next_build_fails() {
    let site = site();
    site.build();
    // A build killed while moving its committed patch in: one file moved, one not yet.
    let patch = site.out().join(".annals-patch-999999");
    std::fs::create_dir_all(patch.join("site/new")).unwrap();
    std::fs::write(patch.join("site/new/index.html"), "new page").unwrap();
    std::fs::write(patch.join("removed"), "").unwrap();
    site.file("content/broken.md", "no front matter");
    let (ok, _) = build(&site, &[]);
    assert!(!ok);
    assert_eq!(site.read("new/index.html"), "new page");
    assert!(!patch.exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_mount_point_can_be_the_output_folder() {
    let site = site();
    let public = site.out();
    std::fs::create_dir_all(&public).unwrap();
    // A tmpfs mounted on public/ in a mount namespace of its own (as a Docker volume would be).
    let script = format!(
        "mount -t tmpfs none {out} && {bin} build --quiet && {bin} build --quiet --no-cache && test -f {out}/2024/06/19/first-story/index.html && test -f {out}/.annals-files",
        out = public.display(),
        bin = env!("CARGO_BIN_EXE_annals"),
    );
    let Ok(out) = std::process::Command::new("unshare")
        .args(["--mount", "--map-root-user", "sh", "-c", &script])
        .current_dir(site.root())
        .output()
    else {
        eprintln!("SKIPPED: no unshare to mount a file system");
        return;
    };
    let err = stderr(&out);
    if err.contains("unshare failed") || err.contains("mount:") {
        eprintln!("SKIPPED: cannot mount here: {err}");
        return;
    }
    assert!(out.status.success(), "{err}");
}

/// What real archives converted from Jekyll, Hugo and Zola hold: their date form, Hugo's summary
/// marker, version numbers in old URLs, folders linked without their slash, YAML errors.
#[test]
fn shapes_of_real_archives_build_and_check_as_their_authors_expect() {
    let site = site();
    site.file(
        "content/jekyll.md",
        "---\ntitle: From Jekyll\ndate: 2026-07-16 9:08:11 +0000\n---\nFirst.\n\n<!--more-->\n\nRest.\n",
    );
    site.article(
        "zola.md",
        "From Zola",
        "2024-06-18",
        "aliases = [\"/releases/1.1.0\", \"/old/post.html\"]",
        "See [the topics](/topics) and [the first story](/2024/06/19/first-story).",
    );
    let (ok, err) = build(&site, &[]);
    assert!(ok, "{err}");
    assert!(site.exists("2026/07/16/from-jekyll/index.html"));
    assert!(site.read("index.html").contains("First."));
    assert!(
        !site.read("index.html").contains("Rest."),
        "the summary ends at <!--more-->"
    );
    assert!(
        site.exists("releases/1.1.0/index.html"),
        "a version number is a folder"
    );
    assert!(site.exists("old/post.html"));
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // A YAML error says where once.
    site.file(
        "content/bad.md",
        "---\ntitle: \"A\"\ndate: 2024-01-02\nlayout: post\n---\n",
    );
    let (ok, err) = build(&site, &[]);
    assert!(!ok);
    assert!(err.contains("bad.md:4: unknown field `layout`"), "{err}");
    assert!(!err.contains("error: line"), "{err}");
    // An alias two articles share names both.
    std::fs::remove_file(site.root().join("content/bad.md")).unwrap();
    site.article(
        "twin.md",
        "Twin",
        "2024-06-17",
        "aliases = [\"/old/post.html\"]",
        "B.",
    );
    let (ok, err) = build(&site, &[]);
    assert!(!ok);
    assert!(err.contains("twin.md") && err.contains("zola.md"), "{err}");
}

#[test]
fn check_prints_warnings_next_to_its_errors() {
    let site = site();
    site.article(
        "b.md",
        "Second",
        "2024-06-20",
        "topics = [\"energy\"]",
        "[x](/nowhere/)",
    );
    let out = site.run(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("/nowhere/"), "{err}");
    assert!(
        err.contains("warning:") && err.contains("by most articles"),
        "{err}"
    );
}
