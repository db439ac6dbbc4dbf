//! WordPress post bodies to Markdown: Gutenberg block comments dropped, the shortcodes with an
//! Annals equivalent converted (`[caption]`, `[embed]`, `[code]`), the paragraph rules of
//! WordPress' `wpautop` applied to classic-editor text, then HTML to Markdown with htmd (what it
//! cannot say in Markdown stays HTML).

use std::sync::LazyLock;

use htmd::HtmlToMarkdown;
use htmd::options::{Options, TranslationMode};
use regex::{Captures, Regex};

use crate::markdown::escape_html;

/// A converted body.
#[derive(Debug, Default)]
pub(crate) struct Converted {
    /// The body in Markdown.
    pub markdown: String,
    /// Shortcodes Annals has no equivalent for, kept as text: their names.
    pub unknown_shortcodes: Vec<String>,
}

/// Block-level elements: `wpautop` never wraps them in a paragraph.
const BLOCKS: &str = "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|script|object|video|audio";

static GUTENBERG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--\s*/?wp:[^>]*?-->").expect("valid"));
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)\[(?:caption|wp_caption)([^\]]*)\](.*?)\[/(?:caption|wp_caption)\]")
        .expect("valid")
});
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))"#).expect("valid")
});
static EMBED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)\[embed[^\]]*\](.*?)\[/embed\]|\[(?:youtube|vimeo)[= ]([^\]\s]+)[^\]]*\]")
        .expect("valid")
});
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)\[(code|sourcecode)([^\]]*)\](.*?)\[/(?:code|sourcecode)\]").expect("valid")
});
static SHORTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[(/?)([a-z][a-z0-9_-]*)([^\]\n]*)\]").expect("valid"));
static PRE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<pre[\s>].*?</pre>").expect("valid"));
static BLOCK_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)(<(?:{BLOCKS})[\s/>])")).expect("valid"));
static BLOCK_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)(</(?:{BLOCKS})>)")).expect("valid"));
static STARTS_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^</?(?:{BLOCKS})[\s/>]")).expect("valid"));
static BLANK_LINES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\n\s*\n").expect("valid"));

/// Shortcodes so common in WordPress exports that they are reported even without attributes.
const KNOWN: &[&str] = &[
    "gallery",
    "audio",
    "video",
    "playlist",
    "embed",
    "tweet",
    "googlemaps",
    "soundcloud",
    "instagram",
    "contact-form",
    "contact-form-7",
    "wpvideo",
    "slideshow",
];

/// Converts a WordPress post body (`content:encoded`) to Markdown.
pub(crate) fn wordpress_markdown(html: &str) -> Converted {
    let html = html.replace("\r\n", "\n");
    let classic = !GUTENBERG.is_match(&html);
    let html = GUTENBERG.replace_all(&html, "");
    let html = code_blocks(&html);
    let mut figures = Vec::new();
    let html = captions(&html, &mut figures);
    let html = embeds(&html);
    let unknown_shortcodes = unknown_shortcodes(&html);
    let html = if classic { autop(&html) } else { html };
    let mut markdown = to_markdown(&html);
    for (n, figure) in figures.iter().enumerate() {
        markdown = markdown.replacen(&figure_placeholder(n), figure, 1);
    }
    Converted {
        markdown,
        unknown_shortcodes,
    }
}

/// HTML to Markdown, keeping as HTML what Markdown cannot say.
pub(crate) fn to_markdown(html: &str) -> String {
    static CONVERTER: LazyLock<HtmlToMarkdown> = LazyLock::new(|| {
        HtmlToMarkdown::builder()
            .options(Options {
                translation_mode: TranslationMode::Faithful,
                bullet_list_marker: htmd::options::BulletListMarker::Dash,
                ul_bullet_spacing: 1,
                ol_number_spacing: 1,
                ..Options::default()
            })
            .skip_tags(vec!["script", "style"])
            .build()
    });
    let markdown = CONVERTER.convert(html).unwrap_or_else(|_| html.to_owned());
    // Faithful mode writes the line breaks between kept HTML tags as `&#10;`: plain ones read
    // better and mean the same there.
    let markdown = markdown.replace("\n&#10;", "\n");
    let mut out = String::with_capacity(markdown.len() + 1);
    for line in markdown.lines() {
        let line = &table_delimiter(line);
        out.push_str(
            line.trim_end_matches([' ', '\t'])
                .trim_end_matches('\u{a0}'),
        );
        // htmd writes a hard line break as two trailing spaces; keep it as a backslash.
        if line.ends_with("  ") && !line.trim().is_empty() {
            out.push('\\');
        }
        out.push('\n');
    }
    out.trim().to_owned() + "\n"
}

