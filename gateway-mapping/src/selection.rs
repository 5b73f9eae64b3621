//! Which template or integration response applies: request templates chosen by the
//! request's `Content-Type` under the integration's passthrough behaviour, and integration
//! responses chosen by their selection patterns.
//!
//! Both are compiled when the API is loaded ([`RequestTemplates::new`],
//! [`IntegrationResponses::new`]) and consulted per request ([`RequestTemplates::select`],
//! [`IntegrationResponses::select`]). They hold whatever the pipeline attaches (`T`: a
//! compiled [`crate::Template`], a status code, a whole response definition).
//!
//! ```
//! use gateway_mapping::selection::{
//!     IntegrationResponses, PassthroughBehavior, RequestSelection, RequestTemplates,
//! };
//!
//! let templates = RequestTemplates::new(
//!     [("application/json", "json template")],
//!     PassthroughBehavior::WhenNoTemplates,
//! )?;
//! // No Content-Type: API Gateway assumes application/json.
//! assert_eq!(templates.select(None)?, RequestSelection::Template(&"json template"));
//! // An unmapped type is refused when templates exist: the gateway answers with the
//! // UNSUPPORTED_MEDIA_TYPE gateway response (415), `$context.error.*` as below.
//! let refused = templates.select(Some("application/xml")).unwrap_err();
//! assert_eq!(refused.response_type(), "UNSUPPORTED_MEDIA_TYPE");
//! assert_eq!(refused.message(), "Unsupported Media Type");
//! assert_eq!(refused.content_type, "application/xml");
//!
//! let responses = IntegrationResponses::new([
//!     (Some(".*Not Found.*"), 404),
//!     (Some("5\\d{2}"), 500),
//!     (None, 200),
//! ])?;
//! assert_eq!(responses.select("[NotFound] Pet Not Found")?, &404);
//! assert_eq!(responses.select("502")?, &500);
//! assert_eq!(responses.select("200")?, &200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::java::regex::{MAX_PATTERN_LEN, Pattern};

/// The media type API Gateway assumes when a request has no `Content-Type`: "API Gateway
/// defaults to application/json" (developer guide, "Method request behavior for payloads
/// without mapping templates", the example tables' "None" rows).
pub const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// Most request templates or integration responses one integration may declare. API
/// definitions hold a handful; the bound keeps a hostile API file from making each
/// selection slow.
pub const MAX_ENTRIES: usize = 256;

/// A selection table that does not compile: the API definition is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectionError {
    /// A request template's key is not a media type.
    #[error(
        "invalid request template content type {0:?}: expected a media type such as application/json"
    )]
    ContentType(String),
    /// The same media type has two templates.
    #[error("two request templates for the content type {0:?}")]
    DuplicateContentType(String),
    /// A selection pattern is not a valid (Java) regular expression.
    #[error("invalid selection pattern {pattern:?}: {reason}")]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An unknown `passthroughBehavior` value.
    #[error(
        "invalid passthroughBehavior {0:?}: expected WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER"
    )]
    Passthrough(String),
    /// More than [`MAX_ENTRIES`] entries.
    #[error("too many entries: {0}, at most {MAX_ENTRIES} allowed")]
    TooMany(usize),
}

/// The integration's `passthroughBehavior`: what happens to a request whose content type has
/// no template (developer guide, "Method request behavior for payloads without mapping
/// templates"; API reference, `Integration.passthroughBehavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PassthroughBehavior {
    /// `WHEN_NO_MATCH` (the default API Gateway records when none is given, as the
    /// localstack `test_integration_mock_with_path_param` snapshot of an integration shows):
    /// an unmapped content type passes through untransformed.
    #[default]
    WhenNoMatch,
    /// `WHEN_NO_TEMPLATES`: pass through only when the integration has no templates at all;
    /// otherwise an unmapped content type is refused with 415.
    WhenNoTemplates,
    /// `NEVER`: an unmapped content type is always refused with 415, also when there are no
    /// templates.
    Never,
}

impl FromStr for PassthroughBehavior {
    type Err = SelectionError;

    /// Parses the API's spelling: `WHEN_NO_MATCH`, `WHEN_NO_TEMPLATES`, `NEVER`
    /// (case-insensitively, as the import accepts `when_no_match`).
    fn from_str(s: &str) -> Result<Self, SelectionError> {
        match s.to_ascii_uppercase().as_str() {
            "WHEN_NO_MATCH" => Ok(PassthroughBehavior::WhenNoMatch),
            "WHEN_NO_TEMPLATES" => Ok(PassthroughBehavior::WhenNoTemplates),
            "NEVER" => Ok(PassthroughBehavior::Never),
            _ => Err(SelectionError::Passthrough(s.to_owned())),
        }
    }
}

