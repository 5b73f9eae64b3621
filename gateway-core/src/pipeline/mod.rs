//! The request pipeline: what happens to one request, stage by stage, in the order a request
//! meets them, each stage taking the previous one's output.
//!
//! [`Gateway`] holds one [`CompiledApi`](crate::compile::CompiledApi) served on one [`Stage`]
//! and runs the chain (its module documentation lists the stages in API Gateway's order).
//! Each stage is its own module with one entry point:
//!
//! - [`request`]: the front-end limits and the one decoding of the query string;
//! - [`context`]: `$context`, built once on arrival and filled as the request goes on;
//! - [`route`], [`access`] (the access-control place) and [`validation`], over the engines;
//! - [`integration_request`]: parameter mappings and the request template;
//! - [`integrations`]: MOCK, HTTP, HTTP_PROXY, Lambda proxy, over the host's [`backends`];
//! - [`integration_response`]: selection, response parameters, response template, overrides;
//! - the payload stages: [`compression`] (request bodies decoded before validation, responses
//!   compressed last) and [`binary`] (`binaryMediaTypes` and `contentHandling`, applied where
//!   the integrations take and give bodies);
//! - [`cors`]: the gateway's own CORS for `x-amazon-apigateway-cors` (REST APIs answer
//!   preflights through their configured `OPTIONS` methods);
//! - [`access_log`]: the stage's access-log line, after the response, to the host's sink;
//! - the gateway response for every failure: a stage reports a [`Failure`] (none speaks HTTP
//!   for a failure) and [`CompiledApi::gateway_response_in`](crate::compile::CompiledApi::gateway_response_in)
//!   applies the API's customisation, then `DEFAULT_4XX`/`DEFAULT_5XX`, then AWS's default;
//!   [`failures`] has the integration stages' failures with AWS's messages.
//!
//! The library takes no async runtime: HTTP and Lambda calls go through [`HttpBackend`] and
//! [`LambdaBackend`], which the host implements (the `gateway` tool does, on hyper).
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use gateway_core::compile::{CompileOptions, CompiledApi};
//! use gateway_core::pipeline::{Backends, Client, Gateway, Stage};
//!
//! let api = CompiledApi::load(br#"
//! openapi: 3.0.1
//! info: {title: hello, version: "1"}
//! paths:
//!   /hello/{name}:
//!     get:
//!       x-amazon-apigateway-integration:
//!         type: mock
//!         requestTemplates: {application/json: '{"statusCode": 200}'}
//!         responses:
//!           default:
//!             statusCode: "200"
//!             responseTemplates:
//!               application/json: '{"hello":"$input.params(''name'')","stage":"$context.stage"}'
//! "#, &CompileOptions::default())?;
//! // MOCK needs no backend; HTTP and Lambda integrations use the host's (Backends).
//! let gateway = Gateway::new(Arc::new(api), Stage::new("prod"), Backends::default())?;
//! let request = http::Request::get("/hello/world").body(Bytes::new())?;
//! # let mut future = std::pin::pin!(gateway.handle(request, Client::default()));
//! # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! # let response = loop {
//! #     if let std::task::Poll::Ready(r) = future.as_mut().poll(&mut cx) { break r; }
//! # };
//! // In an async host: `let response = gateway.handle(request, Client::default()).await;`
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.body(), r#"{"hello":"world","stage":"prod"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod access;
pub mod access_log;
pub mod backends;
pub mod binary;
pub mod compression;
pub mod context;
pub mod cors;
pub mod failures;
mod gateway;
mod gateway_response;
pub mod header_spelling;
mod integration;
pub mod integration_request;
pub mod integration_response;
pub mod integrations;
pub mod request;
pub mod route;
mod slot;
pub mod stage;
pub mod validation;

pub use backends::{
    BackendError, BackendRequest, BackendResponse, BoxFuture, HttpBackend, InvocationType,
    LambdaBackend, LambdaInvocation, LambdaOutput,
};
pub use gateway::{Backends, Client, Gateway, Outcome, resource_id};
pub use gateway_response::{
    ERROR_TYPE_HEADER, Failure, GatewayResponseError, RenderedGatewayResponse, error_type,
};
pub use request::HeaderSpellings;
pub use slot::GatewaySlot;
pub use stage::{Stage, StageError};
