//! The draft-4 keywords, one check each, in the order fge runs them.
//!
//! fge keeps a schema's keyword validators in a `TreeMap` keyed by keyword name, so they run
//! in alphabetical order; each applies only to the instance types it is defined for (a check
//! here returns at once for any other type). Message texts are fge 2.2's
//! `validation.properties` bundle (java-json-tools/json-schema-validator,
//! src/main/resources/com/github/fge/jsonschema/validator/validation.properties).

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::compile::{Additional, Dependency, Items, Node, NodeId, TYPE_NAMES};
use super::report::{CannotExplain, Report};
use super::text;
use crate::limits::MAX_UNIQUE_ITEMS_EXPLAINED;

/// What a keyword check needs from the walk: evaluating a subschema (`allOf`, `anyOf`,
/// `oneOf`, `not` and schema `dependencies` hold subschemas).
pub(super) trait Subschemas {
    /// Validates `inst` against node `id`, adding any error to `report`.
    fn check(&mut self, id: NodeId, inst: &Value, report: &mut Report)
    -> Result<(), CannotExplain>;

    /// Whether `inst` matches node `id` (judged in a private report that keeps no text).
    fn matches(&mut self, id: NodeId, inst: &Value) -> Result<bool, CannotExplain>;
}

/// How many of `ids` `inst` matches.
fn count_matches(
    w: &mut impl Subschemas,
    ids: &[NodeId],
    inst: &Value,
) -> Result<usize, CannotExplain> {
    let mut n = 0;
    for &id in ids {
        if w.matches(id, inst)? {
            n += 1;
        }
    }
    Ok(n)
}

/// Declares the keywords in the order fge runs them: [`NAMES`] lists them and [`check_all`]
/// calls their checks in that order, as direct calls the compiler can inline (a table of
/// function pointers made the error path a quarter slower in the `invalid/pet` bench).
macro_rules! keywords_in_order {
    ($($name:literal => $check:ident,)*) => {
        /// Every keyword fge validates, in its (alphabetical) order.
        #[cfg(test)]
        const NAMES: &[&str] = &[$($name),*];

        /// Runs every keyword's check against `inst`, in fge's order.
        pub(super) fn check_all(
            w: &mut impl Subschemas,
            n: &Node,
            inst: &Value,
            report: &mut Report,
        ) -> Result<(), CannotExplain> {
            $($check(w, n, inst, report)?;)*
            Ok(())
        }
    };
}

keywords_in_order! {
    "additionalItems" => additional_items,
    "additionalProperties" => additional_properties,
    "allOf" => all_of,
    "anyOf" => any_of,
    "dependencies" => dependencies,
    "enum" => enumeration,
    "maxItems" => max_items,
    "maxLength" => max_length,
    "maxProperties" => max_properties,
    "maximum" => maximum,
    "minItems" => min_items,
    "minLength" => min_length,
    "minProperties" => min_properties,
    "minimum" => minimum,
    "multipleOf" => multiple_of,
    "not" => not,
    "oneOf" => one_of,
    "pattern" => pattern,
    "required" => required,
    "type" => types,
    "uniqueItems" => unique_items,
}

// ---- Combinators (any instance type) ----

fn all_of(
    w: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if n.all_of.is_empty() {
        return Ok(());
    }
    let matched = count_matches(w, &n.all_of, inst)?;
    if matched != n.all_of.len() {
        report.error(|| {
            format!(
                "instance failed to match all required schemas (matched only {matched} out of {})",
                n.all_of.len()
            )
        });
    }
    Ok(())
}

fn any_of(
    w: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if !n.any_of.is_empty() && count_matches(w, &n.any_of, inst)? == 0 {
        report.error(|| {
            format!(
                "instance failed to match at least one required schema among {}",
                n.any_of.len()
            )
        });
    }
    Ok(())
}

fn not(
    w: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let Some(id) = n.not
        && w.matches(id, inst)?
    {
        report.error(|| "instance matched a schema which it should not have".to_owned());
    }
    Ok(())
}

fn one_of(
    w: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if n.one_of.is_empty() {
        return Ok(());
    }
    let matched = count_matches(w, &n.one_of, inst)?;
    if matched != 1 {
        report.error(|| {
            format!(
                "instance failed to match exactly one schema (matched {matched} out of {})",
                n.one_of.len()
            )
        });
    }
    Ok(())
}

// ---- Any instance type ----

fn enumeration(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let Some(options) = &n.enumeration
        && !options.iter().any(|o| json_equal(o, inst))
    {
        report.error(|| {
            format!(
                "instance value ({}) not found in enum (possible values: {})",
                text::json(inst),
                text::json(&Value::Array(options.clone()))
            )
        });
    }
    Ok(())
}

