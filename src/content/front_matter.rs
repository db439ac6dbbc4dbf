//! Reading one article file: splitting off the front matter and checking what it says.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::MessageFormatter;

use super::dates::{ArticleDate, deserialize_checked_date};
use super::{ArticleMeta, Markdown, ParsedArticle, TermName};
use crate::config::{SiteConfig, SlugFrom};
use crate::diagnostics::{Diagnostic, line_col, slash_path};
use crate::places::{Country, Place};
use crate::slug::{MAX_SEGMENT, article_slug, is_invisible, is_valid_slug, slugify};
use crate::text;

/// The keys front matter has whatever the site: [`FrontMatter`]'s fields. Besides them, every
/// taxonomy of `site.toml` is a key of its own (`topics = [...]`).
const KEYS: [&str; 10] = [
    "title",
    "date",
    "updated",
    "slug",
    "summary",
    "authors",
    "taxonomies",
    "draft",
    "aliases",
    "extra",
];

/// TOML front matter. A date the TOML reader rejects (`date = 2024-02-30`) is read again as
/// text, so that it gets the message every bad date gets, at its line, and the file's other
/// problems are found too.
fn parse_toml(text: &str) -> Result<FrontMatter, toml::de::Error> {
    let mut text = std::borrow::Cow::Borrowed(text);
    // At most `date` and `updated`, then the error as it is.
    for _ in 0..2 {
        match toml::from_str::<FrontMatter>(&text) {
            Ok(fm) => return Ok(fm),
            Err(e) => match e.span().and_then(|s| quote_date(&text, s.start)) {
                Some(quoted) => text = quoted.into(),
                None => return Err(e),
            },
        }
    }
    toml::from_str(&text)
}

/// `text` with the value of its `date` or `updated` line at byte `at` quoted, if that line is
/// one of the top-level keys (not in `[extra]` or another table) and its value is not quoted
/// already.
fn quote_date(text: &str, at: usize) -> Option<String> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    if text[..start]
        .lines()
        .any(|line| line.trim_start().starts_with('['))
    {
        return None;
    }
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let (key, value) = text[start..end].split_once('=')?;
    let value = value.split('#').next()?.trim();
    if !matches!(key.trim(), "date" | "updated") || value.starts_with(['"', '\'']) {
        return None;
    }
    let quoted = toml::Value::String(value.to_owned());
    Some(format!(
        "{}{} = {quoted}{}",
        &text[..start],
        key.trim_end(),
        &text[end..]
    ))
}

/// What front matter says, before it is checked.
#[derive(Debug, Deserialize)]
struct FrontMatter {
    title: Option<String>,
    #[serde(default, deserialize_with = "deserialize_checked_date")]
    date: Option<Result<ArticleDate, String>>,
    #[serde(default, deserialize_with = "deserialize_checked_date")]
    updated: Option<Result<ArticleDate, String>>,
    slug: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    /// Terms of any taxonomy, as a table (`taxonomies = { people = [...] }`).
    #[serde(default)]
    taxonomies: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    extra: Option<serde_json::Value>,
    /// Every other key: a taxonomy of the site (`topics = [...]`), or a mistake.
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

/// The two front matter syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Toml,
    Yaml,
}

/// The parts of an article file.
struct Split<'a> {
    syntax: Syntax,
    front_matter: &'a str,
    /// The file line on which the front matter text starts.
    front_matter_line: usize,
    body: &'a str,
    body_line: usize,
}

