//! The configuration's identity sections: `iam` (the local stand-in for IAM users and their
//! policies) and `cognito` (user pools' keys and app clients).
//!
//! ```yaml
//! iam:
//!   users:
//!     - arn: arn:aws:iam::123456789012:user/alice
//!       accessKeyId: AKIDALICE
//!       secretAccessKey: alice-secret
//!       sessionToken: optional, for temporary credentials
//!       expiration: "2026-12-03T18:00:00Z"   # optional: when temporary credentials expire
//!       tags: {team: payments}          # or [{Key: team, Value: payments}]
//!       policies:
//!         - {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "execute-api:Invoke", Resource: "*"}]}
//! cognito:
//!   arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEfGhI:
//!     jwks: secured.jwks.json           # relative to the config file, or an inline JWKS object
//!     clientIds: [client-a]             # optional: checked against aud / client_id
//! ```
//!
//! Each user's account is the one in its ARN; policies are compiled as identity policies (a
//! `Principal` is refused). A bad entry is refused at start with its place named
//! (`iam.users[1].policies[0]: ...`). Secrets never appear in a message or a `Debug`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use gateway_policy::Policy;
use serde::Deserialize;

use super::{ConfigError, GatewayConfig, Secret};
use crate::pipeline::access::authorization::Authorization;
use crate::pipeline::access::authorization::cognito::{self, CognitoPools, PoolKeys, StaticKeys};
use crate::pipeline::access::authorization::iam::{IamUser, IamUserSpec, IamUsers};

/// The `iam` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IamConfig {
    /// The principals that may sign requests.
    #[serde(default)]
    pub users: Vec<IamUserConfig>,
}

/// One IAM principal and its access key.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IamUserConfig {
    /// Its ARN (`arn:aws:iam::111122223333:user/alice`, or an `sts` assumed-role ARN).
    pub arn: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    #[serde(default)]
    pub session_token: Option<Secret>,
    /// When temporary credentials expire: an RFC 3339 time (`2026-12-03T18:00:00Z`), as
    /// `aws sts get-session-token` prints `Credentials.Expiration`. A request signed with
    /// them afterwards is `EXPIRED_TOKEN` (403 `The security token included in the request
    /// is expired`).
    #[serde(default)]
    pub expiration: Option<String>,
    /// The principal's unique id (`$context.identity.user`); default the access key id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Tags: a map, or `[{Key, Value}]` as `aws iam list-user-tags` prints them.
    #[serde(default)]
    pub tags: Tags,
    /// Identity policies, as JSON objects.
    #[serde(default)]
    pub policies: Vec<serde_json::Value>,
}

/// Principal tags, in either of the two shapes.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Tags {
    /// `{key: value}`.
    Map(BTreeMap<String, String>),
    /// `[{Key: k, Value: v}]`.
    List(Vec<TagConfig>),
}

impl Default for Tags {
    fn default() -> Tags {
        Tags::Map(BTreeMap::new())
    }
}

/// One tag as IAM prints it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagConfig {
    /// The key.
    #[serde(rename = "Key")]
    pub key: String,
    /// The value.
    #[serde(rename = "Value")]
    pub value: String,
}

/// The `cognito` section: user pools by ARN.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct CognitoConfig {
    /// Pools by ARN.
    pub pools: BTreeMap<String, CognitoPoolConfig>,
}

/// One user pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CognitoPoolConfig {
    /// Its JWKS: a file path (relative to the configuration file) or an inline JWKS object.
    pub jwks: serde_json::Value,
    /// The app clients accepted (`aud` of ID tokens, `client_id` of access tokens); any when
    /// absent.
    #[serde(default)]
    pub client_ids: Option<Vec<String>>,
}

/// The authorization settings `config` describes; JWKS files are read relative to
/// `base_dir`.
pub fn authorization(
    config: &GatewayConfig,
    base_dir: &Path,
) -> Result<Authorization, ConfigError> {
    Ok(Authorization::new()
        .with_sigv4_region(&config.region)
        .with_iam_users(iam_users(&config.iam)?)
        .with_cognito(cognito_pools(&config.cognito, base_dir)?))
}

fn field(at: String, message: impl Into<String>) -> ConfigError {
    ConfigError::Field {
        at,
        message: message.into(),
    }
}

