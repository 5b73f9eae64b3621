//! Printing: how a reference's value reaches the output, with the fast paths that print
//! straight from where a value lives (`$map.key`, `$obj.a.b`, `$input.json(...)`) without
//! making it first, each charged to the step budget and capped by the output limit.

use super::Renderer;
use crate::ast::{Access, Expr, Reference, Root};
use crate::error::{ErrorKind, TemplateError};
use crate::java::{format, methods};
use crate::limits::MAX_VALUE_LEN;
use crate::value::{Cx, Object, Value};

impl<'p> Renderer<'p> {
    /// Prints a reference's value: a null prints nothing (API Gateway, or `$!`) or the
    /// reference's own text (plain Velocity).
    pub(super) fn print(&mut self, v: &Value, r: &Reference) -> Result<(), TemplateError> {
        match v {
            Value::Null => {
                if !(r.silent || self.opts.null_renders_empty) {
                    self.write(&r.source)?;
                }
                Ok(())
            }
            Value::String(s) => self.write(s),
            v => {
                let start = self.out.len();
                v.write_java(&mut self.out);
                self.check_printed(start)
            }
        }
    }

    /// After printing a value from `start`: the output limit, and the value size limit
    /// (`format::write_value` stops early past it, so a longer print is incomplete).
    pub(super) fn check_printed(&mut self, start: usize) -> Result<(), TemplateError> {
        // Formatting a list or map costs more per byte than copying text: one step per 16.
        self.charge_bytes(4 * (self.out.len() - start))?;
        if self.out.len() - start > MAX_VALUE_LEN {
            return Err(self.error(
                ErrorKind::Limit,
                format!("a value prints longer than the limit of {MAX_VALUE_LEN} bytes"),
                self.at,
            ));
        }
        self.check_out()
    }

    /// The hot path of printing: `$var` or `$var.key` where `$var` holds a map, printed
    /// straight from where the value lives, without cloning it. Returns false (having
    /// printed nothing) when the reference needs the general path: a null, a method, a
    /// `#define`, a host object, a longer chain.
    pub(super) fn print_direct(&mut self, r: &'p Reference) -> Result<bool, TemplateError> {
        let Root::Var(slot) = r.root else {
            return Ok(false);
        };
        let s = slot as usize;
        if self.defined[s] != 0 {
            return Ok(false);
        }
        let root = &self.vars[s];
        let start = self.out.len();
        let composite = match (r.chain.as_slice(), root) {
            ([init @ .., Access::Method(name, args)], Value::Object(o))
                if methods::reaches_host_call(name, args.len()) =>
            {
                let o = o.clone();
                return self.print_host_call(r, o, init, name, args);
            }
            ([init @ .., Access::Property(key)], Value::Object(o)) => {
                // `$obj.a.b.key`: the object finds the leaf itself, or host objects down to
                // a leaf the last one prints itself.
                let mut names = [""; MAX_PATH_NAMES];
                if let Some(path) = property_names(init, &mut names)
                    && !path.is_empty()
                    && o.print_leaf_path(path, key, &mut self.out)
                {
                    let n = self.out.len() - start;
                    self.charge_bytes(n)?;
                    self.check_out()?;
                    return Ok(true);
                }
                let mut at: Option<Object> = None;
                for access in init {
                    let Access::Property(name) = access else {
                        return Ok(false);
                    };
                    let here = at.as_ref().unwrap_or(o);
                    match here.property(name, &mut self.meter) {
                        Ok(Value::Object(next)) => at = Some(next),
                        _ => return Ok(false),
                    }
                }
                if !at.as_ref().unwrap_or(o).print_leaf(key, &mut self.out) {
                    return Ok(false);
                }
                false
            }
            (_, Value::Null | Value::Object(_)) => return Ok(false),
            ([], v) => write_direct(v, &mut self.out),
            ([Access::Property(key)], Value::Map(m)) => {
                let m = m.borrow();
                match methods::map_entry(&m, key) {
                    Some(Value::Null | Value::Object(_)) | None => return Ok(false),
                    Some(v) => write_direct(v, &mut self.out),
                }
            }
            _ => return Ok(false),
        };
        if composite {
            self.check_printed(start)?;
        } else {
            let n = self.out.len() - start;
            self.charge_bytes(n)?;
            self.check_out()?;
        }
        Ok(true)
    }

    /// `$obj.a.b.method(args)` printed, where `$obj` holds a host object: the method's
    /// string result is written straight into the output ([`HostObject::print_call`])
    /// instead of becoming a value first. Returns false (having done nothing) when the
    /// reference needs the general path.
    pub(super) fn print_host_call(
        &mut self,
        r: &'p Reference,
        root: Object,
        init: &'p [Access],
        name: &'p str,
        args: &'p [Expr],
    ) -> Result<bool, TemplateError> {
        let mut recv = root;
        for access in init {
            let Access::Property(p) = access else {
                return Ok(false);
            };
            match recv.property(p, &mut self.meter) {
                Ok(Value::Object(next)) => recv = next,
                _ => return Ok(false),
            }
        }
        if let Some(plain) = recv.as_plain() {
            // A lazy view: the general method step on the value it stands for.
            let v = self.call_method(&plain, name, args, r.pos)?;
            self.print(&v, r)?;
            return Ok(true);
        }
        let buf = self.method_args(args)?;
        let start = self.out.len();
        let mut cx = Cx {
            meter: &mut self.meter,
            literal: self.literals.first_arg(args),
        };
        let result = recv.print_call(name, &buf, &mut self.out, &mut cx);
        self.return_args(buf);
        match result.map_err(|e| self.eval_err(e, r.pos))? {
            None => {
                // Charged as the general path charges a method building a string and
                // printing it.
                let n = self.out.len() - start;
                self.charge_bytes(4 * n)?;
                self.charge_bytes(n)?;
                self.check_out()?;
            }
            Some(v) => {
                if let Value::String(s) = &v {
                    self.charge_bytes(4 * s.len())?;
                }
                self.print(&v, r)?;
            }
        }
        Ok(true)
    }
}

/// Prints a non-null value for [`Renderer::print_direct`]: numbers, booleans and strings
/// straight into `out`, lists and maps through `format::write_value`. Returns whether the
/// value was a list or map (whose printing is charged and capped as such).
#[inline]
pub(super) fn write_direct(v: &Value, out: &mut String) -> bool {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Int(i) => format::write_int(*i, out),
        Value::Float(f) => format::write_double(*f, out),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        v => {
            format::write_value(v, out);
            return true;
        }
    }
    false
}

/// The most property names a path fast path ([`HostObject::property_path`],
/// [`HostObject::print_leaf_path`]) takes at once.
pub(super) const MAX_PATH_NAMES: usize = 8;

/// The names of `chain`, when it is made of at most [`MAX_PATH_NAMES`] properties only,
/// gathered into `buf`.
pub(super) fn property_names<'a, 'b>(
    chain: &'a [Access],
    buf: &'b mut [&'a str; MAX_PATH_NAMES],
) -> Option<&'b [&'a str]> {
    if chain.len() > MAX_PATH_NAMES {
        return None;
    }
    for (slot, access) in buf.iter_mut().zip(chain) {
        let Access::Property(name) = access else {
            return None;
        };
        *slot = name;
    }
    Some(&buf[..chain.len()])
}
