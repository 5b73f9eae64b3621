//! The outcome when no resource and method match a request.

/// No resource of the API matches the request path, or the matching resource does not define
/// the request's method (nor `ANY`).
///
/// REST APIs answer both cases the same way, with the `MISSING_AUTHENTICATION_TOKEN` gateway
/// response (by default 403 `{"message":"Missing Authentication Token"}`): the pipeline turns
/// this outcome into that response ([`crate::pipeline::Failure`]).
///
/// ```
/// use gateway_core::pipeline::Failure;
/// use gateway_core::routing::{HttpMethod, Router};
///
/// let mut router = Router::new();
/// router.insert("/pets", HttpMethod::Get, ())?;
/// let no_route = router.at("POST", "/pets").unwrap_err();
/// let response = Failure::from(no_route).default_response();
/// assert_eq!(response.status.as_u16(), 403);
/// assert_eq!(response.body, r#"{"message":"Missing Authentication Token"}"#);
/// # Ok::<(), gateway_core::routing::RouteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no resource and method match the request: 403 Missing Authentication Token")]
pub struct NoRoute;
