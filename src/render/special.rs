//! Pages with nothing but the site around them: the search page and the page for missing URLs.

use std::hash::Hash;

use super::views::SearchView;
use super::{HashInputs, Kind, Listed, Page, Renderer};
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::{routes, search};

/// `/search/`, where the search index is queried in the reader's browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchPage;

/// `/404.html`, which static hosts serve for missing URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotFoundPage;

/// The search page (when search is on) and the 404 page.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    let mut pages = Vec::with_capacity(2);
    if r.config.search {
        pages.push(Page::Search(SearchPage));
    }
    pages.push(Page::NotFound(NotFoundPage));
    pages
}

impl Kind for SearchPage {
    fn url(&self, _: &Renderer) -> String {
        routes::search()
    }

    fn template(&self) -> Option<&'static str> {
        Some("search.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let page = r.page_view("search", "Search", &self.url(r), "Search the archive");
        let mut ctx = r.context(&page);
        ctx.insert("search", &search_view(r));
        r.theme.render("search.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, _: &HashInputs, h: &mut StableHasher) -> bool {
        search_view(r).hash(h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        Listed::Yes(r.last_change)
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

/// Where the search page's script finds the index: its manifest, tagged with the hash of what
/// the index is built from (so that browsers may cache it until it changes).
fn search_view<'r>(r: &'r Renderer) -> SearchView<'r> {
    SearchView {
        script: r.link(&format!("/{}", search::script_path())),
        index: format!(
            "{}?v={:016x}",
            r.link(&format!("/{}", search::manifest_path())),
            r.search_hash()
        ),
        facets: r
            .search_taxonomies()
            .into_iter()
            .map(|t| r.taxonomy_view(t))
            .collect(),
    }
}

impl Kind for NotFoundPage {
    fn url(&self, _: &Renderer) -> String {
        routes::not_found()
    }

    fn template(&self) -> Option<&'static str> {
        Some("404.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let page = r.page_view(
            "404",
            "Page not found",
            &self.url(r),
            "This page does not exist.",
        );
        r.theme.render("404.html", &r.context(&page), out)
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
