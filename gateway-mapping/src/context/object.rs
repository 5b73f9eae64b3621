//! [`ContextObject`]: `$context` as a template sees it, with the writable override maps, and
//! [`Overrides`], what the templates wrote into them.

use std::cell::OnceCell;
use std::rc::{Rc, Weak};

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::hash_order::java_hash_map_order;
use super::vars::{Context, Key, Node, entry};
use crate::args::arg_text;
use crate::error::EvalError;
use crate::java::methods;
use crate::json_value::json_to_value;
use crate::render::Meter;
use crate::value::{Cx, HostObject, Value};

/// What a template wrote into `$context.requestOverride.*` and `$context.responseOverride.*`.
///
/// AWS ("Use a mapping template to override an API's request and response parameters and
/// status codes"): request overrides replace the integration request's headers, path and
/// query-string parameters; response overrides replace the method response's headers and
/// status code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `$context.requestOverride.header.NAME`.
    pub request_header: IndexMap<String, String>,
    /// `$context.requestOverride.path.NAME`.
    pub request_path: IndexMap<String, String>,
    /// `$context.requestOverride.querystring.NAME`.
    pub request_querystring: IndexMap<String, String>,
    /// `$context.responseOverride.header.NAME`.
    pub response_header: IndexMap<String, String>,
    /// `$context.responseOverride.status`, when set to a valid status code (100 to 599).
    pub response_status: Option<u16>,
}

impl Overrides {
    /// True when the template wrote nothing.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// `$context` as a template sees it: the request's [`Context`] (read-only) and the writable
/// `requestOverride` / `responseOverride` maps.
///
/// Not `Send` (it shares its parts with `Rc`, as template values do): build it per request
/// inside the synchronous render step. A [`Context`] is plain data and may be built anywhere;
/// across an `.await`, carry a [`super::ContextState`] ([`ContextObject::snapshot`], then
/// [`ContextObject::resume`]).
///
/// Cloning shares the same override maps. Use one `ContextObject` for every template of a
/// request: what the integration request template writes into the override maps is visible
/// to the integration response template, as on API Gateway (localstack
/// `test_integration_mock_with_request_overrides_in_response_template` and
/// `test_integration_mock_with_response_override_in_request_template`, recorded on AWS: a
/// `responseOverride.status`, `.header.foo` and even a custom `.custom` key set in the
/// request template were read back in the response template).
#[derive(Clone)]
pub struct ContextObject {
    pub(super) root: Rc<ContextRoot>,
}

pub(super) struct ContextRoot {
    pub(super) vars: Vec<(Key, Node)>,
    /// Built on first use (most templates never touch the override maps).
    pub(super) request_override: OnceCell<Value>,
    pub(super) response_override: OnceCell<Value>,
}

impl ContextRoot {
    fn request_override(&self) -> &Value {
        self.request_override.get_or_init(|| {
            let mut request = IndexMap::with_capacity(3);
            request.insert("header".to_owned(), empty_map());
            request.insert("path".to_owned(), empty_map());
            request.insert("querystring".to_owned(), empty_map());
            Value::map(request)
        })
    }

    fn response_override(&self) -> &Value {
        self.response_override.get_or_init(|| {
            let mut response = IndexMap::with_capacity(2);
            response.insert("header".to_owned(), empty_map());
            Value::map(response)
        })
    }
}

impl std::fmt::Debug for ContextObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextObject")
            .field("vars", &self.root.vars)
            .field("request_override", &self.root.request_override)
            .field("response_override", &self.root.response_override)
            .finish()
    }
}

fn empty_map() -> Value {
    Value::map(IndexMap::new())
}

impl ContextObject {
    /// `$context` over these variables, with empty override maps:
    /// `requestOverride = {header={}, path={}, querystring={}}`,
    /// `responseOverride = {header={}}` (`status` unset).
    pub fn new(context: Context) -> ContextObject {
        ContextObject {
            root: Rc::new(ContextRoot {
                vars: context.vars,
                request_override: OnceCell::new(),
                response_override: OnceCell::new(),
            }),
        }
    }

    /// The template value (`$context`), sharing this object's override maps.
    pub fn value(&self) -> Value {
        ContextNode::value(self.root.clone(), None)
    }

