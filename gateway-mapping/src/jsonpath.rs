//! JSONPath as API Gateway evaluates it in `$input.json(x)`, `$input.path(x)` and the
//! `integration.response.body.JSONPath` parameter-mapping source.
//!
//! API Gateway documents its JSONPath as Jayway's "JSONPath for Java" (see the `$input`
//! table of the mapping-template reference), so the dialect here follows Jayway:
//!
//! - a path starts with `$`; a path that does not is read as `$.` + path (`id` is `$.id`);
//! - children `.name` and `['name']` / `["name"]`, several names `['a','b']` (a leaf only:
//!   the result is an object of those keys), indexes `[0]`, negative indexes `[-1]`, several
//!   indexes `[0,2]`, slices `[1:3]`, `[:2]`, `[-2:]`, wildcards `.*` / `[*]`, recursive
//!   descent `..name` / `..*` / `..[0]`, and filters `[?(@.price < 10 && @.tag)]`;
//! - a *definite* path (only names and single indexes) yields one value or nothing; any other
//!   path yields a list of every match, in document order, possibly empty.
//!
//! Compile once when the API is loaded, evaluate per request:
//!
//! ```
//! use gateway_mapping::jsonpath::JsonPath;
//! use serde_json::json;
//!
//! let doc = json!({"pets": [{"id": 1, "price": 249.99}, {"id": 2, "price": 0.99}]});
//! let cheap = JsonPath::compile("$.pets[?(@.price < 10)].id")?;
//! assert_eq!(cheap.query(&doc)?, Some(json!([2])));
//! let first = JsonPath::compile("$.pets[0].id")?;
//! assert_eq!(first.query(&doc)?, Some(json!(1)));
//! assert_eq!(JsonPath::compile("$.missing")?.query(&doc)?, None);
//! # Ok::<(), gateway_mapping::jsonpath::JsonPathError>(())
//! ```

use serde_json::Value;

use crate::limits::{MAX_JSONPATH_RESULT_BYTES, MAX_JSONPATH_RESULTS};
use crate::render::Meter;

/// Longest JSONPath accepted, in bytes. Paths are written by API authors and are short; 4 KiB
/// leaves ample room while bounding compile work on untrusted API files.
pub const MAX_PATH_LEN: usize = 4096;

/// Deepest nesting of parentheses and `!` in a filter expression. Bounds the recursive-descent
/// parser's stack on hostile input; real filters nest two or three levels.
pub const MAX_FILTER_DEPTH: usize = 32;

/// Deepest JSON nesting a recursive descent (`..`) walks. serde_json refuses documents nested
/// deeper than 128 when parsing, so a request body can never reach this; the bound protects
/// values built by other means.
pub const MAX_SCAN_DEPTH: usize = 256;

/// A JSONPath that failed to compile: what is wrong and at which byte offset of the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonPathError {
    /// The path is not valid JSONPath.
    #[error("invalid JSONPath {path:?} at offset {offset}: {message}")]
    Syntax {
        /// The path as written.
        path: String,
        /// Byte offset of the problem in the path.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// The path is longer than [`MAX_PATH_LEN`] or nests deeper than [`MAX_FILTER_DEPTH`].
    #[error("JSONPath too complex: {0}")]
    Limit(String),
    /// Evaluating the path went past a named limit: more matches than
    /// [`MAX_JSONPATH_RESULTS`], a result larger than [`MAX_JSONPATH_RESULT_BYTES`], or more
    /// work than the render's step limit leaves ([`crate::limits::MAX_RENDER_STEPS`]).
    #[error("JSONPath {path:?}: {message}")]
    Exceeded {
        /// The path as written.
        path: String,
        /// Which limit, and by what.
        message: String,
    },
}

/// A compiled JSONPath. Two paths are equal when they were written the same way.
#[derive(Debug, Clone)]
pub struct JsonPath {
    source: String,
    segments: Vec<Segment>,
    definite: bool,
}

/// One step of a simple path (see [`JsonPath::simple_steps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    /// `.name` / `['name']`.
    Name(&'a str),
    /// `[i]` (negative counts from the end).
    Index(i64),
}

#[derive(Debug, Clone)]
enum Segment {
    /// `.name`, `['name']`.
    Child(String),
    /// `['a','b']` (leaf only): an object of the keys present.
    Names(Vec<String>),
    /// `[i]`.
    Index(i64),
    /// `[i,j,...]`.
    Indexes(Vec<i64>),
    /// `[from:to]`.
    Slice(Option<i64>, Option<i64>),
    /// `.*`, `[*]`.
    Wildcard,
    /// `[?(...)]`.
    Filter(Expr),
    /// `..` followed by the segment applied at every level.
    Descend(Box<Segment>),
}

