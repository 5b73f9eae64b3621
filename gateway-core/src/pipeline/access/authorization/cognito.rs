//! Cognito user pool authorizers (`COGNITO_USER_POOLS`): the token from the authorizer's
//! header, verified against the user pool's keys, then the resource policy.
//!
//! What is checked, in order (developer guide, "Control access to REST APIs using Amazon
//! Cognito user pools as an authorizer", `apigateway-enable-cognito-user-pool`; research
//! pipeline-access.md 7.1, and 7.2 for what JWT authorizers document in detail):
//!
//! 1. the header is present (a `Bearer ` prefix is taken off: AWS's handling is not
//!    recorded, research 13.7, and clients send both);
//! 2. the signature, by the well-kept `jsonwebtoken` crate, never by hand: the header's
//!    `alg` is RS256 or ES256 ([`ALGORITHMS`]: Cognito signs RS256, ES256 is admitted for JWTs
//!    in general), its `kid` one of the keys of one of the authorizer's pools (from the host's
//!    [`KeySource`]), and the key's type and `alg` agree with the token's;
//! 3. `iss` is that pool's issuer, `https://cognito-idp.{region}.amazonaws.com/{pool id}`;
//! 4. `exp` is after the request's arrival: an expired token is 401 `The incoming token has
//!    expired` (recorded by an AWS user, research 5);
//! 5. `token_use`: a method without authorization scopes takes an ID token (`id`), one with
//!    scopes an access token (`access`) whose `scope` claim has at least one of them;
//! 6. the pool's `clientIds`, when configured: an ID token's `aud`, an access token's
//!    `client_id`; the authorizer's `identityValidationExpression`, when set, must match an
//!    ID token's `aud` (an access token, which has none, fails it).
//!
//! Any failure but expiry is 401 `Unauthorized`. Then the resource policy: when the API has
//! one it must not deny the call, explicitly or implicitly ("the resource policy is evaluated
//! independently, and an explicit allow is required", apigateway-authorization-flow).
//!
//! `$context.authorizer.claims` holds every claim as a string (research 1.4): numbers and
//! booleans in their JSON text, `exp` and `iat` as Java's `Date.toString()` (`Mon Jun 15
//! 05:56:21 UTC 2026`), a one-element array as its element, a longer one joined with `,`
//! (not recorded).

use std::collections::HashMap;
use std::sync::Arc;

use gateway_mapping::context::Context;
use gateway_policy::{ApiAuth, DeniedBy, Effect, api_outcome};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value as Json};

use super::resource_policy::{self, MethodCall};
use super::{configuration_error, unauthorized};
use crate::compile::{CompiledAuthorizer, IdentitySource};
use crate::model::GatewayResponseType;
use crate::pipeline::access::{AccessRequest, Authorized};
use crate::pipeline::backends::BoxFuture;
use crate::pipeline::gateway_response::Failure;

/// The signature algorithms accepted: RS256 (what Cognito signs with) and ES256.
pub const ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// Largest JWKS read (150,000 bytes: the bound API Gateway documents for the JWKS of HTTP API
/// JWT authorizers, research 7.2).
pub const MAX_JWKS_BYTES: usize = 150_000;

/// Most keys kept from one JWKS (a Cognito pool publishes two).
pub const MAX_JWKS_KEYS: usize = 100;

/// Longest token read (16 KiB): Cognito tokens are 1 to 2 KB; the bound keeps decoding and
/// hashing of hostile headers small.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The message of a 401 for an expired token (research pipeline-access.md 5, amplify-js#6060).
pub const EXPIRED: &str = "The incoming token has expired";

/// One pool's signing keys, decoded once.
#[derive(Clone)]
pub struct PoolKeys {
    keys: Vec<PoolKey>,
}

#[derive(Clone)]
struct PoolKey {
    kid: String,
    algorithm: Algorithm,
    key: DecodingKey,
}

impl std::fmt::Debug for PoolKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| (&k.kid, k.algorithm)))
            .finish()
    }
}

