//! The server side: check a request's SigV4 signature and name its caller.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hmac::Mac;
use subtle::ConstantTimeEq;

use super::canonical::{
    CanonicalInput, MAX_CANONICAL_REQUEST_BYTES, QueryExclusions, TERMINATOR, UNSIGNED_PAYLOAD,
    feed_string_to_sign, hash_hex, hex64, write_canonical_request, write_string_to_sign,
};
use super::claim::Claim;
use super::credentials::{CallerIdentity, Credential, CredentialStore, TokenStatus};
use super::date::{display_amz_date, parse_amz_date, unix_seconds};
use super::error::AuthError;
use super::key_cache::{
    DEFAULT_SIGNING_KEY_CACHE_CAPACITY, HmacSha256, SigningKey, SigningKeyCache,
};
use super::params::{self, Form, MAX_SIGNED_HEADERS, SignatureParams};
use super::request::{Payload, RequestRef};

/// How far a request's timestamp may be from the gateway's clock: 5 minutes, as AWS allows
/// ("a request must reach AWS within five minutes of the time stamp in the request").
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The service name API Gateway requires in the credential scope.
pub const EXECUTE_API_SERVICE: &str = "execute-api";

/// Verifies SigV4-signed requests against a [`CredentialStore`], in one call
/// ([`Verifier::verify`]) or in two steps around a key lookup the host makes itself
/// ([`Verifier::claim`], then [`Verifier::verify_claim`]; see the [module documentation](super)).
///
/// Build once per API (it holds the signing-key cache) and share it across threads.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use gateway_policy::sigv4::{InMemoryCredentialStore, Verifier};
///
/// let mut store = InMemoryCredentialStore::new();
/// store.insert_user("AKIDEXAMPLE", "secret", "arn:aws:iam::123456789012:user/alice", vec![]);
/// let verifier = Verifier::new(store)
///     .region("us-east-1")
///     .clock_skew(Duration::from_secs(300));
/// # let _ = verifier;
/// ```
pub struct Verifier {
    store: Arc<dyn CredentialStore>,
    region: Option<String>,
    service: Option<String>,
    clock_skew: Duration,
    normalize_path: bool,
    allow_unsigned_payload: bool,
    cache: SigningKeyCache,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("region", &self.region)
            .field("service", &self.service)
            .field("clock_skew", &self.clock_skew)
            .field("normalize_path", &self.normalize_path)
            .field("allow_unsigned_payload", &self.allow_unsigned_payload)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier with API Gateway's defaults: service `execute-api`, any region, 5 minutes of
    /// clock skew, path normalisation on, the body always hashed (`UNSIGNED-PAYLOAD` not
    /// honoured, see [`Verifier::allow_unsigned_payload`]), a signing-key cache of
    /// [`DEFAULT_SIGNING_KEY_CACHE_CAPACITY`] keys.
    pub fn new(store: impl CredentialStore + 'static) -> Self {
        Verifier {
            store: Arc::new(store),
            region: None,
            service: Some(EXECUTE_API_SERVICE.to_owned()),
            clock_skew: DEFAULT_CLOCK_SKEW,
            normalize_path: true,
            allow_unsigned_payload: false,
            cache: SigningKeyCache::new(DEFAULT_SIGNING_KEY_CACHE_CAPACITY),
        }
    }

    /// A verifier whose store knows no keys, for hosts that look keys up themselves between
    /// [`Verifier::claim`] and [`Verifier::verify_claim`] (its [`Verifier::verify`] answers every
    /// signed request with [`AuthError::InvalidSecurityToken`]). Same defaults as
    /// [`Verifier::new`].
    pub fn without_store() -> Self {
        Self::new(NoKeys)
    }

    /// Requires the credential scope's region to be `region` (the API's region).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Requires the credential scope's service to be `service` (default `execute-api`).
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Accepts any region and any service in the credential scope (the signature still covers
    /// them).
    pub fn any_scope(mut self) -> Self {
        self.region = None;
        self.service = None;
        self
    }

    /// How far the request's timestamp may be from `now`, either way.
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }

    /// Whether the path is normalised (dot segments and empty segments removed) before signing,
    /// as every AWS service but S3 does. On by default.
    pub fn normalize_path(mut self, on: bool) -> Self {
        self.normalize_path = on;
        self
    }

