//! `$input`: the method request (or integration response) as a mapping template sees it.
//!
//! [`RequestView`] holds the body and the path, query-string and header parameters; the
//! functions here compute what `$input.body`, `$input.json(x)`, `$input.path(x)` and
//! `$input.params(...)` return, following AWS's mapping-template reference (`$input`
//! Variables) and outputs recorded on real API Gateway (cited in the tests).
//!
//! ```
//! use gateway_mapping::input::RequestView;
//!
//! let mut req = RequestView::new(r#"{"pets": [{"id": 1}, {"id": 2}]}"#);
//! req.add_path("petId", "42");
//! req.add_header("X-Trace", "abc");
//! assert_eq!(req.json("$.pets[0]").unwrap(), r#"{"id":1}"#);
//! assert_eq!(req.param("petId"), Some("42"));
//! assert_eq!(req.param("x-trace"), Some("abc"));
//! ```

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::error::EvalError;
use crate::java::methods;
use crate::json_view;
use crate::jsonpath::{JsonPath, JsonPathError, Step};
use crate::limits::{MAX_OUTPUT_BYTES, PARSE_BYTES_PER_STEP};
use crate::render::{Literal, Meter};
use crate::value::{Cx, HostObject, Value};

/// A request body or parameter the `$input` functions could not use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The JSONPath given to `$input.json` / `$input.path` does not compile.
    #[error(transparent)]
    Path(#[from] JsonPathError),
    /// `$input.json` / `$input.path` needs a JSON body and the body is not JSON.
    #[error("$input: the body is not valid JSON: {0}")]
    BodyNotJson(String),
}

/// The request data behind `$input`: the body and the method request parameters.
///
/// Query-string and header parameters keep every value in arrival order; the single-value
/// views (`$input.params().querystring`, `.header`, `$input.params(name)`) show the last one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestView {
    /// The raw payload as text.
    pub body: String,
    /// Path parameters: `(name, value)` pairs in the order set ([`RequestView::add_path`]);
    /// a name set again has a later pair, whose value wins. A flat list, as the query
    /// string and headers are: copying a map would allocate its index too.
    pub path: Vec<(String, String)>,
    /// Query-string parameters: one `(name, value)` pair per value, in arrival order (a
    /// name given twice has two pairs). A flat list, not a map: a request has a handful of
    /// parameters, so scanning finds one faster than hashing, and copying the view (once
    /// per request) allocates one vector instead of one per name.
    pub querystring: Vec<(String, String)>,
    /// Headers: one `(name as received, value)` pair per value, in arrival order; names
    /// are matched case-insensitively, and the single-value view shows a header under the
    /// spelling it first arrived with.
    pub header: Vec<(String, String)>,
}

impl RequestView {
    /// A view with this body and no parameters.
    pub fn new(body: impl Into<String>) -> RequestView {
        RequestView {
            body: body.into(),
            ..RequestView::default()
        }
    }

    /// Sets a path parameter (its value replaces an earlier value of the same name). In
    /// constant time: many parameters build in linear time.
    pub fn add_path(&mut self, name: &str, value: &str) {
        self.path.push((name.to_owned(), value.to_owned()));
    }

    /// A path parameter's (last set) value.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.path
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Each path parameter's last value, in the order the names were first set.
    pub fn path_single(&self) -> impl Iterator<Item = (&str, &str)> {
        last_values(&self.path, false).into_iter()
    }

    /// Adds one query-string value.
    pub fn add_query(&mut self, name: &str, value: &str) {
        self.querystring.push((name.to_owned(), value.to_owned()));
    }

    /// Adds one header value (a header already present under another case is extended:
    /// lookups ignore case, and [`RequestView::header_single`] shows it under the name as
    /// first received). In constant time: many headers build in linear time.
    pub fn add_header(&mut self, name: &str, value: &str) {
        self.header.push((name.to_owned(), value.to_owned()));
    }

    /// `$input.body`: the payload as text; an empty payload reads as `{}`.
    ///
    /// Recorded on real API Gateway: a request with no body rendered `$input.body` as `{}`.
    pub fn body(&self) -> &str {
        if self.body.is_empty() {
            "{}"
        } else {
            &self.body
        }
    }

    /// The body parsed as JSON (an empty body is `{}`).
    pub fn body_json(&self) -> Result<Json, InputError> {
        serde_json::from_str(self.body()).map_err(|e| InputError::BodyNotJson(e.to_string()))
    }

    /// `$input.json(path)`: the JSONPath's result as compact JSON; a definite path that
    /// selects nothing gives `""` (an empty JSON string).
    pub fn json(&self, path: &str) -> Result<String, InputError> {
        let path = JsonPath::compile(path)?;
        let mut out = String::new();
        json_of(
            &path,
            &self.body_json()?,
            &mut out,
            &mut Meter::standalone(),
        )?;
        Ok(out)
    }

