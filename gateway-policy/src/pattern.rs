//! Wildcard patterns (`*`, `?`), policy variables (`${key}`, `${key, 'default'}`, `${*}`...)
//! and ARN matching segment by segment.
//!
//! Patterns are compiled once when a policy loads. Matching walks the pattern and the text with
//! the classic single-backtrack glob algorithm (O(pattern x text) at worst, both bounded by
//! [`crate::MAX_VALUE_CHARS`]); it allocates only when the pattern holds a policy variable.

use crate::request::ConditionKeys;

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    /// Literal text (already lowercased when the pattern ignores case).
    Lit(Box<str>),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `?`: exactly one character.
    One,
    /// `${key}` or `${key, 'default'}`; `key` is lowercased (keys are case-insensitive).
    Var {
        key: Box<str>,
        default: Option<Box<str>>,
    },
}

/// What a pattern string may contain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (Action, Resource, `StringLike`, `ArnLike`...).
    pub wildcards: bool,
    /// `${...}` is a policy variable (policy version 2012-10-17, in Resource and conditions).
    pub variables: bool,
    /// Compare ignoring case (Action, `StringEqualsIgnoreCase`).
    pub ignore_case: bool,
}

/// Why a pattern string was rejected.
pub(crate) type PatternError = &'static str;

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern {
    pieces: Box<[Piece]>,
    ignore_case: bool,
    has_vars: bool,
}

impl Pattern {
    /// Compiles `text` under `syntax`.
    pub(crate) fn compile(text: &str, syntax: Syntax) -> Result<Pattern, PatternError> {
        let pieces = parse_pieces(text, syntax)?;
        Ok(Pattern::from_pieces(pieces, syntax.ignore_case))
    }

    fn from_pieces(pieces: Vec<Piece>, ignore_case: bool) -> Pattern {
        let has_vars = pieces.iter().any(|p| matches!(p, Piece::Var { .. }));
        Pattern {
            pieces: pieces.into_boxed_slice(),
            ignore_case,
            has_vars,
        }
    }

    /// `*` alone: matches anything without looking.
    pub(crate) fn is_match_all(&self) -> bool {
        matches!(&*self.pieces, [Piece::Star])
    }

    /// Whether `text` matches, resolving variables from `keys`. An unresolved variable (no value
    /// and no default, or a multi-valued key) makes the pattern match nothing.
    pub(crate) fn matches(&self, text: &str, keys: &ConditionKeys) -> bool {
        // Fast path: a plain literal (the common `execute-api:Invoke`).
        if let [Piece::Lit(lit)] = &*self.pieces {
            if !self.ignore_case {
                return **lit == *text;
            }
            if text.is_ascii() {
                return lit.eq_ignore_ascii_case(text);
            }
        }
        if self.has_vars {
            match resolve(&self.pieces, keys) {
                Some(segs) => glob(&segs, text, self.ignore_case),
                None => false,
            }
        } else {
            with_static_segs(&self.pieces, |segs| glob(segs, text, self.ignore_case))
        }
    }

    /// Splits the pattern at its first five literal colons into up to six ARN segments.
    fn split_arn(self) -> Vec<Pattern> {
        let mut segments = Vec::new();
        let mut current: Vec<Piece> = Vec::new();
        for piece in self.pieces.into_vec() {
            match piece {
                Piece::Lit(s) if segments.len() < 5 && s.contains(':') => {
                    let mut rest: &str = &s;
                    while let Some(i) = rest.find(':').filter(|_| segments.len() < 5) {
                        if i > 0 {
                            current.push(Piece::Lit(rest[..i].into()));
                        }
                        segments.push(Pattern::from_pieces(
                            std::mem::take(&mut current),
                            self.ignore_case,
                        ));
                        rest = &rest[i + 1..];
                    }
                    if !rest.is_empty() {
                        current.push(Piece::Lit(rest.into()));
                    }
                }
                other => current.push(other),
            }
        }
        segments.push(Pattern::from_pieces(current, self.ignore_case));
        segments
    }
}

