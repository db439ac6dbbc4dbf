//! Reads a WordPress export (WXR) as a stream of XML events — exports run to hundreds of
//! megabytes — and turns each published post into an [`Entry`].

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use rayon::prelude::*;

use super::html::wordpress_markdown;
use super::{Entry, ImportError, ImportOptions, Notes, Source};
use crate::progress::Progress;

/// The fields of one `<item>` the import uses.
#[derive(Debug, Default)]
struct Item {
    title: String,
    link: String,
    creator: String,
    content: String,
    excerpt: String,
    date: String,
    date_gmt: String,
    name: String,
    status: String,
    kind: String,
    password: String,
    /// (domain, nicename, name) of each `<category>`.
    categories: Vec<(String, String, String)>,
    /// The byte offset where the item starts, to name its line in messages.
    offset: u64,
}

/// What the channel says about the site and its people.
#[derive(Debug, Default)]
struct Channel {
    title: String,
    link: String,
    description: String,
    /// Author logins and display names.
    authors: HashMap<String, String>,
    author_login: String,
    author_name: String,
}

/// Reads the export file of `options` into entries.
pub(crate) fn read(
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<Source, ImportError> {
    let path = &options.source;
    let file = std::fs::File::open(path).map_err(|e| ImportError::Source {
        path: path.clone(),
        message: format!("cannot open the export file: {e}"),
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    progress.stage(
        "Reading the export",
        usize::try_from(size).unwrap_or(usize::MAX),
    );
    let mut reader = Reader::from_reader(std::io::BufReader::with_capacity(1 << 16, file));
    reader.config_mut().check_end_names = true;

    let mut source = Source::default();
    let mut channel = Channel::default();
    let mut items = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut item = Item::default();
    let mut category: Option<(String, String)> = None;
    let mut buf = Vec::new();
    let mut read_so_far = 0u64;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| ImportError::Xml {
                path: path.clone(),
                line: lines_at(path, &[reader.error_position()])[0],
                message: e.to_string(),
            })?;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                let local = local(&name).to_owned();
                if local == "item" {
                    item = Item {
                        offset: reader.buffer_position(),
                        ..Item::default()
                    };
                }
                if local == "category" && stack.last().is_some_and(|s| s == "item") {
                    let attr = |key: &str| {
                        e.try_get_attribute(key)
                            .ok()
                            .flatten()
                            .and_then(|a| {
                                a.normalized_value(XmlVersion::Implicit1_0)
                                    .ok()
                                    .map(|v| v.into_owned())
                            })
                            .unwrap_or_default()
                    };
                    category = Some((attr("domain"), attr("nicename")));
                }
                stack.push(local);
                text.clear();
            }
            Event::Text(e) => text.push_str(&e.html_content()),
            Event::CData(e) => text.push_str(&e.into_inner()),
            Event::GeneralRef(e) => match e.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => {
                    let name = e.into_inner().into_owned();
                    match resolve_xml_entity(&name) {
                        Some(s) => text.push_str(s),
                        None => text.push_str(&format!("&{name};")),
                    }
                }
            },
            Event::End(e) => {
                let qname = e.name().as_ref().to_owned();
                let local_name = local(&qname);
                stack.pop();
                let parent = stack.last().map(String::as_str).unwrap_or("");
                let value = std::mem::take(&mut text);
                match parent {
                    "item" => item_field(&mut item, &qname, local_name, value, &mut category),
                    "channel" => match local_name {
                        "title" => channel.title = value,
                        "link" => channel.link = value,
                        "description" => channel.description = value,
                        "item" => items.push(std::mem::take(&mut item)),
                        "author" => {
                            let login = std::mem::take(&mut channel.author_login);
                            let name = std::mem::take(&mut channel.author_name);
                            channel.authors.insert(login, name);
                        }
                        _ => {}
                    },
                    "author" => match local_name {
                        "author_login" => channel.author_login = value,
                        "author_display_name" => channel.author_name = value,
                        _ => {}
                    },
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        let position = reader.buffer_position();
        progress.advance(usize::try_from(position - read_so_far).unwrap_or(0));
        read_so_far = position;
        buf.clear();
    }
    if channel.link.is_empty() && items.is_empty() {
        return Err(ImportError::Source {
            path: path.clone(),
            message: "not a WordPress export: no <channel> with items".into(),
        });
    }
    let base_path = url_path(&channel.link);
    let lines = lines_at(path, &items.iter().map(|i| i.offset).collect::<Vec<_>>());
    let known = known_offsets(&items);
    let uploads = Uploads::new(&channel.link, options.uploads.as_deref());
    progress.stage("Converting posts", items.len());
    // Items are converted in parallel, each with notes of its own, merged in export order.
    let converted: Vec<(Option<Entry>, Notes)> = items
        .par_iter()
        .zip(lines)
        .map(|(item, line)| {
            let mut notes = Notes::default();
            let title = if item.title.is_empty() {
                &item.name
            } else {
                &item.title
            };
            let origin = format!("{}:{line} ({title:?})", path.display());
            let entry = match item.kind.as_str() {
                "post" => entry(
                    item, &origin, &channel, &base_path, &known, &uploads, &mut notes,
                ),
                "page" => {
                    notes.skip("pages (Annals imports posts)", origin);
                    None
                }
                "attachment" => {
                    notes.count("attachments in the export", 1);
                    None
                }
                "nav_menu_item"
                | "revision"
                | "customize_changeset"
                | "custom_css"
                | "wp_global_styles"
                | "wp_navigation"
                | "wp_template"
                | "wp_template_part"
                | "oembed_cache"
                | "user_request"
                | "wp_block" => None,
                other => {
                    notes.skip(&format!("items of type {other}"), origin);
                    None
                }
            };
            progress.advance(1);
            (entry, notes)
        })
        .collect();
    for (entry, notes) in converted {
        source.entries.extend(entry);
        source.notes.merge(notes);
    }
    source.title = Some(channel.title).filter(|t| !t.trim().is_empty());
    source.base_url =
        Some(channel.link.trim_end_matches('/').to_owned()).filter(|l| l.starts_with("http"));
    source.description = Some(channel.description).filter(|d| !d.trim().is_empty());
    Ok(source)
}

/// Stores the text of an element of an `<item>`.
fn item_field(
    item: &mut Item,
    qname: &str,
    local_name: &str,
    value: String,
    category: &mut Option<(String, String)>,
) {
    match local_name {
        "title" => item.title = value,
        "link" => item.link = value,
        "creator" => item.creator = value,
        "encoded" if qname.starts_with("excerpt") => item.excerpt = value,
        "encoded" => item.content = value,
        "post_date" => item.date = value,
        "post_date_gmt" => item.date_gmt = value,
        "post_name" => item.name = value,
        "status" => item.status = value,
        "post_type" => item.kind = value,
        "post_password" => item.password = value,
        "category" => {
            if let Some((domain, nicename)) = category.take() {
                item.categories.push((domain, nicename, value));
            }
        }
        _ => {}
    }
}

/// The local part of a qualified name: `wp:post_id` → `post_id`.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The entry of a post item; none (and a note) when it is not imported.
fn entry(
    item: &Item,
    origin: &str,
    channel: &Channel,
    base_path: &str,
    known: &[(NaiveDateTime, FixedOffset)],
    uploads: &Uploads,
    notes: &mut Notes,
) -> Option<Entry> {
    let mut draft = false;
    match item.status.as_str() {
        "publish" | "" => {}
        "future" => notes.count("scheduled posts (published on their date)", 1),
        "draft" | "pending" | "private" => draft = true,
        "trash" | "auto-draft" | "inherit" => {
            notes.skip(&format!("posts in status {}", item.status), origin);
            return None;
        }
        other => {
            notes.skip(&format!("posts in status {other}"), origin);
            return None;
        }
    }
    if !item.password.is_empty() {
        draft = true;
        notes.count("password-protected posts, imported as drafts", 1);
    }
    let date = post_date(item, known);
    let converted = wordpress_markdown(&item.content);
    for name in &converted.unknown_shortcodes {
        notes.warn(
            origin,
            format!("shortcode [{name}] has no Annals equivalent; kept as text"),
        );
    }
    let (body, files) = uploads.localise(&converted.markdown, notes, origin);
    let mut terms = Vec::new();
    for (domain, nicename, name) in &item.categories {
        match domain.as_str() {
            "category" if nicename == "uncategorized" || name == "Uncategorized" => {}
            "category" | "post_tag" => terms.push(name.trim().to_owned()),
            _ => {}
        }
    }
    let author = channel
        .authors
        .get(&item.creator)
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| item.creator.clone());
    let summary = Some(crate::html::text(&item.excerpt)).filter(|s| !s.is_empty());
    let slug = percent_encoding::percent_decode_str(&item.name)
        .decode_utf8_lossy()
        .into_owned();
    let alias = item
        .link
        .split_once("://")
        .map(|(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]))
        .map(|path| path.strip_prefix(base_path).unwrap_or(path))
        .map(|path| {
            percent_encoding::percent_decode_str(path)
                .decode_utf8_lossy()
                .into_owned()
        });
    Some(Entry {
        origin: origin.to_owned(),
        key: None,
        title: crate::html::text(&item.title),
        date,
        date_only: false,
        updated: None,
        slug,
        summary,
        authors: vec![author].into_iter().filter(|a| !a.is_empty()).collect(),
        terms,
        places: Vec::new(),
        draft,
        aliases: alias.into_iter().collect(),
        extra: None,
        body,
        files,
    })
}

