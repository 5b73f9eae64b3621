//! `#foreach`: the loop, its `$foreach` object (Velocity 1.7's ForeachScope) and
//! `#break($foreach)`.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use super::Meter;
use super::{Flow, Loop, Renderer};
use crate::ast::{Block, Expr, Pos, Slot};
use crate::error::{ErrorKind, EvalError, TemplateError};
use crate::value::{Cx, HostObject, Object, Value};

impl<'p> Renderer<'p> {
    /// `$foreach` as an object (for `$foreach.parent`, `#break($foreach)` and printing): one
    /// object per loop run, made when first asked for and kept up to date until the loop
    /// ends, as Velocity 1.7's ForeachScope is.
    pub(super) fn foreach_object(&mut self) -> Value {
        let n = self.loops.len();
        if n == 0 {
            return Value::Null;
        }
        self.scopes.resize(n, None);
        for i in 0..n {
            if self.scopes[i].is_none() {
                let parent = i.checked_sub(1).and_then(|p| self.scopes[p].clone());
                let lp = Cell::new(self.loops[i]);
                self.scopes[i] = Some(Rc::new_cyclic(|me| ForeachScope {
                    lp,
                    parent,
                    me: me.clone(),
                }));
            }
        }
        match &self.scopes[n - 1] {
            Some(o) => Value::shared(o.clone()),
            None => Value::Null,
        }
    }

    /// `#break($scope)`: the loop whose `$foreach` object `scope` is. Velocity 1.7 (Break.render)
    /// fails on anything that is not a scope object (`#break($nothing)`, `#break('x')`, a
    /// `$foreach.parent` outside a nested loop, a loop that has ended).
    pub(super) fn break_to(&mut self, scope: &'p Expr, pos: Pos) -> Result<Flow, TemplateError> {
        let v = self.eval(scope)?;
        if let Value::Object(o) = &v {
            let target = o.as_ptr();
            let level = self.scopes.iter().position(|s| {
                s.as_ref()
                    .is_some_and(|s| Rc::as_ptr(s).cast::<()>() == target)
            });
            if let Some(level) = level {
                return Ok(Flow::BreakLoop(level));
            }
        }
        Err(self.error(
            ErrorKind::Eval,
            "#break(...) needs the scope of a loop in progress ($foreach, $foreach.parent, \
             $foreach.topmost)",
            pos,
        ))
    }

    pub(super) fn foreach(
        &mut self,
        var: Slot,
        iterable: &'p Expr,
        body: &'p Block,
        pos: Pos,
    ) -> Result<Flow, TemplateError> {
        self.at = pos;
        let it = self.eval(iterable)?;
        // Only the items the loop may visit are taken (a snapshot, so the body can change
        // the collection); `len` is the whole collection's, for `$foreach.hasNext`.
        let max = self.opts.max_foreach_iterations;
        let (mut items, len) = match &it {
            Value::List(l) => {
                let l = l.borrow();
                let snapshot: Vec<Value> = l.iter().take(max).cloned().collect();
                (Items::Snapshot(snapshot.into_iter()), l.len())
            }
            Value::Map(m) => {
                let m = m.borrow();
                let snapshot: Vec<Value> = m.values().take(max).cloned().collect();
                (Items::Snapshot(snapshot.into_iter()), m.len())
            }
            Value::Object(o) => match o.lazy_len() {
                Some(len) => (Items::Lazy(o.clone()), len),
                None => match o.iterate() {
                    Some(snapshot) => {
                        let len = snapshot.len();
                        (Items::Snapshot(snapshot.into_iter()), len)
                    }
                    None => return Ok(Flow::Normal),
                },
            },
            _ => return Ok(Flow::Normal),
        };
        let s = var as usize;
        let saved = (self.vars[s].clone(), self.defined[s]);
        let level = self.loops.len();
        self.loops.push(Loop { index: 0, len });
        let mut flow = Flow::Normal;
        for i in 0..len.min(max) {
            self.vars[s] = match &mut items {
                Items::Snapshot(snapshot) => match snapshot.next() {
                    Some(item) => item,
                    None => break,
                },
                Items::Lazy(o) => o.lazy_item(i, std::mem::take(&mut self.vars[s])),
            };
            self.defined[s] = 0;
            if let Some(lp) = self.loops.last_mut() {
                lp.index = i;
                // The loop's `$foreach` object, if made, follows the loop.
                if let Some(Some(o)) = self.scopes.get(level) {
                    o.lp.set(*lp);
                }
            }
            self.step()?;
            match self.block(body)? {
                Flow::Normal => {}
                Flow::Break => break,
                Flow::BreakLoop(l) if l == level => break,
                f => {
                    // `#stop`, or `#break` of a loop outside this one.
                    flow = f;
                    break;
                }
            }
        }
        self.loops.pop();
        self.scopes.truncate(level);
        self.vars[s] = saved.0;
        self.defined[s] = saved.1;
        Ok(flow)
    }
}

/// Where a `#foreach` takes its items from.
pub(super) enum Items {
    /// The items the collection held when the loop began (a snapshot, so the body can
    /// change the collection), at most the iteration limit.
    Snapshot(std::vec::IntoIter<Value>),
    /// An object handing them out one at a time ([`HostObject::lazy_item`]).
    Lazy(Object),
}

/// `$foreach.index` and friends without building an object.
pub(super) fn loop_property(lp: Loop, name: &str) -> Option<Value> {
    Some(match name {
        "index" => Value::Int(lp.index as i64),
        "count" => Value::Int(lp.index as i64 + 1),
        "hasNext" => Value::Bool(lp.index + 1 < lp.len),
        "first" => Value::Bool(lp.index == 0),
        "last" => Value::Bool(lp.index + 1 == lp.len),
        _ => return None,
    })
}

/// `$foreach` as an object: Velocity 1.7's ForeachScope.
pub(super) struct ForeachScope {
    /// The loop's state, kept up to date by the loop while it runs.
    lp: Cell<Loop>,
    parent: Option<Rc<ForeachScope>>,
    /// This object itself, for `$foreach.topmost` of the outermost loop.
    me: Weak<ForeachScope>,
}

impl HostObject for ForeachScope {
    fn property(&self, name: &str, _meter: &mut Meter) -> Result<Value, EvalError> {
        if let Some(v) = loop_property(self.lp.get(), name) {
            return Ok(v);
        }
        Ok(match name {
            "parent" => match &self.parent {
                Some(p) => Value::shared(p.clone()),
                None => Value::Null,
            },
            "topmost" => {
                // Velocity 1.7 Scope.getTopmost: the outermost loop's scope, this one's own
                // when it is the outermost (the same object, so `#break` finds it).
                let mut top = match &self.parent {
                    Some(p) => p.clone(),
                    None => {
                        return Ok(self
                            .me
                            .upgrade()
                            .map_or(Value::Null, |me| Value::shared(me)));
                    }
                };
                while let Some(p) = top.parent.clone() {
                    top = p;
                }
                Value::shared(top)
            }
            _ => Value::Null,
        })
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        match (method, args) {
            ("hasNext", []) | ("isFirst", []) | ("isLast", []) => {
                let p = match method {
                    "hasNext" => "hasNext",
                    "isFirst" => "first",
                    _ => "last",
                };
                self.property(p, cx.meter)
            }
            _ => Ok(Value::Null),
        }
    }

    fn render(&self) -> String {
        let lp = self.lp.get();
        format!("$foreach(index {} of {})", lp.index, lp.len)
    }
}
