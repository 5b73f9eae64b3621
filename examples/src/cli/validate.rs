//! `gateway validate`: API Gateway request validation from the command line.
//!
//! Two forms:
//!
//! - `gateway validate --schema <file> --instance <file>` validates one JSON document against
//!   one model (a draft-4 JSON schema) the way API Gateway validates a request body: it prints
//!   `valid` and exits 0, or prints the `$context.error.validationErrorString` API Gateway
//!   would give (for example `[object has missing required properties (["name"])]`) and exits 1.
//!   An instance that is not JSON is invalid like an unparseable body:
//!   `[Unknown error parsing request body]`. A schema that does not load (not JSON, a keyword
//!   of the wrong type, an unknown `$ref`) prints the load error on stderr and exits 2.
//!
//! - `gateway validate --api <api-file> --method M --path P [--header k:v]... [--query k=v]...
//!   [--body <file>] [--content-type CT]` loads the API definition (the one load step every
//!   subcommand shares: an API whose models, templates or mappings do not compile is refused
//!   here as by `gateway routes`), routes the request to a
//!   resource and method with the API's routing tree, and runs that method's request validator
//!   (its own or the API's default) with its required parameters and request models. It prints
//!   `valid` (exit 0) or, as JSON, the gateway response API Gateway would send: status code,
//!   response type, headers, body and the `validationErrorString` (exit 1). A
//!   `BAD_REQUEST_PARAMETERS` / `BAD_REQUEST_BODY` response the API customises (in
//!   `x-amazon-apigateway-gateway-responses`, or through `DEFAULT_4XX`) is rendered with its
//!   status code, static and request-parameter headers and `application/json` template. A
//!   request no route matches gets API Gateway's 403 `Missing Authentication Token` (exit 1).
//!
//! Exit codes of the `--api` form: 0 the request passes validation; 1 API Gateway would answer
//! it itself (400 from validation, or 403 for no route); 2 bad usage, an unreadable file, or an
//! API or model that does not load.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gateway_core::pipeline::Failure;
use gateway_core::text::Escaped;
use gateway_validate::{LoadError, MethodValidator, ModelSet, RequestValidator, RequestView};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::files;

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage:
  gateway validate --schema <file> --instance <file>
  gateway validate --api <api-file> --method M --path P [--header k:v]... [--query k=v]...
                   [--body <file>] [--content-type CT]

The first form validates a JSON document against a draft-4 model: prints `valid` (exit 0) or
API Gateway's validationErrorString (exit 1); a schema that does not load exits 2.
The second routes a request through an API definition and runs its method's request validator:
prints `valid` (exit 0) or the gateway response API Gateway would return, as JSON (exit 1).
Exit status 2: bad usage, unreadable file, or an API or model that does not load.";

/// The request passes (or the instance matches).
const EXIT_VALID: u8 = 0;
/// API Gateway would turn the request away (or the instance does not match).
const EXIT_INVALID: u8 = 1;
/// Bad usage, unreadable input, or a definition or schema that does not load.
const EXIT_ERROR: u8 = 2;

/// `gateway validate` arguments, as given (checked by [`Form::from_args`]).
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// The model (draft-4 JSON schema) file.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    schema: Option<PathBuf>,
    /// The JSON document to validate against `--schema`.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    instance: Option<PathBuf>,
    /// The API definition.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    api: Option<PathBuf>,
    /// The request method.
    #[arg(long, allow_hyphen_values = true)]
    method: Option<String>,
    /// The request path (no query string).
    #[arg(long, allow_hyphen_values = true)]
    path: Option<String>,
    /// A header, `name:value` (repeatable).
    #[arg(long = "header", allow_hyphen_values = true)]
    headers: Vec<String>,
    /// A query-string parameter, `name=value` or `name` (repeatable).
    #[arg(long = "query", allow_hyphen_values = true)]
    query: Vec<String>,
    /// The request body file.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    body: Option<PathBuf>,
    /// The request's Content-Type (replaces any given with --header).
    #[arg(long = "content-type", allow_hyphen_values = true)]
    content_type: Option<String>,
}

