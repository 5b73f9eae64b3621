//! CORS the gateway answers itself: `x-amazon-apigateway-cors`, the HTTP API setting
//! (research validate-route-compress.md 6.2).
//!
//! REST APIs have no CORS logic of the gateway's own (research 6.1): a preflight `OPTIONS` is
//! routed to the resource's configured `OPTIONS` method (usually MOCK with
//! `Access-Control-Allow-*` response parameters, as the console's "Enable CORS" makes them)
//! and error responses carry CORS headers only through gateway responses
//! (`gatewayresponse.header.Access-Control-Allow-Origin` on `DEFAULT_4XX`/`DEFAULT_5XX`).
//! Nothing here runs for an API without `x-amazon-apigateway-cors`.
//!
//! With the setting, as AWS documents it ("Configure CORS for HTTP APIs"):
//!
//! - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered by
//!   the gateway, "even if there isn't an OPTIONS route": [`CorsPolicy::preflight`];
//! - the configured headers are added to every other response when the request has an
//!   `Origin` the configuration allows, and the backend's own CORS headers are ignored
//!   (removed): [`CorsPolicy::apply`]; failures (gateway responses) included.
//!
//! Decisions where AWS documents nothing, marked [unverified] in the research: the preflight
//! answer is `204` with an empty body; a preflight from an origin that is not allowed gets the
//! same `204` without any `Access-Control-*` header (so the browser blocks the call); with
//! `allowCredentials`, a `*` in `allowMethods` or `allowHeaders` echoes what the preflight
//! asked for (for credentialed requests browsers read `*` literally, Fetch standard, CORS
//! protocol).
//!
//! ```
//! use gateway_core::model::Cors;
//! use gateway_core::pipeline::cors::CorsPolicy;
//! use http::HeaderMap;
//!
//! let policy = CorsPolicy::new(&Cors {
//!     allow_origins: vec!["https://app.example.com".into()],
//!     allow_methods: vec!["GET".into(), "POST".into()],
//!     max_age: Some(300),
//!     ..Cors::default()
//! });
//! let mut request = HeaderMap::new();
//! request.insert("origin", "https://app.example.com".parse()?);
//! request.insert("access-control-request-method", "POST".parse()?);
//! let answer = policy.preflight("OPTIONS", &request).expect("a preflight");
//! assert_eq!(answer.status(), 204);
//! assert_eq!(answer.headers()["access-control-allow-origin"], "https://app.example.com");
//! assert_eq!(answer.headers()["access-control-allow-methods"], "GET,POST");
//! assert_eq!(answer.headers()["access-control-max-age"], "300");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::model::Cors;

/// The status of a preflight the gateway answers ([unverified]: research 6.2, an emulator's
/// test says 204; AWS's guide gives none).
pub const PREFLIGHT_STATUS: StatusCode = StatusCode::NO_CONTENT;

/// Longest `maxAge` AWS takes, in seconds (botocore `Cors.MaxAge`: -1 to 86400).
pub const MAX_MAX_AGE: u32 = 86_400;

/// One entry of `allowOrigins`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OriginRule {
    /// `*`: any origin.
    Any,
    /// `https://*` or `http://*`: any origin of that scheme (the prefix kept, `https://`).
    Scheme(String),
    /// One origin, lowercased (origins compare without case: scheme and host are
    /// case-insensitive and browsers send them lowercased).
    Exact(String),
}

impl OriginRule {
    fn parse(entry: &str) -> OriginRule {
        let entry = entry.trim();
        if entry == "*" {
            return OriginRule::Any;
        }
        match entry.strip_suffix('*') {
            Some(prefix) if prefix.ends_with("://") => {
                OriginRule::Scheme(prefix.to_ascii_lowercase())
            }
            _ => OriginRule::Exact(entry.trim_end_matches('/').to_ascii_lowercase()),
        }
    }

    fn allows(&self, origin: &str) -> bool {
        match self {
            OriginRule::Any => true,
            OriginRule::Scheme(prefix) => {
                origin.len() > prefix.len()
                    && origin.is_char_boundary(prefix.len())
                    && origin[..prefix.len()].eq_ignore_ascii_case(prefix)
            }
            OriginRule::Exact(exact) => origin.eq_ignore_ascii_case(exact),
        }
    }
}

/// A list setting (`allowMethods`, `allowHeaders`, `exposeHeaders`) as the header value it
/// becomes: its entries joined with `,`; `any` when one entry is `*`.
#[derive(Debug, Clone, Default)]
struct ListValue {
    value: Option<HeaderValue>,
    any: bool,
}

impl ListValue {
    fn new(entries: &[String]) -> ListValue {
        let entries: Vec<&str> = entries
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .collect();
        ListValue {
            any: entries.contains(&"*"),
            // Entries that are not header text were refused at import; one built by hand
            // that is not is left out rather than sent broken.
            value: HeaderValue::from_str(&entries.join(","))
                .ok()
                .filter(|_| !entries.is_empty()),
        }
    }

