//! `annals deploy` against a real S3 server on 127.0.0.1 (s3s-fs, signatures checked): the first
//! deploy uploads everything with its headers, an unchanged site uploads nothing, an edit uploads
//! only the files whose bytes changed, removed pages are deleted, and every refusal (too many
//! deletes, wrong keys, a failing upload, a dry run) changes nothing or says what is left to do.

mod common;
mod s3_server;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::Ordering;

use common::{Fixture, stderr};
use s3_server::{ACCESS_KEY, S3Server, SECRET_KEY};

/// A small site whose `site.toml` deploys to `server`, built.
fn site(server: &S3Server, deploy_extra: &str) -> Fixture {
    let site = Fixture::new(&format!(
        "title = \"Test Archive\"\nbase_url = \"https://news.example.org\"\n{deploy_extra}\n{}",
        server.target("test", "")
    ));
    for (i, (title, country)) in [
        ("Treaty signed in Seoul", "South Korea"),
        ("Talks resume in Geneva", "Switzerland"),
        ("Harvest festival opens", "Japan"),
    ]
    .into_iter()
    .enumerate()
    {
        site.article(
            &format!("2024/a{i}.md"),
            title,
            &format!("2024-06-{:02}T10:00:00Z", 10 + i),
            &format!("topics = [\"Diplomacy\"]\ncountries = [\"{country}\"]"),
            &format!("Body of article {i}, with words to search for."),
        );
    }
    site.file("static/files/café menu.pdf", "%PDF-1.4 not really\n");
    site.file("static/files/a+b&c 100%25 #1.txt", "odd name\n");
    site.file("static/empty.txt", "");
    site.build();
    site
}

/// Runs `annals deploy` with these keys (and a home folder without `~/.aws`).
fn deploy_with(site: &Fixture, secret: &str, args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("home");
    std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
        .arg("deploy")
        .args(args)
        .current_dir(site.root())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_CONFIG_FILE")
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .output()
        .expect("run annals deploy")
}

