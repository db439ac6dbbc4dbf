//! Reads the site folder of another static generator — Hugo, Jekyll, Zola, Pelican — into
//! entries: one mapper from their front matter (TOML, YAML, JSON or Pelican's `Key: value`
//! lines) to Annals', with the URL each generator served a post at kept as an alias.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use serde_saphyr::MessageFormatter;
use walkdir::WalkDir;

use super::markup;
use super::{Entry, Format, ImportError, Notes, Source};
use crate::progress::Progress;
use crate::slug::slugify;

/// File name extensions of Markdown files.
const MARKDOWN: &[&str] = &["md", "markdown", "mdown", "mkd"];

/// Folders never read: build output, dependencies, themes.
const IGNORED: &[&str] = &[
    "_site",
    "public",
    "output",
    "node_modules",
    "vendor",
    "themes",
    ".git",
];

/// Jekyll's named permalink styles.
const JEKYLL_STYLES: &[(&str, &str)] = &[
    ("date", "/:categories/:year/:month/:day/:title:output_ext"),
    ("pretty", "/:categories/:year/:month/:day/:title/"),
    ("ordinal", "/:categories/:year/:y_day/:title:output_ext"),
    ("none", "/:categories/:title:output_ext"),
];

/// The source site's configuration, keys lower-cased at the top level.
struct Config {
    format: Format,
    values: Map<String, Value>,
    zone: Option<Tz>,
}

impl Config {
    fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key).filter(|v| !v.is_null())
    }

    fn str(&self, key: &str) -> Option<String> {
        self.get(key).and_then(text)
    }
}

/// One Markdown file of the source that may be a post.
struct SourceFile {
    path: PathBuf,
    /// Its path below the content folder, with `/`.
    rel: String,
    /// The file name without extension (the folder's name for a bundle's `index.md`), without a
    /// Hugo language suffix.
    name: String,
    /// Its folder below the content folder (the bundle's parent folder for a bundle).
    parent: String,
    /// The language of a Hugo file in another language than the default ("" otherwise).
    lang: String,
    /// Whether it is a bundle's `index.md`.
    bundle: bool,
}

/// Reads the site folder `root` of a generator of `format`.
pub(crate) fn read(
    format: Format,
    root: &Path,
    progress: &dyn Progress,
) -> Result<Source, ImportError> {
    if !root.is_dir() {
        return Err(ImportError::Source {
            path: root.to_path_buf(),
            message: format!("not a folder; give the {format} site's folder"),
        });
    }
    let config = load_config(format, root)?;
    let content = content_root(format, root, &config);
    let mut source = Source::default();
    let files = discover(format, root, &content, &config, &mut source.notes);
    progress.stage("Reading posts", files.len());
    for file in &files {
        progress.advance(1);
        let origin = relative(root, &file.path);
        let Some(skip) = skip_reason(format, file) else {
            match read_post(format, file, &config, &origin, &mut source.notes) {
                Ok(Some(entry)) => source.entries.push(entry),
                Ok(None) => {}
                Err(reason) => source.notes.skip(&reason, origin),
            }
            continue;
        };
        source.notes.skip(skip, origin);
    }
    source.statics = statics(format, root, &content, &config);
    let (title, base_url, description) = site_keys(&config);
    source.title = title;
    source.base_url = base_url;
    source.description = description;
    Ok(source)
}

