//! gateway-core: Amazon API Gateway's REST API model, OpenAPI import and routing tree.
//!
//! (Skeleton: the model, import and routing modules are being written.)
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod import;
pub mod model;
pub mod routing;