fn deploy(site: &Fixture, args: &[&str]) -> Output {
    let out = deploy_with(site, SECRET_KEY, args);
    assert!(
        out.status.success(),
        "deploy failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file the build wrote (per its record), with its bytes.
fn site_files(site: &Fixture) -> BTreeMap<String, Vec<u8>> {
    let record = site.read(".annals-files");
    record
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|path| {
            let path = percent_encoding::percent_decode_str(path)
                .decode_utf8_lossy()
                .into_owned();
            let bytes = std::fs::read(site.out().join(&path)).expect("built file");
            (path, bytes)
        })
        .collect()
}

fn server() -> (tempfile::TempDir, S3Server) {
    let store = tempfile::tempdir().expect("store");
    let server = S3Server::start(store.path());
    (store, server)
}

#[test]
fn first_deploy_uploads_everything_with_its_headers_and_a_second_nothing() {
    let (_store, server) = server();
    server.log.page_size.store(7, Ordering::Relaxed);
    let site = site(&server, "");
    let out = deploy(&site, &[]);
    let files = site_files(&site);
    assert_eq!(server.objects(), files, "the bucket holds exactly the site");
    assert!(!server.objects().contains_key(".annals-files"));
    assert!(files.contains_key("files/a+b&c 100%25 #1.txt"));
    assert_eq!(server.log.puts(), files.len());
    assert!(
        stdout(&out).contains(&format!("uploaded {} files", files.len())),
        "{}",
        stdout(&out)
    );

    let stored = |key: &str| {
        server
            .log
            .stored(key)
            .unwrap_or_else(|| panic!("{key} stored"))
    };
    let fragment = files
        .keys()
        .find(|k| k.starts_with("search-index/p/"))
        .expect("a search postings chunk");
    for (key, content_type, cache_control) in [
        (
            "index.html",
            "text/html; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "2024/06/10/treaty-signed-in-seoul/index.html",
            "text/html; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "css/annals.css",
            "text/css; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "js/search.js",
            "text/javascript; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "atom.xml",
            "application/atom+xml; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "rss.xml",
            "application/rss+xml; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "feed.json",
            "application/feed+json; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "sitemap.xml",
            "text/xml; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "files/café menu.pdf",
            "application/pdf",
            "public, max-age=86400",
        ),
        (
            "empty.txt",
            "text/plain; charset=utf-8",
            "public, max-age=300",
        ),
        (
            fragment,
            "application/octet-stream",
            "public, max-age=31536000, immutable",
        ),
        (
            "search-index/index.json",
            "application/json; charset=utf-8",
            "no-cache",
        ),
    ] {
        let stored = stored(key);
        assert_eq!(stored.content_type.as_deref(), Some(content_type), "{key}");
        assert_eq!(
            stored.cache_control.as_deref(),
            Some(cache_control),
            "{key}"
        );
        assert_eq!(stored.content_encoding, None, "{key}");
        assert_eq!(
            stored.md5_metadata.as_ref().map(String::len),
            Some(32),
            "{key}"
        );
    }

    server.log.reset();
    let again = deploy(&site, &[]);
    assert_eq!(server.log.puts(), 0, "an unchanged site uploads nothing");
    assert_eq!(
        server.log.lists.load(Ordering::Relaxed),
        files.len().div_ceil(7),
        "every page of the listing was read"
    );
    assert!(
        stdout(&again).contains("uploaded 0 files"),
        "{}",
        stdout(&again)
    );
    assert!(
        stdout(&again).contains(&format!("{} unchanged", files.len())),
        "{}",
        stdout(&again)
    );

    // A fresh build of the same sources, somewhere else, in a new output folder: still nothing.
    std::fs::remove_dir_all(site.out()).expect("remove the output");
    std::fs::remove_dir_all(site.root().join(".annals-cache")).ok();
    site.build();
    server.log.reset();
    deploy(&site, &[]);
    assert_eq!(
        server.log.puts(),
        0,
        "a cold rebuild of the same site uploads nothing"
    );
}

#[test]
fn an_edit_uploads_only_what_changed_and_a_removal_deletes() {
    let (_store, server) = server();
    let site = site(&server, "");
    deploy(&site, &[]);
    let before = site_files(&site);

    site.article(
        "2024/a1.md",
        "Talks resume in Geneva",
        "2024-06-11T10:00:00Z",
        "topics = [\"Diplomacy\"]\ncountries = [\"Switzerland\"]",
        "Body of article 1, corrected: the talks resumed on Tuesday.",
    );
    site.build();
    let after = site_files(&site);
    let changed: Vec<&String> = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(
        !changed.is_empty() && changed.len() < after.len() / 2,
        "{changed:?}"
    );

    server.log.reset();
    deploy(&site, &[]);
    let stored = server.log.stored.lock().expect("log").clone();
    assert_eq!(
        server.log.puts(),
        changed.len(),
        "only the changed files: {changed:?}"
    );
    for path in &changed {
        assert!(stored.contains_key(*path), "{path} uploaded");
    }
    assert_eq!(server.objects(), after);

    // The same size, other bytes: the ETag differs, the stored MD5 confirms it.
    site.file("static/note.txt", "version A");
    site.build();
    deploy(&site, &[]);
    site.file("static/note.txt", "version B");
    site.build();
    server.log.reset();
    deploy(&site, &[]);
    assert_eq!(server.log.puts(), 1);
    assert_eq!(server.log.heads.load(Ordering::Relaxed), 1);
    assert_eq!(server.objects()["note.txt"], b"version B");

    std::fs::remove_file(site.root().join("content/2024/a2.md")).expect("remove an article");
    site.build();
    let fewer = site_files(&site);
    assert!(!fewer.contains_key("2024/06/12/harvest-festival-opens/index.html"));
    server.log.reset();
    let out = deploy(&site, &[]);
    assert_eq!(
        server.objects(),
        fewer,
        "the removed article's pages are gone"
    );
    assert!(
        stdout(&out).contains("delete  2024/06/12/harvest-festival-opens/index.html"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn too_many_deletes_wrong_keys_and_dry_runs_change_nothing() {
    let (_store, server) = server();
    let site = site(&server, "");
    deploy(&site, &[]);
    std::fs::remove_file(site.root().join("content/2024/a2.md")).expect("remove an article");
    site.build();
    let bucket = server.objects();
    server.log.reset();

    let refused = deploy_with(&site, SECRET_KEY, &["--max-deletes", "1"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("more than `max_deletes` (1)"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));

    let wrong = deploy_with(&site, "not-the-secret", &[]);
    assert!(!wrong.status.success());
    let message = stderr(&wrong);
    assert!(message.contains("SignatureDoesNotMatch"), "{message}");
    assert!(
        message.contains("refused the keys from AWS_ACCESS_KEY_ID"),
        "{message}"
    );
    assert!(message.contains("nothing was changed"), "{message}");

    let dry = deploy(&site, &["--dry-run", "--max-deletes", "1"]);
    let plan = stdout(&dry);
    assert!(plan.contains("Dry run, nothing changed"), "{plan}");
    assert!(
        plan.contains("delete  2024/06/12/harvest-festival-opens/index.html"),
        "{plan}"
    );
    assert!(plan.contains("upload  index.html (changed"), "{plan}");
    assert!(plan.contains("A real deploy would stop"), "{plan}");

    assert_eq!(server.log.puts(), 0);
    assert_eq!(server.objects(), bucket, "the bucket is as it was");

    deploy(&site, &["--max-deletes", "1", "--force"]);
    assert_eq!(server.objects(), site_files(&site));
}

#[test]
fn a_bucket_of_something_else_is_not_emptied_without_force() {
    let (_store, server) = server();
    let bucket = server.root.join(s3_server::BUCKET);
    std::fs::write(bucket.join("backup.tar"), "someone's backup").expect("write");
    std::fs::write(bucket.join("notes.txt"), "someone's notes").expect("write");
    let site = site(&server, "");
    let refused = deploy_with(&site, SECRET_KEY, &[]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(
        message.contains("holds 2 objects and none of them is a file of this site"),
        "{message}"
    );
    assert_eq!(server.log.puts(), 0);
    assert!(bucket.join("backup.tar").exists());

    let dry = deploy(&site, &["--dry-run"]);
    assert!(
        stdout(&dry).contains("A real deploy would stop here"),
        "{}",
        stdout(&dry)
    );
    deploy(&site, &["--force"]);
    assert_eq!(server.objects(), site_files(&site));
}

#[test]
fn passing_errors_are_retried_and_a_failed_upload_is_finished_by_the_next_deploy() {
    let (_store, server) = server();
    let site = site(&server, "");
    server
        .log
        .slow_down
        .lock()
        .expect("log")
        .insert("css/annals.css".into(), 2);
    server.log.deny.lock().expect("log").push("atom.xml".into());

    let failed = deploy_with(&site, SECRET_KEY, &[]);
    assert!(!failed.status.success());
    let report = stderr(&failed);
    let files = site_files(&site);
    let pages = files.keys().filter(|k| k.ends_with(".html")).count();
    let feeds = files
        .keys()
        .filter(|k| k.ends_with(".xml") || k.ends_with("feed.json"))
        .count();
    assert!(
        report.contains(&format!(
            "uploaded {} of {} files; 1 failed, {pages} not tried (pages wait for what they link to)",
            files.len() - pages - 1,
            files.len()
        )),
        "{report}"
    );
    assert!(report.contains("atom.xml: 403 AccessDenied"), "{report}");
    assert!(report.contains("nothing was deleted"), "{report}");
    assert!(report.contains("Run `annals deploy` again"), "{report}");
    let objects = server.objects();
    assert!(
        objects.contains_key("css/annals.css"),
        "retried after SlowDown"
    );
    assert!(objects.contains_key("rss.xml"), "the feeds' group went out");
    assert!(!objects.contains_key("atom.xml"));
    assert!(
        !objects.keys().any(|k| k.ends_with(".html")),
        "no page went live while a feed it links to failed"
    );

    server.log.deny.lock().expect("log").clear();
    server.log.reset();
    deploy(&site, &[]);
    assert_eq!(
        server.log.puts(),
        1 + pages,
        "only what failed or waited ({feeds} feeds were there already but one)"
    );
    assert_eq!(server.objects(), site_files(&site));
}

#[test]
fn without_etags_in_listings_the_stored_md5_decides() {
    let (_store, server) = server();
    server
        .log
        .no_etags_in_listings
        .store(true, Ordering::Relaxed);
    let site = site(&server, "");
    deploy(&site, &[]);
    server.log.reset();
    let out = deploy(&site, &[]);
    assert_eq!(server.log.puts(), 0, "{}", stdout(&out));
    assert!(server.log.heads.load(Ordering::Relaxed) > 0);
}

#[test]
fn gzip_matchers_and_a_prefix() {
    let (_store, server) = server();
    let matchers = "[[deploy.matchers]]\npattern = \"**/*.{html,xml}\"\ncache_control = \"no-cache\"\ngzip = true\n\n[[deploy.matchers]]\npattern = \"**\"\n";
    let site = Fixture::new(&format!(
        "title = \"Test Archive\"\nbase_url = \"https://news.example.org\"\n{matchers}\n{}",
        server.target("test", "/news/")
    ));
    site.article(
        "2024/a.md",
        "Treaty signed",
        "2024-06-10T10:00:00Z",
        "",
        "Body.",
    );
    site.build();
    std::fs::create_dir_all(server.root.join(s3_server::BUCKET).join("other")).expect("mkdir");
    std::fs::write(
        server.root.join(s3_server::BUCKET).join("other/keep.txt"),
        "not the site's",
    )
    .expect("write");
    for outside in ["newsletter.txt", "about.txt"] {
        std::fs::write(
            server.root.join(s3_server::BUCKET).join(outside),
            "not the site's either",
        )
        .expect("write");
    }

    deploy(&site, &[]);
    let objects = server.objects();
    assert_eq!(objects["other/keep.txt"], b"not the site's");
    assert!(objects.contains_key("newsletter.txt"), "outside the prefix");
    assert!(objects.contains_key("about.txt"), "outside the prefix");
    let stored = server
        .log
        .stored("news/index.html")
        .expect("stored below the prefix");
    assert_eq!(stored.content_encoding.as_deref(), Some("gzip"));
    assert_eq!(stored.cache_control.as_deref(), Some("no-cache"));
    assert_eq!(
        stored.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    let mut html = String::new();
    flate2::read::GzDecoder::new(&objects["news/index.html"][..])
        .read_to_string(&mut html)
        .expect("gzip");
    assert_eq!(html, site.read("index.html"));
    let css = server.log.stored("news/css/annals.css").expect("stored");
    assert_eq!(css.content_encoding, None);
    assert_eq!(css.cache_control, None, "the second matcher sets no header");

    server.log.reset();
    deploy(&site, &[]);
    assert_eq!(server.log.puts(), 0, "gzip is the same every time");
    assert_eq!(server.objects(), objects);

    server.log.reset();
    deploy(&site, &["--upload-all"]);
    assert_eq!(
        server.log.puts(),
        site_files(&site).len(),
        "new headers for every file"
    );
    assert_eq!(server.objects(), objects);
}

#[test]
fn deploy_says_what_to_set_up_first() {
    let (_store, server) = server();
    let site = Fixture::new(&format!(
        "title = \"T\"\nbase_url = \"https://news.example.org\"\n{}",
        server.target("test", "")
    ));
    let unbuilt = deploy_with(&site, SECRET_KEY, &[]);
    assert!(!unbuilt.status.success());
    assert!(
        stderr(&unbuilt).contains("run `annals build` first"),
        "{}",
        stderr(&unbuilt)
    );

    let no_target = Fixture::with_base("https://news.example.org", 20);
    no_target.build();
    let out = deploy_with(&no_target, SECRET_KEY, &[]);
    assert!(
        stderr(&out).contains("no [[deploy.targets]]"),
        "{}",
        stderr(&out)
    );

    let two = Fixture::new(&format!(
        "base_url = \"https://news.example.org\"\n{}\n{}",
        server.target("one", ""),
        server.target("two", "b")
    ));
    two.build();
    let out = deploy_with(&two, SECRET_KEY, &[]);
    assert!(
        stderr(&out).contains("pick one with --target"),
        "{}",
        stderr(&out)
    );
    let out = deploy_with(&two, SECRET_KEY, &["--target", "three"]);
    assert!(
        stderr(&out).contains("no deploy target is named \"three\""),
        "{}",
        stderr(&out)
    );
    deploy(&two, &["--target", "two", "--dry-run"]);

    std::fs::remove_file(two.out().join("robots.txt")).expect("remove a built file");
    let out = deploy_with(&two, SECRET_KEY, &["--target", "two"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("robots.txt: the build's record lists it but it is missing"),
        "{}",
        stderr(&out)
    );

    let record = two.out().join(".annals-files");
    let text = std::fs::read_to_string(&record).expect("record");
    std::fs::write(&record, format!("{text}../../etc/passwd\n")).expect("write");
    let out = deploy_with(&two, SECRET_KEY, &["--target", "two"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("\"../../etc/passwd\" is not a path inside the folder"),
        "{}",
        stderr(&out)
    );

    let bad = Fixture::new(
        "base_url = \"https://news.example.org\"\n[[deploy.matchers]]\npattern = \"**/*.{html\"\n",
    );
    let out = deploy_with(&bad, SECRET_KEY, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("site.toml"), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not a glob"), "{}", stderr(&out));
    assert!(!Path::new(&bad.out()).exists());
}
