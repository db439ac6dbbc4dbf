//! Feeds, sitemaps, crawl files, redirects, related articles and article metadata.

mod common;

use common::{Fixture, html_files};

fn xml(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text)
        .unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{text}"))
}

fn texts<'a>(doc: &'a roxmltree::Document, tag: &str) -> Vec<&'a str> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == tag)
        .map(|n| n.text().unwrap_or_default())
        .collect()
}

/// Four articles; the newest has a title full of XML specials.
fn site(extra_config: &str) -> Fixture {
    let site = Fixture::new(&format!(
        "title = \"Desk & Co\"\nbase_url = \"https://example.org/news\"\nfeed_limit = 3\n{extra_config}"
    ));
    site.article(
        "a.md",
        "Oldest story",
        "2021-01-01T10:00:00Z",
        "topics = [\"Energy\"]\ncountries = [\"Norway\"]",
        "Old.",
    )
    .article(
        "b.md",
        "Pipeline talks",
        "2022-02-02T10:00:00Z",
        "topics = [\"Energy\", \"Trade\"]\ncountries = [\"Norway\", \"Germany\"]\nauthors = [\"Ana\"]",
        "Talks on the [pipeline](@/a.md).",
    )
    .article(
        "c.md",
        "Farm prices",
        "2023-03-03T10:00:00Z",
        "topics = [\"Trade\"]\ncountries = [\"France\"]",
        "Prices.",
    )
    .article(
        "d.md",
        "Gas & power: <prices> ]]> rise",
        "2024-04-04T10:00:00+02:00",
        "slug = \"gas\"\ntopics = [\"Energy\", \"Trade\"]\ncountries = [\"Norway\", \"Germany\"]\nupdated = 2024-04-05T08:00:00+02:00\nsummary = \"Gas <b>&</b> power\"\naliases = [\"/old/gas/\", \"/legacy/gas.html\"]",
        "Body with **bold** and a [link](@/b.md).",
    );
    site
}

#[test]
fn atom_rss_and_json_feeds_parse_with_the_newest_entries() {
    let site = site("");
    site.build();
    let atom_text = site.read("atom.xml");
    let atom = xml(&atom_text);
    let titles = texts(&atom, "title");
    assert_eq!(
        titles,
        [
            "Desk & Co",
            "Gas & power: <prices> ]]> rise",
            "Farm prices",
            "Pipeline talks"
        ],
        "feed title, then feed_limit = 3 newest entries"
    );
    let ids = texts(&atom, "id");
    assert_eq!(ids[1], "https://example.org/news/2024/04/04/gas/");
    assert!(texts(&atom, "updated").contains(&"2024-04-05T08:00:00+02:00"));
    assert!(texts(&atom, "name").contains(&"Ana"));
    let content = texts(&atom, "content")[0];
    assert!(content.contains("<strong>bold</strong>"), "{content}");
    assert!(
        content.contains("href=\"https://example.org/news/2022/02/02/pipeline-talks/\""),
        "links in feeds are absolute: {content}"
    );
    let categories: Vec<_> = atom
        .descendants()
        .filter(|n| n.has_tag_name("category"))
        .filter_map(|n| n.attribute("term"))
        .collect();
    assert!(categories.contains(&"Energy") && categories.contains(&"Germany"));

    let rss_text = site.read("rss.xml");
    let rss = xml(&rss_text);
    assert_eq!(texts(&rss, "guid").len(), 3);
    assert!(
        texts(&rss, "pubDate")[0].ends_with("+0200"),
        "RFC 2822 dates"
    );
    assert_eq!(texts(&rss, "title")[1], "Gas & power: <prices> ]]> rise");

    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["items"][0]["title"], "Gas & power: <prices> ]]> rise");
    assert_eq!(json["items"].as_array().unwrap().len(), 3);
    let (gas, pipeline) = (&json["items"][0], &json["items"][2]);
    assert_eq!(gas["date_modified"], "2024-04-05T08:00:00+02:00");
    assert_eq!(gas["date_published"], "2024-04-04T10:00:00+02:00");
    assert!(
        pipeline.get("date_modified").is_none(),
        "no date_modified without an update: {pipeline}"
    );
    assert_eq!(pipeline["authors"], serde_json::json!([{ "name": "Ana" }]));
    assert_eq!(
        pipeline["tags"],
        serde_json::json!(["Energy", "Trade", "Norway", "Germany"])
    );
    assert_eq!(gas["id"], "https://example.org/news/2024/04/04/gas/");
    let content = gas["content_html"].as_str().unwrap();
    assert!(
        content.contains("<strong>bold</strong>")
            && content.contains("href=\"https://example.org/news/2022/02/02/pipeline-talks/\""),
        "the whole article with absolute links: {content}"
    );
}

