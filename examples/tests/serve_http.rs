//! `gateway serve` end to end over loopback: the real server binary on an API whose HTTP and
//! HTTP_PROXY integrations reach a real backend started by the test (its address given as a
//! stage variable), and whose MOCK methods answer alone. Facts are cited beside the
//! assertions (research notes in ../shared/research, recorded AWS snapshots).

mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use bytes::Bytes;
use common::Scratch;
use common::loopback::{
    invocation, invocation_answer, request_body, response_text, serve, start_server,
};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

const API: &str = r##"
openapi: 3.0.1
info: {title: serve test, version: "1"}
x-amazon-apigateway-gateway-responses:
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: 404
    responseParameters:
      gatewayresponse.header.x-stage-backend: "stageVariables.backend"
      gatewayresponse.header.x-asked: "method.request.querystring.q"
    responseTemplates:
      application/json: '{"error":$context.error.messageString,"type":"$context.error.responseType","stage":"$context.stage"}'
  DEFAULT_5XX:
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
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
    let body = request_body(request).await;
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
    start_server(backend).await
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
    (status, headers, response_text(response).await)
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

    // Customised gateway responses: status, headers from stage variables and the request,
    // the template with $context.error.* (developer guide, gateway responses;
    // research validate-route-compress.md 5); DEFAULT_5XX's header reaches a 504.
    let (status, headers, body) = get(&client, "GET", &url("/nowhere?q=x"), "").await;
    assert_eq!(status, 404);
    assert_eq!(headers["x-stage-backend"], backend.to_string());
    assert_eq!(headers["x-asked"], "x");
    assert_eq!(
        body,
        r#"{"error":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN","stage":"test"}"#
    );
    let (status, headers, _) = get(&client, "GET", &url("/down"), "").await;
    assert_eq!(status, 504);
    assert_eq!(headers["access-control-allow-origin"], "*");

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

const LAMBDA_API: &str = r##"
openapi: 3.0.1
info: {title: lambda test, version: "1"}
paths:
  /things/{id}:
    post:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations"
  /fails:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fails/invocations"
  /malformed:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Malformed/invocations"
  /custom:
    post:
      responses:
        "200": {description: ok}
        "400": {description: bad}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Custom/invocations"
        requestTemplates:
          application/json: '{"name":$input.json(''$.name'')}'
        responses:
          "Bad Request:.*":
            statusCode: "400"
            responseTemplates:
              application/json: '{"error":"$input.path(''$.errorMessage'')"}'
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"greeting":"$input.path(''$.greeting'')"}'
  /custom-async:
    post:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Custom/invocations"
        requestParameters:
          integration.request.header.X-Amz-Invocation-Type: "'Event'"
        requestTemplates:
          application/json: '{"name":$input.json(''$.name'')}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"greeting":"$input.path(''$.greeting'')","raw":"$input.body"}'
"##;

/// A local Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`), as `cargo
/// lambda watch` or the runtime interface emulator serve it: `Echo` answers a proxy response
/// carrying the event it got, `Fails` raises (`X-Amz-Function-Error: Unhandled`), `Malformed`
/// answers a proxy response with an unknown key, `Custom` greets or fails on an empty name.
async fn lambda_service(
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let invocation_type = request
        .headers()
        .get("x-amz-invocation-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let (name, event) = invocation(request).await;
    // Lambda answers an asynchronous invocation 202 with no payload (API reference, Invoke).
    if invocation_type.as_deref() == Some("Event") {
        assert_eq!(event["name"], "Rex", "the event is the mapped template");
        return Ok(hyper::Response::builder()
            .status(202)
            .body(Full::new(Bytes::new()))
            .expect("a response"));
    }
    let (payload, error) = match name.as_str() {
        "Echo" => (
            json!({"statusCode": 201, "headers": {"x-fn": "echo", "Server": "fn"},
                   "multiValueHeaders": {"x-multi": ["a", "b"]},
                   "body": event.to_string()}),
            None,
        ),
        "Fails" => (
            json!({"errorMessage": "boom", "errorType": "Error"}),
            Some("Unhandled"),
        ),
        "Malformed" => (json!({"statusCode": 200, "wrongValue": 1}), None),
        "Custom" => match event["name"].as_str() {
            Some(n) if !n.is_empty() => (json!({"greeting": format!("hello {n}")}), None),
            _ => (
                json!({"errorMessage": "Bad Request: no name", "errorType": "ValueError"}),
                Some("Unhandled"),
            ),
        },
        _ => {
            return Ok(hyper::Response::builder()
                .status(404)
                .body(Full::new(Bytes::from_static(
                    b"{\"Type\":\"User\",\"message\":\"Function not found\"}",
                )))
                .expect("a response"));
        }
    };
    invocation_answer(&payload, error)
}

/// Sends `requests` pipelined on one TCP connection to the server at `base`'s address and
/// returns each response's body (responses read until the server closes the connection;
/// bodies framed by Content-Length).
async fn raw_exchange(base: &str, requests: &[&str]) -> Vec<String> {
    use std::io::{Read, Write};
    let address = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("an address")
        .to_owned();
    let sent = requests.concat();
    let raw = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        stream.write_all(sent.as_bytes()).expect("write");
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .expect("the server answers in time");
        raw
    })
    .await
    .expect("the exchange");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let mut bodies = Vec::new();
    let mut rest = text.as_str();
    while let Some(end) = rest.find("\r\n\r\n") {
        let head = &rest[..end];
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .expect("a content-length");
        let body_start = end + 4;
        bodies.push(rest[body_start..body_start + length].to_owned());
        rest = &rest[body_start + length..];
    }
    assert_eq!(bodies.len(), requests.len(), "{text}");
    bodies
}

