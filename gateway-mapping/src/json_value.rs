//! JSON and template values: JSON converted into the values `$input.path` and
//! `$util.parseJson` hand a template ([`json_to_value`], [`JsonArray`]), and template values
//! printed back as JSON ([`write_json`], [`write_serde_json`], [`write_compact_json`]).
//!
//! The shared ground of `$input` (`crate::input`), its lazy views (`crate::json_view`) and
//! `$util` (`crate::util`): it depends on none of them.

use serde_json::Value as Json;

use crate::error::EvalError;
use crate::escape::{Escaped, HexCase, escape_into};
use crate::java::methods;
use crate::limits::MAX_OUTPUT_BYTES;
use crate::render::Meter;
use crate::value::{Cx, HostObject, Value};

/// Converts JSON the way `$input.path` (and `$util.parseJson`) hand it to a template, which
/// matches what real API Gateway prints (localstack `test_input_path_template_formatting`
/// recordings): objects become maps that print Java-style as `{k=v}`, arrays become lists
/// that print as compact JSON (`[{"foo":"bar"}]`, also inside a map: `{foo=[1,2]}`), strings,
/// numbers and booleans their Java counterparts.
pub fn json_to_value(v: &Json) -> Value {
    match v {
        Json::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        ),
        Json::Array(a) => Value::object(JsonArray {
            items: Value::list(a.iter().map(json_to_value).collect()),
        }),
        other => Value::from_json(other),
    }
}

/// `io::Write` into a `String`, so serde_json's byte writer (its fast path: the `Display`
/// form goes through the formatting machinery token by token) appends straight to the output.
/// serde_json writes whole tokens, and string contents in runs split only before escaped
/// ASCII characters, so every chunk is UTF-8 on its own; a chunk that were not would be
/// refused, not copied.
struct StringWriter<'a>(&'a mut String);

impl std::io::Write for StringWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = std::str::from_utf8(buf)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        self.0.push_str(text);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Appends `v` as serde_json's compact JSON.
pub(crate) fn write_compact_json(v: &Json, out: &mut String) {
    let start = out.len();
    if serde_json::to_writer(StringWriter(out), v).is_err() {
        out.truncate(start);
        out.push_str(&v.to_string());
    }
}

/// Deepest nesting [`write_serde_json`] follows. Parsed bodies nest at most 128 levels
/// (serde_json's limit); only a template that makes a list contain itself goes deeper, and
/// that is cut off here instead of recursing until the stack overflows (output is also cut
/// off past [`MAX_OUTPUT_BYTES`], so a list holding itself several times stays cheap).
const MAX_JSON_WRITE_DEPTH: usize = 256;

/// Appends `v` as serde_json prints the same JSON compactly (what `$input.json` gives when
/// it queries the parsed body): numbers in serde_json's form, strings JSON-escaped.
pub(crate) fn write_serde_json(v: &Value, out: &mut String, open: &mut Vec<usize>) {
    if out.len() > MAX_OUTPUT_BYTES {
        return;
    }
    if open.len() > MAX_JSON_WRITE_DEPTH {
        out.push_str("null");
        return;
    }
    match v {
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => out.push_str(&n.to_string()),
            None => out.push_str("null"),
        },
        Value::Map(m) => {
            if m.try_borrow_mut().is_err() {
                out.push_str("(this Map)");
                return;
            }
            let Ok(entries) = m.try_borrow() else {
                return;
            };
            open.push(m.as_ptr() as usize);
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_serde_json(item, out, open);
            }
            out.push('}');
            open.pop();
        }
        Value::Object(o) if o.as_plain().is_some() => {
            if let Some(p) = o.as_plain() {
                write_serde_json(&p, out, open);
            }
        }
        Value::Object(o) => {
            // A list object already open further up holds itself.
            let id = o.as_ptr() as usize;
            if open.contains(&id) {
                out.push_str("(this Collection)");
                return;
            }
            match o.iterate() {
                Some(items) => {
                    open.push(id);
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write_serde_json(item, out, open);
                    }
                    out.push(']');
                    open.pop();
                }
                None => write_json_string(&o.render(), out),
            }
        }
        other => write_json(other, out),
    }
}

/// A JSON array from `$input.path` / `$util.parseJson`: a list in every respect (`size()`,
/// `get(i)`, `[i]`, `#foreach`, `contains`, `add`, ...) that prints as compact JSON.
pub(crate) struct JsonArray {
    /// Always a `Value::List`.
    pub(crate) items: Value,
}

