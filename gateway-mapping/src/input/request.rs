//! The request as mapping reads it: [`RequestView`], a borrowed view over the request the
//! gateway owns, and [`OwnedRequest`], an owned request that lends one (for tests, the CLI and
//! `$input`, which outlives the borrow).
//!
//! The gateway owns each request once: its headers as an [`http::HeaderMap`], its query
//! string decoded once into `(name, value)` pairs in arrival order, its path parameters as
//! pairs, its body as bytes. Validation, parameter mappings and `$input` read those same
//! fields through this view; nothing here decodes or parses them again (except the body as
//! JSON, when the host did not hand over the tree it parsed for validation).
//!
//! # Decisions
//!
//! - **Percent-decoding.** Query names and values and path parameters arrive decoded, once,
//!   by the host (the routing step for the path, the request intake for the query string).
//!   This view never decodes: `$input.params('q')` is the pair's value as given.
//! - **Text from bytes.** A body or header value that is not UTF-8 reads as lossy UTF-8: each
//!   malformed sequence becomes U+FFFD. API Gateway runs on Java, whose
//!   `new String(bytes, StandardCharsets.UTF_8)` "always replaces malformed-input and
//!   unmappable-character sequences with this charset's default replacement string"
//!   (`java.lang.String(byte[], Charset)` Javadoc; the UTF-8 replacement is U+FFFD). This holds
//!   for `$input.body`, `$input.json`/`$input.path` (the body is parsed from that text),
//!   `method.request.body` and header values; no byte sequence makes it fail.
//! - **Header names.** A `HeaderMap` stores names in lower case; API Gateway shows a header in
//!   `$input.params().header` under the client's spelling (the console's "Method Request
//!   passthrough" template prints `"Content-Type"`, as recorded in the tests). The view keeps
//!   that spelling when the host has it ([`RequestView::header_names`], filled by
//!   [`OwnedRequest::add_header`]); without it (hyper hands names over in lower case, and
//!   HTTP/2 names are lower case on the wire) names show in lower case. Lookups by name
//!   ignore case either way.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value as Json;

use super::json_of;
use crate::jsonpath::{JsonPath, JsonPathError};
use crate::render::Meter;

/// A request body or parameter the `$input` functions could not use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The JSONPath given to `$input.json` / `$input.path` does not compile.
    #[error(transparent)]
    Path(#[from] JsonPathError),
    /// `$input.json` / `$input.path` needs a JSON body and the body is not JSON.
    #[error("$input: the body is not valid JSON: {0}")]
    BodyNotJson(String),
}

/// A header [`OwnedRequest::add_header`] could not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The name is not an HTTP header name (RFC 9110 `token`).
    #[error("invalid header name {0:?}")]
    Name(String),
    /// The value holds a control character other than a tab.
    #[error("invalid value for header {0:?}")]
    Value(String),
    /// More distinct header names than an [`http::HeaderMap`] holds (24,576).
    #[error("too many headers: an http::HeaderMap holds at most 24576 names")]
    TooMany,
}

/// The headers of a view that has none.
static NO_HEADERS: LazyLock<HeaderMap> = LazyLock::new(HeaderMap::new);

/// The parts of a request mapping reads, borrowed from the host's request (see the module
/// documentation for the decoding rules).
///
/// Query-string and header parameters keep every value in arrival order; the single-value
/// views (`$input.params().querystring`, `.header`, `$input.params(name)`) show the last one.
///
/// ```
/// use gateway_mapping::input::OwnedRequest;
///
/// let mut req = OwnedRequest::new(r#"{"pets": [{"id": 1}, {"id": 2}]}"#);
/// req.add_path("petId", "42");
/// req.add_header("X-Trace", "abc")?;
/// let view = req.view();
/// assert_eq!(view.json("$.pets[0]")?, r#"{"id":1}"#);
/// assert_eq!(view.param("petId").as_deref(), Some("42"));
/// assert_eq!(view.param("x-trace").as_deref(), Some("abc"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    /// The headers; names match case-insensitively, a name's values keep their order.
    pub headers: &'a HeaderMap,
    /// The header names as the client spelled them, in arrival order (one per value or one
    /// per name); empty when the host does not have them. Only the spelling shown by
    /// `$input.params().header` comes from here: the first one matching a name wins.
    pub header_names: &'a [String],
    /// Query-string parameters, decoded: one `(name, value)` pair per value, in arrival order
    /// (a name given twice has two pairs); names match exactly.
    pub query: &'a [(String, String)],
    /// Path parameters, decoded: `(name, value)` pairs; a name given again has a later pair,
    /// whose value wins.
    pub path: &'a [(String, String)],
    /// The body bytes (see the module documentation for how they read as text).
    pub body: &'a [u8],
}

