//! The Lambda proxy integration (`AWS_PROXY`, payload format 1.0, REST APIs): the event API
//! Gateway sends the function, and the function's answer read as API Gateway reads it.
//!
//! Both halves are pure: the host's Lambda invoker sends [`encode_event`]'s bytes and hands
//! back the invocation's payload and its `X-Amz-Function-Error` header; the pipeline asks
//! [`invocation_failed`], then [`parse_response`].
//!
//! ```
//! use gateway_core::pipeline::integrations::lambda_proxy::{
//!     EventInput, build_event, invocation_failed, parse_response,
//! };
//! use gateway_mapping::context::{Context, StageVariables};
//! use gateway_mapping::input::OwnedRequest;
//!
//! let mut request = OwnedRequest::new("");
//! request.add_header("Accept", "*/*")?;
//! request.add_path("proxy", "pets/42");
//! let mut context = Context::new();
//! context.set("requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
//! let stage_variables = StageVariables::new();
//! let event = build_event(&EventInput {
//!     request: request.view(),
//!     resource_path: "/{proxy+}",
//!     request_path: "/pets/42",
//!     http_method: "GET",
//!     stage: "prod",
//!     stage_variables: &stage_variables,
//!     base64_body: false,
//!     context: &context,
//! });
//! assert_eq!(event["path"], "/pets/42");
//! assert_eq!(event["requestContext"]["path"], "/prod/pets/42");
//! assert!(event["queryStringParameters"].is_null()); // no query string: null, not {}
//! assert!(event["body"].is_null());
//!
//! assert!(!invocation_failed(None));
//! let answer = parse_response(br#"{"statusCode": "201", "headers": {"X-Id": 7}}"#)?;
//! assert_eq!(answer.status.as_u16(), 201);
//! assert_eq!(answer.headers["x-id"], "7");
//! assert_eq!(answer.headers["content-type"], "application/json");
//! assert!(parse_response(br#"{"statusCode": 200, "wrongValue": 1}"#).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The event
//!
//! Shaped as recorded on AWS (localstack `test_apigateway_lambda.snapshot.json`,
//! `test_lambda_aws_proxy_integration`, recorded 2024-08-02; a REST event captured from a Lambda
//! log, research notes pipeline-access.md §1.1-§1.4):
//!
//! - top-level keys in AWS's order: `resource`, `path`, `httpMethod`, `headers`,
//!   `multiValueHeaders`, `queryStringParameters`, `multiValueQueryStringParameters`,
//!   `pathParameters`, `stageVariables`, `requestContext`, `body`, `isBase64Encoded`;
//! - `path` is the request path after the stage with its leading slashes collapsed to one
//!   (`//hardcoded` gives `/hardcoded`); `requestContext.path` keeps them (`/stage//hardcoded`);
//! - an empty map (headers, query string, path parameters, stage variables) is `null`, not
//!   `{}`; an empty body is `null`;
//! - single-value maps hold each name's last value; header names are spelled as the client
//!   spelled them ([`RequestView::header_names`], the first spelling of a name wins);
//! - the headers API Gateway never forwards to the function ([`DROPPED_REQUEST_HEADERS`]) are
//!   left out;
//! - `requestContext` is read from the request's `$context` ([`Context`]), so the event and
//!   the templates agree; see [`build_event`] for what an unset variable gives.
//!
//! What the front of API Gateway adds (`X-Forwarded-For`, `X-Forwarded-Port`,
//! `X-Forwarded-Proto`, `X-Amzn-Trace-Id`; on an EDGE API CloudFront's headers and its
//! capitalisation of `Authorization` and `User-Agent`) is already in the request the host
//! hands over: this module forwards the headers it is given.
//!
//! # The answer
//!
//! [`parse_response`] reads the invocation's payload as recorded on AWS (localstack
//! `test_aws_proxy_response_payload_format_validation`, recorded 2024-11-15): every field is
//! optional (no `statusCode` is 200), an unknown top-level key, a `statusCode` that is not a
//! number (a numeric string such as `"201"` is one), a `multiValueHeaders` value that is not a
//! list, or a payload that is not a JSON object is a [`ProxyResponseError`], which the client
//! sees as 502 `{"message": "Internal server error"}` ([`integration_failure`]). `headers` and
//! `multiValueHeaders` merge case-insensitively, multi values first.
//!
//! Scalars where text is expected are read as their JSON text (`true` as `"true"`, recorded for
//! a header value); an object or array there is malformed (an object `body` is answered 502 on
//! AWS: the execution log in vincentsarago/lambda-proxy#59 says "Malformed Lambda proxy
//! response"). This is how a Java (Jackson) reader with default settings coerces scalars to
//! strings, which the recorded boolean header matches; numbers follow the same rule
//! (not recorded).
//!
//! Whether the body reaches the client base64-decoded depends on the request's `Accept`
//! ([`ProxyResponse::client_body`]).
//!
//! # Untrusted input
//!
//! The request and the function's answer are untrusted. Nothing here panics on them. The
//! answer is refused past [`MAX_RESPONSE_PAYLOAD_BYTES`] before it is parsed; JSON nesting is
//! bounded by `serde_json`'s recursion limit (128 levels), so parsing cannot exhaust the stack;
//! a header map that would outgrow `http::HeaderMap` is an error, not a panic. Text quoted in
//! an error message is clipped to [`MAX_QUOTED_CHARS`] characters and printed with control
//! characters escaped. The event is refused past [`MAX_INVOKE_PAYLOAD_BYTES`], checked on the
//! body before the event is built.

use std::collections::{HashMap, HashSet};
use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;
use gateway_mapping::context::{Context, StageVariables};
use gateway_mapping::input::RequestView;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use crate::pipeline::Failure;
use crate::text::Escaped;

/// The largest event Lambda accepts for a synchronous invocation: 6 MB, exactly 6,291,456
/// bytes (Lambda `Invoke` API reference: "For synchronous invocations, the maximum payload
/// size is 6 MB"; Lambda's error text "Request must be smaller than 6291456 bytes for the
/// InvokeFunction operation", quoted in pelmers/streetwarp-web#14 and JupiterOne/sdk#565).
///
/// A larger event is answered 413 [`REQUEST_TOO_LONG_BODY`] ([`EventError::TooLarge`]).
pub const MAX_INVOKE_PAYLOAD_BYTES: usize = 6_291_456;

/// The largest function answer Lambda returns: 6,291,556 bytes (Lambda's error text
/// "Response payload size exceeded maximum allowed payload size (6291556 bytes)", quoted in
/// DataBiosphere/azul#8258, where API Gateway answered such a response 502 with
/// `INTEGRATION_FAILURE`). [`parse_response`] refuses a larger payload without reading it.
pub const MAX_RESPONSE_PAYLOAD_BYTES: usize = 6_291_556;

/// The response header of Lambda's `Invoke` API that marks a failed invocation (`Handled` or
/// `Unhandled`, the latter also for the function's own timeout); see [`invocation_failed`].
pub const FUNCTION_ERROR_HEADER: &str = "X-Amz-Function-Error";

/// Request headers API Gateway never forwards to the function (lower case), recorded on AWS:
/// localstack `test_apigateway_integrations.snapshot.json`,
/// `test_apigateway_header_remapping_aws[AWS_PROXY]` / `no-param-integration` (the client sent
/// each of these and none reached the event; `Content-Encoding`, `Via`, `Date` and
/// `Authorization` did), and `test_lambda_aws_proxy_integration` (a POST's `Content-Length`
/// is absent from the recorded event).
pub const DROPPED_REQUEST_HEADERS: &[&str] = &[
    "connection",
    "content-length",
    "content-md5",
    "expect",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "www-authenticate",
];

/// The body API Gateway answers an event over [`MAX_INVOKE_PAYLOAD_BYTES`] with, status 413,
/// `x-amzn-ErrorType: BadRequestException` (a real response quoted in
/// koki-develop/lgtm-generator#10: `HTTP/2 413`, `content-length: 31`).
pub const REQUEST_TOO_LONG_BODY: &str = r#"{"message": "Request Too Long"}"#;

/// The lowest `statusCode` accepted: a 1xx status is not a final response (RFC 9110 §15.2) and
/// an HTTP server cannot send one as the answer. AWS's own bound is not recorded.
pub const MIN_STATUS: u16 = 200;

/// The highest `statusCode` accepted: the last of the classes RFC 9110 §15 defines. AWS's own
/// bound is not recorded.
pub const MAX_STATUS: u16 = 599;

/// How many characters of a key or header name from the answer an error message quotes.
pub const MAX_QUOTED_CHARS: usize = 64;

/// The `Content-Type` of an answer that sets none, as recorded on AWS (`invoke-api-no-body`:
/// `Content-Type: application/json`) and documented ("returns the default
/// Content-Type:application/json", developer guide, "Tutorial: Create a REST API with a Lambda
/// proxy integration").
const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// The key order of `requestContext` as AWS serialises it (a `java.util.HashMap`'s order),
/// from a REST event captured in a Lambda log (research notes pipeline-access.md §1.3, code
/// index id 55907051410). `authorizer` is left out when `$context` has none.
const CONTEXT_KEYS: [&str; 17] = [
    "resourceId",
    "authorizer",
    "resourcePath",
    "httpMethod",
    "extendedRequestId",
    "requestTime",
    "path",
    "accountId",
    "protocol",
    "stage",
    "domainPrefix",
    "requestTimeEpoch",
    "requestId",
    "identity",
    "domainName",
    "deploymentId",
    "apiId",
];

