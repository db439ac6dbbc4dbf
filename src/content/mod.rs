//! Articles: finding the Markdown files under `content/`, reading their front matter, and giving
//! each one its URL.
//!
//! The stage runs in three steps: [`discover`] lists the files, [`parse_file`] reads one file into a
//! [`ParsedArticle`] (front matter checked, body still Markdown), and [`assign_urls`] gives every
//! article its URL and rejects two articles that would land on the same one.

mod dates;
mod discover;
mod front_matter;

use std::collections::HashMap;
use std::path::PathBuf;

pub use dates::ArticleDate;
pub use discover::{discover, is_article_name, is_ignored};
pub use front_matter::{parse_file, parse_text};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::markdown::RenderedBody;

/// What the front matter of an article says, checked and normalized.
#[derive(Debug, Clone)]
pub struct ArticleMeta {
    /// The Markdown file.
    pub source: PathBuf,
    /// The file's path relative to `content/`, with `/` separators (`2024/putin.md`).
    pub rel_path: String,
    /// The headline.
    pub title: String,
    /// When the article was published, in the offset it was written with.
    pub date: ArticleDate,
    /// When it was last updated, if ever.
    pub updated: Option<ArticleDate>,
    /// The last segment of its URL.
    pub slug: String,
    /// A summary written in front matter (plain text).
    pub summary: Option<String>,
    /// Bylines, in order.
    pub authors: Vec<String>,
    /// The article's terms for each taxonomy of `site.toml`, in that order.
    pub terms: Vec<Vec<TermName>>,
    /// Unpublished unless the build asks for drafts.
    pub draft: bool,
    /// Former URLs of the article.
    pub aliases: Vec<String>,
    /// The free `[extra]` table, for templates.
    pub extra: serde_json::Value,
}

/// A term as an article names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermName {
    /// As written, trimmed, with runs of white space folded to one space.
    pub name: String,
    /// Its slug: what makes two spellings one term.
    pub slug: String,
}

/// An article whose front matter is read and checked; its body is still Markdown.
#[derive(Debug, Clone)]
pub struct ParsedArticle {
    /// The front matter.
    pub meta: ArticleMeta,
    /// The Markdown after the front matter.
    pub body: String,
    /// The line of the file on which `body` starts, to report positions in the file.
    pub body_line: usize,
}

/// An article with its URL, ready for Markdown rendering.
#[derive(Debug, Clone)]
pub struct LocatedArticle {
    /// The parsed article.
    pub parsed: ParsedArticle,
    /// Its URL below the site's base path, like `/2024/06/19/putin-in-pyongyang/`.
    pub url: String,
}

/// Fills the `article_path` pattern of `config` for one article.
pub fn article_url(config: &SiteConfig, meta: &ArticleMeta) -> String {
    let day = meta.date.local_date();
    config
        .article_path
        .replace("{year}", &day.format("%Y").to_string())
        .replace("{month}", &day.format("%m").to_string())
        .replace("{day}", &day.format("%d").to_string())
        .replace("{slug}", &meta.slug)
}

/// Gives every article its URL. Two articles with the same URL are an error naming both files.
pub fn assign_urls(
    config: &SiteConfig,
    articles: Vec<ParsedArticle>,
) -> Result<Vec<LocatedArticle>, Vec<Diagnostic>> {
    let mut by_url: HashMap<String, PathBuf> = HashMap::with_capacity(articles.len());
    let mut errors = Vec::new();
    let mut located = Vec::with_capacity(articles.len());
    for parsed in articles {
        let url = article_url(config, &parsed.meta);
        if let Some(other) = by_url.get(&url) {
            errors.push(Diagnostic::new(
                &parsed.meta.source,
                format!(
                    "this article and {} both have the URL {url}; give one of them another `slug`",
                    other.display()
                ),
            ));
            continue;
        }
        by_url.insert(url.clone(), parsed.meta.source.clone());
        located.push(LocatedArticle { parsed, url });
    }
    if errors.is_empty() {
        Ok(located)
    } else {
        Err(errors)
    }
}

/// A finished article: front matter, URL and rendered body.
#[derive(Debug, Clone)]
pub struct Article {
    /// What the front matter says.
    pub meta: ArticleMeta,
    /// Its URL below the site's base path.
    pub url: String,
    /// The rendered body, summary and word count.
    pub body: RenderedBody,
}