#[derive(Debug, Clone)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Operand, CmpOp, Operand),
    Matches(Operand, regex::Regex),
    Exists(Operand),
}

#[derive(Debug, Clone)]
enum Operand {
    /// `@...` (relative) or `$...` (root); the segments are definite.
    Path {
        root: bool,
        segments: Vec<Segment>,
    },
    Literal(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl JsonPath {
    /// Compiles a path; a path without a leading `$` is read as `$.` followed by it.
    pub fn compile(path: &str) -> Result<JsonPath, JsonPathError> {
        if path.len() > MAX_PATH_LEN {
            return Err(JsonPathError::Limit(format!(
                "path is {} bytes, more than the {MAX_PATH_LEN} allowed",
                path.len()
            )));
        }
        let trimmed = path.trim();
        let owned;
        let text = if trimmed.starts_with('$') {
            trimmed
        } else if trimmed.is_empty() {
            return Err(syntax(path, 0, "empty path"));
        } else {
            owned = if trimmed.starts_with('[') {
                format!("${trimmed}")
            } else {
                format!("$.{trimmed}")
            };
            &owned
        };
        let mut parser = Parser {
            src: text,
            original: path,
            pos: 1,
            depth: 0,
        };
        let segments = parser.segments(false)?;
        if parser.pos != text.len() {
            return Err(parser.err("unexpected character"));
        }
        for (i, seg) in segments.iter().enumerate() {
            if matches!(seg, Segment::Names(_)) && i + 1 != segments.len() {
                return Err(syntax(
                    path,
                    0,
                    "several names in brackets can only be used as the last step of a path",
                ));
            }
        }
        let definite = segments
            .iter()
            .all(|s| matches!(s, Segment::Child(_) | Segment::Index(_) | Segment::Names(_)));
        Ok(JsonPath {
            source: path.to_owned(),
            segments,
            definite,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the path can match at most one value (only names and single indexes).
    pub fn is_definite(&self) -> bool {
        self.definite
    }

    /// Every value the path selects, in document order.
    ///
    /// Bounded: at most [`MAX_JSONPATH_RESULTS`] matches after any step, and one unit of
    /// work per node visited (and per node a filter compares), charged to the render's step
    /// budget when a template asks (otherwise at most [`crate::limits::MAX_RENDER_STEPS`]
    /// units); past either, a [`JsonPathError::Exceeded`] naming the limit.
    pub fn select<'a>(&self, root: &'a Value) -> Result<Vec<&'a Value>, JsonPathError> {
        self.select_metered(root, &mut Meter::standalone())
    }

    /// [`JsonPath::select`], charging the work to a render's `meter`.
    pub(crate) fn select_metered<'a>(
        &self,
        root: &'a Value,
        meter: &mut Meter,
    ) -> Result<Vec<&'a Value>, JsonPathError> {
        let mut work = Work {
            done: 0,
            budget: meter.left(),
        };
        let found = self.select_with(root, &mut work);
        // At most the budget just read, so this records the work and cannot fail.
        let charged = meter.spend(work.done.min(work.budget));
        let found = found.map_err(|stop| self.exceeded(stop, meter.max()))?;
        charged.map_err(|e| self.exceeded_message(e.message().to_owned()))?;
        Ok(found)
    }

    fn select_with<'a>(&self, root: &'a Value, work: &mut Work) -> Result<Vec<&'a Value>, Stop> {
        let mut current = vec![root];
        for seg in &self.segments {
            let mut next = Vec::new();
            for node in current {
                apply(seg, node, root, &mut next, 0, work)?;
            }
            current = next;
        }
        Ok(current)
    }

    /// The error for an evaluation stopped at a limit.
    fn exceeded(&self, stop: Stop, max_steps: u64) -> JsonPathError {
        self.exceeded_message(match stop {
            Stop::Results => format!(
                "matches more than {MAX_JSONPATH_RESULTS} values (the limit MAX_JSONPATH_RESULTS)"
            ),
            Stop::Work => format!(
                "evaluating it takes more than the steps left of the render step limit of {} \
                 (MAX_RENDER_STEPS)",
                max_steps
            ),
        })
    }

    fn exceeded_message(&self, message: String) -> JsonPathError {
        JsonPathError::Exceeded {
            path: self.source.clone(),
            message,
        }
    }

    /// Checks that `values` together are at most [`MAX_JSONPATH_RESULT_BYTES`] of compact
    /// JSON before they are copied, charging one step per 16 bytes measured.
    fn check_size<'a>(
        &self,
        values: impl Iterator<Item = &'a Value>,
        meter: &mut Meter,
    ) -> Result<(), JsonPathError> {
        let mut counter = ByteCounter {
            count: 0,
            cap: MAX_JSONPATH_RESULT_BYTES,
        };
        let mut fits = true;
        for v in values {
            if serde_json::to_writer(&mut counter, v).is_err() {
                fits = false;
                break;
            }
        }
        meter
            .spend(counter.count as u64 / 16)
            .map_err(|e| self.exceeded_message(e.message().to_owned()))?;
        if !fits {
            return Err(self.exceeded_message(format!(
                "the result is larger than {MAX_JSONPATH_RESULT_BYTES} bytes of JSON (the limit \
                 MAX_JSONPATH_RESULT_BYTES)"
            )));
        }
        Ok(())
    }

    /// The steps of a path made only of single names and single indexes (`$.a[0].b`), for
    /// hosts that walk their own trees; `None` for any other path.
    pub(crate) fn simple_steps(&self) -> Option<Vec<Step<'_>>> {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Child(n) => Some(Step::Name(n)),
                Segment::Index(i) => Some(Step::Index(*i)),
                _ => None,
            })
            .collect()
    }

    /// As [`JsonPath::query`], borrowing from `root` when the result is one value of the
    /// document (a definite path of names and indexes), so large results are not copied.
    /// Bounded as [`JsonPath::select`] and [`JsonPath::query`].
    pub fn query_ref<'a>(
        &self,
        root: &'a Value,
    ) -> Result<Option<std::borrow::Cow<'a, Value>>, JsonPathError> {
        self.query_ref_metered(root, &mut Meter::standalone())
    }

    /// [`JsonPath::query_ref`], charging the work to a render's `meter`.
    pub(crate) fn query_ref_metered<'a>(
        &self,
        root: &'a Value,
        meter: &mut Meter,
    ) -> Result<Option<std::borrow::Cow<'a, Value>>, JsonPathError> {
        // Names and single indexes (`$.a[0].b`, the common case): walk without collecting.
        if self
            .segments
            .iter()
            .all(|s| matches!(s, Segment::Child(_) | Segment::Index(_)))
        {
            let mut node = root;
            for seg in &self.segments {
                let next = match seg {
                    Segment::Child(name) => node
                        .as_object()
                        .and_then(|o| crate::json_view::object_get(o, name)),
                    Segment::Index(i) => node
                        .as_array()
                        .and_then(|a| index_of(a.len(), *i).and_then(|i| a.get(i))),
                    _ => None,
                };
                match next {
                    Some(n) => node = n,
                    None => return Ok(None),
                }
            }
            return Ok(Some(std::borrow::Cow::Borrowed(node)));
        }
        if self.definite && !matches!(self.segments.last(), Some(Segment::Names(_))) {
            return Ok(self
                .select_metered(root, meter)?
                .into_iter()
                .next()
                .map(std::borrow::Cow::Borrowed));
        }
        Ok(self
            .query_metered(root, meter)?
            .map(std::borrow::Cow::Owned))
    }

    /// The result as API Gateway hands it to a template: for a definite path the value, or
    /// `None` when it does not exist; otherwise an array of every match (possibly empty).
    ///
    /// Bounded as [`JsonPath::select`]; the matches are copied only when together they are at
    /// most [`MAX_JSONPATH_RESULT_BYTES`] of JSON.
    pub fn query(&self, root: &Value) -> Result<Option<Value>, JsonPathError> {
        self.query_metered(root, &mut Meter::standalone())
    }

    /// [`JsonPath::query`], charging the work to a render's `meter`.
    pub(crate) fn query_metered(
        &self,
        root: &Value,
        meter: &mut Meter,
    ) -> Result<Option<Value>, JsonPathError> {
        if let Some(Segment::Names(names)) = self.segments.last() {
            let parents = JsonPath {
                source: self.source.clone(),
                segments: self.segments[..self.segments.len() - 1].to_vec(),
                definite: self.definite,
            };
            let parents: Vec<&serde_json::Map<String, Value>> = parents
                .select_metered(root, meter)?
                .into_iter()
                .filter_map(Value::as_object)
                .collect();
            self.check_size(
                parents
                    .iter()
                    .flat_map(|o| names.iter().filter_map(|n| o.get(n))),
                meter,
            )?;
            let objects: Vec<Value> = parents
                .into_iter()
                .map(|o| {
                    Value::Object(
                        names
                            .iter()
                            .filter_map(|n| o.get(n).map(|v| (n.clone(), v.clone())))
                            .collect(),
                    )
                })
                .collect();
            return Ok(if self.definite {
                objects.into_iter().next()
            } else {
                Some(Value::Array(objects))
            });
        }
        let found = self.select_metered(root, meter)?;
        if self.definite {
            // One value of the document: no larger than the document.
            return Ok(found.into_iter().next().cloned());
        }
        self.check_size(found.iter().copied(), meter)?;
        Ok(Some(Value::Array(found.into_iter().cloned().collect())))
    }
}

