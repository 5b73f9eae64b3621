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

use std::time::{Duration, UNIX_EPOCH};

use gateway_policy::{ApiScope, Denial, DeniedBy, Effect, ExecuteApiArn, GatewayKeys, Request};

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

/// One request as the policies see it: the method ARN and the condition keys, made once and
/// shared by every policy evaluation of the request.
#[derive(Debug, Clone)]
pub struct MethodCall {
    /// The method ARN.
    pub arn: String,
    /// The condition keys the gateway knows (no principal keys).
    pub keys: GatewayKeys,
}

impl MethodCall {
    /// The method ARN and condition keys of `request`.
    pub fn new(request: &AccessRequest<'_>) -> MethodCall {
        let api = request.api.api();
        let scope = ApiScope::new(
            &request.stage.region,
            &request.stage.account_id,
            api.id.as_str(),
        );
        let arn = ExecuteApiArn::new(
            &scope,
            &request.stage.name,
            request.http_method,
            request.path,
        )
        .to_string();
        let headers = &request.request.headers;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let private = api.endpoint_configuration.endpoint_type == EndpointType::Private;
        let millis = u64::try_from(request.epoch_millis).unwrap_or(0);
        let keys = GatewayKeys {
            source_ip: request.source_ip,
            source_vpc: if private { header(VPC_HEADER) } else { None },
            source_vpce: if private { header(VPCE_HEADER) } else { None },
            vpc_source_ip: if private { request.source_ip } else { None },
            current_time: Some(UNIX_EPOCH + Duration::from_millis(millis)),
            secure_transport: Some(true),
            user_agent: header("user-agent"),
            referer: header("referer"),
            ..GatewayKeys::default()
        };
        MethodCall { arn, keys }
    }

    /// The request for `execute-api:Invoke` on the method ARN by an anonymous caller (every
    /// authorization type but IAM).
    pub fn anonymous(&self) -> Request {
        Request::new(INVOKE, self.arn.as_str()).with_gateway_keys(&self.keys)
    }
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
/// "API Gateway resource policy only"); without one the method is open.
pub fn alone(api: &CompiledApi, call: &MethodCall) -> Result<(), Failure> {
    if api.resource_policy().is_none() {
        return Ok(());
    }
    let request = call.anonymous();
    match effect(api, &request) {
        Some(Effect::Allow) | None => Ok(()),
        Some(deny) => Err(denied(deny, DeniedBy::Policy, &request)),
    }
}