impl fmt::Display for PassthroughBehavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PassthroughBehavior::WhenNoMatch => "WHEN_NO_MATCH",
            PassthroughBehavior::WhenNoTemplates => "WHEN_NO_TEMPLATES",
            PassthroughBehavior::Never => "NEVER",
        })
    }
}

/// What to do with a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSelection<'a, T> {
    /// Render this template.
    Template(&'a T),
    /// Send the body to the integration unchanged.
    Passthrough,
}

/// The request was refused: no template for its content type and the passthrough behaviour
/// does not allow passing it through. A typed outcome carrying what `$context.error.*` shows
/// ([`UnsupportedMediaType::message`], [`UnsupportedMediaType::response_type`]); the gateway
/// turns it into the `UNSUPPORTED_MEDIA_TYPE` gateway response (status 415 by default, body
/// `{"message":"Unsupported Media Type"}`), the engine speaks no HTTP. Recorded on AWS
/// (localstack `test_apigateway_api.snapshot.json`, `get-gateway-responses`): the default
/// `UNSUPPORTED_MEDIA_TYPE` response has status `415` and the template
/// `{"message":$context.error.messageString}`; the message is "Unsupported Media Type" (the
/// docs' "HTTP 415 Unsupported Media Type").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unsupported Media Type: no request template for {content_type:?}")]
pub struct UnsupportedMediaType {
    /// The media type looked up (after defaulting and dropping parameters).
    pub content_type: String,
}

impl UnsupportedMediaType {
    /// The gateway response type the pipeline uses.
    pub const RESPONSE_TYPE: &'static str = "UNSUPPORTED_MEDIA_TYPE";
    /// The message of `$context.error.message`.
    pub const MESSAGE: &'static str = "Unsupported Media Type";

    /// `$context.error.message`: [`UnsupportedMediaType::MESSAGE`].
    pub fn message(&self) -> &'static str {
        Self::MESSAGE
    }

    /// `$context.error.responseType`, the gateway response to answer with:
    /// [`UnsupportedMediaType::RESPONSE_TYPE`].
    pub fn response_type(&self) -> &'static str {
        Self::RESPONSE_TYPE
    }
}

/// An integration's `requestTemplates` with its passthrough behaviour, compiled.
#[derive(Debug, Clone)]
pub struct RequestTemplates<T> {
    /// (lower-case media type, template).
    templates: Vec<(String, T)>,
    passthrough: PassthroughBehavior,
}

/// The media type of a `Content-Type` value: parameters (`; charset=utf-8`) dropped,
/// whitespace trimmed, lower case (media types are case-insensitive, RFC 9110 8.3.1).
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

impl<T> RequestTemplates<T> {
    /// Compiles `requestTemplates` (media type → template). Keys are media types; a key may
    /// carry parameters, which are ignored.
    pub fn new<'k>(
        templates: impl IntoIterator<Item = (&'k str, T)>,
        passthrough: PassthroughBehavior,
    ) -> Result<RequestTemplates<T>, SelectionError> {
        let mut out: Vec<(String, T)> = Vec::new();
        for (key, template) in templates {
            if out.len() == MAX_ENTRIES {
                return Err(SelectionError::TooMany(MAX_ENTRIES + 1));
            }
            let mt = media_type(key);
            let valid = mt.split_once('/').is_some_and(|(a, b)| {
                !a.is_empty() && !b.is_empty() && !mt.contains(char::is_whitespace)
            });
            if !valid {
                return Err(SelectionError::ContentType(key.to_owned()));
            }
            if out.iter().any(|(k, _)| *k == mt) {
                return Err(SelectionError::DuplicateContentType(key.to_owned()));
            }
            out.push((mt, template));
        }
        Ok(RequestTemplates {
            templates: out,
            passthrough,
        })
    }

    /// The passthrough behaviour.
    pub fn passthrough(&self) -> PassthroughBehavior {
        self.passthrough
    }

