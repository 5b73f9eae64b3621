//! Access control: the place of the stages that decide whether a routed request may go on,
//! in API Gateway's order (developer guide, apigateway-authorization-flow; research
//! pipeline-access.md 9): the resource policy's explicit-deny pass, the authorizer (IAM with
//! SigV4, a Lambda authorizer, Cognito), the resource policy's combination with it, then API
//! keys, usage plans, throttling and quotas.
//!
//! None of these is enforced yet (their issue fills this module): a method that requires
//! authorization or an API key is served as if the caller were allowed. The entry point's
//! shape is the one they need: the compiled API (resource policy, compiled authorizers), the
//! method, the request, and `$context` to fill (`identity.*`, `authorizer.*`).

use gateway_mapping::context::Context;
use gateway_mapping::input::OwnedRequest;

use super::gateway_response::Failure;
use crate::compile::CompiledApi;
use crate::model::Method;

/// Decides whether the request may go on to validation; `Ok` today for every request.
pub fn authorize(
    _api: &CompiledApi,
    _method: &Method,
    _request: &OwnedRequest,
    _context: &mut Context,
) -> Result<(), Failure> {
    Ok(())
}
