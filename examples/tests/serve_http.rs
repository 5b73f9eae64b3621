//! `gateway serve` end to end over loopback: the real server binary on an API whose HTTP and
//! HTTP_PROXY integrations reach a real backend started by the test (its address given as a
//! stage variable), and whose MOCK methods answer alone. Facts are cited beside the
//! assertions (research notes in ../shared/research, recorded AWS snapshots).

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use common::Scratch;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{Value, json};

const API: &str = r##"
openapi: 3.0.1
info: {title: serve test, version: "1"}
paths:
  /proxy/{proxy+}:
    x-amazon-apigateway-any-method:
      parameters:
        - {name: proxy, in: path, required: true, schema: {type: string}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "http://${stageVariables.backend}/echo/{proxy}"
        requestParameters:
          integration.request.path.proxy: method.request.path.proxy
  /custom/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok, headers: {x-backend-status: {schema: {type: string}}}}
        "404": {description: missing}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${stageVariables.backend}/status/{code}"
        requestParameters:
          integration.request.path.code: method.request.path.id
          integration.request.header.x-from-gateway: "'yes'"
        requestTemplates:
          application/json: '{"asked":"$input.params(''id'')","stage":"$context.stage"}'
        responses:
          "4\\d{2}":
            statusCode: "404"
            responseTemplates:
              application/json: '{"message":"not there","backend":$input.json(''$.status'')}'
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.x-backend-status: "integration.response.header.x-status"
            responseTemplates:
              application/json: '{"received":$input.json(''$.body'')}'
  /slow:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        timeoutInMillis: 200
        uri: "http://${stageVariables.backend}/sleep"
  /down:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://127.0.0.1:1/nothing"
  /mock:
    get:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"backend":"$stageVariables.backend"}'
"##;

/// The backend: echoes the request as JSON (`/echo/...`), answers with the status in its path
/// (`/status/NNN`), or sleeps a second (`/sleep`).
async fn backend(
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let method = request.method().to_string();
    let headers: serde_json::Map<String, Value> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or("?"))))
        .collect();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if path == "/sleep" {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let status = path
        .strip_prefix("/status/")
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(200);
    let echo = json!({
        "method": method, "path": path, "query": query, "headers": headers,
        "body": String::from_utf8_lossy(&body), "status": status,
    });
    let response = hyper::Response::builder()
        .status(status)
        .header("server", "echo-backend")
        .header("x-status", status.to_string())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(echo.to_string())))
        .expect("a response");
    Ok(response)
}

async fn start_backend() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(backend))
                    .await;
            });
        }
    });
    address
}

/// The `gateway serve` process, killed on drop.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(api: &std::path::Path, args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("serve")
        .arg(api)
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("gateway serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("a line before EOF").expect("utf-8");
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_owned();
        }
    };
    // Keep reading (the request log) so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served { child, base }
}

async fn get(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    method: &str,
    url: &str,
    body: &'static str,
) -> (u16, http::HeaderMap, String) {
    let request = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .header("x-client", "c1")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
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
async fn http_integrations_over_loopback() {
    let backend = start_backend().await;
    let scratch = Scratch::new("serve", "http");
    let api = std::path::PathBuf::from(scratch.path("api.yaml"));
    std::fs::write(&api, API).expect("write the API");
    let var = format!("backend={backend}");
    let served = serve(&api, &["--stage", "test", "--stage-var", &var]);
    assert!(served.base.ends_with("/test"), "{}", served.base);
    let client = Client::builder(TokioExecutor::new()).build_http();
    let url = |path: &str| format!("{}{path}", served.base);

    // HTTP_PROXY: the greedy path and the query reach the backend, the client's headers
    // are forwarded, the backend's status, body and headers come back, with Server and
    // Date remapped (research pipeline-access.md 0 and 3.3, recorded header-remapping).
    let (status, headers, body) = get(&client, "PUT", &url("/proxy/a/b?x=1&x=2"), "hello").await;
    assert_eq!(status, 200, "{body}");
    let echo: Value = serde_json::from_str(&body).expect("the backend's JSON");
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["path"], "/echo/a/b");
    assert_eq!(echo["query"], "x=1&x=2");
    assert_eq!(echo["body"], "hello");
    assert_eq!(echo["headers"]["x-client"], "c1");
    assert_eq!(echo["headers"]["host"], backend.to_string());
    assert_eq!(headers["x-amzn-remapped-server"], "echo-backend");
    assert!(headers.contains_key("x-amzn-requestid"));

    // HTTP (custom): mapped path and header, the request template as the body, the
    // integration response selected on the backend's status and its template.
    let (status, headers, body) = get(&client, "GET", &url("/custom/200"), "").await;
    assert_eq!(status, 200, "{body}");
    let out: Value = serde_json::from_str(&body).expect("JSON");
    let received: Value = serde_json::from_str(out["received"].as_str().expect("a string"))
        .expect("the template's JSON");
    assert_eq!(received, json!({"asked": "200", "stage": "test"}));
    assert_eq!(headers["x-backend-status"], "200");
    // Non-proxy HTTP answers carry the trace id (research 9).
    assert!(
        headers["x-amzn-trace-id"]
            .to_str()
            .expect("text")
            .starts_with("Root=1-")
    );
    let (status, _, body) = get(&client, "GET", &url("/custom/404"), "").await;
    assert_eq!(status, 404);
    assert_eq!(body, r#"{"message":"not there","backend":404}"#);

    // Timeout and network failure: 504 with API Gateway's bodies (research 3.1 and 5).
    let (status, headers, body) = get(&client, "GET", &url("/slow"), "").await;
    assert_eq!(status, 504);
    assert_eq!(body, r#"{"message": "Endpoint request timed out"}"#);
    assert_eq!(headers["x-amzn-errortype"], "InternalServerErrorException");
    let (status, _, body) = get(&client, "GET", &url("/down"), "").await;
    assert_eq!(status, 504);
    assert_eq!(
        body,
        r#"{"message": "Network error communicating with endpoint"}"#
    );

    // MOCK reads the stage variables; an unknown stage is 403 Forbidden.
    let (status, _, body) = get(&client, "GET", &url("/mock"), "").await;
    assert_eq!(status, 200);
    assert_eq!(body, format!(r#"{{"backend":"{backend}"}}"#));
    let other_stage = served.base.replace("/test", "/prod/mock");
    let (status, headers, body) = get(&client, "GET", &other_stage, "").await;
    assert_eq!(status, 403);
    assert_eq!(body, r#"{"message":"Forbidden"}"#);
    assert_eq!(headers["x-amzn-errortype"], "ForbiddenException");
}
