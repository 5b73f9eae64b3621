//! HTTP and HTTP_PROXY integrations: what API Gateway sends to an HTTP backend and what it
//! hands back to the client, as pure functions (no I/O; the host's HTTP client sends).
//!
//! 1. [`backend_uri`]: the integration `uri` template with `${stageVariables.name}` and
//!    `{name}` filled in, and the query string appended, as an [`http::Uri`].
//! 2. [`request_headers`]: the headers sent to the backend.
//! 3. [`proxy_response_headers`] (HTTP_PROXY) and [`mapped_response_headers`] (HTTP): the
//!    headers returned to the client.
//! 4. [`timeout`] and [`IntegrationError`]: the timeout range and what a timeout, a network
//!    failure or an unusable endpoint address become ([`Failure`]).
//!
//! ```
//! use gateway_core::pipeline::integrations::http::{backend_uri, HttpKind, UriInput};
//! use indexmap::IndexMap;
//!
//! let mut stage = IndexMap::new();
//! stage.insert("host".to_owned(), "backend:8080".to_owned());
//! let path = [("proxy".to_owned(), "pets/a b".to_owned())];
//! let query = [("q".to_owned(), "x&y".to_owned())];
//! let uri = backend_uri(&UriInput {
//!     kind: HttpKind::HttpProxy,
//!     template: "http://${stageVariables.host}/api/{proxy}",
//!     path_parameters: &path,
//!     client_query: &query,
//!     mapped_query: &[],
//!     stage_variables: &stage,
//! })?;
//! assert_eq!(uri.to_string(), "http://backend:8080/api/pets/a%20b?q=x%26y");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Sources
//!
//! Facts come from the project's research notes (`pipeline-access.md` §3.1–3.4) and from
//! LocalStack's snapshot files recorded on real AWS (`tests/aws/services/apigateway/`):
//! `test_apigateway_integrations.snapshot.json::TestApiGatewayHeaderRemapping::
//! test_apigateway_header_remapping_http[HTTP|HTTP_PROXY]` (2024-12-11, REGIONAL API; called
//! *header-remapping* below) and `test_apigateway_http.snapshot.json` (`test_http_integration_with_lambda`,
//! `test_http_proxy_integration_request_data_mappings`). Each function says which fact it
//! follows and which choices were made where AWS's behaviour is not known.
//!
//! # Untrusted input
//!
//! Path, query and header values come from the client; backend headers from the backend. No
//! input panics; the URI is built in one pass over the template (substituted values are never
//! scanned again) and is refused past [`MAX_BACKEND_URI_LEN`] bytes, so memory is bounded by
//! that constant, not by the input.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{StatusCode, Uri};
use indexmap::IndexMap;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::model::{GatewayResponseType, IntegrationType};
use crate::pipeline::Failure;
use crate::text::Escaped;

/// The shortest integration timeout API Gateway accepts, in milliseconds (botocore's
/// `Integration.timeoutInMillis`: "between 50 milliseconds and 29 seconds").
pub const MIN_TIMEOUT_MILLIS: u32 = 50;

/// The longest integration timeout of a REST API without a quota increase, in milliseconds
/// (same source). AWS lets Regional and private APIs raise it by quota request (research
/// §3.1); a host that wants that passes its own value to [`timeout_up_to`].
pub const MAX_TIMEOUT_MILLIS: u32 = 29_000;

/// The default integration timeout, in milliseconds: 29 seconds (recorded `timeoutInMillis:
/// 29000` in every LocalStack put-integration snapshot).
pub const DEFAULT_TIMEOUT_MILLIS: u32 = crate::model::DEFAULT_TIMEOUT_MILLIS;

/// The longest backend URI built, in bytes: the `http` crate's own limit for a [`Uri`]
/// (`u16::MAX - 1`). Building stops with [`UriError::TooLong`] past it, so a request cannot
/// make the gateway allocate more.
pub const MAX_BACKEND_URI_LEN: usize = (u16::MAX - 1) as usize;

/// The `User-Agent` API Gateway sends to an HTTP backend, before the API id (recorded
/// `AmazonAPIGateway_<apiId>`, header-remapping `[HTTP]` / `no-param-integration`).
pub const USER_AGENT_PREFIX: &str = "AmazonAPIGateway_";

/// The header naming the API on every request to an HTTP backend (recorded, both types).
pub const API_ID_HEADER: &str = "x-amzn-apigateway-api-id";

/// The trace header API Gateway sets on every request to an HTTP backend (recorded, both types).
pub const TRACE_ID_HEADER: &str = "x-amzn-trace-id";

/// The prefix a restricted response header's name gets instead of being sent as is
/// (`x-amzn-Remapped-Date`; header names are case-insensitive, an [`http::HeaderMap`] holds
/// them in lower case).
pub const REMAPPED_PREFIX: &str = "x-amzn-remapped-";

/// The integration's timeout: `millis` held to API Gateway's range,
/// [`MIN_TIMEOUT_MILLIS`]..=[`MAX_TIMEOUT_MILLIS`].
pub fn timeout(millis: u32) -> Duration {
    timeout_up_to(millis, MAX_TIMEOUT_MILLIS)
}

/// The integration's timeout held to [`MIN_TIMEOUT_MILLIS`]..=`max_millis`, for an account
/// whose quota raises the upper bound (Regional and private REST APIs, research §3.1). A
/// `max_millis` below the minimum is taken as the minimum.
pub fn timeout_up_to(millis: u32, max_millis: u32) -> Duration {
    let max = max_millis.max(MIN_TIMEOUT_MILLIS);
    Duration::from_millis(u64::from(millis.clamp(MIN_TIMEOUT_MILLIS, max)))
}

/// Which of the two HTTP integration types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpKind {
    /// `HTTP`: a custom integration, with mappings and templates.
    Http,
    /// `HTTP_PROXY`: the request passed through, plus its parameter mappings.
    HttpProxy,
}

impl HttpKind {
    /// The kind for an integration type, `None` for the non-HTTP types.
    pub fn from_type(kind: IntegrationType) -> Option<HttpKind> {
        match kind {
            IntegrationType::Http => Some(HttpKind::Http),
            IntegrationType::HttpProxy => Some(HttpKind::HttpProxy),
            _ => None,
        }
    }

    /// Whether the backend's response passes through ([`proxy_response_headers`]).
    pub fn is_proxy(self) -> bool {
        self == HttpKind::HttpProxy
    }
}

// ---------------------------------------------------------------------------------------------
// 1. The backend URI
// ---------------------------------------------------------------------------------------------

/// What [`backend_uri`] builds the backend's URI from.
#[derive(Debug, Clone, Copy)]
pub struct UriInput<'a> {
    /// HTTP or HTTP_PROXY: decides whether `client_query` is forwarded.
    pub kind: HttpKind,
    /// The integration's `uri`, e.g. `http://backend:8080/pets/{petId}/{proxy}` or
    /// `https://${stageVariables.host}/x`.
    pub template: &'a str,
    /// The `integration.request.path.NAME` values from the integration's request parameters,
    /// for both types (recorded: HTTP_PROXY fills `{pathVar}` from
    /// `integration.request.path.pathVar`, `test_http_proxy_integration_request_data_mappings`).
    /// An imported `{proxy+}` method maps `integration.request.path.proxy =
    /// method.request.path.proxy`; the greedy value keeps its `/`. A name given twice: the
    /// last value wins.
    pub path_parameters: &'a [(String, String)],
    /// The client's query string, decoded `(name, value)` pairs in order; forwarded by
    /// HTTP_PROXY only.
    pub client_query: &'a [(String, String)],
    /// The `integration.request.querystring.NAME` values, decoded, in order. A mapping whose
    /// source has no value is left out by the caller (recorded: `testEmptyQs`, mapped from an
    /// absent header, does not reach the backend).
    pub mapped_query: &'a [(String, String)],
    /// The stage's variables.
    pub stage_variables: &'a IndexMap<String, String>,
}

