//! Markdown bodies to HTML: the article text, its summary, its word count, and `@/` links
//! between articles resolved to URLs.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};
use serde::{Deserialize, Serialize};

use crate::config::RawHtml;
use crate::diagnostics::{Diagnostic, line_col};
use crate::hash::{StableHasher, stable_hash};
use crate::slug::slugify;
use crate::text;

/// Whether raw HTML is the marker that ends a hand-picked summary: `<!-- more -->`, also
/// written `<!--more-->` (as Hugo does) or with other spacing.
pub fn is_more_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim() == "more")
}

/// Words a reader reads in a minute, for reading times.
const WORDS_PER_MINUTE: usize = 200;

/// What listings, feeds and fingerprints need of an article body. The body's HTML is not part of
/// it: article pages render it again from the file when they are written ([`render_html`]), or
/// take it from a [`PendingHtml`] that small archives keep, so that a large build holds only this
/// much of each article.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArticleBody {
    /// The summary as HTML with its links set by [`ArticleBody::resolve`], when that changed
    /// it: most summaries have no links, and keeping them once matters at a million articles.
    #[serde(skip)]
    summary_resolved: Option<String>,
    /// The summary as read, with placeholders for the links that depend on URLs: `@/` links,
    /// and links relative to the article's own URL (to images of its page bundle, say).
    summary_source: String,
    /// The same summary as plain text (for meta descriptions and feeds).
    pub summary_text: String,
    /// Words in the body.
    pub word_count: usize,
    /// A hash of the body and of the URLs its `@/` links lead to, to tell cheaply whether pages
    /// showing the body need rendering again. Set by [`ArticleBody::resolve`].
    pub digest: u64,
    /// The `@/` links of the body, so that a change to their targets can re-render it.
    pub links: Vec<BodyLink>,
    /// A hash of the Markdown and the summary.
    source_hash: u64,
}

/// An `@/` link in a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyLink {
    /// The destination as written, without `@/`: `2024/putin.md#reactions`.
    pub dest: String,
    /// Its line in the file.
    pub line: usize,
    /// Its column.
    pub column: usize,
}

impl BodyLink {
    /// The content path of the article the link leads to (`2024/putin.md`; a page bundle's
    /// folder `2016/mir/` gives `2016/mir/index.md`).
    pub fn target(&self) -> String {
        let path = self.dest.split('#').next().unwrap_or_default();
        if path.ends_with(".md") {
            path.to_owned()
        } else {
            format!(
                "{}/{}",
                path.trim_end_matches('/'),
                crate::content::BUNDLE_ARTICLE
            )
        }
    }
}

impl ArticleBody {
    /// Minutes a reader needs, at least one.
    pub fn reading_time(&self) -> usize {
        self.word_count.div_ceil(WORDS_PER_MINUTE).max(1)
    }

    /// The summary as HTML: front matter `summary`, else the text before `<!-- more -->`, else
    /// the first paragraph, with its links as [`ArticleBody::resolve`] set them.
    pub fn summary_html(&self) -> &str {
        self.summary_resolved
            .as_deref()
            .unwrap_or(&self.summary_source)
    }

    /// The content paths of the articles the body links to with `@/`.
    pub fn links_to(&self) -> impl Iterator<Item = String> + '_ {
        self.links.iter().map(BodyLink::target)
    }

    /// Resolves the links of the summary: `@/` links with `links` (which gives the URL of the
    /// article at a content path), relative ones against `here`, the article's own root-relative
    /// URL. Sets the digest too. A link to a missing article is an error at its line of `file`.
    pub fn resolve(
        &mut self,
        file: &Path,
        links: &LinkResolver,
        here: &str,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut urls = Vec::with_capacity(self.links.len());
        let mut digest = StableHasher::default();
        self.source_hash.hash(&mut digest);
        for link in &self.links {
            let Some(url) = resolve_link(&link.dest, links) else {
                errors.push(missing_link(file, link.line, link.column, link));
                continue;
            };
            url.hash(&mut digest);
            urls.push(url);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.summary_resolved = fill_placeholders(&self.summary_source, &urls, here);
        self.digest = digest.finish();
        Ok(())
    }
}

/// An article body's HTML made while it was read, before any URL is known: its `@/` links and
/// the links relative to its own page hold placeholders until [`PendingHtml::resolve`].
#[derive(Debug)]
pub struct PendingHtml {
    html: String,
    /// Whether `html` holds a placeholder: most bodies have none, and need no search for one.
    placeholders: bool,
}

