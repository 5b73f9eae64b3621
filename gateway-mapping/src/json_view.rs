//! Lazy template views over a parsed JSON document: what `$input.path(...)` hands a template.
//!
//! A request body is parsed once (the pipeline's validation step already holds it as a
//! `serde_json::Value`); converting its every object into a template map, key by key, cost
//! more than rendering the template. A view instead points into the shared document and
//! converts only what the template reads: `$item.name` reads one leaf from the JSON.
//!
//! A view behaves exactly as the converted value would:
//! - an object view prints as the map would (`{k=v}`), reads its keys from the JSON, and the
//!   first time a template does more with it (calls a method, assigns a key, compares it,
//!   stores it) it becomes that map for good ([`HostObject::as_plain`]), the engine then
//!   treating it as the map itself;
//! - an array view is the list object `$input.path` has always given (printing as compact
//!   JSON), whose items are made on first use;
//! - an object or array read from a view is one object, however often it is read (Java
//!   identity: `$body.tags.add('x')` is seen by a later `$body.tags`).
//!
//! The document is never changed: a view that a template changes keeps its own copy.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::error::EvalError;
use crate::java::methods;
use crate::json_value::{JsonArray, write_json, write_json_string};
use crate::render::Meter;
use crate::value::{Cx, HostObject, Value};

/// Deepest nesting the views print straight from the JSON; deeper levels print as `...`
/// (parsed bodies nest at most 128 levels, serde_json's limit; this bounds a document a host
/// built itself).
const MAX_VIEW_PRINT_DEPTH: usize = 512;

/// Objects up to this size are searched by scanning their keys (as template maps are).
const SCAN_MAX: usize = 8;

/// One step from a JSON node to a child.
#[derive(Debug)]
enum Seg {
    Key(Rc<str>),
    Index(usize),
}

/// A node's position in its document: its parent's position and the step from it. Shared by
/// siblings, so a view of an array item costs no path of its own.
#[derive(Debug)]
struct Loc {
    up: Option<Rc<Loc>>,
    seg: Seg,
}

/// The child of `j` at `seg`.
fn step<'j>(j: &'j Json, seg: &Seg) -> Option<&'j Json> {
    match (j, seg) {
        (Json::Object(m), Seg::Key(k)) => object_get(m, k),
        (Json::Array(a), Seg::Index(i)) => a.get(*i),
        _ => None,
    }
}

/// `m[key]`, scanning an object of up to [`SCAN_MAX`] keys instead of hashing the key.
pub(crate) fn object_get<'j>(m: &'j serde_json::Map<String, Json>, key: &str) -> Option<&'j Json> {
    if m.len() <= SCAN_MAX {
        m.iter()
            .find(|(k, _)| methods::short_eq(k, key))
            .map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

fn resolve<'j>(doc: &'j Json, loc: Option<&Loc>) -> Option<&'j Json> {
    match loc {
        None => Some(doc),
        Some(l) => step(resolve(doc, l.up.as_deref())?, &l.seg),
    }
}

/// A parsed document the views read, shared by them (without atomic counting per view).
#[derive(Debug)]
pub(crate) struct Doc {
    json: Arc<Json>,
    /// Set when a view of the document becomes a template map or list (which a template
    /// may then change).
    changed: Cell<bool>,
}

impl Doc {
    /// A document for views over `json`.
    pub(crate) fn new(json: Arc<Json>) -> Rc<Doc> {
        Rc::new(Doc {
            json,
            changed: Cell::new(false),
        })
    }

    /// Whether a view of it became a template map or list.
    pub(crate) fn changed(&self) -> bool {
        self.changed.get()
    }
}

/// Where a view's node is: the document, and the node's position in it.
struct At {
    doc: Rc<Doc>,
    /// The parent's position (`None`: the parent is the document root, or there is no
    /// parent when `seg` is `None` too).
    up: Option<Rc<Loc>>,
    /// The step from the parent; `None` for the document root.
    seg: Option<Seg>,
    /// This node's own position, made when a child view first needs it.
    own: OnceCell<Option<Rc<Loc>>>,
}