    /// True when no template is defined.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The template for a request with this `Content-Type` header (`None` when absent: read
    /// as [`DEFAULT_CONTENT_TYPE`]), or passthrough, or 415, following the docs' tables:
    ///
    /// | | template matches | templates, none matches | no templates |
    /// | --- | --- | --- | --- |
    /// | `WHEN_NO_MATCH` | template | passthrough | passthrough |
    /// | `WHEN_NO_TEMPLATES` | template | 415 | passthrough |
    /// | `NEVER` | template | 415 | 415 |
    pub fn select(
        &self,
        content_type: Option<&str>,
    ) -> Result<RequestSelection<'_, T>, UnsupportedMediaType> {
        let mt = match content_type.map(media_type) {
            Some(mt) if !mt.is_empty() => mt,
            _ => DEFAULT_CONTENT_TYPE.to_owned(),
        };
        if let Some((_, t)) = self.templates.iter().find(|(k, _)| *k == mt) {
            return Ok(RequestSelection::Template(t));
        }
        let pass = match self.passthrough {
            PassthroughBehavior::WhenNoMatch => true,
            PassthroughBehavior::WhenNoTemplates => self.templates.is_empty(),
            PassthroughBehavior::Never => false,
        };
        if pass {
            Ok(RequestSelection::Passthrough)
        } else {
            Err(UnsupportedMediaType { content_type: mt })
        }
    }
}

/// No integration response matched and none is the default. API Gateway logs "Execution
/// failed due to configuration error: No match for output mapping and no default output
/// mapping configured" and answers 500 `{"message": "Internal server error"}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no match for output mapping and no default output mapping configured (selection value {value:?})"
)]
pub struct NoMatchingResponse {
    /// The status code or Lambda error message that matched nothing.
    pub value: String,
}

/// An integration's responses with their selection patterns, compiled.
///
/// A pattern is a Java regular expression matched against the *whole* selection value
/// (`Pattern.matches`): the HTTP status code as text (`"404"`) for HTTP and AWS integrations,
/// the `errorMessage` of a failed Lambda invocation for Lambda (non-proxy) integrations
/// (developer guide, `x-amazon-apigateway-integration.responses`: "For HTTP integrations,
/// the regex applies to the integration response status code. For Lambda invocations, the
/// regex applies to the errorMessage field"). `.` does not match a newline, hence the API
/// reference's warning that `.+` misses an error message containing `\n`. An entry without a
/// pattern (or with an empty one, or the OpenAPI key `default`) is the default response,
/// used when no pattern matches.
#[derive(Debug, Clone)]
pub struct IntegrationResponses<T> {
    patterns: Vec<(WholeMatchPattern, T)>,
    default: Option<T>,
}

impl<T> IntegrationResponses<T> {
    /// Compiles `(selectionPattern, response)` entries, in the order given (the first
    /// matching pattern wins). `None`, `""` and `"default"` mark the default response; when
    /// several do, the first is kept.
    pub fn new<'p>(
        entries: impl IntoIterator<Item = (Option<&'p str>, T)>,
    ) -> Result<IntegrationResponses<T>, SelectionError> {
        let mut patterns = Vec::new();
        let mut default = None;
        for (n, (pattern, response)) in entries.into_iter().enumerate() {
            if n == MAX_ENTRIES {
                return Err(SelectionError::TooMany(MAX_ENTRIES + 1));
            }
            match pattern {
                None | Some("") | Some("default") => {
                    if default.is_none() {
                        default = Some(response);
                    }
                }
                Some(p) => patterns.push((WholeMatchPattern::compile(p)?, response)),
            }
        }
        Ok(IntegrationResponses { patterns, default })
    }

    /// The response for this selection value (status code text or Lambda `errorMessage`).
    pub fn select(&self, value: &str) -> Result<&T, NoMatchingResponse> {
        for (re, response) in &self.patterns {
            // A pattern that gives up (backtracking limit) counts as no match.
            if re.is_match(value) {
                return Ok(response);
            }
        }
        self.default.as_ref().ok_or_else(|| NoMatchingResponse {
            value: value.to_owned(),
        })
    }

    /// The response for an HTTP status code.
    pub fn select_status(&self, status: u16) -> Result<&T, NoMatchingResponse> {
        self.select(&status.to_string())
    }

    /// The default response, if any.
    pub fn default_response(&self) -> Option<&T> {
        self.default.as_ref()
    }
}

/// A Java regular expression matched against a whole string (`String.matches`): how API
/// Gateway matches a selection pattern, and a TOKEN authorizer's
/// `identityValidationExpression`. The translation from Java syntax and the limits are those
/// of a template's `String.matches`, so import, load and runtime agree; `Send + Sync`, shared.
#[derive(Debug, Clone)]
pub struct WholeMatchPattern {
    pattern: Arc<Pattern>,
    source: Arc<str>,
}

