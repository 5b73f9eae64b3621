//! The configuration's usage sections: `apiKeys`, `usagePlans`, `usagePlanKeys`, the stage's
//! `methodSettings`, `account` and `counters`.
//!
//! Placeholders until the access-control work fills them: each accepts any fields.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{ConfigError, GatewayConfig};
use crate::pipeline::access::usage::Usage;

/// One API key.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApiKeyConfig {
    /// Fields not read yet.
    #[serde(flatten)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// One usage plan.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UsagePlanConfig {
    /// Fields not read yet.
    #[serde(flatten)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// One key-in-plan pair.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UsagePlanKeyConfig {
    /// Fields not read yet.
    #[serde(flatten)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// One entry of the stage's `methodSettings`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MethodSettingConfig {
    /// Fields not read yet.
    #[serde(flatten)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// The `account` section.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountConfig {
    /// Fields not read yet.
    #[serde(flatten)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// The `counters` section.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CountersConfig {
    /// Fields not read yet.
    #[serde(flatten)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// The usage settings `config` describes.
pub fn usage(_config: &GatewayConfig) -> Result<Usage, ConfigError> {
    Ok(Usage::default())
}
