//! The pipeline end to end in process, on MOCK integrations (no I/O): routing, validation,
//! templates, integration response selection, overrides and gateway responses, byte for
//! byte where API Gateway's bytes are recorded.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};

use bytes::Bytes;
use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::pipeline::{Backends, Client, Gateway, Stage};
use http::{Request, Response, StatusCode};

/// Drives a future that never waits on I/O (MOCK integrations) to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

const API: &str = r##"
openapi: 3.0.1
info: {title: mock pets, version: "1"}
x-amazon-apigateway-request-validators:
  all: {validateRequestBody: true, validateRequestParameters: true}
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_BODY:
    statusCode: 422
    responseParameters:
      gatewayresponse.header.x-stage: "stageVariables.color"
    responseTemplates:
      application/json: '{"error":"$util.escapeJavaScript($context.error.validationErrorString)","id":"$context.requestId"}'
paths:
  /pets/{petId}:
    get:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok, headers: {x-pet: {schema: {type: string}}}}
        "404": {description: missing}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #if($input.params('petId') == "0"){"statusCode": 404}#else{"statusCode": 200}#end
        responses:
          "404": {statusCode: "404", responseTemplates: {application/json: '{"message":"no pet"}'}}
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.x-pet: "stageVariables.color"
            responseTemplates:
              application/json: '{"id":"$input.params(''petId'')","stage":"$context.stage","path":"$context.path","resource":"$context.resourcePath"}'
  /pets:
    post:
      x-amazon-apigateway-request-validator: all
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "201": {description: created}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #set($context.responseOverride.header.x-name = $input.path('$.name'))
            {"statusCode": 201}
        responses:
          default:
            statusCode: "201"
            responseTemplates:
              application/json: '{"created":true}'
  /broken:
    get:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"nothing": 1}'
        responses:
          default: {statusCode: "200"}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties: {name: {type: string}}
"##;

fn gateway() -> Gateway {
    let api = CompiledApi::load(API.as_bytes(), &CompileOptions::default()).expect("loads");
    let mut stage = Stage::new("prod");
    stage.variables.insert("color".into(), "blue".into());
    Gateway::new(Arc::new(api), stage, Backends::default()).expect("a valid stage")
}

fn send(gateway: &Gateway, method: &str, uri: &str, body: &'static str) -> Response<Bytes> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Bytes::from_static(body.as_bytes()))
        .expect("a request");
    block_on(gateway.handle(request, Client::default()))
}

fn text(response: &Response<Bytes>) -> &str {
    std::str::from_utf8(response.body()).expect("utf-8")
}

#[test]
fn mock_selects_the_response_by_the_templates_status_code() {
    let g = gateway();
    let ok = send(&g, "GET", "/pets/7", "");
    assert_eq!(ok.status(), StatusCode::OK);
    // $context.path carries the stage; resourcePath the template (developer guide,
    // $context variables; research pipeline-access.md 1.3).
    assert_eq!(
        text(&ok),
        r#"{"id":"7","stage":"prod","path":"/prod/pets/7","resource":"/pets/{petId}"}"#
    );
    assert_eq!(ok.headers()["x-pet"], "blue");
    assert_eq!(ok.headers()["content-type"], "application/json");
    // Every response carries the request id and the extended id (research 9).
    assert_eq!(ok.headers()["x-amzn-requestid"].len(), 36);
    assert!(ok.headers().contains_key("x-amz-apigw-id"));
    let missing = send(&g, "GET", "/pets/0", "");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(text(&missing), r#"{"message":"no pet"}"#);
}

#[test]
fn no_route_is_missing_authentication_token() {
    let g = gateway();
    let r = send(&g, "GET", "/nowhere", "");
    // Recorded on AWS: LocalStack test_apigateway_common::test_routing_not_found.
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(text(&r), r#"{"message":"Missing Authentication Token"}"#);
    assert_eq!(
        r.headers()["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
    assert!(r.headers().contains_key("x-amzn-requestid"));
}

#[test]
fn validation_failures_go_through_the_customised_gateway_response() {
    let g = gateway();
    let r = send(&g, "POST", "/pets", r#"{"nick": "x"}"#);
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(r.headers()["x-stage"], "blue");
    let body: serde_json::Value = serde_json::from_slice(r.body()).expect("json");
    assert!(
        body["error"].as_str().unwrap_or_default().contains("name"),
        "{body}"
    );
    // The template saw the request's own $context.requestId, the one in the header.
    assert_eq!(
        body["id"],
        r.headers()["x-amzn-requestid"].to_str().unwrap()
    );
}

#[test]
fn the_validated_body_reaches_the_template_and_overrides_apply() {
    let g = gateway();
    let r = send(&g, "POST", "/pets", r#"{"name": "Rex"}"#);
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["x-name"], "Rex");
    // The response template's $input is the integration's (empty) body; the request's
    // body reached the request template, which set the header.
    assert_eq!(text(&r), r#"{"created":true}"#);
}

#[test]
fn a_template_without_status_code_is_a_500() {
    let g = gateway();
    let r = send(&g, "GET", "/broken", "");
    // research 5: 500s as AWS sends them, 36 bytes with the space.
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(text(&r), r#"{"message": "Internal server error"}"#);
}

#[test]
fn a_body_over_ten_megabytes_is_refused_in_front() {
    let g = gateway();
    let big = Bytes::from(vec![b' '; 10 * 1024 * 1024 + 1]);
    let request = Request::builder()
        .method("POST")
        .uri("/pets")
        .body(big)
        .expect("a request");
    let r = block_on(g.handle(request, Client::default()));
    // research 5 / 10: 413, text body, no request id.
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(text(&r), "HTTP content length exceeded 10485760 bytes.");
    assert!(!r.headers().contains_key("x-amzn-requestid"));
}
