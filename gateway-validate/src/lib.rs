//! API Gateway request validation: models (JSON Schema draft 4), request validators, required
//! parameters, and the exact responses and `validationErrorString` API Gateway produces.
//!
//! Load time: build a [`ModelSet`] from the API's models (model-URL `$ref`s resolved offline,
//! cycles and missing models rejected), then one [`MethodValidator`] per method. Request time:
//! [`MethodValidator::validate`] on a borrowed [`RequestView`] (the gateway's request, lent to
//! validation and mapping alike) either passes it, handing on the body it parsed
//! ([`Validated`]), or turns it away with a [`Rejection`]: what failed, with the data of
//! `$context.error.*`. This crate speaks no HTTP for failures; the gateway picks the response.
//!
//! Validity is decided by the `jsonschema` crate (draft 4, no network); the error list is
//! worded and ordered the way API Gateway's validator (fge's json-schema-validator) does it.
//!
//! ```
//! use gateway_validate::{
//!     MethodValidator, ModelSet, RejectionKind, RequestValidator, RequestView,
//! };
//! use http::HeaderMap;
//! use serde_json::json;
//!
//! let models = ModelSet::builder("a1b2c3")
//!     .model("Pet", json!({
//!         "type": "object",
//!         "required": ["name", "type"],
//!         "properties": {
//!             "name": {"type": "string"},
//!             "type": {"enum": ["dog", "cat"]}
//!         }
//!     }))
//!     .build()?;
//! let method = MethodValidator::new(
//!     Some(RequestValidator::ALL),
//!     [("method.request.header.x-api-tenant", true)],
//!     [("application/json", "Pet")],
//!     &models,
//! )?;
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("x-api-tenant", "t1".parse()?);
//! headers.insert("content-type", "application/json".parse()?);
//! let request = RequestView { headers: &headers, body: br#"{"type":"dog"}"#, ..Default::default() };
//! let rejection = method.validate(&request).expect_err("the body lacks a name");
//! assert_eq!(rejection.kind, RejectionKind::Body);
//! assert_eq!(rejection.message, "Invalid request body");
//! assert_eq!(
//!     rejection.validation_error_string,
//!     r#"[object has missing required properties (["name"])]"#
//! );
//!
//! // A valid body comes back parsed, for mapping to use.
//! let request = RequestView { body: br#"{"name":"Rex","type":"dog"}"#, ..request };
//! let validated = method.validate(&request)?;
//! assert_eq!(validated.body.as_deref(), Some(&json!({"name": "Rex", "type": "dog"})));
//!
//! let request = RequestView { body: b"{}", ..Default::default() };
//! let rejection = method.validate(&request).expect_err("the header is missing");
//! assert_eq!(rejection.kind, RejectionKind::Parameters);
//! assert_eq!(rejection.message, "Missing required request parameters: [x-api-tenant]");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Untrusted input
//!
//! Request bodies are untrusted; models come from the API definition, which may be too. The
//! limits are named constants in [`limits`], each with its reason.
//!
//! - **Linear in the body.** A body of at most [`MAX_BODY_BYTES`] is parsed into a
//!   `serde_json::Value` with no spare capacity, nested at most
//!   [`limits::MAX_BODY_DEPTH`] deep (deeper fails as unparseable). One JSON value costs one
//!   72-byte slot plus its own string or container, so the parsed body takes at most about 40
//!   times its size: 8 MB of nested one-element arrays peaks near 290 MB (serde_json's own
//!   parse took 1 GB), a 2 MB array of a million numbers near 75 MB. Validity (the
//!   `jsonschema` engine) takes time linear in the body times the model's size.
//! - **Bounded by the cap.** An invalid body's `validationErrorString` keeps the first
//!   [`MAX_VALIDATION_MESSAGES`] messages and the walk stops once it has them, so the error
//!   path costs memory in proportion to that cap, not to the body; the explanation's steps and
//!   depth are capped too ([`limits::MAX_EXPLAIN_STEPS`], [`limits::MAX_EXPLAIN_DEPTH`]).
//! - **Bounded at load.** Models ([`MAX_MODELS`]), schema depth and expanded size
//!   ([`MAX_SCHEMA_DEPTH`], [`MAX_UNFOLDED_SCHEMA_NODES`]) and distinct regular expressions
//!   ([`MAX_PATTERNS`]; identical ones are compiled once per set) fail the load with a
//!   [`LoadError`] naming the limit. Each compiled regex is capped at
//!   [`limits::MAX_REGEX_BYTES`].
//! - **What a caller must still limit.** How many requests are validated at once (each may hold
//!   a parsed body of up to about 40 times [`MAX_BODY_BYTES`], for as long as it keeps the
//!   [`Validated::body`] handed back); the size of the API definitions
//!   it loads (compiled models take tens of times their JSON size, and [`MAX_PATTERNS`]
//!   patterns of [`limits::MAX_REGEX_BYTES`] each is a theoretical worst case of gigabytes);
//!   and the time a single validation may take against a model it does not trust.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod body;
mod error;
mod explain;
pub mod limits;
mod model_url;
mod models;
mod request;

pub use error::LoadError;
pub use limits::{
    MAX_BODY_BYTES, MAX_MODELS, MAX_PATTERNS, MAX_SCHEMA_DEPTH, MAX_UNFOLDED_SCHEMA_NODES,
    MAX_VALIDATION_MESSAGES,
};
pub use model_url::model_url;
pub use models::{Model, ModelSet, ModelSetBuilder, ValidationErrors};
pub use request::{
    MethodValidator, Rejection, RejectionKind, RequestValidator, RequestView, UNPARSEABLE_BODY,
    Validated,
};
