//! Machine-readable metadata of an article page: schema.org `NewsArticle` and `BreadcrumbList`
//! as JSON-LD.

use serde_json::json;

use chrono::Datelike;

use super::Renderer;
use crate::routes;

/// Makes JSON safe inside `<script>`: no `<`, `>` or `&` can close the element or start markup.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The JSON-LD of article `i`, ready to be placed inside `<script type="application/ld+json">`.
pub(super) fn json_ld(r: &Renderer, i: usize) -> String {
    {
        let a = &r.articles[i];
        let permalink = r.permalink(&a.url);
        // The terms of the taxonomy of places are where the article happened.
        let places: Vec<serde_json::Value> = r
            .config
            .places()
            .map(|t| {
                r.index.article_terms[i][t]
                    .iter()
                    .map(|&term| &r.index.taxonomies[t].terms[term])
                    .map(|term| match &term.code {
                        Some(code) => {
                            json!({ "@type": "Country", "name": term.name, "identifier": code })
                        }
                        None => json!({ "@type": "Place", "name": term.name }),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let authors: Vec<serde_json::Value> = a
            .meta
            .authors
            .iter()
            .map(|name| json!({ "@type": "Person", "name": name }))
            .collect();
        let keywords: Vec<&str> = r.index.article_terms[i]
            .iter()
            .enumerate()
            .flat_map(|(t, ids)| {
                ids.iter()
                    .map(move |&term| r.index.taxonomies[t].terms[term].name.as_str())
            })
            .collect();
        let mut article = json!({
            "@type": "NewsArticle",
            "@id": format!("{permalink}#article"),
            "headline": a.meta.title,
            "description": a.body.summary_text,
            "url": permalink,
            "mainEntityOfPage": permalink,
            "datePublished": a.meta.date.instant.to_rfc3339(),
            "dateModified": a.meta.updated.unwrap_or(a.meta.date).instant.to_rfc3339(),
            "wordCount": a.body.word_count,
            "inLanguage": r.config.language,
            "keywords": keywords.join(", "),
            "publisher": { "@type": "Organization", "name": r.config.title, "url": r.permalink(&routes::home()) },
        });
        if !authors.is_empty() {
            article["author"] = json!(authors);
        }
        if !places.is_empty() {
            article["contentLocation"] = json!(places);
        }
        let day = a.meta.date.local_date();
        let crumbs = [
            (r.config.title.clone(), r.permalink(&routes::home())),
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
        let items: Vec<serde_json::Value> = crumbs
            .into_iter()
            .enumerate()
            .map(|(n, (name, item))| {
                json!({ "@type": "ListItem", "position": n + 1, "name": name, "item": item })
            })
            .collect();
        let graph = json!({
            "@context": "https://schema.org",
            "@graph": [article, { "@type": "BreadcrumbList", "itemListElement": items }],
        });
        script_safe(&graph.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn script_end_tags_cannot_escape() {
        let json = serde_json::json!({ "headline": "</script><script>alert(1)</script> & more" });
        let safe = script_safe(&json.to_string());
        assert!(!safe.contains("</script"));
        assert!(!safe.contains('<') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, json);
    }
}
