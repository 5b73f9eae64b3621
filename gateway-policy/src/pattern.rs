//! Wildcard patterns (`*`, `?`), policy variables (`${key}`, `${key, 'default'}`, `${*}`...)
//! and ARN matching segment by segment.
//!
//! Patterns are compiled once when a policy loads, and the common forms (`text`, `text*`,
//! `*text`, `*text*`, and for ARNs a literal leading part such as
//! `arn:aws:execute-api:us-east-1:123456789012:`) become one string comparison. Other
//! case-sensitive patterns of literals and `*` are matched by finding each literal in turn
//! (linear in the text); patterns with `?` or folded case take the classic single-backtrack
//! glob walk (O(pattern x text) at worst, the pattern bounded by [`crate::MAX_VALUE_CHARS`]).
//! Matching allocates only for a pattern of more than 16 pieces.

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
    shape: Shape,
}

/// The common pattern forms, recognised at compile time so that matching them is one string
/// comparison instead of a glob walk. Only for patterns without variables, and for
/// case-insensitive ones only when the literal is ASCII (so that byte offsets line up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `*`.
    Any,
    /// `text`.
    Exact,
    /// `text*`.
    Prefix,
    /// `*text`.
    Suffix,
    /// `*text*` (case-sensitive only).
    Contains,
    /// Anything else: the glob walk.
    General,
}

impl Pattern {
    /// Compiles `text` under `syntax`.
    pub(crate) fn compile(text: &str, syntax: Syntax) -> Result<Pattern, PatternError> {
        let pieces = parse_pieces(text, syntax)?;
        Ok(Pattern::from_pieces(pieces, syntax.ignore_case))
    }

    fn from_pieces(pieces: Vec<Piece>, ignore_case: bool) -> Pattern {
        let has_vars = pieces.iter().any(|p| matches!(p, Piece::Var { .. }));
        let ascii = |l: &str| !ignore_case || l.is_ascii();
        let shape = match &*pieces {
            _ if has_vars => Shape::General,
            [Piece::Star] => Shape::Any,
            [] => Shape::Exact,
            [Piece::Lit(l)] if ascii(l) => Shape::Exact,
            [Piece::Lit(l), Piece::Star] if ascii(l) => Shape::Prefix,
            [Piece::Star, Piece::Lit(l)] if ascii(l) => Shape::Suffix,
            [Piece::Star, Piece::Lit(_), Piece::Star] if !ignore_case => Shape::Contains,
            _ => Shape::General,
        };
        Pattern {
            pieces: pieces.into_boxed_slice(),
            ignore_case,
            has_vars,
            shape,
        }
    }

    /// Whether the pattern ends with a `*` wildcard (an ARN segment that may spill over).
    fn ends_with_star(&self) -> bool {
        matches!(self.pieces.last(), Some(Piece::Star))
    }

    /// The literal of a one-literal shape (empty for `*` and the empty pattern).
    fn literal(&self) -> &str {
        self.pieces
            .iter()
            .find_map(|p| match p {
                Piece::Lit(l) => Some(&**l),
                _ => None,
            })
            .unwrap_or("")
    }

    /// `text` starts with `lit`, folding ASCII case when the pattern ignores case (`lit` is
    /// lowercased already).
    fn has_prefix(&self, text: &[u8], lit: &[u8]) -> bool {
        text.len() >= lit.len() && self.bytes_equal(&text[..lit.len()], lit)
    }

    fn has_suffix(&self, text: &[u8], lit: &[u8]) -> bool {
        text.len() >= lit.len() && self.bytes_equal(&text[text.len() - lit.len()..], lit)
    }

    fn bytes_equal(&self, text: &[u8], lit: &[u8]) -> bool {
        if self.ignore_case {
            text.eq_ignore_ascii_case(lit)
        } else {
            text == lit
        }
    }

    /// `*` alone: matches anything without looking.
    pub(crate) fn is_match_all(&self) -> bool {
        matches!(&*self.pieces, [Piece::Star])
    }

