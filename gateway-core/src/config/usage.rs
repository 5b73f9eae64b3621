//! The configuration's usage sections: `apiKeys`, `usagePlans`, `usagePlanKeys`, the stage's
//! `methodSettings`, `account` and `counters`.
//!
//! Field names are those of API Gateway's API (what `aws apigateway get-api-keys
//! --include-values`, `get-usage-plans`, `get-stage` and `get-account` print), so their
//! output can be pasted in; the read-only or unused fields AWS prints (`createdDate`,
//! `description`, `tags`, ...) are accepted and ignored, any other field is refused by name.
//!
//! ```yaml
//! apiKeys:
//!   - {id: k1, name: alice, value: "alice-key-0123456789abcdef", enabled: true}
//! usagePlans:
//!   - id: gold
//!     name: Gold
//!     apiStages:
//!       - stage: prod
//!         throttle: {"/pets/{petId}/GET": {rateLimit: 5, burstLimit: 2}}
//!     throttle: {rateLimit: 100, burstLimit: 200}
//!     quota: {limit: 10000, period: MONTH, offset: 0}
//! usagePlanKeys:
//!   - {usagePlanId: gold, keyId: k1}
//! stage:
//!   methodSettings:
//!     "*/*": {throttlingRateLimit: 1000, throttlingBurstLimit: 500}
//!     "~1pets/GET": {throttlingRateLimit: 50, throttlingBurstLimit: 10}
//! account:
//!   throttle: {rateLimit: 10000, burstLimit: 5000}
//! counters: {store: redis, url: "redis://127.0.0.1:6379", onError: deny}
//! ```
//!
//! Checks at load, each error naming its place: key values 20 to 128 characters (API
//! Gateway's `API Key value should be at least 20 characters` / `exceeds maximum size of
//! 128 characters`) and unique, ids unique, pairs naming defined plans and keys, a key in one
//! plan per API stage, rates and bursts not negative, method keys well formed. A key's value
//! is never in an error or a `Debug` print.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{ConfigError, GatewayConfig, Secret};
use crate::pipeline::access::usage::counters::{CounterStore, MemoryStore};
use crate::pipeline::access::usage::keys::{ApiKey, ApiKeys};
use crate::pipeline::access::usage::plans::{Plan, PlanStage, Plans};
use crate::pipeline::access::usage::quota::{Period, Quota};
use crate::pipeline::access::usage::throttle::{Limit, MethodSettings};
use crate::pipeline::access::usage::{OnError, Usage};

/// Shortest API key value API Gateway accepts.
pub const MIN_KEY_VALUE_CHARS: usize = 20;
/// Longest API key value API Gateway accepts.
pub const MAX_KEY_VALUE_CHARS: usize = 128;

/// One API key (`get-api-keys --include-values`' items).
// The ignored fields are read (and dropped) by serde only.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// The key's id, which `usagePlanKeys` names.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its value (`get-api-keys` prints it with `--include-values` only).
    #[serde(default)]
    pub value: Option<Secret>,
    /// Whether it is enabled (required: AWS's own default on creation is `false`, a surprise
    /// in a hand-written file).
    pub enabled: bool,
    #[serde(default)]
    description: IgnoredAny,
    #[serde(default)]
    customer_id: IgnoredAny,
    #[serde(default)]
    created_date: IgnoredAny,
    #[serde(default)]
    last_updated_date: IgnoredAny,
    #[serde(default)]
    stage_keys: IgnoredAny,
    #[serde(default)]
    tags: IgnoredAny,
}

/// A throttle (`ThrottleSettings`): `rateLimit` requests a second, `burstLimit` at once.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThrottleConfig {
    /// The steady rate, requests a second.
    pub rate_limit: f64,
    /// The bucket's capacity.
    pub burst_limit: i64,
}

/// A quota (`QuotaSettings`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuotaConfig {
    /// Requests per period.
    pub limit: i64,
    /// Requests taken off the limit in the initial period (API reference; default 0).
    #[serde(default)]
    pub offset: i64,
    /// `DAY`, `WEEK` or `MONTH`, in UTC.
    pub period: Period,
}

