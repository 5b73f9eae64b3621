//! [`Template`]: compile once, render many.

use crate::ast::Program;
use crate::error::{ErrorKind, TemplateError};
use crate::options::EngineOptions;
use crate::render::Literals;
use crate::value::Scope;
use crate::{parser, render};

/// A compiled template: compile once when the API is loaded, render for each request.
/// `Send + Sync`: share it between threads freely.
///
/// ```
/// use gateway_mapping::{EngineOptions, Scope, Template, Value};
/// let t = Template::compile("#foreach($i in [1..3])$i#if($foreach.hasNext),#end#end", &EngineOptions::default())?;
/// assert_eq!(t.render(&Scope::new())?, "1,2,3");
/// # Ok::<(), gateway_mapping::TemplateError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Template {
    program: Program,
    /// Its literal JSONPath and regular-expression arguments, compiled with it.
    literals: std::sync::Arc<Literals>,
    options: EngineOptions,
    /// The size to reserve for the output up front: the source's length.
    capacity: usize,
}

impl Template {
    /// Parses and compiles `source` under `options`. Fails with a [`TemplateError`] of kind
    /// `Syntax` (with line and column), `Unsupported` (`#include`, `#parse`) or `Limit`
    /// (template size, nesting).
    pub fn compile(source: &str, options: &EngineOptions) -> Result<Template, TemplateError> {
        if source.len() > options.max_template_bytes {
            return Err(TemplateError::new(
                ErrorKind::Limit,
                format!(
                    "template is {} bytes, more than the limit of {}",
                    source.len(),
                    options.max_template_bytes
                ),
                1,
                1,
            ));
        }
        let program = parser::parse(source, options.max_nesting_depth)?;
        Ok(Template {
            literals: std::sync::Arc::new(Literals::compile(&program)),
            program,
            options: options.clone(),
            capacity: source.len(),
        })
    }

    /// Renders with these root variables. `#set` never changes `scope`.
    pub fn render(&self, scope: &Scope) -> Result<String, TemplateError> {
        render::render(
            &self.program,
            &self.literals,
            &self.options,
            scope,
            self.capacity,
        )
    }

    /// The options this template was compiled with.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Template>();
    }
}