impl At {
    #[inline]
    fn json(&self) -> Option<&Json> {
        let parent = match &self.up {
            None => &*self.doc.json,
            Some(up) => resolve(&self.doc.json, Some(up))?,
        };
        match &self.seg {
            None => Some(parent),
            Some(seg) => step(parent, seg),
        }
    }

    /// The position a child of this node is under.
    fn own(&self) -> Option<Rc<Loc>> {
        self.own
            .get_or_init(|| {
                self.seg.as_ref().map(|seg| {
                    Rc::new(Loc {
                        up: self.up.clone(),
                        seg: match seg {
                            Seg::Key(k) => Seg::Key(k.clone()),
                            Seg::Index(i) => Seg::Index(*i),
                        },
                    })
                })
            })
            .clone()
    }

    fn child(&self, seg: Seg) -> At {
        At {
            doc: self.doc.clone(),
            up: self.own(),
            seg: Some(seg),
            own: OnceCell::new(),
        }
    }
}

/// The template value of the document's `root`: a view for an object or an array, the
/// converted value for anything else.
pub(crate) fn root_value(doc: Rc<Doc>) -> Value {
    let at = At {
        doc,
        up: None,
        seg: None,
        own: OnceCell::new(),
    };
    match at.json() {
        Some(Json::Object(_)) => ObjectView::value(at),
        Some(Json::Array(_)) => ArrayView::value(at),
        Some(leaf) => Value::from_json(leaf),
        None => Value::Null,
    }
}

/// The template value of the node at `steps` (names and absolute indexes, as found by
/// walking the document) under `doc`'s root; `None` when a step finds nothing.
pub(crate) fn value_at(doc: &Arc<Json>, steps: &[(Option<&str>, usize)]) -> Option<Value> {
    let Some((last, init)) = steps.split_last() else {
        return Some(root_value(Doc::new(doc.clone())));
    };
    let seg = |s: &(Option<&str>, usize)| match s.0 {
        Some(k) => Seg::Key(k.into()),
        None => Seg::Index(s.1),
    };
    let mut up: Option<Rc<Loc>> = None;
    for s in init {
        up = Some(Rc::new(Loc { up, seg: seg(s) }));
    }
    let at = At {
        doc: Doc::new(doc.clone()),
        up,
        seg: Some(seg(last)),
        own: OnceCell::new(),
    };
    Some(match at.json()? {
        Json::Object(_) => ObjectView::value(at),
        Json::Array(_) => ArrayView::value(at),
        leaf => Value::from_json(leaf),
    })
}

/// The value of child `j` of a view at `at` (reached by `seg`).
fn child_value(at: &At, j: &Json, seg: impl FnOnce() -> Seg) -> Value {
    match j {
        Json::Object(_) => ObjectView::value(at.child(seg())),
        Json::Array(_) => ArrayView::value(at.child(seg())),
        leaf => Value::from_json(leaf),
    }
}

/// A JSON object as a template map (see the module documentation).
pub(crate) struct ObjectView {
    at: At,
    /// The object and array children handed out so far, by key (each is one object).
    children: RefCell<Vec<(Rc<str>, Value)>>,
    /// The map this view became (a `Value::Map`).
    plain: OnceCell<Value>,
}

impl ObjectView {
    fn new(at: At) -> ObjectView {
        ObjectView {
            at,
            children: RefCell::new(Vec::new()),
            plain: OnceCell::new(),
        }
    }

    fn value(at: At) -> Value {
        Value::object(ObjectView::new(at))
    }

    /// Whether nothing was made from the view yet (no map, no child handed out): another
    /// view of the same node would be indistinguishable from it.
    fn pristine(&self) -> bool {
        self.plain.get().is_none() && self.children.borrow().is_empty()
    }

