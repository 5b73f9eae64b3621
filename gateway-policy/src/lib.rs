//! gateway-policy: the IAM policy language and evaluator, execute-api ARNs and SigV4.
//!
//! (The policy language is being written; [`Policy::parse`] is the stable entry point.)
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod policy;
pub mod sigv4;

pub use error::PolicyError;
pub use policy::Policy;
