//! [`Gateway`]: one compiled API served on one stage, and the chain every request goes
//! through, in API Gateway's order (research pipeline-access.md 9):
//!
//! 1. front-end limits ([`request::check_limits`]: 413/414/431, not gateway responses);
//! 2. `$context` on arrival ([`context::on_arrival`]);
//! 3. route ([`super::route`]; a miss is `MISSING_AUTHENTICATION_TOKEN`);
//! 4. access control: the method ARN's 1,600-byte limit (414), then resource policy,
//!    authorizers, API keys, throttling (their issue fills
//!    this place: [`super::access`]);
//! 5. a compressed body decoded ([`super::compression`]; 415 for a coding it cannot read),
//!    then request validation ([`super::validation`]);
//! 6. the integration (the `integration` module): MOCK, HTTP, HTTP_PROXY, AWS_PROXY, AWS (Lambda), shaped in
//!    [`super::integrations`], non-proxy ones through [`super::integration_request::map`] and
//!    [`super::integration_response::respond`];
//! 7. every failure of every stage through the API's gateway responses;
//! 8. the response compressed when the client and `minimumCompressionSize` allow
//!    ([`super::compression`]), then the headers API Gateway adds to every response it sends
//!    ([`Gateway::finish`]);
//! 9. the access-log line, once the response is known ([`super::access_log`]).
//!
//! With `x-amazon-apigateway-cors` ([`super::cors`]), a preflight is answered between 2 and 3
//! and every other response, failures included, gets the configured CORS headers before 8.
//!
//! The per-request state is plain `Send` data (the mapping `$context` crosses the
//! integration's `.await` as a [`gateway_mapping::context::ContextState`]), so the future of
//! [`Gateway::handle`] is `Send`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use gateway_mapping::context::ContextState;
use gateway_mapping::input::OwnedRequest;
use gateway_mapping::selection::UnsupportedMediaType;
use gateway_validate::RequestView as ValidationView;
use http::{HeaderName, HeaderValue, Response};

use super::access::{Access, AccessRequest};
use super::access_log::{self, AccessLogFormat, AccessLogSink};
use super::backends::{HttpBackend, LambdaBackend};
use super::compression::DecompressError;
use super::context::{self, Arrival, RequestIds};
use super::cors::{self, CorsPolicy};
use super::failures;
use super::gateway_response::Failure;
use super::integration_response::MethodResponse;
use super::request::{self, FrontEndRefusal};
use super::stage::{Stage, StageError};
use super::{access, route, validation};
use crate::compile::CompiledApi;

/// The I/O the host provides; an integration whose backend is missing answers 500 (a
/// configuration error, logged).
#[derive(Clone, Default)]
pub struct Backends {
    /// The HTTP client for HTTP and HTTP_PROXY integrations.
    pub http: Option<Arc<dyn HttpBackend>>,
    /// The Lambda invoker for AWS_PROXY and Lambda AWS integrations.
    pub lambda: Option<Arc<dyn LambdaBackend>>,
}

impl std::fmt::Debug for Backends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backends")
            .field("http", &self.http.is_some())
            .field("lambda", &self.lambda.is_some())
            .finish()
    }
}

/// Who sent the request, as the server saw it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client {
    /// The peer's address (`$context.identity.sourceIp`).
    pub source_ip: Option<IpAddr>,
}

/// What happened to one request, for the host's log line.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// `$context.requestId`.
    pub request_id: String,
    /// The matched resource path, when routing matched.
    pub resource_path: Option<String>,
    /// The gateway response type, when a stage failed.
    pub failure: Option<&'static str>,
    /// The failure's detail (API Gateway's execution-log line), when there is one.
    pub detail: Option<String>,
    /// The integration's latency, when it was called.
    pub integration_latency: Option<Duration>,
}

