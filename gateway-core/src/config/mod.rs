//! The local gateway's configuration: what lives outside the API definition on AWS (the
//! account and Region, API keys, usage plans, stage settings, account throttling, the IAM
//! users and Cognito user pools that stand in for AWS's, and the counter store), read from one
//! YAML or JSON file (`gateway serve --config FILE`).
//!
//! Sections use the field names of API Gateway's own API, so what `aws apigateway get-...`
//! prints can be pasted in: read-only fields AWS prints (`createdDate`, `description`, ...)
//! are accepted and ignored inside the sections; a field nobody knows is refused by name.
//! [`GatewayConfig::parse`] names the section and field of every error
//! (`usagePlans[0].quota.period: unknown variant "YEAR"...`).
//!
//! ```
//! use gateway_core::config::GatewayConfig;
//!
//! let config = GatewayConfig::parse(br#"
//! region: eu-west-1
//! accountId: "111122223333"
//! stage: {variables: {backend: pets.example.com}}
//! "#)?;
//! assert_eq!(config.region, "eu-west-1");
//! assert_eq!(config.stage.variables["backend"], "pets.example.com");
//!
//! let refused = GatewayConfig::parse(b"regoin: eu-west-1").unwrap_err();
//! assert!(refused.to_string().contains("regoin"));
//! # Ok::<(), gateway_core::config::ConfigError>(())
//! ```

pub mod identity;
pub mod usage;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::pipeline::access::Access;

/// A secret string from the configuration (a secret access key, a session token, an API key's
/// value, a Redis URL that may hold a password): never shown by `Debug`, and a wrong type is
/// refused without echoing what was given (serde's own message would print a number).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        deserializer.deserialize_any(SecretVisitor)
    }
}

