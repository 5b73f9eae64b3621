//! gateway-mapping: Amazon API Gateway's mapping templates, outside AWS.
//!
//! The language half is a Velocity Template Language engine that renders templates as API
//! Gateway does (Apache Velocity 1.7 with API Gateway's departures, each switchable back to
//! plain 1.7 through [`EngineOptions`]). The pipeline is:
//!
//! ```text
//! source --lexer/parser--> AST --compile--> Template --render(Scope)--> String
//! ```
//!
//! Compile once when the API is loaded ([`Template::compile`]); render per request
//! ([`Template::render`]) with a [`Scope`] holding the root variables. The host objects
//! (`$input`, `$util`, `$context`, [`Object`]) are this crate's own.
//!
//! Nothing is kept per thread: a render's state (variables, the step meter, scratch) lives in
//! the renderer it makes, and what is known when compiling (literal JSONPaths and regular
//! expressions) is compiled into the [`Template`], shared by every thread.
//!
//! ```
//! use gateway_mapping::{EngineOptions, Scope, Template, Value};
//!
//! let template = Template::compile(
//!     "{\"name\": \"$name\", \"n\": $items.size()}",
//!     &EngineOptions::default(),
//! )?;
//! let mut scope = Scope::new();
//! scope.set("name", Value::from("Ana"));
//! scope.set("items", Value::list(vec![Value::Int(1), Value::Int(2)]));
//! assert_eq!(template.render(&scope)?, "{\"name\": \"Ana\", \"n\": 2}");
//! # Ok::<(), gateway_mapping::TemplateError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// The language: Velocity as API Gateway runs it.
mod args;
mod ast;
mod error;
mod escape;
mod java;
mod json_value;
mod json_view;
mod lexer;
pub mod limits;
mod ops;
mod options;
mod parser;
mod render;
mod template;
mod value;

pub use error::{ErrorKind, EvalError, TemplateError};
pub use options::EngineOptions;
pub use template::Template;
pub use value::{List, Map, Object, Scope, Str, Value};

// API Gateway's side of the templates (each module is its own concern).
pub mod context;
pub mod input;
pub mod jsonpath;
pub mod params;
pub mod selection;
pub mod util;