impl PendingHtml {
    /// The HTML [`render_html`] gives: `body`'s `@/` links resolved with `links`, relative ones
    /// against `here`, the article's own root-relative URL. `None` if a link leads to no article
    /// (which `render_html` reports). `body` is what the same reading pass made.
    pub fn resolve(
        &self,
        body: &ArticleBody,
        links: &LinkResolver,
        here: &str,
    ) -> Option<Cow<'_, str>> {
        if !self.placeholders {
            return Some(Cow::Borrowed(&self.html));
        }
        let urls: Vec<String> = body
            .links
            .iter()
            .map(|link| resolve_link(&link.dest, links))
            .collect::<Option<_>>()?;
        Some(
            fill_placeholders(&self.html, &urls, here)
                .map_or(Cow::Borrowed(&self.html), Cow::Owned),
        )
    }
}

/// `html` with the placeholders of its `href` and `src` attributes filled: `@/` link `n` with
/// `urls[n]`, a relative link resolved against `here`. `None` if it has none.
fn fill_placeholders(html: &str, urls: &[String], here: &str) -> Option<String> {
    let mut filled: Option<String> = None;
    let (mut copied, mut from) = (0, 0);
    // Found by their `@`, which a byte search finds fast; HTML has few of them.
    while let Some(found) = html[from..].find('@') {
        let at = from + found;
        from = at + 1;
        let before = &html[..at];
        if !html[at..].starts_with(PLACEHOLDER)
            || !(before.ends_with("href=\"") || before.ends_with("src=\""))
        {
            continue;
        }
        let end = html[at..].find('"').map_or(html.len(), |e| at + e);
        let written = &html[at..end];
        let url = if let Some(n) = written.strip_prefix(LINK_PLACEHOLDER) {
            match n.parse::<usize>().ok().and_then(|n| urls.get(n)) {
                Some(url) => escape_href(url),
                None => continue,
            }
        } else if let Some(dest) = written.strip_prefix(HERE_PLACEHOLDER) {
            join(here, dest)
        } else {
            continue;
        };
        let out = filled.get_or_insert_with(|| String::with_capacity(html.len() + 64));
        out.push_str(&html[copied..at]);
        out.push_str(&url);
        (copied, from) = (end, end);
    }
    let mut out = filled?;
    out.push_str(&html[copied..]);
    Some(out)
}

/// What every link placeholder starts with.
const PLACEHOLDER: &str = "@annals-";

/// Where an `@/` link goes until it is resolved: this and the link's number.
const LINK_PLACEHOLDER: &str = "@annals-link-";

/// What a relative link starts with until it is resolved against the article's URL.
/// Made only of characters that HTML escaping and sanitizing leave as they are.
const HERE_PLACEHOLDER: &str = "@annals-here/";

/// Whether a link destination is relative to the page it is on (`flow.svg`, `../x/`), not
/// root-relative, a fragment, an `@/` link or a URL with a scheme.
pub fn is_relative(dest: &str) -> bool {
    let scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    !(dest.is_empty() || dest.starts_with(['/', '#', '?']) || dest.starts_with("@/") || scheme)
}

/// A relative link resolved against `here`, a root-relative URL (`/news/2016/mir/`), giving a
/// root-relative one with `.` and `..` resolved (`/news/2016/mir/flow.svg`).
pub fn join(here: &str, dest: &str) -> String {
    let base = url::Url::parse("http://site.invalid/").and_then(|root| root.join(here));
    match base.and_then(|base| base.join(dest)) {
        Ok(url) => url[url::Position::BeforePath..].to_owned(),
        Err(_) => format!("{here}{dest}"),
    }
}

/// Gives the URL of the article at a content path (`2024/putin.md`), if there is one.
pub type LinkResolver<'a> = dyn Fn(&str) -> Option<String> + Sync + 'a;

fn missing_link(file: &Path, line: usize, column: usize, link: &BodyLink) -> Diagnostic {
    Diagnostic::at(
        file,
        line,
        Some(column),
        format!(
            "the link `@/{}` points at content/{}, which is not an article",
            link.dest,
            link.target()
        ),
    )
}

fn escape_href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut out, url);
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Where a body comes from (to report errors at their place in the file), and what to do with
/// its raw HTML.
#[derive(Debug, Clone, Copy)]
pub struct BodySource<'a> {
    /// The Markdown file.
    pub file: &'a Path,
    /// The file line on which the body starts.
    pub first_line: usize,
    /// What happens to raw HTML in the Markdown.
    pub raw_html: RawHtml,
}

/// The sanitizer for `raw_html = "sanitize"`: ammonia's safe defaults, plus what rendered
/// Markdown itself needs (heading ids, footnote and task-list markup).
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_generic_attributes(["id", "class"])
            .add_tags(["input", "sup", "section"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .link_rel(None);
        builder
    })
}

/// A link or image destination as a body writes it, with its place in the file.
struct Written<'d> {
    dest: &'d str,
    line: usize,
    column: usize,
}