use crate::pipeline::context::IDENTITY_KEYS;

/// A base64 reader as lenient as `java.util.Base64.getDecoder()`: padding optional.
pub(crate) const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

// ------------------------------------------------------------------------------------------
// The event
// ------------------------------------------------------------------------------------------

/// What the event is built from: the request as the pipeline holds it, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct EventInput<'a> {
    /// The request: headers (with the client's spellings), decoded query pairs in arrival
    /// order, path parameters as routing found them (a greedy `{proxy+}` value without its
    /// trailing slash), body bytes.
    pub request: RequestView<'a>,
    /// The matched resource's path template (`/{proxy+}`): the event's `resource`.
    pub resource_path: &'a str,
    /// The request path after the stage, as received (`//hardcoded`, `/pets/`), not
    /// percent-decoded: the event's `path` after collapsing its leading slashes.
    pub request_path: &'a str,
    /// The request's method (the real one, also under `ANY`).
    pub http_method: &'a str,
    /// The stage name.
    pub stage: &'a str,
    /// The stage's variables (`null` in the event when there are none).
    pub stage_variables: &'a StageVariables,
    /// Whether the body goes base64-encoded (`isBase64Encoded: true`): the request is binary,
    /// its `Content-Type` matching the API's `binaryMediaTypes` (the pipeline decides).
    pub base64_body: bool,
    /// The request's `$context`: `requestContext` is read from it.
    pub context: &'a Context,
}

/// The event API Gateway sends the function for this request (see the module documentation
/// for its rules).
///
/// `requestContext` is read from [`EventInput::context`]: `authorizer` only when `$context`
/// has one (the object the authorizer stage set: a Lambda authorizer's `principalId`, its
/// stringified context and `integrationLatency`, or Cognito's `claims`); `identity` with its
/// twelve keys, then any further `identity` variables `$context` holds (`apiKey`, `apiKeyId`,
/// `clientCert`, `vpcId`, ...) in their order. A variable `$context` leaves unset (or null) is
/// `null` in the event, as recorded for the unknown identity fields; except that
/// `httpMethod`, `resourcePath`, `stage` and `path` then fall back to this input's method,
/// resource path, stage and `/{stage}{request_path}`, so the event keeps its shape when the
/// context is sparse. `requestTimeEpoch` is whatever `$context` holds (a number once
/// [`Context::set_request_time`] set it, as AWS sends it).
pub fn build_event(input: &EventInput<'_>) -> Json {
    let request = &input.request;
    let (headers, multi_headers) = header_maps(request);
    let (query, multi_query) = query_maps(request.query);
    let mut event = Map::with_capacity(12);
    event.insert("resource".into(), input.resource_path.into());
    event.insert("path".into(), event_path(input.request_path).into());
    event.insert("httpMethod".into(), input.http_method.into());
    event.insert("headers".into(), headers);
    event.insert("multiValueHeaders".into(), multi_headers);
    event.insert("queryStringParameters".into(), query);
    event.insert("multiValueQueryStringParameters".into(), multi_query);
    event.insert(
        "pathParameters".into(),
        object_or_null(request.path_single().map(|(k, v)| (k.to_owned(), v.into()))),
    );
    event.insert(
        "stageVariables".into(),
        object_or_null(
            input
                .stage_variables
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().into())),
        ),
    );
    event.insert("requestContext".into(), request_context(input));
    event.insert("body".into(), event_body(request.body, input.base64_body));
    event.insert("isBase64Encoded".into(), input.base64_body.into());
    Json::Object(event)
}

/// The event serialised as the bytes sent to Lambda, or [`EventError::TooLarge`] past
/// [`MAX_INVOKE_PAYLOAD_BYTES`]. A body that cannot fit is refused before the event is built.
pub fn encode_event(input: &EventInput<'_>) -> Result<Vec<u8>, EventError> {
    let body = input.request.body.len();
    // The body's encoded form is never shorter than this: base64 is 4 bytes per 3, and JSON
    // string escaping only lengthens text.
    let least = if input.base64_body {
        body.div_ceil(3).saturating_mul(4)
    } else {
        body
    };
    if least > MAX_INVOKE_PAYLOAD_BYTES {
        return Err(EventError::TooLarge { size: least });
    }
    let bytes =
        serde_json::to_vec(&build_event(input)).map_err(|e| EventError::Encode(e.to_string()))?;
    if bytes.len() > MAX_INVOKE_PAYLOAD_BYTES {
        return Err(EventError::TooLarge { size: bytes.len() });
    }
    Ok(bytes)
}

/// Why the event could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The event is larger than Lambda takes: API Gateway answers 413
    /// [`REQUEST_TOO_LONG_BODY`] with `x-amzn-ErrorType: BadRequestException`.
    #[error(
        "the Lambda proxy event is at least {size} bytes, over Lambda's {MAX_INVOKE_PAYLOAD_BYTES}-byte invocation payload limit"
    )]
    TooLarge {
        /// The event's size in bytes (a lower bound when refused on the body alone).
        size: usize,
    },
    /// The event could not be serialised (not expected for a JSON tree; kept so that no
    /// failure is hidden).
    #[error("the Lambda proxy event could not be serialised: {0}")]
    Encode(String),
}

/// The event's `path`: the request path with its leading slashes collapsed to one (`/` for an
/// empty path). Recorded: `//hardcoded` is `/hardcoded`, `/proxy-value/` keeps its trailing
/// slash, `/proxy-value//double-slash` keeps its inner one.
fn event_path(request_path: &str) -> String {
    let rest = request_path.trim_start_matches('/');
    let mut path = String::with_capacity(rest.len() + 1);
    path.push('/');
    path.push_str(rest);
    path
}

/// `headers` and `multiValueHeaders`: each forwarded header under the client's spelling, its
/// last value and all its values (lossy UTF-8); `null` when there is none.
fn header_maps(request: &RequestView<'_>) -> (Json, Json) {
    let mut spelled: HashMap<String, &str> = HashMap::with_capacity(request.header_names.len());
    for name in request.header_names {
        spelled
            .entry(name.to_ascii_lowercase())
            .or_insert(name.as_str());
    }
    let mut single = Map::new();
    let mut multi = Map::new();
    for name in request.headers.keys() {
        let lower = name.as_str();
        if DROPPED_REQUEST_HEADERS.contains(&lower) {
            continue;
        }
        let values: Vec<Json> = request
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned().into())
            .collect();
        let Some(last) = values.last().cloned() else {
            continue;
        };
        let key = spelled.get(lower).copied().unwrap_or(lower);
        single.insert(key.to_owned(), last);
        multi.insert(key.to_owned(), Json::Array(values));
    }
    if single.is_empty() {
        (Json::Null, Json::Null)
    } else {
        (Json::Object(single), Json::Object(multi))
    }
}

/// `queryStringParameters` and `multiValueQueryStringParameters`: each name's last value and
/// all its values, names in first-arrival order (recorded: `category=electronics&category=books`
/// gives `books` and `["electronics", "books"]`); `null` for no query string.
fn query_maps(query: &[(String, String)]) -> (Json, Json) {
    if query.is_empty() {
        return (Json::Null, Json::Null);
    }
    let mut grouped: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for (name, value) in query {
        grouped
            .entry(name.as_str())
            .or_default()
            .push(value.as_str());
    }
    let mut single = Map::with_capacity(grouped.len());
    let mut multi = Map::with_capacity(grouped.len());
    for (name, values) in grouped {
        if let Some(last) = values.last() {
            single.insert(name.to_owned(), (*last).into());
        }
        multi.insert(
            name.to_owned(),
            Json::Array(values.into_iter().map(Json::from).collect()),
        );
    }
    (Json::Object(single), Json::Object(multi))
}

/// An object of these entries, or `null` when there are none.
fn object_or_null(entries: impl Iterator<Item = (String, Json)>) -> Json {
    let map: Map<String, Json> = entries.collect();
    if map.is_empty() {
        Json::Null
    } else {
        Json::Object(map)
    }
}

/// The event's `body`: `null` when empty, base64 text when `base64`, else the bytes as (lossy)
/// UTF-8 text, as `$input.body` reads them.
fn event_body(body: &[u8], base64: bool) -> Json {
    if body.is_empty() {
        Json::Null
    } else if base64 {
        STANDARD.encode(body).into()
    } else {
        String::from_utf8_lossy(body).into_owned().into()
    }
}

/// A `$context` variable, `None` when unset or null.
fn context_value(context: &Context, name: &str) -> Option<Json> {
    context.get(name).filter(|v| !v.is_null())
}

