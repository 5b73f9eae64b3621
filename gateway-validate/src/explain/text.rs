//! How fge prints values inside its messages: Jackson's compact JSON, with numbers written the
//! way Java writes them (`1.0E10`, `2.5`, `100`).

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// Java's `Double.toString`: plain notation with at least one fractional digit between 10^-3
/// and 10^7, computerized scientific notation (`1.0E10`, `1.5E-5`) outside.
pub(crate) fn java_double(d: f64) -> String {
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        let mut s = format!("{d}");
        if !s.contains('.') {
            s.push_str(".0");
        }
        s
    } else {
        let s = format!("{d:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_owned()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}

/// A JSON number as Jackson prints it.
pub(crate) fn number(n: &Number) -> String {
    if n.is_f64() {
        n.as_f64().map(java_double).unwrap_or_else(|| n.to_string())
    } else {
        n.to_string()
    }
}

/// A JSON value as Jackson's `JsonNode.toString()` prints it: compact, strings escaped.
pub(crate) fn json(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{}:", Value::String(k.clone()));
                write_json(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A list of names as a JSON array of strings: `["a","b"]`.
pub(crate) fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from("[");
    for (i, n) in names.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(n.to_owned()).to_string());
    }
    out.push(']');
    out
}

/// fge's name for an instance's type.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doubles_print_like_java() {
        // Java's Double.toString contract (java.lang.Double javadoc): plain in [1e-3, 1e7),
        // scientific with a mandatory fractional digit outside.
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(2.5), "2.5");
        assert_eq!(java_double(1e10), "1.0E10");
        assert_eq!(java_double(1.5e-5), "1.5E-5");
        assert_eq!(java_double(1234567.0), "1234567.0");
        assert_eq!(java_double(12345678.0), "1.2345678E7");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(-0.0), "-0.0");
    }

    #[test]
    fn json_is_compact_with_java_numbers() {
        assert_eq!(
            json(&json!({"a": [1, 2.0, "x\"y"], "b": null})),
            r#"{"a":[1,2.0,"x\"y"],"b":null}"#
        );
        assert_eq!(names(["a", "b"]), r#"["a","b"]"#);
    }

    #[test]
    fn type_names_follow_jackson_node_types() {
        assert_eq!(type_name(&json!(1)), "integer");
        assert_eq!(type_name(&json!(1.0)), "number");
        assert_eq!(type_name(&json!("1")), "string");
    }
}
