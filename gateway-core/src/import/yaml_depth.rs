//! A cheap scan of a YAML document's flow-collection nesting, run before the YAML parser.
//!
//! The parser (libyaml, through serde_yaml_ng) takes time quadratic in the nesting of flow
//! collections (`[[[[...` or `{a: {a: ...`): 40 KB of brackets took seconds, 200 KB nearly a
//! minute, before its own recursion limit reported anything. Block nesting costs indentation
//! or a `- ` per level and parses in linear time. So the flow depth is measured first, in one
//! pass, and a document nested deeper than [`super::MAX_DEPTH`] is refused before parsing
//! (such a document would be refused after parsing anyway: no definition nests that deep).
//!
//! The scan follows just enough of YAML's syntax to find real flow collections: brackets
//! inside quoted scalars, comments and block scalars (`|`, `>`) are text; in block context a
//! bracket opens a collection only where a node starts (line start, after `- `, `? `, `: `).
//! Where it is unsure it counts less, never more, so a valid document is never refused.

use super::error::ImportError;

/// The first place where flow collections nest deeper than `limit`, as a typed error.
pub(crate) fn check_flow_depth(text: &str, limit: usize) -> Result<(), ImportError> {
    let mut depth = 0usize;
    // Block scalar being skipped: lines indented more than this column belong to it.
    let mut block_scalar_parent: Option<usize> = None;
    // Inside a quoted scalar, which may go on over lines: the quote character.
    let mut quote: Option<u8> = None;
    for (line_index, line) in text.split('\n').enumerate() {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        if let Some(parent) = block_scalar_parent {
            let blank = bytes[indent..].iter().all(|b| b.is_ascii_whitespace());
            if blank || indent > parent {
                continue;
            }
            block_scalar_parent = None;
        }
        // Column of the entry (key, `- ` or `? `) the current node belongs to: a block
        // scalar's lines are those indented more than it.
        let mut entry_col = indent;
        let mut at_node_start = quote.is_none();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if let Some(q) = quote {
                match b {
                    b'\\' if q == b'"' => i += 1,
                    b'\'' if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
                    _ if b == q => quote = None,
                    _ => {}
                }
                i += 1;
                continue;
            }
            let next_is_space = bytes
                .get(i + 1)
                .is_none_or(|n| matches!(n, b' ' | b'\t' | b'\r'));
            match b {
                b' ' | b'\t' | b'\r' => {
                    i += 1;
                    continue;
                }
                b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => break,
                b'"' | b'\'' if at_node_start => quote = Some(b),
                b'[' | b'{' if depth > 0 || at_node_start => {
                    depth += 1;
                    if depth > limit {
                        return Err(ImportError::TooDeep {
                            line: line_index + 1,
                            column: line[..i].chars().count() + 1,
                            limit,
                        });
                    }
                    at_node_start = true;
                    i += 1;
                    continue;
                }
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' if depth > 0 => {
                    at_node_start = true;
                    i += 1;
                    continue;
                }
                b':' if next_is_space || depth > 0 => {
                    at_node_start = true;
                    i += 1;
                    continue;
                }
                b'-' | b'?' if at_node_start && next_is_space => {
                    if depth == 0 {
                        entry_col = i;
                    }
                    i += 1;
                    continue;
                }
                b'|' | b'>' if depth == 0 && at_node_start => {
                    block_scalar_parent = Some(entry_col);
                    break;
                }
                _ => {
                    if at_node_start && depth == 0 {
                        entry_col = i;
                    }
                }
            }
            at_node_start = false;
            i += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(text: &str, limit: usize) -> bool {
        check_flow_depth(text, limit).is_ok()
    }

    #[test]
    fn nested_flow_collections_are_counted() {
        assert!(depth_ok("a: [[[]]]\n", 3));
        assert!(!depth_ok("a: [[[[]]]]\n", 3));
        assert!(!depth_ok("a: {b: {c: {d: [x]}}}\n", 3));
        assert!(!depth_ok("- [\n  [\n   [\n    [1]]]]\n", 3));
        let e = check_flow_depth("x: 1\na: [[[[", 3).unwrap_err();
        assert_eq!(
            e,
            ImportError::TooDeep {
                line: 2,
                column: 7,
                limit: 3
            }
        );
    }

    #[test]
    fn brackets_in_text_are_not_collections() {
        let text = r#"
pattern: ^[[[[a-z]]]]$
quoted: "[[[[ \" [[[["
single: '[[[[ '' [[[['
flow: ["[[[[", '[[[[']
comment: 1 # [[[[
it's: a plain [[[[ scalar
multi: "[[[[
  [[[["
literal: |
  [[[[
  {{{{
folded: >-
  [[[[
- item: |
    [[[[
  next: [[x]]
"#;
        assert!(depth_ok(text, 2), "{:?}", check_flow_depth(text, 2));
    }
}
