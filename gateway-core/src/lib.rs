//! gateway-core: Amazon API Gateway's REST API model, OpenAPI import, routing tree and request
//! pipeline.
//!
//! - [`model`]: the REST API as API Gateway holds it (resources, methods, integrations, models,
//!   validators, authorizers, gateway responses, API-wide settings).
//! - [`import`]: OpenAPI 3.0 / Swagger 2.0 (JSON or YAML) with the `x-amazon-apigateway-*`
//!   extensions into a [`model::RestApi`], with API Gateway's import validations and warnings.
//! - [`routing`]: the routing tree built from a model.
//! - [`compile`]: the one load step: import plus everything compiled once ([`compile::CompiledApi`]).
//! - [`pipeline`]: what happens to one request: [`pipeline::Gateway`] runs the chain (limits,
//!   `$context`, routing, access control, validation, mapping, the integration through the
//!   host's backends, integration responses) and answers every failure with the API's gateway
//!   responses ([`pipeline::Failure`]).
//! - [`config`]: the local gateway's configuration file (keys, plans, stage settings, IAM
//!   users, Cognito pools, counters): what lives outside the API definition on AWS.
//! - [`text`]: text from an API file made safe to print.
//! - `tower` (feature `tower`): the gateway as a `tower::Service`, to mount in axum or any
//!   tower-based server.
//!
//! Load once, route per request: import the definition when the API is loaded, build its
//! router, then look each request up (a miss is API Gateway's 403 `Missing Authentication
//! Token`).
//!
//! ```
//! use gateway_core::import::{import, ImportOptions};
//! use gateway_core::pipeline::Failure;
//! use gateway_core::routing::Router;
//!
//! let doc = br#"
//! openapi: 3.0.1
//! info: {title: pets, version: "1"}
//! paths:
//!   /pets/{petId}:
//!     get:
//!       x-amazon-apigateway-integration: {type: mock}
//!   /{proxy+}:
//!     x-amazon-apigateway-any-method:
//!       x-amazon-apigateway-integration: {type: http_proxy, httpMethod: ANY, uri: "https://example.com/{proxy}"}
//! "#;
//! let imported = import(doc, &ImportOptions::default())?;
//! let router = Router::from_api(&imported.api)?;
//!
//! // A literal or {param} route beats the greedy one for the method it has...
//! let found = router.at("GET", "/pets/42")?;
//! assert_eq!(found.resource_path(), "/pets/{petId}");
//! assert_eq!(found.param("petId"), Some("42"));
//! // ...and a method it lacks falls back to the greedy sibling's ANY.
//! assert_eq!(router.at("DELETE", "/pets/42")?.resource_path(), "/{proxy+}");
//!
//! // No route at all is the 403 API Gateway gives.
//! let empty = Router::from_api(&import(br#"{"swagger": "2.0", "info": {"title": "t"}, "paths": {}}"#, &ImportOptions::default())?.api)?;
//! let miss = Failure::from(empty.at("GET", "/nowhere").unwrap_err()).default_response();
//! assert_eq!(miss.status.as_u16(), 403);
//! assert_eq!(miss.body, r#"{"message":"Missing Authentication Token"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod compile;
pub mod config;
pub mod import;
pub mod model;
pub mod pipeline;
pub mod routing;
pub mod text;
#[cfg(feature = "tower")]
pub mod tower;
