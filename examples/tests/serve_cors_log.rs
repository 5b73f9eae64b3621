//! CORS and access logs end to end over loopback: the real `gateway serve` binary, real
//! HTTP/1.1 requests, its standard output read line by line.
//!
//! - CORS as REST APIs do it (configured `OPTIONS` MOCK methods, gateway responses with CORS
//!   headers): `tests/data/cors_rest_api.yaml` and the bundled pet store;
//! - CORS as HTTP APIs configure it (`x-amazon-apigateway-cors`, answered by the gateway):
//!   `tests/data/cors_http_api.yaml`;
//! - access-log lines (`--access-log FORMAT|clf|json|xml|csv`), and a sink that fails or
//!   blocks never failing or slowing a request.
//!
//! Facts are cited beside the assertions (research notes in ../shared/research).

mod common;

use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// A `gateway serve` process, killed on drop.
struct Served {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
    /// The stage, the first path segment.
    stage: String,
    /// Standard output's lines after `listening on`, when read; else the pipe itself.
    lines: Option<Receiver<String>>,
    stdout: Option<BufReader<ChildStdout>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn petstore() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("apis/petstore.yaml")
}

/// Starts `gateway serve api --port 0 args...`; `read_lines` reads the rest of standard
/// output into a channel, else the pipe is kept unread.
fn serve(api: &Path, args: &[&str], read_lines: bool) -> Served {
    let (child, url, stdout) = common::start_serve(api, args);
    let url = url.strip_prefix("http://").expect("an http URL");
    let (address, stage) = url.split_once('/').expect("ADDR/STAGE");
    let (address, stage) = (address.to_owned(), stage.to_owned());
    let (lines, stdout) = if read_lines {
        (Some(common::line_channel(stdout)), None)
    } else {
        (None, Some(stdout))
    };
    Served {
        child,
        address,
        stage,
        lines,
        stdout,
    }
}

impl Served {
    /// The next line of standard output (an access-log line), waiting up to 10 s.
    fn next_line(&self) -> String {
        self.lines
            .as_ref()
            .expect("lines are read")
            .recv_timeout(Duration::from_secs(10))
            .expect("a log line within 10 s")
    }

    /// Sends one request to `/{stage}{path}`.
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        request(
            &self.address,
            method,
            &format!("/{}{path}", self.stage),
            headers,
            body,
        )
    }
}

