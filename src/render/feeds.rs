//! Feeds: Atom and RSS from the `atom.xml` and `rss.xml` templates, JSON Feed 1.1 directly.
//!
//! The site has one feed per format and, with `term_feeds`, so has every taxonomy term. Entries
//! are built when a feed is rendered, so a feed costs only its `feed_limit` newest articles.

use std::borrow::Cow;
use std::hash::Hash;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::value::RawValue;
use tera::Value;

use super::views::{Category, FeedEntry, FeedLink, FeedText, FeedView};
use super::{HashInputs, Kind, Listed, Page, Renderer};
use crate::config::{ArticleText, FeedFormat};
use crate::content;
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::routes;

/// Categories per feed entry and taxonomy, at most (an article with thousands of terms must not
/// make every feed it is in that large).
const FEED_CATEGORIES: usize = 50;

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

/// A feed of the site or of one term, in one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedPage {
    /// Whose articles.
    pub scope: FeedScope,
    /// Which format.
    pub format: FeedFormat,
}

/// Whose feeds the site has: the site's, then each term's (when `term_feeds`).
pub(super) fn scopes(r: &Renderer) -> Vec<FeedScope> {
    let mut scopes = vec![FeedScope::Site];
    if r.config.term_feeds {
        for (taxonomy, t) in r.index.taxonomies.iter().enumerate() {
            scopes.extend((0..t.terms.len()).map(|term| FeedScope::Term { taxonomy, term }));
        }
    }
    scopes
}

/// Every feed: the site's, then each term's, in every configured format.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    scopes(r)
        .into_iter()
        .flat_map(|scope| {
            r.config
                .feeds
                .iter()
                .map(move |&format| Page::Feed(FeedPage { scope, format }))
        })
        .collect()
}

/// The articles of a feed, newest first, at most `feed_limit`.
pub(super) fn articles(r: &Renderer, scope: FeedScope) -> Vec<usize> {
    let limit = r.config.feed_limit;
    match scope {
        FeedScope::Site => (0..r.articles.len().min(limit)).collect(),
        FeedScope::Term { taxonomy, term } => r.index.taxonomies[taxonomy].terms[term]
            .articles
            .iter()
            .take(limit)
            .copied()
            .collect(),
    }
}

/// The feeds of a scope, for `<link rel="alternate">`: none for a term without `term_feeds`.
pub(super) fn links(r: &Renderer, scope: FeedScope) -> Vec<FeedLink> {
    if matches!(scope, FeedScope::Term { .. }) && !r.config.term_feeds {
        return Vec::new();
    }
    let title = title(r, scope);
    r.config
        .feeds
        .iter()
        .map(|&format| FeedLink {
            title: format!("{title} ({})", format.label()),
            label: format.label(),
            url: r.link(&url(r, scope, format)),
            media_type: format.media_type(),
        })
        .collect()
}

/// The URL of a feed: `/atom.xml`, `/topics/sanctions/rss.xml`.
fn url(r: &Renderer, scope: FeedScope, format: FeedFormat) -> String {
    routes::feed(&home(r, scope), format.file_name())
}

/// The URL of the listing a feed belongs to.
fn home(r: &Renderer, scope: FeedScope) -> String {
    match scope {
        FeedScope::Site => routes::home(),
        FeedScope::Term { taxonomy, term } => r.term_url(taxonomy, term),
    }
}

fn title(r: &Renderer, scope: FeedScope) -> String {
    match scope {
        FeedScope::Site => r.config.title.clone(),
        FeedScope::Term { taxonomy, term } => format!(
            "{} — {}",
            r.index.taxonomies[taxonomy].terms[term].name, r.config.title
        ),
    }
}

