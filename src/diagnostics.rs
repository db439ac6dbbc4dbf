//! Errors that point at a place in the user's files.
//!
//! Every stage of a build reports problems with user input as [`Diagnostic`]s and keeps going,
//! so that one run lists every broken file at once; the site is only written when there are none.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem with user input: which file, where in it (when known), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line in that file, when the problem has a position.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line, when known.
    pub column: Option<usize>,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Diagnostic {
    /// A problem with a whole file (no position).
    pub fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at a line (and optionally a column) of a file.
    pub fn at(
        file: impl Into<PathBuf>,
        line: usize,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line: Some(line),
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.strip_prefix(".").unwrap_or(&self.file);
        write!(f, "{}", file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// A count with its noun, singular or plural: `1 warning`, `3 warnings`.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The 1-based line and column (in characters) of byte offset `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A path below `base` as a relative path with `/` separators (`2024/putin.md`), the form used
/// for content paths, template names and output files; a path elsewhere is kept whole.
pub fn slash_path(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "ab\ncdé\nfg";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 8), (3, 1));
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(counted(1, "error"), "1 error");
        assert_eq!(counted(0, "article"), "0 articles");
        assert_eq!(counted(2, "warning"), "2 warnings");
    }

    #[test]
    fn display_includes_position() {
        let d = Diagnostic::at("content/a.md", 3, Some(7), "bad date");
        assert_eq!(d.to_string(), "content/a.md:3:7: bad date");
        assert_eq!(Diagnostic::new("x.md", "oops").to_string(), "x.md: oops");
    }
}
