//! `gateway`: the command-line tool of gateway-rs.
//!
//! Each subcommand lives in its own module under `cli/`, with its arguments (parsed by clap)
//! and its usage text. Arguments are read as the operating system gives them, so file names
//! need not be UTF-8; a text argument that is not UTF-8 is a usage error.
//!
//! Exit codes: each subcommand's own (0 success, 1 the answer is a rejection); 2 for a usage
//! error or a file that does not load; `--help` and `--version` exit 0.

mod cli;
use gateway_examples::host;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: under load `gateway serve` spent about a fifth
/// of its CPU in glibc's malloc and free (perf, wrk -c32 against an HTTP_PROXY route), part of
/// it waiting on the allocator's arena locks between tokio's worker threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main(std::env::args_os().collect())
}
