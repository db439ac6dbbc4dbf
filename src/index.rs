//! Indexes: every article grouped by taxonomy term and by year, month and day.
//!
//! Articles are referred to by their position in the article list, which [`sort_articles`] puts
//! newest first; every list of positions here is in that order too.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::Datelike;
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::Article;

/// Sorts articles newest first (ties by file path), the order every index relies on.
pub fn sort_articles(articles: &mut [Article]) {
    articles.par_sort_by(|a, b| {
        b.meta
            .date
            .instant
            .cmp(&a.meta.date.instant)
            .then_with(|| a.meta.rel_path.cmp(&b.meta.rel_path))
    });
}

/// One term of a taxonomy, like "North Korea" in countries.
#[derive(Debug, Clone)]
pub struct Term {
    /// The name shown to readers: the most used spelling among the articles.
    pub name: String,
    /// Its URL segment; also what makes two spellings one term.
    pub slug: String,
    /// The articles with this term, newest first.
    pub articles: Vec<usize>,
    /// Every spelling used for the term, most used first (the first is `name`).
    pub spellings: Vec<String>,
    /// The ISO code of the country a term of the taxonomy of places is.
    pub code: Option<String>,
    /// Its articles by the year of their own offset, newest first.
    pub years: Vec<TermYear>,
    /// For each taxonomy, the terms most often found with this one: positions in that
    /// taxonomy's `terms` with the number of articles shared, most first (at most
    /// [`CO_TERMS`]).
    pub co_terms: Vec<Vec<(usize, usize)>>,
}

/// A term's articles of one year.
#[derive(Debug, Clone)]
pub struct TermYear {
    /// The year.
    pub year: i32,
    /// The articles, newest first.
    pub articles: Vec<usize>,
}

/// How many terms found with a term are kept per taxonomy.
pub const CO_TERMS: usize = 10;

/// All the terms of one taxonomy.
#[derive(Debug, Clone)]
pub struct TaxonomyIndex {
    /// The taxonomy's name (`topics`), its URL segment.
    pub name: String,
    /// Its heading ("Topics").
    pub title: String,
    /// Its terms, sorted by slug.
    pub terms: Vec<Term>,
}

/// A day that has articles.
#[derive(Debug, Clone)]
pub struct DayIndex {
    /// Day of the month, 1–31.
    pub day: u32,
    /// Its articles, newest first.
    pub articles: Vec<usize>,
}

/// A month that has articles.
#[derive(Debug, Clone)]
pub struct MonthIndex {
    /// Month, 1–12.
    pub month: u32,
    /// Its days with articles, newest first.
    pub days: Vec<DayIndex>,
    /// Its articles, newest first.
    pub articles: Vec<usize>,
}

/// A year that has articles.
#[derive(Debug, Clone)]
pub struct YearIndex {
    /// The year.
    pub year: i32,
    /// Its months with articles, newest first.
    pub months: Vec<MonthIndex>,
    /// Its articles, newest first.
    pub articles: Vec<usize>,
}

/// Every index of the site.
#[derive(Debug, Clone, Default)]
pub struct SiteIndex {
    /// One per taxonomy of `site.toml`, in that order.
    pub taxonomies: Vec<TaxonomyIndex>,
    /// For each article, for each taxonomy, the positions of its terms in that taxonomy's `terms`.
    pub article_terms: Vec<Vec<Vec<usize>>>,
    /// Years with articles, newest first. Articles are filed under the day of their own offset.
    pub years: Vec<YearIndex>,
    /// For each article, up to `related_count` others sharing the most terms, best first.
    pub related: Vec<Vec<usize>>,
}

impl SiteIndex {
    /// Builds every index from articles already sorted by [`sort_articles`].
    pub fn build(config: &SiteConfig, articles: &[Article]) -> SiteIndex {
        let mut article_terms = vec![Vec::with_capacity(config.taxonomies.len()); articles.len()];
        let mut taxonomies: Vec<TaxonomyIndex> = config
            .taxonomies
            .iter()
            .enumerate()
            .map(|(t, taxonomy)| {
                let index = build_taxonomy(t, articles, &mut article_terms);
                TaxonomyIndex {
                    name: taxonomy.name.clone(),
                    title: taxonomy.display_title(),
                    terms: index,
                }
            })
            .collect();
        add_term_years(&mut taxonomies, articles);
        add_co_terms(&mut taxonomies, &article_terms);
        let related = related_articles(articles, &taxonomies, &article_terms, config.related_count);
        SiteIndex {
            taxonomies,
            article_terms,
            years: build_dates(articles),
            related,
        }
    }
}

