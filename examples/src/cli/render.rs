//! `gateway render`: renders one VTL mapping template as API Gateway would, for debugging
//! templates locally.
//!
//! ```text
//! gateway render --template <file> [--body <file>] [--path k=v]... [--query k=v]...
//!                [--header k:v]... [--stage-var k=v]... [--context <json-file>]
//! ```
//!
//! The rendered output goes to stdout exactly, with nothing added (no trailing newline).
//! Exit codes: 0 rendered; 1 the template failed to compile or render (the error, with its
//! line and column, on stderr); 2 usage errors and unreadable files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gateway_core::text::Escaped;
use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, OwnedRequest};
use gateway_mapping::{EngineOptions, Template};

use super::files;

/// The subcommand's usage (its `--help`).
pub const USAGE: &str = "usage: gateway render --template <file> [--body <file>] [--path k=v]... [--query k=v]... [--header k:v]... [--stage-var k=v]... [--context <json-file>]

Renders an API Gateway mapping template and prints the output exactly.
  --template <file>     the VTL template
  --body <file>         the request (or integration response) body behind $input
  --path k=v            a path parameter (repeatable)
  --query k=v           a query-string parameter (repeatable; repeated names keep every value)
  --header k:v          a header (repeatable)
  --stage-var k=v       a stage variable (repeatable)
  --context <json-file> $context as a JSON object, e.g. {\"stage\": \"prod\", \"identity\": {\"sourceIp\": \"203.0.113.7\"}}

exit status: 0 rendered, 1 the template failed (error with line and column on stderr), 2 usage or unreadable file";

/// `gateway render` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The VTL template.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    template: Option<PathBuf>,
    /// The body behind `$input`.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    body: Option<PathBuf>,
    /// A path parameter, `k=v` (repeatable).
    #[arg(long, allow_hyphen_values = true)]
    path: Vec<String>,
    /// A query-string parameter, `k=v` (repeatable).
    #[arg(long, allow_hyphen_values = true)]
    query: Vec<String>,
    /// A header, `k:v` (repeatable).
    #[arg(long, allow_hyphen_values = true)]
    header: Vec<String>,
    /// A stage variable, `k=v` (repeatable).
    #[arg(long = "stage-var", allow_hyphen_values = true)]
    stage_var: Vec<String>,
    /// `$context` as a JSON object.
    #[arg(long, value_parser = clap::value_parser!(PathBuf), allow_hyphen_values = true)]
    context: Option<PathBuf>,
}

/// A usage error: the message to print before the usage text.
struct Usage(String);

fn split_pair(flag: &str, value: &str, sep: char) -> Result<(String, String), Usage> {
    match value.split_once(sep) {
        Some((k, v)) if !k.trim().is_empty() => {
            let v = if sep == ':' { v.trim_start() } else { v };
            Ok((k.trim().to_owned(), v.to_owned()))
        }
        _ => Err(Usage(format!(
            "{flag} expects {}, got {value:?}",
            if sep == ':' {
                "name:value"
            } else {
                "name=value"
            }
        ))),
    }
}

/// Every `k=v` / `k:v` of one repeatable flag, in order.
fn pairs(flag: &str, values: &[String], sep: char) -> Result<Vec<(String, String)>, Usage> {
    values.iter().map(|v| split_pair(flag, v, sep)).collect()
}

/// Reads a file as UTF-8 text; the error names the file and the limit.
fn read(path: &Path, limit: usize) -> Result<String, String> {
    files::read_text(path, limit)
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("gateway render: {message}");
    ExitCode::from(code)
}

/// Runs the subcommand.
pub fn run(args: Args) -> ExitCode {
    let parsed = (|| {
        Ok::<_, Usage>((
            pairs("--path", &args.path, '=')?,
            pairs("--query", &args.query, '=')?,
            pairs("--header", &args.header, ':')?,
            pairs("--stage-var", &args.stage_var, '=')?,
        ))
    })();
    let (path_params, query, header, stage) = match parsed {
        Ok(p) => p,
        Err(Usage(m)) => {
            eprintln!("gateway render: {m}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let Some(template_path) = args.template.as_deref() else {
        eprintln!("gateway render: --template is required\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let template_name = files::display_name(template_path);
    let source = match read(template_path, files::MAX_TEMPLATE_FILE_BYTES) {
        Ok(s) => s,
        Err(m) => return fail(2, &m),
    };
    let body = match args
        .body
        .as_deref()
        .map(|p| read(p, files::MAX_BODY_FILE_BYTES))
        .transpose()
    {
        Ok(b) => b.unwrap_or_default(),
        Err(m) => return fail(2, &m),
    };
    let context = match args.context.as_deref() {
        None => Context::new(),
        Some(path) => {
            let name = files::display_name(path);
            let text = match read(path, files::MAX_CONTEXT_FILE_BYTES) {
                Ok(t) => t,
                Err(m) => return fail(2, &m),
            };
            let json = match serde_json::from_str(&text) {
                Ok(j) => j,
                Err(e) => {
                    return fail(
                        2,
                        &format!("context {} is not valid JSON: {e}", Escaped(&name)),
                    );
                }
            };
            match Context::from_json(json) {
                Some(c) => c,
                None => {
                    return fail(
                        2,
                        &format!("context {} must be a JSON object", Escaped(&name)),
                    );
                }
            }
        }
    };

    let mut request = OwnedRequest::new(body);
    for (k, v) in &path_params {
        request.add_path(k, v);
    }
    for (k, v) in &query {
        request.add_query(k, v);
    }
    for (k, v) in &header {
        if let Err(e) = request.add_header(k, v) {
            return fail(2, &format!("--header: {}", Escaped(&e.to_string())));
        }
    }
    let stage: StageVariables = stage.into_iter().collect();

    let template = match Template::compile(&source, &EngineOptions::default()) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                1,
                &format!("{}: {}", Escaped(&template_name), Escaped(&e.to_string())),
            );
        }
    };
    let context = ContextObject::new(context);
    let scope = mapping_scope(Input::new(request), &context, &stage);
    match template.render(&scope) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(
            1,
            &format!("{}: {}", Escaped(&template_name), Escaped(&e.to_string())),
        ),
    }
}
