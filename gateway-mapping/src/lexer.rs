//! The character-level scanner under the parser: a cursor over the source that tracks line
//! and column, and the token shapes of Velocity 1.7's lexer (identifiers, directive words,
//! numbers, string literals, and the whitespace a directive swallows).
//!
//! Velocity's lexer is modal (text, reference, directive); the parser drives this cursor in
//! the same modes, so each rule here names the Velocity token it mirrors.

use crate::ast::Pos;

/// A position-tracking cursor over the template source.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    col: u32,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a str, start: Pos) -> Self {
        Cursor {
            src,
            pos: 0,
            line: start.line,
            col: start.col,
        }
    }

    pub fn offset(&self) -> usize {
        self.pos
    }

    pub fn here(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    pub fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub fn slice(&self, from: usize, to: usize) -> &'a str {
        &self.src[from..to]
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub fn peek_byte(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    pub fn peek_byte_at(&self, n: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + n).copied()
    }

    pub fn starts_with(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    /// Moves past one character.
    pub fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    /// Moves past `s`, which must be next.
    pub fn eat(&mut self, s: &str) -> bool {
        if self.starts_with(s) {
            for _ in s.chars() {
                self.bump();
            }
            true
        } else {
            false
        }
    }

    /// Moves past ASCII bytes while `f` holds; returns the slice.
    pub fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(b) = self.peek_byte() {
            if b.is_ascii() && f(b) {
                self.bump();
            } else {
                break;
            }
        }
        &self.src[start..self.pos]
    }

    /// Skips spaces, tabs and line breaks (Velocity's WHITESPACE inside directives).
    pub fn skip_ws(&mut self) -> bool {
        !self
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .is_empty()
    }

    /// After a directive's closing `)`, `#end` or `#else`: Velocity swallows spaces and tabs
    /// up to and including one line break, when a line break follows (the RPAREN, END and
    /// ELSE_DIRECTIVE tokens of Velocity 1.7's Parser.jj).
    pub fn eat_line_end(&mut self) {
        let save = self.clone();
        self.take_while(|b| b == b' ' || b == b'\t');
        if self.eat("\r\n") || self.eat("\n") || self.eat("\r") {
            return;
        }
        *self = save;
    }

    /// Text runs up to the next `$`, `#` or `\` (Velocity's TEXT token).
    pub fn take_text(&mut self) -> &'a str {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut end = start;
        while end < bytes.len() && !matches!(bytes[end], b'$' | b'#' | b'\\') {
            end += 1;
        }
        // Text is ASCII-delimited, so `end` is a char boundary; advance position tracking.
        let text = &self.src[start..end];
        for c in text.chars() {
            if c == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        self.pos = end;
        text
    }

    /// Whether `#set` starts here after optional spaces and tabs, followed by spaces and `(`
    /// (Velocity's SET_DIRECTIVE token, which swallows the whitespace before it). Returns the
    /// byte length of the whole match.
    pub fn set_directive_len(&self) -> Option<usize> {
        let b = self.rest().as_bytes();
        let mut i = 0;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let r = &b[i..];
        let word = if r.starts_with(b"#set") {
            4
        } else if r.starts_with(b"#{set}") {
            6
        } else {
            return None;
        };
        i += word;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        (i < b.len() && b[i] == b'(').then_some(i + 1)
    }

    /// Moves `n` bytes (all on one line or not: positions are tracked per char).
    pub fn advance(&mut self, n: usize) {
        let target = self.pos + n;
        while self.pos < target && !self.at_end() {
            self.bump();
        }
    }
}

/// First character of a reference identifier: a letter or `_`.
pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Later characters of a reference identifier: letters, digits, `-`, `_`.
pub(crate) fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// First character of a directive word: a letter, `_` or `@`.
pub(crate) fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'@'
}

/// Later characters of a directive word: letters, digits, `_`, `@`.
pub(crate) fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'@'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(s: &str) -> Cursor<'_> {
        Cursor::new(s, Pos { line: 1, col: 1 })
    }

    #[test]
    fn text_stops_at_dollar_hash_and_backslash_and_tracks_lines() {
        let mut c = cur("ab\ncd$x");
        assert_eq!(c.take_text(), "ab\ncd");
        assert_eq!(c.here(), Pos { line: 2, col: 3 });
        assert_eq!(c.peek(), Some('$'));
    }

    #[test]
    fn set_directive_swallows_leading_spaces_and_tabs_only() {
        assert_eq!(cur("  \t#set  (").set_directive_len(), Some(10));
        assert_eq!(cur("#{set}(").set_directive_len(), Some(7));
        assert_eq!(cur("\n#set(").set_directive_len(), None);
        assert_eq!(cur("#settle(").set_directive_len(), None);
        assert_eq!(cur("#set\t(").set_directive_len(), None);
    }

    #[test]
    fn line_end_is_eaten_only_when_only_blanks_precede_it() {
        let mut c = cur("  \nx");
        c.eat_line_end();
        assert_eq!(c.rest(), "x");
        let mut c = cur("  x\n");
        c.eat_line_end();
        assert_eq!(c.rest(), "  x\n");
        let mut c = cur("\r\nx");
        c.eat_line_end();
        assert_eq!(c.rest(), "x");
    }
}
