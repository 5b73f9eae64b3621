//! The methods and properties templates call on values, as the Java classes behind them
//! behave (`java.lang.String`, `java.util.ArrayList`, `java.util.LinkedHashMap`, boxed
//! numbers), and Velocity's property lookup (`$map.key`, `$list.empty`).
//!
//! A method Java does not have, or arguments of the wrong types, give `Null`, as Velocity
//! does when it finds no method; an exception Java would throw (an index out of bounds,
//! a bad regular expression) is an [`EvalError`].

use std::cmp::Ordering;

use indexmap::IndexMap;

use crate::error::EvalError;
use crate::java::regex;
use crate::limits::{
    MAX_COLLECTION_LEN, MAX_VALUE_LEN, REGEX_COMPILE_STEPS, REGEX_COMPILE_STEPS_PER_BYTE,
};
use crate::ops;
use crate::render::Meter;
use crate::value::{Cx, HostObject, Str, Value};

/// `$value.name`: map key, host property, or a Java getter Velocity would find.
pub(crate) fn property(v: &Value, name: &str, meter: &mut Meter) -> Result<Value, EvalError> {
    match v {
        Value::Map(m) => Ok(map_get(&m.borrow(), name)),
        Value::Object(o) => o.property(name, meter),
        Value::List(l) if name == "empty" => Ok(Value::Bool(l.borrow().is_empty())),
        Value::String(s) if name == "empty" => Ok(Value::Bool(s.is_empty())),
        Value::String(s) if name == "bytes" => {
            if s.len() > MAX_COLLECTION_LEN {
                return Err(EvalError::limit(format!(
                    "a string of {} bytes is too long for .bytes (the collection size limit is \
                     {MAX_COLLECTION_LEN})",
                    s.len()
                )));
            }
            Ok(Value::list(
                s.bytes().map(|b| Value::Int(i64::from(b as i8))).collect(),
            ))
        }
        _ => Ok(Value::Null),
    }
}

/// `$value[index]`: list position (negative counts from the end, as Velocity 1.7's
/// ASTIndex does) or map key.
pub(crate) fn index(v: &Value, idx: &Value, meter: &mut Meter) -> Result<Value, EvalError> {
    match v {
        Value::List(l) => {
            let l = l.borrow();
            let Some(i) = ops::to_int(idx) else {
                return Err(EvalError::new(format!(
                    "list index must be a number, found {}",
                    idx.type_name()
                )));
            };
            let len = l.len() as i64;
            let j = if i < 0 { i + len } else { i };
            if j < 0 || j >= len {
                return Err(EvalError::new(format!(
                    "index {i} out of bounds for a list of {len} items"
                )));
            }
            Ok(l[j as usize].clone())
        }
        Value::Map(m) => Ok(map_get(&m.borrow(), &key(idx))),
        Value::Object(o) => match idx {
            Value::String(s) => o.property(s, meter),
            _ => o.call("get", std::slice::from_ref(idx), &mut Cx::new(meter)),
        },
        _ => Ok(Value::Null),
    }
}

/// Maps up to this size are searched by scanning their keys: faster than hashing the key
/// for the small JSON objects templates read (measured on the 1,000-item bench template).
const SCAN_MAX: usize = 8;

/// The value under `key`, if present.
pub(crate) fn map_entry<'m>(m: &'m IndexMap<String, Value>, key: &str) -> Option<&'m Value> {
    if m.len() <= SCAN_MAX {
        m.iter().find(|(k, _)| short_eq(k, key)).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

/// String equality for the short keys of template maps, compared in line: scanning a
/// small map calls this once per key, and most keys differ in length or first byte.
#[inline]
pub(crate) fn short_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// `map.get(key)`, or `Null` when absent.
fn map_get(m: &IndexMap<String, Value>, key: &str) -> Value {
    map_entry(m, key).cloned().unwrap_or(Value::Null)
}

/// A map key from any value (maps here have string keys).
pub(crate) fn key(v: &Value) -> Str {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_java_string().into(),
    }
}

/// Whether [`call`] hands `$obj.name(..)` with `argc` arguments on a host object to the
/// object's own [`crate::value::HostObject::call`] (it answers `toString`, `equals` and
/// `getX()` getters itself).
pub(crate) fn reaches_host_call(name: &str, argc: usize) -> bool {
    let answered_here = matches!((name, argc), ("toString", 0) | ("equals", 1))
        || (argc == 0 && name.len() > 3 && name.starts_with("get"));
    !answered_here
}

