//! Usage: API keys, usage plans, throttling and quotas, after authorization (research
//! pipeline-access.md 9: "Verifying Usage Plan for request" follows the authorizer in the
//! execution log).
//!
//! For a method that requires an API key ([`Method::api_key_required`](crate::model::Method)):
//!
//! 1. the key is read from the `x-api-key` header, or from the Lambda authorizer's
//!    `usageIdentifierKey` when the API's `x-amazon-apigateway-api-key-source` is
//!    `AUTHORIZER`;
//! 2. a missing key, a key nobody knows, a disabled key, or a key in no usage plan of this
//!    API stage is refused: 403 `Forbidden`, `INVALID_API_KEY` (LocalStack snapshot
//!    `test_api_key_required_for_methods`, recorded on AWS; research 8.1);
//! 3. `$context.identity.apiKey` and `apiKeyId` are set.
//!
//! A method that does not require a key is not metered by any plan, whatever key it is sent
//! ("does not require API Key. Request will not contribute to throttle or quota limits",
//! execution log quoted in research 8.1).
//!
//! Then the throttles, in API Gateway's order (developer guide,
//! api-gateway-request-throttling; research 8.2), each a token bucket ([`throttle`]):
//!
//! 1. the usage plan's, per API key: the plan stage's throttle for this method
//!    (`apiStages[].throttle["/pets/{petId}/GET"]`, a bucket per key and method) when it
//!    sets one, else the plan's `throttle` (a bucket per key, shared by the plan's stages);
//! 2. the stage's `methodSettings` (a bucket per method);
//! 3. the account's (per account and Region; from the configuration file, 10,000 a second,
//!    burst 5,000 unless it says otherwise).
//!
//! and the plan's quota ([`quota`]). An empty bucket is 429 `Too Many Requests`
//! (`THROTTLED`), a used-up quota 429 `Limit Exceeded` (`QUOTA_EXCEEDED`), both without a
//! `Retry-After` header (research 8.2, 5). Every failure goes through the API's gateway
//! responses.
//!
//! All buckets and the quota of a request are one [`counters::Decision`], made atomically by
//! the [`counters::CounterStore`] (in memory by default; Redis with the `redis` feature, so
//! that several gateways share one budget). When the store cannot decide, [`OnError`] says
//! what happens: `Deny` (the default) answers 503 through `DEFAULT_5XX` (the store's error is
//! the failure's detail, in the gateway's log), `Allow` lets the request through unmetered.

pub mod counters;
pub mod keys;
pub mod plans;
pub mod quota;
#[cfg(feature = "redis")]
pub mod redis;
pub mod throttle;

use std::sync::Arc;

use gateway_mapping::context::Context;
use http::StatusCode;

use super::{AccessRequest, Authorized};
use crate::model::{ApiKeySource, GatewayResponseType};
use crate::pipeline::gateway_response::Failure;
use counters::{BucketCheck, CounterStore, Decision, MemoryStore, QuotaCheck, Verdict};
use keys::ApiKeys;
use plans::Plans;
use throttle::{Limit, MethodSettings};

/// The header API keys are read from (`apiKeySource: HEADER`; HTTP header names are
/// case-insensitive).
pub const API_KEY_HEADER: &str = "x-api-key";

/// What happens to a metered request when the counter store cannot decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Refuse it: 503 `Service Unavailable` through `DEFAULT_5XX` (fail closed).
    #[default]
    Deny,
    /// Let it through unmetered (fail open).
    Allow,
}

/// API keys, usage plans, throttle and quota settings, and the counter store: built once
/// (from the `--config` file, [`crate::config`]), shared by every request.
#[derive(Debug, Clone)]
pub struct Usage {
    /// The API keys.
    pub keys: ApiKeys,
    /// The usage plans and their keys.
    pub plans: Plans,
    /// The stage's `methodSettings` throttles.
    pub method_settings: MethodSettings,
    /// The account's throttle (`None`: none).
    pub account: Option<Limit>,
    /// Where the counters live.
    pub store: Arc<dyn CounterStore>,
    /// What to do when the store cannot decide.
    pub on_error: OnError,
    /// When the gateway started (milliseconds since the Unix epoch): the quotas' initial
    /// period, in which their `offset` applies.
    pub started_millis: i64,
}

impl Default for Usage {
    /// No keys, plans or throttles (an embedder meters nothing unless it says so; the
    /// configuration file's `account` defaults to [`Limit::ACCOUNT_DEFAULT`]), counters in
    /// memory.
    fn default() -> Usage {
        Usage {
            keys: ApiKeys::default(),
            plans: Plans::default(),
            method_settings: MethodSettings::default(),
            account: None,
            store: Arc::new(MemoryStore::new()),
            on_error: OnError::Deny,
            started_millis: now_millis(),
        }
    }
}

/// Milliseconds since the Unix epoch, now.
fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Which layer a bucket of a [`Decision`] is, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Key,
    Stage,
    Account,
}

/// 403 `Forbidden` (`INVALID_API_KEY`), with what went wrong for the log.
fn forbidden(detail: String) -> Failure {
    Failure::new(GatewayResponseType::InvalidApiKey, "Forbidden").with_detail(detail)
}