/// A resource or ARN pattern matched segment by segment, as IAM matches ARNs.
///
/// The pattern and the ARN are split at their first five colons (`arn:partition:service:region:
/// account:resource`). A wildcard matches within its own segment only, except in the pattern's
/// last segment, which takes the rest of the ARN, colons included: so `*` alone matches every
/// ARN and `arn:aws:execute-api:*` matches every execute-api ARN.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArnPattern {
    segments: Box<[Pattern]>,
    match_all: bool,
}

impl ArnPattern {
    /// Compiles `text` (wildcards on, case-sensitive).
    pub(crate) fn compile(text: &str, variables: bool) -> Result<ArnPattern, PatternError> {
        let whole = Pattern::compile(
            text,
            Syntax {
                wildcards: true,
                variables,
                ignore_case: false,
            },
        )?;
        let match_all = whole.is_match_all();
        Ok(ArnPattern {
            segments: whole.split_arn().into_boxed_slice(),
            match_all,
        })
    }

    /// Whether `arn` (already split by [`ArnParts::split`]) matches.
    pub(crate) fn matches(&self, arn: &ArnParts<'_>, keys: &ConditionKeys) -> bool {
        if self.match_all {
            return true;
        }
        let n = self.segments.len();
        if arn.count < n {
            return false;
        }
        for (i, segment) in self.segments.iter().enumerate() {
            let text = if i + 1 == n {
                arn.rest_from(i)
            } else {
                arn.part(i)
            };
            if !segment.matches(text, keys) {
                return false;
            }
        }
        true
    }
}

/// An ARN split at its first five colons, without copying.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArnParts<'a> {
    text: &'a str,
    /// Byte offsets where each part starts (the part after the i-th colon).
    starts: [usize; 6],
    count: usize,
}

impl<'a> ArnParts<'a> {
    /// Splits `text` at its first five colons.
    pub(crate) fn split(text: &'a str) -> ArnParts<'a> {
        let mut starts = [0usize; 6];
        let mut count = 1;
        for (i, b) in text.bytes().enumerate() {
            if count == 6 {
                break;
            }
            if b == b':' {
                starts[count] = i + 1;
                count += 1;
            }
        }
        ArnParts {
            text,
            starts,
            count,
        }
    }

    fn part(&self, i: usize) -> &'a str {
        let end = if i + 1 < self.count {
            self.starts[i + 1] - 1
        } else {
            self.text.len()
        };
        &self.text[self.starts[i]..end]
    }

    fn rest_from(&self, i: usize) -> &'a str {
        &self.text[self.starts[i]..]
    }
}

/// Parses a pattern string into pieces.
fn parse_pieces(text: &str, syntax: Syntax) -> Result<Vec<Piece>, PatternError> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if syntax.variables && rest.starts_with("${") {
            let close = rest
                .find('}')
                .ok_or("a policy variable \"${\" is not closed")?;
            let inner = &rest[2..close];
            rest = &rest[close + 1..];
            match inner {
                // The escapes IAM documents for characters with a meaning of their own.
                "*" | "?" | "$" => lit.push_str(inner),
                _ => {
                    let (key, default) = parse_variable(inner)?;
                    flush(&mut lit, &mut pieces, syntax.ignore_case);
                    pieces.push(Piece::Var { key, default });
                }
            }
            continue;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '*' if syntax.wildcards => {
                flush(&mut lit, &mut pieces, syntax.ignore_case);
                // `**` means the same as `*`; keeping one makes matching cheaper.
                if pieces.last() != Some(&Piece::Star) {
                    pieces.push(Piece::Star);
                }
            }
            '?' if syntax.wildcards => {
                flush(&mut lit, &mut pieces, syntax.ignore_case);
                pieces.push(Piece::One);
            }
            _ => lit.push(c),
        }
    }
    flush(&mut lit, &mut pieces, syntax.ignore_case);
    Ok(pieces)
}

fn flush(lit: &mut String, pieces: &mut Vec<Piece>, ignore_case: bool) {
    if lit.is_empty() {
        return;
    }
    let text = if ignore_case {
        lit.to_lowercase()
    } else {
        std::mem::take(lit)
    };
    lit.clear();
    pieces.push(Piece::Lit(text.into()));
}

