//! The per-request cost of the CORS and access-log stages, above all when they have nothing
//! to do (goal: under 100 ns each), and what they cost when they work.
//!
//! - `cors/off`: an API without `x-amazon-apigateway-cors`: the stage's preflight check and
//!   response step ([`cors::preflight`], [`cors::apply`]) with no policy.
//! - `cors/no_origin`: CORS configured, a request without `Origin` (a same-origin or non-browser
//!   call): the preflight check and the response step, which still drops the integration's
//!   own `Access-Control-*` headers (none here).
//! - `cors/actual` and `cors/preflight`: an allowed origin's actual request (headers added to
//!   a 3-header response, the previous iteration's removed first, as a backend's would be)
//!   and a preflight answered by the gateway.
//!
//! The CORS cases reuse one response header map (building a `HeaderMap` costs more than the
//! stage).
//! - `access_log/off`: no format or no sink ([`access_log::write`] with `None`).
//! - `access_log/clf` and `access_log/json`: the console formats rendered from a request's
//!   `$context` (built as the pipeline builds it) into a sink that drops the line; beside the
//!   anchor `access_log/anchor_format_clf`, `format!` of the same eleven values read from
//!   local variables (the least any access logger does).
//! - `gateway/plain` against `gateway/cors_and_log`: a whole MOCK request through
//!   [`Gateway::handle`] without and with both stages working (an allowed `Origin`, CLF to a
//!   dropping sink): the stages' share of a request.
//!
//! Before criterion's report a summary is printed (best of alternating rounds, the steadiest
//! estimate on a shared machine). Run briefly with
//! `cargo bench -p gateway-core --bench cors_log -- --warm-up-time 1 --measurement-time 3`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::model::Cors;
use gateway_core::pipeline::access_log::{self, AccessLogFormat, AccessLogSink, Finished};
use gateway_core::pipeline::context::{self, Arrival};
use gateway_core::pipeline::cors::{self, CorsPolicy};
use gateway_core::pipeline::{Backends, Client, Gateway, Stage};
use gateway_mapping::context::Context;
use http::{HeaderMap, HeaderValue, Request};

const ORIGIN: &str = "https://app.example.com";

/// The API of the `gateway/*` benchmarks: one MOCK method; `CORS` adds the setting.
const API: &str = r#"
openapi: 3.0.1
info: {title: cors-log bench, version: "1"}
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"items":[]}'
"#;

const CORS: &str = r#"
x-amazon-apigateway-cors:
  allowOrigins: ["https://app.example.com"]
  allowMethods: [GET, POST]
  allowHeaders: [content-type]
  exposeHeaders: [x-amzn-requestid]
  maxAge: 600
"#;

/// A sink that drops every line (the cost measured is the gateway's, not an I/O's).
struct Discard;
impl AccessLogSink for Discard {
    fn write(&self, line: String) {
        black_box(line);
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn policy() -> CorsPolicy {
    CorsPolicy::new(&Cors {
        allow_origins: vec![ORIGIN.into()],
        allow_methods: vec!["GET".into(), "POST".into()],
        allow_headers: vec!["content-type".into()],
        expose_headers: vec!["x-amzn-requestid".into()],
        max_age: Some(600),
        allow_credentials: false,
    })
}

fn request_headers(origin: bool, preflight: bool) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "host",
        HeaderValue::from_static("abc.execute-api.us-east-1.amazonaws.com"),
    );
    h.insert("user-agent", HeaderValue::from_static("bench/1.0"));
    h.insert("accept", HeaderValue::from_static("application/json"));
    if origin {
        h.insert("origin", HeaderValue::from_static(ORIGIN));
    }
    if preflight {
        h.insert(
            "access-control-request-method",
            HeaderValue::from_static("POST"),
        );
    }
    h
}

fn response_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert(
        "x-amzn-requestid",
        HeaderValue::from_static("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"),
    );
    h.insert(
        "x-amz-apigw-id",
        HeaderValue::from_static("e_J36EirPHcEZgQ="),
    );
    h
}

