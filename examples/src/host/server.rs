//! `gateway serve`'s server: HTTP/1.1 on hyper, one task per connection, the current
//! [`Gateway`] read per request from a slot `--watch` swaps (requests in flight finish on the
//! version they started with), graceful stop on Ctrl-C/SIGTERM. Each request carries its
//! header names as the client spelled them ([`super::spelling`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use gateway_core::pipeline::{Client, GatewaySlot, Outcome};
use gateway_core::tower::GatewayService;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

use super::spelling::SpellingIo;
use super::stdout_log::StdoutSink;
use gateway_core::pipeline::access_log::AccessLogSink;
use gateway_core::pipeline::header_spelling::Spellings;

/// The gateway in force: replaced whole when the API file changes.
pub type Slot = Arc<GatewaySlot>;

/// Serves one request through the gateway in force, as a tower service on the execute-api
/// endpoint (`/{stage}/...`; the body read up to the payload limit plus one byte, so the
/// pipeline's 413 applies without holding more: `gateway_core::tower`), and logs one line
/// (unless the gateway writes access-log lines).
async fn serve_one(
    slot: Slot,
    peer: SocketAddr,
    log: Option<StdoutSink>,
    spellings: Spellings,
    mut request: http::Request<Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    if let Some(names) = spellings.take_for(request.headers()) {
        request.extensions_mut().insert(names);
    }
    let method = request.method().clone();
    let uri = request.uri().clone();
    request.extensions_mut().insert(Client {
        source_ip: Some(peer.ip()),
    });
    let gateway = slot.current();
    // With an access log, its lines are the server's (the gateway writes them).
    let own_line = !gateway.access_logging();
    let response = GatewayService::endpoint(gateway).oneshot(request).await?;
    if !own_line {
        return Ok(response);
    }
    let mut line = format!(
        "{} {} {} {} {:.1}ms",
        peer.ip(),
        method,
        uri,
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(outcome) = response.extensions().get::<Outcome>() {
        if let Some(kind) = outcome.failure {
            line.push_str(&format!(" {kind}"));
        }
        if let Some(detail) = &outcome.detail {
            line.push_str(&format!(" ({})", gateway_core::text::Escaped(detail)));
        }
    }
    // Through the writer thread (a burst of lines is one write, and a slow stdout never holds
    // a request); printed directly only when that thread could not start.
    match &log {
        Some(sink) => sink.write(line),
        None => println!("{line}"),
    }
    Ok(response)
}

/// Accepts connections on `listener` until `stop` resolves, then waits for the connections'
/// requests in flight to finish.
pub async fn run(
    listener: TcpListener,
    slot: Slot,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let log = StdoutSink::start();
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        eprintln!("gateway serve: accept: {e}");
                        continue;
                    }
                };
                let slot = Arc::clone(&slot);
                let spellings = Spellings::new();
                let stream = SpellingIo::new(stream, spellings.clone());
                let log = log.clone();
                let service = service_fn(move |req| {
                    serve_one(Arc::clone(&slot), peer, log.clone(), spellings.clone(), req)
                });
                let connection = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    if let Some(log) = &log {
        log.flush();
    }
    Ok(())
}
