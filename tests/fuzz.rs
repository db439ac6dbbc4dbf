//! Property tests ("fuzzing"): front matter parsing, Markdown rendering and slugs never panic,
//! whatever the input, and whole builds (search included) of sites made of arbitrary titles,
//! summaries, terms, dates, aliases and bodies either succeed with well-formed feeds and pages
//! or fail with errors about the input, never with a panic or an internal error. CI runs a quick
//! pass; a long run is one command (see README, "Fuzzing"):
//!
//!     PROPTEST_CASES=1000000 cargo test --release --test fuzz

use std::path::Path;

use annals::config::{RawHtml, SiteConfig};
use annals::content::parse_text;
use annals::markdown::{self, BodySource};
use annals::site::{self, BuildError, BuildOptions};
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
        let _ = body.resolve(Path::new("fuzz.md"), &links, "/fuzz/");
        let _ = markdown::render_html(&article.body, source, &links, "/fuzz/");
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
            Just("![i](img.png)".to_owned()),
            Just("[r](../x/?a=1&b=2#f)".to_owned()),
            Just("<a href='rel.html' SRC=x>raw</a>".to_owned()),
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

/// Text with what real archives hold: any printable character, control characters, invisible
/// and bidirectional marks, emoji sequences, entities, and now and then something very long.
fn wild_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => "\\PC{1,6}",
            1 => "[\\x00-\\x1F\\x7F\\u{85}\\u{FFFE}\\u{FFFF}]",
            1 => "[\\u{200B}\\u{200D}\\u{202E}\\u{2060}\\u{FEFF}\\u{00AD}]",
            1 => Just("🇰🇵👩‍👩‍👧".to_owned()),
            1 => Just("&amp; &#8; &#x1F600; &bogus; <b>".to_owned()),
            1 => Just("’“”".to_owned()),
            1 => Just("שלום مرحبا".to_owned()),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

/// A `date` or `updated` value: mostly good ones (edge offsets and years among them), now and
/// then an impossible, out of range or garbage one.
fn date_value() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => (1990u32..2030, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        40 => (1990u32..2030, 1u32..13, 1u32..29, 0u32..24, -12i32..15).prop_map(|(y, m, d, h, o)| {
            format!("{y}-{m:02}-{d:02}T{h:02}:30:00{o:+03}:00")
        }),
        2 => Just("0000-01-01T00:00:00+14:00".to_owned()),
        2 => Just("9999-12-31T23:59:59-12:00".to_owned()),
        1 => Just("\"-2024-06-19\"".to_owned()),
        1 => Just("\"+10000-01-01\"".to_owned()),
        1 => Just("\"2024-02-30\"".to_owned()),
        1 => "\"[0-9:T+\\- ]{0,25}\"",
    ]
}

/// A TOML string of `text`; control characters escaped when `escape`, else written raw (as text
/// pasted into a file has them).
fn quoted(text: &str, escape: bool) -> String {
    if escape {
        toml_string(text)
    } else {
        let mut quoted = toml_string(&text.replace(|c: char| c.is_control(), ""));
        quoted.insert_str(
            1,
            &text
                .chars()
                .filter(|c| c.is_control() && *c != '\n' && *c != '\r')
                .collect::<String>(),
        );
        quoted
    }
}