/// Why no backend URI could be built. API Gateway answers each with 500 `Internal server error`
/// (an invalid endpoint address is a configuration error, research §3.1): [`Failure`] has a
/// `From<&UriError>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// A `{name}` placeholder has no value among the path parameters.
    #[error("no value for the URI placeholder {{{}}}", Escaped(.0.as_str()))]
    UnresolvedPlaceholder(String),
    /// The result is longer than [`MAX_BACKEND_URI_LEN`].
    #[error("the backend URI is longer than {} bytes", MAX_BACKEND_URI_LEN)]
    TooLong,
    /// The result is not an absolute `http` or `https` URI with a host.
    #[error("invalid endpoint address: {}", Escaped(.0.as_str()))]
    InvalidEndpoint(String),
}

/// Characters escaped in a `{name}` value that lands in the path: everything that may not
/// appear raw in a path (controls, space, `"#<>?\^`{|}`, non-ASCII as UTF-8) and `%` itself;
/// a `%` starting a valid `%XX` escape is copied, not escaped (see [`backend_uri`]). `/` is
/// kept, so a greedy `{proxy+}` value keeps its segments.
const PATH_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Characters escaped in a query-string name or value: [`PATH_VALUE`] plus the query's own
/// delimiters `&`, `=`, `+` (a decoded `+` is a literal plus) and `;` (which API Gateway
/// treats as a separator, developer guide "Amazon API Gateway important notes"). `/`, `:`,
/// `@`, `,` stay raw (an issue report shows a client's `%2f` reaching an HTTP_PROXY backend
/// as `/`, ustayready/fireprox#44).
const QUERY_VALUE: &AsciiSet = &PATH_VALUE.add(b'&').add(b'=').add(b'+').add(b';');

/// The backend URI for one request.
///
/// - `${stageVariables.name}` is replaced by the variable's value as is (developer guide,
///   "API Gateway stage variables reference for REST APIs": host, path or query part of an
///   HTTP integration URL). An undefined variable is the empty string, as `$stageVariables`
///   renders in a template; a result without a usable host is then an
///   [`UriError::InvalidEndpoint`] (AWS's own answer to an undefined one is not recorded).
/// - `{name}` is replaced by the last `path_parameters` value named `name`, escaped for where
///   it lands: in the path with the path's escape set (`/` kept), after the template's `?`
///   with the query's (recorded: `?testVar={pathVar}` sends `testVar=foobar`). API Gateway
///   "URL-encodes a literal `%`" (developer guide, important notes for REST APIs): a `%` that
///   does not start a valid `%XX` escape becomes `%25`, and a valid escape is copied, since
///   path parameters arrive undecoded (recorded Lambda proxy event keeps `test%2Balias` in
///   `pathParameters.proxy`, `test_lambda_aws_proxy_integration` / `-with-path-encoded-email`).
///   A placeholder with no value is an [`UriError::UnresolvedPlaceholder`] (AWS's behaviour
///   is not recorded; sending the braces would reach the wrong resource).
/// - Substituted text is never scanned again, so a value cannot inject a placeholder.
/// - The query: the template's own query first, then for HTTP_PROXY the client's pairs in
///   order, then the mapped pairs; repeated names stay repeated (recorded:
///   `test_http_proxy_integration_request_data_mappings`, uri `?testVar={pathVar}&testQs={qsVar}`
///   with client `testVar=bar` and mapped `testQs=foo` reaches the backend as
///   `testVar=foobar,bar` and `testQs=bar,foo`). Names and values are decoded text, escaped
///   whole (`&`, `=`, `+`, `;`, `#`, every `%` among others; `/`, `:`, `@` kept); a space becomes `%20`. Where AWS puts the client's pairs relative to
///   mapped ones of the same name is not recorded.
pub fn backend_uri(input: &UriInput<'_>) -> Result<Uri, UriError> {
    let mut out = Bounded::with_capacity(input.template.len());
    let mut in_query = false;
    let mut rest = input.template;
    while let Some(at) = rest.find(['$', '{', '?']) {
        let (literal, tail) = rest.split_at(at);
        out.push(literal)?;
        if let Some(after) = tail.strip_prefix("${stageVariables.")
            && let Some(end) = after.find('}')
        {
            let (name, after_name) = after.split_at(end);
            let value = input
                .stage_variables
                .get(name)
                .map(String::as_str)
                .unwrap_or("");
            in_query |= value.contains('?');
            out.push(value)?;
            rest = after_name.get(1..).unwrap_or("");
        } else if let Some(after) = tail.strip_prefix('{')
            && let Some(end) = after.find('}')
            && after
                .get(..end)
                .is_some_and(|name| !name.contains(['{', '/', '?']))
        {
            let (name, after_name) = after.split_at(end);
            let value = input
                .path_parameters
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| UriError::UnresolvedPlaceholder(name.to_owned()))?;
            let set = if in_query { QUERY_VALUE } else { PATH_VALUE };
            push_escaped(&mut out, value, set, Escapes::Keep)?;
            rest = after_name.get(1..).unwrap_or("");
        } else {
            // A lone `$`, `{` or the template's `?`: copied as written.
            let (ch, after) = tail.split_at(1);
            in_query |= ch == "?";
            out.push(ch)?;
            rest = after;
        }
    }
    out.push(rest)?;

    let forwarded: &[(String, String)] = match input.kind {
        HttpKind::HttpProxy => input.client_query,
        HttpKind::Http => &[],
    };
    for (name, value) in forwarded.iter().chain(input.mapped_query) {
        let separator = if !in_query {
            "?"
        } else if out.0.ends_with(['?', '&']) {
            ""
        } else {
            "&"
        };
        in_query = true;
        out.push(separator)?;
        push_escaped(&mut out, name, QUERY_VALUE, Escapes::Encode)?;
        out.push("=")?;
        push_escaped(&mut out, value, QUERY_VALUE, Escapes::Encode)?;
    }
    parse_endpoint(out.0)
}

/// A string that refuses to grow past [`MAX_BACKEND_URI_LEN`].
struct Bounded(String);

impl Bounded {
    fn with_capacity(n: usize) -> Bounded {
        Bounded(String::with_capacity(n.min(MAX_BACKEND_URI_LEN)))
    }

    fn push(&mut self, s: &str) -> Result<(), UriError> {
        if self.0.len().saturating_add(s.len()) > MAX_BACKEND_URI_LEN {
            return Err(UriError::TooLong);
        }
        self.0.push_str(s);
        Ok(())
    }
}

/// What [`push_escaped`] does with a `%` that starts a valid `%XX` escape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escapes {
    /// Copy it: the value is raw (a path parameter, undecoded).
    Keep,
    /// Escape it as `%25`: the value is decoded text (a query pair).
    Encode,
}

/// Appends `value` escaped with `set`; a `%` becomes `%25` unless it starts a valid `%XX`
/// escape and `escapes` is [`Escapes::Keep`].
fn push_escaped(
    out: &mut Bounded,
    value: &str,
    set: &'static AsciiSet,
    escapes: Escapes,
) -> Result<(), UriError> {
    if escapes == Escapes::Encode {
        for piece in utf8_percent_encode(value, set) {
            out.push(piece)?;
        }
        return Ok(());
    }
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        let (chunk, tail) = rest.split_at(at);
        for piece in utf8_percent_encode(chunk, set) {
            out.push(piece)?;
        }
        let bytes = tail.as_bytes();
        let valid = bytes.len() >= 3
            && bytes.get(1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(2).is_some_and(u8::is_ascii_hexdigit);
        if valid {
            // Three ASCII bytes: a char boundary.
            out.push(tail.get(..3).unwrap_or(""))?;
            rest = tail.get(3..).unwrap_or("");
        } else {
            out.push("%25")?;
            rest = tail.get(1..).unwrap_or("");
        }
    }
    for piece in utf8_percent_encode(rest, set) {
        out.push(piece)?;
    }
    Ok(())
}