/// Why a JWKS is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// Larger than [`MAX_JWKS_BYTES`].
    #[error("the JWKS is {0} bytes, at most {MAX_JWKS_BYTES} allowed")]
    TooLarge(usize),
    /// Not a JWKS (`{"keys": [...]}`).
    #[error("not a JWKS: {0}")]
    NotJwks(String),
    /// No RS256 or ES256 (P-256) key with a `kid`.
    #[error("no RS256 or ES256 key with a kid among its {0} keys")]
    NoUsableKey(usize),
    /// More than [`MAX_JWKS_KEYS`] keys.
    #[error("{0} keys, at most {MAX_JWKS_KEYS} allowed")]
    TooManyKeys(usize),
}

impl PoolKeys {
    /// Reads a JWKS (`{"keys": [...]}` as `/.well-known/jwks.json` serves it), keeping the
    /// RSA keys (RS256) and P-256 keys (ES256) that have a `kid`; other keys are skipped.
    pub fn from_jwks(bytes: &[u8]) -> Result<PoolKeys, JwksError> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(JwksError::TooLarge(bytes.len()));
        }
        let set: JwkSet =
            serde_json::from_slice(bytes).map_err(|e| JwksError::NotJwks(e.to_string()))?;
        if set.keys.len() > MAX_JWKS_KEYS {
            return Err(JwksError::TooManyKeys(set.keys.len()));
        }
        let keys: Vec<PoolKey> = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                let algorithm = match &jwk.algorithm {
                    AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                        Algorithm::ES256
                    }
                    _ => return None,
                };
                let declared = jwk.common.key_algorithm;
                let agrees = match declared {
                    None => true,
                    Some(KeyAlgorithm::RS256) => algorithm == Algorithm::RS256,
                    Some(KeyAlgorithm::ES256) => algorithm == Algorithm::ES256,
                    Some(_) => false,
                };
                if !agrees {
                    return None;
                }
                let key = DecodingKey::from_jwk(jwk).ok()?;
                Some(PoolKey {
                    kid,
                    algorithm,
                    key,
                })
            })
            .collect();
        if keys.is_empty() {
            return Err(JwksError::NoUsableKey(set.keys.len()));
        }
        Ok(PoolKeys { keys })
    }

    fn find(&self, kid: &str) -> Option<&PoolKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// Where a user pool's keys come from: a file read at start locally ([`StaticKeys`]); a host
/// may fetch and cache `/.well-known/jwks.json` instead.
pub trait KeySource: Send + Sync {
    /// The keys of the user pool `user_pool_arn`, `None` when unknown.
    fn keys<'a>(&'a self, user_pool_arn: &'a str) -> BoxFuture<'a, Option<Arc<PoolKeys>>>;
}

/// Keys held in memory, by user pool ARN.
#[derive(Debug, Clone, Default)]
pub struct StaticKeys {
    pools: HashMap<String, Arc<PoolKeys>>,
}

impl StaticKeys {
    /// No pools.
    pub fn new() -> StaticKeys {
        StaticKeys::default()
    }

    /// Sets a pool's keys.
    pub fn insert(&mut self, user_pool_arn: impl Into<String>, keys: PoolKeys) {
        self.pools.insert(user_pool_arn.into(), Arc::new(keys));
    }
}

impl KeySource for StaticKeys {
    fn keys<'a>(&'a self, user_pool_arn: &'a str) -> BoxFuture<'a, Option<Arc<PoolKeys>>> {
        let found = self.pools.get(user_pool_arn).cloned();
        Box::pin(std::future::ready(found))
    }
}

/// What the gateway knows of the user pools: their keys and the app clients they accept.
#[derive(Clone)]
pub struct CognitoPools {
    keys: Arc<dyn KeySource>,
    client_ids: HashMap<String, Vec<String>>,
}

impl Default for CognitoPools {
    fn default() -> CognitoPools {
        CognitoPools::new(Arc::new(StaticKeys::new()))
    }
}

impl std::fmt::Debug for CognitoPools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoPools")
            .field("client_ids", &self.client_ids)
            .finish_non_exhaustive()
    }
}

impl CognitoPools {
    /// Pools whose keys come from `keys`, accepting any app client.
    pub fn new(keys: Arc<dyn KeySource>) -> CognitoPools {
        CognitoPools {
            keys,
            client_ids: HashMap::new(),
        }
    }

