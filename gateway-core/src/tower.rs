//! The gateway as a [`::tower::Service`] (feature `tower`): mount a [`Gateway`] in any tower-based
//! server (axum, hyper through `hyper-util`'s tower adapter, tonic's router, ...).
//!
//! [`GatewayService`] takes an `http::Request<B>` with any body `B: http_body::Body<Data =
//! Bytes>`, reads the body up to [`BODY_LIMIT`] bytes (API Gateway's payload limit plus one
//! byte, so the pipeline answers its own 413 for an oversized body and the service never holds
//! more), serves it through the gateway and answers `http::Response<Full<Bytes>>`.
//!
//! - **Errors are responses.** The service's error type is [`Infallible`]: every failure of the
//!   request (no route, a refused caller, a backend down, a body that cannot be read) is an
//!   HTTP response, as API Gateway sends one; a server that gets a service error drops the
//!   connection, which a gateway never wants.
//! - **The path is the path after the stage** ([`Gateway::handle`]): `/pets/1` for
//!   `https://{api}.execute-api.{region}.amazonaws.com/prod/pets/1`. Mounted under a prefix
//!   (axum's `nest_service("/api", service)`), the server strips the prefix first.
//!   [`GatewayService::endpoint`] serves the execute-api form instead, where the path starts
//!   with `/{stage}` ([`Gateway::handle_endpoint`]).
//! - **The client's address** comes from a [`Client`] in the request's extensions, which the
//!   host inserts (this crate knows no server, so it cannot read, say, axum's `ConnectInfo`);
//!   without one, `$context.identity.sourceIp` is unset.
//! - **What happened** ([`Outcome`]: request id, resource, failure type and detail, integration
//!   latency) is in the response's extensions, for the host's log line.
//! - `poll_ready` is always ready; the service is a cheap clone (an `Arc`), its future `Send`.
//!
//! No async runtime is needed: the future waits only on the body and on the host's backends.
//!
//! ```
//! # use std::sync::Arc;
//! use bytes::Bytes;
//! use gateway_core::compile::{CompileOptions, CompiledApi};
//! use gateway_core::pipeline::{Backends, Client, Gateway, Stage};
//! use gateway_core::tower::GatewayService;
//! use http_body_util::Full;
//! use tower::Service as _;
//!
//! let api = CompiledApi::load(br#"{"swagger": "2.0", "info": {"title": "t"}, "paths": {}}"#,
//!                             &CompileOptions::default())?;
//! let gateway = Gateway::new(Arc::new(api), Stage::new("prod"), Backends::default())?;
//! let mut service = GatewayService::new(Arc::new(gateway));
//!
//! let mut request = http::Request::get("/nowhere").body(Full::new(Bytes::new()))?;
//! request.extensions_mut().insert(Client { source_ip: Some([203, 0, 113, 7].into()) });
//! let future = service.call(request); // a `Send` future: spawn it, or let the server await it
//! # let _ = future;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full};

use crate::pipeline::request::{FrontEndRefusal, MAX_PAYLOAD_BYTES};
use crate::pipeline::{Client, Gateway, Outcome};

/// What [`GatewayService`] answers: the gateway's response, its body in one piece.
pub type GatewayResponse = Response<Full<Bytes>>;

/// The error type a request body's error converts into.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Most request-body bytes [`GatewayService`] reads and holds: API Gateway's payload limit
/// ([`MAX_PAYLOAD_BYTES`], 10,485,760 bytes) plus one, so that an oversized body reaches the
/// pipeline as one byte too many and gets the pipeline's 413, while the rest of it is never
/// read.
pub const BODY_LIMIT: usize = MAX_PAYLOAD_BYTES + 1;

/// The status answered when the request body cannot be read (the client went away, a
/// malformed chunked encoding): 400. API Gateway's front end answers such a request before the
/// gateway sees it and no answer of it is recorded; the client has usually gone anyway.
pub const BODY_UNREADABLE_STATUS: StatusCode = StatusCode::BAD_REQUEST;

/// The text body answered with [`BODY_UNREADABLE_STATUS`].
pub const BODY_UNREADABLE_MESSAGE: &str = "Bad Request: the request body could not be read";

/// [`Outcome::failure`] for a request whose body could not be read.
pub const BODY_UNREADABLE_FAILURE: &str = "REQUEST_BODY_UNREADABLE";

/// A request body that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body answered an error while it was read.
    #[error("reading the request body failed: {0}")]
    Read(#[source] BoxError),
}

/// Reads `body` to its end or to [`BODY_LIMIT`] bytes, whichever comes first: a longer body
/// comes back cut to exactly [`BODY_LIMIT`] bytes (which the pipeline answers 413) and the
/// rest is left unread. Trailers are ignored. A body of one frame is returned without a copy.
pub async fn collect_body<B>(body: B) -> Result<Bytes, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    collect_limited(body, BODY_LIMIT).await
}

