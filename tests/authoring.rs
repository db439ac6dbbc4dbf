//! `annals init`, `annals new` and `annals check`, run as a writer would.

mod common;

use common::{Fixture, check_links, stderr};

fn annals(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run annals")
}

#[test]
fn init_new_and_build_make_a_working_archive() {
    let dir = tempfile::tempdir().unwrap();
    let out = annals(dir.path(), &["init", "news", "--title", "Harbour \"News\""]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = dir.path().join("news");
    let config = std::fs::read_to_string(site.join("site.toml")).unwrap();
    assert!(
        config.contains("\ntitle = 'Harbour \"News\"'\n"),
        "{config}"
    );
    assert!(
        config.contains("# raw_html = \"keep\""),
        "every key is explained: {config}"
    );
    assert!(
        config.contains("# terms = ["),
        "every key is explained: {config}"
    );
    assert!(
        !site.join("templates").exists(),
        "the built-in theme serves until overridden"
    );
    let again = annals(dir.path(), &["init", "news"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"));

    let out = annals(
        &site,
        &[
            "new",
            "Polls open in Côte d'Ivoire",
            "--topics",
            "Elections,Politics",
            "--countries",
            "Côte d'Ivoire",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let created = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        created.contains("polls-open-in-cote-d-ivoire.md"),
        "{created}"
    );
    assert!(
        created.contains("its URL will be https://example.org/"),
        "{created}"
    );
    let twice = annals(&site, &["new", "Polls open in Côte d'Ivoire"]);
    assert!(!twice.status.success(), "new refuses to overwrite");
    assert!(stderr(&twice).contains("already exists"));

    // A trailing comma or a blank name gives no empty term.
    let out = annals(
        &site,
        &[
            "new",
            "Talks resume",
            "--topics",
            "Diplomacy,",
            "--countries",
            "Russia, ,Iran",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let talks = walkdir::WalkDir::new(site.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == "talks-resume.md")
        .expect("the new article");
    let text = std::fs::read_to_string(talks.path()).unwrap();
    assert!(
        text.contains("topics = [\"Diplomacy\"]\ncountries = [\"Russia\", \"Iran\"]"),
        "{text}"
    );

    // New articles are drafts: published once `draft = true` goes; check then warns about a
    // placeholder left in.
    for entry in walkdir::WalkDir::new(site.join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(entry.path(), text.replace("draft = true\n", "")).unwrap();
        }
    }
    let checked = annals(&site, &["check"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(
        stderr(&checked)
            .contains("talks-resume.md: still has the placeholder text of `annals new`"),
        "{}",
        stderr(&checked)
    );

    let out = annals(&site, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site.join("public/topics/elections/index.html").exists());
    assert!(
        site.join("public/countries/cote-d-ivoire/index.html")
            .exists()
    );
    check_links(&site.join("public"), "");

    // Outside a site: the folder is named, with what to do.
    let outside = annals(dir.path(), &["build"]);
    assert!(!outside.status.success());
    let err = stderr(&outside);
    assert!(
        err.contains("is not an Annals site (it has no site.toml)"),
        "{err}"
    );
    assert!(
        err.contains("--root DIR") && err.contains("annals init DIR"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");

    let themed = annals(dir.path(), &["init", "custom", "--theme"]);
    assert!(themed.status.success());
    assert!(dir.path().join("custom/templates/article.html").exists());
    assert!(dir.path().join("custom/static/css/annals.css").exists());
}

#[test]
fn check_finds_broken_links_and_suspicious_terms() {
    let site = Fixture::new(
        "base_url = \"https://example.org\"\n[[taxonomies]]\nname = \"topics\"\n[[taxonomies]]\nname = \"regions\"\nterms = [\"Philippines\", \"France\", \"Germany\"]\n",
    );
    for n in 0..4 {
        site.article(
            &format!("p{n}.md"),
            &format!("Manila {n}"),
            "2023-01-01",
            "regions = [\"Philippines\"]",
            "Text.",
        );
    }
    site.article(
        "a.md",
        "One",
        "2024-01-01",
        "regions = [\"Philippines\"]",
        "Text.",
    )
    .article(
        "b.md",
        "Two",
        "2024-01-02",
        "regions = [\"Philippines\"]",
        "Text.",
    )
    .article(
        "c.md",
        "Three",
        "2024-01-03",
        "regions = [\"Phillipines\", \"france\"]",
        "Text.",
    )
    .article(
        "d.md",
        "Four",
        "2024-01-04",
        "regions = [\"France\"]",
        "Text.",
    );
    let out = site.run(&["check"]);
    assert!(
        out.status.success(),
        "warnings do not fail: {}",
        stderr(&out)
    );
    let warnings = stderr(&out);
    assert!(
        warnings.contains("warning: content/c.md") && warnings.contains("\"Phillipines\""),
        "{warnings}"
    );
    assert!(
        warnings.contains("looks like \"Philippines\""),
        "{warnings}"
    );
    assert!(
        warnings.contains(
            "warning: content/c.md: regions term \"france\" is written \"France\" by most articles"
        ),
        "the file with the rarer spelling is named: {warnings}"
    );
    assert!(
        warnings.contains("\"Phillipines\" is not in the list of regions"),
        "{warnings}"
    );
    assert!(!warnings.contains("\"Philippines\" is not"), "{warnings}");

    site.article(
        "e.md",
        "Five",
        "2024-01-05",
        "",
        "See [the old page](/2019/01/01/gone/) and [home](/).",
    );
    let out = site.run(&["check"]);
    assert!(!out.status.success());
    let errors = stderr(&out);
    assert!(
        errors.contains("content/e.md") && errors.contains("/2019/01/01/gone/"),
        "{errors}"
    );
    assert!(!site.out().exists(), "check writes nothing");
}