impl Default for RequestView<'_> {
    /// No headers, parameters or body.
    fn default() -> Self {
        RequestView {
            headers: &NO_HEADERS,
            header_names: &[],
            query: &[],
            path: &[],
            body: &[],
        }
    }
}

impl<'a> RequestView<'a> {
    /// `$input.body`: the payload as text (lossy UTF-8); an empty payload reads as `{}`.
    ///
    /// Recorded on real API Gateway: a request with no body rendered `$input.body` as `{}`.
    pub fn body_text(&self) -> Cow<'a, str> {
        if self.body.is_empty() {
            Cow::Borrowed("{}")
        } else {
            String::from_utf8_lossy(self.body)
        }
    }

    /// The body parsed as JSON (an empty body is `{}`), from [`RequestView::body_text`].
    pub fn body_json(&self) -> Result<Json, InputError> {
        serde_json::from_str(&self.body_text()).map_err(|e| InputError::BodyNotJson(e.to_string()))
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
    pub fn param(&self, name: &str) -> Option<Cow<'a, str>> {
        self.path_param(name)
            .or_else(|| self.query(name))
            .map(Cow::Borrowed)
            .or_else(|| self.header(name))
    }

    /// A path parameter's (last given) value.
    pub fn path_param(&self, name: &str) -> Option<&'a str> {
        last_of(self.path, name)
    }

    /// Each path parameter's last value, in the order the names were first given.
    pub fn path_single(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        last_values(self.path).into_iter()
    }

    /// One query-string parameter's last value.
    pub fn query(&self, name: &str) -> Option<&'a str> {
        last_of(self.query, name)
    }

    /// Every value of a query-string parameter, in order.
    pub fn query_values<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.query
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `$input.params().querystring`: each query-string parameter's last value, in the order
    /// the names first arrived.
    pub fn querystring_single(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        last_values(self.query).into_iter()
    }

    /// One header's last value, by case-insensitive name (`None` also for a name that is not
    /// a valid header name).
    pub fn header(&self, name: &str) -> Option<Cow<'a, str>> {
        self.headers
            .get_all(name)
            .iter()
            .next_back()
            .map(header_text)
    }

    /// Every value of a header, in order, by case-insensitive name.
    pub fn header_values(&self, name: &str) -> impl Iterator<Item = Cow<'a, str>> + use<'a> {
        self.headers.get_all(name).into_iter().map(header_text)
    }

    /// `$input.params().header`: each header's last value, under the name as the client
    /// first spelled it ([`RequestView::header_names`]; lower case when unknown), in the
    /// `HeaderMap`'s order of names (the order they first arrived, for a map only appended
    /// to).
    pub fn header_single(&self) -> impl Iterator<Item = (&'a str, Cow<'a, str>)> + use<'a> {
        let spelled = Spellings::new(self.header_names);
        let headers: &'a HeaderMap = self.headers;
        let out: Vec<(&'a str, Cow<'a, str>)> = headers
            .keys()
            .filter_map(|k| {
                let value = headers.get_all(k).iter().next_back()?;
                Some((spelled.get(k.as_str()), header_text(value)))
            })
            .collect();
        out.into_iter()
    }

    /// The `Content-Type` header's (last) value.
    pub fn content_type(&self) -> Option<Cow<'a, str>> {
        self.header("content-type")
    }

    /// An owned copy of the request (what [`crate::input::Input`] keeps).
    pub fn to_request(&self) -> OwnedRequest {
        OwnedRequest {
            headers: self.headers.clone(),
            header_names: self.header_names.to_vec(),
            query: self.query.to_vec(),
            path: self.path.to_vec(),
            body: Bytes::copy_from_slice(self.body),
        }
    }
}