    /// `$input.path(path)`: the JSONPath's result as a JSON value, `None` when nothing is
    /// selected by a definite path (the template sees null).
    pub fn path_value(&self, path: &str) -> Result<Option<Json>, InputError> {
        let path = JsonPath::compile(path)?;
        Ok(path.query(&self.body_json()?)?)
    }

    /// `$input.params(name)`: the parameter from the path, then the query string, then the
    /// headers (case-insensitively), as AWS's reference orders the search.
    pub fn param(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.path_param(name) {
            return Some(v);
        }
        if let Some(v) = self.query(name) {
            return Some(v);
        }
        self.header(name)
    }

    /// One query-string parameter's last value.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.querystring
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a query-string parameter, in order.
    pub fn query_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> {
        self.querystring
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// One header's last value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order, by case-insensitive name.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> {
        self.header
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `$input.params().querystring`: each query-string parameter's last value, in the
    /// order the names first arrived.
    pub fn querystring_single(&self) -> impl Iterator<Item = (&str, &str)> {
        last_values(&self.querystring, false).into_iter()
    }

    /// `$input.params().header`: each header's last value, in the order the names first
    /// arrived.
    pub fn header_single(&self) -> impl Iterator<Item = (&str, &str)> {
        last_values(&self.header, true).into_iter()
    }
}

/// Each name's last value, in the order the names first arrived, under the first pair's
/// spelling of the name (names compared ASCII-case-insensitively when `ignore_case`).
/// Scans for a few names; past [`SCAN_PAIRS`] distinct names, finds them through a map (by
/// lowercased name when `ignore_case`) so that many parameters stay linear.
fn last_values(pairs: &[(String, String)], ignore_case: bool) -> Vec<(&str, &str)> {
    let same = |a: &str, b: &str| {
        if ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let mut out: Vec<(&str, &str)> = Vec::new();
    let mut index: Option<HashMap<String, usize>> = None;
    for (k, v) in pairs {
        let found = match &mut index {
            Some(ix) => {
                let key = if ignore_case {
                    k.to_ascii_lowercase()
                } else {
                    k.clone()
                };
                match ix.get(&key) {
                    Some(i) => Some(*i),
                    None => {
                        ix.insert(key, out.len());
                        None
                    }
                }
            }
            None => out.iter().position(|(n, _)| same(n, k)),
        };
        match found {
            Some(i) => out[i].1 = v,
            None => {
                out.push((k, v));
                if index.is_none() && out.len() > SCAN_PAIRS {
                    index = Some(
                        out.iter()
                            .enumerate()
                            .map(|(i, (n, _))| {
                                let n = if ignore_case {
                                    n.to_ascii_lowercase()
                                } else {
                                    (*n).to_owned()
                                };
                                (n, i)
                            })
                            .collect(),
                    );
                }
            }
        }
    }
    out
}

/// How many distinct parameter names [`last_values`] compares one by one before it indexes
/// them.
const SCAN_PAIRS: usize = 16;

/// `$input.json` for an already-compiled path and parsed body, appended to `out`; an error
/// (and nothing appended) when evaluating the path passes a limit.
pub(crate) fn json_of(
    path: &JsonPath,
    body: &Json,
    out: &mut String,
    meter: &mut Meter,
) -> Result<(), JsonPathError> {
    match path.query_ref_metered(body, meter)? {
        Some(v) => write_compact_json(&v, out),
        None => out.push_str("\"\""),
    }
    Ok(())
}

/// A JSONPath error as `$input.json` / `$input.path` (`what`) report it: a limit error when
/// the evaluation passed a named limit.
fn path_error(what: &str, e: JsonPathError) -> EvalError {
    match e {
        JsonPathError::Exceeded { .. } => EvalError::limit(format!("{what}: {e}")),
        _ => EvalError::new(format!("{what}: {e}")),
    }
}

thread_local! {
    /// The bytes [`write_compact_json`] serialises into before copying them out, kept for
    /// the next call (emptied; given up past [`MAX_KEPT_SCRATCH`]).
    static JSON_SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The most bytes of [`JSON_SCRATCH`] kept between calls.
const MAX_KEPT_SCRATCH: usize = 64 * 1024;

/// Appends `v` as serde_json's compact JSON, through serde_json's byte writer (its fast
/// path: the `Display` form goes through the formatting machinery token by token).
fn write_compact_json(v: &Json, out: &mut String) {
    JSON_SCRATCH.with(|scratch| {
        let Ok(mut buf) = scratch.try_borrow_mut() else {
            out.push_str(&v.to_string());
            return;
        };
        buf.clear();
        // Serialising a `serde_json::Value` into memory cannot fail, and gives UTF-8.
        if serde_json::to_writer(&mut *buf, v).is_ok()
            && let Ok(text) = std::str::from_utf8(&buf)
        {
            out.push_str(text);
        } else {
            out.push_str(&v.to_string());
        }
        if buf.capacity() > MAX_KEPT_SCRATCH {
            *buf = Vec::new();
        }
    });
}

/// Compiled JSONPaths kept per thread, so `$input.path('$.name')` on every request compiles
/// its path once. When full the cache is emptied and starts again (templates use a handful of
/// paths; this only bounds memory when paths are built from request data).
pub const PATH_CACHE_SIZE: usize = 256;

/// How many of the paths used last [`compiled_path`] compares by text before it hashes.
const RECENT_PATHS: usize = 8;

thread_local! {
    static PATHS: RefCell<HashMap<Rc<str>, Rc<JsonPath>>> = RefCell::new(HashMap::new());
    /// The paths used last, newest last, sharing their keys with `PATHS`: a template uses a
    /// handful, found by comparing a few short strings, cheaper than hashing one.
    static RECENT: RefCell<Vec<(Rc<str>, Rc<JsonPath>)>> = const { RefCell::new(Vec::new()) };
}

/// The compiled path, from the per-thread cache.
pub(crate) fn compiled_path(path: &str) -> Result<Rc<JsonPath>, JsonPathError> {
    let recent = RECENT.with(|r| {
        r.borrow()
            .iter()
            .rev()
            .find(|(p, _)| &**p == path)
            .map(|(_, c)| c.clone())
    });
    if let Some(p) = recent {
        return Ok(p);
    }
    let known = PATHS.with(|c| {
        c.borrow()
            .get_key_value(path)
            .map(|(k, v)| (k.clone(), v.clone()))
    });
    let (key, compiled) = match known {
        Some(entry) => entry,
        None => {
            let compiled = Rc::new(JsonPath::compile(path)?);
            let key: Rc<str> = path.into();
            PATHS.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= PATH_CACHE_SIZE {
                    c.clear();
                }
                c.insert(key.clone(), compiled.clone());
            });
            (key, compiled)
        }
    };
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= RECENT_PATHS {
            r.remove(0);
        }
        r.push((key, compiled.clone()));
    });
    Ok(compiled)
}

