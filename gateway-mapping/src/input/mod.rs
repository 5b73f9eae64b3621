//! `$input`: the method request (or integration response) as a mapping template sees it.
//!
//! [`RequestView`] is the request borrowed from the gateway (headers, decoded query and path
//! parameters, body bytes; see [`request`] for the decoding rules); [`Input`] is the `$input`
//! object over it. Together they compute what `$input.body`, `$input.json(x)`,
//! `$input.path(x)` and `$input.params(...)` return, following AWS's mapping-template
//! reference (`$input` Variables) and outputs recorded on real API Gateway (cited in the
//! tests).
//!
//! ```
//! use gateway_mapping::input::OwnedRequest;
//!
//! let mut req = OwnedRequest::new(r#"{"pets": [{"id": 1}, {"id": 2}]}"#);
//! req.add_path("petId", "42");
//! req.add_header("X-Trace", "abc")?;
//! let view = req.view();
//! assert_eq!(view.json("$.pets[0]")?, r#"{"id":1}"#);
//! assert_eq!(view.param("petId").as_deref(), Some("42"));
//! assert_eq!(view.param("x-trace").as_deref(), Some("abc"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod request;

pub use request::{HeaderError, InputError, OwnedRequest, RequestView};

use std::borrow::Cow;
use std::cell::OnceCell;
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
use crate::limits::PARSE_BYTES_PER_STEP;
use crate::render::{Literal, Meter};
use crate::value::{Cx, HostObject, Value};

/// Bytes of a JSONPath compiled per render step: a path built by the template (a literal one
/// is compiled with the template) is compiled on each call, in time linear in its length.
const PATH_BYTES_PER_STEP: u64 = 16;

/// Compiles a JSONPath the template built at render time, charging the work to `meter`. No
/// cache: literal paths, nearly all of them, are compiled once with the template, and a
/// cache for the rest would be per-thread state that grows with every thread that rendered.
fn compile_path(what: &str, path: &str, meter: &mut Meter) -> Result<JsonPath, EvalError> {
    meter.spend(1 + path.len() as u64 / PATH_BYTES_PER_STEP)?;
    JsonPath::compile(path).map_err(|e| path_error(what, e))
}

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
/// It keeps an owned copy of the request ([`OwnedRequest`]): template values must outlive
/// any borrow. Hand it an `OwnedRequest` to move one in without copying.
///
/// Not `Send` (template values share their parts with `Rc`): build it per request inside
/// the synchronous render step, and drop it before an `.await` (see
/// [`crate::context::ContextState`] for what survives between templates).
///
/// ```
/// use gateway_mapping::input::{Input, OwnedRequest};
/// use gateway_mapping::{EngineOptions, Scope, Template, Value};
///
/// let mut req = OwnedRequest::new(r#"{"pets": [{"name": "rex"}, {"name": "tom"}]}"#);
/// req.add_path("id", "7");
/// let mut scope = Scope::new();
/// scope.set("input", Value::object(Input::new(req.view())));
/// let t = Template::compile(
///     "$input.params('id'): #foreach($p in $input.path('$.pets'))$p.name #end| $input.json('$.pets[0]')",
///     &EngineOptions::default(),
/// )?;
/// assert_eq!(t.render(&scope)?, r#"7: rex tom | {"name":"rex"}"#);
/// # Ok::<(), gateway_mapping::TemplateError>(())
/// ```
#[derive(Debug)]
pub struct Input {
    /// Shared with the host: the pipeline owns one request for the whole exchange and lends it
    /// to validation (as borrowed fields) and to `$input` (this handle), without a copy.
    request: Arc<OwnedRequest>,
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
    /// `$input` over this request (a [`RequestView`], copied, or an [`OwnedRequest`],
    /// moved); the body is parsed when a template first needs it.
    pub fn new(request: impl Into<OwnedRequest>) -> Input {
        Input::shared(Arc::new(request.into()))
    }

    /// `$input` over a request the host keeps too (no copy: the handle is shared).
    pub fn shared(request: Arc<OwnedRequest>) -> Input {
        Input {
            request,
            body: OnceCell::new(),
            root: OnceCell::new(),
            params: OnceCell::new(),
            body_text: OnceCell::new(),
        }
    }

    /// `$input` over this request whose body the host already parsed: `body` must be
    /// the request's [`RequestView::body_text`] parsed as JSON (the pipeline parses a request body once, to validate
    /// it, and shares the tree with the templates instead of parsing it again).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use gateway_mapping::input::{Input, OwnedRequest};
    /// use gateway_mapping::{EngineOptions, Scope, Template, Value};
    ///
    /// let text = r#"{"a": {"b": [1, 2.5]}}"#;
    /// let parsed = Arc::new(serde_json::from_str(text).unwrap());
    /// let mut scope = Scope::new();
    /// scope.set("input", Value::object(Input::with_json(OwnedRequest::new(text).view(), parsed)));
    /// let t = Template::compile("$input.path('$.a') $input.path('$.a.b').size()", &EngineOptions::default())?;
    /// assert_eq!(t.render(&scope)?, "{b=[1,2.5]} 2");
    /// # Ok::<(), gateway_mapping::TemplateError>(())
    /// ```
    pub fn with_json(request: impl Into<OwnedRequest>, body: Arc<Json>) -> Input {
        Input::shared_with_json(Arc::new(request.into()), body)
    }

