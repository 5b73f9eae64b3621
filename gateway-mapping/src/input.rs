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

use crate::args::arg_text;
use crate::error::EvalError;
pub use crate::json_value::json_to_value;
use crate::json_value::{write_compact_json, write_serde_json};
use crate::json_view;
use crate::jsonpath::{JsonPath, JsonPathError, Step};
use crate::limits::{PARSE_BYTES_PER_STEP, meter};
use crate::value::{HostObject, Value};

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
        json_of(&path, &self.body_json()?, &mut out)?;
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
pub(crate) fn json_of(path: &JsonPath, body: &Json, out: &mut String) -> Result<(), JsonPathError> {
    match path.query_ref(body)? {
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

    fn body_json(&self) -> Result<&Arc<Json>, EvalError> {
        if self.body.get().is_none() {
            // Parsed once per request; charged to the render like any parse.
            meter::spend(self.view.body().len() as u64 / PARSE_BYTES_PER_STEP)?;
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
        let path = compiled_path(path).map_err(|e| path_error("$input.json", e))?;
        let doc = self.body_json()?;
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
        json_of(&path, doc, out).map_err(|e| path_error("$input.json", e))
    }

    /// `$input.path(path)`: the selection as a template value (objects are maps printing as
    /// `{k=v}`, arrays lists printing as compact JSON), `Value::Null` when a definite path
    /// selects nothing.
    pub fn path(&self, path: &str) -> Result<Value, EvalError> {
        let doc = self.body_json()?;
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
        let compiled = compiled_path(path).map_err(|e| path_error("$input.path", e))?;
        let found = compiled
            .query_ref(doc)
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
    fn body_value(&self) -> Result<Value, EvalError> {
        if let Some(v) = self.body_text.get() {
            return Ok(v.clone());
        }
        let text = self.view.body();
        meter::spend(text.len() as u64 / 64)?;
        Ok(self.body_text.get_or_init(|| Value::from(text)).clone())
    }

    /// `$input.params(name)`, charged for the parameters it looks through (a step each).
    fn param(&self, name: &str) -> Result<Option<&str>, EvalError> {
        let v = &self.view;
        meter::spend((v.path.len() + v.querystring.len() + v.header.len()) as u64)?;
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
    fn property(&self, name: &str) -> Result<Value, EvalError> {
        Ok(match name {
            "body" => self.body_value()?,
            _ => Value::Null,
        })
    }

    fn call(&self, method: &str, args: &[Value]) -> Result<Value, EvalError> {
        let text = args.first().and_then(arg_text);
        match (method, args.len(), text) {
            ("json", 1, Some(p)) => self.json(&p).map(Value::from),
            ("path", 1, Some(p)) => self.path(&p),
            ("params", 0, _) => Ok(self.params()),
            ("params", 1, Some(name)) => Ok(self.param(&name)?.map_or(Value::Null, Value::from)),
            _ => Ok(Value::Null),
        }
    }

    /// `params(name)` and `json(path)` write straight into the output.
    fn print_call(
        &self,
        method: &str,
        args: &[Value],
        out: &mut String,
    ) -> Result<Option<Value>, EvalError> {
        let text = args.first().and_then(arg_text);
        match (method, args.len(), text) {
            ("params", 1, Some(name)) => match self.param(&name)? {
                Some(v) => out.push_str(v),
                None => return Ok(Some(Value::Null)),
            },
            ("json", 1, Some(p)) => self.json_into(&p, out)?,
            _ => return self.call(method, args).map(Some),
        }
        Ok(None)
    }

    /// `$input` printed on its own shows the body (API Gateway's own rendering of the
    /// object is not documented).
    fn render(&self) -> String {
        self.view.body().to_owned()
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
                let len = o.call("size", &[]).ok()?.as_int()?;
                let j = if *i < 0 { i + len } else { *i };
                if !(0..len).contains(&j) {
                    return None;
                }
                o.call("get", &[Value::Int(j)]).ok()?
            }
            _ => return None,
        };
    }
    Some(node)
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
