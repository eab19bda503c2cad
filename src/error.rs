//! Typed errors the binary tells apart: bad input names what was wrong and
//! where (one line, exit code 2); a file that could not be written names
//! the file and the system's reason (one line, exit code 4), since a full
//! disk or a read-only folder is not the user's input.

use std::path::{Path, PathBuf};

/// A file or folder concbench could not write: a full disk, no permission,
/// a read-only file system, a folder that is a file.
#[derive(Debug, thiserror::Error)]
#[error("could not write {}: {reason}", path.display())]
pub struct WriteFailed {
    pub path: PathBuf,
    pub reason: String,
}

impl WriteFailed {
    pub fn new(path: &Path, reason: impl std::fmt::Display) -> Self {
        WriteFailed {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }

    /// The output folder `out` could not be made: saying so plainly when
    /// it is a file.
    pub fn folder(out: &Path, reason: impl std::fmt::Display) -> Self {
        if out.exists() && !out.is_dir() {
            WriteFailed::new(out, "it is a file, not a folder")
        } else {
            WriteFailed::new(out, reason)
        }
    }
}

/// Input the user gave that concbench cannot run: a config, a flag, a file.
#[derive(Debug, thiserror::Error)]
pub enum BadInput {
    /// A problem at a known place in a config file.
    #[error("{}:{line}:{column}: {message}", path.display())]
    ConfigAt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A problem with a config file as a whole (unreadable, empty plan).
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },
    /// A command-line flag with a value that cannot be used.
    #[error("{flag}: {message}")]
    Flag { flag: &'static str, message: String },
    /// `--filter` selected no point of the plan; `suggestion` says what
    /// would (close ids, or the suite's scenarios).
    #[error("--filter `{pattern}` matches no point of the plan; {suggestion}")]
    FilterMatchesNothing { pattern: String, suggestion: String },
    /// A results file that is missing, truncated, not JSON or not ours.
    #[error("{}: {message}", path.display())]
    Results { path: PathBuf, message: String },
    /// A history store that is corrupt, foreign, newer, or locked too long.
    #[error("{}: {message}", path.display())]
    Store { path: PathBuf, message: String },
}

impl BadInput {
    /// A config error at a byte offset of `text`, turned into line and column.
    pub fn at_offset(path: &std::path::Path, text: &str, offset: usize, message: String) -> Self {
        let (line, column) = line_and_column(text, offset);
        BadInput::ConfigAt {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    }
}

/// 1-based line and column of a byte offset (clamped to the text).
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_and_column;

    #[test]
    fn offsets_map_to_one_based_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        assert_eq!(line_and_column(text, 8), (2, 3));
        assert_eq!(line_and_column(text, 999), (3, 1));
    }
}
