//! The renderer: walks a compiled [`Program`] with one render's variables and writes the
//! output into one `String`. Evaluation follows Velocity 1.7, with API Gateway's null
//! handling when [`EngineOptions::null_renders_empty`] is set.
//!
//! This module holds the walk over blocks and nodes; each other concern has its module:
//! [`expr`] (expressions and reference chains), [`output`] (printing and its fast paths),
//! [`foreach`] (loops and `$foreach`), [`directives`] (`#set`, macros, `#evaluate`),
//! [`store`] (the checks on values stored in lists and maps), [`budget`] (the step meter and
//! the output limit), [`literals`] (literal arguments compiled with the template).
//!
//! Everything a render uses lives in its [`Renderer`] and dies with it: no state is kept per
//! thread between renders.

use std::rc::Rc;
use std::sync::Arc;

use crate::ast::{Access, Expr, Node, Pos, Program, Reference, Root};
use crate::error::{ErrorKind, EvalError, TemplateError};
use crate::ops;
use crate::options::EngineOptions;
use crate::value::{Scope, Value};

mod budget;
mod directives;
mod expr;
mod foreach;
mod literals;
mod output;
mod store;

pub(crate) use budget::Meter;
use foreach::{ForeachScope, loop_property};
pub(crate) use literals::{Literal, Literals};

/// How rendering a block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    /// `#break`: the nearest loop, macro, `#define` or `#evaluate` stops.
    Break,
    /// `#break($scope)`: the loop at this level of [`Renderer::loops`] stops, and everything
    /// inside it (Velocity 1.7 Scope.stop: a StopCommand only that loop's Foreach catches).
    BreakLoop(usize),
    Stop,
}

/// One `#foreach` in progress.
#[derive(Debug, Clone, Copy)]
struct Loop {
    index: usize,
    len: usize,
}

/// The empty string every render shares (a null read under API Gateway's rules prints it).
static EMPTY: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));

/// Renders `prog` with the variables in `scope`, its literal arguments compiled in
/// `literals`. `capacity` sizes the output buffer up front (a guess of the output length).
/// Everything the render needs lives in the renderer it makes, and dies with it.
pub(crate) fn render(
    prog: &Program,
    literals: &Literals,
    opts: &EngineOptions,
    scope: &Scope,
    capacity: usize,
) -> Result<String, TemplateError> {
    let vars = prog
        .names
        .iter()
        .map(|n| scope.get(n).cloned().unwrap_or(Value::Null))
        .collect();
    let mut r = Renderer::new(prog, literals, opts, scope, vars);
    r.out.reserve(capacity.min(opts.max_output_bytes));
    r.block(&prog.root)?;
    Ok(r.out)
}

/// One render in progress: the template, its variables, the output, the step meter.
struct Renderer<'p> {
    prog: &'p Program,
    /// The template's literal arguments, compiled with it.
    literals: &'p Literals,
    opts: &'p EngineOptions,
    /// The root variables, for names only an `#evaluate`d string mentions.
    scope: &'p Scope,
    vars: Vec<Value>,
    /// Per slot: 1 + the `#define` body it holds, or 0.
    defined: Vec<u32>,
    /// The empty string, made once per render (a null assigned or read under API Gateway).
    empty: Value,
    /// Argument vectors for method calls, reused so calls do not allocate.
    arg_pool: Vec<Vec<Value>>,
    out: String,
    loops: Vec<Loop>,
    /// Per level of `loops`, its `$foreach` object once made ([`Renderer::foreach_object`]).
    scopes: Vec<Option<Rc<ForeachScope>>>,
    depth: usize,
    /// Macro calls in progress.
    macro_depth: usize,
    /// Blocks being rendered, one inside the other.
    block_depth: usize,
    /// What is left of the render-step limit; host calls charge their work to it too.
    meter: Meter,
    /// The position of the construct being rendered, for errors.
    at: Pos,
}

impl<'p> Renderer<'p> {
    fn new(
        prog: &'p Program,
        literals: &'p Literals,
        opts: &'p EngineOptions,
        scope: &'p Scope,
        vars: Vec<Value>,
    ) -> Self {
        let n = vars.len();
        Renderer {
            prog,
            literals,
            opts,
            scope,
            vars,
            defined: vec![0; n],
            empty: Value::string(Arc::clone(&EMPTY)),
            arg_pool: Vec::new(),
            out: String::new(),
            loops: Vec::new(),
            scopes: Vec::new(),
            depth: 0,
            macro_depth: 0,
            block_depth: 0,
            meter: Meter::new(opts.max_render_steps),
            at: Pos { line: 1, col: 1 },
        }
    }

    fn error(&self, kind: ErrorKind, msg: impl Into<String>, pos: Pos) -> TemplateError {
        TemplateError::new(kind, msg, pos.line, pos.col)
    }

    fn eval_err(&self, e: EvalError, pos: Pos) -> TemplateError {
        let kind = if e.is_limit() {
            ErrorKind::Limit
        } else {
            ErrorKind::Eval
        };
        self.error(kind, e.message(), pos)
    }

    fn enter(&mut self, pos: Pos) -> Result<(), TemplateError> {
        self.depth += 1;
        if self.depth > self.opts.max_nesting_depth {
            return Err(self.error(
                ErrorKind::Limit,
                format!(
                    "macro, #define or #evaluate nesting deeper than the limit of {}",
                    self.opts.max_nesting_depth
                ),
                pos,
            ));
        }
        Ok(())
    }

