//! `axum-app`: the gateway mounted in an ordinary axum application.
//!
//! The bundled pet store (`examples/apis/petstore.yaml`, or `--api FILE`) is served on stage
//! `prod` under `/api` (`GET /api/pets/1` is the pet store's `GET /pets/1`), next to the
//! application's own routes (`GET /health` answers `ok`). Its HTTP and Lambda integrations are
//! answered in process by the examples' backends, so it works offline.
//!
//! ```text
//! axum-app [--port N] [--api FILE]     (port 0 picks a free one; prints `listening on http://ADDR`)
//! ```
//!
//! The gateway is a `tower::Service` ([`GatewayService`]); axum's `nest_service` strips the
//! `/api` prefix, so the gateway sees the path after the stage, as API Gateway does. The
//! client's address reaches `$context.identity.sourceIp` through a [`Client`] extension made
//! from axum's `ConnectInfo`.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use clap::Parser;
use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::pipeline::{Backends, Client, Gateway, LambdaBackend, Stage};
use gateway_core::tower::GatewayService;
use gateway_examples::host::example_backend::ExampleBackend;
use gateway_examples::host::lambda::ExampleFunctions;
use tower::ServiceBuilder;

/// Largest API file read (the `gateway` tool's limit is of the same order: API Gateway
/// imports definitions of a few MB).
const MAX_API_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The stage the API is served on.
const STAGE: &str = "prod";

/// `axum-app` arguments.
#[derive(Debug, Parser)]
#[command(
    name = "axum-app",
    version,
    about = "The gateway mounted under /api in an axum application"
)]
struct Args {
    /// The port to listen on, on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// The API definition (default: the bundled pet store).
    #[arg(long, value_name = "FILE")]
    api: Option<PathBuf>,
}

/// Reads and compiles the API file.
fn load(path: &PathBuf) -> Result<CompiledApi, String> {
    let name = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_API_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 > MAX_API_FILE_BYTES {
        return Err(format!("{name}: larger than {MAX_API_FILE_BYTES} bytes"));
    }
    CompiledApi::load(&bytes, &CompileOptions::default()).map_err(|e| format!("{name}: {e}"))
}

/// The gateway on stage `prod`, with the examples' in-process backends (one in-memory pet
/// store behind the example HTTP hosts and the example Lambda functions).
fn gateway(api: CompiledApi) -> Result<Gateway, String> {
    let store = Arc::new(ExampleFunctions::new());
    let lambda: Arc<dyn LambdaBackend> = store.clone();
    let backends = Backends {
        http: Some(Arc::new(ExampleBackend::new(store))),
        lambda: Some(lambda),
    };
    Gateway::new(Arc::new(api), Stage::new(STAGE), backends).map_err(|e| e.to_string())
}

/// Hands the peer's address to the gateway: axum's `ConnectInfo` as a [`Client`] extension.
fn with_client<B>(mut request: http::Request<B>) -> http::Request<B> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    request.extensions_mut().insert(Client { source_ip: peer });
    request
}

/// The application: its own routes, and the gateway under `/api`.
fn app(gateway: Gateway) -> Router {
    let service = ServiceBuilder::new()
        .map_request(with_client::<axum::body::Body>)
        .service(GatewayService::new(Arc::new(gateway)));
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .nest_service("/api", service)
}

async fn serve(args: Args) -> Result<(), String> {
    let path = args.api.unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/apis/petstore.yaml"))
    });
    let app = app(gateway(load(&path)?)?);
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, args.port))
        .await
        .map_err(|e| format!("port {}: {e}", args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        // Ctrl-C; if the signal cannot be watched, run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
    .await
    .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("axum-app: {message}");
            ExitCode::from(2)
        }
    }
}
