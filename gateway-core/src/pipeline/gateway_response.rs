//! The one place where a failure becomes a status code, headers and a body.
//!
//! A stage that turns a request away reports a [`Failure`]: which gateway response type
//! applies, `$context.error.message`, and for request validation
//! `$context.error.validationErrorString`. [`CompiledApi::gateway_response_for`] renders it:
//!
//! 1. the API's customisation of that type (`x-amazon-apigateway-gateway-responses`), used
//!    whole: its status code, `gatewayresponse.header.*` parameters and `application/json`
//!    template;
//! 2. else the API's `DEFAULT_4XX` or `DEFAULT_5XX`, chosen by the type's default status class;
//! 3. else API Gateway's default: the type's default status, the body of the default template
//!    `{"message":$context.error.messageString}`.
//!
//! Every response carries `Content-Type: application/json` and, for the types AWS sends it
//! with, `x-amzn-ErrorType` ([`error_type`]); the customisation's headers come after them and
//! replace a header of the same name.
//!
//! Sources: developer guide, "Gateway response types for API Gateway" (each type's default
//! status; "if the response type is unspecified, this response defaults to the DEFAULT_4XX
//! type", and DEFAULT_5XX for 5XX types); localstack's `get_gateway_response_or_default` (a
//! customised type is used whole, else DEFAULT_4XX/5XX's status code, parameters and
//! templates); the default template `{"message":$context.error.messageString}` recorded on AWS
//! (localstack `test_apigateway_api.snapshot.json`, `get-gateway-responses`); the
//! `x-amzn-ErrorType` values and default bodies as sent by AWS are collected in the project's
//! research notes (pipeline-access.md §5, validate-route-compress.md §5).
//!
//! ```
//! use gateway_core::compile::{CompileOptions, CompiledApi};
//! use gateway_core::pipeline::Failure;
//!
//! let api = CompiledApi::load(br#"{"swagger": "2.0", "info": {"title": "t"}, "paths": {}}"#,
//!     &CompileOptions::default())?;
//! let no_route = api.router().at("GET", "/nowhere").unwrap_err();
//! let failure = Failure::from(no_route);
//! let response = api.gateway_response_for(&failure, &Default::default(), "GET", "")?;
//! assert_eq!(response.status.as_u16(), 403);
//! assert_eq!(response.header("x-amzn-ErrorType"), Some("MissingAuthenticationTokenException"));
//! assert_eq!(response.body, r#"{"message":"Missing Authentication Token"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bytes::Bytes;
use gateway_mapping::TemplateError;
use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, RequestView as TemplateRequest};
use gateway_mapping::selection::UnsupportedMediaType;
use gateway_policy::sigv4::{AuthError, AuthErrorKind};
use gateway_policy::{AuthorizerConfigError, Denial};
use gateway_validate::{Rejection, RejectionKind, RequestView};
use http::StatusCode;
use http::header::{HeaderName, HeaderValue};

use crate::compile::{CompiledApi, CompiledGatewayResponse};
use crate::model::GatewayResponseType;
use crate::routing::NoRoute;
use crate::text::Escaped;

/// The header that names the error's type on API Gateway's own error responses.
pub const ERROR_TYPE_HEADER: &str = "x-amzn-ErrorType";

/// The media type of every gateway response body.
const JSON: &str = "application/json";