/// The text of a template argument: strings as they are, other values as Java prints them;
/// `None` for null.
pub(crate) fn arg_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_java_string())),
    }
}

/// `$input`: the object a mapping template calls `body`, `json(x)`, `path(x)` and
/// `params(...)` on. Build one per request (or per integration response) and put it in the
/// scope as `input` (see [`crate::context::mapping_scope`]).
///
/// The body is parsed as JSON at most once: on the first `json`/`path` call, or never when
/// the host already parsed it ([`Input::with_json`]: the pipeline's validation step does).
/// `$input.path` results are views over the parsed body, converting only what the template
/// reads (see the crate's `json_view` module); they print and behave as the converted maps
/// and lists would.
///
/// Not `Send` (template values share their parts with `Rc`): build it per request inside
/// the synchronous render step.
///
/// ```
/// use gateway_mapping::input::{Input, RequestView};
/// use gateway_mapping::{EngineOptions, Scope, Template, Value};
///
/// let mut req = RequestView::new(r#"{"pets": [{"name": "rex"}, {"name": "tom"}]}"#);
/// req.add_path("id", "7");
/// let mut scope = Scope::new();
/// scope.set("input", Value::object(Input::new(req)));
/// let t = Template::compile(
///     "$input.params('id'): #foreach($p in $input.path('$.pets'))$p.name #end| $input.json('$.pets[0]')",
///     &EngineOptions::default(),
/// )?;
/// assert_eq!(t.render(&scope)?, r#"7: rex tom | {"name":"rex"}"#);
/// # Ok::<(), gateway_mapping::TemplateError>(())
/// ```
#[derive(Debug)]
pub struct Input {
    view: RequestView,
    body: OnceCell<Result<Arc<Json>, String>>,
    /// `$input.path('$')`: one object however often the template asks for it.
    /// With the document its views read: once one became a template map or list (so the
    /// template may have changed it), `$input.json` reads the changed tree, as it always has.
    root: OnceCell<(Value, Rc<json_view::Doc>)>,
    params: OnceCell<Value>,
    /// `$input.body` as a template string, made once: a template reading it in a loop
    /// shares one copy instead of copying the body each time.
    body_text: OnceCell<Value>,
}

impl Input {
    /// `$input` over this request; the body is parsed when a template first needs it.
    pub fn new(view: RequestView) -> Input {
        Input {
            view,
            body: OnceCell::new(),
            root: OnceCell::new(),
            params: OnceCell::new(),
            body_text: OnceCell::new(),
        }
    }