    /// Whether `text` matches, resolving variables from `keys`. An unresolved variable (no value
    /// and no default, or a multi-valued key) makes the pattern match nothing.
    pub(crate) fn matches(&self, text: &str, keys: &ConditionKeys) -> bool {
        // Fast paths: a plain literal (the common `execute-api:Invoke`), `prefix*` and so on.
        // With case folded, a non-ASCII text falls through to the glob, which folds Unicode.
        if self.shape != Shape::General && (!self.ignore_case || text.is_ascii()) {
            let (t, lit) = (text.as_bytes(), self.literal().as_bytes());
            return match self.shape {
                Shape::Any => true,
                Shape::Exact => t.len() == lit.len() && self.bytes_equal(t, lit),
                Shape::Prefix => self.has_prefix(t, lit),
                Shape::Suffix => self.has_suffix(t, lit),
                Shape::Contains => find(text, self.literal()).is_some(),
                Shape::General => false,
            };
        }
        if self.has_vars {
            with_resolved_segs(&self.pieces, keys, |segs| {
                glob(segs, text, self.ignore_case)
            })
            .unwrap_or(false)
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
/// account:resource`); past the fifth, colons are ordinary characters of the resource part.
/// Wildcards match within their own segment, with two exceptions:
/// - the pattern's last segment takes the rest of the ARN, so `*` alone matches every ARN and
///   `arn:aws:execute-api:*` every execute-api ARN;
/// - in a `Resource` / `NotResource` element ("spilling" patterns), a segment whose last
///   character is `*` may also take the segments after it: IAM User Guide, "IAM JSON policy
///   elements: Resource", "If the `*` wildcard is the last character of a resource ARN segment,
///   it can expand to match beyond the colon boundaries". The ARN condition operators check
///   "each of the six colon-delimited components of the ARN separately" (IAM User Guide,
///   "Condition operators", ARN condition operators) and do not spill.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArnPattern {
    segments: Box<[Pattern]>,
    match_all: bool,
    spill: bool,
    /// How many leading segments are plain literals (never the last segment): they are
    /// compared in one go against `lead_text`.
    lead: usize,
    /// Those segments joined with their colons, the colon after the last one included
    /// (`arn:aws:execute-api:us-east-1:123456789012:`).
    lead_text: Box<str>,
}

impl ArnPattern {
    /// Compiles a `Resource` / `NotResource` value (wildcards on, case-sensitive, segments
    /// ending in `*` spill over colons).
    pub(crate) fn resource(text: &str, variables: bool) -> Result<ArnPattern, PatternError> {
        ArnPattern::compile(text, variables, true)
    }

    /// Compiles an ARN condition value (`ArnLike` and friends: each segment on its own).
    pub(crate) fn condition(text: &str, variables: bool) -> Result<ArnPattern, PatternError> {
        ArnPattern::compile(text, variables, false)
    }

    fn compile(text: &str, variables: bool, spill: bool) -> Result<ArnPattern, PatternError> {
        let whole = Pattern::compile(
            text,
            Syntax {
                wildcards: true,
                variables,
                ignore_case: false,
            },
        )?;
        let match_all = whole.is_match_all();
        let segments = whole.split_arn();
        let lead = segments
            .iter()
            .take(segments.len().saturating_sub(1))
            .take_while(|s| s.shape == Shape::Exact && !s.has_vars)
            .count();
        let mut lead_text = String::new();
        for segment in &segments[..lead] {
            lead_text.push_str(segment.literal());
            lead_text.push(':');
        }
        Ok(ArnPattern {
            segments: segments.into_boxed_slice(),
            match_all,
            spill,
            lead,
            lead_text: lead_text.into_boxed_str(),
        })
    }

    /// Whether `arn` (already split by [`ArnParts::split`]) matches.
    pub(crate) fn matches(&self, arn: &ArnParts<'_>, keys: &ConditionKeys) -> bool {
        if self.match_all {
            return true;
        }
        // The leading literal segments hold no colon, so matching their joined text as a
        // prefix lines them up with the ARN's first `lead` parts.
        if arn.count <= self.lead || !arn.text.starts_with(&*self.lead_text) {
            return false;
        }
        if self.spill {
            return self.match_from(self.lead, self.lead, arn, keys);
        }
        let n = self.segments.len();
        if arn.count < n {
            return false;
        }
        for (i, segment) in self.segments.iter().enumerate().skip(self.lead) {
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

    /// Whether pattern segments `k..` match ARN parts `i..` (spilling form). At most six
    /// segments and six parts, so the branching on spills stays tiny.
    fn match_from(&self, k: usize, i: usize, arn: &ArnParts<'_>, keys: &ConditionKeys) -> bool {
        let (Some(segment), true) = (self.segments.get(k), i < arn.count) else {
            return false;
        };
        let spills = segment.ends_with_star();
        if k + 1 == self.segments.len() {
            // The last segment: a trailing `*` takes whatever follows its own part; otherwise
            // it must cover the ARN's last part exactly (which, for the resource part, holds
            // any further colons).
            return (spills || i + 1 == arn.count) && segment.matches(arn.part(i), keys);
        }
        // `P*` covering parts i..j is `P*` matching part i: the trailing `*` takes the rest.
        if !segment.matches(arn.part(i), keys) {
            return false;
        }
        if !spills {
            return self.match_from(k + 1, i + 1, arn, keys);
        }
        (i + 1..arn.count).any(|j| self.match_from(k + 1, j, arn, keys))
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

/// Resolves the pattern's variables and runs `f` on the result; `None` when a variable has no
/// value and no default (an unresolved variable matches nothing).
fn with_resolved_segs<'a, R>(
    pieces: &'a [Piece],
    keys: &'a ConditionKeys,
    f: impl FnOnce(&[Seg<'a>]) -> R,
) -> Option<R> {
    let resolve = |p: &'a Piece| -> Option<Seg<'a>> {
        Some(match p {
            Piece::Lit(s) => Seg::Lit(s),
            Piece::Star => Seg::Star,
            Piece::One => Seg::One,
            Piece::Var { key, default } => match keys.single(key) {
                Some(value) => Seg::Lit(value),
                None => Seg::Lit(default.as_deref()?),
            },
        })
    };
    if pieces.len() <= STACK_PIECES {
        let mut buf = [Seg::Star; STACK_PIECES];
        for (slot, p) in buf.iter_mut().zip(pieces) {
            *slot = resolve(p)?;
        }
        Some(f(&buf[..pieces.len()]))
    } else {
        let segs: Option<Vec<Seg<'a>>> = pieces.iter().map(resolve).collect();
        Some(f(&segs?))
    }
}

/// A position in a resolved pattern: segment index and byte offset inside a literal.
#[derive(Clone, Copy)]
struct Pos {
    seg: usize,
    off: usize,
}

/// Matches `text` against `segs` (`*` any run, `?` one character).
fn glob(segs: &[Seg<'_>], text: &str, ignore_case: bool) -> bool {
    if !ignore_case && !segs.iter().any(|s| matches!(s, Seg::One)) {
        return star_glob(segs, text);
    }
    glob_walk(segs, text, ignore_case)
}

/// Case-sensitive matching of literals and `*` only: the literals before the first `*` must
/// start the text, those after the last `*` end it, and those between are found leftmost, in
/// order (leftmost is always safe when every gap is a `*`). Linear in the text, using the
/// standard library's substring search.
fn star_glob(segs: &[Seg<'_>], text: &str) -> bool {
    let mut rest = text;
    let mut first = 0;
    while let Some(Seg::Lit(lit)) = segs.get(first) {
        let Some(after) = rest.strip_prefix(lit) else {
            return false;
        };
        rest = after;
        first += 1;
    }
    if first == segs.len() {
        return rest.is_empty();
    }
    let mut end = segs.len();
    while let Some(Seg::Lit(lit)) = segs.get(end - 1).filter(|_| end > first) {
        let Some(before) = rest.strip_suffix(lit) else {
            return false;
        };
        rest = before;
        end -= 1;
    }
    for seg in &segs[first..end] {
        if let Seg::Lit(lit) = seg {
            match find(rest, lit) {
                Some(at) => rest = &rest[at + lit.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Texts up to this many bytes are searched by scanning for the needle's first byte; longer
/// ones use the standard library's two-way search, which stays linear on adversarial input.
const SHORT_TEXT: usize = 128;

/// The first byte offset of `needle` in `hay`. Most policy texts (ARNs, user agents) are
/// short, where scanning for the first byte beats setting up the two-way searcher.
fn find(hay: &str, needle: &str) -> Option<usize> {
    if hay.len() > SHORT_TEXT {
        return hay.find(needle);
    }
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, tail)) = needle.split_first() else {
        return Some(0);
    };
    let mut from = 0;
    while hay.len() - from >= needle.len() {
        let at = from
            + hay[from..=hay.len() - needle.len()]
                .iter()
                .position(|&b| b == first)?;
        if hay[at + 1..].starts_with(tail) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The general walk: single-backtrack globbing with `?` and case folding.
fn glob_walk(segs: &[Seg<'_>], text: &str, ignore_case: bool) -> bool {
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

    fn arn(p: &str, a: &str, resource: bool) -> bool {
        let pattern = if resource {
            ArnPattern::resource(p, true)
        } else {
            ArnPattern::condition(p, true)
        };
        pattern
            .unwrap()
            .matches(&ArnParts::split(a), &ConditionKeys::default())
    }

    #[test]
    fn the_last_arn_segment_takes_the_rest_in_both_forms() {
        for resource in [true, false] {
            assert!(arn("*", "arn:aws:s3:::bucket", resource));
            assert!(arn(
                "arn:aws:execute-api:*",
                "arn:aws:execute-api:us-east-1:1:a/b",
                resource
            ));
            assert!(arn(
                "arn:aws:s3:::bucket/*",
                "arn:aws:s3:::bucket/a:b/c",
                resource
            ));
            assert!(arn(
                "arn:aws:execute-api:us-*:*:abc/*",
                "arn:aws:execute-api:us-east-1:123:abc/x",
                resource
            ));
            assert!(!arn("arn:aws:s3:::b", "arn:aws:s3", resource));
            assert!(!arn("arn:aws:s3", "arn:aws:s3:::b", resource));
            assert!(!arn("arn:aws:s3:::b", "arn:aws:s3:::b/c", resource));
        }
    }

    #[test]
    fn a_resource_segment_ending_in_star_spills_over_colons_but_an_arn_condition_does_not() {
        // IAM User Guide, "IAM JSON policy elements: Resource": "If the * wildcard is the last
        // character of a resource ARN segment, it can expand to match beyond the colon
        // boundaries"; "Condition operators": ARN operators check each of the six components
        // separately.
        let p = "arn:aws:execute-api:us-*:abc/*";
        let a = "arn:aws:execute-api:us-east-1:123:abc/x";
        assert!(arn(p, a, true));
        assert!(!arn(p, a, false));
        // A `*` that is not its segment's last character stays inside the segment.
        assert!(!arn(
            "arn:aws:execute-api:us-*-1:abc/*",
            "arn:aws:execute-api:us-east-1:123-1:abc/x",
            true
        ));
        assert!(arn(
            "arn:aws:execute-api:us-*-1:*:abc/*",
            "arn:aws:execute-api:us-east-1:123:abc/x",
            true
        ));
        // The spill still needs what follows to match.
        assert!(!arn(
            "arn:aws:execute-api:*:abc/*",
            "arn:aws:execute-api:us-east-1:123:xyz/x",
            true
        ));
        assert!(arn("arn:aws:s3:*", "arn:aws:s3:::b/k", true));
    }

    #[test]
    fn find_returns_the_leftmost_occurrence() {
        assert_eq!(find("abcabc", "bc"), Some(1));
        assert_eq!(find("abc", ""), Some(0));
        assert_eq!(find("", "a"), None);
        assert_eq!(find("aab", "ab"), Some(1));
        assert_eq!(find("ab", "abc"), None);
        assert_eq!(find("xéy", "y"), Some(3));
        let long = format!("{}needle", "n".repeat(SHORT_TEXT));
        assert_eq!(find(&long, "needle"), Some(SHORT_TEXT));
    }

    #[test]
    fn compiled_shapes_agree_with_the_glob() {
        let keys = ConditionKeys::default();
        let cases = [
            ("abc*", "abcdef"),
            ("abc*", "ab"),
            ("*def", "abcdef"),
            ("*def", "de"),
            ("*cd*", "abcdef"),
            ("*cd*", "abdc"),
            ("exact", "exact"),
            ("exact", "exacT"),
            ("", ""),
            ("*", "anything"),
        ];
        for ignore_case in [false, true] {
            for (p, t) in cases {
                let syntax = Syntax {
                    wildcards: true,
                    variables: false,
                    ignore_case,
                };
                let fast = Pattern::compile(p, syntax).unwrap();
                let general = ignore_case && p == "*cd*";
                assert_eq!(fast.shape == Shape::General, general, "{p}");
                let slow = with_static_segs(&fast.pieces, |segs| glob(segs, t, ignore_case));
                assert_eq!(fast.matches(t, &keys), slow, "{p} {t} {ignore_case}");
            }
        }
        let folded = Pattern::compile(
            "ÉTÉ*",
            Syntax {
                wildcards: true,
                variables: false,
                ignore_case: true,
            },
        )
        .unwrap();
        assert!(folded.matches("été-2024", &keys));
    }
}
