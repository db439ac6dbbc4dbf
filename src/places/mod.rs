//! Countries: which country a term of the taxonomy of places names, whatever it is called.
//!
//! The table is Unicode CLDR's (`countries.tsv`, written by `tools/countries.py`): every ISO
//! 3166-1 country and Kosovo with its codes, English name, short and variant forms, region and
//! subregion. `aliases.toml` adds the names and abbreviations newsrooms write ("DPRK", "Ivory
//! Coast", "Holland"), the display names a newsroom prefers, the names that are several
//! countries ("Korea", "Congo"), and states of the past that stay terms of their own. A site adds
//! its own names and aliases in `site.toml`.
//!
//! Names are matched ignoring case, diacritics, punctuation and a leading "the"; "&" reads as
//! "and" and "St." as "Saint". A term of two or three capital letters is also read as an ISO code
//! (`KP`, `PRK`).

pub mod map;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use chrono::Weekday;
use serde::Deserialize;

use crate::diagnostics::did_you_mean;

/// A country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code (`KP`; `XK` for Kosovo).
    pub code: String,
    /// ISO 3166-1 alpha-3 code (`PRK`).
    pub alpha3: String,
    /// ISO 3166-1 numeric code (`408`).
    pub numeric: String,
    /// The name shown ("North Korea"), the site's own when it sets one.
    pub name: String,
    /// Its region (UN M49): Africa, Americas, Asia, Europe or Oceania.
    pub region: String,
    /// Its subregion ("Eastern Asia").
    pub subregion: String,
    /// The first day of the week on its calendars.
    pub week_start: Weekday,
}

impl Country {
    /// The country's flag as an emoji (two regional indicator letters); not every system shows
    /// it, so it is never the only label.
    pub fn flag(&self) -> String {
        self.code
            .chars()
            .filter_map(|c| char::from_u32(0x1F1E6 + u32::from(c).checked_sub(u32::from('A'))?))
            .collect()
    }
}