    /// What the templates wrote into the override maps so far. Values print as Java does
    /// (`#set($context.requestOverride.header.n = 5)` is `5`); `responseOverride.status` counts
    /// only when it is an integer from 100 to 599 (otherwise API Gateway ignores it: localstack's
    /// integration-response handler, from its AWS-validated tests).
    pub fn overrides(&self) -> Overrides {
        let strings = |m: &Value, key: &str| -> IndexMap<String, String> {
            let Some(inner) = m.as_map().and_then(|m| m.borrow().get(key).cloned()) else {
                return IndexMap::new();
            };
            let Some(inner) = inner.as_map() else {
                return IndexMap::new();
            };
            inner
                .borrow()
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.to_java_string()))
                .collect()
        };
        // A template that never read `$context.requestOverride`/`responseOverride` left them
        // unmade: nothing was written, and reading must not make them (a snapshot would then
        // carry and a resume rebuild two empty maps per request).
        let none = Value::Null;
        let req = self.root.request_override.get().unwrap_or(&none);
        let resp = self.root.response_override.get().unwrap_or(&none);
        let status = resp
            .as_map()
            .and_then(|m| m.borrow().get("status").and_then(Value::as_int))
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..=599).contains(s));
        Overrides {
            request_header: strings(req, "header"),
            request_path: strings(req, "path"),
            request_querystring: strings(req, "querystring"),
            response_header: strings(resp, "header"),
            response_status: status,
        }
    }
}

/// `$context` or an object inside it (`$context.identity`, `$context.authorizer.claims`).
struct ContextNode {
    root: Rc<ContextRoot>,
    /// The object this one is inside, and this one's position among its entries (`None`
    /// for `$context` itself). Positions, not names: reading `$context.identity.sourceIp`
    /// makes one small object and hashes nothing.
    parent: Option<(Rc<ContextNode>, usize)>,
    /// `$context.authorizer.claims` (which prints nothing).
    claims: bool,
    me: Weak<ContextNode>,
}

impl ContextNode {
    fn value(root: Rc<ContextRoot>, parent: Option<(Rc<ContextNode>, usize)>) -> Value {
        let claims = parent.as_ref().is_some_and(|(p, i)| {
            p.parent.as_ref().is_some_and(|(r, j)| {
                r.parent.is_none()
                    && r.entries()
                        .and_then(|m| m.get(*j))
                        .is_some_and(|(k, _)| k == "authorizer")
            }) && p
                .entries()
                .and_then(|m| m.get(*i))
                .is_some_and(|(k, _)| k == "claims")
        });
        Value::shared(Rc::new_cyclic(|me| ContextNode {
            root,
            parent,
            claims,
            me: me.clone(),
        }))
    }

    fn entries(&self) -> Option<&[(Key, Node)]> {
        match &self.parent {
            None => Some(&self.root.vars),
            Some((p, i)) => match &p.entries()?.get(*i)?.1 {
                Node::Object(entries) => Some(entries),
                Node::Leaf(_) => None,
            },
        }
    }

    fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    fn child(&self, name: &str) -> Value {
        if self.is_root() {
            let map = match name {
                "requestOverride" => Some(self.root.request_override()),
                "responseOverride" => Some(self.root.response_override()),
                _ => None,
            };
            if let Some(map) = map {
                return Value::object(OverrideNode { map: map.clone() });
            }
        }
        match self.entries().and_then(|m| entry(m, name)) {
            None | Some((_, Node::Leaf(Json::Null))) => Value::Null,
            Some((i, Node::Object(_))) => match self.me.upgrade() {
                Some(me) => ContextNode::value(self.root.clone(), Some((me, i))),
                None => Value::Null,
            },
            Some((_, Node::Leaf(other))) => json_to_value(other),
        }
    }

    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .entries()
            .map(|m| m.iter().map(|(k, _)| k.to_string()).collect())
            .unwrap_or_default();
        if self.is_root() {
            for k in ["requestOverride", "responseOverride"] {
                if !keys.iter().any(|x| x == k) {
                    keys.push(k.to_owned());
                }
            }
        }
        java_hash_map_order(keys)
    }
}

impl HostObject for ContextNode {
    fn property(&self, name: &str, _meter: &mut Meter) -> Result<Value, EvalError> {
        Ok(self.child(name))
    }

