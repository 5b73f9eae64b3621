//! The outcome when no resource and method match a request: API Gateway's 403
//! "Missing Authentication Token".

use http::StatusCode;

/// No resource of the API matches the request path, or the matching resource does not define
/// the request's method (nor `ANY`).
///
/// REST APIs answer both cases the same way, with the `MISSING_AUTHENTICATION_TOKEN` gateway
/// response: by default status 403, body `{"message":"Missing Authentication Token"}` and the
/// header `x-amzn-ErrorType: MissingAuthenticationTokenException`. An API can customise that
/// gateway response; these accessors give API Gateway's defaults.
///
/// ```
/// use gateway_core::routing::{Method, Router};
///
/// let mut router = Router::new();
/// router.insert("/pets", Method::Get, ())?;
/// let no_route = router.at("POST", "/pets").unwrap_err();
/// assert_eq!(no_route.status().as_u16(), 403);
/// assert_eq!(no_route.body(), r#"{"message":"Missing Authentication Token"}"#);
/// assert_eq!(no_route.gateway_response_type(), "MISSING_AUTHENTICATION_TOKEN");
/// # Ok::<(), gateway_core::routing::RouteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no resource and method match the request: 403 Missing Authentication Token")]
pub struct NoRoute;

impl NoRoute {
    /// The name of the header that carries [`error_type`](Self::error_type).
    pub const ERROR_TYPE_HEADER: &'static str = "x-amzn-ErrorType";

    /// The default status code of the `MISSING_AUTHENTICATION_TOKEN` gateway response: 403.
    pub fn status(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }

    /// The message, `Missing Authentication Token`.
    pub fn message(&self) -> &'static str {
        "Missing Authentication Token"
    }

    /// The default response body: `{"message":"Missing Authentication Token"}`.
    pub fn body(&self) -> &'static str {
        r#"{"message":"Missing Authentication Token"}"#
    }

    /// The body's media type, `application/json`.
    pub fn content_type(&self) -> &'static str {
        "application/json"
    }

    /// The value of the `x-amzn-ErrorType` header: `MissingAuthenticationTokenException`.
    pub fn error_type(&self) -> &'static str {
        "MissingAuthenticationTokenException"
    }

    /// The gateway response type an API can customise for this outcome.
    pub fn gateway_response_type(&self) -> &'static str {
        "MISSING_AUTHENTICATION_TOKEN"
    }

    /// The default response headers: content type and error type.
    pub fn headers(&self) -> [(&'static str, &'static str); 2] {
        [
            ("content-type", self.content_type()),
            (Self::ERROR_TYPE_HEADER, self.error_type()),
        ]
    }
}
