//! Loopback helpers for end-to-end tests: small HTTP servers the test runs (backends, a Lambda
//! Invoke API) and the real `gateway serve` process.

use std::io::BufRead;
use std::net::SocketAddr;
use std::process::Child;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// Serves `handler` over HTTP/1.1 on a free loopback port, for the rest of the test.
pub async fn start_server<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(hyper::Request<Incoming>) -> Fut + Copy + Send + 'static,
    Fut: std::future::Future<Output = Result<hyper::Response<Full<Bytes>>, std::convert::Infallible>>
        + Send
        + 'static,
{
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
                    .serve_connection(TokioIo::new(stream), service_fn(handler))
                    .await;
            });
        }
    });
    address
}

/// The `gateway serve` process, killed on drop.
pub struct Served {
    /// The server process.
    pub child: Child,
    /// `http://127.0.0.1:PORT/STAGE`.
    pub base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `gateway serve API --port 0 ARGS...` ([`super::start_serve`]) and keeps reading its
/// request log, so the server never blocks on a full pipe.
pub fn serve(api: &std::path::Path, args: &[&str]) -> Served {
    let (child, base, stdout) = super::start_serve(api, args);
    std::thread::spawn(move || for _ in stdout.lines() {});
    Served { child, base }
}

/// A request's whole body (empty when it cannot be read).
pub async fn request_body(request: hyper::Request<Incoming>) -> Bytes {
    request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default()
}

/// A response's whole body, panicking when it cannot be read.
pub async fn response_bytes(response: hyper::Response<Incoming>) -> Bytes {
    response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes()
}

/// A response's whole body as text (lossy UTF-8), panicking when it cannot be read.
pub async fn response_text(response: hyper::Response<Incoming>) -> String {
    String::from_utf8_lossy(&response_bytes(response).await).into_owned()
}

/// Reads a request to the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`):
/// the function's name and its event (`null` when the body is not JSON).
pub async fn invocation(request: hyper::Request<Incoming>) -> (String, serde_json::Value) {
    let path = request.uri().path().to_owned();
    let body = request_body(request).await;
    let event = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let name = path
        .strip_prefix("/2015-03-31/functions/")
        .and_then(|p| p.strip_suffix("/invocations"))
        .unwrap_or_default()
        .to_owned();
    (name, event)
}

/// The Invoke API's answer: 200 with `payload`, and `X-Amz-Function-Error: error` when the
/// function failed.
pub fn invocation_answer(
    payload: &serde_json::Value,
    error: Option<&str>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let mut response = hyper::Response::builder().status(200);
    if let Some(e) = error {
        response = response.header("x-amz-function-error", e);
    }
    Ok(response
        .body(Full::new(Bytes::from(payload.to_string())))
        .expect("a response"))
}
