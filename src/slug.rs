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

/// The longest slug Annals derives from a title or file name, in bytes: a longer one is cut at a
/// word boundary. File systems allow 255 bytes in a name; this leaves room for what
/// `article_path` adds around the slug.
pub const MAX_DERIVED_SLUG: usize = 150;

/// The longest URL segment written by hand (a `slug`) or made from a term, in bytes; longer ones
/// are errors.
pub const MAX_SEGMENT: usize = 200;

/// The slug of an article from its title or file name: [`slugify`], cut at a word boundary to at
/// most [`MAX_DERIVED_SLUG`] bytes.
pub fn article_slug(text: &str) -> String {
    let mut slug = slugify(text);
    if slug.len() > MAX_DERIVED_SLUG {
        // Slugs are ASCII, so every byte is a character boundary.
        let cut = slug[..=MAX_DERIVED_SLUG]
            .rfind('-')
            .filter(|&at| at > 0)
            .unwrap_or(MAX_DERIVED_SLUG);
        slug.truncate(cut);
    }
    slug
}

/// Characters that show nothing, or turn the text around them (zero-width spaces and joiners,
/// bidirectional controls, the byte order mark, soft hyphens): a URL made of them looks like
/// another one, or like nothing.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Whether `slug` is safe as one URL path segment written by hand in front matter:
/// non-empty, at most [`MAX_SEGMENT`] bytes, no path separators, no `.`/`..`, no control,
/// white space or invisible characters.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SEGMENT
        && slug != "."
        && slug != ".."
        && !slug.chars().any(|c| {
            c == '/'
                || c == '\\'
                || c.is_control()
                || c.is_whitespace()
                || is_invisible(c)
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
        for invisible in [
            "\u{200B}",
            "a\u{2060}",
            "\u{FEFF}",
            "\u{202E}gpj.exe",
            "\u{00AD}",
        ] {
            assert!(!is_valid_slug(invisible), "{invisible:?}");
        }
        assert!(is_valid_slug("café"));
        assert!(!is_valid_slug(&"a".repeat(MAX_SEGMENT + 1)));
    }

    #[test]
    fn derived_slugs_are_cut_at_a_word() {
        let headline = "Breaking news from the capital ".repeat(14);
        let slug = article_slug(&headline);
        assert!(slug.len() <= MAX_DERIVED_SLUG, "{}", slug.len());
        assert!(
            slug.ends_with("capital") || slug.ends_with("the") || slug.ends_with("from"),
            "{slug}"
        );
        assert!(!slug.ends_with('-'));
        assert!(article_slug(&"😀".repeat(60)).len() <= MAX_DERIVED_SLUG);
        assert_eq!(article_slug(&"x".repeat(300)).len(), MAX_DERIVED_SLUG);
        assert_eq!(article_slug("Short title"), "short-title");
    }
}
