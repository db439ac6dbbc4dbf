//! Pages: what the site consists of ([`Renderer::pages`]) and each page's bytes
//! ([`Renderer::render`]).
//!
//! The module is layered, each layer using only those below it:
//! - [`crate::routes`]: every URL of the site;
//! - [`views`]: the typed values templates see;
//! - one module per page family, each with its kinds of [`Page`], what they show, and their
//!   fingerprints: `article` (articles and alias redirects), `home`, `taxonomy` (taxonomy and
//!   term listings), `period` (year, month and day archives, and the archive page), `special`
//!   (search and 404 pages), `feeds`, and `sitemap` (sitemaps and `robots.txt`);
//! - here, on top: the [`Page`] enum and the dispatch to each kind's [`Kind`] implementation.
//!
//! Adding a kind of page is a module implementing [`Kind`] with a function listing its pages, a
//! variant of [`Page`] (with its arm in [`Page::kind`]), an entry in [`PAGE_FAMILIES`], and its
//! template.

mod article;
mod feeds;
mod fingerprint;
mod home;
mod metadata;
mod period;
mod shade;
mod sitemap;
mod special;
mod taxonomy;
pub mod views;

pub use article::{AliasPage, ArticlePage};
use feeds::{FeedArticle, FeedBody};
pub use feeds::{FeedPage, FeedScope};
pub use fingerprint::ArticleHashes;
pub use home::HomePage;
pub use period::{ArchivePage, DaysPage, PeriodPage, PeriodRef};
pub use sitemap::{NewsSitemapPage, RobotsPage, SitemapIndexPage, SitemapPage};
pub use special::{NotFoundPage, SearchPage};
pub use taxonomy::{PlacesPage, TaxonomyPage, TermPage, TermYearPage};

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};
use rustc_hash::FxHashMap;
use tera::{Context, Value};

use crate::config::{ArticleText, SiteConfig};
use crate::content::{Article, ArticleLinks};
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::index::SiteIndex;
use crate::markdown::{self, BodySource};
use crate::routes::{self, Links};
use crate::search;
use crate::theme::Theme;

use views::{
    Card, Html, ListingView, PageNumber, PageView, PaginatorView, SharedLink, TermGroup, TermLink,
};

/// One page of the site, before rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// An article.
    Article(ArticlePage),
    /// A redirect from one of an article's former URLs.
    Alias(AliasPage),
    /// A page of the home listing.
    Home(HomePage),
    /// The list of all terms of a taxonomy.
    Taxonomy(TaxonomyPage),
    /// The list of all terms of the taxonomy of places, by region on a world map.
    Places(PlacesPage),
    /// A page of a term's listing.
    Term(TermPage),
    /// A term's articles of one year.
    TermYear(TermYearPage),
    /// A page of a year, month or day listing.
    Period(PeriodPage),
    /// `/archive/`.
    Archive(ArchivePage),
    /// `/archive/days.json`.
    Days(DaysPage),
    /// `/search/`.
    Search(SearchPage),
    /// `/404.html`.
    NotFound(NotFoundPage),
    /// A feed of the site or of one term.
    Feed(FeedPage),
    /// `/sitemap.xml`, or one part of it.
    Sitemap(SitemapPage),
    /// `/sitemap.xml` as an index of its parts.
    SitemapIndex(SitemapIndexPage),
    /// `/news-sitemap.xml`.
    NewsSitemap(NewsSitemapPage),
    /// `/robots.txt`.
    Robots(RobotsPage),
}

impl Page {
    /// What this kind of page knows of itself.
    fn kind(&self) -> &dyn Kind {
        match self {
            Page::Article(p) => p,
            Page::Alias(p) => p,
            Page::Home(p) => p,
            Page::Taxonomy(p) => p,
            Page::Places(p) => p,
            Page::Term(p) => p,
            Page::TermYear(p) => p,
            Page::Period(p) => p,
            Page::Archive(p) => p,
            Page::Days(p) => p,
            Page::Search(p) => p,
            Page::NotFound(p) => p,
            Page::Feed(p) => p,
            Page::Sitemap(p) => p,
            Page::SitemapIndex(p) => p,
            Page::NewsSitemap(p) => p,
            Page::Robots(p) => p,
        }
    }

