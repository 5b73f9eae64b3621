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
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod apigateway;
mod ast;
mod condition;
mod decision;
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
pub use decision::{DecidingStatement, Decision, Effect, authorize, evaluate};
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
