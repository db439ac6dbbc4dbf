//! Pages: what the site consists of ([`Renderer::pages`]) and each page's bytes
//! ([`Renderer::render`]): HTML pages from templates here, feeds in `feeds.rs`, sitemaps and
//! `robots.txt` in `sitemap.rs`, JSON-LD in `metadata.rs`, page fingerprints in `fingerprint.rs`.
//!
//! Everything a template sees is described in the README ("Writing a theme"). Values shared by
//! many pages (the `site` table, one card per article) are built once, a card when a page first
//! needs it; a listing page only gathers the cards it shows.

mod feeds;
mod fingerprint;
mod metadata;
mod sitemap;

pub use fingerprint::ArticleHashes;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use tera::{Context, Value};

use crate::config::{ArticleText, FeedFormat, SiteConfig};
use crate::content::{self, Article, ArticleLinks};
use crate::diagnostics::Diagnostic;
use crate::index::SiteIndex;
use crate::markdown::{self, BodySource, escape_html};
use crate::theme::Theme;

/// One page of the site, before rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// An article, by position in the article list.
    Article(usize),
    /// Page `n` (1-based) of the home listing.
    Home(usize),
    /// The list of all terms of a taxonomy.
    Taxonomy(usize),
    /// Page `page` of a term's listing.
    Term {
        /// The taxonomy's position.
        taxonomy: usize,
        /// The term's position in the taxonomy.
        term: usize,
        /// 1-based page.
        page: usize,
    },
    /// Page `page` of a year, month or day listing.
    Period {
        /// Which period.
        period: PeriodRef,
        /// 1-based page.
        page: usize,
    },
    /// `/archive/`.
    Archive,
    /// `/404.html`.
    NotFound,
    /// A redirect from an article's former URL (its `aliases` entry `alias`).
    Alias {
        /// The article's position.
        article: usize,
        /// The alias's position in the article's `aliases`.
        alias: usize,
    },
    /// A feed of the site or of one term.
    Feed {
        /// Whose articles.
        scope: FeedScope,
        /// Which format.
        format: FeedFormat,
    },
    /// `/sitemap.xml` when every URL fits in one file, else part `n` (1-based) of it.
    Sitemap(Option<usize>),
    /// `/sitemap.xml` as an index of the parts, when the URLs do not fit in one file.
    SitemapIndex,
    /// `/news-sitemap.xml` for Google News.
    NewsSitemap,
    /// `/robots.txt`.
    Robots,
    /// `/search/`.
    Search,
}

/// Whose articles a feed holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedScope {
    /// The whole site.
    Site,
    /// One term of a taxonomy.
    Term {
        /// The taxonomy's position.
        taxonomy: usize,
        /// The term's position in the taxonomy.
        term: usize,
    },
}

/// A year, month or day of the date index, by positions in [`SiteIndex::years`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodRef {
    /// `years[y]`.
    Year(usize),
    /// `years[y].months[m]`.
    Month(usize, usize),
    /// `years[y].months[m].days[d]`.
    Day(usize, usize, usize),
}

/// A rendered page: where it goes below the output folder, and its bytes.
pub struct RenderedPage {
    /// Path below the output folder, with `/` separators (`2024/06/19/putin/index.html`).
    pub path: String,
    /// The page's text: HTML, XML, JSON or plain text.
    pub body: String,
}

/// Turns the site's articles and indexes into pages.
pub struct Renderer<'a> {
    config: &'a SiteConfig,
    articles: &'a [Article],
    index: &'a SiteIndex,
    theme: &'a Theme,
    /// The `site` value every template gets.
    site: Value,
    /// One card per article, in article order.
    cards: Vec<OnceLock<Value>>,
    /// Every article position, newest first: the home listing.
    all_ids: Vec<usize>,
    /// Every month as (year, month) positions, newest first (so sorted as tuples), for
    /// previous/next links.
    months: Vec<(usize, usize)>,
    /// Every day as (year, month, day) positions, newest first.
    days: Vec<(usize, usize, usize)>,
    /// The time of the build, for the news sitemap.
    now: DateTime<FixedOffset>,
    /// Article URLs by content path, to resolve `@/` links.
    links: ArticleLinks<'a>,
    /// The HTML bodies of articles in feeds, when feeds carry whole articles: rendered once for
    /// every feed that shows them.
    feed_bodies: HashMap<usize, OnceLock<Result<String, Diagnostic>>>,
    /// The newest publication or update of any article.
    last_change: Option<DateTime<FixedOffset>>,
}