    /// [`Input::with_json`] over a request the host keeps too (see [`Input::shared`]).
    pub fn shared_with_json(request: Arc<OwnedRequest>, body: Arc<Json>) -> Input {
        let input = Input::shared(request);
        let _ = input.body.set(Ok(body));
        input
    }

    /// The request behind it.
    pub fn view(&self) -> RequestView<'_> {
        self.request.view()
    }

    fn body_json(&self, meter: &mut Meter) -> Result<&Arc<Json>, EvalError> {
        if self.body.get().is_none() {
            // Parsed once per request; charged to the render like any parse.
            meter.spend(self.request.body.len() as u64 / PARSE_BYTES_PER_STEP)?;
        }
        self.body
            .get_or_init(|| {
                serde_json::from_str(&self.view().body_text())
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
        let computed;
        let path = match cx.literal.and_then(Literal::path) {
            Some(p) => p,
            None => {
                computed = compile_path("$input.json", path, cx.meter)?;
                &computed
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
        let computed;
        let compiled = match cx.literal.and_then(Literal::path) {
            Some(p) => p,
            None => {
                computed = compile_path("$input.path", path, cx.meter)?;
                &computed
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
        meter.spend(self.request.body.len() as u64 / 64)?;
        Ok(self
            .body_text
            .get_or_init(|| Value::from(&*self.view().body_text()))
            .clone())
    }

    /// `$input.params(name)`, charged for the parameters it looks through (a step each).
    fn param(&self, name: &str, meter: &mut Meter) -> Result<Option<Cow<'_, str>>, EvalError> {
        let r = &self.request;
        meter.spend((r.path.len() + r.query.len() + r.headers.len()) as u64)?;
        Ok(self.view().param(name))
    }

    /// `$input.params()`: `{path={..}, querystring={..}, header={..}}`, each parameter's
    /// (last) value by name. The same map is returned on every call.
    pub fn params(&self) -> Value {
        self.params
            .get_or_init(|| {
                let view = self.view();
                let strings = |it: &mut dyn Iterator<Item = (&str, Cow<'_, str>)>| {
                    Value::map(it.map(|(k, v)| (k.to_owned(), Value::from(&*v))).collect())
                };
                let borrowed = |(k, v)| (k, Cow::Borrowed(v));
                let mut all = IndexMap::with_capacity(3);
                all.insert(
                    "path".to_owned(),
                    strings(&mut view.path_single().map(borrowed)),
                );
                all.insert(
                    "querystring".to_owned(),
                    strings(&mut view.querystring_single().map(borrowed)),
                );
                all.insert("header".to_owned(), strings(&mut view.header_single()));
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
                .map_or(Value::Null, |v| Value::from(&*v))),
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
                Some(v) => out.push_str(&v),
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
        self.view().body_text().into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

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
            let direct = Input::new(OwnedRequest::new(text.as_str())).path("$").unwrap();
            // Compare with serde_json's own parse of the same text (its float parsing, without
            // the float_roundtrip feature, may differ from `doc` in the last digit).
            let reparsed: Json = serde_json::from_str(&text).unwrap();
            let converted = json_to_value(&reparsed);
            prop_assert_eq!(direct.to_java_string(), converted.to_java_string());
            // Through a non-root path the same tree comes from serde_json's parse.
            let input = Input::new(OwnedRequest::new(format!("{{\"d\":{text}}}")));
            prop_assert_eq!(input.path("$.d").unwrap().to_java_string(), converted.to_java_string());
        }

        #[test]
        fn json_after_root_path_equals_json_from_the_parsed_body(doc in arb_json(), inner in arb_json()) {
            // Two shapes so that names and indexes both find something.
            for text in [json!({"a": [inner.clone(), doc.clone()], "b": doc.clone()}).to_string(),
                         json!([doc.clone(), inner.clone()]).to_string()] {
                for p in ["$", "$.a", "$.a[0]", "$.a[-1]", "$.b", "$[0]", "$[-1]", "$[5]", "$.zz"] {
                    let fresh = Input::new(OwnedRequest::new(text.as_str())).json(p).unwrap();
                    let primed = Input::new(OwnedRequest::new(text.as_str()));
                    primed.path("$").unwrap();
                    prop_assert_eq!(primed.json(p).unwrap(), fresh, "path {} over {}", p, text);
                }
            }
        }
    }
}
