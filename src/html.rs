//! Reading HTML the way a browser does, with html5ever's tokenizer: the readable text of a
//! fragment (for the search index) and the links of a page (for `annals check`). Raw HTML from
//! other tools has single-quoted and unquoted attributes, upper-case names, entities and stray
//! `<` and `&`; a tokenizer made to the HTML standard reads them all as browsers do.

use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, CharacterTokens, EndTag, StartTag, TagToken, Token, TokenSink, TokenSinkResult,
    Tokenizer, TokenizerOpts,
};

/// Runs the tokenizer over `html`, handing every token to `sink`.
fn tokenize<S: TokenSink>(html: &str, sink: S) -> S {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    // Nothing in a sink here blocks the tokenizer (no script runs), so one feed reads it all.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink
}

/// What the tokenizer must read as raw text after a start tag, as the HTML tree builder would
/// tell it: script and style contents are not markup.
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "script" => Some(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" => Some(RawKind::Rawtext),
        "textarea" | "title" => Some(RawKind::Rcdata),
        _ => None,
    }
}

/// Elements whose text flows on with the words around them; every other tag separates words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "wbr"
    )
}

/// Collects the readable text of a fragment.
#[derive(Default)]
struct TextSink {
    text: RefCell<String>,
    /// Inside an element whose contents are not read (script, style, template).
    hidden: Cell<usize>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            CharacterTokens(text) if self.hidden.get() == 0 => {
                self.text.borrow_mut().push_str(&text)
            }
            TagToken(tag) => {
                let name: &str = &tag.name;
                let hidden = matches!(name, "script" | "style" | "template" | "noscript");
                match tag.kind {
                    StartTag if hidden && !tag.self_closing => {
                        self.hidden.set(self.hidden.get() + 1)
                    }
                    EndTag if hidden => self.hidden.set(self.hidden.get().saturating_sub(1)),
                    _ => {}
                }
                if !is_inline(name) {
                    self.text.borrow_mut().push(' ');
                }
                if tag.kind == StartTag
                    && let Some(kind) = raw_kind(name)
                {
                    return TokenSinkResult::RawData(kind);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The readable text of an HTML fragment: tags dropped (block elements and line breaks become
/// spaces), entities decoded, script and style contents left out, white space folded.
pub fn text(html: &str) -> String {
    let sink = tokenize(html, TextSink::default());
    let text = sink.text.into_inner();
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    folded
}

/// What links of a page lead to, and what they can lead to in it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The values of `href`, `src`, `srcset` and `action` attributes, in order, entities decoded.
    pub links: Vec<String>,
    /// The `id` attributes of its elements, and the `name` attributes of its `<a>` elements:
    /// what a `#fragment` can name.
    pub ids: Vec<String>,
}

/// Collects the URLs that links, images and forms of a page lead to, and its ids.
#[derive(Default)]
struct ScanSink {
    scan: RefCell<Scan>,
}

impl TokenSink for ScanSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let TagToken(tag) = token
            && tag.kind == StartTag
        {
            let mut scan = self.scan.borrow_mut();
            for attribute in &tag.attrs {
                match &*attribute.name.local {
                    "href" | "src" | "action" => scan.links.push(attribute.value.trim().to_owned()),
                    "srcset" => scan.links.extend(srcset_urls(&attribute.value)),
                    "id" => scan.ids.push(attribute.value.to_string()),
                    "name" if &*tag.name == "a" => scan.ids.push(attribute.value.to_string()),
                    _ => {}
                }
            }
            if let Some(kind) = raw_kind(&tag.name) {
                return TokenSinkResult::RawData(kind);
            }
        }
        TokenSinkResult::Continue
    }
}

/// The URLs of a `srcset` attribute: `a.jpg 1x, b.jpg 2x`.
fn srcset_urls(srcset: &str) -> impl Iterator<Item = String> + '_ {
    srcset
        .split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
        .map(str::to_owned)
}

/// The values of the `href`, `src`, `srcset` and `action` attributes of a page, in order, with
/// entities decoded.
pub fn links(html: &str) -> Vec<String> {
    scan(html).links
}

/// The links and ids of a page.
pub fn scan(html: &str) -> Scan {
    tokenize(html, ScanSink::default()).scan.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_drops_tags_and_decodes_entities() {
        assert_eq!(
            text("<p>Kim &amp; Putin &lt;3</p><p>“Hi” it&#39;s</p>"),
            "Kim & Putin <3 “Hi” it's"
        );
        assert_eq!(text("a & b &c"), "a & b &c");
        assert_eq!(
            text("<p>one<br>two</p><ul><li>three</li></ul>"),
            "one two three"
        );
        assert_eq!(
            text("in<em>line</em> <a href=\"x\">link</a>"),
            "inline link"
        );
        assert_eq!(
            text("<script>if (a<b) x();</script><style>p{}</style>kept"),
            "kept"
        );
    }

    #[test]
    fn text_survives_what_broke_a_hand_written_reader() {
        // A `&` or `<` just before multi-byte characters.
        assert_eq!(
            text("<p>A &gt;.</p>\n<p>It’s a result.</p>"),
            "A >. It’s a result."
        );
        assert_eq!(text("&é’’’’’’’’"), "&é’’’’’’’’");
        assert_eq!(text("a <é’’’’’ b"), "a <é’’’’’ b");
        assert_eq!(text("<"), "<");
        assert_eq!(text("&#x1F600; &#0; &bogus;"), "😀 \u{fffd} &bogus;");
    }

    #[test]
    fn ids_are_what_fragments_can_name() {
        let scan = scan(
            "<h2 id=later>L</h2><a name='old'>o</a><p name=\"no\">x</p><sup id=\"fnref:1\"><a href=\"#fn:1\">1</a></sup>",
        );
        assert_eq!(scan.ids, ["later", "old", "fnref:1"]);
        assert_eq!(scan.links, ["#fn:1"]);
    }

    #[test]
    fn links_of_every_quoting_style() {
        let html = "<a href=\"/a/\">a</a><A HREF='/b/?x=1&amp;y=2'>b</A><img src=/c.png srcset=\"/d.png 1x, /e.png 2x\"><form action=\"/f/\"></form><script>var s = '<a href=\"/no/\">';</script>";
        assert_eq!(
            links(html),
            ["/a/", "/b/?x=1&y=2", "/c.png", "/d.png", "/e.png", "/f/"]
        );
    }
}