/// A request's `$context` as the pipeline builds it, routed and finished.
fn log_context() -> Context {
    let stage = Stage::new("prod");
    let headers = request_headers(false, false);
    let mut c = context::on_arrival(&Arrival {
        stage: &stage,
        api_id: "abc123",
        http_method: "GET",
        path: "/items",
        headers: &headers,
        source_ip: Some("10.1.2.3".parse().unwrap_or_else(|e| panic!("{e}"))),
        request_id: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        extended_request_id: "e_J36EirPHcEZgQ=",
        epoch_millis: 1_781_500_363_847,
    });
    context::on_route(&mut c, "a1b2c3", "/items");
    c
}

const FINISHED: Finished = Finished {
    status: 200,
    response_length: 12,
    response_latency_ms: 1,
};

fn gateway(with_cors: bool, log: bool) -> Gateway {
    let text = if with_cors {
        format!("{API}{CORS}")
    } else {
        API.to_owned()
    };
    let api = CompiledApi::load(text.as_bytes(), &CompileOptions::default())
        .unwrap_or_else(|e| panic!("bench API: {e}"));
    let mut stage = Stage::new("prod");
    if log {
        stage.access_log_format = Some(access_log::CLF.into());
    }
    let gateway = Gateway::new(Arc::new(api), stage, Backends::default())
        .unwrap_or_else(|e| panic!("bench gateway: {e}"));
    if log {
        gateway.with_access_log_sink(Arc::new(Discard))
    } else {
        gateway
    }
}

fn get(origin: bool) -> Request<Bytes> {
    let mut builder = Request::get("/items").header("accept", "application/json");
    if origin {
        builder = builder.header("origin", ORIGIN);
    }
    builder
        .body(Bytes::new())
        .unwrap_or_else(|e| panic!("bench request: {e}"))
}

/// The mean time of one call of `f` over `n` calls.
fn time(n: u32, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    started.elapsed() / n
}

fn nanos(d: Duration) -> f64 {
    d.as_secs_f64() * 1e9
}

/// Best of alternating rounds of each case, printed beside its goal or anchor.
fn summary() {
    let p = policy();
    let plain = request_headers(false, false);
    let with_origin = request_headers(true, false);
    let preflight = request_headers(true, true);
    let clf = AccessLogFormat::compile(access_log::CLF).unwrap_or_else(|e| panic!("{e}"));
    let json = AccessLogFormat::compile(access_log::JSON).unwrap_or_else(|e| panic!("{e}"));
    let base = log_context();
    let (plain_gw, full_gw) = (gateway(false, false), gateway(true, true));
    type Case<'a> = (&'a str, Box<dyn FnMut() -> Duration + 'a>);
    let mut cases: Vec<Case<'_>> = vec![
        (
            "cors/off",
            Box::new(|| {
                let mut r = response_headers();
                time(100_000, || {
                    black_box(cors::preflight(None, "GET", black_box(&with_origin)));
                    cors::apply(None, &with_origin, black_box(&mut r));
                })
            }),
        ),
        (
            "cors/no_origin",
            Box::new(|| {
                let mut r = response_headers();
                time(100_000, || {
                    black_box(cors::preflight(Some(&p), "GET", black_box(&plain)));
                    cors::apply(Some(&p), &plain, black_box(&mut r));
                })
            }),
        ),
        (
            "cors/actual",
            Box::new(|| {
                let mut r = response_headers();
                time(100_000, || {
                    black_box(cors::preflight(Some(&p), "GET", black_box(&with_origin)));
                    cors::apply(Some(&p), &with_origin, black_box(&mut r));
                })
            }),
        ),
        (
            "cors/preflight",
            Box::new(|| {
                time(100_000, || {
                    drop(black_box(p.preflight("OPTIONS", &preflight)))
                })
            }),
        ),
        (
            "access_log/off",
            Box::new(|| {
                let c = base.clone();
                time(100_000, || access_log::write(None, black_box(&c), FINISHED))
            }),
        ),
        (
            "access_log/clf",
            Box::new(|| {
                let c = base.clone();
                time(20_000, || {
                    access_log::write(Some((&clf, &Discard)), black_box(&c), FINISHED);
                })
            }),
        ),
        (
            "access_log/json",
            Box::new(|| {
                let c = base.clone();
                time(20_000, || {
                    access_log::write(Some((&json, &Discard)), black_box(&c), FINISHED);
                })
            }),
        ),
        (
            "access_log/anchor_format_clf",
            Box::new(|| time(20_000, || drop(black_box(anchor_clf())))),
        ),
        (
            "gateway/plain",
            Box::new(|| {
                time(5_000, || {
                    drop(black_box(block_on(
                        plain_gw.handle(get(false), Client::default()),
                    )))
                })
            }),
        ),
        (
            "gateway/cors_and_log",
            Box::new(|| {
                time(5_000, || {
                    drop(black_box(block_on(
                        full_gw.handle(get(true), Client::default()),
                    )))
                })
            }),
        ),
    ];
    let mut best = vec![Duration::MAX; cases.len()];
    for _ in 0..7 {
        for (i, (_, case)) in cases.iter_mut().enumerate() {
            best[i] = best[i].min(case());
        }
    }
    println!(
        "cors_log: best of 7 alternating rounds (goal: the stages with nothing to do under 100 ns)"
    );
    for ((name, _), d) in cases.iter().zip(best) {
        println!("  {name:<48} {:>10.1} ns", nanos(d));
    }
}

