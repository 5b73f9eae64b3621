//! Java regular expressions (`String.matches`, `replaceAll`, `replaceFirst`, `split`) on
//! top of `fancy-regex`: the pattern is translated where Java and Rust syntax differ, and
//! replacement strings follow `java.util.regex.Matcher.appendReplacement`.

use std::sync::OnceLock;

use fancy_regex::{Captures, Regex};

use crate::error::EvalError;
use crate::limits::{
    MAX_REGEX_BACKTRACKS, MIN_REGEX_BACKTRACKS, REGEX_BACKTRACKS_PER_STEP, regex_backtrack_limit,
};
use crate::render::Meter;

/// Longest pattern accepted: templates are untrusted, and compiling a huge pattern costs
/// time and memory.
pub(crate) const MAX_PATTERN_LEN: usize = 4096;

/// Most bytes a compiled pattern's automaton may take (fancy-regex hands the size limit to the
/// regex crate, whose default this is, made explicit so that it is ours to name): a short
/// pattern with large counted repetitions (`\\w{1,50}` under Unicode takes about 4 MB) stays
/// within it, an absurd one is refused at compile time instead of taking the memory.
pub(crate) const MAX_REGEX_SIZE: usize = 10 * 1024 * 1024;

/// A compiled Java pattern, `Send + Sync`: a literal pattern is compiled once with its
/// template and shared by every render; any other is compiled for its call.
pub struct Pattern {
    /// The pattern as the template wrote it (for messages).
    pattern: Box<str>,
    /// The translated pattern, anchored for `String.matches`.
    source: String,
    /// Whether it needs backtracking (back-references, look-around): then each search may
    /// take up to its backtrack limit in steps; otherwise it runs in linear time, and the
    /// first regex serves every string.
    backtracks: bool,
    /// Compiled for each backtrack limit [`regex_backtrack_limit`] grants (10^4, 10^5, 10^6),
    /// the first when the pattern is compiled, the others when a long string needs them.
    regexes: [OnceLock<Regex>; 3],
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Pattern").field(&self.pattern).finish()
    }
}

/// One search's view of a [`Pattern`]: the regex for the string's length, and its cost.
struct Search<'a> {
    re: &'a Regex,
    backtracks: bool,
    /// The backtrack limit `re` was compiled with.
    limit: usize,
}

impl Pattern {
    /// Compiles `pattern`; `whole` anchors it at both ends (`String.matches`).
    pub(crate) fn compile(pattern: &str, whole: bool) -> Result<Pattern, EvalError> {
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(EvalError::new(format!(
                "regular expression is {} bytes, more than the limit of {MAX_PATTERN_LEN}",
                pattern.len()
            )));
        }
        let translated = translate(pattern)?;
        let source = if whole {
            format!("\\A(?:{translated})\\z")
        } else {
            translated
        };
        let first = build(pattern, &source, MIN_REGEX_BACKTRACKS)?;
        // fancy-regex hands a pattern the regex crate accepts to it whole (linear time); only
        // the others backtrack.
        let backtracks = regex::Regex::new(&source).is_err();
        let regexes: [OnceLock<Regex>; 3] = Default::default();
        let _ = regexes[0].set(first);
        Ok(Pattern {
            pattern: pattern.into(),
            source,
            backtracks,
            regexes,
        })
    }

    /// Whether the pattern matches `s`, outside a render (integration response selection): the
    /// backtrack limit grows with `s` as in a render, and a search that passes it counts as no
    /// match.
    pub(crate) fn is_match(&self, s: &str) -> bool {
        self.search(s.len())
            .is_ok_and(|search| search.re.is_match(s).unwrap_or(false))
    }

    /// The regex for searching a string of `len` bytes (the backtrack limit grows with it).
    fn search(&self, len: usize) -> Result<Search<'_>, EvalError> {
        let limit = if self.backtracks {
            regex_backtrack_limit(len)
        } else {
            MIN_REGEX_BACKTRACKS
        };
        let i = match limit {
            l if l <= MIN_REGEX_BACKTRACKS => 0,
            l if l < MAX_REGEX_BACKTRACKS => 1,
            _ => 2,
        };
        let re = match self.regexes[i].get() {
            Some(re) => re,
            None => {
                let re = build(&self.pattern, &self.source, limit)?;
                self.regexes[i].get_or_init(|| re)
            }
        };
        Ok(Search {
            re,
            backtracks: self.backtracks,
            limit,
        })
    }
}

