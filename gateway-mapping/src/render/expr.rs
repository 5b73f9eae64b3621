//! Expressions: variables, reference chains (properties, method calls, indexes), literals,
//! lists, maps, ranges and operators, evaluated to values.

use super::Renderer;
use super::loop_property;
use super::output::{MAX_PATH_NAMES, property_names};
use crate::ast::{Access, BinOp, Block, Expr, Pos, Reference, Root, Slot};
use crate::error::{ErrorKind, TemplateError};
use crate::java::methods;
use crate::limits::{MAX_RANGE_LEN, MAX_VALUE_LEN};
use crate::ops;
use crate::value::{Cx, Value};

impl<'p> Renderer<'p> {
    /// A variable's value; a `#define` block renders now, in the current context.
    pub(super) fn var(&mut self, slot: Slot) -> Result<Value, TemplateError> {
        let s = slot as usize;
        let d = self.defined[s];
        if d == 0 {
            return Ok(self.vars[s].clone());
        }
        let Some(body) = self.prog.defines.get(d as usize - 1) else {
            return Ok(Value::Null);
        };
        let pos = self.at;
        self.enter(pos)?;
        let r = self.render_to_string(body);
        self.depth -= 1;
        Ok(Value::string(r?))
    }

    pub(super) fn render_to_string(&mut self, block: &'p Block) -> Result<String, TemplateError> {
        let saved = std::mem::take(&mut self.out);
        let r = self.block(block);
        let s = std::mem::replace(&mut self.out, saved);
        r?;
        Ok(s)
    }

    pub(super) fn eval_ref(&mut self, r: &'p Reference) -> Result<Value, TemplateError> {
        self.eval_chain(r, &r.chain)
    }

    /// The reference's root followed by `chain` (all or part of its own chain).
    pub(super) fn eval_chain(
        &mut self,
        r: &'p Reference,
        chain: &'p [Access],
    ) -> Result<Value, TemplateError> {
        let mut chain = chain;
        let lp = self.loops.last().copied();
        let mut v = match (r.root, lp) {
            (Root::Var(s), _) => self.var(s)?,
            (Root::Foreach(_), Some(lp)) => {
                let quick = match chain.first() {
                    Some(Access::Property(p)) => loop_property(lp, p),
                    _ => None,
                };
                match quick {
                    Some(v) => {
                        chain = &chain[1..];
                        v
                    }
                    None => self.foreach_object(),
                }
            }
            (Root::VelocityCount(_), Some(lp)) => Value::Int(lp.index as i64 + 1),
            (Root::VelocityHasNext(_), Some(lp)) => Value::Bool(lp.index + 1 < lp.len),
            (root, None) => self.var(root.slot())?,
        };
        if let (Value::Object(o), [Access::Property(_), Access::Property(_), ..]) = (&v, chain) {
            // `$obj.a.b...`: the object may find the value without making those on the way.
            let mut names = [""; MAX_PATH_NAMES];
            let n = chain
                .iter()
                .take(MAX_PATH_NAMES)
                .take_while(|a| matches!(a, Access::Property(_)))
                .count();
            if let Some(path) = property_names(&chain[..n], &mut names)
                && let Some(found) = o.property_path(path)
            {
                v = found;
                chain = &chain[n..];
            }
        }
        for access in chain {
            if v.is_null() {
                return Ok(Value::Null);
            }
            let next = match access {
                Access::Property(name) => methods::property(&v, name, &mut self.meter),
                Access::Method(name, args) => {
                    v = self.call_method(&v, name, args, r.pos)?;
                    continue;
                }
                Access::Index(e) => {
                    let i = self.eval(e)?;
                    methods::index(&v, &i, &mut self.meter)
                }
            };
            v = next.map_err(|e| self.eval_err(e, r.pos))?;
        }
        Ok(v)
    }

