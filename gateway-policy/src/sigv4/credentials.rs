//! Who may sign: the credential store the verifier asks, and the caller identity it hands on.
//!
//! The host implements [`CredentialStore`] over whatever holds its keys (a database, a secrets
//! service); [`InMemoryCredentialStore`] serves tests, examples and small deployments.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use subtle::ConstantTimeEq;

/// The identity policy type a caller carries: a compiled [`crate::Policy`], parsed once when the
/// credential is stored (with [`crate::Policy::parse_identity`]) and evaluated per request with
/// [`crate::authorize`].
pub type IdentityPolicy = crate::Policy;

/// The authenticated caller, as API Gateway exposes it in `$context.identity` and hands to the
/// IAM policy evaluator.
#[derive(Debug, Clone, Default)]
pub struct CallerIdentity {
    /// The access key id the request was signed with (`$context.identity.accessKey`).
    pub access_key: String,
    /// The caller's AWS account id (`$context.identity.accountId`).
    pub account_id: String,
    /// The principal's ARN, e.g. `arn:aws:iam::123456789012:user/alice`
    /// (`$context.identity.userArn`).
    pub principal_arn: String,
    /// The principal's friendly name, e.g. `alice`.
    pub user_name: String,
    /// The principal's unique id, e.g. `AIDAEXAMPLE` or `AROAEXAMPLE:session`
    /// (`$context.identity.user` and `$context.identity.caller`).
    pub user_id: String,
    /// The principal's identity-based policies, evaluated with the API's resource policy.
    pub policies: Vec<Arc<IdentityPolicy>>,
}

/// One access key: its secret, its session token if temporary, and whose it is.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The secret access key.
    pub secret_access_key: String,
    /// For temporary credentials, the session token every request must carry in
    /// `X-Amz-Security-Token`; `None` for long-term keys (which must not carry one).
    pub session_token: Option<String>,
    /// When temporary credentials stop working; `None` for no expiry.
    pub expires_at: Option<SystemTime>,
    /// The identity the key belongs to.
    pub identity: Arc<CallerIdentity>,
}

/// What the store says of the session token a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// The token (or its absence) is right for this key.
    Valid,
    /// The token is wrong, missing, or sent with a long-term key.
    Invalid,
    /// The token is right but the credentials have expired.
    Expired,
}

/// Looks up access keys. Implementations must be cheap to call per request (cache in front of a
/// remote store) and safe to share across threads.
pub trait CredentialStore: Send + Sync {
    /// The credential of an access key id, or `None` if the key is unknown.
    fn credential(&self, access_key_id: &str) -> Option<Arc<Credential>>;

    /// Whether `token` (the request's `X-Amz-Security-Token`, if any) is valid for `credential`
    /// at `now`. The default is [`Credential::session_token_status`]: it compares the token, in
    /// constant time, with `credential.session_token` and checks `expires_at`.
    fn check_session_token(
        &self,
        credential: &Credential,
        token: Option<&str>,
        now: SystemTime,
    ) -> TokenStatus {
        credential.session_token_status(token, now)
    }
}

impl Credential {
    /// Whether `token` (the request's `X-Amz-Security-Token`, if any) is valid for this key at
    /// `now`: it must equal `session_token` (compared in constant time; no token for a long-term
    /// key), and the key must not have passed `expires_at`.
    pub fn session_token_status(&self, token: Option<&str>, now: SystemTime) -> TokenStatus {
        let matches = match (&self.session_token, token) {
            (None, None) => true,
            (Some(expected), Some(got)) => bool::from(expected.as_bytes().ct_eq(got.as_bytes())),
            _ => false,
        };
        if !matches {
            TokenStatus::Invalid
        } else if self.expires_at.is_some_and(|at| now >= at) {
            TokenStatus::Expired
        } else {
            TokenStatus::Valid
        }
    }
}

impl<S: CredentialStore + ?Sized> CredentialStore for Arc<S> {
    fn credential(&self, access_key_id: &str) -> Option<Arc<Credential>> {
        (**self).credential(access_key_id)
    }

    fn check_session_token(
        &self,
        credential: &Credential,
        token: Option<&str>,
        now: SystemTime,
    ) -> TokenStatus {
        (**self).check_session_token(credential, token, now)
    }
}

/// A [`CredentialStore`] held in a hash map.
#[derive(Debug, Clone, Default)]
pub struct InMemoryCredentialStore {
    keys: HashMap<String, Arc<Credential>>,
}

impl InMemoryCredentialStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) an access key.
    pub fn insert(&mut self, access_key_id: impl Into<String>, credential: Credential) {
        self.keys.insert(access_key_id.into(), Arc::new(credential));
    }

    /// Adds a long-term key for a principal named by ARN; the account id and user name are read
    /// from the ARN (`arn:aws:iam::<account>:user/<name>`), and the user id is the access key id.
    pub fn insert_user(
        &mut self,
        access_key_id: &str,
        secret_access_key: &str,
        principal_arn: &str,
        policies: Vec<Arc<IdentityPolicy>>,
    ) {
        let account_id = principal_arn.split(':').nth(4).unwrap_or_default();
        let user_name = principal_arn.rsplit('/').next().unwrap_or_default();
        self.insert(
            access_key_id,
            Credential {
                secret_access_key: secret_access_key.to_owned(),
                session_token: None,
                expires_at: None,
                identity: Arc::new(CallerIdentity {
                    access_key: access_key_id.to_owned(),
                    account_id: account_id.to_owned(),
                    principal_arn: principal_arn.to_owned(),
                    user_name: user_name.to_owned(),
                    user_id: access_key_id.to_owned(),
                    policies,
                }),
            },
        );
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl CredentialStore for InMemoryCredentialStore {
    fn credential(&self, access_key_id: &str) -> Option<Arc<Credential>> {
        self.keys.get(access_key_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn cred(token: Option<&str>, expires_at: Option<SystemTime>) -> Credential {
        Credential {
            secret_access_key: "s".into(),
            session_token: token.map(str::to_owned),
            expires_at,
            identity: Arc::default(),
        }
    }

    #[test]
    fn long_term_key_rejects_any_session_token() {
        let store = InMemoryCredentialStore::new();
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            store.check_session_token(&cred(None, None), None, now),
            TokenStatus::Valid
        );
        assert_eq!(
            store.check_session_token(&cred(None, None), Some("t"), now),
            TokenStatus::Invalid
        );
    }

    #[test]
    fn temporary_key_needs_its_own_unexpired_token() {
        let store = InMemoryCredentialStore::new();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        let c = cred(Some("tok"), Some(now + Duration::from_secs(1)));
        assert_eq!(
            store.check_session_token(&c, Some("tok"), now),
            TokenStatus::Valid
        );
        assert_eq!(
            store.check_session_token(&c, Some("tok2"), now),
            TokenStatus::Invalid
        );
        assert_eq!(
            store.check_session_token(&c, None, now),
            TokenStatus::Invalid
        );
        let later = now + Duration::from_secs(1);
        assert_eq!(
            store.check_session_token(&c, Some("tok"), later),
            TokenStatus::Expired
        );
    }

    #[test]
    fn insert_user_reads_account_and_name_from_the_arn() {
        let mut store = InMemoryCredentialStore::new();
        store.insert_user(
            "AKID",
            "secret",
            "arn:aws:iam::123456789012:user/alice",
            vec![],
        );
        let c = store.credential("AKID").unwrap();
        assert_eq!(c.identity.account_id, "123456789012");
        assert_eq!(c.identity.user_name, "alice");
        assert_eq!(c.identity.access_key, "AKID");
        assert!(store.credential("OTHER").is_none());
    }
}
