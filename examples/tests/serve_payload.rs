//! The payload stages end to end over loopback, through a real `gateway serve` on
//! `tests/data/payload/api.yaml`: every row of API Gateway's two `contentHandling` tables for
//! non-proxy (HTTP) and proxy (HTTP_PROXY) integrations, `isBase64Encoded` in Lambda proxy
//! events and answers, and each compression rule (threshold, q-values, a body the integration
//! already encoded, request decompression before validation and mapping, the bomb).
//!
//! Sources: "DG tables" is the developer guide's "Content type conversions in API Gateway"
//! (request and response tables; research validate-route-compress.md 4.2); "DG compression" is
//! "Payload compression for REST APIs" (research 4.1).

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;

use bytes::Bytes;
use common::Scratch;
use common::loopback::{
    Served, invocation, invocation_answer, request_body, response_bytes, serve, start_server,
};
use flate2::read::{GzDecoder, ZlibDecoder};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

const API: &str = include_str!("data/payload/api.yaml");

/// base64 of "hi": the text payload.
const TEXT: &[u8] = b"aGk=";
/// Bytes that are not UTF-8: the binary payload (base64 `/wD+`).
const BINARY: &[u8] = &[0xff, 0x00, 0xfe];
/// [`BINARY`] read as UTF-8 text: each invalid byte a U+FFFD.
const BINARY_AS_TEXT: &[u8] = b"\xef\xbf\xbd\x00\xef\xbf\xbd";
const BIN_TYPE: &str = "application/octet-stream";
const TEXT_TYPE: &str = "text/plain";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// The backend: `/echo` answers what it received (body as hex, `Content-Encoding`);
/// `/bytes/text` and `/bytes/binary` answer the two payloads with a text and a binary
/// `Content-Type`; `/bytes/gzipped` a body it compressed itself.
async fn backend(
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let path = request.uri().path().to_owned();
    let encoding = request
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap_or("?").to_owned());
    let body = request_body(request).await;
    let (content_type, extra, body) = match path.as_str() {
        "/echo" => (
            "application/json",
            None,
            Bytes::from(json!({"hex": hex(&body), "encoding": encoding}).to_string()),
        ),
        "/bytes/text" => (TEXT_TYPE, None, Bytes::from_static(TEXT)),
        "/bytes/binary" => (BIN_TYPE, None, Bytes::from_static(BINARY)),
        "/bytes/gzipped" => (
            "application/json",
            Some("gzip"),
            Bytes::from(gzip(&br#"{"already":"gzipped"}"#.repeat(100))),
        ),
        _ => ("text/plain", None, Bytes::from_static(b"no such path")),
    };
    let mut response = hyper::Response::builder().header("content-type", content_type);
    if let Some(e) = extra {
        response = response.header("content-encoding", e);
    }
    Ok(response.body(Full::new(body)).expect("a response"))
}

/// A Lambda Invoke API: `Echo` answers the event as its body, `Binary` a base64 body with
/// `isBase64Encoded: true`, `BadBase64` the same flag on text that is not base64.
async fn lambda_service(
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (name, event) = invocation(request).await;
    let payload = match name.as_str() {
        "Echo" => json!({"statusCode": 200, "body": event.to_string()}),
        "Binary" => json!({"statusCode": 200, "headers": {"content-type": "image/png"},
                           "body": "aGk=", "isBase64Encoded": true}),
        _ => json!({"statusCode": 200, "body": "%%% not base64", "isBase64Encoded": true}),
    };
    invocation_answer(&payload, None)
}

/// `gateway serve` on `api` at stage `test`, with the test's backend and Lambda service.
fn serve_api(api: &str, backend: SocketAddr, lambda: SocketAddr) -> Served {
    serve(
        std::path::Path::new(api),
        &[
            "--stage",
            "test",
            "--stage-var",
            &format!("backend={backend}"),
            "--lambda-endpoint",
            &format!("http://{lambda}"),
        ],
    )
}

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Answer {
    /// API Gateway's 500 for a configuration error (research 5: the 5XX body has a space).
    fn assert_internal_server_error(&self, what: &str) {
        assert_eq!(self.status, 500, "{what}");
        assert_eq!(
            self.body, r#"{"message": "Internal server error"}"#,
            "{what}"
        );
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("JSON, got {:?}", String::from_utf8_lossy(&self.body)))
    }
}

