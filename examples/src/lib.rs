//! The library half of the examples: the host side of the gateway (the I/O the library leaves
//! to its host, on hyper and tokio), shared by the `gateway` tool and the `axum-app` example.

pub mod host;