/// Why API Gateway answers a request itself instead of the integration: what every failing
/// stage of the pipeline produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The gateway response type that applies (`$context.error.responseType`).
    pub response_type: GatewayResponseType,
    /// `$context.error.message`; `None` is JSON `null` (as AWS sends for
    /// `AUTHORIZER_CONFIGURATION_ERROR`). `$context.error.messageString` is this quoted as a
    /// JSON string.
    pub message: Option<String>,
    /// `$context.error.validationErrorString`, for request validation failures.
    pub validation_error_string: Option<String>,
    /// The status when this failure's differs from its type's default (AWS answers a Lambda
    /// function error, an `INTEGRATION_FAILURE`, with 502, not 504). The API's customisation
    /// of the type, or of `DEFAULT_4XX`/`DEFAULT_5XX`, still sets the status when it sets one.
    pub status: Option<StatusCode>,
    /// The `x-amzn-ErrorType` when this failure's differs from its type's ([`error_type`]):
    /// a SigV4 failure answered as `INVALID_SIGNATURE` says `IncompleteSignatureException` or
    /// `InvalidSignatureException` after what went wrong.
    pub error_type: Option<&'static str>,
    /// What went wrong, for the gateway's log (API Gateway's execution log line, e.g.
    /// `Execution failed due to configuration error: Unable to transform request`); never
    /// sent to the client.
    pub detail: Option<String>,
}

impl Failure {
    /// A failure of `response_type` with `$context.error.message` set to `message`.
    pub fn new(response_type: GatewayResponseType, message: impl Into<String>) -> Failure {
        Failure {
            response_type,
            message: Some(message.into()),
            validation_error_string: None,
            status: None,
            error_type: None,
            detail: None,
        }
    }

    /// A failure whose `$context.error.message` is `null`.
    pub fn without_message(response_type: GatewayResponseType) -> Failure {
        Failure {
            response_type,
            message: None,
            validation_error_string: None,
            status: None,
            error_type: None,
            detail: None,
        }
    }

    /// The same failure with `$context.error.validationErrorString` set.
    pub fn with_validation_error_string(mut self, value: impl Into<String>) -> Failure {
        self.validation_error_string = Some(value.into());
        self
    }

    /// The same failure answered with `status` unless the API's customisation sets one.
    pub fn with_status(mut self, status: StatusCode) -> Failure {
        self.status = Some(status);
        self
    }

    /// The same failure with a detail for the log ([`Failure::detail`]).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Failure {
        self.detail = Some(detail.into());
        self
    }

    /// The same failure sent with `x-amzn-ErrorType: error_type`.
    pub fn with_error_type(mut self, error_type: &'static str) -> Failure {
        self.error_type = Some(error_type);
        self
    }

    /// The `x-amzn-ErrorType` AWS sends with this failure, if any.
    pub fn error_type(&self) -> Option<&'static str> {
        self.error_type.or(error_type(self.response_type))
    }

    /// `$context.error.messageString`: the message as a JSON string (`"Forbidden"`, quotes
    /// included), or `null`.
    pub fn message_string(&self) -> String {
        serde_json::Value::from(self.message.as_deref()).to_string()
    }

    /// The status API Gateway sends without customisation: this failure's own, else the
    /// type's default (`DEFAULT_4XX`/`DEFAULT_5XX` have none: 400 and 500).
    pub fn default_status(&self) -> StatusCode {
        self.status
            .or(self.response_type.default_status_code())
            .unwrap_or(match self.response_type {
                GatewayResponseType::Default4xx => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            })
    }

    /// The body of API Gateway's default template, `{"message":$context.error.messageString}`,
    /// as AWS sends it: 5XX types with a space after the colon (`{"message": "Internal server
    /// error"}`, 36 bytes recorded), `ACCESS_DENIED` with a capital `Message`.
    pub fn default_body(&self) -> String {
        let key = match self.response_type {
            GatewayResponseType::AccessDenied => "Message",
            _ => "message",
        };
        let space = if is_5xx(self.response_type) { " " } else { "" };
        format!("{{\"{key}\":{space}{}}}", self.message_string())
    }

    /// API Gateway's response to this failure for an API that customises nothing.
    pub fn default_response(&self) -> RenderedGatewayResponse {
        let mut response = RenderedGatewayResponse {
            status: self.default_status(),
            headers: Vec::new(),
            body: self.default_body(),
        };
        response.set_header("content-type", JSON);
        if let Some(error_type) = self.error_type() {
            response.set_header(ERROR_TYPE_HEADER, error_type);
        }
        response
    }
}

