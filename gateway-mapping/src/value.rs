//! Values a template works with, shaped like the Java objects Velocity templates see:
//! strings, integers, doubles, booleans, lists, insertion-ordered maps, and host objects.
//!
//! How values are shared (reference counting, interior mutability) is this module's own
//! business: strings, lists, maps and objects are opaque handles ([`Str`], [`List`],
//! [`Map`], [`Object`]) with accessors, so the representation can change without changing
//! the public API.

use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::EvalError;
use crate::render::{Literal, Meter};

/// A template string (a Java `String`): immutable and cheap to clone. Reads as a `&str`.
///
/// Shared with `Arc`, not `Rc`, so a template's string literals are made once when it is
/// compiled and handed to every render without an allocation (a render made each literal's
/// value afresh before: about a fifth of a 20-line request template's instructions).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(Arc<str>);

impl std::ops::Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str(s.into())
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        Str(s.into())
    }
}

impl From<Box<str>> for Str {
    fn from(s: Box<str>) -> Str {
        Str(s.into())
    }
}

impl From<Arc<str>> for Str {
    fn from(s: Arc<str>) -> Str {
        Str(s)
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Str {
        Str(s.as_str().into())
    }
}

/// A shared, mutable list (a Java `ArrayList`): copies of a `Value::List` see each other's
/// changes, as Java references do.
#[derive(Clone, Default)]
pub struct List(Rc<RefCell<Vec<Value>>>);

impl List {
    /// A new list holding these items.
    pub fn new(items: Vec<Value>) -> List {
        List(Rc::new(RefCell::new(items)))
    }

    /// How many items the list holds.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// True when the list holds no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `i` (a clone of the handle), if there is one.
    pub fn get(&self, i: usize) -> Option<Value> {
        self.0.borrow().get(i).cloned()
    }

    /// The items now in the list.
    pub fn to_vec(&self) -> Vec<Value> {
        self.0.borrow().clone()
    }

    /// The items, borrowed (panics if the list is being changed: engine-internal use only).
    pub(crate) fn borrow(&self) -> Ref<'_, Vec<Value>> {
        self.0.borrow()
    }

    /// The items, to change.
    pub(crate) fn borrow_mut(&self) -> RefMut<'_, Vec<Value>> {
        self.0.borrow_mut()
    }

    /// The items, unless the list is being changed.
    pub(crate) fn try_borrow(&self) -> Result<Ref<'_, Vec<Value>>, std::cell::BorrowError> {
        self.0.try_borrow()
    }

    /// The items, to change, unless the list is borrowed.
    pub(crate) fn try_borrow_mut(
        &self,
    ) -> Result<RefMut<'_, Vec<Value>>, std::cell::BorrowMutError> {
        self.0.try_borrow_mut()
    }

    /// Whether both handles are the same list.
    pub(crate) fn ptr_eq(&self, other: &List) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// The list's identity.
    pub(crate) fn as_ptr(&self) -> *const () {
        Rc::as_ptr(&self.0).cast()
    }
}

/// A shared, mutable, insertion-ordered map (a Java `LinkedHashMap` with string keys).
#[derive(Clone, Default)]
pub struct Map(Rc<RefCell<IndexMap<String, Value>>>);

impl Map {
    /// A new map holding these entries, in this order.
    pub fn new(entries: IndexMap<String, Value>) -> Map {
        Map(Rc::new(RefCell::new(entries)))
    }

    /// How many entries the map holds.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// True when the map holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value under `key` (a clone of the handle), if any.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.borrow().get(key).cloned()
    }

    /// The entries now in the map, in order.
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.0
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The entries, borrowed (panics if the map is being changed: engine-internal use only).
    pub(crate) fn borrow(&self) -> Ref<'_, IndexMap<String, Value>> {
        self.0.borrow()
    }

    /// The entries, to change.
    pub(crate) fn borrow_mut(&self) -> RefMut<'_, IndexMap<String, Value>> {
        self.0.borrow_mut()
    }

    /// The entries, unless the map is being changed.
    pub(crate) fn try_borrow(
        &self,
    ) -> Result<Ref<'_, IndexMap<String, Value>>, std::cell::BorrowError> {
        self.0.try_borrow()
    }

    /// The entries, to change, unless the map is borrowed.
    pub(crate) fn try_borrow_mut(
        &self,
    ) -> Result<RefMut<'_, IndexMap<String, Value>>, std::cell::BorrowMutError> {
        self.0.try_borrow_mut()
    }

    /// Whether both handles are the same map.
    pub(crate) fn ptr_eq(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// The map's identity.
    pub(crate) fn as_ptr(&self) -> *const () {
        Rc::as_ptr(&self.0).cast()
    }
}