    fn block(&mut self, block: &'p [Node]) -> Result<Flow, TemplateError> {
        // Blocks nest within a template (bounded when parsing) and across #define, macro and
        // #evaluate renders: together they are bounded here, so no template can exhaust the
        // stack.
        self.block_depth += 1;
        if self.block_depth > self.opts.max_render_depth {
            self.block_depth -= 1;
            return Err(self.error(
                ErrorKind::Limit,
                format!(
                    "blocks nested deeper than the limit of {} while rendering",
                    self.opts.max_render_depth
                ),
                self.at,
            ));
        }
        let r = self.block_inner(block);
        self.block_depth -= 1;
        r
    }

    fn block_inner(&mut self, block: &'p [Node]) -> Result<Flow, TemplateError> {
        for node in block {
            // Text and plain references, most of any template, are handled here, without
            // the frame of `node`.
            match node {
                Node::Text(t, pos) => {
                    self.at = *pos;
                    self.step()?;
                    self.write(t)?;
                }
                Node::Ref(r) if self.quick_print(r)? => {}
                _ => {
                    let flow = self.node(node)?;
                    if flow != Flow::Normal {
                        return Ok(flow);
                    }
                }
            }
        }
        Ok(Flow::Normal)
    }

    /// A reference node printed by [`Renderer::print_direct`], counted as a step; false when
    /// it needs the general path (which counts its own step).
    #[inline]
    fn quick_print(&mut self, r: &'p Reference) -> Result<bool, TemplateError> {
        self.at = r.pos;
        if self.print_direct(r)? {
            self.step()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn node(&mut self, node: &'p Node) -> Result<Flow, TemplateError> {
        self.at = node.pos();
        self.step()?;
        match node {
            Node::Text(t, _) => self.write(t)?,
            Node::Ref(r) => {
                if !self.print_direct(r)? {
                    let v = self.eval_ref(r)?;
                    self.print(&v, r)?;
                }
            }
            Node::EscapedRef {
                backslashes,
                reference,
            } => {
                self.at = reference.pos;
                let v = self.eval_ref(reference)?;
                for _ in 0..backslashes / 2 {
                    self.out.push('\\');
                }
                if backslashes % 2 == 1 {
                    // `\$x` prints the reference's text: as is when it has a value, with
                    // its backslash when it has none (Velocity 1.7 ASTReference.render).
                    // Under API Gateway a null is the empty string, a value, so `\$x`
                    // prints `$x` whether or not `$x` is defined.
                    if v.is_null() && !self.opts.null_renders_empty {
                        self.out.push('\\');
                    }
                    self.write(&reference.source)?;
                } else {
                    self.print(&v, reference)?;
                }
            }
            Node::Set { target, value, pos } => {
                self.at = *pos;
                let v = self.eval(value)?;
                self.assign(target, v)?;
            }
            Node::If {
                branches,
                otherwise,
                pos,
            } => {
                self.at = *pos;
                for (cond, body) in branches {
                    // `#if($foreach.hasNext)` and the like, the idiom of every JSON-building
                    // loop, without making a value.
                    let quick = match (cond, self.loops.last()) {
                        (Expr::Ref(r), Some(lp)) => match (r.root, r.chain.as_slice()) {
                            (Root::Foreach(_), [Access::Property(p)]) => loop_property(*lp, p),
                            _ => None,
                        },
                        _ => None,
                    };
                    let yes = match quick {
                        Some(v) => ops::truthy(&v),
                        None => ops::truthy(&self.eval(cond)?),
                    };
                    if yes {
                        return self.block(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.block(body);
                }
            }
            Node::Foreach {
                var,
                iterable,
                body,
                pos,
            } => return self.foreach(*var, iterable, body, *pos),
            Node::Break { scope: None, .. } => return Ok(Flow::Break),
            Node::Break {
                scope: Some(scope),
                pos,
            } => return self.break_to(scope, *pos),
            Node::Stop(_) => return Ok(Flow::Stop),
            Node::Define { slot, body, .. } => {
                let s = *slot as usize;
                self.vars[s] = Value::Null;
                self.defined[s] = body + 1;
            }
            Node::MacroCall {
                name,
                args,
                body,
                source,
                pos,
            } => return self.macro_call(name, args, *body, source, *pos),
            Node::Evaluate { arg, source, pos } => {
                if self.opts.run_evaluate {
                    return self.evaluate(arg, *pos);
                }
                self.at = *pos;
                self.write(source)?;
            }
        }
        Ok(Flow::Normal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Template;

    fn render(src: &str, scope: &Scope) -> Result<String, TemplateError> {
        Template::compile(src, &EngineOptions::default())?.render(scope)
    }

    #[test]
    fn nothing_carries_over_from_one_render_to_the_next() {
        let mut scope = Scope::new();
        scope.set("a", Value::from("root"));
        // A render that defines, sets, loops, calls methods and then fails half-way.
        let failing = "#define($a)defined#end#set($b = 'set')\
                       #foreach($i in [1, 2])$i.toString()#end$b.substring(9)";
        assert!(render(failing, &scope).is_err());
        assert_eq!(render("$a $!b", &scope).expect("renders"), "root ");
        assert_eq!(
            render("#foreach($i in [1])$foreach.count#end $a", &scope).expect("renders"),
            "1 root"
        );
    }
}