/// A header value as text: lossy UTF-8 (see the module documentation).
fn header_text(v: &HeaderValue) -> Cow<'_, str> {
    String::from_utf8_lossy(v.as_bytes())
}

/// The client's spelling of header names, found by lower-case name: by scanning a few, through
/// a map past [`SCAN_PAIRS`] (so that many headers stay linear).
enum Spellings<'a> {
    Scan(&'a [String]),
    Map(HashMap<String, &'a str>),
}

impl<'a> Spellings<'a> {
    fn new(names: &'a [String]) -> Spellings<'a> {
        if names.len() <= SCAN_PAIRS {
            return Spellings::Scan(names);
        }
        let mut map = HashMap::with_capacity(names.len());
        for n in names {
            map.entry(n.to_ascii_lowercase()).or_insert(n.as_str());
        }
        Spellings::Map(map)
    }

    /// The spelling of `lower` (a lower-case name), or `lower` itself.
    fn get(&self, lower: &'a str) -> &'a str {
        let found = match self {
            Spellings::Scan(names) => names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(lower))
                .map(String::as_str),
            Spellings::Map(map) => map.get(lower).copied(),
        };
        found.unwrap_or(lower)
    }
}

/// The last value of `name` among `pairs`.
fn last_of<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Each name's last value, in the order the names first arrived. Scans for a few names; past
/// [`SCAN_PAIRS`] distinct names, finds them through a map so that many parameters stay
/// linear.
fn last_values(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    let mut index: Option<HashMap<&str, usize>> = None;
    for (k, v) in pairs {
        let found = match &mut index {
            Some(ix) => match ix.get(k.as_str()) {
                Some(i) => Some(*i),
                None => {
                    ix.insert(k, out.len());
                    None
                }
            },
            None => out.iter().position(|(n, _)| n == k),
        };
        match found {
            Some(i) => {
                debug_assert!(i < out.len());
                if let Some(slot) = out.get_mut(i) {
                    slot.1 = v;
                }
            }
            None => {
                out.push((k, v));
                if index.is_none() && out.len() > SCAN_PAIRS {
                    index = Some(out.iter().enumerate().map(|(i, (n, _))| (*n, i)).collect());
                }
            }
        }
    }
    out
}

/// How many distinct names are compared one by one before they are indexed.
const SCAN_PAIRS: usize = 16;

/// A request owned whole, lending a [`RequestView`]: what tests, the CLI and the bench build,
/// and what [`crate::input::Input`] keeps of the view it is given.
///
/// ```
/// use gateway_mapping::input::OwnedRequest;
///
/// let mut req = OwnedRequest::new("{}");
/// req.add_query("q", "1");
/// req.add_query("q", "2");
/// req.add_header("Content-Type", "application/json")?;
/// let view = req.view();
/// assert_eq!(view.query_values("q").collect::<Vec<_>>(), ["1", "2"]);
/// assert_eq!(view.header_single().next(), Some(("Content-Type", "application/json".into())));
/// # Ok::<(), gateway_mapping::input::HeaderError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnedRequest {
    /// See [`RequestView::headers`].
    pub headers: HeaderMap,
    /// See [`RequestView::header_names`].
    pub header_names: Vec<String>,
    /// See [`RequestView::query`].
    pub query: Vec<(String, String)>,
    /// See [`RequestView::path`].
    pub path: Vec<(String, String)>,
    /// See [`RequestView::body`].
    pub body: Bytes,
}

impl OwnedRequest {
    /// A request with this body and no parameters.
    pub fn new(body: impl AsRef<[u8]>) -> OwnedRequest {
        OwnedRequest {
            body: Bytes::copy_from_slice(body.as_ref()),
            ..OwnedRequest::default()
        }
    }

    /// Adds a path parameter (its value replaces an earlier value of the same name).
    pub fn add_path(&mut self, name: &str, value: &str) {
        self.path.push((name.to_owned(), value.to_owned()));
    }

    /// Adds one query-string value (already decoded).
    pub fn add_query(&mut self, name: &str, value: &str) {
        self.query.push((name.to_owned(), value.to_owned()));
    }

    /// Adds one header value, keeping the name's spelling for `$input.params().header`.
    pub fn add_header(&mut self, name: &str, value: &str) -> Result<(), HeaderError> {
        let key = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| HeaderError::Name(name.to_owned()))?;
        let value =
            HeaderValue::from_str(value).map_err(|_| HeaderError::Value(name.to_owned()))?;
        self.headers
            .try_append(key, value)
            .map_err(|_| HeaderError::TooMany)?;
        self.header_names.push(name.to_owned());
        Ok(())
    }

    /// The view over this request.
    pub fn view(&self) -> RequestView<'_> {
        RequestView {
            headers: &self.headers,
            header_names: &self.header_names,
            query: &self.query,
            path: &self.path,
            body: &self.body,
        }
    }
}

