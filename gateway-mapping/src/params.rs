//! Parameter mappings: `requestParameters` of an integration and `responseParameters` of an
//! integration response, compiled once when the API is loaded.
//!
//! The expressions follow AWS's "API request and response data mapping reference":
//!
//! | side | targets | sources |
//! | --- | --- | --- |
//! | request | `integration.request.{path,querystring,header}.NAME` | `method.request.{path,querystring,multivaluequerystring,header,multivalueheader}.NAME`, `method.request.body`, `method.request.body.JSONPATH`, `context.VAR`, `stageVariables.VAR`, `'literal'` |
//! | response | `method.response.header.NAME` | `integration.response.{header,multivalueheader}.NAME`, `integration.response.body`, `integration.response.body.JSONPATH`, `context.VAR`, `stageVariables.VAR`, `'literal'` |
//!
//! `NAME` must match `^[a-zA-Z0-9._$-]+$` (the reference's rule); a JSONPath is written
//! without its leading `$.`.
//!
//! ```
//! use gateway_mapping::params::{ParamMappings, Sources, Target};
//! use gateway_mapping::input::OwnedRequest;
//!
//! let mappings = ParamMappings::compile_request([
//!     ("integration.request.header.x-user", "method.request.querystring.user"),
//!     ("integration.request.path.id", "method.request.body.pet.id"),
//!     ("integration.request.header.x-fixed", "'v1'"),
//! ])?;
//! let mut req = OwnedRequest::new(r#"{"pet": {"id": 7}}"#);
//! req.add_query("user", "ana");
//! let out = mappings.evaluate(&Sources { request: Some(req.view()), ..Sources::default() });
//! assert_eq!(out.get(&Target::Header("x-user".into())), Some(&vec!["ana".to_owned()]));
//! assert_eq!(out.get(&Target::Path("id".into())), Some(&vec!["7".to_owned()]));
//! assert_eq!(out.get(&Target::Header("x-fixed".into())), Some(&vec!["v1".to_owned()]));
//! # Ok::<(), gateway_mapping::params::ParamError>(())
//! ```

use std::borrow::Cow;
use std::cell::OnceCell;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::context::{Context, StageVariables, is_known_variable};
use crate::input::RequestView;
use crate::jsonpath::{JsonPath, JsonPathError};

/// Most mappings one integration or integration response may declare. Real APIs map a
/// handful of parameters; 512 keeps a hostile API file from making every request slow.
pub const MAX_MAPPINGS: usize = 512;

/// A parameter mapping that does not compile: which entry and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// The target (the mapping's key) is not a valid target on this side.
    #[error("invalid mapping target {target:?}: {reason}")]
    Target {
        /// The key as written.
        target: String,
        /// What is wrong.
        reason: String,
    },
    /// The source (the mapping's value) is not a valid source on this side.
    #[error("invalid mapping expression {source_expr:?} for {target:?}: {reason}")]
    Source {
        /// The key it is mapped to.
        target: String,
        /// The value as written.
        source_expr: String,
        /// What is wrong.
        reason: String,
    },
    /// A body JSONPath does not compile.
    #[error("invalid JSONPath in mapping for {target:?}: {error}")]
    Path {
        /// The key it is mapped to.
        target: String,
        /// The JSONPath error.
        error: JsonPathError,
    },
    /// More than [`MAX_MAPPINGS`] entries.
    #[error("too many parameter mappings: {0}, at most {MAX_MAPPINGS} allowed")]
    TooMany(usize),
}

/// Where a mapped value goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// `integration.request.path.NAME`.
    Path(String),
    /// `integration.request.querystring.NAME`.
    QueryString(String),
    /// `integration.request.header.NAME` or `method.response.header.NAME`.
    Header(String),
}

#[derive(Debug, Clone)]
enum Source {
    Literal(String),
    MethodPath(String),
    MethodQuery(String),
    MethodMultiQuery(String),
    MethodHeader(String),
    MethodMultiHeader(String),
    MethodBody,
    MethodBodyPath(JsonPath),
    Context(String),
    StageVariable(String),
    IntegrationHeader(String),
    IntegrationMultiHeader(String),
    IntegrationBody,
    IntegrationBodyPath(JsonPath),
}

