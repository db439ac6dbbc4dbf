//! Taxonomy pages: the list of all terms of a taxonomy (`/topics/`; for the taxonomy of places,
//! by region under a world map), each term's listing (`/topics/sanctions/`, paginated) with its
//! coverage over time, and its articles of each year (`/topics/sanctions/2024/`).

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use chrono::Datelike;
use tera::{Context, Value};

use super::feeds::{self, FeedScope};
use super::shade::{Shades, bar_height};
use super::views::{
    CountryView, DateLabel, FoundWith, LetterGroup, MapShape, PeriodLink, RegionGroup,
    SubregionGroup, TermCount, TermProfile, TermView, TermYearBar, TermYearView, WorldMap,
};
use super::{HashInputs, Kind, Listed, Page, Renderer, numbered};
use crate::diagnostics::Diagnostic;
use crate::hash::StableHasher;
use crate::places::{Country, map};
use crate::routes;

/// The list of all terms of the taxonomy at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxonomyPage(pub usize);

/// The list of all terms of the taxonomy of places: the countries by region, on a world map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacesPage(pub usize);

/// A term's articles of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermYearPage {
    /// The taxonomy's position.
    pub taxonomy: usize,
    /// The term's position in the taxonomy.
    pub term: usize,
    /// The year's position in the term's `years`.
    pub year: usize,
}

/// A year bar spans every year from a term's first to its last unless that is more than this
/// many; then it shows the years with articles alone.
const YEAR_BAR_SPAN: i32 = 100;

/// How many bars of its chart a term's page of one year shows (the years around its own), and
/// its listing's pages after the first (the years around their articles'). The whole chart is on
/// the listing's first page.
const YEAR_BARS_AROUND: usize = 11;

/// A page of a term's listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermPage {
    /// The taxonomy's position.
    pub taxonomy: usize,
    /// The term's position in the taxonomy.
    pub term: usize,
    /// The page, from 1.
    pub page: usize,
}

/// Every taxonomy's list, each followed by its terms' listings.
pub(super) fn pages(r: &Renderer) -> Vec<Page> {
    let mut pages = Vec::new();
    for (taxonomy, t) in r.index.taxonomies.iter().enumerate() {
        pages.push(if r.config.places() == Some(taxonomy) {
            Page::Places(PlacesPage(taxonomy))
        } else {
            Page::Taxonomy(TaxonomyPage(taxonomy))
        });
        for (term, entry) in t.terms.iter().enumerate() {
            pages.extend((1..=r.page_count(entry.articles.len())).map(|page| {
                Page::Term(TermPage {
                    taxonomy,
                    term,
                    page,
                })
            }));
            pages.extend((0..entry.years.len()).map(|year| {
                Page::TermYear(TermYearPage {
                    taxonomy,
                    term,
                    year,
                })
            }));
        }
    }
    pages
}

