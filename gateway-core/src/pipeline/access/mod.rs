//! Access control: the stages that decide whether a routed request may go on, in API
//! Gateway's order (developer guide, apigateway-authorization-flow; research
//! pipeline-access.md 9, which reads the order off real execution logs):
//!
//! 1. [`authorization`]: the resource policy's explicit-deny pass, then the method's
//!    authorizer (IAM with SigV4, a Lambda authorizer, a Cognito user pool), then the
//!    resource policy's combination with it;
//! 2. [`usage`]: API keys, usage plans, throttling and quotas ("Verifying Usage Plan for
//!    request" follows the authorizer in the execution log, and an `AUTHORIZER` key source
//!    needs the authorizer's answer).
//!
//! [`check`] is the stage's one entry point. What the stage needs beyond the API definition
//! (keys, plans, IAM users, Cognito keys, counter stores) is an [`Access`], built by the host
//! (the `gateway` tool from its `--config` file, see [`crate::config`]); the default `Access`
//! has none of it, so a method that requires an API key finds no key, as on an API with no
//! keys.

pub mod authorization;
pub mod usage;

use std::net::IpAddr;

use bytes::Bytes;
use gateway_mapping::context::Context;
use gateway_mapping::input::OwnedRequest;
use http::{HeaderValue, Response, StatusCode};

use super::Backends;
use super::gateway_response::Failure;
use super::stage::Stage;
use crate::compile::CompiledApi;
use crate::model::{AuthorizationType, EndpointType, Method};

/// Longest method ARN (`arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{VERB}/{path}`)
/// of a request that authorization reads: 1,600 bytes, not raisable (developer guide, quotas
/// for REST APIs, "ARN length of a method with authorization"; the same guide's Lambda
/// authorizer output page). Path parameters can push a request's ARN past it.
pub const MAX_METHOD_ARN_BYTES: usize = 1600;

/// The body of the 414 a request gets when its method ARN is over [`MAX_METHOD_ARN_BYTES`].
/// The guide names the status and its text ("414 Request URI too long"); the body's exact
/// bytes are not recorded anywhere we found (research session 12, 3), so it takes the form
/// of API Gateway's other JSON error bodies. It is not a gateway response type (none of the
/// documented types is 414), so it cannot be customised and carries no `x-amzn-ErrorType`.
pub const URI_TOO_LONG_BODY: &str = r#"{"message":"Request URI too long"}"#;

/// What the access stages know beyond the API definition: shared by every request of a
/// gateway (`Send + Sync`; stores inside are shared handles).
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Identities and keys for the authorizers (IAM users, Cognito keys, the authorizer
    /// cache).
    pub authorization: authorization::Authorization,
    /// API keys, usage plans, throttling and quota settings and their counter store.
    pub usage: usage::Usage,
}

/// One routed request, as the access stages read it.
#[derive(Debug, Clone, Copy)]
pub struct AccessRequest<'a> {
    /// The compiled API (resource policy, compiled authorizers, API-wide settings).
    pub api: &'a CompiledApi,
    /// The stage served.
    pub stage: &'a Stage,
    /// The routed method (authorization type, authorizer, scopes, API key requirement).
    pub method: &'a Method,
    /// The request's verb (`GET`; the method's own may be `ANY`).
    pub http_method: &'a str,
    /// The matched resource path (`/pets/{petId}`).
    pub resource_path: &'a str,
    /// The request's path after the stage (`/pets/42`).
    pub path: &'a str,
    /// The query string as sent, undecoded (empty when none): SigV4 signs it as sent.
    pub raw_query: &'a str,
    /// Headers, decoded query, path parameters and body.
    pub request: &'a OwnedRequest,
    /// The caller's address, as the server saw it.
    pub source_ip: Option<IpAddr>,
    /// When the request arrived, in milliseconds since the Unix epoch.
    pub epoch_millis: i64,
}

/// The 414 API Gateway answers before authorization when the request's method ARN would be
/// over [`MAX_METHOD_ARN_BYTES`]: on a method with authorization, and, as the quotas page's
/// note adds, wherever a resource policy is evaluated (so on every private API). `None` when
/// the limit does not apply or holds. Counted without building the ARN.
pub fn method_arn_limit(request: &AccessRequest<'_>) -> Option<Response<Bytes>> {
    let api = request.api;
    let applies = request.method.authorization_type != AuthorizationType::None
        || api.resource_policy().is_some()
        || api.api().endpoint_configuration.endpoint_type == EndpointType::Private;
    if !applies {
        return None;
    }
    let stage = request.stage;
    let path = request.path.strip_prefix('/').unwrap_or(request.path);
    // arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{VERB}/{path}
    let length = "arn:aws:execute-api:".len()
        + stage.region.len()
        + 1
        + stage.account_id.len()
        + 1
        + api.api().id.len()
        + 1
        + stage.name.len()
        + 1
        + request.http_method.len()
        + 1
        + path.len();
    if length <= MAX_METHOD_ARN_BYTES {
        return None;
    }
    let mut response = Response::new(Bytes::from_static(URI_TOO_LONG_BODY.as_bytes()));
    *response.status_mut() = StatusCode::URI_TOO_LONG;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Some(response)
}

/// What authorization established about the caller, for the usage stage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authorized {
    /// The principal the authorizer named (`principalId`; the IAM user's ARN), if any.
    pub principal_id: Option<String>,
    /// The API key an authorizer returned (`usageIdentifierKey`), for
    /// `x-amazon-apigateway-api-key-source: AUTHORIZER`.
    pub usage_identifier_key: Option<String>,
}

/// Decides whether the request may go on to validation, filling `$context.identity.*` and
/// `$context.authorizer.*` on the way; a refusal is the [`Failure`] whose gateway response
/// API Gateway sends.
pub async fn check(
    access: &Access,
    backends: &Backends,
    request: &AccessRequest<'_>,
    context: &mut Context,
) -> Result<(), Failure> {
    let authorized =
        authorization::authorize(&access.authorization, backends, request, context).await?;
    usage::admit(&access.usage, request, &authorized, context).await
}