/// `$value.method(args)`.
pub(crate) fn call(
    v: &Value,
    name: &str,
    args: &[Value],
    cx: &mut Cx<'_>,
) -> Result<Value, EvalError> {
    if let Value::Object(o) = v
        && let Some(p) = o.as_plain()
    {
        return call(&p, name, args, cx);
    }
    // Methods every object has.
    match (name, args) {
        ("toString", []) => {
            let s = v.to_java_string();
            too_long(s.len())?;
            return Ok(Value::string(s));
        }
        ("equals", [o]) => return Ok(Value::Bool(java_equals(v, o))),
        ("getClass", []) if !matches!(v, Value::Object(_)) => {
            return Ok(Value::string(format!("class {}", java_class(v))));
        }
        _ => {}
    }
    match v {
        Value::String(s) => string_method(s, name, args, cx),
        Value::List(_) => list_method(v, name, args),
        Value::Map(_) => map_method(v, name, args),
        Value::Object(o) => {
            if let Some(prop) = name
                .strip_prefix("get")
                .filter(|p| !p.is_empty() && args.is_empty())
            {
                {
                    let mut p = String::with_capacity(prop.len());
                    let mut chars = prop.chars();
                    if let Some(c) = chars.next() {
                        p.extend(c.to_lowercase());
                    }
                    p.push_str(chars.as_str());
                    return o.property(&p, cx.meter);
                }
            }
            o.call(name, args, cx)
        }
        Value::Int(_) | Value::Float(_) => number_method(v, name, args),
        Value::Bool(b) => Ok(match (name, args) {
            ("booleanValue", []) => Value::Bool(*b),
            ("hashCode", []) => Value::Int(if *b { 1231 } else { 1237 }),
            _ => Value::Null,
        }),
        Value::Null => Ok(Value::Null),
    }
}

fn java_class(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::Int(i) if i32::try_from(*i).is_ok() => "java.lang.Integer",
        Value::Int(_) => "java.lang.Long",
        Value::Float(_) => "java.lang.Double",
        Value::String(_) => "java.lang.String",
        Value::List(_) => "java.util.ArrayList",
        Value::Map(_) => "java.util.LinkedHashMap",
        Value::Object(_) => "java.lang.Object",
    }
}

/// Java `a.equals(b)`: same type and value (an Integer never equals a Double).
fn java_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(_), Value::Float(_)) | (Value::Float(_), Value::Int(_)) => false,
        _ => a == b,
    }
}

fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

fn str_arg(v: &Value) -> Option<&str> {
    v.as_str()
}

fn too_long(len: usize) -> Result<(), EvalError> {
    if len > MAX_VALUE_LEN {
        return Err(EvalError::limit(format!(
            "a string of {len} bytes exceeds the value size limit of {MAX_VALUE_LEN}"
        )));
    }
    Ok(())
}

/// A string as Java sees it: UTF-16 code units.
struct Utf16<'a> {
    s: &'a str,
    units: Option<Vec<u16>>,
}

impl<'a> Utf16<'a> {
    fn new(s: &'a str) -> Self {
        let units = (!s.is_ascii()).then(|| s.encode_utf16().collect());
        Utf16 { s, units }
    }
    fn len(&self) -> usize {
        self.units.as_ref().map_or(self.s.len(), Vec::len)
    }
    fn slice(&self, from: usize, to: usize) -> String {
        match &self.units {
            None => self.s[from..to].to_owned(),
            Some(u) => String::from_utf16_lossy(&u[from..to]),
        }
    }
    /// UTF-16 index of a byte offset.
    fn index_of_byte(&self, byte: usize) -> usize {
        match &self.units {
            None => byte,
            Some(_) => self.s[..byte].encode_utf16().count(),
        }
    }
    /// Byte offset of a UTF-16 index (rounded down to a character boundary).
    fn byte_of_index(&self, idx: usize) -> usize {
        match &self.units {
            None => idx.min(self.s.len()),
            Some(_) => {
                let mut n = 0;
                for (b, c) in self.s.char_indices() {
                    if n >= idx {
                        return b;
                    }
                    n += c.len_utf16();
                }
                self.s.len()
            }
        }
    }
}

fn out_of_bounds(what: &str, detail: String) -> EvalError {
    EvalError::new(format!("{what}: {detail}"))
}

/// Java's `String.hashCode`.
fn string_hash(s: &str) -> i64 {
    let mut h: i32 = 0;
    for u in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(i32::from(u));
    }
    i64::from(h)
}

