//! `gateway match <api-file> <METHOD> <path>`: which resource and method of an API serve one
//! request, as API Gateway (REST APIs) routes it.
//!
//! `METHOD` is the request method as sent (case-sensitive: `GET`, not `get`; `ANY` is never a
//! request method); `path` is the request path as sent, percent-encoding kept, with any query
//! string ignored. On a match it prints, as JSON, the resource path, the request method, the
//! resource's method that serves it (the verb, or `ANY`), the path parameters (not
//! percent-decoded), and the method's integration type and authorization. Otherwise it prints
//! API Gateway's answer to an unmatched request: the `MISSING_AUTHENTICATION_TOKEN` gateway
//! response, 403 `{"message":"Missing Authentication Token"}` (its status code as the API
//! customises it, directly or through `DEFAULT_4XX`; templates are not rendered here).
//!
//! Exit codes: 0 matched; 1 no match (the 403 outcome); 2 the file does not import, its routes
//! do not build, or bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

use super::routes::{authorization, integration};
use serde_json::{Map, Value, json};

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage: gateway match <api-file> <METHOD> <path>

Routes one request through an API Gateway REST API definition and prints the matched resource,
method and path parameters as JSON, or the 403 Missing Authentication Token outcome.
Exit status: 0 matched, 1 no match (403), 2 the file does not import or bad usage.";

/// Exit status when no route matches (the 403 outcome).
const EXIT_NO_ROUTE: u8 = 1;

/// `gateway match` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The API definition.
    #[arg(value_name = "api-file", value_parser = clap::value_parser!(PathBuf))]
    file: PathBuf,
    /// The request method, as sent.
    #[arg(value_name = "METHOD", allow_hyphen_values = true)]
    verb: String,
    /// The request path, as sent.
    #[arg(value_name = "path", allow_hyphen_values = true)]
    path: String,
}

/// Runs the subcommand.
pub fn run(args: Args) -> ExitCode {
    let Args { file, verb, path } = args;
    let compiled = match super::load_api(&file) {
        Ok(api) => api,
        Err(message) => {
            eprintln!("gateway match: {message}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let api = compiled.api();
    let router = compiled.router();
    let path = path.split_once('?').map_or(path.as_str(), |(p, _)| p);
    let (report, code) = match router.at(&verb, path) {
        Ok(found) => {
            let route = *found.value();
            let method = api
                .resource(route.resource)
                .and_then(|r| r.methods.get(&route.method));
            let params: Map<String, Value> = found
                .params()
                .map(|(k, v)| (k.to_owned(), Value::from(v)))
                .collect();
            let report = json!({
                "resourcePath": found.resource_path(),
                "httpMethod": verb,
                "resourceMethod": route.method.as_str(),
                "pathParameters": params,
                "operationName": method.and_then(|m| m.operation_name.clone()),
                "integration": method.map(integration),
                "authorization": method.map(authorization),
            });
            (report, ExitCode::SUCCESS)
        }
        Err(no_route) => (
            super::no_route_response(&compiled, no_route),
            ExitCode::from(EXIT_NO_ROUTE),
        ),
    };
    match serde_json::to_string_pretty(&report) {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("gateway match: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    }
    code
}