fn types(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    let Some(mask) = n.types else {
        return Ok(());
    };
    let found = text::type_name(inst);
    let index = TYPE_NAMES.iter().position(|t| *t == found).unwrap_or(0);
    if mask & (1 << index) == 0 {
        let allowed = TYPE_NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, t)| *t);
        report.error(|| {
            format!(
                "instance type ({found}) does not match any allowed primitive type (allowed: {})",
                text::names(allowed)
            )
        });
    }
    Ok(())
}

// ---- Arrays ----

fn additional_items(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let (Value::Array(items), Some(Additional::Forbidden), Some(Items::Tuple(tuple))) =
        (inst, &n.additional_items, &n.items)
        && items.len() > tuple.len()
    {
        report.error(|| {
            format!(
                "schema only allows {} elements in array but instance has {} elements",
                tuple.len(),
                items.len()
            )
        });
    }
    Ok(())
}

fn max_items(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let Value::Array(items) = inst
        && let Some(max) = n.max_items.filter(|m| items.len() as u64 > *m)
    {
        report.error(|| {
            format!(
                "array is too long: must have at most {max} elements but instance has {} elements",
                items.len()
            )
        });
    }
    Ok(())
}

fn min_items(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let Value::Array(items) = inst
        && let Some(min) = n.min_items.filter(|m| (items.len() as u64) < *m)
    {
        report.error(|| {
            format!(
                "array is too short: must have at least {min} elements but instance has {} elements",
                items.len()
            )
        });
    }
    Ok(())
}

fn unique_items(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    let Value::Array(items) = inst else {
        return Ok(());
    };
    if n.unique_items && items.len() > MAX_UNIQUE_ITEMS_EXPLAINED {
        return Err(CannotExplain);
    }
    if n.unique_items && has_duplicates(items) {
        report.error(|| "array must not contain duplicate elements".to_owned());
    }
    Ok(())
}

// ---- Objects ----

fn additional_properties(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    let (Value::Object(map), Some(Additional::Forbidden)) = (inst, &n.additional_properties) else {
        return Ok(());
    };
    let mut unwanted: Vec<&str> = map
        .keys()
        .filter(|k| !n.properties.iter().any(|(p, _)| p == *k))
        .filter(|k| {
            !n.pattern_properties
                .iter()
                .any(|(re, _)| re.is_match(k).unwrap_or(false))
        })
        .map(String::as_str)
        .collect();
    if !unwanted.is_empty() {
        unwanted.sort_unstable();
        report.error(|| {
            format!(
                "object instance has properties which are not allowed by the schema: {}",
                text::names(unwanted)
            )
        });
    }
    Ok(())
}

fn dependencies(
    w: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    let Value::Object(map) = inst else {
        return Ok(());
    };
    for (name, dep) in &n.dependencies {
        if !map.contains_key(name) {
            continue;
        }
        match dep {
            Dependency::Properties(required) => {
                let missing = missing_members(map, required);
                if !missing.is_empty() {
                    report.error(|| {
                        format!(
                            "property \"{name}\" of object has missing property dependencies (schema requires {}; missing: {})",
                            text::names(required.iter().map(String::as_str)),
                            text::names(missing)
                        )
                    });
                }
            }
            Dependency::Schema(id) => w.check(*id, inst, report)?,
        }
    }
    Ok(())
}

fn max_properties(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let Value::Object(map) = inst
        && let Some(max) = n.max_properties.filter(|m| map.len() as u64 > *m)
    {
        report.error(|| {
            format!(
                "object has too many properties (found {} but schema requires at most {max})",
                map.len()
            )
        });
    }
    Ok(())
}

fn min_properties(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let Value::Object(map) = inst
        && let Some(min) = n.min_properties.filter(|m| (map.len() as u64) < *m)
    {
        report.error(|| {
            format!(
                "object has too few properties (found {} but schema requires at least {min})",
                map.len()
            )
        });
    }
    Ok(())
}

fn required(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    let Value::Object(map) = inst else {
        return Ok(());
    };
    let missing = missing_members(map, &n.required);
    if !missing.is_empty() {
        report.error(|| {
            format!(
                "object has missing required properties ({})",
                text::names(missing)
            )
        });
    }
    Ok(())
}

/// The names in `names` that `map` lacks, in `names`' order.
fn missing_members<'n>(map: &Map<String, Value>, names: &'n [String]) -> Vec<&'n str> {
    names
        .iter()
        .filter(|r| !map.contains_key(*r))
        .map(String::as_str)
        .collect()
}

