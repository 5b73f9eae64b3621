//! gateway-policy: the IAM policy language and evaluator, execute-api ARNs and SigV4.
//!
//! (Skeleton: the policy and sigv4 modules are being written.)
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod sigv4;
