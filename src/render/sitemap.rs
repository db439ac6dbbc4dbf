//! `sitemap.xml` (split into an index of parts above `sitemap_max_urls`), the Google News sitemap
//! and `robots.txt`.

use std::fmt::Write;

use chrono::{DateTime, Duration, FixedOffset};

use super::{Page, Renderer};
use crate::markdown::escape_html;

/// Google News takes at most this many articles per news sitemap.
const NEWS_SITEMAP_MAX: usize = 1000;

impl Renderer<'_> {
    /// The sitemap pages for `urls` HTML pages: one `sitemap.xml`, or an index and its parts.
    pub(super) fn sitemap_pages(&self, urls: usize) -> Vec<Page> {
        let parts = urls.div_ceil(self.config.sitemap_max_urls);
        let mut pages = if parts <= 1 {
            vec![Page::Sitemap(None)]
        } else {
            let mut pages = vec![Page::SitemapIndex];
            pages.extend((1..=parts).map(|part| Page::Sitemap(Some(part))));
            pages
        };
        if self.config.news_sitemap {
            pages.push(Page::NewsSitemap);
        }
        pages
    }

    /// When a page last changed: an article's update or date, a listing's newest article.
    pub(super) fn last_modified(&self, page: Page) -> Option<DateTime<FixedOffset>> {
        let newest = |ids: &[usize]| ids.first().map(|&i| self.articles[i].meta.date.instant);
        match page {
            Page::Article(i) => {
                let m = &self.articles[i].meta;
                Some(m.updated.unwrap_or(m.date).instant)
            }
            Page::Term { taxonomy, term, .. } => {
                newest(&self.index.taxonomies[taxonomy].terms[term].articles)
            }
            Page::Period { period, .. } => newest(self.period_articles(period)),
            _ => self.last_change,
        }
    }

    /// The `<urlset>` of every HTML page, or of part `part` of them.
    pub(super) fn render_sitemap(&self, part: Option<usize>) -> String {
        let pages = self.html_pages();
        let per_part = self.config.sitemap_max_urls;
        let chunk = match part {
            Some(n) => pages.chunks(per_part).nth(n - 1).unwrap_or_default(),
            None => &pages[..],
        };
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for &page in chunk {
            let _ = write!(
                xml,
                "  <url>\n    <loc>{}</loc>\n",
                escape_html(&self.permalink(&self.url_of(page)))
            );
            if let Some(modified) = self.last_modified(page) {
                let _ = writeln!(xml, "    <lastmod>{}</lastmod>", modified.to_rfc3339());
            }
            xml.push_str("  </url>\n");
        }
        xml.push_str("</urlset>\n");
        xml
    }

    /// The `<sitemapindex>` listing every part.
    pub(super) fn render_sitemap_index(&self) -> String {
        let parts = self
            .html_pages()
            .len()
            .div_ceil(self.config.sitemap_max_urls);
        let modified = self.last_modified(Page::Archive);
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for part in 1..=parts {
            let _ = write!(
                xml,
                "  <sitemap>\n    <loc>{}</loc>\n",
                escape_html(&self.permalink(&self.url_of(Page::Sitemap(Some(part)))))
            );
            if let Some(modified) = modified {
                let _ = writeln!(xml, "    <lastmod>{}</lastmod>", modified.to_rfc3339());
            }
            xml.push_str("  </sitemap>\n");
        }
        xml.push_str("</sitemapindex>\n");
        xml
    }

    /// The Google News sitemap: articles published in the two days before the build.
    pub(super) fn render_news_sitemap(&self) -> String {
        let since = self.now - Duration::days(2);
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
        );
        let recent = self
            .articles
            .iter()
            .filter(|a| a.meta.date.instant >= since && a.meta.date.instant <= self.now)
            .take(NEWS_SITEMAP_MAX);
        for a in recent {
            let _ = write!(
                xml,
                "  <url>\n    <loc>{loc}</loc>\n    <news:news>\n      <news:publication>\n        <news:name>{name}</news:name>\n        <news:language>{lang}</news:language>\n      </news:publication>\n      <news:publication_date>{date}</news:publication_date>\n      <news:title>{title}</news:title>\n    </news:news>\n  </url>\n",
                loc = escape_html(&self.permalink(&a.url)),
                name = escape_html(&self.config.title),
                lang = escape_html(&self.config.language),
                date = a.meta.date.instant.to_rfc3339(),
                title = escape_html(&a.meta.title),
            );
        }
        xml.push_str("</urlset>\n");
        xml
    }

    /// `robots.txt`: everything may be crawled; here is the sitemap.
    pub(super) fn render_robots(&self) -> String {
        let mut robots = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            self.permalink("/sitemap.xml")
        );
        if self.config.news_sitemap {
            let _ = writeln!(robots, "Sitemap: {}", self.permalink("/news-sitemap.xml"));
        }
        robots
    }
}
