//! `AWS_IAM` methods: the request's SigV4 signature (header or query-string form) verified with
//! gateway-policy's verifier in its two steps around the key lookup ([`Verifier::claim`], the
//! signer found among the [`IamUsers`], [`Verifier::verify_claim`]), then the signer's identity
//! policies and the API's resource policy evaluated for `execute-api:Invoke` on the method ARN
//! and combined as API Gateway does ([`gateway_policy::authorize`]: Table A when the signer's
//! account owns the API, Table B across accounts, where both must allow; research
//! iam-apigateway.md 2.3).
//!
//! The signed path is the one the execute-api endpoint receives, `/{stage}{path}`; the query
//! string is the one sent; the body is always hashed. The clock is the request's arrival.
//!
//! `$context.identity` gets `accessKey`, `accountId`, `caller` and `user` (the principal's
//! unique id), `userArn`; the Cognito fields stay null (research pipeline-access.md 1.3). The
//! policies see the principal's keys: `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:userid`,
//! `aws:username` (IAM users only) and `aws:PrincipalTag/<key>`.
//!
//! A secret access key or session token never appears in a message, a detail or a `Debug`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gateway_mapping::context::Context;
use gateway_policy::sigv4::{
    AuthError, CallerIdentity, Credential, IdentityPolicy, Payload, RequestRef,
};
use gateway_policy::{DeniedBy, Effect, Policy, Principal, Request};

use super::Authorization;
use super::resource_policy::{self, MethodCall};
use crate::pipeline::access::{AccessRequest, Authorized};
use crate::pipeline::gateway_response::Failure;

/// One IAM principal that may sign requests: its access key, secret, optional session token
/// (temporary credentials), identity policies and tags.
#[derive(Clone)]
pub struct IamUser {
    credential: Arc<Credential>,
    /// The principal a policy sees, built once.
    principal: Principal,
    tags: Vec<(String, String)>,
}

impl std::fmt::Debug for IamUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamUser")
            .field("arn", &self.credential.identity.principal_arn)
            .field("access_key_id", &self.credential.identity.access_key)
            .field("policies", &self.credential.identity.policies.len())
            .field("tags", &self.tags)
            .finish_non_exhaustive()
    }
}

/// The settings of one [`IamUser`].
#[derive(Clone, Default)]
pub struct IamUserSpec {
    /// The principal's ARN (`arn:aws:iam::111122223333:user/alice`,
    /// `arn:aws:sts::111122223333:assumed-role/Role/session`): its account is the ARN's.
    pub arn: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token, for temporary credentials.
    pub session_token: Option<String>,
    /// When temporary credentials expire; a request signed with them from then on is
    /// `EXPIRED_TOKEN` (403 `The security token included in the request is expired`).
    pub expires_at: Option<SystemTime>,
    /// The principal's unique id (`$context.identity.user`, `aws:userid`); default the access
    /// key id.
    pub user_id: Option<String>,
    /// Tags (`aws:PrincipalTag/<key>`).
    pub tags: Vec<(String, String)>,
    /// Identity policies, compiled.
    pub policies: Vec<Policy>,
}

impl std::fmt::Debug for IamUserSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamUserSpec")
            .field("arn", &self.arn)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl IamUser {
    /// A signer from its settings.
    pub fn new(spec: IamUserSpec) -> IamUser {
        let account_id = spec.arn.split(':').nth(4).unwrap_or_default().to_owned();
        let user_name = spec.arn.rsplit('/').next().unwrap_or_default().to_owned();
        let policies: Vec<Arc<IdentityPolicy>> = spec.policies.into_iter().map(Arc::new).collect();
        let principal = Principal::aws(&spec.arn);
        IamUser {
            principal,
            credential: Arc::new(Credential {
                secret_access_key: spec.secret_access_key,
                session_token: spec.session_token,
                expires_at: spec.expires_at,
                identity: Arc::new(CallerIdentity {
                    access_key: spec.access_key_id.clone(),
                    account_id,
                    principal_arn: spec.arn,
                    user_name,
                    user_id: spec.user_id.unwrap_or(spec.access_key_id),
                    policies,
                }),
            }),
            tags: spec.tags,
        }
    }

    /// The principal's ARN.
    pub fn arn(&self) -> &str {
        &self.credential.identity.principal_arn
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.credential.identity.access_key
    }
}

/// The IAM users that may sign requests, by access key id.
#[derive(Debug, Clone, Default)]
pub struct IamUsers {
    by_key: HashMap<String, IamUser>,
}

