//! The in-process pipeline's speed, and where its time goes, in one run.
//!
//! The API (written inline below) has one method, `POST /pets/{petId}`, on a MOCK integration
//! with request body validation against a JSON model (`Pet`), a request template that reads the
//! body and a path parameter, and a response template that reads `$context` and a path
//! parameter. One request is `POST /pets/42?verbose=1` with a 49-byte JSON pet.
//!
//! What each benchmark measures, and its goal:
//!
//! - `pipeline/mock_validated_templated`: one [`Gateway::handle`], the whole chain (front-end
//!   limits, request ids, `$context`, routing, validation, request template, MOCK status,
//!   integration response selection and template, the headers added to every response). The
//!   future is driven by a noop-waker poll loop: MOCK never waits. Goal: under 8 µs.
//! - `engines_one_by_one/*`: the same work done by calling each stage's engine directly, one
//!   benchmark each (`request_ids`: `requestId` and `extendedRequestId`; `context`: request
//!   ids and `$context` on arrival; `router`: lookup and
//!   path parameters; `validator`: the method validator, body parse included;
//!   `request_template`: parameter mappings and the request template render;
//!   `response_template`: integration response selection and the response template render),
//!   and `all_in_sequence`, the whole request done that way. `pipeline` minus `all_in_sequence`
//!   is the pipeline's own overhead (the chain, its future, the outcome). Goal: under 1 µs.
//! - `body_parse/pipeline_60kb` against `body_parse/serde_json_from_slice_60kb`: the one body
//!   parse the pipeline does per request (validation's parser, through a method validator with
//!   a permissive model, `{}`, so the schema costs nothing) beside
//!   `serde_json::from_slice::<serde_json::Value>` on the same 60 KB body. Goal: within 1.5x.
//!
//! Before criterion's report a side-by-side summary is printed (best of alternating rounds, the
//! steadiest estimate on a shared machine). Run briefly with
//! `cargo bench -p gateway-core --bench pipeline -- --warm-up-time 1 --measurement-time 3`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
mod timing;
use timing::time_per_call;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gateway_core::compile::{CompileOptions, CompiledApi, CompiledIntegration};
use gateway_core::pipeline::context::{self, Arrival, RequestIds};
use gateway_core::pipeline::integration_response::{self, IntegrationOutput};
use gateway_core::pipeline::integrations::mock;
use gateway_core::pipeline::{
    Backends, Client, Gateway, Stage, integration_request, request, resource_id,
};
use gateway_core::routing::ApiRoute;
use gateway_mapping::context::{Context, ContextState};
use gateway_mapping::input::OwnedRequest;
use gateway_validate::{MethodValidator, ModelSet, RequestValidator, RequestView};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use serde_json::Value;

/// The benchmarked API: one MOCK method with body validation and both templates.
const API: &str = r##"
openapi: 3.0.1
info: {title: pipeline bench, version: "1"}
x-amazon-apigateway-request-validators:
  body: {validateRequestBody: true, validateRequestParameters: true}
paths:
  /pets/{petId}:
    post:
      x-amazon-apigateway-request-validator: body
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #set($name = $input.path('$.name'))
            {"statusCode": 200, "petId": "$input.params('petId')", "name": "$util.escapeJavaScript($name)"}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"id":"$input.params(''petId'')","stage":"$context.stage","resource":"$context.resourcePath","requestId":"$context.requestId"}'
components:
  schemas:
    Pet:
      type: object
      required: [name, type]
      properties:
        name: {type: string, minLength: 1, maxLength: 64}
        type: {type: string, enum: [dog, cat, fish]}
        price: {type: number, minimum: 0}
"##;

const METHOD: &str = "POST";
const PATH: &str = "/pets/42";
const QUERY: &str = "verbose=1";
const BODY: &str = r#"{"name":"Rex","type":"dog","price":12.5,"age":3}"#;
/// The body the MOCK answer carries after its response template.
const EXPECTED_PREFIX: &str = r#"{"id":"42","stage":"prod","resource":"/pets/{petId}","#;

/// Size of the body of the `body_parse` comparison.
const LARGE_BODY_BYTES: usize = 60 * 1024;

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

/// One request as a client sends it.
fn request() -> Request<Bytes> {
    Request::builder()
        .method(METHOD)
        .uri(format!("{PATH}?{QUERY}"))
        .header("host", "abc123.execute-api.us-east-1.amazonaws.com")
        .header("user-agent", "bench/1.0")
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(Bytes::from_static(BODY.as_bytes()))
        .unwrap_or_else(|e| panic!("bench request: {e}"))
}