/// One API stage of a plan (`ApiStage`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiStageConfig {
    /// The API's id; when given, the entry covers that API only (match it with the top
    /// level's `restApiId`).
    #[serde(default)]
    pub api_id: Option<String>,
    /// The stage's name.
    pub stage: String,
    /// Per-method throttles by `"<resource path>/<METHOD>"` (`/pets/{petId}/GET`).
    #[serde(default)]
    pub throttle: BTreeMap<String, ThrottleConfig>,
}

/// One usage plan (`get-usage-plans`' items).
// The ignored fields are read (and dropped) by serde only.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsagePlanConfig {
    /// The plan's id, which `usagePlanKeys` names.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The API stages it covers.
    #[serde(default)]
    pub api_stages: Vec<ApiStageConfig>,
    /// Its throttle, per API key.
    #[serde(default)]
    pub throttle: Option<ThrottleConfig>,
    /// Its quota, per API key.
    #[serde(default)]
    pub quota: Option<QuotaConfig>,
    #[serde(default)]
    description: IgnoredAny,
    #[serde(default)]
    product_code: IgnoredAny,
    #[serde(default)]
    tags: IgnoredAny,
}

/// One key-in-plan pair (what `create-usage-plan-key` takes).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsagePlanKeyConfig {
    /// The plan.
    pub usage_plan_id: String,
    /// The key's id.
    pub key_id: String,
    /// `API_KEY`, the only type API Gateway has.
    #[serde(default)]
    pub key_type: Option<KeyType>,
}

/// A plan key's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum KeyType {
    /// An API key.
    #[serde(rename = "API_KEY")]
    ApiKey,
}

/// One entry of the stage's `methodSettings` (`MethodSetting`).
// The ignored fields are read (and dropped) by serde only.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MethodSettingConfig {
    /// The steady rate, requests a second.
    #[serde(default)]
    pub throttling_rate_limit: Option<f64>,
    /// The bucket's capacity.
    #[serde(default)]
    pub throttling_burst_limit: Option<i64>,
    #[serde(default)]
    metrics_enabled: IgnoredAny,
    #[serde(default)]
    logging_level: IgnoredAny,
    #[serde(default)]
    data_trace_enabled: IgnoredAny,
    #[serde(default)]
    caching_enabled: IgnoredAny,
    #[serde(default)]
    cache_ttl_in_seconds: IgnoredAny,
    #[serde(default)]
    cache_data_encrypted: IgnoredAny,
    #[serde(default)]
    require_authorization_for_cache_control: IgnoredAny,
    #[serde(default)]
    unauthorized_cache_control_header_strategy: IgnoredAny,
}

/// The `account` section (`get-account`).
// The ignored fields are read (and dropped) by serde only.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountConfig {
    /// The account's throttle per Region (default 10,000 a second, burst 5,000);
    /// `throttleSettings`, as `get-account` prints it, is read the same.
    #[serde(default, alias = "throttleSettings")]
    pub throttle: Option<ThrottleConfig>,
    #[serde(default)]
    cloudwatch_role_arn: IgnoredAny,
    #[serde(default)]
    features: IgnoredAny,
    #[serde(default)]
    api_key_version: IgnoredAny,
}

/// Which counter store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// In this process's memory (the default).
    #[default]
    Memory,
    /// A Redis server (the `redis` feature), shared by several gateways.
    Redis,
}

/// `onError`: what a metered request gets while the store cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnErrorConfig {
    /// A 503 gateway response (the default).
    #[default]
    Deny,
    /// Through, unmetered.
    Allow,
}

/// The `counters` section: `{store: memory}` or `{store: redis, url, onError}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CountersConfig {
    /// Which store.
    #[serde(default)]
    pub store: StoreKind,
    /// The Redis server (`redis://host:port`, `redis://:password@host:port/db`).
    #[serde(default)]
    pub url: Option<Secret>,
    /// What happens while the store cannot be reached.
    #[serde(default)]
    pub on_error: OnErrorConfig,
}

