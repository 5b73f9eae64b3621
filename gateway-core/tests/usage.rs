//! The usage stage in process, on MOCK integrations: API keys, usage plans, the throttle
//! layers and quotas, as API Gateway answers them (research pipeline-access.md 8, 5).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};

use bytes::Bytes;
use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::config::GatewayConfig;
use gateway_core::pipeline::access::usage::counters::{
    CounterStore, Decision, StoreError, Verdict,
};
use gateway_core::pipeline::access::usage::{OnError, Usage};
use gateway_core::pipeline::backends::BoxFuture;
use gateway_core::pipeline::{Backends, Client, Gateway, Stage};
use http::{Request, Response, StatusCode};

/// Drives a future that never waits on I/O (MOCK integrations, the memory store).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// `/pets` and `/pets/{petId}` require a key; `/free` does not. Each answers the key id
/// `$context.identity.apiKeyId` holds.
const API: &str = r##"
openapi: 3.0.1
info: {title: keyed pets, version: "1"}
components:
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
x-mock: &mock
  type: mock
  requestTemplates: {application/json: '{"statusCode": 200}'}
  responses:
    default:
      statusCode: "200"
      responseTemplates: {application/json: '{"keyId":"$context.identity.apiKeyId"}'}
paths:
  /pets:
    get:
      security: [{api_key: []}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: *mock
  /pets/{petId}:
    get:
      security: [{api_key: []}]
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: *mock
  /free:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: *mock
"##;

const ALICE: &str = "alice-key-0123456789abcdef";
const BOB: &str = "bob-key-0123456789abcdefgh";
const CAROL: &str = "carol-key-0123456789abcdef";
const DAVE: &str = "dave-key-0123456789abcdefg";

/// Keys: alice (gold plan), bob (disabled), carol (a plan on another stage), dave (no plan).
fn config(plan: &str, rest: &str) -> String {
    format!(
        r#"
apiKeys:
  - {{id: alice, value: "{ALICE}", enabled: true}}
  - {{id: bob, value: "{BOB}", enabled: false}}
  - {{id: carol, value: "{CAROL}", enabled: true}}
  - {{id: dave, value: "{DAVE}", enabled: true}}
usagePlans:
  - id: gold
    apiStages: [{{stage: prod}}]
{plan}
  - id: elsewhere
    apiStages: [{{stage: dev}}]
usagePlanKeys:
  - {{usagePlanId: gold, keyId: alice}}
  - {{usagePlanId: gold, keyId: bob}}
  - {{usagePlanId: elsewhere, keyId: carol}}
{rest}
"#
    )
}

fn gateway_with(api: &str, config: &str) -> Gateway {
    let api = CompiledApi::load(api.as_bytes(), &CompileOptions::default()).unwrap();
    let access = GatewayConfig::parse(config.as_bytes())
        .unwrap()
        .access(std::path::Path::new("."))
        .unwrap();
    Gateway::new(Arc::new(api), Stage::new("prod"), Backends::default())
        .unwrap()
        .with_access(access)
}

fn gateway(plan: &str, rest: &str) -> Gateway {
    gateway_with(API, &config(plan, rest))
}

fn get(gateway: &Gateway, path: &str, key: Option<(&str, &str)>) -> Response<Bytes> {
    let mut request = Request::get(path);
    if let Some((name, value)) = key {
        request = request.header(name, value);
    }
    block_on(gateway.handle(request.body(Bytes::new()).unwrap(), Client::default()))
}

fn body(response: &Response<Bytes>) -> &str {
    std::str::from_utf8(response.body()).unwrap()
}

fn error_type(response: &Response<Bytes>) -> Option<&str> {
    response
        .headers()
        .get("x-amzn-ErrorType")
        .and_then(|v| v.to_str().ok())
}

fn assert_forbidden(response: &Response<Bytes>) {
    // LocalStack snapshot test_api_key_required_for_methods (recorded on AWS): 403 for a
    // missing or disabled key; body and header as AWS sends them (research
    // pipeline-access.md 5: `{"message":"Forbidden"}`, 23 bytes, ForbiddenException).
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(body(response), r#"{"message":"Forbidden"}"#);
    assert_eq!(error_type(response), Some("ForbiddenException"));
}

fn assert_throttled(response: &Response<Bytes>) {
    // Research pipeline-access.md 8.2 and 5: 429 {"message":"Too Many Requests"},
    // TooManyRequestsException, no Retry-After.
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        body(response)
    );
    assert_eq!(body(response), r#"{"message":"Too Many Requests"}"#);
    assert_eq!(error_type(response), Some("TooManyRequestsException"));
    assert!(response.headers().get("retry-after").is_none());
}

fn assert_quota_exceeded(response: &Response<Bytes>) {
    // Research pipeline-access.md 8.3 and 5: 429 {"message":"Limit Exceeded"},
    // LimitExceededException.
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        body(response)
    );
    assert_eq!(body(response), r#"{"message":"Limit Exceeded"}"#);
    assert_eq!(error_type(response), Some("LimitExceededException"));
}

#[test]
fn a_method_that_requires_a_key_refuses_missing_unknown_disabled_and_unplanned_keys() {
    let g = gateway("", "");
    assert_forbidden(&get(&g, "/pets", None));
    assert_forbidden(&get(&g, "/pets", Some(("x-api-key", ""))));
    assert_forbidden(&get(
        &g,
        "/pets",
        Some(("x-api-key", "not-a-key-0123456789abc")),
    ));
    // Disabled: LocalStack test_api_key_required_for_methods (update-api-key-disabled).
    assert_forbidden(&get(&g, "/pets", Some(("x-api-key", BOB))));
    // In a plan of another stage only; in no plan (developer guide,
    // api-gateway-api-key-source: a key not in a usage plan of the API stage is refused).
    assert_forbidden(&get(&g, "/pets", Some(("x-api-key", CAROL))));
    assert_forbidden(&get(&g, "/pets", Some(("x-api-key", DAVE))));
}

#[test]
fn a_valid_key_passes_and_sets_its_id_in_the_context() {
    let g = gateway("", "");
    // Header names are case-insensitive (RFC 9110); AWS documents `X-API-Key`.
    let response = get(&g, "/pets", Some(("X-API-Key", ALICE)));
    assert_eq!(response.status(), StatusCode::OK, "{}", body(&response));
    // Developer guide, mapping-template reference: $context.identity.apiKeyId is set for
    // methods that require a key.
    assert_eq!(body(&response), r#"{"keyId":"alice"}"#);
    // A method that requires none ignores keys (and leaves the variable unset).
    let free = get(&g, "/free", Some(("x-api-key", BOB)));
    assert_eq!(body(&free), r#"{"keyId":""}"#);
}

#[test]
fn the_plan_throttle_is_per_key_and_answers_429_too_many_requests() {
    let g = gateway("    throttle: {rateLimit: 0, burstLimit: 2}", "");
    for _ in 0..2 {
        assert_eq!(
            get(&g, "/pets", Some(("x-api-key", ALICE))).status(),
            StatusCode::OK
        );
    }
    assert_throttled(&get(&g, "/pets", Some(("x-api-key", ALICE))));
    // One bucket per key across the plan's methods.
    assert_throttled(&get(&g, "/pets/1", Some(("x-api-key", ALICE))));
    // Methods without a key requirement are not metered by the plan (execution log quoted
    // in research 8.1: "Request will not contribute to throttle or quota limits").
    assert_eq!(
        get(&g, "/free", Some(("x-api-key", ALICE))).status(),
        StatusCode::OK
    );
}

#[test]
fn a_per_method_plan_throttle_replaces_the_plan_throttle_for_that_method() {
    let g = gateway_with(
        API,
        &config(
            "    throttle: {rateLimit: 0, burstLimit: 1}",
            "",
        )
        .replace(
            "apiStages: [{stage: prod}]",
            "apiStages: [{stage: prod, throttle: {'/pets/{petId}/GET': {rateLimit: 0, burstLimit: 3}}}]",
        ),
    );
    for _ in 0..3 {
        assert_eq!(
            get(&g, "/pets/1", Some(("x-api-key", ALICE))).status(),
            StatusCode::OK
        );
    }
    assert_throttled(&get(&g, "/pets/2", Some(("x-api-key", ALICE))));
    // /pets still has the plan's own bucket, untouched.
    assert_eq!(
        get(&g, "/pets", Some(("x-api-key", ALICE))).status(),
        StatusCode::OK
    );
    assert_throttled(&get(&g, "/pets", Some(("x-api-key", ALICE))));
}

#[test]
fn the_quota_answers_429_limit_exceeded_and_refusals_do_not_count() {
    let g = gateway("    quota: {limit: 3, period: DAY}", "");
    for _ in 0..3 {
        assert_eq!(
            get(&g, "/pets", Some(("x-api-key", ALICE))).status(),
            StatusCode::OK
        );
    }
    assert_quota_exceeded(&get(&g, "/pets", Some(("x-api-key", ALICE))));
    assert_quota_exceeded(&get(&g, "/pets/1", Some(("x-api-key", ALICE))));
}

#[test]
fn the_offset_is_taken_off_the_first_periods_limit() {
    // API reference, QuotaSettings.offset: "The number of requests subtracted from the given
    // limit in the initial time period".
    let g = gateway("    quota: {limit: 3, offset: 1, period: MONTH}", "");
    for _ in 0..2 {
        assert_eq!(
            get(&g, "/pets", Some(("x-api-key", ALICE))).status(),
            StatusCode::OK
        );
    }
    assert_quota_exceeded(&get(&g, "/pets", Some(("x-api-key", ALICE))));
}

#[test]
fn stage_method_settings_throttle_each_method_for_every_caller() {
    let g = gateway(
        "",
        "stage:\n  methodSettings:\n    '*/*': {throttlingRateLimit: 0, throttlingBurstLimit: 2}\n    '~1free/GET': {throttlingRateLimit: 0, throttlingBurstLimit: 1}",
    );
    assert_eq!(get(&g, "/free", None).status(), StatusCode::OK);
    assert_throttled(&get(&g, "/free", None));
    // `*/*` gives each method its own bucket (developer guide, api-gateway-request-throttling).
    for _ in 0..2 {
        assert_eq!(
            get(&g, "/pets", Some(("x-api-key", ALICE))).status(),
            StatusCode::OK
        );
    }
    assert_throttled(&get(&g, "/pets", Some(("x-api-key", ALICE))));
    assert_eq!(
        get(&g, "/pets/1", Some(("x-api-key", ALICE))).status(),
        StatusCode::OK
    );
}

#[test]
fn the_account_throttle_covers_every_method() {
    let g = gateway("", "account: {throttle: {rateLimit: 0, burstLimit: 2}}");
    assert_eq!(get(&g, "/free", None).status(), StatusCode::OK);
    assert_eq!(
        get(&g, "/pets", Some(("x-api-key", ALICE))).status(),
        StatusCode::OK
    );
    assert_throttled(&get(&g, "/free", None));
}

#[test]
fn refusals_go_through_the_apis_gateway_responses() {
    let api = API.replace(
        "paths:",
        "x-amazon-apigateway-gateway-responses:\n  THROTTLED:\n    statusCode: 503\n    responseParameters: {gatewayresponse.header.x-why: \"'slow down'\"}\n    responseTemplates: {application/json: '{\"why\":$context.error.messageString,\"type\":\"$context.error.responseType\"}'}\n  DEFAULT_4XX:\n    responseTemplates: {application/json: '{\"oops\":$context.error.messageString}'}\npaths:",
    );
    let g = gateway_with(
        &api,
        &config("    throttle: {rateLimit: 0, burstLimit: 0}", ""),
    );
    let response = get(&g, "/pets", Some(("x-api-key", ALICE)));
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body(&response),
        r#"{"why":"Too Many Requests","type":"THROTTLED"}"#
    );
    assert_eq!(response.headers()["x-why"], "slow down");
    // INVALID_API_KEY is not customised: DEFAULT_4XX applies.
    let response = get(&g, "/pets", None);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(body(&response), r#"{"oops":"Forbidden"}"#);
}

#[test]
fn with_the_authorizer_as_key_source_the_header_is_not_read() {
    // RestApi.apiKeySource (API reference): AUTHORIZER reads the key from the authorizer's
    // usageIdentifierKey; these methods have no authorizer, so no key reaches the stage.
    let api = API.replace(
        "paths:",
        "x-amazon-apigateway-api-key-source: AUTHORIZER\npaths:",
    );
    let g = gateway_with(&api, &config("", ""));
    assert_forbidden(&get(&g, "/pets", Some(("x-api-key", ALICE))));
}

/// A store that cannot be reached.
#[derive(Debug, Default)]
struct Unreachable {
    calls: AtomicUsize,
}

impl CounterStore for Unreachable {
    fn decide<'a>(&'a self, _: &'a Decision) -> BoxFuture<'a, Result<Verdict, StoreError>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Box::pin(std::future::ready(Err(StoreError(
            "connection refused".into(),
        ))))
    }
}

fn gateway_with_store(on_error: OnError) -> (Gateway, Arc<Unreachable>) {
    let store = Arc::new(Unreachable::default());
    let api = CompiledApi::load(API.as_bytes(), &CompileOptions::default()).unwrap();
    let mut access = GatewayConfig::parse(config("", "").as_bytes())
        .unwrap()
        .access(std::path::Path::new("."))
        .unwrap();
    access.usage = Usage {
        store: store.clone(),
        on_error,
        ..access.usage
    };
    let g = Gateway::new(Arc::new(api), Stage::new("prod"), Backends::default())
        .unwrap()
        .with_access(access);
    (g, store)
}

#[test]
fn an_unreachable_store_fails_closed_with_a_503_by_default() {
    let (g, store) = gateway_with_store(OnError::Deny);
    let response = get(&g, "/pets", Some(("x-api-key", ALICE)));
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    // A 5XX default body, with the space AWS's 5XX bodies have (research 5).
    assert_eq!(body(&response), r#"{"message": "Service Unavailable"}"#);
    assert_eq!(store.calls.load(Ordering::Relaxed), 1);
    // Key checks come first: a missing key is still a 403 without asking the store.
    assert_forbidden(&get(&g, "/pets", None));
    assert_eq!(store.calls.load(Ordering::Relaxed), 1);
}

#[test]
fn an_unreachable_store_lets_requests_through_with_on_error_allow() {
    let (g, _) = gateway_with_store(OnError::Allow);
    assert_eq!(
        get(&g, "/pets", Some(("x-api-key", ALICE))).status(),
        StatusCode::OK
    );
    assert_eq!(get(&g, "/free", None).status(), StatusCode::OK);
}
