//! Velocity 1.7's operators on values: truth (`#if`), equality (ASTEQNode), ordering
//! (ASTGTNode and friends) and arithmetic (ASTAddNode and MathUtils).

use std::cmp::Ordering;

use crate::ast::BinOp;
use crate::value::Value;

/// `#if($v)`: false for null and `false`, true for everything else (Velocity 1.7 does not
/// treat empty strings or empty lists as false).
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        _ => true,
    }
}

pub(crate) fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

pub(crate) fn to_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(*f as i64),
        _ => None,
    }
}

/// `==`: numbers by value; both null equal; one null unequal; same kinds by value; other
/// kinds by their string forms (Velocity 1.7 compares `toString()` when classes differ).
#[cfg(test)]
pub(crate) fn equals(a: &Value, b: &Value) -> bool {
    equals_counted(a, b, &mut 0)
}

/// [`equals`], adding to `work` the items and string bytes (in 64s) it compared, so the
/// renderer can charge repeated comparisons of large values against its step limit.
pub(crate) fn equals_counted(a: &Value, b: &Value, work: &mut u64) -> bool {
    if let Some((a, b)) = unviewed(a, b) {
        return equals_counted(&a, &b, work);
    }
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            to_f64(a) == to_f64(b)
        }
        (Value::String(x), Value::String(y)) => {
            *work += (x.len() / 64) as u64;
            x == y
        }
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::List(_), Value::List(_)) | (Value::Map(_), Value::Map(_)) => {
            java_collection_equals(a, b, work)
        }
        _ => {
            let (x, y) = (a.to_java_string(), b.to_java_string());
            *work += ((x.len() + y.len()) / 64) as u64;
            x == y
        }
    }
}

/// When `a` or `b` is a lazy view ([`crate::HostObject::as_plain`]), the pair with the
/// plain values they stand for.
fn unviewed(a: &Value, b: &Value) -> Option<(Value, Value)> {
    if !matches!(a, Value::Object(_)) && !matches!(b, Value::Object(_)) {
        return None;
    }
    let (p, q) = (crate::value::plain(a), crate::value::plain(b));
    if matches!(p, std::borrow::Cow::Borrowed(_)) && matches!(q, std::borrow::Cow::Borrowed(_)) {
        return None;
    }
    Some((p.into_owned(), q.into_owned()))
}

/// Java's `List.equals` / `Map.equals`: same size, elements `equals` pairwise (in order for
/// lists, by key for maps); an `Integer` never equals a `Double` inside a collection.
fn java_collection_equals(a: &Value, b: &Value, work: &mut u64) -> bool {
    if let Some((a, b)) = unviewed(a, b) {
        return java_collection_equals(&a, &b, work);
    }
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            if x.ptr_eq(y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            *work += x.len() as u64;
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| java_collection_equals(p, q, work))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.ptr_eq(y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            *work += x.len() as u64;
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| java_collection_equals(p, q, work)))
        }
        (Value::String(x), Value::String(y)) => {
            *work += (x.len() / 64) as u64;
            x == y
        }
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Object(x), Value::Object(y)) => x.ptr_eq(y),
        _ => false,
    }
}

/// Ordering for `<`, `>`, `<=`, `>=`: numbers only, as in Velocity 1.7 (ASTGTNode and
/// friends: "Only compare Numbers"; anything else logs an error and the comparison is false,
/// so `None` here).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        _ => to_f64(a)?.partial_cmp(&to_f64(b)?),
    }
}

/// `+ - * / %`: integers stay integers (division truncates, as Java's); a double makes the
/// result a double; `+` with a string concatenates; null operands, other types and division
/// by zero give null (Velocity logs and returns null).
pub(crate) fn arith(op: BinOp, a: &Value, b: &Value) -> Value {
    if op == BinOp::Add
        && (matches!(a, Value::String(_)) || matches!(b, Value::String(_)))
        && !a.is_null()
        && !b.is_null()
    {
        let mut s = a.to_java_string();
        b.write_java(&mut s);
        return Value::string(s);
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            let (x, y) = (*x, *y);
            let r = match op {
                BinOp::Add => x.checked_add(y),
                BinOp::Sub => x.checked_sub(y),
                BinOp::Mul => x.checked_mul(y),
                // Velocity 1.7 MathUtils.divide / modulo on longs: Java's `/` and `%`, which
                // wrap (`Long.MIN_VALUE / -1` is `Long.MIN_VALUE`, `% -1` is 0) where add,
                // subtract and multiply widen to BigInteger.
                BinOp::Div => {
                    if y == 0 {
                        return Value::Null;
                    }
                    Some(x.wrapping_div(y))
                }
                BinOp::Mod => {
                    if y == 0 {
                        return Value::Null;
                    }
                    Some(x.wrapping_rem(y))
                }
                _ => return Value::Null,
            };
            match r {
                Some(r) => Value::Int(r),
                // Velocity 1.7 widens to BigInteger (MathUtils.add, its overflow check); with no
                // big integers here, a double keeps the magnitude (and prints as a double).
                None => float_op(op, x as f64, y as f64),
            }
        }
        _ => match (to_f64(a), to_f64(b)) {
            (Some(x), Some(y)) => {
                if matches!(op, BinOp::Div | BinOp::Mod) && y == 0.0 {
                    return Value::Null;
                }
                float_op(op, x, y)
            }
            _ => Value::Null,
        },
    }
}

fn float_op(op: BinOp, x: f64, y: f64) -> Value {
    Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Mod => x % y,
        _ => return Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_division_truncates_like_java() {
        assert_eq!(
            arith(BinOp::Div, &Value::Int(7), &Value::Int(2)),
            Value::Int(3)
        );
        assert_eq!(
            arith(BinOp::Div, &Value::Int(-7), &Value::Int(2)),
            Value::Int(-3)
        );
        assert_eq!(
            arith(BinOp::Mod, &Value::Int(-7), &Value::Int(2)),
            Value::Int(-1)
        );
        assert!(arith(BinOp::Div, &Value::Int(1), &Value::Int(0)).is_null());
    }

    #[test]
    fn long_division_overflow_wraps_as_in_java() {
        // Velocity 1.7 MathUtils.divide / modulo: `l1 / l2` and `l1 % l2` on longs.
        assert_eq!(
            arith(BinOp::Div, &Value::Int(i64::MIN), &Value::Int(-1)),
            Value::Int(i64::MIN)
        );
        assert_eq!(
            arith(BinOp::Mod, &Value::Int(i64::MIN), &Value::Int(-1)),
            Value::Int(0)
        );
        assert!(arith(BinOp::Mod, &Value::Int(1), &Value::Int(0)).is_null());
        assert!(arith(BinOp::Div, &Value::Float(1.0), &Value::Float(0.0)).is_null());
    }

    #[test]
    fn plus_with_a_string_concatenates_java_forms() {
        assert_eq!(
            arith(BinOp::Add, &Value::from("n="), &Value::Float(2.0)),
            Value::from("n=2.0")
        );
    }

    #[test]
    fn only_null_and_false_are_false() {
        assert!(!truthy(&Value::Null));
        assert!(!truthy(&Value::Bool(false)));
        assert!(truthy(&Value::from("")));
        assert!(truthy(&Value::Int(0)));
        assert!(truthy(&Value::list(vec![])));
    }

    #[test]
    fn equality_across_kinds_compares_string_forms() {
        assert!(equals(&Value::Int(1), &Value::from("1")));
        assert!(equals(&Value::Int(1), &Value::Float(1.0)));
        assert!(!equals(&Value::Null, &Value::from("")));
    }
}
