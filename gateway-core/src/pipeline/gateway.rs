//! [`Gateway`]: one compiled API served on one stage, and the chain every request goes
//! through, in API Gateway's order (research pipeline-access.md 9):
//!
//! 1. front-end limits ([`request::check_limits`]: 413/414/431, not gateway responses);
//! 2. `$context` on arrival ([`context::on_arrival`]);
//! 3. route ([`super::route`]; a miss is `MISSING_AUTHENTICATION_TOKEN`);
//! 4. access control: resource policy, authorizers, API keys, throttling (their issue fills
//!    this place: [`super::access`]);
//! 5. request validation ([`super::validation`]);
//! 6. the integration: MOCK, HTTP, HTTP_PROXY, AWS_PROXY, AWS (Lambda), each in
//!    [`super::integrations`], non-proxy ones through [`integration_request::map`] and
//!    [`integration_response::respond`];
//! 7. every failure of every stage through the API's gateway responses;
//! 8. the headers API Gateway adds to every response it sends ([`Gateway::finish`]).
//!
//! The per-request state is plain `Send` data (the mapping `$context` crosses the
//! integration's `.await` as a [`gateway_mapping::context::ContextState`]), so the future of
//! [`Gateway::handle`] is `Send`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use gateway_mapping::context::Context;
use gateway_mapping::input::OwnedRequest;
use gateway_validate::RequestView as ValidationView;
use http::{HeaderName, HeaderValue, Response};
use serde_json::Value as Json;