/// No route: `MISSING_AUTHENTICATION_TOKEN`, `Missing Authentication Token`.
impl From<NoRoute> for Failure {
    fn from(_: NoRoute) -> Failure {
        Failure::new(
            GatewayResponseType::MissingAuthenticationToken,
            "Missing Authentication Token",
        )
    }
}

/// A request validation rejection: `BAD_REQUEST_PARAMETERS` or `BAD_REQUEST_BODY`, with the
/// validator's message and `validationErrorString`.
impl From<&Rejection> for Failure {
    fn from(rejection: &Rejection) -> Failure {
        let response_type = match rejection.kind {
            RejectionKind::Parameters => GatewayResponseType::BadRequestParameters,
            RejectionKind::Body => GatewayResponseType::BadRequestBody,
        };
        Failure::new(response_type, rejection.message.as_str())
            .with_validation_error_string(rejection.validation_error_string.as_str())
    }
}

/// No request template for the request's content type under the passthrough behaviour:
/// `UNSUPPORTED_MEDIA_TYPE`, `Unsupported Media Type`.
impl From<&UnsupportedMediaType> for Failure {
    fn from(_: &UnsupportedMediaType) -> Failure {
        Failure::new(
            GatewayResponseType::UnsupportedMediaType,
            UnsupportedMediaType::MESSAGE,
        )
    }
}

/// A SigV4 failure, by its kind (the table on [`AuthErrorKind`], from the research notes
/// `iam-apigateway.md` 3.1 item 9 and `pipeline-access.md` 5, recorded on AWS): all 403, the
/// `x-amzn-ErrorType` named after the kind, the error's text as `$context.error.message`.
/// An unknown access key has no gateway response type of its own: `DEFAULT_4XX` with 403.
impl From<&AuthError> for Failure {
    fn from(error: &AuthError) -> Failure {
        use GatewayResponseType as T;
        let kind = error.kind();
        let (response_type, error_type) = match kind {
            AuthErrorKind::MissingAuthenticationToken => (
                T::MissingAuthenticationToken,
                "MissingAuthenticationTokenException",
            ),
            AuthErrorKind::IncompleteSignature => {
                (T::InvalidSignature, "IncompleteSignatureException")
            }
            AuthErrorKind::InvalidSignature => (T::InvalidSignature, "InvalidSignatureException"),
            AuthErrorKind::ExpiredToken => (T::ExpiredToken, "ExpiredTokenException"),
            // UnrecognizedClient, and any kind added later: AWS's catch-all for a client it
            // cannot identify.
            _ => (T::Default4xx, "UnrecognizedClientException"),
        };
        Failure::new(response_type, error.to_string())
            .with_status(StatusCode::FORBIDDEN)
            .with_error_type(error_type)
    }
}

/// A policy or Lambda authorizer denial: `ACCESS_DENIED` (403) with the denial's message.
impl From<&Denial> for Failure {
    fn from(denial: &Denial) -> Failure {
        Failure::new(GatewayResponseType::AccessDenied, denial.message())
    }
}

/// A Lambda authorizer's policy API Gateway cannot use: `AUTHORIZER_CONFIGURATION_ERROR`
/// (500) with a `null` message, as AWS answers (`pipeline-access.md` 5 and 6.3); the
/// error's own text is for the log only.
impl From<&AuthorizerConfigError> for Failure {
    fn from(_: &AuthorizerConfigError) -> Failure {
        Failure::without_message(GatewayResponseType::AuthorizerConfigurationError)
    }
}