/// `path` relative to `root`, for messages.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The text of a scalar value.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads the generator's configuration file ({} when it has none).
fn load_config(format: Format, root: &Path) -> Result<Config, ImportError> {
    let names: &[&str] = match format {
        Format::Zola => &["config.toml", "zola.toml"],
        Format::Jekyll => &["_config.yml", "_config.yaml"],
        Format::Pelican => &["pelicanconf.py"],
        Format::Hugo => &[
            "hugo.toml",
            "hugo.yaml",
            "hugo.yml",
            "hugo.json",
            "config.toml",
            "config.yaml",
            "config.yml",
            "config.json",
        ],
        Format::Wordpress => &[],
    };
    let mut values = Map::new();
    if let Some(path) = names.iter().map(|n| root.join(n)).find(|p| p.is_file()) {
        let text = std::fs::read_to_string(&path).map_err(|e| ImportError::Source {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let parsed = match path.extension().and_then(|e| e.to_str()) {
            Some("py") => Ok(pelican_config(&text)),
            Some(ext) => parse_data(ext, &text),
            None => Ok(Map::new()),
        };
        values = parsed.map_err(|message| ImportError::Source {
            path: path.clone(),
            message,
        })?;
    }
    let values: Map<String, Value> = values
        .into_iter()
        .map(|(k, v)| (k.to_lowercase(), v))
        .collect();
    let zone = values
        .get("timezone")
        .and_then(Value::as_str)
        .and_then(|z| z.parse::<Tz>().ok());
    Ok(Config {
        format,
        values,
        zone,
    })
}

/// Pelican's `pelicanconf.py`: only `NAME = 'text'`, numbers and lists of strings are read.
fn pelican_config(text: &str) -> Map<String, Value> {
    let mut values = Map::new();
    for line in text.lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('u')
            .filter(|v| v.starts_with(['"', '\'']))
            .unwrap_or(value);
        let parsed = if let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
            value[1..]
                .find(q)
                .map(|end| Value::String(value[1..=end].to_owned()))
        } else if value.starts_with(['[', '(']) {
            let items = value
                .split(['\'', '"'])
                .skip(1)
                .step_by(2)
                .map(|s| Value::String(s.to_owned()))
                .collect();
            Some(Value::Array(items))
        } else {
            value
                .parse::<f64>()
                .ok()
                .map(|_| Value::String(value.to_owned()))
        };
        if let Some(parsed) = parsed {
            values.insert(name.to_lowercase(), parsed);
        }
    }
    values
}

/// TOML, YAML or JSON text as a map; TOML dates become strings.
fn parse_data(kind: &str, text: &str) -> Result<Map<String, Value>, String> {
    let value = match kind {
        "toml" => {
            let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
            toml_to_json(toml::Value::Table(table))
        }
        "json" => serde_json::from_str(text).map_err(|e| e.to_string())?,
        _ => {
            if text.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                // As Jekyll's YAML reader, a repeated key keeps its last value.
                let mut options = serde_saphyr::Options::default();
                options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
                serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| {
                    serde_saphyr::DefaultMessageFormatter
                        .format_message(&e)
                        .to_string()
                })?
            }
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err("the front matter is not a table of keys".into()),
    }
}

/// A TOML value as JSON, dates as their text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// A JSON value as TOML (for `[extra]`); nulls are dropped.
fn json_to_toml(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => n
            .as_i64()
            .map(toml::Value::Integer)
            .or_else(|| n.as_f64().map(toml::Value::Float))?,
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(a) => toml::Value::Array(a.iter().filter_map(json_to_toml).collect()),
        Value::Object(o) => toml::Value::Table(
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}

/// The folder posts are in: `content/` (or Pelican's `PATH`), the site folder for Jekyll.
fn content_root(format: Format, root: &Path, config: &Config) -> PathBuf {
    let named = match format {
        Format::Pelican => config.str("path"),
        Format::Hugo => config.str("contentdir"),
        _ => None,
    };
    match (format, named) {
        (Format::Jekyll, _) => root.to_path_buf(),
        (_, Some(dir)) if root.join(&dir).is_dir() => root.join(dir),
        _ if root.join("content").is_dir() => root.join("content"),
        _ => root.to_path_buf(),
    }
}

/// Every Markdown (and reStructuredText, to report) file below `content`.
fn discover(
    format: Format,
    root: &Path,
    content: &Path,
    config: &Config,
    notes: &mut Notes,
) -> Vec<SourceFile> {
    let languages: Vec<String> = config
        .get("languages")
        .and_then(Value::as_object)
        .map(|l| l.keys().cloned().collect())
        .unwrap_or_default();
    let default_lang = config
        .str("defaultcontentlanguage")
        .unwrap_or_else(|| "en".into());
    // Hugo sites in several languages may give each its own content folder.
    let mut roots: Vec<(PathBuf, String)> = config
        .get("languages")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(lang, settings)| {
            let dir = settings
                .get("contentDir")
                .or(settings.get("contentdir"))
                .and_then(text)?;
            let lang = if *lang == default_lang {
                String::new()
            } else {
                lang.clone()
            };
            Some((root.join(dir.trim_end_matches('/')), lang))
        })
        .filter(|(dir, _)| format == Format::Hugo && dir.is_dir())
        .collect();
    roots.push((content.to_path_buf(), String::new()));
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for (dir, lang) in roots {
        for file in discover_in(format, &dir, &lang, &languages, &default_lang, notes) {
            if seen.insert(file.path.clone()) {
                files.push(file);
            }
        }
    }
    files
}

