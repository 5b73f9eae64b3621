//! [`ContextState`]: the per-request mapping state that must outlive one render, as plain
//! `Send + Sync` data.
//!
//! # Build, render, snapshot, drop before `.await`
//!
//! Template values share their parts with `Rc`, so a [`ContextObject`], an
//! [`crate::input::Input`] and a [`crate::Scope`] are not `Send`, and a future holding one
//! across an `.await` is not `Send` either. A request handler therefore renders in synchronous
//! steps:
//!
//! 1. **build** the scope ([`super::mapping_scope`]) over a [`ContextObject`];
//! 2. **render** the integration request template;
//! 3. **snapshot** the context ([`ContextObject::snapshot`]): a [`ContextState`] holding the
//!    `$context` variables and everything the template wrote into
//!    `$context.requestOverride.*` and `$context.responseOverride.*` (custom keys included);
//! 4. **drop** the scope and the context object, then `.await` the integration call, carrying
//!    only the state;
//! 5. **resume** ([`ContextObject::resume`]) and render the integration response template,
//!    which reads the overrides as the request template left them (as on API Gateway:
//!    localstack `test_integration_mock_with_response_override_in_request_template`, recorded
//!    on AWS).
//!
//! What survives: strings, numbers, booleans, lists and maps, whatever their nesting, with
//! Java identity (a map stored under two keys is one map after resuming, as before); JSON
//! arrays from `$input.path` / `$util.parseJson` stay JSON arrays (printing as compact JSON).
//! Other host objects (`$context`, `$input`, `$util` stored into an override map) survive as
//! the text they print, and a list or map that holds itself as the `(this Map)` /
//! `(this Collection)` text Java prints for it.
//!
//! ```
//! use gateway_mapping::context::{mapping_scope, Context, ContextObject, StageVariables};
//! use gateway_mapping::input::{Input, OwnedRequest};
//! use gateway_mapping::{EngineOptions, Template};
//!
//! let options = EngineOptions::default();
//! let request = Template::compile("#set($context.responseOverride.header.x = 'y')", &options)?;
//! let response = Template::compile("$context.responseOverride.header.x", &options)?;
//! let stage = StageVariables::new();
//!
//! let context = ContextObject::new(Context::new());
//! request.render(&mapping_scope(Input::new(OwnedRequest::new("")), &context, &stage))?;
//! let state = context.snapshot(); // Send + Sync: may cross an `.await`
//! drop(context);
//!
//! let context = ContextObject::resume(state);
//! let out = response.render(&mapping_scope(Input::new(OwnedRequest::new("")), &context, &stage))?;
//! assert_eq!(out, "y");
//! # Ok::<(), gateway_mapping::TemplateError>(())
//! ```

use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;

use indexmap::IndexMap;

use super::object::{ContextObject, ContextRoot};
use super::vars::Context;
use crate::json_value::JsonArray;
use crate::limits::MAX_VALUE_DEPTH;
use crate::value::Value;

/// A request's `$context` between two renders: its variables and what the templates wrote into
/// the override maps, as plain data (`Send + Sync + Clone`). Made by
/// [`ContextObject::snapshot`], turned back by [`ContextObject::resume`]; see the module
/// documentation for the rule it serves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextState {
    context: Context,
    request_override: Option<Saved>,
    response_override: Option<Saved>,
}

impl From<Context> for ContextState {
    /// A request's `$context` before any template ran (no override written).
    fn from(context: Context) -> ContextState {
        ContextState {
            context,
            request_override: None,
            response_override: None,
        }
    }
}

impl ContextState {
    /// The `$context` variables.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The `$context` variables, to fill in what the host learnt in between (the integration's
    /// status or latency) before resuming.
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.context
    }
}

