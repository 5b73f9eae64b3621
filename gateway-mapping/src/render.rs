//! The renderer: walks a compiled [`Program`] with one render's variables and writes the
//! output into one `String`. Evaluation follows Velocity 1.7, with API Gateway's null
//! handling when [`EngineOptions::null_renders_empty`] is set.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use crate::ast::{Access, BinOp, Block, Expr, Node, Pos, Program, Reference, Root, Slot};
use crate::error::{ErrorKind, EvalError, TemplateError};
use crate::java::{format, methods};
use crate::limits::{MAX_RANGE_LEN, MAX_VALUE_DEPTH, MAX_VALUE_LEN, meter};
use crate::ops;
use crate::options::EngineOptions;
use crate::parser;
use crate::value::{HostObject, Scope, Value};

thread_local! {
    static EMPTY: Rc<str> = Rc::from("");
}

/// The empty string, shared.
fn empty() -> Value {
    EMPTY.with(|e| Value::String(e.clone()))
}

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

/// Renders `prog` (the program of the template numbered `id`, see [`next_template_id`]) with
/// the variables in `scope`. `capacity` sizes the output buffer up front (the caller's guess
/// of the output length).
pub(crate) fn render(
    prog: &Program,
    id: u64,
    opts: &EngineOptions,
    scope: &Scope,
    capacity: usize,
) -> Result<String, TemplateError> {
    // The per-render vectors come from this thread's pool, already sized by an earlier
    // render, so a render allocates only its output (and what the template builds).
    let mut bufs = BUFFERS.with(Cell::take);
    bufs.vars.extend(
        prog.names
            .iter()
            .map(|n| scope.get(n).cloned().unwrap_or(Value::Null)),
    );
    bufs.defined.resize(bufs.vars.len(), 0);
    bufs.strings = LITERALS.with(|l| l.borrow_mut().take(id));
    bufs.strings.resize(prog.strings as usize, Value::Null);
    let mut r = Renderer::with_buffers(prog, opts, scope, bufs);
    r.out.reserve(capacity.min(opts.max_output_bytes));
    let result = r.block(&prog.root);
    let out = std::mem::take(&mut r.out);
    let mut bufs = r.into_buffers();
    let strings = std::mem::take(&mut bufs.strings);
    LITERALS.with(|l| l.borrow_mut().keep(id, strings));
    BUFFERS.with(|b| b.set(bufs));
    result?;
    Ok(out)
}

/// A new template number, unique in the process: it names a template's string-literal
/// values in each thread's [`Literals`].
pub(crate) fn next_template_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The most templates whose string-literal values a thread keeps between renders.
const MAX_CACHED_TEMPLATES: usize = 32;

/// String-literal values (`'petId'`, `'$.tags'`) of the templates rendered lately on this
/// thread, by template number: a literal's value is made on its first evaluation and then
/// serves every later render of its template on the thread, as compiling it into the
/// template would (template values are not `Send`, so a `Template`, shared between threads,
/// cannot hold them). The values are immutable strings, so a render cannot change what the
/// next one sees. At most [`MAX_CACHED_TEMPLATES`] templates of at most [`MAX_POOLED_ITEMS`]
/// literals each are kept; the least recently rendered goes first.
#[derive(Default)]
struct Literals {
    /// Most recently rendered last.
    by_template: Vec<(u64, Vec<Value>)>,
}

impl Literals {
    /// The values kept for template `id` (empty if none: they are then made as needed).
    fn take(&mut self, id: u64) -> Vec<Value> {
        match self.by_template.iter().rposition(|(t, _)| *t == id) {
            Some(i) => self.by_template.remove(i).1,
            None => Vec::new(),
        }
    }

    /// Keeps template `id`'s values for its next render on this thread.
    fn keep(&mut self, id: u64, strings: Vec<Value>) {
        if strings.is_empty() || strings.len() > MAX_POOLED_ITEMS {
            return;
        }
        if self.by_template.len() >= MAX_CACHED_TEMPLATES {
            self.by_template.remove(0);
        }
        self.by_template.push((id, strings));
    }
}

thread_local! {
    /// The string-literal values of the templates rendered lately on this thread.
    static LITERALS: std::cell::RefCell<Literals> = std::cell::RefCell::new(Literals::default());
}

/// A render's working vectors, kept per thread between renders ([`BUFFERS`]).
#[derive(Default)]
struct Buffers {
    vars: Vec<Value>,
    defined: Vec<u32>,
    strings: Vec<Value>,
    arg_pool: Vec<Vec<Value>>,
    loops: Vec<Loop>,
}

