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

/// [`IDENTITY_KEYS`] as `$context` paths (no formatting per request).
const IDENTITY_PATHS: [&str; 12] = [
    "identity.cognitoIdentityPoolId",
    "identity.accountId",
    "identity.cognitoIdentityId",
    "identity.caller",
    "identity.sourceIp",
    "identity.principalOrgId",
    "identity.accessKey",
    "identity.cognitoAuthenticationType",
    "identity.cognitoAuthenticationProvider",
    "identity.userArn",
    "identity.userAgent",
    "identity.user",
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
        let uuid = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        );
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut extended: String = (0..15)
            .map(|i| char::from(ALPHABET[((c >> (i * 4)) & 63) as usize]))
            .collect();
        extended.push('=');
        (uuid, extended)
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
    let mut c = Context::new();
    let header = |name: &str| {
        arrival
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let domain = header("host").unwrap_or_else(|| {
        format!(
            "{}.execute-api.{}.amazonaws.com",
            arrival.api_id, arrival.stage.region
        )
    });
    let prefix = domain.split('.').next().unwrap_or_default().to_owned();
    c.set("accountId", arrival.stage.account_id.as_str());
    c.set("apiId", arrival.api_id);
    c.set("deploymentId", arrival.stage.deployment_id.as_str());
    c.set("domainName", domain);
    c.set("domainPrefix", prefix);
    c.set("extendedRequestId", arrival.extended_request_id);
    c.set("httpMethod", arrival.http_method);
    for key in IDENTITY_PATHS {
        c.set(key, Json::Null);
    }
    if let Some(ip) = arrival.source_ip {
        // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; API Gateway reports
        // the IPv4 address.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        c.set("identity.sourceIp", ip.to_string());
    }
    if let Some(agent) = header("user-agent") {
        c.set("identity.userAgent", agent);
    }
    c.set("path", format!("/{}{}", arrival.stage.name, arrival.path));
    c.set("protocol", "HTTP/1.1");
    c.set("requestId", arrival.request_id);
    c.set_request_time(arrival.epoch_millis);
    c.set("stage", arrival.stage.name.as_str());
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
    fn identity_paths_are_the_identity_keys() {
        for (path, key) in IDENTITY_PATHS.iter().zip(IDENTITY_KEYS) {
            assert_eq!(path.strip_prefix("identity."), Some(key));
        }
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
            assert!(seen.insert(id));
        }
    }
}