/// The API, the gateway and the compiled pieces the engines are called with directly.
struct Fixture {
    gateway: Gateway,
    api: Arc<CompiledApi>,
    stage: Stage,
    ids: RequestIds,
    route: ApiRoute,
}

impl Fixture {
    fn new() -> Fixture {
        let api = CompiledApi::load(API.as_bytes(), &CompileOptions::default())
            .unwrap_or_else(|e| panic!("bench API: {e}"));
        let api = Arc::new(api);
        let stage = Stage::new("prod");
        let gateway = Gateway::new(Arc::clone(&api), stage.clone(), Backends::default())
            .unwrap_or_else(|e| panic!("bench stage: {e}"));
        let route = *api
            .router()
            .at(METHOD, PATH)
            .unwrap_or_else(|_| panic!("bench route"))
            .value();
        Fixture {
            gateway,
            api,
            stage,
            ids: RequestIds::new(),
            route,
        }
    }

    fn integration(&self) -> &CompiledIntegration {
        self.api
            .method(self.route)
            .and_then(|m| m.integration())
            .unwrap_or_else(|| panic!("bench integration"))
    }

    fn validator(&self) -> &MethodValidator {
        self.api
            .method(self.route)
            .map(|m| m.validator())
            .unwrap_or_else(|| panic!("bench validator"))
    }

    /// `Gateway::handle` on one request.
    fn pipeline(&self, request: Request<Bytes>) -> Response<Bytes> {
        block_on(self.gateway.handle(request, Client::default()))
    }

    /// Request ids and `$context` on arrival, as the chain makes them.
    fn context(&self, method: &str, path: &str, headers: &HeaderMap) -> (Context, String, String) {
        let (request_id, extended_id) = self.ids.next();
        let context = context::on_arrival(&Arrival {
            stage: &self.stage,
            api_id: &self.api.api().id,
            http_method: method,
            path,
            headers,
            source_ip: None,
            request_id: &request_id,
            extended_request_id: &extended_id,
            epoch_millis: epoch_millis(),
        });
        (context, request_id, extended_id)
    }

    /// Routing: the lookup, the path parameters, `$context.resourceId`/`resourcePath`.
    fn route(
        &self,
        method: &str,
        path: &str,
        context: &mut Context,
        parts: &mut OwnedRequest,
    ) -> ApiRoute {
        let found = self
            .api
            .router()
            .at(method, path)
            .unwrap_or_else(|_| panic!("bench route"));
        parts.path = found
            .params()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let resource_path = found.resource_path();
        context::on_route(context, &resource_id(resource_path), resource_path);
        *found.value()
    }

    /// Validation: the method validator over the request; the parsed body.
    fn validate(&self, parts: &OwnedRequest) -> Option<Arc<Value>> {
        let view = RequestView {
            headers: &parts.headers,
            query: &parts.query,
            path: &parts.path,
            body: &parts.body,
        };
        self.validator()
            .validate(&view)
            .unwrap_or_else(|e| panic!("bench body is valid: {e:?}"))
            .body
    }

    /// Parameter mappings and the request template; MOCK's status code from it.
    fn request_template(
        &self,
        parts: &Arc<OwnedRequest>,
        body: Option<Arc<Value>>,
        context: Context,
    ) -> (u16, ContextState) {
        let mut state = ContextState::from(context);
        let mapped = integration_request::map(
            self.integration(),
            parts,
            body,
            &mut state,
            &self.stage.variables,
        )
        .unwrap_or_else(|e| panic!("bench request template: {e:?}"));
        let status = mock::status_code(&String::from_utf8_lossy(&mapped.body))
            .unwrap_or_else(|| panic!("bench statusCode"));
        (status, state)
    }