/// A response: status, headers (names lowercased) and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn cors_headers(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .headers
            .keys()
            .map(String::as_str)
            .filter(|n| n.starts_with("access-control-"))
            .collect();
        names.sort_unstable();
        names
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`), read to the end.
fn request(
    address: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut text = format!(
        "{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    stream.write_all(text.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

const ORIGIN: &str = "https://app.example.com";

fn preflight_headers(
    origin: &'static str,
    method: &'static str,
) -> Vec<(&'static str, &'static str)> {
    vec![
        ("Origin", origin),
        ("Access-Control-Request-Method", method),
        ("Access-Control-Request-Headers", "content-type"),
    ]
}

#[test]
fn rest_apis_answer_preflights_through_their_options_methods() {
    let served = serve(&data("cors_rest_api.yaml"), &[], false);

    // The preflight is routed to the OPTIONS method: a MOCK whose integration response sets
    // the single-quoted literals; 200, as the console-generated method answers (research
    // validate-route-compress.md 6.1; developer guide, how-to-cors-console).
    let answer = served.send("OPTIONS", "/items", &preflight_headers(ORIGIN, "GET"), "");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        answer.header("access-control-allow-methods"),
        Some("GET,OPTIONS")
    );
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token")
    );
    // No CORS logic of the gateway's own: the configured values whatever the origin (6.1).
    let other = served.send(
        "OPTIONS",
        "/items",
        &preflight_headers("https://elsewhere.example", "DELETE"),
        "",
    );
    assert_eq!(other.status, 200);
    assert_eq!(
        other.header("access-control-allow-methods"),
        Some("GET,OPTIONS")
    );

    // The actual method returns Access-Control-Allow-Origin through its integration
    // response (6.1: "the actual methods must also return Access-Control-Allow-Origin").
    let actual = served.send("GET", "/items", &[("Origin", ORIGIN)], "");
    assert_eq!(actual.status, 200);
    assert_eq!(actual.body, r#"{"items":[]}"#);
    assert_eq!(actual.header("access-control-allow-origin"), Some("*"));

    // A preflight where no OPTIONS method exists is not answered by the gateway: routing
    // fails with 403 Missing Authentication Token (research 3.1), and DEFAULT_4XX's
    // configured CORS headers let the browser see it (6.1: error responses need CORS headers
    // through gateway responses).
    let missing = served.send("OPTIONS", "/nowhere", &preflight_headers(ORIGIN, "GET"), "");
    assert_eq!(missing.status, 403);
    assert_eq!(
        missing.body,
        r#"{"message":"Missing Authentication Token"}"#
    );
    assert_eq!(missing.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        missing.header("access-control-allow-headers"),
        Some("Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token")
    );
    // DEFAULT_5XX: an integration that cannot connect, 504 (research pipeline-access.md
    // 3.1), with the configured Access-Control-Allow-Origin.
    let down = served.send("GET", "/down", &[("Origin", ORIGIN)], "");
    assert_eq!(down.status, 504);
    assert_eq!(down.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn the_bundled_pet_store_has_the_console_generated_cors_setup() {
    let served = serve(&petstore(), &[], false);
    // OPTIONS MOCK methods on /pets and /pets/{petId}, as the console's "Enable CORS" makes
    // them (research 6.1: the resource's verbs, origin '*', the console's default headers).
    let pets = served.send("OPTIONS", "/pets", &preflight_headers(ORIGIN, "POST"), "");
    assert_eq!(pets.status, 200, "{pets:?}");
    assert_eq!(pets.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        pets.header("access-control-allow-methods"),
        Some("GET,POST,OPTIONS")
    );
    assert_eq!(pets.header("access-control-max-age"), Some("600"));
    let pet = served.send(
        "OPTIONS",
        "/pets/7",
        &preflight_headers(ORIGIN, "DELETE"),
        "",
    );
    assert_eq!(pet.status, 200);
    assert_eq!(
        pet.header("access-control-allow-methods"),
        Some("GET,DELETE,OPTIONS")
    );
    // A rejected request (400 BAD_REQUEST_BODY, customised with CORS headers) still reaches
    // the browser (research 6.1 and 5).
    let bad = served.send(
        "POST",
        "/pets?storeId=s1",
        &[
            ("Origin", ORIGIN),
            ("Content-Type", "application/json"),
            ("X-Request-Id", "r1"),
        ],
        r#"{"name": 3}"#,
    );
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(bad.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn http_api_cors_is_answered_by_the_gateway() {
    let served = serve(&data("cors_http_api.yaml"), &[], false);

    // A preflight is answered by the gateway itself, "even if there isn't an OPTIONS route"
    // (developer guide, http-api-cors; research 6.2); 204 [unverified, research 6.2].
    let answer = served.send("OPTIONS", "/items", &preflight_headers(ORIGIN, "POST"), "");
    assert_eq!(answer.status, 204, "{answer:?}");
    assert_eq!(answer.body, "");
    // With allowCredentials the allowed origin is echoed (a `*` would be refused by browsers
    // for credentialed requests, and AWS refuses `*` with credentials: research 6.2).
    assert_eq!(answer.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(
        answer.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        answer.header("access-control-allow-methods"),
        Some("GET,POST")
    );
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("content-type,x-api-key")
    );
    assert_eq!(answer.header("access-control-max-age"), Some("600"));
    // The headers API Gateway adds to every response (research pipeline-access.md 9).
    assert!(answer.header("x-amzn-requestid").is_some());
    // Any path: no route is needed.
    let anywhere = served.send(
        "OPTIONS",
        "/no/such/path",
        &preflight_headers(ORIGIN, "GET"),
        "",
    );
    assert_eq!(anywhere.status, 204);
    assert_eq!(anywhere.header("access-control-allow-origin"), Some(ORIGIN));

    // An origin the configuration does not allow: no CORS headers, so the browser blocks
    // the call (research 6.2: CORS headers only for an allowed Origin).
    let evil = served.send(
        "OPTIONS",
        "/items",
        &preflight_headers("https://evil.example", "GET"),
        "",
    );
    assert_eq!(evil.status, 204);
    assert!(evil.cors_headers().is_empty(), "{evil:?}");

    // An OPTIONS without Access-Control-Request-Method is no preflight: it is routed, and
    // /items has no OPTIONS method (developer guide: "For the OPTIONS method, your request
    // must include the origin header and the Access-Control-Request-Method header").
    let plain = served.send("OPTIONS", "/items", &[("Origin", ORIGIN)], "");
    assert_eq!(plain.status, 403);
    assert_eq!(plain.body, r#"{"message":"Missing Authentication Token"}"#);

    // The actual request: the configured headers, and the integration's own
    // Access-Control-Allow-Origin ignored ("API Gateway ignores CORS headers returned from
    // your backend integration").
    let actual = served.send("GET", "/items", &[("Origin", ORIGIN)], "");
    assert_eq!(actual.status, 200);
    assert_eq!(actual.body, r#"{"items":[]}"#);
    assert_eq!(actual.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(
        actual.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        actual.header("access-control-expose-headers"),
        Some("x-amzn-requestid,date")
    );
    assert!(actual.header("access-control-allow-methods").is_none());
    // Without an Origin, no CORS headers, the integration's still dropped ("To return CORS
    // headers, your request must contain an origin header").
    let no_origin = served.send("GET", "/items", &[], "");
    assert_eq!(no_origin.status, 200);
    assert!(no_origin.cors_headers().is_empty(), "{no_origin:?}");
    // From another origin: none either.
    let evil = served.send("GET", "/items", &[("Origin", "https://evil.example")], "");
    assert!(evil.cors_headers().is_empty());

    // Failures (gateway responses) carry the CORS headers too, so the browser sees them.
    let missing = served.send("GET", "/nowhere", &[("Origin", ORIGIN)], "");
    assert_eq!(missing.status, 403);
    assert_eq!(missing.header("access-control-allow-origin"), Some(ORIGIN));
}

#[test]
fn a_credentialed_star_origin_does_not_load() {
    // AWS refuses it at configuration time: 400 "allow-credentials is not supported if
    // 'allow-origin' is *" (research 6.2, via aws-cdk#9076).
    let scratch = common::Scratch::new("cors", "star");
    let api = scratch.file(
        "api.yaml",
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\nx-amazon-apigateway-cors:\n  \
         allowOrigins: ['*']\n  allowCredentials: true\npaths: {}\n",
    );
    let out = common::run_gateway(&["routes", &api], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("allow-credentials is not supported if 'allow-origin' is *"),
        "{}",
        common::stderr(&out)
    );
}

/// The `[dd/Mon/yyyy:HH:MM:SS +0000]` of a CLF line, checked by shape.
fn is_clf_time(text: &str) -> bool {
    let b = text.as_bytes();
    text.len() == 26 && b[2] == b'/' && b[6] == b'/' && b[11] == b':' && text.ends_with(" +0000")
}

#[test]
fn access_log_lines_in_the_console_formats() {
    // CLF (research pipeline-access.md 11: the console's format; unset variables print `-`).
    let served = serve(&petstore(), &["--access-log", "clf"], true);
    let answer = served.send("GET", "/pets/1", &[("User-Agent", "test/1")], "");
    assert_eq!(answer.status, 200);
    let line = served.next_line();
    let request_id = answer.header("x-amzn-requestid").expect("a request id");
    let extended_id = answer.header("x-amz-apigw-id").expect("an extended id");
    let (before, after) = line.split_once(" [").expect("a time");
    assert_eq!(before, "127.0.0.1 - -", "{line}");
    let (time, rest) = after.split_once("] ").expect("a time");
    assert!(is_clf_time(time), "{time}");
    assert_eq!(
        rest,
        format!(
            "\"GET /pets/{{petId}} HTTP/1.1\" 200 {} {request_id} {extended_id}",
            answer.body.len()
        )
    );
    // A failure: the resource path is unset before routing, so `-`.
    let missing = served.send("GET", "/nowhere", &[], "");
    assert_eq!(missing.status, 403);
    let line = served.next_line();
    assert!(
        line.contains(&format!("\"GET - HTTP/1.1\" 403 {} ", missing.body.len())),
        "{line}"
    );
    drop(served);

    // JSON: a JSON object per line, unauthenticated caller and user `-`.
    let served = serve(&petstore(), &["--access-log", "json"], true);
    let answer = served.send("GET", "/pets/2", &[], "");
    let line: serde_json::Value = serde_json::from_str(&served.next_line()).expect("a JSON line");
    assert_eq!(
        line["requestId"],
        answer.header("x-amzn-requestid").unwrap()
    );
    assert_eq!(line["caller"], "-");
    assert_eq!(line["user"], "-");
    assert_eq!(line["ip"], "127.0.0.1");
    assert_eq!(line["httpMethod"], "GET");
    assert_eq!(line["resourcePath"], "/pets/{petId}");
    assert_eq!(line["status"], "200");
    assert_eq!(line["protocol"], "HTTP/1.1");
    assert_eq!(line["responseLength"], answer.body.len().to_string());
    drop(served);

    // XML and CSV.
    let served = serve(&petstore(), &["--access-log", "xml"], true);
    let answer = served.send("OPTIONS", "/pets", &preflight_headers(ORIGIN, "GET"), "");
    let line = served.next_line();
    let id = answer.header("x-amzn-requestid").unwrap();
    assert!(
        line.starts_with(&format!("<request id=\"{id}\"> ")),
        "{line}"
    );
    assert!(line.contains("<httpMethod>OPTIONS</httpMethod>"), "{line}");
    assert!(line.contains("<status>200</status>"), "{line}");
    assert!(line.contains("<caller>-</caller>"), "{line}");
    assert!(line.ends_with("</request>"), "{line}");
    drop(served);
    let served = serve(&petstore(), &["--access-log", "csv"], true);
    let answer = served.send("GET", "/pets/3", &[], "");
    let line = served.next_line();
    let fields: Vec<&str> = line.split(',').collect();
    assert_eq!(fields.len(), 11, "{line}");
    assert_eq!(&fields[..3], ["127.0.0.1", "-", "-"]);
    assert_eq!(&fields[4..8], ["GET", "/pets/{petId}", "HTTP/1.1", "200"]);
    assert_eq!(fields[9], answer.header("x-amzn-requestid").unwrap());
}

#[test]
fn a_custom_access_log_format_sees_the_final_context() {
    let format = "$context.requestId|$context.status|$context.error.responseType|\
                  $context.error.messageString|$context.integrationErrorMessage|\
                  $context.responseLength|$context.responseLatency|$context.authorizer.principalId|\
                  $context.stage|$context.customDomain.basePathMatched";
    let served = serve(&data("cors_rest_api.yaml"), &["--access-log", format], true);
    // A success: no error, no authorizer: `-` (research 11).
    let ok = served.send("GET", "/items", &[], "");
    let line = served.next_line();
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields[0], ok.header("x-amzn-requestid").unwrap());
    assert_eq!(fields[1..6], ["200", "-", "-", "-", "12"], "{line}");
    assert!(fields[6].parse::<u64>().is_ok(), "{line}");
    // $context.customDomain.basePathMatched prints (none) without a custom domain (research 11).
    assert_eq!(fields[7..], ["-", "prod", "(none)"], "{line}");
    // A failing integration: the error variables, the quoted messageString (research 11:
    // "prints the quoted message").
    let down = served.send("GET", "/down", &[], "");
    assert_eq!(down.status, 504);
    let line = served.next_line();
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(
        fields[1..5],
        [
            "504",
            "INTEGRATION_FAILURE",
            "\"Network error communicating with endpoint\"",
            "Network error communicating with endpoint"
        ],
        "{line}"
    );
    assert_eq!(fields[5], down.body.len().to_string());
    // The gateway's own line is replaced by the access log: nothing else was printed.
    assert!(
        served
            .lines
            .as_ref()
            .unwrap()
            .recv_timeout(Duration::from_millis(200))
            .is_err()
    );
}

#[test]
fn a_format_without_a_request_id_is_refused() {
    // AWS: the format must include $context.requestId or $context.extendedRequestId.
    let out = common::run_gateway(
        &[
            "serve",
            &petstore().to_string_lossy(),
            "--port",
            "0",
            "--access-log",
            "$context.status",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("$context.requestId or $context.extendedRequestId"),
        "{}",
        common::stderr(&out)
    );
}

/// Sends `n` requests one after another; returns the slowest.
fn slowest_of(served: &Served, n: usize) -> Duration {
    let mut slowest = Duration::ZERO;
    for _ in 0..n {
        let started = Instant::now();
        let answer = served.send("GET", "/items", &[], "");
        assert_eq!(answer.status, 200);
        slowest = slowest.max(started.elapsed());
    }
    slowest
}

#[test]
fn a_failing_or_blocked_log_sink_never_fails_or_slows_a_request() {
    // stdout never read: the pipe fills after a few hundred lines and the writer blocks;
    // requests go on at full speed (lines queue, then drop).
    let blocked = serve(&data("cors_rest_api.yaml"), &["--access-log", "clf"], false);
    let slowest = slowest_of(&blocked, 1500);
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
    assert!(blocked.stdout.is_some());
    drop(blocked);

    // stdout closed: every write fails; requests are untouched.
    let mut closed = serve(&data("cors_rest_api.yaml"), &["--access-log", "clf"], false);
    drop(closed.stdout.take());
    let slowest = slowest_of(&closed, 200);
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
    assert!(
        closed.child.try_wait().expect("status").is_none(),
        "still serving"
    );
}
