//! Machine-readable metadata of an article page: schema.org `NewsArticle` and `BreadcrumbList`
//! as JSON-LD.

use chrono::Datelike;
use serde::Serialize;

use super::Renderer;
use crate::routes;

/// Makes JSON safe inside `<script>`: no `<`, `>` or `&` can close the element or start markup.
fn script_safe(json: String) -> String {
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&')) {
        return json;
    }
    let mut safe = String::with_capacity(json.len() + 32);
    for c in json.chars() {
        match c {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            c => safe.push(c),
        }
    }
    safe
}

// The JSON-LD documents, their keys in byte order (the order a JSON object map writes them).

#[derive(Serialize)]
struct Graph<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: (NewsArticle<'a>, Breadcrumbs),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewsArticle<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    author: Vec<Person<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    content_location: Vec<Place<'a>>,
    date_modified: String,
    date_published: String,
    description: &'a str,
    headline: &'a str,
    in_language: &'a str,
    keywords: String,
    main_entity_of_page: &'a str,
    publisher: Organization<'a>,
    url: &'a str,
    word_count: usize,
}

/// An author.
#[derive(Serialize)]
struct Person<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// A country (with its ISO code) or another place.
#[derive(Serialize)]
struct Place<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Breadcrumbs {
    #[serde(rename = "@type")]
    kind: &'static str,
    item_list_element: Vec<ListItem>,
}

#[derive(Serialize)]
struct ListItem {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: String,
    name: String,
    position: usize,
}

/// The JSON-LD of article `i`, ready to be placed inside `<script type="application/ld+json">`.
pub(super) fn json_ld(r: &Renderer, i: usize) -> String {
    let a = &r.articles[i];
    let permalink = r.permalink(&a.url);
    let home = r.permalink(&routes::home());
    // The terms of the taxonomy of places are where the article happened.
    let places = r
        .config
        .places()
        .map(|t| {
            r.index.article_terms[i][t]
                .iter()
                .map(|&term| &r.index.taxonomies[t].terms[term])
                .map(|term| Place {
                    kind: if term.code.is_some() {
                        "Country"
                    } else {
                        "Place"
                    },
                    identifier: term.code.as_deref(),
                    name: &term.name,
                })
                .collect()
        })
        .unwrap_or_default();
    let keywords: Vec<&str> = r.index.article_terms[i]
        .iter()
        .enumerate()
        .flat_map(|(t, ids)| {
            ids.iter()
                .map(move |&term| r.index.taxonomies[t].terms[term].name.as_str())
        })
        .collect();
    let day = a.meta.date.local_date();
    let crumbs = [
        (r.config.title.clone(), home.clone()),
        (
            day.format("%Y").to_string(),
            r.permalink(&routes::year(day.year())),
        ),
        (
            day.format("%B %Y").to_string(),
            r.permalink(&routes::month(day.year(), day.month())),
        ),
        (
            a.meta.date.display(&r.config.date_format),
            r.permalink(&routes::day(day)),
        ),
        (a.meta.title.clone(), permalink.clone()),
    ];
    let article = NewsArticle {
        id: format!("{permalink}#article"),
        kind: "NewsArticle",
        author: a
            .meta
            .authors
            .iter()
            .map(|name| Person {
                kind: "Person",
                name,
            })
            .collect(),
        content_location: places,
        date_modified: a.meta.updated.unwrap_or(a.meta.date).instant.to_rfc3339(),
        date_published: a.meta.date.instant.to_rfc3339(),
        description: &a.body.summary_text,
        headline: &a.meta.title,
        in_language: &r.config.language,
        keywords: keywords.join(", "),
        main_entity_of_page: &permalink,
        publisher: Organization {
            kind: "Organization",
            name: &r.config.title,
            url: home,
        },
        url: &permalink,
        word_count: a.body.word_count,
    };
    let breadcrumbs = Breadcrumbs {
        kind: "BreadcrumbList",
        item_list_element: crumbs
            .into_iter()
            .enumerate()
            .map(|(n, (name, item))| ListItem {
                kind: "ListItem",
                item,
                name,
                position: n + 1,
            })
            .collect(),
    };
    let graph = Graph {
        context: "https://schema.org",
        graph: (article, breadcrumbs),
    };
    script_safe(serde_json::to_string(&graph).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn script_end_tags_cannot_escape() {
        let json = serde_json::json!({ "headline": "</script><script>alert(1)</script> & more" });
        let safe = script_safe(json.to_string());
        assert!(!safe.contains("</script"));
        assert!(!safe.contains('<') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, json);
    }
}