/// A template value as plain data.
#[derive(Debug, Clone, PartialEq)]
enum Saved {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// A list, numbered so that a later [`Saved::Again`] is the same list.
    List {
        id: usize,
        items: Vec<Saved>,
    },
    /// A map, numbered as lists are.
    Map {
        id: usize,
        entries: IndexMap<String, Saved>,
    },
    /// A JSON array object (prints as compact JSON), numbered as lists are.
    JsonArray {
        id: usize,
        items: Vec<Saved>,
    },
    /// The list, map or JSON array saved earlier under this number.
    Again(usize),
    /// A host object without a plain form, or a self-reference: the text it prints.
    Text(String),
}

/// Deepest nesting saved; below it a value is saved as null. Template values are bounded
/// by [`MAX_VALUE_DEPTH`] already; this bounds the walk whatever a host object holds.
const MAX_SAVE_DEPTH: usize = 2 * MAX_VALUE_DEPTH;

/// Walks values into [`Saved`] form, numbering lists, maps and objects by identity.
#[derive(Default)]
struct Saver {
    /// Address of each list, map or object seen → (its number, whether it is still being
    /// walked: met again then, it holds itself).
    seen: HashMap<usize, (usize, bool)>,
    /// Every value walked, kept alive so that no address is reused during the walk.
    keep: Vec<Value>,
}

impl Saver {
    /// `Some` when the value at `addr` was met before: the same value again, or the text
    /// `cycle` when it holds itself.
    fn met(&self, addr: usize, cycle: &str) -> Option<Saved> {
        self.seen.get(&addr).map(|(id, open)| {
            if *open {
                Saved::Text(cycle.to_owned())
            } else {
                Saved::Again(*id)
            }
        })
    }

    fn open(&mut self, addr: usize, v: &Value) -> usize {
        let id = self.seen.len();
        self.seen.insert(addr, (id, true));
        self.keep.push(v.clone());
        id
    }

    fn close(&mut self, addr: usize) {
        if let Some(entry) = self.seen.get_mut(&addr) {
            entry.1 = false;
        }
    }

    fn save(&mut self, v: &Value, depth: usize) -> Saved {
        if depth > MAX_SAVE_DEPTH {
            return Saved::Null;
        }
        match v {
            Value::Null => Saved::Null,
            Value::Bool(b) => Saved::Bool(*b),
            Value::Int(i) => Saved::Int(*i),
            Value::Float(f) => Saved::Float(*f),
            Value::String(s) => Saved::String(s.to_string()),
            Value::List(l) => {
                let addr = l.as_ptr() as usize;
                if let Some(s) = self.met(addr, "(this Collection)") {
                    return s;
                }
                let id = self.open(addr, v);
                let items = match l.try_borrow() {
                    Ok(items) => items.iter().map(|i| self.save(i, depth + 1)).collect(),
                    Err(_) => Vec::new(),
                };
                self.close(addr);
                Saved::List { id, items }
            }
            Value::Map(m) => {
                let addr = m.as_ptr() as usize;
                if let Some(s) = self.met(addr, "(this Map)") {
                    return s;
                }
                let id = self.open(addr, v);
                let entries = match m.try_borrow() {
                    Ok(entries) => entries
                        .iter()
                        .map(|(k, i)| (k.clone(), self.save(i, depth + 1)))
                        .collect(),
                    Err(_) => IndexMap::new(),
                };
                self.close(addr);
                Saved::Map { id, entries }
            }
            Value::Object(o) => {
                if let Some(plain) = o.as_plain() {
                    self.keep.push(v.clone());
                    return self.save(&plain, depth + 1);
                }
                let addr = o.as_ptr() as usize;
                if let Some(s) = self.met(addr, "(this Collection)") {
                    return s;
                }
                let id = self.open(addr, v);
                let saved = match o.iterate() {
                    Some(items) if o.write_json(&mut String::new()) => Saved::JsonArray {
                        id,
                        items: items.iter().map(|i| self.save(i, depth + 1)).collect(),
                    },
                    _ => Saved::Text(o.render()),
                };
                self.close(addr);
                saved
            }
        }
    }
}

