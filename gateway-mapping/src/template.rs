//! [`Template`]: compile once, render many.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ast::Program;
use crate::error::{ErrorKind, TemplateError};
use crate::options::EngineOptions;
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
#[derive(Debug)]
pub struct Template {
    program: Program,
    options: EngineOptions,
    /// This template's number, naming its string-literal values in each thread's cache.
    id: u64,
    /// The length of the last output, to size the next one's buffer in one allocation.
    last_len: AtomicUsize,
}

impl Clone for Template {
    fn clone(&self) -> Self {
        Template {
            program: self.program.clone(),
            options: self.options.clone(),
            id: render::next_template_id(),
            last_len: AtomicUsize::new(self.last_len.load(Ordering::Relaxed)),
        }
    }
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
            program,
            options: options.clone(),
            id: render::next_template_id(),
            last_len: AtomicUsize::new(source.len()),
        })
    }

    /// Renders with these root variables. `#set` never changes `scope`.
    pub fn render(&self, scope: &Scope) -> Result<String, TemplateError> {
        let hint = self.last_len.load(Ordering::Relaxed);
        let out = render::render(&self.program, self.id, &self.options, scope, hint)?;
        self.last_len.store(out.len(), Ordering::Relaxed);
        Ok(out)
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