fn build_taxonomy(
    t: usize,
    articles: &[Article],
    article_terms: &mut [Vec<Vec<usize>>],
) -> Vec<Term> {
    // Per slug: the spellings seen with their counts, and the articles.
    type Seen<'a> = (HashMap<&'a str, usize>, Vec<usize>, Option<&'a Arc<str>>);
    let mut by_slug: BTreeMap<String, Seen> = BTreeMap::new();
    for (i, article) in articles.iter().enumerate() {
        for term in &article.meta.terms[t] {
            if !by_slug.contains_key(&*term.slug) {
                by_slug.insert(term.slug.to_string(), Default::default());
            }
            if let Some((spellings, ids, code)) = by_slug.get_mut(&*term.slug) {
                *spellings.entry(&term.name).or_default() += 1;
                ids.push(i);
                *code = code.or(term.code.as_ref());
            }
        }
    }
    let positions: HashMap<&str, usize> = by_slug
        .keys()
        .enumerate()
        .map(|(p, slug)| (slug.as_str(), p))
        .collect();
    for (article, terms) in articles.iter().zip(article_terms.iter_mut()) {
        terms.push(
            article.meta.terms[t]
                .iter()
                .filter_map(|term| positions.get(&*term.slug).copied())
                .collect(),
        );
    }
    by_slug
        .into_iter()
        .map(|(slug, (spellings, articles, code))| {
            // Most used first; among equals, the one that sorts first ("North Korea" before
            // "north korea").
            let mut spellings: Vec<(&str, usize)> = spellings.into_iter().collect();
            spellings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let spellings: Vec<String> = spellings.into_iter().map(|(s, _)| s.to_owned()).collect();
            Term {
                name: spellings.first().cloned().unwrap_or_default(),
                slug,
                articles,
                spellings,
                code: code.map(|c| c.to_string()),
                years: Vec::new(),
                co_terms: Vec::new(),
            }
        })
        .collect()
}

/// Files every term's articles under the years of their own offsets.
fn add_term_years(taxonomies: &mut [TaxonomyIndex], articles: &[Article]) {
    let years: Vec<i32> = articles
        .iter()
        .map(|a| a.meta.date.local_date().year())
        .collect();
    for term in taxonomies.iter_mut().flat_map(|t| t.terms.iter_mut()) {
        let mut by_year: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
        for &i in &term.articles {
            by_year.entry(years[i]).or_default().push(i);
        }
        term.years = by_year
            .into_iter()
            .rev()
            .map(|(year, articles)| TermYear { year, articles })
            .collect();
    }
}

/// Finds, for every term, the terms of every taxonomy its articles most often also have.
fn add_co_terms(taxonomies: &mut [TaxonomyIndex], article_terms: &[Vec<Vec<usize>>]) {
    let sizes: Vec<usize> = taxonomies.iter().map(|t| t.terms.len()).collect();
    for (t, taxonomy) in taxonomies.iter_mut().enumerate() {
        taxonomy
            .terms
            .par_iter_mut()
            .enumerate()
            .for_each(|(own, term)| {
                let mut counts: Vec<HashMap<usize, usize>> = vec![HashMap::new(); sizes.len()];
                for &i in &term.articles {
                    for (other, terms) in article_terms[i].iter().enumerate() {
                        for &found in terms.iter().filter(|&&x| other != t || x != own) {
                            *counts[other].entry(found).or_default() += 1;
                        }
                    }
                }
                term.co_terms = counts
                    .into_iter()
                    .map(|counts| {
                        let mut ranked: Vec<(usize, usize)> = counts.into_iter().collect();
                        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                        ranked.truncate(CO_TERMS);
                        ranked
                    })
                    .collect();
            });
    }
}

fn build_dates(articles: &[Article]) -> Vec<YearIndex> {
    let mut days: BTreeMap<(i32, u32, u32), Vec<usize>> = BTreeMap::new();
    for (i, article) in articles.iter().enumerate() {
        let d = article.meta.date.local_date();
        days.entry((d.year(), d.month(), d.day()))
            .or_default()
            .push(i);
    }
    let mut years: Vec<YearIndex> = Vec::new();
    for ((year, month, day), articles) in days.into_iter().rev() {
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearIndex {
                year,
                months: Vec::new(),
                articles: Vec::new(),
            });
        }
        let y = years
            .last_mut()
            .unwrap_or_else(|| unreachable!("pushed above"));
        if y.months.last().is_none_or(|m| m.month != month) {
            y.months.push(MonthIndex {
                month,
                days: Vec::new(),
                articles: Vec::new(),
            });
        }
        let m = y
            .months
            .last_mut()
            .unwrap_or_else(|| unreachable!("pushed above"));
        m.articles.extend(&articles);
        y.articles.extend(&articles);
        m.days.push(DayIndex { day, articles });
    }
    // Within a month or year the days came newest first, but an article written in a far-east
    // offset can sort before one from the same UTC instant: keep positions in article order.
    for y in &mut years {
        y.articles.sort_unstable();
        for m in &mut y.months {
            m.articles.sort_unstable();
        }
    }
    years
}

