//! Feeds: Atom and RSS from the `atom.xml` and `rss.xml` templates, JSON Feed 1.1 directly.
//!
//! The site has one feed per format and, with `term_feeds`, so has every taxonomy term. Entries
//! are built when a feed is rendered, so a feed costs only its `feed_limit` newest articles.

use serde_json::json;
use tera::Value;

use super::{FeedScope, Page, Renderer, map, opt, text};
use crate::config::{ArticleText, FeedFormat};
use crate::content;
use crate::diagnostics::Diagnostic;

/// Categories per feed entry and taxonomy, at most (an article with thousands of terms must not
/// make every feed it is in that large).
const FEED_CATEGORIES: usize = 50;

impl Renderer<'_> {
    /// Whose feeds the site has: the site's, then each term's (when `term_feeds`).
    pub(super) fn feed_scopes(&self) -> Vec<FeedScope> {
        let mut scopes = vec![FeedScope::Site];
        if self.config.term_feeds {
            for (taxonomy, t) in self.index.taxonomies.iter().enumerate() {
                scopes.extend((0..t.terms.len()).map(|term| FeedScope::Term { taxonomy, term }));
            }
        }
        scopes
    }

    /// Every feed page: the site's, then each term's.
    pub(super) fn feed_pages(&self) -> Vec<Page> {
        self.feed_scopes()
            .into_iter()
            .flat_map(|scope| {
                self.config
                    .feeds
                    .iter()
                    .map(move |&format| Page::Feed { scope, format })
            })
            .collect()
    }

    /// The URL path of a feed: `/atom.xml`, `/topics/sanctions/rss.xml`.
    pub(super) fn feed_path(&self, scope: FeedScope, format: FeedFormat) -> String {
        let dir = match scope {
            FeedScope::Site => "/".to_owned(),
            FeedScope::Term { taxonomy, term } => self.term_path(taxonomy, term),
        };
        format!("{dir}{}", format.file_name())
    }

    /// `[{title, url, type}]` for `<link rel="alternate">` to a scope's feeds.
    pub(super) fn feed_links(&self, scope: FeedScope) -> Value {
        if matches!(scope, FeedScope::Term { .. }) && !self.config.term_feeds {
            return Value::from(Vec::<Value>::new());
        }
        let title = self.feed_title(scope);
        let links: Vec<Value> = self
            .config
            .feeds
            .iter()
            .map(|&format| {
                map([
                    (
                        "title",
                        Value::from(format!("{title} ({})", format.label())),
                    ),
                    ("label", text(format.label())),
                    (
                        "url",
                        Value::from(self.link(&self.feed_path(scope, format))),
                    ),
                    ("type", text(format.media_type())),
                ])
            })
            .collect();
        Value::from(links)
    }

    fn feed_title(&self, scope: FeedScope) -> String {
        match scope {
            FeedScope::Site => self.config.title.clone(),
            FeedScope::Term { taxonomy, term } => format!(
                "{} — {}",
                self.index.taxonomies[taxonomy].terms[term].name, self.config.title
            ),
        }
    }

    /// The articles of a feed, newest first, at most `feed_limit`.
    pub(super) fn feed_articles(&self, scope: FeedScope) -> Vec<usize> {
        let limit = self.config.feed_limit;
        match scope {
            FeedScope::Site => (0..self.articles.len().min(limit)).collect(),
            FeedScope::Term { taxonomy, term } => self.index.taxonomies[taxonomy].terms[term]
                .articles
                .iter()
                .take(limit)
                .copied()
                .collect(),
        }
    }

    /// The HTML page a feed belongs to.
    fn feed_home(&self, scope: FeedScope) -> String {
        match scope {
            FeedScope::Site => self.permalink("/"),
            FeedScope::Term { taxonomy, term } => self.permalink(&self.term_path(taxonomy, term)),
        }
    }

    /// Rewrites root-relative links of article HTML to absolute ones, as feed readers need.
    fn absolute_links(&self, html: &str) -> String {
        let origin = self
            .config
            .base_url_trimmed()
            .strip_suffix(self.config.base_path())
            .unwrap_or(self.config.base_url_trimmed());
        html.replace(" href=\"/", &format!(" href=\"{origin}/"))
            .replace(" src=\"/", &format!(" src=\"{origin}/"))
    }

    fn entry_content(&self, i: usize) -> Result<String, Diagnostic> {
        Ok(match self.config.feed_content {
            ArticleText::Full => self.absolute_links(&self.body_html(i)?),
            ArticleText::Summary => self.absolute_links(&self.articles[i].body.summary_html),
        })
    }

    /// Renders one feed.
    pub(super) fn render_feed(
        &self,
        scope: FeedScope,
        format: FeedFormat,
    ) -> Result<String, Diagnostic> {
        let ids = self.feed_articles(scope);
        let updated = ids
            .iter()
            .map(|&i| {
                let m = &self.articles[i].meta;
                m.updated.unwrap_or(m.date).instant
            })
            .max();
        if format == FeedFormat::Json {
            return self.json_feed(scope, &ids);
        }
        let entries = ids
            .iter()
            .map(|&i| self.feed_entry(i))
            .collect::<Result<Vec<Value>, Diagnostic>>()?;
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.site.clone());
        ctx.insert_value(
            "feed",
            map([
                ("title", Value::from(self.feed_title(scope))),
                ("description", text(&self.config.description)),
                ("language", text(&self.config.language)),
                (
                    "url",
                    Value::from(self.permalink(&self.feed_path(scope, format))),
                ),
                ("home_url", Value::from(self.feed_home(scope))),
                ("updated", opt(updated.map(|u| u.to_rfc3339()))),
                (
                    "updated_rfc2822",
                    opt(updated.map(|u| content::rfc2822(&u))),
                ),
                (
                    "author",
                    text(self.config.author.as_deref().unwrap_or(&self.config.title)),
                ),
                ("entries", Value::from(entries)),
            ]),
        );
        let template = match format {
            FeedFormat::Rss => "rss.xml",
            _ => "atom.xml",
        };
        self.theme.render(template, &ctx)
    }

    fn feed_entry(&self, i: usize) -> Result<Value, Diagnostic> {
        let a = &self.articles[i];
        let updated = a.meta.updated.unwrap_or(a.meta.date).instant;
        let categories: Vec<Value> = self.index.article_terms[i]
            .iter()
            .enumerate()
            .flat_map(|(t, terms)| {
                terms.iter().take(FEED_CATEGORIES).map(move |&term| {
                    let taxonomy = &self.index.taxonomies[t];
                    map([
                        ("name", text(&taxonomy.terms[term].name)),
                        ("taxonomy", text(&taxonomy.name)),
                        ("url", Value::from(self.permalink(&self.term_path(t, term)))),
                    ])
                })
            })
            .collect();
        let authors: Vec<Value> = a.meta.authors.iter().map(|s| text(s)).collect();
        Ok(map([
            ("title", text(&a.meta.title)),
            ("permalink", Value::from(self.permalink(&a.url))),
            ("published", Value::from(a.meta.date.instant.to_rfc3339())),
            (
                "published_rfc2822",
                Value::from(content::rfc2822(&a.meta.date.instant)),
            ),
            ("updated", Value::from(updated.to_rfc3339())),
            ("authors", Value::from(authors)),
            ("categories", Value::from(categories)),
            ("summary", text(&a.body.summary_text)),
            // A plain (not "safe") string: the XML templates escape it as element text.
            ("content", Value::from(self.entry_content(i)?)),
        ]))
    }

    /// A JSON Feed 1.1 document.
    fn json_feed(&self, scope: FeedScope, ids: &[usize]) -> Result<String, Diagnostic> {
        let items =
            ids.iter()
                .map(|&i| {
                    let a = &self.articles[i];
                    let tags: Vec<&str> = self.index.article_terms[i]
                        .iter()
                        .enumerate()
                        .flat_map(|(t, terms)| {
                            terms.iter().take(FEED_CATEGORIES).map(move |&term| {
                                self.index.taxonomies[t].terms[term].name.as_str()
                            })
                        })
                        .collect();
                    let authors: Vec<serde_json::Value> = a
                        .meta
                        .authors
                        .iter()
                        .map(|name| json!({ "name": name }))
                        .collect();
                    let mut item = json!({
                        "id": self.permalink(&a.url),
                        "url": self.permalink(&a.url),
                        "title": a.meta.title,
                        "content_html": self.entry_content(i)?,
                        "summary": a.body.summary_text,
                        "date_published": a.meta.date.instant.to_rfc3339(),
                        "authors": authors,
                        "tags": tags,
                    });
                    if let Some(updated) = a.meta.updated {
                        item["date_modified"] = json!(updated.instant.to_rfc3339());
                    }
                    Ok(item)
                })
                .collect::<Result<Vec<serde_json::Value>, Diagnostic>>()?;
        let feed = json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed_title(scope),
            "home_page_url": self.feed_home(scope),
            "feed_url": self.permalink(&self.feed_path(scope, FeedFormat::Json)),
            "description": self.config.description,
            "language": self.config.language,
            "items": items,
        });
        Ok(serde_json::to_string_pretty(&feed).unwrap_or_default())
    }
}
