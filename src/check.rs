//! What `annals check` looks at beyond a build's own errors: links between pages that lead
//! nowhere, and taxonomy terms that look like two spellings of one name.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::content::Article;
use crate::diagnostics::{Diagnostic, counted, distance};
use crate::index::{SiteIndex, Term};
use crate::routes::Links;
use crate::slug::slugify;

/// Where a link found on a page leads, for checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Somewhere else (another site, `mailto:`), or to the top of the page: nothing to check.
    Elsewhere,
    /// A path on the site's host outside its base path (`/2015/x/` on a site under `/blog`).
    OutsideBase,
    /// A file below the output folder, perhaps with a fragment naming an element of it.
    File {
        /// The file, with `/` separators (`2024/06/19/index.html`).
        file: String,
        /// The fragment, decoded, if it must name an element.
        fragment: Option<String>,
    },
}

/// Where `link`, found on the page at `page` (its root-relative URL, base path included), leads
/// on the site that `site` links into. Relative links are resolved against the page's URL, links
/// to the site's own absolute URLs are followed like root-relative ones.
pub fn resolve(link: &str, page: &str, site: &Links) -> Target {
    let link = link.trim();
    let origin = site.origin();
    let link = match link.get(..origin.len()) {
        Some(start) if start.eq_ignore_ascii_case(origin) => &link[origin.len()..],
        _ => link,
    };
    if link.is_empty() {
        return Target::Elsewhere;
    }
    let has_scheme = link.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if has_scheme || link.starts_with("//") {
        return Target::Elsewhere;
    }
    // Resolved as a browser does: `.` and `..` segments and backslashes tidied, non-ASCII
    // percent-encoded (and decoded again below).
    let Ok(url) = url::Url::parse("http://site.invalid")
        .and_then(|host| host.join(page))
        .and_then(|page| page.join(link))
    else {
        return Target::Elsewhere;
    };
    let (path, fragment) = (url.path(), url.fragment());
    let base = site.base_path();
    let Some(below) = path
        .strip_prefix(base)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    else {
        return Target::OutsideBase;
    };
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let below = decode(below.trim_start_matches('/'));
    let file = if below.is_empty() || below.ends_with('/') {
        format!("{below}index.html")
    } else {
        below
    };
    // An empty fragment and `#top` lead to the top of any page.
    let fragment = fragment
        .filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case("top"))
        .map(decode);
    Target::File { file, fragment }
}

/// The file of `files` that `file` stands for: itself, or a folder's `index.html` when linked
/// without its slash (`/topics`), which hosts redirect to.
pub fn existing<'f>(file: &'f str, files: &HashSet<String>) -> Option<std::borrow::Cow<'f, str>> {
    if files.contains(file) {
        return Some(std::borrow::Cow::Borrowed(file));
    }
    let folder = format!("{file}/index.html");
    files
        .contains(&folder)
        .then_some(std::borrow::Cow::Owned(folder))
}

/// The first letter of every word of a slug, numbers left out.
fn initials(slug: &str) -> String {
    slug.split('-')
        .filter_map(|w| w.chars().find(|c| !c.is_ascii_digit()))
        .collect()
}