/// How many neighbours in time, on each side, are considered in each of an article's terms.
const RELATED_WINDOW: usize = 40;

/// For each article, up to `count` others that share the most terms with it, ties broken by
/// closeness in time. Only the articles nearest in time within each shared term are considered,
/// which keeps the work per article constant however large the archive grows.
fn related_articles(
    articles: &[Article],
    taxonomies: &[TaxonomyIndex],
    article_terms: &[Vec<Vec<usize>>],
    count: usize,
) -> Vec<Vec<usize>> {
    if count == 0 {
        return vec![Vec::new(); articles.len()];
    }
    let nanos: Vec<i128> = articles
        .iter()
        .map(|a| {
            let t = a.meta.date.instant;
            i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
        })
        .collect();
    // Each job makes its own tally of every article, so jobs are few and long.
    let per_job = (articles.len() / (4 * rayon::current_num_threads())).max(256);
    (0..articles.len())
        .into_par_iter()
        .with_min_len(per_job)
        .map_init(
            || Tally::new(articles.len()),
            |tally, i| {
                tally.start(i);
                for (t, terms) in article_terms[i].iter().enumerate() {
                    for &term in terms {
                        let list = &taxonomies[t].terms[term].articles;
                        let pos = list.binary_search(&i).unwrap_or_else(|p| p);
                        let from = pos.saturating_sub(RELATED_WINDOW);
                        let to = (pos + RELATED_WINDOW + 1).min(list.len());
                        for &j in list[from..to].iter().filter(|&&j| j != i) {
                            tally.count(j);
                        }
                    }
                }
                // The best `count`: most shared terms, then nearest in time, then position.
                let mut best: Vec<(u32, i128, usize)> =
                    Vec::with_capacity(count.min(tally.touched.len()) + 1);
                for &j in &tally.touched {
                    // Whole seconds apart, rounded toward zero.
                    let apart = ((nanos[j] - nanos[i]) / 1_000_000_000).abs();
                    let key = (tally.counts[j], apart, j);
                    let better = |b: &(u32, i128, usize)| {
                        (b.0, -b.1, usize::MAX - b.2) < (key.0, -key.1, usize::MAX - key.2)
                    };
                    if best.len() < count || best.last().is_some_and(better) {
                        let at = best.iter().position(better).unwrap_or(best.len());
                        best.insert(at, key);
                        best.truncate(count);
                    }
                }
                best.iter().map(|&(_, _, j)| j).collect()
            },
        )
        .collect()
}

/// Counts how often each article turns up among another's candidates, reused from article to
/// article without clearing: an entry counts only if it was touched for the current article.
struct Tally {
    counts: Vec<u32>,
    owner: Vec<usize>,
    current: usize,
    touched: Vec<usize>,
}

impl Tally {
    fn new(articles: usize) -> Tally {
        Tally {
            counts: vec![0; articles],
            owner: vec![usize::MAX; articles],
            current: usize::MAX,
            touched: Vec::new(),
        }
    }

    fn start(&mut self, article: usize) {
        self.current = article;
        self.touched.clear();
    }

