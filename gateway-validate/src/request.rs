//! A method's request validation: the request validator's switches, the method's required
//! parameters and its request models, compiled once; then one cheap call per request.
//!
//! Behaviour, from the API Gateway developer guide ("Request validation for REST APIs in API
//! Gateway"): required parameters in the URI, query string and headers must be "included and
//! not blank"; the payload must match the model for its content type, and "if no matching
//! content type is found, request validation is not performed", `$default` standing for any
//! content type. Parameters are checked before the body (localstack's `MethodRequestHandler`,
//! validated against AWS).

use std::sync::Arc;

use serde_json::Value;

use crate::error::LoadError;
use crate::limits::MAX_BODY_BYTES;
use crate::models::{Model, ModelSet};

/// A request validator (`AWS::ApiGateway::RequestValidator`, or an entry of
/// `x-amazon-apigateway-request-validators`): which checks to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestValidator {
    /// `validateRequestBody`: check the body against the request model.
    pub validate_request_body: bool,
    /// `validateRequestParameters`: check required parameters are present and not blank.
    pub validate_request_parameters: bool,
}

impl RequestValidator {
    /// Validate body only.
    pub const BODY: Self = Self {
        validate_request_body: true,
        validate_request_parameters: false,
    };
    /// Validate query string parameters and headers only.
    pub const PARAMETERS: Self = Self {
        validate_request_body: false,
        validate_request_parameters: true,
    };
    /// Validate body, query string parameters, and headers.
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

/// Where a required parameter is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Location {
    Header,
    MultiValueHeader,
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
        let location = match location {
            "header" => Location::Header,
            "multivalueheader" => Location::MultiValueHeader,
            "querystring" => Location::QueryString,
            "multivaluequerystring" => Location::MultiValueQueryString,
            "path" => Location::Path,
            _ => return Err(bad()),
        };
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            key: key.to_owned(),
            location,
            name: name.to_owned(),
        })
    }
}

/// The parts of a request validation looks at, borrowed from the host's request.
///
/// Lists hold every occurrence in arrival order (repeated headers and query keys included).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestView<'a> {
    /// Header name/value pairs; names match case-insensitively.
    pub headers: &'a [(&'a str, &'a str)],
    /// Query string key/value pairs, decoded; keys match exactly.
    pub query: &'a [(&'a str, &'a str)],
    /// Path parameters captured by the route, e.g. `("petId", "7")`.
    pub path: &'a [(&'a str, &'a str)],
    /// The body bytes.
    pub body: &'a [u8],
}

impl<'a> RequestView<'a> {
    /// The `Content-Type` header's value, if any (the last one wins).
    pub fn content_type(&self) -> Option<&'a str> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| *v)
    }
}

/// The gateway response a failed validation produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayResponseType {
    /// `BAD_REQUEST_PARAMETERS`: a required parameter is missing or blank.
    BadRequestParameters,
    /// `BAD_REQUEST_BODY`: the body does not match its model.
    BadRequestBody,
}

impl GatewayResponseType {
    /// The gateway response type's name, as in `x-amazon-apigateway-gateway-responses`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequestParameters => "BAD_REQUEST_PARAMETERS",
            Self::BadRequestBody => "BAD_REQUEST_BODY",
        }
    }
}

/// A request API Gateway would turn away, with everything needed to render the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Which gateway response applies.
    pub response_type: GatewayResponseType,
    /// `$context.error.message`: `Missing required request parameters: [a, b]` or
    /// `Invalid request body`.
    pub message: String,
    /// `$context.error.validationErrorString`.
    pub validation_error_string: String,
}

impl Rejection {
    /// HTTP status of both validation gateway responses.
    pub const STATUS: u16 = 400;

    /// The `x-amzn-ErrorType` header value API Gateway sends with these responses.
    pub const ERROR_TYPE: &'static str = "BadRequestException";

    /// The body of the default gateway response, `{"message":"..."}` (the default template is
    /// `{"message":$context.error.messageString}`).
    pub fn body(&self) -> String {
        format!("{{\"message\":{}}}", Value::String(self.message.clone()))
    }
}

/// The result of validating one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The request may proceed to the integration.
    Valid,
    /// API Gateway answers 400 itself.
    Rejected(Rejection),
}

/// `validationErrorString` when the body is not JSON: API Gateway logs
/// `Request body does not match model schema for content type application/json: [Unknown
/// error parsing request body]` and exposes the bracketed part.
pub const UNPARSEABLE_BODY: &str = "[Unknown error parsing request body]";

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
    pub fn validate(&self, request: &RequestView<'_>) -> Outcome {
        if self.validator.validate_request_parameters
            && let Some(missing) = self.missing_parameters(request)
        {
            return Outcome::Rejected(Rejection {
                response_type: GatewayResponseType::BadRequestParameters,
                validation_error_string: missing.clone(),
                message: missing,
            });
        }
        if self.validator.validate_request_body
            && let Some(model) = self.model_for(request.content_type())
            && let Err(errors) = check_body(model, request.body)
        {
            return Outcome::Rejected(Rejection {
                response_type: GatewayResponseType::BadRequestBody,
                message: "Invalid request body".to_owned(),
                validation_error_string: errors,
            });
        }
        Outcome::Valid
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

/// "Included and not blank": a value of only whitespace counts as missing.
fn non_blank(v: &str) -> bool {
    !v.trim().is_empty()
}

fn present(r: &Required, request: &RequestView<'_>) -> bool {
    let name = r.name.as_str();
    match r.location {
        // A single-value header or query parameter is the last occurrence (API Gateway keeps
        // the last value in `headers` / `queryStringParameters`); multi-value forms count if
        // any occurrence has a value.
        Location::Header => request
            .headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .is_some_and(|(_, v)| non_blank(v)),
        Location::MultiValueHeader => request
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(name) && non_blank(v)),
        Location::QueryString => request
            .query
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .is_some_and(|(_, v)| non_blank(v)),
        Location::MultiValueQueryString => request
            .query
            .iter()
            .any(|(k, v)| *k == name && non_blank(v)),
        Location::Path => request.path.iter().any(|(k, v)| *k == name && non_blank(v)),
    }
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

/// Parses and validates a body; the `validationErrorString` on failure.
fn check_body(model: &Model, body: &[u8]) -> Result<(), String> {
    if body.len() > MAX_BODY_BYTES {
        return Err(UNPARSEABLE_BODY.to_owned());
    }
    let Some(instance) = crate::body::parse(body) else {
        return Err(UNPARSEABLE_BODY.to_owned());
    };
    model.validate(&instance).map_err(|e| e.to_string())
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
        assert!(!non_blank(""));
        assert!(!non_blank("  \t"));
        assert!(non_blank(" a "));
    }
}