/// The data a mapping may read; leave a field `None` when this side does not have it.
///
/// A body is read as [`RequestView::body_text`] reads it (lossy UTF-8), and parsed as JSON at
/// most once per [`ParamMappings::evaluate`], or never when the host hands over the tree it
/// already parsed (`request_json`, `integration_response_json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    /// The method request (`method.request.*`).
    pub request: Option<RequestView<'a>>,
    /// The method request's body already parsed as JSON, if the host has it (the validation
    /// step parses it): `method.request.body.JSONPATH` then reads this tree.
    pub request_json: Option<&'a Json>,
    /// `$context` (`context.*`).
    pub context: Option<&'a Context>,
    /// The stage's variables (`stageVariables.*`).
    pub stage_variables: Option<&'a StageVariables>,
    /// The integration response headers and body (`integration.response.*`).
    pub integration_response: Option<RequestView<'a>>,
    /// The integration response's body already parsed as JSON, if the host has it.
    pub integration_response_json: Option<&'a Json>,
}

/// Compiled parameter mappings of one integration or integration response.
#[derive(Debug, Clone, Default)]
pub struct ParamMappings {
    entries: Vec<(Target, Source)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._$-".contains(&b))
}

impl ParamMappings {
    /// Compiles an integration's `requestParameters` (target → source).
    pub fn compile_request<'s>(
        entries: impl IntoIterator<Item = (&'s str, &'s str)>,
    ) -> Result<ParamMappings, ParamError> {
        Self::compile(entries, Side::Request)
    }

    /// Compiles an integration response's `responseParameters` (target → source).
    pub fn compile_response<'s>(
        entries: impl IntoIterator<Item = (&'s str, &'s str)>,
    ) -> Result<ParamMappings, ParamError> {
        Self::compile(entries, Side::Response)
    }

    fn compile<'s>(
        entries: impl IntoIterator<Item = (&'s str, &'s str)>,
        side: Side,
    ) -> Result<ParamMappings, ParamError> {
        let mut out = Vec::new();
        for (target, source) in entries {
            if out.len() == MAX_MAPPINGS {
                return Err(ParamError::TooMany(MAX_MAPPINGS + 1));
            }
            let t = parse_target(target, side)?;
            let s = parse_source(target, source, side)?;
            out.push((t, s));
        }
        Ok(ParamMappings { entries: out })
    }

    /// True when there are no mappings.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Evaluates every mapping; a source with no value (a missing parameter, a JSONPath that
    /// selects nothing) leaves its target unset. Multi-value sources give several values.
    pub fn evaluate(&self, sources: &Sources<'_>) -> IndexMap<Target, Vec<String>> {
        let mut out: IndexMap<Target, Vec<String>> = IndexMap::new();
        let parsed = Parsed::default();
        for (target, source) in &self.entries {
            let values = read(source, sources, &parsed);
            if !values.is_empty() {
                out.insert(target.clone(), values);
            }
        }
        out
    }
}

fn parse_target(target: &str, side: Side) -> Result<Target, ParamError> {
    let err = |reason: &str| ParamError::Target {
        target: target.to_owned(),
        reason: reason.to_owned(),
    };
    let (kind, name) = match side {
        Side::Request => {
            let rest = target.strip_prefix("integration.request.").ok_or_else(|| {
                err("request mappings must target integration.request.{path,querystring,header}.NAME")
            })?;
            rest.split_once('.')
                .ok_or_else(|| err("expected integration.request.{path,querystring,header}.NAME"))?
        }
        Side::Response => (
            "header",
            target
                .strip_prefix("method.response.header.")
                .ok_or_else(|| err("response mappings must target method.response.header.NAME"))?,
        ),
    };
    if !valid_name(name) {
        return Err(err("the name must match ^[a-zA-Z0-9._$-]+$"));
    }
    match kind {
        "path" => Ok(Target::Path(name.to_owned())),
        "querystring" => Ok(Target::QueryString(name.to_owned())),
        "header" => Ok(Target::Header(name.to_owned())),
        _ => Err(err("the location must be path, querystring or header")),
    }
}