/// Reads and checks one article file. `content_dir` gives its relative path.
pub fn parse_file(
    path: &Path,
    content_dir: &Path,
    config: &SiteConfig,
) -> Result<ParsedArticle, Vec<Diagnostic>> {
    let bytes = std::fs::read(path)
        .map_err(|e| vec![Diagnostic::new(path, format!("cannot read: {e}"))])?;
    let text = String::from_utf8(bytes).map_err(|e| {
        vec![Diagnostic::new(
            path,
            format!(
                "is not valid UTF-8 (first bad byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )]
    })?;
    parse_text(&text, path, slash_path(path, content_dir), config)
}

/// The body of an article file again, with the file line it starts on, for rendering it once
/// its front matter was read by [`parse_file`].
pub fn read_body(path: &Path) -> Result<Markdown, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::new(path, format!("cannot read: {e}")))?;
    let text = text::clean(&text);
    let split = split_file(&text, path)?;
    Ok(Markdown {
        text: split.body.to_owned(),
        first_line: split.body_line,
    })
}

/// Parses the text of an article file; `path` names it in errors and `rel_path` is its path
/// below `content/`.
pub fn parse_text(
    text: &str,
    path: &Path,
    rel_path: String,
    config: &SiteConfig,
) -> Result<ParsedArticle, Vec<Diagnostic>> {
    // Characters HTML and XML forbid are removed before anything reads the text (read_body does
    // the same), so that lines and columns stay those of the file.
    let mut warnings = Vec::new();
    let cleaned = text::clean(text);
    if let Cow::Owned(_) = cleaned
        && let Some((offset, first, count)) = text::forbidden(text)
    {
        warnings.push((line_col(text, offset).0, text::warning(first, count)));
    }
    let split = split_file(&cleaned, path).map_err(|d| vec![d])?;
    let fm = match split.syntax {
        Syntax::Toml => parse_toml(split.front_matter).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_col(split.front_matter, s.start))
                .unwrap_or((1, 1));
            Diagnostic::at(
                path,
                split.front_matter_line + line - 1,
                Some(column),
                e.message().trim_end(),
            )
        }),
        Syntax::Yaml => parse_yaml(split.front_matter).map_err(|(line, column, message)| {
            Diagnostic::at(path, split.front_matter_line + line - 1, column, message)
        }),
    }
    .map_err(|d| vec![d])?;
    let mut meta = check(fm, &split, path, rel_path, config)?;
    warnings.append(&mut meta.warnings);
    meta.warnings = warnings;
    Ok(ParsedArticle {
        meta,
        body: split.body.to_owned(),
        body_line: split.body_line,
    })
}

fn parse_yaml(text: &str) -> Result<FrontMatter, (usize, Option<usize>, String)> {
    if text.trim().is_empty() {
        return Ok(empty_front_matter());
    }
    serde_saphyr::from_str::<FrontMatter>(text).map_err(|e| {
        let location = e.location();
        let line = location.map_or(1, |l| l.line() as usize);
        let column = location.map(|l| l.column() as usize);
        // The message alone: the position is the file's, given apart.
        let message = serde_saphyr::DefaultMessageFormatter.format_message(&e);
        let message = message.lines().next().unwrap_or_default().to_owned();
        (line.max(1), column, message)
    })
}

fn empty_front_matter() -> FrontMatter {
    FrontMatter {
        title: None,
        date: None,
        updated: None,
        slug: None,
        summary: None,
        authors: Vec::new(),
        taxonomies: BTreeMap::new(),
        draft: false,
        aliases: Vec::new(),
        extra: None,
        other: BTreeMap::new(),
    }
}

/// Splits the text of the article file at `path`, without its byte order mark, into front matter
/// and body; an error names the file and line.
fn split_file<'t>(text: &'t str, path: &Path) -> Result<Split<'t>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    split(text).map_err(|(line, message)| Diagnostic::at(path, line, None, message))
}