/// The most items a pooled vector keeps room for between renders: a template with more
/// variables or string literals than this gets fresh vectors instead, so one large template
/// does not pin memory on the thread.
const MAX_POOLED_ITEMS: usize = 256;

impl Buffers {
    /// Empties every vector (dropping the values the render held), or gives up one that grew
    /// past [`MAX_POOLED_ITEMS`]; except `strings`, which [`render`] hands to [`Literals`].
    fn clear(&mut self) {
        fn reset<T>(v: &mut Vec<T>) {
            if v.capacity() > MAX_POOLED_ITEMS {
                *v = Vec::new();
            } else {
                v.clear();
            }
        }
        reset(&mut self.vars);
        reset(&mut self.defined);
        reset(&mut self.loops);
        self.arg_pool.truncate(MAX_POOLED_ITEMS);
        self.arg_pool.retain(|a| a.capacity() <= MAX_POOLED_ITEMS);
        for a in &mut self.arg_pool {
            a.clear();
        }
    }
}

thread_local! {
    /// The working vectors of the last render on this thread, empty, ready for the next one.
    /// A render inside a render (none today) would find the pool taken and start afresh.
    static BUFFERS: Cell<Buffers> = Cell::new(Buffers::default());
}

struct Renderer<'p> {
    prog: &'p Program,
    opts: &'p EngineOptions,
    /// The root variables, for names only an `#evaluate`d string mentions.
    scope: &'p Scope,
    vars: Vec<Value>,
    /// Per slot: 1 + the `#define` body it holds, or 0.
    defined: Vec<u32>,
    /// Per string literal: its value once made (Null before), shared by every evaluation.
    strings: Vec<Value>,
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
    steps: u64,
    /// The position of the construct being rendered, for errors.
    at: Pos,
}

impl<'p> Renderer<'p> {
    fn new(prog: &'p Program, opts: &'p EngineOptions, scope: &'p Scope, vars: Vec<Value>) -> Self {
        let n = vars.len();
        let bufs = Buffers {
            vars,
            defined: vec![0; n],
            strings: vec![Value::Null; prog.strings as usize],
            arg_pool: Vec::new(),
            loops: Vec::new(),
        };
        Renderer::with_buffers(prog, opts, scope, bufs)
    }

    /// A renderer working in `bufs`, whose `vars`, `defined` and `strings` are already
    /// sized for `prog` and whose other vectors are empty.
    fn with_buffers(
        prog: &'p Program,
        opts: &'p EngineOptions,
        scope: &'p Scope,
        bufs: Buffers,
    ) -> Self {
        Renderer {
            prog,
            opts,
            scope,
            vars: bufs.vars,
            defined: bufs.defined,
            strings: bufs.strings,
            arg_pool: bufs.arg_pool,
            out: String::new(),
            loops: bufs.loops,
            scopes: Vec::new(),
            depth: 0,
            macro_depth: 0,
            block_depth: 0,
            steps: 0,
            at: Pos { line: 1, col: 1 },
        }
    }

