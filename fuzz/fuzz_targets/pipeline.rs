#![no_main]
//! Pipeline fuzzing: arbitrary bytes as one HTTP request through `Gateway::handle` and
//! `Gateway::handle_endpoint` on the bundled pet store (`examples/apis/petstore.yaml`), with no
//! backends (integrations that need one answer 500: a configuration error, which is fine).
//!
//! The input reads like an HTTP/1.1 request: the first line is `METHOD target` (the target is
//! the path after the stage, query included), then `name: value` header lines up to the first
//! empty line, then the body (the rest, bytes as they are). A method or target `http` refuses
//! ends the input; a header it refuses is skipped. MOCK and a missing backend never wait, so
//! the future is driven by a noop-waker poll loop, bounded by `MAX_POLLS`.
//!
//! Asserted: no panic, the future completes, and every response carries `x-amzn-RequestId`
//! unless it is a front-end refusal (413, 414, 431), which API Gateway sends without one.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::pipeline::{Backends, Client, Gateway, Stage};
use http::{Request, Response, StatusCode};
use libfuzzer_sys::fuzz_target;

/// The bundled pet store, loaded once.
const PETSTORE: &[u8] = include_bytes!("../../examples/apis/petstore.yaml");

/// Most header lines read from one input: beyond API Gateway's 10 KB of headers anyway.
const MAX_HEADERS: usize = 512;

/// Most polls of one request's future; a future still pending then is a hang (nothing in the
/// pipeline waits without a backend).
const MAX_POLLS: usize = 1_000;

static GATEWAY: LazyLock<Gateway> = LazyLock::new(|| {
    let api = CompiledApi::load(PETSTORE, &CompileOptions::default())
        .unwrap_or_else(|e| panic!("the bundled pet store loads: {e}"));
    Gateway::new(Arc::new(api), Stage::new("prod"), Backends::default())
        .unwrap_or_else(|e| panic!("the stage is valid: {e}"))
});

/// Drives a future that never waits on I/O to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..MAX_POLLS {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("the pipeline's future did not complete without a backend");
}

/// The request the input describes, or `None` when its first line is not one.
fn request(data: &[u8], target_prefix: &str) -> Option<Request<Bytes>> {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &b""[..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next()?;
    let space = first.iter().position(|&b| b == b' ')?;
    let (method, target) = (&first[..space], &first[space + 1..]);
    let target = std::str::from_utf8(target).ok()?;
    let mut builder = Request::builder()
        .method(http::Method::from_bytes(method).ok()?)
        .uri(format!("{target_prefix}{target}"));
    for line in lines.take(MAX_HEADERS) {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = http::HeaderName::from_bytes(&line[..colon]);
        let value = http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (name, value) {
            builder = builder.header(name, value);
        }
    }
    builder.body(Bytes::copy_from_slice(body)).ok()
}

/// Every response API Gateway sends carries its request id (research pipeline-access.md 9:
/// LocalStack's `response_enricher`, after AWS), except the limits enforced in front of API
/// Gateway: payload 413, URL 414, headers 431 (research 9, "no request id" [aws-log 5]; 10).
fn check(response: &Response<Bytes>) {
    let front_end = [
        StatusCode::PAYLOAD_TOO_LARGE,
        StatusCode::URI_TOO_LONG,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    ];
    assert!(
        response.headers().contains_key("x-amzn-requestid")
            || front_end.contains(&response.status()),
        "a {} without a request id",
        response.status()
    );
}

fuzz_target!(|data: &[u8]| {
    let gateway = &*GATEWAY;
    if let Some(request) = request(data, "") {
        check(&block_on(gateway.handle(request, Client::default())));
    }
    if let Some(request) = request(data, "/prod") {
        let (response, _outcome) = block_on(gateway.handle_endpoint(request, Client::default()));
        check(&response);
    }
});