/// An object provided by the host (`$input`, `$util`, `$context`, ...): its behaviour is
/// the engine's own (host objects are implemented inside this crate).
#[derive(Clone)]
pub struct Object(Rc<dyn HostObject>);

impl Object {
    /// Whether both handles are the same object.
    pub(crate) fn ptr_eq(&self, other: &Object) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// The object's identity.
    pub(crate) fn as_ptr(&self) -> *const () {
        Rc::as_ptr(&self.0).cast()
    }

    /// How the object prints (Java's `toString()`).
    pub fn to_java_string(&self) -> String {
        self.0.render()
    }
}

impl std::ops::Deref for Object {
    type Target = dyn HostObject;
    fn deref(&self) -> &(dyn HostObject + 'static) {
        &*self.0
    }
}

/// What a template variable can hold.
///
/// Cloning is cheap: strings, lists, maps and objects are shared handles; lists and maps
/// are shared (mutating one clone is seen through the others), as in Java.
#[derive(Clone, Default)]
pub enum Value {
    /// Java `null`: an undefined variable, a missing key, a method returning nothing.
    #[default]
    Null,
    /// A `Boolean`.
    Bool(bool),
    /// An `Integer` or `Long`.
    Int(i64),
    /// A `Double`.
    Float(f64),
    /// A `String`.
    String(Str),
    /// An `ArrayList`.
    List(List),
    /// A `LinkedHashMap`.
    Map(Map),
    /// An object provided by the host (`$input`, `$util`, `$context`, ...).
    Object(Object),
}

/// What a host call receives from the render besides its arguments: the render's step
/// meter, to charge its work to, and the compiled form of its first argument when that is
/// a literal the template compiled ahead (a JSONPath, a regular expression).
pub struct Cx<'a> {
    /// The render's step meter.
    pub(crate) meter: &'a mut Meter,
    /// The first argument compiled with the template, if it is a literal.
    pub(crate) literal: Option<&'a Literal>,
}

