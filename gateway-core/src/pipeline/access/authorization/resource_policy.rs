//! The resource policy's side of every request: the method ARN the policies are evaluated
//! for, the condition keys the gateway knows, and the policy alone (authorization `NONE`).
//!
//! The method ARN is `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{VERB}/{path}`
//! with the request's own verb and path (parameter values filled in, the root a trailing
//! `/`): developer guide, "Resource format of permissions for executing API in API Gateway"
//! (research iam-apigateway.md 2.2).
//!
//! Condition keys (developer guide, "AWS condition keys that can be used in API Gateway
//! resource policies"; research iam-apigateway.md 2.4): `aws:SourceIp` (the peer's address),
//! `aws:UserAgent` and `aws:Referer` (when sent), `aws:CurrentTime`/`aws:EpochTime` (the
//! request's arrival), `aws:SecureTransport` (`true`: execute-api endpoints are HTTPS only,
//! and a policy denying insecure transport must not refuse every local call). For a
//! `PRIVATE` API, `aws:SourceVpce` and `aws:SourceVpc` are read from the `x-amzn-vpce-id` and
//! `x-amzn-vpc-id` headers (the local gateway has no VPC: a caller states the endpoint it
//! stands for; an API of another endpoint type ignores them, so they cannot be forged
//! against it) and `aws:VpcSourceIp` is the peer's address. The principal keys
//! (`aws:PrincipalAccount`, `aws:PrincipalArn`, ...) exist only for IAM-signed requests
//! ([`super::iam`]); under other authorization types a policy sees them missing.

use gateway_policy::{Denial, DeniedBy, Effect, Request};

use super::super::AccessRequest;
use crate::compile::CompiledApi;
use crate::model::EndpointType;
use crate::pipeline::gateway_response::Failure;

/// The action every API Gateway invocation is authorized for.
pub const INVOKE: &str = "execute-api:Invoke";

/// The header a private API call names its VPC endpoint in (local stand-in, see the module
/// documentation).
pub const VPCE_HEADER: &str = "x-amzn-vpce-id";
/// The header a private API call names its VPC in.
pub const VPC_HEADER: &str = "x-amzn-vpc-id";

/// One request as the policies see it: `execute-api:Invoke` on the method ARN by an anonymous
/// caller, with the condition keys the gateway knows, made once per request and shared by
/// every policy evaluation of it (an IAM caller's principal is added in place).
#[derive(Debug, Clone)]
pub struct MethodCall {
    request: Request,
}

impl MethodCall {
    /// The method ARN and condition keys of `request`.
    pub fn new(request: &AccessRequest<'_>) -> MethodCall {
        let stage = request.stage;
        let path = request.path.strip_prefix('/').unwrap_or(request.path);
        let api_id = request.api.api().id.as_str();
        let mut arn = String::with_capacity(
            40 + stage.region.len()
                + api_id.len()
                + stage.name.len()
                + request.http_method.len()
                + path.len(),
        );
        for part in [
            "arn:aws:execute-api:",
            &stage.region,
            ":",
            &stage.account_id,
            ":",
            api_id,
            "/",
            &stage.name,
            "/",
            request.http_method,
            "/",
            path,
        ] {
            arn.push_str(part);
        }
        let mut policy_request = Request::new(INVOKE, arn);
        // Names in lower case, as the policies' compiled conditions look them up: kept
        // without a copy (one allocation per key, its value's), appended without a search
        // (each is set once here).
        let keys = policy_request.keys_mut();
        keys.reserve(10);
        let headers = &request.request.headers;
        let mut header = |key: &'static str, name: &str| {
            if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
                keys.push_static(key, v);
            }
        };
        header("aws:useragent", "user-agent");
        header("aws:referer", "referer");
        let private =
            request.api.api().endpoint_configuration.endpoint_type == EndpointType::Private;
        if private {
            header("aws:sourcevpce", VPCE_HEADER);
            header("aws:sourcevpc", VPC_HEADER);
        }
        if let Some(ip) = request.source_ip {
            // An IPv4-mapped IPv6 peer is its IPv4 address, as gateway-policy gives it.
            let ip = crate::pipeline::request::source_ip_text(ip);
            if private {
                keys.push_static("aws:vpcsourceip", ip.as_str());
            }
            keys.push_static("aws:sourceip", ip);
        }
        keys.push_static("aws:securetransport", "true");
        let secs = request.epoch_millis.div_euclid(1000);
        if let Some(iso) = iso_time(secs) {
            keys.push_static("aws:currenttime", iso);
        }
        keys.push_static("aws:epochtime", secs.to_string());
        MethodCall {
            request: policy_request,
        }
    }

    /// The method ARN.
    pub fn arn(&self) -> &str {
        self.request.resource()
    }

    /// The request for `execute-api:Invoke` on the method ARN by an anonymous caller (every
    /// authorization type but IAM).
    pub fn anonymous(&self) -> &Request {
        &self.request
    }

    /// The request, to name its principal (IAM).
    pub fn into_request(self) -> Request {
        self.request
    }
}