impl HostObject for JsonArray {
    fn property(&self, name: &str, meter: &mut Meter) -> Result<Value, EvalError> {
        methods::property(&self.items, name, meter)
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        // `$list[-1]` reaches a host object as `get(-1)`; Velocity 1.7's ASTIndex counts a
        // negative index from the end of a List, so do that here (a template relying on
        // `get(-1)` throwing would not work on API Gateway anyway).
        if let ("get", [Value::Int(i)], Some(list)) = (method, args, self.items.as_list())
            && *i < 0
        {
            let len = list.borrow().len() as i64;
            return methods::call(&self.items, method, &[Value::Int(i + len)], cx);
        }
        methods::call(&self.items, method, args, cx)
    }

    fn render(&self) -> String {
        let mut out = String::new();
        write_json(&self.items, &mut out);
        out
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        self.items.as_list().map(|l| l.borrow().clone())
    }

    /// A JSON array has a JSON form: its own rendering.
    fn write_json(&self, out: &mut String) -> bool {
        write_json(&self.items, out);
        true
    }

    fn set_property(&self, name: &str, value: Value) -> Result<(), EvalError> {
        let (Some(list), Ok(i)) = (self.items.as_list(), name.parse::<i64>()) else {
            return Ok(());
        };
        let mut list = list.borrow_mut();
        let len = list.len() as i64;
        let j = if i < 0 { i + len } else { i };
        match usize::try_from(j).ok().and_then(|j| list.get_mut(j)) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(EvalError::new(format!(
                "index {i} out of bounds for a list of {len} items"
            ))),
        }
    }
}

/// Appends `v` as compact JSON the way json-smart (the library behind API Gateway's
/// JSONPath) prints it: numbers as Java prints them, strings JSON-escaped, maps as objects,
/// nested arrays (host objects) through their own rendering.
pub(crate) fn write_json(v: &Value, out: &mut String) {
    // A value shared many times over (a list holding itself twice, nested) prints
    // exponentially; stop once past the output limit, which the engine then reports.
    if out.len() > MAX_OUTPUT_BYTES {
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => v.write_java(out),
        Value::String(s) => write_json_string(s, out),
        Value::List(l) => {
            // A list already being printed (it is borrowed further up) contains itself:
            // print it as Java's AbstractCollection does, instead of recursing forever.
            if l.try_borrow_mut().is_err() {
                out.push_str("(this Collection)");
                return;
            }
            let Ok(items) = l.try_borrow() else {
                return;
            };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            if m.try_borrow_mut().is_err() {
                out.push_str("(this Map)");
                return;
            }
            let Ok(entries) = m.try_borrow() else {
                return;
            };
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
        Value::Object(o) => {
            if !o.write_json(out) {
                out.push_str(&o.render());
            }
        }
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    escape_into(s, out, HexCase::Lower, |c| {
        Some(match c {
            '"' => Escaped::As("\\\""),
            '\\' => Escaped::As("\\\\"),
            '\n' => Escaped::As("\\n"),
            '\r' => Escaped::As("\\r"),
            '\t' => Escaped::As("\\t"),
            '\u{8}' => Escaped::As("\\b"),
            '\u{c}' => Escaped::As("\\f"),
            c if (c as u32) < 0x20 => Escaped::Unicode,
            _ => return None,
        })
    });
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn json_strings_are_written_as_serde_json_writes_them(
            s in "(\\PC|[ '\"\\\\/\\x00-\\x1f\\x7f]|[a-z]{1,5}){0,30}",
        ) {
            let mut out = String::new();
            write_json_string(&s, &mut out);
            prop_assert_eq!(out, serde_json::to_string(&s).expect("a string serialises"));
        }

        #[test]
        fn compact_json_is_appended_as_serde_json_writes_it(
            key in "(\\PC|[\"\\\\\\x00-\\x1f]){0,8}",
            text in "(\\PC|[ '\"\\\\/\\x00-\\x1f\\x7f]|[a-z]{1,5}){0,30}",
            n in any::<i64>(),
            f in any::<f64>(),
        ) {
            let v = serde_json::json!({key.clone(): [text.clone(), n, f, null, true, {"k": text}]});
            let mut out = String::from("prefix ");
            write_compact_json(&v, &mut out);
            prop_assert_eq!(out, format!("prefix {}", serde_json::to_string(&v).expect("serialises")));
        }
    }
}