/// The Markdown files below one content folder of language `lang` ("" for the default).
fn discover_in(
    format: Format,
    content: &Path,
    folder_lang: &str,
    languages: &[String],
    default_lang: &str,
    notes: &mut Notes,
) -> Vec<SourceFile> {
    let mut files = Vec::new();
    for entry in visible_files(content) {
        let path = entry.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_lowercase();
        let rel = path
            .strip_prefix(content)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if ext == "rst" {
            notes.skip(
                "reStructuredText files (convert them to Markdown first)",
                rel,
            );
            continue;
        }
        if !MARKDOWN.contains(&ext.as_str()) {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let bundle = stem == "index" && rel.contains('/');
        let folder = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let (parent, mut name) = if bundle {
            let (parent, name) = folder.rsplit_once('/').unwrap_or(("", folder));
            (parent.to_owned(), name.to_owned())
        } else {
            (folder.to_owned(), stem.to_owned())
        };
        let mut lang = folder_lang.to_owned();
        if format == Format::Hugo
            && let Some((base, suffix)) = name.rsplit_once('.')
            && languages.iter().any(|l| l == suffix)
        {
            if suffix != default_lang {
                lang = suffix.to_owned();
            }
            name = base.to_owned();
        }
        files.push(SourceFile {
            path: path.to_path_buf(),
            rel,
            name,
            parent,
            lang,
            bundle,
        });
    }
    files
}

/// Why a file is no post, if it is none.
fn skip_reason(format: Format, file: &SourceFile) -> Option<&'static str> {
    let file_name = file.rel.rsplit('/').next().unwrap_or("");
    if file_name.starts_with("_index.") || file.rel == "index.md" || file.rel == "README.md" {
        return Some("section and home pages");
    }
    if format == Format::Jekyll && !file.rel.split('/').any(|s| s == "_posts" || s == "_drafts") {
        return Some("Jekyll pages (not in _posts)");
    }
    if format == Format::Jekyll
        && file
            .rel
            .split('/')
            .any(|s| s.starts_with('_') && s != "_posts" && s != "_drafts")
    {
        return Some("Jekyll includes and layouts");
    }
    None
}

/// Splits a file into its metadata (keys lower-cased) and body.
fn split_post(format: Format, raw: &str) -> Result<(Map<String, Value>, String), String> {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    if format == Format::Pelican && !raw.starts_with("---") && !raw.starts_with("+++") {
        let mut meta = Map::new();
        let mut end = 0;
        for line in raw.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                end += line.len();
                break;
            }
            let Some((key, value)) = trimmed.split_once(':') else {
                break;
            };
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            {
                break;
            }
            meta.insert(key.to_lowercase(), Value::String(value.trim().to_owned()));
            end += line.len();
        }
        if meta.is_empty() {
            return Err("no metadata".into());
        }
        return Ok((meta, raw[end..].to_owned()));
    }
    let (kind, fence) = if raw.starts_with("+++") {
        ("toml", "+++")
    } else if raw.starts_with("---") {
        ("yaml", "---")
    } else if raw.starts_with('{') {
        // Hugo's JSON front matter: a JSON object, then the body.
        let mut stream = serde_json::Deserializer::from_str(raw).into_iter::<Value>();
        let value = stream
            .next()
            .ok_or("no front matter")?
            .map_err(|e| format!("front matter JSON: {e}"))?;
        let end = stream.byte_offset();
        let Value::Object(map) = value else {
            return Err("no front matter".into());
        };
        return Ok((lower_keys(map), raw[end..].to_owned()));
    } else {
        return Err("no front matter".into());
    };
    let after = raw[3..].trim_start_matches([' ', '\t']);
    let after = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
        .ok_or("no front matter")?;
    let mut offset = 0;
    for line in after.split_inclusive('\n') {
        if line.trim_end() == fence {
            let meta = parse_data(kind, &after[..offset])?;
            return Ok((lower_keys(meta), after[offset + line.len()..].to_owned()));
        }
        offset += line.len();
    }
    Err("front matter without its closing line".into())
}