/// Splits `+++ TOML +++` or `--- YAML ---` front matter from the body.
fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    if text.trim().is_empty() {
        return Err((
            1,
            "the file is empty; an article needs front matter with at least `title` and `date`"
                .to_owned(),
        ));
    }
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let syntax = match text[..first_end].trim_end() {
        "+++" => Syntax::Toml,
        "---" => Syntax::Yaml,
        _ => {
            return Err((
                1,
                "no front matter: an article starts with a `+++` line (TOML front matter) or a `---` line (YAML)".to_owned(),
            ));
        }
    };
    let delimiter = if syntax == Syntax::Toml { "+++" } else { "---" };
    let mut offset = first_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == delimiter {
            return Ok(Split {
                syntax,
                front_matter: &text[first_end..offset],
                front_matter_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err((
        1,
        format!("the front matter opened here is never closed: add a `{delimiter}` line after it"),
    ))
}

/// The file line of a top-level `key` in front matter text, for errors found after parsing.
fn key_line(split: &Split, key: &str) -> usize {
    split
        .front_matter
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
        })
        .map_or(1, |i| split.front_matter_line + i)
}

/// Trims a term and folds runs of white space inside it to one space.
pub fn clean_term(term: &str) -> String {
    term.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check(
    fm: FrontMatter,
    split: &Split,
    path: &Path,
    rel_path: String,
    config: &SiteConfig,
) -> Result<ArticleMeta, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut error_at = |key: &str, message: String| {
        errors.push(Diagnostic::at(path, key_line(split, key), None, message));
    };
    // Escapes (`\u0008` in TOML, `\b` in YAML) can still give forbidden characters.
    let mut warnings = Vec::new();
    let mut clean = |key: &str, value: &str| -> String {
        if let Some((_, first, count)) = text::forbidden(value) {
            warnings.push((key_line(split, key), text::warning(first, count)));
        }
        text::clean(value).into_owned()
    };

    let title = clean("title", fm.title.as_deref().unwrap_or_default())
        .trim()
        .to_owned();
    if fm.title.is_none() {
        error_at("title", "front matter has no `title`".to_owned());
    } else if title.is_empty() {
        error_at("title", "`title` is empty".to_owned());
    }
    let date = match fm.date {
        None => {
            error_at(
                "date",
                "front matter has no `date` (e.g. date = 2024-06-19)".to_owned(),
            );
            None
        }
        Some(Err(why)) => {
            error_at("date", why);
            None
        }
        Some(Ok(date)) => Some(date),
    };
    let updated = match fm.updated {
        Some(Err(why)) => {
            error_at("updated", why);
            None
        }
        other => other.and_then(Result::ok),
    };
    let slug = match &fm.slug {
        Some(slug) if !is_valid_slug(slug) => {
            error_at(
                "slug",
                format!(
                    "`slug` {slug:?} must be one URL segment of at most {MAX_SEGMENT} bytes, without `/`, `\\`, `..`, `?`, `#`, `%`, spaces, control or invisible characters"
                ),
            );
            String::new()
        }
        Some(slug) => slug.clone(),
        None => {
            let (source, slug) = match config.slug_from {
                SlugFrom::Title => ("title", article_slug(&title)),
                SlugFrom::File => {
                    // A page bundle's article is named by its folder.
                    let mut parts = rel_path.rsplit('/');
                    let stem = match (parts.next(), parts.next()) {
                        (Some(super::BUNDLE_ARTICLE), Some(folder)) => folder,
                        (Some(file), _) => file.strip_suffix(".md").unwrap_or(file),
                        (None, _) => "",
                    };
                    ("file name", article_slug(stem))
                }
            };
            if slug.is_empty() && !title.is_empty() {
                error_at(
                    "title",
                    format!("the {source} of this article gives an empty URL slug; set `slug`"),
                );
            }
            slug
        }
    };

    let mut given: BTreeMap<String, Vec<String>> = fm.taxonomies;
    let declared: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();
    for (key, value) in fm.other {
        if declared.contains(&key.as_str()) {
            match serde_json::from_value::<Vec<String>>(value) {
                Ok(terms) => given.entry(key).or_default().extend(terms),
                Err(_) => error_at(
                    &key,
                    format!(
                        "`{key}` must be a list of terms, like {key} = [\"First\", \"Second\"]"
                    ),
                ),
            }
        } else {
            let known = KEYS.iter().copied().chain(declared.iter().copied());
            let hint = crate::diagnostics::did_you_mean(&key, known.clone())
                .map(|k| format!(" did you mean `{k}`?"))
                .unwrap_or_default();
            let list: Vec<String> = known.map(|k| format!("`{k}`")).collect();
            error_at(
                &key,
                format!(
                    "unknown field `{key}`;{hint} The fields are {}",
                    list.join(", ")
                ),
            );
        }
    }
    let mut terms = Vec::with_capacity(config.taxonomies.len());
    let mut place_warnings = Vec::new();
    for (t, taxonomy) in config.taxonomies.iter().enumerate() {
        let values = given.remove(&taxonomy.name).unwrap_or_default();
        let mut cleaned: Vec<TermName> = Vec::with_capacity(values.len());
        let places = config.places() == Some(t);
        for value in values {
            let written = clean_term(&clean(&taxonomy.name, &value));
            let (name, code) = if places {
                match place(config, &written) {
                    Ok(country) => (country.name.clone(), Some(country.code.clone())),
                    Err(warning) => {
                        if let Some(warning) = warning {
                            place_warnings.push((key_line(split, &taxonomy.name), warning));
                        }
                        (written, None)
                    }
                }
            } else {
                (written, None)
            };
            let slug = slugify(&name);
            if slug.is_empty() {
                error_at(
                    &taxonomy.name,
                    format!(
                        "`{}` has a term {value:?} without letters or digits",
                        taxonomy.name
                    ),
                );
            } else if slug.len() > MAX_SEGMENT {
                error_at(
                    &taxonomy.name,
                    format!(
                        "`{}` has a term too long for a URL ({} bytes in its URL, at most {MAX_SEGMENT}): {:?}…",
                        taxonomy.name,
                        slug.len(),
                        name.chars().take(40).collect::<String>()
                    ),
                );
            } else if !cleaned.iter().any(|t| *t.slug == slug) {
                cleaned.push(TermName {
                    name: name.into(),
                    slug: slug.into(),
                    code: code.map(Into::into),
                });
            }
        }
        terms.push(cleaned);
    }
    for name in given.keys() {
        error_at(
            name,
            format!(
                "`{name}` is not a taxonomy of this site; site.toml declares: {}",
                declared.join(", ")
            ),
        );
    }
    let mut aliases = Vec::with_capacity(fm.aliases.len());
    for alias in &fm.aliases {
        match alias_path(alias) {
            Ok(path) => aliases.push(path),
            Err(why) => error_at("aliases", format!("alias {alias:?} {why}")),
        }
    }
    let authors = fm
        .authors
        .iter()
        .map(|a| clean_term(&clean("authors", a)))
        .filter(|a| !a.is_empty())
        .collect();
    let summary = fm
        .summary
        .map(|s| clean("summary", &s).trim().to_owned())
        .filter(|s| !s.is_empty());
    let mut extra = fm
        .extra
        .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
    clean_json(&mut extra, &mut |value| clean("extra", value));

    match (errors.is_empty(), date) {
        (true, Some(date)) => Ok(ArticleMeta {
            source: path.to_path_buf(),
            rel_path,
            title,
            date,
            updated,
            slug,
            summary,
            authors,
            terms,
            draft: fm.draft,
            aliases,
            extra,
            warnings: warnings.into_iter().chain(place_warnings).collect(),
        }),
        _ => Err(errors),
    }
}