impl Renderer<'_> {
    /// The country a term is, if it is one.
    fn country(&self, taxonomy: usize, term: usize) -> Option<&Country> {
        let code = self.index.taxonomies[taxonomy].terms[term]
            .code
            .as_deref()?;
        self.config.countries.by_code(code)
    }

    /// A term with its count.
    fn term_count(&self, taxonomy: usize, term: usize) -> TermCount<'_> {
        let t = &self.index.taxonomies[taxonomy].terms[term];
        TermCount {
            name: &t.name,
            slug: &t.slug,
            url: self.link(&self.term_url(taxonomy, term)),
            count: t.articles.len(),
            code: t.code.as_deref(),
            flag: self.country(taxonomy, term).map(Country::flag),
        }
    }

    /// [`Renderer::term_view`] as a template value, made once for all the term's pages.
    fn term_value(&self, taxonomy: usize, term: usize) -> Value {
        self.term_views[taxonomy][term]
            .get_or_init(|| Value::from_serializable(&self.term_view(taxonomy, term)))
            .clone()
    }

    /// A hash of [`Renderer::term_view`], made once for all the term's pages' fingerprints.
    fn term_hash(&self, taxonomy: usize, term: usize) -> u64 {
        *self.term_hashes[taxonomy][term].get_or_init(|| {
            let mut h = StableHasher::default();
            self.term_view(taxonomy, term).hash(&mut h);
            h.finish()
        })
    }

    /// The term, its feeds, its country and its coverage over time.
    fn term_view(&self, taxonomy: usize, term: usize) -> TermView<'_> {
        TermView {
            term: self.term_count(taxonomy, term),
            feeds: feeds::links(self, FeedScope::Term { taxonomy, term }),
            country: self.country(taxonomy, term).map(|c| CountryView {
                code: &c.code,
                alpha3: &c.alpha3,
                flag: c.flag(),
                region: &c.region,
                subregion: &c.subregion,
            }),
            profile: self.term_profile(taxonomy, term),
        }
    }

    /// When a term was covered, how much each year, and what with.
    fn term_profile(&self, taxonomy: usize, term: usize) -> TermProfile<'_> {
        let t = &self.index.taxonomies[taxonomy].terms[term];
        let date = |i: usize| {
            let date = &self.articles[i].meta.date;
            DateLabel {
                datetime: date.machine(),
                label: date.display(&self.config.date_format),
            }
        };
        let tallest = t.years.iter().map(|y| y.articles.len()).max().unwrap_or(0);
        let bar = |year: i32, found: Option<usize>| {
            let count = found.map_or(0, |y| t.years[y].articles.len());
            TermYearBar {
                year,
                count,
                url: found.map(|y| self.link(&self.term_year_url(taxonomy, term, y))),
                height: bar_height(count, tallest),
                label: match count {
                    0 => format!("{year}: no articles"),
                    1 => format!("{year}: 1 article"),
                    n => format!("{year}: {n} articles"),
                },
                minor: year % 5 != 0,
            }
        };
        let (newest, oldest) = (t.years.first(), t.years.last());
        let mut years: Vec<TermYearBar> = match (oldest, newest) {
            (Some(first), Some(last)) if last.year - first.year < YEAR_BAR_SPAN => (first.year
                ..=last.year)
                .map(|year| bar(year, t.years.iter().position(|y| y.year == year)))
                .collect(),
            _ => (0..t.years.len())
                .rev()
                .map(|y| bar(t.years[y].year, Some(y)))
                .collect(),
        };
        // The first and last years are always labelled.
        if let Some(first) = years.first_mut() {
            first.minor = false;
        }
        if let Some(last) = years.last_mut() {
            last.minor = false;
        }
        TermProfile {
            since: t.articles.last().map(|&i| date(i)),
            latest: t.articles.first().map(|&i| date(i)),
            years,
            found_with: t
                .co_terms
                .iter()
                .enumerate()
                .filter(|(_, found)| !found.is_empty())
                .map(|(other, found)| {
                    let taxonomy = &self.index.taxonomies[other];
                    FoundWith {
                        name: &taxonomy.name,
                        title: &taxonomy.title,
                        terms: found
                            .iter()
                            .map(|&(found, shared)| TermCount {
                                count: shared,
                                ..self.term_count(other, found)
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }

    /// The URL of a term's page of one year (a position in its `years`).
    fn term_year_url(&self, taxonomy: usize, term: usize, year: usize) -> String {
        let t = &self.index.taxonomies[taxonomy];
        let entry = &t.terms[term];
        routes::term_year(&t.name, &entry.slug, entry.years[year].year)
    }

    /// The context every list of a taxonomy's terms gets: `taxonomy`, `terms` (by name),
    /// `terms_by_count` and `letters`.
    fn taxonomy_context(&self, taxonomy: usize, url: &str) -> Context {
        let t = &self.index.taxonomies[taxonomy];
        let terms: Vec<TermCount> = (0..t.terms.len())
            .map(|term| self.term_count(taxonomy, term))
            .collect();
        let mut by_count: Vec<usize> = (0..t.terms.len()).collect();
        by_count.sort_by_key(|&i| std::cmp::Reverse(t.terms[i].articles.len()));
        let mut letters: Vec<LetterGroup> = Vec::new();
        for (i, term) in t.terms.iter().enumerate() {
            let letter = term
                .slug
                .chars()
                .next()
                .filter(char::is_ascii_alphabetic)
                .map_or_else(|| "#".to_owned(), |c| c.to_ascii_uppercase().to_string());
            match letters.last_mut() {
                Some(group) if group.letter == letter => group.terms.push(terms[i].clone()),
                _ => letters.push(LetterGroup {
                    letter,
                    terms: vec![terms[i].clone()],
                }),
            }
        }
        let description = format!("All {} of {}", t.title.to_lowercase(), self.config.title);
        let page = self.page_view("taxonomy", &t.title, url, &description);
        let mut ctx = self.context(&page);
        ctx.insert("taxonomy", &self.taxonomy_view(taxonomy));
        let terms_by_count: Vec<&TermCount> = by_count.iter().map(|&i| &terms[i]).collect();
        ctx.insert("terms_by_count", &terms_by_count);
        ctx.insert("terms", &terms);
        ctx.insert("letters", &letters);
        ctx
    }

    /// Hashes what a list of a taxonomy's terms shows.
    fn hash_terms(&self, taxonomy: usize, h: &mut StableHasher) {
        for term in &self.index.taxonomies[taxonomy].terms {
            (&term.name, &term.slug, &term.code, term.articles.len()).hash(h);
        }
    }
}

impl Kind for TaxonomyPage {
    fn url(&self, r: &Renderer) -> String {
        routes::taxonomy(&r.index.taxonomies[self.0].name)
    }

    fn template(&self) -> Option<&'static str> {
        Some("taxonomy.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let ctx = r.taxonomy_context(self.0, &self.url(r));
        r.theme.render("taxonomy.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, _: &HashInputs, h: &mut StableHasher) -> bool {
        r.hash_terms(self.0, h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        Listed::Yes(r.last_change)
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for PlacesPage {
    fn url(&self, r: &Renderer) -> String {
        routes::taxonomy(&r.index.taxonomies[self.0].name)
    }

    fn template(&self) -> Option<&'static str> {
        Some("places.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let mut ctx = r.taxonomy_context(self.0, &self.url(r));
        let t = &r.index.taxonomies[self.0];
        // Countries by region and subregion (BTreeMaps keep both sorted by name); the rest of
        // the terms by name.
        let mut regions: BTreeMap<&str, BTreeMap<&str, Vec<TermCount>>> = BTreeMap::new();
        let mut others = Vec::new();
        let mut by_code = std::collections::HashMap::new();
        for term in 0..t.terms.len() {
            match r.country(self.0, term) {
                Some(country) => {
                    by_code.insert(country.code.as_str(), term);
                    regions
                        .entry(&country.region)
                        .or_default()
                        .entry(&country.subregion)
                        .or_default()
                        .push(r.term_count(self.0, term));
                }
                None => others.push(r.term_count(self.0, term)),
            }
        }
        let regions: Vec<RegionGroup> = regions
            .into_iter()
            .map(|(name, subregions)| RegionGroup {
                name,
                count: subregions.values().flatten().map(|t| t.count).sum(),
                subregions: subregions
                    .into_iter()
                    .map(|(name, mut terms)| {
                        terms.sort_by(|a, b| a.name.cmp(b.name));
                        SubregionGroup { name, terms }
                    })
                    .collect(),
            })
            .collect();
        let shades = Shades::new(by_code.values().map(|&term| t.terms[term].articles.len()));
        let shapes = map::shapes()
            .map(|shape| {
                let country = shape.code.and_then(|code| r.config.countries.by_code(code));
                let term = shape.code.and_then(|code| by_code.get(code).copied());
                let count = term.map_or(0, |term| t.terms[term].articles.len());
                MapShape {
                    code: shape.code,
                    name: term
                        .map(|term| t.terms[term].name.as_str())
                        .or(country.map(|c| c.name.as_str())),
                    path: shape.path,
                    url: term.map(|term| r.link(&r.term_url(self.0, term))),
                    count,
                    level: shades.level(count),
                }
            })
            .collect();
        ctx.insert("regions", &regions);
        ctx.insert("others", &others);
        ctx.insert(
            "map",
            &WorldMap {
                view_box: map::VIEW_BOX,
                shapes,
                legend: shades.legend(),
            },
        );
        r.theme.render("places.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, _: &HashInputs, h: &mut StableHasher) -> bool {
        r.hash_terms(self.0, h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        Listed::Yes(r.last_change)
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for TermPage {
    fn url(&self, r: &Renderer) -> String {
        routes::paginated(&r.term_url(self.taxonomy, self.term), self.page)
    }

    fn template(&self) -> Option<&'static str> {
        Some("term.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        let description = format!(
            "{} articles about {} in {}",
            entry.articles.len(),
            entry.name,
            r.config.title
        );
        let title = numbered(&entry.name, self.page);
        let page = r.page_view("term", &title, &self.url(r), &description);
        let mut ctx = r.context(&page);
        ctx.insert("taxonomy", &r.taxonomy_view(self.taxonomy));
        ctx.insert_value("term", r.term_value(self.taxonomy, self.term));
        let base = r.term_url(self.taxonomy, self.term);
        r.add_listing(&mut ctx, &entry.name, &base, &entry.articles, self.page);
        // The first page has the whole chart; the others the years around their articles'.
        if self.page > 1
            && let Some(&first) = r.on_page(&entry.articles, self.page).first()
        {
            let year = r.articles[first].meta.date.local_date().year();
            ctx.insert_value(
                "year_bars",
                r.year_bars_around(self.taxonomy, self.term, year),
            );
        }
        r.theme.render("term.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        r.hash_listing(&entry.articles, self.page, inputs.hashes, h);
        r.term_hash(self.taxonomy, self.term).hash(h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        let newest = entry.articles.first();
        Listed::Yes(newest.map(|&i| r.articles[i].meta.date.instant))
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Kind for TermYearPage {
    fn url(&self, r: &Renderer) -> String {
        r.term_year_url(self.taxonomy, self.term, self.year)
    }

    fn template(&self) -> Option<&'static str> {
        Some("term_year.html")
    }

    fn render(&self, r: &Renderer, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        let year = &entry.years[self.year];
        let title = format!("{} in {:04}", entry.name, year.year);
        let description = format!(
            "{} articles about {} from {:04} in {}",
            year.articles.len(),
            entry.name,
            year.year,
            r.config.title
        );
        let page = r.page_view("term_year", &title, &self.url(r), &description);
        let mut ctx = r.context(&page);
        ctx.insert("taxonomy", &r.taxonomy_view(self.taxonomy));
        ctx.insert_value("term", r.term_value(self.taxonomy, self.term));
        ctx.insert("term_year", &r.term_year_view(*self));
        ctx.insert_value(
            "year_bars",
            r.year_bars_around(self.taxonomy, self.term, year.year),
        );
        r.theme.render("term_year.html", &ctx, out)
    }

    fn fingerprint(&self, r: &Renderer, inputs: &HashInputs, h: &mut StableHasher) -> bool {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        for &i in &entry.years[self.year].articles {
            inputs.hashes.card(i).hash(h);
        }
        r.term_hash(self.taxonomy, self.term).hash(h);
        true
    }

    fn sitemap(&self, r: &Renderer) -> Listed {
        let entry = &r.index.taxonomies[self.taxonomy].terms[self.term];
        let newest = entry.years[self.year].articles.first();
        Listed::Yes(newest.map(|&i| r.articles[i].meta.date.instant))
    }

    fn article(&self) -> Option<usize> {
        None
    }
}

impl Renderer<'_> {
    /// The bars of a term's chart (`term.profile.years`) around `year`: up to
    /// [`YEAR_BARS_AROUND`], that year's in the middle unless it is near either end.
    fn year_bars_around(&self, taxonomy: usize, term: usize, year: i32) -> Value {
        let term = self.term_value(taxonomy, term);
        let bars = term
            .get_from_path("profile.years")
            .and_then(Value::as_array)
            .unwrap_or_default();
        let here = bars
            .iter()
            .position(|bar| {
                bar.get_from_path("year").and_then(Value::as_i64) == Some(i64::from(year))
            })
            .unwrap_or(0);
        let start = here
            .saturating_sub(YEAR_BARS_AROUND / 2)
            .min(bars.len().saturating_sub(YEAR_BARS_AROUND));
        let end = (start + YEAR_BARS_AROUND).min(bars.len());
        Value::from(bars[start..end].to_vec())
    }

    /// What a term's page of one year shows besides the term.
    fn term_year_view(&self, page: TermYearPage) -> TermYearView {
        let entry = &self.index.taxonomies[page.taxonomy].terms[page.term];
        let year = &entry.years[page.year];
        let link = |y: usize| PeriodLink {
            label: format!("{:04}", entry.years[y].year),
            url: self.link(&self.term_year_url(page.taxonomy, page.term, y)),
            datetime: Some(format!("{:04}", entry.years[y].year)),
        };
        // Years are newest first: the previous (older) one comes next.
        TermYearView {
            year: year.year,
            count: year.articles.len(),
            url: self.link(&self.term_year_url(page.taxonomy, page.term, page.year)),
            prev: (page.year + 1 < entry.years.len()).then(|| link(page.year + 1)),
            next: page.year.checked_sub(1).map(link),
            archive: PeriodLink {
                label: format!("{:04}", year.year),
                url: self.link(&routes::year(year.year)),
                datetime: Some(format!("{:04}", year.year)),
            },
            groups: self.article_groups(&year.articles, false),
        }
    }
}