    /// The article the page is made from (its page, or a redirect to it), to name in errors.
    pub fn article(&self) -> Option<usize> {
        self.kind().article()
    }
}

/// What a kind of page knows of itself. Every kind implements every method: there is no default
/// for a new kind to inherit by mistake.
trait Kind {
    /// The URL path below the base path.
    fn url(&self, r: &Renderer) -> String;
    /// The template it is rendered with, if any.
    fn template(&self) -> Option<&'static str>;
    /// Its text (HTML, XML, JSON or plain text), written at the end of `out`.
    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic>;
    /// Hashes everything the page shows into `h`; false for a page that is rendered again by
    /// every build.
    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool;
    /// Whether the sitemap lists it, and when it last changed.
    fn sitemap(&self, r: &Renderer) -> Listed;
    /// The article it is made from, if it is an article's own page or redirect.
    fn article(&self) -> Option<usize>;
}

/// How the sitemap shows a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listed {
    /// Not at all: redirects, feeds, the 404 page.
    No,
    /// Listed, with when it last changed, if known.
    Yes(Option<DateTime<FixedOffset>>),
}

/// What fingerprints are made from besides the site: per-article hashes, and a hash of the
/// sitemap's entries.
pub struct HashInputs<'a> {
    hashes: &'a ArticleHashes,
    sitemap: u64,
}

/// The page families other than sitemaps, in the order their pages appear in the sitemap. The
/// sitemaps and `robots.txt` come last: they list the others.
const PAGE_FAMILIES: [fn(&Renderer) -> Vec<Page>; 6] = [
    article::pages,
    home::pages,
    taxonomy::pages,
    period::pages,
    special::pages,
    feeds::pages,
];

/// Turns the site's articles and indexes into pages.
pub struct Renderer<'a> {
    config: &'a SiteConfig,
    articles: &'a [Article],
    index: &'a SiteIndex,
    theme: &'a Theme,
    links: Links,
    /// The `site` value every template gets.
    site: Value,
    /// One link per term of each taxonomy, made when a card first shows it.
    term_links: Vec<Vec<OnceLock<Value>>>,
    /// The `term` value of each term's pages, made when its first page is rendered.
    term_views: Vec<Vec<OnceLock<Value>>>,
    /// The hash of each term's `term` view, made when its first page is fingerprinted.
    term_hashes: Vec<Vec<OnceLock<u64>>>,
    /// The cards of the newest [`CACHED_CARDS`] articles, each made when a page first shows it
    /// and shared by every page that does (an article is on some thirty listings); empty above
    /// [`CACHED_CARDS_UP_TO`] articles.
    cards: Vec<OnceLock<Value>>,
    /// Every article position, newest first: the home listing.
    all_ids: Vec<usize>,
    /// The months and days with articles, for previous/next links.
    calendar: period::Calendar,
    /// The pages the sitemap lists, made when first needed.
    listed: OnceLock<Vec<Page>>,
    /// The hash of what the search index is built from, made when first needed (by the search
    /// page and by the build's search plan).
    search_hash: OnceLock<u64>,
    /// The time of the build, for the news sitemap.
    now: DateTime<FixedOffset>,
    /// Article URLs by content path, to resolve `@/` links.
    article_links: ArticleLinks<'a>,
    /// What the feeds show of the articles they hold (by position): made once for every feed
    /// that shows them (and the body for the article's own page too).
    feed_articles: FxHashMap<usize, FeedArticle>,
    /// The newest publication or update of any article.
    last_change: Option<DateTime<FixedOffset>>,
}

/// Terms per taxonomy shown on a card; an article page shows them all.
const CARD_TERMS: usize = 12;

/// Archives up to this many articles keep the cards of their newest [`CACHED_CARDS`] articles
/// for the whole render; larger ones make every card afresh for each page, as their memory goes
/// to the articles themselves.
const CACHED_CARDS_UP_TO: usize = 250_000;

