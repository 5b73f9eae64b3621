//! `gateway routes <api-file>`: the routes of an API definition and its import warnings.
//!
//! Imports the file (OpenAPI 3.0 or Swagger 2.0, JSON or YAML) as API Gateway's
//! `ImportRestApi` would, compiles everything it holds (the one load step every subcommand
//! shares, `gateway_core::compile::CompiledApi`), and prints one line per route, resource by resource: the method, the
//! resource path, the integration type and the authorization (`NONE`, `AWS_IAM`,
//! `CUSTOM (authorizer)`, `COGNITO_USER_POOLS (authorizer)`, plus `+ API key` when the method
//! requires one). The import warnings follow, each with the JSON pointer of its place.
//!
//! Exit codes: 0 when the file loads (warnings or not); 2 when it does not import or a part of
//! it does not compile (the error, naming the place, goes to standard error) or the arguments
//! are wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use gateway_core::compile::CompiledApi;
use gateway_core::model::Method;
use gateway_core::text::escape_controls;

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage: gateway routes <api-file>

Lists the routes of an API Gateway REST API definition (OpenAPI 3.0 or Swagger 2.0, JSON or
YAML): method, resource path, integration type and authorization, then the import warnings.
Exit status: 0 imported, 2 the file does not import or bad usage.";

/// `gateway routes` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The API definition.
    #[arg(value_name = "api-file", value_parser = clap::value_parser!(PathBuf))]
    file: PathBuf,
}

/// Runs the subcommand.
pub fn run(args: Args) -> ExitCode {
    let api = match super::load_api(&args.file) {
        Ok(api) => api,
        Err(message) => {
            eprintln!("gateway routes: {message}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    print!("{}", render(&api));
    ExitCode::SUCCESS
}

/// The authorization column: type, authorizer name, API key.
pub(crate) fn authorization(method: &Method) -> String {
    let mut s = method.authorization_type.as_str().to_owned();
    if let Some(name) = &method.authorizer {
        s.push_str(&format!(" ({name})"));
    }
    if method.api_key_required {
        s.push_str(" + API key");
    }
    s
}

/// The integration column: the type, or `none` when the method has no integration.
pub(crate) fn integration(method: &Method) -> &'static str {
    method
        .integration
        .as_ref()
        .map_or("none", |i| i.kind.as_str())
}

/// `cell` padded with spaces to `width` characters. Written by hand: `format!`'s width is at
/// most 65,535 and panics above it, and a resource path may be longer.
fn pad(out: &mut String, cell: &str, width: usize) {
    out.push_str(cell);
    let len = cell.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
}

/// The whole report: a title line, the route table, the warnings. Text from the file
/// (title, paths, authorizer names) is printed with its control characters escaped.
fn render(compiled: &CompiledApi) -> String {
    let api = compiled.api();
    let rows: Vec<[String; 4]> = api
        .routes()
        .map(|(resource, method)| {
            [
                method.http_method.to_string(),
                escape_controls(&resource.path).into_owned(),
                integration(method).to_owned(),
                escape_controls(&authorization(method)).into_owned(),
            ]
        })
        .collect();
    let mut out = format!(
        "{} (API id {}): {} route{}\n\n",
        escape_controls(&api.name),
        escape_controls(&api.id),
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    let header = [
        "METHOD".to_owned(),
        "PATH".to_owned(),
        "INTEGRATION".to_owned(),
        "AUTHORIZATION".to_owned(),
    ];
    let mut widths = [0usize; 3];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            pad(&mut line, cell, width);
            line.push_str("  ");
        }
        line.push_str(&row[3]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push('\n');
    match compiled.warnings().len() {
        0 => out.push_str("no import warnings\n"),
        n => {
            out.push_str(&format!(
                "{n} import warning{}:\n",
                if n == 1 { "" } else { "s" }
            ));
            for w in compiled.warnings() {
                out.push_str(&format!("  {w}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_aligns_columns_and_lists_warnings() {
        let doc = br#"
swagger: "2.0"
info: { title: Tiny, version: "1" }
x-amazon-apigateway-unknown: 1
paths:
  /pets/{id}:
    get:
      responses: { "200": { description: ok } }
      x-amazon-apigateway-integration: { type: mock }
"#;
        let api = CompiledApi::load(doc, &Default::default()).unwrap();
        let text = render(&api);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("Tiny (API id "), "{text}");
        assert!(lines[0].ends_with("): 1 route"), "{text}");
        assert_eq!(lines[2], "METHOD  PATH        INTEGRATION  AUTHORIZATION");
        assert_eq!(lines[3], "GET     /pets/{id}  MOCK         NONE");
        assert_eq!(lines[5], "1 import warning:");
        assert_eq!(
            lines[6],
            "  /x-amazon-apigateway-unknown: unknown extension x-amazon-apigateway-unknown: ignored"
        );
    }
}