/// What a pass over a body collects besides its links and raw HTML.
#[derive(Debug, Clone, Copy)]
struct Collect {
    /// The events, to render.
    events: bool,
    /// The number of words.
    words: bool,
    /// The [`search_text`].
    text: bool,
}

/// What a pass over a body collected (see [`Collect`]; what was not asked for is empty).
struct Collected<'a> {
    events: Vec<Event<'a>>,
    words: usize,
    text: String,
}

/// The events of a body (when `collect.events`), with heading ids and raw HTML treated as
/// `source` asks. Every link and image destination is handed to `link`, which may give another
/// one, and raw HTML kept as HTML to `raw`, with its line. Also gives the number of words and
/// the search text when `collect` asks for them.
fn body_events<'a>(
    body: &'a str,
    source: BodySource,
    collect: Collect,
    mut link: impl FnMut(Written) -> Option<String>,
    mut raw: impl FnMut(&str, usize),
) -> Collected<'a> {
    let mut events: Vec<Event> = Vec::new();
    let mut word_count = 0;
    let mut text = String::with_capacity(if collect.text { body.len() } else { 0 });
    // Lines are counted from the previous link on, not from the start for every link.
    let mut counted = (0, 1);
    let mut place = |start: usize| {
        let (line, column) = match body.get(counted.0..start) {
            Some(between) => {
                let line = counted.1 + between.matches('\n').count();
                counted = (start, line);
                let before = &body[..start];
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                (line, before[line_start..].chars().count() + 1)
            }
            None => line_col(body, start),
        };
        (source.first_line + line - 1, column)
    };
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if collect.text {
            push_search_text(&mut text, &event, source.raw_html);
        }
        let event = match event {
            // An e-mail autolink (`<name@example.org>`) is written out as `mailto:` and the
            // address: no URL to resolve.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => event,
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (line, column) = place(range.start);
                let written = Written {
                    dest: &dest_url,
                    line,
                    column,
                };
                let dest_url = link(written).map_or(dest_url, CowStr::from);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (line, column) = place(range.start);
                let written = Written {
                    dest: &dest_url,
                    line,
                    column,
                };
                let dest_url = link(written).map_or(dest_url, CowStr::from);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Text(ref text) if collect.words => {
                word_count += count_words(text);
                event
            }
            Event::Html(html) | Event::InlineHtml(html)
                if source.raw_html == RawHtml::Escape && !is_more_marker(&html) =>
            {
                Event::Text(html)
            }
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                raw(html, place(range.start).0);
                event
            }
            other => other,
        };
        if collect.events {
            events.push(event);
        }
    }
    add_heading_ids(&mut events);
    Collected {
        events,
        words: word_count,
        text: if collect.text {
            text::clean_owned(text)
        } else {
            text
        },
    }
}

/// Reads an article's body for what listings need of it, without keeping its HTML. `summary` is
/// the front matter summary, if any. The `@/` links stay unresolved until
/// [`ArticleBody::resolve`].
pub fn analyze(body: &str, source: BodySource, summary: Option<&str>) -> ArticleBody {
    analyze_keeping(body, source, summary, Keep::default()).0
}

/// What a reading pass that keeps a body makes of it besides its [`ArticleBody`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Keep {
    /// Its [`search_text`].
    pub search_text: bool,
    /// Its HTML, as a [`PendingHtml`].
    pub html: bool,
}

/// What [`analyze_keeping`] made that [`Keep`] asked for.
#[derive(Debug, Default)]
pub struct Kept {
    /// The body's [`search_text`].
    pub search_text: Option<String>,
    /// The body's HTML, to be resolved when URLs are known.
    pub html: Option<PendingHtml>,
}

