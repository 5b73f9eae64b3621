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
//!   [`Verifier::allow_unsigned_payload`] is on; failures are [`AuthError`]s whose text is API
//!   Gateway's 403 message;
//! - [`Signer`]: the same canonicalisation, to sign requests;
//! - [`CredentialStore`]: the host's access keys ([`InMemoryCredentialStore`] for tests).
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use gateway_policy::sigv4::{InMemoryCredentialStore, Payload, RawRequest, Signer, Verifier};
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
//! assert_eq!(err.status(), 403);
//! assert!(err.to_string().starts_with("Signature expired: 20150830T123600Z is now earlier than"));
//! ```

mod canonical;
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
pub use credentials::{
    CallerIdentity, Credential, CredentialStore, IdentityPolicy, InMemoryCredentialStore,
    TokenStatus,
};
pub use date::{format_time, parse_time};
pub use error::{AUTH_FAILURE_STATUS, AuthError, RawRequestError, SignError};
pub use key_cache::DEFAULT_SIGNING_KEY_CACHE_CAPACITY;
pub use params::{MAX_PRESIGNED_EXPIRES_SECS, MAX_SIGNED_HEADERS};
pub use raw::{MAX_RAW_HEADER_LINES, RawRequest};
pub use request::{Payload, RequestRef};
pub use signer::{SignedRequest, Signer};
pub use verifier::{DEFAULT_CLOCK_SKEW, EXECUTE_API_SERVICE, Verifier};