    /// Whether `x-amz-content-sha256: UNSIGNED-PAYLOAD` leaves the body out of the signature.
    ///
    /// Off by default, as in API Gateway: an `execute-api` request always has its body hashed, so a
    /// request signed with `UNSIGNED-PAYLOAD` fails with a signature mismatch (reported against
    /// API Gateway in aws/aws-sdk-java-v2#5581 and aws/aws-sdk-js-v3#308). Turn it on for hosts
    /// that stream bodies they cannot hash before authenticating, as S3-style services do.
    pub fn allow_unsigned_payload(mut self, on: bool) -> Self {
        self.allow_unsigned_payload = on;
        self
    }

    /// Bounds the signing-key cache (0 turns it off, so every request derives its key).
    pub fn key_cache_capacity(mut self, capacity: usize) -> Self {
        self.cache = SigningKeyCache::new(capacity);
        self
    }

    /// Verifies a request's signature at time `now` and returns the caller, or the
    /// [`AuthError`] API Gateway would refuse it for: [`Verifier::claim`], the access key looked up in the store,
    /// [`Verifier::check_signature`], then the store's session-token check.
    pub fn verify(
        &self,
        request: RequestRef<'_>,
        payload: Payload<'_>,
        now: SystemTime,
    ) -> Result<Arc<CallerIdentity>, AuthError> {
        let claim = self.claim(request, now)?;
        let credential = self
            .store
            .credential(claim.access_key_id())
            .ok_or(AuthError::InvalidSecurityToken)?;
        self.check_signature(&claim, payload, &credential.secret_access_key)?;
        token_outcome(
            self.store
                .check_session_token(&credential, claim.session_token(), now),
            &credential,
        )
    }