/// A table's delimiter row with its empty cells given dashes (htmd leaves a cell of an empty
/// column blank, which stops Markdown from seeing a table); other lines as they are.
fn table_delimiter(line: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = line.trim();
    let Some(inner) = trimmed.strip_prefix('|').and_then(|l| l.strip_suffix('|')) else {
        return line.into();
    };
    let cells: Vec<&str> = inner.split('|').collect();
    let dashes = |c: &str| {
        let c = c.trim().trim_matches(':');
        !c.is_empty() && c.chars().all(|ch| ch == '-')
    };
    if !cells.iter().any(|c| dashes(c)) || !cells.iter().all(|c| dashes(c) || c.trim().is_empty()) {
        return line.into();
    }
    let fixed: Vec<&str> = cells
        .iter()
        .map(|c| if c.trim().is_empty() { " --- " } else { c })
        .collect();
    format!("|{}|", fixed.join("|")).into()
}

/// The value of the attribute `name` in a shortcode's attribute text.
fn attr(attrs: &str, name: &str) -> Option<String> {
    ATTR.captures_iter(attrs)
        .find(|c| c[1].eq_ignore_ascii_case(name))
        .and_then(|c| c.get(2).or(c.get(3)).or(c.get(4)))
        .map(|m| m.as_str().to_owned())
}

/// The paragraph that stands for the `n`th figure until the body is Markdown.
fn figure_placeholder(n: usize) -> String {
    format!("ANNALSFIGURE{n}X")
}

/// `[caption]` → a `<figure>` with a `<figcaption>` (the caption is what follows the image, or
/// the `caption` attribute of older exports), written on one line so that Markdown keeps it as
/// an HTML block; each is left as a placeholder paragraph in the HTML and pushed to `figures`.
fn captions(html: &str, figures: &mut Vec<String>) -> String {
    CAPTION
        .replace_all(html, |c: &Captures| {
            let inner = c[2].trim();
            let split = inner
                .rfind("</a>")
                .map(|i| i + 4)
                .or_else(|| inner.rfind("/>").map(|i| i + 2))
                .or_else(|| inner.rfind('>').map(|i| i + 1))
                .unwrap_or(0);
            let (media, text) = inner.split_at(split);
            let text = Some(text.trim().to_owned())
                .filter(|t| !t.is_empty())
                .or_else(|| attr(&c[1], "caption"))
                .unwrap_or_default();
            let media = media.trim().replace('\n', " ");
            if text.is_empty() {
                return format!("\n\n<p>{media}</p>\n\n");
            }
            let text = text.replace('\n', " ");
            figures.push(format!(
                "<figure>{media}<figcaption>{text}</figcaption></figure>"
            ));
            format!("\n\n<p>{}</p>\n\n", figure_placeholder(figures.len() - 1))
        })
        .into_owned()
}

/// `[embed]URL[/embed]`, `[youtube URL]` → a link to the URL.
fn embeds(html: &str) -> String {
    EMBED
        .replace_all(html, |c: &Captures| {
            let url = c.get(1).or(c.get(2)).map_or("", |m| m.as_str()).trim();
            let url = escape_html(url);
            format!("\n\n<p><a href=\"{url}\">{url}</a></p>\n\n")
        })
        .into_owned()
}

