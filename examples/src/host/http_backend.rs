//! [`HyperBackend`]: HTTP and HTTP_PROXY integrations over hyper's client.
//!
//! Plain `http://` backends; an `https://` backend answers as a network error naming the
//! reason (this local tool carries no TLS stack). The integration's timeout covers the whole
//! exchange, connection to last body byte, as API Gateway's `timeoutInMillis` does.

use std::time::Instant;

use gateway_core::pipeline::{
    BackendError, BackendRequest, BackendResponse, BoxFuture, HttpBackend,
};
use http_body_util::{BodyExt, Full, Limited};

use super::MAX_BACKEND_BODY_BYTES;

/// An HTTP client for integrations, on each thread's connection pool ([`super::client`]).
#[derive(Clone, Debug, Default)]
pub struct HyperBackend {
    _private: (),
}

impl HyperBackend {
    /// A client (on each thread's connection pool).
    pub fn new() -> HyperBackend {
        HyperBackend::default()
    }
}

impl HttpBackend for HyperBackend {
    fn send(
        &self,
        request: BackendRequest,
    ) -> BoxFuture<'_, Result<BackendResponse, BackendError>> {
        Box::pin(async move {
            if request.uri.scheme_str() == Some("https") {
                return Err(BackendError::Network(
                    "https backends are not supported by the local gateway (no TLS)".into(),
                ));
            }
            let deadline = Instant::now() + request.timeout;
            let mut outgoing = http::Request::new(Full::new(request.body));
            *outgoing.method_mut() = request.method;
            *outgoing.uri_mut() = request.uri;
            *outgoing.headers_mut() = request.headers;
            let exchange = async {
                let response = super::client::send(outgoing)
                    .await
                    .map_err(|e| BackendError::Network(e.to_string()))?;
                let (head, body) = response.into_parts();
                let body = Limited::new(body, MAX_BACKEND_BODY_BYTES)
                    .collect()
                    .await
                    .map_err(|e| BackendError::Network(e.to_string()))?
                    .to_bytes();
                Ok(BackendResponse {
                    status: head.status,
                    headers: head.headers,
                    body,
                })
            };
            match tokio::time::timeout_at(deadline.into(), exchange).await {
                Ok(result) => result,
                Err(_) => Err(BackendError::Timeout),
            }
        })
    }
}