    fn call(&self, method: &str, args: &[Value], _cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        let key = args.first().and_then(arg_text);
        Ok(match (method, args.len(), key) {
            ("get", 1, Some(k)) => scalar(self.child(&k)),
            ("containsKey", 1, Some(k)) => Value::Bool(!self.child(&k).is_null()),
            ("keySet", 0, _) => Value::list(self.keys().into_iter().map(Value::from).collect()),
            ("values", 0, _) => Value::list(self.keys().iter().map(|k| self.child(k)).collect()),
            ("size", 0, _) => Value::Int(self.keys().len() as i64),
            ("isEmpty", 0, _) => Value::Bool(self.keys().is_empty()),
            _ => Value::Null,
        })
    }

    /// Java-style, as a map: `{requestId=abc, identity={sourceIp=1.2.3.4}}`; except
    /// `$context.authorizer.claims`, which prints nothing: "Calling `$context.authorizer.claims`
    /// returns null" (AWS, "Variables for data transformations") while its properties
    /// (`$context.authorizer.claims.email`) are readable.
    fn render(&self) -> String {
        if self.claims {
            return String::new();
        }
        let mut out = String::from("{");
        for (i, k) in self.keys().iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push('=');
            self.child(k).write_java(&mut out);
        }
        out.push('}');
        out
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(self.keys().iter().map(|k| self.child(k)).collect())
    }

    fn print_leaf(&self, name: &str, out: &mut String) -> bool {
        if self.is_root() && matches!(name, "requestOverride" | "responseOverride") {
            return false;
        }
        self.entries()
            .is_some_and(|entries| print_entry(entries, name, out))
    }

    fn property_path(&self, path: &[&str]) -> Option<Value> {
        let (last, init) = path.split_last()?;
        match entry(self.nested_entries(init)?, last) {
            None | Some((_, Node::Leaf(Json::Null))) => Some(Value::Null),
            Some((_, Node::Leaf(other))) => Some(json_to_value(other)),
            // An object: made by the engine, one level at a time (it knows its parents).
            Some((_, Node::Object(_))) => None,
        }
    }

    fn print_leaf_path(&self, path: &[&str], key: &str, out: &mut String) -> bool {
        self.nested_entries(path)
            .is_some_and(|entries| print_entry(entries, key, out))
    }
}

impl ContextNode {
    /// The entries of the object the names in `path` reach from this one (`None` when a
    /// name is missing or not an object, or leads into the override maps, which are not
    /// entries).
    fn nested_entries(&self, path: &[&str]) -> Option<&[(Key, Node)]> {
        if self.is_root()
            && path
                .first()
                .is_some_and(|n| matches!(*n, "requestOverride" | "responseOverride"))
        {
            return None;
        }
        let mut entries = self.entries()?;
        for name in path {
            match entry(entries, name)? {
                (_, Node::Object(inner)) => entries = inner,
                (_, Node::Leaf(_)) => return None,
            }
        }
        Some(entries)
    }
}

/// Prints entry `name` of `entries` as [`HostObject::print_leaf`] does: a string, number or
/// boolean, returning true; false (printing nothing) for anything else.
fn print_entry(entries: &[(Key, Node)], name: &str, out: &mut String) -> bool {
    match entry(entries, name) {
        Some((_, Node::Leaf(j))) => crate::java::format::write_json_leaf(j, out),
        _ => false,
    }
}

/// What `get(key)` on `$context` (and its objects) returns: the value when it is a plain
/// one, null for a nested object. Recorded on AWS (localstack `test_sqs_amz_json_protocol`):
/// `$context.get($key)` over `$context.keySet()` printed `""` for `identity`,
/// `requestOverride` and `responseOverride`, and `$context.requestOverride.get($key)` printed
/// `""` for `header`, `path` and `querystring`, while plain values printed as they are.
fn scalar(v: Value) -> Value {
    match v {
        Value::Map(_) | Value::Object(_) => Value::Null,
        v => v,
    }
}

/// `$context.requestOverride` / `$context.responseOverride`: a writable map
/// (`#set($context.responseOverride.status = 404)`, `.header.X = ...`, `.put(k, v)`), with
/// `get` behaving as on `$context` (see [`scalar`]).
struct OverrideNode {
    /// Always a `Value::Map`.
    map: Value,
}

