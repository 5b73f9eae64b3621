//! Integrations: how the pipeline talks to a backend, each type as API Gateway does.
//!
//! - [`lambda`]: the function a Lambda URI names, and a Lambda custom integration's selection
//!   value.
//! - [`lambda_proxy`]: the Lambda proxy (AWS_PROXY, payload format 1.0) event and the parsing of
//!   the function's answer.
//! - [`mock`]: MOCK's status code from the rendered request template.
//! - [`http`]: HTTP and HTTP_PROXY: the backend URI (path parameters, `{proxy}`, stage
//!   variables, API Gateway's encoding) and the headers API Gateway adds, forwards, drops and
//!   remaps, both ways.
//!
//! The library takes no async runtime: the I/O itself goes through traits the host implements
//! (an HTTP client, a Lambda invoker), defined beside the pipeline; these modules only build
//! and read what crosses them.

pub mod http;
pub mod lambda;
pub mod lambda_proxy;
pub mod mock;
