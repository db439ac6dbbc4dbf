//! What `annals check` looks at beyond a build's own errors: links between pages that lead
//! nowhere, and taxonomy terms that look like two spellings of one name.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::content::Article;
use crate::diagnostics::{Diagnostic, counted, distance};
use crate::index::{SiteIndex, Term};
use crate::slug::slugify;

pub use crate::html::links;

/// The output file an internal link leads to, or `None` for a link elsewhere (another host, a
/// fragment, `mailto:`) or outside the base path.
pub fn link_target(link: &str, base_path: &str) -> Option<String> {
    if !link.starts_with('/') || link.starts_with("//") {
        return None;
    }
    let path = link.split(['#', '?']).next().unwrap_or_default();
    let path = path.strip_prefix(base_path)?;
    let path = path.trim_start_matches('/');
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    Some(if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    })
}

/// The broken internal links of one page: links whose target is not in `files`. Links into
/// `skip_prefix` (the search bundle, written after pages) are not checked.
pub fn broken_links(
    html: &str,
    base_path: &str,
    files: &HashSet<String>,
    skip_prefix: &str,
) -> Vec<String> {
    links(html)
        .into_iter()
        .filter(|link| {
            // A link to a folder without its slash (`/topics`) works: hosts redirect to it.
            link_target(link, base_path).is_some_and(|target| {
                !target.starts_with(skip_prefix)
                    && !files.contains(&target)
                    && !files.contains(&format!("{target}/index.html"))
            })
        })
        .collect()
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
    for (taxonomy, declared) in index.taxonomies.iter().zip(&config.taxonomies) {
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
            if term.spellings.len() > 1 {
                warnings.push(Diagnostic::new(
                    first_file(&term.articles),
                    format!(
                        "{} term {:?} is also written {}; they are merged, but one spelling reads better",
                        taxonomy.name,
                        term.name,
                        term.spellings[1..]
                            .iter()
                            .map(|s| format!("{s:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
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
                    // similar use ("Iceland", "Ireland") are two places.
                    if rare.articles.len() * MISSPELLING_RATIO > common.articles.len() {
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
    fn internal_links_resolve_to_files() {
        let html = r#"<a href="/news/a/">a</a> <img src="/news/b.png"> <a href="https://x.org/">x</a> <a href="/news/gone/#top">g</a> <a href="/news/pagefind/x.js">p</a> <a href="/news/a">no slash</a>"#;
        let files: HashSet<String> = ["a/index.html".to_owned(), "b.png".to_owned()].into();
        assert_eq!(
            broken_links(html, "/news", &files, "pagefind/"),
            ["/news/gone/#top"]
        );
    }
}