    /// Accepts only tokens of these app clients for the pool (`aud` of ID tokens, `client_id`
    /// of access tokens).
    pub fn with_client_ids(mut self, user_pool_arn: &str, client_ids: Vec<String>) -> Self {
        self.client_ids.insert(user_pool_arn.to_owned(), client_ids);
        self
    }
}

/// The issuer of a user pool's tokens, from its ARN
/// (`arn:aws:cognito-idp:{region}:{account}:userpool/{pool id}` ->
/// `https://cognito-idp.{region}.amazonaws.com/{pool id}`); `None` for another ARN.
pub fn issuer(user_pool_arn: &str) -> Option<String> {
    let arn = gateway_policy::Arn::parse(user_pool_arn).filter(|a| a.service == "cognito-idp")?;
    let (region, resource) = (arn.region, arn.resource);
    let pool = resource.strip_prefix("userpool/")?;
    if region.is_empty() || pool.is_empty() {
        return None;
    }
    Some(format!("https://cognito-idp.{region}.amazonaws.com/{pool}"))
}

/// What a token must satisfy besides its signature.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    /// The pool's issuer.
    pub issuer: &'a str,
    /// The method's authorization scopes (empty: an ID token is expected).
    pub scopes: &'a [String],
    /// The app clients accepted, when restricted.
    pub client_ids: Option<&'a [String]>,
    /// The request's arrival, in seconds since the epoch.
    pub now_secs: i64,
}

/// Why a token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a JWT, too long, or its header or claims are not JSON.
    #[error("the token is not a well-formed JWT")]
    Malformed,
    /// Its `alg` is not one of [`ALGORITHMS`].
    #[error("the token's algorithm is not RS256 or ES256")]
    Algorithm,
    /// Its `kid` is none of the pool's keys, or the key is of another type.
    #[error("the token's key is not one of the user pool's")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the token's signature does not verify")]
    Signature,
    /// `iss` is not the pool's.
    #[error("the token's issuer is not the user pool")]
    Issuer,
    /// `exp` is missing or not after now.
    #[error("the token has expired")]
    Expired,
    /// `token_use` is not the kind the method takes.
    #[error("the token is not an {0} token")]
    TokenUse(&'static str),
    /// `aud` / `client_id` is not an accepted app client.
    #[error("the token's app client is not accepted")]
    Client,
    /// No method scope is in the token's `scope`.
    #[error("the token has none of the method's scopes")]
    Scope,
}

/// Verifies `token` against `keys` and `expect`, and returns its claims.
pub fn verify_token(
    token: &str,
    keys: &PoolKeys,
    expect: &Expectations<'_>,
) -> Result<Map<String, Json>, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(TokenError::Algorithm);
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| keys.find(kid))
        .filter(|k| k.algorithm == header.alg)
        .ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(key.algorithm);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Map<String, Json>>(token, &key.key, &validation).map_err(
        |e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::Signature,
            _ => TokenError::Malformed,
        },
    )?;
    let claims = data.claims;
    let text = |name: &str| claims.get(name).and_then(Json::as_str);
    if text("iss") != Some(expect.issuer) {
        return Err(TokenError::Issuer);
    }
    match claims.get("exp").and_then(Json::as_i64) {
        Some(exp) if exp > expect.now_secs => {}
        _ => return Err(TokenError::Expired),
    }
    let access = !expect.scopes.is_empty();
    let (token_use, client_claim) = if access {
        ("access", "client_id")
    } else {
        ("id", "aud")
    };
    if text("token_use") != Some(token_use) {
        return Err(TokenError::TokenUse(token_use));
    }
    if let Some(allowed) = expect.client_ids {
        let client = text(client_claim).ok_or(TokenError::Client)?;
        if !allowed.iter().any(|c| c == client) {
            return Err(TokenError::Client);
        }
    }
    if access {
        let granted = text("scope").unwrap_or_default();
        if !granted
            .split(' ')
            .any(|s| !s.is_empty() && expect.scopes.iter().any(|m| m == s))
        {
            return Err(TokenError::Scope);
        }
    }
    Ok(claims)
}

