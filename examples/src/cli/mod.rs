//! One module per `gateway` subcommand; each exposes `run(args) -> ExitCode`.

pub mod match_cmd;
pub mod policy;
pub mod render;
pub mod routes;
pub mod sigv4;
pub mod validate;

use gateway_core::model::{GatewayResponseType, RestApi};
use gateway_core::routing::NoRoute;
use serde_json::{Map, Value, json};

/// API Gateway's response to an unmatched request (403 `Missing Authentication Token`) as JSON,
/// with the status code the API's `MISSING_AUTHENTICATION_TOKEN` gateway response sets, if any.
/// Shared by `gateway match` and `gateway validate --api`.
pub(crate) fn no_route_response(api: &RestApi, no_route: &NoRoute) -> Value {
    let status = api
        .gateway_responses
        .get(&GatewayResponseType::MissingAuthenticationToken)
        .and_then(|g| g.status_code.as_deref())
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(no_route.status().as_u16());
    let headers: Map<String, Value> = no_route
        .headers()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();
    json!({
        "statusCode": status,
        "gatewayResponseType": no_route.gateway_response_type(),
        "headers": headers,
        "body": {"message": no_route.message()},
    })
}