#[test]
fn every_term_has_feeds_with_only_its_articles() {
    let site = site("");
    site.build();
    let energy = site.read("topics/energy/atom.xml");
    let doc = xml(&energy);
    let titles = texts(&doc, "title");
    assert_eq!(titles[0], "Energy — Desk & Co");
    assert!(titles.contains(&"Oldest story") && !titles.contains(&"Farm prices"));
    xml(&site.read("countries/germany/rss.xml"));
    assert!(site.exists("countries/france/feed.json"));

    let term_page = site.read("topics/energy/index.html");
    assert!(
        term_page.contains("href=\"/news/topics/energy/atom.xml\""),
        "term page advertises its feed"
    );
    let article = site.read("2022/02/02/pipeline-talks/index.html");
    assert!(article.contains("rel=\"alternate\" type=\"application/atom+xml\""));
    assert!(article.contains("href=\"/news/atom.xml\""));
}

#[test]
fn feed_settings_choose_formats_and_content() {
    let site = site("feeds = [\"rss\"]\nfeed_content = \"summary\"\nterm_feeds = false\n");
    site.build();
    assert!(site.exists("rss.xml"));
    assert!(!site.exists("atom.xml") && !site.exists("feed.json"));
    assert!(!site.exists("topics/energy/rss.xml"));
    let rss = site.read("rss.xml");
    let doc = xml(&rss);
    assert_eq!(
        texts(&doc, "encoded")[0],
        "<p>Gas &lt;b&gt;&amp;&lt;/b&gt; power</p>"
    );

    let bad = Fixture::new("base_url = \"https://e.org\"\nfeeds = [\"atom\", \"rdf\"]\n");
    let out = bad.run(&["build"]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("site.toml:2"),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn the_sitemap_lists_every_page_with_lastmod_and_robots_points_at_it() {
    let site = site("");
    site.build();
    let text = site.read("sitemap.xml");
    let doc = xml(&text);
    let locs = texts(&doc, "loc");
    let pages = html_files(&site.out());
    let expected: Vec<_> = pages
        .iter()
        .filter(|p| *p != "404.html" && !p.starts_with("old/") && !p.starts_with("legacy/"))
        .collect();
    assert_eq!(locs.len(), expected.len(), "one URL per page: {locs:?}");
    assert!(locs.contains(&"https://example.org/news/2024/04/04/gas/"));
    assert!(locs.contains(&"https://example.org/news/topics/energy/"));
    assert!(!locs.iter().any(|l| l.contains("/old/")));
    let lastmods = texts(&doc, "lastmod");
    assert_eq!(lastmods.len(), locs.len());
    assert!(
        lastmods.contains(&"2024-04-05T08:00:00+02:00"),
        "updated date of the article"
    );

    let robots = site.read("robots.txt");
    assert!(robots.contains("Sitemap: https://example.org/news/sitemap.xml"));
    let unreachable = common::check_links(&site.out(), "/news");
    assert!(
        unreachable
            .iter()
            .all(|p| p == "404.html" || p.starts_with("old/") || p.starts_with("legacy/")),
        "{unreachable:?}"
    );
}

#[test]
fn a_large_sitemap_is_split_into_an_index_of_parts() {
    let site = site("sitemap_max_urls = 5\n");
    site.build();
    let index_text = site.read("sitemap.xml");
    let index = xml(&index_text);
    assert_eq!(index.root_element().tag_name().name(), "sitemapindex");
    let parts = texts(&index, "loc");
    assert!(parts.len() > 2, "{parts:?}");
    let mut total = 0;
    for (n, loc) in parts.iter().enumerate() {
        assert_eq!(
            *loc,
            format!("https://example.org/news/sitemap-{}.xml", n + 1)
        );
        let part_text = site.read(&format!("sitemap-{}.xml", n + 1));
        let urls = texts(&xml(&part_text), "loc").len();
        assert!((1..=5).contains(&urls));
        total += urls;
    }
    let pages = html_files(&site.out()).len() - 3; // 404 and two alias redirects
    assert_eq!(total, pages);
}

#[test]
fn the_news_sitemap_holds_only_the_last_two_days() {
    let site = site("news_sitemap = true\n");
    let recent = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
    site.article("fresh.md", "Breaking & fresh", &recent, "", "Now.");
    site.build();
    let text = site.read("news-sitemap.xml");
    let doc = xml(&text);
    assert_eq!(texts(&doc, "title"), ["Breaking & fresh"]);
    assert_eq!(texts(&doc, "name"), ["Desk & Co"]);
    assert_eq!(texts(&doc, "language"), ["en"]);
    assert!(site.read("robots.txt").contains("news-sitemap.xml"));
}

#[test]
fn aliases_redirect_to_the_article() {
    let site = site("");
    site.build();
    for alias in ["old/gas/index.html", "legacy/gas.html"] {
        let page = site.read(alias);
        assert!(
            page.contains("http-equiv=\"refresh\" content=\"0; url=/news/2024/04/04/gas/\""),
            "{page}"
        );
        assert!(
            page.contains("rel=\"canonical\" href=\"https://example.org/news/2024/04/04/gas/\"")
        );
    }
}

#[test]
fn related_articles_share_the_most_terms() {
    let site = site("");
    site.build();
    let page = site.read("2024/04/04/gas/index.html");
    let related = &page[page.find("Related coverage").expect("related section")..];
    let pipeline = related.find("Pipeline talks").expect("shares four terms");
    let oldest = related.find("Oldest story").expect("shares two terms");
    let farm = related.find("Farm prices").expect("shares one term");
    assert!(
        pipeline < oldest && oldest < farm,
        "ordered by shared terms"
    );
}

#[test]
fn json_ld_describes_the_article_and_cannot_break_out_of_its_script() {
    let site = Fixture::with_base("https://example.org", 20);
    site.article(
        "x.md",
        "</script><script>alert(1)</script>",
        "2024-01-02T03:04:05+01:00",
        "slug = \"x\"\nauthors = [\"A </script> B\"]\ncountries = [\"Chile\"]\ntopics = [\"Mining\"]",
        "Body.",
    );
    site.build();
    let page = site.read("2024/01/02/x/index.html");
    assert!(!page.contains("<script>alert"));
    let start = page
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + 35;
    let end = start + page[start..].find("</script>").unwrap();
    let json: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    let article = &json["@graph"][0];
    assert_eq!(article["@type"], "NewsArticle");
    assert_eq!(article["headline"], "</script><script>alert(1)</script>");
    assert_eq!(article["datePublished"], "2024-01-02T03:04:05+01:00");
    assert_eq!(article["author"][0]["name"], "A </script> B");
    assert_eq!(article["contentLocation"][0]["name"], "Chile");
    assert_eq!(article["keywords"], "Mining, Chile");
    assert_eq!(json["@graph"][1]["@type"], "BreadcrumbList");
    assert!(page.contains("<meta name=\"twitter:card\" content=\"summary\">"));
    assert!(
        page.contains("<meta property=\"og:title\" content=\"&lt;&#x2F;script&gt;")
            || page.contains("<meta property=\"og:title\" content=\"&lt;/script&gt;")
    );
}