/// The `x-amzn-ErrorType` value AWS sends with a gateway response type, or `None` where it
/// sends none or none is known (`REQUEST_TOO_LARGE`, a front-end response; `RESOURCE_NOT_FOUND`;
/// `DEFAULT_4XX`/`DEFAULT_5XX`, which are not failures). Recorded on AWS:
/// `MissingAuthenticationTokenException` (localstack `test_routing_not_found`),
/// `BadRequestException`, `ForbiddenException`, `TooManyRequestsException`,
/// `LimitExceededException`, `UnauthorizedException`, `InternalServerErrorException`,
/// `AuthorizerConfigurationException`, `AccessDeniedException` (AWS logs, research notes
/// pipeline-access.md §5); `AuthorizerFailureException`, `InvalidSignatureException` and
/// `ExpiredTokenException` as localstack sends them.
pub fn error_type(response_type: GatewayResponseType) -> Option<&'static str> {
    use GatewayResponseType as T;
    Some(match response_type {
        T::MissingAuthenticationToken => "MissingAuthenticationTokenException",
        T::BadRequestBody | T::BadRequestParameters | T::UnsupportedMediaType => {
            "BadRequestException"
        }
        T::InvalidApiKey | T::WafFiltered => "ForbiddenException",
        T::AccessDenied => "AccessDeniedException",
        T::Unauthorized => "UnauthorizedException",
        T::AuthorizerConfigurationError => "AuthorizerConfigurationException",
        T::AuthorizerFailure => "AuthorizerFailureException",
        T::Throttled => "TooManyRequestsException",
        T::QuotaExceeded => "LimitExceededException",
        T::IntegrationFailure | T::IntegrationTimeout | T::ApiConfigurationError => {
            "InternalServerErrorException"
        }
        T::InvalidSignature => "InvalidSignatureException",
        T::ExpiredToken => "ExpiredTokenException",
        T::RequestTooLarge | T::ResourceNotFound | T::Default4xx | T::Default5xx => return None,
    })
}

/// Whether a type is in the 5XX class (its default status, or `DEFAULT_5XX` itself).
fn is_5xx(response_type: GatewayResponseType) -> bool {
    match response_type.default_status_code() {
        Some(status) => status.is_server_error(),
        None => response_type == GatewayResponseType::Default5xx,
    }
}

/// A gateway response ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedGatewayResponse {
    /// The status code.
    pub status: StatusCode,
    /// The headers, in order: `content-type`, `x-amzn-ErrorType` where AWS sends it, then the
    /// customisation's `gatewayresponse.header.NAME` values (a name given twice, in any case,
    /// keeps its last value).
    pub headers: Vec<(String, String)>,
    /// The body: the customisation's `application/json` template rendered, or API Gateway's
    /// default (see [`Failure::default_body`]).
    pub body: String,
}

