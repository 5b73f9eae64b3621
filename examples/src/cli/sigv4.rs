//! `gateway sigv4` (being written).

use std::process::ExitCode;

/// Runs the subcommand.
pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("gateway: this command is not built yet");
    ExitCode::from(2)
}
