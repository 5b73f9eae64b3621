//! How Java's `toString()` prints values: `[a, b]`, `{k=v}`, `1.0`, `1.0E10`, `null`.

use crate::limits::MAX_VALUE_LEN;
use crate::value::Value;

/// Appends `v` as Java's `String.valueOf(v)` prints it, stopping early once more than
/// [`MAX_VALUE_LEN`] bytes were appended (a list holding the same large string a million
/// times must not be printed whole before any limit is checked): callers that must not
/// truncate check the appended length.
pub(crate) fn write_value(v: &Value, out: &mut String) {
    let cap = out.len().saturating_add(MAX_VALUE_LEN);
    write_capped(v, out, cap, 0);
}

/// Deepest nesting printed; deeper levels print as `...`. Templates cannot build values this
/// deep ([`crate::limits::MAX_VALUE_DEPTH`]); this guards against a value built by a host
/// deeper than that. The depth is a parameter, so nothing stays raised after a print, a
/// panic included. A host object prints itself ([`crate::value::HostObject::render`]) with
/// a count of its own: the objects and values a template can nest are bounded together when
/// stored (`MAX_VALUE_DEPTH`, counting objects' children), and JSON views by the parser's
/// nesting limit, so the recursion stays bounded across them.
const MAX_PRINT_DEPTH: usize = 2 * crate::limits::MAX_VALUE_DEPTH;

/// [`write_value`] up to an absolute length `cap` of `out`, `v` at nesting `depth`.
fn write_capped(v: &Value, out: &mut String, cap: usize, depth: usize) {
    if out.len() > cap {
        return;
    }
    if matches!(v, Value::List(_) | Value::Map(_) | Value::Object(_)) && depth >= MAX_PRINT_DEPTH {
        out.push_str("...");
    } else {
        write_one(v, out, cap, depth);
    }
}

/// One value, its items through [`write_capped`] one level deeper.
fn write_one(v: &Value, out: &mut String, cap: usize, depth: usize) {
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
                if out.len() > cap {
                    return;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                match item {
                    Value::List(inner) if inner.ptr_eq(l) => out.push_str("(this Collection)"),
                    _ => write_capped(item, out, cap, depth + 1),
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
                if out.len() > cap {
                    return;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                match item {
                    Value::Map(inner) if inner.ptr_eq(m) => out.push_str("(this Map)"),
                    _ => write_capped(item, out, cap, depth + 1),
                }
            }
            out.push('}');
        }
        Value::Object(o) => out.push_str(&o.render()),
    }
}

/// Appends an integer in decimal (through `itoa`, without the formatting machinery: this is
/// on the hot path of every template that prints numbers).
#[inline]
pub(crate) fn write_int(i: i64, out: &mut String) {
    out.push_str(itoa::Buffer::new().format(i));
}

/// Appends a JSON string, number or boolean as its template value prints ([`Value::from_json`]
/// then Java's `toString()`) and returns true; false (appending nothing) for null, an array
/// or an object, which print otherwise.
#[inline]
pub(crate) fn write_json_leaf(j: &serde_json::Value, out: &mut String) -> bool {
    match j {
        serde_json::Value::String(s) => out.push_str(s),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => write_json_number(n, out),
        _ => return false,
    }
    true
}

/// Appends a JSON number as its template value prints ([`Value::from_json`] then Java's
/// `toString()`): an integer within `i64` as one, anything else as a double.
#[inline]
fn write_json_number(n: &serde_json::Number, out: &mut String) {
    match n.as_i64() {
        Some(i) => write_int(i, out),
        None => write_double(n.as_f64().unwrap_or(f64::NAN), out),
    }
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
        if write_short_decimal(abs, out) {
            return;
        }
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

/// The fast path of [`write_double`] for `1e-3 <= d < 1e7`: when some `n / 10^k` with
/// `k <= 7` reads back as exactly `d`, the smallest such `k` gives the shortest digits that
/// round-trip, which is what `Double.toString` and Rust's `Display` both print. Returns false
/// (writing nothing) otherwise.
fn write_short_decimal(d: f64, out: &mut String) -> bool {
    let mut scale = 1.0f64;
    let mut pow: u64 = 1;
    for _ in 0..7 {
        scale *= 10.0;
        pow *= 10;
        let n = (d * scale).round();
        if n >= 9.0e15 {
            return false;
        }
        if n / scale == d {
            let n = n as u64;
            let mut digits = itoa::Buffer::new();
            out.push_str(digits.format(n / pow));
            out.push('.');
            // The fraction with its leading zeros: `pow + frac` has k + 1 digits, the first
            // a `1`. The smallest k has no trailing zero, except `x.0` at k = 1.
            let frac = digits.format(pow + n % pow);
            out.push_str(frac.get(1..).unwrap_or("0"));
            return true;
        }
    }
    false
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

    #[test]
    fn the_short_decimal_path_agrees_with_the_general_one() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut samples = vec![1.5, 2.0, 0.001, 0.05, 249.99, 1234567.5, 9999999.9999999];
        for i in 0..20_000 {
            // xorshift: spread over [1e-3, 1e7) with few and many digits.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            let v = 1e-3 + unit * 1e7;
            samples.push(v);
            samples.push((v * 100.0).round() / 100.0);
            samples.push(f64::from(i) + 0.5);
            samples.push(f64::from(i) / 1000.0 + 0.001);
        }
        for v in samples {
            if !(1e-3..1e7).contains(&v) {
                continue;
            }
            let mut fast = String::new();
            if write_short_decimal(v, &mut fast) {
                let mut general = format!("{v}");
                if !general.contains('.') {
                    general.push_str(".0");
                }
                assert_eq!(fast, general, "{v:?}");
            }
        }
    }

    #[test]
    fn nesting_past_the_print_depth_prints_dots_and_leaves_nothing_raised() {
        let mut v = Value::Int(1);
        for _ in 0..MAX_PRINT_DEPTH + 5 {
            v = Value::list(vec![v]);
        }
        let mut deep = String::new();
        write_value(&v, &mut deep);
        assert!(deep.contains("[...]"), "{}", &deep[..40]);
        // The next print starts from the top again.
        let mut shallow = String::new();
        write_value(
            &Value::list(vec![Value::list(vec![Value::Int(2)])]),
            &mut shallow,
        );
        assert_eq!(shallow, "[[2]]");
    }

    #[test]
    fn integers_print_in_decimal() {
        for i in [0, 7, -7, 10, 1234567890, i64::MAX, i64::MIN] {
            let mut s = String::new();
            write_int(i, &mut s);
            assert_eq!(s, i.to_string());
        }
    }
}
