//! gateway-core: Amazon API Gateway's REST API model, OpenAPI import and routing tree.
//!
//! - [`model`]: the REST API as API Gateway holds it (resources, methods, integrations, models,
//!   validators, authorizers, gateway responses, API-wide settings).
//! - [`import`]: OpenAPI 3.0 / Swagger 2.0 (JSON or YAML) with the `x-amazon-apigateway-*`
//!   extensions into a [`model::RestApi`], with API Gateway's import validations and warnings.
//! - [`routing`]: the routing tree built from a model.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod import;
pub mod model;
pub mod routing;
