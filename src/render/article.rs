//! Article pages, and the redirects from their former URLs (`aliases`).

use std::hash::Hash;
use std::io::Write;

use super::views::{ArticleView, Html};
use super::{HashInputs, Kind, Listed, Page, Renderer, metadata, period};
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::markdown::escape_html;

/// The page of the article at a position in the article list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticlePage(pub usize);

/// The redirect from an article's former URL: entry `alias` of its `aliases` and then its
/// earlier URLs from the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AliasPage {
    /// The article's position.
    pub article: usize,
    /// The alias's position in [`crate::content::Article::redirects`].
    pub alias: usize,
}

/// Every article's page, then every redirect.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    let articles = (0..r.articles.len()).map(|i| Page::Article(ArticlePage(i)));
    let aliases = r.articles.iter().enumerate().flat_map(|(article, a)| {
        (0..a.redirects().count()).map(move |alias| Page::Alias(AliasPage { article, alias }))
    });
    articles.chain(aliases).collect()
}

impl Kind for ArticlePage {
    fn url(&self, r: &Renderer) -> String {
        r.articles[self.0].url.clone()
    }

    fn template(&self) -> Option<&'static str> {
        Some("article.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let i = self.0;
        let a = &r.articles[i];
        let format = &r.config.date_format;
        let day = a.meta.date.local_date();
        let content = r.body_html(i)?;
        let json_ld = metadata::json_ld(r, i);
        let article = ArticleView {
            card: r.card(i, usize::MAX),
            content: Html(&content),
            updated: a.meta.updated.map(|u| u.machine()),
            updated_display: a.meta.updated.map(|u| u.display(format)),
            extra: &a.meta.extra,
            source_path: &a.meta.rel_path,
            year: period::year_link(r, day),
            month: period::month_link(r, day),
            day: period::day_link(r, day),
            json_ld: Html(&json_ld),
            related: r.index.related[i]
                .iter()
                .map(|&j| r.card_value(j))
                .collect(),
            earlier: (i + 1 < r.articles.len()).then(|| r.card_value(i + 1)),
            later: i.checked_sub(1).map(|j| r.card_value(j)),
        };
        let page = r.page_view("article", &a.meta.title, &a.url, &a.body.summary_text);
        let mut ctx = r.context(&page);
        ctx.insert("article", &article);
        r.theme.render("article.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        let i = self.0;
        let hashes = inputs.hashes;
        hashes.page(i).hash(h);
        i.checked_sub(1).map(|j| hashes.card(j)).hash(h);
        (i + 1 < r.articles.len())
            .then(|| hashes.card(i + 1))
            .hash(h);
        for &j in &r.index.related[i] {
            hashes.card(j).hash(h);
        }
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        let m = &r.articles[self.0].meta;
        Listed::Yes(Some(m.updated.unwrap_or(m.date).instant))
    }

    fn article(&self) -> Option<usize> {
        Some(self.0)
    }
}

impl Kind for AliasPage {
    fn url(&self, r: &Renderer) -> String {
        r.articles[self.article]
            .redirects()
            .nth(self.alias)
            .cloned()
            .unwrap_or_default()
    }

    fn template(&self) -> Option<&'static str> {
        None
    }

    /// A page that sends readers (and search engines) from an old URL to the article.
    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let target = &r.articles[self.article].url;
        let to = escape_html(&r.permalink(target));
        let local = escape_html(&r.link(target));
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n<link rel=\"canonical\" href=\"{to}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={local}\">\n</head>\n<body>\n<p>This article has moved to <a href=\"{local}\">{to}</a>.</p>\n</body>\n</html>\n",
            lang = escape_html(&r.config.language)
        );
        Ok(())
    }

    fn fingerprint(&self, r: &Renderer, _: &HashInputs, h: &mut StableHasher) -> bool {
        r.articles[self.article].url.hash(h);
        true
    }

    fn sitemap(&self, _: &Renderer) -> Listed {
        Listed::No
    }

    fn article(&self) -> Option<usize> {
        Some(self.article)
    }
}
