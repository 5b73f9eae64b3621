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
use std::process::ExitCode;

use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, RequestView};
use gateway_mapping::{EngineOptions, Template};

const USAGE: &str = "usage: gateway render --template <file> [--body <file>] [--path k=v]... [--query k=v]... [--header k:v]... [--stage-var k=v]... [--context <json-file>]

Renders an API Gateway mapping template and prints the output exactly.
  --template <file>     the VTL template
  --body <file>         the request (or integration response) body behind $input
  --path k=v            a path parameter (repeatable)
  --query k=v           a query-string parameter (repeatable; repeated names keep every value)
  --header k:v          a header (repeatable)
  --stage-var k=v       a stage variable (repeatable)
  --context <json-file> $context as a JSON object, e.g. {\"stage\": \"prod\", \"identity\": {\"sourceIp\": \"203.0.113.7\"}}

exit status: 0 rendered, 1 the template failed (error with line and column on stderr), 2 usage or unreadable file";

/// What the command line asked for.
#[derive(Debug, Default)]
struct Args {
    template: Option<String>,
    body: Option<String>,
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    header: Vec<(String, String)>,
    stage: Vec<(String, String)>,
    context: Option<String>,
    help: bool,
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

fn parse(args: &[String]) -> Result<Args, Usage> {
    let mut out = Args::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            out.help = true;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let known = [
            "--template",
            "--body",
            "--path",
            "--query",
            "--header",
            "--stage-var",
            "--context",
        ];
        if !known.contains(&flag) {
            return Err(Usage(format!("unexpected argument {arg:?}")));
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .cloned()
                .ok_or_else(|| Usage(format!("{flag} needs a value")))?,
        };
        match flag {
            "--template" | "--body" | "--context" => {
                let slot = match flag {
                    "--template" => &mut out.template,
                    "--body" => &mut out.body,
                    _ => &mut out.context,
                };
                if slot.is_some() {
                    return Err(Usage(format!("{flag} given twice")));
                }
                *slot = Some(value);
            }
            "--path" => out.path.push(split_pair(flag, &value, '=')?),
            "--query" => out.query.push(split_pair(flag, &value, '=')?),
            "--header" => out.header.push(split_pair(flag, &value, ':')?),
            _ => out.stage.push(split_pair(flag, &value, '=')?),
        }
    }
    Ok(out)
}

/// Reads a file as UTF-8 text; the error names the file.
fn read(what: &str, path: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {what} {path}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("{what} {path} is not UTF-8 text"))
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("gateway render: {message}");
    ExitCode::from(code)
}

/// Runs the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(Usage(m)) => {
            eprintln!("gateway render: {m}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Some(template_path) = args.template.as_deref() else {
        eprintln!("gateway render: --template is required\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let source = match read("template", template_path) {
        Ok(s) => s,
        Err(m) => return fail(2, &m),
    };
    let body = match args.body.as_deref().map(|p| read("body", p)).transpose() {
        Ok(b) => b.unwrap_or_default(),
        Err(m) => return fail(2, &m),
    };
    let context = match args.context.as_deref() {
        None => Context::new(),
        Some(path) => {
            let text = match read("context", path) {
                Ok(t) => t,
                Err(m) => return fail(2, &m),
            };
            let json = match serde_json::from_str(&text) {
                Ok(j) => j,
                Err(e) => return fail(2, &format!("context {path} is not valid JSON: {e}")),
            };
            match Context::from_json(json) {
                Some(c) => c,
                None => return fail(2, &format!("context {path} must be a JSON object")),
            }
        }
    };

    let mut request = RequestView::new(body);
    for (k, v) in args.path {
        request.add_path(&k, &v);
    }
    for (k, v) in &args.query {
        request.add_query(k, v);
    }
    for (k, v) in &args.header {
        request.add_header(k, v);
    }
    let stage: StageVariables = args.stage.into_iter().collect();

    let template = match Template::compile(&source, &EngineOptions::default()) {
        Ok(t) => t,
        Err(e) => return fail(1, &format!("{template_path}: {e}")),
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
        Err(e) => fail(1, &format!("{template_path}: {e}")),
    }
}
