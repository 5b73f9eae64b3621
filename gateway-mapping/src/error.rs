//! Errors: [`TemplateError`] for anything that stops a template (with the line and column where
//! it happened) and [`EvalError`] for a host object to report a failure.

use std::fmt;

/// What went wrong, broadly; the message says exactly what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The template text is not valid VTL (unclosed directive, bad expression, ...).
    Syntax,
    /// A construct the engine refuses in this mode (`#include`, `#parse`, ...).
    Unsupported,
    /// A named limit was exceeded (template size, output size, nesting, iterations).
    Limit,
    /// Evaluation failed: a method raised an error, a host object refused a call, ...
    Eval,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Limit => "limit exceeded",
            ErrorKind::Eval => "evaluation error",
        })
    }
}

/// A template failed to compile or render: what went wrong, and where (1-based line and
/// column in the template source, counted in characters).
///
/// Displays as `line L, column C: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct TemplateError {
    kind: ErrorKind,
    message: String,
    line: u32,
    column: u32,
}

impl TemplateError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, line: u32, column: u32) -> Self {
        TemplateError {
            kind,
            message: message.into(),
            line,
            column,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message alone, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line in the template source.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The 1-based column (in characters) in the template source.
    pub fn column(&self) -> u32 {
        self.column
    }
}

/// An error raised while evaluating: by a host object (`$input`, `$util`, ...) or by a
/// built-in method. The engine turns it into a [`TemplateError`] of kind [`ErrorKind::Eval`]
/// at the position of the reference that raised it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    message: String,
    limit: bool,
}

impl EvalError {
    /// An error with this message (say what failed and why, e.g. `Invalid JSON in body`).
    pub fn new(message: impl Into<String>) -> Self {
        EvalError {
            message: message.into(),
            limit: false,
        }
    }

    /// A named limit was exceeded (a value grew too large, ...): the template fails with
    /// [`ErrorKind::Limit`] instead of [`ErrorKind::Eval`].
    pub fn limit(message: impl Into<String>) -> Self {
        EvalError {
            message: message.into(),
            limit: true,
        }
    }

    /// Whether this is a limit being exceeded (see [`EvalError::limit`]).
    pub fn is_limit(&self) -> bool {
        self.limit
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}
