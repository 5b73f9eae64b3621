//! The host side of the gateway: the I/O the library leaves to its host, on hyper and tokio.
//!
//! - [`client`]: the HTTP client the backends send through, one connection pool per thread;
//! - [`example_backend`]: the bundled APIs' example hosts in process, the rest through
//!   [`http_backend`];
//! - [`http_backend`]: the HTTP client of HTTP and HTTP_PROXY integrations;
//! - [`lambda`]: the Lambda invoker (the Invoke HTTP API of `--lambda-endpoint`, or the
//!   built-in example functions);
//! - [`server`]: `gateway serve`'s HTTP/1.1 server;
//! - [`spelling`]: the header names of each request as the client spelled them (hyper keeps
//!   only lower case);
//! - [`stdout_log`]: `gateway serve --access-log`'s sink, access-log lines to stdout.

pub mod client;
pub mod example_backend;
pub mod http_backend;
pub mod lambda;
pub mod server;
pub mod spelling;
pub mod stdout_log;

/// Largest backend answer read (API Gateway's payload limit: 10 MB; Lambda's is 6 MB).
pub const MAX_BACKEND_BODY_BYTES: usize = 10 * 1024 * 1024;