fn parse_source(target: &str, expr: &str, side: Side) -> Result<Source, ParamError> {
    let err = |reason: &str| ParamError::Source {
        target: target.to_owned(),
        source_expr: expr.to_owned(),
        reason: reason.to_owned(),
    };
    let named = |name: &str, make: fn(String) -> Source| {
        if valid_name(name) {
            Ok(make(name.to_owned()))
        } else {
            Err(err("the name must match ^[a-zA-Z0-9._$-]+$"))
        }
    };
    let body_path = |path: &str, make: fn(JsonPath) -> Source| {
        JsonPath::compile(&format!("$.{path}"))
            .map(make)
            .map_err(|error| ParamError::Path {
                target: target.to_owned(),
                error,
            })
    };
    if let Some(inner) = expr.strip_prefix('\'') {
        return match inner.strip_suffix('\'') {
            Some(lit) if expr.len() >= 2 => Ok(Source::Literal(lit.to_owned())),
            _ => Err(err("a static value must be enclosed in single quotes")),
        };
    }
    if let Some(var) = expr.strip_prefix("context.") {
        return if is_known_variable(var) {
            Ok(Source::Context(var.to_owned()))
        } else {
            Err(err("not a supported $context variable"))
        };
    }
    if let Some(var) = expr.strip_prefix("stageVariables.") {
        return named(var, Source::StageVariable);
    }
    match side {
        Side::Request => {
            let rest = expr.strip_prefix("method.request.").ok_or_else(|| {
                err("expected method.request.*, context.*, stageVariables.* or 'literal'")
            })?;
            if rest == "body" {
                return Ok(Source::MethodBody);
            }
            if let Some(path) = rest.strip_prefix("body.") {
                return body_path(path, Source::MethodBodyPath);
            }
            match rest.split_once('.') {
                Some(("path", n)) => named(n, Source::MethodPath),
                Some(("querystring", n)) => named(n, Source::MethodQuery),
                Some(("multivaluequerystring", n)) => named(n, Source::MethodMultiQuery),
                Some(("header", n)) => named(n, Source::MethodHeader),
                Some(("multivalueheader", n)) => named(n, Source::MethodMultiHeader),
                _ => Err(err(
                    "expected method.request.{path,querystring,multivaluequerystring,header,multivalueheader}.NAME or method.request.body",
                )),
            }
        }
        Side::Response => {
            let rest = expr.strip_prefix("integration.response.").ok_or_else(|| {
                err("expected integration.response.*, context.*, stageVariables.* or 'literal'")
            })?;
            if rest == "body" {
                return Ok(Source::IntegrationBody);
            }
            if let Some(path) = rest.strip_prefix("body.") {
                return body_path(path, Source::IntegrationBodyPath);
            }
            match rest.split_once('.') {
                Some(("header", n)) => named(n, Source::IntegrationHeader),
                Some(("multivalueheader", n)) => named(n, Source::IntegrationMultiHeader),
                _ => Err(err(
                    "expected integration.response.{header,multivalueheader}.NAME or integration.response.body",
                )),
            }
        }
    }
}

fn json_text(v: Json) -> String {
    match v {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

/// The bodies of one evaluation parsed as JSON, each at most once (`None` inside: not JSON).
#[derive(Default)]
struct Parsed {
    request: OnceCell<Option<Json>>,
    integration_response: OnceCell<Option<Json>>,
}

/// The body's JSON: the tree the host handed over, else `view`'s body parsed once into `cell`.
fn body_json<'s>(
    given: Option<&'s Json>,
    view: Option<RequestView<'_>>,
    cell: &'s OnceCell<Option<Json>>,
) -> Option<&'s Json> {
    given.or_else(|| {
        cell.get_or_init(|| view.and_then(|v| v.body_json().ok()))
            .as_ref()
    })
}

fn body_value(json: Option<&Json>, path: &JsonPath) -> Vec<String> {
    let Some(json) = json else {
        return Vec::new();
    };
    // A body that is not JSON, and a path whose result passes a named limit
    // (`crate::limits::MAX_JSONPATH_RESULTS`, `MAX_JSONPATH_RESULT_BYTES`), map no value.
    match path.query(json) {
        Ok(None | Some(Json::Null)) | Err(_) => Vec::new(),
        Ok(Some(v)) => vec![json_text(v)],
    }
}

/// A body as `method.request.body` / `integration.response.body` maps it: the raw text
/// (lossy UTF-8; an empty body is an empty value).
fn raw_body<'a>(view: RequestView<'a>) -> Cow<'a, str> {
    String::from_utf8_lossy(view.body)
}

