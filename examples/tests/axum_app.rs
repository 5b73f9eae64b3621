//! `axum-app` end to end over loopback: the real binary, the bundled pet store mounted under
//! `/api` next to the application's own `/health`. Facts are cited beside the assertions.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The running app, killed on drop.
struct App {
    child: Child,
    base: String,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `axum-app --port 0` and reads the address from its first line.
fn start() -> App {
    let mut child = Command::new(env!("CARGO_BIN_EXE_axum-app"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("axum-app starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    let base = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    App { child, base }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Sends one request; status, headers and body text.
async fn send(client: &HttpClient, method: &str, url: &str) -> (u16, http::HeaderMap, String) {
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .body(Full::new(Bytes::new()))
        .expect("a request");
    let response = client.request(request).await.expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_answers_under_api_next_to_the_apps_own_routes() {
    let app = start();
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let url = |path: &str| format!("{}{path}", app.base);

    // The application's own route.
    let (status, _, body) = send(&client, "GET", &url("/health")).await;
    assert_eq!((status, body.as_str()), (200, "ok"));

    // A MOCK route of the pet store: its CORS preflight. The headers are the integration
    // response's static responseParameters, as the developer guide's "Enable CORS on a
    // resource using the API Gateway import API" sets them up on a MOCK OPTIONS method.
    let (status, headers, _) = send(&client, "OPTIONS", &url("/api/pets")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(headers["access-control-allow-methods"], "GET,POST,OPTIONS");
    assert_eq!(headers["access-control-max-age"], "600");
    // research pipeline-access.md 9: every gateway response carries x-amzn-RequestId.
    assert!(headers.contains_key("x-amzn-requestid"));

    // An HTTP_PROXY route, answered by the examples' in-process pet store backend.
    let (status, _, body) = send(&client, "GET", &url("/api/pets/1")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, r#"{"id":1,"type":"dog","price":249.99}"#);

    // A gateway failure under /api: no route is 403 Missing Authentication Token (recorded on
    // AWS: LocalStack test_apigateway_common::test_routing_not_found; research
    // validate-route-compress.md 3), with the API's DEFAULT_4XX header (developer guide,
    // "Gateway responses": DEFAULT_4XX's customisation applies to the 4XX types).
    let (status, headers, body) = send(&client, "GET", &url("/api/nowhere")).await;
    assert_eq!(status, 403);
    assert_eq!(body, r#"{"message":"Missing Authentication Token"}"#);
    assert_eq!(
        headers["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
    assert_eq!(headers["access-control-allow-origin"], "*");

    // Outside /api and /health: axum's own 404, not the gateway's.
    let (status, headers, _) = send(&client, "GET", &url("/pets/1")).await;
    assert_eq!(status, 404);
    assert!(!headers.contains_key("x-amzn-requestid"));
}

#[test]
fn a_missing_api_file_is_an_error_with_exit_status_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_axum-app"))
        .args(["--port", "0", "--api", "/nonexistent/api.yaml"])
        .output()
        .expect("axum-app runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("axum-app: /nonexistent/api.yaml: "),
        "{stderr}"
    );
}