/// One compiled API served on one stage: `Send + Sync`, shared behind an `Arc` by every
/// request; a new version is a new `Gateway` swapped in whole.
pub struct Gateway {
    pub(super) api: Arc<CompiledApi>,
    pub(super) stage: Stage,
    pub(super) backends: Backends,
    pub(super) access: Access,
    pub(super) ids: RequestIds,
    /// `x-amazon-apigateway-cors`, compiled.
    pub(super) cors: Option<CorsPolicy>,
    /// The stage's access-log format, compiled.
    pub(super) access_log: Option<AccessLogFormat>,
    /// Where access-log lines go (the host's).
    pub(super) access_log_sink: Option<Arc<dyn AccessLogSink>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("api", &self.api.api().id)
            .field("stage", &self.stage.name)
            .field("backends", &self.backends)
            .finish()
    }
}

/// Per-request state the stages share: plain data.
pub(super) struct Exchange {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) raw_query: String,
    pub(super) parts: OwnedRequest,
    /// `$context` and what the templates wrote into its override maps: one value for the
    /// whole request (the templates take it and give it back), so a gateway response after
    /// any stage reads the request's latest `$context`.
    pub(super) context: ContextState,
    pub(super) resource_path: Option<String>,
    pub(super) integration_latency: Option<Duration>,
    pub(super) source_ip: Option<IpAddr>,
    pub(super) epoch_millis: i64,
    pub(super) request_id: String,
    /// The integration (non-proxy HTTP) answered with a `Content-Encoding`: not compressed
    /// again.
    pub(super) integration_encoded: bool,
}