impl From<RequestView<'_>> for OwnedRequest {
    fn from(view: RequestView<'_>) -> OwnedRequest {
        view.to_request()
    }
}

impl From<&OwnedRequest> for OwnedRequest {
    fn from(request: &OwnedRequest) -> OwnedRequest {
        request.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_reads_as_empty_object() {
        // localstack tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
        // TestApiGatewayCommon::test_input_body_formatting, "response-raw-body"/"empty-body":
        // `#set($result = $input.body)$result` rendered `{}` for a request without a body.
        let req = OwnedRequest::new("");
        assert_eq!(req.view().body_text(), "{}");
        assert_eq!(req.view().json("$").unwrap(), "{}");
    }

    #[test]
    fn raw_body_is_passed_verbatim() {
        // Same snapshot, "str-body": `some raw data` came back unchanged.
        assert_eq!(
            OwnedRequest::new("some raw data").view().body_text(),
            "some raw data"
        );
    }

    #[test]
    fn json_is_compact_and_keeps_key_order() {
        let req = OwnedRequest::new("{ \"b\" : 1 , \"a\" : [ 1 , {\"c\" : \"d\"} ] }");
        let req = req.view();
        assert_eq!(req.json("$").unwrap(), r#"{"b":1,"a":[1,{"c":"d"}]}"#);
        assert_eq!(req.json("$.a[1].c").unwrap(), r#""d""#);
        assert_eq!(req.json("$.a[*]").unwrap(), r#"[1,{"c":"d"}]"#);
    }

    #[test]
    fn json_of_missing_definite_path_is_empty_json_string() {
        let req = OwnedRequest::new(r#"{"a":1}"#);
        let req = req.view();
        assert_eq!(req.json("$.missing").unwrap(), "\"\"");
        assert_eq!(req.json("$..missing").unwrap(), "[]");
    }

    #[test]
    fn json_of_non_json_body_is_an_error() {
        let req = OwnedRequest::new("some raw data");
        let req = req.view();
        assert!(matches!(req.json("$"), Err(InputError::BodyNotJson(_))));
        assert!(matches!(
            OwnedRequest::new("{}").view().json("$["),
            Err(InputError::Path(_))
        ));
    }

    #[test]
    fn params_search_path_then_query_then_header() {
        // AWS mapping-template reference, `$input.params(x)`: "from the path, query string,
        // or header value (searched in that order)".
        let mut req = OwnedRequest::new("");
        req.add_header("id", "from-header").unwrap();
        assert_eq!(req.view().param("id").as_deref(), Some("from-header"));
        req.add_query("id", "from-query");
        assert_eq!(req.view().param("id").as_deref(), Some("from-query"));
        req.add_path("id", "from-path");
        assert_eq!(req.view().param("id").as_deref(), Some("from-path"));
        assert_eq!(req.view().param("nope"), None);
    }

    #[test]
    fn repeated_parameters_show_their_last_value() {
        let mut req = OwnedRequest::new("");
        req.add_query("q", "1");
        req.add_query("q", "2");
        req.add_header("X-A", "x").unwrap();
        req.add_header("x-a", "y").unwrap();
        let req = req.view();
        assert_eq!(req.param("q").as_deref(), Some("2"));
        assert_eq!(req.header("X-a").as_deref(), Some("y"));
        assert_eq!(req.header_values("x-A").collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(req.query_values("q").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(
            req.query_values("Q").count(),
            0,
            "query names keep their case"
        );
        assert_eq!(req.querystring_single().collect::<Vec<_>>(), [("q", "2")]);
        assert_eq!(
            req.header_single().collect::<Vec<_>>(),
            [("X-A", Cow::Borrowed("y"))]
        );
    }

    #[test]
    fn single_value_views_keep_first_arrival_order_past_the_scan_limit() {
        // Interleaved repeats over more distinct names than the scan handles, so both the
        // scan and the indexed path of `last_values` are taken.
        let n = SCAN_PAIRS * 2 + 3;
        let mut req = OwnedRequest::new("");
        for round in 0..2 {
            for i in 0..n {
                let name = if round == 0 {
                    format!("H-{i}")
                } else {
                    format!("h-{i}")
                };
                req.add_header(&name, &format!("{round}-{i}")).unwrap();
                req.add_query(&format!("q{i}"), &format!("{round}-{i}"));
            }
        }
        req.add_query("Q0", "other");
        let req = req.view();
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

    #[test]
    fn a_body_that_is_not_utf8_reads_as_lossy_text_and_never_fails() {
        // Java's `new String(bytes, UTF_8)` replaces each malformed sequence with U+FFFD.
        let req = OwnedRequest::new(b"{\"a\": \"\xff\xfe\"}\x80");
        let view = req.view();
        assert_eq!(view.body_text(), "{\"a\": \"\u{fffd}\u{fffd}\"}\u{fffd}");
        assert!(matches!(view.json("$.a"), Err(InputError::BodyNotJson(_))));
        let req = OwnedRequest::new(b"{\"a\": \"\xff\"}");
        assert_eq!(req.view().json("$.a").unwrap(), "\"\u{fffd}\"");
    }

    #[test]
    fn header_values_that_are_not_utf8_read_as_lossy_text() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-bin",
            HeaderValue::from_bytes(b"a\xffb").expect("obs-text is a valid header value"),
        );
        let view = RequestView {
            headers: &headers,
            ..RequestView::default()
        };
        assert_eq!(view.header("X-Bin").as_deref(), Some("a\u{fffd}b"));
        // Without the client's spelling, names show in lower case.
        assert_eq!(
            view.header_single().collect::<Vec<_>>(),
            [("x-bin", Cow::Borrowed("a\u{fffd}b"))]
        );
    }

    #[test]
    fn bad_headers_are_typed_errors() {
        let mut req = OwnedRequest::new("");
        assert_eq!(
            req.add_header("a b", "v"),
            Err(HeaderError::Name("a b".into()))
        );
        assert_eq!(
            req.add_header("x", "a\nb"),
            Err(HeaderError::Value("x".into()))
        );
        assert!(req.headers.is_empty() && req.header_names.is_empty());
        // A name that cannot be a header is simply absent.
        assert_eq!(req.view().header("a b"), None);
    }

    #[test]
    fn more_headers_than_a_header_map_holds_is_a_typed_error() {
        let mut req = OwnedRequest::new("");
        let failed = (0..40_000).find_map(|i| req.add_header(&format!("x-{i}"), "v").err());
        assert_eq!(failed, Some(HeaderError::TooMany));
    }
}