/// [`analyze`], also making in the same pass what `keep` asks for.
pub fn analyze_keeping(
    body: &str,
    source: BodySource,
    summary: Option<&str>,
    keep: Keep,
) -> (ArticleBody, Kept) {
    let mut links: Vec<BodyLink> = Vec::new();
    let mut placeholders = false;
    let Collected {
        events,
        words: word_count,
        text,
    } = body_events(
        body,
        source,
        Collect {
            // With a summary in front matter, no event is needed after the parse unless the
            // HTML is kept.
            events: summary.is_none() || keep.html,
            words: true,
            text: keep.search_text,
        },
        |written| {
            // Placeholders are made only of characters that HTML escaping and sanitizing leave as
            // they are, so that `fill_placeholders` finds them in the HTML.
            let placeholder = if let Some(dest) = written.dest.strip_prefix("@/") {
                links.push(BodyLink {
                    dest: dest.to_owned(),
                    line: written.line,
                    column: written.column,
                });
                Some(format!("{LINK_PLACEHOLDER}{}", links.len() - 1))
            } else {
                is_relative(written.dest).then(|| format!("{HERE_PLACEHOLDER}{}", written.dest))
            };
            placeholders |= placeholder.is_some();
            placeholder
        },
        |_, _| {},
    );
    let (summary_html, summary_text) = match summary {
        Some(summary) => (
            format!("<p>{}</p>", escape_html(summary)),
            summary.to_owned(),
        ),
        None => {
            let events = summary_events(&events);
            (
                to_html(events.iter().cloned(), body.len() / 4),
                plain_text(&events),
            )
        }
    };
    let summary_html = finish_html(summary_html, source.raw_html);
    let summary_text = text::clean_owned(summary_text);
    let kept = Kept {
        search_text: keep.search_text.then_some(text),
        html: keep.html.then(|| PendingHtml {
            html: page_html(events, body.len(), source.raw_html),
            placeholders,
        }),
    };
    let body = ArticleBody {
        source_hash: stable_hash((body, &summary_html)),
        summary_resolved: None,
        summary_source: summary_html,
        summary_text,
        word_count,
        digest: 0,
        links,
    };
    (body, kept)
}

/// A whole body's events (of `markdown_len` bytes of Markdown) as the HTML its page shows.
fn page_html(events: Vec<Event>, markdown_len: usize, raw_html: RawHtml) -> String {
    finish_html(to_html(events.into_iter(), markdown_len * 3 / 2), raw_html)
}

/// Rendered HTML as pages show it: sanitized if raw HTML is, and without the characters HTML
/// and XML forbid, which character references (`&#8;`) can still give.
fn finish_html(html: String, raw_html: RawHtml) -> String {
    let html = match raw_html {
        RawHtml::Sanitize => sanitizer().clean(&html).to_string(),
        _ => html,
    };
    text::clean_owned(html)
}

/// How many words (runs of characters other than whitespace) `text` has: what
/// `text.split_whitespace().count()` gives, without splitting. ASCII is taken 64 bytes at a time
/// in a loop without branches, which the compiler vectorises; other text a character at a time.
fn count_words(text: &str) -> usize {
    const BLOCK: usize = 64;
    // What `char::is_whitespace` holds of ASCII: space, tab, line feed, vertical tab, form feed,
    // carriage return.
    let ascii_space = |byte: u8| matches!(byte, b' ' | b'\t'..=b'\r');
    let bytes = text.as_bytes();
    let (mut words, mut in_word, mut at) = (0, false, 0);
    while at < bytes.len() {
        let end = (at + BLOCK).min(bytes.len());
        let block = &bytes[at..end];
        if block.len() == BLOCK && block.is_ascii() {
            let mut space = [false; BLOCK];
            for (flag, &byte) in space.iter_mut().zip(block) {
                *flag = ascii_space(byte);
            }
            words += usize::from(!in_word && !space[0]);
            words += space
                .windows(2)
                .map(|pair| usize::from(pair[0] & !pair[1]))
                .sum::<usize>();
            in_word = !space[BLOCK - 1];
            at = end;
            continue;
        }
        // A character at a time to the end of the block (or of the character that crosses it).
        while at < end {
            let byte = bytes[at];
            let space = if byte.is_ascii() {
                at += 1;
                ascii_space(byte)
            } else {
                let c = text[at..].chars().next().unwrap_or(' ');
                at += c.len_utf8();
                c.is_whitespace()
            };
            words += usize::from(!space && !in_word);
            in_word = !space;
        }
    }
    words
}

/// The words of a body as a reader sees them, for the search index: text, code, image
/// descriptions and the text of raw HTML (markup removed), separated by spaces. No HTML is
/// rendered, and links need no resolving; the spaces are not collapsed, as only the words count.
pub fn search_text(body: &str, raw_html: RawHtml) -> String {
    let mut text = String::with_capacity(body.len());
    for event in Parser::new_ext(body, options()) {
        push_search_text(&mut text, &event, raw_html);
    }
    text::clean_owned(text)
}

/// Adds what `event` gives to a [`search_text`].
fn push_search_text(text: &mut String, event: &Event, raw_html: RawHtml) {
    match event {
        Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
            text.push_str(t)
        }
        Event::Html(html) | Event::InlineHtml(html) => match raw_html {
            RawHtml::Escape => text.push_str(html),
            _ if is_more_marker(html) => {}
            _ => text.push_str(&crate::html::text(html)),
        },
        Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
        _ => {}
    }
}

/// Renders an article's body to HTML, resolving `@/` links with `links` and relative ones
/// against `here`, the article's own root-relative URL; a link to a missing article is an error
/// at its line.
pub fn render_html(
    body: &str,
    source: BodySource,
    links: &LinkResolver,
    here: &str,
) -> Result<String, Vec<Diagnostic>> {
    Ok(render(body, source, links, here)?.0)
}

