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
//! req.path.insert("petId".into(), "42".into());
//! req.add_header("X-Trace", "abc");
//! assert_eq!(req.json("$.pets[0]").unwrap(), r#"{"id":1}"#);
//! assert_eq!(req.param("petId"), Some("42"));
//! assert_eq!(req.param("x-trace"), Some("abc"));
//! ```

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::jsonpath::{JsonPath, JsonPathError};

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
    /// Path parameters, by name.
    pub path: IndexMap<String, String>,
    /// Query-string parameters, by name, every value in order.
    pub querystring: IndexMap<String, Vec<String>>,
    /// Headers, by name as received, every value in order.
    pub header: IndexMap<String, Vec<String>>,
}

impl RequestView {
    /// A view with this body and no parameters.
    pub fn new(body: impl Into<String>) -> RequestView {
        RequestView {
            body: body.into(),
            ..RequestView::default()
        }
    }

    /// Adds one query-string value.
    pub fn add_query(&mut self, name: &str, value: &str) {
        self.querystring
            .entry(name.to_owned())
            .or_default()
            .push(value.to_owned());
    }

    /// Adds one header value (a header already present under another case is extended).
    pub fn add_header(&mut self, name: &str, value: &str) {
        let key = self
            .header
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .cloned()
            .unwrap_or_else(|| name.to_owned());
        self.header.entry(key).or_default().push(value.to_owned());
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
        Ok(json_of(&path, &self.body_json()?))
    }

    /// `$input.path(path)`: the JSONPath's result as a JSON value, `None` when nothing is
    /// selected by a definite path (the template sees null).
    pub fn path_value(&self, path: &str) -> Result<Option<Json>, InputError> {
        let path = JsonPath::compile(path)?;
        Ok(path.query(&self.body_json()?))
    }

    /// `$input.params(name)`: the parameter from the path, then the query string, then the
    /// headers (case-insensitively), as AWS's reference orders the search.
    pub fn param(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.path.get(name) {
            return Some(v);
        }
        if let Some(v) = self.querystring.get(name).and_then(|v| v.last()) {
            return Some(v);
        }
        self.header(name)
    }

    /// One header's last value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.last())
            .map(String::as_str)
    }

    /// Every value of a header, by case-insensitive name.
    pub fn header_values(&self, name: &str) -> &[String] {
        self.header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// `$input.params().querystring`: each query-string parameter's last value.
    pub fn querystring_single(&self) -> impl Iterator<Item = (&str, &str)> {
        self.querystring
            .iter()
            .filter_map(|(k, v)| v.last().map(|v| (k.as_str(), v.as_str())))
    }

    /// `$input.params().header`: each header's last value.
    pub fn header_single(&self) -> impl Iterator<Item = (&str, &str)> {
        self.header
            .iter()
            .filter_map(|(k, v)| v.last().map(|v| (k.as_str(), v.as_str())))
    }
}

/// `$input.json` for an already-compiled path and parsed body.
pub(crate) fn json_of(path: &JsonPath, body: &Json) -> String {
    match path.query(body) {
        Some(v) => v.to_string(),
        None => "\"\"".to_owned(),
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
        req.path.insert("id".into(), "from-path".into());
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
        assert_eq!(req.header_values("x-A"), ["x", "y"]);
        assert_eq!(req.querystring_single().collect::<Vec<_>>(), [("q", "2")]);
        assert_eq!(req.header_single().collect::<Vec<_>>(), [("X-A", "y")]);
    }
}