impl<'a> Cx<'a> {
    /// A context charging `meter`, with no compiled argument.
    pub(crate) fn new(meter: &'a mut Meter) -> Cx<'a> {
        Cx {
            meter,
            literal: None,
        }
    }
}

/// An object provided by the host (API Gateway's `$input`, `$util`, `$context`, ...).
///
/// Sealed: the trait lives in a private module and is not exported, so only this crate
/// implements it, and its performance hooks (`print_call`, `print_leaf`, `property_path`,
/// `lazy_item`, ...) are the engine's own business. Work that grows with input is charged
/// to the render's step [`Meter`] the hooks receive.
pub trait HostObject {
    /// `$obj.name` (and `$obj.getName()`); `Ok(Value::Null)` when absent.
    fn property(&self, name: &str, meter: &mut Meter) -> Result<Value, EvalError>;
    /// `$obj.method(args)`; an unknown method is an error or Null, as the host decides.
    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError>;
    /// How `$obj` prints.
    fn render(&self) -> String;
    /// Items when used in `#foreach`; None if not iterable.
    fn iterate(&self) -> Option<Vec<Value>> {
        None
    }
    /// For `#foreach` over the object: how many items it has, when it hands them out one at a
    /// time through [`HostObject::lazy_item`] instead of as [`HostObject::iterate`]'s
    /// snapshot (a view over a large document need not make every item up front). `None`
    /// (the default): the loop iterates the snapshot.
    fn lazy_len(&self) -> Option<usize> {
        None
    }
    /// Item `index` of a `#foreach` over the object (see [`HostObject::lazy_len`]), as the
    /// object was when the loop began. `previous` is what the loop variable held, handed
    /// back so that the object can recycle an item nobody else holds.
    fn lazy_item(&self, index: usize, previous: Value) -> Value {
        let _ = (index, previous);
        Value::Null
    }
    /// `#set($obj.name = value)`; ignored unless the host makes the property writable.
    /// (A property that returns a shared [`Value::Map`] is writable through the map.)
    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        let _ = (name, value);
        Ok(())
    }
    /// Calls `f` on each template value the object holds, if any. The engine walks these
    /// when a template stores the object inside a list or map, so that values stay acyclic
    /// and bounded in depth ([`crate::limits::MAX_VALUE_DEPTH`]).
    fn for_each_child(&self, f: &mut dyn FnMut(&Value)) {
        let _ = f;
    }
    /// The plain value this object stands for, when it is a lazy view of one (a JSON object
    /// read by `$input.path` is a map): the engine then treats it as that value for methods,
    /// assignments and comparisons. `None` (the default) for a host object in its own right.
    fn as_plain(&self) -> Option<Value> {
        None
    }
    /// Appends the object as compact JSON (how it prints inside a JSON array from
    /// `$input.path`) and returns true; false (the default) when it has no JSON form, and
    /// its [`HostObject::render`] text is used.
    fn write_json(&self, out: &mut String) -> bool {
        let _ = out;
        false
    }
    /// The printing fast path of `$obj.name`: when the property is a string, number or
    /// boolean, appends it as the template would print it and returns true; otherwise
    /// (null, a list, a map, an object, or no fast path: the default) appends nothing and
    /// returns false, and the engine takes the general path.
    fn print_leaf(&self, name: &str, out: &mut String) -> bool {
        let _ = (name, out);
        false
    }
    /// `$obj.a.b`: the value the property names in `path` (two or more) reach from this
    /// object, when the object finds it without making the objects on the way (a view over
    /// nested data does); `None` (the default) to have the engine read property by property.
    /// Must give what reading the properties one by one would.
    fn property_path(&self, path: &[&str]) -> Option<Value> {
        let _ = path;
        None
    }
    /// The printing fast path of `$obj.a.b.key`, with `path` the names before `key`:
    /// as [`HostObject::print_leaf`] for the object the names reach, without making the
    /// objects on the way. The default prints nothing and returns false (the engine then
    /// reads property by property).
    fn print_leaf_path(&self, path: &[&str], key: &str, out: &mut String) -> bool {
        let _ = (path, key, out);
        false
    }
    /// The printing fast path of `$obj.method(args)`: either appends the result as the
    /// template would print it, when it is a non-null string, and returns `Ok(None)`; or
    /// appends nothing and returns the result, which the engine prints the general way.
    /// The default hands back [`HostObject::call`]'s result.
    ///
    /// The engine takes this path only for a method it would hand to `call` (not
    /// `toString`, `equals` or a `getX()` getter) on an object with no plain value
    /// ([`HostObject::as_plain`] is `None`), so an override must return what `call` returns.
    fn print_call(
        &self,
        method: &str,
        args: &[Value],
        out: &mut String,
        cx: &mut Cx<'_>,
    ) -> Result<Option<Value>, EvalError> {
        let _ = out;
        self.call(method, args, cx).map(Some)
    }
}

