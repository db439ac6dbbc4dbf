//! `annals import`: a WordPress export and a small site of each other generator become articles
//! that build and pass `annals check`, their old URLs redirecting to the new pages.

mod common;

use std::path::Path;

use common::{Fixture, stderr};

const WXR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/import/wordpress.xml"
);

/// Writes files below `dir`.
fn tree(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Runs `annals import` in the site and returns its standard output; panics if it fails.
fn import(site: &Fixture, args: &[&str]) -> String {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let out = site.run(&all);
    assert!(out.status.success(), "import failed:\n{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn content(site: &Fixture, rel: &str) -> String {
    std::fs::read_to_string(site.root().join("content").join(rel))
        .unwrap_or_else(|e| panic!("content/{rel}: {e}"))
}

/// Builds (with scheduled articles) and checks the site; both must pass.
fn build_and_check(site: &Fixture) {
    let out = site.run(&["build", "--future"]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let out = site.run(&["check", "--future"]);
    assert!(out.status.success(), "check failed:\n{}", stderr(&out));
}

/// The page at `from` (a folder URL) redirects to `to`.
fn redirects(site: &Fixture, from: &str, to: &str) {
    let page = site.read(&format!("{}index.html", from.trim_start_matches('/')));
    assert!(
        page.contains(&format!("url={to}")) || page.contains(&format!("href=\"{to}\"")),
        "{from} does not redirect to {to}:\n{page}"
    );
}

#[test]
fn a_wordpress_export_becomes_articles_whose_old_urls_redirect() {
    let site = Fixture::new("base_url = \"https://gazette.example.org\"\n");
    let uploads = tempfile::tempdir().unwrap();
    tree(uploads.path(), &[("2023/03/ferry.jpg", "JPEG")]);
    let uploads_arg = uploads.path().to_str().unwrap();
    let out = import(&site, &["wordpress", WXR, "--uploads", uploads_arg]);
    assert!(
        out.contains("Imported 4 articles from WordPress (0 drafts) and 1 file"),
        "{out}"
    );
    assert!(
        out.contains("skipped 2 drafts (import them with --drafts)"),
        "{out}"
    );
    assert!(
        out.contains("skipped 1 pages (Annals imports posts)"),
        "{out}"
    );
    assert!(
        out.contains("password-protected posts, imported as drafts: 1"),
        "{out}"
    );
    assert!(
        out.contains("shortcode [gallery] has no Annals equivalent"),
        "{out}"
    );
    assert!(
        out.contains("wordpress.xml:20 "),
        "the item's line is named: {out}"
    );

    // Two categories (no "Uncategorized") and five tags, one of them a country; the excerpt; the
    // author's display name; a classic-editor body given paragraphs; the caption a figure; the
    // CDATA section split at "]]>" joined again; the image copied into the bundle.
    let strike = content(&site, "2023/ferry-strike-ends/index.md");
    assert!(
        strike.contains("title = \"Ferry strike ends after nine days\""),
        "{strike}"
    );
    assert!(
        strike.contains("date = 2023-03-14T08:15:00+00:00"),
        "{strike}"
    );
    assert!(
        strike.contains("topics = [\"Transport\", \"Labour\", \"ferries\", \"strikes\", \"unions\", \"harbour\"]\ncountries = [\"Ireland\"]"),
        "{strike}"
    );
    assert!(
        strike.contains("summary = \"The nine-day strike is over.\""),
        "{strike}"
    );
    assert!(strike.contains("authors = [\"Maria Field\"]"), "{strike}");
    assert!(strike.contains("this morning.\\\nCrews voted"), "{strike}");
    assert!(
        strike.contains("\n\nTalks lasted **nine days** in all.\n\n"),
        "{strike}"
    );
    assert!(
        strike.contains("<figure><img src=\"ferry.jpg\" alt=\"The ferry at dawn\" width=\"640\" height=\"400\" /><figcaption>The first ferry leaves at dawn</figcaption></figure>"),
        "{strike}"
    );
    assert!(strike.contains("`if (a ]]> b)`"), "{strike}");
    assert!(
        !strike.contains("aliases"),
        "the old URL is the new one: {strike}"
    );
    assert_eq!(
        std::fs::read(site.root().join("content/2023/ferry-strike-ends/ferry.jpg")).unwrap(),
        b"JPEG"
    );

    // Summer time: local 09:00 is 08:00 UTC, so +01:00; a URL-encoded non-ASCII slug; a link to
    // the other post's old permalink becomes an `@/` link.
    let summer = content(&site, "2023/日本-timetable.md");
    assert!(
        summer.contains("date = 2023-07-01T09:00:00+01:00"),
        "{summer}"
    );
    assert!(summer.contains("slug = \"日本-timetable\""), "{summer}");
    assert!(!summer.contains("Uncategorized"), "{summer}");
    assert!(
        summer.contains("[the strike](@/2023/ferry-strike-ends/index.md)"),
        "{summer}"
    );
    let cafe = content(&site, "2023/café-opens.md");
    assert!(
        cafe.contains("aliases = [\"/2023/01/20/cafe-opens/\"]"),
        "{cafe}"
    );
    assert!(content(&site, "2030/regatta-results.md").contains("date = 2030-06-01T18:00:00+01:00"));
    assert!(
        !site
            .root()
            .join("content/2023/draft-the-new-pier.md")
            .exists()
    );

    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    assert!(
        config.contains("title = \"The Harbour Gazette\""),
        "{config}"
    );
    assert!(
        config.contains("base_url = \"https://gazette.example.org\""),
        "{config}"
    );
    assert_eq!(config.matches("base_url").count(), 1, "{config}");

    build_and_check(&site);
    redirects(&site, "/2023/01/20/cafe-opens/", "/2023/01/20/café-opens/");
    assert!(site.exists("2023/03/14/ferry-strike-ends/ferry.jpg"));

    // Again: every file is there already, so nothing is replaced.
    std::fs::write(site.root().join("content/2023/café-opens.md"), "edited").unwrap();
    let again = import(&site, &["wordpress", WXR, "--uploads", uploads_arg]);
    assert!(again.contains("Imported 0 articles"), "{again}");
    assert!(
        again.contains("not written, a file is there already"),
        "{again}"
    );
    assert_eq!(content(&site, "2023/café-opens.md"), "edited");
}

#[test]
fn a_dry_run_writes_nothing_and_drafts_come_only_when_asked() {
    let site = Fixture::new("base_url = \"https://gazette.example.org\"\n");
    let out = import(&site, &["wordpress", WXR, "--dry-run", "--drafts"]);
    assert!(
        out.starts_with("Would import 6 articles from WordPress (2 drafts)"),
        "{out}"
    );
    assert!(
        std::fs::read_dir(site.root().join("content"))
            .unwrap()
            .next()
            .is_none(),
        "a dry run writes no article"
    );
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    assert!(!config.contains("Harbour"), "{config}");

    import(&site, &["wordpress", WXR, "--drafts"]);
    let pier = content(&site, "2023/draft-the-new-pier.md");
    assert!(pier.contains("draft = true"), "{pier}");
    assert!(
        pier.contains("date = 2023-08-02T10:00:00+01:00"),
        "a draft without UTC time gets the site's usual offset: {pier}"
    );
    assert!(content(&site, "2023/budget.md").contains("draft = true"));
    build_and_check(&site);
}

#[test]
fn a_broken_export_is_an_error_naming_file_and_line() {
    let site = Fixture::new("base_url = \"https://e.org\"\n");
    site.file(
        "bad.xml",
        "<rss>\n<channel>\n<item><title>x</titel></item>\n</channel></rss>\n",
    );
    let out = site.run(&["import", "wordpress", "bad.xml"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("bad.xml:3:"), "{err}");
}

#[test]
fn a_hugo_site_keeps_its_permalinks_zone_and_shortcodes_where_it_can() {
    let source = tempfile::tempdir().unwrap();
    tree(
        source.path(),
        &[
            (
                "config.toml",
                "baseURL = \"https://hugo.example.org/\"\ntitle = \"Hugo Blog\"\ntimeZone = \"Europe/Berlin\"\n[permalinks]\nposts = \"/:year/:month/:slug/\"\n",
            ),
            (
                "content/posts/first.md",
                "---\ntitle: First post\ndate: 2021-06-01T10:00:00\ntags: [Rust, Germany]\ncategories: [Dev]\nslug: first-post\naliases: [/old/first/]\n---\n\n{{< figure src=\"/img/a.png\" caption=\"A chart\" >}}\n\nSee [the second]({{< ref \"posts/second.md\" >}}).\n\n{{< chart 1 >}}\n",
            ),
            (
                "content/posts/second.md",
                "+++\ntitle = \"Second\"\ndate = 2021-07-01T08:00:00Z\nlastmod = 2021-07-02T08:00:00Z\n+++\n{{< highlight rust >}}\nfn main() {}\n{{< /highlight >}}\n\n<div><a href=\"https://hugo.example.org/2021/06/first-post/#top\">first</a></div>\n",
            ),
            ("content/posts/_index.md", "---\ntitle: Posts\n---\n"),
            (
                "content/about.md",
                "---\ntitle: About\n---\nNo date here.\n",
            ),
            ("static/img/a.png", "PNG"),
        ],
    );
    let site = Fixture::new("base_url = \"https://new.example.org\"\n");
    let out = import(&site, &["hugo", source.path().to_str().unwrap()]);
    assert!(out.contains("Imported 2 articles from Hugo"), "{out}");
    assert!(
        out.contains("skipped 1 posts without a date: content/about.md"),
        "{out}"
    );
    assert!(out.contains("skipped 1 section and home pages"), "{out}");
    assert!(
        out.contains("Hugo shortcode chart has no Annals equivalent; kept as text: content/posts/first.md:14 `{{< chart 1 >}}`"),
        "{out}"
    );
    let first = content(&site, "2021/first-post.md");
    assert!(
        first.contains("date = 2021-06-01T10:00:00+02:00"),
        "{first}"
    );
    assert!(
        first.contains("topics = [\"Rust\", \"Dev\"]\ncountries = [\"Germany\"]"),
        "{first}"
    );
    assert!(
        first.contains("aliases = [\"/old/first/\", \"/2021/06/first-post/\"]"),
        "{first}"
    );
    assert!(
        first.contains("![A chart](/img/a.png \"A chart\")"),
        "{first}"
    );
    assert!(first.contains("[the second](@/2021/second.md)"), "{first}");
    let second = content(&site, "2021/second.md");
    assert!(
        second.contains("updated = 2021-07-02T08:00:00+00:00"),
        "{second}"
    );
    assert!(second.contains("```rust\nfn main() {}\n```"), "{second}");
    assert!(
        second.contains("<a href=\"/2021/06/01/first-post/#top\">"),
        "a link in HTML to an old URL leads to the new page: {second}"
    );
    assert_eq!(
        std::fs::read_to_string(site.root().join("static/img/a.png")).unwrap(),
        "PNG"
    );
    build_and_check(&site);
    redirects(&site, "/2021/06/first-post/", "/2021/06/01/first-post/");
    redirects(&site, "/old/first/", "/2021/06/01/first-post/");
}

#[test]
fn a_jekyll_site_keeps_file_name_dates_liquid_links_and_pretty_permalinks() {
    let source = tempfile::tempdir().unwrap();
    tree(
        source.path(),
        &[
            (
                "_config.yml",
                "title: Jekyll Blog\nurl: https://jekyll.example.org\npermalink: pretty\ntimezone: America/New_York\n",
            ),
            (
                "_posts/2020-01-15-hello-world.md",
                "---\nlayout: post\ntitle: Hello world\ntags: one two\ncategories: news\n---\nNext: [second]({% post_url 2020-02-01-second %}).\n\n{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\n![x]({{ site.baseurl }}/assets/x.png)\n",
            ),
            (
                "_posts/2020-02-01-second.md",
                "---\nlayout: post\n---\nThe second.\n",
            ),
            ("about.md", "---\ntitle: About\n---\nA page.\n"),
            ("assets/x.png", "PNG"),
            ("_layouts/post.html", "{{ content }}"),
        ],
    );
    let site = Fixture::new("base_url = \"https://new.example.org\"\n");
    let out = import(&site, &["jekyll", source.path().to_str().unwrap()]);
    assert!(out.contains("Imported 2 articles from Jekyll"), "{out}");
    assert!(
        out.contains("skipped 1 Jekyll pages (not in _posts): about.md"),
        "{out}"
    );
    let hello = content(&site, "2020/hello-world.md");
    assert!(hello.contains("date = 2020-01-15\n"), "{hello}");
    assert!(
        hello.contains("topics = [\"one\", \"two\", \"news\"]"),
        "{hello}"
    );
    assert!(
        hello.contains("aliases = [\"/news/2020/01/15/hello-world/\"]"),
        "{hello}"
    );
    assert!(hello.contains("[second](@/2020/second.md)"), "{hello}");
    assert!(hello.contains("```ruby\nputs 1\n```"), "{hello}");
    assert!(hello.contains("![x](/assets/x.png)"), "{hello}");
    let second = content(&site, "2020/second.md");
    assert!(
        second.contains("title = \"Second\""),
        "the title from the file name: {second}"
    );
    assert!(site.root().join("static/assets/x.png").exists());
    assert!(!site.root().join("static/_layouts").exists());
    build_and_check(&site);
    redirects(
        &site,
        "/news/2020/01/15/hello-world/",
        "/2020/01/15/hello-world/",
    );
}

#[test]
fn a_zola_site_keeps_its_bundles_paths_and_at_links() {
    let source = tempfile::tempdir().unwrap();
    tree(
        source.path(),
        &[
            (
                "config.toml",
                "base_url = \"https://zola.example.org\"\ntitle = \"Zola Blog\"\ntaxonomies = [{name = \"tags\"}]\n",
            ),
            ("content/blog/_index.md", "+++\ntitle = \"Blog\"\n+++\n"),
            (
                "content/blog/2019-03-04-bundle/index.md",
                "+++\ntitle = \"A bundle\"\n[taxonomies]\ntags = [\"maps\"]\ncountries = [\"Peru\"]\n[extra]\nlead = \"Lima\"\n+++\n![pic](pic.png) and [plain](@/blog/plain.md#part).\n",
            ),
            ("content/blog/2019-03-04-bundle/pic.png", "PNG"),
            (
                "content/blog/plain.md",
                "+++\ntitle = \"Plain\"\npath = \"2016/04/19/plain\"\n+++\n## Part\n\n{{ youtube(id=\"x\") }}\n",
            ),
        ],
    );
    let site = Fixture::new("base_url = \"https://new.example.org\"\n");
    let out = import(&site, &["zola", source.path().to_str().unwrap()]);
    assert!(
        out.contains("Imported 2 articles from Zola (0 drafts) and 1 file"),
        "{out}"
    );
    assert!(
        out.contains("Zola shortcode youtube() has no Annals equivalent"),
        "{out}"
    );
    let bundle = content(&site, "2019/bundle/index.md");
    assert!(bundle.contains("date = 2019-03-04\n"), "{bundle}");
    assert!(bundle.contains("topics = [\"maps\"]"), "{bundle}");
    assert!(bundle.contains("countries = [\"Peru\"]"), "{bundle}");
    assert!(bundle.contains("aliases = [\"/blog/bundle/\"]"), "{bundle}");
    assert!(bundle.contains("[extra]\nlead = \"Lima\""), "{bundle}");
    assert!(bundle.contains("[plain](@/2016/plain.md#part)"), "{bundle}");
    assert!(site.root().join("content/2019/bundle/pic.png").exists());
    let plain = content(&site, "2016/plain.md");
    assert!(
        plain.contains("date = 2016-04-19\n"),
        "the date from the path: {plain}"
    );
    assert!(
        !plain.contains("aliases"),
        "the old URL is the new one: {plain}"
    );
    build_and_check(&site);
    redirects(&site, "/blog/bundle/", "/2019/03/04/bundle/");
}

#[test]
fn a_pelican_site_keeps_its_metadata_filename_links_and_static_paths() {
    let source = tempfile::tempdir().unwrap();
    tree(
        source.path(),
        &[
            (
                "pelicanconf.py",
                "AUTHOR = 'Ann'\nSITENAME = 'Pelican Site'\nSITEURL = 'https://pelican.example.org'\nTIMEZONE = 'Europe/London'\nARTICLE_URL = 'blog/{date:%Y}/{date:%m}/{slug}/'\nSTATIC_PATHS = ['images']\n",
            ),
            (
                "content/first.md",
                "Title: First of all\nDate: 2015-07-01 10:20\nTags: maps, France\nCategory: News\nAuthors: Ann, Bob\nSummary: The first.\n\nSee [the second]({filename}/second.md) and ![i]({static}/images/i.png).\n",
            ),
            (
                "content/second.md",
                "Title: Second\nDate: 2015-08-01\nSlug: the-second\n\nText.\n",
            ),
            (
                "content/third.md",
                "Title: Third\nDate: 2015-09-01\nStatus: draft\n\nLater.\n",
            ),
            ("content/images/i.png", "PNG"),
        ],
    );
    let site = Fixture::new("base_url = \"https://new.example.org\"\n");
    let out = import(&site, &["pelican", source.path().to_str().unwrap()]);
    assert!(out.contains("Imported 2 articles from Pelican"), "{out}");
    assert!(out.contains("skipped 1 drafts"), "{out}");
    let first = content(&site, "2015/first-of-all.md");
    assert!(
        first.contains("date = 2015-07-01T10:20:00+01:00"),
        "British summer time: {first}"
    );
    assert!(
        first.contains("topics = [\"maps\", \"News\"]\ncountries = [\"France\"]"),
        "{first}"
    );
    assert!(first.contains("authors = [\"Ann\", \"Bob\"]"), "{first}");
    assert!(first.contains("summary = \"The first.\""), "{first}");
    assert!(
        first.contains("aliases = [\"/blog/2015/07/first-of-all/\"]"),
        "{first}"
    );
    assert!(
        first.contains("[the second](@/2015/the-second.md)"),
        "{first}"
    );
    assert!(first.contains("![i](/images/i.png)"), "{first}");
    assert!(site.root().join("static/images/i.png").exists());
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    assert!(config.contains("title = \"Pelican Site\""), "{config}");
    build_and_check(&site);
    redirects(
        &site,
        "/blog/2015/07/first-of-all/",
        "/2015/07/01/first-of-all/",
    );
}

#[test]
fn an_import_never_writes_into_its_source() {
    let source = tempfile::tempdir().unwrap();
    tree(
        source.path(),
        &[(
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2020-01-01\n+++\nA.\n",
        )],
    );
    for root in [".", "content/new"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(["import", "zola", ".", "--root", root])
            .current_dir(source.path())
            .output()
            .unwrap();
        assert!(!out.status.success(), "--root {root} was accepted");
        assert!(
            stderr(&out).contains("must be outside the source"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!source.path().join("content/2020").exists());
    assert!(!source.path().join("site.toml").exists());
}
