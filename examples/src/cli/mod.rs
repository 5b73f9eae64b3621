//! One module per `gateway` subcommand; each exposes its clap arguments, its `USAGE` text and
//! `run(args) -> ExitCode`. [`main`] parses the command line and dispatches.

pub mod files;
pub mod gateway_setup;
pub mod invoke;
pub mod match_cmd;
pub mod policy;
pub mod render;
pub mod routes;
pub mod serve;
pub mod sigv4;
pub mod validate;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::pipeline::{Failure, RenderedGatewayResponse};
use gateway_core::routing::NoRoute;
use gateway_core::text::Escaped;
use gateway_validate::RequestView;
use serde_json::{Map, Value, json};

/// Exit status for bad usage and for a file that cannot be read or does not load.
pub(crate) const EXIT_USAGE: u8 = 2;

const USAGE: &str = "usage: gateway <command> [args...]

commands:
  serve <api-file> [options]             serve an API locally over HTTP (the local gateway)
  invoke <api-file> --method M --path P  send one request through an API's pipeline
  routes <api-file>                      list an API's routes and import warnings
  match <api-file> <METHOD> <path>       route one request through an API
  validate ...                           API Gateway request validation
  policy check|eval ...                  IAM policy validation and evaluation
  sigv4 sign|verify ...                  AWS Signature Version 4
  render --template <file> ...           render a VTL mapping template

Run `gateway <command> --help` for a command's options; `gateway --version` for the version.";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "gateway", version, override_help = USAGE, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(override_help = serve::USAGE)]
    Serve(serve::Args),
    #[command(override_help = invoke::USAGE)]
    Invoke(invoke::Args),
    #[command(override_help = routes::USAGE)]
    Routes(routes::Args),
    #[command(name = "match", override_help = match_cmd::USAGE)]
    Match(match_cmd::Args),
    #[command(override_help = validate::USAGE)]
    Validate(validate::Args),
    #[command(subcommand, override_help = policy::USAGE)]
    Policy(policy::Command),
    #[command(subcommand, override_help = sigv4::USAGE)]
    Sigv4(sigv4::Command),
    #[command(override_help = render::USAGE)]
    Render(render::Args),
}

/// Parses `args` (the program name first) and runs the subcommand.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e, &args),
    };
    match cli.command {
        Command::Serve(a) => serve::run(a),
        Command::Invoke(a) => invoke::run(a),
        Command::Routes(a) => routes::run(a),
        Command::Match(a) => match_cmd::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Policy(c) => policy::run(c),
        Command::Sigv4(c) => sigv4::run(c),
        Command::Render(a) => render::run(a),
    }
}

/// `--help` and `--version` print to stdout and exit 0; any other clap error is a usage
/// error: `gateway <command>: <reason>`, the command's usage, exit 2.
fn clap_error(e: &clap::Error, args: &[OsString]) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        print!("{e}");
        return ExitCode::SUCCESS;
    }
    let word = |i: usize| args.get(i).and_then(|a| a.to_str()).unwrap_or_default();
    // Each subcommand's usage errors look as they always have: `routes` and `match` print
    // their usage alone; the others a reason first.
    let (name, separator, usage) = match word(1) {
        "serve" => ("gateway serve", "\n\n", serve::USAGE),
        "invoke" => ("gateway invoke", "\n\n", invoke::USAGE),
        "routes" => ("", "", routes::USAGE),
        "match" => ("", "", match_cmd::USAGE),
        "validate" => ("gateway validate", "\n\n", validate::USAGE),
        "policy" => ("gateway policy", "\n", policy::USAGE),
        "sigv4" => ("gateway sigv4", "\n\n", sigv4::USAGE),
        "render" => ("gateway render", "\n\n", render::USAGE),
        _ => ("gateway", "\n\n", USAGE),
    };
    let rendered = e.render().to_string();
    let reason = rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    if name.is_empty() || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        eprintln!("{usage}");
    } else {
        eprintln!("{name}: {}{separator}{usage}", Escaped(reason));
    }
    ExitCode::from(EXIT_USAGE)
}

/// Reads and loads an API definition with the one load step every subcommand shares
/// ([`CompiledApi::load`]): the error names the file and, in the library's words, the place.
pub(crate) fn load_api(path: &Path) -> Result<CompiledApi, String> {
    load_api_with(path, &CompileOptions::default())
}

/// [`load_api`] with `options` (the API id and deployment scope a `--config` file gives).
pub(crate) fn load_api_with(path: &Path, options: &CompileOptions) -> Result<CompiledApi, String> {
    let bytes = files::read(path, files::MAX_API_FILE_BYTES).map_err(|e| e.to_string())?;
    CompiledApi::load(&bytes, options)
        .map_err(|e| format!("{}: {e}", Escaped(&files::display_name(path))))
}

/// The gateway response API Gateway sends for `failure` to `request`, as JSON: the library
/// renders it ([`CompiledApi::gateway_response_for`]: the API's customisation of the type, else
/// of `DEFAULT_4XX`/`DEFAULT_5XX`, else API Gateway's default).
pub(crate) fn gateway_response(
    api: &CompiledApi,
    failure: &Failure,
    request: &RequestView<'_>,
    http_method: &str,
    resource_path: &str,
) -> Result<Value, String> {
    let rendered = api
        .gateway_response_for(failure, request, http_method, resource_path)
        .map_err(|e| e.to_string())?;
    Ok(response_json(failure, rendered))
}

/// API Gateway's response to an unmatched request (403 `Missing Authentication Token`) as
/// JSON: its status as the API customises it (the `MISSING_AUTHENTICATION_TOKEN` type or
/// `DEFAULT_4XX`), API Gateway's default headers and body (the customisation's headers and
/// templates are not rendered: these commands show routing, not a request's data). Shared by
/// `gateway match` and `gateway validate --api`.
pub(crate) fn no_route_response(api: &CompiledApi, no_route: NoRoute) -> Value {
    let failure = Failure::from(no_route);
    let mut rendered = failure.default_response();
    rendered.status = api.gateway_response_status(&failure);
    response_json(&failure, rendered)
}

/// A rendered gateway response as the CLI prints it: status code, type, headers, the body as
/// JSON when it is JSON, and the `validationErrorString` when there is one.
fn response_json(failure: &Failure, rendered: RenderedGatewayResponse) -> Value {
    let headers: Map<String, Value> = rendered
        .headers
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect();
    let body = serde_json::from_str(&rendered.body).unwrap_or(Value::String(rendered.body));
    let mut report = json!({
        "statusCode": rendered.status.as_u16(),
        "gatewayResponseType": failure.response_type.as_str(),
        "headers": headers,
        "body": body,
    });
    if let (Some(v), Some(report)) = (&failure.validation_error_string, report.as_object_mut()) {
        report.insert("validationErrorString".into(), v.as_str().into());
    }
    report
}