/// `requestContext`, read from `$context` (see [`build_event`]).
fn request_context(input: &EventInput<'_>) -> Json {
    let context = input.context;
    let mut out = Map::with_capacity(CONTEXT_KEYS.len());
    for key in CONTEXT_KEYS {
        let value = match key {
            "authorizer" => match context_value(context, key) {
                Some(v) => v,
                None => continue,
            },
            "identity" => identity(context),
            "httpMethod" => context_value(context, key).unwrap_or_else(|| input.http_method.into()),
            "resourcePath" => {
                context_value(context, key).unwrap_or_else(|| input.resource_path.into())
            }
            "stage" => context_value(context, key).unwrap_or_else(|| input.stage.into()),
            "path" => context_value(context, key)
                .unwrap_or_else(|| format!("/{}{}", input.stage, input.request_path).into()),
            _ => context_value(context, key).unwrap_or(Json::Null),
        };
        out.insert(key.to_owned(), value);
    }
    Json::Object(out)
}

/// `requestContext.identity`: the twelve keys AWS always sends, then any other identity
/// variable `$context` holds.
fn identity(context: &Context) -> Json {
    let mut from_context = match context.get("identity") {
        Some(Json::Object(map)) => map,
        _ => Map::new(),
    };
    let mut out = Map::with_capacity(IDENTITY_KEYS.len() + from_context.len());
    for key in IDENTITY_KEYS {
        let value = from_context.remove(key).unwrap_or(Json::Null);
        out.insert(key.to_owned(), value);
    }
    out.extend(from_context);
    Json::Object(out)
}

// ------------------------------------------------------------------------------------------
// The answer
// ------------------------------------------------------------------------------------------

/// Whether the invocation failed, from the `X-Amz-Function-Error` header of Lambda's answer
/// ([`FUNCTION_ERROR_HEADER`]): present (`Unhandled`, `Handled`, any value) means the function
/// failed, and under `AWS_PROXY` API Gateway answers 502 `{"message": "Internal server
/// error"}` ([`integration_failure`]) without reading the payload as a proxy response.
///
/// Sources: Lambda `Invoke` API reference ("FunctionError: If present, indicates that an error
/// occurred during function execution"); an API Gateway execution log of a timed-out function
/// ("Lambda execution failed with status 200 due to customer function error", "Method
/// completed with status: 502"; research notes pipeline-access.md §1.7).
pub fn invocation_failed(function_error: Option<&str>) -> bool {
    function_error.is_some()
}

/// API Gateway's answer to a failed Lambda proxy invocation (a function error or a malformed
/// answer): `INTEGRATION_FAILURE`, status 502, `{"message": "Internal server error"}` (36
/// bytes), `x-amzn-ErrorType: InternalServerErrorException` (recorded: localstack
/// `test_aws_proxy_response_payload_format_validation`, `invoke-api-wrong-format` and
/// `invoke-api-empty-response`).
pub fn integration_failure() -> Failure {
    crate::pipeline::failures::lambda("Malformed Lambda proxy response")
}

/// A malformed answer is [`integration_failure`].
impl From<&ProxyResponseError> for Failure {
    fn from(error: &ProxyResponseError) -> Failure {
        crate::pipeline::failures::lambda(format!(
            "Execution failed due to configuration error: Malformed Lambda proxy response: {error}"
        ))
    }
}

/// The function's answer as API Gateway read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyResponse {
    /// `statusCode` (200 when absent or null).
    pub status: StatusCode,
    /// `multiValueHeaders` merged with `headers`, case-insensitively: a name's multi values
    /// first, then its single value unless that value is already among them (developer
    /// guide, "Lambda proxy integrations": when the same key-value pair is in both, only the
    /// `multiValueHeaders` values appear; recorded `invoke-api-multi-headers-overwrite`:
    /// `value-multi, value-solo`). `Content-Type: application/json` when the function set no
    /// content type. The proxy rule for restricted names (`Connection`, `Content-Length`,
    /// `Date`, `Server` come out as `x-amzn-Remapped-*`) is not applied here: it belongs to
    /// the response stage, as for `HTTP_PROXY`.
    pub headers: HeaderMap,
    /// The spelling of each name in [`ProxyResponse::headers`], in the map's order: the first
    /// spelling the function used, a `multiValueHeaders` key before a `headers` key (recorded
    /// `invoke-api-multi-headers-overwrite-casing`: `tesT-Multi`), for a host that keeps
    /// header case on HTTP/1.1.
    pub header_names: Vec<String>,
    /// `body` as the function gave it (UTF-8 text; empty when absent or null), not decoded:
    /// see [`ProxyResponse::client_body`].
    pub body: Bytes,
    /// `isBase64Encoded` (false when absent or null).
    pub is_base64_encoded: bool,
}

impl ProxyResponse {
    /// The body the client gets: base64-decoded when the function said `isBase64Encoded:
    /// true` and the request's `Accept` names a binary media type (`accept_is_binary`: its
    /// first media type matches the API's `binaryMediaTypes`, which the pipeline decides),
    /// else [`ProxyResponse::body`] as is.
    ///
    /// Recorded on AWS (localstack `test_aws_proxy_binary_response`, validated): without a
    /// matching `Accept` (or with no `binaryMediaTypes`) the base64 text is returned as is,
    /// even with `isBase64Encoded: true`; the function's `Content-Type` plays no part. Base64
    /// is read as `java.util.Base64.getDecoder()` reads it (padding optional). Text that is
    /// not base64 is an error the pipeline answers 500 `Internal server error` (research notes
    /// validate-route-compress.md §4.2: "Bad base64 → 500").
    pub fn client_body(&self, accept_is_binary: bool) -> Result<Bytes, InvalidBase64Body> {
        if !(self.is_base64_encoded && accept_is_binary) {
            return Ok(self.body.clone());
        }
        LENIENT_BASE64
            .decode(&self.body)
            .map(Bytes::from)
            .map_err(|e| InvalidBase64Body {
                reason: e.to_string(),
            })
    }
}

/// A body marked `isBase64Encoded` that is not base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Lambda proxy response body is marked isBase64Encoded but is not base64: {reason}")]
pub struct InvalidBase64Body {
    /// What the decoder found.
    pub reason: String,
}

/// What kind of JSON value was found where another was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonKind {
    /// The kind of `value`.
    pub fn of(value: &Json) -> JsonKind {
        match value {
            Json::Null => JsonKind::Null,
            Json::Bool(_) => JsonKind::Boolean,
            Json::Number(_) => JsonKind::Number,
            Json::String(_) => JsonKind::String,
            Json::Array(_) => JsonKind::Array,
            Json::Object(_) => JsonKind::Object,
        }
    }
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonKind::Null => "null",
            JsonKind::Boolean => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        })
    }
}

/// Why an answer is not a Lambda proxy response ("Malformed Lambda proxy response" in API
/// Gateway's execution log). Every case is answered 502 `{"message": "Internal server error"}`
/// ([`integration_failure`]; `Failure::from(&error)`); the message says what was wrong, for
/// logs. Quoted names and keys are clipped to [`MAX_QUOTED_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyResponseError {
    /// The payload is larger than Lambda returns ([`MAX_RESPONSE_PAYLOAD_BYTES`]).
    TooLarge {
        /// The payload's size in bytes.
        size: usize,
    },
    /// The payload is not JSON (an empty payload included).
    NotJson {
        /// The parser's message (position and what it expected; no input is quoted).
        reason: String,
    },
    /// The payload is JSON but not an object (recorded `invoke-api-just-string`; a `null`
    /// answer, aws-lambda-graphql#48's execution log).
    NotAnObject {
        /// What it is.
        found: JsonKind,
    },
    /// A top-level key other than `statusCode`, `headers`, `multiValueHeaders`, `body`,
    /// `isBase64Encoded` (recorded `invoke-api-wrong-format`).
    UnknownKey {
        /// The key.
        key: String,
    },
    /// `statusCode` is not an integer from [`MIN_STATUS`] to [`MAX_STATUS`], as a number or
    /// a string of digits (recorded `invoke-api-invalid-status-code`: `"test"`).
    InvalidStatusCode {
        /// The value as JSON.
        value: String,
    },
    /// `headers` or `multiValueHeaders` is neither an object nor null.
    NotAnObjectField {
        /// `headers` or `multiValueHeaders`.
        field: &'static str,
        /// What it is.
        found: JsonKind,
    },
    /// A `multiValueHeaders` value is neither a list nor null (recorded
    /// `invoke-api-multi-headers-invalid`).
    NotAList {
        /// The header name.
        name: String,
        /// What it is.
        found: JsonKind,
    },
    /// A header value, a `multiValueHeaders` item or `body` is an object or an array.
    NotText {
        /// `headers`, `multiValueHeaders` or `body`.
        field: &'static str,
        /// The header name (empty for `body`).
        name: String,
        /// What it is.
        found: JsonKind,
    },
    /// `isBase64Encoded` is not a boolean (nor `"true"`/`"false"`, nor null).
    InvalidIsBase64Encoded {
        /// What it is.
        found: JsonKind,
    },
    /// A header name is not an HTTP token (RFC 9110 §5.1).
    InvalidHeaderName {
        /// The name.
        name: String,
    },
    /// A header value holds a control character other than a tab (RFC 9110 §5.5).
    InvalidHeaderValue {
        /// The header name.
        name: String,
    },
    /// More header names than an `http::HeaderMap` holds.
    TooManyHeaders,
}

