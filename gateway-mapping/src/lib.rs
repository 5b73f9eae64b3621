//! gateway-mapping (skeleton: being written).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// API Gateway's side of the templates (each module is its own concern).
pub mod context;
pub mod input;
pub mod jsonpath;
pub mod params;
pub mod selection;
pub mod util;
