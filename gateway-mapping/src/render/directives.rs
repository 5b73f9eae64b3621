//! The directives that bind or run other code: `#set` (assignment), macro calls and
//! `#evaluate`.

use super::Literals;
use super::{Flow, Renderer};
use crate::ast::{Access, Expr, Pos, Reference, Slot};
use crate::error::{ErrorKind, TemplateError};
use crate::java::methods;
use crate::ops;
use crate::parser;
use crate::value::Value;

impl<'p> Renderer<'p> {
    /// `#set`: a null value assigns `''` (API Gateway) or leaves the target unchanged
    /// (plain Velocity).
    pub(super) fn assign(&mut self, target: &'p Reference, v: Value) -> Result<(), TemplateError> {
        let v = if v.is_null() {
            if self.opts.null_renders_empty {
                self.empty.clone()
            } else {
                return Ok(());
            }
        } else {
            v
        };
        let Some((last, init)) = target.chain.split_last() else {
            let s = target.root.slot() as usize;
            self.vars[s] = v;
            self.defined[s] = 0;
            return Ok(());
        };
        let base = self.eval_chain(target, init)?;
        let base = crate::value::plain(&base).into_owned();
        if matches!(base, Value::List(_) | Value::Map(_)) {
            self.check_store(Some(&base), &v)?;
        }
        match (last, &base) {
            (Access::Property(name), Value::Map(m)) => {
                m.borrow_mut().insert(name.to_string(), v);
            }
            (Access::Property(name), Value::Object(o)) => {
                o.set_property(name, v)
                    .map_err(|e| self.eval_err(e, target.pos))?;
            }
            (Access::Index(e), _) => {
                let i = self.eval(e)?;
                match &base {
                    Value::List(l) => {
                        let mut l = l.borrow_mut();
                        let len = l.len() as i64;
                        let idx = ops::to_int(&i).map(|i| if i < 0 { i + len } else { i });
                        match idx {
                            Some(j) if (0..len).contains(&j) => l[j as usize] = v,
                            _ => {
                                return Err(self.error(
                                    ErrorKind::Eval,
                                    format!("index {i} out of bounds for a list of {len} items"),
                                    target.pos,
                                ));
                            }
                        }
                    }
                    Value::Map(m) => {
                        m.borrow_mut().insert(methods::key(&i).to_string(), v);
                    }
                    Value::Object(o) => {
                        o.set_property(&methods::key(&i), v)
                            .map_err(|e| self.eval_err(e, target.pos))?;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn macro_call(
        &mut self,
        name: &str,
        args: &'p [Expr],
        body: Option<u32>,
        source: &str,
        pos: Pos,
    ) -> Result<Flow, TemplateError> {
        self.at = pos;
        let prog = self.prog;
        let found = if self.opts.run_macros {
            prog.macros.iter().find(|m| &*m.name == name)
        } else {
            None
        };
        let Some(m) = found else {
            self.write(source)?;
            return Ok(Flow::Normal);
        };
        if self.macro_depth >= self.opts.max_macro_depth {
            return Err(self.error(
                ErrorKind::Limit,
                format!(
                    "macro #{name} called with macro calls nested deeper than the limit of {}",
                    self.opts.max_macro_depth
                ),
                pos,
            ));
        }
        self.enter(pos)?;
        let values = self.eval_args(args)?;
        self.macro_depth += 1;
        // A block call's body is `$bodyContent` while the macro runs, rendered where it is
        // used, like a `#define` (VelocimacroProxy binds velocimacro.body.reference).
        let body_slot = body.and_then(|_| {
            prog.names
                .iter()
                .position(|n| &**n == parser::BODY_CONTENT)
                .map(|s| s as Slot)
        });
        let saved: Vec<(usize, Value, u32)> = m
            .params
            .iter()
            .chain(body_slot.iter())
            .map(|&p| {
                (
                    p as usize,
                    self.vars[p as usize].clone(),
                    self.defined[p as usize],
                )
            })
            .collect();
        for (i, &p) in m.params.iter().enumerate() {
            self.vars[p as usize] = values.get(i).cloned().unwrap_or(Value::Null);
            self.defined[p as usize] = 0;
        }
        if let (Some(slot), Some(b)) = (body_slot, body) {
            self.vars[slot as usize] = Value::Null;
            self.defined[slot as usize] = b + 1;
        }
        let flow = self.block(&m.body);
        for (p, v, d) in saved.into_iter().rev() {
            self.vars[p] = v;
            self.defined[p] = d;
        }
        self.macro_depth -= 1;
        self.depth -= 1;
        // A plain `#break` stops the macro (RuntimeMacro catches the nearest StopCommand);
        // `#stop` and `#break($foreach)` of a loop outside go on.
        Ok(match flow? {
            Flow::Break => Flow::Normal,
            f => f,
        })
    }

    /// `#evaluate($s)` when enabled: `$s` is parsed and rendered with the current variables;
    /// variables it sets that the template knows are kept.
    pub(super) fn evaluate(&mut self, arg: &'p Expr, pos: Pos) -> Result<Flow, TemplateError> {
        self.at = pos;
        let v = self.eval(arg)?;
        if v.is_null() {
            return Ok(Flow::Normal);
        }
        let src = v.to_java_string();
        self.enter(pos)?;
        let wrap = |e: TemplateError| {
            TemplateError::new(e.kind(), format!("in #evaluate, {e}"), pos.line, pos.col)
        };
        let sub_prog = parser::parse(&src, self.opts.max_nesting_depth).map_err(wrap)?;
        let slots: Vec<Option<usize>> = sub_prog
            .names
            .iter()
            .map(|n| self.prog.names.iter().position(|m| m == n))
            .collect();
        let mut vars = Vec::with_capacity(slots.len());
        for (s, name) in slots.iter().zip(&sub_prog.names) {
            vars.push(match s {
                Some(s) => self.var(*s as Slot)?,
                None => self.scope.get(name).cloned().unwrap_or(Value::Null),
            });
        }
        let sub_literals = Literals::compile(&sub_prog);
        let mut sub = Renderer::new(&sub_prog, &sub_literals, self.opts, self.scope, vars);
        sub.depth = self.depth;
        sub.block_depth = self.block_depth;
        sub.meter = self.meter;
        sub.loops = self.loops.clone();
        sub.scopes = self.scopes.clone();
        sub.opts = self.opts;
        let flow = sub.block(&sub_prog.root).map_err(wrap)?;
        self.meter = sub.meter;
        for (i, s) in slots.iter().enumerate() {
            if let Some(s) = s {
                self.vars[*s] = sub.vars[i].clone();
                self.defined[*s] = 0;
            }
        }
        let out = std::mem::take(&mut sub.out);
        self.depth -= 1;
        self.write(&out)?;
        // As for a macro: a plain `#break` stops the `#evaluate` only (Evaluate.render).
        Ok(if flow == Flow::Break {
            Flow::Normal
        } else {
            flow
        })
    }
}
