//! Routing: the resource and method for a request's verb and path (API Gateway's order:
//! literal, then `{param}`, then `{proxy+}`; `ANY` when the verb has no method). A miss is
//! `MISSING_AUTHENTICATION_TOKEN` (403 `Missing Authentication Token`), before any access
//! control (developer guide, supported-gateway-response-types).

use super::gateway_response::Failure;
use crate::compile::CompiledApi;
use crate::routing::ApiRoute;

/// What routing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    /// The resource and method.
    pub route: ApiRoute,
    /// The resource's path template (`$context.resourcePath`).
    pub resource_path: String,
    /// The path parameters, in path order, not percent-decoded (as API Gateway passes them).
    pub path_parameters: Vec<(String, String)>,
}

/// Routes `method` `path` (the path after the stage).
pub fn route(api: &CompiledApi, method: &str, path: &str) -> Result<Routed, Failure> {
    let found = api.router().at(method, path).map_err(Failure::from)?;
    Ok(Routed {
        route: *found.value(),
        resource_path: found.resource_path().to_owned(),
        path_parameters: found
            .params()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    })
}
