//! Evaluate: walk an instance through the compiled nodes the way fge does and collect its
//! messages. Message texts are fge 2.2's `validation.properties` bundle
//! (java-json-tools/json-schema-validator,
//! src/main/resources/com/github/fge/jsonschema/validator/validation.properties).

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::compile::{Additional, Arena, Dependency, Format, Items, Node, NodeId, TYPE_NAMES};
use super::text;

use crate::limits::{
    MAX_EXPLAIN_DEPTH as MAX_DEPTH, MAX_EXPLAIN_STEPS as MAX_STEPS,
    MAX_UNIQUE_ITEMS_EXPLAINED as MAX_UNIQUE_ITEMS, MAX_VALIDATION_MESSAGES,
};

/// The walker could not follow the schema (unresolved reference, step or depth limit).
#[derive(Debug)]
pub(crate) struct CannotExplain;

/// What a walk found. A *listing* report (the body's own) keeps the first
/// [`MAX_VALIDATION_MESSAGES`] messages; a *counting* report (a combinator's private branch,
/// or a verdict check) keeps none and builds no text: only whether an error occurred matters.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) messages: Vec<String>,
    errors: usize,
    listing: bool,
}

impl Report {
    /// A report that keeps the first [`MAX_VALIDATION_MESSAGES`] messages.
    pub(crate) fn listing() -> Self {
        Self {
            listing: true,
            ..Self::default()
        }
    }
    fn keep(&mut self, msg: impl FnOnce() -> String) {
        if self.listing && self.messages.len() < MAX_VALIDATION_MESSAGES {
            self.messages.push(msg());
        }
    }
    fn error(&mut self, msg: impl FnOnce() -> String) {
        self.errors += 1;
        self.keep(msg);
    }
    fn warn(&mut self, msg: impl FnOnce() -> String) {
        self.keep(msg);
    }
    pub(crate) fn is_success(&self) -> bool {
        self.errors == 0
    }
    /// Nothing the rest of the walk finds can change the kept list or the verdict.
    fn is_settled(&self) -> bool {
        self.listing && self.errors > 0 && self.messages.len() >= MAX_VALIDATION_MESSAGES
    }
}