/// What a name of a place is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place<'c> {
    /// A country.
    Country(&'c Country),
    /// Several countries go by that name: the candidates.
    Ambiguous(Vec<&'c Country>),
    /// A state of the past, or a place the site declares that is no country: a term of its own.
    Other,
    /// Not a place Annals knows; perhaps a misspelling of a country.
    Unknown(Option<&'c Country>),
}

/// What a normalized name stands for.
#[derive(Debug, Clone)]
enum Entry {
    Country(usize),
    Countries(Vec<usize>),
    Other,
}

/// The countries of the world and every name they go by.
#[derive(Debug, Clone)]
pub struct Countries(Arc<Table>);

#[derive(Debug)]
struct Table {
    countries: Vec<Country>,
    names: HashMap<String, Entry>,
    /// Every country by its alpha-2 and alpha-3 codes.
    codes: HashMap<String, usize>,
}

/// What `site.toml` says of places (`[places]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PlacesConfig {
    /// Display names by country code, in the site's house style (`CI = "Ivory Coast"`).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// More names for countries, by code (`KP = ["Hermit Kingdom"]`).
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Places that are not countries but belong in the taxonomy (regions, organisations):
    /// terms of their own, without a warning.
    #[serde(default)]
    pub other: Vec<String>,
}

/// The hand-reviewed additions to CLDR's names (`aliases.toml`).
#[derive(Debug, Deserialize)]
struct Overlay {
    names: BTreeMap<String, String>,
    aliases: BTreeMap<String, Vec<String>>,
    ambiguous: BTreeMap<String, Vec<String>>,
    historical: Historical,
}

#[derive(Debug, Deserialize)]
struct Historical {
    names: Vec<String>,
}

/// A name as it is matched: lowercase ASCII words (diacritics dropped, `&` as "and", "St." as
/// "Saint") without punctuation or a leading "the".
pub fn normalize(name: &str) -> String {
    let ascii = deunicode::deunicode(&name.replace('&', " and "));
    let mut words: Vec<String> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'' && c != '’')
        .map(|w| w.replace(['\'', '’'], "").to_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if words.first().is_some_and(|w| w == "the") && words.len() > 1 {
        words.remove(0);
    }
    for word in &mut words {
        if word == "st" {
            *word = "saint".to_owned();
        }
    }
    words.join(" ")
}

/// CLDR's name in newsroom style: "and" for "&", "Saint" for "St.".
fn house_style(name: &str) -> String {
    name.replace(" & ", " and ").replace("St. ", "Saint ")
}

impl Table {
    fn built_in() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        TABLE
            .get_or_init(|| Table::new(&PlacesConfig::default()).unwrap_or_else(|_| Table::empty()))
    }

    fn empty() -> Table {
        Table {
            countries: Vec::new(),
            names: HashMap::new(),
            codes: HashMap::new(),
        }
    }

    /// The table from the built-in data, with a site's own names and aliases. An error names a
    /// code the site uses that is no country.
    fn new(site: &PlacesConfig) -> Result<Table, String> {
        let overlay: Overlay = toml::from_str(include_str!("aliases.toml"))
            .map_err(|e| format!("the built-in aliases.toml is broken: {e}"))?;
        let mut table = Table::empty();
        let mut forms: Vec<(usize, String)> = Vec::new();
        for line in include_str!("countries.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
        {
            let fields: Vec<&str> = line.split('\t').collect();
            let [
                code,
                alpha3,
                numeric,
                name,
                short,
                variant,
                region,
                subregion,
                week_start,
            ] = fields[..]
            else {
                continue;
            };
            let i = table.countries.len();
            table.countries.push(Country {
                code: code.to_owned(),
                alpha3: alpha3.to_owned(),
                numeric: numeric.to_owned(),
                name: house_style(name),
                region: region.to_owned(),
                subregion: subregion.to_owned(),
                week_start: match week_start {
                    "sun" => Weekday::Sun,
                    "sat" => Weekday::Sat,
                    "fri" => Weekday::Fri,
                    _ => Weekday::Mon,
                },
            });
            table.codes.insert(code.to_owned(), i);
            table.codes.insert(alpha3.to_owned(), i);
            forms.extend(
                [name, short, variant]
                    .into_iter()
                    .filter(|f| !f.is_empty())
                    .map(|f| (i, f.to_owned())),
            );
        }
        let position = |code: &str| {
            table
                .codes
                .get(code)
                .copied()
                .ok_or_else(|| format!("{code:?} is not a country code"))
        };
        for (code, name) in &overlay.names {
            let i = position(code)?;
            table.countries[i].name = name.clone();
            forms.push((i, name.clone()));
        }
        for (code, more) in &overlay.aliases {
            let i = position(code)?;
            forms.extend(more.iter().map(|name| (i, name.clone())));
        }
        // Every form of every country, the display names included; a name two countries share is
        // ambiguous.
        for (i, form) in forms {
            let key = normalize(&form);
            match table.names.get_mut(&key) {
                None => {
                    table.names.insert(key, Entry::Country(i));
                }
                Some(Entry::Country(j)) if *j != i => {
                    let j = *j;
                    table.names.insert(key, Entry::Countries(vec![j, i]));
                }
                Some(Entry::Countries(list)) if !list.contains(&i) => list.push(i),
                Some(_) => {}
            }
        }
        for (name, codes) in &overlay.ambiguous {
            let list = codes
                .iter()
                .map(|c| position(c))
                .collect::<Result<_, _>>()?;
            table.names.insert(normalize(name), Entry::Countries(list));
        }
        for name in &overlay.historical.names {
            table.names.insert(normalize(name), Entry::Other);
        }
        // The site's word is last: its names and aliases settle a name the built-in data calls
        // ambiguous or historical ("Guinea" for Guinea alone).
        for (code, name) in &site.names {
            let i = position(code)?;
            table.countries[i].name = name.clone();
            table.names.insert(normalize(name), Entry::Country(i));
        }
        for (code, more) in &site.aliases {
            let i = position(code)?;
            for name in more {
                table.names.insert(normalize(name), Entry::Country(i));
            }
        }
        for name in &site.other {
            table.names.insert(normalize(name), Entry::Other);
        }
        Ok(table)
    }
}

impl Default for Countries {
    fn default() -> Countries {
        Countries::new(&PlacesConfig::default())
            .unwrap_or_else(|_| Countries(Arc::new(Table::empty())))
    }
}

impl Countries {
    /// The countries of the world, with a site's own names and aliases; an error names a code
    /// in `site` that is no country.
    pub fn new(site: &PlacesConfig) -> Result<Countries, String> {
        if *site == PlacesConfig::default() {
            // The common case shares one table.
            let built_in = Table::built_in();
            return Ok(Countries(Arc::new(Table {
                countries: built_in.countries.clone(),
                names: built_in.names.clone(),
                codes: built_in.codes.clone(),
            })));
        }
        Table::new(site).map(|t| Countries(Arc::new(t)))
    }

    /// Every country.
    pub fn all(&self) -> &[Country] {
        &self.0.countries
    }

    /// The country with an ISO alpha-2 or alpha-3 code.
    pub fn by_code(&self, code: &str) -> Option<&Country> {
        self.0.codes.get(code).map(|&i| &self.0.countries[i])
    }

    /// The first day of the week for a site in `language`: that of the country its region subtag
    /// names (`en-US`: Sunday), else Monday.
    pub fn week_start(&self, language: &str) -> Weekday {
        language
            .split(['-', '_'])
            .skip(1)
            .find(|tag| tag.len() == 2)
            .and_then(|tag| self.by_code(&tag.to_ascii_uppercase()))
            .map_or(Weekday::Mon, |country| country.week_start)
    }

    /// What the name of a place is.
    pub fn resolve(&self, name: &str) -> Place<'_> {
        let table = &self.0;
        let trimmed = name.trim();
        if (2..=3).contains(&trimmed.len())
            && trimmed.bytes().all(|b| b.is_ascii_uppercase())
            && let Some(country) = self.by_code(trimmed)
        {
            return Place::Country(country);
        }
        match table.names.get(&normalize(trimmed)) {
            Some(Entry::Country(i)) => Place::Country(&table.countries[*i]),
            Some(Entry::Countries(list)) => {
                Place::Ambiguous(list.iter().map(|&i| &table.countries[i]).collect())
            }
            Some(Entry::Other) => Place::Other,
            None => {
                let key = normalize(trimmed);
                let guess = did_you_mean(&key, table.names.keys().map(String::as_str));
                let country = guess.and_then(|g| match table.names.get(g) {
                    Some(Entry::Country(i)) => Some(&table.countries[*i]),
                    _ => None,
                });
                Place::Unknown(country)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(countries: &Countries, name: &str) -> String {
        match countries.resolve(name) {
            Place::Country(c) => c.code.clone(),
            other => panic!("{name:?} is {other:?}"),
        }
    }

    #[test]
    fn every_name_of_a_country_is_that_country() {
        let countries = Countries::default();
        for (code_expected, names) in [
            (
                "KP",
                &[
                    "DPRK",
                    "Democratic People's Republic of Korea",
                    "North Korea",
                    "KP",
                    "PRK",
                    "north  korea",
                ][..],
            ),
            ("KR", &["ROK", "South Korea", "Republic of Korea"]),
            (
                "US",
                &[
                    "US",
                    "USA",
                    "United States of America",
                    "the United States",
                    "U.S.",
                ],
            ),
            ("GB", &["UK", "Britain", "Great Britain", "United Kingdom"]),
            ("RU", &["Russian Federation", "Russia"]),
            (
                "CI",
                &[
                    "Ivory Coast",
                    "Côte d'Ivoire",
                    "Cote d’Ivoire",
                    "COTE D'IVOIRE",
                ],
            ),
            ("TR", &["Turkey", "Türkiye"]),
            ("CZ", &["Czech Republic", "Czechia"]),
            ("MM", &["Burma", "Myanmar", "Myanmar (Burma)"]),
            ("SZ", &["Swaziland", "Eswatini"]),
            ("MK", &["Macedonia", "North Macedonia"]),
            ("TL", &["East Timor", "Timor-Leste"]),
            ("NL", &["Holland", "The Netherlands", "Netherlands"]),
            ("CV", &["Cape Verde", "Cabo Verde"]),
            ("XK", &["Kosovo", "XK"]),
            ("KN", &["St. Kitts & Nevis", "Saint Kitts and Nevis"]),
            (
                "CD",
                &[
                    "DRC",
                    "Democratic Republic of the Congo",
                    "Congo - Kinshasa",
                ],
            ),
        ] {
            for name in names {
                assert_eq!(code(&countries, name), code_expected, "{name}");
            }
        }
        assert_eq!(countries.by_code("CI").unwrap().name, "Côte d’Ivoire");
        assert_eq!(
            countries.by_code("BA").unwrap().name,
            "Bosnia and Herzegovina"
        );
        assert_eq!(countries.by_code("KP").unwrap().flag(), "🇰🇵");
        assert_eq!(countries.by_code("KP").unwrap().region, "Asia");
        assert_eq!(countries.all().len(), 250);
        assert_eq!(countries.week_start("en"), Weekday::Mon);
        assert_eq!(countries.week_start("en-US"), Weekday::Sun);
        assert_eq!(countries.week_start("en-GB"), Weekday::Mon);
        assert_eq!(countries.week_start("zh-Hant-TW"), Weekday::Sun);
        assert_eq!(countries.week_start("pt_br"), Weekday::Sun);
    }

    #[test]
    fn ambiguous_historical_and_unknown_names_are_no_guess() {
        let countries = Countries::default();
        for (name, candidates) in [
            ("Korea", &["KP", "KR"][..]),
            ("Congo", &["CD", "CG"]),
            ("Guinea", &["GN", "GW", "GQ"]),
            ("Virgin Islands", &["VG", "VI"]),
        ] {
            let Place::Ambiguous(found) = countries.resolve(name) else {
                panic!("{name} is not ambiguous");
            };
            let codes: Vec<&str> = found.iter().map(|c| c.code.as_str()).collect();
            assert_eq!(codes, candidates, "{name}");
        }
        for name in [
            "USSR",
            "Soviet Union",
            "Yugoslavia",
            "Czechoslovakia",
            "East Germany",
            "Zaire",
        ] {
            assert_eq!(countries.resolve(name), Place::Other, "{name}");
        }
        let Place::Unknown(Some(guess)) = countries.resolve("Phillipines") else {
            panic!("no guess");
        };
        assert_eq!(guess.code, "PH");
        assert_eq!(countries.resolve("Narnia"), Place::Unknown(None));
        // Lowercase letters are a name, not a code.
        assert!(matches!(countries.resolve("kp"), Place::Unknown(_)));
    }

    #[test]
    fn a_site_has_its_own_names_aliases_and_other_places() {
        let site = PlacesConfig {
            names: BTreeMap::from([("CI".to_owned(), "Ivory Coast".to_owned())]),
            aliases: BTreeMap::from([("KP".to_owned(), vec!["Hermit Kingdom".to_owned()])]),
            other: vec!["European Union".to_owned()],
        };
        let guinea = PlacesConfig {
            aliases: BTreeMap::from([("GN".to_owned(), vec!["Guinea".to_owned()])]),
            other: vec!["Zaire (1971-1997)".to_owned()],
            ..PlacesConfig::default()
        };
        let countries = Countries::new(&guinea).unwrap();
        assert_eq!(code(&countries, "Guinea"), "GN");
        assert!(matches!(countries.resolve("Congo"), Place::Ambiguous(_)));
        assert_eq!(countries.resolve("Zaire (1971–1997)"), Place::Other);
        let countries = Countries::new(&site).unwrap();
        assert_eq!(countries.by_code("CI").unwrap().name, "Ivory Coast");
        assert_eq!(code(&countries, "Hermit Kingdom"), "KP");
        assert_eq!(code(&countries, "Côte d'Ivoire"), "CI");
        assert_eq!(countries.resolve("European Union"), Place::Other);
        let wrong = PlacesConfig {
            names: BTreeMap::from([("ZQ".to_owned(), "Nowhere".to_owned())]),
            ..PlacesConfig::default()
        };
        assert!(Countries::new(&wrong).is_err());
    }

    #[test]
    fn names_match_without_case_accents_or_punctuation() {
        assert_eq!(normalize("The Côte d’Ivoire"), "cote divoire");
        assert_eq!(normalize("St. Kitts & Nevis"), "saint kitts and nevis");
        assert_eq!(normalize("U.S.A."), "u s a");
        assert_eq!(normalize("The"), "the");
    }
}
