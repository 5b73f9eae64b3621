//! The configuration's identity sections: `iam` (the local stand-in for IAM users and their
//! policies) and `cognito` (user pools' keys).
//!
//! Placeholders until the access-control work fills them: each accepts any fields.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{ConfigError, GatewayConfig};
use crate::pipeline::access::authorization::Authorization;

/// The `iam` section.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IamConfig {
    /// Fields not read yet.
    #[serde(flatten)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// The `cognito` section: user pools by ARN.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CognitoConfig {
    /// Pools not read yet.
    #[serde(flatten)]
    pub pools: BTreeMap<String, serde_json::Value>,
}

/// The authorization settings `config` describes.
pub fn authorization(
    _config: &GatewayConfig,
    _base_dir: &std::path::Path,
) -> Result<Authorization, ConfigError> {
    Ok(Authorization::default())
}