/// Java's `String.trim`: strips characters up to U+0020 from both ends.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

fn string_method(s: &Str, name: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
    let sv = |x: String| -> Result<Value, EvalError> {
        too_long(x.len())?;
        Ok(Value::string(x))
    };
    Ok(match (name, args) {
        ("length", []) => Value::Int(Utf16::new(s).len() as i64),
        ("isEmpty", []) => Value::Bool(s.is_empty()),
        ("isBlank", []) => Value::Bool(s.chars().all(char::is_whitespace)),
        ("trim", []) => Value::string(java_trim(s)),
        ("strip", []) => Value::string(s.trim()),
        ("toLowerCase", []) => Value::string(s.to_lowercase()),
        ("toUpperCase", []) => Value::string(s.to_uppercase()),
        ("hashCode", []) => Value::Int(string_hash(s)),
        ("intern", []) => Value::String(s.clone()),
        ("substring", [b]) | ("substring", [b, _]) => {
            let u = Utf16::new(s);
            let len = u.len() as i64;
            let Some(begin) = int_arg(b) else {
                return Ok(Value::Null);
            };
            let end = match args.get(1) {
                Some(e) => match int_arg(e) {
                    Some(e) => e,
                    None => return Ok(Value::Null),
                },
                None => len,
            };
            if begin < 0 || end > len || begin > end {
                return Err(out_of_bounds(
                    "StringIndexOutOfBoundsException",
                    format!("begin {begin}, end {end}, length {len}"),
                ));
            }
            Value::string(u.slice(begin as usize, end as usize))
        }
        ("charAt", [i]) => {
            let u = Utf16::new(s);
            let Some(i) = int_arg(i) else {
                return Ok(Value::Null);
            };
            if i < 0 || i >= u.len() as i64 {
                return Err(out_of_bounds(
                    "StringIndexOutOfBoundsException",
                    format!("index {i}, length {}", u.len()),
                ));
            }
            Value::string(u.slice(i as usize, i as usize + 1))
        }
        ("indexOf", [t]) | ("indexOf", [t, _]) | ("lastIndexOf", [t]) | ("lastIndexOf", [t, _]) => {
            let Some(t) = str_arg(t) else {
                return Ok(Value::Null);
            };
            let u = Utf16::new(s);
            let from = match args.get(1) {
                Some(f) => match int_arg(f) {
                    Some(f) => Some(f),
                    None => return Ok(Value::Null),
                },
                None => None,
            };
            let found = if name == "indexOf" {
                let start = from.unwrap_or(0).clamp(0, u.len() as i64) as usize;
                let b = u.byte_of_index(start);
                s[b..].find(t).map(|i| u.index_of_byte(b + i))
            } else {
                let end = match from {
                    None => s.len(),
                    Some(f) if f < 0 => return Ok(Value::Int(-1)),
                    Some(f) => {
                        let b = u.byte_of_index(f as usize);
                        (b + t.len()).min(s.len())
                    }
                };
                let end = (0..=end)
                    .rev()
                    .find(|&e| s.is_char_boundary(e))
                    .unwrap_or(0);
                s[..end].rfind(t).map(|i| u.index_of_byte(i))
            };
            Value::Int(found.map_or(-1, |i| i as i64))
        }
        ("contains", [t]) => match str_arg(t) {
            Some(t) => Value::Bool(s.contains(t)),
            None => Value::Null,
        },
        ("startsWith", [t]) => match str_arg(t) {
            Some(t) => Value::Bool(s.starts_with(t)),
            None => Value::Null,
        },
        ("startsWith", [t, off]) => match (str_arg(t), int_arg(off)) {
            (Some(t), Some(off)) => {
                let u = Utf16::new(s);
                if off < 0 || off > u.len() as i64 {
                    Value::Bool(false)
                } else {
                    Value::Bool(s[u.byte_of_index(off as usize)..].starts_with(t))
                }
            }
            _ => Value::Null,
        },
        ("endsWith", [t]) => match str_arg(t) {
            Some(t) => Value::Bool(s.ends_with(t)),
            None => Value::Null,
        },
        ("equalsIgnoreCase", [t]) => {
            Value::Bool(str_arg(t).is_some_and(|t| t.to_lowercase() == s.to_lowercase()))
        }
        ("compareTo", [t]) => match str_arg(t) {
            Some(t) => Value::Int(compare_utf16(s, t)),
            None => Value::Null,
        },
        ("compareToIgnoreCase", [t]) => match str_arg(t) {
            Some(t) => Value::Int(compare_utf16(&s.to_lowercase(), &t.to_lowercase())),
            None => Value::Null,
        },
        ("concat", [t]) => match str_arg(t) {
            Some(t) => sv(format!("{s}{t}"))?,
            None => Value::Null,
        },
        ("repeat", [n]) => match int_arg(n) {
            Some(n) if n >= 0 => {
                too_long(s.len().saturating_mul(n as usize))?;
                Value::string(s.repeat(n as usize))
            }
            Some(n) => return Err(EvalError::new(format!("count is negative: {n}"))),
            None => Value::Null,
        },
        ("replace", [a, b]) => match (str_arg(a), str_arg(b)) {
            (Some(a), Some(b)) => {
                // Size the result before building it: replacing with a long string could
                // otherwise allocate far past the limit before any check.
                let pieces = if a.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(a).count()
                };
                let removed = if a.is_empty() { 0 } else { pieces * a.len() };
                too_long((s.len() - removed).saturating_add(pieces.saturating_mul(b.len())))?;
                if a.is_empty() {
                    // Java inserts the replacement between every character and at both ends.
                    let mut out = String::from(b);
                    for c in s.chars() {
                        out.push(c);
                        out.push_str(b);
                    }
                    sv(out)?
                } else {
                    sv(s.replace(a, b))?
                }
            }
            _ => Value::Null,
        },
        ("replaceAll", [a, b]) | ("replaceFirst", [a, b]) => match (str_arg(a), str_arg(b)) {
            (Some(a), Some(b)) => {
                let pattern = pattern(a, false, cx)?;
                sv(regex::replace(
                    s,
                    pattern.get(),
                    b,
                    name == "replaceFirst",
                    cx.meter,
                )?)?
            }
            _ => Value::Null,
        },
        ("matches", [a]) => match str_arg(a) {
            Some(a) => {
                let pattern = pattern(a, true, cx)?;
                Value::Bool(regex::matches(s, pattern.get(), cx.meter)?)
            }
            None => Value::Null,
        },
        ("split", [a]) | ("split", [a, _]) => {
            let limit = match args.get(1) {
                Some(l) => match int_arg(l) {
                    Some(l) => l,
                    None => return Ok(Value::Null),
                },
                None => 0,
            };
            match str_arg(a) {
                Some(a) => Value::list(
                    regex::split(s, pattern(a, false, cx)?.get(), limit, cx.meter)?
                        .into_iter()
                        .map(Value::from)
                        .collect(),
                ),
                None => Value::Null,
            }
        }
        _ => Value::Null,
    })
}

