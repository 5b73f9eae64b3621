//! AWS Signature Version 4: verify signed requests the way API Gateway does for methods with
//! authorization type `AWS_IAM`, name the caller, and sign requests too.
//!
//! The pipeline, one module each:
//!
//! - [`params`](self): read the signature from the `Authorization` header or the presigned query
//!   (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
//!   `X-Amz-SignedHeaders`, `X-Amz-Signature`, `X-Amz-Security-Token`);
//! - `canonical`: the canonical request and string to sign, exactly as AWS builds them;
//! - `key_cache`: signing keys derived once per (secret, date, region, service);
//! - [`Verifier`]: date, clock, signed-`host`, algorithm, credential and scope checks, the access
//!   key, a constant-time signature comparison, then the session token, in the order AWS's SigV4
//!   front end runs them; the body is always hashed (as API Gateway does) unless
//!   [`Verifier::allow_unsigned_payload`] is on; failures are [`AuthError`]s, whose text is API
//!   Gateway's `$context.error.message` and whose [`AuthErrorKind`] the gateway maps to a gateway
//!   response (no status code is chosen here);
//! - [`Claim`]: what a request claims (access key id, scope, timestamp, signed headers,
//!   signature), read by [`Verifier::claim`] with every check that needs no secret, so the key
//!   lookup can happen outside the verifier (see "Two steps" below);
//! - [`Signer`]: the same canonicalisation, to sign requests; it refuses ([`SignError`]) whatever
//!   the verifier would refuse, under the same limits ([`MAX_SIGNED_HEADERS`],
//!   [`MAX_CANONICAL_REQUEST_BYTES`]);
//! - [`CredentialStore`]: the host's access keys ([`InMemoryCredentialStore`] for tests).
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use gateway_policy::sigv4::{
//!     AuthErrorKind, InMemoryCredentialStore, Payload, RawRequest, Signer, Verifier,
//! };
//!
//! let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
//!
//! // A caller signs a request...
//! let raw = RawRequest::parse(b"GET /pets?limit=2 HTTP/1.1\nHost: abc123.execute-api.us-east-1.amazonaws.com\n").unwrap();
//! let signer = Signer::new("AKIDEXAMPLE", secret, "us-east-1", "execute-api");
//! let signed = signer.sign(raw.as_request(), raw.payload(), now).unwrap();
//! let mut headers = raw.headers().clone();
//! for (name, value) in &signed.headers {
//!     headers.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.clone());
//! }
//!
//! // ...and the gateway names the caller.
//! let mut store = InMemoryCredentialStore::new();
//! store.insert_user("AKIDEXAMPLE", secret, "arn:aws:iam::123456789012:user/alice", vec![]);
//! let verifier = Verifier::new(store).region("us-east-1");
//! let request = gateway_policy::sigv4::RequestRef::new("GET", "/pets", "limit=2", &headers);
//! let caller = verifier.verify(request, Payload::Bytes(b""), now).unwrap();
//! assert_eq!(caller.principal_arn, "arn:aws:iam::123456789012:user/alice");
//!
//! // Six minutes later the same request has expired.
//! let late = now + Duration::from_secs(360);
//! let err = verifier.verify(request, Payload::Bytes(b""), late).unwrap_err();
//! assert_eq!(err.kind(), AuthErrorKind::InvalidSignature);
//! assert!(err.to_string().starts_with("Signature expired: 20150830T123600Z is now earlier than"));
//! ```
//!
//! # Two steps: a key store that must be awaited
//!
//! [`Verifier::verify`] asks a synchronous [`CredentialStore`]. A host whose keys live in a file or
//! a remote service splits verification around its own lookup, and the verifier does no I/O:
//!
//! 1. [`Verifier::claim`] reads the request's [`Claim`] and runs every check that needs no secret
//!    (a request refused here never costs a lookup);
//! 2. the host looks up [`Claim::access_key_id`] however it likes, `.await` included (an unknown
//!    key is [`AuthError::InvalidSecurityToken`], as API Gateway answers);
//! 3. [`Verifier::verify_claim`] checks the signature against the key's secret and then its
//!    session token, and names the caller. ([`Verifier::check_signature`] checks the signature
//!    only, against a secret; [`Verifier::check_signature_with_key`] against a [`SigningKey`]
//!    already derived for the claim's scope.)
//!
//! ```
//! use std::future::Future;
//! use std::sync::Arc;
//! use std::task::{Context, Poll, Waker};
//! use std::time::{Duration, SystemTime};
//! use gateway_policy::sigv4::{
//!     AuthError, CallerIdentity, Credential, Payload, RequestRef, Signer, Verifier,
//! };
//!
//! /// A key store that must be awaited (a file, a remote service...).
//! async fn fetch_credential(access_key_id: &str) -> Option<Credential> {
//!     (access_key_id == "AKIDEXAMPLE").then(|| Credential {
//!         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
//!         session_token: None,
//!         expires_at: None,
//!         identity: Arc::new(CallerIdentity {
//!             principal_arn: "arn:aws:iam::123456789012:user/alice".to_owned(),
//!             ..CallerIdentity::default()
//!         }),
//!     })
//! }
//!
//! async fn authenticate(
//!     verifier: &Verifier,
//!     request: RequestRef<'_>,
//!     body: &[u8],
//!     now: SystemTime,
//! ) -> Result<Arc<CallerIdentity>, AuthError> {
//!     let claim = verifier.claim(request, now)?; // no secret, no I/O
//!     let credential = fetch_credential(claim.access_key_id())
//!         .await
//!         .ok_or(AuthError::InvalidSecurityToken)?;
//!     verifier.verify_claim(&claim, Payload::Bytes(body), &credential, now)
//! }
//!
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
//! let mut headers = http::HeaderMap::new();
//! headers.insert("host", "abc123.execute-api.us-east-1.amazonaws.com".parse().unwrap());
//! let signer = Signer::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "execute-api");
//! let signed = signer.sign(RequestRef::new("GET", "/pets", "", &headers), Payload::Bytes(b""), now).unwrap();
//! for (name, value) in &signed.headers {
//!     headers.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.clone());
//! }
//!
//! let verifier = Verifier::without_store().region("us-east-1");
//! let request = RequestRef::new("GET", "/pets", "", &headers);
//! // Any executor runs the future; this one polls it once, as nothing here really waits.
//! let mut future = std::pin::pin!(authenticate(&verifier, request, b"", now));
//! let Poll::Ready(caller) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) else {
//!     unreachable!("nothing awaited here is pending")
//! };
//! assert_eq!(caller.unwrap().principal_arn, "arn:aws:iam::123456789012:user/alice");
//!
//! // The claim is read without any key: who signed, for which scope.
//! let claim = verifier.claim(request, now).unwrap();
//! assert_eq!((claim.access_key_id(), claim.date(), claim.region()), ("AKIDEXAMPLE", "20150830", "us-east-1"));
//! ```

mod canonical;
mod claim;
mod credentials;
mod date;
mod error;
mod key_cache;
mod params;
mod raw;
mod request;
mod signer;
mod verifier;

pub use canonical::MAX_CANONICAL_REQUEST_BYTES;
pub use claim::Claim;
pub use credentials::{
    CallerIdentity, Credential, CredentialStore, IdentityPolicy, InMemoryCredentialStore,
    TokenStatus,
};
pub use date::{format_time, parse_time};
pub use error::{AuthError, AuthErrorKind, RawRequestError, SignError};
pub use key_cache::{DEFAULT_SIGNING_KEY_CACHE_CAPACITY, SigningKey};
pub use params::{MAX_PRESIGNED_EXPIRES_SECS, MAX_SIGNED_HEADERS};
pub use raw::{MAX_RAW_HEADER_LINES, RawRequest};
pub use request::{Payload, RequestRef};
pub use signer::{SignedRequest, Signer};
pub use verifier::{DEFAULT_CLOCK_SKEW, EXECUTE_API_SERVICE, Verifier};