/// Parses the built text as an absolute `http`/`https` URI with a non-empty host.
fn parse_endpoint(text: String) -> Result<Uri, UriError> {
    let invalid = |text: &str| UriError::InvalidEndpoint(text.to_owned());
    let uri = Uri::try_from(text.as_str()).map_err(|_| invalid(&text))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    if scheme_ok && host_ok {
        Ok(uri)
    } else {
        Err(invalid(&text))
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Request headers towards the backend
// ---------------------------------------------------------------------------------------------

/// Client headers HTTP_PROXY does not forward (recorded header-remapping `[HTTP_PROXY]` /
/// `no-param-integration`: the client sent each, the backend saw none). `Host` is replaced by
/// the backend's and `Content-Length` is the transport's, computed from the body sent.
pub const DROPPED_CLIENT_HEADERS: [&str; 15] = [
    "connection",
    "content-encoding",
    "content-length",
    "content-md5",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "www-authenticate",
];

/// Mapped `integration.request.header.*` values that never reach the backend (recorded
/// header-remapping `full-integration`, both types: mapped, not received). Every other mapped
/// header does, `Host` included (it then replaces the backend's host name).
pub const DROPPED_MAPPED_HEADERS: [&str; 5] =
    ["connection", "expect", "proxy-authenticate", "te", "via"];

/// Headers a mapping may not set: the request fails with 500 (recorded header-remapping
/// `content-length` and `transfer-encoding` keys: `{"message": "Internal server error"}`,
/// `InternalServerErrorException`).
pub const FORBIDDEN_MAPPED_HEADERS: [&str; 2] = ["content-length", "transfer-encoding"];

/// The client's side of the connection to the gateway, for HTTP_PROXY's `X-Forwarded-*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConnection<'a> {
    /// The client's IP address (`$context.identity.sourceIp`).
    pub ip: IpAddr,
    /// The port the client connected to (`443` on AWS).
    pub port: u16,
    /// The scheme the client used (`https` on AWS).
    pub proto: &'a str,
}

/// What [`request_headers`] builds the backend request's headers from.
#[derive(Debug, Clone, Copy)]
pub struct RequestHeadersInput<'a> {
    /// HTTP or HTTP_PROXY.
    pub kind: HttpKind,
    /// The client's headers (forwarded by HTTP_PROXY; unused by HTTP).
    pub client_headers: &'a HeaderMap,
    /// The `integration.request.header.NAME` values in order (a name given twice, in any
    /// case: the last wins).
    pub mapped_headers: &'a [(String, String)],
    /// HTTP only: the client's `Content-Type` when a body is sent to the backend, else `None`
    /// (recorded: a POST with a body sends it, `test_http_integration_with_lambda[HTTP]`; a
    /// body-less GET that carried one does not, header-remapping `[HTTP]` /
    /// `no-param-integration`).
    pub body_content_type: Option<&'a HeaderValue>,
    /// The API's id.
    pub api_id: &'a str,
    /// The request's trace header value (`Root=1-…`).
    pub trace_id: &'a str,
    /// The client's connection.
    pub client: ClientConnection<'a>,
    /// The backend URI ([`backend_uri`]): its host is the `Host` header.
    pub backend: &'a Uri,
}

/// A header API Gateway cannot send. API Gateway answers 500 `Internal server error`:
/// [`Failure`] has a `From<&HeaderError>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// A mapping sets a header no mapping may set ([`FORBIDDEN_MAPPED_HEADERS`]).
    #[error("the header {} may not be mapped", Escaped(.0.as_str()))]
    Forbidden(String),
    /// The name is not a valid HTTP header name.
    #[error("invalid header name {}", Escaped(.0.as_str()))]
    InvalidName(String),
    /// The value of the named header is not a valid HTTP header value (a line break, say).
    #[error("invalid value for the header {}", Escaped(.0.as_str()))]
    InvalidValue(String),
}

/// The headers of the request to the backend. The transport adds `Content-Length` from the
/// body it sends; the result holds neither it nor `Transfer-Encoding`.
///
/// HTTP_PROXY (recorded header-remapping `[HTTP_PROXY]`, `test_http_integration_with_lambda[HTTP_PROXY]`):
/// the client's headers minus [`DROPPED_CLIENT_HEADERS`]; `Host` = the backend's;
/// `X-Forwarded-For` = the client's value with the client IP appended (or the IP alone), and
/// `X-Forwarded-Port`/`-Proto` of the client's connection, as on the Lambda proxy event of a
/// REGIONAL API (research §1.2; the recorded backend saw an `x-forwarded-for` other than the
/// connecting address under HTTP_PROXY, the same one under HTTP). `Accept:
/// application/json` and `User-Agent: AmazonAPIGateway_<apiId>` only where the client sent
/// none (LocalStack's defaults; not recorded on AWS).
///
/// HTTP (recorded header-remapping `[HTTP]` / `no-param-integration`): no client header;
/// `Accept: application/json`, `User-Agent: AmazonAPIGateway_<apiId>`, `Host`, and the body's
/// `Content-Type`.
///
/// Both: then the mapped headers, each replacing any value of its name (recorded: mapped
/// `Accept: text/html` and `User-Agent: Override-Agent` win; mapped `headerVar` replaces the
/// client's `headerVar`), except [`DROPPED_MAPPED_HEADERS`]; a mapped
/// [`FORBIDDEN_MAPPED_HEADERS`] name is an error. Last `X-Amzn-Apigateway-Api-Id` and
/// `X-Amzn-Trace-Id`, which a mapping cannot replace.
pub fn request_headers(input: &RequestHeadersInput<'_>) -> Result<HeaderMap, HeaderError> {
    let mut headers = HeaderMap::new();
    let user_agent = header_value("user-agent", &[USER_AGENT_PREFIX, input.api_id].concat())?;
    let accept = HeaderValue::from_static("application/json");
    match input.kind {
        HttpKind::HttpProxy => {
            for (name, value) in input.client_headers {
                if !DROPPED_CLIENT_HEADERS.contains(&name.as_str()) {
                    headers.append(name.clone(), value.clone());
                }
            }
            // An IPv4 client on a dual-stack socket as its IPv4 address, as in
            // `$context.identity.sourceIp`.
            let ip = crate::pipeline::request::source_ip_text(input.client.ip);
            let forwarded_for = match joined(input.client_headers, "x-forwarded-for") {
                Some(prior) if !prior.trim().is_empty() => format!("{prior}, {ip}"),
                _ => ip,
            };
            set_known(&mut headers, names::X_FORWARDED_FOR.clone(), &forwarded_for)?;
            set_known(
                &mut headers,
                names::X_FORWARDED_PORT.clone(),
                &input.client.port.to_string(),
            )?;
            set_known(
                &mut headers,
                names::X_FORWARDED_PROTO.clone(),
                input.client.proto,
            )?;
            headers.entry(header::ACCEPT).or_insert(accept);
            headers.entry(header::USER_AGENT).or_insert(user_agent);
        }
        HttpKind::Http => {
            headers.insert(header::ACCEPT, accept);
            headers.insert(header::USER_AGENT, user_agent);
            if let Some(content_type) = input.body_content_type {
                headers.insert(header::CONTENT_TYPE, content_type.clone());
            }
        }
    }
    if let Some(host) = host_header(input.backend) {
        set_known(&mut headers, header::HOST, &host)?;
    }
    let mut mapped = HeaderMap::new();
    for (name, value) in input.mapped_headers {
        let name = header_name(name)?;
        if FORBIDDEN_MAPPED_HEADERS.contains(&name.as_str()) {
            return Err(HeaderError::Forbidden(name.as_str().to_owned()));
        }
        let value = header_value(name.as_str(), value)?;
        mapped.insert(name, value);
    }
    for (name, value) in mapped {
        if let Some(name) = name
            && !DROPPED_MAPPED_HEADERS.contains(&name.as_str())
        {
            headers.insert(name, value);
        }
    }
    set_known(&mut headers, names::API_ID.clone(), input.api_id)?;
    set_known(&mut headers, names::TRACE_ID.clone(), input.trace_id)?;
    Ok(headers)
}