/// Java's `String.compareTo`: by UTF-16 code units, difference of the first that differs,
/// else of the lengths.
fn compare_utf16(a: &str, b: &str) -> i64 {
    let mut ai = a.encode_utf16();
    let mut bi = b.encode_utf16();
    loop {
        match (ai.next(), bi.next()) {
            (Some(x), Some(y)) if x != y => return i64::from(x) - i64::from(y),
            (Some(_), Some(_)) => {}
            (Some(_), None) | (None, Some(_)) | (None, None) => {
                return a.encode_utf16().count() as i64 - b.encode_utf16().count() as i64;
            }
        }
    }
}

fn list_index(i: i64, len: usize, inclusive: bool) -> Result<usize, EvalError> {
    let ok = if inclusive {
        i <= len as i64
    } else {
        i < len as i64
    };
    if i < 0 || !ok {
        return Err(out_of_bounds(
            "IndexOutOfBoundsException",
            format!("Index: {i}, Size: {len}"),
        ));
    }
    Ok(i as usize)
}

fn list_method(v: &Value, name: &str, args: &[Value]) -> Result<Value, EvalError> {
    let Value::List(l) = v else {
        return Ok(Value::Null);
    };
    let grow_check = |n: usize| -> Result<(), EvalError> {
        if n > MAX_COLLECTION_LEN {
            return Err(EvalError::limit(format!(
                "a list of {n} items exceeds the collection size limit of {MAX_COLLECTION_LEN}"
            )));
        }
        Ok(())
    };
    Ok(match (name, args) {
        ("size", []) => Value::Int(l.borrow().len() as i64),
        ("isEmpty", []) => Value::Bool(l.borrow().is_empty()),
        ("get", [i]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Value::Null);
            };
            let l = l.borrow();
            l[list_index(i, l.len(), false)?].clone()
        }
        ("contains", [x]) => Value::Bool(l.borrow().iter().any(|y| java_equals(y, x))),
        ("indexOf", [x]) => Value::Int(
            l.borrow()
                .iter()
                .position(|y| java_equals(y, x))
                .map_or(-1, |i| i as i64),
        ),
        ("lastIndexOf", [x]) => Value::Int(
            l.borrow()
                .iter()
                .rposition(|y| java_equals(y, x))
                .map_or(-1, |i| i as i64),
        ),
        ("add", [x]) => {
            let x = x.clone();
            let mut l = l.borrow_mut();
            grow_check(l.len() + 1)?;
            l.push(x);
            Value::Bool(true)
        }
        ("add", [i, x]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Value::Null);
            };
            let x = x.clone();
            let mut l = l.borrow_mut();
            grow_check(l.len() + 1)?;
            let i = list_index(i, l.len(), true)?;
            l.insert(i, x);
            Value::Null
        }
        ("addAll", [Value::List(other)]) => {
            let items: Vec<Value> = other.borrow().clone();
            let mut l = l.borrow_mut();
            grow_check(l.len() + items.len())?;
            let changed = !items.is_empty();
            l.extend(items);
            Value::Bool(changed)
        }
        ("set", [i, x]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Value::Null);
            };
            let x = x.clone();
            let mut l = l.borrow_mut();
            let i = list_index(i, l.len(), false)?;
            std::mem::replace(&mut l[i], x)
        }
        ("remove", [Value::Int(i)]) => {
            let mut l = l.borrow_mut();
            let i = list_index(*i, l.len(), false)?;
            l.remove(i)
        }
        ("remove", [x]) => {
            let mut l = l.borrow_mut();
            match l.iter().position(|y| java_equals(y, x)) {
                Some(i) => {
                    l.remove(i);
                    Value::Bool(true)
                }
                None => Value::Bool(false),
            }
        }
        ("clear", []) => {
            l.borrow_mut().clear();
            Value::Null
        }
        ("subList", [a, b]) => {
            let (Some(a), Some(b)) = (int_arg(a), int_arg(b)) else {
                return Ok(Value::Null);
            };
            let l = l.borrow();
            let len = l.len();
            if a < 0 || b as usize > len || a > b {
                return Err(out_of_bounds(
                    "IndexOutOfBoundsException",
                    format!("fromIndex {a}, toIndex {b}, size {len}"),
                ));
            }
            Value::list(l[a as usize..b as usize].to_vec())
        }
        ("containsAll", [Value::List(other)]) => {
            let other = other.borrow().clone();
            let l = l.borrow();
            Value::Bool(other.iter().all(|x| l.iter().any(|y| java_equals(y, x))))
        }
        _ => Value::Null,
    })
}