/// The anchor: the CLF line's eleven values formatted from locals.
fn anchor_clf() -> String {
    let (ip, caller, user) = (black_box("10.1.2.3"), black_box("-"), black_box("-"));
    let time = black_box("15/Jun/2026:05:12:43 +0000");
    let (method, resource, protocol) =
        (black_box("GET"), black_box("/items"), black_box("HTTP/1.1"));
    let (status, length) = (black_box(200u16), black_box(12usize));
    let (id, ext) = (
        black_box("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"),
        black_box("e_J36EirPHcEZgQ="),
    );
    format!(
        "{ip} {caller} {user} [{time}] \"{method} {resource} {protocol}\" {status} {length} {id} {ext}"
    )
}

fn bench(c: &mut Criterion) {
    summary();
    let p = policy();
    let plain = request_headers(false, false);
    let with_origin = request_headers(true, false);
    let preflight = request_headers(true, true);
    let mut g = c.benchmark_group("cors");
    g.bench_function("off", |b| {
        let mut r = response_headers();
        b.iter(|| {
            black_box(cors::preflight(None, "GET", black_box(&with_origin)));
            cors::apply(None, &with_origin, black_box(&mut r));
        });
    });
    g.bench_function("no_origin", |b| {
        let mut r = response_headers();
        b.iter(|| {
            black_box(cors::preflight(Some(&p), "GET", black_box(&plain)));
            cors::apply(Some(&p), &plain, black_box(&mut r));
        });
    });
    g.bench_function("actual", |b| {
        let mut r = response_headers();
        b.iter(|| {
            black_box(cors::preflight(Some(&p), "GET", black_box(&with_origin)));
            cors::apply(Some(&p), &with_origin, black_box(&mut r));
        });
    });
    g.bench_function("preflight", |b| {
        b.iter(|| p.preflight("OPTIONS", &preflight))
    });
    g.finish();

    let clf = AccessLogFormat::compile(access_log::CLF).unwrap_or_else(|e| panic!("{e}"));
    let json = AccessLogFormat::compile(access_log::JSON).unwrap_or_else(|e| panic!("{e}"));
    let base = log_context();
    let mut g = c.benchmark_group("access_log");
    g.bench_function("off", |b| {
        let ctx = base.clone();
        b.iter(|| access_log::write(None, black_box(&ctx), FINISHED));
    });
    g.bench_function("clf", |b| {
        let ctx = base.clone();
        b.iter(|| access_log::write(Some((&clf, &Discard)), black_box(&ctx), FINISHED));
    });
    g.bench_function("json", |b| {
        let ctx = base.clone();
        b.iter(|| access_log::write(Some((&json, &Discard)), black_box(&ctx), FINISHED));
    });
    g.bench_function("anchor_format_clf", |b| b.iter(anchor_clf));
    g.finish();

    let (plain_gw, full_gw) = (gateway(false, false), gateway(true, true));
    let mut g = c.benchmark_group("gateway");
    g.bench_function("plain", |b| {
        b.iter(|| block_on(plain_gw.handle(get(false), Client::default())));
    });
    g.bench_function("cors_and_log", |b| {
        b.iter(|| block_on(full_gw.handle(get(true), Client::default())));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
