//! Lambda authorizers (`CUSTOM`), TOKEN and REQUEST, in API Gateway's order (developer guide,
//! "Use API Gateway Lambda authorizers", "apigateway-authorization-flow"; research
//! pipeline-access.md 6, iam-apigateway.md 2.3 and 2.5):
//!
//! 1. the resource policy's explicit-deny pass: a request it explicitly denies is refused
//!    (403) without calling the authorizer or reading its cache;
//! 2. the identity sources: one missing or empty is 401 `Unauthorized` without a call; a TOKEN
//!    authorizer's `identityValidationExpression` must match the whole token, else 401;
//! 3. the answer cached for these identity values (TTL > 0 and at least one source), else the
//!    function invoked through the host's [`LambdaBackend`](crate::pipeline::LambdaBackend)
//!    with the event API Gateway sends ([`token_event`], [`request_event`]);
//! 4. `$context.authorizer.*`: `principalId`, each `context` value stringified,
//!    `integrationLatency` (ms; 0 for a cached answer);
//! 5. the answer's policy evaluated for this request's method ARN and combined with the
//!    resource policy by Table A.
//!
//! Outcomes: the function failing with exactly `Unauthorized` is 401; a deny is 403
//! `ACCESS_DENIED` ("User is not authorized to access this resource[ with an explicit
//! deny]"); any other function error, a malformed answer, a Lambda service that cannot be
//! reached or a gateway with no Lambda invoker is 500 `AUTHORIZER_CONFIGURATION_ERROR`; no
//! answer within [`AUTHORIZER_TIMEOUT`] is 500 `AUTHORIZER_FAILURE`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gateway_mapping::context::Context;
use gateway_policy::{ApiAuth, DeniedBy, Effect, api_outcome, denies_before_authorizer};
use serde_json::{Map, Value as Json};

use super::answer::{self, AuthorizerAnswer};
use super::resource_policy::{self, MethodCall};
use super::{
    Authorization, authorizer_failure, configuration_error, identity_source, unauthorized,
};
use crate::compile::CompiledAuthorizer;
use crate::model::AuthorizerType;
use crate::pipeline::Backends;
use crate::pipeline::access::{AccessRequest, Authorized};
use crate::pipeline::backends::{BackendError, InvocationType, LambdaInvocation};
use crate::pipeline::gateway_response::Failure;
use crate::pipeline::integrations::{lambda, lambda_proxy};

/// How long an authorizer may take (10 s). API Gateway's REST value is not recorded (research
/// pipeline-access.md 6.3); 10,000 ms is the documented timeout of HTTP API authorizers.
pub const AUTHORIZER_TIMEOUT: Duration = Duration::from_secs(10);

/// The error message with which a function turns the caller away with 401 (developer guide,
/// apigateway-use-lambda-authorizer: `callback("Unauthorized")`; any other message is 500).
pub const UNAUTHORIZED_ERROR: &str = "Unauthorized";

/// Runs the method's Lambda authorizer (see the module documentation).
pub async fn authorize(
    settings: &Authorization,
    backends: &Backends,
    authorizer: &CompiledAuthorizer,
    request: &AccessRequest<'_>,
    call: &MethodCall,
    context: &mut Context,
) -> Result<Authorized, Failure> {
    let policy_request = call.anonymous();
    if let Some(policy) = request.api.resource_policy()
        && denies_before_authorizer(policy, policy_request)
    {
        return Err(resource_policy::denied(
            Effect::ExplicitDeny,
            DeniedBy::Policy,
            policy_request,
        ));
    }
    let identity = identity_source::read(authorizer, request, context).map_err(unauthorized)?;
    if authorizer.kind() == AuthorizerType::Token
        && let (Some(pattern), Some(token)) = (authorizer.validation_expression(), identity.first())
        && !pattern.is_match(token)
    {
        return Err(unauthorized(
            "the token does not match the authorizer's identityValidationExpression",
        ));
    }
    let cache_key = (!authorizer.result_ttl().is_zero() && !identity.is_empty())
        .then(|| identity_source::cache_key(authorizer, &identity));
    let cached = cache_key
        .as_deref()
        .and_then(|key| settings.cache.get(key, request.epoch_millis));
    let (answer, latency_ms) = match cached {
        Some(answer) => (answer, 0),
        None => {
            let started = Instant::now();
            let event = match authorizer.kind() {
                AuthorizerType::Token => {
                    token_event(identity.first().map_or("", String::as_str), call.arn())
                }
                _ => request_event(request, call.arn(), context),
            };
            let answer = Arc::new(invoke(backends, authorizer, request, event).await?);
            let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            if let Some(key) = cache_key {
                settings.cache.insert(
                    key,
                    Arc::clone(&answer),
                    request.epoch_millis,
                    authorizer.result_ttl(),
                );
            }
            (answer, latency)
        }
    };
    fill_context(context, &answer, latency_ms);
    let caller = answer.policy.evaluate(policy_request).effect;
    let resource = resource_policy::effect(request.api, policy_request);
    let effect = api_outcome(ApiAuth::Lambda, caller, resource);
    if effect != Effect::Allow {
        let by = if resource == Some(Effect::ExplicitDeny) {
            DeniedBy::Policy
        } else {
            DeniedBy::LambdaAuthorizer
        };
        return Err(resource_policy::denied(effect, by, policy_request));
    }
    Ok(Authorized {
        principal_id: Some(answer.principal_id.clone()),
        usage_identifier_key: answer.usage_identifier_key.clone(),
    })
}