fn map_method(v: &Value, name: &str, args: &[Value]) -> Result<Value, EvalError> {
    let Value::Map(m) = v else {
        return Ok(Value::Null);
    };
    Ok(match (name, args) {
        ("get", [k]) => map_get(&m.borrow(), &key(k)),
        ("getOrDefault", [k, d]) => m
            .borrow()
            .get(&*key(k))
            .cloned()
            .unwrap_or_else(|| d.clone()),
        ("put", [k, x]) => {
            let x = x.clone();
            let mut m = m.borrow_mut();
            if m.len() >= MAX_COLLECTION_LEN {
                return Err(EvalError::limit("map exceeds the value size limit"));
            }
            m.insert(key(k).to_string(), x).unwrap_or(Value::Null)
        }
        ("putIfAbsent", [k, x]) => {
            let x = x.clone();
            let mut m = m.borrow_mut();
            let k = key(k).to_string();
            match m.get(&k) {
                Some(old) if !old.is_null() => old.clone(),
                _ => {
                    m.insert(k, x);
                    Value::Null
                }
            }
        }
        ("putAll", [Value::Map(other)]) => {
            let entries: Vec<(String, Value)> = other
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut m = m.borrow_mut();
            if m.len() + entries.len() > MAX_COLLECTION_LEN {
                return Err(EvalError::limit(format!(
                    "a map of more than {MAX_COLLECTION_LEN} entries exceeds the collection size limit"
                )));
            }
            for (k, v) in entries {
                m.insert(k, v);
            }
            Value::Null
        }
        ("containsKey", [k]) => Value::Bool(m.borrow().contains_key(&*key(k))),
        ("containsValue", [x]) => Value::Bool(m.borrow().values().any(|y| java_equals(y, x))),
        ("keySet", []) => Value::list(
            m.borrow()
                .keys()
                .map(|k| Value::string(k.as_str()))
                .collect(),
        ),
        ("values", []) => Value::list(m.borrow().values().cloned().collect()),
        ("entrySet", []) => Value::list(
            m.borrow()
                .iter()
                .map(|(k, v)| {
                    Value::object(Entry {
                        key: Value::string(k.as_str()),
                        value: v.clone(),
                    })
                })
                .collect(),
        ),
        ("size", []) => Value::Int(m.borrow().len() as i64),
        ("isEmpty", []) => Value::Bool(m.borrow().is_empty()),
        ("remove", [k]) => m.borrow_mut().shift_remove(&*key(k)).unwrap_or(Value::Null),
        ("clear", []) => {
            m.borrow_mut().clear();
            Value::Null
        }
        _ => Value::Null,
    })
}

