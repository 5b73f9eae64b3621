//! A method's request validation: the request validator's switches, the method's required
//! parameters and its request models, compiled once; then one cheap call per request.
//!
//! Behaviour, from the API Gateway developer guide ("Request validation for REST APIs in API
//! Gateway"): required parameters in the URI, query string and headers must be "included and
//! not blank"; the payload must match the model for its content type, and "if no matching
//! content type is found, request validation is not performed", `$default` standing for any
//! content type. Parameters are checked before the body (localstack's `MethodRequestHandler`,
//! validated against AWS).

use std::fmt;
use std::sync::{Arc, LazyLock};

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::error::LoadError;
use crate::limits::MAX_BODY_BYTES;
use crate::models::{Model, ModelSet};

/// A request validator (`AWS::ApiGateway::RequestValidator`, or an entry of
/// `x-amazon-apigateway-request-validators`): which checks to run. There are four:
/// [`NONE`](Self::NONE), [`BODY`](Self::BODY) ("Validate body" in the developer guide's "Set
/// up basic request validation"), [`PARAMETERS`](Self::PARAMETERS) ("Validate query string
/// parameters and headers") and [`ALL`](Self::ALL) ("Validate body, query string parameters,
/// and headers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RequestValidator {
    /// `validateRequestBody`: check the body against the request model.
    pub validate_request_body: bool,
    /// `validateRequestParameters`: check required parameters are present and not blank.
    pub validate_request_parameters: bool,
}

impl RequestValidator {
    /// `NONE`: validate nothing (the [`Default`]).
    pub const NONE: Self = Self {
        validate_request_body: false,
        validate_request_parameters: false,
    };
    /// `BODY`: validate the body only.
    pub const BODY: Self = Self {
        validate_request_body: true,
        validate_request_parameters: false,
    };
    /// `PARAMETERS`: validate query string parameters and headers (and path parameters) only.
    pub const PARAMETERS: Self = Self {
        validate_request_body: false,
        validate_request_parameters: true,
    };
    /// `ALL`: validate body, query string parameters, and headers.
    pub const ALL: Self = Self {
        validate_request_body: true,
        validate_request_parameters: true,
    };

    /// The validator in force for a method: its own, else the API's default
    /// (`x-amazon-apigateway-request-validator` at API level applies "to all methods unless it
    /// is overridden by the method-level validator", API Gateway developer guide).
    pub fn in_force(method: Option<Self>, api_default: Option<Self>) -> Option<Self> {
        method.or(api_default)
    }
}

/// Where a required parameter is looked for. Header names are parsed once, at load: a name
/// that is not a valid HTTP header name can never be present.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Location {
    Header(Option<HeaderName>),
    MultiValueHeader(Option<HeaderName>),
    MultiValueQueryString,
    Path,
    QueryString,
}

#[derive(Debug, Clone)]
struct Required {
    /// The full `method.request.…` key: missing names are listed in its sorted order.
    key: String,
    location: Location,
    name: String,
}

impl Required {
    fn parse(key: &str) -> Result<Self, LoadError> {
        let bad = || LoadError::BadParameter {
            parameter: key.to_owned(),
        };
        let rest = key.strip_prefix("method.request.").ok_or_else(bad)?;
        let (location, name) = rest.split_once('.').ok_or_else(bad)?;
        if name.is_empty() {
            return Err(bad());
        }
        // `from_bytes` lowercases: header names match case-insensitively (RFC 9110 §5.1).
        let header = || HeaderName::from_bytes(name.as_bytes()).ok();
        let location = match location {
            "header" => Location::Header(header()),
            "multivalueheader" => Location::MultiValueHeader(header()),
            "querystring" => Location::QueryString,
            "multivaluequerystring" => Location::MultiValueQueryString,
            "path" => Location::Path,
            _ => return Err(bad()),
        };
        Ok(Self {
            key: key.to_owned(),
            location,
            name: name.to_owned(),
        })
    }
}

