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