    /// One method step of a chain, `v.name(args)`, with its charges; errors at `pos`.
    pub(super) fn call_method(
        &mut self,
        v: &Value,
        name: &str,
        args: &'p [Expr],
        pos: Pos,
    ) -> Result<Value, TemplateError> {
        // A lazy view (a JSON object from `$input.path`) is the map it stands for, once a
        // method is called on it.
        let unviewed;
        let v = match crate::value::plain(v) {
            std::borrow::Cow::Owned(p) => {
                unviewed = p;
                &unviewed
            }
            std::borrow::Cow::Borrowed(_) => v,
        };
        // A method's work grows with its receiver (a regex over a 10 MB string, a search
        // through a long list): charge for it, so loops of such calls stay bounded in time
        // by the render-step limit. Methods whose work does not grow with the receiver
        // (`length` and `charAt` do: they count UTF-16 units).
        let size = match v {
            Value::String(s) => s.len() / 64,
            Value::List(l) => l.borrow().len() / 4,
            Value::Map(m) => m.borrow().len() / 4,
            _ => 0,
        };
        let constant_time = size > 0
            && matches!(
                name,
                "size"
                    | "isEmpty"
                    | "get"
                    | "add"
                    | "set"
                    | "put"
                    | "containsKey"
                    | "startsWith"
                    | "endsWith"
            );
        let size = if constant_time { 0 } else { size };
        if size > 0 {
            self.charge(size as u64)?;
        }
        let buf = self.method_args(args)?;
        if matches!(v, Value::List(_) | Value::Map(_)) {
            self.check_method_store(v, name, &buf)?;
        }
        let mut cx = Cx {
            meter: &mut self.meter,
            literal: self.literals.first_arg(args),
        };
        let r = methods::call(v, name, &buf, &mut cx);
        self.return_args(buf);
        if let Ok(Value::String(s)) = &r {
            // A method building a string (toString, replace, ...): one step per 16 bytes
            // built.
            self.charge_bytes(4 * s.len())?;
        }
        r.map_err(|e| self.eval_err(e, pos))
    }

    /// A method call's arguments, evaluated into a vector from the pool.
    pub(super) fn method_args(&mut self, args: &'p [Expr]) -> Result<Vec<Value>, TemplateError> {
        let mut buf = self.arg_pool.pop().unwrap_or_default();
        for a in args {
            buf.push(self.eval(a)?);
        }
        Ok(buf)
    }

    /// Gives an argument vector back to the pool.
    pub(super) fn return_args(&mut self, mut buf: Vec<Value>) {
        buf.clear();
        self.arg_pool.push(buf);
    }