/// A parser's message with every value it quotes between backticks replaced: the YAML and
/// JSON parsers quote a scalar they cannot read (a number too large for 64 bits), which in a
/// configuration may be a secret. The place (line, column, field path) stays.
fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let Some(close) = rest[open + 1..].find('`') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str("(value not shown)");
        rest = &rest[open + 1 + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The message for a secret that is not a string: never the value (serde's own messages
/// quote a number, and a YAML parser's quote a number too large for `u64`).
const NOT_A_STRING: &str = "expected a string (the value given is not shown: it may be a secret)";

/// Takes a string; refuses anything else with [`NOT_A_STRING`], whatever its type.
struct SecretVisitor;

macro_rules! refuse {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(fn $name<E: serde::de::Error>(self, _: $ty) -> Result<Secret, E> {
            Err(E::custom(NOT_A_STRING))
        })*
    };
}

impl<'de> serde::de::Visitor<'de> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secret, E> {
        Ok(Secret(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Secret, E> {
        Ok(Secret(v))
    }

    refuse!(
        visit_bool: bool,
        visit_i64: i64,
        visit_i128: i128,
        visit_u64: u64,
        visit_u128: u128,
        visit_f64: f64,
        visit_char: char,
        visit_bytes: &[u8],
    );

    fn visit_unit<E: serde::de::Error>(self) -> Result<Secret, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Secret, E> {
        Err(E::custom(NOT_A_STRING))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        Err(serde::de::Error::custom(NOT_A_STRING))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        Err(serde::de::Error::custom(NOT_A_STRING))
    }
}

/// Largest configuration file read (1 MiB): keys, plans and users fit many times over.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// The default Region (`region`).
pub const DEFAULT_REGION: &str = "us-east-1";
/// The default account of the API's owner (`accountId`): AWS's documentation placeholder.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// A whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayConfig {
    /// The Region, in method ARNs (default `us-east-1`).
    #[serde(default = "default_region")]
    pub region: String,
    /// The API owner's account: method ARNs, `$context.accountId`, and same- vs
    /// cross-account callers (default `123456789012`).
    #[serde(default = "default_account_id")]
    pub account_id: String,
    /// The API's id (default: the id the import gives the API).
    #[serde(default)]
    pub rest_api_id: Option<String>,
    /// API keys (`aws apigateway get-api-keys --include-values`' items).
    #[serde(default)]
    pub api_keys: Vec<usage::ApiKeyConfig>,
    /// Usage plans (`aws apigateway get-usage-plans`' items).
    #[serde(default)]
    pub usage_plans: Vec<usage::UsagePlanConfig>,
    /// Which key belongs to which plan (the pairs `create-usage-plan-key` takes).
    #[serde(default)]
    pub usage_plan_keys: Vec<usage::UsagePlanKeyConfig>,
    /// The stage `--stage` names.
    #[serde(default)]
    pub stage: StageConfig,
    /// Account-level settings (throttling).
    #[serde(default)]
    pub account: usage::AccountConfig,
    /// The local stand-in for IAM.
    #[serde(default)]
    pub iam: identity::IamConfig,
    /// Cognito user pools by ARN.
    #[serde(default)]
    pub cognito: identity::CognitoConfig,
    /// Where throttle and quota counters live.
    #[serde(default)]
    pub counters: usage::CountersConfig,
}

/// The `stage` section: the served stage's settings, as `aws apigateway get-stage` prints
/// them.
///
/// The other fields `get-stage` prints (`stageName`, `deploymentId`, `createdDate`, ...) are
/// accepted and ignored; any other field is refused by name.
// The ignored fields are read (and dropped) by serde only.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageConfig {
    /// Stage variables (`--stage-var` overrides them).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Method settings by key (`*/*`, `~1pets/GET`, ...).
    #[serde(default)]
    pub method_settings: BTreeMap<String, usage::MethodSettingConfig>,
    #[serde(default)]
    stage_name: IgnoredAny,
    #[serde(default)]
    deployment_id: IgnoredAny,
    #[serde(default)]
    description: IgnoredAny,
    #[serde(default)]
    created_date: IgnoredAny,
    #[serde(default)]
    last_updated_date: IgnoredAny,
    #[serde(default)]
    cache_cluster_enabled: IgnoredAny,
    #[serde(default)]
    cache_cluster_size: IgnoredAny,
    #[serde(default)]
    cache_cluster_status: IgnoredAny,
    #[serde(default)]
    client_certificate_id: IgnoredAny,
    #[serde(default)]
    documentation_version: IgnoredAny,
    #[serde(default)]
    access_log_settings: IgnoredAny,
    #[serde(default)]
    canary_settings: IgnoredAny,
    #[serde(default)]
    tracing_enabled: IgnoredAny,
    #[serde(default)]
    web_acl_arn: IgnoredAny,
    #[serde(default)]
    tags: IgnoredAny,
}

/// Why a configuration file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not YAML or JSON, too large or nested too deeply.
    #[error("{0}")]
    Syntax(String),
    /// A section or field that is wrong: `at` is its path (`usagePlans[0].quota.limit`).
    #[error("{at}: {message}")]
    Field {
        /// Where, as a path of sections and fields.
        at: String,
        /// What is wrong.
        message: String,
    },
}

impl GatewayConfig {
    /// Reads a configuration file's bytes (YAML, or JSON when they start with `{`), with the
    /// API import's bounds on size and nesting.
    pub fn parse(bytes: &[u8]) -> Result<GatewayConfig, ConfigError> {
        if bytes.len() > MAX_CONFIG_BYTES {
            return Err(ConfigError::Syntax(format!(
                "the configuration is {} bytes, at most {MAX_CONFIG_BYTES} allowed",
                bytes.len()
            )));
        }
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Object(serde_json::Map::new())
        } else {
            crate::import::document::parse(bytes)
                .map_err(|e| ConfigError::Syntax(without_quoted_values(&e.to_string())))?
        };
        serde_path_to_error::deserialize(value).map_err(|e| {
            let at = e.path().to_string();
            ConfigError::Field {
                at: if at == "." { "(top level)".into() } else { at },
                message: e.into_inner().to_string(),
            }
        })
    }
}

impl GatewayConfig {
    /// The access-control settings this configuration describes, for
    /// [`Gateway::with_access`](crate::pipeline::Gateway::with_access); files the
    /// configuration names (a JWKS) are read relative to `base_dir`.
    pub fn access(&self, base_dir: &std::path::Path) -> Result<Access, ConfigError> {
        Ok(Access {
            authorization: identity::authorization(self, base_dir)?,
            usage: usage::usage(self)?,
        })
    }
}

