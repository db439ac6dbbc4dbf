//! Characters that HTML and XML do not allow in text: control characters (other than tab, line
//! feed and carriage return) and the non-characters U+FFFE and U+FFFF. They arrive with text
//! pasted from word processors and PDFs; one of them makes a feed unreadable for every reader, so
//! Annals removes them (a vertical tab or form feed becomes a space) and warns.

use std::borrow::Cow;

/// Whether `c` may not appear in HTML or XML text.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `text` has a forbidden character. Every article is scanned, so the scan flags the
/// bytes a forbidden character starts with (below 0x20 but tab, line feed and carriage return;
/// 0x7F; 0xC2 for U+0080–U+009F; 0xEF for U+FFFE and U+FFFF) 64 at a time, in a loop without
/// branches that the compiler turns into vector instructions, and looks closer only at blocks
/// holding one.
fn has_forbidden(text: &str) -> bool {
    const BLOCK: usize = 64;
    let suspect = |b: u8| {
        ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'))
            | (b == 0x7F)
            | (b == 0xC2)
            | (b == 0xEF)
    };
    let bytes = text.as_bytes();
    bytes.chunks(BLOCK).enumerate().any(|(n, block)| {
        block.iter().fold(false, |any, &b| any | suspect(b))
            && (n * BLOCK..n * BLOCK + block.len()).any(|i| starts_forbidden(bytes, i))
    })
}

/// Whether a forbidden character starts at byte `i` of `bytes` (UTF-8).
fn starts_forbidden(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\t' | b'\n' | b'\r' => false,
        0..0x20 | 0x7F => true,
        0xC2 => bytes
            .get(i + 1)
            .is_some_and(|next| (0x80..0xA0).contains(next)),
        0xEF => bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)),
        _ => false,
    }
}

/// `text` without forbidden characters; a vertical tab or form feed becomes a space.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !has_forbidden(text) {
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

/// [`clean`] for a string of one's own, kept as it is (not copied) when it has no forbidden
/// character.
pub fn clean_owned(text: String) -> String {
    match clean(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(cleaned) => cleaned,
    }
}

/// The forbidden characters of `text`: the byte offset and character of the first, and how many.
pub fn forbidden(text: &str) -> Option<(usize, char, usize)> {
    if !has_forbidden(text) {
        return None;
    }
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
        assert!(matches!(clean("°«»é\u{FFFD}\u{FEFF}"), Cow::Borrowed(_)));
        // Every one- and two-byte character, the last of the BMP, and a sample of the rest.
        let sample = (0..0x800u32)
            .chain(0xFF00..0x1_0000)
            .chain((0x800..0x11_0000).step_by(97));
        for c in sample.filter_map(char::from_u32) {
            // Near the start of the text, and at the end of a block, across the boundary between
            // two blocks and at the start of the next.
            for pad in (0..9).chain(60..67) {
                let text = format!("{}{c}b", "a".repeat(pad));
                assert_eq!(
                    has_forbidden(&text),
                    is_forbidden(c),
                    "U+{:04X}",
                    u32::from(c)
                );
            }
        }
        assert_eq!(forbidden("ab\u{0B}c\u{1}"), Some((2, '\u{0B}', 2)));
        assert_eq!(forbidden("fine\n"), None);
        assert!(
            warning('\u{0B}', 2).contains("2 control characters, the first U+000B (vertical tab)")
        );
    }
}
