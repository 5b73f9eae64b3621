//! `gateway routes <api-file>`: the routes of an API definition and its import warnings.
//!
//! Imports the file (OpenAPI 3.0 or Swagger 2.0, JSON or YAML) as API Gateway's
//! `ImportRestApi` would and prints one line per route, resource by resource: the method, the
//! resource path, the integration type and the authorization (`NONE`, `AWS_IAM`,
//! `CUSTOM (authorizer)`, `COGNITO_USER_POOLS (authorizer)`, plus `+ API key` when the method
//! requires one). The import warnings follow, each with the JSON pointer of its place.
//!
//! Exit codes: 0 when the file imports (warnings or not); 2 when it does not (the error, with
//! its JSON pointer, goes to standard error) or the arguments are wrong.

use gateway_core::import::{ImportOptions, Imported, import};
use gateway_core::model::Method;
use std::process::ExitCode;

const USAGE: &str = "usage: gateway routes <api-file>

Lists the routes of an API Gateway REST API definition (OpenAPI 3.0 or Swagger 2.0, JSON or
YAML): method, resource path, integration type and authorization, then the import warnings.
Exit status: 0 imported, 2 the file does not import or bad usage.";

/// Exit status for a file that cannot be read or imported, and for bad usage.
pub(crate) const EXIT_BAD_INPUT: u8 = 2;

/// Runs the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let file = match args {
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [file] if !file.starts_with('-') || file == "-" => file,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let imported = match load(file) {
        Ok(imported) => imported,
        Err(message) => {
            eprintln!("gateway routes: {message}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    print!("{}", render(&imported));
    ExitCode::SUCCESS
}

/// Reads and imports an API definition; the error names the file and, for a definition API
/// Gateway would refuse, the JSON pointer of the offending place.
pub(crate) fn load(file: &str) -> Result<Imported, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: cannot read: {e}"))?;
    import(&bytes, &ImportOptions::default()).map_err(|e| format!("{file}: {e}"))
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

/// The whole report: a title line, the route table, the warnings.
fn render(imported: &Imported) -> String {
    let api = &imported.api;
    let rows: Vec<[String; 4]> = api
        .routes()
        .map(|(resource, method)| {
            [
                method.http_method.to_string(),
                resource.path.clone(),
                integration(method).to_owned(),
                authorization(method),
            ]
        })
        .collect();
    let mut out = format!(
        "{} (API id {}): {} route{}\n\n",
        api.name,
        api.id,
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
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push('\n');
    match imported.warnings.len() {
        0 => out.push_str("no import warnings\n"),
        n => {
            out.push_str(&format!(
                "{n} import warning{}:\n",
                if n == 1 { "" } else { "s" }
            ));
            for w in &imported.warnings {
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
        let imported = import(doc, &ImportOptions::default()).unwrap();
        let text = render(&imported);
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