impl Default for GatewayConfig {
    fn default() -> GatewayConfig {
        GatewayConfig {
            region: default_region(),
            account_id: default_account_id(),
            rest_api_id: None,
            api_keys: Vec::new(),
            usage_plans: Vec::new(),
            usage_plan_keys: Vec::new(),
            stage: StageConfig::default(),
            account: usage::AccountConfig::default(),
            iam: identity::IamConfig::default(),
            cognito: identity::CognitoConfig::default(),
            counters: usage::CountersConfig::default(),
        }
    }
}

fn default_region() -> String {
    DEFAULT_REGION.to_owned()
}

fn default_account_id() -> String {
    DEFAULT_ACCOUNT_ID.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = GatewayConfig::parse(b"").unwrap();
        assert_eq!(config.region, DEFAULT_REGION);
        assert_eq!(config.account_id, DEFAULT_ACCOUNT_ID);
        assert!(config.api_keys.is_empty());
    }

    #[test]
    fn unknown_top_level_fields_are_refused_by_name() {
        let err = GatewayConfig::parse(b"{\"accountID\": \"1\"}").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("accountID"), "{text}");
    }

    #[test]
    fn errors_name_the_section_and_field() {
        let err = GatewayConfig::parse(b"stage: {variables: {a: [1]}}").unwrap_err();
        assert!(
            matches!(&err, ConfigError::Field { at, .. } if at == "stage.variables.a"),
            "{err}"
        );
    }

    #[test]
    fn get_stage_output_is_accepted() {
        let config = GatewayConfig::parse(
            br#"{"stage": {"stageName": "prod", "deploymentId": "abc", "createdDate": "2026-01-01T00:00:00Z", "variables": {"v": "1"}}}"#,
        )
        .unwrap();
        assert_eq!(config.stage.variables["v"], "1");
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_refused_without_being_shown() {
        // A secret access key and an API key value written as numbers: serde's own message
        // would print them.
        // A number too large for u64 (the YAML parser's own message quoted it), a float, a
        // boolean, a list, a map, and the same in JSON.
        for (text, secret) in [
            (
                "iam: {users: [{arn: 'arn:aws:iam::123456789012:user/a', accessKeyId: AKIDA, secretAccessKey: 918273645546372819, policies: []}]}",
                "918273645546372819",
            ),
            (
                "apiKeys: [{id: k, value: 918273645546372819, enabled: true}]",
                "918273645546372819",
            ),
            (
                "apiKeys: [{id: k, value: 123456789012345678901234567890, enabled: true}]",
                "123456789012345678901234567890",
            ),
            (
                "apiKeys: [{id: k, value: -123456789012345678901234567890, enabled: true}]",
                "123456789012345678901234567890",
            ),
            (
                "apiKeys: [{id: k, value: 31415.92653, enabled: true}]",
                "31415",
            ),
            (
                "apiKeys: [{id: k, value: [s3cr3t], enabled: true}]",
                "s3cr3t",
            ),
            (
                "apiKeys: [{id: k, value: {s3cr3t: 1}, enabled: true}]",
                "s3cr3t",
            ),
            (
                r#"{"apiKeys": [{"id": "k", "value": 123456789012345678901234567890, "enabled": true}]}"#,
                "123456789012345678901234567890",
            ),
        ] {
            let err = GatewayConfig::parse(text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(!err.contains(secret), "{err}");
            assert!(err.contains("not shown"), "{err}");
        }
        let secret: Secret = serde_json::from_str("\"s3cr3t\"").unwrap();
        assert_eq!(format!("{secret:?}"), "\"***\"");
        assert_eq!(secret.expose(), "s3cr3t");
    }

    #[test]
    fn oversized_files_are_refused() {
        let big = vec![b' '; MAX_CONFIG_BYTES + 1];
        assert!(matches!(
            GatewayConfig::parse(&big),
            Err(ConfigError::Syntax(_))
        ));
    }
}
