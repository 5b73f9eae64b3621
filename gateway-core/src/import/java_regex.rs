//! Java regular expressions in a definition (integration responses' selection patterns, a
//! TOKEN authorizer's `identityValidationExpression`), checked at import with the very compile
//! function the runtime uses, so import and runtime cannot disagree about a pattern.

use gateway_mapping::selection::{SelectionError, WholeMatchPattern};

/// Compiles `pattern` as the runtime does (Java syntax translated, anchored at both ends, the
/// mapping engine's pattern size limit); the error is the runtime's reason.
pub(crate) fn check(pattern: &str) -> Result<(), String> {
    match WholeMatchPattern::compile(pattern) {
        Ok(_) => Ok(()),
        Err(SelectionError::Pattern { reason, .. }) => Err(reason),
        Err(other) => Err(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_only_syntax_is_accepted_and_broken_patterns_are_refused() {
        // `\p{Alpha}` and `\Q...\E` are Java syntax the runtime translates.
        assert!(check(r"\p{Alpha}+").is_ok());
        assert!(check(r"\Q5xx\E").is_ok());
        assert!(check("(5\\d\\d").is_err());
    }
}