fn lower_keys(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| (k.to_lowercase(), v))
        .collect()
}

/// A list of strings from a value: a list, or a string split at `split` (or kept whole).
fn strings(value: Option<&Value>, split: Option<char>) -> Vec<String> {
    let items: Vec<String> = match value {
        Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
        Some(Value::String(s)) => match split {
            Some(' ') => s.split_whitespace().map(str::to_owned).collect(),
            Some(c) => s.split(c).map(str::to_owned).collect(),
            None => vec![s.clone()],
        },
        Some(other) => text(other).into_iter().collect(),
        None => Vec::new(),
    };
    items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A date of front matter: with its offset, or in the site's zone (UTC without one); whether
/// only a day was given.
fn parse_date(value: &str, zone: Option<Tz>) -> Option<(DateTime<FixedOffset>, bool)> {
    let value = value.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(value) {
        return Some((date, false));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%d %H:%M:%S%.f %z",
    ] {
        if let Ok(date) = DateTime::parse_from_str(value, format) {
            return Some((date, false));
        }
    }
    let in_zone = |naive: NaiveDateTime| -> Option<DateTime<FixedOffset>> {
        match zone {
            Some(tz) => tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|d| d.fixed_offset()),
            None => Some(naive.and_utc().fixed_offset()),
        }
    };
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(value, format) {
            return in_zone(naive).map(|d| (d, false));
        }
    }
    let day = value.get(..10).unwrap_or(value);
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(day, "%Y-%-m-%-d"))
        .ok()?;
    in_zone(date.and_hms_opt(0, 0, 0)?).map(|d| (d, true))
}

/// The metadata value of the first of `keys` that is set.
fn first<'a>(meta: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| {
        meta.get(*k).filter(|v| {
            !v.is_null() && v.as_str() != Some("") && v.as_array().is_none_or(|a| !a.is_empty())
        })
    })
}