/// How many cards are kept at most (about 4 kB each, so some 250 MB): every card of an archive
/// of up to 60,000 articles; in larger ones the other cards are made afresh for each page.
const CACHED_CARDS: usize = 60_000;

impl<'a> Renderer<'a> {
    /// Prepares the values shared by every page. `css_version` busts caches of the stylesheet;
    /// `now` is the time of the build.
    pub fn new(
        config: &'a SiteConfig,
        articles: &'a [Article],
        index: &'a SiteIndex,
        theme: &'a Theme,
        css_version: &str,
        now: DateTime<FixedOffset>,
    ) -> Renderer<'a> {
        let mut renderer = Renderer {
            config,
            articles,
            index,
            theme,
            links: Links::new(&config.base_url),
            site: Value::none(),
            term_links: per_term(index),
            term_views: per_term(index),
            term_hashes: per_term(index),
            cards: if articles.len() <= CACHED_CARDS_UP_TO {
                (0..articles.len().min(CACHED_CARDS))
                    .map(|_| OnceLock::new())
                    .collect()
            } else {
                Vec::new()
            },
            all_ids: (0..articles.len()).collect(),
            calendar: period::Calendar::new(index),
            listed: OnceLock::new(),
            search_hash: OnceLock::new(),
            now,
            article_links: ArticleLinks::new(
                config,
                articles
                    .iter()
                    .map(|a| (a.meta.rel_path.as_str(), a.url.as_str())),
            ),
            feed_articles: FxHashMap::default(),
            last_change: articles
                .iter()
                .map(|a| a.meta.updated.unwrap_or(a.meta.date).instant)
                .max(),
        };
        renderer.site = Value::from_serializable(&renderer.site_view(css_version));
        if !config.feeds.is_empty() {
            renderer.feed_articles = feeds::scopes(&renderer)
                .into_iter()
                .flat_map(|scope| feeds::articles(&renderer, scope))
                .map(|i| (i, FeedArticle::default()))
                .collect();
        }
        renderer
    }

    /// Frees what the renderer kept for its pages (cards, term views, feed entries and bodies)
    /// on another thread: in a large archive that takes a while, and nothing waits for it.
    pub fn free_in_background(self) {
        let kept = (
            self.cards,
            self.term_links,
            self.term_views,
            self.feed_articles,
        );
        std::thread::spawn(move || drop(kept));
    }

    /// Every page of the site, in no particular order.
    pub fn pages(&self) -> Vec<Page> {
        let mut pages: Vec<Page> = PAGE_FAMILIES
            .iter()
            .flat_map(|family| family(self))
            .collect();
        pages.extend(sitemap::pages(self));
        pages
    }

    /// The pages the sitemap lists, in its order.
    fn listed(&self) -> &[Page] {
        self.listed.get_or_init(|| {
            PAGE_FAMILIES
                .iter()
                .flat_map(|family| family(self))
                .filter(|page| page.kind().sitemap(self) != Listed::No)
                .collect()
        })
    }

    /// The URL path (below the base path) a page is served at.
    pub fn url_of(&self, page: Page) -> String {
        page.kind().url(self)
    }

    /// The template a page is rendered with, if any.
    pub fn template_of(&self, page: Page) -> Option<&'static str> {
        page.kind().template()
    }

    /// The output file of a page, below the output folder.
    pub fn file_of(&self, page: Page) -> String {
        routes::file_for(&self.url_of(page))
    }

    /// Renders one page at the end of `out`.
    pub fn render(&self, page: Page, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        page.kind().render(self, out)
    }

    /// Article `i`'s body as HTML: kept from reading with its links to fill in, or rendered from
    /// its Markdown (kept from reading, or read again from its file).
    pub fn body_html(&self, i: usize) -> Result<Cow<'_, str>, Diagnostic> {
        match self.feed_body(i).transpose()? {
            Some(FeedBody {
                html: Some(html), ..
            }) => Ok(Cow::Borrowed(html)),
            _ => self.read_body_html(i),
        }
    }

    /// The body of article `i` if feeds carry it whole, made the first time it is asked for.
    fn feed_body(&self, i: usize) -> Option<Result<&FeedBody, Diagnostic>> {
        if self.config.feed_content != ArticleText::Full {
            return None;
        }
        let body = self
            .feed_articles
            .get(&i)?
            .body
            .get_or_init(|| Ok(FeedBody::new(self, self.read_body_html(i)?)));
        Some(body.as_ref().map_err(Clone::clone))
    }

    fn read_body_html(&self, i: usize) -> Result<Cow<'_, str>, Diagnostic> {
        let a = &self.articles[i];
        let links = |rel: &str| self.article_links.url(rel);
        let here = self.link(&a.url);
        let kept_html = a.kept.as_ref().and_then(|k| k.html.as_ref());
        if let Some(html) = kept_html.and_then(|h| h.resolve(&a.body, &links, &here)) {
            return Ok(html);
        }
        let body = a.markdown()?;
        let source = BodySource {
            file: &a.meta.source,
            first_line: body.first_line,
            raw_html: self.config.raw_html,
        };
        markdown::render_html(&body.text, source, &links, &here)
            .map(Cow::Owned)
            .map_err(|mut errors| errors.swap_remove(0))
    }

    /// What the search index is built with.
    pub fn search_settings(&self) -> search::Settings {
        search::Settings::new(self.config)
    }

    /// The taxonomies with terms, which search results can be narrowed by (besides the year).
    pub fn search_taxonomies(&self) -> Vec<usize> {
        (0..self.index.taxonomies.len())
            .filter(|&t| !self.index.taxonomies[t].terms.is_empty())
            .collect()
    }

    /// The facets of the search index: [`Renderer::search_taxonomies`], then the year.
    pub fn search_facets(&self) -> Vec<search::Facet> {
        self.search_taxonomies()
            .into_iter()
            .map(|t| {
                let taxonomy = &self.index.taxonomies[t];
                search::Facet {
                    name: taxonomy.name.clone(),
                    title: taxonomy.title.clone(),
                }
            })
            .chain([search::Facet {
                name: "year".to_owned(),
                title: "Year".to_owned(),
            }])
            .collect()
    }

    /// The articles as the search index holds them, oldest first.
    pub fn search_records(&self) -> SearchRecords<'_> {
        SearchRecords {
            renderer: self,
            taxonomies: self.search_taxonomies(),
        }
    }

    /// The hash of everything the search index is built from (its manifest's fingerprint).
    pub fn search_hash(&self) -> u64 {
        *self.search_hash.get_or_init(|| {
            search::input_hash(
                &self.search_settings(),
                &self.search_facets(),
                &self.search_records(),
            )
        })
    }

    /// A root-relative link to `path` (which starts with `/`), under the base path.
    pub fn link(&self, path: &str) -> String {
        self.links.link(path)
    }

    /// The absolute URL of `path`.
    pub fn permalink(&self, path: &str) -> String {
        self.links.permalink(path)
    }

    /// How many pages a listing of `items` articles has.
    fn page_count(&self, items: usize) -> usize {
        items.div_ceil(self.config.paginate_by).max(1)
    }

    fn site_view(&self, css_version: &str) -> views::SiteView<'_> {
        let c = self.config;
        views::SiteView {
            title: &c.title,
            description: &c.description,
            language: &c.language,
            author: c.author.as_deref(),
            base_url: self.links.base_url(),
            home_url: self.link(&routes::home()),
            archive_url: self.link(&routes::archive()),
            css_url: format!(
                "{}?v={css_version}",
                self.link(&routes::static_file(crate::theme::STYLESHEET))
            ),
            taxonomies: (0..self.index.taxonomies.len())
                .map(|t| self.taxonomy_view(t))
                .collect(),
            feeds: feeds::links(self, FeedScope::Site),
            search_url: c.search.then(|| self.link(&routes::search())),
            extra: &c.extra,
        }
    }

    /// The `page` view of a page.
    fn page_view<'v>(
        &self,
        kind: &'static str,
        title: &'v str,
        url: &str,
        description: &'v str,
    ) -> PageView<'v> {
        PageView {
            kind,
            title,
            url: self.link(url),
            permalink: self.permalink(url),
            description,
        }
    }

    /// A template context with `site` and `page` in it.
    fn context(&self, page: &PageView) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.site.clone());
        ctx.insert("page", page);
        ctx
    }

    /// The URL of a term's listing.
    fn term_url(&self, taxonomy: usize, term: usize) -> String {
        let t = &self.index.taxonomies[taxonomy];
        routes::term(&t.name, &t.terms[term].slug)
    }

    fn taxonomy_view(&self, taxonomy: usize) -> views::TaxonomyView<'_> {
        let t = &self.index.taxonomies[taxonomy];
        views::TaxonomyView {
            name: &t.name,
            title: &t.title,
            url: self.link(&routes::taxonomy(&t.name)),
        }
    }

    /// Article `i` as a card value, kept for the next page that shows it if it is among the
    /// [`CACHED_CARDS`] newest of an archive of up to [`CACHED_CARDS_UP_TO`] articles: at a
    /// million, one kept card per article would be gigabytes.
    fn card_value(&self, i: usize) -> Value {
        let make = || Value::from_serializable(&self.card(i, CARD_TERMS));
        match self.cards.get(i) {
            Some(card) => card.get_or_init(make).clone(),
            None => make(),
        }
    }

    /// Article `i` as a card, with at most `terms` terms per taxonomy.
    fn card(&self, i: usize, terms: usize) -> Card<'_> {
        let a = &self.articles[i];
        Card {
            title: &a.meta.title,
            url: self.link(&a.url),
            permalink: self.permalink(&a.url),
            date: a.meta.date.machine(),
            date_display: a.meta.date.display(&self.config.date_format),
            time_display: a
                .meta
                .date
                .has_time
                .then(|| a.meta.date.display("%H:%M UTC%:z")),
            time: a.meta.date.has_time.then(|| a.meta.date.display("%H:%M")),
            summary: &a.body.summary_text,
            summary_html: Html(a.body.summary_html()),
            authors: &a.meta.authors,
            word_count: a.body.word_count,
            reading_time: a.body.reading_time(),
            taxonomies: self.term_groups(i, terms),
            place: self.config.places().and_then(|t| {
                let &term = self.index.article_terms[i].get(t)?.first()?;
                Some(self.term_link(t, term))
            }),
        }
    }

    /// A link to a term, made once and shared by every card that shows it.
    fn term_link(&self, taxonomy: usize, term: usize) -> SharedLink {
        let link = self.term_links[taxonomy][term].get_or_init(|| {
            let t = &self.index.taxonomies[taxonomy].terms[term];
            Value::from_serializable(&TermLink {
                name: &t.name,
                slug: &t.slug,
                url: self.link(&self.term_url(taxonomy, term)),
            })
        });
        SharedLink(link.clone())
    }

    /// Article `i`'s terms by taxonomy, at most `limit` per taxonomy.
    fn term_groups(&self, i: usize, limit: usize) -> Vec<TermGroup<'_>> {
        self.index.article_terms[i]
            .iter()
            .enumerate()
            .filter(|(_, terms)| !terms.is_empty())
            .map(|(t, terms)| {
                let taxonomy = &self.index.taxonomies[t];
                TermGroup {
                    name: &taxonomy.name,
                    title: &taxonomy.title,
                    terms: terms
                        .iter()
                        .take(limit)
                        .map(|&term| self.term_link(t, term))
                        .collect(),
                    more: terms.len().saturating_sub(limit),
                }
            })
            .collect()
    }

    /// The articles of `ids` on page `page` (from 1) of their listing.
    fn on_page<'i>(&self, ids: &'i [usize], page: usize) -> &'i [usize] {
        let per_page = self.config.paginate_by;
        let start = ((page - 1) * per_page).min(ids.len());
        &ids[start..(start + per_page).min(ids.len())]
    }

    /// Puts `listing` and `paginator` for page `page` of the listing of `ids` at `base` into
    /// `ctx`.
    fn add_listing(&self, ctx: &mut Context, title: &str, base: &str, ids: &[usize], page: usize) {
        let total_pages = self.page_count(ids.len());
        ctx.insert(
            "listing",
            &ListingView {
                title,
                total: ids.len(),
                articles: self
                    .on_page(ids, page)
                    .iter()
                    .map(|&i| self.card_value(i))
                    .collect(),
            },
        );
        let url = |n: usize| self.link(&routes::paginated(base, n));
        ctx.insert(
            "paginator",
            &PaginatorView {
                current: page,
                total_pages,
                first_url: url(1),
                last_url: url(total_pages),
                prev_url: (page > 1).then(|| url(page - 1)),
                next_url: (page < total_pages).then(|| url(page + 1)),
                pages: page_window(page, total_pages)
                    .into_iter()
                    .map(|n| PageNumber {
                        number: n,
                        url: n.map(url),
                        current: n == Some(page),
                    })
                    .collect(),
            },
        );
    }

    /// Hashes what one page of a listing shows: its size and the cards on the page.
    fn hash_listing(
        &self,
        ids: &[usize],
        page: usize,
        hashes: &ArticleHashes,
        h: &mut StableHasher,
    ) {
        use std::hash::Hash;
        (ids.len(), self.page_count(ids.len())).hash(h);
        for &i in self.on_page(ids, page) {
            hashes.card(i).hash(h);
        }
    }
}