struct Caller {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Caller {
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Answer {
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request.body(Full::new(body.into())).expect("a request");
        let response = self.client.request(request).await.expect("an answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response_bytes(response).await;
        Answer {
            status,
            headers,
            body,
        }
    }

    /// POSTs `body` with `content_type` to `path` (an integration to `/echo`) and returns
    /// what the backend received.
    async fn received(&self, path: &str, content_type: &str, body: &'static [u8]) -> String {
        let answer = self
            .send(
                "POST",
                path,
                &[
                    ("content-type", content_type),
                    ("accept", "application/json"),
                ],
                body,
            )
            .await;
        assert_eq!(answer.status, 200, "{path}: {:?}", answer.body);
        answer.json()["hex"].as_str().expect("hex").to_owned()
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.send("GET", path, headers, Bytes::new()).await
    }
}

struct Setup {
    _scratch: Scratch,
    _with: Served,
    _without: Served,
    /// The API with `binaryMediaTypes`.
    with: Caller,
    /// The same API without (the tables' "Undefined" rows).
    without: Caller,
}

async fn setup(name: &str) -> Setup {
    let backend = start_server(backend).await;
    let lambda = start_server(lambda_service).await;
    let scratch = Scratch::new("payload", name);
    let with_file = scratch.file("with.yaml", API);
    let stripped: String = API
        .lines()
        .filter(|l| !l.starts_with("x-amazon-apigateway-binary-media-types"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(
        stripped.len(),
        API.len() + 1,
        "the test API names binary media types"
    );
    let without_file = scratch.file("without.yaml", stripped);
    let with_served = serve_api(&with_file, backend, lambda);
    let without_served = serve_api(&without_file, backend, lambda);
    let client = Client::builder(TokioExecutor::new()).build_http();
    Setup {
        with: Caller {
            client: client.clone(),
            base: with_served.base.clone(),
        },
        without: Caller {
            client,
            base: without_served.base.clone(),
        },
        _scratch: scratch,
        _with: with_served,
        _without: without_served,
    }
}

/// A request-table row: binaryMediaTypes set, Content-Type, payload, contentHandling (the
/// route's last segment), what the backend gets.
type RequestRow = (
    bool,
    &'static str,
    &'static [u8],
    &'static str,
    &'static [u8],
);

/// A response-table row: binaryMediaTypes set, the backend's payload kind, Accept, the
/// integration response's contentHandling, what the client gets.
type ResponseRow = (
    bool,
    &'static str,
    &'static str,
    &'static str,
    &'static [u8],
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_table_for_proxy_and_non_proxy_integrations() {
    let s = setup("request").await;
    // Each row of the DG request table, for HTTP (/req/...) and HTTP_PROXY (/preq/...):
    // (binaryMediaTypes set, Content-Type, payload, contentHandling, what the backend gets).
    let rows: [RequestRow; 11] = [
        // binaryMediaTypes undefined: any payload is text.
        (false, TEXT_TYPE, TEXT, "none", TEXT),
        (false, BIN_TYPE, BINARY, "none", BINARY_AS_TEXT),
        (false, TEXT_TYPE, TEXT, "binary", b"hi"),
        (false, TEXT_TYPE, TEXT, "text", TEXT),
        // Set, with a text Content-Type.
        (true, TEXT_TYPE, TEXT, "none", TEXT),
        (true, TEXT_TYPE, TEXT, "binary", b"hi"),
        (true, TEXT_TYPE, TEXT, "text", TEXT),
        // Set, with a binary Content-Type: the bytes pass untouched, or as base64 text.
        (true, BIN_TYPE, BINARY, "none", BINARY),
        (true, BIN_TYPE, BINARY, "binary", BINARY),
        (true, BIN_TYPE, BINARY, "text", b"/wD+"),
        // A wildcard entry (image/*) matches image/png.
        (true, "image/png", BINARY, "none", BINARY),
    ];
    for (set, content_type, payload, handling, expected) in rows {
        let caller = if set { &s.with } else { &s.without };
        for prefix in ["/req", "/preq"] {
            let path = format!("{prefix}/{handling}");
            let got = caller.received(&path, content_type, payload).await;
            assert_eq!(
                got,
                hex(expected),
                "{path}, binaryMediaTypes set: {set}, {content_type}"
            );
        }
    }
    // Text that CONVERT_TO_BINARY cannot decode: 500 Internal server error (DG binary
    // support: a failed conversion is a 500 API configuration error, research 4.2; research 5:
    // the 500 body with its space).
    for prefix in ["/req", "/preq"] {
        let answer = s
            .with
            .send(
                "POST",
                &format!("{prefix}/binary"),
                &[("content-type", TEXT_TYPE)],
                "not base64!",
            )
            .await;
        answer.assert_internal_server_error(prefix);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_response_table_for_proxy_and_non_proxy_integrations() {
    let s = setup("response").await;
    const BIN_ACCEPT: &str = "application/octet-stream";
    const TEXT_ACCEPT: &str = "application/json";
    // Each row of the DG response table: (binaryMediaTypes set, integration payload, Accept,
    // the integration response's contentHandling, what the client gets). The backend labels
    // its text payload text/plain and its binary one application/octet-stream.
    let rows: [ResponseRow; 17] = [
        // Undefined: "text or binary" payload, text Accept.
        (false, "text", TEXT_ACCEPT, "none", TEXT),
        (false, "binary", TEXT_ACCEPT, "none", BINARY_AS_TEXT),
        (false, "text", TEXT_ACCEPT, "binary", b"hi"),
        (false, "text", TEXT_ACCEPT, "text", TEXT),
        (false, "binary", TEXT_ACCEPT, "text", BINARY_AS_TEXT),
        // Set: text payload.
        (true, "text", TEXT_ACCEPT, "none", TEXT),
        (true, "text", TEXT_ACCEPT, "binary", b"hi"),
        (true, "text", TEXT_ACCEPT, "text", TEXT),
        (true, "text", BIN_ACCEPT, "none", b"hi"),
        (true, "text", BIN_ACCEPT, "binary", b"hi"),
        (true, "text", BIN_ACCEPT, "text", TEXT),
        // Set: binary payload.
        (true, "binary", TEXT_ACCEPT, "none", b"/wD+"),
        (true, "binary", TEXT_ACCEPT, "binary", BINARY),
        (true, "binary", TEXT_ACCEPT, "text", b"/wD+"),
        (true, "binary", BIN_ACCEPT, "none", BINARY),
        (true, "binary", BIN_ACCEPT, "binary", BINARY),
        (true, "binary", BIN_ACCEPT, "text", b"/wD+"),
    ];
    for (set, kind, accept, handling, expected) in rows {
        let caller = if set { &s.with } else { &s.without };
        let path = format!("/res/{handling}/{kind}");
        let answer = caller.get(&path, &[("accept", accept)]).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(
            answer.body, expected,
            "{path}, binaryMediaTypes set: {set}, Accept {accept}"
        );
        // HTTP_PROXY has no integration response: the rows without contentHandling.
        if handling == "none" {
            let path = format!("/pres/{kind}");
            let answer = caller.get(&path, &[("accept", accept)]).await;
            assert_eq!(answer.status, 200, "{path}");
            assert_eq!(
                answer.body, expected,
                "{path}, binaryMediaTypes set: {set}, Accept {accept}"
            );
        }
    }
    // Only the first Accept type counts (DG tables: only the first Accept media type is
    // taken; recorded by LocalStack's test_aws_proxy_binary_response, research 4.2).
    let first_text = s
        .with
        .get(
            "/res/none/binary",
            &[("accept", "text/html,application/octet-stream")],
        )
        .await;
    assert_eq!(first_text.body, "/wD+");
    let first_binary = s
        .with
        .get("/res/none/binary", &[("accept", "image/png,text/html")])
        .await;
    assert_eq!(first_binary.body, BINARY);
    // A text payload that the response must base64-decode and cannot: 500 (DG binary
    // support, research 4.2).
    let failed = s
        .with
        .get("/res/binary/binary", &[("accept", TEXT_ACCEPT)])
        .await;
    assert_eq!(
        failed.status, 200,
        "binary payload under CONVERT_TO_BINARY: untouched"
    );
    let failed = s
        .without
        .get("/res/binary/binary", &[("accept", TEXT_ACCEPT)])
        .await;
    failed.assert_internal_server_error("binary payload read as text under CONVERT_TO_BINARY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_proxy_is_base64_encoded_both_ways() {
    let s = setup("lambda").await;
    // A binary request reaches the function base64-encoded with isBase64Encoded true; a text
    // one as text with false (DG "Return binary media from a Lambda proxy integration";
    // research pipeline-access.md 1.2).
    let answer = s
        .with
        .send(
            "POST",
            "/lambda/echo",
            &[("content-type", BIN_TYPE)],
            BINARY,
        )
        .await;
    assert_eq!(answer.status, 200);
    let event: Value = serde_json::from_slice(&answer.body).expect("the event");
    assert_eq!(event["isBase64Encoded"], true);
    assert_eq!(event["body"], "/wD+");
    let answer = s
        .with
        .send(
            "POST",
            "/lambda/echo",
            &[("content-type", TEXT_TYPE)],
            "hello",
        )
        .await;
    let event: Value = serde_json::from_slice(&answer.body).expect("the event");
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["body"], "hello");
    // Without binaryMediaTypes the same bytes are text.
    let answer = s
        .without
        .send(
            "POST",
            "/lambda/echo",
            &[("content-type", BIN_TYPE)],
            BINARY,
        )
        .await;
    let event: Value = serde_json::from_slice(&answer.body).expect("the event");
    assert_eq!(event["isBase64Encoded"], false);

    // isBase64Encoded answers are decoded only for a binary Accept; the function's own
    // Content-Type plays no part (research 4.2, recorded test_aws_proxy_binary_response;
    // pipeline-access.md 1.6 `invoke-api-b64-encoded-true`).
    let raw = s
        .with
        .send("POST", "/lambda/binary", &[("accept", "image/png")], "")
        .await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body, "hi");
    assert_eq!(raw.headers["content-type"], "image/png");
    let text = s
        .with
        .send(
            "POST",
            "/lambda/binary",
            &[("accept", "application/json")],
            "",
        )
        .await;
    assert_eq!(text.body, "aGk=");
    let unset = s
        .without
        .send("POST", "/lambda/binary", &[("accept", "image/png")], "")
        .await;
    assert_eq!(unset.body, "aGk=");
    // Not base64 where base64 is required: 500 (research 4.2: "Bad base64 -> 500").
    let bad = s
        .with
        .send("POST", "/lambda/bad", &[("accept", "image/png")], "")
        .await;
    bad.assert_internal_server_error("isBase64Encoded on text that is not base64");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_compressed_by_the_rules() {
    let s = setup("compress").await;
    let plain = s.with.get("/big", &[]).await;
    assert_eq!(plain.status, 200);
    // No Accept-Encoding: not compressed (DG compression: without the header the response
    // is not compressed; research 4.1).
    assert!(!plain.headers.contains_key("content-encoding"));
    assert!(plain.body.len() >= 1024, "{}", plain.body.len());

    // At or over minimumCompressionSize, gzip asked: gzip, with Vary and the new length.
    let gz = s.with.get("/big", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.headers["content-encoding"], "gzip");
    assert_eq!(gz.headers["vary"], "Accept-Encoding");
    assert_eq!(
        gz.headers["content-length"],
        gz.body.len().to_string().as_str()
    );
    assert!(gz.body.len() < plain.body.len());
    let mut unzipped = Vec::new();
    GzDecoder::new(&gz.body[..])
        .read_to_end(&mut unzipped)
        .expect("gzip");
    assert_eq!(unzipped, plain.body);

    // Under the threshold: as is (DG compression: compressed only when the payload after
    // mapping is at least minimumCompressionSize).
    let small = s.with.get("/small", &[("accept-encoding", "gzip")]).await;
    assert!(!small.headers.contains_key("content-encoding"));
    assert_eq!(small.body, r#"{"pets":[]}"#);

    // q-values (DG compression's supported forms; the top-q coding must be supported).
    for (accept_encoding, expected) in [
        ("deflate;q=0.5,gzip;q=1.0", Some("gzip")),
        ("gzip;q=1.0,identity;q=0.5,*;q=0", Some("gzip")),
        ("gzip;q=0.2,deflate", Some("deflate")),
        ("*", Some("gzip")),
        ("br;q=1, gzip;q=0.8", None),
        ("identity", None),
        ("", None),
    ] {
        let answer = s
            .with
            .get("/big", &[("accept-encoding", accept_encoding)])
            .await;
        assert_eq!(
            answer
                .headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            expected,
            "Accept-Encoding: {accept_encoding:?}"
        );
        if expected == Some("deflate") {
            // deflate is zlib-wrapped (RFC 9110 8.4.1.2).
            let mut inflated = Vec::new();
            ZlibDecoder::new(&answer.body[..])
                .read_to_end(&mut inflated)
                .expect("zlib");
            assert_eq!(inflated, plain.body);
        }
    }

    // The integration set Content-Encoding: passed through, not compressed again (DG
    // compression: such a payload is taken as already compressed; research 4.1).
    let passed = s
        .with
        .get("/pres/gzipped", &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(passed.status, 200);
    let values: Vec<_> = passed.headers.get_all("content-encoding").iter().collect();
    assert_eq!(values, ["gzip"]);
    assert_eq!(passed.body, gzip(&br#"{"already":"gzipped"}"#.repeat(100)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_requests_are_decoded_before_validation_and_mapping() {
    let s = setup("decompress").await;
    let json = [
        ("content-type", "application/json"),
        ("content-encoding", "gzip"),
    ];
    // Decoded, then validated against the model and mapped by the template (DG compression:
    // decompression comes before mapping templates and validation; research 4.1).
    let ok = s
        .with
        .send("POST", "/mapped", &json, gzip(br#"{"name":"rex"}"#))
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let echo = ok.json();
    assert_eq!(echo["hex"], hex(br#"{"got":"rex"}"#));
    assert_eq!(
        echo["encoding"],
        Value::Null,
        "the backend gets the decoded body"
    );
    let invalid = s.with.send("POST", "/mapped", &json, gzip(b"{}")).await;
    // research 1.3: the default 400 for a body the model refuses, rendered by the default
    // template `{"message":$context.error.messageString}`.
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.body, r#"{"message":"Invalid request body"}"#);

    // deflate, raw or zlib-wrapped, passed through to the backend decoded.
    let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    raw.write_all(b"plain words").expect("deflate");
    let answer = s
        .with
        .send(
            "POST",
            "/req/none",
            &[("content-type", TEXT_TYPE), ("content-encoding", "deflate")],
            raw.finish().expect("deflate"),
        )
        .await;
    assert_eq!(answer.json()["hex"], hex(b"plain words"));

    // An unsupported coding, or a body not in its coding: 415 Unsupported Media Type (DG
    // compression; the UNSUPPORTED_MEDIA_TYPE gateway response's default body).
    for (coding, body) in [("gzip", &b"not gzip at all"[..]), ("br", &b"x"[..])] {
        let refused = s
            .with
            .send(
                "POST",
                "/req/none",
                &[("content-type", TEXT_TYPE), ("content-encoding", coding)],
                body,
            )
            .await;
        assert_eq!(refused.status, 415, "{coding}");
        assert_eq!(refused.body, r#"{"message":"Unsupported Media Type"}"#);
        assert_eq!(refused.headers["x-amzn-errortype"], "BadRequestException");
    }

    // A bomb: 11 MiB of zeros in about 11 KB. The 10 MB payload limit applies to the
    // decompressed size; decoding stops there (413 with the limit's message, research
    // pipeline-access.md 5), and the server keeps serving.
    let bomb = gzip(&vec![0u8; 11 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024);
    let refused = s
        .with
        .send(
            "POST",
            "/req/none",
            &[("content-type", TEXT_TYPE), ("content-encoding", "gzip")],
            bomb,
        )
        .await;
    assert_eq!(refused.status, 413);
    assert_eq!(refused.body, "HTTP content length exceeded 10485760 bytes.");
    let after = s.with.get("/small", &[]).await;
    assert_eq!(after.status, 200);
}
