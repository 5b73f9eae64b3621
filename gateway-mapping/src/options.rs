//! Engine options: API Gateway's behaviour by default, plain Velocity 1.7 as switches.

use crate::limits;

/// How the engine behaves. [`EngineOptions::default`] is API Gateway's behaviour;
/// [`EngineOptions::velocity_1_7`] is plain Apache Velocity 1.7. Each field switches one
/// departure, so hosts can mix them.
///
/// ```
/// use gateway_mapping::EngineOptions;
/// let mut options = EngineOptions::default();
/// options.run_macros = true; // run inline #macro definitions, as plain Velocity does
/// assert!(options.null_renders_empty);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineOptions {
    /// API Gateway (true): a null anywhere in a reference (an undefined name, a missing key,
    /// any link of a chain, a method returning null) is the empty string: it renders empty,
    /// compares equal to `''`, is true in `#if`, `#set($x = $null)` assigns `''`, and an
    /// escaped `\$x` prints `$x`. Plain Velocity 1.7 (false): a null reference prints its own
    /// source text (`\$x` prints `\$x`), is false in `#if`, and `#set` leaves the variable
    /// unchanged.
    pub null_renders_empty: bool,
    /// API Gateway (false): an inline `#macro` definition is dropped and each call of it
    /// prints as its own source text (a block call `#@name(...) body #end` whole, body and
    /// `#end` included). Plain Velocity 1.7 (true): macros run, a block call with its body as
    /// `$bodyContent`; a second definition of a name is ignored.
    pub run_macros: bool,
    /// API Gateway (false): `#evaluate(...)` prints as its own source text. Plain Velocity
    /// 1.7 (true): the argument is parsed and rendered as a template.
    pub run_evaluate: bool,
    /// Iterations allowed per `#foreach`; further items are skipped.
    pub max_foreach_iterations: usize,
    /// Largest template source accepted, in bytes.
    pub max_template_bytes: usize,
    /// Largest rendered output, in bytes.
    pub max_output_bytes: usize,
    /// Deepest nesting of blocks, expressions, `#define` and `#evaluate` renders.
    pub max_nesting_depth: usize,
    /// Deepest nesting of macro calls, when macros run.
    pub max_macro_depth: usize,
    /// Deepest nesting of blocks while rendering, counted across `#define`, macro and
    /// `#evaluate` renders.
    pub max_render_depth: usize,
    /// Most nodes and loop iterations one render may evaluate.
    pub max_render_steps: u64,
}

impl Default for EngineOptions {
    /// API Gateway's behaviour.
    fn default() -> Self {
        EngineOptions {
            null_renders_empty: true,
            run_macros: false,
            run_evaluate: false,
            max_foreach_iterations: limits::MAX_FOREACH_ITERATIONS,
            max_template_bytes: limits::MAX_TEMPLATE_BYTES,
            max_output_bytes: limits::MAX_OUTPUT_BYTES,
            max_nesting_depth: limits::MAX_NESTING_DEPTH,
            max_macro_depth: limits::MAX_MACRO_DEPTH,
            max_render_depth: limits::MAX_RENDER_DEPTH,
            max_render_steps: limits::MAX_RENDER_STEPS,
        }
    }
}

impl EngineOptions {
    /// API Gateway's behaviour (same as `default()`).
    pub fn api_gateway() -> Self {
        Self::default()
    }

    /// Plain Apache Velocity 1.7: null references print as source, macros and `#evaluate`
    /// run. Limits stay as in `default()`.
    pub fn velocity_1_7() -> Self {
        EngineOptions {
            null_renders_empty: false,
            run_macros: true,
            run_evaluate: true,
            ..Self::default()
        }
    }
}