/// Reads one post; `Ok(None)` when it is not imported for a reason already noted, `Err` with
/// the reason to skip it.
fn read_post(
    format: Format,
    file: &SourceFile,
    config: &Config,
    origin: &str,
    notes: &mut Notes,
) -> Result<Option<Entry>, String> {
    let raw = std::fs::read(&file.path).map_err(|e| format!("unreadable files ({e})"))?;
    let raw = String::from_utf8(raw).map_err(|_| "files that are not UTF-8".to_owned())?;
    let (meta, body) = split_post(format, &raw).map_err(|e| {
        if e == "no front matter" || e == "no metadata" {
            "files without front matter".to_owned()
        } else {
            notes.warn(origin, &e);
            "files with broken front matter".to_owned()
        }
    })?;
    let dated = (format != Format::Hugo)
        .then(|| file_date(&file.name))
        .flatten();
    let title = first(&meta, &["title"])
        .and_then(text)
        .or_else(|| {
            (format == Format::Jekyll)
                .then(|| dated.map(|(_, rest)| title_case(rest)))
                .flatten()
        })
        .ok_or("posts without a title")?;
    let date_text = first(&meta, &["date", "publishdate", "pubdate", "published"])
        .and_then(text)
        .or_else(|| dated.map(|(day, _)| day.to_owned()))
        .or_else(|| {
            (format == Format::Zola)
                .then(|| meta.get("path").and_then(text).and_then(|p| path_date(&p)))
                .flatten()
        })
        .ok_or("posts without a date")?;
    let (date, date_only) = parse_date(&date_text, config.zone).ok_or_else(|| {
        notes.warn(origin, format!("{date_text:?} is not a date"));
        "posts with a date that cannot be read".to_owned()
    })?;
    let updated = first(&meta, &["updated", "lastmod", "modified"])
        .and_then(text)
        .and_then(|u| parse_date(&u, config.zone))
        .map(|(d, _)| d);
    let status = first(&meta, &["status"])
        .and_then(text)
        .unwrap_or_default()
        .to_lowercase();
    let draft = first(&meta, &["draft"])
        .is_some_and(|d| d == &Value::Bool(true) || d.as_str() == Some("true"))
        || status == "draft"
        || status == "hidden"
        || meta.get("published") == Some(&Value::Bool(false))
        || file.rel.split('/').any(|s| s == "_drafts");
    let summary = first(&meta, &["summary", "description", "excerpt"]).and_then(text);
    let author_split = (format == Format::Pelican).then_some(',');
    let mut authors = strings(first(&meta, &["authors"]), author_split);
    if authors.is_empty() {
        authors = strings(first(&meta, &["author"]), author_split);
    }
    let (terms, places) = terms(format, &meta, config);
    let slug = first(&meta, &["slug"])
        .and_then(text)
        .or_else(|| {
            (format == Format::Zola)
                .then(|| {
                    meta.get("path").and_then(text).map(|p| {
                        p.trim_matches('/')
                            .rsplit('/')
                            .next()
                            .unwrap_or("")
                            .to_owned()
                    })
                })
                .flatten()
        })
        .unwrap_or_else(|| match (format, dated) {
            (Format::Pelican, _) => slugify(&title),
            (_, Some((_, rest))) => rest.to_owned(),
            _ => file.name.clone(),
        });
    let mut aliases = strings(first(&meta, &["aliases", "redirect_from"]), None);
    if let Some(old) = old_url(format, file, &meta, config, date, &slug) {
        aliases.push(old);
    }
    let extra = meta
        .get("extra")
        .filter(|e| e.is_object())
        .and_then(json_to_toml)
        .and_then(|t| match t {
            toml::Value::Table(t) => Some(t),
            _ => None,
        });
    let converted = markup::convert(format, &body, &file.rel);
    for (line, message, text) in &converted.problems {
        let line = line + 1 + body_line(&raw, &body);
        notes.warn(&format!("{origin}:{line} `{text}`"), message);
    }
    let files = if file.bundle {
        bundle_files(&file.path)
    } else {
        Vec::new()
    };
    Ok(Some(Entry {
        origin: origin.to_owned(),
        key: file_key(format, file),
        title: title.trim().to_owned(),
        date: Some(date),
        date_only,
        updated,
        slug,
        summary,
        authors,
        terms,
        places,
        draft,
        aliases,
        extra,
        body: converted.markdown,
        files,
    }))
}

/// The line of the file the body starts at, less one.
fn body_line(raw: &str, body: &str) -> usize {
    raw[..raw.len() - body.len()].matches('\n').count()
}

/// How other posts link to this one: its path below the content folder (`@/` links of Zola,
/// `{filename}` of Pelican, `ref` of Hugo), or its file name for Jekyll's `post_url`.
fn file_key(format: Format, file: &SourceFile) -> Option<String> {
    Some(match format {
        Format::Jekyll => {
            let name = file.rel.rsplit('/').next().unwrap_or(&file.rel);
            name.rsplit_once('.')
                .map_or(name, |(stem, _)| stem)
                .to_owned()
        }
        _ => file.rel.clone(),
    })
}

/// The day and the rest of a `YYYY-MM-DD-name` file name.
fn file_date(name: &str) -> Option<(&str, &str)> {
    let bytes = name.as_bytes();
    let day = name.get(..10)?;
    let ok = bytes.len() > 11
        && day.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (bytes[10] == b'-' || bytes[10] == b'_');
    ok.then(|| (day, &name[11..]))
}

/// The day of a date-shaped path, `2016/04/19/mir` → `2016-04-19`.
fn path_date(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    parts.windows(3).find_map(|w| {
        let ok = w[0].len() == 4
            && w[1].len() == 2
            && w[2].len() == 2
            && w.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
        ok.then(|| format!("{}-{}-{}", w[0], w[1], w[2]))
    })
}

