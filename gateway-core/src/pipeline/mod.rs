//! The request pipeline: what happens to one request, stage by stage, in the order a request
//! meets them, each stage taking the previous one's output.
//!
//! So far it holds the stage every other stage ends in when it fails: the gateway response
//! module turns a [`Failure`] into the status code, headers and body API Gateway sends
//! ([`CompiledApi::gateway_response_for`](crate::compile::CompiledApi::gateway_response_for)),
//! applying the API's gateway-response customisation. Stages (routing, access control,
//! validation, mapping, integration) report what happened as a [`Failure`]; none of them speaks
//! HTTP for a failure.
//!
//! It sits here, not under `compile/`, because rendering is per request: `compile/` keeps only
//! the customisations' load step ([`crate::compile::CompiledGatewayResponse`]).

mod gateway_response;
pub mod integrations;

pub use gateway_response::{
    ERROR_TYPE_HEADER, Failure, GatewayResponseError, RenderedGatewayResponse, error_type,
};
