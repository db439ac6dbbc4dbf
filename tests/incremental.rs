//! After each kind of edit, updating a live site writes exactly what a cold build writes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use annals::live::{LiveSite, Update};
use annals::site::{self, BuildOptions};
use common::Fixture;

/// Every file below `dir` with its bytes, without the search bundle unless `bundle` (nor its
/// files in the record of the output).
fn files(dir: &Path, bundle: bool) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let mut bytes = std::fs::read(e.path()).unwrap();
            if rel == annals::output::RECORD_FILE && !bundle {
                let text = String::from_utf8(bytes).unwrap();
                let lines: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with("search-index/"))
                    .collect();
                bytes = lines.join("\n").into_bytes();
            }
            (rel, bytes)
        })
        .filter(|(rel, _)| bundle || !rel.starts_with("search-index/"))
        .collect()
}

/// Every file below `dir` except the search bundle (rebuilt by a live site only on full builds).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir, false)
}

fn assert_same_as_cold_build(site: &Fixture, live_out: &Path, what: &str) {
    assert_same_files_as_cold_build(site, live_out, what, false);
}

/// Builds the site afresh without a cache and compares every file (with the search bundle when
/// `bundle`) with those in `out`.
fn assert_same_files_as_cold_build(site: &Fixture, out: &Path, what: &str, bundle: bool) {
    let cold_out = site.root().join("cold");
    // Every build of these tests leaves the URL ledger out: the cold builds here would write it,
    // and a live site reads it only when it loads. Its own tests are in tests/ledger.rs.
    let options = BuildOptions {
        output: Some(cold_out.clone()),
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    site::build(&options).expect("cold build");
    let live = files(out, bundle);
    let cold = files(&cold_out, bundle);
    let live_files: Vec<_> = live.keys().collect();
    let cold_files: Vec<_> = cold.keys().collect();
    assert_eq!(live_files, cold_files, "{what}: the same files");
    for (file, bytes) in &cold {
        assert!(
            live[file] == *bytes,
            "{what}: {file} differs from a cold build"
        );
    }
}

fn site() -> Fixture {
    let site = Fixture::new(
        "title = \"Live\"\nbase_url = \"https://example.org/live\"\npaginate_by = 2\nfeed_limit = 3\n",
    );
    let topics = ["Energy", "Trade", "Energy", "Health", "Trade", "Energy"];
    for (i, topic) in topics.iter().enumerate() {
        site.article(
            &format!("{}/story-{i}.md", 2020 + i / 3),
            &format!("Story {i}"),
            &format!("{}-0{}-1{}T10:00:00+02:00", 2020 + i / 3, 1 + i % 3, i),
            &format!("topics = [{topic:?}]\ncountries = [\"Norway\"]"),
            &format!("Body of story {i}. See [the first](@/2020/story-0.md)."),
        );
    }
    site
}

/// One edit of the sources, by name.
type Edit<'a> = Box<dyn Fn() + 'a>;

fn content(site: &Fixture, rel: &str) -> PathBuf {
    site.root().join("content").join(rel)
}

/// Every kind of edit, in an order in which each applies to the site as the previous left it.
fn edits(site: &Fixture) -> Vec<(&'static str, Edit<'_>)> {
    vec![
        (
            "body",
            Box::new(|| {
                site.article(
                    "2020/story-1.md",
                    "Story 1",
                    "2020-02-11T10:00:00+02:00",
                    "topics = [\"Trade\"]\ncountries = [\"Norway\"]",
                    "A new body.",
                );
            }),
        ),
        (
            "title",
            Box::new(|| {
                site.article(
                    "2020/story-1.md",
                    "Story one, retitled",
                    "2020-02-11T10:00:00+02:00",
                    "topics = [\"Trade\"]\ncountries = [\"Norway\"]",
                    "A new body.",
                );
            }),
        ),
        (
            "date",
            Box::new(|| {
                site.article(
                    "2020/story-1.md",
                    "Story one, retitled",
                    "2023-07-04T10:00:00+02:00",
                    "topics = [\"Trade\"]\ncountries = [\"Norway\"]",
                    "A new body.",
                );
            }),
        ),
        (
            "the same instant in another offset",
            Box::new(|| {
                site.article(
                    "2020/story-1.md",
                    "Story one, retitled",
                    "2023-07-04T08:00:00Z",
                    "topics = [\"Trade\"]\ncountries = [\"Norway\"]",
                    "A new body.",
                );
            }),
        ),
        (
            "terms",
            Box::new(|| {
                site.article(
                    "2021/story-3.md",
                    "Story 3",
                    "2021-01-13T10:00:00+02:00",
                    "topics = [\"Culture\"]\ncountries = [\"Sweden\", \"Norway\"]",
                    "Body of story 3.",
                );
            }),
        ),
        (
            "add",
            Box::new(|| {
                site.article(
                    "2022/new.md",
                    "A new story",
                    "2022-05-05",
                    "topics = [\"Energy\"]",
                    "Fresh.",
                );
            }),
        ),
        (
            "delete",
            Box::new(move || {
                std::fs::remove_file(content(site, "2021/story-4.md")).unwrap();
            }),
        ),
        (
            "rename",
            Box::new(move || {
                std::fs::rename(
                    content(site, "2022/new.md"),
                    content(site, "2022/renamed.md"),
                )
                .unwrap();
            }),
        ),
        (
            "a linked article moves",
            Box::new(|| {
                site.article(
                    "2020/story-0.md",
                    "Story 0",
                    "2019-12-31T10:00:00+02:00",
                    "slug = \"first\"\ntopics = [\"Energy\"]",
                    "Moved.",
                );
            }),
        ),
    ]
}

/// Every kind of edit to a page bundle, in order.
fn bundle_edits(site: &Fixture) -> Vec<(&'static str, Edit<'_>)> {
    let bundle = |date: &str| {
        site.article(
            "2022/bundle/index.md",
            "A bundle",
            date,
            "topics = [\"Energy\"]",
            "See ![the photo](photo.png) and [the data](data/table.csv).",
        );
    };
    vec![
        (
            "a new bundle",
            Box::new(move || {
                bundle("2022-06-01");
                site.file("content/2022/bundle/photo.png", "one");
            }),
        ),
        (
            "a bundle's image changed",
            Box::new(|| {
                site.file("content/2022/bundle/photo.png", "two");
            }),
        ),
        (
            "a file added to a bundle",
            Box::new(|| {
                site.file("content/2022/bundle/data/table.csv", "a,b\n");
            }),
        ),
        (
            "a file removed from a bundle",
            Box::new(move || {
                std::fs::remove_file(content(site, "2022/bundle/photo.png")).unwrap();
            }),
        ),
        (
            "a bundle's article moves",
            Box::new(move || bundle("2022-07-01")),
        ),
        (
            "a bundle deleted",
            Box::new(move || {
                std::fs::remove_dir_all(content(site, "2022/bundle")).unwrap();
            }),
        ),
    ]
}

/// The files below `content/` that an edit changed, added or removed.
fn changed_by(site: &Fixture, edit: &Edit) -> Vec<PathBuf> {
    let before = tree(&content(site, ""));
    edit();
    let after = tree(&content(site, ""));
    before
        .keys()
        .chain(after.keys())
        .filter(|rel| before.get(*rel) != after.get(*rel))
        .map(|rel| content(site, rel))
        .collect()
}

#[test]
fn every_kind_of_edit_to_a_bundle_matches_a_cold_build_live_and_cached() {
    let site = site();
    let out = site.root().join("live");
    let options = BuildOptions {
        output: Some(out.clone()),
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    let (mut live, _) = LiveSite::build(&options, false).expect("first build");
    let cached = BuildOptions {
        cache: true,
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    site::build(&cached).expect("first cached build");
    for (what, edit) in bundle_edits(&site) {
        age_files(site.root());
        let changed = changed_by(&site, &edit);
        live.update(&changed)
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        // As serve does: the search index, if it changed, is built afterwards.
        if let Some(job) = live.search_job() {
            live.apply_search(job.run())
                .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        }
        assert_same_files_as_cold_build(&site, &out, what, true);
        site::build(&cached).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert_same_files_as_cold_build(&site, &site.out(), what, true);
    }
}

#[test]
fn every_kind_of_edit_matches_a_cold_build() {
    let site = site();
    let out = site.root().join("live");
    let options = BuildOptions {
        output: Some(out.clone()),
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    let (mut live, _) = LiveSite::build(&options, false).expect("first build");
    let mut paths = Vec::new();
    for (what, edit) in edits(&site) {
        let before = tree(&content(&site, ""));
        edit();
        let after = tree(&content(&site, ""));
        let changed: Vec<PathBuf> = before
            .keys()
            .chain(after.keys())
            .filter(|rel| before.get(*rel) != after.get(*rel))
            .map(|rel| content(&site, rel))
            .collect();
        paths.push(changed.len());
        let update = live
            .update(&changed)
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert!(
            matches!(update, Update::Pages { .. }),
            "{what}: incremental, not {update:?}"
        );
        assert_same_as_cold_build(&site, &out, what);
    }
    assert!(paths.iter().all(|&n| n > 0));
}

/// Dates every file below `dir` an hour back, as files are long before a real build.
fn age_files(dir: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let file = std::fs::File::options()
                .write(true)
                .open(entry.path())
                .unwrap();
            file.set_modified(past).unwrap();
        }
    }
}

#[test]
fn builds_with_the_build_cache_match_cold_builds() {
    let site = site();
    let out = site.root().join("public");
    let options = BuildOptions {
        cache: true,
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    age_files(site.root());
    let first = site::build(&options).expect("first build");
    assert_eq!(
        first.rendered, first.pages,
        "the first build renders everything"
    );
    assert!(site.root().join(".annals-cache/.gitignore").exists());

    age_files(site.root());
    let again = site::build(&options).unwrap();
    assert_eq!(again.rendered, 0, "nothing changed, nothing rendered");

    for (what, edit) in edits(&site) {
        age_files(site.root());
        edit();
        let report = site::build(&options).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        // A body shows on few pages; a date, terms or a new article move many listings.
        let most = if what == "body" {
            report.pages / 3
        } else {
            report.pages - 1
        };
        assert!(
            report.rendered <= most,
            "{what}: {} of {} pages rendered",
            report.rendered,
            report.pages
        );
        assert_same_files_as_cold_build(&site, &out, what, true);
    }

    // An output folder emptied since (as on a CI runner that kept only the cache) is written
    // whole.
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::create_dir(&out).unwrap();
    age_files(site.root());
    let report = site::build(&options).unwrap();
    assert_eq!(report.rendered, report.pages);
    assert_same_files_as_cold_build(&site, &out, "an emptied output folder", true);

    // A change to the settings rebuilds everything.
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.file(
        "site.toml",
        &toml.replace("paginate_by = 2", "paginate_by = 3"),
    );
    let report = site::build(&options).unwrap();
    assert_eq!(report.rendered, report.pages);
    assert_same_files_as_cold_build(&site, &out, "settings", true);
}

#[test]
fn a_body_edit_rewrites_only_the_pages_that_show_it() {
    let site = site();
    let out = site.root().join("live");
    let options = BuildOptions {
        output: Some(out.clone()),
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    let (mut live, report) = LiveSite::build(&options, false).unwrap();
    site.file(
        "content/2020/story-1.md",
        "+++\ntitle = \"Story 1\"\ndate = 2020-02-11T10:00:00+02:00\ntopics = [\"Trade\"]\ncountries = [\"Norway\"]\n+++\nOnly the body changed, deep down.\n\nSecond paragraph.\n",
    );
    let update = live.update(&[content(&site, "2020/story-1.md")]).unwrap();
    let Update::Pages {
        written, removed, ..
    } = update
    else {
        panic!("expected an incremental update");
    };
    assert!(
        written < report.pages / 3,
        "{written} of {} pages written",
        report.pages
    );
    assert_eq!(removed, 0);
    assert_same_as_cold_build(&site, &out, "body");

    site.file("content/2020/story-1.md", "+++\ntitle = \"Broken\n+++\n");
    assert!(live.update(&[content(&site, "2020/story-1.md")]).is_err());
    let page = std::fs::read_to_string(out.join("2020/02/11/story-1/index.html")).unwrap();
    assert!(
        page.contains("Only the body changed"),
        "the last good site stays"
    );
}

#[test]
fn a_live_update_reports_every_error_of_the_edit_like_a_build() {
    let site = site();
    let out = site.root().join("live");
    let options = BuildOptions {
        output: Some(out.clone()),
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    let (mut live, _) = LiveSite::build(&options, false).expect("first build");
    site.file("content/2020/story-0.md", "+++\ntitle = \"No date\"\n+++\n");
    site.file(
        "content/2021/story-3.md",
        "+++\ntitle = \"Bad\"\ndate = 2021-13-01\n+++\n",
    );
    let error = live
        .update(&[
            content(&site, "2020/story-0.md"),
            content(&site, "2021/story-3.md"),
        ])
        .expect_err("two broken files");
    let text = format!("{error:?}");
    assert!(
        text.contains("story-0.md") && text.contains("story-3.md"),
        "{text}"
    );
    // The last good site is still served, and still updates.
    assert!(std::fs::read_to_string(out.join("2020/01/10/story-0/index.html")).is_ok());
}

#[test]
fn a_site_with_a_news_sitemap_builds_again() {
    let site = site();
    site.file(
        "site.toml",
        "title = \"Live\"\nbase_url = \"https://example.org/live\"\nnews_sitemap = true\n",
    );
    for cache in [true, true, false] {
        let options = BuildOptions {
            cache,
            ledger: false,
            ..BuildOptions::new(site.root())
        };
        site::build(&options).expect("build");
    }
    assert!(site.exists("news-sitemap.xml"));
}

#[test]
fn a_search_index_that_cannot_be_built_leaves_the_old_one_in_place() {
    let site = Fixture::new("title = \"Index\"\nbase_url = \"https://example.org\"\n");
    site.article("old.md", "Old story", "1999-05-01", "", "Archive text.")
        .article("new.md", "New story", "2024-05-01", "", "First words.");
    let out = site.root().join("live");
    let options = BuildOptions {
        output: Some(out.clone()),
        ledger: false,
        ..BuildOptions::new(site.root())
    };
    let (mut live, _) = LiveSite::build(&options, false).expect("first build");
    let manifest = || std::fs::read_to_string(out.join("search-index/index.json")).unwrap();
    // The files of the index: those its manifest names, and those in its folders.
    let named = |manifest: &str| -> Vec<String> {
        let mut files: Vec<String> = serde_json::from_str::<serde_json::Value>(manifest)
            .unwrap()
            .to_string()
            .split('"')
            .filter(|s| s.ends_with(".bin"))
            .map(str::to_owned)
            .collect();
        files.sort();
        files.dedup();
        files
    };
    let present = || -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(out.join("search-index"))
            .min_depth(2)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(out.join("search-index")).unwrap();
                rel.to_string_lossy().replace('\\', "/")
            })
            .collect();
        files.sort();
        files
    };
    let before = manifest();
    assert_eq!(present(), named(&before));

    site.article(
        "old.md",
        "Old story",
        "1999-05-01",
        "",
        "Archive text, corrected.",
    )
    .article("new.md", "New story", "2024-05-01", "", "Other words.");
    live.update(&[content(&site, "old.md"), content(&site, "new.md")])
        .expect("update");
    let job = live.search_job().expect("the index changed");
    // The new story's file goes away between the update and the job: the index fails.
    std::fs::remove_file(content(&site, "new.md")).unwrap();
    let error = live
        .apply_search(job.run())
        .expect_err("the new story cannot be read");
    assert!(error.to_string().contains("new.md"), "{error}");
    assert_eq!(manifest(), before, "the old index stays");
    assert_eq!(present(), named(&before), "with every file it names");

    // Once the story is back, the next job puts the new index in place of the old one.
    site.article("new.md", "New story", "2024-05-01", "", "Other words.");
    live.update(&[content(&site, "new.md")]).expect("update");
    let job = live.search_job().expect("the index is still stale");
    live.apply_search(job.run()).expect("the index is built");
    let after = manifest();
    assert_ne!(after, before);
    assert_eq!(present(), named(&after), "the old index's files are gone");
    assert!(live.search_job().is_none(), "the index is current");
}