/// Terms per taxonomy shown on a card; an article page shows them all.
const CARD_TERMS: usize = 12;

/// Builds a template map from key/value pairs.
fn map<const N: usize>(entries: [(&'static str, Value); N]) -> Value {
    Value::from(BTreeMap::from(entries))
}

fn text(s: &str) -> Value {
    Value::from(s)
}

fn opt<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or_else(Value::none, Into::into)
}

/// The output file of a URL path: `/2024/` gives `2024/index.html`.
fn file_for(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

/// The URL path of page `page` of a listing at `base`: `/topics/x/` then `/topics/x/page/2/`.
pub fn page_path(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_owned()
    } else {
        format!("{base}page/{page}/")
    }
}

fn month_name(month: u32) -> String {
    NaiveDate::from_ymd_opt(2000, month, 1)
        .map(|d| d.format("%B").to_string())
        .unwrap_or_default()
}

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
            site: Value::none(),
            cards: Vec::new(),
            all_ids: Vec::new(),
            months: Vec::new(),
            days: Vec::new(),
            now,
            links: ArticleLinks::new(
                config,
                articles
                    .iter()
                    .map(|a| (a.meta.rel_path.as_str(), a.url.as_str())),
            ),
            feed_bodies: HashMap::new(),
            last_change: articles
                .iter()
                .map(|a| a.meta.updated.unwrap_or(a.meta.date).instant)
                .max(),
        };
        renderer.site = renderer.site_value(css_version);
        if config.feed_content == ArticleText::Full && !config.feeds.is_empty() {
            renderer.feed_bodies = renderer
                .feed_scopes()
                .into_iter()
                .flat_map(|scope| renderer.feed_articles(scope))
                .map(|i| (i, OnceLock::new()))
                .collect();
        }
        renderer.cards = (0..articles.len()).map(|_| OnceLock::new()).collect();
        renderer.all_ids = (0..articles.len()).collect();
        for (y, year) in index.years.iter().enumerate() {
            for (m, month) in year.months.iter().enumerate() {
                renderer.months.push((y, m));
                for d in 0..month.days.len() {
                    renderer.days.push((y, m, d));
                }
            }
        }
        renderer
    }

    /// Article `i`'s body as HTML, read again from its file and rendered.
    pub fn body_html(&self, i: usize) -> Result<String, Diagnostic> {
        if let Some(body) = self.feed_bodies.get(&i) {
            return body.get_or_init(|| self.read_body_html(i)).clone();
        }
        self.read_body_html(i)
    }

    fn read_body_html(&self, i: usize) -> Result<String, Diagnostic> {
        let a = &self.articles[i];
        let (body, first_line) = content::read_body(&a.meta.source)?;
        let source = BodySource {
            file: &a.meta.source,
            first_line,
            raw_html: self.config.raw_html,
        };
        let links = |rel: &str| self.links.url(rel);
        markdown::render_html(&body, source, &links).map_err(|mut errors| errors.swap_remove(0))
    }

    /// A root-relative link to `path` (which starts with `/`), under the base path.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_path())
    }

    /// The absolute URL of `path`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url_trimmed())
    }

    fn page_count(&self, items: usize) -> usize {
        items.div_ceil(self.config.paginate_by).max(1)
    }

    /// Every page of the site, in no particular order.
    pub fn pages(&self) -> Vec<Page> {
        let mut pages = self.html_pages();
        pages.extend(self.sitemap_pages(pages.len()));
        pages.extend(self.redirect_pages());
        pages.extend(self.feed_pages());
        pages.push(Page::Robots);
        pages
    }

    /// Every HTML page that belongs in the sitemap: all but redirects and the 404 page.
    fn html_pages(&self) -> Vec<Page> {
        let mut pages: Vec<Page> = (0..self.articles.len()).map(Page::Article).collect();
        pages.extend((1..=self.page_count(self.articles.len())).map(Page::Home));
        for (t, taxonomy) in self.index.taxonomies.iter().enumerate() {
            pages.push(Page::Taxonomy(t));
            for (term, entry) in taxonomy.terms.iter().enumerate() {
                pages.extend(
                    (1..=self.page_count(entry.articles.len())).map(|page| Page::Term {
                        taxonomy: t,
                        term,
                        page,
                    }),
                );
            }
        }
        let periods = (0..self.index.years.len())
            .map(PeriodRef::Year)
            .chain(self.months.iter().map(|&(y, m)| PeriodRef::Month(y, m)))
            .chain(self.days.iter().map(|&(y, m, d)| PeriodRef::Day(y, m, d)));
        for period in periods {
            let count = self.period_articles(period).len();
            pages.extend((1..=self.page_count(count)).map(|page| Page::Period { period, page }));
        }
        pages.push(Page::Archive);
        if self.config.search {
            pages.push(Page::Search);
        }
        pages
    }

    /// Pages outside the sitemap: the 404 page and redirects from aliases.
    fn redirect_pages(&self) -> impl Iterator<Item = Page> + '_ {
        let aliases = self.articles.iter().enumerate().flat_map(|(article, a)| {
            (0..a.meta.aliases.len()).map(move |alias| Page::Alias { article, alias })
        });
        std::iter::once(Page::NotFound).chain(aliases)
    }

    /// The URL path (below the base path) a page is served at.
    pub fn url_of(&self, page: Page) -> String {
        match page {
            Page::Article(i) => self.articles[i].url.clone(),
            Page::Home(n) => page_path("/", n),
            Page::Taxonomy(t) => format!("/{}/", self.index.taxonomies[t].name),
            Page::Term {
                taxonomy,
                term,
                page,
            } => page_path(&self.term_path(taxonomy, term), page),
            Page::Period { period, page } => page_path(&self.period_path(period), page),
            Page::Archive => "/archive/".to_owned(),
            Page::NotFound => "/404.html".to_owned(),
            Page::Alias { article, alias } => self.articles[article].meta.aliases[alias].clone(),
            Page::Feed { scope, format } => self.feed_path(scope, format),
            Page::Sitemap(None) | Page::SitemapIndex => "/sitemap.xml".to_owned(),
            Page::Sitemap(Some(part)) => format!("/sitemap-{part}.xml"),
            Page::NewsSitemap => "/news-sitemap.xml".to_owned(),
            Page::Robots => "/robots.txt".to_owned(),
            Page::Search => "/search/".to_owned(),
        }
    }

    /// The template a page is rendered with, if any.
    pub fn template_of(&self, page: Page) -> Option<&'static str> {
        match page {
            Page::Article(_) => Some("article.html"),
            Page::Home(_) => Some("index.html"),
            Page::Taxonomy(_) => Some("taxonomy.html"),
            Page::Term { .. } => Some("term.html"),
            Page::Period { .. } => Some("period.html"),
            Page::Archive => Some("archive.html"),
            Page::NotFound => Some("404.html"),
            Page::Search => Some("search.html"),
            Page::Feed {
                format: FeedFormat::Atom,
                ..
            } => Some("atom.xml"),
            Page::Feed {
                format: FeedFormat::Rss,
                ..
            } => Some("rss.xml"),
            _ => None,
        }
    }

    /// The output file of a page, below the output folder.
    pub fn file_of(&self, page: Page) -> String {
        file_for(&self.url_of(page))
    }

    /// Renders one page.
    pub fn render(&self, page: Page) -> Result<RenderedPage, Diagnostic> {
        let url = self.url_of(page);
        let body = match page {
            Page::Alias { article, .. } => Ok(self.redirect(&self.articles[article].url)),
            Page::Feed { scope, format } => self.render_feed(scope, format),
            Page::Sitemap(part) => Ok(self.render_sitemap(part)),
            Page::SitemapIndex => Ok(self.render_sitemap_index()),
            Page::NewsSitemap => Ok(self.render_news_sitemap()),
            Page::Robots => Ok(self.render_robots()),
            Page::Search => {
                let ctx = self.context("search", "Search", &url, "Search the archive");
                self.theme.render("search.html", &ctx)
            }
            Page::Article(i) => self.render_article(i, &url),
            Page::Home(n) => {
                let title = if n > 1 {
                    numbered("Latest", n)
                } else {
                    self.config.title.clone()
                };
                let mut ctx = self.context("home", &title, &url, &self.config.description);
                self.add_listing(&mut ctx, "Latest", "/", &self.all_ids, n);
                self.theme.render("index.html", &ctx)
            }
            Page::Taxonomy(t) => self.render_taxonomy(t, &url),
            Page::Term {
                taxonomy,
                term,
                page,
            } => self.render_term(taxonomy, term, page, &url),
            Page::Period { period, page } => self.render_period(period, page, &url),
            Page::Archive => self.render_archive(&url),
            Page::NotFound => {
                let ctx = self.context("404", "Page not found", &url, "This page does not exist.");
                self.theme.render("404.html", &ctx)
            }
        }?;
        Ok(RenderedPage {
            path: file_for(&url),
            body,
        })
    }

    fn site_value(&self, css_version: &str) -> Value {
        let c = self.config;
        let taxonomies: Vec<Value> = self
            .index
            .taxonomies
            .iter()
            .map(|t| {
                map([
                    ("name", text(&t.name)),
                    ("title", text(&t.title)),
                    ("url", Value::from(self.link(&format!("/{}/", t.name)))),
                ])
            })
            .collect();
        map([
            ("title", text(&c.title)),
            ("description", text(&c.description)),
            ("language", text(&c.language)),
            ("author", opt(c.author.clone())),
            ("base_url", text(c.base_url_trimmed())),
            ("home_url", Value::from(self.link("/"))),
            ("archive_url", Value::from(self.link("/archive/"))),
            (
                "css_url",
                Value::from(format!(
                    "{}?v={css_version}",
                    self.link(&format!("/{}", crate::theme::STYLESHEET))
                )),
            ),
            ("taxonomies", Value::from(taxonomies)),
            ("feeds", self.feed_links(FeedScope::Site)),
            ("search_url", opt(c.search.then(|| self.link("/search/")))),
            ("extra", Value::from_serializable(&c.extra)),
        ])
    }

    /// A context with `site` and `page` filled in.
    fn context(&self, kind: &str, title: &str, url: &str, description: &str) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.site.clone());
        ctx.insert_value(
            "page",
            map([
                ("kind", text(kind)),
                ("title", text(title)),
                ("url", Value::from(self.link(url))),
                ("permalink", Value::from(self.permalink(url))),
                ("description", text(description)),
            ]),
        );
        ctx
    }

    fn term_path(&self, taxonomy: usize, term: usize) -> String {
        let t = &self.index.taxonomies[taxonomy];
        format!("/{}/{}/", t.name, t.terms[term].slug)
    }

    fn term_value(&self, taxonomy: usize, term: usize) -> Value {
        let t = &self.index.taxonomies[taxonomy].terms[term];
        map([
            ("name", text(&t.name)),
            ("slug", text(&t.slug)),
            (
                "url",
                Value::from(self.link(&self.term_path(taxonomy, term))),
            ),
            ("count", Value::from(t.articles.len())),
        ])
    }

    fn taxonomy_value(&self, taxonomy: usize) -> Value {
        let t = &self.index.taxonomies[taxonomy];
        map([
            ("name", text(&t.name)),
            ("title", text(&t.title)),
            ("url", Value::from(self.link(&format!("/{}/", t.name)))),
        ])
    }

    /// Article `i` as a card, built the first time a page asks for it.
    fn card_of(&self, i: usize) -> Value {
        self.cards[i].get_or_init(|| self.card(i)).clone()
    }

    /// Article `i`'s terms by taxonomy, `[{name, title, terms, more}]`, at most `limit` terms
    /// per taxonomy (`more` counts the rest).
    fn term_groups(&self, i: usize, limit: usize) -> Value {
        let groups: Vec<Value> = self.index.article_terms[i]
            .iter()
            .enumerate()
            .filter(|(_, terms)| !terms.is_empty())
            .map(|(t, terms)| {
                let taxonomy = &self.index.taxonomies[t];
                let shown: Vec<Value> = terms
                    .iter()
                    .take(limit)
                    .map(|&term| {
                        map([
                            ("name", text(&taxonomy.terms[term].name)),
                            ("slug", text(&taxonomy.terms[term].slug)),
                            ("url", Value::from(self.link(&self.term_path(t, term)))),
                        ])
                    })
                    .collect();
                map([
                    ("name", text(&taxonomy.name)),
                    ("title", text(&taxonomy.title)),
                    ("terms", Value::from(shown)),
                    ("more", Value::from(terms.len().saturating_sub(limit))),
                ])
            })
            .collect();
        Value::from(groups)
    }

    fn card(&self, i: usize) -> Value {
        let a = &self.articles[i];
        let format = &self.config.date_format;
        let taxonomies = self.term_groups(i, CARD_TERMS);
        let authors: Vec<Value> = a.meta.authors.iter().map(|s| text(s)).collect();
        map([
            ("title", text(&a.meta.title)),
            ("url", Value::from(self.link(&a.url))),
            ("permalink", Value::from(self.permalink(&a.url))),
            ("date", Value::from(a.meta.date.machine())),
            ("date_display", Value::from(a.meta.date.display(format))),
            (
                "time_display",
                opt(a
                    .meta
                    .date
                    .has_time
                    .then(|| a.meta.date.display("%H:%M UTC%:z"))),
            ),
            ("summary", text(&a.body.summary_text)),
            ("summary_html", Value::safe_string(&a.body.summary_html)),
            ("authors", Value::from(authors)),
            ("word_count", Value::from(a.body.word_count)),
            ("reading_time", Value::from(a.body.reading_time())),
            ("taxonomies", taxonomies),
        ])
    }

    fn render_article(&self, i: usize, url: &str) -> Result<String, Diagnostic> {
        let a = &self.articles[i];
        let format = &self.config.date_format;
        let day = a.meta.date.local_date();
        let mut article = self.card_of(i).as_map().cloned().unwrap_or_default();
        let mut set = |key: &'static str, value: Value| {
            article.insert(key.into(), value);
        };
        set("content", Value::safe_string(&self.body_html(i)?));
        set("updated", opt(a.meta.updated.map(|u| u.machine())));
        set(
            "updated_display",
            opt(a.meta.updated.map(|u| u.display(format))),
        );
        set("extra", Value::from_serializable(&a.meta.extra));
        set("source_path", text(&a.meta.rel_path));
        set(
            "year",
            self.period_link(
                &day.format("%Y").to_string(),
                &day.format("/%Y/").to_string(),
            ),
        );
        set(
            "month",
            self.period_link(
                &day.format("%B %Y").to_string(),
                &day.format("/%Y/%m/").to_string(),
            ),
        );
        set(
            "day",
            self.period_link(
                &format_day(day, format),
                &day.format("/%Y/%m/%d/").to_string(),
            ),
        );
        set("taxonomies", self.term_groups(i, usize::MAX));
        set("json_ld", Value::safe_string(&self.json_ld(i)));
        let related: Vec<Value> = self.index.related[i]
            .iter()
            .map(|&j| self.card_of(j))
            .collect();
        set("related", Value::from(related));
        set(
            "earlier",
            opt((i + 1 < self.articles.len()).then(|| self.card_of(i + 1))),
        );
        set("later", opt(i.checked_sub(1).map(|j| self.card_of(j))));
        let mut ctx = self.context("article", &a.meta.title, url, &a.body.summary_text);
        ctx.insert_value("article", Value::from(article));
        self.theme.render("article.html", &ctx)
    }

    /// `{label, url, datetime}` of a period; `datetime` is the period's machine-readable form
    /// for `<time datetime>` (`2024`, `2024-06`, `2024-06-19`), none for the archive page.
    fn period_link(&self, label: &str, path: &str) -> Value {
        map([
            ("label", text(label)),
            ("url", Value::from(self.link(path))),
            ("datetime", opt(period_datetime(path))),
        ])
    }

    /// Puts `listing` and `paginator` for page `page` of the listing at `base` into `ctx`.
    fn add_listing(&self, ctx: &mut Context, title: &str, base: &str, ids: &[usize], page: usize) {
        let per_page = self.config.paginate_by;
        let total_pages = self.page_count(ids.len());
        let cards: Vec<Value> = ids
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(|&i| self.card_of(i))
            .collect();
        ctx.insert_value(
            "listing",
            map([
                ("title", text(title)),
                ("total", Value::from(ids.len())),
                ("articles", Value::from(cards)),
            ]),
        );
        let url = |n: usize| Value::from(self.link(&page_path(base, n)));
        let pages: Vec<Value> = page_window(page, total_pages)
            .into_iter()
            .map(|n| match n {
                Some(n) => map([
                    ("number", Value::from(n)),
                    ("url", url(n)),
                    ("current", Value::from(n == page)),
                ]),
                None => map([
                    ("number", Value::none()),
                    ("url", Value::none()),
                    ("current", Value::from(false)),
                ]),
            })
            .collect();
        ctx.insert_value(
            "paginator",
            map([
                ("current", Value::from(page)),
                ("total_pages", Value::from(total_pages)),
                ("first_url", url(1)),
                ("last_url", url(total_pages)),
                ("prev_url", opt((page > 1).then(|| url(page - 1)))),
                ("next_url", opt((page < total_pages).then(|| url(page + 1)))),
                ("pages", Value::from(pages)),
            ]),
        );
    }

    fn render_term(
        &self,
        taxonomy: usize,
        term: usize,
        page: usize,
        url: &str,
    ) -> Result<String, Diagnostic> {
        let t = &self.index.taxonomies[taxonomy];
        let entry = &t.terms[term];
        let description = format!(
            "{} articles about {} in {}",
            entry.articles.len(),
            entry.name,
            self.config.title
        );
        let mut ctx = self.context("term", &numbered(&entry.name, page), url, &description);
        ctx.insert_value("taxonomy", self.taxonomy_value(taxonomy));
        let mut term_value = self
            .term_value(taxonomy, term)
            .as_map()
            .cloned()
            .unwrap_or_default();
        term_value.insert(
            "feeds".into(),
            self.feed_links(FeedScope::Term { taxonomy, term }),
        );
        ctx.insert_value("term", Value::from(term_value));
        self.add_listing(
            &mut ctx,
            &entry.name,
            &self.term_path(taxonomy, term),
            &entry.articles,
            page,
        );
        self.theme.render("term.html", &ctx)
    }

    fn render_taxonomy(&self, taxonomy: usize, url: &str) -> Result<String, Diagnostic> {
        let t = &self.index.taxonomies[taxonomy];
        let terms: Vec<Value> = (0..t.terms.len())
            .map(|term| self.term_value(taxonomy, term))
            .collect();
        let mut by_count: Vec<usize> = (0..t.terms.len()).collect();
        by_count.sort_by_key(|&i| std::cmp::Reverse(t.terms[i].articles.len()));
        let mut letters: Vec<(String, Vec<Value>)> = Vec::new();
        for (i, term) in t.terms.iter().enumerate() {
            let letter = term
                .slug
                .chars()
                .next()
                .filter(char::is_ascii_alphabetic)
                .map_or_else(|| "#".to_owned(), |c| c.to_ascii_uppercase().to_string());
            match letters.last_mut() {
                Some((l, group)) if *l == letter => group.push(terms[i].clone()),
                _ => letters.push((letter, vec![terms[i].clone()])),
            }
        }
        let letters: Vec<Value> = letters
            .into_iter()
            .map(|(letter, group)| {
                map([
                    ("letter", Value::from(letter)),
                    ("terms", Value::from(group)),
                ])
            })
            .collect();
        let description = format!("All {} of {}", t.title.to_lowercase(), self.config.title);
        let mut ctx = self.context("taxonomy", &t.title, url, &description);
        ctx.insert_value("taxonomy", self.taxonomy_value(taxonomy));
        ctx.insert_value(
            "terms_by_count",
            Value::from(
                by_count
                    .iter()
                    .map(|&i| terms[i].clone())
                    .collect::<Vec<_>>(),
            ),
        );
        ctx.insert_value("terms", Value::from(terms));
        ctx.insert_value("letters", Value::from(letters));
        self.theme.render("taxonomy.html", &ctx)
    }

    fn period_articles(&self, period: PeriodRef) -> &[usize] {
        let years = &self.index.years;
        match period {
            PeriodRef::Year(y) => &years[y].articles,
            PeriodRef::Month(y, m) => &years[y].months[m].articles,
            PeriodRef::Day(y, m, d) => &years[y].months[m].days[d].articles,
        }
    }

    /// The first day of a period (for labels) and its URL path.
    fn period_path(&self, period: PeriodRef) -> String {
        let years = &self.index.years;
        match period {
            PeriodRef::Year(y) => format!("/{:04}/", years[y].year),
            PeriodRef::Month(y, m) => {
                format!("/{:04}/{:02}/", years[y].year, years[y].months[m].month)
            }
            PeriodRef::Day(y, m, d) => format!(
                "/{:04}/{:02}/{:02}/",
                years[y].year, years[y].months[m].month, years[y].months[m].days[d].day
            ),
        }
    }

    fn period_label(&self, period: PeriodRef) -> String {
        let years = &self.index.years;
        let date = |y: usize, m: usize, d: u32| {
            NaiveDate::from_ymd_opt(years[y].year, years[y].months[m].month, d).unwrap_or_default()
        };
        match period {
            PeriodRef::Year(y) => years[y].year.to_string(),
            PeriodRef::Month(y, m) => date(y, m, 1).format("%B %Y").to_string(),
            PeriodRef::Day(y, m, d) => format_day(
                date(y, m, years[y].months[m].days[d].day),
                &self.config.date_format,
            ),
        }
    }

    fn period_ref_link(&self, period: PeriodRef) -> Value {
        self.period_link(&self.period_label(period), &self.period_path(period))
    }

    /// The previous (older) and next (newer) period of the same kind that has articles.
    fn adjacent_periods(&self, period: PeriodRef) -> (Option<PeriodRef>, Option<PeriodRef>) {
        // Every list is newest first, so the previous period is the next entry.
        match period {
            PeriodRef::Year(y) => (
                (y + 1 < self.index.years.len()).then(|| PeriodRef::Year(y + 1)),
                y.checked_sub(1).map(PeriodRef::Year),
            ),
            PeriodRef::Month(y, m) => {
                let pos = self.months.binary_search(&(y, m)).unwrap_or_default();
                let month = |p: usize| PeriodRef::Month(self.months[p].0, self.months[p].1);
                (
                    (pos + 1 < self.months.len()).then(|| month(pos + 1)),
                    pos.checked_sub(1).map(month),
                )
            }
            PeriodRef::Day(y, m, d) => {
                let pos = self.days.binary_search(&(y, m, d)).unwrap_or_default();
                let day = |p: usize| {
                    let (y, m, d) = self.days[p];
                    PeriodRef::Day(y, m, d)
                };
                (
                    (pos + 1 < self.days.len()).then(|| day(pos + 1)),
                    pos.checked_sub(1).map(day),
                )
            }
        }
    }

    /// A year's months or a month's days, newest first; nothing for a day.
    fn period_children(&self, period: PeriodRef) -> Vec<PeriodRef> {
        let years = &self.index.years;
        match period {
            PeriodRef::Year(y) => (0..years[y].months.len())
                .map(|m| PeriodRef::Month(y, m))
                .collect(),
            PeriodRef::Month(y, m) => (0..years[y].months[m].days.len())
                .map(|d| PeriodRef::Day(y, m, d))
                .collect(),
            PeriodRef::Day(..) => Vec::new(),
        }
    }

    fn render_period(
        &self,
        period: PeriodRef,
        page: usize,
        url: &str,
    ) -> Result<String, Diagnostic> {
        let (kind, up) = match period {
            PeriodRef::Year(_) => ("year", self.period_link("Archive", "/archive/")),
            PeriodRef::Month(y, _) => ("month", self.period_ref_link(PeriodRef::Year(y))),
            PeriodRef::Day(y, m, _) => ("day", self.period_ref_link(PeriodRef::Month(y, m))),
        };
        let (prev, next) = self.adjacent_periods(period);
        let children = self.period_children(period);
        let mut crumbs = vec![self.period_link("Archive", "/archive/")];
        match period {
            PeriodRef::Year(_) => {}
            PeriodRef::Month(y, _) => crumbs.push(self.period_ref_link(PeriodRef::Year(y))),
            PeriodRef::Day(y, m, _) => {
                crumbs.push(self.period_ref_link(PeriodRef::Year(y)));
                crumbs.push(self.period_ref_link(PeriodRef::Month(y, m)));
            }
        }
        let label = self.period_label(period);
        let children: Vec<Value> = children
            .into_iter()
            .rev()
            .map(|child| {
                map([
                    ("label", Value::from(self.period_label(child))),
                    ("url", Value::from(self.link(&self.period_path(child)))),
                    ("datetime", opt(period_datetime(&self.period_path(child)))),
                    ("count", Value::from(self.period_articles(child).len())),
                ])
            })
            .collect();
        let ids = self.period_articles(period);
        let description = format!(
            "{} articles from {label} in {}",
            ids.len(),
            self.config.title
        );
        let mut ctx = self.context(kind, &numbered(&label, page), url, &description);
        ctx.insert_value(
            "period",
            map([
                ("kind", text(kind)),
                ("label", text(&label)),
                ("url", Value::from(self.link(&self.period_path(period)))),
                ("datetime", opt(period_datetime(&self.period_path(period)))),
                ("up", up),
                ("crumbs", Value::from(crumbs)),
                ("prev", opt(prev.map(|p| self.period_ref_link(p)))),
                ("next", opt(next.map(|p| self.period_ref_link(p)))),
                ("children", Value::from(children)),
            ]),
        );
        self.add_listing(&mut ctx, &label, &self.period_path(period), ids, page);
        self.theme.render("period.html", &ctx)
    }

    fn render_archive(&self, url: &str) -> Result<String, Diagnostic> {
        let years: Vec<Value> = self
            .index
            .years
            .iter()
            .enumerate()
            .map(|(y, year)| {
                let counts: HashMap<u32, usize> = year
                    .months
                    .iter()
                    .enumerate()
                    .map(|(m, month)| (month.month, m))
                    .collect();
                let months: Vec<Value> = (1..=12u32)
                    .map(|number| {
                        let found = counts.get(&number);
                        let name = month_name(number);
                        map([
                            ("number", Value::from(number)),
                            (
                                "short",
                                Value::from(name.chars().take(3).collect::<String>()),
                            ),
                            ("name", Value::from(name)),
                            (
                                "url",
                                opt(found.map(|&m| {
                                    self.link(&self.period_path(PeriodRef::Month(y, m)))
                                })),
                            ),
                            (
                                "count",
                                Value::from(found.map_or(0, |&m| year.months[m].articles.len())),
                            ),
                        ])
                    })
                    .collect();
                map([
                    ("year", Value::from(year.year)),
                    (
                        "url",
                        Value::from(self.link(&self.period_path(PeriodRef::Year(y)))),
                    ),
                    ("count", Value::from(year.articles.len())),
                    ("months", Value::from(months)),
                ])
            })
            .collect();
        let description = format!("Every year and month of {}", self.config.title);
        let mut ctx = self.context("archive", "Archive", url, &description);
        ctx.insert_value("years", Value::from(years));
        self.theme.render("archive.html", &ctx)
    }

    /// A page that sends readers (and search engines) from an old URL to the article.
    fn redirect(&self, target: &str) -> String {
        let to = escape_html(&self.permalink(target));
        let local = escape_html(&self.link(target));
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n<link rel=\"canonical\" href=\"{to}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={local}\">\n</head>\n<body>\n<p>This article has moved to <a href=\"{local}\">{to}</a>.</p>\n</body>\n</html>\n",
            lang = escape_html(&self.config.language)
        )
    }
}