/// An empty place for a value of each term of each taxonomy.
fn per_term<T>(index: &SiteIndex) -> Vec<Vec<OnceLock<T>>> {
    index
        .taxonomies
        .iter()
        .map(|t| t.terms.iter().map(|_| OnceLock::new()).collect())
        .collect()
}

/// A listing's title with its page number from page 2 on ("Sanctions, page 2").
fn numbered(title: &str, page: usize) -> String {
    if page > 1 {
        format!("{title}, page {page}")
    } else {
        title.to_owned()
    }
}

/// The page numbers to show around `current` of `total`: the first, the last, two either side of
/// the current one, and `None` where numbers are skipped.
fn page_window(current: usize, total: usize) -> Vec<Option<usize>> {
    let mut window = Vec::new();
    for n in 1..=total {
        if n == 1 || n == total || n.abs_diff(current) <= 2 {
            window.push(Some(n));
        } else if window.last().is_some_and(Option::is_some) {
            window.push(None);
        }
    }
    window
}

/// The articles of a [`Renderer`] as the search index holds them: ids oldest first.
pub struct SearchRecords<'r> {
    renderer: &'r Renderer<'r>,
    taxonomies: Vec<usize>,
}

impl search::Records for SearchRecords<'_> {
    fn count(&self) -> usize {
        self.renderer.articles.len()
    }

    fn record(&self, id: usize) -> search::Record<'_> {
        let r = self.renderer;
        let i = r.articles.len() - 1 - id;
        let article = &r.articles[i];
        let mut facets: Vec<Vec<Cow<'_, str>>> = self
            .taxonomies
            .iter()
            .map(|&t| {
                let names = &r.index.taxonomies[t].terms;
                r.index.article_terms[i][t]
                    .iter()
                    .map(|&term| Cow::Borrowed(names[term].name.as_str()))
                    .collect()
            })
            .collect();
        let day = article.meta.date.local_date();
        facets.push(vec![Cow::Owned(day.format("%Y").to_string())]);
        search::Record {
            url: Cow::Owned(r.link(&article.url)),
            title: Cow::Borrowed(&article.meta.title),
            date: Cow::Owned(article.meta.date.display(&r.config.date_format)),
            summary: Cow::Borrowed(&article.body.summary_text),
            source: Cow::Borrowed(&article.meta.source),
            kept: article.kept.clone(),
            digest: article.body.digest,
            facets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_window_marks_gaps() {
        assert_eq!(page_window(1, 1), [Some(1)]);
        assert_eq!(
            page_window(6, 20),
            [
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(20)
            ]
        );
        assert_eq!(page_window(2, 4), [Some(1), Some(2), Some(3), Some(4)]);
    }
}
