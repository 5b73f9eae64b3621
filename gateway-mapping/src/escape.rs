//! Escaping text character by character, copying the characters that need no escape in runs:
//! the one routine behind JSON string literals and `$util.escapeJavaScript`.

use std::fmt::Write as _;

/// How [`escape_into`] writes a character it escapes.
pub(crate) enum Escaped {
    /// As this text.
    As(&'static str),
    /// As `\uXXXX`, one per UTF-16 unit.
    Unicode,
}

/// The case of the hex digits of [`Escaped::Unicode`].
#[derive(Clone, Copy)]
pub(crate) enum HexCase {
    /// `\u00E9` (Java's `escapeJavaScript`).
    Upper,
    /// `\u00e9` (JSON as serde_json and json-smart write it).
    Lower,
}

/// Appends `s` to `out` with each character `escape` names (`Some`) written as it says and
/// the others as they are, copied in runs.
pub(crate) fn escape_into(
    s: &str,
    out: &mut String,
    case: HexCase,
    escape: impl Fn(char) -> Option<Escaped>,
) {
    let mut plain_from = 0;
    for (i, c) in s.char_indices() {
        let Some(how) = escape(c) else {
            continue;
        };
        out.push_str(s.get(plain_from..i).unwrap_or_default());
        plain_from = i + c.len_utf8();
        match how {
            Escaped::As(text) => out.push_str(text),
            Escaped::Unicode => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = match case {
                        HexCase::Upper => write!(out, "\\u{unit:04X}"),
                        HexCase::Lower => write!(out, "\\u{unit:04x}"),
                    };
                }
            }
        }
    }
    out.push_str(s.get(plain_from..).unwrap_or_default());
}