async fn start_lambda_service() -> SocketAddr {
    start_server(lambda_service).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_integrations_over_loopback() {
    let lambda = start_lambda_service().await;
    let scratch = Scratch::new("serve", "lambda");
    let api = std::path::PathBuf::from(scratch.path("api.yaml"));
    std::fs::write(&api, LAMBDA_API).expect("write the API");
    let endpoint = format!("http://{lambda}");
    let served = serve(
        &api,
        &["--lambda-endpoint", &endpoint, "--stage-var", "fn=Echo"],
    );
    let client = Client::builder(TokioExecutor::new()).build_http();
    let url = |path: &str| format!("{}{path}", served.base);

    // AWS_PROXY: the function named through a stage variable gets the 1.0 event; its
    // statusCode, headers (multi values merged, Server remapped as for proxies) and body
    // come back; the trace id is added (research 1.2 to 1.6).
    let (status, headers, body) =
        get(&client, "POST", &url("/things/7?q=a+b&q=c"), "{\"n\":1}").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(headers["x-fn"], "echo");
    assert_eq!(headers["x-amzn-remapped-server"], "fn");
    assert!(headers.contains_key("x-amzn-trace-id"));
    let event: Value = serde_json::from_str(&body).expect("the event, echoed");
    assert_eq!(event["resource"], "/things/{id}");
    assert_eq!(event["path"], "/things/7");
    assert_eq!(event["httpMethod"], "POST");
    assert_eq!(event["pathParameters"], json!({"id": "7"}));
    // Repeated query names: last value in the single map, all in the multi map; `+` is a space.
    assert_eq!(event["queryStringParameters"], json!({"q": "c"}));
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"q": ["a b", "c"]})
    );
    assert_eq!(event["stageVariables"], json!({"fn": "Echo"}));
    assert_eq!(event["body"], "{\"n\":1}");
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["requestContext"]["path"], "/prod/things/7");
    assert_eq!(event["requestContext"]["stage"], "prod");
    assert_eq!(event["requestContext"]["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(
        event["requestContext"]["requestId"],
        headers["x-amzn-requestid"].to_str().unwrap()
    );
    assert!(event["requestContext"].get("authorizer").is_none());

    // Header names as the client spelled them: a REST API keeps them in the event (LocalStack's
    // recording of AWS, test_lambda_aws_proxy_integration: `tEsT-HEADeR` as sent; research
    // session 12, 5). Two requests pipelined on one raw connection, a chunked body between.
    let events = raw_exchange(
        &served.base,
        &[
            "POST /prod/things/1 HTTP/1.1\r\nHost: x\r\ntEsT-HEADeR: aValUE\r\nUser-Agent: raw/1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "POST /prod/things/2 HTTP/1.1\r\nhost: x\r\nX-Multi: a\r\nx-multi: b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ],
    )
    .await;
    let first: Value = serde_json::from_str(&events[0]).expect("the first event");
    assert_eq!(first["headers"]["tEsT-HEADeR"], "aValUE", "{first}");
    assert_eq!(first["headers"]["User-Agent"], "raw/1");
    assert_eq!(first["multiValueHeaders"]["tEsT-HEADeR"], json!(["aValUE"]));
    let second: Value = serde_json::from_str(&events[1]).expect("the second event");
    assert_eq!(second["pathParameters"], json!({"id": "2"}));
    // The first spelling of a name names it (research 5 / lambda_proxy's header maps).
    assert_eq!(
        second["multiValueHeaders"]["X-Multi"],
        json!(["a", "b"]),
        "{second}"
    );
    assert!(second["headers"].get("tEsT-HEADeR").is_none());

    // A function error and a malformed answer: 502 Internal server error (research 1.7).
    for path in ["/fails", "/malformed"] {
        let (status, headers, body) = get(&client, "GET", &url(path), "").await;
        assert_eq!(status, 502, "{path}");
        assert_eq!(body, r#"{"message": "Internal server error"}"#);
        assert_eq!(headers["x-amzn-errortype"], "InternalServerErrorException");
    }

    // Lambda custom: the request template is the event; success selects the default
    // response, an error its errorMessage's pattern (research 2).
    let (status, _, body) = get(&client, "POST", &url("/custom"), "{\"name\":\"Rex\"}").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, r#"{"greeting":"hello Rex"}"#);
    let (status, _, body) = get(&client, "POST", &url("/custom"), "{\"name\":\"\"}").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body, r#"{"error":"Bad Request: no name"}"#);

    // Asynchronous invocation (X-Amz-Invocation-Type mapped to 'Event'; developer guide,
    // set-up-lambda-integration-async): Lambda's 202 carries no result, the default
    // integration response applies over an empty body, the client gets its 200 (research
    // session 12, 2: serverless#5957 saw 200 on AWS; serverless-patterns#2919 a template
    // rendered over an empty body). An empty body reads as `{}` through `$input.body`, as
    // recorded on API Gateway (gateway-mapping's RequestView::body_text).
    let (status, _, body) = get(&client, "POST", &url("/custom-async"), "{\"name\":\"Rex\"}").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, r#"{"greeting":"","raw":"{}"}"#);

    // A payload that is not JSON (a form body passed through: no template for its type)
    // never reaches the function: 400 with Lambda's "Could not parse request body into json"
    // message in API Gateway's body (research session 12, 1: users' captures of AWS).
    let request = hyper::Request::builder()
        .method("POST")
        .uri(url("/custom"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from_static(b"token=abc&team=x")))
        .expect("a request");
    let response = client.request(request).await.expect("an answer");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "BadRequestException"
    );
    let body = response_text(response).await;
    assert!(
        body.starts_with(r#"{"message": "Could not parse request body into json: Could not parse payload into json: "#),
        "{body}"
    );
}

#[test]
fn invoke_sends_one_request_through_the_bundled_pet_store() {
    // The bundled pet store answers offline: the example hosts and functions run in process.
    let api = concat!(env!("CARGO_MANIFEST_DIR"), "/apis/petstore.yaml");
    let out = common::run_gateway(
        &["invoke", api, "--method", "GET", "--path", "/pets/1"],
        None,
    );
    let stdout = common::stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        common::stderr(&out)
    );
    assert!(stdout.starts_with("HTTP/1.1 200 OK\n"), "{stdout}");
    assert!(stdout.contains("x-amzn-requestid: "), "{stdout}");
    assert!(
        stdout
            .trim_end()
            .ends_with(r#"{"id":1,"type":"dog","price":249.99}"#),
        "{stdout}"
    );
    // A validation failure: 400, exit 1.
    let out = common::run_gateway(
        &["invoke", api, "--method", "POST", "--path", "/pets"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stdout(&out).starts_with("HTTP/1.1 400 Bad Request\n"));
    // Usage errors: exit 2.
    let out = common::run_gateway(&["invoke", api, "--method", "GET"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reloads_a_changed_file_and_keeps_the_last_good_one() {
    let scratch = Scratch::new("serve", "watch");
    let api = std::path::PathBuf::from(scratch.path("api.yaml"));
    let version = |text: &str| {
        format!(
            r#"{{"swagger": "2.0", "info": {{"title": "w"}}, "paths": {{"/v": {{"get": {{
            "responses": {{"200": {{"description": "ok"}}}},
            "x-amazon-apigateway-integration": {{"type": "mock",
              "requestTemplates": {{"application/json": "{{\"statusCode\": 200}}"}},
              "responses": {{"default": {{"statusCode": "200",
                "responseTemplates": {{"application/json": "{text}"}}}}}}}}}}}}}}}}"#
        )
    };
    std::fs::write(&api, version("one")).expect("write");
    let served = serve(&api, &["--watch"]);
    let client = Client::builder(TokioExecutor::new()).build_http();
    let url = format!("{}/v", served.base);
    assert_eq!(get(&client, "GET", &url, "").await.2, "one");
    // Let the modification time move on, then change the file.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(&api, version("two")).expect("write");
    let mut body = String::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        body = get(&client, "GET", &url, "").await.2;
        if body == "two" {
            break;
        }
    }
    assert_eq!(body, "two");
    // A file that does not load keeps the last good version.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(&api, "not: [an api").expect("write");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(get(&client, "GET", &url, "").await.2, "two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish() {
    let backend = start_backend().await;
    let scratch = Scratch::new("serve", "stop");
    let api = std::path::PathBuf::from(scratch.path("api.yaml"));
    let slow = API.replace("timeoutInMillis: 200", "timeoutInMillis: 5000");
    std::fs::write(&api, slow).expect("write the API");
    let var = format!("backend={backend}");
    let (mut child, base, stdout) = common::start_serve(&api, &["--stage-var", &var]);
    let client = Client::builder(TokioExecutor::new()).build_http();
    let url = format!("{base}/slow");
    // The backend answers /sleep after a second; stop the server while it waits.
    let in_flight = tokio::spawn(async move { get(&client, "GET", &url, "").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let (status, _, body) = in_flight.await.expect("the request task");
    assert_eq!(status, 200, "{body}");
    let exit = child.wait().expect("the server exits");
    assert!(exit.success(), "{exit:?}");
    // The request's line is written before the server says it stopped (the log writer is
    // flushed on the way out).
    let printed: Vec<String> = std::io::BufRead::lines(stdout)
        .map_while(Result::ok)
        .collect();
    assert!(
        printed.iter().any(|l| l.contains("GET /prod/slow 200")),
        "{printed:?}"
    );
    assert_eq!(
        printed.last().map(String::as_str),
        Some("stopped"),
        "{printed:?}"
    );
}
