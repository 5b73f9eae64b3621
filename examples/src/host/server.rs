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
    let mut line = request_line(
        peer.ip(),
        &method,
        &uri,
        response.status(),
        started.elapsed(),
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

/// The start of the server's line for a request: `10.0.0.1 GET /prod/pets 200 0.4ms` (the
/// client's address as `$context.identity.sourceIp` gives it, the latency in milliseconds
/// with one decimal, rounded half up). Written piece by piece: with `format!` the line was a
/// twentieth of a proxied request's instructions (callgrind).
fn request_line(
    ip: std::net::IpAddr,
    method: &http::Method,
    uri: &http::Uri,
    status: http::StatusCode,
    latency: std::time::Duration,
) -> String {
    let mut line = String::with_capacity(64 + uri.path().len());
    line.push_str(&gateway_core::pipeline::request::source_ip_text(ip));
    line.push(' ');
    line.push_str(method.as_str());
    line.push(' ');
    match uri.path_and_query() {
        Some(origin_form) if uri.scheme().is_none() => line.push_str(origin_form.as_str()),
        _ => line.push_str(&uri.to_string()),
    }
    line.push(' ');
    line.push_str(status.as_str());
    line.push(' ');
    let tenths = (latency.as_micros() + 50) / 100;
    line.push_str(itoa::Buffer::new().format(tenths / 10));
    line.push('.');
    line.push_str(itoa::Buffer::new().format(tenths % 10));
    line.push_str("ms");
    line
}

/// Accepts connections on `listener` until `stop` resolves, then waits for the connections'
/// requests in flight to finish.
///
/// Connections are served by worker threads, one per core, each with its own single-threaded
/// runtime: a connection, its requests and the backend connections they open stay on one
/// thread, so a request never wakes another thread (cross-thread wake-ups were a tenth of the
/// server's time under `scripts/load.sh`, perf). The accepting task hands each connection to
/// the next worker in turn.
pub async fn run(
    listener: TcpListener,
    slot: Slot,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let log = StdoutSink::start();
    let workers = Workers::start(&slot, log.as_ref())?;
    let mut stop = std::pin::pin!(stop);
    let mut next = 0usize;
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
                match stream.into_std() {
                    Ok(stream) => {
                        workers.hand(next, stream, peer);
                        next = next.wrapping_add(1);
                    }
                    Err(e) => eprintln!("gateway serve: accept: {e}"),
                }
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    // The workers finish their connections' requests in flight, then stop.
    // Both block their thread (joining the workers, waiting for the log writer).
    tokio::task::spawn_blocking(move || {
        workers.finish();
        if let Some(log) = &log {
            log.flush();
        }
    })
    .await
    .map_err(std::io::Error::other)
}

/// A connection handed to a worker.
type Handed = (std::net::TcpStream, SocketAddr);

/// The worker threads and the channels that hand them connections.
struct Workers {
    queues: Vec<tokio::sync::mpsc::UnboundedSender<Handed>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Workers {
    /// One worker per core (at least one).
    fn start(slot: &Slot, log: Option<&StdoutSink>) -> std::io::Result<Workers> {
        let count = std::thread::available_parallelism().map_or(1, usize::from);
        let mut workers = Workers {
            queues: Vec::with_capacity(count),
            threads: Vec::with_capacity(count),
        };
        for i in 0..count {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let (queue, connections) = tokio::sync::mpsc::unbounded_channel();
            let (slot, log) = (Arc::clone(slot), log.cloned());
            let thread = std::thread::Builder::new()
                .name(format!("gateway-worker-{i}"))
                .spawn(move || runtime.block_on(serve_connections(connections, slot, log)))?;
            workers.queues.push(queue);
            workers.threads.push(thread);
        }
        Ok(workers)
    }

    /// Hands `stream` to worker `n` (modulo their number).
    fn hand(&self, n: usize, stream: std::net::TcpStream, peer: SocketAddr) {
        if let Some(queue) = self.queues.get(n % self.queues.len().max(1)) {
            // A worker that has stopped (it never does before `finish`) drops the connection.
            let _ = queue.send((stream, peer));
        }
    }

    /// Closes the queues and waits for every worker to finish its requests in flight.
    fn finish(self) {
        drop(self.queues);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

/// One worker: serves the connections it is handed until its queue closes, then waits for
/// their requests in flight to finish.
async fn serve_connections(
    mut connections: tokio::sync::mpsc::UnboundedReceiver<Handed>,
    slot: Slot,
    log: Option<StdoutSink>,
) {
    let graceful = GracefulShutdown::new();
    while let Some((stream, peer)) = connections.recv().await {
        let stream = match tokio::net::TcpStream::from_std(stream) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("gateway serve: connection: {e}");
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
        let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::request_line;
    use std::time::Duration;

    #[test]
    fn the_request_line_has_the_latency_in_milliseconds_with_one_decimal() {
        let line = |micros| {
            request_line(
                std::net::Ipv4Addr::LOCALHOST.into(),
                &http::Method::GET,
                &"/prod/pets?x=1".parse().expect("uri"),
                http::StatusCode::OK,
                Duration::from_micros(micros),
            )
        };
        assert_eq!(line(0), "127.0.0.1 GET /prod/pets?x=1 200 0.0ms");
        assert_eq!(line(449), "127.0.0.1 GET /prod/pets?x=1 200 0.4ms");
        assert_eq!(line(450), "127.0.0.1 GET /prod/pets?x=1 200 0.5ms");
        assert_eq!(line(12_340), "127.0.0.1 GET /prod/pets?x=1 200 12.3ms");
        assert_eq!(
            line(29_000_000),
            "127.0.0.1 GET /prod/pets?x=1 200 29000.0ms"
        );
    }
}