impl PartialEq for JsonPath {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

fn syntax(path: &str, offset: usize, message: &str) -> JsonPathError {
    JsonPathError::Syntax {
        path: path.to_owned(),
        offset,
        message: message.to_owned(),
    }
}

fn index_of(len: usize, i: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let idx = if i < 0 { len + i } else { i };
    if (0..len).contains(&idx) {
        usize::try_from(idx).ok()
    } else {
        None
    }
}

/// The work of one evaluation: nodes visited and compared, against a budget.
struct Work {
    done: u64,
    budget: u64,
}

impl Work {
    /// Counts `n` units of work; `Stop::Work` past the budget.
    #[inline]
    fn add(&mut self, n: u64) -> Result<(), Stop> {
        self.done = self.done.saturating_add(n);
        if self.done > self.budget {
            return Err(Stop::Work);
        }
        Ok(())
    }
}

/// Why an evaluation stopped early.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// More than [`MAX_JSONPATH_RESULTS`] matches.
    Results,
    /// More work than the budget.
    Work,
}

/// Counts the bytes written to it, failing once past `cap`.
struct ByteCounter {
    count: usize,
    cap: usize,
}

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.count = self.count.saturating_add(buf.len());
        if self.count > self.cap {
            return Err(std::io::Error::other("past the size limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Adds a match, at most [`MAX_JSONPATH_RESULTS`].
#[inline]
fn push<'a>(out: &mut Vec<&'a Value>, v: &'a Value) -> Result<(), Stop> {
    if out.len() >= MAX_JSONPATH_RESULTS {
        return Err(Stop::Results);
    }
    out.push(v);
    Ok(())
}

fn apply<'a>(
    seg: &Segment,
    node: &'a Value,
    root: &'a Value,
    out: &mut Vec<&'a Value>,
    depth: usize,
    work: &mut Work,
) -> Result<(), Stop> {
    work.add(1)?;
    match seg {
        Segment::Child(name) => {
            if let Some(v) = node
                .as_object()
                .and_then(|o| crate::json_view::object_get(o, name))
            {
                push(out, v)?;
            }
        }
        // Handled by `query`; `select` treats it as each name in turn.
        Segment::Names(names) => {
            if let Some(o) = node.as_object() {
                for v in names.iter().filter_map(|n| o.get(n)) {
                    push(out, v)?;
                }
            }
        }
        Segment::Index(i) => {
            if let Some(v) = node
                .as_array()
                .and_then(|a| index_of(a.len(), *i).and_then(|i| a.get(i)))
            {
                push(out, v)?;
            }
        }
        Segment::Indexes(list) => {
            if let Some(a) = node.as_array() {
                work.add(list.len() as u64)?;
                for v in list
                    .iter()
                    .filter_map(|i| index_of(a.len(), *i).and_then(|i| a.get(i)))
                {
                    push(out, v)?;
                }
            }
        }
        Segment::Slice(from, to) => {
            if let Some(a) = node.as_array() {
                let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
                let norm = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                let start = from.map_or(0, norm);
                let end = to.map_or(len, norm);
                let (start, end) = (
                    usize::try_from(start).unwrap_or(0),
                    usize::try_from(end).unwrap_or(0),
                );
                if start < end {
                    work.add((end - start) as u64)?;
                    for v in &a[start..end] {
                        push(out, v)?;
                    }
                }
            }
        }
        Segment::Wildcard => match node {
            Value::Object(o) => {
                work.add(o.len() as u64)?;
                for v in o.values() {
                    push(out, v)?;
                }
            }
            Value::Array(a) => {
                work.add(a.len() as u64)?;
                for v in a {
                    push(out, v)?;
                }
            }
            _ => {}
        },
        Segment::Filter(expr) => match node {
            // Jayway applies a filter to each element of an array, and to an object itself.
            Value::Array(a) => {
                for v in a {
                    work.add(1)?;
                    if eval(expr, v, root, work)? {
                        push(out, v)?;
                    }
                }
            }
            Value::Object(_) if eval(expr, node, root, work)? => push(out, node)?,
            _ => {}
        },
        Segment::Descend(inner) => {
            if depth > MAX_SCAN_DEPTH {
                return Ok(());
            }
            // Jayway's deep scan: the step at this node first, then every child in order.
            apply(inner, node, root, out, depth, work)?;
            match node {
                Value::Object(o) => {
                    for v in o.values() {
                        apply(seg, v, root, out, depth + 1, work)?;
                    }
                }
                Value::Array(a) => {
                    for v in a {
                        apply(seg, v, root, out, depth + 1, work)?;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn resolve<'a>(
    op: &'a Operand,
    current: &'a Value,
    root: &'a Value,
    work: &mut Work,
) -> Result<Option<&'a Value>, Stop> {
    match op {
        Operand::Literal(v) => Ok(Some(v)),
        Operand::Path { root: r, segments } => {
            let mut node = if *r { root } else { current };
            for seg in segments {
                let mut out = Vec::with_capacity(1);
                apply(seg, node, root, &mut out, 0, work)?;
                match out.into_iter().next() {
                    Some(n) => node = n,
                    None => return Ok(None),
                }
            }
            Ok(Some(node))
        }
    }
}

fn eval(expr: &Expr, current: &Value, root: &Value, work: &mut Work) -> Result<bool, Stop> {
    Ok(match expr {
        Expr::Or(a, b) => eval(a, current, root, work)? || eval(b, current, root, work)?,
        Expr::And(a, b) => eval(a, current, root, work)? && eval(b, current, root, work)?,
        Expr::Not(e) => !eval(e, current, root, work)?,
        Expr::Exists(op) => resolve(op, current, root, work)?.is_some(),
        Expr::Matches(op, re) => match resolve(op, current, root, work)?.and_then(Value::as_str) {
            Some(s) => {
                // The regex crate matches in time linear in the string.
                work.add(s.len() as u64 / 64)?;
                re.is_match(s)
            }
            None => false,
        },
        Expr::Compare(l, op, r) => {
            let (Some(a), Some(b)) = (
                resolve(l, current, root, work)?,
                resolve(r, current, root, work)?,
            ) else {
                return Ok(false);
            };
            compare(a, *op, b, work)?
        }
    })
}

/// `a == b` for JSON values, counting each node compared as work (a filter such as
/// `[?(@ == $)]` compares whole subtrees).
fn json_eq(a: &Value, b: &Value, work: &mut Work) -> Result<bool, Stop> {
    work.add(1)?;
    Ok(match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (p, q) in x.iter().zip(y) {
                if !json_eq(p, q, work)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if json_eq(v, w, work)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        _ => a == b,
    })
}

fn compare(a: &Value, op: CmpOp, b: &Value, work: &mut Work) -> Result<bool, Stop> {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(x, y)| x.partial_cmp(&y)),
        (Value::String(x), Value::String(y)) => {
            work.add((x.len().min(y.len()) / 64) as u64)?;
            Some(x.cmp(y))
        }
        _ => {
            return Ok(match op {
                CmpOp::Eq => json_eq(a, b, work)?,
                CmpOp::Ne => !json_eq(a, b, work)?,
                _ => false,
            });
        }
    };
    let Some(ord) = ord else { return Ok(false) };
    Ok(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

struct Parser<'s> {
    src: &'s str,
    original: &'s str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> JsonPathError {
        // Report offsets in the text as parsed (which may carry a `$.` prefix we added).
        syntax(self.original, self.pos, message)
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Steps until the end of the path (or, in a filter, the first character that cannot
    /// continue a path).
    fn segments(&mut self, in_filter: bool) -> Result<Vec<Segment>, JsonPathError> {
        let mut out = Vec::new();
        loop {
            if self.eat("..") {
                let step = if self.peek() == Some('[') {
                    self.bracket()?
                } else if self.eat("*") {
                    Segment::Wildcard
                } else {
                    Segment::Child(self.name()?)
                };
                if matches!(step, Segment::Names(_)) {
                    return Err(self.err("several names cannot follow '..'"));
                }
                out.push(Segment::Descend(Box::new(step)));
            } else if self.eat(".") {
                if self.eat("*") {
                    out.push(Segment::Wildcard);
                } else if self.peek() == Some('[') {
                    // Jayway accepts `$.['a']` as `$['a']`.
                    out.push(self.bracket()?);
                } else {
                    let name = self.name()?;
                    if self.peek() == Some('(') {
                        return Err(self.err("JSONPath functions are not supported"));
                    }
                    out.push(Segment::Child(name));
                }
            } else if self.peek() == Some('[') {
                out.push(self.bracket()?);
            } else if self.pos == self.src.len() || in_filter {
                return Ok(out);
            } else {
                return Err(self.err("expected '.', '..' or '['"));
            }
        }
    }

    fn name(&mut self) -> Result<String, JsonPathError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '.'
                || c == '['
                || c == '('
                || c == ')'
                || c.is_whitespace()
                || "<>=!&|,".contains(c)
            {
                break;
            }
            self.pos += c.len_utf8();
        }
        if start == self.pos {
            return Err(self.err("expected a property name"));
        }
        Ok(self.src[start..self.pos].to_owned())
    }

    fn bracket(&mut self) -> Result<Segment, JsonPathError> {
        self.pos += 1; // '['
        self.skip_ws();
        let seg = match self.peek() {
            Some('*') => {
                self.pos += 1;
                Segment::Wildcard
            }
            Some('?') => {
                self.pos += 1;
                self.skip_ws();
                if !self.eat("(") {
                    return Err(self.err("expected '(' after '?'"));
                }
                let expr = self.or_expr()?;
                self.skip_ws();
                if !self.eat(")") {
                    return Err(self.err("expected ')' to close the filter"));
                }
                Segment::Filter(expr)
            }
            Some('\'') | Some('"') => {
                let mut names = vec![self.quoted()?];
                loop {
                    self.skip_ws();
                    if !self.eat(",") {
                        break;
                    }
                    self.skip_ws();
                    names.push(self.quoted()?);
                }
                if names.len() == 1 {
                    Segment::Child(names.remove(0))
                } else {
                    Segment::Names(names)
                }
            }
            _ => self.indexes()?,
        };
        self.skip_ws();
        if !self.eat("]") {
            return Err(self.err("expected ']'"));
        }
        Ok(seg)
    }

    fn quoted(&mut self) -> Result<String, JsonPathError> {
        let Some(q) = self.peek().filter(|c| *c == '\'' || *c == '"') else {
            return Err(self.err("expected a quoted name"));
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated quoted name")),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(self.err("unterminated quoted name")),
                        Some(c) => {
                            out.push(c);
                            self.pos += c.len_utf8();
                        }
                    }
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn int(&mut self) -> Result<Option<i64>, JsonPathError> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let text = &self.src[start..self.pos];
        if text.is_empty() {
            return Ok(None);
        }
        let n = text
            .parse::<i64>()
            .map_err(|_| self.err("expected an integer index"))?;
        self.skip_ws();
        Ok(Some(n))
    }

    fn indexes(&mut self) -> Result<Segment, JsonPathError> {
        let first = self.int()?;
        if self.eat(":") {
            let to = self.int()?;
            if self.peek() == Some(':') {
                return Err(self.err("slice steps are not supported"));
            }
            return Ok(Segment::Slice(first, to));
        }
        let Some(first) = first else {
            return Err(self.err("expected an index, a slice, '*', a quoted name or a filter"));
        };
        let mut list = vec![first];
        while self.eat(",") {
            match self.int()? {
                Some(n) => list.push(n),
                None => return Err(self.err("expected an integer index after ','")),
            }
        }
        Ok(if list.len() == 1 {
            Segment::Index(first)
        } else {
            Segment::Indexes(list)
        })
    }

    fn enter(&mut self) -> Result<(), JsonPathError> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(JsonPathError::Limit(format!(
                "filter nests deeper than {MAX_FILTER_DEPTH}"
            )));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Expr, JsonPathError> {
        self.enter()?;
        let mut left = self.and_expr()?;
        loop {
            self.skip_ws();
            if self.eat("||") {
                let right = self.and_expr()?;
                left = Expr::Or(Box::new(left), Box::new(right));
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, JsonPathError> {
        let mut left = self.unary()?;
        loop {
            self.skip_ws();
            if self.eat("&&") {
                let right = self.unary()?;
                left = Expr::And(Box::new(left), Box::new(right));
            } else {
                break;
            }
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, JsonPathError> {
        self.skip_ws();
        if self.rest().starts_with('!') && !self.rest().starts_with("!=") {
            self.pos += 1;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.eat("(") {
            let inner = self.or_expr()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.err("expected ')'"));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        self.skip_ws();
        let op = if self.eat("==") {
            CmpOp::Eq
        } else if self.eat("!=") {
            CmpOp::Ne
        } else if self.eat("<=") {
            CmpOp::Le
        } else if self.eat(">=") {
            CmpOp::Ge
        } else if self.eat("<") {
            CmpOp::Lt
        } else if self.eat(">") {
            CmpOp::Gt
        } else if self.eat("=~") {
            self.skip_ws();
            let re = self.regex()?;
            return Ok(Expr::Matches(left, re));
        } else {
            return match left {
                Operand::Path { .. } => Ok(Expr::Exists(left)),
                Operand::Literal(_) => Err(self.err("a literal alone is not a condition")),
            };
        };
        let right = self.operand()?;
        Ok(Expr::Compare(left, op, right))
    }

    fn regex(&mut self) -> Result<regex::Regex, JsonPathError> {
        if !self.eat("/") {
            return Err(self.err("expected a /regex/ after '=~'"));
        }
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated regex")),
                Some('\\') if !escaped => escaped = true,
                Some('/') if !escaped => break,
                Some(_) => escaped = false,
            }
            self.pos += self.peek().map_or(1, char::len_utf8);
        }
        let pattern = &self.src[start..self.pos];
        self.pos += 1;
        let case_insensitive = self.eat("i");
        regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .case_insensitive(case_insensitive)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| self.err(&format!("bad regex: {e}")))
    }

    fn operand(&mut self) -> Result<Operand, JsonPathError> {
        self.skip_ws();
        match self.peek() {
            Some('@') | Some('$') => {
                let root = self.peek() == Some('$');
                self.pos += 1;
                let segments = self.segments(true)?;
                if !segments
                    .iter()
                    .all(|s| matches!(s, Segment::Child(_) | Segment::Index(_)))
                {
                    return Err(self.err("paths inside a filter must name single values"));
                }
                Ok(Operand::Path { root, segments })
            }
            Some('\'') | Some('"') => Ok(Operand::Literal(Value::String(self.quoted()?))),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.pos;
                self.pos += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || ".eE+-".contains(c))
                {
                    self.pos += 1;
                }
                let text = &self.src[start..self.pos];
                serde_json::from_str::<serde_json::Number>(text)
                    .map(|n| Operand::Literal(Value::Number(n)))
                    .map_err(|_| self.err("bad number"))
            }
            _ => {
                for (word, v) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.eat(word) {
                        return Ok(Operand::Literal(v));
                    }
                }
                Err(self.err("expected '@', '$', a string, a number, true, false or null"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // The bookstore document of Goessner's article, which AWS's `$input` table links to, and
    // whose expected results Jayway's README lists for each path used below.
    fn store() -> Value {
        json!({"store": {
            "book": [
                {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
                {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
                {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
                {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        }, "expensive": 10})
    }

    fn q(path: &str) -> Option<Value> {
        JsonPath::compile(path).unwrap().query(&store()).unwrap()
    }

    #[test]
    fn root_returns_whole_document() {
        assert_eq!(q("$"), Some(store()));
    }

    #[test]
    fn dot_and_bracket_children_are_the_same() {
        assert_eq!(q("$.store.bicycle.color"), Some(json!("red")));
        assert_eq!(q("$['store']['bicycle']['color']"), Some(json!("red")));
        assert_eq!(q("$[\"store\"].bicycle[\"color\"]"), Some(json!("red")));
    }

    #[test]
    fn path_without_dollar_is_relative_to_root() {
        // localstack tests/aws/services/apigateway/test_apigateway_basic.py uses
        // `$input.path('id')` against real API Gateway (Jayway prefixes `$.`).
        assert_eq!(q("expensive"), Some(json!(10)));
        assert_eq!(q("store.bicycle.price"), Some(json!(19.95)));
    }

    #[test]
    fn quoted_names_may_hold_dots_and_spaces() {
        let doc = json!({"a.b": {"c d": 1}});
        let p = JsonPath::compile("$['a.b']['c d']").unwrap();
        assert_eq!(p.query(&doc).unwrap(), Some(json!(1)));
    }

    #[test]
    fn indexes_count_from_either_end() {
        assert_eq!(q("$.store.book[0].author"), Some(json!("Nigel Rees")));
        assert_eq!(
            q("$.store.book[-1].author"),
            Some(json!("J. R. R. Tolkien"))
        );
        assert_eq!(q("$.store.book[9].author"), None);
    }

    #[test]
    fn several_indexes_and_slices_yield_lists() {
        assert_eq!(q("$.store.book[0,2].price"), Some(json!([8.95, 8.99])));
        assert_eq!(q("$.store.book[1:3].price"), Some(json!([12.99, 8.99])));
        assert_eq!(q("$.store.book[:2].price"), Some(json!([8.95, 12.99])));
        assert_eq!(q("$.store.book[-2:].price"), Some(json!([8.99, 22.99])));
        assert_eq!(q("$.store.book[2:].price"), Some(json!([8.99, 22.99])));
        assert_eq!(q("$.store.book[3:1].price"), Some(json!([])));
    }

    #[test]
    fn wildcards_select_every_child() {
        assert_eq!(
            q("$.store.book[*].author"),
            Some(json!([
                "Nigel Rees",
                "Evelyn Waugh",
                "Herman Melville",
                "J. R. R. Tolkien"
            ]))
        );
        assert_eq!(q("$.store.bicycle.*"), Some(json!(["red", 19.95])));
    }

    #[test]
    fn recursive_descent_visits_in_document_order() {
        assert_eq!(
            q("$..author"),
            Some(json!([
                "Nigel Rees",
                "Evelyn Waugh",
                "Herman Melville",
                "J. R. R. Tolkien"
            ]))
        );
        // Jayway's scan takes the step at a node before descending into its children, in
        // document order: "book" precedes "bicycle", so the bicycle's price comes last.
        assert_eq!(
            q("$.store..price"),
            Some(json!([8.95, 12.99, 8.99, 22.99, 19.95]))
        );
        assert_eq!(q("$..expensive"), Some(json!([10])));
        assert_eq!(q("$..book[2].title"), Some(json!(["Moby Dick"])));
        assert_eq!(q("$..book.length"), Some(json!([])));
    }

    #[test]
    fn filters_compare_and_test_existence() {
        assert_eq!(
            q("$..book[?(@.isbn)].title"),
            Some(json!(["Moby Dick", "The Lord of the Rings"]))
        );
        assert_eq!(
            q("$.store.book[?(@.price < 10)].title"),
            Some(json!(["Sayings of the Century", "Moby Dick"]))
        );
        assert_eq!(
            q("$.store.book[?(@.price <= $['expensive'])].price"),
            Some(json!([8.95, 8.99]))
        );
        assert_eq!(
            q("$.store.book[?(@.category == 'fiction' && @.price > 20)].author"),
            Some(json!(["J. R. R. Tolkien"]))
        );
        assert_eq!(
            q("$.store.book[?(@.author =~ /.*REES/i)].price"),
            Some(json!([8.95]))
        );
        assert_eq!(
            q("$.store.book[?(!(@.isbn) || @.price > 20)].price"),
            Some(json!([8.95, 12.99, 22.99]))
        );
    }

    #[test]
    fn several_names_make_an_object_of_those_keys() {
        assert_eq!(
            q("$.store.bicycle['color','price']"),
            Some(json!({"color": "red", "price": 19.95}))
        );
        assert_eq!(
            q("$.store.book[*]['author','missing']"),
            Some(
                json!([{"author": "Nigel Rees"}, {"author": "Evelyn Waugh"}, {"author": "Herman Melville"}, {"author": "J. R. R. Tolkien"}])
            )
        );
    }

    #[test]
    fn missing_definite_path_is_none_and_indefinite_is_empty_list() {
        assert_eq!(q("$.nope"), None);
        assert_eq!(q("$.store.nope.deeper"), None);
        assert_eq!(q("$..nope"), Some(json!([])));
    }

    #[test]
    fn definiteness_follows_the_steps() {
        assert!(JsonPath::compile("$.a[0]['b']").unwrap().is_definite());
        for p in ["$.a[*]", "$..a", "$.a[0:1]", "$.a[0,1]", "$.a[?(@.b)]"] {
            assert!(!JsonPath::compile(p).unwrap().is_definite(), "{p}");
        }
    }

    #[test]
    fn bad_paths_are_load_time_errors_with_offsets() {
        for (p, needle) in [
            ("$.", "expected a property name"),
            ("$[", "expected an index"),
            ("$['a'", "expected ']'"),
            ("$['a", "unterminated"),
            ("$[?(@.a <)]", "expected '@'"),
            ("$.a.length()", "functions are not supported"),
            ("$['a','b'].c", "last step"),
            ("$[::2]", "slice steps"),
            ("", "empty path"),
            ("$ x", "expected '.'"),
        ] {
            let err = JsonPath::compile(p).unwrap_err().to_string();
            assert!(err.contains(needle), "{p}: {err}");
        }
    }

    #[test]
    fn limits_refuse_huge_or_deep_paths() {
        let long = format!("$.{}", "a".repeat(MAX_PATH_LEN));
        assert!(matches!(
            JsonPath::compile(&long),
            Err(JsonPathError::Limit(_))
        ));
        let deep = format!("$[?({}@.a{})]", "(".repeat(100), ")".repeat(100));
        assert!(matches!(
            JsonPath::compile(&deep),
            Err(JsonPathError::Limit(_))
        ));
        let nots = format!("$[?({}@.a)]", "!".repeat(100));
        assert!(matches!(
            JsonPath::compile(&nots),
            Err(JsonPathError::Limit(_))
        ));
    }

    #[test]
    fn nested_descents_stop_at_the_match_limit() {
        // A chain of 120 objects: `$..*` gives the 120 nodes below the root, and `..*` on
        // the one at level k its 120 - k descendants, 7,140 in all. 200 chains side by side
        // give 1.4 million, past the match limit.
        let mut doc = json!(1);
        for _ in 0..120 {
            doc = json!({ "d": doc });
        }
        let p = JsonPath::compile("$..*..*").unwrap();
        let all = p.select(&doc).unwrap();
        assert_eq!(all.len(), 120 * 119 / 2);
        let wide = json!(vec![doc.clone(); 200]);
        let err = p.select(&wide).unwrap_err().to_string();
        assert!(err.contains("MAX_JSONPATH_RESULTS"), "{err}");
    }
}
