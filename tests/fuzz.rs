//! Property tests ("fuzzing"): front matter parsing, Markdown rendering and slugs never panic,
//! whatever the input. CI runs a quick pass; a long run is one command (see README, "Fuzzing"):
//!
//!     PROPTEST_CASES=1000000 cargo test --release --test fuzz

use std::path::Path;

use annals::config::{RawHtml, SiteConfig};
use annals::content::parse_text;
use annals::markdown::{self, BodySource};
use annals::slug::slugify;
use proptest::prelude::*;

fn config() -> SiteConfig {
    SiteConfig::parse("base_url = \"https://example.org\"", Path::new("site.toml")).unwrap()
}

/// Parses a whole file and, when that works, renders its body.
fn parse_and_render(text: &str) {
    let config = config();
    if let Ok(article) = parse_text(text, Path::new("fuzz.md"), "fuzz.md".to_owned(), &config) {
        let source = BodySource {
            file: Path::new("fuzz.md"),
            first_line: article.body_line,
            raw_html: RawHtml::Sanitize,
        };
        let links = |rel: &str| (rel == "a.md").then(|| "/a/".to_owned());
        let mut body = markdown::analyze(&article.body, source, article.meta.summary.as_deref());
        let _ = body.resolve(Path::new("fuzz.md"), &links);
        let _ = markdown::render_html(&article.body, source, &links);
    }
}

/// Text made of the characters Markdown and front matter care about, plus some Unicode.
fn markdownish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\n".to_owned()),
            Just("+++".to_owned()),
            Just("---".to_owned()),
            Just("<!-- more -->".to_owned()),
            Just("[a](@/a.md)".to_owned()),
            Just("[b](@/missing.md#x)".to_owned()),
            Just("[^1]".to_owned()),
            Just("[^1]: note".to_owned()),
            Just("| a | b |\n|---|---|".to_owned()),
            Just("```".to_owned()),
            Just("<script>".to_owned()),
            Just("\r\n".to_owned()),
            Just("\u{feff}".to_owned()),
            "[#*_>\\-`~\\[\\]()!|{}:=\"' \t]{1,4}",
            "[a-zA-Z0-9 ]{1,8}",
            "\\PC{1,3}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

/// A front matter key line: valid keys with odd values, and unknown keys.
fn front_matter_line() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("title"),
        Just("date"),
        Just("updated"),
        Just("slug"),
        Just("summary"),
        Just("topics"),
        Just("countries"),
        Just("authors"),
        Just("draft"),
        Just("aliases"),
        Just("extra"),
        Just("topic"),
    ];
    let value = prop_oneof![
        Just("\"Côte d'Ivoire\"".to_owned()),
        Just("2024-02-30".to_owned()),
        Just("2024-06-19T02:50:00+09:00".to_owned()),
        Just("\"2024-06-19\"".to_owned()),
        Just("[\"a\", \"  b  \", \"\"]".to_owned()),
        Just("[1, 2]".to_owned()),
        Just("true".to_owned()),
        Just("{ x = 1 }".to_owned()),
        Just("\"../..\"".to_owned()),
        "\"[^\"\\\\\n]{0,12}\"",
        "[0-9a-z:\\-\\[\\]{}.]{0,10}",
    ];
    (key, value).prop_map(|(k, v)| format!("{k} = {v}\n"))
}

proptest! {
    #[test]
    fn any_text_parses_or_fails_without_panicking(text in "\\PC{0,400}") {
        parse_and_render(&text);
    }

    #[test]
    fn toml_articles_parse_or_fail_without_panicking(
        lines in proptest::collection::vec(front_matter_line(), 0..8),
        body in markdownish(),
    ) {
        parse_and_render(&format!("+++\n{}+++\n{body}", lines.concat()));
    }

    #[test]
    fn yaml_articles_parse_or_fail_without_panicking(
        lines in proptest::collection::vec(front_matter_line(), 0..8),
        body in markdownish(),
    ) {
        let yaml = lines.concat().replace(" = ", ": ");
        parse_and_render(&format!("---\n{yaml}---\n{body}"));
    }

    #[test]
    fn valid_articles_always_render(title in "\\PC{1,40}", body in markdownish()) {
        let text = format!("+++\ntitle = {}\ndate = 2024-01-01\nslug = \"s\"\n+++\n{body}", toml_string(&title));
        let config = config();
        if title.trim().is_empty() {
            return Ok(());
        }
        let article = parse_text(&text, Path::new("fuzz.md"), "fuzz.md".to_owned(), &config);
        prop_assert!(article.is_ok(), "{:?}", article.err());
        parse_and_render(&text);
    }

    #[test]
    fn slugs_are_lowercase_words_and_dashes(text in "\\PC{0,80}") {
        let slug = slugify(&text);
        prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
    }
}

fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