/// Builds `source` (translated from `pattern`) with a backtrack limit.
fn build(pattern: &str, source: &str, limit: usize) -> Result<Regex, EvalError> {
    fancy_regex::RegexBuilder::new(source)
        .backtrack_limit(limit)
        .delegate_size_limit(MAX_REGEX_SIZE)
        .build()
        .map_err(|e| EvalError::new(format!("invalid regular expression `{pattern}`: {e}")))
}

impl Search<'_> {
    /// Charges the render for one search over `s`: one step per 16 bytes, and for a pattern
    /// that backtracks, the backtracking it may do ([`REGEX_BACKTRACKS_PER_STEP`] per step),
    /// since fancy-regex does not report what it did.
    fn charge(&self, s: &str, meter: &mut Meter) -> Result<(), EvalError> {
        let mut steps = s.len() as u64 / 16;
        if self.backtracks {
            steps += (self.limit / REGEX_BACKTRACKS_PER_STEP) as u64;
        }
        meter.spend(steps)
    }

    /// The error for a failed search: past the backtrack limit, a limit error naming it.
    fn error(&self, e: fancy_regex::Error) -> EvalError {
        match e {
            fancy_regex::Error::RuntimeError(fancy_regex::RuntimeError::BacktrackLimitExceeded) => {
                EvalError::limit(format!(
                    "regular expression backtracked more than {} times in one search (the \
                     backtrack limit, at most MAX_REGEX_BACKTRACKS = {MAX_REGEX_BACKTRACKS})",
                    self.limit
                ))
            }
            e => regex_err(e),
        }
    }
}

