//! Markdown bodies to HTML: the article text, its summary, its word count, and `@/` links
//! between articles resolved to URLs.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use std::path::Path;

use crate::config::RawHtml;
use crate::diagnostics::{Diagnostic, line_col};
use crate::hash::stable_hash;
use crate::slug::slugify;

/// The marker that ends a hand-picked summary.
pub const MORE_MARKER: &str = "<!-- more -->";

/// Words a reader reads in a minute, for reading times.
const WORDS_PER_MINUTE: usize = 200;

/// An article body rendered to HTML, with what listings need of it.
#[derive(Debug, Clone, Default)]
pub struct RenderedBody {
    /// The whole body.
    pub html: String,
    /// The summary as HTML: front matter `summary`, else the text before `<!-- more -->`, else
    /// the first paragraph.
    pub summary_html: String,
    /// The same summary as plain text (for meta descriptions and feeds).
    pub summary_text: String,
    /// Words in the body.
    pub word_count: usize,
    /// A hash of the rendered HTML and summary, to tell cheaply whether pages showing the body
    /// need rendering again.
    pub digest: u64,
    /// The content paths this body links to with `@/` (`2024/putin.md`), so that a change to
    /// one of them can re-render this body.
    pub links_to: Vec<String>,
}

impl RenderedBody {
    /// Minutes a reader needs, at least one.
    pub fn reading_time(&self) -> usize {
        self.word_count.div_ceil(WORDS_PER_MINUTE).max(1)
    }
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

/// Renders an article's body. `summary` is the front matter summary, if any. `links` gives the URL
/// of the article at a content path (`2024/putin.md`), for `@/` links; a link to a missing article
/// is an error at its line.
pub fn render(
    body: &str,
    source: BodySource,
    summary: Option<&str>,
    links: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<RenderedBody, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut word_count = 0;
    let mut links_to = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with("@/") => {
                let target = dest_url[2..].split('#').next().unwrap_or_default();
                if !links_to.iter().any(|t| t == target) {
                    links_to.push(target.to_owned());
                }
                let dest_url = resolve_link(&dest_url, links).unwrap_or_else(|| {
                    let (line, column) = line_col(body, range.start);
                    errors.push(Diagnostic::at(
                        source.file,
                        source.first_line + line - 1,
                        Some(column),
                        format!(
                            "the link `{dest_url}` points at content/{target}, which is not an article"
                        ),
                    ));
                    dest_url.to_string()
                });
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest_url.into(),
                    title,
                    id,
                })
            }
            Event::Text(ref text) => {
                word_count += text.split_whitespace().count();
                event
            }
            Event::Html(html) | Event::InlineHtml(html)
                if source.raw_html == RawHtml::Escape && html.trim() != MORE_MARKER =>
            {
                Event::Text(html)
            }
            other => other,
        };
        events.push(event);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    add_heading_ids(&mut events);

    let (summary_html, summary_text) = match summary {
        Some(summary) => (
            format!("<p>{}</p>", escape_html(summary)),
            summary.to_owned(),
        ),
        None => {
            let events = summary_events(&events);
            (
                to_html(events.iter().cloned(), body.len() / 4),
                plain_text(events),
            )
        }
    };
    let mut html = to_html(events.into_iter(), body.len() * 3 / 2);
    let mut summary_html = summary_html;
    if source.raw_html == RawHtml::Sanitize {
        html = sanitizer().clean(&html).to_string();
        summary_html = sanitizer().clean(&summary_html).to_string();
    }
    Ok(RenderedBody {
        digest: stable_hash((&html, &summary_html)),
        html,
        summary_html,
        summary_text,
        word_count,
        links_to,
    })
}

fn to_html<'a>(events: impl Iterator<Item = Event<'a>>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    html::push_html(&mut out, events);
    out
}

/// `@/2024/putin.md#reactions` to the article's URL with the fragment kept.
fn resolve_link(dest: &str, links: &(dyn Fn(&str) -> Option<String> + Sync)) -> Option<String> {
    let target = &dest[2..];
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
fn summary_events<'e, 'a>(events: &'e [Event<'a>]) -> &'e [Event<'a>] {
    if let Some(marker) = events
        .iter()
        .position(|e| matches!(e, Event::Html(h) | Event::InlineHtml(h) if h.trim() == MORE_MARKER))
    {
        return &events[..marker];
    }
    let mut depth = 0usize;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
                    .map_or(events.len(), |j| i + j + 1);
                return &events[i..end];
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    &[]
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

    fn article(text: &str) -> ParsedArticle {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, text).unwrap();
        let config =
            SiteConfig::parse("base_url = \"https://example.org\"", Path::new("site.toml"))
                .unwrap();
        parse_file(&path, dir.path(), &config).unwrap()
    }

    fn render(
        a: &ParsedArticle,
        links: &HashMap<String, String>,
    ) -> Result<RenderedBody, Vec<Diagnostic>> {
        let source = BodySource {
            file: &a.meta.source,
            first_line: a.body_line,
            raw_html: RawHtml::Keep,
        };
        super::render(&a.body, source, a.meta.summary.as_deref(), &|rel| {
            links.get(rel).cloned()
        })
    }

    fn links() -> HashMap<String, String> {
        HashMap::from([("2024/b.md".to_owned(), "/2024/06/19/b/".to_owned())])
    }

    #[test]
    fn renders_extensions_ids_and_links() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nFirst \"para\" with [b](@/2024/b.md#x).\n\n## Intro\n\n## Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ note[^1]\n\n[^1]: A footnote.\n",
        );
        let r = render(&a, &links()).unwrap();
        assert!(r.html.contains("href=\"/2024/06/19/b/#x\""), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"intro\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"intro-1\">"), "{}", r.html);
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains("footnote"));
        assert!(r.html.contains("“para”"), "{}", r.html);
        assert_eq!(r.summary_text, "First “para” with b.");
        assert!(r.summary_html.starts_with("<p>First"));
    }

    #[test]
    fn more_marker_and_front_matter_summary() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nOne.\n\nTwo.\n\n<!-- more -->\n\nThree.\n",
        );
        let r = render(&a, &links()).unwrap();
        assert_eq!(r.summary_text, "One. Two.");
        let b = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\nsummary = \"<b>Bold</b> claim\"\n+++\nBody.\n",
        );
        let r = render(&b, &links()).unwrap();
        assert_eq!(r.summary_html, "<p>&lt;b&gt;Bold&lt;/b&gt; claim</p>");
        assert_eq!(r.word_count, 1);
        assert_eq!(r.reading_time(), 1);
    }

    #[test]
    fn missing_link_target_names_file_and_line() {
        let a = article(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\n+++\nIntro.\n\nSee [gone](@/2023/gone.md).\n",
        );
        let errs = render(&a, &links()).unwrap_err();
        assert_eq!(errs[0].line, Some(7));
        assert!(
            errs[0].message.contains("content/2023/gone.md"),
            "{}",
            errs[0].message
        );
    }
}
