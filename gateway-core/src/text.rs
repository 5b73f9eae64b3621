//! Text from an API file made safe to print on a terminal.
//!
//! An API definition is untrusted: a key, title or string in it may hold control characters
//! (`ESC [ 2 J` clears a terminal, `CR` overwrites a line, `U+202E` reverses what follows).
//! Every error and warning that quotes the document prints it through [`escape_controls`],
//! which writes such characters as Rust escapes (`\u{1b}`, `\r`), the form gateway-policy's
//! and SigV4's errors print them in (they quote with `{:?}`, which escapes the same way).

use std::borrow::Cow;
use std::fmt::{self, Write};

/// True for a character that must not reach a terminal as is: C0 and C1 controls, DEL, and
/// the characters `char::escape_debug` does not print as themselves (format characters such
/// as the bidirectional overrides, unassigned code points, line and paragraph separators).
/// Quotes and backslashes are printable and stay.
fn needs_escape(c: char) -> bool {
    c.is_control() || (!matches!(c, '"' | '\'' | '\\') && c.escape_debug().len() > 1)
}

/// `s` with every character that is not printable written as its Rust escape (`\n`, `\t`,
/// `\u{1b}`, `\u{202e}`); borrowed unchanged when there is none.
///
/// ```
/// use gateway_core::text::escape_controls;
/// assert_eq!(escape_controls("/pets"), "/pets");
/// assert_eq!(escape_controls("a\u{1b}[2Jb\r\n"), "a\\u{1b}[2Jb\\r\\n");
/// assert_eq!(escape_controls("x\u{202e}y"), "x\\u{202e}y");
/// assert_eq!(escape_controls("\"quoted\" \\ é"), "\"quoted\" \\ é");
/// ```
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "{}", c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A [`fmt::Display`] adapter printing its text through [`escape_controls`].
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_controls(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_c0_c1_and_del_character_is_escaped() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let s = c.to_string();
            let e = escape_controls(&s);
            assert!(e.starts_with('\\'), "{c:?} -> {e:?}");
            assert!(!e.chars().any(char::is_control), "{c:?} -> {e:?}");
        }
    }

    #[test]
    fn printable_text_is_borrowed() {
        assert!(matches!(
            escape_controls("Pet Store – v2 ✓"),
            Cow::Borrowed(_)
        ));
    }
}
