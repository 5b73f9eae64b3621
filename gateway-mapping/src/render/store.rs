//! Storing values inside lists and maps: every store is checked to keep values acyclic and
//! at most [`MAX_VALUE_DEPTH`] levels deep, since printing, comparing and freeing recurse.

use super::Renderer;
use crate::error::{ErrorKind, TemplateError};
use crate::limits::MAX_VALUE_DEPTH;
use crate::value::Value;

impl<'p> Renderer<'p> {
    /// Before a list or map method stores its arguments in the receiver (`add`, `set`,
    /// `put`, `putIfAbsent`, and the items of `addAll` / `putAll`): [`Renderer::check_store`].
    pub(super) fn check_method_store(
        &mut self,
        receiver: &Value,
        name: &str,
        args: &[Value],
    ) -> Result<(), TemplateError> {
        match name {
            "add" | "set" | "put" | "putIfAbsent" => {
                for a in args {
                    self.check_store(Some(receiver), a)?;
                }
            }
            "addAll" | "putAll" => {
                for a in args {
                    let items: Vec<Value> = match a {
                        Value::List(l) => l.borrow().clone(),
                        Value::Map(m) => m.borrow().values().cloned().collect(),
                        _ => Vec::new(),
                    };
                    for item in &items {
                        self.check_store(Some(receiver), item)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks that storing `x` inside `into` (a list or map; `None` for a new one) keeps
    /// values acyclic and at most [`MAX_VALUE_DEPTH`] levels deep, charging the walk against
    /// the step limit. Printing, comparing and freeing values recurse through their levels,
    /// so neither a cycle nor an unbounded nesting may be built. (Java allows a list to hold
    /// itself; here it is an error.)
    pub(super) fn check_store(
        &mut self,
        into: Option<&Value>,
        x: &Value,
    ) -> Result<(), TemplateError> {
        if !matches!(x, Value::List(_) | Value::Map(_) | Value::Object(_)) {
            return Ok(());
        }
        let target = into.and_then(collection_ptr);
        let mut visited = 0u64;
        let r = walk_nesting(x, target, 1, &mut visited);
        self.charge(visited / 16)?;
        match r {
            Ok(()) => Ok(()),
            Err(Nesting::Cycle) => Err(self.error(
                ErrorKind::Eval,
                "a list or map cannot be stored inside itself",
                self.at,
            )),
            Err(Nesting::TooDeep) => Err(self.error(
                ErrorKind::Limit,
                format!("lists and maps nest deeper than the limit of {MAX_VALUE_DEPTH}"),
                self.at,
            )),
        }
    }
}

/// Why a value may not be stored where a template puts it.
pub(super) enum Nesting {
    Cycle,
    TooDeep,
}

/// The identity of a list or map.
pub(super) fn collection_ptr(v: &Value) -> Option<*const ()> {
    match v {
        Value::List(l) => Some(l.as_ptr()),
        Value::Map(m) => Some(m.as_ptr()),
        _ => None,
    }
}

/// Walks `x` (at nesting level `depth`) looking for `target` and for levels past
/// [`MAX_VALUE_DEPTH`]; the recursion stops at that depth.
pub(super) fn walk_nesting(
    x: &Value,
    target: Option<*const ()>,
    depth: usize,
    visited: &mut u64,
) -> Result<(), Nesting> {
    *visited += 1;
    if depth > MAX_VALUE_DEPTH {
        return Err(Nesting::TooDeep);
    }
    if target.is_some() && collection_ptr(x) == target {
        return Err(Nesting::Cycle);
    }
    match x {
        Value::List(l) => match l.try_borrow() {
            Ok(items) => items
                .iter()
                .try_for_each(|item| walk_nesting(item, target, depth + 1, visited)),
            Err(_) => Ok(()),
        },
        Value::Map(m) => match m.try_borrow() {
            Ok(entries) => entries
                .values()
                .try_for_each(|item| walk_nesting(item, target, depth + 1, visited)),
            Err(_) => Ok(()),
        },
        Value::Object(o) => {
            let mut r = Ok(());
            o.for_each_child(&mut |c| {
                if r.is_ok() {
                    r = walk_nesting(c, target, depth + 1, visited);
                }
            });
            r
        }
        _ => Ok(()),
    }
}
