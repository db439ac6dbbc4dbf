//! Taxonomy pages: the list of all terms of a taxonomy (`/topics/`), and each term's listing
//! (`/topics/sanctions/`, paginated).

use std::hash::Hash;

use super::feeds::{self, FeedScope};
use super::views::{LetterGroup, TermCount, TermView};
use super::{HashInputs, Kind, Listed, Page, Renderer, numbered};
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::routes;

/// The list of all terms of the taxonomy at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxonomyPage(pub usize);

/// A page of a term's listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermPage {
    /// The taxonomy's position.
    pub taxonomy: usize,
    /// The term's position in the taxonomy.
    pub term: usize,
    /// The page, from 1.
    pub page: usize,
}

/// Every taxonomy's list, each followed by its terms' listings.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    let mut pages = Vec::new();
    for (taxonomy, t) in r.index.taxonomies.iter().enumerate() {
        pages.push(Page::Taxonomy(TaxonomyPage(taxonomy)));
        for (term, entry) in t.terms.iter().enumerate() {
            pages.extend((1..=r.page_count(entry.articles.len())).map(|page| {
                Page::Term(TermPage {
                    taxonomy,
                    term,
                    page,
                })
            }));
        }
    }
    pages
}

impl Renderer<'_> {
    /// A term with its count.
    fn term_count(&self, taxonomy: usize, term: usize) -> TermCount<'_> {
        let t = &self.index.taxonomies[taxonomy].terms[term];
        TermCount {
            name: &t.name,
            slug: &t.slug,
            url: self.link(&self.term_url(taxonomy, term)),
            count: t.articles.len(),
        }
    }
}

impl Kind for TaxonomyPage {
    fn url(&self, r: &Renderer) -> String {
        routes::taxonomy(&r.index.taxonomies[self.0].name)
    }

    fn template(&self) -> Option<&'static str> {
        Some("taxonomy.html")
    }

    fn render(&self, r: &Renderer) -> Result<String, Diagnostic> {
        let t = &r.index.taxonomies[self.0];
        let terms: Vec<TermCount> = (0..t.terms.len())
            .map(|term| r.term_count(self.0, term))
            .collect();
        let mut by_count: Vec<usize> = (0..t.terms.len()).collect();
        by_count.sort_by_key(|&i| std::cmp::Reverse(t.terms[i].articles.len()));
        let mut letters: Vec<LetterGroup> = Vec::new();
        for (i, term) in t.terms.iter().enumerate() {
            let letter = term
                .slug
                .chars()
                .next()
                .filter(char::is_ascii_alphabetic)
                .map_or_else(|| "#".to_owned(), |c| c.to_ascii_uppercase().to_string());
            match letters.last_mut() {
                Some(group) if group.letter == letter => group.terms.push(terms[i].clone()),
                _ => letters.push(LetterGroup {
                    letter,
                    terms: vec![terms[i].clone()],
                }),
            }
        }
        let description = format!("All {} of {}", t.title.to_lowercase(), r.config.title);
        let page = r.page_view("taxonomy", &t.title, &self.url(r), &description);
        let mut ctx = r.context(&page);
        ctx.insert("taxonomy", &r.taxonomy_view(self.0));
        let terms_by_count: Vec<&TermCount> = by_count.iter().map(|&i| &terms[i]).collect();
        ctx.insert("terms_by_count", &terms_by_count);
        ctx.insert("terms", &terms);
        ctx.insert("letters", &letters);
        r.theme.render("taxonomy.html", &ctx)
    }

    fn fingerprint(&self, r: &Renderer, _: &HashInputs, h: &mut StableHasher) -> bool {
        for term in &r.index.taxonomies[self.0].terms {
            (&term.name, &term.slug, term.articles.len()).hash(h);
        }
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        Listed::Yes(r.last_change)
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for TermPage {
    fn url(&self, r: &Renderer) -> String {
        routes::paginated(&r.term_url(self.taxonomy, self.term), self.page)
    }

    fn template(&self) -> Option<&'static str> {
        Some("term.html")
    }

    fn render(&self, r: &Renderer) -> Result<String, Diagnostic> {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        let description = format!(
            "{} articles about {} in {}",
            entry.articles.len(),
            entry.name,
            r.config.title
        );
        let title = numbered(&entry.name, self.page);
        let page = r.page_view("term", &title, &self.url(r), &description);
        let mut ctx = r.context(&page);
        ctx.insert("taxonomy", &r.taxonomy_view(self.taxonomy));
        let scope = FeedScope::Term {
            taxonomy: self.taxonomy,
            term: self.term,
        };
        ctx.insert(
            "term",
            &TermView {
                term: r.term_count(self.taxonomy, self.term),
                feeds: feeds::links(r, scope),
            },
        );
        let base = r.term_url(self.taxonomy, self.term);
        r.add_listing(&mut ctx, &entry.name, &base, &entry.articles, self.page);
        r.theme.render("term.html", &ctx)
    }

    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        entry.name.hash(h);
        r.hash_listing(&entry.articles, self.page, inputs.hashes, h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        let newest = entry.articles.first();
        Listed::Yes(newest.map(|&i| r.articles[i].meta.date.instant))
    }

    fn article(&self) -> Option<usize> {
        None
    }
}