/// Translates Java pattern syntax to fancy-regex syntax: `\Q...\E` quoting, POSIX
/// `\p{Alpha}`-style classes, ASCII-only `\w \d \s` (Java's default), `\Z`, and `$`
/// (which in Java also matches before a final line break).
pub(crate) fn translate(java: &str) -> Result<String, EvalError> {
    let multiline = java.contains("(?m") || java.contains("(?s") && java.contains('m');
    let mut out = String::with_capacity(java.len() + 8);
    let chars: Vec<char> = java.chars().collect();
    let mut i = 0;
    let mut class_depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err(EvalError::new(format!(
                        "invalid regular expression `{java}`: trailing backslash"
                    )));
                };
                i += 2;
                match n {
                    'Q' => {
                        let mut lit = String::new();
                        while i < chars.len() {
                            if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                                i += 2;
                                break;
                            }
                            lit.push(chars[i]);
                            i += 1;
                        }
                        out.push_str(&fancy_regex::escape(&lit));
                    }
                    'p' | 'P' if chars.get(i) == Some(&'{') => {
                        let close = chars[i..].iter().position(|&c| c == '}');
                        let Some(close) = close else {
                            return Err(EvalError::new(format!(
                                "invalid regular expression `{java}`: unclosed \\{n}{{"
                            )));
                        };
                        let name: String = chars[i + 1..i + close].iter().collect();
                        i += close + 1;
                        match posix_class(&name) {
                            Some(set) => {
                                let neg = if n == 'P' { "^" } else { "" };
                                if class_depth > 0 && n == 'p' {
                                    out.push_str(set);
                                } else {
                                    out.push('[');
                                    out.push_str(neg);
                                    out.push_str(set);
                                    out.push(']');
                                }
                            }
                            None => {
                                let name = name
                                    .strip_prefix("Is")
                                    .or_else(|| name.strip_prefix("In"))
                                    .unwrap_or(&name);
                                out.push('\\');
                                out.push(n);
                                out.push('{');
                                out.push_str(name);
                                out.push('}');
                            }
                        }
                    }
                    'w' | 'W' | 'd' | 'D' | 's' | 'S' => {
                        let (name, neg) = match n {
                            'w' => ("word", false),
                            'W' => ("word", true),
                            'd' => ("digit", false),
                            'D' => ("digit", true),
                            's' => ("space", false),
                            _ => ("space", true),
                        };
                        let inner = format!("[:{}{name}:]", if neg { "^" } else { "" });
                        if class_depth > 0 {
                            out.push_str(&inner);
                        } else {
                            out.push('[');
                            out.push_str(&inner);
                            out.push(']');
                        }
                    }
                    'Z' => out.push_str("(?=\\n?\\z)"),
                    'h' => out.push_str(if class_depth > 0 {
                        " \\t\\x{A0}\\x{1680}\\x{180e}\\x{2000}-\\x{200a}\\x{202f}\\x{205f}\\x{3000}"
                    } else {
                        "[ \\t\\x{A0}\\x{1680}\\x{180e}\\x{2000}-\\x{200a}\\x{202f}\\x{205f}\\x{3000}]"
                    }),
                    // Java: a backslash before any character that is not a letter or digit
                    // quotes it (`\<` is a literal `<`, where Rust would read a word start).
                    _ if !n.is_ascii_alphanumeric() => {
                        out.push_str(&fancy_regex::escape(n.encode_utf8(&mut [0; 4])));
                    }
                    'e' => out.push_str("\\x{1B}"),
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                // A `]` or `^]` right after `[` is literal in Java as in Rust.
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '$' if class_depth == 0 && !multiline => out.push_str("(?=\\n?\\z)"),
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// Java's POSIX character classes (US-ASCII), as the inside of a `[...]`.
fn posix_class(name: &str) -> Option<&'static str> {
    Some(match name {
        "Lower" => "a-z",
        "Upper" => "A-Z",
        "ASCII" => "\\x00-\\x7F",
        "Alpha" => "a-zA-Z",
        "Digit" => "0-9",
        "Alnum" => "a-zA-Z0-9",
        "Punct" => "!-/:-@\\[-`{-~",
        "Graph" => "!-~",
        "Print" => " -~",
        "Blank" => " \\t",
        "Cntrl" => "\\x00-\\x1F\\x7F",
        "XDigit" => "0-9a-fA-F",
        "Space" => " \\t\\n\\x0B\\x0C\\r",
        "javaLowerCase" => "\\p{Ll}",
        "javaUpperCase" => "\\p{Lu}",
        "javaWhitespace" => "\\s",
        _ => return None,
    })
}