fn field(at: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Field {
        at: at.into(),
        message: message.into(),
    }
}

fn limit(at: &str, rate: f64, burst: i64) -> Result<Limit, ConfigError> {
    if !rate.is_finite() || rate < 0.0 {
        return Err(field(format!("{at}.rateLimit"), "expected a number >= 0"));
    }
    let burst = u64::try_from(burst)
        .map_err(|_| field(format!("{at}.burstLimit"), "expected a number >= 0"))?;
    Ok(Limit { rate, burst })
}

fn throttle(at: &str, t: &ThrottleConfig) -> Result<Limit, ConfigError> {
    limit(at, t.rate_limit, t.burst_limit)
}

/// The counter store `counters` names (without the `redis` feature, `store: redis` is
/// refused).
fn store(counters: &CountersConfig) -> Result<Arc<dyn CounterStore>, ConfigError> {
    match counters.store {
        StoreKind::Memory => {
            if counters.url.is_some() {
                return Err(field("counters.url", "only for store: redis"));
            }
            Ok(Arc::new(MemoryStore::new()))
        }
        StoreKind::Redis => {
            let Some(url) = &counters.url else {
                return Err(field(
                    "counters.url",
                    "store: redis needs a url (redis://host:port)",
                ));
            };
            redis_store(url, counters.on_error)
        }
    }
}

#[cfg(feature = "redis")]
fn redis_store(
    url: &Secret,
    on_error: OnErrorConfig,
) -> Result<Arc<dyn CounterStore>, ConfigError> {
    use crate::pipeline::access::usage::redis::RedisStore;
    let store = RedisStore::new(url.expose(), on_error == OnErrorConfig::Allow)
        .map_err(|e| field("counters.url", e.to_string()))?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "redis"))]
fn redis_store(
    _url: &Secret,
    _on_error: OnErrorConfig,
) -> Result<Arc<dyn CounterStore>, ConfigError> {
    Err(field(
        "counters.store",
        "redis needs gateway-core's `redis` feature, which this build lacks",
    ))
}

