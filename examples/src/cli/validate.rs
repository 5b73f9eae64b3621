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
//!   [--body <file>] [--content-type CT]` imports the API definition, routes the request to a
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

use std::process::ExitCode;

use gateway_core::import::{ImportOptions, import};
use gateway_core::model::{GatewayResponse, GatewayResponseType as CoreResponseType, RestApi};
use gateway_core::routing::Router;
use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, RequestView as TemplateRequest};
use gateway_mapping::{EngineOptions, Template};
use gateway_validate::{
    GatewayResponseType, LoadError, MethodValidator, ModelSet, Outcome, Rejection,
    RequestValidator, RequestView,
};
use serde_json::{Map, Value, json};

const USAGE: &str = "usage:
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

/// Runs the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    if matches!(args, [flag] if flag == "-h" || flag == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let parsed = match Args::parse(args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("gateway validate: {message}\n\n{USAGE}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let result = match parsed {
        Args::Schema { schema, instance } => run_schema(&schema, &instance),
        Args::Api(request) => run_api(&request),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("gateway validate: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The parsed command line.
#[derive(Debug, PartialEq)]
enum Args {
    Schema { schema: String, instance: String },
    Api(ApiRequest),
}

/// The `--api` form's request.
#[derive(Debug, Default, PartialEq)]
struct ApiRequest {
    api: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<String>,
}

impl Args {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut schema = None;
        let mut instance = None;
        let mut api = None;
        let mut method = None;
        let mut path = None;
        let mut body = None;
        let mut content_type = None;
        let mut headers = Vec::new();
        let mut query = Vec::new();
        let mut rest = args.iter();
        while let Some(flag) = rest.next() {
            let mut value = || {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            let once = |slot: &mut Option<String>, v: String| {
                if slot.replace(v).is_some() {
                    Err(format!("{flag} given twice"))
                } else {
                    Ok(())
                }
            };
            match flag.as_str() {
                "--schema" => once(&mut schema, value()?)?,
                "--instance" => once(&mut instance, value()?)?,
                "--api" => once(&mut api, value()?)?,
                "--method" => once(&mut method, value()?)?,
                "--path" => once(&mut path, value()?)?,
                "--body" => once(&mut body, value()?)?,
                "--content-type" => once(&mut content_type, value()?)?,
                "--header" => {
                    let v = value()?;
                    let (k, v) = v
                        .split_once(':')
                        .ok_or_else(|| format!("--header {v:?}: expected name:value"))?;
                    if k.trim().is_empty() {
                        return Err(format!("--header {k:?}: empty header name"));
                    }
                    headers.push((k.trim().to_owned(), v.trim().to_owned()));
                }
                "--query" => {
                    let v = value()?;
                    // `k` alone is a key with an empty value, as `?k` is on the wire.
                    let (k, v) = v.split_once('=').unwrap_or((v.as_str(), ""));
                    if k.is_empty() {
                        return Err(format!("--query {v:?}: empty parameter name"));
                    }
                    query.push((k.to_owned(), v.to_owned()));
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
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
                (Some(schema), Some(instance)) => Ok(Args::Schema { schema, instance }),
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
            // The flag is the request's Content-Type: it replaces any given as --header.
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            headers.push(("Content-Type".to_owned(), ct));
        }
        Ok(Args::Api(ApiRequest {
            api,
            method,
            path,
            headers,
            query,
            body,
        }))
    }
}

fn read(file: &str) -> Result<Vec<u8>, String> {
    std::fs::read(file).map_err(|e| format!("{file}: cannot read: {e}"))
}

/// A model name from a file name: API Gateway model names are alphanumeric.
fn model_name(file: &str) -> String {
    let file_name = std::path::Path::new(file)
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

fn run_schema(schema_file: &str, instance_file: &str) -> Result<u8, String> {
    let schema = read(schema_file)?;
    let schema = String::from_utf8(schema)
        .map_err(|_| format!("{schema_file}: schema is not UTF-8 text"))?;
    let instance = read(instance_file)?;
    let name = model_name(schema_file);
    let load = |e: LoadError| format!("{schema_file}: {e}");
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
        Outcome::Valid => {
            println!("valid");
            Ok(EXIT_VALID)
        }
        Outcome::Rejected(rejection) => {
            println!("{}", rejection.validation_error_string);
            Ok(EXIT_INVALID)
        }
    }
}

fn run_api(request: &ApiRequest) -> Result<u8, String> {
    let file = &request.api;
    let bytes = read(file)?;
    let api = import(&bytes, &ImportOptions::default())
        .map_err(|e| format!("{file}: {e}"))?
        .api;
    let mut builder = ModelSet::builder(api.id.as_str());
    for (name, model) in &api.models {
        builder = builder.model(name.as_str(), model.schema.clone());
    }
    let models = builder.build().map_err(|e| format!("{file}: {e}"))?;
    let router = Router::from_api(&api).map_err(|e| format!("{file}: {e}"))?;
    let body = match &request.body {
        Some(f) => read(f)?,
        None => Vec::new(),
    };

    let found = match router.at(&request.method, &request.path) {
        Ok(found) => found,
        Err(no_route) => {
            print_json(&super::no_route_response(&api, &no_route))?;
            return Ok(EXIT_INVALID);
        }
    };
    let route = *found.value();
    let Some(method) = api
        .resource(route.resource)
        .and_then(|r| r.methods.get(&route.method))
    else {
        return Err(format!("{file}: the router named a method the API lacks"));
    };
    let validator = api.validator_for(method).map(|v| RequestValidator {
        validate_request_body: v.validate_request_body,
        validate_request_parameters: v.validate_request_parameters,
    });
    let keys: Vec<(String, bool)> = method
        .request_parameters
        .iter()
        .map(|p| (p.key(), p.required))
        .collect();
    let validation = MethodValidator::new(
        validator,
        keys.iter().map(|(k, r)| (k.as_str(), *r)),
        method
            .request_models
            .iter()
            .map(|(ct, m)| (ct.as_str(), m.as_str())),
        &models,
    )
    .map_err(|e| {
        format!(
            "{file}: {} {}: {e}",
            route.method.as_str(),
            found.resource_path()
        )
    })?;

    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let query: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let path: Vec<(&str, &str)> = found.params().collect();
    let view = RequestView {
        headers: &headers,
        query: &query,
        path: &path,
        body: &body,
    };
    match validation.validate(&view) {
        Outcome::Valid => {
            println!("valid");
            Ok(EXIT_VALID)
        }
        Outcome::Rejected(rejection) => {
            let response = gateway_response(
                &api,
                &rejection,
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

/// The gateway response for a rejection: the API's customisation of the response type, else of
/// `DEFAULT_4XX`, else API Gateway's default, status 400 with the body
/// `{"message":$context.error.messageString}` and `x-amzn-ErrorType: BadRequestException`.
///
/// Sources: developer guide, "Gateway response types for API Gateway" (BAD_REQUEST_PARAMETERS
/// and BAD_REQUEST_BODY default to 400; "if the response type is unspecified, this response
/// defaults to the DEFAULT_4XX type"); localstack's `get_gateway_response_or_default` (a
/// customised type is used whole, else DEFAULT_4XX's status code, parameters and templates) and
/// its `BadRequestBodyError` / `BadRequestParametersError` (error type `BadRequestException`).
fn gateway_response(
    api: &RestApi,
    rejection: &Rejection,
    request: &RequestView<'_>,
    http_method: &str,
    resource_path: &str,
) -> Result<Value, String> {
    let response_type = match rejection.response_type {
        GatewayResponseType::BadRequestParameters => CoreResponseType::BadRequestParameters,
        GatewayResponseType::BadRequestBody => CoreResponseType::BadRequestBody,
    };
    let custom = api
        .gateway_responses
        .get(&response_type)
        .or_else(|| api.gateway_responses.get(&CoreResponseType::Default4xx));
    let status = custom
        .and_then(|g| g.status_code.as_deref())
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(Rejection::STATUS);

    let mut headers = Map::new();
    headers.insert("content-type".into(), "application/json".into());
    headers.insert("x-amzn-ErrorType".into(), Rejection::ERROR_TYPE.into());
    if let Some(custom) = custom {
        for (key, source) in &custom.response_parameters {
            let Some(name) = key.strip_prefix("gatewayresponse.header.") else {
                continue;
            };
            if let Some(value) = parameter_value(source, request) {
                headers.insert(name.to_owned(), value.into());
            }
        }
    }

    let body = match custom.and_then(json_template) {
        Some(template) => {
            let mut context = Context::new();
            context.set("error.message", rejection.message.as_str());
            context.set(
                "error.messageString",
                Value::String(rejection.message.clone()).to_string(),
            );
            context.set("error.responseType", rejection.response_type.as_str());
            context.set(
                "error.validationErrorString",
                rejection.validation_error_string.as_str(),
            );
            context.set("apiId", api.id.as_str());
            context.set("httpMethod", http_method);
            context.set("resourcePath", resource_path);
            let mut input = TemplateRequest::new(String::from_utf8_lossy(request.body));
            for (k, v) in request.path {
                input.add_path(k, v);
            }
            for (k, v) in request.query {
                input.add_query(k, v);
            }
            for (k, v) in request.headers {
                input.add_header(k, v);
            }
            let scope = mapping_scope(
                Input::new(input),
                &ContextObject::new(context),
                &StageVariables::new(),
            );
            let rendered = Template::compile(template, &EngineOptions::default())
                .and_then(|t| t.render(&scope))
                .map_err(|e| {
                    format!("{} gateway response template: {e}", response_type.as_str())
                })?;
            serde_json::from_str(&rendered).unwrap_or(Value::String(rendered))
        }
        None => json!({"message": rejection.message}),
    };
    Ok(json!({
        "statusCode": status,
        "gatewayResponseType": rejection.response_type.as_str(),
        "headers": headers,
        "body": body,
        "validationErrorString": rejection.validation_error_string,
    }))
}

/// The `application/json` template of a customised gateway response, if it has one.
fn json_template(custom: &GatewayResponse) -> Option<&str> {
    custom
        .response_templates
        .get("application/json")
        .map(String::as_str)
}

/// A gateway response header's value: a static `'value'`, or `method.request.{header,
/// querystring,path}.name` from the request.
fn parameter_value(source: &str, request: &RequestView<'_>) -> Option<String> {
    if let Some(s) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(s.to_owned());
    }
    let rest = source.strip_prefix("method.request.")?;
    let (location, name) = rest.split_once('.')?;
    let last = |pairs: &[(&str, &str)], case_insensitive: bool| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| {
                if case_insensitive {
                    k.eq_ignore_ascii_case(name)
                } else {
                    *k == name
                }
            })
            .map(|(_, v)| (*v).to_owned())
    };
    match location {
        "header" => last(request.headers, true),
        "querystring" => last(request.query, false),
        "path" => last(request.path, false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_two_forms_parse() {
        assert_eq!(
            Args::parse(&args(&["--schema", "s.json", "--instance", "i.json"])),
            Ok(Args::Schema {
                schema: "s.json".into(),
                instance: "i.json".into()
            })
        );
        let parsed = Args::parse(&args(&[
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
        ]));
        assert_eq!(
            parsed,
            Ok(Args::Api(ApiRequest {
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
            (&["--schema"], "needs a value"),
            (&["--schema", "a", "--schema", "b"], "twice"),
            (&["--frobnicate"], "unknown argument"),
            (&[], "give --schema"),
        ] {
            let err = Args::parse(&args(list)).unwrap_err();
            assert!(err.contains(reason), "{list:?}: {err}");
        }
    }

    #[test]
    fn model_names_are_alphanumeric_file_stems() {
        assert_eq!(model_name("dir/pet-model.json"), "petmodel");
        assert_eq!(model_name("bad-keyword.schema.json"), "badkeyword");
        assert_eq!(model_name("-.json"), "schema");
    }

    #[test]
    fn static_and_request_header_values_resolve() {
        let headers = [("X-Id", "a"), ("x-id", "b")];
        let view = RequestView {
            headers: &headers,
            ..Default::default()
        };
        assert_eq!(parameter_value("'*'", &view), Some("*".into()));
        assert_eq!(
            parameter_value("method.request.header.X-ID", &view),
            Some("b".into())
        );
        assert_eq!(parameter_value("method.request.querystring.q", &view), None);
    }
}
