//! The engines' seams as the pipeline will use them, on one API loaded once: route, one
//! request (a `HeaderMap`, the query decoded once, the path parameters, the body bytes) lent
//! to validation and mapping alike, the body parsed once by validation and handed to the
//! template, the mapping state snapshotted before an `.await` and resumed after it, and every
//! failure turned into its gateway response by one module. The future of a request is `Send`,
//! so a multi-threaded server can run it.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};

use bytes::Bytes;
use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::pipeline::Failure;
use gateway_mapping::context::{
    Context, ContextObject, ContextState, StageVariables, mapping_scope,
};
use gateway_mapping::input::{Input, OwnedRequest as Parts, RequestView as MappingView};
use gateway_mapping::selection::RequestSelection;
use gateway_validate::RequestView as ValidationView;
use http::{HeaderMap, HeaderValue, StatusCode};

const API: &str = r##"
openapi: 3.0.1
info: {title: seams, version: "1"}
x-amazon-apigateway-request-validators:
  all: {validateRequestBody: true, validateRequestParameters: true}
paths:
  /pets/{petId}:
    post:
      x-amazon-apigateway-request-validator: all
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      x-amazon-apigateway-integration:
        type: mock
        passthroughBehavior: never
        requestTemplates:
          application/json: |
            #set($context.responseOverride.header.X-Pet = $input.params('petId'))
            #set($context.responseOverride.custom = $input.path('$.name'))
            {"statusCode": 200}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"pet": "$context.responseOverride.custom", "q": "$input.params(''q'')"}'
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties: {name: {type: string}}
"##;

/// The request as the host owns it: decoded once, then only borrowed (by validation) or
/// shared (by `$input`).
struct OwnedRequest {
    method: &'static str,
    path: String,
    /// Headers, the query string decoded once (one documented rule, the host's), path
    /// parameters once routed, and the body.
    parts: Parts,
}

/// What the request template leaves for the response side: plain data, `Send`.
struct AfterRequest {
    state: ContextState,
    parts: Arc<Parts>,
}

/// An integration call the host awaits (a real server awaits the network here).
async fn integration_call() -> StatusCode {
    Yield(false).await;
    StatusCode::OK
}

/// One request through the seams; every failure goes through the gateway response module.
async fn handle(api: Arc<CompiledApi>, request: OwnedRequest) -> (StatusCode, String) {
    let after = {
        let found = match api.router().at(request.method, &request.path) {
            Ok(found) => found,
            Err(miss) => {
                let failure = Failure::from(miss);
                return (failure.default_status(), failure.default_body());
            }
        };
        let method = api
            .method(*found.value())
            .expect("a routed method is compiled");
        let mut parts = request.parts;
        parts.path = found
            .params()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let parts = Arc::new(parts);
        let view = ValidationView {
            headers: &parts.headers,
            query: &parts.query,
            path: &parts.path,
            body: &parts.body,
        };
        // Validation parses the body once and hands it on.
        let validated = match method.validator().validate(&view) {
            Ok(v) => v,
            Err(rejection) => {
                let failure = Failure::from(&rejection);
                let r = api
                    .gateway_response_for(&failure, &view, "POST", found.resource_path())
                    .expect("renders");
                return (r.status, r.body);
            }
        };
        let integration = method.integration().expect("mock integration");
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let template = match integration.request_templates().select(content_type) {
            Ok(RequestSelection::Template(t)) => t,
            Ok(_) => unreachable!("the fixture has a template"),
            Err(unsupported) => {
                let r = Failure::from(&unsupported).default_response();
                return (r.status, r.body);
            }
        };
        // `$input` shares the very request validation read: no copy, no second parse.
        let input = match validated.body {
            Some(parsed) => Input::shared_with_json(Arc::clone(&parts), parsed),
            None => Input::shared(Arc::clone(&parts)),
        };
        // Build, render, snapshot, drop before `.await`.
        let context = ContextObject::new(Context::new());
        let scope = mapping_scope(input, &context, &StageVariables::new());
        template
            .render(&scope)
            .expect("the request template renders");
        AfterRequest {
            state: context.snapshot(),
            parts,
        }
    };

    let status = integration_call().await;

    let found = api
        .router()
        .at(request.method, &request.path)
        .expect("routed before");
    let method = api.method(*found.value()).expect("compiled");
    let response = method
        .integration()
        .expect("mock integration")
        .responses()
        .select_status(status.as_u16())
        .expect("a default response");
    let context = ContextObject::resume(after.state);
    // The integration response's `$input` (MOCK: no body) reads the request's parameters.
    let view = MappingView {
        body: b"",
        ..after.parts.view()
    };
    let scope = mapping_scope(Input::new(view), &context, &StageVariables::new());
    let (_, template) = &response.response_templates()[0];
    let body = template
        .render(&scope)
        .expect("the response template renders");
    let header = context
        .overrides()
        .response_header
        .get("X-Pet")
        .cloned()
        .unwrap_or_default();
    (response.status_code(), format!("{header} {body}"))
}

fn request(path: &str, query: &[(&str, &str)], body: &'static str) -> OwnedRequest {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let mut parts = Parts::new(Bytes::from_static(body.as_bytes()));
    parts.headers = headers;
    parts.query = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    OwnedRequest {
        method: "POST",
        path: path.to_owned(),
        parts,
    }
}

fn api() -> Arc<CompiledApi> {
    Arc::new(CompiledApi::load(API.as_bytes(), &CompileOptions::default()).expect("loads"))
}

#[test]
fn a_request_crosses_the_await_with_its_mapping_state_and_its_future_is_send() {
    let future = handle(
        api(),
        request("/pets/7", &[("q", "x y")], r#"{"name": "Rex"}"#),
    );
    assert_send(&future);
    let (status, body) = block_on(future);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"7 {"pet": "Rex", "q": "x y"}"#);
}

#[test]
fn failures_of_every_stage_come_back_as_gateway_responses() {
    // localstack test_routing_not_found (recorded on AWS): 403 Missing Authentication Token.
    let (status, body) = block_on(handle(api(), request("/nowhere", &[], "{}")));
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, r#"{"message":"Missing Authentication Token"}"#);
    // API Gateway developer guide, request validation: 400 BAD_REQUEST_BODY, "Invalid
    // request body" (localstack test_request_validator_body, recorded on AWS).
    let (status, body) = block_on(handle(api(), request("/pets/7", &[], r#"{"age": 3}"#)));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, r#"{"message":"Invalid request body"}"#);
}

/// Compile-time check: the value is `Send`.
fn assert_send<T: Send>(_: &T) {}

/// Compile-time check: the compiled API and the state carried across `.await` are shareable.
#[test]
fn the_compiled_api_and_the_carried_state_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<CompiledApi>();
    send_sync::<ContextState>();
    send_sync::<Failure>();
}

/// A future that is pending once, then ready: the request really suspends.
struct Yield(bool);

impl Future for Yield {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Runs a future to completion on this thread (no runtime in the library's tests).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