/// Where every link and image of a rendered body leads (its `href` or `src`), with the file line
/// it was written on; links inside raw HTML get the line where that HTML starts.
pub fn link_lines(
    body: &str,
    source: BodySource,
    links: &LinkResolver,
    here: &str,
) -> Result<LinkLines, Vec<Diagnostic>> {
    Ok(render(body, source, links, here)?.1)
}

/// Where the links and images of a rendered body lead (`href` or `src`), each with the file line
/// it was written on.
pub type LinkLines = Vec<(String, usize)>;

/// The body's HTML, and where its links lead with their lines.
fn render(
    body: &str,
    source: BodySource,
    links: &LinkResolver,
    here: &str,
) -> Result<(String, LinkLines), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let mut raw_lines = Vec::new();
    let Collected { events, .. } = body_events(
        body,
        source,
        Collect {
            events: true,
            words: false,
            text: false,
        },
        |written| {
            let url = if let Some(dest) = written.dest.strip_prefix("@/") {
                let url = resolve_link(dest, links);
                if url.is_none() {
                    let link = BodyLink {
                        dest: dest.to_owned(),
                        line: written.line,
                        column: written.column,
                    };
                    errors.push(missing_link(source.file, link.line, link.column, &link));
                }
                url
            } else {
                is_relative(written.dest).then(|| join(here, written.dest))
            };
            lines.push((
                url.clone().unwrap_or_else(|| written.dest.to_owned()),
                written.line,
            ));
            url
        },
        |html, line| {
            raw_lines.extend(
                crate::html::links(html)
                    .into_iter()
                    .map(|link| (link, line)),
            );
        },
    );
    lines.append(&mut raw_lines);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((page_html(events, body.len(), source.raw_html), lines))
}

fn to_html<'a>(events: impl Iterator<Item = Event<'a>>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    html::push_html(&mut out, events);
    out
}

/// `2024/putin.md#reactions` (an `@/` link without its `@/`) to the article's URL with the
/// fragment kept.
fn resolve_link(target: &str, links: &LinkResolver) -> Option<String> {
    let (path, fragment) = target
        .split_once('#')
        .map_or((target, None), |(p, f)| (p, Some(f)));
    let url = links(path)?;
    Some(match fragment {
        Some(fragment) => format!("{url}#{fragment}"),
        None => url,
    })
}

/// The events of the summary: those before `<!-- more -->`, else the first top-level paragraph.
/// A marker inside a list, quote or table ends the summary there, with what is open closed.
fn summary_events<'a>(events: &[Event<'a>]) -> Vec<Event<'a>> {
    if let Some(marker) = events
        .iter()
        .position(|e| matches!(e, Event::Html(h) | Event::InlineHtml(h) if is_more_marker(h)))
    {
        let mut summary = events[..marker].to_vec();
        let mut open = Vec::new();
        for event in &summary {
            match event {
                Event::Start(tag) => open.push(tag.to_end()),
                Event::End(_) => {
                    open.pop();
                }
                _ => {}
            }
        }
        summary.extend(open.into_iter().rev().map(Event::End));
        return summary;
    }
    let mut depth = 0usize;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
                    .map_or(events.len(), |j| i + j + 1);
                return events[i..end].to_vec();
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Vec::new()
}