/// Parses the inside of `${...}`: `key` or `key, 'default'` (spaces around either are ignored;
/// `''` inside the default is one quote).
fn parse_variable(inner: &str) -> Result<(Box<str>, Option<Box<str>>), PatternError> {
    let (key, default) = match inner.split_once(',') {
        None => (inner.trim(), None),
        Some((key, default)) => {
            let default = default.trim();
            let body = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .ok_or("a policy variable's default must be in single quotes")?;
            if body.replace("''", "").contains('\'') {
                return Err("a quote inside a policy variable's default must be doubled ('')");
            }
            (key.trim(), Some(body.replace("''", "'").into_boxed_str()))
        }
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err("a policy variable must name a condition key");
    }
    Ok((key.to_ascii_lowercase().into_boxed_str(), default))
}

/// A piece of a pattern with its variables resolved.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Lit(&'a str),
    Star,
    One,
}

/// Up to this many pieces are matched from a stack buffer; longer patterns allocate.
const STACK_PIECES: usize = 16;

fn static_seg(p: &Piece) -> Seg<'_> {
    match p {
        Piece::Lit(s) => Seg::Lit(s),
        Piece::Star => Seg::Star,
        Piece::One => Seg::One,
        // Only called for patterns without variables.
        Piece::Var { .. } => Seg::Lit(""),
    }
}

fn with_static_segs<R>(pieces: &[Piece], f: impl FnOnce(&[Seg<'_>]) -> R) -> R {
    if pieces.len() <= STACK_PIECES {
        let mut buf = [Seg::Star; STACK_PIECES];
        for (slot, p) in buf.iter_mut().zip(pieces) {
            *slot = static_seg(p);
        }
        f(&buf[..pieces.len()])
    } else {
        let segs: Vec<Seg<'_>> = pieces.iter().map(static_seg).collect();
        f(&segs)
    }
}

fn resolve<'a>(pieces: &'a [Piece], keys: &'a ConditionKeys) -> Option<Vec<Seg<'a>>> {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(s) => Some(Seg::Lit(s)),
            Piece::Star => Some(Seg::Star),
            Piece::One => Some(Seg::One),
            Piece::Var { key, default } => match keys.single(key) {
                Some(value) => Some(Seg::Lit(value)),
                None => default.as_deref().map(Seg::Lit),
            },
        })
        .collect()
}

/// A position in a resolved pattern: segment index and byte offset inside a literal.
#[derive(Clone, Copy)]
struct Pos {
    seg: usize,
    off: usize,
}