/// Turns [`Saved`] values back into template values, one value per number.
#[derive(Default)]
struct Loader {
    made: HashMap<usize, Value>,
}

impl Loader {
    fn load(&mut self, s: &Saved) -> Value {
        match s {
            Saved::Null => Value::Null,
            Saved::Bool(b) => Value::Bool(*b),
            Saved::Int(i) => Value::Int(*i),
            Saved::Float(f) => Value::Float(*f),
            Saved::String(s) | Saved::Text(s) => Value::from(s.as_str()),
            Saved::List { id, items } => {
                let list = Value::list(Vec::new());
                self.made.insert(*id, list.clone());
                let loaded: Vec<Value> = items.iter().map(|i| self.load(i)).collect();
                if let Some(l) = list.as_list() {
                    *l.borrow_mut() = loaded;
                }
                list
            }
            Saved::Map { id, entries } => {
                let map = Value::map(IndexMap::new());
                self.made.insert(*id, map.clone());
                let loaded: IndexMap<String, Value> = entries
                    .iter()
                    .map(|(k, i)| (k.clone(), self.load(i)))
                    .collect();
                if let Some(m) = map.as_map() {
                    *m.borrow_mut() = loaded;
                }
                map
            }
            Saved::JsonArray { id, items } => {
                let loaded = items.iter().map(|i| self.load(i)).collect();
                let array = Value::object(JsonArray {
                    items: Value::list(loaded),
                });
                self.made.insert(*id, array.clone());
                array
            }
            Saved::Again(id) => self.made.get(id).cloned().unwrap_or(Value::Null),
        }
    }
}

/// The override maps as the templates left them (`None` for a map never touched).
fn saved_overrides(root: &ContextRoot) -> (Option<Saved>, Option<Saved>) {
    let mut saver = Saver::default();
    let mut save = |cell: &OnceCell<Value>| cell.get().map(|v| saver.save(v, 0));
    let request_override = save(&root.request_override);
    (request_override, save(&root.response_override))
}

impl ContextObject {
    /// The request's `$context` as plain `Send + Sync` data: its variables and what the
    /// templates wrote into the override maps so far (see the module documentation).
    pub fn snapshot(&self) -> ContextState {
        let (request_override, response_override) = saved_overrides(&self.root);
        ContextState {
            context: Context {
                vars: self.root.vars.clone(),
            },
            request_override,
            response_override,
        }
    }

    /// [`ContextObject::snapshot`] for a context object no longer needed: when nothing else
    /// holds it (the scope and the values of the render dropped), its variables are moved
    /// into the state instead of copied.
    pub fn into_state(self) -> ContextState {
        match Rc::try_unwrap(self.root) {
            Ok(root) => {
                let (request_override, response_override) = saved_overrides(&root);
                ContextState {
                    context: Context { vars: root.vars },
                    request_override,
                    response_override,
                }
            }
            Err(root) => ContextObject { root }.snapshot(),
        }
    }