/// Runs the method's Cognito authorizer (see the module documentation).
pub async fn authorize(
    pools: &CognitoPools,
    authorizer: &CompiledAuthorizer,
    request: &AccessRequest<'_>,
    call: &MethodCall,
    context: &mut Context,
) -> Result<Authorized, Failure> {
    let token = match authorizer.identity_sources() {
        [IdentitySource::Header(name)] => request
            .request
            .headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok()),
        _ => None,
    };
    let token = match token.map(str::trim) {
        Some(t) if !t.is_empty() => strip_bearer(t),
        _ => return Err(unauthorized("no token in the authorizer's header")),
    };
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| unauthorized("the token is not a well-formed JWT"))?;
    let kid = header.kid.unwrap_or_default();
    // The pool whose keys hold the token's key (an authorizer may name several pools).
    let mut chosen = None;
    let mut missing = Vec::new();
    for arn in authorizer.provider_arns() {
        match pools.keys.keys(arn).await {
            Some(keys) if keys.find(&kid).is_some() => {
                chosen = Some((arn.as_str(), keys));
                break;
            }
            Some(_) => {}
            None => missing.push(arn.as_str()),
        }
    }
    let Some((arn, keys)) = chosen else {
        if !missing.is_empty() && missing.len() == authorizer.provider_arns().len() {
            return Err(configuration_error(format!(
                "authorizer {}: no keys for user pool {} (the configuration's cognito section)",
                authorizer.name(),
                missing.join(", ")
            )));
        }
        return Err(unauthorized(
            "the token's key is not one of the user pools'",
        ));
    };
    let issuer = issuer(arn).ok_or_else(|| {
        configuration_error(format!(
            "authorizer {}: {arn:?} is not a user pool ARN",
            authorizer.name()
        ))
    })?;
    let expect = Expectations {
        issuer: &issuer,
        scopes: &request.method.authorization_scopes,
        client_ids: pools.client_ids.get(arn).map(Vec::as_slice),
        now_secs: request.epoch_millis.div_euclid(1000),
    };
    let claims = verify_token(token, &keys, &expect).map_err(|e| match e {
        TokenError::Expired => {
            Failure::new(GatewayResponseType::Unauthorized, EXPIRED).with_detail(e.to_string())
        }
        other => unauthorized(other.to_string()),
    })?;
    if let Some(pattern) = authorizer.validation_expression() {
        let aud = claims.get("aud").and_then(Json::as_str);
        if !aud.is_some_and(|a| pattern.is_match(a)) {
            return Err(unauthorized(
                "the token's aud does not match the authorizer's identityValidationExpression",
            ));
        }
    }
    context.set_object(
        "authorizer",
        [("claims", Json::Object(context_claims(&claims)))],
    );
    let policy_request = call.anonymous();
    let resource = resource_policy::effect(request.api, policy_request);
    let effect = api_outcome(ApiAuth::Cognito, Effect::Allow, resource);
    if effect != Effect::Allow {
        return Err(resource_policy::denied(
            effect,
            DeniedBy::Policy,
            policy_request,
        ));
    }
    let principal = claims.get("sub").and_then(Json::as_str).map(str::to_owned);
    Ok(Authorized {
        principal_id: principal,
        usage_identifier_key: None,
    })
}

/// The token without a leading `Bearer ` (any case).
fn strip_bearer(token: &str) -> &str {
    match token.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("bearer ") => token[7..].trim_start(),
        _ => token,
    }
}

/// The claims as `$context.authorizer.claims` holds them (see the module documentation).
pub fn context_claims(claims: &Map<String, Json>) -> Map<String, Json> {
    claims
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Json::Number(n) if k == "exp" || k == "iat" => n
                    .as_i64()
                    .and_then(java_date)
                    .unwrap_or_else(|| n.to_string()),
                Json::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
                other => scalar(other),
            };
            (k.clone(), Json::String(text))
        })
        .collect()
}

fn scalar(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Java's `Date.toString()` in UTC: `Mon Jun 15 05:56:21 UTC 2026`.
pub fn java_date(epoch_secs: i64) -> Option<String> {
    let at = time::OffsetDateTime::from_unix_timestamp(epoch_secs).ok()?;
    at.format(time::macros::format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    ))
    .ok()
}