    /// Step one of verification, with no secret and no I/O: reads the request's [`Claim`] (the
    /// access key id, scope, timestamp, signed headers and signature) and runs every check that
    /// needs no secret, in the order AWS's SigV4 front end runs them: parameters present (and
    /// none repeated), date format, clock at `now`, `host` signed, algorithm, credential shape,
    /// credential scope, signed-header count. A request with several faults gets the message API
    /// Gateway would send.
    ///
    /// Then look up the key of [`Claim::access_key_id`] (unknown: answer
    /// [`AuthError::InvalidSecurityToken`]) and finish with [`Verifier::verify_claim`],
    /// [`Verifier::check_signature`] or [`Verifier::check_signature_with_key`].
    pub fn claim<'a>(
        &self,
        request: RequestRef<'a>,
        now: SystemTime,
    ) -> Result<Claim<'a>, AuthError> {
        let Some(sig) = params::read(request.headers, request.query)? else {
            return Err(AuthError::MissingAuthenticationToken);
        };
        let signed_at = parse_amz_date(&sig.amz_date).ok_or_else(|| {
            AuthError::incomplete(format!(
                "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601",
                sig.amz_date
            ))
        })?;
        self.check_time(&sig, signed_at, unix_seconds(now))?;
        let (signs_host, signed_count) = sig.signed_header_facts();
        if !signs_host {
            return Err(AuthError::invalid(HOST_MUST_BE_SIGNED));
        }
        sig.check_algorithm()?;
        let scope = sig.scope()?;
        self.check_scope(
            &sig,
            sig.part(&scope.terminator),
            sig.part(&scope.service),
            sig.part(&scope.region),
            sig.part(&scope.date),
        )?;
        if signed_count > MAX_SIGNED_HEADERS {
            return Err(AuthError::incomplete(format!(
                "SignedHeaders lists more than {MAX_SIGNED_HEADERS} headers."
            )));
        }
        // The header form read `X-Amz-Security-Token` already; a presigned request without the
        // token in its query may still send it as a header.
        let header_token = match (&sig.security_token, sig.form) {
            (None, Form::Query) => request
                .headers
                .get("x-amz-security-token")
                .map(|v| String::from_utf8_lossy(v.as_bytes())),
            _ => None,
        };
        Ok(Claim {
            request,
            sig,
            scope,
            header_token,
        })
    }

    /// Step two, for a key held as a [`Credential`]: [`Verifier::check_signature`] with its
    /// secret, then its session token ([`Credential::session_token_status`]). Returns the
    /// credential's caller.
    pub fn verify_claim(
        &self,
        claim: &Claim<'_>,
        payload: Payload<'_>,
        credential: &Credential,
        now: SystemTime,
    ) -> Result<Arc<CallerIdentity>, AuthError> {
        self.check_signature(claim, payload, &credential.secret_access_key)?;
        token_outcome(
            credential.session_token_status(claim.session_token(), now),
            credential,
        )
    }

    /// Checks the claim's signature against the secret access key of its access key id: `Ok` when
    /// the signature is the one computed from the request and `payload`, else
    /// [`AuthError::SignatureMismatch`] (or [`AuthError::IncompleteSignature`] when the signed
    /// headers' canonical form exceeds [`MAX_CANONICAL_REQUEST_BYTES`]). The signing key comes
    /// from the verifier's cache. The session token is not checked: see
    /// [`Verifier::verify_claim`].
    pub fn check_signature(
        &self,
        claim: &Claim<'_>,
        payload: Payload<'_>,
        secret_access_key: &str,
    ) -> Result<(), AuthError> {
        self.check_signature_using(claim, payload, || {
            self.cache.get(
                secret_access_key,
                claim.date(),
                claim.region(),
                claim.service(),
            )
        })
    }

    /// [`Verifier::check_signature`] with a signing key already derived for the claim's scope
    /// ([`SigningKey::derive`] with [`Claim::date`], [`Claim::region`] and [`Claim::service`]), as
    /// a key service might hand out instead of the secret. A key for another scope fails with
    /// [`AuthError::SignatureMismatch`].
    pub fn check_signature_with_key(
        &self,
        claim: &Claim<'_>,
        payload: Payload<'_>,
        key: &SigningKey,
    ) -> Result<(), AuthError> {
        self.check_signature_using(claim, payload, || key.mac())
    }

    fn check_signature_using(
        &self,
        claim: &Claim<'_>,
        payload: Payload<'_>,
        key: impl Fn() -> HmacSha256,
    ) -> Result<(), AuthError> {
        let request = &claim.request;
        let sig = &claim.sig;
        let unsigned = self.allow_unsigned_payload
            && request
                .headers
                .get("x-amz-content-sha256")
                .is_some_and(|v| v.as_bytes() == UNSIGNED_PAYLOAD.as_bytes());
        let payload_hash = if unsigned {
            Cow::Borrowed(UNSIGNED_PAYLOAD)
        } else {
            payload.sha256_hex()
        };
        let first = match sig.form {
            Form::Header => QueryExclusions::None,
            Form::Query => QueryExclusions::Signature,
        };
        let attempt = Attempt {
            request,
            sig,
            scope: claim.scope_text(),
            payload_hash: &payload_hash,
            normalize_path: self.normalize_path,
        };
        let mut canonical = Vec::with_capacity(512);
        let mut string_to_sign = Vec::new();
        let mut matched = attempt.matches(first, key(), &mut canonical, &mut string_to_sign)?;
        // A presigned URL may carry the session token appended after signing, outside the
        // signature ("for other services, you add the X-Amz-Security-Token parameter at the end,
        // after you calculate the signature"): try once more without it.
        if !matched && sig.form == Form::Query && sig.security_token.is_some() {
            let (mut c2, mut s2) = (Vec::with_capacity(512), Vec::new());
            matched =
                attempt.matches(QueryExclusions::SignatureAndToken, key(), &mut c2, &mut s2)?;
        }
        if matched {
            Ok(())
        } else {
            Err(AuthError::SignatureMismatch {
                canonical_request: String::from_utf8_lossy(&canonical).into_owned(),
                string_to_sign: String::from_utf8_lossy(&string_to_sign).into_owned(),
            })
        }
    }

    /// Every wrong part of the scope is named, in AWS's order (region, service, terminator,
    /// date), in one message.
    fn check_scope(
        &self,
        sig: &SignatureParams<'_>,
        terminator: &str,
        service: &str,
        region: &str,
        date: &str,
    ) -> Result<(), AuthError> {
        let mut message = String::new();
        if let Some(expected) = &self.region
            && region != expected
        {
            message.push_str(&format!(
                "Credential should be scoped to a valid region, not '{region}'. "
            ));
        }
        if let Some(expected) = &self.service
            && service != expected
        {
            message.push_str(&format!(
                "Credential should be scoped to correct service: '{expected}'. "
            ));
        }
        if terminator != TERMINATOR {
            message.push_str(&format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
            ));
        }
        let ymd = sig.amz_date.get(..8).unwrap_or_default();
        if date != ymd {
            message.push_str(&format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{ymd}', from '{}'.",
                sig.amz_date
            ));
        }
        if message.is_empty() {
            Ok(())
        } else {
            Err(AuthError::scope(message))
        }
    }

    fn check_time(
        &self,
        sig: &SignatureParams<'_>,
        signed_at: i64,
        now: i64,
    ) -> Result<(), AuthError> {
        let skew = i64::try_from(self.clock_skew.as_secs()).unwrap_or(i64::MAX);
        if signed_at > now.saturating_add(skew) {
            return Err(AuthError::SignatureNotYetCurrent {
                signed_at: display_amz_date(signed_at),
                latest: display_amz_date(now.saturating_add(skew)),
                now: display_amz_date(now),
                window: window(skew),
            });
        }
        let allowed = match sig.expires {
            // A presigned URL lives for its X-Amz-Expires.
            Some(expires) => i64::try_from(expires).unwrap_or(i64::MAX),
            None => skew,
        };
        if signed_at < now.saturating_sub(allowed) {
            return Err(AuthError::SignatureExpired {
                signed_at: display_amz_date(signed_at),
                earliest: display_amz_date(now.saturating_sub(allowed)),
                now: display_amz_date(now),
                window: window(allowed),
            });
        }
        Ok(())
    }
}