/// The parts of a request validation looks at, borrowed from the gateway's request.
///
/// The gateway owns the request and lends the same fields to validation and to mapping, so
/// both read one view of it:
///
/// - `headers`: the request's header map; names match case-insensitively (the map holds them
///   lowercased), every occurrence is kept in arrival order.
/// - `query`: the query string decoded once by its owner into `(key, value)` pairs in arrival
///   order, repeated keys included. Decoding is the owner's: each key and value is
///   percent-decoded (`+` kept as is, as API Gateway hands `queryStringParameters` on) before it
///   reaches any engine; validation compares keys exactly and never decodes again.
/// - `path`: the path parameters the route captured, e.g. `("petId", "7")`, as the router
///   gives them.
/// - `body`: the body bytes, not necessarily UTF-8.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// Query string key/value pairs, decoded, in arrival order; keys match exactly.
    pub query: &'a [(String, String)],
    /// Path parameters captured by the route.
    pub path: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

/// The header map of a view with no headers.
static NO_HEADERS: LazyLock<HeaderMap> = LazyLock::new(HeaderMap::new);

impl Default for RequestView<'_> {
    /// A request with no headers, query, path parameters or body.
    fn default() -> Self {
        Self {
            headers: &NO_HEADERS,
            query: &[],
            path: &[],
            body: &[],
        }
    }
}

impl<'a> RequestView<'a> {
    /// The `Content-Type` header's value, if any (the last one wins).
    pub fn content_type(&self) -> Option<&'a HeaderValue> {
        self.headers.get_all(CONTENT_TYPE).iter().next_back()
    }
}

/// Which check turned a request away; the gateway maps it to its gateway response type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectionKind {
    /// A required parameter is missing or blank: API Gateway answers with its
    /// `BAD_REQUEST_PARAMETERS` gateway response.
    Parameters,
    /// The body does not match its model, or is not JSON: the `BAD_REQUEST_BODY` gateway
    /// response.
    Body,
}

/// A request API Gateway's validator turns away: what happened, in the words of
/// `$context.error.*`. The gateway decides the response (status, headers, body) from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Which check failed.
    pub kind: RejectionKind,
    /// `$context.error.message`: `Missing required request parameters: [a, b]` or
    /// `Invalid request body`.
    pub message: String,
    /// `$context.error.validationErrorString`: the missing-parameters message again, or the
    /// model's error list (`[object has missing required properties (["name"])]`).
    pub validation_error_string: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rejection {}

/// A request that passed its method's validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Validated {
    /// The body as parsed for validation, when it was validated against a model: hand it on
    /// to mapping (`gateway_mapping::input::Input::with_json`) instead of parsing it again.
    /// `None` when the body was not validated (no body validation, or no model for the
    /// content type): then nothing was parsed.
    pub body: Option<Arc<Value>>,
}

/// `validationErrorString` when the body is not JSON: API Gateway logs
/// `Request body does not match model schema for content type application/json: [Unknown
/// error parsing request body]` and exposes the bracketed part.
pub const UNPARSEABLE_BODY: &str = "[Unknown error parsing request body]";

/// `$context.error.message` of a body that does not match its model ([LS] snapshot
/// "invalid-request-body": `{"message": "Invalid request body"}`).
const INVALID_BODY: &str = "Invalid request body";

/// One method's request validation, compiled.
#[derive(Debug, Clone)]
pub struct MethodValidator {
    validator: RequestValidator,
    required: Vec<Required>,
    /// `(content type as configured, lowercased media type without parameters, model)`.
    models: Vec<(String, String, Arc<Model>)>,
    default_model: Option<Arc<Model>>,
}

