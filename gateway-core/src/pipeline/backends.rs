//! The I/O the pipeline does not do itself: the HTTP backend and the Lambda invoker, traits the
//! host implements (the library takes no async runtime).
//!
//! Each call carries the integration's timeout; the implementation enforces it and answers
//! [`BackendError::Timeout`] (API Gateway's 504 `Endpoint request timed out`). A call that
//! never resolves would hang its request: implementations must honour the timeout.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};

/// A boxed `Send` future, as the backend traits return (object-safe, runtime-neutral).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A request to an HTTP backend (HTTP and HTTP_PROXY integrations).
#[derive(Debug, Clone)]
pub struct BackendRequest {
    /// The verb (the integration's `httpMethod`; the client's for `ANY`).
    pub method: Method,
    /// The absolute backend URI.
    pub uri: Uri,
    /// The headers to send (already shaped as API Gateway shapes them).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The integration's `timeoutInMillis`.
    pub timeout: Duration,
}

/// A backend's answer.
#[derive(Debug, Clone)]
pub struct BackendResponse {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

/// Why a backend call produced no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// No answer within the integration's timeout: 504 `Endpoint request timed out`.
    #[error("timed out")]
    Timeout,
    /// The connection failed (refused, reset, DNS, TLS): 504 `Network error communicating
    /// with endpoint` for HTTP; for Lambda, 500 `Internal server error`.
    #[error("network error: {0}")]
    Network(String),
}

/// The HTTP client the host provides.
pub trait HttpBackend: Send + Sync {
    /// Sends `request`, within `request.timeout`.
    fn send(&self, request: BackendRequest)
    -> BoxFuture<'_, Result<BackendResponse, BackendError>>;
}

/// The Invoke API's `X-Amz-Invocation-Type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum InvocationType {
    /// Synchronous: the answer is the function's result (Invoke answers 200).
    #[default]
    RequestResponse,
    /// Asynchronous: Lambda queues the event and answers 202 with no payload; the function's
    /// result and errors never come back.
    Event,
    /// Checks the caller may invoke, without running the function (Invoke answers 204).
    DryRun,
}

impl InvocationType {
    /// The header value (`RequestResponse`, `Event`, `DryRun`).
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationType::RequestResponse => "RequestResponse",
            InvocationType::Event => "Event",
            InvocationType::DryRun => "DryRun",
        }
    }

    /// The status Invoke answers with: 200, 202 or 204 (Lambda API reference, Invoke).
    pub fn status(self) -> u16 {
        match self {
            InvocationType::RequestResponse => 200,
            InvocationType::Event => 202,
            InvocationType::DryRun => 204,
        }
    }
}

/// One Lambda invocation.
#[derive(Debug, Clone)]
pub struct LambdaInvocation {
    /// The function: a name, a full ARN or a partial ARN, with its qualifier if any
    /// (`arn:aws:lambda:us-east-1:123456789012:function:pets:live`).
    pub function: String,
    /// The region of the function's ARN, when it names one.
    pub region: Option<String>,
    /// The event, JSON.
    pub payload: Bytes,
    /// The integration's `timeoutInMillis`.
    pub timeout: Duration,
    /// Synchronous (the default), asynchronous (`Event`) or a dry run; a Lambda custom
    /// integration asks for it with the integration request header `X-Amz-Invocation-Type`.
    pub invocation_type: InvocationType,
}

/// What the Invoke API answered.
#[derive(Debug, Clone)]
pub struct LambdaOutput {
    /// The function's result (or its error document when `function_error` is set).
    pub payload: Bytes,
    /// The `X-Amz-Function-Error` header (`Unhandled`, `Handled`), when the function failed.
    pub function_error: Option<String>,
}

/// The Lambda invoker the host provides (the Invoke HTTP API:
/// `POST /2015-03-31/functions/{function}/invocations`).
pub trait LambdaBackend: Send + Sync {
    /// Invokes the function synchronously, within `invocation.timeout`.
    fn invoke(
        &self,
        invocation: LambdaInvocation,
    ) -> BoxFuture<'_, Result<LambdaOutput, BackendError>>;
}
