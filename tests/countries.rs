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