/// The usage settings `config` describes.
pub fn usage(config: &GatewayConfig) -> Result<Usage, ConfigError> {
    let mut keys = ApiKeys::default();
    let mut key_ids = HashMap::new();
    for (i, key) in config.api_keys.iter().enumerate() {
        let at = format!("apiKeys[{i}]");
        if key_ids.insert(key.id.as_str(), i).is_some() {
            return Err(field(
                format!("{at}.id"),
                format!("API key id {:?} is used twice", key.id),
            ));
        }
        let Some(value) = &key.value else {
            return Err(field(
                format!("{at}.value"),
                "missing (aws apigateway get-api-keys prints it with --include-values)",
            ));
        };
        let chars = value.expose().chars().count();
        if chars < MIN_KEY_VALUE_CHARS {
            return Err(field(
                format!("{at}.value"),
                "API Key value should be at least 20 characters",
            ));
        }
        if chars > MAX_KEY_VALUE_CHARS {
            return Err(field(
                format!("{at}.value"),
                "API Key value exceeds maximum size of 128 characters",
            ));
        }
        let api_key = ApiKey {
            id: key.id.clone(),
            enabled: key.enabled,
        };
        if !keys.insert(value.expose().to_owned(), api_key) {
            return Err(field(
                format!("{at}.value"),
                "the same value as an earlier key (values are unique)",
            ));
        }
    }
    let mut plans = Plans::default();
    for (i, plan) in config.usage_plans.iter().enumerate() {
        let at = format!("usagePlans[{i}]");
        let mut stages = Vec::with_capacity(plan.api_stages.len());
        for (j, stage) in plan.api_stages.iter().enumerate() {
            let at = format!("{at}.apiStages[{j}]");
            let mut methods = HashMap::new();
            for (key, t) in &stage.throttle {
                let at = format!("{at}.throttle.{key}");
                let well_formed = key.starts_with('/')
                    && key.rsplit_once('/').is_some_and(|(_, m)| {
                        crate::model::HttpMethod::parse(m).is_some() || m == "*"
                    });
                if !well_formed {
                    return Err(field(
                        at,
                        "expected \"<resource path>/<METHOD>\", e.g. /pets/{petId}/GET",
                    ));
                }
                methods.insert(key.clone(), throttle(&at, t)?);
            }
            stages.push(PlanStage {
                api_id: stage.api_id.clone(),
                stage: stage.stage.clone(),
                methods,
            });
        }
        let quota = match &plan.quota {
            Some(q) => Some(Quota {
                limit: u64::try_from(q.limit)
                    .map_err(|_| field(format!("{at}.quota.limit"), "expected a number >= 0"))?,
                offset: u64::try_from(q.offset)
                    .map_err(|_| field(format!("{at}.quota.offset"), "expected a number >= 0"))?,
                period: q.period,
            }),
            None => None,
        };
        let throttle = match &plan.throttle {
            Some(t) => Some(throttle(&format!("{at}.throttle"), t)?),
            None => None,
        };
        plans
            .add_plan(Plan {
                id: plan.id.clone(),
                stages,
                throttle,
                quota,
            })
            .map_err(|e| field(format!("{at}.id"), e.to_string()))?;
    }
    for (i, pair) in config.usage_plan_keys.iter().enumerate() {
        let at = format!("usagePlanKeys[{i}]");
        if !key_ids.contains_key(pair.key_id.as_str()) {
            return Err(field(
                format!("{at}.keyId"),
                format!("no API key has the id {:?}", pair.key_id),
            ));
        }
        plans
            .add_key(&pair.usage_plan_id, &pair.key_id)
            .map_err(|e| field(&at, e.to_string()))?;
    }
    let mut method_settings = MethodSettings::default();
    for (key, setting) in &config.stage.method_settings {
        let at = format!("stage.methodSettings.{key}");
        match (
            setting.throttling_rate_limit,
            setting.throttling_burst_limit,
        ) {
            (Some(rate), Some(burst)) => {
                let l = limit(&at, rate, burst)?;
                method_settings
                    .insert(key, l)
                    .map_err(|e| field(&at, e.to_string()))?;
            }
            (None, None) => {}
            _ => {
                return Err(field(
                    at,
                    "give both throttlingRateLimit and throttlingBurstLimit, or neither",
                ));
            }
        }
    }
    let account = match &config.account.throttle {
        Some(t) => throttle("account.throttle", t)?,
        None => Limit::ACCOUNT_DEFAULT,
    };
    Ok(Usage {
        keys,
        plans,
        method_settings,
        account: Some(account),
        store: store(&config.counters)?,
        on_error: match config.counters.on_error {
            OnErrorConfig::Deny => OnError::Deny,
            OnErrorConfig::Allow => OnError::Allow,
        },
        ..Usage::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "alice-key-0123456789abcdef";

    fn parse(yaml: &str) -> Result<Usage, ConfigError> {
        usage(&GatewayConfig::parse(yaml.as_bytes())?)
    }

    #[test]
    fn aws_output_is_accepted_with_its_read_only_fields() {
        // The shapes of `aws apigateway get-api-keys --include-values`, `get-usage-plans`,
        // `get-stage` and `get-account` (API reference: ApiKey, UsagePlan, MethodSetting,
        // Account).
        let config = format!(
            r#"{{
            "apiKeys": [{{"id": "k1", "value": "{KEY}", "name": "alice", "customerId": "c",
              "description": "d", "enabled": true, "createdDate": "2026-01-01T00:00:00Z",
              "lastUpdatedDate": "2026-01-01T00:00:00Z", "stageKeys": [], "tags": {{}}}}],
            "usagePlans": [{{"id": "p1", "name": "gold", "description": "d",
              "apiStages": [{{"apiId": "a1", "stage": "prod",
                "throttle": {{"/pets/{{petId}}/GET": {{"burstLimit": 2, "rateLimit": 5.0}}}}}}],
              "throttle": {{"burstLimit": 200, "rateLimit": 100.0}},
              "quota": {{"limit": 5000, "offset": 0, "period": "MONTH"}},
              "productCode": "x", "tags": {{}}}}],
            "usagePlanKeys": [{{"usagePlanId": "p1", "keyId": "k1", "keyType": "API_KEY"}}],
            "stage": {{"stageName": "prod", "methodSettings": {{"*/*": {{
              "metricsEnabled": false, "dataTraceEnabled": false, "throttlingBurstLimit": 5000,
              "throttlingRateLimit": 10000.0, "cachingEnabled": false, "cacheTtlInSeconds": 300,
              "cacheDataEncrypted": false, "requireAuthorizationForCacheControl": true,
              "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"}}}}}},
            "account": {{"cloudwatchRoleArn": "arn:aws:iam::1:role/r",
              "throttleSettings": {{"burstLimit": 50, "rateLimit": 20.0}},
              "features": ["UsagePlans"], "apiKeyVersion": "4"}}
            }}"#
        );
        let usage = parse(&config).unwrap();
        assert_eq!(usage.keys.get(KEY).unwrap().id, "k1");
        let (plan, stage) = usage.plans.plan_for("k1", "a1", "prod").unwrap();
        assert_eq!(plan.quota.unwrap().period, Period::Month);
        assert_eq!(stage.methods["/pets/{petId}/GET"].burst, 2);
        assert_eq!(
            usage.account,
            Some(Limit {
                rate: 20.0,
                burst: 50
            })
        );
        assert!(usage.method_settings.limit_for("/x", "GET").is_some());
    }

    #[test]
    fn unknown_fields_are_refused_by_name_and_place() {
        for (yaml, at, name) in [
            (
                "apiKeys: [{id: k, value: x, enabled: true, colour: red}]",
                "apiKeys[0]",
                "colour",
            ),
            (
                "usagePlans: [{id: p, quota: {limit: 1, period: DAY, every: 2}}]",
                "usagePlans[0].quota",
                "every",
            ),
            (
                "usagePlans: [{id: p, apiStages: [{stage: s, thrott: {}}]}]",
                "usagePlans[0].apiStages[0]",
                "thrott",
            ),
            (
                "usagePlanKeys: [{usagePlanId: p, keyID: k}]",
                "usagePlanKeys[0]",
                "keyID",
            ),
            (
                "stage: {methodSettings: {'*/*': {throttlingRate: 1}}}",
                "stage.methodSettings.*/*",
                "throttlingRate",
            ),
            (
                "account: {throttle: {rateLimit: 1, burstLimit: 1, extra: 1}}",
                "account.throttle",
                "extra",
            ),
            (
                "counters: {store: redis, url: 'redis://x', onErr: deny}",
                "counters",
                "onErr",
            ),
            ("stage: {stageNam: prod}", "stage", "stageNam"),
        ] {
            let err = GatewayConfig::parse(yaml.as_bytes()).unwrap_err();
            let ConfigError::Field { at: got, message } = &err else {
                panic!("{err}")
            };
            assert_eq!(got, &format!("{at}.{name}"), "{yaml}: {err}");
            assert!(message.contains(name), "{yaml}: {err}");
        }
        let err = GatewayConfig::parse(b"usagePlans: [{id: p, quota: {limit: 1, period: YEAR}}]")
            .unwrap_err();
        assert!(
            err.to_string().starts_with("usagePlans[0].quota.period: "),
            "{err}"
        );
    }

    #[test]
    fn key_values_never_appear_in_errors_or_debug() {
        let secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t";
        for yaml in [
            format!("apiKeys: [{{id: k, value: [\"{secret}\"], enabled: true}}]"),
            format!(
                "apiKeys: [{{id: k, value: \"{secret}\", enabled: true}}, {{id: j, value: \"{secret}\", enabled: true}}]"
            ),
            "apiKeys: [{id: k, value: 12345678901234567890, enabled: true}]".to_owned(),
            "apiKeys: [{id: k, value: short, enabled: true}]".to_owned(),
            format!("counters: {{store: memory, url: \"redis://:{secret}@h\"}}"),
        ] {
            let err = parse(&yaml).unwrap_err().to_string();
            assert!(
                !err.contains(secret) && !err.contains("12345678901") && !err.contains("short"),
                "{err}"
            );
        }
        let config = GatewayConfig::parse(
            format!("apiKeys: [{{id: k, value: \"{secret}\", enabled: true}}]").as_bytes(),
        )
        .unwrap();
        assert!(!format!("{config:?}").contains(secret));
        assert!(!format!("{:?}", usage(&config).unwrap()).contains(secret));
    }

    #[test]
    fn key_values_follow_api_gateways_length_rules() {
        // LocalStack snapshot test_create_api_key_with_invalid_value (recorded on AWS).
        let err = parse("apiKeys: [{id: k, value: 'too-short', enabled: true}]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "apiKeys[0].value: API Key value should be at least 20 characters"
        );
        let long = "x".repeat(129);
        let err = parse(&format!(
            "apiKeys: [{{id: k, value: '{long}', enabled: true}}]"
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "apiKeys[0].value: API Key value exceeds maximum size of 128 characters"
        );
        let err = parse("apiKeys: [{id: k, enabled: true}]").unwrap_err();
        assert!(err.to_string().contains("--include-values"), "{err}");
    }

    #[test]
    fn references_and_limits_are_checked() {
        let key = format!("apiKeys: [{{id: k, value: '{KEY}', enabled: true}}]\n");
        for (yaml, at) in [
            (format!("{key}usagePlanKeys: [{{usagePlanId: nope, keyId: k}}]"), "usagePlanKeys[0]"),
            (format!("{key}usagePlans: [{{id: p}}]\nusagePlanKeys: [{{usagePlanId: p, keyId: nope}}]"), "usagePlanKeys[0].keyId"),
            ("usagePlans: [{id: p, throttle: {rateLimit: -1, burstLimit: 1}}]".to_owned(), "usagePlans[0].throttle.rateLimit"),
            ("usagePlans: [{id: p, quota: {limit: -1, period: DAY}}]".to_owned(), "usagePlans[0].quota.limit"),
            ("usagePlans: [{id: p, apiStages: [{stage: s, throttle: {'pets/GET': {rateLimit: 1, burstLimit: 1}}}]}]".to_owned(), "usagePlans[0].apiStages[0].throttle.pets/GET"),
            ("usagePlans: [{id: p}, {id: p}]".to_owned(), "usagePlans[1].id"),
            ("stage: {methodSettings: {'pets/GET': {throttlingRateLimit: 1, throttlingBurstLimit: 1}}}".to_owned(), "stage.methodSettings.pets/GET"),
            ("stage: {methodSettings: {'*/*': {throttlingRateLimit: 1}}}".to_owned(), "stage.methodSettings.*/*"),
            ("counters: {store: redis}".to_owned(), "counters.url"),
        ] {
            let err = parse(&yaml).unwrap_err();
            assert!(matches!(&err, ConfigError::Field { at: got, .. } if got == at), "{yaml}: {err}");
        }
    }

    #[test]
    fn defaults_are_the_account_throttle_and_memory_counters() {
        let usage = parse("").unwrap();
        assert_eq!(usage.account, Some(Limit::ACCOUNT_DEFAULT));
        assert_eq!(usage.on_error, OnError::Deny);
        assert!(usage.keys.is_empty());
        let usage = parse("counters: {store: memory}").unwrap();
        assert!(format!("{:?}", usage.store).contains("MemoryStore"));
    }
}
