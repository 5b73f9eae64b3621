//! The failures of the integration stages, with API Gateway's messages (research
//! pipeline-access.md 0, 3.1, 1.7 and 5). Each is a [`Failure`], so the API's gateway
//! responses apply to it.

use http::StatusCode;

use super::gateway_response::Failure;
use crate::model::GatewayResponseType;

/// The message of API Gateway's 500s and of a failed Lambda proxy integration.
pub const INTERNAL_SERVER_ERROR: &str = "Internal server error";
/// The message of an integration that did not answer in time.
pub const TIMED_OUT: &str = "Endpoint request timed out";
/// The message of an HTTP integration that could not be reached.
pub const NETWORK_ERROR: &str = "Network error communicating with endpoint";

/// A configuration error found while serving (a template that fails, an integration URI that
/// does not resolve, a backend the host did not provide): 500 `Internal server error`,
/// `API_CONFIGURATION_ERROR`; the detail goes to the log ("Execution failed due to
/// configuration error: ...").
pub fn configuration(detail: impl Into<String>) -> Failure {
    Failure::new(
        GatewayResponseType::ApiConfigurationError,
        INTERNAL_SERVER_ERROR,
    )
    .with_detail(format!(
        "Execution failed due to configuration error: {}",
        detail.into()
    ))
}

/// The integration timed out: 504 `Endpoint request timed out`, `INTEGRATION_TIMEOUT`.
pub fn timed_out() -> Failure {
    Failure::new(GatewayResponseType::IntegrationTimeout, TIMED_OUT)
        .with_detail("Execution failed due to a timeout error")
}

/// The HTTP backend could not be reached: 504 `Network error communicating with endpoint`,
/// `INTEGRATION_FAILURE`.
pub fn network(detail: impl Into<String>) -> Failure {
    Failure::new(GatewayResponseType::IntegrationFailure, NETWORK_ERROR).with_detail(format!(
        "Execution failed due to configuration error: {}",
        detail.into()
    ))
}

/// A Lambda integration failed (the function's error under AWS_PROXY, a malformed proxy
/// answer, an unreachable Lambda service): 502 `Internal server error`, `INTEGRATION_FAILURE`
/// answered with 502 (research 1.7).
pub fn lambda(detail: impl Into<String>) -> Failure {
    Failure::new(
        GatewayResponseType::IntegrationFailure,
        INTERNAL_SERVER_ERROR,
    )
    .with_status(StatusCode::BAD_GATEWAY)
    .with_detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integration_failures_have_api_gateways_bytes() {
        // research 5: 5XX bodies with a space after the colon; 36 bytes for the 500.
        let c = configuration("x").default_response();
        assert_eq!(c.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(c.body, r#"{"message": "Internal server error"}"#);
        assert_eq!(c.body.len(), 36);
        let t = timed_out().default_response();
        assert_eq!(t.status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(t.body, r#"{"message": "Endpoint request timed out"}"#);
        let n = network("refused").default_response();
        assert_eq!(n.status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(
            n.body,
            r#"{"message": "Network error communicating with endpoint"}"#
        );
        let l = lambda("Unhandled").default_response();
        assert_eq!(l.status, StatusCode::BAD_GATEWAY);
        assert_eq!(
            l.header("x-amzn-ErrorType"),
            Some("InternalServerErrorException")
        );
    }
}