/// The readable text of some events, with breaks as spaces and footnote marks left out.
fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Gives every heading without an explicit `{#id}` an id from its text, unique in the article.
fn add_heading_ids(events: &mut [Event]) {
    let mut used: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    for i in 0..events.len() {
        let Event::Start(Tag::Heading { id: None, .. }) = &events[i] else {
            continue;
        };
        let end = events[i..]
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
            .map_or(events.len(), |j| i + j);
        let base = match slugify(&plain_text(&events[i + 1..end])) {
            s if s.is_empty() => "section".to_owned(),
            s => s,
        };
        let mut candidate = base.clone();
        let mut n = 1;
        while used.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        used.insert(candidate.clone());
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
            *id = Some(CowStr::from(candidate));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use super::*;
    use crate::config::SiteConfig;
    use crate::content::{ParsedArticle, parse_file};

    #[test]
    fn words_are_counted_as_whitespace_splits_them() {
        for text in [
            "",
            "   ",
            "one",
            " two  words ",
            "tab\tand\nnewline\r\n",
            "no\u{a0}break\u{3000}ideographic\u{2009}thin\u{85}next",
            "Café — “quoted” 日本語 ok",
            "\u{b}vertical\u{c}feed\u{1c}separator\u{1f}unit",
        ] {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
        // Across and inside the 64-byte blocks: runs of ASCII words and spaces of every length,
        // with characters of several bytes (white space or not) at every offset.
        let ascii = ["word", " ", "\n\t", "x", "  ", "ab\r\n"];
        for seed in 0..300usize {
            let mut text = String::new();
            let mut n = seed;
            while text.len() < 64 * 3 + seed % 64 {
                text.push_str(ascii[n % ascii.len()]);
                n = n / 3 + seed + text.len();
            }
            for other in ["", "é", "\u{3000}", "日本", "\u{85}"] {
                let mut text = text.clone();
                text.insert_str(seed % text.len(), other);
                for start in [0, 1, 2, 3] {
                    let part = text.get(start..).unwrap_or_default();
                    assert_eq!(
                        count_words(part),
                        part.split_whitespace().count(),
                        "{part:?}"
                    );
                }
            }
        }
        // Every character up to U+3100 (all white space is below), between words and alone.
        for c in (0..0x3100).filter_map(char::from_u32) {
            for text in [format!("a{c}b"), format!("{c}"), format!("x{c}{c}é{c}")] {
                assert_eq!(
                    count_words(&text),
                    text.split_whitespace().count(),
                    "{text:?}"
                );
            }
        }
    }

    fn article(text: &str) -> ParsedArticle {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, text).unwrap();
        let config =
            SiteConfig::parse("base_url = \"https://example.org\"", Path::new("site.toml"))
                .unwrap();
        parse_file(&path, dir.path(), &config).unwrap()
    }

    #[test]
    fn the_reading_pass_gives_the_search_text_a_second_pass_would() {
        let bodies = [
            "Plain *emphasis*, `code` and a [link](@/2024/b.md \"title\").\n\nSecond\nline.",
            "Intro.\n\n<!-- more -->\n\n<div class=\"x\">Raw <b>HTML</b> &amp; text</div>\n",
            "# Heading {#id}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- item\n",
            "Footnote[^1] and ~~gone~~ $x$ ![alt text](pic.png)\n\n[^1]: The note.\n",
            "Control\u{0B}character and <span>inline</span> HTML\u{1}.\n",
        ];
        for raw_html in [RawHtml::Keep, RawHtml::Escape, RawHtml::Sanitize] {
            let source = BodySource {
                file: Path::new("a.md"),
                first_line: 1,
                raw_html,
            };
            for body in bodies {
                let keep = Keep {
                    search_text: true,
                    html: false,
                };
                let (read, kept) = analyze_keeping(body, source, None, keep);
                let text = kept.search_text.unwrap();
                assert_eq!(text, search_text(body, raw_html), "{body:?} {raw_html:?}");
                assert_eq!(read.word_count, analyze(body, source, None).word_count);
            }
        }
    }

    #[test]
    fn the_reading_pass_gives_the_html_a_second_pass_would() {
        let bodies = [
            "See [b](@/2024/b.md), [its part](@/2024/b.md#x \"t\") and [b again](@/2024/b.md).\n",
            "![chart](flow chart.svg) [pdf](files/a&b's.pdf?x=1&y=2#p) [up](../other/) [é](café.png)\n",
            "# Title\n\n## Title\n\n[abs](/about/) [frag](#title) [web](https://example.org/a?b=c)\n",
            "Raw <a href=\"rel.html\">html</a> and <img src=\"pic.png\">.\n\n<!-- more -->\n\nMore.\n",
            "Footnote[^1] and an image link [![i](i.png)](@/2024/b.md).\n\n[^1]: See [here](x/).\n",
            "Text with @annals-link-0 and href=\"@annals-here/x\" written out.\n",
            "Write to <news@example.org> or <https://example.org/x>.\n",
        ];
        let links = links();
        let resolver = |rel: &str| links.get(rel).cloned();
        for raw_html in [RawHtml::Keep, RawHtml::Escape] {
            let source = BodySource {
                file: Path::new("a.md"),
                first_line: 1,
                raw_html,
            };
            for here in ["/2024/01/01/t/", "/news/2024/été/"] {
                for body in bodies {
                    let keep = Keep {
                        search_text: false,
                        html: true,
                    };
                    let (read, kept) = analyze_keeping(body, source, None, keep);
                    let pending = kept.html.unwrap();
                    let html = pending.resolve(&read, &resolver, here);
                    let again = render_html(body, source, &resolver, here).unwrap();
                    assert_eq!(
                        html.as_deref(),
                        Some(again.as_str()),
                        "{body:?} {raw_html:?}"
                    );
                }
            }
        }
        let source = BodySource {
            file: Path::new("a.md"),
            first_line: 1,
            raw_html: RawHtml::Keep,
        };
        let keep = Keep {
            search_text: false,
            html: true,
        };
        let (read, kept) = analyze_keeping("[gone](@/2024/gone.md)", source, None, keep);
        assert_eq!(kept.html.unwrap().resolve(&read, &resolver, "/t/"), None);
    }

    fn render(
        a: &ParsedArticle,
        links: &HashMap<String, String>,
    ) -> Result<(ArticleBody, String), Vec<Diagnostic>> {
        let source = BodySource {
            file: &a.meta.source,
            first_line: a.body_line,
            raw_html: RawHtml::Keep,
        };
        let resolver = |rel: &str| links.get(rel).cloned();
        let mut body = analyze(&a.body, source, a.meta.summary.as_deref());
        body.resolve(&a.meta.source, &resolver, "/2024/01/01/t/")?;
        let html = render_html(&a.body, source, &resolver, "/2024/01/01/t/")?;
        Ok((body, html))
    }

    fn links() -> HashMap<String, String> {
        HashMap::from([("2024/b.md".to_owned(), "/2024/06/19/b/".to_owned())])
    }

    #[test]
    fn a_summary_resolves_its_images_as_well_as_its_links() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nSee ![b's chart](@/2024/b.md) and [b](@/2024/b.md).\n",
        );
        let (r, html) = render(&a, &links()).unwrap();
        let summary = r.summary_html();
        assert!(summary.contains("src=\"/2024/06/19/b/\""), "{summary}");
        assert!(summary.contains("href=\"/2024/06/19/b/\""), "{summary}");
        assert!(!summary.contains(PLACEHOLDER), "{summary}");
        assert!(html.contains("src=\"/2024/06/19/b/\""), "{html}");
    }

    #[test]
    fn renders_extensions_ids_and_links() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nFirst \"para\" with [b](@/2024/b.md#x).\n\n## Intro\n\n## Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ note[^1]\n\n[^1]: A footnote.\n\nMail <desk@example.org>.\n",
        );
        let (r, html) = render(&a, &links()).unwrap();
        assert!(html.contains("href=\"/2024/06/19/b/#x\""), "{html}");
        assert!(html.contains("href=\"mailto:desk@example.org\""), "{html}");
        assert!(html.contains("<h2 id=\"intro\">"), "{html}");
        assert!(html.contains("<h2 id=\"intro-1\">"), "{html}");
        assert!(html.contains("<table>"));
        assert!(html.contains("<del>old</del>"));
        assert!(html.contains("checkbox"));
        assert!(html.contains("footnote"));
        assert!(html.contains("“para”"), "{html}");
        assert_eq!(r.summary_text, "First “para” with b.");
        assert!(
            r.summary_html()
                .starts_with("<p>First “para” with <a href=\"/2024/06/19/b/#x\">"),
            "{}",
            r.summary_html()
        );
        assert_eq!(r.links_to().collect::<Vec<_>>(), ["2024/b.md"]);
    }

    #[test]
    fn more_marker_and_front_matter_summary() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nOne.\n\nTwo.\n\n<!-- more -->\n\nThree.\n",
        );
        let (r, _) = render(&a, &links()).unwrap();
        assert_eq!(r.summary_text, "One. Two.");
        let b = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\nsummary = \"<b>Bold</b> claim\"\n+++\nBody.\n",
        );
        let (r, _) = render(&b, &links()).unwrap();
        assert_eq!(r.summary_html(), "<p>&lt;b&gt;Bold&lt;/b&gt; claim</p>");
        assert_eq!(r.word_count, 1);
        assert_eq!(r.reading_time(), 1);
    }

    #[test]
    fn a_more_marker_inside_a_list_or_quote_closes_what_it_opened() {
        for (body, ends) in [
            ("- one\n- two <!-- more -->\n- three\n", "</li>\n</ul>\n"),
            (
                "> quoted\n>\n> <!-- more -->\n>\n> rest\n",
                "</blockquote>\n",
            ),
            (
                "1. a\n\n   > deep\n   > <!-- more -->\n",
                "</blockquote>\n</li>\n</ol>\n",
            ),
            (
                "| a | b |\n|---|---|\n| 1 <!-- more --> | 2 |\n",
                "</table>\n",
            ),
        ] {
            let a = article(&format!(
                "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\n{body}"
            ));
            let (r, _) = render(&a, &links()).unwrap();
            assert!(
                r.summary_html().ends_with(ends),
                "{body:?} gave {:?}",
                r.summary_html()
            );
            let opened = r.summary_html().matches("<li>").count()
                + r.summary_html().matches("<blockquote>").count();
            let closed = r.summary_html().matches("</li>").count()
                + r.summary_html().matches("</blockquote>").count();
            assert_eq!(opened, closed, "{body:?} gave {:?}", r.summary_html());
        }
    }

    #[test]
    fn the_more_marker_may_be_written_as_hugo_writes_it() {
        for marker in ["<!-- more -->", "<!--more-->", "<!--  more\t-->"] {
            let a = article(&format!(
                "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nOne.\n\nTwo.\n\n{marker}\n\nThree.\n"
            ));
            let (r, _) = render(&a, &links()).unwrap();
            assert_eq!(r.summary_text, "One. Two.", "{marker}");
        }
        assert!(!is_more_marker("<!-- more than this -->"));
    }

    #[test]
    fn character_references_to_control_characters_are_dropped() {
        let a = article("+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nA&#8;B &#x1B;C &#11;D\n");
        let (r, html) = render(&a, &links()).unwrap();
        assert_eq!(r.summary_text, "AB C D");
        assert!(!html.chars().any(text::is_forbidden), "{html:?}");
    }

    #[test]
    fn the_digest_follows_link_targets_and_summaries_resolve_their_links_again() {
        let a =
            article("+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nSee [b](@/2024/b.md).\n\nMore.\n");
        let source = BodySource {
            file: &a.meta.source,
            first_line: a.body_line,
            raw_html: RawHtml::Keep,
        };
        let read = analyze(&a.body, source, None);
        let resolved = |url: &'static str| {
            let mut body = read.clone();
            body.resolve(&a.meta.source, &|_: &str| Some(url.to_owned()), "/t/")
                .unwrap();
            body
        };
        let (here, there) = (resolved("/b/"), resolved("/moved/"));
        assert_ne!(here.digest, there.digest);
        assert!(here.summary_html().contains("href=\"/b/\""));
        assert!(there.summary_html().contains("href=\"/moved/\""));
        // What a cache keeps is the reading before links were resolved.
        let kept: ArticleBody =
            postcard::from_bytes(&postcard::to_allocvec(&here).unwrap()).unwrap();
        let mut again = kept.clone();
        again
            .resolve(&a.meta.source, &|_: &str| Some("/again/".to_owned()), "/t/")
            .unwrap();
        assert!(
            again.summary_html().contains("href=\"/again/\""),
            "{}",
            again.summary_html()
        );
    }

    #[test]
    fn relative_links_and_images_lead_beside_the_article() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nSee ![the flow](flow.svg), [the data](data/table.csv?x=1&y=2), [up](../other/), [top](#top), [mail](mailto:a@b.org) and [root](/x/).\n",
        );
        let source = BodySource {
            file: &a.meta.source,
            first_line: a.body_line,
            raw_html: RawHtml::Sanitize,
        };
        let resolver = |_: &str| None;
        let mut body = analyze(&a.body, source, None);
        body.resolve(&a.meta.source, &resolver, "/news/2016/03/04/mir/")
            .unwrap();
        let html = render_html(&a.body, source, &resolver, "/news/2016/03/04/mir/").unwrap();
        for text in [body.summary_html(), &html] {
            assert!(
                text.contains("src=\"/news/2016/03/04/mir/flow.svg\""),
                "{text}"
            );
            assert!(
                text.contains("href=\"/news/2016/03/04/mir/data/table.csv?x=1&amp;y=2\""),
                "{text}"
            );
            assert!(text.contains("href=\"/news/2016/03/04/other/\""), "{text}");
            assert!(text.contains("href=\"#top\""), "{text}");
            assert!(text.contains("href=\"mailto:a@b.org\""), "{text}");
            assert!(text.contains("href=\"/x/\""), "{text}");
        }
        let lines = link_lines(&a.body, source, &resolver, "/news/2016/03/04/mir/").unwrap();
        assert_eq!(lines[0], ("/news/2016/03/04/mir/flow.svg".to_owned(), 5));
    }

    #[test]
    fn summary_links_resolve_when_sanitized() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nSee [o](@/2024/o'brien.md) & [b](@/2024/b%20c.md).\n",
        );
        let source = BodySource {
            file: &a.meta.source,
            first_line: a.body_line,
            raw_html: RawHtml::Sanitize,
        };
        let mut body = analyze(&a.body, source, None);
        body.resolve(
            &a.meta.source,
            &|rel: &str| Some(format!("/to/{}/", rel.len())),
            "/t/",
        )
        .unwrap();
        assert!(
            !body.summary_html().contains("@/"),
            "{}",
            body.summary_html()
        );
    }

    #[test]
    fn missing_link_target_names_file_and_line() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nIntro [b](@/2024/b.md).\n\nSee [gone](@/2023/gone.md) and\n«é» [lost](@/lost.md).\n",
        );
        let errs = render(&a, &links()).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!((errs[0].line, errs[0].column), (Some(7), Some(5)));
        assert_eq!((errs[1].line, errs[1].column), (Some(8), Some(5)));
        assert!(
            errs[0].message.contains("content/2023/gone.md"),
            "{}",
            errs[0].message
        );
    }
}