/// The TOKEN event: exactly `type`, `authorizationToken` (the header's whole value, no prefix
/// stripped) and `methodArn` (developer guide, api-gateway-lambda-authorizer-input; research
/// 6.1).
pub fn token_event(token: &str, method_arn: &str) -> Json {
    let mut event = Map::with_capacity(3);
    event.insert("type".into(), "TOKEN".into());
    event.insert("authorizationToken".into(), token.into());
    event.insert("methodArn".into(), method_arn.into());
    Json::Object(event)
}

/// The REQUEST event: `type`, `methodArn`, then the request as a Lambda proxy event has it
/// (`resource`, `path`, `httpMethod`, the header and query maps, `pathParameters`,
/// `stageVariables`, `requestContext`), without `body` or `isBase64Encoded` (developer guide,
/// api-gateway-lambda-authorizer-input; research 6.1). Empty maps are `null` as in the proxy
/// event (AWS's choice for REQUEST events is not recorded).
pub fn request_event(request: &AccessRequest<'_>, method_arn: &str, context: &Context) -> Json {
    let proxy = lambda_proxy::build_event(&lambda_proxy::EventInput {
        request: request.request.view(),
        resource_path: request.resource_path,
        request_path: request.path,
        http_method: request.http_method,
        stage: &request.stage.name,
        stage_variables: &request.stage.variables,
        base64_body: false,
        context,
    });
    let Json::Object(mut proxy) = proxy else {
        return Json::Null;
    };
    let mut event = Map::with_capacity(12);
    event.insert("type".into(), "REQUEST".into());
    event.insert("methodArn".into(), method_arn.into());
    for key in [
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
    ] {
        event.insert(key.into(), proxy.remove(key).unwrap_or(Json::Null));
    }
    Json::Object(event)
}

/// Calls the authorizer function and reads its answer.
async fn invoke(
    backends: &Backends,
    authorizer: &CompiledAuthorizer,
    request: &AccessRequest<'_>,
    event: Json,
) -> Result<AuthorizerAnswer, Failure> {
    let name = authorizer.name();
    let Some(invoker) = backends.lambda.as_ref() else {
        return Err(configuration_error(format!(
            "authorizer {name}: no Lambda invoker (the host gave none)"
        )));
    };
    let target = authorizer
        .function_uri()
        .and_then(|uri| lambda::target(uri, &request.stage.variables))
        .ok_or_else(|| {
            configuration_error(format!(
                "authorizer {name}: authorizerUri is not a Lambda invocation URI"
            ))
        })?;
    let payload = serde_json::to_vec(&event)
        .map_err(|e| configuration_error(format!("authorizer {name}: {e}")))?;
    let output = invoker
        .invoke(LambdaInvocation {
            function: target.function,
            region: Some(target.region),
            payload: Bytes::from(payload),
            timeout: AUTHORIZER_TIMEOUT,
            invocation_type: InvocationType::RequestResponse,
        })
        .await
        .map_err(|e| match e {
            BackendError::Timeout => authorizer_failure(format!(
                "authorizer {name}: no answer within {} ms",
                AUTHORIZER_TIMEOUT.as_millis()
            )),
            other => configuration_error(format!("authorizer {name}: {other}")),
        })?;
    if output.function_error.is_some() {
        let message = lambda::selector(output.function_error.as_deref(), &output.payload);
        return Err(if message == UNAUTHORIZED_ERROR {
            unauthorized(format!("authorizer {name} answered Unauthorized"))
        } else {
            configuration_error(format!("authorizer {name} failed"))
        });
    }
    answer::parse(&output.payload)
        .map_err(|e| configuration_error(format!("authorizer {name}: {e}")))
}

/// `$context.authorizer`: `principalId`, the answer's context, `integrationLatency`.
fn fill_context(context: &mut Context, answer: &AuthorizerAnswer, latency_ms: u64) {
    // `principalId` first, the function's context, then `integrationLatency`, one value per
    // key as in a JSON object: a `principalId` in the function's context takes the answer's
    // place, an `integrationLatency` there gives way to the gateway's.
    let own = |k: &str| k == "principalId" || k == "integrationLatency";
    let principal = answer
        .context
        .get("principalId")
        .cloned()
        .unwrap_or_else(|| Json::from(answer.principal_id.as_str()));
    let entries = std::iter::once((Cow::Borrowed("principalId"), principal))
        .chain(
            answer
                .context
                .iter()
                .filter(|(k, _)| !own(k))
                .map(|(k, v)| (Cow::Owned(k.clone()), v.clone())),
        )
        .chain(std::iter::once((
            Cow::Borrowed("integrationLatency"),
            Json::from(latency_ms),
        )));
    context.set_object("authorizer", entries);
}