impl OverrideNode {
    /// The keys in `java.util.HashMap` order: recorded on AWS, `$context.requestOverride
    /// .keySet()` lists `path, header, querystring` (localstack `test_sqs_amz_json_protocol`).
    fn keys(&self) -> Vec<String> {
        let keys = self
            .map
            .as_map()
            .map(|m| m.borrow().keys().cloned().collect())
            .unwrap_or_default();
        java_hash_map_order(keys)
    }

    fn get(&self, key: &str) -> Value {
        self.map
            .as_map()
            .and_then(|m| m.borrow().get(key).cloned())
            .unwrap_or(Value::Null)
    }
}

impl HostObject for OverrideNode {
    fn property(&self, name: &str, _meter: &mut Meter) -> Result<Value, EvalError> {
        Ok(self.get(name))
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        match (method, args) {
            ("get", [k]) => Ok(arg_text(k).map_or(Value::Null, |k| scalar(self.get(&k)))),
            ("keySet", []) => Ok(Value::list(
                self.keys().into_iter().map(Value::from).collect(),
            )),
            ("values", []) => Ok(Value::list(
                self.keys().iter().map(|k| self.get(k)).collect(),
            )),
            _ => methods::call(&self.map, method, args, cx),
        }
    }

    /// Java-style, in `java.util.HashMap` order (see [`java_hash_map_order`]). A map that a
    /// template made contain itself (`#set($context.responseOverride.header.x =
    /// $context.responseOverride)`) prints `(this Map)` where it recurs.
    fn render(&self) -> String {
        let Some(map) = self.map.as_map() else {
            return String::new();
        };
        // Being printed further up (borrowed there): this is a cycle.
        if map.try_borrow_mut().is_err() {
            return "(this Map)".to_owned();
        }
        let keys = self.keys();
        // Held while the entries print, so a nested print of this map sees the cycle.
        let Ok(entries) = map.try_borrow() else {
            return String::new();
        };
        let mut out = String::from("{");
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push('=');
            if let Some(v) = entries.get(k) {
                v.write_java(&mut out);
            }
        }
        out.push('}');
        out
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(self.keys().iter().map(|k| self.get(k)).collect())
    }

    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        if let Some(m) = self.map.as_map() {
            m.borrow_mut().insert(name.to_owned(), value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EngineOptions, Scope, Template};

    #[test]
    fn nested_context_values_read_without_the_objects_on_the_way_match_reading_them_one_by_one() {
        let mut ctx = Context::new();
        ctx.set("identity.sourceIp", "203.0.113.7");
        ctx.set("identity.n", 7);
        ctx.set("identity.b", true);
        ctx.set("authorizer.claims.email", "a@example.com");
        ctx.set("authorizer.principalId", "user-1");
        let render = |src: &str| {
            let context = ContextObject::new(ctx.clone());
            let mut scope = Scope::new();
            scope.set("context", context.value());
            Template::compile(src, &EngineOptions::default())
                .expect("compiles")
                .render(&scope)
                .expect("renders")
        };
        // Each pair: the path read at once (printed, then evaluated), and the same read one
        // object at a time.
        for (path, expected) in [
            ("identity.sourceIp", "203.0.113.7"),
            ("identity.n", "7"),
            ("identity.b", "true"),
            ("identity.nope", ""),
            ("nope.x", ""),
            ("authorizer.claims.email", "a@example.com"),
            ("authorizer.claims", ""),
            ("authorizer.principalId", "user-1"),
            ("requestOverride.header", "{}"),
        ] {
            let (first, rest) = path.split_once('.').expect("dotted");
            let printed = render(&format!("[$context.{path}]"));
            let evaluated = render(&format!("#set($v = $context.{path})[$v]"));
            let stepwise = render(&format!("#set($o = $context.{first})[$o.{rest}]"));
            assert_eq!(printed, format!("[{expected}]"), "{path}");
            assert_eq!(evaluated, printed, "{path}");
            assert_eq!(stepwise, printed, "{path}");
        }
        assert_eq!(
            render(
                "#set($context.requestOverride.header.k = 'v')$context.requestOverride.header.k"
            ),
            "v"
        );
    }
}