impl WholeMatchPattern {
    /// Compiles `pattern` (at most 4,096 bytes, within the engine's regex size limit).
    pub fn compile(pattern: &str) -> Result<WholeMatchPattern, SelectionError> {
        let err = |reason: String| SelectionError::Pattern {
            pattern: pattern.to_owned(),
            reason,
        };
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(err(format!(
                "{} bytes, more than the limit of {MAX_PATTERN_LEN}",
                pattern.len()
            )));
        }
        let compiled = Pattern::compile(pattern, true).map_err(|e| err(e.message().to_owned()))?;
        Ok(WholeMatchPattern {
            pattern: Arc::new(compiled),
            source: pattern.into(),
        })
    }

    /// Whether the whole of `value` matches; a pattern that gives up (its backtracking limit)
    /// does not match.
    pub fn is_match(&self, value: &str) -> bool {
        self.pattern.is_match(value)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// The response template for a method response: the one for the request's `Accept` media
/// type, else the `application/json` one, else the first defined (`None` when there are no
/// templates: the body passes through). localstack's integration-response handler documents
/// this order from its AWS-validated tests; the developer guide says API Gateway uses the
/// `Accept` header and falls back to a default.
pub fn select_response_template<'t, T>(
    templates: &'t [(&str, T)],
    accept: Option<&str>,
) -> Option<&'t T> {
    let find = |mt: &str| {
        templates
            .iter()
            .find(|(k, _)| media_type(k) == mt)
            .map(|(_, t)| t)
    };
    accept
        .map(media_type)
        .and_then(|mt| find(&mt))
        .or_else(|| find(DEFAULT_CONTENT_TYPE))
        .or_else(|| templates.first().map(|(_, t)| t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use PassthroughBehavior::*;

    fn json_only(p: PassthroughBehavior) -> RequestTemplates<&'static str> {
        RequestTemplates::new([("application/json", "J")], p).unwrap()
    }

    fn xml_only(p: PassthroughBehavior) -> RequestTemplates<&'static str> {
        RequestTemplates::new([("application/xml", "X")], p).unwrap()
    }

    fn none(p: PassthroughBehavior) -> RequestTemplates<&'static str> {
        RequestTemplates::new([], p).unwrap()
    }

    /// Shorthand: "T" template chosen (its name), "P" passthrough, "415" refused.
    fn outcome(t: &RequestTemplates<&'static str>, ct: Option<&str>) -> &'static str {
        match t.select(ct) {
            Ok(RequestSelection::Template(name)) => name,
            Ok(RequestSelection::Passthrough) => "P",
            Err(_) => "415",
        }
    }

    #[test]
    fn docs_example_1_json_template_defined() {
        // Developer guide, "Method request behavior for payloads without mapping templates",
        // example 1 (one template for application/json): no Content-Type and application/json
        // are transformed under every behaviour; application/xml passes through under
        // WHEN_NO_MATCH and is refused with 415 under WHEN_NO_TEMPLATES and NEVER.
        for p in [WhenNoMatch, WhenNoTemplates, Never] {
            assert_eq!(outcome(&json_only(p), None), "J", "{p}");
            assert_eq!(outcome(&json_only(p), Some("application/json")), "J", "{p}");
        }
        assert_eq!(
            outcome(&json_only(WhenNoMatch), Some("application/xml")),
            "P"
        );
        assert_eq!(
            outcome(&json_only(WhenNoTemplates), Some("application/xml")),
            "415"
        );
        assert_eq!(outcome(&json_only(Never), Some("application/xml")), "415");
    }

    #[test]
    fn docs_example_2_xml_template_defined() {
        // Same page, example 2 (one template for application/xml): no Content-Type (read as
        // application/json) and application/json pass through under WHEN_NO_MATCH and are
        // refused otherwise; application/xml is transformed.
        for ct in [None, Some("application/json")] {
            assert_eq!(outcome(&xml_only(WhenNoMatch), ct), "P");
            assert_eq!(outcome(&xml_only(WhenNoTemplates), ct), "415");
            assert_eq!(outcome(&xml_only(Never), ct), "415");
        }
        for p in [WhenNoMatch, WhenNoTemplates, Never] {
            assert_eq!(outcome(&xml_only(p), Some("application/xml")), "X", "{p}");
        }
    }

    #[test]
    fn docs_example_3_no_templates() {
        // Same page, example 3 (no templates): everything passes through under WHEN_NO_MATCH
        // and WHEN_NO_TEMPLATES, and is refused under NEVER.
        for ct in [None, Some("application/json"), Some("application/xml")] {
            assert_eq!(outcome(&none(WhenNoMatch), ct), "P");
            assert_eq!(outcome(&none(WhenNoTemplates), ct), "P");
            assert_eq!(outcome(&none(Never), ct), "415");
        }
    }

    #[test]
    fn content_type_parameters_and_case_are_ignored() {
        let t = json_only(Never);
        assert_eq!(outcome(&t, Some("application/json; charset=UTF-8")), "J");
        assert_eq!(outcome(&t, Some("Application/JSON")), "J");
        assert_eq!(outcome(&t, Some("")), "J");
        let err = t.select(Some("text/plain; charset=utf-8")).unwrap_err();
        assert_eq!(err.content_type, "text/plain");
    }

    #[test]
    fn unsupported_media_type_carries_the_error_context_of_its_gateway_response() {
        // AWS-recorded default UNSUPPORTED_MEDIA_TYPE gateway response (localstack
        // test_apigateway_api.snapshot.json): 415, {"message":$context.error.messageString}
        // (rendered in tests/apigateway.rs; the status is the gateway's, in gateway-core).
        let err = none(Never).select(None).unwrap_err();
        assert_eq!(err.response_type(), "UNSUPPORTED_MEDIA_TYPE");
        assert_eq!(err.message(), "Unsupported Media Type");
        assert_eq!(err.content_type, DEFAULT_CONTENT_TYPE);
    }

    #[test]
    fn bad_template_tables_are_load_errors() {
        assert_eq!(
            RequestTemplates::new([("json", 1)], WhenNoMatch).unwrap_err(),
            SelectionError::ContentType("json".into())
        );
        assert_eq!(
            RequestTemplates::new([("application/json", 1), ("Application/Json", 2)], Never)
                .unwrap_err(),
            SelectionError::DuplicateContentType("Application/Json".into())
        );
        assert!(RequestTemplates::new([("a b/c", 1)], Never).is_err());
    }

    #[test]
    fn passthrough_behavior_parses_the_api_spelling() {
        assert_eq!(
            "WHEN_NO_MATCH".parse::<PassthroughBehavior>(),
            Ok(WhenNoMatch)
        );
        assert_eq!(
            "when_no_templates".parse::<PassthroughBehavior>(),
            Ok(WhenNoTemplates)
        );
        assert_eq!("NEVER".parse::<PassthroughBehavior>(), Ok(Never));
        assert!("SOMETIMES".parse::<PassthroughBehavior>().is_err());
        assert_eq!(PassthroughBehavior::default(), WhenNoMatch);
        assert_eq!(WhenNoTemplates.to_string(), "WHEN_NO_TEMPLATES");
    }

    #[test]
    fn selection_patterns_match_the_whole_value() {
        // The pattern must match the whole status or message (Java Pattern.matches): "4\d{2}"
        // does not select "1404", "Not Found" does not select "Pet Not Found".
        let r = IntegrationResponses::new([
            (Some("4\\d{2}"), "4xx"),
            (Some("Not Found"), "nf"),
            (None, "default"),
        ])
        .unwrap();
        assert_eq!(r.select("404"), Ok(&"4xx"));
        assert_eq!(r.select("1404"), Ok(&"default"));
        assert_eq!(r.select("Not Found"), Ok(&"nf"));
        assert_eq!(r.select("Pet Not Found"), Ok(&"default"));
        assert_eq!(r.select_status(418), Ok(&"4xx"));
    }

    #[test]
    fn dot_plus_misses_messages_with_newlines() {
        // API reference, IntegrationResponse.selectionPattern: "you could use the .+ regex to
        // match error response. However, make sure that the error response does not contain
        // any newline (\n) character in such cases."
        let r = IntegrationResponses::new([(Some(".+"), "error"), (None, "ok")]).unwrap();
        assert_eq!(r.select("boom"), Ok(&"error"));
        assert_eq!(r.select("line one\nline two"), Ok(&"ok"));
        assert_eq!(r.select(""), Ok(&"ok"));
    }

    #[test]
    fn lambda_error_messages_select_by_pattern() {
        // Developer guide, "Handle Lambda errors in API Gateway": a pattern such as
        // ".*\[BadRequest\].*" (or "Malformed.*") selects the 400 response by errorMessage.
        let r = IntegrationResponses::new([
            (Some(".*\\[BadRequest\\].*"), 400),
            (Some("Malformed.*"), 400),
            (Some(".*\\[NotFound\\].*"), 404),
            (Some(""), 200),
        ])
        .unwrap();
        assert_eq!(r.select("[BadRequest] name is required"), Ok(&400));
        assert_eq!(r.select("Malformed input ..."), Ok(&400));
        assert_eq!(r.select("oops: [NotFound] no pet 7"), Ok(&404));
        assert_eq!(r.select("anything else"), Ok(&200));
    }

    #[test]
    fn java_syntax_is_translated_and_first_match_wins() {
        let r =
            IntegrationResponses::new([(Some("\\p{Upper}+"), "upper"), (Some("[A-Z]+"), "later")])
                .unwrap();
        assert_eq!(r.select("ABC"), Ok(&"upper"));
        assert_eq!(
            r.select("abc"),
            Err(NoMatchingResponse {
                value: "abc".into()
            })
        );
    }

    #[test]
    fn bad_patterns_are_load_errors() {
        let err = IntegrationResponses::new([(Some("(unclosed"), 1)]).unwrap_err();
        assert!(matches!(err, SelectionError::Pattern { .. }), "{err}");
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        assert!(IntegrationResponses::new([(Some(long.as_str()), 1)]).is_err());
    }

    #[test]
    fn selection_patterns_compile_and_match_as_template_regexes_do() {
        // One translation for both: Java's `\p{Alpha}` class and a possessive-free pattern.
        let r = IntegrationResponses::new([(Some("\\p{Alpha}+ error.*"), 1)]).unwrap();
        assert_eq!(r.select("Bad error: x").ok(), Some(&1));
        let scope = crate::value::Scope::new();
        let t = crate::Template::compile(
            "#set($s = 'Bad error: x')$s.matches('\\p{Alpha}+ error.*')",
            &crate::EngineOptions::default(),
        )
        .unwrap();
        assert_eq!(t.render(&scope).unwrap(), "true");
        // A backtracking pattern on a long value gives up within its limit: no match, no hang.
        let r = IntegrationResponses::new([(Some("((a|a)+)\\1c"), 1), (None, 2)]).unwrap();
        assert_eq!(r.select(&"a".repeat(5_000)).ok(), Some(&2));
    }

    #[test]
    fn first_default_is_kept() {
        let r = IntegrationResponses::new([(None, 1), (Some("default"), 2)]).unwrap();
        assert_eq!(r.default_response(), Some(&1));
        assert_eq!(r.select("500"), Ok(&1));
    }

    #[test]
    fn response_template_follows_accept_then_json_then_first() {
        let t = [("application/xml", "X"), ("application/json", "J")];
        assert_eq!(
            select_response_template(&t, Some("application/xml")),
            Some(&"X")
        );
        assert_eq!(select_response_template(&t, Some("text/html")), Some(&"J"));
        assert_eq!(select_response_template(&t, None), Some(&"J"));
        let only_xml = [("application/xml", "X")];
        assert_eq!(
            select_response_template(&only_xml, Some("text/html")),
            Some(&"X")
        );
        let empty: [(&str, &str); 0] = [];
        assert_eq!(select_response_template(&empty, None), None);
    }

    #[test]
    fn tables_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<RequestTemplates<String>>();
        check::<IntegrationResponses<String>>();
    }
    proptest::proptest! {
        #[test]
        fn a_template_is_chosen_exactly_when_the_media_type_matches(ct in "[ -~]{0,40}") {
            // With one application/json template and NEVER: the template when the media type
            // (parameters dropped, case folded; empty meaning application/json) matches,
            // otherwise 415; never a passthrough.
            let t = json_only(Never);
            let mt = media_type(&ct);
            let expect_template = mt.is_empty() || mt == "application/json";
            match t.select(Some(&ct)) {
                Ok(RequestSelection::Template(_)) => proptest::prop_assert!(expect_template),
                Ok(RequestSelection::Passthrough) => proptest::prop_assert!(false, "passthrough"),
                Err(e) => {
                    proptest::prop_assert!(!expect_template);
                    proptest::prop_assert_eq!(e.content_type, mt);
                }
            }
        }

        #[test]
        fn a_literal_pattern_selects_only_its_own_status(status in 100u16..600, other in 100u16..600) {
            let r = IntegrationResponses::new([(Some(status.to_string().as_str()), 1), (None, 0)]).unwrap();
            proptest::prop_assert_eq!(r.select_status(other), Ok(&i32::from(status == other)));
        }
    }
}
