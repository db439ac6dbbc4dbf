//! URL slugs: lowercase ASCII words joined by dashes, from any Unicode text.

/// Turns text into a URL slug: Unicode is transliterated to ASCII ("Côte d'Ivoire" becomes
/// `cote-d-ivoire`, "Пхеньян" becomes `pkhen-ian`), everything that is not a letter or digit
/// separates words, and words are joined by single dashes. The result may be empty.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    slug
}

/// Whether `slug` is safe as one URL path segment written by hand in front matter:
/// non-empty, no path separators, no `.`/`..`, no control characters or whitespace.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug != "."
        && slug != ".."
        && !slug.chars().any(|c| {
            c == '/'
                || c == '\\'
                || c.is_control()
                || c.is_whitespace()
                || c == '?'
                || c == '#'
                || c == '%'
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_and_joins_words() {
        assert_eq!(slugify("Côte d'Ivoire"), "cote-d-ivoire");
        assert_eq!(slugify("  North   Korea "), "north-korea");
        assert_eq!(
            slugify("Putin's visit: 24 years on!"),
            "putin-s-visit-24-years-on"
        );
        assert_eq!(slugify("Ελλάδα"), "ellada");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn rejects_unsafe_slugs() {
        assert!(is_valid_slug("putin-in-pyongyang"));
        assert!(!is_valid_slug(".."));
        assert!(!is_valid_slug("a/b"));
        assert!(!is_valid_slug("a\\b"));
        assert!(!is_valid_slug("a\nb"));
        assert!(!is_valid_slug(""));
    }
}
