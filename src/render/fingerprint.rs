//! Fingerprints of what each page shows: a hash of every input that reaches the page. After an
//! edit, only pages whose fingerprint changed are rendered again.

use std::hash::{Hash, Hasher};

use super::{FeedScope, Page, PeriodRef, Renderer};

/// FNV-1a: a small hash that gives the same value in every run.
#[derive(Debug, Clone, Copy)]
pub struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Hashes anything hashable with [`StableHasher`].
pub fn stable_hash(value: impl Hash) -> u64 {
    let mut hasher = StableHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Per-article hashes: of what a card shows, and of everything the article page shows of it.
pub struct ArticleHashes {
    cards: Vec<u64>,
    pages: Vec<u64>,
}

impl Renderer<'_> {
    /// Hashes every article once, for [`Renderer::fingerprint`].
    pub fn article_hashes(&self) -> ArticleHashes {
        let cards: Vec<u64> = (0..self.articles.len())
            .map(|i| {
                let a = &self.articles[i];
                let terms: Vec<Vec<(&str, &str)>> = self.index.article_terms[i]
                    .iter()
                    .enumerate()
                    .map(|(t, terms)| {
                        terms
                            .iter()
                            .map(|&term| {
                                let term = &self.index.taxonomies[t].terms[term];
                                (term.name.as_str(), term.slug.as_str())
                            })
                            .collect()
                    })
                    .collect();
                stable_hash((
                    &a.meta.title,
                    &a.url,
                    a.meta.date.machine(),
                    &a.body.summary_html,
                    &a.meta.authors,
                    a.body.word_count,
                    terms,
                ))
            })
            .collect();
        let pages = (0..self.articles.len())
            .map(|i| {
                let a = &self.articles[i];
                stable_hash((
                    cards[i],
                    &a.body.html,
                    a.meta.updated.map(|u| u.machine()),
                    a.meta.extra.to_string(),
                    &a.meta.rel_path,
                ))
            })
            .collect();
        ArticleHashes { cards, pages }
    }

    /// A hash of every input of a page, or `None` for pages that are always rendered again
    /// (sitemaps, which list every page).
    pub fn fingerprint(&self, page: Page, hashes: &ArticleHashes) -> Option<u64> {
        let cards = |ids: &[usize]| -> Vec<u64> { ids.iter().map(|&i| hashes.cards[i]).collect() };
        let listing = |ids: &[usize], page: usize| -> (usize, usize, Vec<u64>) {
            let per_page = self.config.paginate_by;
            let shown: Vec<usize> = ids
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .copied()
                .collect();
            (ids.len(), self.page_count(ids.len()), cards(&shown))
        };
        let url = self.url_of(page);
        Some(match page {
            Page::Article(i) => {
                let neighbours = (
                    i.checked_sub(1).map(|j| hashes.cards[j]),
                    hashes.cards.get(i + 1),
                );
                stable_hash((
                    url,
                    hashes.pages[i],
                    neighbours,
                    cards(&self.index.related[i]),
                ))
            }
            Page::Home(n) => {
                let all: Vec<usize> = (0..self.articles.len()).collect();
                stable_hash((url, listing(&all, n)))
            }
            Page::Term {
                taxonomy,
                term,
                page,
            } => {
                let entry = &self.index.taxonomies[taxonomy].terms[term];
                stable_hash((url, &entry.name, listing(&entry.articles, page)))
            }
            Page::Taxonomy(t) => {
                let terms: Vec<(&str, &str, usize)> = self.index.taxonomies[t]
                    .terms
                    .iter()
                    .map(|term| (term.name.as_str(), term.slug.as_str(), term.articles.len()))
                    .collect();
                stable_hash((url, terms))
            }
            Page::Period { period, page } => stable_hash((
                url,
                listing(self.period_articles(period), page),
                self.period_neighbours(period),
            )),
            Page::Archive => {
                let years: Vec<(i32, Vec<(u32, usize)>)> = self
                    .index
                    .years
                    .iter()
                    .map(|y| {
                        (
                            y.year,
                            y.months
                                .iter()
                                .map(|m| (m.month, m.articles.len()))
                                .collect(),
                        )
                    })
                    .collect();
                stable_hash((url, years))
            }
            Page::Alias { article, .. } => stable_hash((url, &self.articles[article].url)),
            Page::Feed { scope, .. } => {
                let title = match scope {
                    FeedScope::Site => String::new(),
                    FeedScope::Term { taxonomy, term } => {
                        self.index.taxonomies[taxonomy].terms[term].name.clone()
                    }
                };
                let entries: Vec<u64> = self
                    .feed_articles(scope)
                    .iter()
                    .map(|&i| hashes.pages[i])
                    .collect();
                stable_hash((url, title, entries))
            }
            Page::NotFound | Page::Search | Page::Robots => stable_hash(url),
            Page::Sitemap(_) | Page::SitemapIndex | Page::NewsSitemap => return None,
        })
    }

    /// What a period page shows besides its articles: its neighbours and its children's counts.
    fn period_neighbours(&self, period: PeriodRef) -> u64 {
        let children: Vec<(String, usize)> = self
            .period_children(period)
            .into_iter()
            .map(|p| (self.period_path(p), self.period_articles(p).len()))
            .collect();
        let (prev, next) = self.adjacent_periods(period);
        stable_hash((
            children,
            prev.map(|p| self.period_path(p)),
            next.map(|p| self.period_path(p)),
        ))
    }
}