/// Whether `arn` names an IAM or STS principal with a 12-digit account.
fn principal_account(arn: &str) -> Option<&str> {
    let arn = gateway_policy::Arn::parse(arn)?;
    let account = arn.account;
    (matches!(arn.service, "iam" | "sts")
        && arn.region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !arn.resource.is_empty())
    .then_some(account)
}

fn iam_users(section: &IamConfig) -> Result<IamUsers, ConfigError> {
    let mut users = IamUsers::new();
    for (i, user) in section.users.iter().enumerate() {
        let at = |f: &str| format!("iam.users[{i}].{f}");
        if principal_account(&user.arn).is_none() {
            return Err(field(
                at("arn"),
                format!(
                    "{:?} is not an IAM principal ARN (arn:aws:iam::<12-digit account>:user/NAME, or an sts assumed-role ARN)",
                    user.arn
                ),
            ));
        }
        if user.access_key_id.is_empty() || user.secret_access_key.expose().is_empty() {
            return Err(field(
                at("accessKeyId"),
                "accessKeyId and secretAccessKey must not be empty",
            ));
        }
        let mut policies = Vec::with_capacity(user.policies.len());
        for (j, document) in user.policies.iter().enumerate() {
            if !document.is_object() {
                return Err(field(
                    at(&format!("policies[{j}]")),
                    "a policy document is a JSON object",
                ));
            }
            let policy = Policy::parse_identity(&document.to_string())
                .map_err(|e| field(at(&format!("policies[{j}]")), e.to_string()))?;
            policies.push(policy);
        }
        let tags = match &user.tags {
            Tags::Map(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Tags::List(list) => list
                .iter()
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect(),
        };
        let expires_at = match &user.expiration {
            None => None,
            Some(text) => Some(parse_expiration(text).ok_or_else(|| {
                field(
                    at("expiration"),
                    format!("{text:?} is not an RFC 3339 time such as 2026-12-03T18:00:00Z"),
                )
            })?),
        };
        let spec = IamUserSpec {
            arn: user.arn.clone(),
            access_key_id: user.access_key_id.clone(),
            secret_access_key: user.secret_access_key.expose().to_owned(),
            session_token: user.session_token.as_ref().map(|s| s.expose().to_owned()),
            expires_at,
            user_id: user.user_id.clone(),
            tags,
            policies,
        };
        users.insert(IamUser::new(spec)).map_err(|dup| {
            field(
                at("accessKeyId"),
                format!("access key {:?} is given twice", dup.access_key_id()),
            )
        })?;
    }
    Ok(users)
}

/// `Credentials.Expiration` as AWS prints it (RFC 3339, `Z` or an offset).
fn parse_expiration(text: &str) -> Option<std::time::SystemTime> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(std::time::SystemTime::from(at))
}

fn cognito_pools(section: &CognitoConfig, base_dir: &Path) -> Result<CognitoPools, ConfigError> {
    let mut keys = StaticKeys::new();
    let mut client_ids = Vec::new();
    for (arn, pool) in &section.pools {
        let at = |f: &str| format!("cognito.{arn}{f}");
        if cognito::issuer(arn).is_none() {
            return Err(field(
                at(""),
                "not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)",
            ));
        }
        let bytes = match &pool.jwks {
            serde_json::Value::String(path) => read_jwks(&base_dir.join(path))
                .map_err(|e| field(at(".jwks"), format!("{path}: {e}")))?,
            document @ serde_json::Value::Object(_) => document.to_string().into_bytes(),
            _ => {
                return Err(field(
                    at(".jwks"),
                    "expected a file path or an inline JWKS object",
                ));
            }
        };
        let pool_keys =
            PoolKeys::from_jwks(&bytes).map_err(|e| field(at(".jwks"), e.to_string()))?;
        keys.insert(arn.clone(), pool_keys);
        if let Some(ids) = &pool.client_ids {
            client_ids.push((arn.clone(), ids.clone()));
        }
    }
    let mut pools = CognitoPools::new(Arc::new(keys));
    for (arn, ids) in client_ids {
        pools = pools.with_client_ids(&arn, ids);
    }
    Ok(pools)
}

