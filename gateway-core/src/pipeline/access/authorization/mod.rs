//! Authorization: the API's resource policy and the method's authorizer, combined as API
//! Gateway combines them (developer guide, "How API Gateway resource policies affect
//! authorization workflow", `apigateway-authorization-flow`; research iam-apigateway.md 2.3):
//!
//! | method's authorization | what runs, in order |
//! |---|---|
//! | `NONE` | the resource policy alone: an explicit allow is needed; no policy, open ([`resource_policy`]) |
//! | `AWS_IAM` | SigV4, then the caller's identity policies with the resource policy: Table A in the owner's account, Table B across accounts ([`iam`]) |
//! | `CUSTOM` (Lambda, TOKEN or REQUEST) | the resource policy's explicit-deny pass, the identity sources, the cached or fresh answer of the function, then its policy with the resource policy by Table A ([`lambda_authorizer`], [`cache`], [`answer`]) |
//! | `COGNITO_USER_POOLS` | the token verified against the pool's keys, then the resource policy, which must not deny ([`cognito`]) |
//!
//! Every refusal is a [`Failure`] of API Gateway's response type: `UNAUTHORIZED` (401, no or
//! bad identity), `ACCESS_DENIED` (403, a policy said no), `AUTHORIZER_CONFIGURATION_ERROR`
//! (500, a malformed authorizer answer, an authorizer that cannot be reached or a setup the
//! gateway lacks), `AUTHORIZER_FAILURE` (500, the authorizer did not answer in time), and the
//! SigV4 types (`MISSING_AUTHENTICATION_TOKEN`, `INVALID_SIGNATURE`, `EXPIRED_TOKEN`).
//!
//! Secrets (secret access keys, session tokens, tokens) never appear in a failure's message
//! or detail, nor in the `Debug` of anything here.

pub mod answer;
pub mod cache;
pub mod cognito;
pub mod iam;
mod identity_source;
pub mod lambda_authorizer;
pub mod resource_policy;

use std::sync::Arc;

use gateway_mapping::context::Context;
use gateway_policy::sigv4::Verifier;

use super::{AccessRequest, Authorized};
use crate::compile::CompiledAuthorizer;
use crate::model::{AuthorizationType, GatewayResponseType};
use crate::pipeline::Backends;
use crate::pipeline::gateway_response::Failure;

use resource_policy::MethodCall;

/// What authorization needs beyond the API definition: the IAM users that may sign requests,
/// the Cognito user pools' keys, the SigV4 verifier, and the Lambda authorizers' result cache.
/// Cheap to clone (shared handles): clones share one cache.
#[derive(Clone)]
pub struct Authorization {
    iam: Arc<iam::IamUsers>,
    cognito: Arc<cognito::CognitoPools>,
    verifier: Arc<Verifier>,
    cache: Arc<cache::AuthorizerCache>,
}

impl Default for Authorization {
    fn default() -> Authorization {
        Authorization::new()
    }
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("iam_users", &self.iam.len())
            .field("cognito", &self.cognito)
            .field("cached_results", &self.cache.len())
            .finish()
    }
}

impl Authorization {
    /// No IAM users, no Cognito pools; SigV4 accepted for any Region (service `execute-api`).
    pub fn new() -> Authorization {
        Authorization {
            iam: Arc::new(iam::IamUsers::default()),
            cognito: Arc::new(cognito::CognitoPools::default()),
            verifier: Arc::new(Verifier::without_store()),
            cache: Arc::new(cache::AuthorizerCache::default()),
        }
    }

    /// The same settings with these IAM users (the signers of `AWS_IAM` methods).
    pub fn with_iam_users(mut self, users: iam::IamUsers) -> Authorization {
        self.iam = Arc::new(users);
        self
    }

    /// The same settings with these Cognito user pools.
    pub fn with_cognito(mut self, pools: cognito::CognitoPools) -> Authorization {
        self.cognito = Arc::new(pools);
        self
    }

    /// The same settings, accepting SigV4 signatures only for `region` (the API's Region, as
    /// API Gateway does: another Region in the credential scope is `InvalidSignature`).
    pub fn with_sigv4_region(mut self, region: &str) -> Authorization {
        self.verifier = Arc::new(Verifier::without_store().region(region));
        self
    }

    /// The same settings with this result cache (to share one between gateways or bound it).
    pub fn with_cache(mut self, cache: Arc<cache::AuthorizerCache>) -> Authorization {
        self.cache = cache;
        self
    }

    /// The Lambda authorizers' result cache.
    pub fn cache(&self) -> &cache::AuthorizerCache {
        &self.cache
    }
}

/// Authorizes `request` for its method's authorization type (see the module documentation),
/// filling `$context.identity.*` (IAM) and `$context.authorizer.*` (Lambda, Cognito).
pub async fn authorize(
    settings: &Authorization,
    backends: &Backends,
    request: &AccessRequest<'_>,
    context: &mut Context,
) -> Result<Authorized, Failure> {
    if request.method.authorization_type == AuthorizationType::None {
        resource_policy::alone(request.api, request)?;
        return Ok(Authorized::default());
    }
    let call = MethodCall::new(request);
    match request.method.authorization_type {
        AuthorizationType::None => Ok(Authorized::default()),
        AuthorizationType::AwsIam => iam::authorize(settings, request, call, context),
        AuthorizationType::Custom => {
            let authorizer = authorizer_of(request)?;
            lambda_authorizer::authorize(settings, backends, authorizer, request, &call, context)
                .await
        }
        AuthorizationType::CognitoUserPools => {
            let authorizer = authorizer_of(request)?;
            cognito::authorize(&settings.cognito, authorizer, request, &call, context).await
        }
    }
}

/// The compiled authorizer the method names.
fn authorizer_of<'a>(request: &AccessRequest<'a>) -> Result<&'a CompiledAuthorizer, Failure> {
    let name = request.method.authorizer.as_deref().unwrap_or_default();
    request.api.authorizer(name).ok_or_else(|| {
        configuration_error(format!(
            "the method's authorizer {name:?} is not defined by the API"
        ))
    })
}

/// The message of a 401 (`UNAUTHORIZED`): research pipeline-access.md 5, recorded on AWS.
pub const UNAUTHORIZED: &str = "Unauthorized";

/// 401 `{"message":"Unauthorized"}`, `UnauthorizedException`: no identity, a bad token, or a
/// Lambda authorizer that failed with `Unauthorized` (research pipeline-access.md 5, 6.3).
pub fn unauthorized(detail: impl Into<String>) -> Failure {
    Failure::new(GatewayResponseType::Unauthorized, UNAUTHORIZED).with_detail(detail)
}

/// 500 `{"message": null}`, `AuthorizerConfigurationException`: an authorizer answer API
/// Gateway cannot use, or an authorizer it cannot reach (research pipeline-access.md 5, 6.3).
pub fn configuration_error(detail: impl Into<String>) -> Failure {
    Failure::without_message(GatewayResponseType::AuthorizerConfigurationError).with_detail(
        format!(
            "Execution failed due to configuration error: {}",
            detail.into()
        ),
    )
}

/// 500 `{"message": null}`, `AuthorizerFailureException`: the authorizer did not answer in
/// time. Which outcomes AWS answers with `AUTHORIZER_FAILURE` is not recorded (research
/// pipeline-access.md 13.5); the issue assigns it to the timeout, and its message, like
/// `AUTHORIZER_CONFIGURATION_ERROR`'s, is taken to be null.
pub fn authorizer_failure(detail: impl Into<String>) -> Failure {
    Failure::without_message(GatewayResponseType::AuthorizerFailure).with_detail(detail)
}