    /// `$input` over this request whose body the host already parsed: `body` must be
    /// `view.body()` parsed as JSON (the pipeline parses a request body once, to validate
    /// it, and shares the tree with the templates instead of parsing it again).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use gateway_mapping::input::{Input, RequestView};
    /// use gateway_mapping::{EngineOptions, Scope, Template, Value};
    ///
    /// let text = r#"{"a": {"b": [1, 2.5]}}"#;
    /// let parsed = Arc::new(serde_json::from_str(text).unwrap());
    /// let mut scope = Scope::new();
    /// scope.set("input", Value::object(Input::with_json(RequestView::new(text), parsed)));
    /// let t = Template::compile("$input.path('$.a') $input.path('$.a.b').size()", &EngineOptions::default())?;
    /// assert_eq!(t.render(&scope)?, "{b=[1,2.5]} 2");
    /// # Ok::<(), gateway_mapping::TemplateError>(())
    /// ```
    pub fn with_json(view: RequestView, body: Arc<Json>) -> Input {
        let input = Input::new(view);
        let _ = input.body.set(Ok(body));
        input
    }

    /// The request behind it.
    pub fn view(&self) -> &RequestView {
        &self.view
    }

    fn body_json(&self, meter: &mut Meter) -> Result<&Arc<Json>, EvalError> {
        if self.body.get().is_none() {
            // Parsed once per request; charged to the render like any parse.
            meter.spend(self.view.body().len() as u64 / PARSE_BYTES_PER_STEP)?;
        }
        self.body
            .get_or_init(|| {
                serde_json::from_str(self.view.body())
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| EvalError::new(format!("$input: the body is not valid JSON: {e}")))
    }

    /// `$input.json(path)`: the selection as compact JSON (`""` when a definite path selects
    /// nothing).
    pub fn json(&self, path: &str) -> Result<String, EvalError> {
        let mut out = String::new();
        self.json_into(path, &mut out)?;
        Ok(out)
    }

    /// [`Input::json`], appended to `out` (nothing is appended on an error).
    pub fn json_into(&self, path: &str, out: &mut String) -> Result<(), EvalError> {
        self.json_in(path, out, &mut Cx::new(&mut Meter::standalone()))
    }

    /// [`Input::json_into`] in a render: the path compiled with the template when it is a
    /// literal, the work charged to the render's meter.
    fn json_in(&self, path: &str, out: &mut String, cx: &mut Cx<'_>) -> Result<(), EvalError> {
        let cached;
        let path = match cx.literal.and_then(Literal::path) {
            Some(p) => p,
            None => {
                cached = compiled_path(path).map_err(|e| path_error("$input.json", e))?;
                &*cached
            }
        };
        let doc = self.body_json(cx.meter)?;
        // Once the template changed what `$input.path('$')` gave it, a simple path reads the
        // changed tree (unless the body holds an integer beyond `i64`, which the template
        // values hold as a double and the parsed body exactly).
        // (The steps are collected only once the tree changed: most renders never change it.)
        if let Some((root, root_doc)) = self.root.get()
            && root_doc.changed()
            && let Some(steps) = path.simple_steps()
            && !has_wide_int(doc)
        {
            match walk(root, &steps) {
                // Into its own string: the writer's cut-off counts this value's length.
                Some(v) => {
                    let mut text = String::new();
                    write_serde_json(&v, &mut text, &mut Vec::new());
                    out.push_str(&text);
                }
                None => out.push_str("\"\""),
            }
            return Ok(());
        }
        json_of(path, doc, out, cx.meter).map_err(|e| path_error("$input.json", e))
    }

    /// `$input.path(path)`: the selection as a template value (objects are maps printing as
    /// `{k=v}`, arrays lists printing as compact JSON), `Value::Null` when a definite path
    /// selects nothing.
    pub fn path(&self, path: &str) -> Result<Value, EvalError> {
        self.path_in(path, &mut Cx::new(&mut Meter::standalone()))
    }

    /// [`Input::path`] in a render (see [`Input::json_in`]).
    fn path_in(&self, path: &str, cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        let doc = self.body_json(cx.meter)?;
        if path.trim() == "$" {
            return Ok(self
                .root
                .get_or_init(|| {
                    let d = json_view::Doc::new(doc.clone());
                    (json_view::root_value(d.clone()), d)
                })
                .0
                .clone());
        }
        let cached;
        let compiled = match cx.literal.and_then(Literal::path) {
            Some(p) => p,
            None => {
                cached = compiled_path(path).map_err(|e| path_error("$input.path", e))?;
                &*cached
            }
        };
        let found = compiled
            .query_ref_metered(doc, cx.meter)
            .map_err(|e| path_error("$input.path", e))?;
        Ok(match found {
            None => Value::Null,
            Some(Cow::Owned(j)) => json_view::root_value(json_view::Doc::new(Arc::new(j))),
            Some(Cow::Borrowed(j)) if !matches!(j, Json::Object(_) | Json::Array(_)) => {
                Value::from_json(j)
            }
            Some(Cow::Borrowed(j)) => match compiled.simple_steps().and_then(|s| place(doc, &s)) {
                Some(steps) => json_view::value_at(doc, &steps).unwrap_or(Value::Null),
                None => json_view::root_value(json_view::Doc::new(Arc::new(j.clone()))),
            },
        })
    }

    /// `$input.body` as a template string: copied from the request once (charged one step
    /// per 64 bytes), then shared.
    fn body_value(&self, meter: &mut Meter) -> Result<Value, EvalError> {
        if let Some(v) = self.body_text.get() {
            return Ok(v.clone());
        }
        let text = self.view.body();
        meter.spend(text.len() as u64 / 64)?;
        Ok(self.body_text.get_or_init(|| Value::from(text)).clone())
    }

    /// `$input.params(name)`, charged for the parameters it looks through (a step each).
    fn param(&self, name: &str, meter: &mut Meter) -> Result<Option<&str>, EvalError> {
        let v = &self.view;
        meter.spend((v.path.len() + v.querystring.len() + v.header.len()) as u64)?;
        Ok(v.param(name))
    }

    /// `$input.params()`: `{path={..}, querystring={..}, header={..}}`, each parameter's
    /// (last) value by name. The same map is returned on every call.
    pub fn params(&self) -> Value {
        self.params
            .get_or_init(|| {
                let strings = |it: &mut dyn Iterator<Item = (&str, &str)>| {
                    Value::map(it.map(|(k, v)| (k.to_owned(), Value::from(v))).collect())
                };
                let mut all = IndexMap::with_capacity(3);
                all.insert("path".to_owned(), strings(&mut self.view.path_single()));
                all.insert(
                    "querystring".to_owned(),
                    strings(&mut self.view.querystring_single()),
                );
                all.insert("header".to_owned(), strings(&mut self.view.header_single()));
                Value::map(all)
            })
            .clone()
    }
}

/// Whether `j` holds an integer beyond `i64`.
fn has_wide_int(j: &Json) -> bool {
    match j {
        Json::Number(n) => n.is_u64() && n.as_i64().is_none(),
        Json::Array(a) => a.iter().any(has_wide_int),
        Json::Object(o) => o.values().any(has_wide_int),
        _ => false,
    }
}

/// The position simple JSONPath `steps` reach in `doc`, as names and absolute indexes
/// (a negative index counts from the end); `None` when a step finds nothing.
fn place<'s>(doc: &Json, steps: &[Step<'s>]) -> Option<Vec<(Option<&'s str>, usize)>> {
    let mut node = doc;
    let mut out = Vec::with_capacity(steps.len());
    for s in steps {
        match *s {
            Step::Name(n) => {
                node = node.as_object()?.get(n)?;
                out.push((Some(n), 0));
            }
            Step::Index(i) => {
                let a = node.as_array()?;
                let len = i64::try_from(a.len()).ok()?;
                let j = usize::try_from(if i < 0 { len + i } else { i }).ok()?;
                node = a.get(j)?;
                out.push((None, j));
            }
        }
    }
    Some(out)
}
impl HostObject for Input {
    fn property(&self, name: &str, meter: &mut Meter) -> Result<Value, EvalError> {
        Ok(match name {
            "body" => self.body_value(meter)?,
            _ => Value::Null,
        })
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        let text = args.first().and_then(arg_text);
        match (method, args.len(), text) {
            ("json", 1, Some(p)) => {
                let mut out = String::new();
                self.json_in(&p, &mut out, cx)?;
                Ok(Value::from(out))
            }
            ("path", 1, Some(p)) => self.path_in(&p, cx),
            ("params", 0, _) => Ok(self.params()),
            ("params", 1, Some(name)) => Ok(self
                .param(&name, cx.meter)?
                .map_or(Value::Null, Value::from)),
            _ => Ok(Value::Null),
        }
    }

