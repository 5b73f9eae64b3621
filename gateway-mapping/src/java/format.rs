//! How Java's `toString()` prints values: `[a, b]`, `{k=v}`, `1.0`, `1.0E10`, `null`.

use crate::value::Value;

/// Appends `v` as Java's `String.valueOf(v)` prints it.
pub(crate) fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => write_int(*i, out),
        Value::Float(f) => write_double(*f, out),
        Value::String(s) => out.push_str(s),
        Value::List(l) => {
            out.push('[');
            // A list that contains itself prints "(this Collection)" in Java.
            let Ok(items) = l.try_borrow() else {
                out.push_str("(this Collection)]");
                return;
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match item {
                    Value::List(inner) if std::rc::Rc::ptr_eq(inner, l) => {
                        out.push_str("(this Collection)")
                    }
                    _ => write_value(item, out),
                }
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            let Ok(entries) = m.try_borrow() else {
                out.push_str("(this Map)}");
                return;
            };
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                match item {
                    Value::Map(inner) if std::rc::Rc::ptr_eq(inner, m) => {
                        out.push_str("(this Map)")
                    }
                    _ => write_value(item, out),
                }
            }
            out.push('}');
        }
        Value::Object(o) => out.push_str(&o.render()),
    }
}

/// Appends an integer in decimal.
pub(crate) fn write_int(i: i64, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "{i}");
}

/// Appends a double as Java's `Double.toString`: plain decimal with at least one fractional
/// digit when `1e-3 <= |d| < 1e7`, otherwise computerized scientific notation (`1.0E10`,
/// `1.5E-4`); shortest digits that round-trip.
pub(crate) fn write_double(d: f64, out: &mut String) {
    use std::fmt::Write;
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_infinite() {
        out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if d == 0.0 {
        out.push_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    let abs = d.abs();
    if d < 0.0 {
        out.push('-');
    }
    if (1e-3..1e7).contains(&abs) {
        let start = out.len();
        let _ = write!(out, "{abs}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
        return;
    }
    let sci = format!("{abs:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    out.push_str(mantissa);
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    out.push('E');
    out.push_str(exp);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn double(d: f64) -> String {
        let mut s = String::new();
        write_double(d, &mut s);
        s
    }

    #[test]
    fn doubles_print_as_java_double_to_string() {
        // Java SE Double.toString(double) javadoc: decimal between 10^-3 and 10^7, otherwise
        // "computerized scientific notation" with at least one digit after the point.
        assert_eq!(double(1.0), "1.0");
        assert_eq!(double(-2.5), "-2.5");
        assert_eq!(double(0.001), "0.001");
        assert_eq!(double(0.0001), "1.0E-4");
        assert_eq!(double(1234567.0), "1234567.0");
        assert_eq!(double(12345678.0), "1.2345678E7");
        assert_eq!(double(1e10), "1.0E10");
        assert_eq!(double(0.0), "0.0");
        assert_eq!(double(-0.0), "-0.0");
        assert_eq!(double(f64::NAN), "NaN");
        assert_eq!(double(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(double(0.1 + 0.2), "0.30000000000000004");
    }
}
