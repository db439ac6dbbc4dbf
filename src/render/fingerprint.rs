//! Fingerprints of what each page shows: a hash of every input that reaches the page. After an
//! edit, only pages whose fingerprint changed are rendered again.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::{FeedScope, Page, PeriodRef, Renderer};
use crate::hash::{StableHasher, stable_hash};

/// Per-article hashes: of what a card shows, and of everything the article page shows of it.
pub struct ArticleHashes {
    cards: Vec<u64>,
    pages: Vec<u64>,
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
            .html_pages()
            .par_iter()
            .map(|&page| {
                let modified = self.last_modified(page);
                stable_hash((
                    self.url_of(page),
                    modified.map(|m| (m, m.offset().local_minus_utc())),
                ))
            })
            .collect();
        let sitemap = stable_hash(entries);
        pages
            .par_iter()
            .filter_map(|(page, file)| {
                let mut h = StableHasher::default();
                file.hash(&mut h);
                self.fingerprint(*page, hashes, sitemap, &mut h)
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

    /// Hashes every input of a page into `h`; false for a page that is always rendered again.
    fn fingerprint(
        &self,
        page: Page,
        hashes: &ArticleHashes,
        sitemap: u64,
        h: &mut StableHasher,
    ) -> bool {
        let listing = |ids: &[usize], page: usize, h: &mut StableHasher| {
            let per_page = self.config.paginate_by;
            (ids.len(), self.page_count(ids.len())).hash(h);
            for &i in ids.iter().skip((page - 1) * per_page).take(per_page) {
                hashes.cards[i].hash(h);
            }
        };
        match page {
            Page::Article(i) => {
                hashes.pages[i].hash(h);
                i.checked_sub(1).map(|j| hashes.cards[j]).hash(h);
                hashes.cards.get(i + 1).hash(h);
                for &j in &self.index.related[i] {
                    hashes.cards[j].hash(h);
                }
            }
            Page::Home(n) => listing(&self.all_ids, n, h),
            Page::Term {
                taxonomy,
                term,
                page,
            } => {
                let entry = &self.index.taxonomies[taxonomy].terms[term];
                entry.name.hash(h);
                listing(&entry.articles, page, h);
            }
            Page::Taxonomy(t) => {
                for term in &self.index.taxonomies[t].terms {
                    (&term.name, &term.slug, term.articles.len()).hash(h);
                }
            }
            Page::Period { period, page } => {
                listing(self.period_articles(period), page, h);
                self.hash_period_neighbours(period, h);
            }
            Page::Archive => {
                for year in &self.index.years {
                    year.year.hash(h);
                    for month in &year.months {
                        (month.month, month.articles.len()).hash(h);
                    }
                }
            }
            Page::Alias { article, .. } => self.articles[article].url.hash(h),
            Page::Feed { scope, .. } => {
                if let FeedScope::Term { taxonomy, term } = scope {
                    self.index.taxonomies[taxonomy].terms[term].name.hash(h);
                }
                for i in self.feed_articles(scope) {
                    hashes.pages[i].hash(h);
                }
            }
            Page::Sitemap(_) | Page::SitemapIndex => sitemap.hash(h),
            Page::NotFound | Page::Search | Page::Robots => {}
            Page::NewsSitemap => return false,
        }
        true
    }

    /// What a period page shows besides its articles: its neighbours and its children's counts.
    fn hash_period_neighbours(&self, period: PeriodRef, h: &mut StableHasher) {
        for child in self.period_children(period) {
            (self.period_path(child), self.period_articles(child).len()).hash(h);
        }
        let (prev, next) = self.adjacent_periods(period);
        prev.map(|p| self.period_path(p)).hash(h);
        next.map(|p| self.period_path(p)).hash(h);
    }
}