// ---- Strings ----

fn max_length(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let (Value::String(s), Some(max)) = (inst, n.max_length) {
        let len = s.chars().count() as u64;
        if len > max {
            report.error(|| {
                format!("string \"{s}\" is too long (length: {len}, maximum allowed: {max})")
            });
        }
    }
    Ok(())
}

fn min_length(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let (Value::String(s), Some(min)) = (inst, n.min_length) {
        let len = s.chars().count() as u64;
        if len < min {
            report.error(|| {
                format!("string \"{s}\" is too short (length: {len}, required minimum: {min})")
            });
        }
    }
    Ok(())
}

fn pattern(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let (Value::String(s), Some((source, re))) = (inst, &n.pattern)
        // A match that blows the backtrack limit cannot be explained faithfully.
        && !re.is_match(s).map_err(|_| CannotExplain)?
    {
        report.error(|| format!("ECMA 262 regex \"{source}\" does not match input string \"{s}\""));
    }
    Ok(())
}

// ---- Numbers ----

fn maximum(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    let (Value::Number(x), Some((limit, exclusive))) = (inst, &n.maximum) else {
        return Ok(());
    };
    match compare(x, limit) {
        Ordering::Greater => report.error(|| {
            format!(
                "numeric instance is greater than the required maximum (maximum: {}, found: {})",
                text::number(limit),
                text::number(x)
            )
        }),
        Ordering::Equal if *exclusive => report.error(|| {
            format!(
                "numeric instance is not strictly lower than the required maximum {}",
                text::number(limit)
            )
        }),
        _ => {}
    }
    Ok(())
}

fn minimum(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    let (Value::Number(x), Some((limit, exclusive))) = (inst, &n.minimum) else {
        return Ok(());
    };
    match compare(x, limit) {
        Ordering::Less => report.error(|| {
            format!(
                "numeric instance is lower than the required minimum (minimum: {}, found: {})",
                text::number(limit),
                text::number(x)
            )
        }),
        Ordering::Equal if *exclusive => report.error(|| {
            format!(
                "numeric instance is not strictly greater than the required minimum {}",
                text::number(limit)
            )
        }),
        _ => {}
    }
    Ok(())
}

fn multiple_of(
    _: &mut impl Subschemas,
    n: &Node,
    inst: &Value,
    report: &mut Report,
) -> Result<(), CannotExplain> {
    if let (Value::Number(x), Some(divisor)) = (inst, &n.multiple_of)
        && !is_multiple(x, divisor)
    {
        report.error(|| {
            format!(
                "remainder of division is not zero ({} / {})",
                text::number(x),
                text::number(divisor)
            )
        });
    }
    Ok(())
}

/// A JSON number as an exact integer, if it is one.
fn as_integer(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

fn compare(a: &Number, b: &Number) -> Ordering {
    match (as_integer(a), as_integer(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let x = a.as_f64().unwrap_or(f64::NAN);
            let y = b.as_f64().unwrap_or(f64::NAN);
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

fn is_multiple(x: &Number, d: &Number) -> bool {
    if let (Some(x), Some(d)) = (as_integer(x), as_integer(d)) {
        return d == 0 || x % d == 0;
    }
    let (Some(x), Some(d)) = (x.as_f64(), d.as_f64()) else {
        return true;
    };
    if d == 0.0 {
        return true;
    }
    let q = x / d;
    q.is_finite() && (q - q.round()).abs() <= 1e-9 * q.abs().max(1.0)
}

/// JSON equality with numbers compared by value (fge's `JsonNumEquivalence`: `1 == 1.0`).
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare(x, y) == Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn has_duplicates(items: &[Value]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, a)| items[i + 1..].iter().any(|b| json_equal(a, b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fge's `TreeMap` order is `String::compareTo`, i.e. by UTF-16 code unit: for these ASCII
    /// names, byte order (`maxItems` before `maximum`, since `I` < `i`).
    #[test]
    fn keywords_run_in_fges_alphabetical_order() {
        let names = NAMES.to_vec();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn numbers_compare_by_value() {
        let n = |v: serde_json::Value| v.as_number().cloned().unwrap();
        assert_eq!(compare(&n(1.into()), &n(1.0.into())), Ordering::Equal);
        assert!(json_equal(
            &serde_json::json!([1, {"a": 2.0}]),
            &serde_json::json!([1.0, {"a": 2}])
        ));
        assert!(is_multiple(&n(10.into()), &n(2.5.into())));
        assert!(!is_multiple(&n(7.into()), &n(2.into())));
    }
}