/// "my-first-post" → "My First Post" (Jekyll's title from a file name).
fn title_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The post's terms: (terms for topics or places, terms the source files under places).
fn terms(format: Format, meta: &Map<String, Value>, config: &Config) -> (Vec<String>, Vec<String>) {
    let split = match format {
        Format::Pelican => Some(','),
        Format::Jekyll => Some(' '),
        _ => None,
    };
    let mut keys: Vec<String> = vec![
        "tags".into(),
        "categories".into(),
        "category".into(),
        "tag".into(),
    ];
    if format == Format::Hugo
        && let Some(taxonomies) = config.get("taxonomies").and_then(Value::as_object)
    {
        keys.extend(
            taxonomies
                .values()
                .filter_map(Value::as_str)
                .map(str::to_lowercase),
        );
    }
    let mut terms = Vec::new();
    let mut places = Vec::new();
    let mut seen = HashSet::new();
    for key in &keys {
        if !seen.insert(key.clone()) {
            continue;
        }
        let split = if key == "category" && format == Format::Pelican {
            None
        } else {
            split
        };
        let found = strings(meta.get(key.as_str()), split);
        if is_places(key) {
            places.extend(found);
        } else {
            terms.extend(found);
        }
    }
    if let Some(taxonomies) = meta.get("taxonomies").and_then(Value::as_object) {
        for (name, values) in taxonomies {
            let found = strings(Some(values), None);
            if is_places(name) {
                places.extend(found);
            } else {
                terms.extend(found);
            }
        }
    }
    (terms, places)
}

/// Whether a taxonomy of the source holds places.
fn is_places(name: &str) -> bool {
    matches!(
        name,
        "countries" | "country" | "places" | "place" | "locations" | "location"
    )
}

/// The URL path the generator served the post at, when it can be told.
fn old_url(
    format: Format,
    file: &SourceFile,
    meta: &Map<String, Value>,
    config: &Config,
    date: DateTime<FixedOffset>,
    slug: &str,
) -> Option<String> {
    let local = match (format, config.zone) {
        (Format::Jekyll, Some(tz)) => date.with_timezone(&tz).fixed_offset(),
        _ => date,
    };
    let fields = |key: &str| -> Option<String> {
        Some(match key {
            "year" => local.format("%Y").to_string(),
            "month" => local.format("%m").to_string(),
            "day" => local.format("%d").to_string(),
            "i_month" => local.format("%-m").to_string(),
            "i_day" => local.format("%-d").to_string(),
            "y_day" => local.format("%j").to_string(),
            "slug" | "title" => slug.to_owned(),
            "filename" | "contentbasename" => file.name.clone(),
            "section" => file.parent.split('/').next().unwrap_or("").to_owned(),
            "output_ext" => ".html".to_owned(),
            _ => return None,
        })
    };
    let path = match format {
        // Zola serves every page as a folder.
        Format::Zola => match meta.get("path").and_then(text) {
            Some(path) => format!("{}/", path.trim_end_matches('/')),
            None => {
                let mut parts: Vec<String> = file
                    .parent
                    .split('/')
                    .filter(|p| !p.is_empty())
                    .map(slugify)
                    .collect();
                parts.push(slug.to_owned());
                format!("{}/", parts.join("/"))
            }
        },
        Format::Hugo => {
            let section = file.parent.split('/').next().unwrap_or("");
            let pattern = config
                .get("permalinks")
                .and_then(|p| {
                    p.get(section)
                        .or_else(|| p.get("page").and_then(|p| p.get(section)))
                })
                .and_then(text);
            let path = meta
                .get("url")
                .and_then(text)
                .or_else(|| pattern.map(|p| expand(&p, &fields)))
                .unwrap_or_else(|| {
                    let name = meta
                        .get("slug")
                        .and_then(text)
                        .unwrap_or_else(|| file.name.clone());
                    format!("{}/{name}/", file.parent)
                });
            format!("/{}/{path}", file.lang)
                .to_lowercase()
                .replace(' ', "-")
        }
        Format::Jekyll => {
            let mut categories: Vec<String> = file
                .rel
                .split('/')
                .take_while(|s| *s != "_posts" && *s != "_drafts")
                .map(str::to_owned)
                .collect();
            categories.extend(strings(first(meta, &["categories", "category"]), Some(' ')));
            let categories = categories.join("/").to_lowercase();
            let configured = config.str("permalink").unwrap_or_else(|| "date".into());
            let pattern = meta.get("permalink").and_then(text).unwrap_or_else(|| {
                JEKYLL_STYLES
                    .iter()
                    .find(|(name, _)| *name == configured)
                    .map_or(configured.clone(), |(_, p)| (*p).to_owned())
            });
            expand(&pattern, &|key| {
                if key == "categories" {
                    Some(categories.clone())
                } else {
                    fields(key)
                }
            })
        }
        Format::Pelican => {
            if let Some(url) = meta.get("url").or(meta.get("save_as")).and_then(text) {
                url
            } else {
                let pattern = config
                    .str("article_url")
                    .unwrap_or_else(|| "{slug}.html".into());
                pelican_url(&pattern, local, slug, meta)?
            }
        }
        Format::Wordpress => return None,
    };
    let mut path = format!("/{}", path.trim_start_matches('/'));
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    Some(path)
}