/// `/2024/06/19/` gives `2024-06-19`, the form `<time datetime>` takes for a year, month or day.
fn period_datetime(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    (!parts.is_empty() && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())))
        .then(|| parts.join("-"))
}

/// A listing's title with its page number from page 2 on ("Sanctions, page 2").
fn numbered(title: &str, page: usize) -> String {
    if page > 1 {
        format!("{title}, page {page}")
    } else {
        title.to_owned()
    }
}

/// A calendar day in the configured date format.
fn format_day(day: NaiveDate, format: &str) -> String {
    content::strftime(
        &day.and_time(NaiveTime::MIN).and_utc().fixed_offset(),
        format,
    )
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

    #[test]
    fn period_datetimes() {
        assert_eq!(
            period_datetime("/2024/06/19/").as_deref(),
            Some("2024-06-19")
        );
        assert_eq!(period_datetime("/2024/").as_deref(), Some("2024"));
        assert_eq!(period_datetime("/archive/"), None);
    }

    #[test]
    fn files_for_urls() {
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(file_for("/2024/06/"), "2024/06/index.html");
        assert_eq!(file_for("/404.html"), "404.html");
        assert_eq!(page_path("/topics/x/", 3), "/topics/x/page/3/");
        assert_eq!(page_path("/", 1), "/");
    }
}