/// Appends `replacement` for one match as Java's `appendReplacement` does: `$n` and
/// `${name}` insert groups, a backslash quotes the next character.
pub(crate) fn expand(
    caps: &Captures<'_, str>,
    group_count: usize,
    replacement: &str,
    out: &mut String,
) -> Result<(), EvalError> {
    let b: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            '\\' => {
                i += 1;
                match b.get(i) {
                    Some(&c) => out.push(c),
                    None => {
                        return Err(EvalError::new(
                            "character to be escaped is missing at the end of the replacement",
                        ));
                    }
                }
                i += 1;
            }
            '$' => {
                i += 1;
                match b.get(i) {
                    Some('{') => {
                        let close = b[i..].iter().position(|&c| c == '}');
                        let Some(close) = close else {
                            return Err(EvalError::new(
                                "named capturing group is missing trailing '}'",
                            ));
                        };
                        let name: String = b[i + 1..i + close].iter().collect();
                        i += close + 1;
                        match caps.name(&name) {
                            Some(m) => out.push_str(m.as_str()),
                            None => {
                                return Err(EvalError::new(format!(
                                    "no group with name {{{name}}}"
                                )));
                            }
                        }
                    }
                    Some(c) if c.is_ascii_digit() => {
                        let mut n = (*c as u8 - b'0') as usize;
                        if n > group_count {
                            return Err(EvalError::new(format!("No group {n}")));
                        }
                        i += 1;
                        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                            let next = n * 10 + (*d as u8 - b'0') as usize;
                            if next > group_count {
                                break;
                            }
                            n = next;
                            i += 1;
                        }
                        if let Some(m) = caps.get(n) {
                            out.push_str(m.as_str());
                        }
                    }
                    _ => return Err(EvalError::new("Illegal group reference in the replacement")),
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}

fn regex_err(e: fancy_regex::Error) -> EvalError {
    EvalError::new(format!("regular expression failed: {e}"))
}

/// `String.replaceAll` (`first` = false) and `String.replaceFirst` (`first` = true).
pub(crate) fn replace(
    s: &str,
    pattern: &Pattern,
    replacement: &str,
    first: bool,
    meter: &mut Meter,
) -> Result<String, EvalError> {
    let c = pattern.search(s.len())?;
    let re = c.re;
    let groups = re.captures_len().saturating_sub(1);
    c.charge(s, meter)?;
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    if !replacement.contains(['$', '\\']) {
        // A plain replacement: no groups to expand, so no captures to collect.
        for m in re.find_iter(s) {
            let m = m.map_err(|e| c.error(e))?;
            c.charge("", meter)?;
            out.push_str(&s[last..m.start()]);
            out.push_str(replacement);
            last = m.end();
            if out.len() > crate::limits::MAX_VALUE_LEN {
                return Err(EvalError::limit(
                    "replaceAll result exceeds the value size limit",
                ));
            }
            if first {
                break;
            }
        }
        out.push_str(&s[last..]);
        return Ok(out);
    }
    for caps in re.captures_iter(s) {
        let caps = caps.map_err(|e| c.error(e))?;
        c.charge("", meter)?;
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&s[last..m.start()]);
        expand(&caps, groups, replacement, &mut out)?;
        last = m.end();
        if out.len() > crate::limits::MAX_VALUE_LEN {
            return Err(EvalError::limit(
                "replaceAll result exceeds the value size limit",
            ));
        }
        if first {
            break;
        }
    }
    out.push_str(&s[last..]);
    Ok(out)
}

/// `String.matches`: the whole string matches.
pub(crate) fn matches(s: &str, pattern: &Pattern, meter: &mut Meter) -> Result<bool, EvalError> {
    let c = pattern.search(s.len())?;
    c.charge(s, meter)?;
    c.re.is_match(s).map_err(|e| c.error(e))
}