/// `aws:CurrentTime`'s ISO 8601 UTC form (`2019-07-16T12:00:00Z`), written digit by digit
/// (a format string costs more than the rest of the keys together).
fn iso_time(secs: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let (h, m, s) = t.to_hms();
    let mut out = String::with_capacity(20);
    let mut digits = |n: u32, width: u32, after: char| {
        for place in (0..width).rev() {
            let digit = n / 10u32.pow(place) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
        out.push(after);
    };
    digits(year, 4, '-');
    digits(u32::from(u8::from(t.month())), 2, '-');
    digits(u32::from(t.day()), 2, 'T');
    digits(u32::from(h), 2, ':');
    digits(u32::from(m), 2, ':');
    digits(u32::from(s), 2, 'Z');
    Some(out)
}

/// The effect of the API's resource policy on `request`, `None` when the API has none.
pub fn effect(api: &CompiledApi, request: &Request) -> Option<Effect> {
    api.resource_policy().map(|p| p.evaluate(request).effect)
}

/// `ACCESS_DENIED` (403) for a deny, worded for the check that refused.
pub fn denied(effect: Effect, by: DeniedBy, request: &Request) -> Failure {
    match Denial::new(effect, by, request) {
        Some(denial) => Failure::from(&denial).with_detail(format!(
            "{} denied by {}",
            request.resource(),
            match by {
                DeniedBy::LambdaAuthorizer => "the authorizer's policy",
                _ => "the resource policy",
            }
        )),
        // Not a deny: callers only pass denies; refuse rather than let an allow through.
        None => super::configuration_error("an allow was reported as a denial"),
    }
}

/// Authorization `NONE`: with a resource policy, an explicit allow is needed ("An implicit
/// denial or any explicit denial results in denying the caller", apigateway-authorization-flow,
/// "API Gateway resource policy only"); without one the method is open, and nothing is built
/// (the method call and its condition keys were most of an open MOCK request's access cost).
pub fn alone(api: &CompiledApi, request: &AccessRequest<'_>) -> Result<(), Failure> {
    if api.resource_policy().is_none() {
        return Ok(());
    }
    let call = MethodCall::new(request);
    let request = call.anonymous();
    match effect(api, request) {
        Some(Effect::Allow) | None => Ok(()),
        Some(deny) => Err(denied(deny, DeniedBy::Policy, request)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_time_is_iso_8601_utc() {
        // IAM User Guide, aws:CurrentTime: ISO 8601 (`2019-07-16T12:00:00Z`).
        assert_eq!(
            iso_time(1_563_278_400).as_deref(),
            Some("2019-07-16T12:00:00Z")
        );
        assert_eq!(iso_time(0).as_deref(), Some("1970-01-01T00:00:00Z"));
    }
}