    pub(super) fn eval_args(&mut self, args: &'p [Expr]) -> Result<Vec<Value>, TemplateError> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(self.eval(a)?);
        }
        Ok(out)
    }

    pub(super) fn eval(&mut self, e: &'p Expr) -> Result<Value, TemplateError> {
        Ok(match e {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Float(*f),
            // Made when the template was compiled: shared, not allocated per render.
            Expr::Str(s, _) => Value::string(std::sync::Arc::clone(s)),
            Expr::Interpolated(block) => Value::string(self.render_to_string(block)?),
            Expr::Ref(r) => {
                self.at = r.pos;
                let v = self.eval_ref(r)?;
                if v.is_null() && self.opts.null_renders_empty {
                    self.empty.clone()
                } else {
                    v
                }
            }
            Expr::List(items) => {
                let items = self.eval_args(items)?;
                for item in &items {
                    self.check_store(None, item)?;
                }
                Value::list(items)
            }
            Expr::Map(entries) => {
                let mut m = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    self.check_store(None, &v)?;
                    let k = methods::key(&k);
                    self.charge_bytes(k.len())?;
                    m.push((k, v));
                }
                methods::map_from(m)
            }
            Expr::Range(a, b, pos) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                let (Some(x), Some(y)) = (ops::to_int(&a), ops::to_int(&b)) else {
                    return Ok(Value::Null);
                };
                let n = x.abs_diff(y).saturating_add(1);
                if n > MAX_RANGE_LEN as u64 {
                    return Err(self.error(
                        ErrorKind::Limit,
                        format!("range [{x}..{y}] has more than {MAX_RANGE_LEN} items"),
                        *pos,
                    ));
                }
                let items = if x <= y {
                    (x..=y).map(Value::Int).collect()
                } else {
                    (y..=x).rev().map(Value::Int).collect()
                };
                Value::list(items)
            }
            Expr::Not(x) => {
                let v = self.eval(x)?;
                Value::Bool(!ops::truthy(&v))
            }
            Expr::Chain(first, rest) => {
                // One step per operator: a long chain is work in proportion to its length.
                self.charge(rest.len() as u64)?;
                let mut acc = self.eval(first)?;
                for (i, (op, r, pos)) in rest.iter().enumerate() {
                    // The left operand's own expression (for a null's source text in `+`)
                    // is `first` for the first operator; later ones have a chain on the left.
                    let l = if i == 0 { Some(&**first) } else { None };
                    acc = self.binary(*op, acc, l, r, *pos)?;
                }
                acc
            }
        })
    }

    /// `a op r`, `a` the left operand's value (`l` its expression when a single operand):
    /// `&&` and `||` evaluate `r` only when `a` does not decide.
    pub(super) fn binary(
        &mut self,
        op: BinOp,
        a: Value,
        l: Option<&'p Expr>,
        r: &'p Expr,
        pos: Pos,
    ) -> Result<Value, TemplateError> {
        match op {
            BinOp::And => {
                if !ops::truthy(&a) {
                    return Ok(Value::Bool(false));
                }
                let b = self.eval(r)?;
                return Ok(Value::Bool(ops::truthy(&b)));
            }
            BinOp::Or => {
                if ops::truthy(&a) {
                    return Ok(Value::Bool(true));
                }
                let b = self.eval(r)?;
                return Ok(Value::Bool(ops::truthy(&b)));
            }
            _ => {}
        }
        let b = self.eval(r)?;
        if op == BinOp::Add
            && (a.is_null() || b.is_null())
            && (matches!(a, Value::String(_)) || matches!(b, Value::String(_)))
        {
            // Velocity 1.7 ASTAddNode: a string plus a null concatenates the null side's
            // source text (`"a" + $nope` is `a$nope`). Only reachable in plain Velocity mode:
            // under API Gateway a null reference is `''`.
            let a = if a.is_null() {
                l.map_or_else(|| Value::from("null"), literal)
            } else {
                a
            };
            let b = if b.is_null() { literal(r) } else { b };
            let mut s = a.to_java_string();
            b.write_java(&mut s);
            return Ok(Value::string(s));
        }
        Ok(match op {
            BinOp::Eq | BinOp::Ne => {
                let mut work = 0;
                let eq = ops::equals_counted(&a, &b, &mut work);
                self.charge(work / 16)?;
                Value::Bool(eq == (op == BinOp::Eq))
            }
            BinOp::Lt => Value::Bool(ops::compare(&a, &b).is_some_and(|o| o.is_lt())),
            BinOp::Le => Value::Bool(ops::compare(&a, &b).is_some_and(|o| o.is_le())),
            BinOp::Gt => Value::Bool(ops::compare(&a, &b).is_some_and(|o| o.is_gt())),
            BinOp::Ge => Value::Bool(ops::compare(&a, &b).is_some_and(|o| o.is_ge())),
            _ => {
                let v = ops::arith(op, &a, &b);
                if let Value::String(s) = &v {
                    if s.len() > MAX_VALUE_LEN {
                        return Err(self.error(
                            ErrorKind::Limit,
                            format!("string longer than the limit of {MAX_VALUE_LEN} bytes"),
                            pos,
                        ));
                    }
                    self.charge_bytes(s.len())?;
                }
                v
            }
        })
    }
}

/// The source text Velocity prints for an operand that evaluated to null (a reference's own
/// text; `null` for anything else).
pub(super) fn literal(e: &Expr) -> Value {
    match e {
        Expr::Ref(r) => Value::string(&*r.source),
        _ => Value::from("null"),
    }
}
