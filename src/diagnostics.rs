//! Errors that point at a place in the user's files.
//!
//! Every stage of a build reports problems with user input as [`Diagnostic`]s and keeps going,
//! so that one run lists every broken file at once; the site is only written when there are none.

use std::cell::RefCell;
use std::fmt;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

impl std::error::Error for Panic {}

thread_local! {
    /// What the last panic on this thread said, and where, for [`catch_panic`].
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// What the last panic on any thread said: a panic on a worker thread reaches the thread that
/// waits for it without the worker's message.
static ANY_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Makes panics quiet: instead of printing, a panic leaves its message for [`catch_panic`], which
/// reports it as an error of the file being worked on. Called once by the `annals` command.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info: &PanicHookInfo| {
        let message = match info.location() {
            Some(at) => format!(
                "{} (at {}:{})",
                panic_message(info.payload()),
                at.file(),
                at.line()
            ),
            None => panic_message(info.payload()),
        };
        if let Ok(mut last) = ANY_PANIC.lock() {
            *last = Some(message.clone());
        }
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(message));
    }));
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

/// A panic caught by [`catch_panic`]: what it said, and where in Annals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic(pub String);

impl Panic {
    /// The error that stands for this bug of Annals, met while working on `file`.
    pub fn at(self, file: impl Into<PathBuf>) -> Diagnostic {
        Diagnostic::new(file, self.to_string())
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "internal error (a bug in Annals; please report it with the file named): {}",
            self.0
        )
    }
}

/// Runs `work`, turning a panic inside it into a [`Panic`] value, so that a bug met on one
/// article fails the build with a message naming the article instead of crashing it.
pub fn catch_panic<T>(work: impl FnOnce() -> T) -> Result<T, Panic> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        Panic(
            LAST_PANIC
                .with(|last| last.borrow_mut().take())
                .or_else(|| ANY_PANIC.lock().ok().and_then(|mut last| last.take()))
                .unwrap_or_else(|| panic_message(payload.as_ref())),
        )
    })
}

/// Diagnostics sorted by file, line and message, each once.
pub fn sorted_unique(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
    diagnostics.dedup();
    diagnostics
}

/// The Levenshtein distance between two short strings.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// The candidate closest to `word` by [`distance`], if one is close enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|&(d, c)| d > 0 && d <= (c.chars().count() / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

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
    fn suggestions_are_close_words() {
        let keys = ["title", "topics", "countries", "summary"];
        assert_eq!(did_you_mean("topic", keys), Some("topics"));
        assert_eq!(did_you_mean("tittle", keys), Some("title"));
        assert_eq!(did_you_mean("layout", keys), None);
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(counted(1, "error"), "1 error");
        assert_eq!(counted(0, "article"), "0 articles");
        assert_eq!(counted(2, "warning"), "2 warnings");
    }

    #[test]
    fn a_panic_becomes_an_error_naming_the_file() {
        let error = catch_panic(|| -> usize { panic!("boom") })
            .unwrap_err()
            .at("content/a.md");
        assert_eq!(error.file, Path::new("content/a.md"));
        assert!(
            error.message.contains("internal error"),
            "{}",
            error.message
        );
        assert!(error.message.contains("boom"), "{}", error.message);
        assert_eq!(catch_panic(|| 7), Ok(7));
    }

    #[test]
    fn display_includes_position() {
        let d = Diagnostic::at("content/a.md", 3, Some(7), "bad date");
        assert_eq!(d.to_string(), "content/a.md:3:7: bad date");
        assert_eq!(Diagnostic::new("x.md", "oops").to_string(), "x.md: oops");
    }
}
