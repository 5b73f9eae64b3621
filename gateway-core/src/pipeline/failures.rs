//! The failures of the integration stages that are not an HTTP backend's (those are
//! [`super::integrations::http::IntegrationError`]), with API Gateway's messages (research
//! pipeline-access.md 0, 1.7 and 5). Each is a [`Failure`], so the API's gateway
//! responses apply to it.

use http::StatusCode;

use super::gateway_response::Failure;
use crate::model::GatewayResponseType;

/// The message of API Gateway's 500s and of a failed Lambda proxy integration.
pub const INTERNAL_SERVER_ERROR: &str = "Internal server error";
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
        let l = lambda("Unhandled").default_response();
        assert_eq!(l.status, StatusCode::BAD_GATEWAY);
        assert_eq!(
            l.header("x-amzn-ErrorType"),
            Some("InternalServerErrorException")
        );
    }
}