/// Rewrites root-relative links of article HTML (` href="/…"`, ` src="/…"`) to absolute ones,
/// as feed readers need.
fn absolute_links(r: &Renderer, html: &str) -> String {
    let origin = r.links.origin();
    let mut out = String::with_capacity(html.len() + 512);
    let mut copied = 0;
    // Found by their `="/`, then checked for the attribute before it.
    for at in memchr::memmem::find_iter(html.as_bytes(), "=\"/") {
        let before = &html[..at];
        if before.ends_with(" href") || before.ends_with(" src") {
            out.push_str(&html[copied..at + 2]);
            out.push_str(origin);
            copied = at + 2;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// What the feeds show of an article, made once for all the feeds that show it.
#[derive(Default)]
pub(super) struct FeedArticle {
    /// Its body, when feeds carry whole articles.
    pub(super) body: OnceLock<Result<FeedBody, Diagnostic>>,
    /// Its Atom and RSS entry, as a template value.
    entry: OnceLock<Result<Value, Diagnostic>>,
}

/// An article's body as its page shows it and as the feeds that carry it whole need it: made
/// once for every feed (an article is in the feeds of the site and of each of its terms, in
/// every format) rather than by each feed.
pub(super) struct FeedBody {
    /// The HTML as its page shows it, when it was made for the feeds (the HTML an article kept
    /// from reading is lent to its page instead).
    pub(super) html: Option<String>,
    /// The HTML with absolute links as a template value, for Atom and RSS.
    xml: Option<Value>,
    /// The HTML with absolute links as a JSON string, for JSON Feed.
    json: Option<Box<RawValue>>,
}

impl FeedBody {
    /// The feed forms of `html`, for the formats the site has.
    pub(super) fn new(r: &Renderer, html: Cow<str>) -> FeedBody {
        let absolute = absolute_links(r, &html);
        let formats = &r.config.feeds;
        let xml = formats
            .iter()
            .any(|f| matches!(f, FeedFormat::Atom | FeedFormat::Rss))
            .then(|| Value::from(absolute.as_str()));
        let json = formats
            .contains(&FeedFormat::Json)
            .then(|| serde_json::value::to_raw_value(&absolute).ok())
            .flatten();
        FeedBody {
            html: match html {
                Cow::Owned(html) => Some(html),
                Cow::Borrowed(_) => None,
            },
            xml,
            json,
        }
    }
}

/// What a feed carries of article `i`: the whole article or its summary, with absolute links.
enum Content<'r> {
    /// The whole article, in the forms made once for every feed.
    Body(&'r FeedBody),
    /// HTML made for this feed.
    Html(String),
}

/// Article `i`'s [`Content`] in feeds.
fn content<'r>(r: &'r Renderer, i: usize) -> Result<Content<'r>, Diagnostic> {
    Ok(match (r.config.feed_content, r.feed_body(i)) {
        (ArticleText::Full, Some(body)) => Content::Body(body?),
        (ArticleText::Full, None) => Content::Html(absolute_links(r, &r.body_html(i)?)),
        (ArticleText::Summary, _) => {
            Content::Html(absolute_links(r, r.articles[i].body.summary_html()))
        }
    })
}

/// [`content`] for Atom and RSS.
fn xml_content(r: &Renderer, i: usize) -> Result<FeedText, Diagnostic> {
    Ok(match content(r, i)? {
        Content::Body(FeedBody { xml: Some(xml), .. }) => FeedText::Shared(xml.clone()),
        Content::Body(_) => FeedText::Text(absolute_links(r, &r.body_html(i)?)),
        Content::Html(html) => FeedText::Text(html),
    })
}

/// [`content`] for JSON Feed.
fn json_content<'r>(r: &'r Renderer, i: usize) -> Result<JsonText<'r>, Diagnostic> {
    Ok(match content(r, i)? {
        Content::Body(FeedBody {
            json: Some(json), ..
        }) => JsonText::Encoded(json),
        Content::Body(_) => JsonText::Text(absolute_links(r, &r.body_html(i)?)),
        Content::Html(html) => JsonText::Text(html),
    })
}

/// A JSON Feed 1.1 document. Its fields are in the order `serde_json` gave its maps' keys when
/// the feed was written from a map (alphabetical), so that feeds keep their bytes.
#[derive(Serialize)]
struct JsonFeed<'a> {
    description: &'a str,
    feed_url: String,
    home_page_url: String,
    items: Vec<JsonItem<'a>>,
    language: &'a str,
    title: String,
    version: &'static str,
}

/// Items of [`JsonFeed`].
#[derive(Serialize)]
struct JsonItem<'a> {
    authors: Vec<JsonAuthor<'a>>,
    content_html: JsonText<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    date_published: String,
    id: String,
    summary: &'a str,
    tags: Vec<&'a str>,
    title: &'a str,
    url: String,
}

/// Items of [`JsonItem`]'s authors.
#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

/// An item's content: encoded once for all feeds, or made for this one.
#[derive(Serialize)]
#[serde(untagged)]
enum JsonText<'a> {
    Encoded(&'a RawValue),
    Text(String),
}

/// The names of article `i`'s terms, at most [`FEED_CATEGORIES`] per taxonomy, with their
/// taxonomy's position.
fn terms<'r>(r: &'r Renderer, i: usize) -> impl Iterator<Item = (usize, usize)> + 'r {
    r.index.article_terms[i]
        .iter()
        .enumerate()
        .flat_map(|(t, terms)| {
            terms
                .iter()
                .take(FEED_CATEGORIES)
                .map(move |&term| (t, term))
        })
}