use super::backends::{
    BackendError, BackendRequest, HttpBackend, LambdaBackend, LambdaInvocation, LambdaOutput,
};
use super::context::{self, Arrival, RequestIds};
use super::failures;
use super::gateway_response::Failure;
use super::integration_request;
use super::integration_response::{self, IntegrationOutput, MethodResponse};
use super::integrations::http::{
    self as http_integration, ClientConnection, HttpKind, IntegrationError, RequestHeadersInput,
    UriInput,
};
use super::integrations::lambda_proxy::{self, EventError, EventInput};
use super::integrations::{lambda, mock};
use super::request::{self, FrontEndRefusal};
use super::stage::{Stage, StageError};
use super::{access, route, validation};
use crate::compile::{CompiledApi, CompiledIntegration};
use crate::model::{HttpMethod, Integration, IntegrationType};

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
    api: Arc<CompiledApi>,
    stage: Stage,
    backends: Backends,
    ids: RequestIds,
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
struct Exchange {
    method: String,
    path: String,
    parts: OwnedRequest,
    context: Context,
    resource_path: Option<String>,
    integration_latency: Option<Duration>,
    source_ip: Option<IpAddr>,
    epoch_millis: i64,
    request_id: String,
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
        Ok(Gateway {
            api,
            stage,
            backends,
            ids: RequestIds::new(),
        })
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
        let (head, body) = request.into_parts();
        let path_and_query = head.uri.path_and_query().map_or("/", |p| p.as_str());
        if let Err(refusal) = request::check_limits(path_and_query, &head.headers, &body) {
            return (FrontEndRefusal::into_response(refusal), Outcome::default());
        }
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
        let mut exchange = Exchange {
            source_ip: client.source_ip,
            epoch_millis: epoch,
            request_id: request_id.clone(),
            method,
            path,
            parts: request::parts(head.headers, query, body),
            context,
            resource_path: None,
            integration_latency: None,
        };
        let result = self.run(&mut exchange).await;
        let mut outcome = Outcome {
            request_id: request_id.clone(),
            resource_path: exchange.resource_path.clone(),
            failure: None,
            detail: None,
            integration_latency: exchange.integration_latency,
        };
        let response = match result {
            Ok(response) => response,
            Err(failure) => {
                outcome.failure = Some(failure.response_type.as_str());
                outcome.detail.clone_from(&failure.detail);
                self.failure_response(&failure, &exchange)
            }
        };
        (self.finish(response, &request_id, &extended_id), outcome)
    }

    /// The stages after arrival; any failure ends the chain.
    async fn run(&self, exchange: &mut Exchange) -> Result<Response<Bytes>, Failure> {
        let routed = route::route(&self.api, &exchange.method, &exchange.path)?;
        let route = routed.route;
        exchange.parts.path = routed.path_parameters;
        context::on_route(
            &mut exchange.context,
            &resource_id(&routed.resource_path),
            &routed.resource_path,
        );
        exchange.resource_path = Some(routed.resource_path);
        let (_, method) = self
            .api
            .model_method(route)
            .ok_or_else(|| failures::configuration("the routed method is not in the API"))?;
        access::authorize(&self.api, method, &exchange.parts, &mut exchange.context)?;
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
        match integration.kind {
            IntegrationType::Mock => self
                .mock(compiled, exchange, body_json)
                .map(MethodResponse::into_response),
            IntegrationType::Http => {
                self.http(HttpKind::Http, integration, compiled, exchange, body_json)
                    .await
            }
            IntegrationType::HttpProxy => {
                self.http(
                    HttpKind::HttpProxy,
                    integration,
                    compiled,
                    exchange,
                    body_json,
                )
                .await
            }
            IntegrationType::AwsProxy => self.lambda_proxy(integration, exchange).await,
            IntegrationType::Aws => {
                self.lambda_custom(integration, compiled, exchange, body_json)
                    .await
            }
        }
    }

    /// The function of a Lambda integration, and a check of the integration method (API
    /// Gateway calls Lambda with POST; another method is a 500: research 1.5, recorded
    /// `invocation-payload-with-get-proxy-method`).
    fn lambda_target(&self, integration: &Integration) -> Result<lambda::LambdaTarget, Failure> {
        let uri = integration.uri.as_deref().unwrap_or_default();
        let target = lambda::target(uri, &self.stage.variables).ok_or_else(|| {
            failures::configuration(format!(
                "AWS service integrations other than Lambda are not served: {}",
                crate::text::Escaped(uri)
            ))
        })?;
        if integration.http_method != Some(HttpMethod::Post) {
            return Err(failures::configuration(
                "Lambda integrations must use the POST integration method",
            ));
        }
        Ok(target)
    }

    /// Invokes a function through the host's Lambda backend, within the integration's
    /// timeout; records the latency. A timeout is 504 `Endpoint request timed out`; the Lambda
    /// service unreachable or refusing is 502 `Internal server error` (research 1.7).
    async fn invoke(
        &self,
        target: lambda::LambdaTarget,
        payload: Bytes,
        integration: &Integration,
        exchange: &mut Exchange,
    ) -> Result<LambdaOutput, Failure> {
        let backend =
            self.backends.lambda.as_ref().ok_or_else(|| {
                failures::configuration("no Lambda invoker was given to the gateway")
            })?;
        let started = Instant::now();
        let answer = backend
            .invoke(LambdaInvocation {
                function: target.function,
                region: Some(target.region),
                payload,
                timeout: http_integration::timeout(integration.timeout_in_millis),
            })
            .await;
        let latency = started.elapsed();
        exchange.integration_latency = Some(latency);
        let millis = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        exchange.context.set("integration.latency", millis);
        exchange.context.set("integrationLatency", millis);
        answer.map_err(|e| match e {
            BackendError::Timeout => Failure::from(IntegrationError::Timeout)
                .with_detail("Execution failed due to a timeout error"),
            other => failures::lambda(format!("Lambda invocation failed: {other}")),
        })
    }

    /// AWS_PROXY: the payload-format 1.0 event built from the request and its `$context`,
    /// the function invoked, its answer parsed as API Gateway parses it; a function error or a
    /// malformed answer is 502 `Internal server error`, an event over Lambda's 6 MB limit 413
    /// `Request Too Long` (research 1.5 to 1.7).
    async fn lambda_proxy(
        &self,
        integration: &Integration,
        exchange: &mut Exchange,
    ) -> Result<Response<Bytes>, Failure> {
        let target = self.lambda_target(integration)?;
        let resource_path = exchange.resource_path.clone().unwrap_or_default();
        let payload = lambda_proxy::encode_event(&EventInput {
            request: exchange.parts.view(),
            resource_path: &resource_path,
            request_path: &exchange.path,
            http_method: &exchange.method,
            stage: &self.stage.name,
            stage_variables: &self.stage.variables,
            base64_body: false,
            context: &exchange.context,
        });
        let payload = match payload {
            Ok(payload) => payload,
            // Over Lambda's 6 MB: 413 {"message": "Request Too Long"} (with the space),
            // BadRequestException (research 10, lgtm-generator#10's output).
            Err(EventError::TooLarge { .. }) => {
                let mut response = Response::new(Bytes::from_static(
                    lambda_proxy::REQUEST_TOO_LONG_BODY.as_bytes(),
                ));
                *response.status_mut() = http::StatusCode::PAYLOAD_TOO_LARGE;
                let headers = response.headers_mut();
                headers.insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                headers.insert(
                    super::ERROR_TYPE_HEADER,
                    HeaderValue::from_static("BadRequestException"),
                );
                return Ok(response);
            }
            Err(other) => return Err(failures::configuration(other.to_string())),
        };
        let answer = self
            .invoke(target, Bytes::from(payload), integration, exchange)
            .await?;
        exchange.context.set("integration.status", 200);
        if lambda_proxy::invocation_failed(answer.function_error.as_deref()) {
            return Err(failures::lambda(format!(
                "Lambda execution failed with status 200 due to customer function error: {}",
                String::from_utf8_lossy(&answer.payload)
            )));
        }
        let parsed =
            lambda_proxy::parse_response(&answer.payload).map_err(|e| Failure::from(&e))?;
        let body = parsed
            .client_body(false)
            .map_err(|e| failures::lambda(e.to_string()))?;
        let mut response = Response::new(body);
        *response.status_mut() = parsed.status;
        *response.headers_mut() = http_integration::proxy_response_headers(&parsed.headers);
        // AWS_PROXY answers carry the trace id (recorded: test_invocation_trace_id).
        if let Ok(value) = HeaderValue::from_str(&trace_id(exchange)) {
            response.headers_mut().insert("x-amzn-trace-id", value);
        }
        Ok(response)
    }

    /// AWS with a Lambda URI (Lambda custom integration): the request template's output is
    /// the event; the answer selects an integration response by its `errorMessage` (a
    /// failed invocation) or as a success (the default response), and the whole answer is the
    /// response template's `$input` (research 2).
    async fn lambda_custom(
        &self,
        integration: &Integration,
        compiled: &CompiledIntegration,
        exchange: &mut Exchange,
        body_json: Option<Arc<Json>>,
    ) -> Result<Response<Bytes>, Failure> {
        let target = self.lambda_target(integration)?;
        let parts = Arc::new(std::mem::take(&mut exchange.parts));
        let mapped = integration_request::map(
            compiled,
            &parts,
            body_json,
            exchange.context.clone(),
            &self.stage.variables,
        );
        let result = match mapped {
            Ok((mapped, mut state)) => match self
                .invoke(target, mapped.body, integration, exchange)
                .await
            {
                Ok(answer) => {
                    // Lambda's Invoke answers 200 for a function error too (the error is in
                    // X-Amz-Function-Error and the payload).
                    state.context_mut().set("integration.status", 200);
                    let output = IntegrationOutput {
                        selector: lambda::selector(
                            answer.function_error.as_deref(),
                            &answer.payload,
                        ),
                        headers: http::HeaderMap::new(),
                        body: answer.payload,
                    };
                    integration_response::respond(
                        compiled,
                        &output,
                        &parts,
                        state,
                        &self.stage.variables,
                    )
                    .map(MethodResponse::into_response)
                }
                Err(failure) => Err(failure),
            },
            Err(failure) => Err(failure),
        };
        exchange.parts = Arc::unwrap_or_clone(parts);
        result
    }

    /// HTTP and HTTP_PROXY: parameter mappings (both), the request template (HTTP), the
    /// backend URI and headers as API Gateway shapes them, the host's HTTP client within the
    /// integration's timeout; HTTP_PROXY passes the answer through (remapping `Connection`,
    /// `Content-Length`, `Date`, `Server`), HTTP selects an integration response for its
    /// status.
    async fn http(
        &self,
        kind: HttpKind,
        integration: &Integration,
        compiled: &CompiledIntegration,
        exchange: &mut Exchange,
        body_json: Option<Arc<Json>>,
    ) -> Result<Response<Bytes>, Failure> {
        let parts = Arc::new(std::mem::take(&mut exchange.parts));
        let result = self
            .http_exchange(kind, integration, compiled, exchange, &parts, body_json)
            .await;
        // The Arc's other holders ($input) are gone: the request comes back without a copy.
        exchange.parts = Arc::unwrap_or_clone(parts);
        result
    }

    async fn http_exchange(
        &self,
        kind: HttpKind,
        integration: &Integration,
        compiled: &CompiledIntegration,
        exchange: &mut Exchange,
        parts: &Arc<OwnedRequest>,
        body_json: Option<Arc<Json>>,
    ) -> Result<Response<Bytes>, Failure> {
        let (mapped, state) = match kind {
            HttpKind::HttpProxy => (
                integration_request::map_parameters(
                    compiled,
                    parts,
                    body_json.as_deref(),
                    &exchange.context,
                    &self.stage.variables,
                ),
                None,
            ),
            HttpKind::Http => {
                let (mapped, state) = integration_request::map(
                    compiled,
                    parts,
                    body_json,
                    exchange.context.clone(),
                    &self.stage.variables,
                )?;
                (mapped, Some(state))
            }
        };
        let template = integration
            .uri
            .as_deref()
            .ok_or_else(|| failures::configuration("the integration has no uri"))?;
        let uri = http_integration::backend_uri(&UriInput {
            kind,
            template,
            path_parameters: &mapped.path,
            client_query: &parts.query,
            mapped_query: &mapped.query,
            stage_variables: self.stage.variables.as_map(),
        })
        .map_err(|e| Failure::from(&e).with_detail(format!("Invalid endpoint address: {e}")))?;
        let trace_id = trace_id(exchange);
        let content_type = parts.headers.get(http::header::CONTENT_TYPE);
        let headers = http_integration::request_headers(&RequestHeadersInput {
            kind,
            client_headers: &parts.headers,
            mapped_headers: &mapped.headers,
            body_content_type: content_type.filter(|_| !mapped.body.is_empty()),
            api_id: &self.api.api().id,
            trace_id: &trace_id,
            client: ClientConnection {
                ip: exchange
                    .source_ip
                    .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
                port: 443,
                proto: "https",
            },
            backend: &uri,
        })
        .map_err(|e| Failure::from(&e).with_detail(e.to_string()))?;
        let method = match integration.http_method {
            None | Some(HttpMethod::Any) => exchange.method.as_str(),
            Some(m) => m.as_str(),
        };
        let method = http::Method::from_bytes(method.as_bytes())
            .map_err(|_| failures::configuration(format!("integration method {method:?}")))?;
        let backend =
            self.backends.http.as_ref().ok_or_else(|| {
                failures::configuration("no HTTP client was given to the gateway")
            })?;
        let started = Instant::now();
        let answer = backend
            .send(BackendRequest {
                method,
                uri,
                headers,
                body: mapped.body,
                timeout: http_integration::timeout(integration.timeout_in_millis),
            })
            .await;
        let latency = started.elapsed();
        exchange.integration_latency = Some(latency);
        let answer = answer.map_err(|e| match e {
            BackendError::Timeout => Failure::from(IntegrationError::Timeout)
                .with_detail("Execution failed due to a timeout error"),
            other => Failure::from(IntegrationError::Network).with_detail(format!(
                "Execution failed due to configuration error: {other}"
            )),
        })?;
        let millis = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        exchange
            .context
            .set("integration.status", answer.status.as_u16());
        exchange.context.set("integration.latency", millis);
        exchange.context.set("integrationLatency", millis);
        let Some(mut state) = state else {
            let mut response = Response::new(answer.body);
            *response.status_mut() = answer.status;
            *response.headers_mut() = http_integration::proxy_response_headers(&answer.headers);
            return Ok(response);
        };
        let context = state.context_mut();
        context.set("integration.status", answer.status.as_u16());
        context.set("integration.latency", millis);
        let output = IntegrationOutput {
            selector: answer.status.as_u16().to_string(),
            headers: answer.headers,
            body: answer.body,
        };
        let mut response =
            integration_response::respond(compiled, &output, parts, state, &self.stage.variables)?
                .into_response();
        // HTTP (non-proxy) answers carry the trace id (research 9: LocalStack's
        // response_enricher, after AWS).
        if let Ok(value) = HeaderValue::from_str(&trace_id) {
            response.headers_mut().insert("x-amzn-trace-id", value);
        }
        Ok(response)
    }

    /// MOCK: the request template's `statusCode` selects the integration response.
    fn mock(
        &self,
        integration: &CompiledIntegration,
        exchange: &mut Exchange,
        body_json: Option<Arc<Json>>,
    ) -> Result<MethodResponse, Failure> {
        let parts = Arc::new(std::mem::take(&mut exchange.parts));
        let result = integration_request::map(
            integration,
            &parts,
            body_json,
            exchange.context.clone(),
            &self.stage.variables,
        );
        let (mapped, state) = match result {
            Ok(ok) => ok,
            Err(failure) => {
                exchange.parts = Arc::unwrap_or_clone(parts);
                return Err(failure);
            }
        };
        let rendered = String::from_utf8_lossy(&mapped.body);
        let status = if integration.request_templates().is_empty() {
            // No template: the default integration response (developer guide,
            // how-to-mock-integration).
            Some(200)
        } else {
            mock::status_code(&rendered)
        };
        let output = status.map(|status| IntegrationOutput {
            selector: status.to_string(),
            headers: http::HeaderMap::new(),
            body: Bytes::new(),
        });
        let result = match output {
            Some(output) => integration_response::respond(
                integration,
                &output,
                &parts,
                state,
                &self.stage.variables,
            ),
            None => Err(failures::configuration(
                "Unable to parse statusCode. It should be an integer that is defined in the request template.",
            )),
        };
        exchange.parts = Arc::unwrap_or_clone(parts);
        result
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
            exchange.context.clone(),
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

/// The request's `X-Amzn-Trace-Id` towards the backend: `Root=1-{epoch seconds, 8 hex}-{24
/// hex}` (the X-Ray format API Gateway sends), derived from the request id.
fn trace_id(exchange: &Exchange) -> String {
    let hex: String = exchange
        .request_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(24)
        .collect();
    format!("Root=1-{:08x}-{hex:0>24}", exchange.epoch_millis / 1000)
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