impl RenderedGatewayResponse {
    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets a header, replacing one of the same name (case-insensitive) in place.
    fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            Some(slot) => *slot = (name.to_owned(), value),
            None => self.headers.push((name.to_owned(), value)),
        }
    }

    /// As an `http::Response`. A header whose name or value HTTP does not allow (a
    /// customisation can write anything) is left out.
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::from(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// A gateway response template failed while rendering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{response_type} gateway response template: {}", Escaped(&.error.to_string()))]
pub struct GatewayResponseError {
    /// The response type whose template failed.
    pub response_type: GatewayResponseType,
    /// Why.
    pub error: TemplateError,
}

impl CompiledApi {
    /// The customisation in force for a type: its own, else `DEFAULT_4XX` or `DEFAULT_5XX` by
    /// the type's default status class.
    fn customisation(
        &self,
        response_type: GatewayResponseType,
    ) -> Option<&CompiledGatewayResponse> {
        self.gateway_response(response_type).or_else(|| {
            let fallback = match response_type.default_status_code() {
                Some(s) if s.is_server_error() => GatewayResponseType::Default5xx,
                Some(_) => GatewayResponseType::Default4xx,
                None => return None,
            };
            self.gateway_response(fallback)
        })
    }

    /// The status code of a failure: the API's customisation of its type, else of
    /// `DEFAULT_4XX`/`DEFAULT_5XX`, else the failure's own ([`Failure::default_status`]).
    pub fn gateway_response_status(&self, failure: &Failure) -> StatusCode {
        self.customisation(failure.response_type)
            .and_then(CompiledGatewayResponse::status_code)
            .unwrap_or_else(|| failure.default_status())
    }

    /// Renders the gateway response for `failure` to `request` (routed to `http_method`
    /// `resource_path`; empty before routing): the status
    /// ([`gateway_response_status`](Self::gateway_response_status)), `content-type`,
    /// `x-amzn-ErrorType`, the customisation's static and `method.request.*` headers, and the
    /// body from its `application/json` template (with `$context.error.*`, `apiId`,
    /// `httpMethod`, `resourcePath` and `$input` of the request) or API Gateway's default.
    pub fn gateway_response_for(
        &self,
        failure: &Failure,
        request: &RequestView<'_>,
        http_method: &str,
        resource_path: &str,
    ) -> Result<RenderedGatewayResponse, GatewayResponseError> {
        let mut context = Context::new();
        context.set("apiId", self.api().id.as_str());
        context.set("httpMethod", http_method);
        context.set("resourcePath", resource_path);
        self.gateway_response_in(failure, request, context, &StageVariables::new())
    }

    /// [`gateway_response_for`](Self::gateway_response_for) with the request's own
    /// `$context` (as the pipeline builds it: requestId, stage, identity, ...); the
    /// `error.*` variables are set on it here.
    pub fn gateway_response_in(
        &self,
        failure: &Failure,
        request: &RequestView<'_>,
        mut context: Context,
        stage_variables: &StageVariables,
    ) -> Result<RenderedGatewayResponse, GatewayResponseError> {
        let mut response = failure.default_response();
        response.status = self.gateway_response_status(failure);
        let Some(custom) = self.customisation(failure.response_type) else {
            return Ok(response);
        };
        for (key, source) in custom.response_parameters() {
            let Some(name) = key.strip_prefix("gatewayresponse.header.") else {
                continue;
            };
            if let Some(value) = parameter_value(source, request, stage_variables) {
                response.set_header(name, value);
            }
        }
        if let Some(template) = custom.json_template() {
            context.set("error.message", failure.message.as_deref());
            context.set("error.messageString", failure.message_string());
            context.set("error.responseType", failure.response_type.as_str());
            if let Some(v) = &failure.validation_error_string {
                context.set("error.validationErrorString", v.as_str());
            }
            // The same request fields the validator read, lent to the template.
            let input = TemplateRequest {
                headers: request.headers,
                header_names: &[],
                query: request.query,
                path: request.path,
                body: request.body,
            };
            let scope = mapping_scope(
                Input::new(input),
                &ContextObject::new(context),
                stage_variables,
            );
            response.body = template
                .render(&scope)
                .map_err(|error| GatewayResponseError {
                    response_type: failure.response_type,
                    error,
                })?;
        }
        Ok(response)
    }
}

/// A gateway response header's value: a static `'value'`, `stageVariables.name`, or
/// `method.request.{header,querystring,path}.name` from the request (the last value given;
/// header names match case-insensitively).
fn parameter_value(
    source: &str,
    request: &RequestView<'_>,
    stage_variables: &StageVariables,
) -> Option<String> {
    if let Some(s) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(s.to_owned());
    }
    if let Some(name) = source.strip_prefix("stageVariables.") {
        return stage_variables.get(name).cloned();
    }
    let rest = source.strip_prefix("method.request.")?;
    let (location, name) = rest.split_once('.')?;
    let last = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    match location {
        "header" => request
            .headers
            .get_all(name)
            .iter()
            .next_back()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        "querystring" => last(request.query),
        "path" => last(request.path),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_and_request_header_values_resolve() {
        let mut headers = http::HeaderMap::new();
        headers.append("X-Id", HeaderValue::from_static("a"));
        headers.append("x-id", HeaderValue::from_static("b"));
        let view = RequestView {
            headers: &headers,
            ..Default::default()
        };
        let mut stage = StageVariables::new();
        stage.insert("color".into(), "blue".into());
        assert_eq!(parameter_value("'*'", &view, &stage), Some("*".into()));
        assert_eq!(
            parameter_value("method.request.header.X-ID", &view, &stage),
            Some("b".into())
        );
        assert_eq!(
            parameter_value("method.request.querystring.q", &view, &stage),
            None
        );
        assert_eq!(
            parameter_value("stageVariables.color", &view, &stage),
            Some("blue".into())
        );
        assert_eq!(parameter_value("stageVariables.none", &view, &stage), None);
    }

    #[test]
    fn no_route_is_missing_authentication_token_as_aws_sends_it() {
        // localstack tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
        // test_routing_not_found (recorded on AWS): 403, the body below and
        // x-amzn-ErrorType: MissingAuthenticationTokenException.
        let response = Failure::from(NoRoute).default_response();
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        assert_eq!(
            response.body,
            r#"{"message":"Missing Authentication Token"}"#
        );
        assert_eq!(
            response.headers,
            [
                ("content-type".to_owned(), "application/json".to_owned()),
                (
                    "x-amzn-ErrorType".to_owned(),
                    "MissingAuthenticationTokenException".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn default_bodies_follow_what_aws_sends_per_class() {
        // Research notes pipeline-access.md §5: 5XX bodies have a space after the colon
        // (`{"message": "Internal server error"}`, Content-Length 36 recorded), a null message
        // is `null` (AUTHORIZER_CONFIGURATION_ERROR), ACCESS_DENIED writes `Message`.
        let internal = Failure::new(
            GatewayResponseType::ApiConfigurationError,
            "Internal server error",
        );
        assert_eq!(
            internal.default_body(),
            r#"{"message": "Internal server error"}"#
        );
        assert_eq!(internal.default_body().len(), 36);
        let null = Failure::without_message(GatewayResponseType::AuthorizerConfigurationError);
        assert_eq!(null.default_body(), r#"{"message": null}"#);
        assert_eq!(null.message_string(), "null");
        let forbidden = Failure::new(GatewayResponseType::InvalidApiKey, "Forbidden");
        assert_eq!(forbidden.default_body().len(), 23);
        let denied = Failure::new(
            GatewayResponseType::AccessDenied,
            "User is not authorized to access this resource",
        );
        assert!(denied.default_body().starts_with(r#"{"Message":"#));
    }

    #[test]
    fn a_failures_own_status_beats_the_types_default() {
        let lambda_error = Failure::new(
            GatewayResponseType::IntegrationFailure,
            "Internal server error",
        )
        .with_status(StatusCode::BAD_GATEWAY);
        assert_eq!(
            lambda_error.default_response().status,
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            Failure::new(GatewayResponseType::IntegrationFailure, "x").default_status(),
            StatusCode::GATEWAY_TIMEOUT
        );
    }

    #[test]
    fn every_type_but_the_defaults_and_front_end_ones_names_an_error_type() {
        for &t in GatewayResponseType::ALL {
            let none = matches!(
                t,
                GatewayResponseType::RequestTooLarge
                    | GatewayResponseType::ResourceNotFound
                    | GatewayResponseType::Default4xx
                    | GatewayResponseType::Default5xx
            );
            assert_eq!(error_type(t).is_none(), none, "{t}");
        }
    }

    #[test]
    fn into_response_drops_headers_http_does_not_allow() {
        let mut r = Failure::from(NoRoute).default_response();
        r.set_header("bad name", "x");
        r.set_header("X-Ok", "1");
        let http = r.into_response();
        assert_eq!(http.status(), StatusCode::FORBIDDEN);
        assert_eq!(http.headers().len(), 3);
        assert_eq!(http.headers()["x-ok"], "1");
    }
}