    /// The working vectors back, emptied, for the next render on this thread.
    fn into_buffers(self) -> Buffers {
        let mut bufs = Buffers {
            vars: self.vars,
            defined: self.defined,
            strings: self.strings,
            arg_pool: self.arg_pool,
            loops: self.loops,
        };
        bufs.clear();
        bufs
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

    fn write(&mut self, s: &str) -> Result<(), TemplateError> {
        self.out.push_str(s);
        self.charge_bytes(s.len())?;
        self.check_out()
    }

    /// Charges writing or building `n` bytes: one step per 64, so a loop printing a large
    /// value into strings it throws away stays bounded in time.
    #[inline]
    fn charge_bytes(&mut self, n: usize) -> Result<(), TemplateError> {
        if n >= 64 {
            self.charge((n / 64) as u64)?;
        }
        Ok(())
    }

    #[inline]
    fn check_out(&self) -> Result<(), TemplateError> {
        if self.out.len() > self.opts.max_output_bytes {
            return Err(self.output_exceeded());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn output_exceeded(&self) -> TemplateError {
        self.error(
            ErrorKind::Limit,
            format!(
                "output exceeds the limit of {} bytes",
                self.opts.max_output_bytes
            ),
            self.at,
        )
    }

    #[inline]
    fn step(&mut self) -> Result<(), TemplateError> {
        self.charge(1)
    }

    /// Counts `n` steps of work against [`EngineOptions::max_render_steps`].
    #[inline]
    fn charge(&mut self, n: u64) -> Result<(), TemplateError> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.opts.max_render_steps {
            return Err(self.steps_exceeded());
        }
        Ok(())
    }

    /// Opens the host meter ([`crate::limits::meter`]) around a host call with what is
    /// left of the step budget; [`Renderer::close_meter`] charges what the call spent.
    #[inline]
    fn open_meter(&self) -> (u64, Option<meter::Open>) {
        let left = self.opts.max_render_steps.saturating_sub(self.steps);
        (left, meter::open(self.opts.max_render_steps, left))
    }

    /// Closes the host meter, charging the steps the host call spent.
    #[inline]
    fn close_meter(&mut self, opened: (u64, Option<meter::Open>)) -> Result<(), TemplateError> {
        let spent = meter::close(opened.0, opened.1);
        if spent > 0 {
            self.charge(spent)?;
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn steps_exceeded(&self) -> TemplateError {
        self.error(
            ErrorKind::Limit,
            format!(
                "rendering took more than {} steps",
                self.opts.max_render_steps
            ),
            self.at,
        )
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

    /// Prints a reference's value: a null prints nothing (API Gateway, or `$!`) or the
    /// reference's own text (plain Velocity).
    fn print(&mut self, v: &Value, r: &Reference) -> Result<(), TemplateError> {
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
    fn check_printed(&mut self, start: usize) -> Result<(), TemplateError> {
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
    fn print_direct(&mut self, r: &'p Reference) -> Result<bool, TemplateError> {
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
                let mut at: Option<Rc<dyn HostObject>> = None;
                for access in init {
                    let Access::Property(name) = access else {
                        return Ok(false);
                    };
                    let here = at.as_ref().unwrap_or(o);
                    match here.property(name) {
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

    /// A variable's value; a `#define` block renders now, in the current context.
    fn var(&mut self, slot: Slot) -> Result<Value, TemplateError> {
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

    fn render_to_string(&mut self, block: &'p Block) -> Result<String, TemplateError> {
        let saved = std::mem::take(&mut self.out);
        let r = self.block(block);
        let s = std::mem::replace(&mut self.out, saved);
        r?;
        Ok(s)
    }

    fn eval_ref(&mut self, r: &'p Reference) -> Result<Value, TemplateError> {
        self.eval_chain(r, &r.chain)
    }

    /// The reference's root followed by `chain` (all or part of its own chain).
    fn eval_chain(
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
                Access::Property(name) if matches!(v, Value::Object(_)) => {
                    let m = self.open_meter();
                    let next = methods::property(&v, name);
                    self.close_meter(m)?;
                    next
                }
                Access::Property(name) => methods::property(&v, name),
                Access::Method(name, args) => {
                    v = self.call_method(&v, name, args, r.pos)?;
                    continue;
                }
                Access::Index(e) => {
                    let i = self.eval(e)?;
                    methods::index(&v, &i)
                }
            };
            v = next.map_err(|e| self.eval_err(e, r.pos))?;
        }
        Ok(v)
    }

    /// One method step of a chain, `v.name(args)`, with its charges; errors at `pos`.
    fn call_method(
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
        let m = self.open_meter();
        let r = methods::call(v, name, &buf);
        self.close_meter(m)?;
        self.return_args(buf);
        if let Ok(Value::String(s)) = &r {
            // A method building a string (toString, replace, ...): one step per 16 bytes
            // built.
            self.charge_bytes(4 * s.len())?;
        }
        r.map_err(|e| self.eval_err(e, pos))
    }

    /// A method call's arguments, evaluated into a vector from the pool.
    fn method_args(&mut self, args: &'p [Expr]) -> Result<Vec<Value>, TemplateError> {
        let mut buf = self.arg_pool.pop().unwrap_or_default();
        for a in args {
            buf.push(self.eval(a)?);
        }
        Ok(buf)
    }

    /// Gives an argument vector back to the pool.
    fn return_args(&mut self, mut buf: Vec<Value>) {
        buf.clear();
        self.arg_pool.push(buf);
    }

    /// `$obj.a.b.method(args)` printed, where `$obj` holds a host object: the method's
    /// string result is written straight into the output ([`HostObject::print_call`])
    /// instead of becoming a value first. Returns false (having done nothing) when the
    /// reference needs the general path.
    fn print_host_call(
        &mut self,
        r: &'p Reference,
        root: Rc<dyn HostObject>,
        init: &'p [Access],
        name: &'p str,
        args: &'p [Expr],
    ) -> Result<bool, TemplateError> {
        let mut recv = root;
        for access in init {
            let Access::Property(p) = access else {
                return Ok(false);
            };
            match recv.property(p) {
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
        let m = self.open_meter();
        let result = recv.print_call(name, &buf, &mut self.out);
        self.close_meter(m)?;
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

    fn eval_args(&mut self, args: &'p [Expr]) -> Result<Vec<Value>, TemplateError> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(self.eval(a)?);
        }
        Ok(out)
    }

    /// `$foreach` as an object (for `$foreach.parent`, `#break($foreach)` and printing): one
    /// object per loop run, made when first asked for and kept up to date until the loop
    /// ends, as Velocity 1.7's ForeachScope is.
    fn foreach_object(&mut self) -> Value {
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
            Some(o) => Value::Object(o.clone()),
            None => Value::Null,
        }
    }

    /// `#break($scope)`: the loop whose `$foreach` object `scope` is. Velocity 1.7 (Break.render)
    /// fails on anything that is not a scope object (`#break($nothing)`, `#break('x')`, a
    /// `$foreach.parent` outside a nested loop, a loop that has ended).
    fn break_to(&mut self, scope: &'p Expr, pos: Pos) -> Result<Flow, TemplateError> {
        let v = self.eval(scope)?;
        if let Value::Object(o) = &v {
            let target = Rc::as_ptr(o) as *const u8;
            let level = self.scopes.iter().position(|s| {
                s.as_ref()
                    .is_some_and(|s| Rc::as_ptr(s) as *const u8 == target)
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

    fn eval(&mut self, e: &'p Expr) -> Result<Value, TemplateError> {
        Ok(match e {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Float(*f),
            Expr::Str(s, id) => match self.strings.get_mut(*id as usize) {
                Some(slot) => {
                    if slot.is_null() {
                        *slot = Value::string(&**s);
                    }
                    slot.clone()
                }
                None => Value::string(&**s),
            },
            Expr::Interpolated(block) => Value::string(self.render_to_string(block)?),
            Expr::Ref(r) => {
                self.at = r.pos;
                let v = self.eval_ref(r)?;
                if v.is_null() && self.opts.null_renders_empty {
                    empty()
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
    fn binary(
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

    /// Before a list or map method stores its arguments in the receiver (`add`, `set`,
    /// `put`, `putIfAbsent`, and the items of `addAll` / `putAll`): [`Renderer::check_store`].
    fn check_method_store(
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
    fn check_store(&mut self, into: Option<&Value>, x: &Value) -> Result<(), TemplateError> {
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

    /// `#set`: a null value assigns `''` (API Gateway) or leaves the target unchanged
    /// (plain Velocity).
    fn assign(&mut self, target: &'p Reference, v: Value) -> Result<(), TemplateError> {
        let v = if v.is_null() {
            if self.opts.null_renders_empty {
                empty()
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

    fn foreach(
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

    fn macro_call(
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
    fn evaluate(&mut self, arg: &'p Expr, pos: Pos) -> Result<Flow, TemplateError> {
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
        let mut sub = Renderer::new(&sub_prog, self.opts, self.scope, vars);
        sub.depth = self.depth;
        sub.block_depth = self.block_depth;
        sub.steps = self.steps;
        sub.loops = self.loops.clone();
        sub.scopes = self.scopes.clone();
        sub.opts = self.opts;
        let flow = sub.block(&sub_prog.root).map_err(wrap)?;
        self.steps = sub.steps;
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

/// Prints a non-null value for [`Renderer::print_direct`]: numbers, booleans and strings
/// straight into `out`, lists and maps through `format::write_value`. Returns whether the
/// value was a list or map (whose printing is charged and capped as such).
#[inline]
fn write_direct(v: &Value, out: &mut String) -> bool {
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

/// Where a `#foreach` takes its items from.
enum Items {
    /// The items the collection held when the loop began (a snapshot, so the body can
    /// change the collection), at most the iteration limit.
    Snapshot(std::vec::IntoIter<Value>),
    /// An object handing them out one at a time ([`HostObject::lazy_item`]).
    Lazy(Rc<dyn HostObject>),
}

/// The most property names a path fast path ([`HostObject::property_path`],
/// [`HostObject::print_leaf_path`]) takes at once.
const MAX_PATH_NAMES: usize = 8;

/// The names of `chain`, when it is made of at most [`MAX_PATH_NAMES`] properties only,
/// gathered into `buf`.
fn property_names<'a, 'b>(
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

/// Why a value may not be stored where a template puts it.
enum Nesting {
    Cycle,
    TooDeep,
}

/// The identity of a list or map.
fn collection_ptr(v: &Value) -> Option<*const ()> {
    match v {
        Value::List(l) => Some(Rc::as_ptr(l).cast()),
        Value::Map(m) => Some(Rc::as_ptr(m).cast()),
        _ => None,
    }
}

/// Walks `x` (at nesting level `depth`) looking for `target` and for levels past
/// [`MAX_VALUE_DEPTH`]; the recursion stops at that depth.
fn walk_nesting(
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

/// The source text Velocity prints for an operand that evaluated to null (a reference's own
/// text; `null` for anything else).
fn literal(e: &Expr) -> Value {
    match e {
        Expr::Ref(r) => Value::string(&*r.source),
        _ => Value::from("null"),
    }
}

/// `$foreach.index` and friends without building an object.
fn loop_property(lp: Loop, name: &str) -> Option<Value> {
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
struct ForeachScope {
    /// The loop's state, kept up to date by the loop while it runs.
    lp: Cell<Loop>,
    parent: Option<Rc<ForeachScope>>,
    /// This object itself, for `$foreach.topmost` of the outermost loop.
    me: Weak<ForeachScope>,
}

impl HostObject for ForeachScope {
    fn property(&self, name: &str) -> Result<Value, EvalError> {
        if let Some(v) = loop_property(self.lp.get(), name) {
            return Ok(v);
        }
        Ok(match name {
            "parent" => match &self.parent {
                Some(p) => Value::Object(p.clone()),
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
                            .map_or(Value::Null, |me| Value::Object(me)));
                    }
                };
                while let Some(p) = top.parent.clone() {
                    top = p;
                }
                Value::Object(top)
            }
            _ => Value::Null,
        })
    }

    fn call(&self, method: &str, args: &[Value]) -> Result<Value, EvalError> {
        match (method, args) {
            ("hasNext", []) | ("isFirst", []) | ("isLast", []) => {
                let p = match method {
                    "hasNext" => "hasNext",
                    "isFirst" => "first",
                    _ => "last",
                };
                self.property(p)
            }
            _ => Ok(Value::Null),
        }
    }

    fn render(&self) -> String {
        let lp = self.lp.get();
        format!("$foreach(index {} of {})", lp.index, lp.len)
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
    fn pooled_buffers_carry_nothing_from_one_render_to_the_next() {
        let mut scope = Scope::new();
        scope.set("a", Value::from("root"));
        // A render that defines, sets, loops, calls methods and then fails half-way.
        let failing = "#define($a)defined#end#set($b = 'set')\
                       #foreach($i in [1, 2])$i.toString()#end$b.substring(9)";
        assert!(render(failing, &scope).is_err());
        // The same slots in the next render hold the scope's values and nothing else.
        assert_eq!(render("$a $!b", &scope).expect("renders"), "root ");
        assert_eq!(
            render("#foreach($i in [1])$foreach.count#end $a", &scope).expect("renders"),
            "1 root"
        );
    }

    #[test]
    fn string_literals_kept_between_renders_belong_to_their_own_template() {
        let opts = EngineOptions::default();
        let scope = Scope::new();
        // Same literal slots (0 and 1), different literals; rendered in turns, more
        // templates than the cache keeps, so entries are evicted and made again.
        let templates: Vec<Template> = (0..MAX_CACHED_TEMPLATES + 3)
            .map(|i| {
                Template::compile(&format!("#set($a = 'x{i}')$a.concat('-y{i}')"), &opts)
                    .expect("compiles")
            })
            .collect();
        for _ in 0..3 {
            for (i, t) in templates.iter().enumerate() {
                assert_eq!(t.render(&scope).expect("renders"), format!("x{i}-y{i}"));
            }
        }
        assert_eq!(
            LITERALS.with(|l| l.borrow().by_template.len()),
            MAX_CACHED_TEMPLATES
        );
        // A clone is a template of its own, with the same output.
        let clone = templates[0].clone();
        assert_eq!(clone.render(&scope).expect("renders"), "x0-y0");
    }

    #[test]
    fn a_template_larger_than_the_pool_limit_renders_and_leaves_a_small_pool() {
        let scope = Scope::new();
        let n = MAX_POOLED_ITEMS + 10;
        let src: String = (0..n)
            .map(|i| format!("#set($v{i} = 'x{i}')"))
            .collect::<String>()
            + &format!("$v0$v{}", n - 1);
        assert_eq!(
            render(&src, &scope).expect("renders"),
            format!("x0x{}", n - 1)
        );
        let bufs = BUFFERS.with(Cell::take);
        assert!(bufs.vars.capacity() <= MAX_POOLED_ITEMS);
        assert!(bufs.strings.capacity() <= MAX_POOLED_ITEMS);
        BUFFERS.with(|b| b.set(bufs));
        assert_eq!(render("#set($x = 'y')$x", &scope).expect("renders"), "y");
    }
}