/// Fills a `:name` pattern (Hugo, Jekyll); unknown names stay.
fn expand(pattern: &str, fields: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match fields(&after[..end]) {
            Some(value) if end > 0 => out.push_str(&value),
            _ => out.push_str(&rest[at..at + 1 + end]),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Fills Pelican's `ARTICLE_URL`, a Python format string: `{slug}`, `{date:%Y}`, `{category}`…
fn pelican_url(
    pattern: &str,
    date: DateTime<FixedOffset>,
    slug: &str,
    meta: &Map<String, Value>,
) -> Option<String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}')? + at;
        let field = &rest[at + 1..end];
        let (name, format) = field.split_once(':').unwrap_or((field, ""));
        let value = match name {
            "slug" => slug.to_owned(),
            "date" if !format.is_empty() => date.format(format).to_string(),
            "lang" => meta
                .get("lang")
                .and_then(text)
                .unwrap_or_else(|| "en".into()),
            "category" => slugify(
                &meta
                    .get("category")
                    .and_then(text)
                    .unwrap_or_else(|| "misc".into()),
            ),
            "author" => slugify(&meta.get("author").and_then(text).unwrap_or_default()),
            _ => return None,
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The other files of a bundle's folder (sub-folders included, hidden files and Markdown not).
fn bundle_files(index: &Path) -> Vec<(PathBuf, String)> {
    let Some(folder) = index.parent() else {
        return Vec::new();
    };
    visible_files(folder)
        .filter(|e| {
            let ext = e.path().extension().and_then(|x| x.to_str()).unwrap_or("");
            !MARKDOWN.contains(&ext)
        })
        .map(|e| {
            let rel = e.path().strip_prefix(folder).unwrap_or(e.path());
            (
                e.path().to_path_buf(),
                rel.to_string_lossy().replace('\\', "/"),
            )
        })
        .collect()
}

/// The files below `folder`, in name order, leaving out hidden ones and the [`IGNORED`] folders.
fn visible_files(folder: &Path) -> impl Iterator<Item = walkdir::DirEntry> {
    WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || IGNORED.contains(&name.as_ref()))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
}

/// Files for `static/`: Zola's and Hugo's `static/`, Pelican's `STATIC_PATHS`, Jekyll's files
/// without front matter outside `_` folders.
fn statics(format: Format, root: &Path, content: &Path, config: &Config) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut add = |folder: &Path, prefix: &str, keep: &dyn Fn(&Path) -> bool| {
        if !folder.is_dir() {
            return;
        }
        for entry in visible_files(folder) {
            if keep(entry.path()) {
                let rel = entry.path().strip_prefix(folder).unwrap_or(entry.path());
                files.push((
                    entry.path().to_path_buf(),
                    format!("{prefix}{}", rel.to_string_lossy().replace('\\', "/")),
                ));
            }
        }
    };
    match format {
        Format::Zola | Format::Hugo => add(&root.join("static"), "", &|_| true),
        Format::Pelican => {
            let folders = strings(config.get("static_paths"), None);
            let folders = if folders.is_empty() {
                vec!["images".to_owned()]
            } else {
                folders
            };
            // Folders below the content folder only: a `STATIC_PATHS` entry is the source's
            // word, and `../x` must not make the import copy files from elsewhere.
            for folder in folders.iter().filter(|f| {
                Path::new(f.trim_matches('/'))
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
            }) {
                let folder = folder.trim_matches('/');
                add(&content.join(folder), &format!("{folder}/"), &|_| true);
            }
        }
        Format::Jekyll => {
            let excluded: Vec<String> = strings(config.get("exclude"), None);
            add(root, "", &|path: &Path| {
                let rel = path.strip_prefix(root).unwrap_or(path);
                let skip = rel.components().any(|c| {
                    let c = c.as_os_str().to_string_lossy();
                    c.starts_with(['_', '.'])
                        || excluded.iter().any(|e| e.trim_matches('/') == c)
                        || matches!(c.as_ref(), "Gemfile" | "Gemfile.lock" | "CNAME")
                });
                let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
                let html_like = matches!(
                    ext,
                    "html"
                        | "xml"
                        | "md"
                        | "markdown"
                        | "liquid"
                        | "yml"
                        | "yaml"
                        | "rb"
                        | "lock"
                        | "scss"
                        | "sass"
                );
                !skip && !html_like && !starts_with_front_matter(path)
            });
        }
        Format::Wordpress => {}
    }
    files
}

