//! What a walk found: the messages kept, whether any error occurred, and the one way a walk
//! gives up.

use crate::limits::MAX_VALIDATION_MESSAGES;

/// The walker could not follow the schema (unresolved reference, step or depth limit).
#[derive(Debug)]
pub(crate) struct CannotExplain;

/// What a walk found. A *listing* report (the body's own) keeps the first
/// [`MAX_VALIDATION_MESSAGES`] messages; a *counting* report (a combinator's private branch,
/// or a verdict check) keeps none and builds no text: only whether an error occurred matters.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) messages: Vec<String>,
    errors: usize,
    listing: bool,
}

impl Report {
    /// A report that keeps the first [`MAX_VALIDATION_MESSAGES`] messages.
    pub(crate) fn listing() -> Self {
        Self {
            listing: true,
            ..Self::default()
        }
    }
    fn keep(&mut self, msg: impl FnOnce() -> String) {
        if self.listing && self.messages.len() < MAX_VALIDATION_MESSAGES {
            self.messages.push(msg());
        }
    }
    pub(crate) fn error(&mut self, msg: impl FnOnce() -> String) {
        self.errors += 1;
        self.keep(msg);
    }
    pub(crate) fn warn(&mut self, msg: impl FnOnce() -> String) {
        self.keep(msg);
    }
    pub(crate) fn is_success(&self) -> bool {
        self.errors == 0
    }
    /// Nothing the rest of the walk finds can change the kept list or the verdict.
    pub(crate) fn is_settled(&self) -> bool {
        self.listing && self.errors > 0 && self.messages.len() >= MAX_VALIDATION_MESSAGES
    }
}
