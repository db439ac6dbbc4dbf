//! Countries know what they are: every name a country goes by is that country, with one page at
//! the slug of its display name; ambiguous and unknown names are warnings, never guesses.

mod common;

use common::{Fixture, stderr};

fn site(settings: &str) -> Fixture {
    Fixture::new(&format!(
        "title = \"Places\"\nbase_url = \"https://example.org\"\nsearch = false\n{settings}\n"
    ))
}

#[test]
fn every_name_of_a_country_makes_one_page_at_its_display_name() {
    let site = site("");
    site.article(
        "a.md",
        "A",
        "2024-01-01",
        "countries = [\"DPRK\", \"USA\"]",
        "A.",
    )
    .article(
        "b.md",
        "B",
        "2024-01-02",
        "countries = [\"North Korea\", \"Ivory Coast\"]",
        "B.",
    )
    .article(
        "c.md",
        "C",
        "2024-01-03",
        "countries = [\"KP\", \"the United States of America\"]",
        "C.",
    )
    .article(
        "d.md",
        "D",
        "2024-01-04",
        "countries = [\"Soviet Union\"]",
        "D.",
    );
    let out = site.build();
    assert!(stderr(&out).is_empty(), "no warnings: {}", stderr(&out));
    for page in [
        "countries/north-korea/index.html",
        "countries/united-states/index.html",
        "countries/cote-d-ivoire/index.html",
        "countries/soviet-union/index.html",
    ] {
        assert!(site.exists(page), "{page}");
    }
    for alias in ["dprk", "kp", "usa", "ivory-coast"] {
        assert!(
            !site.exists(&format!("countries/{alias}/index.html")),
            "{alias}"
        );
    }
    let korea = site.read("countries/north-korea/index.html");
    assert!(
        korea.contains("3 articles") || korea.matches("<article").count() >= 3,
        "{korea}"
    );
    let article = site.read("2024/01/01/a/index.html");
    assert!(
        article.contains(r#"{"@type":"Country","identifier":"KP","name":"North Korea"}"#),
        "{article}"
    );
    let soviet = site.read("2024/01/04/d/index.html");
    assert!(
        soviet.contains(r#"{"@type":"Place","name":"Soviet Union"}"#),
        "{soviet}"
    );
}

#[test]
fn ambiguous_and_unknown_names_are_warnings_at_their_line() {
    let site = site("");
    site.article("a.md", "A", "2024-01-01", "countries = [\"Korea\"]", "A.")
        .article(
            "b.md",
            "B",
            "2024-01-02",
            "countries = [\"Phillipines\", \"Narnia\"]",
            "B.",
        );
    let out = site.build();
    let warnings = stderr(&out);
    assert!(
        warnings.contains("content/a.md:4:")
            && warnings.contains("North Korea (KP), South Korea (KR)"),
        "{warnings}"
    );
    assert!(
        warnings.contains("content/b.md:4:") && warnings.contains("did you mean Philippines (PH)?"),
        "{warnings}"
    );
    assert!(
        warnings.contains("\"Narnia\" is not a country"),
        "{warnings}"
    );
    assert!(
        site.exists("countries/korea/index.html"),
        "kept as a term of its own"
    );
    assert!(!site.run(&["build", "--strict"]).status.success());
}

#[test]
fn a_site_names_countries_in_its_house_style_and_lists_other_places() {
    let site = site(
        "[places]\nnames = { CI = \"Ivory Coast\" }\naliases = { KP = [\"Hermit Kingdom\"] }\nother = [\"European Union\"]\n[[taxonomies]]\nname = \"topics\"\n[[taxonomies]]\nname = \"where\"\nrole = \"places\"\n",
    );
    site.article(
        "a.md",
        "A",
        "2024-01-01",
        "where = [\"Côte d'Ivoire\", \"Hermit Kingdom\", \"European Union\"]",
        "A.",
    );
    let out = site.build();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(site.exists("where/ivory-coast/index.html"));
    assert!(site.exists("where/north-korea/index.html"));
    assert!(site.exists("where/european-union/index.html"));
    let bad = Fixture::new(
        "base_url = \"https://example.org\"\n[places]\nnames = { ZQ = \"Nowhere\" }\n",
    );
    let out = bad.run(&["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("\"ZQ\" is not a country code"),
        "{}",
        stderr(&out)
    );
}

/// An archive about North Korea over three years, with its neighbours and topics.
fn korea_site() -> Fixture {
    let site = site("");
    site.article(
        "a.md",
        "Missile test",
        "2022-03-01",
        "countries = [\"North Korea\", \"South Korea\"]\ntopics = [\"Military\"]",
        "A.",
    )
    .article(
        "b.md",
        "Summit planned",
        "2024-05-02",
        "countries = [\"DPRK\", \"ROK\", \"Japan\"]\ntopics = [\"Diplomacy\", \"Military\"]",
        "B.",
    )
    .article(
        "c.md",
        "Talks resume",
        "2024-06-19T09:30:00+09:00",
        "countries = [\"KP\", \"Republic of Korea\"]\ntopics = [\"Diplomacy\"]",
        "C.",
    )
    .article(
        "d.md",
        "Old times",
        "1989-11-09",
        "countries = [\"Soviet Union\", \"Germany\"]",
        "D.",
    );
    site.build();
    site
}

#[test]
fn a_country_page_says_where_since_when_how_much_and_with_what() {
    let site = korea_site();
    let page = site.read("countries/north-korea/index.html");
    for expected in [
        "🇰🇵",
        ">KP</abbr>",
        "Asia · Eastern Asia",
        "Covered since <time datetime=\"2022-03-01\">1 March 2022</time>",
        "latest <time datetime=\"2024-06-19T09:30:00+09:00\">19 June 2024</time>",
        // Years without articles are bars too, unlinked.
        "title=\"2023: no articles\"",
        "Often with",
        "Top topics",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    let links = annals::html::links(&page);
    for link in [
        "/countries/north-korea/2022/",
        "/countries/north-korea/2024/",
        "/countries/south-korea/",
        "/countries/japan/",
        "/topics/diplomacy/",
        "/topics/military/",
        "/countries/north-korea/atom.xml",
    ] {
        assert!(links.iter().any(|l| l == link), "no link to {link}");
    }
    assert!(!links.iter().any(|l| l == "/countries/north-korea/2023/"));
    // South Korea is found with it in all three articles; the page's own country is never a
    // chip on its cards.
    assert!(
        page.contains("South Korea</span> <span class=\"ranked-count\">3<"),
        "{page}"
    );
    assert!(!page.contains("class=\"chip chip--countries\" href=\"/countries/north-korea/\""));
    assert!(page.contains("class=\"chip chip--countries\" href=\"/countries/japan/\""));
}

#[test]
fn a_term_has_a_page_for_each_year_with_its_articles_by_month() {
    let site = korea_site();
    let year = site.read("countries/north-korea/2024/index.html");
    assert!(year.contains("North Korea in 2024"), "{year}");
    assert!(year.contains("Summit planned") && year.contains("Talks resume"));
    assert!(!year.contains("Missile test"));
    let links = annals::html::links(&year);
    for link in [
        "/2024/06/",
        "/2024/05/",
        "/2024/",
        "/countries/north-korea/2022/",
    ] {
        assert!(links.iter().any(|l| l == link), "no link to {link}");
    }
    // The bar of the page's own year is marked.
    assert!(year.contains("href=\"/countries/north-korea/2024/\" aria-current=\"page\""));
    assert!(site.exists("topics/military/2022/index.html"));
    assert!(!site.exists("countries/north-korea/2023/index.html"));
}

/// The years of the bar chart on a page, in order.
fn chart_years(page: &str) -> Vec<String> {
    let chart = &page[page.find("class=\"year-bars-list\"").expect("a chart")..];
    let chart = &chart[..chart.find("</ol>").expect("the chart's end")];
    chart
        .split("</span><span")
        .skip(1)
        .map(|bar| {
            let year = &bar[bar.find('>').expect("a label") + 1..];
            year[..4].to_owned()
        })
        .collect()
}

#[test]
fn a_term_year_page_charts_the_years_around_its_own_and_links_to_them_all() {
    let site = site("paginate_by = 5");
    for year in 2001..=2020 {
        site.article(
            &format!("{year}.md"),
            &format!("News of {year}"),
            &format!("{year}-05-01"),
            "countries = [\"Chile\"]",
            "Text.",
        );
    }
    site.build();
    let years = |from: i32, to: i32| (from..=to).map(|y| y.to_string()).collect::<Vec<_>>();
    let term = site.read("countries/chile/index.html");
    assert_eq!(chart_years(&term), years(2001, 2020));
    assert!(!term.contains("all years"));
    for (page, from, to) in [(2001, 2001, 2011), (2010, 2005, 2015), (2019, 2010, 2020)] {
        let html = site.read(&format!("countries/chile/{page}/index.html"));
        assert_eq!(chart_years(&html), years(from, to), "the chart of {page}");
        assert!(html.contains(&format!(
            "href=\"/countries/chile/{page}/\" title=\"{page}: 1 article\" aria-label=\"{page}: 1 article\" aria-current=\"page\""
        )));
        assert!(
            html.contains("<a class=\"year-bars-all\" href=\"/countries/chile/\">all years</a>"),
            "{html}"
        );
    }
    // The listing's later pages chart the years around their first article's, unmarked.
    let third = site.read("countries/chile/page/3/index.html");
    assert_eq!(chart_years(&third), years(2005, 2015));
    let last = site.read("countries/chile/page/4/index.html");
    assert_eq!(chart_years(&last), years(2001, 2011));
    let chart = &last[last.find("class=\"year-bars\"").expect("a chart")..];
    assert!(!chart[..chart.find("</figure>").expect("its end")].contains("aria-current"));
    assert!(last.contains("class=\"year-bars-all\""));
}

#[test]
fn the_countries_page_groups_them_by_region_under_a_world_map() {
    let site = korea_site();
    let page = site.read("countries/index.html");
    let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
    // One linked shape per country with articles: North and South Korea, Japan, Germany.
    let linked: Vec<&str> = svg
        .split("<a href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        linked,
        [
            "/countries/germany/",
            "/countries/japan/",
            "/countries/north-korea/",
            "/countries/south-korea/"
        ]
    );
    assert!(svg.contains("<title>Japan: 1 article</title>"), "{svg}");
    assert!(svg.contains("<title>France: no articles</title>"));
    // Countries drawn: far more than those with articles, every one a path.
    assert!(svg.matches("<path").count() > 200);
    for expected in [
        ">Asia <span class=\"region-count\">",
        ">Eastern Asia</h4>",
        ">Europe <span class=\"region-count\">",
        ">Western Europe</h4>",
        ">Other places</h3>",
    ] {
        assert!(page.contains(expected), "missing {expected:?}");
    }
    let other = &page[page.find(">Other places</h3>").unwrap()..];
    assert!(other.contains("/countries/soviet-union/"));
}