/// Whether a file starts with `---` (a Jekyll page, rendered by Jekyll; not a static file).
fn starts_with_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 3];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"---")
}

/// The site's title, base URL and description from the generator's configuration.
fn site_keys(config: &Config) -> (Option<String>, Option<String>, Option<String>) {
    let title = ["title", "sitename"].iter().find_map(|k| config.str(k));
    let description = config.str("description").or_else(|| {
        config
            .get("params")
            .and_then(|p| p.get("description"))
            .and_then(text)
    });
    let base_url = match config.format {
        Format::Jekyll => config.str("url").map(|u| {
            format!(
                "{}{}",
                u.trim_end_matches('/'),
                config.str("baseurl").unwrap_or_default()
            )
        }),
        Format::Pelican => config.str("siteurl"),
        Format::Zola => config.str("base_url"),
        _ => config.str("baseurl"),
    }
    .filter(|u| u.starts_with("http"));
    (title, base_url, description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_every_generator() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let (d, only) = parse_date("2016-04-19 10:00:00 +0200", None).unwrap();
        assert_eq!(d.to_rfc3339(), "2016-04-19T10:00:00+02:00");
        assert!(!only);
        let (d, _) = parse_date("2016-07-01 10:00", Some(tz)).unwrap();
        assert_eq!(d.to_rfc3339(), "2016-07-01T10:00:00+02:00", "summer time");
        let (d, _) = parse_date("2016-01-01T10:00:00", Some(tz)).unwrap();
        assert_eq!(d.to_rfc3339(), "2016-01-01T10:00:00+01:00");
        assert!(parse_date("2016-04-19", None).unwrap().1);
        assert!(parse_date("yesterday", None).is_none());
    }

    #[test]
    fn file_names_and_paths_with_dates() {
        assert_eq!(
            file_date("2010-07-21-hello-world"),
            Some(("2010-07-21", "hello-world"))
        );
        assert_eq!(file_date("hello"), None);
        assert_eq!(path_date("2016/04/19/mir").as_deref(), Some("2016-04-19"));
        assert_eq!(path_date("blog/mir"), None);
    }

    #[test]
    fn permalink_patterns() {
        let f = |k: &str| match k {
            "year" => Some("2020".to_owned()),
            "slug" => Some("a".to_owned()),
            _ => None,
        };
        assert_eq!(expand("/:year/:slug/", &f), "/2020/a/");
        assert_eq!(expand("/:unknown/:slug", &f), "/:unknown/a");
    }
}