impl MethodValidator {
    /// Compiles a method's validation.
    ///
    /// - `validator`: the request validator in force (see [`RequestValidator::in_force`]);
    ///   `None` validates nothing.
    /// - `request_parameters`: the method's `requestParameters` as `(key, required)` pairs,
    ///   keys like `method.request.querystring.page`.
    /// - `request_models`: the method's `requestModels`, content type (or `$default`) to model
    ///   name, resolved against `models`.
    pub fn new<'k>(
        validator: Option<RequestValidator>,
        request_parameters: impl IntoIterator<Item = (&'k str, bool)>,
        request_models: impl IntoIterator<Item = (&'k str, &'k str)>,
        models: &ModelSet,
    ) -> Result<Self, LoadError> {
        let mut required = Vec::new();
        for (key, is_required) in request_parameters {
            let parsed = Required::parse(key)?;
            if is_required {
                required.push(parsed);
            }
        }
        // Missing names are listed in the order of their sorted keys: AWS answered
        // "[x-header-param, issuer, qs1]" for header.x-header-param, path.issuer and
        // querystring.qs1 (localstack test_apigateway_common.snapshot.json,
        // missing-all-required-request-params-post).
        required.sort_by(|a, b| a.key.cmp(&b.key));
        let mut by_type = Vec::new();
        let mut default_model = None;
        for (content_type, name) in request_models {
            let model = models
                .get(name)
                .ok_or_else(|| LoadError::UnknownRequestModel {
                    content_type: content_type.to_owned(),
                    model: name.to_owned(),
                })?
                .clone();
            if content_type == "$default" {
                default_model = Some(model);
            } else {
                by_type.push((content_type.to_owned(), media_type(content_type), model));
            }
        }
        Ok(Self {
            validator: validator.unwrap_or_default(),
            required,
            models: by_type,
            default_model,
        })
    }

    /// Validates one request: parameters first, then the body.
    ///
    /// On success, the parsed body when a model checked it (see [`Validated::body`]).
    pub fn validate(&self, request: &RequestView<'_>) -> Result<Validated, Rejection> {
        if self.validator.validate_request_parameters
            && let Some(missing) = self.missing_parameters(request)
        {
            return Err(Rejection {
                kind: RejectionKind::Parameters,
                validation_error_string: missing.clone(),
                message: missing,
            });
        }
        if !self.validator.validate_request_body {
            return Ok(Validated::default());
        }
        let Some(model) = self.model_for_request(request) else {
            return Ok(Validated::default());
        };
        match check_body(model, request.body) {
            Ok(body) => Ok(Validated {
                body: Some(Arc::new(body)),
            }),
            Err(errors) => Err(Rejection {
                kind: RejectionKind::Body,
                message: INVALID_BODY.to_owned(),
                validation_error_string: errors,
            }),
        }
    }

    /// The model for the request's `Content-Type` (see [`model_for`](Self::model_for)). A
    /// header that is not UTF-8 names no configured content type: only `$default` applies.
    fn model_for_request(&self, request: &RequestView<'_>) -> Option<&Arc<Model>> {
        match request
            .content_type()
            .map(|v| std::str::from_utf8(v.as_bytes()))
        {
            None => self.model_for(None),
            Some(Ok(content_type)) => self.model_for(Some(content_type)),
            Some(Err(_)) => self.default_model.as_ref(),
        }
    }

    /// The model a request with this `Content-Type` is validated against, if any.
    ///
    /// No header counts as `application/json` (API Gateway "defaults to application/json",
    /// developer guide, "Method request behavior for payloads without mapping templates"; AWS
    /// rejects a header-less GET against an `application/json` model in localstack's recorded
    /// `test_api_gateway_request_validator`). An exact match wins; otherwise media types
    /// compare case-insensitively without parameters (RFC 9110 §8.3.1), so
    /// `application/json; charset=utf-8` uses the `application/json` model; then `$default`.
    pub fn model_for(&self, content_type: Option<&str>) -> Option<&Arc<Model>> {
        let content_type = content_type.unwrap_or("application/json");
        if let Some((_, _, m)) = self.models.iter().find(|(ct, _, _)| ct == content_type) {
            return Some(m);
        }
        let wanted = media_type(content_type);
        self.models
            .iter()
            .find(|(_, mt, _)| *mt == wanted)
            .map(|(_, _, m)| m)
            .or(self.default_model.as_ref())
    }