    /// `params(name)` and `json(path)` write straight into the output.
    fn print_call(
        &self,
        method: &str,
        args: &[Value],
        out: &mut String,
        cx: &mut Cx<'_>,
    ) -> Result<Option<Value>, EvalError> {
        let text = args.first().and_then(arg_text);
        match (method, args.len(), text) {
            ("params", 1, Some(name)) => match self.param(&name, cx.meter)? {
                Some(v) => out.push_str(v),
                None => return Ok(Some(Value::Null)),
            },
            ("json", 1, Some(p)) => self.json_in(&p, out, cx)?,
            _ => return self.call(method, args, cx).map(Some),
        }
        Ok(None)
    }

    /// `$input` printed on its own shows the body (API Gateway's own rendering of the
    /// object is not documented).
    fn render(&self) -> String {
        self.view.body().to_owned()
    }
}

/// Converts JSON the way `$input.path` (and `$util.parseJson`) hand it to a template, which
/// matches what real API Gateway prints (localstack `test_input_path_template_formatting`
/// recordings): objects become maps that print Java-style as `{k=v}`, arrays become lists
/// that print as compact JSON (`[{"foo":"bar"}]`, also inside a map: `{foo=[1,2]}`), strings,
/// numbers and booleans their Java counterparts.
pub fn json_to_value(v: &Json) -> Value {
    match v {
        Json::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        ),
        Json::Array(a) => Value::object(JsonArray {
            items: Value::list(a.iter().map(json_to_value).collect()),
        }),
        other => Value::from_json(other),
    }
}

