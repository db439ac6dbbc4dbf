//! `sitemap.xml` (split into an index of parts above `sitemap_max_urls`), the Google News sitemap
//! and `robots.txt`.

use std::fmt::Write;
use std::hash::Hash;

use chrono::Duration;

use super::{HashInputs, Kind, Listed, Page, Renderer};
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::markdown::escape_html;
use crate::routes;

/// Google News takes at most this many articles per news sitemap.
const NEWS_SITEMAP_MAX: usize = 1000;

/// `/sitemap.xml` when every URL fits in one file, else part `n` (from 1) of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SitemapPage(pub Option<usize>);

/// `/sitemap.xml` as an index of the parts, when the URLs do not fit in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SitemapIndexPage;

/// `/news-sitemap.xml` for Google News.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewsSitemapPage;

/// `/robots.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RobotsPage;

/// The sitemap of every listed page (one file, or an index and its parts), the news sitemap when
/// asked for, and `robots.txt`.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    let parts = r.listed().len().div_ceil(r.config.sitemap_max_urls);
    let mut pages = if parts <= 1 {
        vec![Page::Sitemap(SitemapPage(None))]
    } else {
        let mut pages = vec![Page::SitemapIndex(SitemapIndexPage)];
        pages.extend((1..=parts).map(|part| Page::Sitemap(SitemapPage(Some(part)))));
        pages
    };
    if r.config.news_sitemap {
        pages.push(Page::NewsSitemap(NewsSitemapPage));
    }
    pages.push(Page::Robots(RobotsPage));
    pages
}

impl Kind for SitemapPage {
    fn url(&self, _: &Renderer) -> String {
        routes::sitemap(self.0)
    }

    fn template(&self) -> Option<&'static str> {
        None
    }

    /// The `<urlset>` of every listed page, or of part `n` of them.
    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let pages = r.listed();
        let chunk = match self.0 {
            Some(n) => pages
                .chunks(r.config.sitemap_max_urls)
                .nth(n - 1)
                .unwrap_or_default(),
            None => pages,
        };
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for page in chunk {
            let _ = write!(
                xml,
                "  <url>\n    <loc>{}</loc>\n",
                escape_html(&r.permalink(&r.url_of(*page)))
            );
            if let Listed::Yes(Some(modified)) = page.kind().sitemap(r) {
                let _ = writeln!(xml, "    <lastmod>{}</lastmod>", modified.to_rfc3339());
            }
            xml.push_str("  </url>\n");
        }
        xml.push_str("</urlset>\n");
        out.extend_from_slice(xml.as_bytes());
        Ok(())
    }

    fn fingerprint(&self, _: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        inputs.sitemap.hash(h);
        true
    }

    fn sitemap(&self, _: &Renderer) -> Listed {
        Listed::No
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for SitemapIndexPage {
    fn url(&self, _: &Renderer) -> String {
        routes::sitemap(None)
    }

    fn template(&self) -> Option<&'static str> {
        None
    }

    /// The `<sitemapindex>` listing every part.
    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let parts = r.listed().len().div_ceil(r.config.sitemap_max_urls);
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for part in 1..=parts {
            let _ = write!(
                xml,
                "  <sitemap>\n    <loc>{}</loc>\n",
                escape_html(&r.permalink(&routes::sitemap(Some(part))))
            );
            if let Some(modified) = r.last_change {
                let _ = writeln!(xml, "    <lastmod>{}</lastmod>", modified.to_rfc3339());
            }
            xml.push_str("  </sitemap>\n");
        }
        xml.push_str("</sitemapindex>\n");
        out.extend_from_slice(xml.as_bytes());
        Ok(())
    }

    fn fingerprint(&self, _: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        inputs.sitemap.hash(h);
        true
    }

    fn sitemap(&self, _: &Renderer) -> Listed {
        Listed::No
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for NewsSitemapPage {
    fn url(&self, _: &Renderer) -> String {
        routes::news_sitemap()
    }

    fn template(&self) -> Option<&'static str> {
        None
    }

    /// The Google News sitemap: articles published in the two days before the build.
    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let since = r.now - Duration::days(2);
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
        );
        let recent = r
            .articles
            .iter()
            .filter(|a| a.meta.date.instant >= since && a.meta.date.instant <= r.now)
            .take(NEWS_SITEMAP_MAX);
        for a in recent {
            let _ = write!(
                xml,
                "  <url>\n    <loc>{loc}</loc>\n    <news:news>\n      <news:publication>\n        <news:name>{name}</news:name>\n        <news:language>{lang}</news:language>\n      </news:publication>\n      <news:publication_date>{date}</news:publication_date>\n      <news:title>{title}</news:title>\n    </news:news>\n  </url>\n",
                loc = escape_html(&r.permalink(&a.url)),
                name = escape_html(&r.config.title),
                lang = escape_html(&r.config.language),
                date = a.meta.date.instant.to_rfc3339(),
                title = escape_html(&a.meta.title),
            );
        }
        xml.push_str("</urlset>\n");
        out.extend_from_slice(xml.as_bytes());
        Ok(())
    }

    /// It depends on the time of the build: rendered again every time.
    fn fingerprint(&self, _: &Renderer, _: &HashInputs, _: &mut StableHasher) -> bool {
        false
    }

    fn sitemap(&self, _: &Renderer) -> Listed {
        Listed::No
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for RobotsPage {
    fn url(&self, _: &Renderer) -> String {
        routes::robots()
    }

    fn template(&self) -> Option<&'static str> {
        None
    }

    /// Everything may be crawled; here are the sitemaps.
    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let mut robots = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            r.permalink(&routes::sitemap(None))
        );
        if r.config.news_sitemap {
            let _ = writeln!(robots, "Sitemap: {}", r.permalink(&routes::news_sitemap()));
        }
        out.extend_from_slice(robots.as_bytes());
        Ok(())
    }

    fn fingerprint(&self, _: &Renderer, _: &HashInputs, _: &mut StableHasher) -> bool {
        true
    }

    fn sitemap(&self, _: &Renderer) -> Listed {
        Listed::No
    }

    fn article(&self) -> Option<usize> {
        None
    }
}