/// A WXR time: `2012-01-05 09:30:00`; none for the `0000-00-00 00:00:00` of drafts.
fn wxr_time(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()
}

/// The offset of the site at a post: its local time minus its UTC time (WXR has no zone), to
/// the quarter hour.
fn offset_of(item: &Item) -> Option<FixedOffset> {
    let local = wxr_time(&item.date)?;
    let utc = wxr_time(&item.date_gmt)?;
    let seconds = (local - utc).num_seconds();
    let quarter = (seconds as f64 / 900.0).round() as i32 * 900;
    FixedOffset::east_opt(quarter)
}

/// The site's offsets at known moments (local time of posts with a UTC time), in time order, to
/// give posts without one (drafts) the offset of the nearest.
fn known_offsets(items: &[Item]) -> Vec<(NaiveDateTime, FixedOffset)> {
    let mut known: Vec<(NaiveDateTime, FixedOffset)> = items
        .iter()
        .filter_map(|item| Some((wxr_time(&item.date)?, offset_of(item)?)))
        .collect();
    known.sort_by_key(|(time, _)| *time);
    known
}

/// When the post was published, with the site's offset at that moment: its own, else that of
/// the post nearest in time (UTC without any).
fn post_date(item: &Item, known: &[(NaiveDateTime, FixedOffset)]) -> Option<DateTime<FixedOffset>> {
    let local = wxr_time(&item.date)?;
    let offset = offset_of(item).unwrap_or_else(|| {
        let at = known.partition_point(|(time, _)| *time < local);
        let before = at.checked_sub(1).and_then(|i| known.get(i));
        let nearest = match (before, known.get(at)) {
            (Some(b), Some(a)) if (a.0 - local) < (local - b.0) => Some(a),
            (Some(b), _) => Some(b),
            (None, a) => a,
        };
        nearest.map_or_else(
            || FixedOffset::east_opt(0).expect("zero is an offset"),
            |(_, o)| *o,
        )
    });
    offset.from_local_datetime(&local).single()
}

