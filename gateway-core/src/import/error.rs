//! What an import reports: the error that stops it and the warnings it goes on after.

use std::fmt;

use crate::text::Escaped;

/// A minor problem in a definition: the import went on without the part it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// JSON pointer to the place in the document (`""` for the whole document).
    pub pointer: String,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            Escaped(display_pointer(&self.pointer)),
            Escaped(&self.message)
        )
    }
}

/// Why an import failed.
///
/// Its `Display` quotes the document with its control characters escaped ([`crate::text`]), so
/// an error or warning printed to a terminal cannot drive it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The document is over [`MAX_DOCUMENT_BYTES`](super::MAX_DOCUMENT_BYTES).
    #[error("the definition is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// The document's size.
        size: usize,
        /// [`MAX_DOCUMENT_BYTES`](super::MAX_DOCUMENT_BYTES).
        limit: usize,
    },
    /// The document is neither valid JSON nor valid YAML.
    #[error("invalid {format}{}: {}", position(*line, *column), Escaped(.message))]
    Syntax {
        /// `JSON` or `YAML`: which parser was used (JSON when the text starts with `{`).
        format: &'static str,
        /// 1-based line; 0 when the parser names no place (e.g. YAML's alias expansion limit).
        line: usize,
        /// 1-based column; 0 when the parser names no place.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The definition is well-formed but API Gateway would reject it.
    #[error("{}: {}", Escaped(display_pointer(.pointer)), Escaped(.message))]
    Invalid {
        /// JSON pointer to the offending value (`""` for the whole document).
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// YAML flow collections (`[...]`, `{...}`) nest deeper than [`MAX_DEPTH`](super::MAX_DEPTH); refused before
    /// parsing, whose time grows with the square of that nesting.
    #[error(
        "invalid YAML at line {line}, column {column}: flow collections nested deeper than {limit} levels"
    )]
    TooDeep {
        /// 1-based line of the first bracket over the limit.
        line: usize,
        /// 1-based column (in characters) of that bracket.
        column: usize,
        /// [`MAX_DEPTH`](super::MAX_DEPTH).
        limit: usize,
    },
    /// [`ImportOptions::fail_on_warnings`](super::ImportOptions::fail_on_warnings) is set and the import produced warnings.
    #[error("import failed on {} warning(s) (fail-on-warnings is set): {}", .0.len(), join_warnings(.0))]
    Warnings(Vec<ImportWarning>),
    /// [`ImportOptions::api_id`](super::ImportOptions::api_id) is not 1 to 64 ASCII letters and digits.
    #[error("invalid API id {0:?}: expected 1 to 64 ASCII letters and digits")]
    BadApiId(String),
}

impl ImportError {
    /// The JSON pointer of an [`ImportError::Invalid`] error.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            ImportError::Invalid { pointer, .. } => Some(pointer),
            _ => None,
        }
    }
}

/// ` at line L, column C`, or nothing when the position is unknown (line 0).
fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" at line {line}, column {column}")
    }
}

fn display_pointer(p: &str) -> &str {
    if p.is_empty() { "/" } else { p }
}

fn join_warnings(w: &[ImportWarning]) -> String {
    w.iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