    /// `$context` again from a [`ContextState`]: the same variables and override maps, with
    /// the values the templates left in them.
    pub fn resume(state: ContextState) -> ContextObject {
        let mut loader = Loader::default();
        let cell = |saved: Option<Saved>, loader: &mut Loader| {
            let cell = OnceCell::new();
            if let Some(s) = saved {
                let _ = cell.set(loader.load(&s));
            }
            cell
        };
        let request_override = cell(state.request_override, &mut loader);
        let response_override = cell(state.response_override, &mut loader);
        ContextObject {
            root: Rc::new(ContextRoot {
                vars: state.context.vars,
                request_override,
                response_override,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{StageVariables, mapping_scope};
    use crate::input::{Input, OwnedRequest};
    use crate::{EngineOptions, Template};

    fn render(context: &ContextObject, src: &str, body: &str) -> String {
        Template::compile(src, &EngineOptions::default())
            .expect("compiles")
            .render(&mapping_scope(
                Input::new(OwnedRequest::new(body)),
                context,
                &StageVariables::new(),
            ))
            .expect("renders")
    }

    fn round_trip(context: &ContextObject) -> ContextObject {
        ContextObject::resume(context.snapshot())
    }

    #[test]
    fn values_of_every_kind_survive_and_print_the_same() {
        let context = ContextObject::new(Context::new());
        let body = r#"{"a": [1, {"b": "c"}], "o": {"k": 2.5}}"#;
        render(
            &context,
            "#set($m = {'n': 1, 'f': 1.5, 't': true, 's': 'x', 'l': [1, 'two'], 'z': $null})\
             #set($context.responseOverride.m = $m)\
             #set($context.responseOverride.arr = $input.path('$.a'))\
             #set($context.responseOverride.obj = $input.path('$.o'))\
             #set($context.requestOverride.header.h = 5)\
             #set($context.responseOverride.status = 201)",
            body,
        );
        let read = "$context.responseOverride.m|$context.responseOverride.arr|\
                    $context.responseOverride.arr.size()|$context.responseOverride.obj|\
                    $context.requestOverride|$context.responseOverride.status";
        let before = render(&context, read, "");
        let resumed = round_trip(&context);
        assert_eq!(render(&resumed, read, ""), before);
        assert_eq!(resumed.overrides(), context.overrides());
        assert_eq!(resumed.overrides().response_status, Some(201));
    }

    #[test]
    fn into_state_is_the_snapshot_whether_or_not_it_is_shared() {
        let mut vars = Context::new();
        vars.set("stage", "prod");
        vars.set("identity.sourceIp", "10.0.0.1");
        let writes = "#set($context.responseOverride.header.h = 'v')\
                      #set($context.requestOverride.querystring.q = [1, 2])";
        // Held only by its owner: the variables move.
        let context = ContextObject::new(vars.clone());
        render(&context, writes, "");
        let snapshot = context.snapshot();
        assert_eq!(context.into_state(), snapshot);
        // Still held elsewhere (an override map holding $context itself): a copy.
        let context = ContextObject::new(vars);
        render(
            &context,
            &format!("{writes}#set($context.responseOverride.c = $context)"),
            "",
        );
        let snapshot = context.snapshot();
        assert_eq!(context.into_state(), snapshot);
    }

    #[test]
    fn a_value_stored_twice_is_one_value_after_resuming() {
        let context = ContextObject::new(Context::new());
        render(
            &context,
            "#set($m = {'k': 1})#set($context.responseOverride.a = $m)\
             #set($context.responseOverride.b = $m)",
            "",
        );
        let resumed = round_trip(&context);
        assert_eq!(
            render(
                &resumed,
                "#set($x = $context.responseOverride.a.put('k', 2))$context.responseOverride.b.k",
                ""
            ),
            "2"
        );
    }

    #[test]
    fn an_override_map_holding_itself_is_saved_as_its_printed_cycle() {
        // The engine refuses to store a list or map inside itself, but the override map's
        // own object may be stored in it: the walk ends there.
        let context = ContextObject::new(Context::new());
        render(
            &context,
            "#set($x = $context.responseOverride.put('self', $context.responseOverride))",
            "",
        );
        let resumed = round_trip(&context);
        assert_eq!(
            render(&resumed, "$context.responseOverride.self", ""),
            "(this Map)"
        );
    }

    #[test]
    fn variables_survive_and_may_change_in_between() {
        let mut ctx = Context::new();
        ctx.set("stage", "prod");
        let mut state = ContextObject::new(ctx).snapshot();
        assert_eq!(state.context().lookup("stage").as_deref(), Some("prod"));
        state.context_mut().set("integrationLatency", 12);
        let resumed = ContextObject::resume(state);
        assert_eq!(
            render(&resumed, "$context.stage $context.integrationLatency", ""),
            "prod 12"
        );
    }
}