/// The path of a URL, without a trailing slash: `https://e.org/blog/` → `/blog`.
fn url_path(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("")
        .trim_end_matches('/')
        .to_owned()
}

/// The old site's uploads: images and attachments the posts link to, copied into each post's
/// bundle when a local copy of `wp-content/uploads` is given.
struct Uploads<'a> {
    /// The URL prefix of the uploads folder, `https://e.org/wp-content/uploads/`.
    prefixes: Vec<String>,
    /// The local copy.
    folder: Option<&'a Path>,
}

impl<'a> Uploads<'a> {
    fn new(site: &str, folder: Option<&'a Path>) -> Uploads<'a> {
        let site = site.trim_end_matches('/');
        let mut prefixes = vec![format!("{site}/wp-content/uploads/")];
        if let Some(rest) = site.strip_prefix("https://") {
            prefixes.push(format!("http://{rest}/wp-content/uploads/"));
        } else if let Some(rest) = site.strip_prefix("http://") {
            prefixes.push(format!("https://{rest}/wp-content/uploads/"));
        }
        prefixes.push("/wp-content/uploads/".to_owned());
        Uploads { prefixes, folder }
    }

    /// The body with links into the uploads made links to files of the article's bundle, and
    /// those files (source, name in the bundle); without a local copy the links stay.
    fn localise(
        &self,
        body: &str,
        notes: &mut Notes,
        origin: &str,
    ) -> (String, Vec<(PathBuf, String)>) {
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        let mut out = body.to_owned();
        let mut missing = 0;
        for prefix in &self.prefixes {
            let mut search_from = 0;
            while let Some(found) = out[search_from..].find(prefix.as_str()) {
                let start = search_from + found;
                // "/wp-content/uploads/" alone must start a link, not end a longer URL.
                if prefix.starts_with('/')
                    && out[..start].ends_with(|c: char| c.is_alphanumeric() || c == '.')
                {
                    search_from = start + prefix.len();
                    continue;
                }
                let rest = &out[start + prefix.len()..];
                let end = rest
                    .find(|c: char| {
                        c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '<' | '>' | '?' | '#')
                    })
                    .unwrap_or(rest.len());
                let rel = rest[..end].to_owned();
                let Some(folder) = self.folder else {
                    missing += 1;
                    search_from = start + prefix.len() + end;
                    continue;
                };
                let decoded = percent_encoding::percent_decode_str(&rel)
                    .decode_utf8_lossy()
                    .into_owned();
                let file = folder.join(&decoded);
                let name = decoded.rsplit('/').next().unwrap_or(&decoded).to_owned();
                // A plain file inside the uploads folder: no `..`, no other separators, no link
                // that could publish a file from elsewhere.
                let safe = !decoded.contains(['\\', ':'])
                    && !decoded.split('/').any(|s| s == ".." || s.is_empty())
                    && file.symlink_metadata().is_ok_and(|m| m.is_file());
                if !safe || name.is_empty() {
                    notes.warn(
                        origin,
                        format!("{decoded} is not in the uploads folder; the link stays"),
                    );
                    search_from = start + prefix.len() + end;
                    continue;
                }
                // Two uploads of one name (`2012/01/photo.jpg`, `2013/05/photo.jpg`) become
                // `photo.jpg` and `photo-2.jpg` in the bundle.
                let name = match files.iter().find(|(f, _)| *f == file) {
                    Some((_, taken)) => taken.clone(),
                    None => {
                        let name = unique_name(&name, |n| files.iter().any(|(_, t)| t == n));
                        files.push((file, name.clone()));
                        name
                    }
                };
                out.replace_range(start..start + prefix.len() + end, &name);
                search_from = start + name.len();
            }
        }
        if missing > 0 {
            notes.count(
                "links to the old site's uploads (pass --uploads with a copy of wp-content/uploads to copy them)",
                missing,
            );
        }
        (out, files)
    }
}