fn read(source: &Source, s: &Sources<'_>, parsed: &Parsed) -> Vec<String> {
    let one = |v: Option<&str>| v.map(|v| vec![v.to_owned()]).unwrap_or_default();
    let one_cow = |v: Option<Cow<'_, str>>| v.map(|v| vec![v.into_owned()]).unwrap_or_default();
    match source {
        Source::Literal(v) => vec![v.clone()],
        Source::MethodPath(n) => one(s.request.and_then(|r| r.path_param(n))),
        Source::MethodQuery(n) => one(s.request.and_then(|r| r.query(n))),
        Source::MethodMultiQuery(n) => s
            .request
            .map(|r| r.query_values(n).map(str::to_owned).collect())
            .unwrap_or_default(),
        Source::MethodHeader(n) => one_cow(s.request.and_then(|r| r.header(n))),
        Source::MethodMultiHeader(n) => s
            .request
            .map(|r| r.header_values(n).map(Cow::into_owned).collect())
            .unwrap_or_default(),
        Source::MethodBody => one_cow(s.request.map(raw_body)),
        Source::MethodBodyPath(p) => {
            body_value(body_json(s.request_json, s.request, &parsed.request), p)
        }
        Source::Context(n) => s
            .context
            .and_then(|c| c.lookup(n))
            .map(|v| vec![v])
            .unwrap_or_default(),
        Source::StageVariable(n) => {
            one(s.stage_variables.and_then(|v| v.get(n)).map(String::as_str))
        }
        Source::IntegrationHeader(n) => one_cow(s.integration_response.and_then(|r| r.header(n))),
        Source::IntegrationMultiHeader(n) => s
            .integration_response
            .map(|r| r.header_values(n).map(Cow::into_owned).collect())
            .unwrap_or_default(),
        Source::IntegrationBody => one_cow(s.integration_response.map(raw_body)),
        Source::IntegrationBodyPath(p) => body_value(
            body_json(
                s.integration_response_json,
                s.integration_response,
                &parsed.integration_response,
            ),
            p,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::OwnedRequest;

    fn request() -> OwnedRequest {
        let mut r = OwnedRequest::new(r#"{"petstore": {"pets": [{"name": "rex"}]}, "n": 3}"#);
        r.add_path("id", "42");
        r.add_query("q", "a");
        r.add_query("q", "b");
        r.add_header("X-Multi", "1").unwrap();
        r.add_header("X-Multi", "2").unwrap();
        r
    }

    fn eval_request(pairs: &[(&str, &str)]) -> IndexMap<Target, Vec<String>> {
        let req = request();
        let mut ctx = Context::new();
        ctx.set("requestId", "rid");
        let mut stage = StageVariables::new();
        stage.insert("env".into(), "prod".into());
        ParamMappings::compile_request(pairs.iter().copied())
            .unwrap()
            .evaluate(&Sources {
                request: Some(req.view()),
                context: Some(&ctx),
                stage_variables: Some(&stage),
                ..Sources::default()
            })
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn request_sources_read_each_location() {
        let out = eval_request(&[
            ("integration.request.path.p", "method.request.path.id"),
            (
                "integration.request.querystring.q1",
                "method.request.querystring.q",
            ),
            (
                "integration.request.querystring.qs",
                "method.request.multivaluequerystring.q",
            ),
            (
                "integration.request.header.h1",
                "method.request.header.x-multi",
            ),
            (
                "integration.request.header.hs",
                "method.request.multivalueheader.X-MULTI",
            ),
            ("integration.request.header.ctx", "context.requestId"),
            ("integration.request.header.env", "stageVariables.env"),
            ("integration.request.header.lit", "'static value'"),
        ]);
        assert_eq!(out[&Target::Path("p".into())], v(&["42"]));
        assert_eq!(out[&Target::QueryString("q1".into())], v(&["b"]));
        assert_eq!(out[&Target::QueryString("qs".into())], v(&["a", "b"]));
        assert_eq!(out[&Target::Header("h1".into())], v(&["2"]));
        assert_eq!(out[&Target::Header("hs".into())], v(&["1", "2"]));
        assert_eq!(out[&Target::Header("ctx".into())], v(&["rid"]));
        assert_eq!(out[&Target::Header("env".into())], v(&["prod"]));
        assert_eq!(out[&Target::Header("lit".into())], v(&["static value"]));
    }

    #[test]
    fn body_jsonpath_is_written_without_dollar_dot() {
        // AWS data mapping reference: "method.request.body.petstore.pets[0].name, without the
        // `$.` prefix".
        let out = eval_request(&[
            (
                "integration.request.path.pet-name",
                "method.request.body.petstore.pets[0].name",
            ),
            ("integration.request.header.n", "method.request.body.n"),
            (
                "integration.request.header.obj",
                "method.request.body.petstore",
            ),
            ("integration.request.header.body", "method.request.body"),
            (
                "integration.request.header.none",
                "method.request.body.missing",
            ),
        ]);
        assert_eq!(out[&Target::Path("pet-name".into())], v(&["rex"]));
        assert_eq!(out[&Target::Header("n".into())], v(&["3"]));
        assert_eq!(
            out[&Target::Header("obj".into())],
            v(&[r#"{"pets":[{"name":"rex"}]}"#])
        );
        assert!(out[&Target::Header("body".into())][0].starts_with("{\"petstore\""));
        assert!(!out.contains_key(&Target::Header("none".into())));
    }

    #[test]
    fn missing_sources_leave_targets_unset() {
        let out = eval_request(&[
            (
                "integration.request.header.a",
                "method.request.header.absent",
            ),
            ("integration.request.header.b", "stageVariables.absent"),
            ("integration.request.header.c", "context.identity.sourceIp"),
        ]);
        assert!(out.is_empty());
    }

    #[test]
    fn response_mappings_read_the_integration_response() {
        // AWS data mapping reference example: location from integration.response.body
        // .redirect.url, id from the integration.response.header.x-app-id.
        let m = ParamMappings::compile_response([
            (
                "method.response.header.location",
                "integration.response.body.redirect.url",
            ),
            (
                "method.response.header.id",
                "integration.response.header.x-app-id",
            ),
            (
                "method.response.header.items",
                "integration.response.multivalueheader.item",
            ),
        ])
        .unwrap();
        let mut resp = OwnedRequest::new(r#"{"redirect": {"url": "https://example.com/x"}}"#);
        resp.add_header("X-App-Id", "app-1").unwrap();
        resp.add_header("item", "i1").unwrap();
        resp.add_header("item", "i2").unwrap();
        let out = m.evaluate(&Sources {
            integration_response: Some(resp.view()),
            ..Sources::default()
        });
        assert_eq!(
            out[&Target::Header("location".into())],
            v(&["https://example.com/x"])
        );
        assert_eq!(out[&Target::Header("id".into())], v(&["app-1"]));
        assert_eq!(out[&Target::Header("items".into())], v(&["i1", "i2"]));
    }

    #[test]
    fn bad_expressions_are_load_time_errors() {
        let req = |t: &str, s: &str| ParamMappings::compile_request([(t, s)]).unwrap_err();
        assert!(matches!(
            req("method.request.header.x", "'a'"),
            ParamError::Target { .. }
        ));
        assert!(matches!(
            req("integration.request.cookie.x", "'a'"),
            ParamError::Target { .. }
        ));
        assert!(matches!(
            req("integration.request.header.a b", "'a'"),
            ParamError::Target { .. }
        ));
        assert!(matches!(
            req("integration.request.header.x", "'unclosed"),
            ParamError::Source { .. }
        ));
        assert!(matches!(
            req("integration.request.header.x", "'"),
            ParamError::Source { .. }
        ));
        assert!(matches!(
            req("integration.request.header.x", "context.nope"),
            ParamError::Source { .. }
        ));
        assert!(matches!(
            req("integration.request.header.x", "method.request.cookie.x"),
            ParamError::Source { .. }
        ));
        assert!(matches!(
            req("integration.request.header.x", "integration.response.body"),
            ParamError::Source { .. }
        ));
        assert!(matches!(
            req("integration.request.header.x", "method.request.body.a["),
            ParamError::Path { .. }
        ));
        let resp = ParamMappings::compile_response([(
            "method.response.header.x",
            "method.request.header.y",
        )]);
        assert!(matches!(resp, Err(ParamError::Source { .. })));
        let msg = req("integration.request.header.x", "context.nope").to_string();
        assert!(
            msg.contains("context.nope") && msg.contains("integration.request.header.x"),
            "{msg}"
        );
    }

    #[test]
    fn too_many_mappings_are_refused() {
        let names: Vec<String> = (0..=MAX_MAPPINGS)
            .map(|i| format!("integration.request.header.h{i}"))
            .collect();
        let r = ParamMappings::compile_request(names.iter().map(|n| (n.as_str(), "'x'")));
        assert!(matches!(r, Err(ParamError::TooMany(_))));
    }

    #[test]
    fn a_body_the_host_parsed_is_read_instead_of_parsing_again() {
        // The body text is not JSON: only the handed-over tree can give a value.
        let req = OwnedRequest::new("not json");
        let tree = serde_json::json!({"pet": {"id": 7}});
        let m = ParamMappings::compile_request([
            ("integration.request.path.id", "method.request.body.pet.id"),
            ("integration.request.header.raw", "method.request.body"),
        ])
        .unwrap();
        let out = m.evaluate(&Sources {
            request: Some(req.view()),
            request_json: Some(&tree),
            ..Sources::default()
        });
        assert_eq!(out[&Target::Path("id".into())], v(&["7"]));
        assert_eq!(out[&Target::Header("raw".into())], v(&["not json"]));
    }

    #[test]
    fn a_binary_body_maps_as_lossy_text() {
        let req = OwnedRequest::new(b"a\xffb");
        let m = ParamMappings::compile_request([(
            "integration.request.header.raw",
            "method.request.body",
        )])
        .unwrap();
        let out = m.evaluate(&Sources {
            request: Some(req.view()),
            ..Sources::default()
        });
        assert_eq!(out[&Target::Header("raw".into())], v(&["a\u{fffd}b"]));
    }
}
