//! The media type of every file a site has, from one table shared by `serve` and `deploy`: the
//! `mime_guess` crate's, with the feeds' own types and UTF-8 named for text.

use crate::config::FeedFormat;

/// The `Content-Type` of the file at `path` (a path below the output folder).
pub fn content_type(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let feed = [FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json]
        .into_iter()
        .find(|feed| feed.file_name() == name);
    let essence = match feed {
        Some(feed) => feed.media_type(),
        None => mime_guess::from_path(name).first_raw().unwrap_or(
            // The search index's chunks (`.bin`) and anything unknown.
            "application/octet-stream",
        ),
    };
    if is_text(essence) {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

/// Whether files of this type are text, which Annals always writes as UTF-8.
fn is_text(essence: &str) -> bool {
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(
            essence,
            "application/xml" | "application/json" | "application/javascript"
        )
}

#[cfg(test)]
mod tests {
    use super::content_type;

    #[test]
    fn every_kind_of_file_a_site_has() {
        for (path, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("css/annals.css", "text/css; charset=utf-8"),
            ("js/search.js", "text/javascript; charset=utf-8"),
            ("atom.xml", "application/atom+xml; charset=utf-8"),
            ("topics/x/rss.xml", "application/rss+xml; charset=utf-8"),
            ("feed.json", "application/feed+json; charset=utf-8"),
            ("sitemap.xml", "text/xml; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("search-index/index.json", "application/json; charset=utf-8"),
            (
                "search-index/p/0a1b2c3d4e5f.bin",
                "application/octet-stream",
            ),
            ("2024/06/19/a/photo.JPG", "image/jpeg"),
            ("logo.svg", "image/svg+xml; charset=utf-8"),
            ("a.webp", "image/webp"),
            ("font.woff2", "font/woff2"),
            ("report.pdf", "application/pdf"),
        ] {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }
}