/// The country a term of the taxonomy of places names; else, for a name that is not plainly
/// another place, the warning that says so.
fn place<'c>(config: &'c SiteConfig, name: &str) -> Result<&'c Country, Option<String>> {
    let codes = |countries: &[&Country]| {
        countries
            .iter()
            .map(|c| format!("{} ({})", c.name, c.code))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match config.countries.resolve(name) {
        Place::Country(country) => Ok(country),
        Place::Other => Err(None),
        Place::Ambiguous(candidates) => Err(Some(format!(
            "{name:?} could be more than one country: {}; write the one meant, by name or code",
            codes(&candidates)
        ))),
        Place::Unknown(guess) => Err(Some(format!(
            "{name:?} is not a country Annals knows{}; a place that is no country goes in `other` of [places] in site.toml, another name of a country in its `aliases`",
            guess
                .map(|c| format!(" (did you mean {} ({})?)", c.name, c.code))
                .unwrap_or_default()
        ))),
    }
}

/// Applies `clean` to every string in a JSON value.
fn clean_json(value: &mut serde_json::Value, clean: &mut impl FnMut(&str) -> String) {
    match value {
        serde_json::Value::String(s) => *s = clean(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| clean_json(v, clean)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| clean_json(v, clean)),
        _ => {}
    }
}

