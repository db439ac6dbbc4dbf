//! The home page: the newest articles, paginated.

use super::{HashInputs, Kind, Listed, Page, Renderer, numbered};
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::routes;

/// Page `n` (from 1) of the home listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomePage(pub usize);

/// Every page of the home listing.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    (1..=r.page_count(r.articles.len()))
        .map(|n| Page::Home(HomePage(n)))
        .collect()
}

impl Kind for HomePage {
    fn url(&self, _: &Renderer) -> String {
        routes::paginated(&routes::home(), self.0)
    }

    fn template(&self) -> Option<&'static str> {
        Some("index.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let title = if self.0 > 1 {
            numbered("Latest", self.0)
        } else {
            r.config.title.clone()
        };
        let page = r.page_view("home", &title, &self.url(r), &r.config.description);
        let mut ctx = r.context(&page);
        r.add_listing(&mut ctx, "Latest", &routes::home(), &r.all_ids, self.0);
        r.theme.render("index.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        r.hash_listing(&r.all_ids, self.0, inputs.hashes, h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        Listed::Yes(r.last_change)
    }

    fn article(&self) -> Option<usize> {
        None
    }
}