/// [`collect_body`] with any `limit` (the tests use small ones).
async fn collect_limited<B>(body: B, limit: usize) -> Result<Bytes, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut held = Held::default();
    while held.len() < limit {
        let Some(frame) = body.frame().await else {
            break;
        };
        let frame = frame.map_err(|e| BodyError::Read(e.into()))?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers
        };
        // Never more than `limit` bytes held: the chunk that crosses it is cut.
        data.truncate(limit.saturating_sub(held.len()));
        held.push(data);
    }
    Ok(held.into_bytes())
}

/// The body read so far: the first chunk as it came (no copy for a body of one frame), then
/// one buffer once a second chunk arrives.
#[derive(Default)]
struct Held {
    first: Option<Bytes>,
    joined: BytesMut,
}

impl Held {
    fn len(&self) -> usize {
        self.first.as_ref().map_or(0, Bytes::len) + self.joined.len()
    }

    fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        match self.first.take() {
            None if self.joined.is_empty() => self.first = Some(chunk),
            None => self.joined.extend_from_slice(&chunk),
            Some(first) => {
                self.joined.reserve(first.len() + chunk.len());
                self.joined.extend_from_slice(&first);
                self.joined.extend_from_slice(&chunk);
            }
        }
    }

    fn into_bytes(self) -> Bytes {
        match self.first {
            Some(first) => first,
            None => self.joined.freeze(),
        }
    }
}

/// Which path form the service takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathForm {
    /// The path after the stage ([`Gateway::handle`]).
    AfterStage,
    /// The path with `/{stage}` first ([`Gateway::handle_endpoint`]).
    Endpoint,
}

/// A [`Gateway`] as a [`::tower::Service`]: `Request<B>` in, `Response<Full<Bytes>>` out, never
/// a service error (see the [module documentation](self)). Cloning shares the gateway.
#[derive(Clone)]
pub struct GatewayService {
    gateway: Arc<Gateway>,
    form: PathForm,
}

impl fmt::Debug for GatewayService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayService")
            .field("gateway", &self.gateway)
            .field("form", &self.form)
            .finish()
    }
}

impl GatewayService {
    /// Serves `gateway` on requests whose path is the path after the stage (`/pets/1`), as
    /// [`Gateway::handle`] takes it.
    pub fn new(gateway: Arc<Gateway>) -> GatewayService {
        GatewayService {
            gateway,
            form: PathForm::AfterStage,
        }
    }

    /// Serves `gateway` on requests as the execute-api endpoint receives them, the path
    /// starting with `/{stage}` (`/prod/pets/1`), as [`Gateway::handle_endpoint`] takes it; an
    /// unknown first segment is answered 403 `{"message":"Forbidden"}`.
    pub fn endpoint(gateway: Arc<Gateway>) -> GatewayService {
        GatewayService {
            gateway,
            form: PathForm::Endpoint,
        }
    }

    /// The gateway served.
    pub fn gateway(&self) -> &Arc<Gateway> {
        &self.gateway
    }

    /// Serves one request (what [`::tower::Service::call`] runs).
    async fn serve<B>(self, request: Request<B>) -> GatewayResponse
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        let (head, body) = request.into_parts();
        let client = head.extensions.get::<Client>().copied().unwrap_or_default();
        let (mut response, outcome) = match collect_body(body).await {
            Ok(body) => {
                let request = Request::from_parts(head, body);
                match self.form {
                    PathForm::AfterStage => self.gateway.handle_with_outcome(request, client).await,
                    PathForm::Endpoint => self.gateway.handle_endpoint(request, client).await,
                }
            }
            Err(error) => {
                let refusal = FrontEndRefusal {
                    status: BODY_UNREADABLE_STATUS,
                    body: BODY_UNREADABLE_MESSAGE,
                };
                let outcome = Outcome {
                    failure: Some(BODY_UNREADABLE_FAILURE),
                    detail: Some(error.to_string()),
                    ..Outcome::default()
                };
                (refusal.into_response(), outcome)
            }
        };
        response.extensions_mut().insert(outcome);
        response.map(Full::new)
    }
}

impl From<Gateway> for GatewayService {
    fn from(gateway: Gateway) -> GatewayService {
        GatewayService::new(Arc::new(gateway))
    }
}

impl From<Arc<Gateway>> for GatewayService {
    fn from(gateway: Arc<Gateway>) -> GatewayService {
        GatewayService::new(gateway)
    }
}

impl<B> ::tower::Service<Request<B>> for GatewayService
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = GatewayResponse;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture {
        let service = self.clone();
        ResponseFuture {
            inner: Box::pin(service.serve(request)),
        }
    }
}

