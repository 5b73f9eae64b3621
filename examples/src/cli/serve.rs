//! `gateway serve <api-file>`: the local gateway, a real HTTP/1.1 server running the API's
//! pipeline (see `gateway_core::pipeline`).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gateway_core::pipeline::access_log;
use gateway_core::pipeline::{Gateway, GatewaySlot};
use gateway_core::text::Escaped;

use super::gateway_setup::{self, Setup};
use crate::host::server;
use crate::host::stdout_log::StdoutSink;

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage: gateway serve <api-file> [--port N] [--host ADDR] [--stage NAME]
                     [--stage-var k=v]... [--lambda-endpoint URL] [--config FILE] [--watch]
                     [--access-log FORMAT|clf|json|xml|csv]

Serves an API Gateway REST API definition locally over HTTP/1.1, as the execute-api endpoint
does: the stage is the first path segment (http://127.0.0.1:3000/prod/pets).

  --port N               port to listen on (default 3000; 0 picks a free one)
  --host ADDR            address to listen on (default 127.0.0.1)
  --stage NAME           stage name (default: the one the API's base path names, as
                         an API Gateway export does, else prod)
  --stage-var k=v        a stage variable (repeatable)
  --lambda-endpoint URL  Lambda Invoke API endpoint for Lambda integrations (cargo lambda
                         watch, the runtime interface emulator, LocalStack); without it the
                         bundled APIs' functions are served by built-in examples
  --config FILE          what lives outside the API definition on AWS (YAML or JSON, field
                         names as AWS's API prints them): region, accountId, restApiId,
                         apiKeys, usagePlans, usagePlanKeys, stage, account, iam, cognito,
                         counters
  --watch                reload the API file when it changes (a file that fails keeps the
                         last good version)
  --access-log FORMAT    the stage's access-log format: one line per request to stdout,
                         in place of the default line, with $context variables ($context.status,
                         $context.responseLatency, ...; unset ones print -); clf, json, xml
                         or csv name the console's formats. The format must include
                         $context.requestId or $context.extendedRequestId

Prints `listening on http://ADDR/STAGE` when ready and one line per request; stops on
Ctrl-C or SIGTERM after the requests in flight. Exit status: 0 stopped, 2 bad usage or a file
that does not load.";

/// `gateway serve` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The API definition.
    #[arg(value_name = "api-file", value_parser = clap::value_parser!(PathBuf))]
    file: PathBuf,
    /// The port.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// The address.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    #[command(flatten)]
    setup: gateway_setup::Options,
    /// Reload on change.
    #[arg(long)]
    watch: bool,
    /// The access-log format (or clf, json, xml, csv).
    #[arg(long = "access-log", value_name = "FORMAT")]
    access_log: Option<String>,
}

/// Runs the subcommand.
pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gateway serve: cannot start the runtime: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> ExitCode {
    let mut setup = match Setup::new(&args.setup) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("gateway serve: {message}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let mut access_sink = None;
    if let Some(format) = &args.access_log {
        let format = access_log::preset(format).unwrap_or(format);
        let Some(sink) = StdoutSink::start() else {
            eprintln!("gateway serve: cannot start the access-log writer");
            return ExitCode::from(super::EXIT_USAGE);
        };
        access_sink = Some(sink.clone());
        if let Err(message) = setup.access_log(format, Arc::new(sink)) {
            eprintln!("gateway serve: --access-log: {message}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    }
    let gateway = match setup.gateway(&args.file) {
        Ok(g) => g,
        Err(message) => {
            eprintln!("gateway serve: {message}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    report_warnings(&gateway);
    let stage = gateway.stage().name.clone();
    let listener = match tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port)).await
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "gateway serve: cannot listen on {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let address = listener
        .local_addr()
        .map_or_else(|_| "?".into(), |a| a.to_string());
    let slot: server::Slot = Arc::new(GatewaySlot::new(gateway));
    if args.watch {
        tokio::spawn(watch(args.file.clone(), setup, Arc::clone(&slot)));
    }
    println!("listening on http://{address}/{stage}");
    let served = server::run(listener, slot, stop_signal()).await;
    // The access-log lines of the last requests are written before the process ends.
    if let Some(sink) = access_sink {
        let _ = tokio::task::spawn_blocking(move || sink.flush()).await;
    }
    match served {
        Ok(()) => {
            println!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gateway serve: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report_warnings(gateway: &Gateway) {
    for warning in gateway.api().warnings() {
        println!("warning: {}", Escaped(&warning.to_string()));
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Polls the file's modification time twice a second; a change loads the file again and,
/// when it loads, swaps the gateway in whole (requests in flight keep the version they
/// started with); a file that fails keeps the last good version and says why.
async fn watch(file: PathBuf, setup: Setup, slot: server::Slot) {
    let modified = |f: &PathBuf| std::fs::metadata(f).and_then(|m| m.modified()).ok();
    let mut last: Option<SystemTime> = modified(&file);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = modified(&file);
        if now == last {
            continue;
        }
        last = now;
        match setup.gateway(&file) {
            Ok(gateway) => {
                report_warnings(&gateway);
                slot.replace(gateway);
                println!("reloaded {}", Escaped(&file.display().to_string()));
            }
            Err(message) => println!("reload failed, keeping the last good version: {message}"),
        }
    }
}