/// The URL path of the redirect page for an alias: percent-escapes decoded (`/caf%C3%A9/` is the
/// folder `café/`), and a path that does not end in `.html` or `.htm` made a folder (`/old/post`
/// and `/releases/1.1.0` are `/old/post/` and `/releases/1.1.0/`, as in Zola and Hugo), since a
/// redirect page is HTML. An error says what is wrong with it.
pub(crate) fn alias_path(alias: &str) -> Result<String, String> {
    if !alias.starts_with('/') || alias.starts_with("//") {
        return Err("must be a path on this site, starting with one `/`".to_owned());
    }
    let decoded = percent_encoding::percent_decode_str(alias)
        .decode_utf8()
        .map_err(|_| "has percent-escapes that are not UTF-8".to_owned())?;
    if decoded.contains(['\\', '?', '#'])
        || decoded.chars().any(|c| c.is_control() || is_invisible(c))
    {
        return Err(
            "may not contain `\\`, `?`, `#`, control or invisible characters (also percent-encoded)"
                .to_owned(),
        );
    }
    let segments: Vec<&str> = decoded[1..].split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "." || *segment == ".." {
            return Err("may not contain `.` or `..` segments (also percent-encoded)".to_owned());
        }
        if segment.is_empty() && i != last {
            return Err("may not contain an empty segment (`//`)".to_owned());
        }
        if segment.len() > MAX_SEGMENT {
            return Err(format!(
                "has a segment of {} bytes; at most {MAX_SEGMENT} are allowed",
                segment.len()
            ));
        }
    }
    let last = segments[last].to_ascii_lowercase();
    let file = last.ends_with(".html") || last.ends_with(".htm");
    Ok(if file || last.is_empty() {
        decoded.into_owned()
    } else {
        format!("{decoded}/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SiteConfig {
        SiteConfig::parse("base_url = \"https://example.org\"", Path::new("site.toml")).unwrap()
    }

    fn parse(text: &str) -> Result<ParsedArticle, Vec<Diagnostic>> {
        parse_text(text, Path::new("a.md"), "a.md".to_owned(), &config())
    }

    #[test]
    fn toml_front_matter() {
        let a = parse("+++\ntitle = \"Côte d'Ivoire votes\"\ndate = 2024-06-19T10:00:00+02:00\ntopics = [\" Elections \", \"North  Korea\"]\n[extra]\nphoto = \"x.jpg\"\n+++\nBody\n").unwrap();
        assert_eq!(a.meta.slug, "cote-d-ivoire-votes");
        let names: Vec<&str> = a.meta.terms[0].iter().map(|t| &*t.name).collect();
        assert_eq!(names, ["Elections", "North Korea"]);
        assert_eq!(&*a.meta.terms[0][1].slug, "north-korea");
        assert_eq!(a.meta.extra["photo"], "x.jpg");
        assert_eq!(a.body, "Body\n");
        assert_eq!(a.body_line, 8);
    }

    #[test]
    fn yaml_front_matter_with_bom_and_crlf() {
        let a = parse("\u{feff}---\r\ntitle: Hello\r\ndate: 2024-06-19\r\ncountries: [Russia]\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(a.meta.title, "Hello");
        assert_eq!(&*a.meta.terms[1][0].name, "Russia");
        assert!(!a.meta.date.has_time);
    }

    #[test]
    fn a_bad_date_reads_the_same_in_toml_and_yaml_beside_other_errors() {
        let toml =
            parse("+++\ntitle = \"x\"\ndate = 2024-02-30\ntopic = [\"a\"]\n+++\n").unwrap_err();
        let yaml = parse("---\ntitle: x\ndate: 2024-02-30\ntopic: [a]\n---\n").unwrap_err();
        for errs in [&toml, &yaml] {
            assert_eq!(errs.len(), 2, "{errs:?}");
            assert_eq!(errs[0].line, Some(3));
            assert_eq!(
                errs[0].message,
                "\"2024-02-30\" is not a valid date: write YYYY-MM-DD or an RFC 3339 date-time such as 2024-06-19T14:30:00+09:00"
            );
            assert!(
                errs[1].message.contains("did you mean `topics`?"),
                "{errs:?}"
            );
        }
    }

    #[test]
    fn a_bad_date_inside_extra_stays_an_error() {
        let errs =
            parse("+++\ntitle = \"x\"\ndate = 2024-01-01\n[extra]\ndate = 2024-02-30\n+++\n")
                .unwrap_err();
        assert_eq!(errs[0].line, Some(5), "{errs:?}");
    }

    #[test]
    fn unknown_key_is_an_error_with_line() {
        let errs =
            parse("+++\ntitle = \"x\"\ndate = 2024-01-01\ntopic = [\"a\"]\n+++\n").unwrap_err();
        assert_eq!(errs[0].line, Some(4));
        assert!(errs[0].message.contains("topic"), "{}", errs[0].message);
        assert!(errs[0].message.contains("topics"), "{}", errs[0].message);
    }

    #[test]
    fn every_unknown_key_is_reported_and_taxonomies_are_keys_of_their_own() {
        let config = SiteConfig::parse(
            "base_url = \"https://example.org\"\n[[taxonomies]]\nname = \"regions\"\n[[taxonomies]]\nname = \"people\"\n",
            Path::new("site.toml"),
        )
        .unwrap();
        let parse = |text: &str| parse_text(text, Path::new("a.md"), "a.md".to_owned(), &config);
        let errs = parse(
            "---\ntitle: x\ndate: 2024-01-01\nlayout: post\nregion: [Asia]\ntags: [a]\n---\n",
        )
        .unwrap_err();
        let lines: Vec<Option<usize>> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(4), Some(5), Some(6)], "{errs:?}");
        assert!(
            errs[1].message.contains("did you mean `regions`?"),
            "{errs:?}"
        );
        assert!(errs[0].message.contains("`people`"), "{errs:?}");
        let a = parse(
            "+++\ntitle = \"x\"\ndate = 2024-01-01\nregions = [\"Asia\"]\ntaxonomies = { people = [\"Kim\"] }\n+++\n",
        )
        .unwrap();
        assert_eq!(&*a.meta.terms[0][0].name, "Asia");
        assert_eq!(&*a.meta.terms[1][0].name, "Kim");
        // `topics` is no key of a site without that taxonomy.
        assert!(parse("+++\ntitle = \"x\"\ndate = 2024-01-01\ntopics = [\"a\"]\n+++\n").is_err());
    }

    #[test]
    fn bad_date_is_reported_at_its_line() {
        let errs = parse("+++\ntitle = \"x\"\ndate = \"2024-02-30\"\n+++\n").unwrap_err();
        assert_eq!(errs[0].line, Some(3), "{errs:?}");
        let errs = parse("---\ntitle: x\ndate: someday\n---\n").unwrap_err();
        assert_eq!(errs[0].line, Some(3), "{errs:?}");
    }

    #[test]
    fn slugs_from_file_names_when_configured() {
        let config = SiteConfig::parse(
            "base_url = \"https://example.org\"\nslug_from = \"file\"",
            Path::new("site.toml"),
        )
        .unwrap();
        let a = parse_text(
            "+++\ntitle = \"Live updates\"\ndate = 2024-01-01\n+++\n",
            Path::new("content/2024/live-updates-2.md"),
            "2024/live-updates-2.md".to_owned(),
            &config,
        )
        .unwrap();
        assert_eq!(a.meta.slug, "live-updates-2");
    }

    #[test]
    fn aliases_are_decoded_checked_and_made_folders() {
        assert_eq!(alias_path("/old/post/").unwrap(), "/old/post/");
        assert_eq!(alias_path("/old/post").unwrap(), "/old/post/");
        assert_eq!(alias_path("/old/post.html").unwrap(), "/old/post.html");
        assert_eq!(alias_path("/old/POST.HTM").unwrap(), "/old/POST.HTM");
        assert_eq!(alias_path("/releases/1.1.0").unwrap(), "/releases/1.1.0/");
        assert_eq!(alias_path("/feed.xml").unwrap(), "/feed.xml/");
        assert_eq!(alias_path("/caf%C3%A9/").unwrap(), "/café/");
        for bad in [
            "old/post/",
            "//evil.example/",
            "/a/%2e%2e/b/",
            "/a/../b/",
            "/a\nb/",
            "/a%0Ab/",
            "/a%3Fb",
            "/a//b/",
            "/%FF/",
            "/\u{202E}x/",
        ] {
            assert!(alias_path(bad).is_err(), "{bad:?}");
        }
        assert!(alias_path(&format!("/{}/", "x".repeat(MAX_SEGMENT + 1))).is_err());
    }

    #[test]
    fn control_characters_are_removed_with_a_warning_at_their_line() {
        let a = parse("+++\ntitle = \"Kim\\u0008 Jong\"\ndate = 2024-01-01\n+++\nOne\n\ntwo\u{0B}three\u{1}\n").unwrap();
        assert_eq!(a.meta.title, "Kim Jong");
        assert_eq!(a.body, "One\n\ntwo three\n");
        let lines: Vec<usize> = a.meta.warnings.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [7, 2], "{:?}", a.meta.warnings);
        assert!(a.meta.warnings[0].1.contains("2 control characters"));
        let yaml =
            parse("---\ntitle: \"a\\x0Bb\"\ndate: 2024-01-01\nsummary: \"x\\0y\"\n---\n").unwrap();
        assert_eq!(yaml.meta.title, "a b");
        assert_eq!(yaml.meta.summary.as_deref(), Some("xy"));
    }

    #[test]
    fn long_titles_give_short_slugs_and_long_terms_are_errors() {
        let title = "A very long headline about everything that happened ".repeat(8);
        let a = parse(&format!("+++\ntitle = {title:?}\ndate = 2024-01-01\n+++\n")).unwrap();
        assert!(a.meta.slug.len() <= crate::slug::MAX_DERIVED_SLUG);
        let errs = parse(&format!(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\ntopics = [{title:?}]\n+++\n"
        ))
        .unwrap_err();
        assert_eq!(errs[0].line, Some(4), "{errs:?}");
        let errs = parse(&format!(
            "+++\ntitle = \"t\"\ndate = 2024-01-01\nslug = \"{}\"\n+++\n",
            "x".repeat(300)
        ))
        .unwrap_err();
        assert_eq!(errs[0].line, Some(4), "{errs:?}");
    }

    #[test]
    fn missing_pieces() {
        assert!(parse("").unwrap_err()[0].message.contains("empty"));
        assert!(
            parse("# Just markdown\n").unwrap_err()[0]
                .message
                .contains("no front matter")
        );
        assert!(
            parse("+++\ntitle = \"x\"\n").unwrap_err()[0]
                .message
                .contains("never closed")
        );
        let errs = parse("+++\nslug = \"../x\"\n+++\n").unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
    }
}