/// The `Host` header for a URI: its host, with the port when one is written (the authority
/// without its user information).
fn host_header(uri: &Uri) -> Option<String> {
    let authority = uri.authority()?.as_str();
    Some(match authority.rsplit_once('@') {
        Some((_, host)) => host.to_owned(),
        None => authority.to_owned(),
    })
}

/// Every value of `name` joined by `, ` (a header given on several lines is one list).
fn joined(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut values = headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let first = values.next()?;
    Some(values.fold(first, |acc, v| acc + ", " + &v))
}

fn header_name(name: &str) -> Result<HeaderName, HeaderError> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| HeaderError::InvalidName(name.to_owned()))
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue, HeaderError> {
    HeaderValue::from_str(value).map_err(|_| HeaderError::InvalidValue(name.to_owned()))
}

/// Sets `name` to `value`, replacing prior values; the name is known when compiling (not
/// parsed for every request).
fn set_known(headers: &mut HeaderMap, name: HeaderName, value: &str) -> Result<(), HeaderError> {
    let value = header_value(name.as_str(), value)?;
    headers.insert(name, value);
    Ok(())
}

/// The names the gateway adds towards the backend, parsed once.
mod names {
    use http::HeaderName;

    pub(super) static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
    pub(super) static X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
    pub(super) static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
    pub(super) static API_ID: HeaderName = HeaderName::from_static(super::API_ID_HEADER);
    pub(super) static TRACE_ID: HeaderName = HeaderName::from_static(super::TRACE_ID_HEADER);
}

// ---------------------------------------------------------------------------------------------
// 3. Response headers towards the client
// ---------------------------------------------------------------------------------------------

/// Backend headers HTTP_PROXY sends as `x-amzn-Remapped-<name>` (recorded header-remapping
/// `[HTTP_PROXY]` / `no-param-integration`: `Connection`, `Content-Length`, `Date`, `Server`;
/// `test_http_integration_with_lambda[HTTP_PROXY]`: the backend's `x-amzn-RequestId`). API
/// Gateway sends its own `Connection`, `Content-Length`, `Date` and `x-amzn-RequestId`.
pub const REMAPPED_PROXY_RESPONSE_HEADERS: [&str; 5] = [
    "connection",
    "content-length",
    "date",
    "server",
    "x-amzn-requestid",
];

/// Headers a non-proxy integration response's `responseParameters` may set only as
/// `x-amzn-Remapped-<name>` (recorded header-remapping `[HTTP]` / `full-integration`: these
/// 14, mapped to static values, came back remapped).
pub const REMAPPED_MAPPED_RESPONSE_HEADERS: [&str; 14] = [
    "authorization",
    "connection",
    "content-length",
    "content-md5",
    "date",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "trailer",
    "upgrade",
    "user-agent",
    "www-authenticate",
];

/// Response headers never passed on: the gateway frames its own body (recorded
/// header-remapping `[HTTP]` / `full-integration`: a mapped `Transfer-Encoding` is absent
/// from the response; research §3.3 for the proxy column).
pub const DROPPED_RESPONSE_HEADERS: [&str; 1] = ["transfer-encoding"];

