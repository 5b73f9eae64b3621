//! `$context` for one request, built once when the request arrives and filled in as it goes
//! (routing adds `resourceId`/`resourcePath`, the integration its status and latency, a
//! failure `error.*`). Templates, parameter mappings, the Lambda proxy event's
//! `requestContext`, gateway responses and access logs all read this one value.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use gateway_mapping::context::Context;
use http::HeaderMap;
use serde_json::Value as Json;

use super::request::source_ip_text;
use super::stage::Stage;

/// The `identity` keys API Gateway always sends, `null` when unknown, in the order AWS sends
/// them (a REST event captured from a Lambda log, research pipeline-access.md 1.3; the same
/// 12 keys in every event LocalStack recorded on AWS).
pub const IDENTITY_KEYS: [&str; 12] = [
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "sourceIp",
    "principalOrgId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "userAgent",
    "user",
];

/// Makes request ids: `requestId` a version-4-shaped UUID, `extendedRequestId` 16 characters
/// ending in `=` as AWS prints them (`e_J36EirPHcEZgQ=`). Unique per generator (a counter
/// under a random per-process key), not secret.
#[derive(Debug)]
pub struct RequestIds {
    key: RandomState,
    counter: AtomicU64,
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds::new()
    }
}

impl RequestIds {
    /// A generator with a fresh random key.
    pub fn new() -> RequestIds {
        RequestIds {
            key: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    fn word(&self, n: u64, salt: u64) -> u64 {
        let mut h = self.key.build_hasher();
        h.write_u64(n);
        h.write_u64(salt);
        h.finish()
    }

    /// The next `(requestId, extendedRequestId)`.
    pub fn next(&self) -> (String, String) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let (a, b, c) = (self.word(n, 1), self.word(n, 2), self.word(n, 3));
        // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, written digit by digit (format! was most of
        // the ids' cost).
        let digits = [
            (a >> 32, 8),
            ((a >> 16) & 0xffff, 4),
            (0x4000 | (a & 0x0fff), 4),
            (0x8000 | (b >> 48) & 0x3fff, 4),
            (b & 0xffff_ffff_ffff, 12),
        ];
        let mut uuid = String::with_capacity(36);
        for (i, (value, width)) in digits.into_iter().enumerate() {
            if i > 0 {
                uuid.push('-');
            }
            push_hex(&mut uuid, value, width);
        }
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut extended: String = (0..15)
            .map(|i| char::from(ALPHABET[((c >> (i * 4)) & 63) as usize]))
            .collect();
        extended.push('=');
        (uuid, extended)
    }
}

/// Appends `value` in lowercase hex, at least `width` digits (zeros in front), as
/// `{:0width$x}` writes it, without the formatting machinery (request ids and trace ids are
/// written for every request).
pub(super) fn push_hex(out: &mut String, value: u64, width: usize) {
    let needed = (64 - value.leading_zeros() as usize).div_ceil(4).max(1);
    for shift in (0..needed.max(width)).rev() {
        let nibble = if shift < 16 {
            (value >> (shift * 4)) & 0xf
        } else {
            0
        };
        out.push(char::from(b"0123456789abcdef"[nibble as usize]));
    }
}

/// What is known of a request when it arrives.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    /// The stage it came in on.
    pub stage: &'a Stage,
    /// The API's id.
    pub api_id: &'a str,
    /// The HTTP method as the client sent it.
    pub http_method: &'a str,
    /// The request path after the stage (`/pets/1`).
    pub path: &'a str,
    /// The request headers (`Host`, `User-Agent`).
    pub headers: &'a HeaderMap,
    /// The client's address, when known.
    pub source_ip: Option<IpAddr>,
    /// `requestId`.
    pub request_id: &'a str,
    /// `extendedRequestId`.
    pub extended_request_id: &'a str,
    /// When it arrived, in milliseconds since the Unix epoch.
    pub epoch_millis: i64,
}

/// `$context` as a request arrives (developer guide, api-gateway-mapping-template-reference,
/// `$context` variables; shapes from the recorded events of research 1.3).
///
/// `domainName` is the `Host` header, else the execute-api name
/// `{apiId}.execute-api.{region}.amazonaws.com`; `domainPrefix` its first label; `path` the
/// raw path with `/{stage}` in front; `protocol` is `HTTP/1.1` (AWS reports it for HTTP/2
/// clients too); `identity` has its twelve keys, `null` but `sourceIp` and `userAgent`.
pub fn on_arrival(arrival: &Arrival<'_>) -> Context {
    let header = |name: &str| arrival.headers.get(name).and_then(|v| v.to_str().ok());
    let domain = match header("host") {
        Some(host) => host.to_owned(),
        None => format!(
            "{}.execute-api.{}.amazonaws.com",
            arrival.api_id, arrival.stage.region
        ),
    };
    let prefix = domain.split('.').next().unwrap_or_default().to_owned();
    // Every name below is set once, so the context is built by appending (no search per
    // variable: building it by dotted names was a third of a MOCK request's instructions).
    let mut c = Context::with_capacity(16);
    c.push("accountId", arrival.stage.account_id.as_str());
    c.push("apiId", arrival.api_id);
    c.push("deploymentId", arrival.stage.deployment_id.as_str());
    c.push("domainName", domain);
    c.push("domainPrefix", prefix);
    c.push("extendedRequestId", arrival.extended_request_id);
    c.push("httpMethod", arrival.http_method);
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; API Gateway reports the
    // IPv4 address.
    c.push_object(
        "identity",
        IDENTITY_KEYS.into_iter().map(|key| {
            let value = match key {
                "sourceIp" => arrival
                    .source_ip
                    .map_or(Json::Null, |ip| Json::String(source_ip_text(ip))),
                "userAgent" => header("user-agent").map_or(Json::Null, Json::from),
                _ => Json::Null,
            };
            (key, value)
        }),
    );
    c.push("path", format!("/{}{}", arrival.stage.name, arrival.path));
    c.push("protocol", "HTTP/1.1");
    c.push("requestId", arrival.request_id);
    c.push_request_time(arrival.epoch_millis);
    c.push("stage", arrival.stage.name.as_str());
    c
}