    fn object(&self) -> Option<&serde_json::Map<String, Json>> {
        self.at.json().and_then(Json::as_object)
    }

    /// `$view.key`, read from the JSON (or the map once it became one).
    fn get(&self, key: &str) -> Value {
        if let Some(p) = self.plain.get() {
            return methods::property(p, key, &mut Meter::standalone()).unwrap_or(Value::Null);
        }
        let Some(j) = self.object().and_then(|m| object_get(m, key)) else {
            return Value::Null;
        };
        if !matches!(j, Json::Object(_) | Json::Array(_)) {
            return Value::from_json(j);
        }
        if let Some((_, v)) = self.children.borrow().iter().find(|(k, _)| &**k == key) {
            return v.clone();
        }
        // One copy of the key serves the child's position and this record.
        let key: Rc<str> = key.into();
        let v = child_value(&self.at, j, || Seg::Key(key.clone()));
        self.children.borrow_mut().push((key, v.clone()));
        v
    }

    /// The child handed out under `key`, if any.
    fn handed_out(&self, key: &str) -> Option<Value> {
        self.children
            .borrow()
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v.clone())
    }

    /// The map this view stands for, made on first need.
    fn plain(&self) -> &Value {
        self.plain.get_or_init(|| {
            self.at.doc.changed.set(true);
            let Some(m) = self.object() else {
                return Value::map(IndexMap::new());
            };
            let mut entries = IndexMap::with_capacity(m.len());
            for (k, j) in m {
                let v = match j {
                    Json::Object(_) | Json::Array(_) => self.handed_out(k).unwrap_or_else(|| {
                        child_value(&self.at, j, || Seg::Key(k.as_str().into()))
                    }),
                    leaf => Value::from_json(leaf),
                };
                entries.insert(k.clone(), v);
            }
            Value::map(entries)
        })
    }

    fn write_java(&self, out: &mut String, depth: usize) {
        let Some(m) = self.object() else {
            out.push_str("{}");
            return;
        };
        out.push('{');
        for (i, (k, j)) in m.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push('=');
            match j {
                Json::Object(_) | Json::Array(_) => match self.handed_out(k) {
                    Some(v) => v.write_java(out),
                    None => write_java_node(j, out, depth + 1),
                },
                leaf => write_java_node(leaf, out, depth + 1),
            }
        }
        out.push('}');
    }

    fn write_json_text(&self, out: &mut String, depth: usize) {
        let Some(m) = self.object() else {
            out.push_str("{}");
            return;
        };
        out.push('{');
        for (i, (k, j)) in m.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(k, out);
            out.push(':');
            match j {
                Json::Object(_) | Json::Array(_) => match self.handed_out(k) {
                    Some(v) => write_json(&v, out),
                    None => write_json_node(j, out, depth + 1),
                },
                leaf => write_json_node(leaf, out, depth + 1),
            }
        }
        out.push('}');
    }
}

impl HostObject for ObjectView {
    fn property(&self, name: &str, _meter: &mut Meter) -> Result<Value, EvalError> {
        Ok(self.get(name))
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        methods::call(self.plain(), method, args, cx)
    }

    fn render(&self) -> String {
        match self.plain.get() {
            Some(p) => p.to_java_string(),
            None => {
                let mut out = String::new();
                self.write_java(&mut out, 0);
                out
            }
        }
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        if let Some(p) = self.plain.get() {
            return p.as_map().map(|m| m.borrow().values().cloned().collect());
        }
        let m = self.object()?;
        Some(m.keys().map(|k| self.get(k)).collect())
    }

    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        if let Some(m) = self.plain().as_map() {
            m.borrow_mut().insert(name.to_owned(), value);
        }
        Ok(())
    }

    fn for_each_child(&self, f: &mut dyn FnMut(&Value)) {
        match self.plain.get() {
            Some(p) => f(p),
            None => {
                let children: Vec<Value> = self
                    .children
                    .borrow()
                    .iter()
                    .map(|(_, v)| v.clone())
                    .collect();
                children.iter().for_each(f);
            }
        }
    }

    fn as_plain(&self) -> Option<Value> {
        Some(self.plain().clone())
    }

    fn print_leaf(&self, name: &str, out: &mut String) -> bool {
        if self.plain.get().is_some() {
            return false;
        }
        self.object()
            .and_then(|m| object_get(m, name))
            .is_some_and(|j| crate::java::format::write_json_leaf(j, out))
    }

    fn write_json(&self, out: &mut String) -> bool {
        match self.plain.get() {
            Some(p) => write_json(p, out),
            None => self.write_json_text(out, 0),
        }
        true
    }
}