/// `name`, or `stem-2.ext`, `stem-3.ext`… the first that `taken` says is free.
fn unique_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    (1..)
        .map(|n| {
            if n == 1 {
                name.to_owned()
            } else {
                format!("{stem}-{n}{ext}")
            }
        })
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| name.to_owned())
}

/// The line of each byte offset in the export (offsets in increasing order), in one more pass
/// over the file: lines are counted only once they are needed.
fn lines_at(path: &Path, offsets: &[u64]) -> Vec<usize> {
    let mut lines = Vec::with_capacity(offsets.len());
    let Ok(file) = std::fs::File::open(path) else {
        return vec![0; offsets.len()];
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let (mut line, mut seen) = (1, 0u64);
    let mut wanted = offsets.iter().peekable();
    while wanted.peek().is_some() {
        let Ok(chunk) = reader.fill_buf() else { break };
        if chunk.is_empty() {
            break;
        }
        let len = chunk.len();
        for (i, byte) in chunk.iter().enumerate() {
            while wanted.next_if(|&&o| o <= seen + i as u64).is_some() {
                lines.push(line);
            }
            if *byte == b'\n' {
                line += 1;
            }
        }
        seen += len as u64;
        reader.consume(len);
    }
    lines.resize(offsets.len(), line);
    lines
}

#[cfg(test)]
mod tests {
    use super::unique_name;

    #[test]
    fn two_uploads_of_one_name_get_two_names() {
        let taken = ["photo.jpg", "photo-2.jpg", "README"];
        let free = |name: &str| unique_name(name, |n| taken.contains(&n));
        assert_eq!(free("photo.jpg"), "photo-3.jpg");
        assert_eq!(free("map.png"), "map.png");
        assert_eq!(free("README"), "README-2");
    }
}