/// The message for a `SignedHeaders` list without `host`.
pub(crate) const HOST_MUST_BE_SIGNED: &str =
    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

/// The caller, or the failure for a session token the store did not accept.
fn token_outcome(
    status: TokenStatus,
    credential: &Credential,
) -> Result<Arc<CallerIdentity>, AuthError> {
    match status {
        TokenStatus::Valid => Ok(Arc::clone(&credential.identity)),
        TokenStatus::Invalid => Err(AuthError::InvalidSecurityToken),
        TokenStatus::Expired => Err(AuthError::ExpiredSecurityToken),
    }
}

/// A store that knows no keys, for verifiers used in two steps (see [`Verifier::without_store`]).
struct NoKeys;

impl CredentialStore for NoKeys {
    fn credential(&self, _access_key_id: &str) -> Option<Arc<Credential>> {
        None
    }
}

/// `5 min` for whole minutes, else `N sec`.
fn window(secs: i64) -> String {
    if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} sec")
    }
}

/// Whether two signatures are equal, in time that depends only on their lengths (which are
/// public: a SigV4 signature is always 64 hex digits). The bytes are folded with XOR/OR and the
/// result goes through one `subtle` comparison, instead of `subtle`'s per-byte barrier, which cost
/// a noticeable share of a warm verification.
fn constant_time_eq(expected: &[u8], given: &[u8]) -> bool {
    if expected.len() != given.len() {
        return false;
    }
    let diff = expected
        .iter()
        .zip(given)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    bool::from(std::hint::black_box(diff).ct_eq(&0))
}

/// One computation of the expected signature.
struct Attempt<'r, 'a> {
    request: &'r RequestRef<'a>,
    sig: &'r SignatureParams<'a>,
    scope: &'r str,
    payload_hash: &'r str,
    normalize_path: bool,
}

impl Attempt<'_, '_> {
    fn matches(
        &self,
        exclusions: QueryExclusions,
        mut key: HmacSha256,
        canonical: &mut Vec<u8>,
        string_to_sign: &mut Vec<u8>,
    ) -> Result<bool, AuthError> {
        let complete = write_canonical_request(
            &CanonicalInput {
                method: self.request.method,
                path: self.request.path,
                query: self.request.query,
                headers: self.request.headers,
                signed_headers: &self.sig.signed_headers,
                payload_hash: self.payload_hash,
                normalize_path: self.normalize_path,
                exclusions,
                max_len: MAX_CANONICAL_REQUEST_BYTES,
            },
            canonical,
        );
        if !complete {
            return Err(AuthError::incomplete(format!(
                "SignedHeaders names headers whose canonical form exceeds {MAX_CANONICAL_REQUEST_BYTES} bytes."
            )));
        }
        let hash = hash_hex(canonical);
        feed_string_to_sign(&mut key, &self.sig.amz_date, self.scope, &hash);
        let expected = hex64(&key.finalize().into_bytes().into());
        let matched = constant_time_eq(&expected, self.sig.signature.as_bytes());
        if !matched {
            // Only a failure shows the string to sign, so only a failure writes it out.
            write_string_to_sign(&self.sig.amz_date, self.scope, canonical, string_to_sign);
        }
        Ok(matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_every_byte_and_the_length() {
        let a = [b'a'; 64];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        for i in [0, 31, 63] {
            b[i] = b'b';
            assert!(!constant_time_eq(&a, &b));
            b[i] = b'a';
        }
        assert!(!constant_time_eq(&a, &a[..63]));
        assert!(!constant_time_eq(&a, b""));
    }

    #[test]
    fn window_is_spelled_in_minutes_when_whole() {
        assert_eq!(window(300), "5 min");
        assert_eq!(window(90), "90 sec");
    }
}