/// One article's file: arbitrary front matter values and body.
fn article_file() -> impl Strategy<Value = String> {
    // Mostly values a build accepts, so that most cases reach rendering, feeds and search; now
    // and then one that must be refused.
    let term = prop_oneof![40 => wild_text(4).prop_map(|t| format!("T{t}")), 1 => wild_text(3)];
    let alias = prop_oneof![
        20 => "/old-[a-z]{1,8}/",
        2 => "/[a-z]{1,6}(\\.html)?",
        1 => "/caf%C3%A9-[0-9]{1,3}/",
        1 => "/[a-z%0-9./]{0,12}",
    ];
    let slug = prop_oneof![3 => "[a-z0-9][a-z0-9-]{0,12}", 1 => wild_text(3)];
    (
        (
            wild_text(12).prop_map(|t| format!("Story {t}")),
            prop_oneof![6 => Just(0usize), 1 => Just(400)],
            any::<bool>(),
        ),
        (date_value(), proptest::option::weighted(0.3, date_value())),
        proptest::option::of(wild_text(8)),
        proptest::collection::vec(term.clone(), 0..4),
        proptest::collection::vec(term, 0..3),
        proptest::collection::vec(alias, 0..2),
        proptest::option::weighted(0.15, slug),
        (markdownish(), wild_text(10)),
    )
        .prop_map(
            |(
                (title, pad, escape),
                (date, updated),
                summary,
                topics,
                countries,
                aliases,
                slug,
                (body, text),
            )| {
                let title = format!("{title}{}", "x ".repeat(pad / 2));
                let list = |items: &[String]| {
                    items
                        .iter()
                        .map(|t| quoted(t, escape))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut front = format!("title = {}\ndate = {date}\n", quoted(&title, escape));
                if let Some(updated) = updated {
                    front.push_str(&format!("updated = {updated}\n"));
                }
                if let Some(summary) = summary {
                    front.push_str(&format!("summary = {}\n", quoted(&summary, escape)));
                }
                if let Some(slug) = slug {
                    front.push_str(&format!("slug = {}\n", quoted(&slug, true)));
                }
                front.push_str(&format!(
                    "topics = [{}]\ncountries = [{}]\n",
                    list(&topics),
                    list(&countries)
                ));
                front.push_str(&format!("aliases = [{}]\n", list(&aliases)));
                format!("+++\n{front}+++\n{body}\n\n{text}\n")
            },
        )
}

/// Where fixture sites go: memory when there is a tmpfs, so that many builds stay quick.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).expect("temp dir")
    } else {
        tempfile::tempdir().expect("temp dir")
    }
}

/// Builds a site of these article files with the default settings (search included) and checks
/// the result: input errors are fine, a bug of Annals is not; a built site's feeds and sitemaps
/// are well-formed and no page holds a character HTML forbids.
fn build_site(files: &[String]) -> Result<(), TestCaseError> {
    let dir = scratch();
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"Fuzz\"\nbase_url = \"https://example.org/news\"\npaginate_by = 2\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    for (i, text) in files.iter().enumerate() {
        // The first is `a.md`, which bodies link to (links to missing articles are tested
        // above); the second a page bundle with an image.
        let name = match i {
            0 => "a.md".to_owned(),
            1 => "bundle/index.md".to_owned(),
            _ => format!("a{i}.md"),
        };
        let text = text.replace("@/missing.md", "@/a.md");
        let path = dir.path().join("content").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        if i == 1 {
            std::fs::write(path.with_file_name("img.png"), "png").unwrap();
        }
    }
    let options = BuildOptions {
        future: true,
        ..BuildOptions::new(dir.path())
    };
    match site::build(&options) {
        Ok(_) => {}
        Err(BuildError::Input(errors)) => {
            for error in &errors {
                prop_assert!(!error.message.contains("internal error"), "{error}");
                prop_assert!(!error.message.contains("os error"), "{error}");
            }
            return Ok(());
        }
        Err(other) => return Err(TestCaseError::fail(format!("{other}"))),
    }
    for entry in walkdir::WalkDir::new(dir.path().join("public"))
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("xml") => {
                let text = std::fs::read_to_string(path).unwrap();
                if let Err(e) = roxmltree::Document::parse(&text) {
                    return Err(TestCaseError::fail(format!(
                        "{}: {e}\n{files:?}",
                        path.display()
                    )));
                }
            }
            Some("json") if !path.starts_with(dir.path().join("public/search-index")) => {
                let text = std::fs::read_to_string(path).unwrap();
                prop_assert!(
                    serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                    "{}",
                    path.display()
                );
            }
            Some("html") => {
                let text = std::fs::read_to_string(path).unwrap();
                prop_assert!(
                    !text.chars().any(annals::text::is_forbidden),
                    "{}: {files:?}",
                    path.display()
                );
            }
            _ => {}
        }
    }
    Ok(())
}

proptest! {
    // Whole builds cost milliseconds each: fewer cases by default (PROPTEST_CASES sets the count
    // of a long run).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn whole_builds_succeed_or_report_input_errors(files in proptest::collection::vec(article_file(), 1..4)) {
        build_site(&files)?;
    }
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