/// `String.split(regex, limit)` with Java's rules: no empty leading piece for a zero-width
/// match at the start; trailing empty pieces dropped when `limit` is 0.
pub(crate) fn split(
    s: &str,
    pattern: &Pattern,
    limit: i64,
    meter: &mut Meter,
) -> Result<Vec<String>, EvalError> {
    let c = pattern.search(s.len())?;
    c.charge(s, meter)?;
    let mut list: Vec<String> = Vec::new();
    let mut index = 0;
    let limited = limit > 0;
    for m in c.re.find_iter(s) {
        let m = m.map_err(|e| c.error(e))?;
        c.charge("", meter)?;
        if !limited || (list.len() as i64) < limit - 1 {
            if index == 0 && m.start() == 0 && m.start() == m.end() {
                continue;
            }
            list.push(s[index..m.start()].to_owned());
            index = m.end();
            if list.len() >= crate::limits::MAX_COLLECTION_LEN {
                return Err(EvalError::limit(format!(
                    "split makes more than {} pieces, the collection size limit",
                    crate::limits::MAX_COLLECTION_LEN
                )));
            }
        } else {
            break;
        }
    }
    if index == 0 && list.is_empty() {
        return Ok(vec![s.to_owned()]);
    }
    list.push(s[index..].to_owned());
    if limit == 0 {
        while list.last().is_some_and(|p| p.is_empty()) {
            list.pop();
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::Pattern;
    use crate::error::EvalError;
    use crate::render::Meter;

    fn matches(s: &str, p: &str) -> Result<bool, EvalError> {
        super::matches(s, &Pattern::compile(p, true)?, &mut Meter::standalone())
    }

    fn replace(s: &str, p: &str, r: &str, first: bool) -> Result<String, EvalError> {
        super::replace(
            s,
            &Pattern::compile(p, false)?,
            r,
            first,
            &mut Meter::standalone(),
        )
    }

    fn split(s: &str, p: &str, limit: i64) -> Result<Vec<String>, EvalError> {
        super::split(
            s,
            &Pattern::compile(p, false)?,
            limit,
            &mut Meter::standalone(),
        )
    }

    #[test]
    fn patterns_are_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Pattern>();
    }

    #[test]
    fn a_backslash_before_punctuation_quotes_it_as_in_java() {
        // java.util.regex.Pattern's javadoc ("Backslashes, escapes, and quoting"): a backslash
        // before a character that is not a letter always quotes it. Rust reads `\<` and `\>`
        // as word boundaries.
        assert!(matches("<b>", "\\<b\\>").unwrap());
        assert!(matches("'", "\\'").unwrap());
        assert!(matches("a-b", "a[\\-]b").unwrap());
        assert!(matches("#@!", "\\#\\@\\!").unwrap());
        assert!(matches("\u{1b}", "\\e").unwrap());
        assert_eq!(replace("x<y>", "\\<|\\>", "", false).unwrap(), "xy");
    }

    #[test]
    fn java_posix_and_ascii_classes_translate() {
        assert!(matches("abc", "\\p{Alpha}+").unwrap());
        assert!(!matches("abç", "\\p{Alpha}+").unwrap());
        assert!(matches("a_1", "[\\w]+").unwrap());
        // Java's \d is ASCII-only by default (java.util.regex.Pattern javadoc).
        assert!(!matches("١", "\\d").unwrap());
        assert!(matches("a.b", "\\Qa.b\\E").unwrap());
        assert!(!matches("axb", "\\Qa.b\\E").unwrap());
    }

    #[test]
    fn replacement_groups_and_escapes_follow_java() {
        assert_eq!(
            replace("2020-01-20", "(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1", false).unwrap(),
            "20/01/2020"
        );
        assert_eq!(replace("a.b", "\\.", "\\$", false).unwrap(), "a$b");
        assert!(replace("ab", "a", "$", false).is_err());
        assert!(replace("ab", "a", "$2", false).is_err());
        assert_eq!(replace("aaa", "a", "b", true).unwrap(), "baa");
        assert_eq!(replace("abc", "x*", "-", false).unwrap(), "-a-b-c-");
    }

    #[test]
    fn split_follows_java_rules() {
        // java.lang.String.split javadoc examples for "boo:and:foo".
        assert_eq!(
            split("boo:and:foo", ":", 2).unwrap(),
            vec!["boo", "and:foo"]
        );
        assert_eq!(
            split("boo:and:foo", ":", 5).unwrap(),
            vec!["boo", "and", "foo"]
        );
        assert_eq!(
            split("boo:and:foo", ":", -2).unwrap(),
            vec!["boo", "and", "foo"]
        );
        assert_eq!(
            split("boo:and:foo", "o", 5).unwrap(),
            vec!["b", "", ":and:f", "", ""]
        );
        assert_eq!(
            split("boo:and:foo", "o", -2).unwrap(),
            vec!["b", "", ":and:f", "", ""]
        );
        assert_eq!(
            split("boo:and:foo", "o", 0).unwrap(),
            vec!["b", "", ":and:f"]
        );
        assert_eq!(split("", ",", 0).unwrap(), vec![""]);
        assert_eq!(split("abc", "", 0).unwrap(), vec!["a", "b", "c"]);
    }

    #[test]
    fn dollar_matches_before_a_final_line_break_as_in_java() {
        assert!(matches("abc\n", "abc$\\n").unwrap() || !matches("abc\n", "abc$").unwrap());
        assert!(replace("abc\n", "c$", "X", false).unwrap() == "abX\n");
    }
}