    /// The value for a response: the configured list, or, for `*` with credentials, what the
    /// request asked for.
    fn value_for(&self, credentials: bool, asked: Option<&HeaderValue>) -> Option<HeaderValue> {
        if self.any && credentials {
            return asked.cloned().or_else(|| self.value.clone());
        }
        self.value.clone()
    }
}

/// `x-amazon-apigateway-cors` compiled once, when the gateway is made; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct CorsPolicy {
    origins: Vec<OriginRule>,
    /// Whether the origin header sent back is `*` (any origin allowed, no credentials).
    star_origin: bool,
    methods: ListValue,
    headers: ListValue,
    expose: ListValue,
    max_age: Option<HeaderValue>,
    credentials: bool,
}

impl CorsPolicy {
    /// Compiles a configuration. Import refuses what AWS refuses (credentials with a `*`
    /// origin, `maxAge` over [`MAX_MAX_AGE`]); a configuration built by hand is taken as it
    /// is, entries that are not header text left out.
    pub fn new(config: &Cors) -> CorsPolicy {
        let origins: Vec<OriginRule> = config
            .allow_origins
            .iter()
            .filter(|o| !o.trim().is_empty())
            .map(|o| OriginRule::parse(o))
            .collect();
        CorsPolicy {
            star_origin: !config.allow_credentials && origins.contains(&OriginRule::Any),
            origins,
            methods: ListValue::new(&config.allow_methods),
            headers: ListValue::new(&config.allow_headers),
            expose: ListValue::new(&config.expose_headers),
            max_age: config.max_age.map(HeaderValue::from),
            credentials: config.allow_credentials,
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, when it is allowed.
    fn allow_origin(&self, request: &HeaderMap) -> Option<HeaderValue> {
        let origin = request.get(ORIGIN)?;
        let text = origin.to_str().ok()?;
        if !self.origins.iter().any(|rule| rule.allows(text)) {
            return None;
        }
        Some(if self.star_origin {
            HeaderValue::from_static("*")
        } else {
            origin.clone()
        })
    }

    /// The gateway's own answer to a preflight: `Some` for `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method` (AWS: "For the OPTIONS method, your request must include
    /// the origin header and the Access-Control-Request-Method header"), else `None` and the
    /// request is routed as any other.
    pub fn preflight(&self, method: &str, request: &HeaderMap) -> Option<Response<Bytes>> {
        if method != "OPTIONS" || !request.contains_key(ORIGIN) {
            return None;
        }
        let asked_method = request.get(ACCESS_CONTROL_REQUEST_METHOD)?;
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = PREFLIGHT_STATUS;
        let Some(origin) = self.allow_origin(request) else {
            return Some(response);
        };
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if self.credentials {
            headers.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Some(v) = self.methods.value_for(self.credentials, Some(asked_method)) {
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        let asked_headers = request.get(ACCESS_CONTROL_REQUEST_HEADERS);
        if let Some(v) = self.headers.value_for(self.credentials, asked_headers) {
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if let Some(v) = &self.max_age {
            headers.insert(ACCESS_CONTROL_MAX_AGE, v.clone());
        }
        Some(response)
    }

    /// The CORS headers of an actual response: the backend's `Access-Control-*` headers
    /// removed ("API Gateway ignores CORS headers returned from your backend integration"),
    /// then, for an allowed `Origin`, `Access-Control-Allow-Origin`, `-Expose-Headers` and
    /// `-Allow-Credentials`.
    pub fn apply(&self, request: &HeaderMap, response: &mut HeaderMap) {
        strip_cors_headers(response);
        let Some(origin) = self.allow_origin(request) else {
            return;
        };
        response.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if let Some(v) = self.expose.value_for(false, None) {
            response.insert(ACCESS_CONTROL_EXPOSE_HEADERS, v);
        }
        if self.credentials {
            response.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
    }
}

/// Removes every `Access-Control-*` header (names are lowercase in a `HeaderMap`).
fn strip_cors_headers(headers: &mut HeaderMap) {
    if !headers
        .keys()
        .any(|name| name.as_str().starts_with("access-control-"))
    {
        return;
    }
    let names: Vec<_> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// The stage's entry for a request: the gateway's preflight answer, when the API has a CORS
/// configuration and the request is a preflight. `None` (the request goes on) otherwise; an
/// API without the setting costs one branch.
pub fn preflight(
    policy: Option<&CorsPolicy>,
    method: &str,
    request: &HeaderMap,
) -> Option<Response<Bytes>> {
    policy?.preflight(method, request)
}

/// The stage's entry for a response that is not a preflight answer: [`CorsPolicy::apply`]
/// when the API has a CORS configuration, nothing otherwise.
pub fn apply(policy: Option<&CorsPolicy>, request: &HeaderMap, response: &mut HeaderMap) {
    if let Some(policy) = policy {
        policy.apply(request, response);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    http::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    fn policy(origins: &[&str], credentials: bool) -> CorsPolicy {
        CorsPolicy::new(&Cors {
            allow_origins: origins.iter().map(|s| (*s).to_owned()).collect(),
            allow_methods: vec!["GET".into(), "*".into()],
            allow_headers: vec!["authorization".into(), "content-type".into()],
            expose_headers: vec!["date".into(), "x-api-id".into()],
            max_age: Some(300),
            allow_credentials: credentials,
        })
    }

    #[test]
    fn origins_match_exactly_by_scheme_or_all() {
        // AWS's guide: allowOrigins takes `https://www.example.com`, `*`, `https://*`, `http://*`.
        let p = policy(&["https://www.example.com", "http://*"], false);
        let allowed = |o: &'static str| p.allow_origin(&headers(&[("origin", o)]));
        assert_eq!(
            allowed("https://www.example.com").unwrap(),
            "https://www.example.com"
        );
        assert_eq!(
            allowed("HTTPS://WWW.EXAMPLE.COM").unwrap(),
            "HTTPS://WWW.EXAMPLE.COM"
        );
        assert_eq!(
            allowed("http://anything:8080").unwrap(),
            "http://anything:8080"
        );
        assert!(allowed("https://evil.example.com").is_none());
        assert!(allowed("http://").is_none());
        let any = policy(&["*"], false);
        assert_eq!(
            any.allow_origin(&headers(&[("origin", "https://x")]))
                .unwrap(),
            "*"
        );
    }

    #[test]
    fn a_preflight_needs_options_origin_and_the_requested_method() {
        let p = policy(&["*"], false);
        let full = headers(&[
            ("origin", "https://a"),
            ("access-control-request-method", "PUT"),
        ]);
        assert!(p.preflight("OPTIONS", &full).is_some());
        assert!(p.preflight("GET", &full).is_none());
        assert!(
            p.preflight("OPTIONS", &headers(&[("origin", "https://a")]))
                .is_none()
        );
        assert!(
            p.preflight(
                "OPTIONS",
                &headers(&[("access-control-request-method", "PUT")])
            )
            .is_none()
        );
        let answer = p.preflight("OPTIONS", &full).unwrap();
        assert_eq!(answer.status(), PREFLIGHT_STATUS);
        assert!(answer.body().is_empty());
        let h = answer.headers();
        assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(h[ACCESS_CONTROL_ALLOW_METHODS], "GET,*");
        assert_eq!(
            h[ACCESS_CONTROL_ALLOW_HEADERS],
            "authorization,content-type"
        );
        assert_eq!(h[ACCESS_CONTROL_MAX_AGE], "300");
        assert!(!h.contains_key(ACCESS_CONTROL_ALLOW_CREDENTIALS));
    }

    #[test]
    fn a_preflight_from_another_origin_gets_no_cors_headers() {
        let p = policy(&["https://a"], false);
        let answer = p
            .preflight(
                "OPTIONS",
                &headers(&[
                    ("origin", "https://b"),
                    ("access-control-request-method", "GET"),
                ]),
            )
            .unwrap();
        assert_eq!(answer.status(), PREFLIGHT_STATUS);
        assert!(
            answer
                .headers()
                .keys()
                .all(|k| !k.as_str().starts_with("access-control-"))
        );
    }

    #[test]
    fn with_credentials_the_origin_is_echoed_and_stars_echo_the_request() {
        let p = policy(&["https://a"], true);
        let answer = p
            .preflight(
                "OPTIONS",
                &headers(&[
                    ("origin", "https://a"),
                    ("access-control-request-method", "DELETE"),
                ]),
            )
            .unwrap();
        let h = answer.headers();
        assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "https://a");
        assert_eq!(h[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        assert_eq!(h[ACCESS_CONTROL_ALLOW_METHODS], "DELETE");
    }

    #[test]
    fn actual_responses_lose_the_backends_cors_headers_and_get_the_configured_ones() {
        // AWS: "API Gateway ignores CORS headers returned from your backend integration".
        let p = policy(&["https://a"], false);
        let mut response = headers(&[
            ("access-control-allow-origin", "https://backend-says"),
            ("access-control-max-age", "1"),
            ("content-type", "application/json"),
        ]);
        p.apply(&headers(&[("origin", "https://a")]), &mut response);
        assert_eq!(response[ACCESS_CONTROL_ALLOW_ORIGIN], "https://a");
        assert_eq!(response[ACCESS_CONTROL_EXPOSE_HEADERS], "date,x-api-id");
        assert!(!response.contains_key(ACCESS_CONTROL_MAX_AGE));
        assert_eq!(response["content-type"], "application/json");
        // No Origin: no CORS headers at all, the backend's removed all the same.
        let mut response = headers(&[("access-control-allow-origin", "*")]);
        p.apply(&HeaderMap::new(), &mut response);
        assert!(response.is_empty());
    }

    #[test]
    fn without_a_configuration_the_stage_does_nothing() {
        let request = headers(&[
            ("origin", "https://a"),
            ("access-control-request-method", "GET"),
        ]);
        assert!(preflight(None, "OPTIONS", &request).is_none());
        let mut response = headers(&[("access-control-allow-origin", "*")]);
        apply(None, &request, &mut response);
        assert_eq!(response[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
}