/// A JSON array as `$input.path` hands it over: the list object of [`JsonArray`], its items
/// made on first use (until then it prints straight from the JSON).
///
/// A `#foreach` over an array whose list is not made yet takes its items one at a time
/// ([`HostObject::lazy_item`]) instead of making the whole list: an object item the template
/// neither kept nor changed is recycled for the next item (one object serves a loop over a
/// thousand), while an item that another value still holds, or whose state changed (it became
/// a map, handed out a child), is kept, so that the list, if it is made later, holds that
/// very object (Java identity) and a later loop hands it out again.
pub(crate) struct ArrayView {
    at: At,
    /// The list, once made, and (when a loop took items one at a time before it was made)
    /// its items as they were then, which such a loop goes on handing out (a `#foreach`
    /// iterates a snapshot of its collection).
    items: OnceCell<(JsonArray, Option<Vec<Value>>)>,
    /// Items handed out one at a time, before the list is made.
    lent: RefCell<Lent>,
    /// Whether a loop took items one at a time.
    lazily_iterated: Cell<bool>,
}

/// The items an [`ArrayView`] handed out to a loop, before its list is made.
#[derive(Default)]
struct Lent {
    /// The last object item handed out (the loop's current item).
    current: Option<(usize, Rc<ObjectView>)>,
    /// Items that must stay the objects they are, by index, sorted.
    kept: Vec<(usize, Value)>,
}

impl Lent {
    fn kept(&self, index: usize) -> Option<&Value> {
        self.kept
            .binary_search_by_key(&index, |(i, _)| *i)
            .ok()
            .map(|at| &self.kept[at].1)
    }

    fn keep(&mut self, index: usize, v: Value) {
        if let Err(at) = self.kept.binary_search_by_key(&index, |(i, _)| *i) {
            self.kept.insert(at, (index, v));
        }
    }

    /// The item handed out for `index`, if it must stay that object.
    fn find(&self, index: usize) -> Option<Value> {
        match &self.current {
            Some((i, view)) if *i == index => Some(Value::shared(view.clone())),
            _ => self.kept(index).cloned(),
        }
    }

    fn values(&self) -> Vec<Value> {
        let current = self.current.iter().map(|(_, v)| Value::shared(v.clone()));
        current
            .chain(self.kept.iter().map(|(_, v)| v.clone()))
            .collect()
    }
}

impl ArrayView {
    fn value(at: At) -> Value {
        Value::object(ArrayView {
            at,
            items: OnceCell::new(),
            lent: RefCell::new(Lent::default()),
            lazily_iterated: Cell::new(false),
        })
    }

    fn list(&self) -> &JsonArray {
        &self.made().0
    }

    /// Whether an item a loop handed out may differ from the JSON (it changed, or another
    /// value holds it and may change it): printing then goes through the list.
    fn lent_changed(&self) -> bool {
        let lent = self.lent.borrow();
        !lent.kept.is_empty() || lent.current.as_ref().is_some_and(|(_, v)| !v.pristine())
    }