impl fmt::Display for ProxyResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("malformed Lambda proxy response: ")?;
        match self {
            ProxyResponseError::TooLarge { size } => write!(
                f,
                "{size} bytes, over Lambda's {MAX_RESPONSE_PAYLOAD_BYTES}-byte response limit"
            ),
            ProxyResponseError::NotJson { reason } => write!(f, "not JSON ({reason})"),
            ProxyResponseError::NotAnObject { found } => {
                write!(f, "{found}, not a JSON object")
            }
            ProxyResponseError::UnknownKey { key } => write!(
                f,
                "unknown key {:?} (allowed: statusCode, headers, multiValueHeaders, body, isBase64Encoded)",
                key
            ),
            ProxyResponseError::InvalidStatusCode { value } => write!(
                f,
                "statusCode {} is not an integer from {MIN_STATUS} to {MAX_STATUS}",
                Escaped(value)
            ),
            ProxyResponseError::NotAnObjectField { field, found } => {
                write!(f, "{field} is {found}, not an object")
            }
            ProxyResponseError::NotAList { name, found } => {
                write!(f, "multiValueHeaders[{:?}] is {found}, not a list", name)
            }
            ProxyResponseError::NotText { field, name, found } if name.is_empty() => {
                write!(f, "{field} is {found}, not text")
            }
            ProxyResponseError::NotText { field, name, found } => {
                write!(f, "{field}[{:?}] holds {found}, not text", name)
            }
            ProxyResponseError::InvalidIsBase64Encoded { found } => {
                write!(f, "isBase64Encoded is {found}, not a boolean")
            }
            ProxyResponseError::InvalidHeaderName { name } => {
                write!(f, "{:?} is not a valid header name", name)
            }
            ProxyResponseError::InvalidHeaderValue { name } => write!(
                f,
                "the value of header {:?} holds a control character",
                name
            ),
            ProxyResponseError::TooManyHeaders => {
                f.write_str("more headers than a header map holds")
            }
        }
    }
}

impl std::error::Error for ProxyResponseError {}

/// Reads a Lambda invocation's payload as API Gateway reads an `AWS_PROXY` answer (see the
/// module documentation). Call it only when [`invocation_failed`] is false.
///
/// Decisions where AWS's behaviour is not recorded: a `statusCode` given as a number with a
/// zero fraction (`200.0`) is accepted (as a Java reader coerces it), one with a fraction is
/// not; a `statusCode`, `headers`, `multiValueHeaders`, `body`, `isBase64Encoded`, header
/// value or list item that is `null` counts as absent; a number where text is expected reads
/// as its JSON text (`serde_json`'s rendering: `1.50` reads as `1.5`); `isBase64Encoded`
/// also takes the strings `"true"` and `"false"`.
pub fn parse_response(payload: &[u8]) -> Result<ProxyResponse, ProxyResponseError> {
    if payload.len() > MAX_RESPONSE_PAYLOAD_BYTES {
        return Err(ProxyResponseError::TooLarge {
            size: payload.len(),
        });
    }
    let json: Json = serde_json::from_slice(payload).map_err(|e| ProxyResponseError::NotJson {
        reason: e.to_string(),
    })?;
    let Json::Object(fields) = json else {
        return Err(ProxyResponseError::NotAnObject {
            found: JsonKind::of(&json),
        });
    };
    let mut status = StatusCode::OK;
    let mut single = Json::Null;
    let mut multi = Json::Null;
    let mut body = None;
    let mut is_base64_encoded = false;
    for (key, value) in fields {
        match key.as_str() {
            "statusCode" => status = status_code(&value)?,
            "headers" => single = value,
            "multiValueHeaders" => multi = value,
            "body" => body = text("body", "", value)?,
            "isBase64Encoded" => is_base64_encoded = boolean(&value)?,
            _ => return Err(ProxyResponseError::UnknownKey { key: clip(&key) }),
        }
    }
    let (headers, header_names) = merge_headers(multi, single)?;
    Ok(ProxyResponse {
        status,
        headers,
        header_names,
        body: body.map(Bytes::from).unwrap_or_default(),
        is_base64_encoded,
    })
}

/// `s` clipped to [`MAX_QUOTED_CHARS`] characters (with `…` when clipped).
fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((at, _)) => {
            let mut out = s.get(..at).unwrap_or_default().to_owned();
            out.push('…');
            out
        }
        None => s.to_owned(),
    }
}

/// `statusCode`: an integer number, or a string of ASCII digits (recorded
/// `invoke-api-status-code-str`: `"201"` gives 201), from [`MIN_STATUS`] to [`MAX_STATUS`];
/// null is 200.
fn status_code(value: &Json) -> Result<StatusCode, ProxyResponseError> {
    let code: Option<u64> = match value {
        Json::Null => return Ok(StatusCode::OK),
        Json::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(f))
                // In range and integral, so the conversion is exact.
                .map(|f| f as u64)
        }),
        // At most 5 digits, so the parse cannot overflow into a wrong value.
        Json::String(s) if (1..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    };
    code.and_then(|c| u16::try_from(c).ok())
        .filter(|c| (MIN_STATUS..=MAX_STATUS).contains(c))
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| ProxyResponseError::InvalidStatusCode {
            value: clip(&value.to_string()),
        })
}

/// `isBase64Encoded`: a boolean, `"true"`/`"false"`, or null (false).
fn boolean(value: &Json) -> Result<bool, ProxyResponseError> {
    match value {
        Json::Null => Ok(false),
        Json::Bool(b) => Ok(*b),
        Json::String(s) if s == "true" => Ok(true),
        Json::String(s) if s == "false" => Ok(false),
        other => Err(ProxyResponseError::InvalidIsBase64Encoded {
            found: JsonKind::of(other),
        }),
    }
}

/// A value read as text: a string as is, a boolean or number as its JSON text, null as
/// absent; an object or array is [`ProxyResponseError::NotText`].
fn text(
    field: &'static str,
    name: &str,
    value: Json,
) -> Result<Option<String>, ProxyResponseError> {
    match value {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s)),
        Json::Bool(b) => Ok(Some(b.to_string())),
        Json::Number(n) => Ok(Some(n.to_string())),
        other => Err(ProxyResponseError::NotText {
            field,
            name: clip(name),
            found: JsonKind::of(&other),
        }),
    }
}

/// The headers being merged, with the spelling of each name.
struct Merged {
    headers: HeaderMap,
    names: Vec<String>,
}

impl Merged {
    /// Appends `value` under `name` (spelled `spelling`).
    fn append(
        &mut self,
        name: HeaderName,
        spelling: &str,
        value: HeaderValue,
    ) -> Result<(), ProxyResponseError> {
        if !self.headers.contains_key(&name) {
            self.names.push(spelling.to_owned());
        }
        self.headers
            .try_append(name, value)
            .map(|_| ())
            .map_err(|_| ProxyResponseError::TooManyHeaders)
    }
}

/// A header name from the answer.
fn header_name(name: &str) -> Result<HeaderName, ProxyResponseError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ProxyResponseError::InvalidHeaderName { name: clip(name) })
}

/// A header value from the answer.
fn header_value(name: &str, value: &str) -> Result<HeaderValue, ProxyResponseError> {
    HeaderValue::from_str(value)
        .map_err(|_| ProxyResponseError::InvalidHeaderValue { name: clip(name) })
}

/// `multiValueHeaders` and `headers` merged (see [`ProxyResponse::headers`]).
fn merge_headers(
    multi: Json,
    single: Json,
) -> Result<(HeaderMap, Vec<String>), ProxyResponseError> {
    let mut merged = Merged {
        headers: HeaderMap::new(),
        names: Vec::new(),
    };
    for (name, values) in fields_of("multiValueHeaders", multi)? {
        let items = match values {
            Json::Null => continue,
            Json::Array(items) => items,
            other => {
                return Err(ProxyResponseError::NotAList {
                    name: clip(&name),
                    found: JsonKind::of(&other),
                });
            }
        };
        let key = header_name(&name)?;
        for item in items {
            if let Some(value) = text("multiValueHeaders", &name, item)? {
                merged.append(key.clone(), &name, header_value(&name, &value)?)?;
            }
        }
    }
    // The (name, value) pairs multiValueHeaders gave: a hash set, so that many headers stay
    // linear.
    let from_multi: HashSet<(HeaderName, HeaderValue)> = merged
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (name, value) in fields_of("headers", single)? {
        let key = header_name(&name)?;
        let Some(value) = text("headers", &name, value)? else {
            continue;
        };
        let value = header_value(&name, &value)?;
        if !from_multi.contains(&(key.clone(), value.clone())) {
            merged.append(key, &name, value)?;
        }
    }
    if !merged.headers.contains_key(CONTENT_TYPE) {
        merged.append(
            CONTENT_TYPE,
            "Content-Type",
            HeaderValue::from_static(DEFAULT_CONTENT_TYPE),
        )?;
    }
    Ok((merged.headers, merged.names))
}