impl IamUsers {
    /// No users.
    pub fn new() -> IamUsers {
        IamUsers::default()
    }

    /// Adds a user; `Err` returns it when its access key id is already taken.
    pub fn insert(&mut self, user: IamUser) -> Result<(), IamUser> {
        if self.by_key.contains_key(user.access_key_id()) {
            return Err(user);
        }
        self.by_key.insert(user.access_key_id().to_owned(), user);
        Ok(())
    }

    /// The user of an access key id.
    pub fn get(&self, access_key_id: &str) -> Option<&IamUser> {
        self.by_key.get(access_key_id)
    }

    /// How many users.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// Verifies the signature and evaluates the policies (see the module documentation).
pub fn authorize(
    settings: &Authorization,
    request: &AccessRequest<'_>,
    call: MethodCall,
    context: &mut Context,
) -> Result<Authorized, Failure> {
    let now = arrival(request.epoch_millis);
    // The path as signed: the stage, then the path after it (pushed: a format string costs
    // more than the copy).
    let mut signed_path = String::with_capacity(1 + request.stage.name.len() + request.path.len());
    signed_path.push('/');
    signed_path.push_str(&request.stage.name);
    signed_path.push_str(request.path);
    let headers = &request.request.headers;
    let signed = RequestRef::new(
        request.http_method,
        &signed_path,
        request.raw_query,
        headers,
    );
    let verifier = &settings.verifier;
    let sigv4 = |e: AuthError| Failure::from(&e);
    let claim = verifier.claim(signed, now).map_err(sigv4)?;
    let user = settings
        .iam
        .get(claim.access_key_id())
        .ok_or_else(|| sigv4(AuthError::InvalidSecurityToken))?;
    let caller = verifier
        .verify_claim(
            &claim,
            Payload::Bytes(&request.request.body),
            &user.credential,
            now,
        )
        .map_err(|e| sigv4(without_token(e, claim.session_token())))?;
    fill_identity(context, &caller);
    let policy_request = signed_request(call, &caller, user);
    let decision = gateway_policy::authorize(
        caller.policies.iter().map(|p| &**p),
        request.api.resource_policy(),
        &policy_request,
        &request.stage.account_id,
    );
    if decision.effect != Effect::Allow {
        return Err(resource_policy::denied(
            decision.effect,
            DeniedBy::Policy,
            &policy_request,
        ));
    }
    Ok(Authorized {
        principal_id: Some(caller.principal_arn.clone()),
        usage_identifier_key: None,
    })
}

/// The error with the session token's value masked out of the canonical request a signature
/// mismatch shows (AWS echoes the signed `X-Amz-Security-Token` there; a secret never appears
/// in a message here).
fn without_token(error: AuthError, token: Option<&str>) -> AuthError {
    match (error, token) {
        (
            AuthError::SignatureMismatch {
                canonical_request,
                string_to_sign,
            },
            Some(token),
        ) if !token.is_empty() => {
            let encoded =
                percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            AuthError::SignatureMismatch {
                canonical_request: canonical_request
                    .replace(token, "***")
                    .replace(&encoded, "***"),
                string_to_sign,
            }
        }
        (error, _) => error,
    }
}

/// `$context.identity` of a signed caller.
fn fill_identity(context: &mut Context, caller: &CallerIdentity) {
    context.set_in(
        "identity",
        [
            ("accountId", caller.account_id.as_str().into()),
            ("caller", caller.user_id.as_str().into()),
            ("accessKey", caller.access_key.as_str().into()),
            ("userArn", caller.principal_arn.as_str().into()),
            ("user", caller.user_id.as_str().into()),
        ],
    );
}

/// The policy request of a signed caller: the principal and its keys.
fn signed_request(call: MethodCall, caller: &CallerIdentity, user: &IamUser) -> Request {
    let mut request = call.into_request();
    request.set_principal(user.principal.clone());
    let keys = request.keys_mut();
    keys.push_static("aws:userid", caller.user_id.as_str());
    if caller.principal_arn.contains(":user/") {
        keys.push_static("aws:username", caller.user_name.as_str());
    }
    for (key, value) in &user.tags {
        keys.set(&format!("aws:PrincipalTag/{key}"), [value.as_str()]);
    }
    request
}

/// When the request arrived, as a [`SystemTime`] (for hosts and tests).
pub fn arrival(epoch_millis: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(epoch_millis).unwrap_or(0))
}