/// A JWKS file, bounded by [`cognito::MAX_JWKS_BYTES`].
fn read_jwks(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if !file.metadata().map_err(|e| e.to_string())?.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::new();
    file.take(cognito::MAX_JWKS_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > cognito::MAX_JWKS_BYTES {
        return Err(format!("larger than {} bytes", cognito::MAX_JWKS_BYTES));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWKS: &str = include_str!("../../tests/data/jwt/jwks.json");

    fn parse(text: &str) -> Result<Authorization, ConfigError> {
        let config = GatewayConfig::parse(text.as_bytes())?;
        authorization(&config, Path::new("."))
    }

    #[test]
    fn users_and_pools_are_read() {
        let text = format!(
            r#"{{"iam": {{"users": [{{"arn": "arn:aws:iam::123456789012:user/alice",
                "accessKeyId": "AKIDALICE", "secretAccessKey": "s3cr3t-value",
                "tags": [{{"Key": "team", "Value": "a"}}],
                "policies": [{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
                    "Action": "execute-api:Invoke", "Resource": "*"}}]}}]}}]}},
              "cognito": {{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_X":
                {{"jwks": {JWKS}, "clientIds": ["c1"]}}}}}}"#
        );
        let a = parse(&text).unwrap();
        let debug = format!("{a:?}");
        assert!(debug.contains("iam_users: 1"), "{debug}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        let config = GatewayConfig::parse(text.as_bytes()).unwrap();
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn expiration_reads_as_aws_sts_prints_it() {
        // `aws sts get-session-token` prints Credentials.Expiration as RFC 3339, in UTC
        // (`2026-12-03T18:00:00+00:00`) or with `Z`.
        let at = parse_expiration("2026-12-03T18:00:00+00:00").unwrap();
        assert_eq!(at, parse_expiration("2026-12-03T18:00:00Z").unwrap());
        let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, 1_796_320_800);
        assert!(parse_expiration("2026-12-03 18:00").is_none());
    }

    #[test]
    fn bad_entries_are_refused_by_place() {
        let cases = [
            (
                r#"{"iam": {"users": [{"arn": "alice", "accessKeyId": "A", "secretAccessKey": "s"}]}}"#,
                "iam.users[0].arn",
            ),
            (
                r#"{"iam": {"users": [{"arn": "arn:aws:iam::123456789012:user/a", "accessKeyId": "A", "secretAccessKey": "s", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "x:y", "Resource": "*"}]}]}]}}"#,
                "iam.users[0].policies[0]",
            ),
            (
                r#"{"iam": {"users": [{"arn": "arn:aws:iam::123456789012:user/a", "accessKeyId": "A", "secretAccessKey": "s"}, {"arn": "arn:aws:iam::123456789012:user/b", "accessKeyId": "A", "secretAccessKey": "t"}]}}"#,
                "iam.users[1].accessKeyId",
            ),
            (
                r#"{"cognito": {"arn:aws:cognito-idp:us-east-1:1:userpool/p": {"jwks": 7}}}"#,
                "cognito.arn:aws:cognito-idp:us-east-1:1:userpool/p.jwks",
            ),
            (
                r#"{"cognito": {"arn:aws:cognito-idp:us-east-1:1:userpool/p": {"jwks": "no-such-file.json"}}}"#,
                "cognito.arn:aws:cognito-idp:us-east-1:1:userpool/p.jwks",
            ),
            (
                r#"{"cognito": {"not-an-arn": {"jwks": {"keys": []}}}}"#,
                "cognito.not-an-arn",
            ),
            (
                r#"{"iam": {"users": [{"arn": "arn:aws:iam::123456789012:user/a", "accessKeyId": "A", "secretAccessKey": "s", "sessionToken": "t", "expiration": "tomorrow"}]}}"#,
                "iam.users[0].expiration",
            ),
        ];
        for (text, place) in cases {
            match parse(text) {
                Err(ConfigError::Field { at, .. }) => assert_eq!(at, place, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        // Unknown fields are refused by name, secrets never echoed.
        let err = GatewayConfig::parse(
            br#"{"iam": {"users": [{"arn": "a", "accessKeyId": "A", "secretAccessKey": "hush-hush", "secretKey": "x"}]}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("secretKey"), "{err}");
        assert!(!err.contains("hush-hush"), "{err}");
    }
}
