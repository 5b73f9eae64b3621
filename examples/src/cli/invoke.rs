//! `gateway invoke <api-file> --method M --path P ...`: one request through the pipeline
//! without a server, like API Gateway's test-invoke.

use std::path::PathBuf;
use std::process::ExitCode;

use bytes::Bytes;
use gateway_core::pipeline::Client;
use gateway_core::text::Escaped;

use super::files;
use super::gateway_setup::{self, Setup};

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage: gateway invoke <api-file> --method M --path P [--header k:v]...
                      [--query k=v]... [--body FILE] [--stage NAME] [--stage-var k=v]...
                      [--lambda-endpoint URL] [--config FILE]

Sends one request through the API's pipeline without a server (like API Gateway's
test-invoke) and prints the status line, the headers and the body. --path is the resource
path after the stage (/pets/1). --config FILE is the configuration `gateway serve` takes
(keys, plans, stage settings, IAM users, Cognito pools).
Exit status: 0 for a 2xx or 3xx answer, 1 for 4xx or 5xx, 2 bad usage or a file that does
not load.";

/// `gateway invoke` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The API definition.
    #[arg(value_name = "api-file", value_parser = clap::value_parser!(PathBuf))]
    file: PathBuf,
    /// The HTTP method.
    #[arg(long)]
    method: String,
    /// The path after the stage.
    #[arg(long)]
    path: String,
    /// A header, `name:value`.
    #[arg(long = "header", value_name = "k:v")]
    headers: Vec<String>,
    /// A query-string parameter, `name=value`.
    #[arg(long = "query", value_name = "k=v")]
    query: Vec<String>,
    /// The body, from a file.
    #[arg(long, value_parser = clap::value_parser!(PathBuf))]
    body: Option<PathBuf>,
    #[command(flatten)]
    setup: gateway_setup::Options,
}

fn usage(message: &str) -> ExitCode {
    eprintln!("gateway invoke: {}\n\n{USAGE}", Escaped(message));
    ExitCode::from(super::EXIT_USAGE)
}

/// Runs the subcommand.
pub fn run(args: Args) -> ExitCode {
    let setup = match Setup::new(&args.setup) {
        Ok(s) => s,
        Err(m) => return usage(&m),
    };
    let gateway = match setup.gateway(&args.file) {
        Ok(g) => g,
        Err(m) => {
            eprintln!("gateway invoke: {m}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let body = match &args.body {
        Some(path) => match files::read(path, files::MAX_BODY_FILE_BYTES) {
            Ok(b) => Bytes::from(b),
            Err(e) => return usage(&e.to_string()),
        },
        None => Bytes::new(),
    };
    let mut uri = if args.path.starts_with('/') {
        args.path.clone()
    } else {
        format!("/{}", args.path)
    };
    let encode = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    for (i, pair) in args.query.iter().enumerate() {
        let Some((k, v)) = pair.split_once('=') else {
            return usage(&format!("--query {pair:?}: expected name=value"));
        };
        uri.push(if i == 0 { '?' } else { '&' });
        uri.push_str(&format!("{}={}", encode(k), encode(v)));
    }
    let mut builder = http::Request::builder()
        .method(args.method.as_str())
        .uri(uri.as_str());
    for pair in &args.headers {
        let Some((k, v)) = pair.split_once(':') else {
            return usage(&format!("--header {pair:?}: expected name:value"));
        };
        builder = builder.header(k.trim(), v.trim());
    }
    let request = match builder.body(body) {
        Ok(r) => r,
        Err(e) => return usage(&format!("the request is not valid HTTP: {e}")),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return usage(&format!("cannot start the runtime: {e}")),
    };
    let (response, outcome) =
        runtime.block_on(gateway.handle_with_outcome(request, Client::default()));
    if let Some(detail) = &outcome.detail {
        eprintln!("{}", Escaped(detail));
    }
    let status = response.status();
    println!(
        "HTTP/1.1 {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        println!(
            "{name}: {}",
            Escaped(&String::from_utf8_lossy(value.as_bytes()))
        );
    }
    println!();
    println!("{}", String::from_utf8_lossy(response.body()));
    if status.is_client_error() || status.is_server_error() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