/// Article `i` as an Atom and RSS entry, made once for all the feeds that hold it.
fn entry_value(r: &Renderer, i: usize) -> Result<Value, Diagnostic> {
    let make = || entry(r, i).map(|entry| Value::from_serializable(&entry));
    match r.feed_articles.get(&i) {
        Some(article) => article.entry.get_or_init(make).clone(),
        None => make(),
    }
}

fn entry<'r>(r: &'r Renderer, i: usize) -> Result<FeedEntry<'r>, Diagnostic> {
    let a = &r.articles[i];
    let updated = a.meta.updated.unwrap_or(a.meta.date).instant;
    Ok(FeedEntry {
        title: &a.meta.title,
        permalink: r.permalink(&a.url),
        published: a.meta.date.instant.to_rfc3339(),
        published_rfc2822: content::rfc2822(&a.meta.date.instant),
        updated: updated.to_rfc3339(),
        authors: &a.meta.authors,
        categories: terms(r, i)
            .map(|(t, term)| {
                let taxonomy = &r.index.taxonomies[t];
                Category {
                    name: &taxonomy.terms[term].name,
                    taxonomy: &taxonomy.name,
                    url: r.permalink(&r.term_url(t, term)),
                }
            })
            .collect(),
        summary: &a.body.summary_text,
        content: xml_content(r, i)?,
    })
}

impl FeedPage {
    /// An Atom or RSS feed from its template.
    fn templated(&self, r: &Renderer, template: &str, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let ids = articles(r, self.scope);
        let updated = ids
            .iter()
            .map(|&i| {
                let m = &r.articles[i].meta;
                m.updated.unwrap_or(m.date).instant
            })
            .max();
        let entries = ids
            .iter()
            .map(|&i| entry_value(r, i))
            .collect::<Result<Vec<Value>, Diagnostic>>()?;
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", r.site.clone());
        ctx.insert(
            "feed",
            &FeedView {
                title: title(r, self.scope),
                description: &r.config.description,
                language: &r.config.language,
                url: r.permalink(&self.url(r)),
                home_url: r.permalink(&home(r, self.scope)),
                updated: updated.map(|u| u.to_rfc3339()),
                updated_rfc2822: updated.map(|u| content::rfc2822(&u)),
                author: r.config.author.as_deref().unwrap_or(&r.config.title),
                entries,
            },
        );
        r.theme.render(template, &ctx, out)
    }

    /// A JSON Feed 1.1 document.
    fn json_feed(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let items = articles(r, self.scope)
            .into_iter()
            .map(|i| {
                let a = &r.articles[i];
                Ok(JsonItem {
                    authors: a
                        .meta
                        .authors
                        .iter()
                        .map(|name| JsonAuthor { name })
                        .collect(),
                    content_html: json_content(r, i)?,
                    date_modified: a.meta.updated.map(|u| u.instant.to_rfc3339()),
                    date_published: a.meta.date.instant.to_rfc3339(),
                    id: r.permalink(&a.url),
                    summary: &a.body.summary_text,
                    tags: terms(r, i)
                        .map(|(t, term)| r.index.taxonomies[t].terms[term].name.as_str())
                        .collect(),
                    title: &a.meta.title,
                    url: r.permalink(&a.url),
                })
            })
            .collect::<Result<Vec<JsonItem>, Diagnostic>>()?;
        let feed = JsonFeed {
            description: &r.config.description,
            feed_url: r.permalink(&self.url(r)),
            home_page_url: r.permalink(&home(r, self.scope)),
            items,
            language: &r.config.language,
            title: title(r, self.scope),
            version: "https://jsonfeed.org/version/1.1",
        };
        // Writing into memory fails only on a value JSON cannot hold, which a feed has not.
        let _ = serde_json::to_writer_pretty(out, &feed);
        Ok(())
    }
}

impl Kind for FeedPage {
    fn url(&self, r: &Renderer) -> String {
        url(r, self.scope, self.format)
    }

    fn template(&self) -> Option<&'static str> {
        match self.format {
            FeedFormat::Atom => Some("atom.xml"),
            FeedFormat::Rss => Some("rss.xml"),
            FeedFormat::Json => None,
        }
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        match self.format {
            FeedFormat::Atom => self.templated(r, "atom.xml", out),
            FeedFormat::Rss => self.templated(r, "rss.xml", out),
            FeedFormat::Json => self.json_feed(r, out),
        }
    }

    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        if let FeedScope::Term { taxonomy, term } = self.scope {
            r.index.taxonomies[taxonomy].terms[term].name.hash(h);
        }
        for i in articles(r, self.scope) {
            inputs.hashes.page(i).hash(h);
        }
        true
    }

    fn sitemap(&self, _: &Renderer) -> Listed {
        Listed::No
    }

    fn article(&self) -> Option<usize> {
        None
    }
}
