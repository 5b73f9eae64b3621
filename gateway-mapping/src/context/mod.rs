//! `$context` and `$stageVariables`: what API Gateway tells a template about the request,
//! and the writable `$context.requestOverride.*` / `$context.responseOverride.*`.
//!
//! [`Context`] is an ordered tree of the variables AWS documents in "`$context` Variables for
//! data models, authorizers, mapping templates, and CloudWatch access logging" (see
//! [`CONTEXT_VARIABLES`]); the host fills it per request. [`Overrides`] holds what a
//! template wrote into the override maps, for the host to apply after rendering.
//!
//! ```
//! use gateway_mapping::context::Context;
//! use serde_json::json;
//!
//! let mut ctx = Context::new();
//! ctx.set("requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
//! ctx.set("identity.sourceIp", "203.0.113.7");
//! ctx.set_request_time(1_700_000_000_123);
//! assert_eq!(ctx.lookup("identity.sourceIp"), Some("203.0.113.7".to_owned()));
//! assert_eq!(ctx.lookup("requestTime"), Some("14/Nov/2023:22:13:20 +0000".to_owned()));
//! assert_eq!(ctx.lookup("requestTimeEpoch"), Some("1700000000123".to_owned()));
//! ```

mod hash_order;
mod object;
mod stage;
mod state;
mod vars;

pub use object::{ContextObject, Overrides};
pub use stage::{StageVariables, stage_variables_value};
pub use state::ContextState;
pub use vars::{CONTEXT_VARIABLES, Context, is_known_variable};

use crate::input::Input;
use crate::util::Util;
use crate::value::{Scope, Value};

/// The root variables of one API Gateway render: `$input`, `$context`, `$util` and
/// `$stageVariables`.
///
/// ```
/// use gateway_mapping::context::{mapping_scope, Context, ContextObject, StageVariables};
/// use gateway_mapping::input::{Input, OwnedRequest};
/// use gateway_mapping::{EngineOptions, Template};
///
/// let mut ctx = Context::new();
/// ctx.set("stage", "prod");
/// let context = ContextObject::new(ctx);
/// let mut stage = StageVariables::new();
/// stage.insert("table".into(), "pets".into());
/// let scope = mapping_scope(Input::new(OwnedRequest::new("{\"a\":1}")), &context, &stage);
/// let t = Template::compile(
///     "$context.stage $stageVariables.table $input.json('$.a') $util.urlEncode('x y')\
///      #set($context.responseOverride.status = 201)",
///     &EngineOptions::default(),
/// )?;
/// assert_eq!(t.render(&scope)?, "prod pets 1 x+y");
/// assert_eq!(context.overrides().response_status, Some(201));
/// # Ok::<(), gateway_mapping::TemplateError>(())
/// ```
pub fn mapping_scope(
    input: Input,
    context: &ContextObject,
    stage_variables: &StageVariables,
) -> Scope {
    let mut scope = Scope::with_capacity(4);
    scope.set_static("input", Value::object(input));
    scope.set_static("context", context.value());
    scope.set_static("util", Value::object(Util));
    scope.set_static("stageVariables", stage_variables_value(stage_variables));
    scope
}