    fn count(&mut self, j: usize) {
        if self.owner[j] != self.current {
            self.owner[j] = self.current;
            self.counts[j] = 0;
            self.touched.push(j);
        }
        self.counts[j] += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::parse_text;

    fn config(related: usize) -> SiteConfig {
        SiteConfig::parse(
            &format!("base_url = \"https://e.org\"\nrelated_count = {related}\n"),
            Path::new("site.toml"),
        )
        .unwrap()
    }

    /// Articles from (name, date, topics), sorted newest first.
    fn articles(config: &SiteConfig, specs: &[(&str, &str, &[&str])]) -> Vec<Article> {
        let mut articles: Vec<Article> = specs
            .iter()
            .map(|(name, date, topics)| {
                let topics: Vec<String> = topics.iter().map(|t| format!("{t:?}")).collect();
                let text = format!(
                    "+++\ntitle = {name:?}\ndate = {date}\ntopics = [{}]\n+++\n",
                    topics.join(", ")
                );
                let parsed =
                    parse_text(&text, Path::new(name), format!("{name}.md"), config).unwrap();
                Article {
                    meta: parsed.meta,
                    url: String::new(),
                    body: Default::default(),
                    stamp: None,
                    kept: None,
                    moved_from: Vec::new(),
                }
            })
            .collect();
        sort_articles(&mut articles);
        articles
    }

    fn titles<'a>(articles: &'a [Article], ids: &[usize]) -> Vec<&'a str> {
        ids.iter()
            .map(|&i| articles[i].meta.title.as_str())
            .collect()
    }

    #[test]
    fn articles_are_filed_under_the_day_of_their_own_offset() {
        let config = config(0);
        let articles = articles(
            &config,
            &[
                // The same instant: the 20th in Seoul, the 19th in New York.
                ("seoul", "2024-06-20T01:00:00+09:00", &[]),
                ("new-york", "2024-06-19T12:00:00-04:00", &[]),
                ("new-year", "2024-01-01T00:30:00+01:00", &[]),
                ("old-year", "2023-12-31T23:30:00Z", &[]),
            ],
        );
        let index = SiteIndex::build(&config, &articles);
        let years: Vec<i32> = index.years.iter().map(|y| y.year).collect();
        assert_eq!(years, [2024, 2023]);
        let june = &index.years[0].months[0];
        assert_eq!(june.month, 6);
        let days: Vec<(u32, Vec<&str>)> = june
            .days
            .iter()
            .map(|d| (d.day, titles(&articles, &d.articles)))
            .collect();
        assert_eq!(days, [(20, vec!["seoul"]), (19, vec!["new-york"])]);
        assert_eq!(
            titles(&articles, &index.years[0].months[1].articles),
            ["new-year"]
        );
        assert_eq!(titles(&articles, &index.years[1].articles), ["old-year"]);
    }

    #[test]
    fn related_articles_share_the_most_terms_then_are_nearest_in_time() {
        let config = config(2);
        let articles = articles(
            &config,
            &[
                ("a", "2024-06-10", &["Energy", "Trade", "Gas"]),
                ("both-far", "2020-01-01", &["Energy", "Trade"]),
                ("one-near", "2024-06-09", &["Energy"]),
                ("one-far", "2010-01-01", &["Gas"]),
                ("none", "2024-06-10T01:00:00Z", &["Sport"]),
            ],
        );
        let index = SiteIndex::build(&config, &articles);
        let a = articles.iter().position(|x| x.meta.title == "a").unwrap();
        assert_eq!(
            titles(&articles, &index.related[a]),
            ["both-far", "one-near"]
        );
        let none = articles
            .iter()
            .position(|x| x.meta.title == "none")
            .unwrap();
        assert!(
            index.related[none].is_empty(),
            "no shared term, not related"
        );
        assert!(
            SiteIndex::build(&crate::index::tests::config(0), &articles)
                .related
                .iter()
                .all(Vec::is_empty)
        );
    }

    #[test]
    fn spellings_of_a_term_are_one_term_named_as_most_write_it() {
        let config = config(0);
        let articles = articles(
            &config,
            &[
                ("a", "2024-01-01", &["North Korea"]),
                ("b", "2024-01-02", &["north korea "]),
                ("c", "2024-01-03", &["North  Korea"]),
            ],
        );
        let index = SiteIndex::build(&config, &articles);
        let terms = &index.taxonomies[0].terms;
        assert_eq!(terms.len(), 1);
        assert_eq!(terms[0].name, "North Korea");
        assert_eq!(terms[0].slug, "north-korea");
        assert_eq!(terms[0].articles, [0, 1, 2]);
    }

    #[test]
    fn terms_know_their_years_and_the_terms_found_with_them() {
        let config = config(0);
        let articles = articles(
            &config,
            &[
                ("a", "2024-01-01T00:30:00+01:00", &["Energy", "Trade"]),
                ("b", "2023-12-31T23:45:00Z", &["Energy", "Trade", "Gas"]),
                ("c", "2021-05-01", &["Energy", "Gas"]),
                ("d", "2021-06-01", &["Energy", "Gas"]),
            ],
        );
        let index = SiteIndex::build(&config, &articles);
        let terms = &index.taxonomies[0].terms;
        let energy = terms.iter().find(|t| t.name == "Energy").unwrap();
        let years: Vec<(i32, Vec<&str>)> = energy
            .years
            .iter()
            .map(|y| (y.year, titles(&articles, &y.articles)))
            .collect();
        assert_eq!(
            years,
            [(2024, vec!["a"]), (2023, vec!["b"]), (2021, vec!["d", "c"])]
        );
        let names: Vec<(&str, usize)> = energy.co_terms[0]
            .iter()
            .map(|&(term, n)| (terms[term].name.as_str(), n))
            .collect();
        assert_eq!(names, [("Gas", 3), ("Trade", 2)]);
    }
}