/// `v`, or the plain value a lazy view in `v` stands for ([`HostObject::as_plain`]).
pub(crate) fn plain(v: &Value) -> std::borrow::Cow<'_, Value> {
    match v {
        Value::Object(o) => match o.as_plain() {
            Some(p) => std::borrow::Cow::Owned(p),
            None => std::borrow::Cow::Borrowed(v),
        },
        _ => std::borrow::Cow::Borrowed(v),
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<Str>) -> Value {
        Value::String(s.into())
    }

    /// A new list holding these items.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }

    /// A new map holding these entries, in this order.
    pub fn map(entries: IndexMap<String, Value>) -> Value {
        Value::Map(Map::new(entries))
    }

    /// A host object (one of this crate's: `Input`, `ContextObject`, ...).
    pub fn object(obj: impl HostObject + 'static) -> Value {
        Value::Object(Object(Rc::new(obj)))
    }

    /// A host object already shared.
    pub(crate) fn shared(obj: Rc<dyn HostObject>) -> Value {
        Value::Object(Object(obj))
    }

    /// Converts JSON as Java's JSON libraries would hand it to a template: objects become
    /// maps (order kept), arrays lists, integers `Int` (beyond `i64`, `Float`), other numbers
    /// `Float`.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON: lists to arrays, maps to objects, host objects to their rendering
    /// as a string, non-finite doubles to null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::List(l) => {
                serde_json::Value::Array(l.borrow().iter().map(Value::to_json).collect())
            }
            Value::Map(m) => serde_json::Value::Object(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Value::Object(o) => match o.as_plain() {
                Some(p) => p.to_json(),
                None => serde_json::Value::String(o.render()),
            },
        }
    }

    /// True for `Value::Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an `Int`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The boolean, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The list, if this is a `List`.
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The map, if this is a `Map`.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The Java type name, for error messages (`String`, `Integer`, `ArrayList`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Float(_) => "Double",
            Value::String(_) => "String",
            Value::List(_) => "ArrayList",
            Value::Map(_) => "LinkedHashMap",
            Value::Object(_) => "Object",
        }
    }

    /// Appends the value as Java's `toString()` prints it: `[a, b]` for lists, `{k=v}` for
    /// maps, `1.0` / `1.0E10` for doubles, `null` for null.
    pub fn write_java(&self, out: &mut String) {
        crate::java::format::write_value(self, out);
    }

    /// The value as Java's `toString()` prints it (see [`Value::write_java`]).
    pub fn to_java_string(&self) -> String {
        let mut s = String::new();
        self.write_java(&mut s);
        s
    }
}

impl fmt::Display for Value {
    /// As Java's `toString()` (see [`Value::write_java`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_java_string())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::List(l) => f.debug_tuple("List").field(&*l.borrow()).finish(),
            Value::Map(m) => f.debug_tuple("Map").field(&*m.borrow()).finish(),
            Value::Object(o) => write!(f, "Object({:?})", o.render()),
        }
    }
}

impl PartialEq for Value {
    /// Structural equality for data; identity for host objects; `Int(1) == Float(1.0)`.
    fn eq(&self, other: &Value) -> bool {
        if let (Value::Object(_), _) | (_, Value::Object(_)) = (self, other) {
            let (a, b) = (plain(self), plain(other));
            if matches!(a, std::borrow::Cow::Owned(_)) || matches!(b, std::borrow::Cow::Owned(_)) {
                return *a == *b;
            }
        }
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                (*a as f64) == *b
            }
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a.ptr_eq(b) || *a.borrow() == *b.borrow(),
            (Value::Map(a), Value::Map(b)) => a.ptr_eq(b) || *a.borrow() == *b.borrow(),
            (Value::Object(a), Value::Object(b)) => a.ptr_eq(b),
            _ => false,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i64::from(i))
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}
impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::list(items)
    }
}
impl From<IndexMap<String, Value>> for Value {
    fn from(entries: IndexMap<String, Value>) -> Value {
        Value::map(entries)
    }
}
impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        Value::from_json(v)
    }
}

/// The root variables of one render: name -> value (`$input`, `$util`, `$context`, ...).
///
/// `#set($name = ...)` in a template never changes the scope: each render starts from it
/// afresh. Lists and maps are shared as Java references are, so a template that calls
/// `$map.put(...)` or sets `$map.key` changes the map the scope holds.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Name and value pairs: a scope holds a handful of root objects, and each render looks
    /// every name of its template up once, so a scan beats hashing here.
    vars: Vec<(std::borrow::Cow<'static, str>, Value)>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Scope {
        Scope::default()
    }

    /// Sets (or replaces) a root variable; `name` is without the `$`.
    pub fn set(&mut self, name: &str, value: Value) {
        match self.vars.iter_mut().find(|(n, _)| &**n == name) {
            Some((_, v)) => *v = value,
            None => self.vars.push((name.to_owned().into(), value)),
        }
    }

    /// [`Scope::set`] for a name known when compiling, which is then not copied.
    pub(crate) fn set_static(&mut self, name: &'static str, value: Value) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.vars.push((name.into(), value)),
        }
    }

    /// An empty scope with room for `n` variables.
    pub(crate) fn with_capacity(n: usize) -> Scope {
        Scope {
            vars: Vec::with_capacity(n),
        }
    }

    /// The variable's value, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }
}