/// The headers an HTTP_PROXY backend's response passes to the client: all of them, in order
/// and with repeats, except [`DROPPED_RESPONSE_HEADERS`], and with
/// [`REMAPPED_PROXY_RESPONSE_HEADERS`] renamed `x-amzn-remapped-<name>`. The gateway then adds
/// its own `Connection`, `Content-Length`, `Date`, `x-amzn-RequestId`, `x-amz-apigw-id`.
/// Other restricted names (`Authorization`, `Host`, …) pass unchanged: AWS's treatment of
/// them under HTTP_PROXY is not recorded.
pub fn proxy_response_headers(backend: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(backend.len());
    for (name, value) in backend {
        let name_str = name.as_str();
        if DROPPED_RESPONSE_HEADERS.contains(&name_str) {
            continue;
        }
        if REMAPPED_PROXY_RESPONSE_HEADERS.contains(&name_str) {
            if let Ok(remapped) = remapped_name(name_str) {
                out.append(remapped, value.clone());
            }
        } else {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// The headers an HTTP (non-proxy) integration response sends: only those its
/// `responseParameters` set (`method.response.header.NAME` values, resolved by the response
/// mapping, in order; a name given twice keeps its last value), nothing from the backend
/// (recorded header-remapping `[HTTP]`: the backend's `Access-Control-Allow-*` do not reach
/// the client). [`REMAPPED_MAPPED_RESPONSE_HEADERS`] come out as `x-amzn-remapped-<name>`,
/// [`DROPPED_RESPONSE_HEADERS`] not at all.
pub fn mapped_response_headers(mapped: &[(String, String)]) -> Result<HeaderMap, HeaderError> {
    let mut out = HeaderMap::with_capacity(mapped.len());
    for (name, value) in mapped {
        let parsed = header_name(name)?;
        let lower = parsed.as_str();
        if DROPPED_RESPONSE_HEADERS.contains(&lower) {
            continue;
        }
        let value = header_value(lower, value)?;
        let target = if REMAPPED_MAPPED_RESPONSE_HEADERS.contains(&lower) {
            remapped_name(lower)?
        } else {
            parsed
        };
        out.insert(target, value);
    }
    Ok(out)
}

/// `x-amzn-remapped-<name>`; the names the gateway remaps are parsed once (this runs for
/// every proxied response).
fn remapped_name(name: &str) -> Result<HeaderName, HeaderError> {
    static KNOWN: std::sync::LazyLock<Vec<(&'static str, HeaderName)>> =
        std::sync::LazyLock::new(|| {
            REMAPPED_PROXY_RESPONSE_HEADERS
                .iter()
                .chain(&REMAPPED_MAPPED_RESPONSE_HEADERS)
                .filter_map(|name| {
                    let remapped = format!("{REMAPPED_PREFIX}{name}");
                    Some((*name, HeaderName::from_bytes(remapped.as_bytes()).ok()?))
                })
                .collect()
        });
    match KNOWN.iter().find(|(known, _)| *known == name) {
        Some((_, remapped)) => Ok(remapped.clone()),
        None => header_name(&format!("{REMAPPED_PREFIX}{name}")),
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Failures talking to the backend
// ---------------------------------------------------------------------------------------------

/// What can go wrong between the gateway and an HTTP backend, as the host's HTTP client
/// reports it; `Failure::from` gives API Gateway's answer. A backend's 4xx or 5xx is not
/// an error: HTTP_PROXY passes it on, HTTP selects an integration response for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegrationError {
    /// No complete response within the integration's [`timeout`].
    Timeout,
    /// The connection failed (refused, reset, TLS handshake, unreachable).
    Network,
    /// The endpoint address cannot be used (no such host, a URI the client refuses).
    InvalidEndpoint,
}

impl IntegrationError {
    /// The gateway response type (`$context.error.responseType`).
    pub fn response_type(self) -> GatewayResponseType {
        match self {
            IntegrationError::Timeout => GatewayResponseType::IntegrationTimeout,
            IntegrationError::Network => GatewayResponseType::IntegrationFailure,
            IntegrationError::InvalidEndpoint => GatewayResponseType::ApiConfigurationError,
        }
    }

    /// The status without customisation: 504, 504, 500.
    pub fn status(self) -> StatusCode {
        match self {
            IntegrationError::Timeout | IntegrationError::Network => StatusCode::GATEWAY_TIMEOUT,
            IntegrationError::InvalidEndpoint => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `$context.error.message`.
    pub fn message(self) -> &'static str {
        match self {
            IntegrationError::Timeout => "Endpoint request timed out",
            IntegrationError::Network => "Network error communicating with endpoint",
            IntegrationError::InvalidEndpoint => INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for IntegrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for IntegrationError {}

use crate::pipeline::failures::INTERNAL_SERVER_ERROR;

/// A timeout: `INTEGRATION_TIMEOUT`, 504 `{"message": "Endpoint request timed out"}`; a
/// network failure: `INTEGRATION_FAILURE`, 504 `{"message": "Network error communicating with
/// endpoint"}`; an unusable endpoint address: `API_CONFIGURATION_ERROR`, 500 `{"message":
/// "Internal server error"}`; all `InternalServerErrorException` (research §3.1, from AWS
/// logs and curl output).
impl From<IntegrationError> for Failure {
    fn from(error: IntegrationError) -> Failure {
        Failure::new(error.response_type(), error.message()).with_status(error.status())
    }
}

/// No usable backend URI: `API_CONFIGURATION_ERROR`, 500 `Internal server error` (research
/// §3.1: "Invalid endpoint address" is a configuration error answered with 500).
impl From<&UriError> for Failure {
    fn from(_: &UriError) -> Failure {
        IntegrationError::InvalidEndpoint.into()
    }
}

/// A header that cannot be sent: `API_CONFIGURATION_ERROR`, 500 `Internal server error`
/// (recorded for a mapped `Content-Length`, header-remapping `content-length`).
impl From<&HeaderError> for Failure {
    fn from(_: &HeaderError) -> Failure {
        Failure::new(
            GatewayResponseType::ApiConfigurationError,
            INTERNAL_SERVER_ERROR,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn build(
        kind: HttpKind,
        template: &str,
        path: &[(&str, &str)],
        client_query: &[(&str, &str)],
        mapped_query: &[(&str, &str)],
        stage: &[(&str, &str)],
    ) -> Result<String, UriError> {
        let stage: IndexMap<String, String> = pairs(stage).into_iter().collect();
        backend_uri(&UriInput {
            kind,
            template,
            path_parameters: &pairs(path),
            client_query: &pairs(client_query),
            mapped_query: &pairs(mapped_query),
            stage_variables: &stage,
        })
        .map(|u| u.to_string())
    }

    // ---- URI ----

    #[test]
    fn recorded_http_proxy_merges_template_client_and_mapped_query() {
        // test_apigateway_http.snapshot.json::test_http_proxy_integration_request_data_mappings
        // (recorded on AWS 2024-07-18): uri `?testVar={pathVar}&testQs={qsVar}`, pathVar <-
        // path `foobar`, qsVar <- client `testVar=bar`, mapped queryString/testQs <- client
        // `testQueryString=foo`; the backend read testVar "foobar,bar", testQs "bar,foo",
        // queryString "foo", testQueryString "foo".
        let uri = build(
            HttpKind::HttpProxy,
            "https://echo.example/?testVar={pathVar}&testQs={qsVar}",
            &[("pathVar", "foobar"), ("qsVar", "bar")],
            &[("testQueryString", "foo"), ("testVar", "bar")],
            &[("queryString", "foo"), ("testQs", "foo")],
            &[],
        )
        .unwrap();
        assert_eq!(
            uri,
            "https://echo.example/?testVar=foobar&testQs=bar&testQueryString=foo&testVar=bar\
             &queryString=foo&testQs=foo"
        );
    }

    #[test]
    fn http_custom_sends_only_the_mapped_query() {
        // Research §3.4 / notes §0: HTTP custom forwards no client parameter unless mapped.
        let uri = build(
            HttpKind::Http,
            "http://backend:8080/pets",
            &[],
            &[("secret", "1")],
            &[("type", "dog")],
            &[],
        )
        .unwrap();
        assert_eq!(uri, "http://backend:8080/pets?type=dog");
    }

    #[test]
    fn greedy_proxy_keeps_its_slashes_and_path_params_fill_placeholders() {
        // test_apigateway_http.snapshot.json::test_http_integration_invoke_status_code_passthrough:
        // uri `{echo}{map}` with `integration.request.path.map = method.request.path.map`
        // reached the status echo for `/status/200` (matching-response: 200).
        let uri = build(
            HttpKind::HttpProxy,
            "http://backend:8080/pets/{petId}/{proxy}",
            &[("petId", "42"), ("proxy", "a/b/c")],
            &[],
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(uri, "http://backend:8080/pets/42/a/b/c");
    }

    #[test]
    fn path_values_escape_unsafe_characters_and_a_literal_percent_but_keep_escapes() {
        // Developer guide, important notes for REST APIs: API Gateway URL-encodes a literal
        // `%`; the Lambda proxy event shows path parameters undecoded (`test%2Balias`,
        // test_apigateway_lambda.snapshot.json::test_lambda_aws_proxy_integration /
        // invocation-payload-with-path-encoded-email), so a valid escape is kept.
        let uri = build(
            HttpKind::HttpProxy,
            "http://b/{proxy}",
            &[("proxy", "user/test%2Balias@x.com/a b/100%/é?#")],
            &[],
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(
            uri,
            "http://b/user/test%2Balias@x.com/a%20b/100%25/%C3%A9%3F%23"
        );
    }

    #[test]
    fn query_values_are_re_encoded_from_their_decoded_form() {
        // Research §1.2 (recorded): query values are form-decoded (`test%2Balias` -> `+`,
        // `+` -> space); re-sent, a literal `+` must stay a plus and `&`/`=` must not split.
        let uri = build(
            HttpKind::HttpProxy,
            "http://b/x",
            &[],
            &[
                ("email", "test+alias@gmail.com"),
                ("q", "a b&c=d;e"),
                ("url", "https://g/"),
            ],
            &[("pct", "%41")],
            &[],
        )
        .unwrap();
        // A decoded `%41` (the client sent `%2541`) is text: its `%` is escaped.
        assert_eq!(
            uri,
            "http://b/x?email=test%2Balias@gmail.com&q=a%20b%26c%3Dd%3Be&url=https://g/\
             &pct=%2541"
        );
    }

    #[test]
    fn stage_variables_substitute_host_path_and_query() {
        // Developer guide, "API Gateway stage variables reference for REST APIs": a stage
        // variable may be a full domain, a subdomain, a path or a query string value.
        let stage = [("host", "api.example.com:8443"), ("v", "v2"), ("q", "x")];
        let uri = build(
            HttpKind::Http,
            "https://${stageVariables.host}/${stageVariables.v}/bar?q=${stageVariables.q}",
            &[],
            &[],
            &[],
            &stage,
        )
        .unwrap();
        assert_eq!(uri, "https://api.example.com:8443/v2/bar?q=x");
    }

    #[test]
    fn an_undefined_stage_variable_is_empty_and_a_missing_host_is_an_invalid_endpoint() {
        // Decision (AWS not recorded): empty, as `$stageVariables.x` renders in a template.
        let ok = build(
            HttpKind::Http,
            "http://h/a${stageVariables.nope}b",
            &[],
            &[],
            &[],
            &[],
        );
        assert_eq!(ok.unwrap(), "http://h/ab");
        let err = build(
            HttpKind::Http,
            "http://${stageVariables.nope}/x",
            &[],
            &[],
            &[],
            &[],
        );
        assert!(matches!(err, Err(UriError::InvalidEndpoint(_))));
    }

    #[test]
    fn substituted_values_are_not_scanned_again() {
        let uri = build(
            HttpKind::Http,
            "http://h/{a}/${stageVariables.s}",
            &[("a", "{b}"), ("b", "no")],
            &[],
            &[],
            &[("s", "{a}")],
        );
        // The stage variable's raw `{a}` is not a placeholder: it stays as written (the http
        // crate accepts a raw brace in a path) or the URI is refused; never `no`.
        match uri {
            Ok(u) => assert_eq!(u, "http://h/%7Bb%7D/{a}"),
            Err(e) => assert!(matches!(e, UriError::InvalidEndpoint(_)), "{e}"),
        }
        let uri = build(
            HttpKind::Http,
            "http://h/{a}",
            &[("a", "{b}")],
            &[],
            &[],
            &[],
        );
        assert_eq!(uri.unwrap(), "http://h/%7Bb%7D");
    }

    #[test]
    fn an_unmapped_placeholder_is_a_typed_error() {
        let err = build(HttpKind::HttpProxy, "http://h/{proxy}", &[], &[], &[], &[]);
        assert_eq!(err, Err(UriError::UnresolvedPlaceholder("proxy".into())));
        let failure = Failure::from(&err.unwrap_err()).default_response();
        // Research §3.1: an invalid endpoint address is a configuration error, 500.
        assert_eq!(failure.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(failure.body, r#"{"message": "Internal server error"}"#);
        assert_eq!(
            failure.header("x-amzn-ErrorType"),
            Some("InternalServerErrorException")
        );
    }

    #[test]
    fn non_http_schemes_and_relative_uris_are_invalid_endpoints() {
        // test_apigateway_integrations.snapshot.json::test_put_integration_validation /
        // invalid-uri-HTTP: AWS refuses such a URI at put-integration ("Invalid HTTP endpoint
        // specified for URI"); at run time (stage variables) it is a configuration error.
        for t in ["ftp://h/x", "/relative", "http://", "not a uri"] {
            let r = build(HttpKind::Http, t, &[], &[], &[], &[]);
            assert!(matches!(r, Err(UriError::InvalidEndpoint(_))), "{t}: {r:?}");
        }
    }

    #[test]
    fn a_template_query_ending_in_a_separator_gets_no_extra_one() {
        let uri = build(HttpKind::Http, "http://h/x?", &[], &[], &[("a", "1")], &[]);
        assert_eq!(uri.unwrap(), "http://h/x?a=1");
        let uri = build(
            HttpKind::Http,
            "http://h/x?k=v",
            &[],
            &[],
            &[("a", "")],
            &[],
        );
        assert_eq!(uri.unwrap(), "http://h/x?k=v&a=");
    }

    #[test]
    fn a_uri_past_the_limit_is_too_long() {
        let big = "a".repeat(MAX_BACKEND_URI_LEN);
        let r = build(
            HttpKind::Http,
            "http://h/{p}",
            &[("p", &big)],
            &[],
            &[],
            &[],
        );
        assert_eq!(r, Err(UriError::TooLong));
    }

    proptest! {
        #[test]
        fn uri_building_never_panics_and_yields_a_valid_uri_or_a_typed_error(
            template in prop::sample::select(vec![
                "http://h/{p}", "https://h:8443/a/{p}?x={q}", "http://${stageVariables.s}/{p}",
                "http://h/${stageVariables.s}?{p}", "{p}", "http://h/{p", "http://h/$", "",
            ]),
            p in any::<String>(),
            q in any::<String>(),
            s in any::<String>(),
            client in prop::collection::vec((any::<String>(), any::<String>()), 0..4),
            mapped in prop::collection::vec((any::<String>(), any::<String>()), 0..4),
        ) {
            let stage: IndexMap<String, String> = [("s".to_owned(), s)].into_iter().collect();
            let path = vec![("p".to_owned(), p.clone()), ("q".to_owned(), q)];
            let result = backend_uri(&UriInput {
                kind: HttpKind::HttpProxy,
                template,
                path_parameters: &path,
                client_query: &client,
                mapped_query: &mapped,
                stage_variables: &stage,
            });
            match result {
                Ok(uri) => {
                    prop_assert!(matches!(uri.scheme_str(), Some("http" | "https")));
                    prop_assert!(uri.host().is_some_and(|h| !h.is_empty()));
                    // The text re-parses to the same URI.
                    let again: Uri = uri.to_string().parse().unwrap();
                    prop_assert_eq!(again, uri);
                }
                Err(UriError::UnresolvedPlaceholder(_) | UriError::TooLong
                    | UriError::InvalidEndpoint(_)) => {}
            }
        }

        #[test]
        fn a_path_value_decodes_back_to_itself_when_it_has_no_percent(p in "[^%]*") {
            let path = vec![("p".to_owned(), p.clone())];
            let uri = backend_uri(&UriInput {
                kind: HttpKind::Http,
                template: "http://h/{p}",
                path_parameters: &path,
                client_query: &[],
                mapped_query: &[],
                stage_variables: &IndexMap::new(),
            }).unwrap();
            let path = uri.path().strip_prefix('/').unwrap_or(uri.path());
            let decoded = percent_encoding::percent_decode_str(path).decode_utf8().unwrap();
            prop_assert_eq!(decoded, p);
        }
    }

    proptest! {
        #[test]
        fn forwarded_and_mapped_query_pairs_decode_back_to_themselves(
            client in prop::collection::vec((any::<String>(), any::<String>()), 0..5),
            mapped in prop::collection::vec((any::<String>(), any::<String>()), 0..5),
        ) {
            // Query pairs are decoded text: whatever they hold (`&`, `=`, `+`, `%41`, ...),
            // the backend decodes exactly them, in order, client pairs first.
            let uri = backend_uri(&UriInput {
                kind: HttpKind::HttpProxy,
                template: "http://h/x",
                path_parameters: &[],
                client_query: &client,
                mapped_query: &mapped,
                stage_variables: &IndexMap::new(),
            }).unwrap();
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s).decode_utf8().unwrap().into_owned()
            };
            let got: Vec<(String, String)> = uri
                .query()
                .into_iter()
                .flat_map(|q| q.split('&'))
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap();
                    (decode(k), decode(v))
                })
                .collect();
            let expected: Vec<(String, String)> = client.into_iter().chain(mapped).collect();
            prop_assert_eq!(got, expected);
        }
    }

    // ---- request headers ----

    fn client_headers() -> HeaderMap {
        // The client headers of header-remapping's invoke_api (tests/aws/services/apigateway/
        // test_apigateway_integrations.py, TestApiGatewayHeaderRemapping).
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("accept", "application/json"),
            ("accept-charset", "UTF-8"),
            ("accept-encoding", "br"),
            ("age", "request_Age"),
            ("authorization", "Unauthorized"),
            ("connection", "close"),
            ("content-encoding", "deflate"),
            ("content-md5", "request_Content-MD5"),
            ("content-type", "application/json"),
            ("date", "request_Date"),
            ("expect", "100-continue"),
            ("host", "abc.execute-api.us-east-1.amazonaws.com"),
            ("max-forwards", "2"),
            ("pragma", "cache"),
            ("proxy-authenticate", "Basic"),
            ("range", "bytes=500-999"),
            ("referer", "https://example.com/"),
            ("server", "https://example.com/"),
            ("te", "deflate"),
            ("trailer", "Expires"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "HTTP/2.0"),
            ("user-agent", "localStack/0.0"),
            ("via", "p.example.net"),
            ("warn", "299 localStack/0.0"),
            ("www-authenticate", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
        ] {
            h.append(k, HeaderValue::from_static(v));
        }
        h
    }

    fn headers_for(
        kind: HttpKind,
        client: &HeaderMap,
        mapped: &[(&str, &str)],
        content_type: Option<&HeaderValue>,
    ) -> Result<HeaderMap, HeaderError> {
        let backend: Uri = "https://httpbin.example:8443/post".parse().unwrap();
        request_headers(&RequestHeadersInput {
            kind,
            client_headers: client,
            mapped_headers: &pairs(mapped),
            body_content_type: content_type,
            api_id: "abc123",
            trace_id: "Root=1-5f84c7a9-0e3f2a4b5c6d7e8f9a0b1c2d",
            client: ClientConnection {
                ip: "203.0.113.7".parse().unwrap(),
                port: 443,
                proto: "https",
            },
            backend: &backend,
        })
    }

    fn names(h: &HeaderMap) -> Vec<&str> {
        let mut v: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn recorded_http_proxy_forwards_client_headers_minus_the_dropped_list() {
        // header-remapping [HTTP_PROXY] / no-param-integration: exactly these reached the
        // backend (Content-Length is the transport's; X-Forwarded-* are not shown by the
        // recording backend, see the next test).
        let h = headers_for(HttpKind::HttpProxy, &client_headers(), &[], None).unwrap();
        let mut expected = vec![
            "accept",
            "accept-charset",
            "accept-encoding",
            "age",
            "authorization",
            "content-type",
            "date",
            "host",
            "pragma",
            "range",
            "referer",
            "user-agent",
            "warn",
            "x-amzn-apigateway-api-id",
            "x-amzn-trace-id",
            "x-forwarded-for",
            "x-forwarded-port",
            "x-forwarded-proto",
        ];
        expected.sort_unstable();
        assert_eq!(names(&h), expected);
        assert_eq!(h["host"], "httpbin.example:8443");
        assert_eq!(h["user-agent"], "localStack/0.0");
        assert_eq!(h["accept"], "application/json");
        assert_eq!(h["x-amzn-apigateway-api-id"], "abc123");
    }

    #[test]
    fn http_proxy_appends_the_client_ip_to_x_forwarded_for() {
        // test_apigateway_http.snapshot.json::test_http_integration_with_lambda[HTTP_PROXY]
        // (REGIONAL): the backend's x-forwarded-for differs from the connecting address,
        // unlike [HTTP]; research §1.2: a REGIONAL API's proxy event carries the client IP,
        // X-Forwarded-Port 443, X-Forwarded-Proto https.
        let mut client = HeaderMap::new();
        client.append("x-forwarded-for", HeaderValue::from_static("198.51.100.1"));
        client.append("x-forwarded-port", HeaderValue::from_static("1234"));
        let h = headers_for(HttpKind::HttpProxy, &client, &[], None).unwrap();
        assert_eq!(h["x-forwarded-for"], "198.51.100.1, 203.0.113.7");
        assert_eq!(h["x-forwarded-port"], "443");
        assert_eq!(h["x-forwarded-proto"], "https");
        let h = headers_for(HttpKind::HttpProxy, &HeaderMap::new(), &[], None).unwrap();
        assert_eq!(h["x-forwarded-for"], "203.0.113.7");
        // LocalStack's defaults where the client sent none (not recorded on AWS).
        assert_eq!(h["accept"], "application/json");
        assert_eq!(h["user-agent"], "AmazonAPIGateway_abc123");
    }

    #[test]
    fn the_host_header_is_the_backend_authority_without_user_information() {
        let host = |uri: &str| host_header(&uri.parse().unwrap());
        assert_eq!(
            host("https://httpbin.example:8443/post").as_deref(),
            Some("httpbin.example:8443")
        );
        assert_eq!(
            host("http://user:pw@backend:8080/x").as_deref(),
            Some("backend:8080")
        );
        assert_eq!(host("http://[::1]:8080/").as_deref(), Some("[::1]:8080"));
        assert_eq!(host("http://backend:80/").as_deref(), Some("backend:80"));
        assert_eq!(host("https://backend/").as_deref(), Some("backend"));
        assert_eq!(host("/relative"), None);
    }

    #[test]
    fn an_ipv4_client_on_a_dual_stack_socket_is_forwarded_as_ipv4() {
        // As `$context.identity.sourceIp` reports it (research 1.3: AWS reports the IPv4
        // address).
        let backend: Uri = "http://backend/".parse().unwrap();
        let h = request_headers(&RequestHeadersInput {
            kind: HttpKind::HttpProxy,
            client_headers: &HeaderMap::new(),
            mapped_headers: &[],
            body_content_type: None,
            api_id: "abc123",
            trace_id: "Root=1-5f84c7a9-0e3f2a4b5c6d7e8f9a0b1c2d",
            client: ClientConnection {
                ip: "::ffff:10.1.2.3".parse().unwrap(),
                port: 443,
                proto: "https",
            },
            backend: &backend,
        })
        .unwrap();
        assert_eq!(h["x-forwarded-for"], "10.1.2.3");
    }

    #[test]
    fn recorded_http_custom_sends_only_the_fixed_set() {
        // header-remapping [HTTP] / no-param-integration: Accept application/json, Host,
        // User-Agent AmazonAPIGateway_<id>, X-Amzn-Apigateway-Api-Id, X-Amzn-Trace-Id (and
        // the transport's Content-Length); the client's GET carried Content-Type but no body.
        let h = headers_for(HttpKind::Http, &client_headers(), &[], None).unwrap();
        assert_eq!(
            names(&h),
            [
                "accept",
                "host",
                "user-agent",
                "x-amzn-apigateway-api-id",
                "x-amzn-trace-id"
            ]
        );
        assert_eq!(h["accept"], "application/json");
        assert_eq!(h["user-agent"], "AmazonAPIGateway_abc123");
        // test_http_integration_with_lambda[HTTP]: a POST body sends its Content-Type.
        let json = HeaderValue::from_static("application/json");
        let h = headers_for(HttpKind::Http, &client_headers(), &[], Some(&json)).unwrap();
        assert_eq!(h["content-type"], "application/json");
    }

    #[test]
    fn recorded_mapped_headers_override_and_some_are_dropped() {
        // header-remapping full-integration, both types: mapped values win (Accept text/html,
        // User-Agent Override-Agent, Host from method.request.header.Host); mapped
        // Connection, Proxy-Authenticate, TE, Via and Expect never arrive; mapped
        // Authorization, Server, Trailer, Upgrade, WWW-Authenticate, Max-Forwards,
        // Content-Encoding, Content-MD5 do.
        let mapped = [
            ("Accept", "text/html"),
            ("User-Agent", "Override-Agent"),
            ("Host", "abc.execute-api.us-east-1.amazonaws.com"),
            ("Connection", "keep-alive"),
            ("Proxy-Authenticate", "Basic"),
            ("TE", "gzip"),
            ("Via", "othersite.net"),
            ("Expect", "200-ok"),
            ("Server", "https://example.com/page"),
            ("Content-Encoding", "compress"),
            ("Content-MD5", "request_params_Content-MD5"),
            ("X-Amzn-Trace-Id", "Root=forged"),
        ];
        for kind in [HttpKind::Http, HttpKind::HttpProxy] {
            let h = headers_for(kind, &client_headers(), &mapped, None).unwrap();
            assert_eq!(h["accept"], "text/html");
            assert_eq!(h["user-agent"], "Override-Agent");
            assert_eq!(h["host"], "abc.execute-api.us-east-1.amazonaws.com");
            assert_eq!(h["server"], "https://example.com/page");
            assert_eq!(h["content-encoding"], "compress");
            assert_eq!(h["content-md5"], "request_params_Content-MD5");
            for dropped in ["connection", "proxy-authenticate", "te", "via", "expect"] {
                assert!(!h.contains_key(dropped), "{kind:?} {dropped}");
            }
            // Decision: API Gateway's own trace id is set last.
            assert!(
                h["x-amzn-trace-id"]
                    .to_str()
                    .unwrap()
                    .starts_with("Root=1-")
            );
        }
    }

    #[test]
    fn recorded_mapped_content_length_or_transfer_encoding_is_a_500() {
        // header-remapping `content-length` / `transfer-encoding`: 500, `{"message": "Internal
        // server error"}`, x-amzn-ErrorType InternalServerErrorException.
        for name in ["Content-Length", "Transfer-Encoding"] {
            let err = headers_for(HttpKind::HttpProxy, &HeaderMap::new(), &[(name, "0")], None)
                .unwrap_err();
            assert_eq!(err, HeaderError::Forbidden(name.to_ascii_lowercase()));
            let response = Failure::from(&err).default_response();
            assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(response.body.len(), 36);
            assert_eq!(
                response.header("x-amzn-ErrorType"),
                Some("InternalServerErrorException")
            );
        }
    }

    #[test]
    fn an_unsendable_mapped_header_is_a_typed_error() {
        let bad_value = headers_for(HttpKind::Http, &HeaderMap::new(), &[("x-a", "a\nb")], None);
        assert_eq!(bad_value, Err(HeaderError::InvalidValue("x-a".into())));
        let bad_name = headers_for(HttpKind::Http, &HeaderMap::new(), &[("a b", "1")], None);
        assert_eq!(bad_name, Err(HeaderError::InvalidName("a b".into())));
    }

    proptest! {
        #[test]
        fn request_headers_never_carry_dropped_names_and_always_carry_the_gateways(
            client in prop::collection::vec(
                (prop::sample::select(DROPPED_CLIENT_HEADERS.to_vec())
                    .prop_union(prop::sample::select(vec!["accept", "x-forwarded-for", "x-a"])),
                 "[ -~]{0,12}"),
                0..8),
            mapped in prop::collection::vec(("[A-Za-z-]{1,12}|Via|TE|Host", "[ -~]{0,12}"), 0..6),
            proxy in any::<bool>(),
        ) {
            let mut headers = HeaderMap::new();
            for (k, v) in &client {
                headers.append(*k, HeaderValue::from_str(v).unwrap());
            }
            let mapped: Vec<(&str, &str)> =
                mapped.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let kind = if proxy { HttpKind::HttpProxy } else { HttpKind::Http };
            match headers_for(kind, &headers, &mapped, None) {
                Ok(h) => {
                    for name in DROPPED_MAPPED_HEADERS.iter().chain(&FORBIDDEN_MAPPED_HEADERS) {
                        prop_assert!(!h.contains_key(*name), "{}", name);
                    }
                    prop_assert_eq!(&h[API_ID_HEADER], "abc123");
                    prop_assert!(h.contains_key(TRACE_ID_HEADER));
                    prop_assert!(h.contains_key("host"));
                    if !proxy {
                        prop_assert!(!h.contains_key("x-forwarded-for"));
                    }
                }
                Err(HeaderError::Forbidden(name)) => {
                    prop_assert!(FORBIDDEN_MAPPED_HEADERS.contains(&name.as_str()));
                }
                Err(e) => prop_assert!(false, "unexpected {}", e),
            }
        }
    }

    // ---- response headers ----

    #[test]
    fn recorded_proxy_response_remaps_four_names_and_the_request_id() {
        // header-remapping [HTTP_PROXY] / no-param-integration: the backend's Connection,
        // Content-Length, Date, Server came back as x-amzn-Remapped-*; its
        // Access-Control-Allow-* passed. test_http_integration_with_lambda[HTTP_PROXY]: the
        // backend's x-amzn-RequestId came back as x-amzn-Remapped-x-amzn-RequestId.
        let mut backend = HeaderMap::new();
        for (k, v) in [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-credentials", "true"),
            ("connection", "keep-alive"),
            ("content-length", "790"),
            ("content-type", "application/json"),
            ("date", "Wed, 11 Dec 2024 15:29:02 GMT"),
            ("server", "gunicorn/19.9.0"),
            ("x-amzn-requestid", "1b2c"),
            ("transfer-encoding", "chunked"),
            ("set-cookie", "a=1"),
        ] {
            backend.append(k, HeaderValue::from_static(v));
        }
        backend.append("set-cookie", HeaderValue::from_static("b=2"));
        let h = proxy_response_headers(&backend);
        assert_eq!(h["x-amzn-remapped-connection"], "keep-alive");
        assert_eq!(h["x-amzn-remapped-content-length"], "790");
        assert_eq!(h["x-amzn-remapped-server"], "gunicorn/19.9.0");
        assert_eq!(h["x-amzn-remapped-x-amzn-requestid"], "1b2c");
        assert!(h.contains_key("x-amzn-remapped-date"));
        assert_eq!(h["access-control-allow-origin"], "*");
        assert_eq!(h["content-type"], "application/json");
        for gone in [
            "connection",
            "content-length",
            "date",
            "server",
            "transfer-encoding",
        ] {
            assert!(!h.contains_key(gone), "{gone}");
        }
        assert_eq!(h.get_all("set-cookie").iter().count(), 2);
    }

    #[test]
    fn recorded_mapped_response_remaps_the_fourteen() {
        // header-remapping [HTTP] / full-integration: each of HEADERS mapped to
        // 'response_param_<Name>'; the 14 restricted came back as x-amzn-Remapped-<Name>,
        // Transfer-Encoding not at all, the others (Accept, Age, TE, Warn, ...) as mapped.
        let mut mapped: Vec<(String, String)> = REMAPPED_MAPPED_RESPONSE_HEADERS
            .iter()
            .map(|n| ((*n).to_owned(), format!("response_param_{n}")))
            .collect();
        mapped.extend(pairs(&[
            ("Accept", "response_param_Accept"),
            ("TE", "response_param_TE"),
            ("Transfer-Encoding", "response_param_Transfer-Encoding"),
        ]));
        let h = mapped_response_headers(&mapped).unwrap();
        assert_eq!(h.len(), 16);
        for n in REMAPPED_MAPPED_RESPONSE_HEADERS {
            assert_eq!(
                h[format!("x-amzn-remapped-{n}").as_str()],
                format!("response_param_{n}")
            );
            assert!(!h.contains_key(n));
        }
        assert_eq!(h["accept"], "response_param_Accept");
        assert_eq!(h["te"], "response_param_TE");
        assert!(!h.contains_key("transfer-encoding"));
    }

    // ---- failures and timeouts ----

    #[test]
    fn timeout_and_network_error_answers() {
        // Research §3.1 (AWS access logs and curl output): 504 `{"message": "Endpoint request
        // timed out"}` (41 bytes) and 504 `{"message": "Network error communicating with
        // endpoint"}` (56 bytes), both InternalServerErrorException.
        let t = Failure::from(IntegrationError::Timeout).default_response();
        assert_eq!(t.status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(t.body, r#"{"message": "Endpoint request timed out"}"#);
        assert_eq!(t.body.len(), 41);
        let n = Failure::from(IntegrationError::Network).default_response();
        assert_eq!(n.status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(n.body.len(), 56);
        for r in [&t, &n] {
            assert_eq!(
                r.header("x-amzn-ErrorType"),
                Some("InternalServerErrorException")
            );
        }
        assert_eq!(
            IntegrationError::Timeout.response_type(),
            GatewayResponseType::IntegrationTimeout
        );
        let i = Failure::from(IntegrationError::InvalidEndpoint).default_response();
        assert_eq!(i.status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn timeouts_are_held_to_api_gateways_range() {
        // botocore Integration.timeoutInMillis: 50 ms to 29 s, default 29 s.
        assert_eq!(timeout(10), Duration::from_millis(50));
        assert_eq!(timeout(1_000), Duration::from_millis(1_000));
        assert_eq!(timeout(60_000), Duration::from_millis(29_000));
        assert_eq!(timeout(DEFAULT_TIMEOUT_MILLIS), Duration::from_secs(29));
        assert_eq!(timeout_up_to(60_000, 300_000), Duration::from_secs(60));
        assert_eq!(timeout_up_to(60_000, 0), Duration::from_millis(50));
    }

    #[test]
    fn kind_follows_the_integration_type() {
        assert_eq!(
            HttpKind::from_type(IntegrationType::HttpProxy),
            Some(HttpKind::HttpProxy)
        );
        assert_eq!(
            HttpKind::from_type(IntegrationType::Http),
            Some(HttpKind::Http)
        );
        assert_eq!(HttpKind::from_type(IntegrationType::Mock), None);
        assert!(HttpKind::HttpProxy.is_proxy());
    }
}