    fn made(&self) -> &(JsonArray, Option<Vec<Value>>) {
        self.items.get_or_init(|| {
            self.at.doc.changed.set(true);
            let lent = std::mem::take(&mut *self.lent.borrow_mut());
            let items: Vec<Value> = match self.at.json() {
                Some(Json::Array(a)) => a
                    .iter()
                    .enumerate()
                    .map(|(i, j)| {
                        lent.find(i)
                            .unwrap_or_else(|| child_value(&self.at, j, || Seg::Index(i)))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let snapshot = self.lazily_iterated.get().then(|| items.clone());
            (
                JsonArray {
                    items: Value::list(items),
                },
                snapshot,
            )
        })
    }
}

impl HostObject for ArrayView {
    fn property(&self, name: &str, meter: &mut Meter) -> Result<Value, EvalError> {
        self.list().property(name, meter)
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        // Asking an array's size does not need its items.
        if self.items.get().is_none()
            && let (Some(Json::Array(a)), "size" | "isEmpty", []) = (self.at.json(), method, args)
        {
            return Ok(if method == "size" {
                Value::Int(i64::try_from(a.len()).unwrap_or(i64::MAX))
            } else {
                Value::Bool(a.is_empty())
            });
        }
        self.list().call(method, args, cx)
    }

    fn render(&self) -> String {
        if self.lent_changed() {
            return self.list().render();
        }
        match self.items.get() {
            Some((l, _)) => l.render(),
            None => {
                let mut out = String::new();
                if let Some(j) = self.at.json() {
                    write_json_node(j, &mut out, 0);
                }
                out
            }
        }
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        self.list().iterate()
    }

    fn lazy_len(&self) -> Option<usize> {
        if self.items.get().is_some() {
            return None;
        }
        match self.at.json() {
            Some(Json::Array(a)) => Some(a.len()),
            _ => None,
        }
    }

    fn lazy_item(&self, index: usize, previous: Value) -> Value {
        self.lazily_iterated.set(true);
        // What the loop variable held goes first, so that the last item's only holder may
        // be the record below.
        drop(previous);
        if let Some((_, snapshot)) = self.items.get() {
            return snapshot
                .as_ref()
                .and_then(|s| s.get(index).cloned())
                .unwrap_or_default();
        }
        let mut lent = self.lent.borrow_mut();
        let mut spare = None;
        if let Some((i, view)) = lent.current.take() {
            if Rc::strong_count(&view) == 1 && view.pristine() {
                spare = Some(view);
            } else {
                lent.keep(i, Value::shared(view));
            }
        }
        if let Some(v) = lent.kept(index) {
            return v.clone();
        }
        match self
            .at
            .json()
            .and_then(Json::as_array)
            .and_then(|a| a.get(index))
        {
            Some(Json::Object(_)) => {
                let recycled = spare.and_then(|mut rc| {
                    let view = Rc::get_mut(&mut rc)?;
                    // A sibling under the same parent: only the index and the position
                    // made from it change.
                    view.at.seg = Some(Seg::Index(index));
                    view.at.own = OnceCell::new();
                    Some(rc)
                });
                let view = recycled
                    .unwrap_or_else(|| Rc::new(ObjectView::new(self.at.child(Seg::Index(index)))));
                lent.current = Some((index, view.clone()));
                Value::shared(view)
            }
            // A nested array keeps its identity through the list, made now.
            Some(Json::Array(_)) => {
                drop(lent);
                self.made()
                    .1
                    .as_ref()
                    .and_then(|s| s.get(index).cloned())
                    .unwrap_or_default()
            }
            Some(leaf) => Value::from_json(leaf),
            None => Value::Null,
        }
    }

    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        self.list().set_property(name, value)
    }

    fn for_each_child(&self, f: &mut dyn FnMut(&Value)) {
        match self.items.get() {
            Some((l, _)) => l.for_each_child(f),
            // Until its items are made, only what a loop handed out can hold the template's
            // values.
            None => {
                let lent = self.lent.borrow().values();
                lent.iter().for_each(f);
            }
        }
    }

    fn write_json(&self, out: &mut String) -> bool {
        out.push_str(&self.render());
        true
    }
}

/// Appends JSON node `j` as its template value prints (Java's `toString()`): objects
/// `{k=v}`, arrays compact JSON, strings as they are.
fn write_java_node(j: &Json, out: &mut String, depth: usize) {
    if depth > MAX_VIEW_PRINT_DEPTH {
        out.push_str("...");
        return;
    }
    match j {
        Json::String(s) => out.push_str(s),
        Json::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                write_java_node(v, out, depth + 1);
            }
            out.push('}');
        }
        Json::Array(_) => write_json_node(j, out, depth),
        leaf => Value::from_json(leaf).write_java(out),
    }
}