/// The entries of `headers` / `multiValueHeaders` (none for null).
fn fields_of(field: &'static str, value: Json) -> Result<Map<String, Json>, ProxyResponseError> {
    match value {
        Json::Null => Ok(Map::new()),
        Json::Object(map) => Ok(map),
        other => Err(ProxyResponseError::NotAnObjectField {
            field,
            found: JsonKind::of(&other),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gateway_mapping::input::OwnedRequest;
    use proptest::prelude::*;
    use serde_json::json;

    /// Recorded events: localstack `tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json`,
    /// `test_lambda_aws_proxy_integration` (recorded on AWS 2024-08-02, EDGE API, stage `stage`).
    const RECORDED: &str =
        "test_apigateway_lambda.snapshot.json::test_lambda_aws_proxy_integration";

    /// The `$context` of a recorded request, its volatile values set to the snapshot's
    /// placeholders (the recording replaced ids, times and addresses with them).
    fn recorded_context(
        method: &str,
        resource: &str,
        path: &str,
        n: u32,
        resource_id: u32,
    ) -> Context {
        let mut ctx = Context::new();
        ctx.set("resourceId", format!("<resource-id:{resource_id}>"));
        ctx.set("resourcePath", resource);
        ctx.set("httpMethod", method);
        ctx.set("extendedRequestId", format!("<extended-request-id:{n}>"));
        ctx.set("requestTime", "<request-time>");
        ctx.set("path", path);
        ctx.set("accountId", "111111111111");
        ctx.set("protocol", "HTTP/1.1");
        ctx.set("stage", "stage");
        ctx.set("domainPrefix", "<api-id>");
        ctx.set("requestTimeEpoch", "<request-time-epoch>");
        ctx.set("requestId", format!("<uuid:{n}>"));
        ctx.set("identity.sourceIp", "<source-ip:1>");
        ctx.set("identity.userAgent", "python-requests/testing");
        ctx.set("domainName", "<host:1>");
        ctx.set("deploymentId", "<deployment-id:1>");
        ctx.set("apiId", "<api-id>");
        ctx
    }

    /// The headers the EDGE front (CloudFront, then API Gateway's front) delivered with each
    /// recorded request, as placeholders, in the recorded spelling.
    fn add_edge_headers(req: &mut OwnedRequest, n: u32) {
        for (name, value) in [
            ("Accept", "*/*".to_owned()),
            ("Accept-Encoding", "gzip, deflate".to_owned()),
            ("CloudFront-Forwarded-Proto", "https".to_owned()),
            ("CloudFront-Is-Desktop-Viewer", "true".to_owned()),
            ("CloudFront-Is-Mobile-Viewer", "false".to_owned()),
            ("CloudFront-Is-SmartTV-Viewer", "false".to_owned()),
            ("CloudFront-Is-Tablet-Viewer", "false".to_owned()),
            ("CloudFront-Viewer-ASN", "<cloudfront-asn:1>".to_owned()),
            (
                "CloudFront-Viewer-Country",
                "<cloudfront-country:1>".to_owned(),
            ),
            ("Host", "<host:1>".to_owned()),
            ("User-Agent", "python-requests/testing".to_owned()),
            ("Via", format!("<via:{n}>")),
            ("X-Amz-Cf-Id", format!("<cf-id:{n}>")),
            ("X-Amzn-Trace-Id", format!("<trace-id:{n}>")),
            ("X-Forwarded-For", "<X-Forwarded-For>".to_owned()),
            ("X-Forwarded-Port", "<X-Forwarded-Port>".to_owned()),
            ("X-Forwarded-Proto", "<X-Forwarded-Proto>".to_owned()),
        ] {
            req.add_header(name, &value).unwrap();
        }
    }

    /// `headers` and `multiValueHeaders` of the EDGE headers plus `extra`.
    fn edge_header_maps(n: u32, extra: &[(&str, &str)]) -> (Json, Json) {
        let mut req = OwnedRequest::new("");
        add_edge_headers(&mut req, n);
        let mut single = Map::new();
        let mut multi = Map::new();
        let names = req.header_names.clone();
        let pairs = names
            .iter()
            .map(|n| (n.as_str(), req.view().header(n).unwrap().into_owned()))
            .chain(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        for (k, v) in pairs {
            single.insert(k.to_owned(), json!(v));
            // The snapshot shows X-Forwarded-* under multiValueHeaders as a bare placeholder
            // string: its key_value transformer replaced the list. AWS sends a list.
            multi.insert(k.to_owned(), json!([v]));
        }
        (Json::Object(single), Json::Object(multi))
    }

    fn input<'a>(
        req: &'a OwnedRequest,
        resource: &'a str,
        path: &'a str,
        method: &'a str,
        vars: &'a StageVariables,
        ctx: &'a Context,
    ) -> EventInput<'a> {
        EventInput {
            request: req.view(),
            resource_path: resource,
            request_path: path,
            http_method: method,
            stage: "stage",
            stage_variables: vars,
            base64_body: false,
            context: ctx,
        }
    }

    fn recorded_identity() -> Json {
        json!({
            "cognitoIdentityPoolId": null, "accountId": null, "cognitoIdentityId": null,
            "caller": null, "sourceIp": "<source-ip:1>", "principalOrgId": null,
            "accessKey": null, "cognitoAuthenticationType": null,
            "cognitoAuthenticationProvider": null, "userArn": null,
            "userAgent": "python-requests/testing", "user": null
        })
    }

    #[test]
    fn event_matches_the_recorded_hardcoded_get() {
        // RECORDED / `invocation-hardcoded`: GET //hardcoded on resource /hardcoded with a
        // header in odd casing and `authorization` (CloudFront delivers it capitalised).
        let mut req = OwnedRequest::new("");
        add_edge_headers(&mut req, 11);
        req.add_header("Authorization", "random-value").unwrap();
        req.add_header("tEsT-HEADeR", "aValUE").unwrap();
        req.add_header("Connection", "keep-alive").unwrap();
        let vars = StageVariables::new();
        let ctx = recorded_context("GET", "/hardcoded", "/stage//hardcoded", 11, 2);
        let event = build_event(&input(
            &req,
            "/hardcoded",
            "//hardcoded",
            "GET",
            &vars,
            &ctx,
        ));

        let (headers, multi) = edge_header_maps(
            11,
            &[("Authorization", "random-value"), ("tEsT-HEADeR", "aValUE")],
        );
        let recorded = json!({
            "resource": "/hardcoded",
            "path": "/hardcoded",
            "httpMethod": "GET",
            "headers": headers,
            "multiValueHeaders": multi,
            "queryStringParameters": null,
            "multiValueQueryStringParameters": null,
            "pathParameters": null,
            "stageVariables": null,
            "requestContext": {
                "resourceId": "<resource-id:2>", "resourcePath": "/hardcoded",
                "httpMethod": "GET", "extendedRequestId": "<extended-request-id:11>",
                "requestTime": "<request-time>", "path": "/stage//hardcoded",
                "accountId": "111111111111", "protocol": "HTTP/1.1", "stage": "stage",
                "domainPrefix": "<api-id>", "requestTimeEpoch": "<request-time-epoch>",
                "requestId": "<uuid:11>", "identity": recorded_identity(),
                "domainName": "<host:1>", "deploymentId": "<deployment-id:1>",
                "apiId": "<api-id>"
            },
            "body": null,
            "isBase64Encoded": false
        });
        // Map equality ignores order; order is pinned by event_keys_come_in_aws_order.
        assert_eq!(event, recorded, "{RECORDED} / invocation-hardcoded");
        // No authorizer on the method: no `authorizer` key at all (RECORDED, every key).
        assert!(event["requestContext"].get("authorizer").is_none());
    }

    #[test]
    fn event_matches_the_recorded_post_with_repeated_query_keys() {
        // RECORDED / `invocation-payload-with-params-encoding-multi`: POST /proxy-value on
        // /{proxy+} with ?category=electronics&category=books&price=10&price=20&price=30 and
        // a JSON body; `requests` also sent Content-Length and Connection, which AWS dropped.
        let body = r#"{"message": "hello world"}"#;
        let mut req = OwnedRequest::new(body);
        add_edge_headers(&mut req, 10);
        req.add_header("Content-Type", "application/json;charset=utf-8")
            .unwrap();
        req.add_header("Authorization", "Bearer token123;API key456")
            .unwrap();
        req.add_header("Content-Length", "26").unwrap();
        req.add_header("Connection", "keep-alive").unwrap();
        for (k, v) in [
            ("category", "electronics"),
            ("category", "books"),
            ("price", "10"),
            ("price", "20"),
            ("price", "30"),
        ] {
            req.add_query(k, v);
        }
        req.add_path("proxy", "proxy-value");
        let vars = StageVariables::new();
        let ctx = recorded_context("POST", "/{proxy+}", "/stage/proxy-value", 10, 1);
        let event = build_event(&input(
            &req,
            "/{proxy+}",
            "/proxy-value",
            "POST",
            &vars,
            &ctx,
        ));

        let (headers, multi) = edge_header_maps(
            10,
            &[
                ("Content-Type", "application/json;charset=utf-8"),
                ("Authorization", "Bearer token123;API key456"),
            ],
        );
        let recorded = json!({
            "resource": "/{proxy+}",
            "path": "/proxy-value",
            "httpMethod": "POST",
            "headers": headers,
            "multiValueHeaders": multi,
            "queryStringParameters": {"category": "books", "price": "30"},
            "multiValueQueryStringParameters": {
                "category": ["electronics", "books"], "price": ["10", "20", "30"]
            },
            "pathParameters": {"proxy": "proxy-value"},
            "stageVariables": null,
            "requestContext": {
                "resourceId": "<resource-id:1>", "resourcePath": "/{proxy+}",
                "httpMethod": "POST", "extendedRequestId": "<extended-request-id:10>",
                "requestTime": "<request-time>", "path": "/stage/proxy-value",
                "accountId": "111111111111", "protocol": "HTTP/1.1", "stage": "stage",
                "domainPrefix": "<api-id>", "requestTimeEpoch": "<request-time-epoch>",
                "requestId": "<uuid:10>", "identity": recorded_identity(),
                "domainName": "<host:1>", "deploymentId": "<deployment-id:1>",
                "apiId": "<api-id>"
            },
            // The snapshot shows the body parsed (its serialiser parses JSON strings); the
            // event carries the raw text.
            "body": body,
            "isBase64Encoded": false
        });
        assert_eq!(
            event, recorded,
            "{RECORDED} / invocation-payload-with-params-encoding-multi"
        );
    }

    #[test]
    fn event_keys_come_in_aws_order() {
        // A REST event captured from a Lambda log (research notes pipeline-access.md §1.3,
        // code index id 55907051410): top-level, requestContext and identity key orders.
        let req = OwnedRequest::new("");
        let vars = StageVariables::new();
        let mut ctx = Context::new();
        ctx.set("authorizer.claims.sub", "58e18350");
        ctx.set("identity.apiKey", "k");
        let event = build_event(&input(&req, "/r", "/r", "GET", &vars, &ctx));
        let keys = |v: &Json| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&event),
            [
                "resource",
                "path",
                "httpMethod",
                "headers",
                "multiValueHeaders",
                "queryStringParameters",
                "multiValueQueryStringParameters",
                "pathParameters",
                "stageVariables",
                "requestContext",
                "body",
                "isBase64Encoded"
            ]
        );
        assert_eq!(keys(&event["requestContext"]), CONTEXT_KEYS);
        assert_eq!(
            event["requestContext"]["authorizer"],
            json!({"claims": {"sub": "58e18350"}})
        );
        let mut identity: Vec<&str> = IDENTITY_KEYS.to_vec();
        identity.push("apiKey");
        assert_eq!(keys(&event["requestContext"]["identity"]), identity);
    }

    #[test]
    fn path_collapses_leading_slashes_and_keeps_the_rest() {
        // RECORDED keys `-with-prepended-slash` (//proxy-value → /proxy-value, context path
        // /stage//proxy-value), `-with-trailing-slash`, `-with-double-slash`,
        // `-with-path-encoded-email` (no decoding).
        assert_eq!(event_path("//proxy-value"), "/proxy-value");
        assert_eq!(event_path("/proxy-value/"), "/proxy-value/");
        assert_eq!(
            event_path("/proxy-value//double-slash"),
            "/proxy-value//double-slash"
        );
        assert_eq!(
            event_path("/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"),
            "/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"
        );
        assert_eq!(event_path(""), "/");
        // Without `$context.path` the context path is /{stage} + the raw path.
        let req = OwnedRequest::new("");
        let vars = StageVariables::new();
        let ctx = Context::new();
        let event = build_event(&input(
            &req,
            "/{proxy+}",
            "//proxy-value",
            "GET",
            &vars,
            &ctx,
        ));
        assert_eq!(event["path"], "/proxy-value");
        assert_eq!(event["requestContext"]["path"], "/stage//proxy-value");
    }

    #[test]
    fn unset_context_variables_are_null_and_the_routing_ones_fall_back() {
        let req = OwnedRequest::new("");
        let vars = StageVariables::new();
        let ctx = Context::new();
        let event = build_event(&input(&req, "/pets/{id}", "/pets/1", "DELETE", &vars, &ctx));
        let rc = &event["requestContext"];
        assert_eq!(rc["httpMethod"], "DELETE");
        assert_eq!(rc["resourcePath"], "/pets/{id}");
        assert_eq!(rc["stage"], "stage");
        assert_eq!(rc["path"], "/stage/pets/1");
        for key in [
            "requestId",
            "accountId",
            "apiId",
            "requestTimeEpoch",
            "domainName",
        ] {
            assert!(rc[key].is_null(), "{key}");
        }
        assert_eq!(rc["identity"].as_object().unwrap().len(), 12);
        assert!(
            rc["identity"]
                .as_object()
                .unwrap()
                .values()
                .all(Json::is_null)
        );
        // The context wins where it has a value, so event and templates agree.
        let mut ctx = Context::new();
        ctx.set("stage", "from-context");
        ctx.set_request_time(1_781_500_363_847);
        let event = build_event(&input(&req, "/", "/", "GET", &vars, &ctx));
        assert_eq!(event["requestContext"]["stage"], "from-context");
        // aws-log id=55907051410: requestTimeEpoch is a number, requestTime CLF text.
        assert_eq!(
            event["requestContext"]["requestTimeEpoch"],
            json!(1_781_500_363_847_i64)
        );
        assert_eq!(
            event["requestContext"]["requestTime"],
            "15/Jun/2026:05:12:43 +0000"
        );
    }

    #[test]
    fn empty_maps_and_body_are_null_and_present_ones_are_objects() {
        // RECORDED `invocation-hardcoded`: null maps and body; research §1.2.
        let req = OwnedRequest::new("");
        let vars = StageVariables::new();
        let ctx = Context::new();
        let event = build_event(&input(&req, "/", "/", "GET", &vars, &ctx));
        for key in [
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "body",
        ] {
            assert!(event[key].is_null(), "{key}");
        }
        let vars: StageVariables = [("table".to_owned(), "pets".to_owned())]
            .into_iter()
            .collect();
        let mut req = OwnedRequest::new("");
        req.add_query("q", "");
        let event = build_event(&input(&req, "/", "/", "GET", &vars, &ctx));
        assert_eq!(event["stageVariables"], json!({"table": "pets"}));
        assert_eq!(event["queryStringParameters"], json!({"q": ""}));
    }

    #[test]
    fn repeated_headers_keep_every_value_and_the_first_spelling() {
        // A value with commas is one item (RECORDED: "Accept-Encoding": ["gzip, deflate"]);
        // a repeated header gives every value, the single map the last.
        let mut req = OwnedRequest::new("");
        req.add_header("X-Tag", "a, b").unwrap();
        req.add_header("x-tag", "c").unwrap();
        let vars = StageVariables::new();
        let ctx = Context::new();
        let event = build_event(&input(&req, "/", "/", "GET", &vars, &ctx));
        assert_eq!(event["headers"], json!({"X-Tag": "c"}));
        assert_eq!(event["multiValueHeaders"], json!({"X-Tag": ["a, b", "c"]}));
    }

    #[test]
    fn dropped_headers_never_reach_the_event() {
        // test_apigateway_integrations.snapshot.json::test_apigateway_header_remapping_aws
        // [AWS_PROXY] / `no-param-integration`: sent, and absent from the event.
        let mut req = OwnedRequest::new("");
        for name in DROPPED_REQUEST_HEADERS {
            req.add_header(name, "x").unwrap();
        }
        let vars = StageVariables::new();
        let ctx = Context::new();
        let event = build_event(&input(&req, "/", "/", "GET", &vars, &ctx));
        assert!(event["headers"].is_null());
        // ...while these did reach it.
        for name in ["Content-Encoding", "Via", "Date", "Authorization", "Warn"] {
            req.add_header(name, "y").unwrap();
        }
        let event = build_event(&input(&req, "/", "/", "GET", &vars, &ctx));
        assert_eq!(event["headers"].as_object().unwrap().len(), 5);
    }

    #[test]
    fn binary_bodies_go_base64_and_text_bodies_as_lossy_text() {
        // DG "Return binary media from a Lambda proxy integration": isBase64Encoded true with
        // a base64 body for a binary request.
        let req = OwnedRequest::new(b"\x89PNG\xff");
        let vars = StageVariables::new();
        let ctx = Context::new();
        let mut binary = input(&req, "/", "/", "POST", &vars, &ctx);
        binary.base64_body = true;
        let event = build_event(&binary);
        assert_eq!(event["body"], "iVBOR/8="); // 89 50 4E 47 FF
        assert_eq!(event["isBase64Encoded"], true);
        let event = build_event(&input(&req, "/", "/", "POST", &vars, &ctx));
        assert_eq!(event["body"], "\u{fffd}PNG\u{fffd}");
        assert_eq!(event["isBase64Encoded"], false);
    }

    #[test]
    fn events_over_lambdas_limit_are_refused() {
        let vars = StageVariables::new();
        let ctx = Context::new();
        let req = OwnedRequest::new(vec![b'a'; MAX_INVOKE_PAYLOAD_BYTES + 1]);
        assert_eq!(
            encode_event(&input(&req, "/", "/", "POST", &vars, &ctx)),
            Err(EventError::TooLarge {
                size: MAX_INVOKE_PAYLOAD_BYTES + 1
            })
        );
        // Fits as a body, not once wrapped in the event.
        let req = OwnedRequest::new(vec![b'a'; MAX_INVOKE_PAYLOAD_BYTES - 10]);
        assert!(matches!(
            encode_event(&input(&req, "/", "/", "POST", &vars, &ctx)),
            Err(EventError::TooLarge { size }) if size > MAX_INVOKE_PAYLOAD_BYTES
        ));
        // Base64 grows a body by 4/3: refused before building.
        let req = OwnedRequest::new(vec![0u8; MAX_INVOKE_PAYLOAD_BYTES / 4 * 3 + 3]);
        let mut binary = input(&req, "/", "/", "POST", &vars, &ctx);
        binary.base64_body = true;
        assert!(matches!(
            encode_event(&binary),
            Err(EventError::TooLarge { .. })
        ));
        let req = OwnedRequest::new("{}");
        let bytes = encode_event(&input(&req, "/", "/", "POST", &vars, &ctx)).unwrap();
        let back: Json = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back["body"], "{}");
        assert_eq!(REQUEST_TOO_LONG_BODY.len(), 31);
    }

    // ---- the answer ----

    const PAYLOAD_FORMAT: &str =
        "test_apigateway_lambda.snapshot.json::test_aws_proxy_response_payload_format_validation";

    fn header_lines(r: &ProxyResponse, name: &str) -> Vec<String> {
        r.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn recorded_valid_answers() {
        // PAYLOAD_FORMAT / `invoke-api-no-body`: 200, empty body, Content-Type application/json.
        let r = parse_response(br#"{"statusCode": 200}"#).unwrap();
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.is_empty());
        assert_eq!(r.headers[CONTENT_TYPE], "application/json");
        assert_eq!(r.header_names, ["Content-Type"]);
        // `invoke-api-with-headers`: a boolean header value reads `true`.
        let r = parse_response(
            br#"{"statusCode": 200, "headers": {"test-header": "value", "header-bool": true}}"#,
        )
        .unwrap();
        assert_eq!(r.headers["test-header"], "value");
        assert_eq!(r.headers["header-bool"], "true");
        // `invoke-api-with-headers-null`.
        assert!(parse_response(br#"{"statusCode": 200, "headers": null}"#).is_ok());
        // `invoke-api-b64-encoded-true` / `-false`: the body as given.
        let r =
            parse_response(br#"{"statusCode":200,"body":"dGVzdC1kYXRh","isBase64Encoded":true}"#)
                .unwrap();
        assert_eq!(r.body, "dGVzdC1kYXRh");
        assert!(r.is_base64_encoded);
        // `invoke-api-status-code-str`: "201" is 201.
        assert_eq!(
            parse_response(br#"{"statusCode": "201"}"#)
                .unwrap()
                .status
                .as_u16(),
            201
        );
        // `invoke-api-only-headers`: no statusCode is 200.
        let r = parse_response(br#"{"headers": {"test-header": "value"}}"#).unwrap();
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["test-header"], "value", "{PAYLOAD_FORMAT}");
    }

    #[test]
    fn recorded_header_merges() {
        // PAYLOAD_FORMAT / `invoke-api-multi-headers-valid`: both values, in order.
        let r = parse_response(
            br#"{"statusCode":200,"multiValueHeaders":{"test-multi":["value1","value2"]}}"#,
        )
        .unwrap();
        assert_eq!(header_lines(&r, "test-multi"), ["value1", "value2"]);
        // `invoke-api-multi-headers-overwrite`: multi first, then the single value.
        let r = parse_response(br#"{"statusCode":200,"multiValueHeaders":{"test-multi":["value-multi"]},"headers":{"test-multi":"value-solo"}}"#).unwrap();
        assert_eq!(
            header_lines(&r, "test-multi"),
            ["value-multi", "value-solo"]
        );
        // `invoke-api-multi-headers-overwrite-casing`: one header, the multi key's spelling,
        // whichever map comes first in the payload.
        let r = parse_response(br#"{"headers":{"test-multi":"value-solo"},"multiValueHeaders":{"tesT-Multi":["value-multi"]}}"#).unwrap();
        assert_eq!(
            header_lines(&r, "test-multi"),
            ["value-multi", "value-solo"]
        );
        assert_eq!(r.header_names, ["tesT-Multi", "Content-Type"]);
        // DG (set-up-lambda-proxy-integrations): the same key-value pair in both maps
        // appears once, from multiValueHeaders.
        let r = parse_response(br#"{"multiValueHeaders":{"X":["a","b"]},"headers":{"x":"a"}}"#)
            .unwrap();
        assert_eq!(header_lines(&r, "x"), ["a", "b"]);
        // A function's own Content-Type replaces the default.
        let r = parse_response(br#"{"headers":{"content-type":"text/html"}}"#).unwrap();
        assert_eq!(header_lines(&r, "content-type"), ["text/html"]);
        assert_eq!(r.header_names, ["content-type"]);
    }

    #[test]
    fn recorded_malformed_answers() {
        use ProxyResponseError as E;
        // PAYLOAD_FORMAT / `invoke-api-wrong-format`.
        assert_eq!(
            parse_response(br#"{"statusCode": 200, "wrongValue": "value"}"#),
            Err(E::UnknownKey {
                key: "wrongValue".into()
            })
        );
        // `invoke-api-multi-headers-invalid`.
        assert_eq!(
            parse_response(
                br#"{"statusCode":200,"multiValueHeaders":{"test-multi-invalid":"value1"}}"#
            ),
            Err(E::NotAList {
                name: "test-multi-invalid".into(),
                found: JsonKind::String
            })
        );
        // `invoke-api-invalid-status-code`.
        assert_eq!(
            parse_response(br#"{"statusCode": "test"}"#),
            Err(E::InvalidStatusCode {
                value: r#""test""#.into()
            })
        );
        // `invoke-api-just-string`.
        assert_eq!(
            parse_response(br#""justAString""#),
            Err(E::NotAnObject {
                found: JsonKind::String
            })
        );
        // An object body: 502 "Malformed Lambda proxy response" (execution log in
        // vincentsarago/lambda-proxy#59).
        assert!(matches!(
            parse_response(br#"{"statusCode": 200, "body": {"hey": "dude"}}"#),
            Err(E::NotText {
                field: "body",
                found: JsonKind::Object,
                ..
            })
        ));
        // A `null` answer ("Endpoint response body before transformations: null", then
        // "Malformed Lambda proxy response": aws-lambda-graphql#48).
        assert_eq!(
            parse_response(b"null"),
            Err(E::NotAnObject {
                found: JsonKind::Null
            })
        );
        // Nothing at all, or not JSON.
        assert!(matches!(parse_response(b""), Err(E::NotJson { .. })));
        assert!(matches!(
            parse_response(b"{\"statusCode\": 200"),
            Err(E::NotJson { .. })
        ));
    }

    #[test]
    fn every_malformed_answer_is_a_502_internal_server_error() {
        // Recorded body `{"message": "Internal server error"}`, 36 bytes, with
        // x-amzn-ErrorType InternalServerErrorException (PAYLOAD_FORMAT,
        // `invoke-api-wrong-format`; header-remapping snapshot, 36-byte Content-Length).
        let err = parse_response(b"[]").unwrap_err();
        let response = Failure::from(&err).default_response();
        assert_eq!(response.status, StatusCode::BAD_GATEWAY);
        assert_eq!(response.body, r#"{"message": "Internal server error"}"#);
        assert_eq!(response.body.len(), 36);
        assert_eq!(
            response.header("x-amzn-ErrorType"),
            Some("InternalServerErrorException")
        );
        let failure = Failure::from(&err);
        assert_eq!(
            failure.default_response(),
            integration_failure().default_response()
        );
    }

    #[test]
    fn decided_answers() {
        use ProxyResponseError as E;
        // Scalars read as text where text is expected; null counts as absent.
        let r = parse_response(br#"{"statusCode": 200.0, "body": 12, "headers": {"n": 1.5, "z": null}, "multiValueHeaders": {"m": [1, false, null], "q": null}, "isBase64Encoded": "false"}"#).unwrap();
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, "12");
        assert_eq!(r.headers["n"], "1.5");
        assert!(!r.headers.contains_key("z") && !r.headers.contains_key("q"));
        assert_eq!(header_lines(&r, "m"), ["1", "false"]);
        assert!(!r.is_base64_encoded);
        let r = parse_response(br#"{"statusCode": null, "body": null, "isBase64Encoded": null}"#)
            .unwrap();
        assert_eq!(
            (r.status, r.body.len(), r.is_base64_encoded),
            (StatusCode::OK, 0, false)
        );
        assert!(parse_response(br#"{}"#).is_ok());
        // Status bounds and shapes.
        for bad in [
            r#"199"#,
            r#"600"#,
            r#"-200"#,
            r#"200.5"#,
            r#""2OO""#,
            r#"" 200""#,
            r#"true"#,
            r#"[200]"#,
            r#"1e400"#,
            r#""99999999999""#,
        ] {
            let payload = format!(r#"{{"statusCode": {bad}}}"#);
            assert!(
                matches!(
                    parse_response(payload.as_bytes()),
                    Err(E::InvalidStatusCode { .. }) | Err(E::NotJson { .. })
                ),
                "{bad}"
            );
        }
        for ok in [
            ("200", 200),
            ("599", 599),
            (r#""404""#, 404),
            ("3.0e2", 300),
        ] {
            let payload = format!(r#"{{"statusCode": {}}}"#, ok.0);
            assert_eq!(
                parse_response(payload.as_bytes()).unwrap().status.as_u16(),
                ok.1
            );
        }
        // Structures where text or maps are expected.
        assert!(matches!(
            parse_response(br#"{"headers": {"a": {"b": 1}}}"#),
            Err(E::NotText {
                field: "headers",
                ..
            })
        ));
        assert!(matches!(
            parse_response(br#"{"multiValueHeaders": {"a": [[1]]}}"#),
            Err(E::NotText {
                field: "multiValueHeaders",
                ..
            })
        ));
        assert!(matches!(
            parse_response(br#"{"headers": ["a"]}"#),
            Err(E::NotAnObjectField {
                field: "headers",
                found: JsonKind::Array
            })
        ));
        assert!(matches!(
            parse_response(br#"{"multiValueHeaders": "a"}"#),
            Err(E::NotAnObjectField {
                field: "multiValueHeaders",
                ..
            })
        ));
        assert!(matches!(
            parse_response(br#"{"isBase64Encoded": 1}"#),
            Err(E::InvalidIsBase64Encoded {
                found: JsonKind::Number
            })
        ));
        // Header names and values that HTTP cannot carry.
        assert!(matches!(
            parse_response(br#"{"headers": {"a b": "x"}}"#),
            Err(E::InvalidHeaderName { .. })
        ));
        assert!(matches!(
            parse_response(br#"{"headers": {"": "x"}}"#),
            Err(E::InvalidHeaderName { .. })
        ));
        assert!(matches!(
            parse_response(br#"{"headers": {"a": "x\r\nSet-Cookie: y"}}"#),
            Err(E::InvalidHeaderValue { .. })
        ));
        // Non-ASCII text is a valid (obs-text) value.
        assert_eq!(
            parse_response(r#"{"headers": {"a": "é"}}"#.as_bytes())
                .unwrap()
                .headers["a"]
                .as_bytes(),
            "é".as_bytes()
        );
        // Keys are case-sensitive: "StatusCode" is unknown.
        assert!(matches!(
            parse_response(br#"{"StatusCode": 200}"#),
            Err(E::UnknownKey { .. })
        ));
    }

    #[test]
    fn answers_over_lambdas_limit_are_refused_unread() {
        // DataBiosphere/azul#8258: over 6291556 bytes, API Gateway answered 502.
        let mut big = br#"{"body": ""#.to_vec();
        big.resize(MAX_RESPONSE_PAYLOAD_BYTES, b'a');
        big.extend_from_slice(br#""}"#);
        assert_eq!(
            parse_response(&big),
            Err(ProxyResponseError::TooLarge {
                size: MAX_RESPONSE_PAYLOAD_BYTES + 2
            })
        );
        // Deep nesting is an error, not a stack overflow (serde_json's recursion limit).
        let deep = format!(
            r#"{{"body": {}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(matches!(
            parse_response(deep.as_bytes()),
            Err(ProxyResponseError::NotJson { .. })
        ));
    }

    #[test]
    fn error_messages_name_the_fault_and_clip_and_escape_what_they_quote() {
        let long = "k".repeat(1000);
        let err = parse_response(format!(r#"{{"{long}\u001b[2J": 1}}"#).as_bytes()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("malformed Lambda proxy response: unknown key"),
            "{text}"
        );
        assert!(text.len() < 300, "{text}");
        let err = parse_response(br#"{"x\u001b": 1}"#).unwrap_err();
        assert!(!err.to_string().contains('\u{1b}'));
        assert!(err.to_string().contains("\\u{1b}"));
        assert_eq!(
            parse_response(br#"{"multiValueHeaders":{"x":"v"}}"#)
                .unwrap_err()
                .to_string(),
            r#"malformed Lambda proxy response: multiValueHeaders["x"] is a string, not a list"#
        );
        assert_eq!(
            parse_response(br#"{"statusCode": "test"}"#)
                .unwrap_err()
                .to_string(),
            r#"malformed Lambda proxy response: statusCode "test" is not an integer from 200 to 599"#
        );
    }

    #[test]
    fn the_body_is_decoded_only_for_a_binary_accept() {
        // localstack test_aws_proxy_binary_response (validated on AWS): with isBase64Encoded
        // true the client gets raw bytes only when its Accept matches binaryMediaTypes;
        // otherwise the base64 text as is.
        let r =
            parse_response(br#"{"statusCode":200,"body":"dGVzdC1kYXRh","isBase64Encoded":true}"#)
                .unwrap();
        assert_eq!(r.client_body(true).unwrap(), "test-data");
        assert_eq!(r.client_body(false).unwrap(), "dGVzdC1kYXRh");
        // Not marked: never decoded.
        let r = parse_response(br#"{"body":"dGVzdC1kYXRh"}"#).unwrap();
        assert_eq!(r.client_body(true).unwrap(), "dGVzdC1kYXRh");
        // Padding optional, as java.util.Base64.getDecoder(); not base64 is a typed error.
        let r = parse_response(br#"{"body":"dGVzdA","isBase64Encoded":true}"#).unwrap();
        assert_eq!(r.client_body(true).unwrap(), "test");
        let r = parse_response(br#"{"body":"not base64!","isBase64Encoded":true}"#).unwrap();
        assert!(r.client_body(true).is_err());
        assert_eq!(r.client_body(false).unwrap(), "not base64!");
    }

    #[test]
    fn a_function_error_header_fails_the_invocation() {
        // Lambda Invoke API: FunctionError "If present, indicates that an error occurred".
        assert!(invocation_failed(Some("Unhandled")));
        assert!(invocation_failed(Some("Handled")));
        assert!(invocation_failed(Some("")));
        assert!(!invocation_failed(None));
        assert_eq!(
            integration_failure().default_status(),
            StatusCode::BAD_GATEWAY
        );
    }

    #[test]
    fn clip_keeps_short_text_and_cuts_long_text_on_a_char_boundary() {
        assert_eq!(clip("abc"), "abc");
        let long = "é".repeat(MAX_QUOTED_CHARS + 5);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(clipped.ends_with('…'));
    }

    fn assert_valid_headers(r: &ProxyResponse) {
        assert_eq!(r.header_names.len(), r.headers.keys_len());
        for (spelled, name) in r.header_names.iter().zip(r.headers.keys()) {
            assert!(spelled.eq_ignore_ascii_case(name.as_str()));
            assert!(HeaderName::from_bytes(spelled.as_bytes()).is_ok());
        }
        for (name, value) in &r.headers {
            assert!(HeaderName::from_bytes(name.as_str().as_bytes()).is_ok());
            assert!(
                value
                    .as_bytes()
                    .iter()
                    .all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f))
            );
        }
        assert!((MIN_STATUS..=MAX_STATUS).contains(&r.status.as_u16()));
    }

    /// A JSON scalar or small structure.
    fn any_json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::from),
            any::<i64>().prop_map(Json::from),
            any::<f64>().prop_map(Json::from),
            ".{0,12}".prop_map(Json::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                prop::collection::vec((".{0,8}", inner), 0..4)
                    .prop_map(|kv| Json::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_fail_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            if let Ok(r) = parse_response(&bytes) {
                assert_valid_headers(&r);
            }
        }

        #[test]
        fn any_proxy_shaped_answer_parses_to_valid_headers_or_a_typed_error(
            status in any_json(),
            headers in prop::collection::vec(("[ -~]{0,6}", any_json()), 0..5),
            multi in prop::collection::vec(("[ -~]{0,6}", any_json()), 0..5),
            body in any_json(),
            b64 in any_json(),
        ) {
            let payload = json!({
                "statusCode": status,
                "headers": Json::Object(headers.into_iter().collect()),
                "multiValueHeaders": Json::Object(multi.into_iter().collect()),
                "body": body,
                "isBase64Encoded": b64,
            });
            let bytes = serde_json::to_vec(&payload).unwrap();
            match parse_response(&bytes) {
                Ok(r) => {
                    assert_valid_headers(&r);
                    let _ = r.client_body(true);
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        #[test]
        fn any_request_builds_an_event_whose_maps_agree(
            query in prop::collection::vec(("[a-c]{1,2}", ".{0,4}"), 0..8),
            path in "/{0,3}[a-z/]{0,8}",
            body in prop::collection::vec(any::<u8>(), 0..16),
            base64_body in any::<bool>(),
        ) {
            let mut req = OwnedRequest::new(&body);
            for (k, v) in &query {
                req.add_query(k, v);
            }
            let vars = StageVariables::new();
            let ctx = Context::new();
            let mut parts = input(&req, "/{proxy+}", &path, "GET", &vars, &ctx);
            parts.base64_body = base64_body;
            let event = build_event(&parts);
            // Single-value query map: each name's last value; the multi map: all values.
            if query.is_empty() {
                prop_assert!(event["queryStringParameters"].is_null());
            } else {
                for (k, values) in event["multiValueQueryStringParameters"].as_object().unwrap() {
                    let expected: Vec<&str> = query.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str()).collect();
                    prop_assert_eq!(values, &json!(expected));
                    prop_assert_eq!(&event["queryStringParameters"][k], &json!(expected.last().unwrap()));
                }
            }
            let p = event["path"].as_str().unwrap();
            prop_assert!(p.starts_with('/') && !p.starts_with("//"));
            // The body round-trips.
            match &event["body"] {
                Json::Null => prop_assert!(body.is_empty()),
                Json::String(s) if base64_body => prop_assert_eq!(STANDARD.decode(s).unwrap(), body),
                Json::String(s) => prop_assert_eq!(s, &String::from_utf8_lossy(&body)),
                other => prop_assert!(false, "body {other}"),
            }
        }
    }
}