/// A slug without its digits.
fn letters(slug: &str) -> String {
    slug.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// A term is taken for a misspelling of a close one only if that one is used this many times
/// as often, or more.
const MISSPELLING_RATIO: usize = 4;

/// Taxonomies with more terms than this are not compared pairwise.
const MAX_TERMS_COMPARED: usize = 5_000;

/// Warnings about terms: a term outside its taxonomy's list in `site.toml`, one term written
/// several ways (merged, but worth making consistent), and two terms whose names differ by a
/// letter or two (probably a misspelling).
pub fn suspicious_terms(
    config: &SiteConfig,
    articles: &[Article],
    index: &SiteIndex,
) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let first_file = |ids: &[usize]| -> PathBuf {
        ids.last()
            .map(|&i| articles[i].meta.source.clone())
            .unwrap_or_default()
    };
    for (position, (taxonomy, declared)) in
        index.taxonomies.iter().zip(&config.taxonomies).enumerate()
    {
        // The first article that writes a term this way: the one to fix.
        let writer = |term: &Term, spelling: &str| -> PathBuf {
            term.articles
                .iter()
                .rev()
                .find(|&&i| {
                    articles[i].meta.terms[position]
                        .iter()
                        .any(|t| &*t.name == spelling)
                })
                .map_or_else(
                    || first_file(&term.articles),
                    |&i| articles[i].meta.source.clone(),
                )
        };
        if let Some(expected) = &declared.terms {
            let expected: HashSet<String> = expected.iter().map(|t| slugify(t)).collect();
            for term in taxonomy
                .terms
                .iter()
                .filter(|t| !expected.contains(&t.slug))
            {
                warnings.push(Diagnostic::new(
                    first_file(&term.articles),
                    format!(
                        "{} term {:?} is not in the list of {} in site.toml",
                        taxonomy.name, term.name, taxonomy.name
                    ),
                ));
            }
        }
        for term in &taxonomy.terms {
            // Each rarer spelling is named at an article that uses it.
            for spelling in term.spellings.iter().skip(1) {
                warnings.push(Diagnostic::new(
                    writer(term, spelling),
                    format!(
                        "{} term {spelling:?} is written {:?} by most articles; they are merged, but one spelling reads better",
                        taxonomy.name, term.name,
                    ),
                ));
            }
        }
        if taxonomy.terms.len() > MAX_TERMS_COMPARED {
            continue;
        }
        // Names that differ in a word's first letter are different names ("North Korea", "South
        // Korea"), and so are names that differ only in numbers ("G7", "G20"): compare only
        // terms with the same initials and the same letters around their numbers.
        let mut groups: BTreeMap<String, Vec<&Term>> = BTreeMap::new();
        for term in &taxonomy.terms {
            groups.entry(initials(&term.slug)).or_default().push(term);
        }
        for group in groups.values() {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    let longest = a.slug.len().max(b.slug.len());
                    let allowed = if longest >= 10 { 2 } else { 1 };
                    if longest < 5
                        || a.slug.len().abs_diff(b.slug.len()) > allowed
                        || letters(&a.slug) == letters(&b.slug)
                    {
                        continue;
                    }
                    if distance(&a.slug, &b.slug) > allowed {
                        continue;
                    }
                    let (rare, common) = if a.articles.len() <= b.articles.len() {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    // A misspelling is rare next to the name it misspells; two names in
                    // similar use ("Iceland", "Ireland") are two places. A name used once next
                    // to a close one used more is worth a look too.
                    // Two countries Annals knows are two places, however alike their names.
                    let known = |term: &Term| {
                        config.places() == Some(position)
                            && matches!(
                                config.countries.resolve(&term.name),
                                crate::places::Place::Country(_)
                            )
                    };
                    if known(rare) && known(common) {
                        continue;
                    }
                    let rare_enough = rare.articles.len() * MISSPELLING_RATIO
                        <= common.articles.len()
                        || (rare.articles.len() == 1 && common.articles.len() > 1);
                    if !rare_enough {
                        continue;
                    }
                    warnings.push(Diagnostic::new(
                        first_file(&rare.articles),
                        format!(
                            "{} {:?} ({}) looks like {:?} ({}); a misspelling?",
                            taxonomy.name,
                            rare.name,
                            counted(rare.articles.len(), "article"),
                            common.name,
                            counted(common.articles.len(), "article"),
                        ),
                    ));
                }
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("philippines", "phillipines"), 2);
        assert_eq!(distance("russia", "russia"), 0);
        assert_eq!(distance("iran", "iraq"), 1);
    }

    #[test]
    fn links_resolve_like_a_browser_resolves_them() {
        let site = Links::new("https://example.net/blog");
        let page = "/blog/2016/03/04/mir/";
        let file = |file: &str, fragment: Option<&str>| Target::File {
            file: file.to_owned(),
            fragment: fragment.map(str::to_owned),
        };
        let cases = [
            ("flow.svg", file("2016/03/04/mir/flow.svg", None)),
            (
                "../other/#Later",
                file("2016/03/04/other/index.html", Some("Later")),
            ),
            ("#fn%3A1", file("2016/03/04/mir/index.html", Some("fn:1"))),
            ("#top", file("2016/03/04/mir/index.html", None)),
            ("/blog/topics", file("topics", None)),
            ("/blog/caf%C3%A9/?x=1", file("café/index.html", None)),
            ("https://example.net/blog/a/", file("a/index.html", None)),
            ("/2015/02/13/final-timeline/", Target::OutsideBase),
            ("/blogger/", Target::OutsideBase),
            ("https://elsewhere.org/blog/", Target::Elsewhere),
            ("//cdn.example/x.js", Target::Elsewhere),
            ("mailto:desk@example.net", Target::Elsewhere),
        ];
        for (link, expected) in cases {
            assert_eq!(resolve(link, page, &site), expected, "{link}");
        }
        let files: HashSet<String> = ["topics/index.html".to_owned()].into();
        assert_eq!(
            existing("topics", &files).as_deref(),
            Some("topics/index.html")
        );
        assert_eq!(
            existing("topics/index.html", &files).as_deref(),
            Some("topics/index.html")
        );
        assert_eq!(existing("gone", &files), None);
    }
}