/// Appends JSON node `j` as [`write_json`] prints its template value (json-smart's compact
/// JSON, numbers as Java prints them).
fn write_json_node(j: &Json, out: &mut String, depth: usize) {
    if depth > MAX_VIEW_PRINT_DEPTH {
        out.push_str("null");
        return;
    }
    match j {
        Json::String(s) => write_json_string(s, out),
        Json::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json_node(v, out, depth + 1);
            }
            out.push('}');
        }
        Json::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_node(v, out, depth + 1);
            }
            out.push(']');
        }
        leaf => write_json(&Value::from_json(leaf), out),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::input::{Input, OwnedRequest};
    use crate::json_value::json_to_value;
    use crate::{EngineOptions, Scope, Template, Value};

    /// Renders `template` with `$input` over `body`, parsed beforehand (views) and, for
    /// comparison, with `$doc` holding the same body converted eagerly into maps and lists.
    fn both(template: &str, body: &str) -> (String, String) {
        let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
        let t = Template::compile(template, &EngineOptions::default()).unwrap();
        let mut views = Scope::new();
        let input = Input::with_json(OwnedRequest::new(body), Arc::new(parsed.clone()));
        views.set("input", Value::object(input));
        let viewed = t.render(&views).unwrap();
        let t2 = Template::compile(
            &template.replace("$input.path('$')", "$doc"),
            &EngineOptions::default(),
        )
        .unwrap();
        let mut plain = Scope::new();
        plain.set("doc", json_to_value(&parsed));
        (viewed, t2.render(&plain).unwrap())
    }

    #[test]
    fn views_behave_as_the_converted_values() {
        let body = r#"{"a": {"b": [1, {"c": "d"}], "n": 2.5}, "s": "x", "z": null}"#;
        for template in [
            "#set($r = $input.path('$'))$r|$r.a|$r.a.b|$r.s|$r.z|$r.a.n",
            "#set($r = $input.path('$'))$r.a.b.add(3)$r.a.b|$r",
            "#set($r = $input.path('$'))#set($r.a.x = 'y')$r|$r.a.x|$r.a.keySet()",
            "#set($r = $input.path('$'))$r.a.put('k', 1)$r.a|$r.a.get('k')|$r.a.size()",
            "#set($r = $input.path('$'))$r.a.getClass() $r.a.b.size() $r.a.b[1].c $r.a.b[-1]",
            "#set($r = $input.path('$'))#foreach($v in $r.a)[$v]#end #foreach($v in $r.a.b)($v)#end",
            "#set($r = $input.path('$'))#set($m = {'b': [1, {'c': 'd'}], 'n': 2.5})$r.a.equals($m) #if($r.a == $m)eq#end",
            "#set($r = $input.path('$'))#set($l = [])$l.add($r.a)$l $l.contains($r.a)",
        ] {
            let (viewed, plain) = both(template, body);
            assert_eq!(viewed, plain, "{template}");
        }
    }

    #[test]
    fn a_loop_over_a_view_behaves_as_over_the_converted_list() {
        let body = r#"[{"id": 1, "t": [1]}, {"id": 2, "t": []}, {"id": 3, "t": [3, 4]}]"#;
        for template in [
            // Plain reads: one recycled object serves every item.
            "#set($a = $input.path('$'))#foreach($x in $a)$x.id $x,#end $a",
            // Items changed in the loop print changed, through the list and the items.
            "#set($a = $input.path('$'))#foreach($x in $a)#set($d = $x.put('i', $foreach.index))#end$a $a[1].i",
            "#set($a = $input.path('$'))#foreach($x in $a)#set($x.k = 'v')#end$a",
            // Items kept elsewhere are the list's items.
            "#set($a = $input.path('$'))#set($l = [])#foreach($x in $a)#set($d = $l.add($x))#end#set($d = $l[1].put('k', 1))$a[1].k $a $l.size()",
            // A child handed out and changed.
            "#set($a = $input.path('$'))#foreach($x in $a)#set($d = $x.t.add(0))#end$a $a[2].t",
            // The list changed during the loop: the loop goes over the items it started with.
            "#set($a = $input.path('$'))#foreach($x in $a)#set($d = $a.add(9))$x.id,#end $a.size()",
            "#set($a = $input.path('$'))#foreach($x in $a)#if($foreach.index == 1)#set($d = $a.remove(0))#end$x.id,#end $a",
            // Loops in loops over the same array, and one after another.
            "#set($a = $input.path('$'))#foreach($x in $a)#foreach($y in $a)$x.id$y.id #end#end",
            "#set($a = $input.path('$'))#foreach($x in $a)#set($x.n = $x.id)#end#foreach($x in $a)$x.n#end",
            "#set($a = $input.path('$'))#foreach($x in $a)#if($x.id == 2)#set($keep = $x)#end#end#set($keep.z = 1)$a",
            // #break and the loop variable afterwards.
            "#set($x = 'before')#set($a = $input.path('$'))#foreach($x in $a)#if($x.id == 2)#break#end#end$x $a",
        ] {
            let (viewed, plain) = both(template, body);
            assert_eq!(viewed, plain, "{template}");
        }
    }

    #[test]
    fn a_loop_over_nested_arrays_keeps_each_row_one_object() {
        let body = r#"{"m": [[1], [2, 3], {"k": [4]}, 5]}"#;
        for template in [
            "#set($r = $input.path('$'))#foreach($row in $r.m)#set($d = $row.add(0))#end$r.m $r",
            "#set($r = $input.path('$'))#foreach($row in $r.m)[$row]#end",
        ] {
            let (viewed, plain) = both(template, body);
            assert_eq!(viewed, plain, "{template}");
        }
    }

    #[test]
    fn an_item_from_a_loop_cannot_be_made_to_hold_its_array() {
        let t = Template::compile(
            "#set($a = $input.path('$'))#foreach($x in $a)$x.put('all', $a)#end",
            &EngineOptions::default(),
        )
        .unwrap();
        let mut scope = Scope::new();
        let input = Input::new(OwnedRequest::new(r#"[{"a": 1}, {"a": 2}]"#));
        scope.set("input", Value::object(input));
        let e = t.render(&scope).unwrap_err();
        assert!(e.to_string().contains("inside itself"), "{e}");
    }

    #[test]
    fn an_object_read_twice_is_one_object() {
        let body = r#"{"a": {"b": [1]}}"#;
        let (viewed, _) = both(
            "#set($r = $input.path('$'))$r.a.b.add(2)$r.a.put('c', 3)$r.a.b $r.a.c $input.path('$').a",
            body,
        );
        // `add` returns true (printed), `put` null (printed as nothing).
        assert_eq!(viewed, "true[1,2] 3 {b=[1,2], c=3}");
    }

    #[test]
    fn a_view_cannot_be_stored_inside_itself() {
        let t = Template::compile(
            "#set($r = $input.path('$'))$r.put('me', $r)",
            &EngineOptions::default(),
        )
        .unwrap();
        let mut scope = Scope::new();
        let input = Input::new(OwnedRequest::new(r#"{"a": 1}"#));
        scope.set("input", Value::object(input));
        assert!(t.render(&scope).is_err());
    }
}
