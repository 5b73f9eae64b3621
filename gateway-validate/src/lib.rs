//! API Gateway request validation: models (JSON Schema draft 4), request validators, required
//! parameters, and the exact responses and `validationErrorString` API Gateway produces.
//!
//! Load time: build a [`ModelSet`] from the API's models (model-URL `$ref`s resolved offline,
//! cycles and missing models rejected), then one [`MethodValidator`] per method. Request time:
//! [`MethodValidator::validate`] on a borrowed [`RequestView`] gives an [`Outcome`].
//!
//! Validity is decided by the `jsonschema` crate (draft 4, no network); the error list is
//! worded and ordered the way API Gateway's validator (fge's json-schema-validator) does it.
//!
//! ```
//! use gateway_validate::{MethodValidator, ModelSet, Outcome, RequestValidator, RequestView};
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
//! let headers = [("x-api-tenant", "t1"), ("content-type", "application/json")];
//! let request = RequestView { headers: &headers, body: br#"{"type":"dog"}"#, ..Default::default() };
//! let Outcome::Rejected(rejection) = method.validate(&request) else { panic!("must fail") };
//! assert_eq!(rejection.body(), r#"{"message":"Invalid request body"}"#);
//! assert_eq!(
//!     rejection.validation_error_string,
//!     r#"[object has missing required properties (["name"])]"#
//! );
//!
//! let request = RequestView { headers: &[], body: b"{}", ..Default::default() };
//! let Outcome::Rejected(rejection) = method.validate(&request) else { panic!("must fail") };
//! assert_eq!(rejection.message, "Missing required request parameters: [x-api-tenant]");
//! # Ok::<(), gateway_validate::LoadError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod body;
mod error;
mod explain;
pub mod limits;
mod models;
mod request;

pub use error::LoadError;
pub use limits::{
    MAX_BODY_BYTES, MAX_MODELS, MAX_PATTERNS, MAX_SCHEMA_DEPTH, MAX_UNFOLDED_SCHEMA_NODES,
    MAX_VALIDATION_MESSAGES,
};
pub use models::{Model, ModelSet, ModelSetBuilder, ValidationErrors, model_url};
pub use request::{
    GatewayResponseType, MethodValidator, Outcome, Rejection, RequestValidator, RequestView,
    UNPARSEABLE_BODY,
};