fn epoch_millis(now: SystemTime) -> i64 {
    now.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Gateway {
    /// Serves `api` on `stage` with the host's `backends`; the stage is checked against API
    /// Gateway's rules.
    pub fn new(
        api: Arc<CompiledApi>,
        stage: Stage,
        backends: Backends,
    ) -> Result<Gateway, StageError> {
        stage.check()?;
        let access_log = stage
            .access_log_format
            .as_deref()
            .map(AccessLogFormat::compile)
            .transpose()?;
        Ok(Gateway {
            cors: api.api().cors.as_ref().map(CorsPolicy::new),
            api,
            stage,
            backends,
            access: Access::default(),
            ids: RequestIds::new(),
            access_log,
            access_log_sink: None,
        })
    }

    /// The same gateway with `access`: the keys, plans, identities and counter stores the
    /// access-control stages use (see [`super::access`]).
    pub fn with_access(mut self, access: Access) -> Gateway {
        self.access = access;
        self
    }

    /// Writes the stage's access-log lines ([`Stage::access_log_format`]) to `sink`, one per
    /// request; without a format, or without a sink (the default), nothing is written.
    pub fn with_access_log_sink(mut self, sink: Arc<dyn AccessLogSink>) -> Gateway {
        self.access_log_sink = Some(sink);
        self
    }

    /// Whether requests are access-logged (a format and a sink).
    pub fn access_logging(&self) -> bool {
        self.access_log.is_some() && self.access_log_sink.is_some()
    }

    /// The access-log stage's format and sink, when both are set.
    fn access_log_stage(&self) -> Option<(&AccessLogFormat, &dyn AccessLogSink)> {
        Some((self.access_log.as_ref()?, self.access_log_sink.as_deref()?))
    }

    /// The compiled API.
    pub fn api(&self) -> &CompiledApi {
        &self.api
    }

    /// The stage.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// Serves one request. Its URI's path is the path after the stage (`/pets/1` for
    /// `https://{api}.execute-api.../prod/pets/1`); the response is the one API Gateway sends,
    /// failures included. Never panics on request content; the future is `Send`.
    pub async fn handle(&self, request: http::Request<Bytes>, client: Client) -> Response<Bytes> {
        self.handle_with_outcome(request, client).await.0
    }

    /// Serves one request as the execute-api endpoint receives it: the path starts with
    /// `/{stage}` (`/prod/pets/1`). Another first segment is answered 403
    /// `{"message":"Forbidden"}` (`ForbiddenException`), as API Gateway answers a stage that
    /// does not exist (AWS Knowledge Center, "How do I troubleshoot HTTP 403 errors from API
    /// Gateway": invoking a stage that does not exist gives 403 Forbidden).
    pub async fn handle_endpoint(
        &self,
        request: http::Request<Bytes>,
        client: Client,
    ) -> (Response<Bytes>, Outcome) {
        let (mut head, body) = request.into_parts();
        let inner = strip_stage(&head.uri, &self.stage.name);
        match inner {
            Some(uri) => {
                head.uri = uri;
                self.handle_with_outcome(http::Request::from_parts(head, body), client)
                    .await
            }
            None => {
                let (request_id, extended_id) = self.ids.next();
                let failure =
                    Failure::new(crate::model::GatewayResponseType::Default4xx, "Forbidden")
                        .with_status(http::StatusCode::FORBIDDEN)
                        .with_error_type("ForbiddenException");
                let response = failure.default_response().into_response();
                let outcome = Outcome {
                    request_id: request_id.clone(),
                    failure: Some("FORBIDDEN (no such stage)"),
                    ..Outcome::default()
                };
                (self.finish(response, &request_id, &extended_id), outcome)
            }
        }
    }

    /// [`Gateway::handle`], also saying what happened (for a log line).
    pub async fn handle_with_outcome(
        &self,
        request: http::Request<Bytes>,
        client: Client,
    ) -> (Response<Bytes>, Outcome) {
        let (mut head, body) = request.into_parts();
        let path_and_query = head.uri.path_and_query().map_or("/", |p| p.as_str());
        if let Err(refusal) = request::check_limits(path_and_query, &head.headers, &body) {
            return (FrontEndRefusal::into_response(refusal), Outcome::default());
        }
        let arrived = self.access_logging().then(Instant::now);
        let (request_id, extended_id) = self.ids.next();
        let path = match head.uri.path() {
            "" => "/".to_owned(),
            p => p.to_owned(),
        };
        let method = head.method.as_str().to_owned();
        let epoch = epoch_millis(SystemTime::now());
        let context = context::on_arrival(&Arrival {
            stage: &self.stage,
            api_id: &self.api.api().id,
            http_method: &method,
            path: &path,
            headers: &head.headers,
            source_ip: client.source_ip,
            request_id: &request_id,
            extended_request_id: &extended_id,
            epoch_millis: epoch,
        });
        let query = request::decode_query(head.uri.query());
        let raw_query = head.uri.query().unwrap_or_default().to_owned();
        let spellings = head.extensions.remove::<request::HeaderSpellings>();
        let mut exchange = Exchange {
            raw_query,
            source_ip: client.source_ip,
            epoch_millis: epoch,
            request_id,
            method,
            path,
            parts: request::parts(head.headers, query, body),
            context: ContextState::from(context),
            resource_path: None,
            integration_latency: None,
            integration_encoded: false,
        };
        if let Some(spellings) = spellings {
            exchange.parts.header_names = spellings.0;
        }
        let preflight = cors::preflight(
            self.cors.as_ref(),
            &exchange.method,
            &exchange.parts.headers,
        );
        let answered_preflight = preflight.is_some();
        let result = match preflight {
            Some(answer) => Ok(answer),
            None => self.run(&mut exchange).await,
        };
        let mut failed = None;
        let mut response = match result {
            Ok(response) => response,
            Err(failure) => {
                if arrived.is_some() {
                    access_log::note_failure(exchange.context.context_mut(), &failure);
                }
                let response = self.failure_response(&failure, &exchange);
                failed = Some(failure);
                response
            }
        };
        if !answered_preflight {
            cors::apply(
                self.cors.as_ref(),
                &exchange.parts.headers,
                response.headers_mut(),
            );
        }
        self.api.compression().compress_response(
            &exchange.parts.headers,
            exchange.integration_encoded,
            &mut response,
        );
        let response = self.finish(response, &exchange.request_id, &extended_id);
        if let Some(arrived) = arrived {
            let finished = access_log::Finished {
                status: response.status().as_u16(),
                response_length: response.body().len(),
                response_latency_ms: u64::try_from(arrived.elapsed().as_millis())
                    .unwrap_or(u64::MAX),
            };
            access_log::write(
                self.access_log_stage(),
                exchange.context.context(),
                finished,
            );
        }
        // Built last, from what the exchange no longer needs (nothing copied).
        let outcome = Outcome {
            request_id: std::mem::take(&mut exchange.request_id),
            resource_path: exchange.resource_path.take(),
            failure: failed.as_ref().map(|f| f.response_type.as_str()),
            detail: failed.and_then(|f| f.detail),
            integration_latency: exchange.integration_latency,
        };
        (response, outcome)
    }

    /// The stages after arrival; any failure ends the chain.
    async fn run(&self, exchange: &mut Exchange) -> Result<Response<Bytes>, Failure> {
        let routed = route::route(&self.api, &exchange.method, &exchange.path)?;
        let route = routed.route;
        exchange.parts.path = routed.path_parameters;
        context::on_route(
            exchange.context.context_mut(),
            &resource_id(&routed.resource_path),
            &routed.resource_path,
        );
        exchange.resource_path = Some(routed.resource_path);
        let (_, method) = self
            .api
            .model_method(route)
            .ok_or_else(|| failures::configuration("the routed method is not in the API"))?;
        let resource_path = exchange.resource_path.as_deref().unwrap_or_default();
        let request = AccessRequest {
            api: &self.api,
            stage: &self.stage,
            method,
            http_method: &exchange.method,
            resource_path,
            path: &exchange.path,
            raw_query: &exchange.raw_query,
            request: &exchange.parts,
            source_ip: exchange.source_ip,
            epoch_millis: exchange.epoch_millis,
        };
        if let Some(refusal) = access::method_arn_limit(&request) {
            return Ok(refusal);
        }
        access::check(
            &self.access,
            &self.backends,
            &request,
            exchange.context.context_mut(),
        )
        .await?;
        if let Some(refusal) = self.decompress(exchange)? {
            return Ok(refusal);
        }
        let body_json = match self.api.method(route) {
            Some(compiled) => validation::validate(compiled, &exchange.parts)?,
            None => None,
        };
        let Some(integration) = method.integration.as_ref() else {
            return Err(failures::configuration("the method has no integration"));
        };
        let compiled = self
            .api
            .method(route)
            .and_then(|m| m.integration())
            .ok_or_else(|| failures::configuration("the method's integration is not compiled"))?;
        self.integrate(integration, compiled, exchange, body_json)
            .await
    }

    /// A compressed request body decoded in place (its `Content-Encoding` dropped), before
    /// validation and mapping, as the developer guide's payload compression page orders them
    /// (research 4.1). An unsupported or broken coding is `UNSUPPORTED_MEDIA_TYPE`
    /// (415 `Unsupported Media Type`, same guide); a body that decodes past the 10 MB payload
    /// limit is answered as a body over it (`Some` response: 413).
    fn decompress(&self, exchange: &mut Exchange) -> Result<Option<Response<Bytes>>, Failure> {
        let parts = &mut exchange.parts;
        match self
            .api
            .compression()
            .decompress_request(&parts.headers, &parts.body)
        {
            Ok(None) => Ok(None),
            Ok(Some(body)) => {
                parts.body = body;
                parts.headers.remove(http::header::CONTENT_ENCODING);
                Ok(None)
            }
            Err(DecompressError::TooLarge) => Ok(Some(FrontEndRefusal::into_response(
                request::payload_too_large(),
            ))),
            Err(e) => Err(Failure::new(
                crate::model::GatewayResponseType::UnsupportedMediaType,
                UnsupportedMediaType::MESSAGE,
            )
            .with_detail(e.to_string())),
        }
    }

    /// The gateway response for `failure`, with the request's `$context`.
    fn failure_response(&self, failure: &Failure, exchange: &Exchange) -> Response<Bytes> {
        let parts = &exchange.parts;
        let view = ValidationView {
            headers: &parts.headers,
            query: &parts.query,
            path: &parts.path,
            body: &parts.body,
        };
        let rendered = self.api.gateway_response_in(
            failure,
            &view,
            exchange.context.context().clone(),
            &self.stage.variables,
        );
        match rendered {
            Ok(r) => r.into_response(),
            // A customised template that fails: API Gateway's own default for the failure.
            Err(_) => failure.default_response().into_response(),
        }
    }

    /// The headers API Gateway adds to every response it produces: `x-amzn-RequestId` and
    /// `x-amz-apigw-id` (research pipeline-access.md 9: LocalStack's `response_enricher`
    /// mirrors what AWS sends).
    fn finish(
        &self,
        mut response: Response<Bytes>,
        request_id: &str,
        extended_id: &str,
    ) -> Response<Bytes> {
        let headers = response.headers_mut();
        for (name, value) in [
            ("x-amzn-requestid", request_id),
            ("x-amz-apigw-id", extended_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}

impl MethodResponse {
    /// As an `http::Response`.
    pub fn into_response(self) -> Response<Bytes> {
        let mut response = Response::new(self.body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// The URI without its first path segment when that segment is `stage` (`/prod/pets?x=1` ->
/// `/pets?x=1`, `/prod` -> `/`); `None` for any other first segment.
fn strip_stage(uri: &http::Uri, stage: &str) -> Option<http::Uri> {
    let path = uri.path();
    let rest = path.strip_prefix('/')?.strip_prefix(stage)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let rest = if rest.is_empty() { "/" } else { rest };
    let with_query = match uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    };
    with_query.parse().ok()
}

/// A stable resource id for `$context.resourceId`: six lowercase letters and digits derived
/// from the resource path (API Gateway's ids look like `3kz9zm`; ours stay the same across
/// reloads of the same API).
pub fn resource_id(resource_path: &str) -> String {
    // FNV-1a: stable across processes and versions, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in resource_path.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|_| {
            let c = ALPHABET[(hash % 36) as usize];
            hash /= 36;
            char::from(c)
        })
        .collect()
}

/// The future of [`Gateway::handle`] is `Send` (the state crossing the integration's
/// `.await` is plain data), and the gateway is shared across threads.
#[allow(dead_code)]
fn _assert_send(gateway: &Gateway, request: http::Request<Bytes>) {
    fn is_send<T: Send>(_: &T) {}
    const fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Gateway>();
    is_send(&gateway.handle(request, Client::default()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_is_the_first_segment() {
        let uri = |s: &str| s.parse::<http::Uri>().unwrap();
        assert_eq!(
            strip_stage(&uri("/prod/pets?a=1"), "prod").unwrap(),
            "/pets?a=1"
        );
        assert_eq!(strip_stage(&uri("/prod"), "prod").unwrap(), "/");
        assert_eq!(strip_stage(&uri("/prod/"), "prod").unwrap(), "/");
        assert!(strip_stage(&uri("/production/pets"), "prod").is_none());
        assert!(strip_stage(&uri("/dev/pets"), "prod").is_none());
        assert!(strip_stage(&uri("/"), "prod").is_none());
    }

    #[test]
    fn resource_ids_are_stable_and_shaped() {
        let a = resource_id("/pets/{petId}");
        assert_eq!(a, resource_id("/pets/{petId}"));
        assert_ne!(a, resource_id("/pets"));
        assert_eq!(a.len(), 6);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
