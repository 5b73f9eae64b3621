//! One module per `gateway` subcommand; each exposes `run(args) -> ExitCode`.

pub mod match_cmd;
pub mod policy;
pub mod render;
pub mod routes;
pub mod sigv4;
pub mod validate;
