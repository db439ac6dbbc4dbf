//! Dates read like a calendar: a month is a weekday-aligned grid of its days, a year a strip of
//! its months, the archive one row of months per year, a day its articles in time order.

mod common;

use common::Fixture;

fn site(settings: &str) -> Fixture {
    let site = Fixture::new(&format!(
        "title = \"Dates\"\nbase_url = \"https://example.org\"\nsearch = false\n{settings}\n"
    ));
    site.article(
        "late.md",
        "Evening session",
        "2024-06-19T20:15:00+02:00",
        "countries = [\"France\"]",
        "Late.",
    )
    .article(
        "early.md",
        "Morning briefing",
        "2024-06-19T07:05:00+02:00",
        "countries = [\"France\"]",
        "Early.",
    )
    .article("first.md", "First of June", "2024-06-01", "", "One.")
    .article("march.md", "Spring", "2024-03-10", "", "Spring.")
    .article("old.md", "Long ago", "2021-12-31", "", "Old.");
    site.build();
    site
}

/// The table cells of a month's calendar, row by row.
fn calendar_rows(page: &str) -> Vec<Vec<String>> {
    let body = &page[page.find("<tbody>").unwrap()..page.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| cell.to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn a_month_is_a_calendar_that_starts_on_the_first_day_of_the_sites_week() {
    let site = site("");
    let june = site.read("2024/06/index.html");
    let heads: Vec<&str> = june
        .split("<th scope=\"col\"><abbr title=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        heads,
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday"
        ]
    );
    let rows = calendar_rows(&june);
    // 1 June 2024 is a Saturday: five blank cells, then the 1st, which has an article.
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.len() == 7));
    assert!(rows[0][..5].iter().all(|c| c.contains("is-blank")));
    assert!(rows[0][5].contains("href=\"/2024/06/01/\"") && rows[0][5].contains(">1<"));
    assert!(rows[0][6].contains("is-empty") && !rows[0][6].contains("href"));
    // The 19th is a Wednesday with two articles.
    let nineteenth = &rows[3][2];
    assert!(nineteenth.contains("href=\"/2024/06/19/\""), "{nineteenth}");
    assert!(
        nineteenth.contains(">2<span class=\"visually-hidden\"> articles"),
        "{nineteenth}"
    );
    // Below the calendar, headlines under their days, newest day first, each with its time.
    let evening = june.find("Evening session").unwrap();
    let first = june.find("First of June").unwrap();
    assert!(evening < first);
    assert!(june.contains(">20:15</time>"));

    let us = self::site("language = \"en-US\"");
    let june = us.read("2024/06/index.html");
    let first_head = june
        .split("<th scope=\"col\"><abbr title=\"")
        .nth(1)
        .unwrap();
    assert!(first_head.starts_with("Sunday"), "{first_head}");
    assert_eq!(
        calendar_rows(&june)[0]
            .iter()
            .filter(|c| c.contains("is-blank"))
            .count(),
        6
    );
}

#[test]
fn a_year_is_a_strip_of_twelve_months_then_its_headlines_by_month() {
    let site = site("");
    let year = site.read("2024/index.html");
    let start = year.find("class=\"month-strip\"").unwrap();
    let strip = &year[start..start + year[start..].find("</ol>").unwrap()];
    assert_eq!(strip.matches("<li").count(), 12);
    assert_eq!(strip.matches("href=").count(), 2, "March and June");
    assert!(strip.contains("href=\"/2024/03/\"") && strip.contains("href=\"/2024/06/\""));
    for heading in ["June 2024", "March 2024"] {
        assert!(
            year.contains(&format!("\">{heading}</time></a>")),
            "{heading}"
        );
    }
    assert!(year.contains("class=\"row-place\" href=\"/countries/france/\""));
}

#[test]
fn the_archive_is_one_row_of_months_per_year() {
    let site = site("");
    let archive = site.read("archive/index.html");
    for (year, linked, total) in [(2024, 2, 4), (2021, 1, 1)] {
        let start = archive.find(&format!("<tr id=\"year-{year}\">")).unwrap();
        let row = &archive[start..start + archive[start..].find("</tr>").unwrap()];
        assert_eq!(
            row.matches("<td").count(),
            13,
            "twelve months and the total"
        );
        assert_eq!(row.matches("<td class=\"shade-").count(), linked);
        assert!(row.contains(&format!("<td class=\"archive-total\">{total}</td>")));
    }
    assert!(archive.find("year-2024").unwrap() < archive.find("year-2021").unwrap());
}

#[test]
fn a_day_names_its_weekday_and_reads_in_time_order() {
    let site = site("");
    let day = site.read("2024/06/19/index.html");
    assert!(day.contains(">Wednesday 19 June 2024</time>"), "{day}");
    let morning = day.find("Morning briefing").unwrap();
    let evening = day.find("Evening session").unwrap();
    assert!(morning < evening, "earliest first");
    assert!(day.contains(">07:05</time>") && day.contains(">20:15</time>"));
    let links = annals::html::links(&day);
    assert!(
        links.iter().any(|l| l == "/2024/06/01/"),
        "the previous day with articles"
    );
}

#[test]
fn the_404_page_can_lead_a_date_to_the_nearest_day_with_articles() {
    let site = site("");
    assert_eq!(
        site.read("archive/days.json"),
        "[\"2024-06-19\",\"2024-06-01\",\"2024-03-10\",\"2021-12-31\"]\n"
    );
    let page = site.read("404.html");
    assert!(page.contains("data-days=\"/archive/days.json\""));
    assert!(page.contains("src=\"/js/nearest.js\""));
    assert!(site.exists("js/nearest.js"));
}