    fn missing_parameters(&self, request: &RequestView<'_>) -> Option<String> {
        let mut missing: Vec<&str> = Vec::new();
        for r in &self.required {
            if !present(r, request) {
                missing.push(&r.name);
            }
        }
        if missing.is_empty() {
            return None;
        }
        Some(format!(
            "Missing required request parameters: [{}]",
            missing.join(", ")
        ))
    }
}

/// "Included and not blank": a value of only whitespace counts as missing. A value that is
/// not UTF-8 has a non-whitespace byte, so it counts as present.
fn non_blank(v: &[u8]) -> bool {
    std::str::from_utf8(v).map_or(true, |s| !s.trim().is_empty())
}

fn present(r: &Required, request: &RequestView<'_>) -> bool {
    let name = r.name.as_str();
    match &r.location {
        // A single-value header or query parameter is the last occurrence (API Gateway keeps
        // the last value in `headers` / `queryStringParameters`); multi-value forms count if
        // any occurrence has a value.
        Location::Header(Some(header)) => request
            .headers
            .get_all(header)
            .iter()
            .next_back()
            .is_some_and(|v| non_blank(v.as_bytes())),
        Location::MultiValueHeader(Some(header)) => request
            .headers
            .get_all(header)
            .iter()
            .any(|v| non_blank(v.as_bytes())),
        Location::Header(None) | Location::MultiValueHeader(None) => false,
        Location::QueryString => request
            .query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .is_some_and(|(_, v)| non_blank(v.as_bytes())),
        Location::MultiValueQueryString => any_non_blank(request.query, name),
        Location::Path => any_non_blank(request.path, name),
    }
}

/// Whether any pair named `name` has a non-blank value.
fn any_non_blank(pairs: &[(String, String)], name: &str) -> bool {
    pairs
        .iter()
        .any(|(k, v)| k == name && non_blank(v.as_bytes()))
}

/// Lowercased `type/subtype` without parameters.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Parses and validates a body: the parsed body, or the `validationErrorString`.
fn check_body(model: &Model, body: &[u8]) -> Result<Value, String> {
    if body.len() > MAX_BODY_BYTES {
        return Err(UNPARSEABLE_BODY.to_owned());
    }
    let Some(instance) = crate::body::parse(body) else {
        return Err(UNPARSEABLE_BODY.to_owned());
    };
    model.validate(&instance).map_err(|e| e.to_string())?;
    Ok(instance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_keys_parse_every_location() {
        for key in [
            "method.request.header.X",
            "method.request.querystring.q",
            "method.request.path.id",
            "method.request.multivalueheader.X",
            "method.request.multivaluequerystring.q",
        ] {
            assert!(Required::parse(key).is_ok(), "{key}");
        }
    }

    #[test]
    fn malformed_parameter_keys_are_load_errors() {
        for key in [
            "header.X",
            "method.request.cookie.c",
            "method.request.header.",
            "method.request.path",
        ] {
            assert_eq!(
                Required::parse(key).err(),
                Some(LoadError::BadParameter {
                    parameter: key.into()
                }),
                "{key}"
            );
        }
    }

    #[test]
    fn media_type_drops_parameters_and_case() {
        assert_eq!(
            media_type("Application/JSON; charset=UTF-8"),
            "application/json"
        );
        assert_eq!(media_type("text/plain"), "text/plain");
    }

    #[test]
    fn blank_values_count_as_missing() {
        assert!(!non_blank(b""));
        assert!(!non_blank(b"  \t"));
        assert!(non_blank(b" a "));
        assert!(non_blank(b"\xff"));
    }
}
