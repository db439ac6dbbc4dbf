//! Where every page of the site goes, checked before anything is written: no two pages on one
//! file, no article or alias on a static file or inside the search index's folder, no file where
//! another needs a folder of that name, no name longer than file systems allow.

use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::diagnostics::{Diagnostic, sorted_unique};
use crate::engine::BuildError;
use crate::render::{Page, Renderer};
use crate::routes;
use crate::site::Site;

/// The longest file or folder name file systems allow, in bytes.
const MAX_FILE_NAME: usize = 255;

/// Every page with its output file, after checking that the files fit together: no two pages
/// on one file, no article or alias on a static file or in the search index's folder, no file
/// where another needs a folder, no name too long for a file system.
pub fn pages(site: &Site, renderer: &Renderer) -> Result<Vec<(Page, String)>, BuildError> {
    // URLs are made in parallel: a site has a page per article and then some.
    let pages: Vec<(Page, String, String)> = renderer
        .pages()
        .into_par_iter()
        .map(|page| {
            let url = renderer.url_of(page);
            let file = routes::file_for(&url);
            (page, url, file)
        })
        .collect();
    let mut statics: HashMap<String, PathBuf> = HashMap::default();
    let mut errors = Vec::new();
    for file in site.static_files()? {
        let origin = file.origin(&site.theme);
        if let Some(other) = statics.get(&file.rel) {
            errors.push(Diagnostic::new(
                &origin,
                format!(
                    "this file and {} would both be copied to /{}; rename one",
                    other.display(),
                    file.rel
                ),
            ));
        } else {
            statics.insert(file.rel, origin);
        }
    }
    let mut files: HashMap<String, Page> =
        HashMap::with_capacity_and_hasher(pages.len(), Default::default());
    let bundle = format!("{}/", routes::SEARCH_BUNDLE);
    for (page, url, file) in pages {
        let written_by_article = page.article().is_some();
        let problem = if let Some(&other) = files.get(&file) {
            // An article is the likelier culprit; the other page is named too.
            let (culprit, rival) = if page.article().is_none() {
                (other, page)
            } else {
                (page, other)
            };
            let (culprit, rival) = (
                site.source_of(renderer, culprit),
                site.source_of(renderer, rival),
            );
            let message = if culprit == rival {
                format!(
                    "{url} is both this article's URL and one of its aliases, or two of its aliases"
                )
            } else {
                format!(
                    "two pages would be written to {url}, by this article and by {}; change a slug or alias",
                    rival.display()
                )
            };
            errors.push(Diagnostic::new(culprit, message));
            continue;
        } else if written_by_article && statics.contains_key(&file) {
            Some(format!(
                "{url} is a static file of the site or its theme; give the article another slug or alias"
            ))
        } else if written_by_article && file.starts_with(&bundle) {
            Some(format!(
                "{url} is inside /{bundle}, the search index's folder; give the article another slug or alias"
            ))
        } else {
            file.split('/').find(|s| s.len() > MAX_FILE_NAME).map(|segment| {
                format!(
                    "{url} has a part of {} bytes, longer than file systems allow ({MAX_FILE_NAME}); shorten the slug, term or alias",
                    segment.len()
                )
            })
        };
        if let Some(problem) = problem {
            errors.push(Diagnostic::new(site.source_of(renderer, page), problem));
        }
        files.insert(file, page);
    }
    // A file where another file needs a folder of that name.
    let taken = |f: &str| files.contains_key(f) || statics.contains_key(f);
    let mut reported = HashSet::default();
    for file in files.keys().chain(statics.keys()) {
        for (at, _) in file.match_indices('/') {
            let folder = &file[..at];
            if !taken(folder) || !reported.insert(folder) {
                continue;
            }
            let (Some(inner), Some(outer)) = (
                owner(site, renderer, file, &files, &statics),
                owner(site, renderer, folder, &files, &statics),
            ) else {
                continue;
            };
            let article = [&inner, &outer].into_iter().find(|o| o.1).unwrap_or(&outer);
            errors.push(Diagnostic::new(
                article.0.clone(),
                format!(
                    "/{folder} would be a file, but /{file} needs a folder of that name; change a slug or alias, or the static file"
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(files.into_iter().map(|(file, page)| (page, file)).collect())
    } else {
        Err(BuildError::Input(sorted_unique(errors)))
    }
}

/// Who writes the output file `file`, if anyone: the file to name in an error, and whether
/// it is an article (an article is the likelier culprit of a clash).
fn owner(
    site: &Site,
    renderer: &Renderer,
    file: &str,
    files: &HashMap<String, Page>,
    statics: &HashMap<String, PathBuf>,
) -> Option<(PathBuf, bool)> {
    if let Some(&page) = files.get(file) {
        let article = page.article().is_some();
        return Some((site.source_of(renderer, page), article));
    }
    statics.get(file).map(|source| (source.clone(), false))
}