    /// Integration response selection, its parameters and template.
    fn response_template(
        &self,
        status: u16,
        parts: &OwnedRequest,
        mut state: ContextState,
    ) -> Response<Bytes> {
        let output = IntegrationOutput {
            selector: status.to_string(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        };
        integration_response::respond(
            self.integration(),
            &output,
            parts,
            &mut state,
            &self.stage.variables,
            self.api.binary_media_types(),
        )
        .unwrap_or_else(|e| panic!("bench response template: {e:?}"))
        .into_response()
    }

    /// The whole request by calling the engines one after the other, as the chain does.
    fn engines(&self, request: Request<Bytes>) -> Response<Bytes> {
        let (head, body) = request.into_parts();
        let path_and_query = head.uri.path_and_query().map_or("/", |p| p.as_str());
        if request::check_limits(path_and_query, &head.headers, &body).is_err() {
            panic!("bench request is within the limits");
        }
        let method = head.method.as_str().to_owned();
        let path = head.uri.path().to_owned();
        let (mut context, request_id, extended_id) = self.context(&method, &path, &head.headers);
        let query = request::decode_query(head.uri.query());
        let mut parts = request::parts(head.headers, query, body);
        let route = self.route(&method, &path, &mut context, &mut parts);
        debug_assert_eq!(route, self.route);
        let body = self.validate(&parts);
        let parts = Arc::new(parts);
        let (status, state) = self.request_template(&parts, body, context);
        let mut response = self.response_template(status, &parts, state);
        for (name, value) in [
            ("x-amzn-requestid", request_id),
            ("x-amz-apigw-id", extended_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}

fn epoch_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The request's parts after routing, for the engines that come later.
fn routed_parts(f: &Fixture) -> (Context, OwnedRequest) {
    let request = request();
    let (head, body) = request.into_parts();
    let (mut context, _, _) = f.context(METHOD, PATH, &head.headers);
    let query = request::decode_query(head.uri.query());
    let mut parts = request::parts(head.headers, query, body);
    f.route(METHOD, PATH, &mut context, &mut parts);
    (context, parts)
}

/// A JSON body of about `bytes` bytes: an array of pet records, the kind of body an API takes.
fn large_body(bytes: usize) -> Vec<u8> {
    let mut out = b"{\"pets\":[".to_vec();
    let mut i = 0usize;
    while out.len() < bytes {
        if i > 0 {
            out.push(b',');
        }
        let record = format!(
            r#"{{"id":{i},"name":"pet number {i}","type":"dog","price":{}.25,"vaccinated":{},"tags":["friendly","small","a\"quoted\"tag"],"owner":null}}"#,
            i % 500,
            i.is_multiple_of(2)
        );
        out.extend_from_slice(record.as_bytes());
        i += 1;
    }
    out.extend_from_slice(b"]}");
    out
}

/// A method validator with a permissive model (`{}`) for `application/json`: validating a
/// body is then the body parse alone.
fn permissive_validator() -> MethodValidator {
    let models = ModelSet::builder("bench")
        .model("Anything", serde_json::json!({}))
        .build()
        .unwrap_or_else(|e| panic!("bench model: {e}"));
    MethodValidator::new(
        Some(RequestValidator::ALL),
        [],
        [("application/json", "Anything")],
        &models,
    )
    .unwrap_or_else(|e| panic!("bench validator: {e}"))
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}

/// Parses `body` as the pipeline does: the method validator's parse (and a `{}` model).
fn pipeline_parse(validator: &MethodValidator, headers: &HeaderMap, body: &[u8]) -> Arc<Value> {
    let view = RequestView {
        headers,
        body,
        ..RequestView::default()
    };
    validator
        .validate(&view)
        .ok()
        .and_then(|v| v.body)
        .unwrap_or_else(|| panic!("the large body parses"))
}

fn serde_parse(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("the large body parses: {e}"))
}

/// Mean time of one call of `f`, measured over about `budget`; `f` gets a fresh request
/// built outside the timed part (in batches).
fn time_per_request(budget: Duration, f: &mut impl FnMut(Request<Bytes>)) -> Duration {
    const BATCH: usize = 256;
    let mut spent = Duration::ZERO;
    let mut calls: u32 = 0;
    let start = Instant::now();
    while start.elapsed() < budget {
        let batch: Vec<Request<Bytes>> = (0..BATCH).map(|_| request()).collect();
        let timed = Instant::now();
        for request in batch {
            f(request);
        }
        spent += timed.elapsed();
        calls += BATCH as u32;
    }
    spent / calls.max(1)
}

/// The fastest of `rounds` alternating measurements of `a` and `b`.
fn best_of(
    rounds: u32,
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        best_a = best_a.min(a());
        best_b = best_b.min(b());
    }
    (best_a, best_b)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Prints the three comparisons next to each other, with their goals.
fn side_by_side(f: &Fixture, large: &[u8]) {
    let slice = Duration::from_millis(40);
    let (pipeline, engines) = best_of(
        15,
        || {
            time_per_request(slice, &mut |r| {
                black_box(f.pipeline(r));
            })
        },
        || {
            time_per_request(slice, &mut |r| {
                black_box(f.engines(r));
            })
        },
    );
    let validator = permissive_validator();
    let headers = json_headers();
    let (ours, serde) = best_of(
        10,
        || {
            time_per_call(slice, &mut || {
                black_box(pipeline_parse(&validator, &headers, black_box(large)));
            })
        },
        || {
            time_per_call(slice, &mut || {
                black_box(serde_parse(black_box(large)));
            })
        },
    );
    let overhead = pipeline.saturating_sub(engines);
    println!("\nPipeline bench, best of alternating rounds:");
    println!(
        "  pipeline/mock_validated_templated          {:>8.2} µs   goal < 8 µs     {}",
        micros(pipeline),
        verdict(micros(pipeline) < 8.0)
    );
    println!(
        "  engines_one_by_one/all_in_sequence         {:>8.2} µs",
        micros(engines)
    );
    println!(
        "  pipeline's own overhead (difference)       {:>8.2} µs   goal < 1 µs     {}",
        micros(overhead),
        verdict(micros(overhead) < 1.0)
    );
    let ratio = ours.as_secs_f64() / serde.as_secs_f64();
    println!(
        "  body_parse/pipeline_{}kb                   {:>8.2} µs",
        large.len() / 1024,
        micros(ours)
    );
    println!(
        "  body_parse/serde_json_from_slice_{}kb      {:>8.2} µs   ratio {ratio:.2}   goal <= 1.5x  {}\n",
        large.len() / 1024,
        micros(serde),
        verdict(ratio <= 1.5)
    );
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// Checks, once, that the pipeline and the engines give the same answer, so the two measure
/// the same work.
fn check_same_work(f: &Fixture) {
    let by_pipeline = f.pipeline(request());
    let by_engines = f.engines(request());
    for response in [&by_pipeline, &by_engines] {
        assert_eq!(response.status(), StatusCode::OK);
        let body = std::str::from_utf8(response.body()).unwrap_or_default();
        assert!(body.starts_with(EXPECTED_PREFIX), "unexpected body {body}");
    }
    let names = |r: &Response<Bytes>| {
        let mut names: Vec<String> = r.headers().keys().map(|k| k.to_string()).collect();
        names.sort();
        names
    };
    assert_eq!(names(&by_pipeline), names(&by_engines));
}

fn bench(c: &mut Criterion) {
    let f = Fixture::new();
    check_same_work(&f);
    let large = large_body(LARGE_BODY_BYTES);
    side_by_side(&f, &large);

    let mut group = c.benchmark_group("pipeline");
    group.bench_function("mock_validated_templated", |b| {
        b.iter_batched(request, |r| f.pipeline(r), BatchSize::SmallInput)
    });
    group.finish();

    let mut group = c.benchmark_group("engines_one_by_one");
    group.bench_function("request_ids", |b| b.iter(|| f.ids.next()));
    group.bench_function("context", |b| {
        let headers = request().into_parts().0.headers;
        b.iter(|| f.context(METHOD, PATH, black_box(&headers)))
    });
    group.bench_function("router", |b| {
        b.iter_batched(
            || routed_parts(&f),
            |(mut context, mut parts)| {
                f.route(METHOD, PATH, &mut context, &mut parts);
                (context, parts)
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("validator", |b| {
        let (_, parts) = routed_parts(&f);
        b.iter(|| f.validate(black_box(&parts)))
    });
    group.bench_function("request_template", |b| {
        let (context, parts) = routed_parts(&f);
        let body = f.validate(&parts);
        let parts = Arc::new(parts);
        b.iter_batched(
            || context.clone(),
            |context| f.request_template(&parts, body.clone(), context),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("response_template", |b| {
        let (context, parts) = routed_parts(&f);
        let body = f.validate(&parts);
        let parts = Arc::new(parts);
        let (status, state) = f.request_template(&parts, body, context);
        b.iter_batched(
            || state.clone(),
            |state| f.response_template(status, &parts, state),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("all_in_sequence", |b| {
        b.iter_batched(request, |r| f.engines(r), BatchSize::SmallInput)
    });
    group.finish();

    let validator = permissive_validator();
    let headers = json_headers();
    let mut group = c.benchmark_group("body_parse");
    group.throughput(criterion::Throughput::Bytes(large.len() as u64));
    group.bench_function(format!("pipeline_{}kb", large.len() / 1024), |b| {
        b.iter(|| pipeline_parse(&validator, &headers, black_box(&large)))
    });
    group.bench_function(
        format!("serde_json_from_slice_{}kb", large.len() / 1024),
        |b| b.iter(|| serde_parse(black_box(&large))),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