/// Follows simple JSONPath steps through template values built from JSON (maps, views and
/// the list objects of [`json_to_value`]); `None` when a step finds nothing.
fn walk(root: &Value, steps: &[Step<'_>]) -> Option<Value> {
    let mut node = root.clone();
    for step in steps {
        let here = crate::value::plain(&node).into_owned();
        node = match (step, &here) {
            (Step::Name(n), Value::Map(m)) => m.borrow().get(*n)?.clone(),
            (Step::Index(i), Value::Object(o)) => {
                let mut meter = Meter::standalone();
                let len = o
                    .call("size", &[], &mut Cx::new(&mut meter))
                    .ok()?
                    .as_int()?;
                let j = if *i < 0 { i + len } else { *i };
                if !(0..len).contains(&j) {
                    return None;
                }
                o.call("get", &[Value::Int(j)], &mut Cx::new(&mut meter))
                    .ok()?
            }
            _ => return None,
        };
    }
    Some(node)
}

/// Deepest nesting [`write_serde_json`] follows. Parsed bodies nest at most 128 levels
/// (serde_json's limit); only a template that makes a list contain itself goes deeper, and
/// that is cut off here instead of recursing until the stack overflows (output is also cut
/// off past [`MAX_OUTPUT_BYTES`], so a list holding itself several times stays cheap).
const MAX_JSON_WRITE_DEPTH: usize = 256;

/// Appends `v` as serde_json prints the same JSON compactly (what [`Input::json`] gives when
/// it queries the parsed body): numbers in serde_json's form, strings JSON-escaped.
fn write_serde_json(v: &Value, out: &mut String, open: &mut Vec<usize>) {
    if out.len() > MAX_OUTPUT_BYTES {
        return;
    }
    if open.len() > MAX_JSON_WRITE_DEPTH {
        out.push_str("null");
        return;
    }
    match v {
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => out.push_str(&n.to_string()),
            None => out.push_str("null"),
        },
        Value::Map(m) => {
            if m.try_borrow_mut().is_err() {
                out.push_str("(this Map)");
                return;
            }
            let Ok(entries) = m.try_borrow() else {
                return;
            };
            open.push(m.as_ptr() as usize);
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_serde_json(item, out, open);
            }
            out.push('}');
            open.pop();
        }
        Value::Object(o) if o.as_plain().is_some() => {
            if let Some(p) = o.as_plain() {
                write_serde_json(&p, out, open);
            }
        }
        Value::Object(o) => {
            // A list object already open further up holds itself.
            let id = o.as_ptr() as usize;
            if open.contains(&id) {
                out.push_str("(this Collection)");
                return;
            }
            match o.iterate() {
                Some(items) => {
                    open.push(id);
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write_serde_json(item, out, open);
                    }
                    out.push(']');
                    open.pop();
                }
                None => write_json_string(&o.render(), out),
            }
        }
        other => write_json(other, out),
    }
}

/// A JSON array from `$input.path` / `$util.parseJson`: a list in every respect (`size()`,
/// `get(i)`, `[i]`, `#foreach`, `contains`, `add`, ...) that prints as compact JSON.
pub(crate) struct JsonArray {
    /// Always a `Value::List`.
    pub(crate) items: Value,
}

impl HostObject for JsonArray {
    fn property(&self, name: &str, meter: &mut Meter) -> Result<Value, EvalError> {
        methods::property(&self.items, name, meter)
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        // `$list[-1]` reaches a host object as `get(-1)`; Velocity 1.7's ASTIndex counts a
        // negative index from the end of a List, so do that here (a template relying on
        // `get(-1)` throwing would not work on API Gateway anyway).
        if let ("get", [Value::Int(i)], Some(list)) = (method, args, self.items.as_list())
            && *i < 0
        {
            let len = list.borrow().len() as i64;
            return methods::call(&self.items, method, &[Value::Int(i + len)], cx);
        }
        methods::call(&self.items, method, args, cx)
    }

