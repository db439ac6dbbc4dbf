//! Characters that HTML and XML do not allow in text: control characters (other than tab, line
//! feed and carriage return) and the non-characters U+FFFE and U+FFFF. They arrive with text
//! pasted from word processors and PDFs; one of them makes a feed unreadable for every reader, so
//! Annals removes them (a vertical tab or form feed becomes a space) and warns.

use std::borrow::Cow;

/// Whether `c` may not appear in HTML or XML text.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// `text` without forbidden characters; a vertical tab or form feed becomes a space.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_forbidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\u{0B}' | '\u{0C}' => Some(' '),
                c if is_forbidden(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// The forbidden characters of `text`: the byte offset and character of the first, and how many.
pub fn forbidden(text: &str) -> Option<(usize, char, usize)> {
    let mut found = text.char_indices().filter(|&(_, c)| is_forbidden(c));
    let (offset, first) = found.next()?;
    Some((offset, first, 1 + found.count()))
}

/// The warning about `count` forbidden characters, the first being `first`.
pub fn warning(first: char, count: usize) -> String {
    let name = match first {
        '\0' => " (NUL)",
        '\u{08}' => " (backspace)",
        '\u{0B}' => " (vertical tab)",
        '\u{0C}' => " (form feed)",
        '\u{1B}' => " (escape)",
        '\u{7F}' => " (delete)",
        _ => "",
    };
    let what = if count == 1 {
        "a control character".to_owned()
    } else {
        format!("{count} control characters, the first")
    };
    format!(
        "removed {what} U+{:04X}{name}, which HTML and XML do not allow (text pasted from a word processor or PDF often has them)",
        u32::from(first)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_what_xml_forbids_and_keeps_the_rest() {
        assert_eq!(clean("Kim\u{0B}Jong\u{0C}Un"), "Kim Jong Un");
        assert_eq!(
            clean("a\u{0}b\u{08}c\u{1B}d\u{7F}e\u{85}f\u{FFFF}"),
            "abcdef"
        );
        assert_eq!(clean("tab\tlf\ncr\r 😀 עברית"), "tab\tlf\ncr\r 😀 עברית");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(forbidden("ab\u{0B}c\u{1}"), Some((2, '\u{0B}', 2)));
        assert_eq!(forbidden("fine\n"), None);
        assert!(
            warning('\u{0B}', 2).contains("2 control characters, the first U+000B (vertical tab)")
        );
    }
}
