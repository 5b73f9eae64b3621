//! gateway-policy: the IAM policy language as API Gateway uses it, execute-api ARNs and SigV4.
//!
//! A policy document is parsed and compiled once ([`Policy::parse`], or
//! [`Policy::parse_identity`] / [`Policy::parse_resource`] / [`Policy::parse_for_api`] with the
//! `Principal` rules of each kind, or [`Policy::parse_authorizer`] for what a Lambda authorizer
//! returns): its grammar is checked with errors naming the statement and element (a key given
//! twice in one JSON object is one of them; [`Policy::check`] lists every error, and
//! [`PolicyError::iam_message`] gives AWS's own wording where known), and its
//! patterns, CIDRs, dates and numbers are prepared. Each request is then described by a [`Request`] (action, resource ARN, principal
//! and condition keys) and evaluated cheaply:
//!
//! - [`Policy::evaluate`] / [`evaluate`]: one or several policies, explicit deny beating allow
//!   beating implicit deny, with the statements that decided;
//! - [`authorize`]: identity policies combined with a resource policy, same-account or
//!   cross-account;
//! - [`api_outcome`] and [`denies_before_authorizer`]: API Gateway's outcome tables for a
//!   resource policy with no authorization, IAM, a Lambda authorizer or Cognito;
//! - [`ExecuteApiArn`] and [`ApiScope`]: `execute-api` ARNs and the `execute-api:/...`
//!   shorthand ([`Policy::parse_for_api`]).
//!
//! ```
//! use gateway_policy::{Effect, GatewayKeys, Policy, Request, ApiScope, ExecuteApiArn};
//!
//! let scope = ApiScope::new("us-east-1", "123456789012", "abc123");
//! let policy = Policy::parse_for_api(r#"{
//!   "Version": "2012-10-17",
//!   "Statement": [
//!     {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!      "Resource": "execute-api:/*",
//!      "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}},
//!     {"Sid": "NoAdmin", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
//!      "Resource": "execute-api:/*/*/admin/*"}
//!   ]
//! }"#, &scope)?;
//!
//! let call = |path: &str, ip: &str| {
//!     let arn = ExecuteApiArn::new(&scope, "prod", "GET", path);
//!     Request::new("execute-api:Invoke", arn.to_string()).with_gateway_keys(&GatewayKeys {
//!         source_ip: Some(ip.parse().unwrap()),
//!         ..GatewayKeys::default()
//!     })
//! };
//! assert_eq!(policy.evaluate(&call("/pets", "192.0.2.9")).effect, Effect::Allow);
//! assert_eq!(policy.evaluate(&call("/pets", "198.51.100.1")).effect, Effect::ImplicitDeny);
//! let denied = policy.evaluate(&call("/admin/users", "192.0.2.9"));
//! assert_eq!(denied.effect, Effect::ExplicitDeny);
//! assert_eq!((denied.statements[0].index, denied.statements[0].sid), (1, Some("NoAdmin")));
//! # Ok::<(), gateway_policy::PolicyError>(())
//! ```
//!
//! The modules follow the data: `parse` (text to `ast`, grammar checked) -> `policy` (compiled
//! [`Policy`]) -> `decision` (a [`Decision`] for a [`Request`]) -> `denial` (what a refused
//! caller is told); `apigateway` combines effects by API Gateway's tables.
//!
//! # Outcomes, not responses
//!
//! No HTTP response is decided here. A refusal is a typed outcome carrying what happened and the
//! message API Gateway gives (`$context.error.message`); the gateway maps its kind to a
//! gateway response (status, headers, body):
//!
//! - a policy denial: [`Effect::ExplicitDeny`] or [`Effect::ImplicitDeny`], named with its
//!   message by [`Denial`] (gateway response `ACCESS_DENIED`);
//! - a Lambda authorizer's policy API Gateway refuses to read: [`AuthorizerConfigError`]
//!   (`AUTHORIZER_CONFIGURATION_ERROR`, whose message is null);
//! - a SigV4 failure: [`sigv4::AuthError`], whose [`sigv4::AuthErrorKind`] picks
//!   `MISSING_AUTHENTICATION_TOKEN`, `INVALID_SIGNATURE`, `EXPIRED_TOKEN` or `DEFAULT_4XX`.
//!
//! # SigV4 in two steps
//!
//! A gateway whose access keys live elsewhere (a file, a remote service) verifies a signed
//! request in two steps around its own lookup, and the verifier itself does no I/O: read the
//! request's [`sigv4::Claim`] with every check that needs no secret
//! ([`sigv4::Verifier::claim`]), look the claimed access key up (the one step that may
//! `.await`), then verify the claim against the key's secret
//! ([`sigv4::Verifier::verify_claim`]). A request refused in the first step never costs a
//! lookup. (The [`sigv4`] module shows the same with an `async` lookup.)
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, SystemTime};
//! use gateway_policy::sigv4::{
//!     AuthError, AuthErrorKind, CallerIdentity, Credential, Payload, RequestRef, Signer, Verifier,
//! };
//!
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
//! let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
//! let mut headers = http::HeaderMap::new();
//! headers.insert("host", "abc123.execute-api.us-east-1.amazonaws.com".parse().unwrap());
//! let signer = Signer::new("AKIDEXAMPLE", secret, "us-east-1", "execute-api");
//! let signed = signer.sign(RequestRef::new("GET", "/pets", "", &headers), Payload::Bytes(b""), now).unwrap();
//! for (name, value) in &signed.headers {
//!     headers.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.clone());
//! }
//! let request = RequestRef::new("GET", "/pets", "", &headers);
//! let verifier = Verifier::without_store().region("us-east-1");
//!
//! // 1. Read the claim: no secret, no I/O.
//! let claim = verifier.claim(request, now)?;
//! assert_eq!(claim.access_key_id(), "AKIDEXAMPLE");
//!
//! // 2. Look the key up: a host's lookup may be async (`lookup(...).await`).
//! let lookup = |access_key_id: &str| {
//!     (access_key_id == "AKIDEXAMPLE").then(|| Credential {
//!         secret_access_key: secret.to_owned(),
//!         session_token: None,
//!         expires_at: None,
//!         identity: Arc::new(CallerIdentity {
//!             principal_arn: "arn:aws:iam::123456789012:user/alice".to_owned(),
//!             ..CallerIdentity::default()
//!         }),
//!     })
//! };
//! let credential = lookup(claim.access_key_id()).ok_or(AuthError::InvalidSecurityToken)?;
//!
//! // 3. Verify the claim against the key's secret: the caller is named.
//! let caller = verifier.verify_claim(&claim, Payload::Bytes(b""), &credential, now)?;
//! assert_eq!(caller.principal_arn, "arn:aws:iam::123456789012:user/alice");
//!
//! // A failure is an outcome: its kind for the gateway, its text for the caller. Six minutes
//! // later the claim itself is refused, before any lookup.
//! let late = now + Duration::from_secs(360);
//! let expired = verifier.claim(request, late).unwrap_err();
//! assert_eq!(expired.kind(), AuthErrorKind::InvalidSignature);
//! assert!(expired.to_string().starts_with("Signature expired: 20150830T123600Z is now earlier than"));
//! # Ok::<(), AuthError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod apigateway;
mod arn;
mod ast;
mod condition;
mod decision;
mod denial;
mod error;
mod execute_api;
mod parse;
mod pattern;
mod policy;
mod principal;
mod request;
pub mod sigv4;
mod strict;

pub use apigateway::{ApiAuth, api_outcome, denies_before_authorizer};
pub use arn::Arn;
pub use decision::{DecidingStatement, Decision, Effect, authorize, evaluate};
pub use denial::{Denial, DeniedBy};
pub use error::{AuthorizerConfigError, PolicyError, StatementLocation};
pub use execute_api::{ApiScope, ArnError, ExecuteApiArn};
pub use policy::Policy;
pub use request::{ConditionKeys, GatewayKeys, Principal, Request};

/// Largest policy document accepted, in bytes.
///
/// AWS stops far below this (API Gateway resource policies at 8,192 bytes, IAM managed
/// policies at 6,144 characters); the margin admits generated Lambda-authorizer policies while
/// bounding parse time and memory for untrusted input.
pub const MAX_POLICY_BYTES: usize = 128 * 1024;

/// Longest single `Action`, `Resource`, principal or condition value, in characters.
///
/// IAM caps ARNs at 2,048 characters, so no real value needs more; the cap also bounds
/// wildcard matching, whose worst case is pattern length times text length.
pub const MAX_VALUE_CHARS: usize = 2048;