    fn render(&self) -> String {
        let mut out = String::new();
        write_json(&self.items, &mut out);
        out
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        self.items.as_list().map(|l| l.borrow().clone())
    }

    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        let (Some(list), Ok(i)) = (self.items.as_list(), name.parse::<i64>()) else {
            return Ok(());
        };
        let mut list = list.borrow_mut();
        let len = list.len() as i64;
        let j = if i < 0 { i + len } else { i };
        match usize::try_from(j).ok().and_then(|j| list.get_mut(j)) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(EvalError::new(format!(
                "index {i} out of bounds for a list of {len} items"
            ))),
        }
    }
}

/// Appends `v` as compact JSON the way json-smart (the library behind API Gateway's
/// JSONPath) prints it: numbers as Java prints them, strings JSON-escaped, maps as objects,
/// nested arrays (host objects) through their own rendering.
pub(crate) fn write_json(v: &Value, out: &mut String) {
    // A value shared many times over (a list holding itself twice, nested) prints
    // exponentially; stop once past the output limit, which the engine then reports.
    if out.len() > MAX_OUTPUT_BYTES {
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => v.write_java(out),
        Value::String(s) => write_json_string(s, out),
        Value::List(l) => {
            // A list already being printed (it is borrowed further up) contains itself:
            // print it as Java's AbstractCollection does, instead of recursing forever.
            if l.try_borrow_mut().is_err() {
                out.push_str("(this Collection)");
                return;
            }
            let Ok(items) = l.try_borrow() else {
                return;
            };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            if m.try_borrow_mut().is_err() {
                out.push_str("(this Map)");
                return;
            }
            let Ok(entries) = m.try_borrow() else {
                return;
            };
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
        Value::Object(o) => {
            if !o.write_json(out) {
                out.push_str(&o.render());
            }
        }
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    use crate::util::{Escaped, HexCase, escape_into};
    out.push('"');
    escape_into(s, out, HexCase::Lower, |c| {
        Some(match c {
            '"' => Escaped::As("\\\""),
            '\\' => Escaped::As("\\\\"),
            '\n' => Escaped::As("\\n"),
            '\r' => Escaped::As("\\r"),
            '\t' => Escaped::As("\\t"),
            '\u{8}' => Escaped::As("\\b"),
            '\u{c}' => Escaped::As("\\f"),
            c if (c as u32) < 0x20 => Escaped::Unicode,
            _ => return None,
        })
    });
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn empty_body_reads_as_empty_object() {
        // localstack tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
        // TestApiGatewayCommon::test_input_body_formatting, "response-raw-body"/"empty-body":
        // `#set($result = $input.body)$result` rendered `{}` for a request without a body.
        let req = RequestView::new("");
        assert_eq!(req.body(), "{}");
        assert_eq!(req.json("$").unwrap(), "{}");
    }

    #[test]
    fn raw_body_is_passed_verbatim() {
        // Same snapshot, "str-body": `some raw data` came back unchanged.
        assert_eq!(RequestView::new("some raw data").body(), "some raw data");
    }

    #[test]
    fn json_is_compact_and_keeps_key_order() {
        let req = RequestView::new("{ \"b\" : 1 , \"a\" : [ 1 , {\"c\" : \"d\"} ] }");
        assert_eq!(req.json("$").unwrap(), r#"{"b":1,"a":[1,{"c":"d"}]}"#);
        assert_eq!(req.json("$.a[1].c").unwrap(), r#""d""#);
        assert_eq!(req.json("$.a[*]").unwrap(), r#"[1,{"c":"d"}]"#);
    }

    #[test]
    fn json_of_missing_definite_path_is_empty_json_string() {
        let req = RequestView::new(r#"{"a":1}"#);
        assert_eq!(req.json("$.missing").unwrap(), "\"\"");
        assert_eq!(req.json("$..missing").unwrap(), "[]");
    }

    #[test]
    fn json_of_non_json_body_is_an_error() {
        let req = RequestView::new("some raw data");
        assert!(matches!(req.json("$"), Err(InputError::BodyNotJson(_))));
        assert!(matches!(
            RequestView::new("{}").json("$["),
            Err(InputError::Path(_))
        ));
    }

    #[test]
    fn params_search_path_then_query_then_header() {
        // AWS mapping-template reference, `$input.params(x)`: "from the path, query string,
        // or header value (searched in that order)".
        let mut req = RequestView::new("");
        req.add_header("id", "from-header");
        assert_eq!(req.param("id"), Some("from-header"));
        req.add_query("id", "from-query");
        assert_eq!(req.param("id"), Some("from-query"));
        req.add_path("id", "from-path");
        assert_eq!(req.param("id"), Some("from-path"));
        assert_eq!(req.param("nope"), None);
    }

    #[test]
    fn repeated_parameters_show_their_last_value() {
        let mut req = RequestView::new("");
        req.add_query("q", "1");
        req.add_query("q", "2");
        req.add_header("X-A", "x");
        req.add_header("x-a", "y");
        assert_eq!(req.param("q"), Some("2"));
        assert_eq!(req.header("X-a"), Some("y"));
        assert_eq!(req.header_values("x-A").collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(req.query_values("q").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(
            req.query_values("Q").count(),
            0,
            "query names keep their case"
        );
        assert_eq!(req.querystring_single().collect::<Vec<_>>(), [("q", "2")]);
        assert_eq!(req.header_single().collect::<Vec<_>>(), [("X-A", "y")]);
    }

    #[test]
    fn single_value_views_keep_first_arrival_order_past_the_scan_limit() {
        // Interleaved repeats over more distinct names than the scan handles, so both the
        // scan and the indexed path of `last_values` are taken.
        let n = SCAN_PAIRS * 2 + 3;
        let mut req = RequestView::new("");
        for round in 0..2 {
            for i in 0..n {
                let name = if round == 0 {
                    format!("H-{i}")
                } else {
                    format!("h-{i}")
                };
                req.add_header(&name, &format!("{round}-{i}"));
                req.add_query(&format!("q{i}"), &format!("{round}-{i}"));
            }
        }
        req.add_query("Q0", "other");
        let headers: Vec<_> = req.header_single().collect();
        assert_eq!(headers.len(), n);
        for (i, (k, v)) in headers.iter().enumerate() {
            assert_eq!(*k, format!("H-{i}"));
            assert_eq!(*v, format!("1-{i}"));
        }
        let queries: Vec<_> = req.querystring_single().collect();
        assert_eq!(queries.len(), n + 1);
        assert_eq!(queries[n], ("Q0", "other"));
        for (i, (k, v)) in queries[..n].iter().enumerate() {
            assert_eq!(*k, format!("q{i}"));
            assert_eq!(*v, format!("1-{i}"));
        }
    }
    fn arb_json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::from),
            any::<i64>().prop_map(Json::from),
            any::<u64>().prop_map(Json::from),
            (-1e12f64..1e12).prop_map(Json::from),
            ".{0,8}".prop_map(Json::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                proptest::collection::vec((".{0,5}", inner), 0..6)
                    .prop_map(|kv| Json::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn json_strings_are_written_as_serde_json_writes_them(
            s in "(\\PC|[ '\"\\\\/\\x00-\\x1f\\x7f]|[a-z]{1,5}){0,30}",
        ) {
            let mut out = String::new();
            write_json_string(&s, &mut out);
            prop_assert_eq!(out, serde_json::to_string(&s).expect("a string serialises"));
        }

        #[test]
        fn root_path_parsed_directly_equals_the_converted_tree(doc in arb_json()) {
            let text = doc.to_string();
            let direct = Input::new(RequestView::new(text.as_str())).path("$").unwrap();
            // Compare with serde_json's own parse of the same text (its float parsing, without
            // the float_roundtrip feature, may differ from `doc` in the last digit).
            let reparsed: Json = serde_json::from_str(&text).unwrap();
            let converted = json_to_value(&reparsed);
            prop_assert_eq!(direct.to_java_string(), converted.to_java_string());
            // Through a non-root path the same tree comes from serde_json's parse.
            let input = Input::new(RequestView::new(format!("{{\"d\":{text}}}")));
            prop_assert_eq!(input.path("$.d").unwrap().to_java_string(), converted.to_java_string());
        }

        #[test]
        fn json_after_root_path_equals_json_from_the_parsed_body(doc in arb_json(), inner in arb_json()) {
            // Two shapes so that names and indexes both find something.
            for text in [json!({"a": [inner.clone(), doc.clone()], "b": doc.clone()}).to_string(),
                         json!([doc.clone(), inner.clone()]).to_string()] {
                for p in ["$", "$.a", "$.a[0]", "$.a[-1]", "$.b", "$[0]", "$[-1]", "$[5]", "$.zz"] {
                    let fresh = Input::new(RequestView::new(text.as_str())).json(p).unwrap();
                    let primed = Input::new(RequestView::new(text.as_str()));
                    primed.path("$").unwrap();
                    prop_assert_eq!(primed.json(p).unwrap(), fresh, "path {} over {}", p, text);
                }
            }
        }
    }
}