fn number_method(v: &Value, name: &str, args: &[Value]) -> Result<Value, EvalError> {
    let f = ops::to_f64(v).unwrap_or(0.0);
    Ok(match (name, args) {
        ("intValue", []) => Value::Int(i64::from(match v {
            Value::Int(i) => *i as i32,
            _ => f as i32,
        })),
        ("longValue", []) => Value::Int(match v {
            Value::Int(i) => *i,
            _ => f as i64,
        }),
        ("doubleValue", []) | ("floatValue", []) => Value::Float(f),
        ("isNaN", []) => Value::Bool(f.is_nan()),
        ("isInfinite", []) => Value::Bool(f.is_infinite()),
        ("compareTo", [o]) => match ops::compare(v, o) {
            Some(Ordering::Less) => Value::Int(-1),
            Some(Ordering::Equal) => Value::Int(0),
            Some(Ordering::Greater) => Value::Int(1),
            None => Value::Null,
        },
        ("hashCode", []) => match v {
            Value::Int(i) => Value::Int(i64::from((*i ^ (*i >> 32)) as i32)),
            _ => Value::Null,
        },
        _ => Value::Null,
    })
}

/// A `Map.Entry` from `entrySet()`: `$e.key`, `$e.value`, prints `key=value`.
struct Entry {
    key: Value,
    value: Value,
}

impl HostObject for Entry {
    fn property(&self, name: &str, _meter: &mut Meter) -> Result<Value, EvalError> {
        Ok(match name {
            "key" => self.key.clone(),
            "value" => self.value.clone(),
            _ => Value::Null,
        })
    }

    fn call(&self, method: &str, _args: &[Value], _cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        Ok(match method {
            "getKey" => self.key.clone(),
            "getValue" => self.value.clone(),
            _ => Value::Null,
        })
    }

    fn render(&self) -> String {
        format!("{}={}", self.key, self.value)
    }

    fn for_each_child(&self, f: &mut dyn FnMut(&Value)) {
        f(&self.key);
        f(&self.value);
    }
}

/// Builds a map from entries (used by map literals).
pub(crate) fn map_from(entries: Vec<(Str, Value)>) -> Value {
    let mut m = IndexMap::with_capacity(entries.len());
    for (k, v) in entries {
        m.insert(k.to_string(), v);
    }
    Value::map(m)
}

/// A regular expression argument: compiled with the template when it is a literal, or now.
enum PatternArg<'a> {
    Compiled(&'a regex::Pattern),
    Now(Box<regex::Pattern>),
}

impl PatternArg<'_> {
    fn get(&self) -> &regex::Pattern {
        match self {
            PatternArg::Compiled(p) => p,
            PatternArg::Now(p) => p,
        }
    }
}

/// The pattern `text` (the call's first argument; `whole` for `matches`).
/// Compiling one now is charged to the render ([`REGEX_COMPILE_STEPS`]).
fn pattern<'a>(text: &str, whole: bool, cx: &mut Cx<'a>) -> Result<PatternArg<'a>, EvalError> {
    match cx.literal.and_then(|l| l.pattern(whole)) {
        Some(p) => Ok(PatternArg::Compiled(p)),
        None => {
            cx.meter.spend(REGEX_COMPILE_STEPS.saturating_add(
                (text.len() as u64).saturating_mul(REGEX_COMPILE_STEPS_PER_BYTE),
            ))?;
            regex::Pattern::compile(text, whole).map(|p| PatternArg::Now(Box::new(p)))
        }
    }
}