pub(crate) struct Walker<'a> {
    arena: &'a Arena,
    steps: usize,
    depth: usize,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(arena: &'a Arena) -> Self {
        Self {
            arena,
            steps: 0,
            depth: 0,
        }
    }

    /// fge's `InstanceValidator.process`.
    pub(crate) fn process(
        &mut self,
        id: NodeId,
        inst: &Value,
        report: &mut Report,
    ) -> Result<(), CannotExplain> {
        if report.is_settled() {
            return Ok(());
        }
        self.steps += 1;
        if self.steps > MAX_STEPS || self.depth >= MAX_DEPTH {
            return Err(CannotExplain);
        }
        self.depth += 1;
        let result = self.process_inner(id, inst, report);
        self.depth -= 1;
        result
    }

    fn process_inner(
        &mut self,
        id: NodeId,
        inst: &Value,
        report: &mut Report,
    ) -> Result<(), CannotExplain> {
        let node = self.arena.nodes.get(id).ok_or(CannotExplain)?;
        if let Some(target) = node.reference {
            let target = target.ok_or(CannotExplain)?;
            return self.process(target, inst, report);
        }
        // fge's FormatProcessor warns while building the validator list, before validating.
        if let Some(Format::Unsupported(name)) = &node.format {
            report.warn(|| format!("format attribute \"{name}\" not supported"));
        }
        self.keywords(node, inst, report)?;
        if let Some(Format::Checked(name, checker)) = &node.format
            && let Value::String(s) = inst
            && !checker.is_valid(inst)
        {
            report.error(|| format_message(name, s));
        }
        // "if the report is a failure, we quit: there is no reason to go any further"
        // (InstanceValidator.java): the report is shared, so any earlier error counts.
        if !report.is_success() {
            return Ok(());
        }
        match inst {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    for schema in array_schemas(node, i) {
                        self.process(schema, item, report)?;
                    }
                }
            }
            Value::Object(map) => {
                let mut fields: Vec<&String> = map.keys().collect();
                fields.sort();
                for field in fields {
                    let Some(member) = map.get(field) else {
                        continue;
                    };
                    for schema in object_schemas(node, field) {
                        self.process(schema, member, report)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn matches(&mut self, id: NodeId, inst: &Value) -> Result<bool, CannotExplain> {
        let mut sub = Report::default();
        self.process(id, inst, &mut sub)?;
        Ok(sub.is_success())
    }

    fn count_matches(&mut self, ids: &[NodeId], inst: &Value) -> Result<usize, CannotExplain> {
        let mut n = 0;
        for &id in ids {
            if self.matches(id, inst)? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The keyword validators that apply to the instance's type, in alphabetical order.
    fn keywords(
        &mut self,
        n: &Node,
        inst: &Value,
        report: &mut Report,
    ) -> Result<(), CannotExplain> {
        let array = inst.as_array();
        let object = inst.as_object();
        let string = inst.as_str();
        let number = match inst {
            Value::Number(x) => Some(x),
            _ => None,
        };
        // additionalItems
        if let (Some(items), Some(Additional::Forbidden), Some(Items::Tuple(tuple))) =
            (array, &n.additional_items, &n.items)
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
        // additionalProperties
        if let (Some(map), Some(Additional::Forbidden)) = (object, &n.additional_properties) {
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
        }
        // allOf
        if !n.all_of.is_empty() {
            let matched = self.count_matches(&n.all_of, inst)?;
            if matched != n.all_of.len() {
                report.error(|| format!(
                    "instance failed to match all required schemas (matched only {matched} out of {})",
                    n.all_of.len()
                ));
            }
        }
        // anyOf
        if !n.any_of.is_empty() && self.count_matches(&n.any_of, inst)? == 0 {
            report.error(|| {
                format!(
                    "instance failed to match at least one required schema among {}",
                    n.any_of.len()
                )
            });
        }
        // dependencies
        if let Some(map) = object {
            for (name, dep) in &n.dependencies {
                if !map.contains_key(name) {
                    continue;
                }
                match dep {
                    Dependency::Properties(required) => {
                        let missing: Vec<&str> = required
                            .iter()
                            .filter(|r| !map.contains_key(*r))
                            .map(String::as_str)
                            .collect();
                        if !missing.is_empty() {
                            report.error(|| format!(
                                "property \"{name}\" of object has missing property dependencies (schema requires {}; missing: {})",
                                text::names(required.iter().map(String::as_str)),
                                text::names(missing)
                            ));
                        }
                    }
                    Dependency::Schema(id) => self.process(*id, inst, report)?,
                }
            }
        }
        // enum
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
        if let Some(items) = array
            && let Some(max) = n.max_items.filter(|m| items.len() as u64 > *m)
        {
            report.error(|| format!(
                "array is too long: must have at most {max} elements but instance has {} elements",
                items.len()
            ));
        }
        if let Some(s) = string {
            let len = s.chars().count() as u64;
            if let Some(max) = n.max_length.filter(|m| len > *m) {
                report.error(|| {
                    format!("string \"{s}\" is too long (length: {len}, maximum allowed: {max})")
                });
            }
        }
        if let Some(map) = object
            && let Some(max) = n.max_properties.filter(|m| map.len() as u64 > *m)
        {
            report.error(|| {
                format!(
                    "object has too many properties (found {} but schema requires at most {max})",
                    map.len()
                )
            });
        }
        if let (Some(x), Some((limit, exclusive))) = (number, &n.maximum) {
            match compare(x, limit) {
                Ordering::Greater => report.error(|| format!(
                    "numeric instance is greater than the required maximum (maximum: {}, found: {})",
                    text::number(limit),
                    text::number(x)
                )),
                Ordering::Equal if *exclusive => report.error(|| format!(
                    "numeric instance is not strictly lower than the required maximum {}",
                    text::number(limit)
                )),
                _ => {}
            }
        }
        if let Some(items) = array
            && let Some(min) = n.min_items.filter(|m| (items.len() as u64) < *m)
        {
            report.error(|| format!(
                    "array is too short: must have at least {min} elements but instance has {} elements",
                    items.len()
                ));
        }
        if let Some(s) = string {
            let len = s.chars().count() as u64;
            if let Some(min) = n.min_length.filter(|m| len < *m) {
                report.error(|| {
                    format!("string \"{s}\" is too short (length: {len}, required minimum: {min})")
                });
            }
        }
        if let Some(map) = object
            && let Some(min) = n.min_properties.filter(|m| (map.len() as u64) < *m)
        {
            report.error(|| {
                format!(
                    "object has too few properties (found {} but schema requires at least {min})",
                    map.len()
                )
            });
        }
        if let (Some(x), Some((limit, exclusive))) = (number, &n.minimum) {
            match compare(x, limit) {
                Ordering::Less => report.error(|| format!(
                    "numeric instance is lower than the required minimum (minimum: {}, found: {})",
                    text::number(limit),
                    text::number(x)
                )),
                Ordering::Equal if *exclusive => report.error(|| format!(
                    "numeric instance is not strictly greater than the required minimum {}",
                    text::number(limit)
                )),
                _ => {}
            }
        }
        if let (Some(x), Some(divisor)) = (number, &n.multiple_of)
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
        // not
        if let Some(id) = n.not
            && self.matches(id, inst)?
        {
            report.error(|| "instance matched a schema which it should not have".to_owned());
        }
        // oneOf
        if !n.one_of.is_empty() {
            let matched = self.count_matches(&n.one_of, inst)?;
            if matched != 1 {
                report.error(|| {
                    format!(
                        "instance failed to match exactly one schema (matched {matched} out of {})",
                        n.one_of.len()
                    )
                });
            }
        }
        // pattern
        if let (Some(s), Some((source, re))) = (string, &n.pattern) {
            // A match that blows the backtrack limit cannot be explained faithfully.
            if !re.is_match(s).map_err(|_| CannotExplain)? {
                report.error(|| {
                    format!("ECMA 262 regex \"{source}\" does not match input string \"{s}\"")
                });
            }
        }
        // required
        if let Some(map) = object {
            let missing: Vec<&str> = n
                .required
                .iter()
                .filter(|r| !map.contains_key(*r))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                report.error(|| {
                    format!(
                        "object has missing required properties ({})",
                        text::names(missing)
                    )
                });
            }
        }
        // type
        if let Some(mask) = n.types {
            let found = text::type_name(inst);
            let index = TYPE_NAMES.iter().position(|t| *t == found).unwrap_or(0);
            if mask & (1 << index) == 0 {
                let allowed = TYPE_NAMES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, t)| *t);
                report.error(|| format!(
                    "instance type ({found}) does not match any allowed primitive type (allowed: {})",
                    text::names(allowed)
                ));
            }
        }
        // uniqueItems
        if let Some(items) = array {
            if n.unique_items && items.len() > MAX_UNIQUE_ITEMS {
                return Err(CannotExplain);
            }
            if n.unique_items && has_duplicates(items) {
                report.error(|| "array must not contain duplicate elements".to_owned());
            }
        }
        Ok(())
    }
}

fn format_message(name: &str, s: &str) -> String {
    match name {
        "date-time" => format!(
            "string \"{s}\" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{{1,12}}Z]"
        ),
        "email" => format!("string \"{s}\" is not a valid email address"),
        "hostname" => format!("string \"{s}\" is not a valid hostname"),
        "ipv4" => format!("string \"{s}\" is not a valid IPv4 address"),
        "ipv6" => format!("string \"{s}\" is not a valid IPv6 address"),
        "regex" => format!("string \"{s}\" is not a valid ECMA 262 regular expression"),
        _ => format!("string \"{s}\" is not a valid URI"),
    }
}

/// fge's `ArraySchemaSelector`: the schemas element `i` is validated against.
fn array_schemas(n: &Node, i: usize) -> Vec<NodeId> {
    match &n.items {
        Some(Items::Single(id)) => vec![*id],
        Some(Items::Tuple(tuple)) => match tuple.get(i) {
            Some(id) => vec![*id],
            None => match &n.additional_items {
                Some(Additional::Schema(id)) => vec![*id],
                _ => Vec::new(),
            },
        },
        _ => Vec::new(),
    }
}

/// fge's `ObjectSchemaSelector`: `properties` then matching `patternProperties`; only when
/// neither applies, a schema-valued `additionalProperties`.
fn object_schemas(n: &Node, field: &str) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = n
        .properties
        .iter()
        .filter(|(p, _)| p == field)
        .map(|(_, id)| *id)
        .collect();
    out.extend(
        n.pattern_properties
            .iter()
            .filter(|(re, _)| re.is_match(field).unwrap_or(false))
            .map(|(_, id)| *id),
    );
    if out.is_empty()
        && let Some(Additional::Schema(id)) = &n.additional_properties
    {
        out.push(*id);
    }
    out
}

fn compare(a: &Number, b: &Number) -> Ordering {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let x = a.as_f64().unwrap_or(f64::NAN);
            let y = b.as_f64().unwrap_or(f64::NAN);
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

fn is_multiple(x: &Number, d: &Number) -> bool {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    if let (Some(x), Some(d)) = (int(x), int(d)) {
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
pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
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