/// Admits `request` or refuses it (403 for a missing, unknown or disabled key, 429 throttled
/// or over quota, 503 when the counter store cannot decide and `on_error` is `Deny`).
pub async fn admit(
    usage: &Usage,
    request: &AccessRequest<'_>,
    authorized: &Authorized,
    context: &mut Context,
) -> Result<(), Failure> {
    let api_id = request.api.api().id.as_str();
    let stage = request.stage.name.as_str();
    let verb = request.method.http_method.as_str();
    // Nothing is built for a method no key, plan or throttle applies to (most requests of an
    // API without usage plans).
    let stage_limit = usage.method_settings.limit_for(request.resource_path, verb);
    if !request.method.api_key_required && stage_limit.is_none() && usage.account.is_none() {
        return Ok(());
    }
    let method_key = format!("{}/{verb}", request.resource_path);
    let mut decision = Decision {
        now_millis: request.epoch_millis,
        buckets: Vec::new(),
        quota: None,
    };
    let mut layers = Vec::new();
    if request.method.api_key_required {
        let value = match request.api.api().api_key_source {
            ApiKeySource::Header => request
                .request
                .headers
                .get(API_KEY_HEADER)
                .and_then(|v| v.to_str().ok()),
            ApiKeySource::Authorizer => authorized.usage_identifier_key.as_deref(),
        };
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return Err(forbidden(format!(
                "no API key for {method_key}, which requires one"
            )));
        };
        let Some(key) = usage.keys.get(value) else {
            return Err(forbidden(
                "the API key is not one of the configured keys".into(),
            ));
        };
        if !key.enabled {
            return Err(forbidden(format!("API key {} is disabled", key.id)));
        }
        let Some((plan, plan_stage)) = usage.plans.plan_for(&key.id, api_id, stage) else {
            return Err(forbidden(format!(
                "API key {} is in no usage plan of API stage {api_id}/{stage}",
                key.id
            )));
        };
        context.set("identity.apiKey", value);
        context.set("identity.apiKeyId", key.id.as_str());
        if let Some(limit) = plan_stage.methods.get(&method_key) {
            decision.buckets.push(BucketCheck {
                counter: format!(
                    "key-method:{}:{}:{api_id}:{stage}:{method_key}",
                    plan.id, key.id
                ),
                limit: *limit,
            });
            layers.push(Layer::Key);
        } else if let Some(limit) = plan.throttle {
            decision.buckets.push(BucketCheck {
                counter: format!("key:{}:{}", plan.id, key.id),
                limit,
            });
            layers.push(Layer::Key);
        }
        if let Some(quota) = plan.quota {
            let window = quota.window(request.epoch_millis);
            decision.quota = Some(QuotaCheck {
                counter: format!("quota:{}:{}", plan.id, key.id),
                window,
                limit: quota.limit_in(window, usage.started_millis),
            });
        }
    }
    if let Some(limit) = stage_limit {
        decision.buckets.push(BucketCheck {
            counter: format!("stage:{api_id}:{stage}:{method_key}"),
            limit,
        });
        layers.push(Layer::Stage);
    }
    if let Some(limit) = usage.account {
        decision.buckets.push(BucketCheck {
            counter: format!(
                "account:{}:{}",
                request.stage.account_id, request.stage.region
            ),
            limit,
        });
        layers.push(Layer::Account);
    }
    if decision.buckets.is_empty() && decision.quota.is_none() {
        return Ok(());
    }
    match usage.store.decide(&decision).await {
        Ok(Verdict::Admit) => Ok(()),
        Ok(Verdict::Throttled { bucket }) => {
            let limit = decision.buckets.get(bucket).map(|b| b.limit);
            let what = match layers.get(bucket) {
                Some(Layer::Key) => "Key throttle limit",
                Some(Layer::Stage) => "Stage method throttle limit",
                Some(Layer::Account) | None => "Account throttle limit",
            };
            let (rate, burst) = limit.map_or((0.0, 0), |l| (l.rate, l.burst));
            Err(
                Failure::new(GatewayResponseType::Throttled, "Too Many Requests").with_detail(
                    format!(
                        "{what} exceeded for RestApi {api_id}, Stage {stage}, {method_key}. Limit: {rate:.2} Burst: {burst}"
                    ),
                ),
            )
        }
        Ok(Verdict::QuotaExceeded) => {
            Err(
                Failure::new(GatewayResponseType::QuotaExceeded, "Limit Exceeded").with_detail(
                    format!("usage plan quota exceeded for API stage {api_id}/{stage}"),
                ),
            )
        }
        Err(error) => match usage.on_error {
            OnError::Deny => Err(store_unavailable(&error.to_string())),
            // Fail open: the request goes on unmetered (the store logs when it becomes
            // unreachable and when it is back).
            OnError::Allow => Ok(()),
        },
    }
}

/// 503 `Service Unavailable` through `DEFAULT_5XX`: the counter store could not decide and
/// the gateway fails closed. API Gateway has no such case (its counters are never out of
/// reach), so this is the gateway's own answer: a 5XX the API's `DEFAULT_5XX`
/// customisation still shapes.
fn store_unavailable(detail: &str) -> Failure {
    Failure::new(GatewayResponseType::Default5xx, "Service Unavailable")
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .with_error_type("ServiceUnavailableException")
        .with_detail(format!("{detail}; request refused (onError: deny)"))
}
