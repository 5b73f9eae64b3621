//! `gateway`: the command-line tool of gateway-rs.
//!
//! Each subcommand lives in its own module under `cli/` and parses its own arguments, so the
//! subcommands can grow independently. Exit codes are the subcommand's own.

mod cli;

use std::process::ExitCode;

const USAGE: &str = "usage: gateway <command> [args...]

commands:
  routes <api-file>                      list an API's routes and import warnings
  match <api-file> <METHOD> <path>       route one request through an API
  validate ...                           API Gateway request validation
  policy check|eval ...                  IAM policy validation and evaluation
  sigv4 sign|verify ...                  AWS Signature Version 4
  render --template <file> ...           render a VTL mapping template";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
        "routes" => cli::routes::run(rest),
        "match" => cli::match_cmd::run(rest),
        "validate" => cli::validate::run(rest),
        "policy" => cli::policy::run(rest),
        "sigv4" => cli::sigv4::run(rest),
        "render" => cli::render::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("gateway: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
