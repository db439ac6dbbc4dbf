//! The words of a text as the search index holds them, and their stems.
//!
//! A word is a run of letters and digits, lowercased, with accents and other combining marks
//! removed after compatibility decomposition (`Café` and `cafe` are one word); a dot between two
//! digits stays in the word (`3.5`, `v1.2`), so that version numbers and decimals are found
//! whole; each Chinese or Japanese character is a word of its own, as those scripts do not
//! separate words by spaces.
//! The search script (`client.js`) splits a reader's query by the same rules, so the two must
//! change together.

use std::borrow::Cow;

use pagefind_stem::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Words longer than this many bytes (hashes, URLs without spaces) are left out of the index.
const LONGEST_WORD: usize = 80;

/// Calls `found` with each word of `text`, in order.
pub fn each_word(text: &str, mut found: impl FnMut(&str)) {
    let mut word = String::new();
    // A dot after a digit, which stays in the word if a digit follows.
    let mut dot = false;
    let mut end = |word: &mut String| {
        if !word.is_empty() && word.len() <= LONGEST_WORD {
            found(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii() {
            if dot {
                dot = false;
                if c.is_ascii_digit() {
                    word.push('.');
                } else {
                    end(&mut word);
                }
            }
            if c.is_ascii_alphanumeric() {
                word.push(c.to_ascii_lowercase());
            } else if c == '.' && word.ends_with(|c: char| c.is_ascii_digit()) {
                dot = true;
            } else {
                end(&mut word);
            }
            continue;
        }
        if is_common_separator(c) {
            dot = false;
            end(&mut word);
            continue;
        }
        decompose_compatible(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            if dot {
                dot = false;
                if d.is_ascii_digit() {
                    word.push('.');
                } else {
                    end(&mut word);
                }
            }
            if d == '.' && word.ends_with(|c: char| c.is_ascii_digit()) {
                dot = true;
            } else if is_ideograph(d) {
                end(&mut word);
                word.push(d);
                end(&mut word);
            } else if d.is_alphanumeric() {
                for lower in d.to_lowercase() {
                    // Greek's final sigma is the same letter as sigma.
                    word.push(if lower == 'ς' { 'σ' } else { lower });
                }
            } else {
                end(&mut word);
            }
        });
    }
    end(&mut word);
}

/// Whether `c` is one of the punctuation marks of typeset text (curly quotes, dashes, the
/// ellipsis, guillemets, the no-break space), which separate words whatever they decompose to:
/// found without a look into Unicode's tables, as they are most of the non-ASCII characters of
/// English text.
fn is_common_separator(c: char) -> bool {
    matches!(
        c,
        '\u{A0}' | '«' | '»' | '\u{2010}'..='\u{2015}' | '\u{2018}'..='\u{201F}' | '•' | '…'
    )
}

/// Whether `c` is a Chinese character, Hiragana or Katakana: a word by itself.
fn is_ideograph(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Reduces words to their stems in the site's language (`elections` and `elected` to `elect`),
/// or leaves them as they are in a language without a stemmer.
pub struct Stems(Option<Stemmer>);

impl Stems {
    /// The stemmer of `language` (a code such as `en` or `pt-BR`).
    pub fn of(language: &str) -> Stems {
        let code = language.split(['-', '_']).next().unwrap_or("");
        let algorithm = match code.to_ascii_lowercase().as_str() {
            "ar" => Algorithm::Arabic,
            "hy" => Algorithm::Armenian,
            "eu" => Algorithm::Basque,
            "ca" => Algorithm::Catalan,
            "da" => Algorithm::Danish,
            "nl" => Algorithm::Dutch,
            "en" => Algorithm::English,
            "eo" => Algorithm::Esperanto,
            "et" => Algorithm::Estonian,
            "fi" => Algorithm::Finnish,
            "fr" => Algorithm::French,
            "de" => Algorithm::German,
            "el" => Algorithm::Greek,
            "hi" => Algorithm::Hindi,
            "hu" => Algorithm::Hungarian,
            "id" => Algorithm::Indonesian,
            "ga" => Algorithm::Irish,
            "it" => Algorithm::Italian,
            "lt" => Algorithm::Lithuanian,
            "ne" => Algorithm::Nepali,
            "no" | "nb" | "nn" => Algorithm::Norwegian,
            "pl" => Algorithm::Polish,
            "pt" => Algorithm::Portuguese,
            "ro" => Algorithm::Romanian,
            "ru" => Algorithm::Russian,
            "sr" => Algorithm::Serbian,
            "es" => Algorithm::Spanish,
            "sv" => Algorithm::Swedish,
            "ta" => Algorithm::Tamil,
            "tr" => Algorithm::Turkish,
            "yi" => Algorithm::Yiddish,
            _ => return Stems(None),
        };
        Stems(Some(Stemmer::create(algorithm)))
    }

    /// The stem of `word` (one of [`each_word`]'s).
    pub fn stem<'w>(&self, word: &'w str) -> Cow<'w, str> {
        match &self.0 {
            // A stem is never empty: a word the stemmer would erase stays itself.
            Some(stemmer) => match stemmer.stem(word) {
                stem if stem.is_empty() => Cow::Borrowed(word),
                stem => stem,
            },
            None => Cow::Borrowed(word),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        each_word(text, |w| found.push(w.to_owned()));
        found
    }

    #[test]
    fn words_are_lowercased_runs_of_letters_and_digits_without_accents() {
        assert_eq!(
            words("Café au lait: São Paulo’s 2024 «Élections» don't"),
            [
                "cafe",
                "au",
                "lait",
                "sao",
                "paulo",
                "s",
                "2024",
                "elections",
                "don",
                "t"
            ]
        );
        assert_eq!(words("ΟΔΥΣΣΕΥΣ Straße ﬁne"), ["οδυσσευσ", "straße", "fine"]);
        assert_eq!(words("东京の選挙"), ["东", "京", "の", "選", "挙"]);
        assert_eq!(words("مرحبا بالعالم"), ["مرحبا", "بالعالم"]);
        assert_eq!(words(&"x".repeat(81)), Vec::<String>::new());
        assert_eq!(
            words("“Don’t”—said\u{A0}«3…5» – 2.\u{2019}5 ‘x’•y‐z"),
            ["don", "t", "said", "3", "5", "2", "5", "x", "y", "z"]
        );
        assert_eq!(
            words("Ruby 3.3.0, v1.2 and 2.5%. In 2024. Then ３．５ or 1..2 x.5"),
            [
                "ruby", "3.3.0", "v1.2", "and", "2.5", "in", "2024", "then", "3.5", "or", "1", "2",
                "x", "5"
            ]
        );
    }

    #[test]
    fn stems_follow_the_language_and_never_vanish() {
        let english = Stems::of("en-GB");
        assert_eq!(english.stem("elections"), "elect");
        assert_eq!(english.stem("elected"), "elect");
        assert_eq!(Stems::of("fr").stem("élections"), "élect");
        assert_eq!(Stems::of("zz").stem("elections"), "elections");
    }
}