/// Matches `text` against `segs` (`*` any run, `?` one character).
fn glob(segs: &[Seg<'_>], text: &str, ignore_case: bool) -> bool {
    let mut p = Pos { seg: 0, off: 0 };
    let mut t = 0usize;
    // Where to resume after the last `*`: the pattern position after it, and the text position
    // it has consumed up to.
    let mut resume: Option<(Pos, usize)> = None;
    loop {
        // Skip exhausted literals.
        while let Some(Seg::Lit(s)) = segs.get(p.seg) {
            if p.off < s.len() {
                break;
            }
            p = Pos {
                seg: p.seg + 1,
                off: 0,
            };
        }
        let Some(c) = text[t..].chars().next() else {
            // Text done: only stars (or empty literals) may remain.
            return segs[p.seg..].iter().all(|s| match s {
                Seg::Star => true,
                Seg::Lit(l) => l.is_empty(),
                Seg::One => false,
            });
        };
        let advanced = match segs.get(p.seg) {
            Some(Seg::Star) => {
                let after = Pos {
                    seg: p.seg + 1,
                    off: 0,
                };
                resume = Some((after, t));
                p = after;
                continue;
            }
            Some(Seg::One) => {
                p = Pos {
                    seg: p.seg + 1,
                    off: 0,
                };
                t += c.len_utf8();
                true
            }
            Some(Seg::Lit(s)) => {
                let pc = s[p.off..].chars().next();
                match pc {
                    Some(pc) if chars_equal(pc, c, ignore_case) => {
                        p.off += pc.len_utf8();
                        t += c.len_utf8();
                        true
                    }
                    _ => false,
                }
            }
            None => false,
        };
        if advanced {
            continue;
        }
        match resume {
            Some((after, consumed)) => {
                let Some(skipped) = text[consumed..].chars().next() else {
                    return false;
                };
                let consumed = consumed + skipped.len_utf8();
                resume = Some((after, consumed));
                p = after;
                t = consumed;
            }
            None => return false,
        }
    }
}

/// Compares a pattern character with a text character, folding case on both when asked
/// (a resolved policy variable is not lowercased in advance).
#[inline]
fn chars_equal(pattern: char, text: char, ignore_case: bool) -> bool {
    if pattern == text {
        return true;
    }
    if !ignore_case {
        return false;
    }
    if pattern.is_ascii() && text.is_ascii() {
        return pattern.eq_ignore_ascii_case(&text);
    }
    pattern.to_lowercase().eq(text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIKE: Syntax = Syntax {
        wildcards: true,
        variables: true,
        ignore_case: false,
    };

    fn like(p: &str, t: &str) -> bool {
        Pattern::compile(p, LIKE)
            .unwrap()
            .matches(t, &ConditionKeys::default())
    }

    #[test]
    fn star_matches_any_run_and_question_mark_one_character() {
        assert!(like("a*c", "abbbc"));
        assert!(like("a*c", "ac"));
        assert!(!like("a*c", "ab"));
        assert!(like("a?c", "abc"));
        assert!(!like("a?c", "ac"));
        assert!(like("*", ""));
        assert!(like("", ""));
        assert!(!like("", "a"));
        assert!(like("*a*b*", "xxaxxbxx"));
        assert!(!like("*a*b*", "xxbxxaxx"));
        assert!(like("?é?", "aéb"));
    }

    #[test]
    fn matching_is_case_sensitive_unless_asked() {
        assert!(!like("ABC", "abc"));
        let p = Pattern::compile(
            "Execute-API:Inv*",
            Syntax {
                wildcards: true,
                variables: false,
                ignore_case: true,
            },
        )
        .unwrap();
        assert!(p.matches("execute-api:INVOKE", &ConditionKeys::default()));
    }

    #[test]
    fn escapes_are_literal_characters_not_wildcards() {
        // IAM docs, "Policy variables": ${*}, ${?} and ${$} stand for the characters themselves.
        assert!(like("a${*}b", "a*b"));
        assert!(!like("a${*}b", "axxb"));
        assert!(like("a${?}", "a?"));
        assert!(!like("a${?}", "ab"));
        assert!(like("${$}{x}", "${x}"));
    }

    #[test]
    fn variable_defaults_take_doubled_quotes() {
        let (key, default) = parse_variable(" aws:username , 'it''s' ").unwrap();
        assert_eq!(&*key, "aws:username");
        assert_eq!(default.as_deref(), Some("it's"));
        assert!(parse_variable("aws:username, nope").is_err());
        assert!(parse_variable("").is_err());
    }

    #[test]
    fn arn_wildcards_stay_inside_their_segment_except_the_last() {
        let keys = ConditionKeys::default();
        let m = |p: &str, a: &str| {
            ArnPattern::compile(p, true)
                .unwrap()
                .matches(&ArnParts::split(a), &keys)
        };
        assert!(m("*", "arn:aws:s3:::bucket"));
        assert!(m(
            "arn:aws:execute-api:*",
            "arn:aws:execute-api:us-east-1:1:a/b"
        ));
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c"));
        // A `*` in the region segment cannot swallow the account segment.
        assert!(!m(
            "arn:aws:execute-api:us-*:abc/*",
            "arn:aws:execute-api:us-east-1:123:abc/x"
        ));
        assert!(m(
            "arn:aws:execute-api:us-*:*:abc/*",
            "arn:aws:execute-api:us-east-1:123:abc/x"
        ));
        assert!(!m("arn:aws:s3:::b", "arn:aws:s3"));
    }
}
