//! The one place a failure becomes a response: the API's customisation of the type, then
//! DEFAULT_4XX / DEFAULT_5XX, then AWS's default.
//!
//! Sources: developer guide, "Gateway response types for API Gateway" (default statuses, the
//! DEFAULT_4XX/5XX fallback); localstack `test_apigateway_api.snapshot.json`,
//! `test_gateway_response_put` (recorded on AWS: after PUT DEFAULT_5XX with statusCode 599, a
//! header and a template, every 5XX type not set explicitly reports 599 and DEFAULT_5XX's
//! parameters and templates; an explicitly PUT type keeps its own; 4XX types are untouched).

use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::model::GatewayResponseType as T;
use gateway_core::pipeline::Failure;
use gateway_validate::RequestView;
use http::StatusCode;

const API: &str = r#"
openapi: 3.0.1
info: {title: responses, version: "1"}
x-amazon-apigateway-gateway-responses:
  DEFAULT_5XX:
    statusCode: "599"
    responseParameters:
      gatewayresponse.header.X-Trace: method.request.header.x-trace
      gatewayresponse.header.content-type: "'application/problem+json'"
    responseTemplates:
      application/json: '{"oops": $context.error.messageString, "type": "$context.error.responseType"}'
  AUTHORIZER_FAILURE:
    statusCode: "500"
  UNAUTHORIZED:
    responseTemplates:
      application/json: '{"why": $context.error.messageString, "path": "$context.resourcePath"}'
paths: {}
"#;

fn api() -> CompiledApi {
    CompiledApi::load(API.as_bytes(), &CompileOptions::default()).expect("the fixture loads")
}

#[test]
fn a_5xx_type_without_its_own_customisation_takes_default_5xx_whole() {
    let api = api();
    let mut headers = http::HeaderMap::new();
    headers.insert("X-Trace", http::HeaderValue::from_static("t-1"));
    let request = RequestView {
        headers: &headers,
        ..Default::default()
    };
    let failure = Failure::new(T::IntegrationTimeout, "Endpoint request timed out");
    let r = api
        .gateway_response_for(&failure, &request, "GET", "/pets")
        .unwrap();
    assert_eq!(r.status.as_u16(), 599);
    assert_eq!(
        r.body,
        r#"{"oops": "Endpoint request timed out", "type": "INTEGRATION_TIMEOUT"}"#
    );
    assert_eq!(r.header("x-trace"), Some("t-1"));
    // The customisation's header replaces the default one of the same name.
    assert_eq!(r.header("Content-Type"), Some("application/problem+json"));
    assert_eq!(
        r.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .count(),
        1
    );
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("InternalServerErrorException")
    );
}

#[test]
fn an_explicitly_customised_type_keeps_its_own_and_4xx_types_are_untouched() {
    let api = api();
    let request = RequestView::default();
    let own = Failure::without_message(T::AuthorizerFailure);
    let r = api
        .gateway_response_for(&own, &request, "GET", "/")
        .unwrap();
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    // Its customisation has no template: AWS's default body, 5XX spacing, null message.
    assert_eq!(r.body, r#"{"message": null}"#);

    let throttled = Failure::new(T::Throttled, "Too Many Requests");
    let r = api
        .gateway_response_for(&throttled, &request, "GET", "/")
        .unwrap();
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body, r#"{"message":"Too Many Requests"}"#);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("TooManyRequestsException")
    );
}

#[test]
fn a_customised_template_sees_the_error_and_the_request() {
    let api = api();
    let failure = Failure::new(T::Unauthorized, "Unauthorized");
    let r = api
        .gateway_response_for(&failure, &RequestView::default(), "GET", "/pets/{id}")
        .unwrap();
    // UNAUTHORIZED sets no status: its default, 401.
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, r#"{"why": "Unauthorized", "path": "/pets/{id}"}"#);
}

#[test]
fn the_customisations_status_beats_the_failures_own() {
    // A Lambda function error is an INTEGRATION_FAILURE answered with 502; DEFAULT_5XX's 599
    // still applies when the API sets it.
    let api = api();
    let failure = Failure::new(T::IntegrationFailure, "Internal server error")
        .with_status(StatusCode::BAD_GATEWAY);
    assert_eq!(api.gateway_response_status(&failure).as_u16(), 599);
    let plain = CompiledApi::load(
        br#"{"swagger": "2.0", "info": {"title": "t"}, "paths": {}}"#,
        &CompileOptions::default(),
    )
    .unwrap();
    assert_eq!(
        plain.gateway_response_status(&failure),
        StatusCode::BAD_GATEWAY
    );
}

#[test]
fn policy_engine_outcomes_become_their_gateway_responses() {
    use gateway_policy::sigv4::{AuthError, RequestRef, Verifier};
    use gateway_policy::{Denial, DeniedBy, Effect, Policy, Request};

    // No Authorization and no X-Amz-Algorithm: API Gateway answers an AWS_IAM method with 403
    // MISSING_AUTHENTICATION_TOKEN, `x-amzn-ErrorType: MissingAuthenticationTokenException`
    // (research notes iam-apigateway.md 3.1 item 9).
    let headers = http::HeaderMap::new();
    let missing = Verifier::without_store()
        .claim(
            RequestRef::new("GET", "/prod/pets", "", &headers),
            std::time::SystemTime::now(),
        )
        .unwrap_err();
    let r = Failure::from(&missing).default_response();
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, r#"{"message":"Missing Authentication Token"}"#);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("MissingAuthenticationTokenException")
    );
    // An unknown access key: no type of its own, so DEFAULT_4XX with 403 and
    // UnrecognizedClientException; an expired token: EXPIRED_TOKEN, ExpiredTokenException.
    let f = Failure::from(&AuthError::InvalidSecurityToken);
    assert_eq!(f.response_type, T::Default4xx);
    assert_eq!(f.default_status(), StatusCode::FORBIDDEN);
    assert_eq!(f.error_type(), Some("UnrecognizedClientException"));
    assert_eq!(
        f.default_body(),
        r#"{"message":"The security token included in the request is invalid."}"#
    );
    let f = Failure::from(&AuthError::ExpiredSecurityToken);
    assert_eq!(f.response_type, T::ExpiredToken);
    assert_eq!(f.error_type(), Some("ExpiredTokenException"));

    // A Lambda authorizer's explicit deny: 403 ACCESS_DENIED with a capital `Message`
    // (pipeline-access.md, key takeaways: recorded AWS bodies).
    let request = Request::new(
        "execute-api:Invoke",
        "arn:aws:execute-api:us-east-1:1:a/p/GET/",
    );
    let denial = Denial::new(Effect::ExplicitDeny, DeniedBy::LambdaAuthorizer, &request).unwrap();
    let r = Failure::from(&denial).default_response();
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.body,
        r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#
    );
    assert_eq!(r.header("x-amzn-ErrorType"), Some("AccessDeniedException"));

    // An authorizer answer API Gateway cannot use: 500, `{"message": null}`,
    // AuthorizerConfigurationException (pipeline-access.md 5 and 6.3).
    let refused = Policy::parse_authorizer("not a policy").unwrap_err();
    let r = Failure::from(&refused).default_response();
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body, r#"{"message": null}"#);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("AuthorizerConfigurationException")
    );
}