/// `[code lang="x"]…[/code]`, `[sourcecode language="x"]…[/sourcecode]` → a code block.
fn code_blocks(html: &str) -> String {
    CODE.replace_all(html, |c: &Captures| {
        let lang = attr(&c[2], "lang")
            .or_else(|| attr(&c[2], "language"))
            .filter(|l| {
                l.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '+')
            })
            .map(|l| format!(" class=\"language-{}\"", l.to_lowercase()))
            .unwrap_or_default();
        format!(
            "\n\n<pre><code{lang}>{}</code></pre>\n\n",
            escape_html(c[3].trim_matches('\n'))
        )
    })
    .into_owned()
}

/// Names of the shortcodes left: closed ones (`[x]…[/x]`), ones with attributes
/// (`[x id="1"]`) and well-known ones; a bracketed word such as "[sic]" is none.
fn unknown_shortcodes(html: &str) -> Vec<String> {
    let closed: Vec<&str> = SHORTCODE
        .captures_iter(html)
        .filter(|c| &c[1] == "/")
        .map(|c| c.get(2).map_or("", |m| m.as_str()))
        .collect();
    let mut names = Vec::new();
    for c in SHORTCODE.captures_iter(html).filter(|c| c[1].is_empty()) {
        let name = &c[2];
        let shortcode = closed.contains(&name) || ATTR.is_match(&c[3]) || KNOWN.contains(&name);
        if shortcode && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// WordPress' `wpautop`: text separated by blank lines becomes paragraphs, single line breaks
/// become `<br>`, block-level elements stay as they are and `<pre>` is left alone.
fn autop(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut last = 0;
    for pre in PRE.find_iter(html) {
        out.push_str(&paragraphs(&html[last..pre.start()]));
        out.push_str("\n\n");
        out.push_str(pre.as_str());
        out.push_str("\n\n");
        last = pre.end();
    }
    out.push_str(&paragraphs(&html[last..]));
    out
}

/// `wpautop` on text without `<pre>`.
fn paragraphs(html: &str) -> String {
    let spaced = BLOCK_OPEN.replace_all(html, "\n\n$1");
    let spaced = BLOCK_CLOSE.replace_all(&spaced, "$1\n\n");
    let mut out = String::new();
    for chunk in BLANK_LINES.split(&spaced) {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        if STARTS_BLOCK.is_match(chunk) {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>"));
            out.push_str("</p>");
        }
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_text_gets_paragraphs_and_line_breaks() {
        let md = wordpress_markdown(
            "First line\nsecond line\n\nNext <em>para</em>.\n<ul>\n<li>a</li>\n</ul>\nAfter",
        )
        .markdown;
        assert!(
            md.starts_with("First line\\\nsecond line\n\nNext *para*.\n\n- a\n\nAfter"),
            "{md}"
        );
    }

    #[test]
    fn captions_become_figures_and_unknown_shortcodes_are_named() {
        let c = wordpress_markdown(
            "[caption id=\"a\" width=\"300\"]<img src=\"/p.jpg\" alt=\"P\" /> The port[/caption]\n\n[gallery ids=\"1,2\"] and [sic]",
        );
        assert!(
            c.markdown.starts_with("<figure><img src=\"/p.jpg\" alt=\"P\" /><figcaption>The port</figcaption></figure>\n\n"),
            "{}",
            c.markdown
        );
        assert_eq!(c.unknown_shortcodes, vec!["gallery"]);
    }

    #[test]
    fn tables_with_an_empty_column_stay_tables() {
        let md =
            to_markdown("<table><tr><th>A</th><th></th></tr><tr><td>1</td><td></td></tr></table>");
        let delimiter = md.lines().nth(1).unwrap_or_default();
        assert!(!delimiter.contains("|  |"), "{md}");
        let parser = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES);
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, parser);
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn code_shortcodes_become_fenced_code() {
        let md = wordpress_markdown("[code lang=\"rust\"]fn a() -> i32 { 1 < 2 }[/code]").markdown;
        assert!(md.contains("```rust\nfn a() -> i32 { 1 < 2 }\n```"), "{md}");
    }
}