/// Adds what routing found: `resourceId` and `resourcePath`.
pub fn on_route(context: &mut Context, resource_id: &str, resource_path: &str) {
    context.set("resourceId", resource_id);
    context.set("resourcePath", resource_path);
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use std::collections::HashSet;

    fn arrival<'a>(stage: &'a Stage, headers: &'a HeaderMap) -> Arrival<'a> {
        Arrival {
            stage,
            api_id: "abc123",
            http_method: "GET",
            path: "/pets/1",
            headers,
            source_ip: Some("::ffff:10.1.2.3".parse().unwrap()),
            request_id: "r",
            extended_request_id: "e=",
            epoch_millis: 1_781_500_363_847,
        }
    }

    #[test]
    fn hex_is_written_as_format_writes_it() {
        for (value, width) in [
            (0u64, 8),
            (0x5f3a_9c21, 8),
            (0xabc, 8),
            (u64::MAX, 8),
            (7, 1),
            (0x1f, 20),
        ] {
            let mut out = String::new();
            push_hex(&mut out, value, width);
            assert_eq!(out, format!("{value:0width$x}"));
        }
    }

    #[test]
    fn arrival_context_has_what_aws_reports() {
        let stage = Stage::new("prod");
        let mut headers = HeaderMap::new();
        headers.insert(
            "host",
            HeaderValue::from_static("abc123.execute-api.eu-west-1.amazonaws.com"),
        );
        headers.insert("user-agent", HeaderValue::from_static("curl/8"));
        let c = on_arrival(&arrival(&stage, &headers));
        // research 1.3: path with the stage, domainPrefix the first label, requestTimeEpoch
        // a number, requestTime in CLF.
        assert_eq!(c.lookup("path").as_deref(), Some("/prod/pets/1"));
        assert_eq!(c.lookup("domainPrefix").as_deref(), Some("abc123"));
        assert_eq!(
            c.get("requestTimeEpoch"),
            Some(Json::from(1_781_500_363_847_i64))
        );
        assert_eq!(
            c.lookup("requestTime").as_deref(),
            Some("15/Jun/2026:05:12:43 +0000")
        );
        assert_eq!(c.lookup("identity.sourceIp").as_deref(), Some("10.1.2.3"));
        assert_eq!(c.lookup("identity.userAgent").as_deref(), Some("curl/8"));
        assert_eq!(c.get("identity.caller"), Some(Json::Null));
        let identity = c.get("identity").unwrap();
        assert_eq!(identity.as_object().unwrap().len(), 12);
        assert_eq!(c.lookup("protocol").as_deref(), Some("HTTP/1.1"));
    }

    #[test]
    fn without_a_host_the_domain_is_the_execute_api_name() {
        let stage = Stage::new("prod");
        let headers = HeaderMap::new();
        let c = on_arrival(&arrival(&stage, &headers));
        assert_eq!(
            c.lookup("domainName").as_deref(),
            Some("abc123.execute-api.us-east-1.amazonaws.com")
        );
    }

    #[test]
    fn built_by_appending_it_equals_the_context_set_by_name() {
        let stage = Stage::new("prod");
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", HeaderValue::from_static("curl/8"));
        let built = on_arrival(&arrival(&stage, &headers));
        let mut by_name = Context::new();
        for (name, value) in [
            ("accountId", "123456789012"),
            ("apiId", "abc123"),
            ("deploymentId", "local"),
            ("domainName", "abc123.execute-api.us-east-1.amazonaws.com"),
            ("domainPrefix", "abc123"),
            ("extendedRequestId", "e="),
            ("httpMethod", "GET"),
        ] {
            by_name.set(name, value);
        }
        for key in IDENTITY_KEYS {
            by_name.set(&format!("identity.{key}"), Json::Null);
        }
        by_name.set("identity.sourceIp", "10.1.2.3");
        by_name.set("identity.userAgent", "curl/8");
        by_name.set("path", "/prod/pets/1");
        by_name.set("protocol", "HTTP/1.1");
        by_name.set("requestId", "r");
        by_name.set_request_time(1_781_500_363_847);
        by_name.set("stage", "prod");
        assert_eq!(built, by_name);
        assert_eq!(built.to_json(), by_name.to_json());
    }

    #[test]
    fn request_ids_are_unique_and_shaped_as_aws_prints_them() {
        let ids = RequestIds::new();
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            let (id, ext) = ids.next();
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "4");
            assert_eq!(ext.len(), 16);
            assert!(ext.ends_with('='));
            let groups: Vec<&str> = id.split('-').collect();
            assert_eq!(
                groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(
                id.bytes()
                    .all(|b| b == b'-' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            // RFC 4122 variant: 8, 9, a or b.
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
            assert!(seen.insert(id));
        }
    }
}