/// The future of [`GatewayService`]'s `call`: `Send`, resolves to the response, never fails.
pub struct ResponseFuture {
    inner: Pin<Box<dyn Future<Output = GatewayResponse> + Send>>,
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl Future for ResponseFuture {
    type Output = Result<GatewayResponse, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx).map(Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::VecDeque;
    use std::pin::pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Waker;

    use ::tower::ServiceExt as _;
    use http_body::Frame;
    use proptest::prelude::*;

    use crate::compile::{CompileOptions, CompiledApi};
    use crate::pipeline::{Backends, Stage};

    /// Drives a future that never waits on I/O (MOCK integrations, in-memory bodies).
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    const API: &str = r##"
openapi: 3.0.1
info: {title: tower pets, version: "1"}
paths:
  /pets/{petId}:
    get:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
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
              application/json: '{"id":"$input.params(''petId'')","ip":"$context.identity.sourceIp","path":"$context.path"}'
  /pets:
    post:
      responses:
        "201": {description: created}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #set($context.responseOverride.header.x-name = $input.path('$.name'))
            {"statusCode": 201}
        responses:
          default:
            statusCode: "201"
            responseTemplates:
              application/json: '{"created":true}'
"##;

    fn service() -> GatewayService {
        let api = CompiledApi::load(API.as_bytes(), &CompileOptions::default()).expect("loads");
        let gateway =
            Gateway::new(Arc::new(api), Stage::new("prod"), Backends::default()).expect("stage");
        GatewayService::from(gateway)
    }

    /// A body from scripted frames; `endless` keeps answering `chunk` after the script, and
    /// `polled` counts the frames handed out.
    struct Scripted {
        frames: VecDeque<Result<Bytes, std::io::Error>>,
        endless: Option<Bytes>,
        polled: Arc<AtomicUsize>,
    }

    impl Scripted {
        fn chunks(chunks: &[&'static str]) -> Scripted {
            Scripted {
                frames: chunks
                    .iter()
                    .map(|c| Ok(Bytes::from_static(c.as_bytes())))
                    .collect(),
                endless: None,
                polled: Arc::default(),
            }
        }
    }

    impl Body for Scripted {
        type Data = Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
            self.polled.fetch_add(1, Ordering::Relaxed);
            let next = match self.frames.pop_front() {
                Some(frame) => Some(frame.map(Frame::data)),
                None => self.endless.clone().map(|c| Ok(Frame::data(c))),
            };
            Poll::Ready(next)
        }
    }

    fn call<B>(service: GatewayService, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        match block_on(service.oneshot(request)) {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    fn body_text(response: Response<Full<Bytes>>) -> String {
        let bytes = block_on(response.into_body().collect())
            .map(|c| c.to_bytes())
            .unwrap_or_else(|never| match never {});
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    fn get(uri: &str) -> Request<Full<Bytes>> {
        Request::get(uri)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::new()))
            .expect("a request")
    }

    #[test]
    fn a_mock_route_answers_through_oneshot() {
        let response = call(service(), get("/pets/42"));
        assert_eq!(response.status(), StatusCode::OK);
        // Developer guide, "$context Variables": $context.path is the request path with the
        // stage ("/prod/pets/42"), $input.params finds the path parameter.
        assert_eq!(
            body_text(response),
            r#"{"id":"42","ip":"","path":"/prod/pets/42"}"#
        );
    }

    #[test]
    fn the_client_extension_is_the_source_ip() {
        let mut request = get("/pets/7");
        request.extensions_mut().insert(Client {
            source_ip: Some([203, 0, 113, 9].into()),
        });
        // Developer guide, "$context Variables": $context.identity.sourceIp is the source IP
        // address of the TCP connection making the request.
        assert_eq!(
            body_text(call(service(), request)),
            r#"{"id":"7","ip":"203.0.113.9","path":"/prod/pets/7"}"#
        );
    }

    #[test]
    fn a_failure_is_a_response_with_its_outcome() {
        let response = call(service(), get("/nowhere"));
        // Recorded on AWS: LocalStack test_apigateway_common::test_routing_not_found
        // (research validate-route-compress.md 3: no match is 403 Missing Authentication Token).
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "MissingAuthenticationTokenException"
        );
        let outcome = response
            .extensions()
            .get::<Outcome>()
            .cloned()
            .expect("an outcome");
        assert_eq!(outcome.failure, Some("MISSING_AUTHENTICATION_TOKEN"));
        assert_eq!(
            response.headers()["x-amzn-requestid"],
            outcome.request_id.as_str()
        );
        assert_eq!(
            body_text(response),
            r#"{"message":"Missing Authentication Token"}"#
        );
    }

    #[test]
    fn a_body_in_many_frames_is_read_whole() {
        let body = Scripted::chunks(&[r#"{"na"#, "", r#"me": "r"#, r#"ex"}"#]);
        let request = Request::post("/pets")
            .header("content-type", "application/json")
            .body(body)
            .expect("a request");
        let response = call(service(), request);
        assert_eq!(response.status(), StatusCode::CREATED);
        // Developer guide, "Use a mapping template to override an API's request and response
        // parameters and status codes": $context.responseOverride.header sets a header.
        assert_eq!(response.headers()["x-name"], "rex");
        assert_eq!(body_text(response), r#"{"created":true}"#);
    }

    #[test]
    fn an_endless_body_is_cut_at_the_limit_and_answered_413() {
        let polled = Arc::new(AtomicUsize::new(0));
        let chunk = Bytes::from(vec![b'a'; 64 * 1024]);
        let body = Scripted {
            frames: VecDeque::new(),
            endless: Some(chunk.clone()),
            polled: Arc::clone(&polled),
        };
        let request = Request::post("/pets").body(body).expect("a request");
        let response = call(service(), request);
        // Research pipeline-access.md 10 (developer guide quotas; lgtm-generator#10's curl
        // output): over 10,485,760 bytes is 413 with this text body, not a gateway response.
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(!response.headers().contains_key("x-amzn-requestid"));
        assert_eq!(
            body_text(response),
            "HTTP content length exceeded 10485760 bytes."
        );
        // Only as many frames as reach the limit were read.
        assert_eq!(
            polled.load(Ordering::Relaxed),
            BODY_LIMIT.div_ceil(chunk.len())
        );
    }

    #[test]
    fn a_body_of_exactly_the_payload_limit_passes() {
        let body = Full::new(Bytes::from(vec![b' '; MAX_PAYLOAD_BYTES]));
        let request = Request::post("/pets")
            .header("content-type", "application/json")
            .body(body)
            .expect("a request");
        let response = call(service(), request);
        // 10 MB is the limit itself (developer guide, quotas: "Payload size 10 MB").
        assert_ne!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn an_unreadable_body_is_a_400_response_not_a_service_error() {
        let mut body = Scripted::chunks(&["{"]);
        body.frames
            .push_back(Err(std::io::Error::other("connection reset")));
        let request = Request::post("/pets").body(body).expect("a request");
        let response = call(service(), request);
        assert_eq!(response.status(), BODY_UNREADABLE_STATUS);
        let outcome = response.extensions().get::<Outcome>().cloned();
        let outcome = outcome.expect("an outcome");
        assert_eq!(outcome.failure, Some(BODY_UNREADABLE_FAILURE));
        assert_eq!(
            outcome.detail.as_deref(),
            Some("reading the request body failed: connection reset")
        );
        assert_eq!(body_text(response), BODY_UNREADABLE_MESSAGE);
    }

    #[test]
    fn the_endpoint_form_takes_the_stage_in_the_path() {
        let g = service().gateway().clone();
        let response = call(
            GatewayService::endpoint(Arc::clone(&g)),
            get("/prod/pets/1"),
        );
        assert_eq!(response.status(), StatusCode::OK);
        // AWS Knowledge Center, "How do I troubleshoot HTTP 403 errors from API Gateway": a
        // stage that does not exist is 403 Forbidden.
        let response = call(GatewayService::endpoint(g), get("/dev/pets/1"));
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(body_text(response), r#"{"message":"Forbidden"}"#);
    }

    #[test]
    fn always_ready_and_the_future_is_send() {
        fn is_send<T: Send>(_: &T) {}
        let mut service = service();
        let mut cx = Context::from_waker(Waker::noop());
        let ready = ::tower::Service::<Request<Full<Bytes>>>::poll_ready(&mut service, &mut cx);
        assert!(matches!(ready, Poll::Ready(Ok(()))));
        let future = ::tower::Service::call(&mut service, get("/pets/1"));
        is_send(&future);
        assert_eq!(block_on(future).map(|r| r.status()), Ok(StatusCode::OK));
    }

    #[test]
    fn a_single_frame_body_is_not_copied() {
        let bytes = Bytes::from(vec![b'x'; 1000]);
        let read = block_on(collect_limited(Full::new(bytes.clone()), 5000)).expect("reads");
        assert_eq!(read.as_ptr(), bytes.as_ptr());
    }

    proptest! {
        /// Reading is concatenating the frames, cut at the limit, whatever the framing.
        #[test]
        fn collect_is_concat_cut_at_the_limit(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..12),
            limit in 1usize..300,
        ) {
            let body = Scripted {
                frames: chunks.iter().map(|c| Ok(Bytes::from(c.clone()))).collect(),
                endless: None,
                polled: Arc::default(),
            };
            let read = block_on(collect_limited(body, limit)).expect("reads");
            let mut whole: Vec<u8> = chunks.concat();
            whole.truncate(limit);
            prop_assert_eq!(read.as_ref(), whole.as_slice());
        }
    }
}
