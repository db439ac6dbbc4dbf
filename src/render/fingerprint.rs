//! Fingerprints of what each page shows: a hash of every input that reaches the page. After an
//! edit, only pages whose fingerprint changed are rendered again.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::{HashInputs, Listed, Page, Renderer};
use crate::hash::{StableHasher, stable_hash};

/// Per-article hashes: of what a card shows, and of everything the article page shows of it.
pub struct ArticleHashes {
    cards: Vec<u64>,
    pages: Vec<u64>,
}

impl ArticleHashes {
    /// The hash of what article `i`'s card shows.
    pub(super) fn card(&self, i: usize) -> u64 {
        self.cards[i]
    }

    /// The hash of everything article `i`'s page shows of it.
    pub(super) fn page(&self, i: usize) -> u64 {
        self.pages[i]
    }
}

impl Renderer<'_> {
    /// The fingerprint of every page that has one, by output file, from the articles' `hashes`.
    /// The news sitemap, which depends on the time of the build, has none and is always rendered
    /// again.
    pub fn fingerprints(
        &self,
        pages: &[(Page, String)],
        hashes: &ArticleHashes,
    ) -> HashMap<String, u64> {
        // The sitemap changes when a page comes or goes, moves in its order, or a last-modified
        // date changes (offset included).
        let entries: Vec<u64> = self
            .listed()
            .par_iter()
            .map(|&page| {
                let modified = match page.kind().sitemap(self) {
                    Listed::Yes(modified) => modified,
                    Listed::No => None,
                };
                stable_hash((
                    self.url_of(page),
                    modified.map(|m| (m, m.offset().local_minus_utc())),
                ))
            })
            .collect();
        let inputs = HashInputs {
            hashes,
            sitemap: stable_hash(entries),
        };
        pages
            .par_iter()
            .filter_map(|(page, file)| {
                let mut h = StableHasher::default();
                file.hash(&mut h);
                page.kind()
                    .fingerprint(self, &inputs, &mut h)
                    .then(|| (file.clone(), h.finish()))
            })
            .collect()
    }

    /// Hashes every article.
    pub fn article_hashes(&self) -> ArticleHashes {
        let (cards, pages) = (0..self.articles.len())
            .into_par_iter()
            .map(|i| self.hash_article(i))
            .unzip();
        ArticleHashes { cards, pages }
    }

    /// Hashes again the articles at `positions`, which changed in place.
    pub fn rehash_articles(&self, hashes: &mut ArticleHashes, positions: &[usize]) {
        for &i in positions {
            (hashes.cards[i], hashes.pages[i]) = self.hash_article(i);
        }
    }

    /// The hashes of what article `i`'s card shows and of what its page shows of it.
    fn hash_article(&self, i: usize) -> (u64, u64) {
        let a = &self.articles[i];
        let mut h = StableHasher::default();
        (&a.meta.title, &a.url, &a.meta.date, a.body.digest).hash(&mut h);
        (&a.meta.authors, a.body.word_count).hash(&mut h);
        for (t, terms) in self.index.article_terms[i].iter().enumerate() {
            t.hash(&mut h);
            for &term in terms {
                let term = &self.index.taxonomies[t].terms[term];
                (&term.name, &term.slug).hash(&mut h);
            }
        }
        let card = h.finish();
        (card, &a.meta.updated, &a.meta.rel_path).hash(&mut h);
        // Writing into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut h, &a.meta.extra);
        (card, h.finish())
    }
}