/// Runs the subcommand.
pub fn run(args: Args) -> ExitCode {
    let parsed = match Form::from_args(args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("gateway validate: {message}\n\n{USAGE}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let result = match parsed {
        Form::Schema { schema, instance } => run_schema(&schema, &instance),
        Form::Api(request) => run_api(&request),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("gateway validate: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The form the command line asks for.
#[derive(Debug, PartialEq)]
enum Form {
    Schema { schema: PathBuf, instance: PathBuf },
    Api(ApiRequest),
}

/// The `--api` form's request.
#[derive(Debug, Default, PartialEq)]
struct ApiRequest {
    api: PathBuf,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<PathBuf>,
}

impl Form {
    fn from_args(args: Args) -> Result<Self, String> {
        let Args {
            schema,
            instance,
            api,
            method,
            path,
            headers: header_args,
            query: query_args,
            body,
            content_type,
        } = args;
        let mut headers = Vec::with_capacity(header_args.len() + 1);
        for v in header_args {
            let (k, v) = v
                .split_once(':')
                .ok_or_else(|| format!("--header {:?}: expected name:value", v))?;
            if k.trim().is_empty() {
                return Err(format!("--header {k:?}: empty header name"));
            }
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let mut query = Vec::with_capacity(query_args.len());
        for v in query_args {
            // `k` alone is a key with an empty value, as `?k` is on the wire.
            let (k, val) = v.split_once('=').unwrap_or((v.as_str(), ""));
            if k.is_empty() {
                return Err(format!("--query {v:?}: empty parameter name"));
            }
            query.push((k.to_owned(), val.to_owned()));
        }
        let api_flags = api.is_some()
            || method.is_some()
            || path.is_some()
            || body.is_some()
            || content_type.is_some()
            || !headers.is_empty()
            || !query.is_empty();
        if schema.is_some() || instance.is_some() {
            if api_flags {
                return Err("--schema/--instance and --api are separate forms".into());
            }
            return match (schema, instance) {
                (Some(schema), Some(instance)) => Ok(Form::Schema { schema, instance }),
                _ => Err("--schema and --instance go together".into()),
            };
        }
        let (Some(api), Some(method), Some(path)) = (api, method, path) else {
            return Err("give --schema and --instance, or --api, --method and --path".into());
        };
        if path.contains('?') {
            return Err(format!(
                "--path {path:?}: give the query string with --query k=v"
            ));
        }
        if let Some(ct) = content_type {
            // The flag is the request's Content-Type: it replaces any given as --header (one
            // pass over the headers, whatever their number).
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            headers.push(("Content-Type".to_owned(), ct));
        }
        Ok(Form::Api(ApiRequest {
            api,
            method,
            path,
            headers,
            query,
            body,
        }))
    }
}

/// A model name from a file name: API Gateway model names are alphanumeric.
fn model_name(file: &Path) -> String {
    let file_name = file
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = file_name.split('.').next().unwrap_or_default();
    let name: String = stem.chars().filter(char::is_ascii_alphanumeric).collect();
    if name.is_empty() {
        "schema".to_owned()
    } else {
        name
    }
}

fn run_schema(schema_file: &Path, instance_file: &Path) -> Result<u8, String> {
    let schema =
        files::read(schema_file, files::MAX_SCHEMA_FILE_BYTES).map_err(|e| e.to_string())?;
    let shown = files::display_name(schema_file);
    let schema = String::from_utf8(schema)
        .map_err(|_| format!("{}: schema is not UTF-8 text", Escaped(&shown)))?;
    let instance =
        files::read(instance_file, files::MAX_BODY_FILE_BYTES).map_err(|e| e.to_string())?;
    let name = model_name(schema_file);
    let load = |e: LoadError| format!("{}: {}", Escaped(&shown), Escaped(&e.to_string()));
    let models = ModelSet::builder("local")
        .model_json(name.as_str(), &schema)
        .build()
        .map_err(load)?;
    // The instance goes through the same path as a request body (size limit, JSON parse,
    // validation), so what is printed is what API Gateway would put in validationErrorString.
    let method = MethodValidator::new(
        Some(RequestValidator::BODY),
        [],
        [("$default", name.as_str())],
        &models,
    )
    .map_err(load)?;
    match method.validate(&RequestView {
        body: &instance,
        ..Default::default()
    }) {
        Ok(_) => {
            println!("valid");
            Ok(EXIT_VALID)
        }
        Err(rejection) => {
            println!("{}", rejection.validation_error_string);
            Ok(EXIT_INVALID)
        }
    }
}

fn run_api(request: &ApiRequest) -> Result<u8, String> {
    let compiled = super::load_api(&request.api)?;
    let body = match &request.body {
        Some(f) => files::read(f, files::MAX_BODY_FILE_BYTES).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };

    let found = match compiled.router().at(&request.method, &request.path) {
        Ok(found) => found,
        Err(no_route) => {
            print_json(&super::no_route_response(&compiled, no_route))?;
            return Ok(EXIT_INVALID);
        }
    };
    let route = *found.value();
    let Some(method) = compiled.method(route) else {
        return Err(format!(
            "{}: the router named a method the API lacks",
            Escaped(&files::display_name(&request.api))
        ));
    };

    let mut headers = HeaderMap::with_capacity(request.headers.len());
    for (name, value) in &request.headers {
        let bad = || format!("--header {}: not a valid HTTP header", Escaped(name));
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        let value = HeaderValue::from_str(value).map_err(|_| bad())?;
        headers.append(name, value);
    }
    let path: Vec<(String, String)> = found
        .params()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let view = RequestView {
        headers: &headers,
        query: &request.query,
        path: &path,
        body: &body,
    };
    match method.validator().validate(&view) {
        Ok(_) => {
            println!("valid");
            Ok(EXIT_VALID)
        }
        Err(rejection) => {
            let response = super::gateway_response(
                &compiled,
                &Failure::from(&rejection),
                &view,
                &request.method,
                found.resource_path(),
            )?;
            print_json(&response)?;
            Ok(EXIT_INVALID)
        }
    }
}

fn print_json(value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(list: &[&str]) -> Result<Form, String> {
        let args = Cli::try_parse_from(std::iter::once("validate").chain(list.iter().copied()))
            .map_err(|e| e.to_string())?
            .args;
        Form::from_args(args)
    }

    #[test]
    fn the_two_forms_parse() {
        assert_eq!(
            parse(&["--schema", "s.json", "--instance", "i.json"]),
            Ok(Form::Schema {
                schema: "s.json".into(),
                instance: "i.json".into()
            })
        );
        let parsed = parse(&[
            "--api",
            "a.yaml",
            "--method",
            "POST",
            "--path",
            "/pets",
            "--header",
            "X-Id: 7",
            "--query",
            "q=1",
            "--query",
            "flag",
            "--header",
            "content-type:text/plain",
            "--content-type",
            "application/json",
            "--body",
            "b.json",
        ]);
        assert_eq!(
            parsed,
            Ok(Form::Api(ApiRequest {
                api: "a.yaml".into(),
                method: "POST".into(),
                path: "/pets".into(),
                headers: vec![
                    ("X-Id".into(), "7".into()),
                    ("Content-Type".into(), "application/json".into())
                ],
                query: vec![("q".into(), "1".into()), ("flag".into(), String::new())],
                body: Some("b.json".into()),
            }))
        );
    }

    #[test]
    fn bad_usage_is_refused_with_a_reason() {
        for (list, reason) in [
            (&["--schema", "s.json"][..], "go together"),
            (
                &["--schema", "s", "--instance", "i", "--api", "a"],
                "separate forms",
            ),
            (&["--api", "a", "--method", "GET"], "--path"),
            (
                &["--api", "a", "--method", "GET", "--path", "/p?x=1"],
                "--query",
            ),
            (
                &[
                    "--api", "a", "--method", "GET", "--path", "/", "--header", "nocolon",
                ],
                "name:value",
            ),
            (&["--schema"], "a value is required"),
            (
                &["--schema", "a", "--schema", "b"],
                "cannot be used multiple times",
            ),
            (&["--frobnicate"], "unexpected argument"),
            (&[], "give --schema"),
        ] {
            let err = parse(list).unwrap_err();
            assert!(err.contains(reason), "{list:?}: {err}");
        }
    }

    #[test]
    fn model_names_are_alphanumeric_file_stems() {
        assert_eq!(model_name(Path::new("dir/pet-model.json")), "petmodel");
        assert_eq!(
            model_name(Path::new("bad-keyword.schema.json")),
            "badkeyword"
        );
        assert_eq!(model_name(Path::new("-.json")), "schema");
    }
}
