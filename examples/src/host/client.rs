//! The HTTP client every host-side backend sends through (HTTP integrations and the Lambda
//! Invoke API), with one connection pool per thread.
//!
//! `gateway serve`'s workers each run a single-threaded runtime (`super::server`), so a
//! request, the backend connection it uses and that connection's task stay on one thread,
//! and handing the request over and the answer back wakes no other thread. On any other
//! runtime it works the same, each thread with its own pool.

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::TokioExecutor;

thread_local! {
    /// This thread's client and connection pool.
    static CLIENT: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
}

/// Sends `request` through this thread's client (plain HTTP).
pub fn send(request: http::Request<Full<Bytes>>) -> ResponseFuture {
    CLIENT.with(|client| client.request(request))
}
