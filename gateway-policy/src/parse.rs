//! JSON text to [`ast::Document`]: the grammar of IAM policies, with errors naming the statement
//! and element.
//!
//! Grammar facts from the IAM User Guide, "IAM JSON policy element reference" and "Grammar of
//! the IAM JSON policy language".

use serde_json::{Map, Value};

use crate::ast::{
    ConditionEntry, Document, Negatable, PrincipalKind, PrincipalSpec, Statement, StatementEffect,
    Version,
};
use crate::error::{PolicyError, StatementLocation};
use crate::strict;
use crate::{MAX_POLICY_BYTES, MAX_VALUE_CHARS};

/// Which grammar a document is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grammar {
    /// IAM's: a `Statement` holds at least one statement, and list elements hold at least
    /// one value.
    Iam,
    /// What API Gateway accepts from a Lambda authorizer (see
    /// [`crate::Policy::parse_authorizer`]): IAM's, except that an empty `Statement` list and
    /// an empty `Resource` list are accepted and simply allow nothing.
    Authorizer,
}

/// Parses and checks the grammar of a policy document, adding every error found to `errors`
/// in document order (keys given twice first).
///
/// Returns `None` when the text cannot be read as a policy at all (too large, not JSON, not an
/// object); otherwise the statements that parsed cleanly (the others are reported in `errors`).
pub(crate) fn parse(
    json: &str,
    grammar: Grammar,
    errors: &mut Vec<PolicyError>,
) -> Option<Document> {
    if json.len() > MAX_POLICY_BYTES {
        errors.push(PolicyError::TooLarge {
            len: json.len(),
            limit: MAX_POLICY_BYTES,
        });
        return None;
    }
    let (value, repeats) = match strict::from_str(json) {
        Ok(parsed) => parsed,
        Err(e) => {
            errors.push(PolicyError::Json(e.to_string()));
            return None;
        }
    };
    let Value::Object(top) = value else {
        errors.push(PolicyError::NotAnObject);
        return None;
    };
    for repeat in repeats {
        errors.push(duplicate_key(&top, repeat));
    }
    let mut version = Version::V2008;
    let mut id = None;
    let mut statement = None;
    for (name, value) in top {
        match name.as_str() {
            "Version" => match value.as_str() {
                Some("2012-10-17") => version = Version::V2012,
                Some("2008-10-17") => version = Version::V2008,
                _ => errors.push(PolicyError::InvalidVersion(display(&value))),
            },
            "Id" => id = Some(value.as_str().map(str::to_string).unwrap_or_default()),
            "Statement" => statement = Some(value),
            _ => errors.push(PolicyError::UnknownTopLevelElement(name)),
        }
    }
    let raw = match statement {
        None => {
            errors.push(PolicyError::MissingStatement);
            Vec::new()
        }
        Some(Value::Array(items)) if items.is_empty() && grammar == Grammar::Iam => {
            errors.push(PolicyError::MissingStatement);
            Vec::new()
        }
        Some(Value::Array(items)) => items,
        Some(object @ Value::Object(_)) => vec![object],
        Some(_) => {
            errors.push(PolicyError::StatementNotObject);
            Vec::new()
        }
    };
    let mut statements = Vec::with_capacity(raw.len());
    for (index, value) in raw.into_iter().enumerate() {
        match value {
            Value::Object(map) => {
                if let Some(s) = parse_statement(index, map, grammar, errors) {
                    statements.push(s);
                }
            }
            _ => errors.push(PolicyError::StatementNotObject),
        }
    }
    Some(Document {
        version,
        id,
        statements,
    })
}

/// A [`strict::Repeat`] as an error naming the statement (with its `Sid`) and element.
fn duplicate_key(top: &Map<String, Value>, repeat: strict::Repeat) -> PolicyError {
    use strict::Step;
    let mut steps = repeat.object.as_slice();
    let mut at = None;
    if let [Step::Key(first), rest @ ..] = steps
        && first == "Statement"
    {
        let statement = top.get("Statement");
        let found = match (statement, rest) {
            (Some(Value::Array(items)), [Step::Index(i), rest @ ..]) => {
                Some((*i, items.get(*i), rest))
            }
            (Some(object @ Value::Object(_)), rest) => Some((0, Some(object), rest)),
            _ => None,
        };
        if let Some((index, value, rest)) = found {
            let sid = value
                .and_then(|v| v.get("Sid"))
                .and_then(Value::as_str)
                .map(str::to_string);
            at = Some(StatementLocation { index, sid });
            steps = rest;
        }
    }
    let mut object = String::new();
    for step in steps {
        match step {
            Step::Key(k) => {
                if !object.is_empty() {
                    object.push('.');
                }
                object.push_str(k);
            }
            Step::Index(i) => object.push_str(&format!("[{i}]")),
        }
    }
    PolicyError::DuplicateKey {
        at,
        object,
        key: repeat.key,
    }
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parses one statement; `None` when it has errors (added to `errors`).
fn parse_statement(
    index: usize,
    map: Map<String, Value>,
    grammar: Grammar,
    errors: &mut Vec<PolicyError>,
) -> Option<Statement> {
    let before = errors.len();
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(PolicyError::WrongType {
                at: StatementLocation { index, sid: None },
                element: "Sid",
                expected: "a string",
            });
            None
        }
    };
    let at = StatementLocation { index, sid };
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    let mut conditions = Vec::new();
    // Whether each required element was written at all (a bad value is reported once, not
    // also as missing).
    let (mut has_effect, mut has_action, mut has_resource, mut has_principal) =
        (false, false, false, false);
    for (name, value) in map {
        match name.as_str() {
            "Sid" => {}
            "Effect" => {
                has_effect = true;
                match value.as_str() {
                    // Effect is case-sensitive: IAM rejects "allow".
                    Some("Allow") => effect = Some(StatementEffect::Allow),
                    Some("Deny") => effect = Some(StatementEffect::Deny),
                    _ => errors.push(PolicyError::InvalidEffect {
                        at: at.clone(),
                        value: display(&value),
                    }),
                }
            }
            "Principal" | "NotPrincipal" => {
                let negated = name == "NotPrincipal";
                if has_principal {
                    errors.push(conflict(at.clone(), "Principal", "NotPrincipal"));
                    continue;
                }
                has_principal = true;
                let element = if negated { "NotPrincipal" } else { "Principal" };
                match parse_principal(&at, element, value) {
                    Ok(value) => principal = Some(Negatable { negated, value }),
                    Err(e) => errors.push(e),
                }
            }
            "Action" | "NotAction" => {
                if has_action {
                    errors.push(conflict(at.clone(), "Action", "NotAction"));
                    continue;
                }
                has_action = true;
                let negated = name == "NotAction";
                let element = if negated { "NotAction" } else { "Action" };
                let Some(values) = string_list(&at, element, value, false, errors) else {
                    continue;
                };
                let mut ok = true;
                for v in &values {
                    if let Err(e) = check_action(&at, element, v) {
                        errors.push(e);
                        ok = false;
                    }
                }
                if ok {
                    action = Some(Negatable {
                        negated,
                        value: values,
                    });
                }
            }
            "Resource" | "NotResource" => {
                if has_resource {
                    errors.push(conflict(at.clone(), "Resource", "NotResource"));
                    continue;
                }
                has_resource = true;
                let negated = name == "NotResource";
                let element = if negated { "NotResource" } else { "Resource" };
                // An authorizer's `"Resource": []` is a statement that matches nothing
                // (see `Grammar::Authorizer`).
                let empty_ok = grammar == Grammar::Authorizer && !negated;
                if let Some(values) = string_list(&at, element, value, empty_ok, errors) {
                    resource = Some(Negatable {
                        negated,
                        value: values,
                    });
                }
            }
            "Condition" => conditions = parse_conditions(&at, value, errors),
            _ => errors.push(PolicyError::UnknownElement {
                at: at.clone(),
                element: name,
            }),
        }
    }
    if !has_effect {
        errors.push(PolicyError::MissingElement {
            at: at.clone(),
            element: "Effect",
        });
    }
    if !has_action {
        errors.push(PolicyError::MissingElement {
            at: at.clone(),
            element: "Action or NotAction",
        });
    }
    if !has_resource {
        errors.push(PolicyError::MissingElement {
            at: at.clone(),
            element: "Resource or NotResource",
        });
    }
    if errors.len() > before {
        return None;
    }
    Some(Statement {
        at,
        effect: effect?,
        principal,
        action: action?,
        resource: resource?,
        conditions,
    })
}

fn conflict(at: StatementLocation, first: &'static str, second: &'static str) -> PolicyError {
    PolicyError::ConflictingElements { at, first, second }
}

fn check_len(at: &StatementLocation, element: &'static str, s: &str) -> Result<(), PolicyError> {
    let len = s.chars().count();
    if len > MAX_VALUE_CHARS {
        return Err(PolicyError::ValueTooLong {
            at: at.clone(),
            element,
            len,
            limit: MAX_VALUE_CHARS,
        });
    }
    Ok(())
}

/// A string or a non-empty array of strings (or an empty one, when `empty_ok`); `None` after
/// adding the errors to `errors`.
fn string_list(
    at: &StatementLocation,
    element: &'static str,
    value: Value,
    empty_ok: bool,
    errors: &mut Vec<PolicyError>,
) -> Option<Vec<String>> {
    let wrong = || PolicyError::WrongType {
        at: at.clone(),
        element,
        expected: "a string or a non-empty array of strings",
    };
    let list = match value {
        Value::String(s) => vec![s],
        Value::Array(items) if !items.is_empty() || empty_ok => {
            let mut list = Vec::with_capacity(items.len());
            for v in items {
                match v {
                    Value::String(s) => list.push(s),
                    _ => {
                        errors.push(wrong());
                        return None;
                    }
                }
            }
            list
        }
        _ => {
            errors.push(wrong());
            return None;
        }
    };
    let before = errors.len();
    for s in &list {
        if let Err(e) = check_len(at, element, s) {
            errors.push(e);
        }
    }
    (errors.len() == before).then_some(list)
}

/// An action is `*` or `service:action`, with one colon (IAM refuses others with "Actions/
/// Conditions must be prefaced by a vendor" and "Actions/Condition can contain only one colon.").
fn check_action(at: &StatementLocation, element: &'static str, v: &str) -> Result<(), PolicyError> {
    let reason = match v.split_once(':') {
        _ if v == "*" => return Ok(()),
        Some((_, action)) if action.contains(':') => "an action can contain only one colon",
        Some((service, action)) if !service.is_empty() && !action.is_empty() => return Ok(()),
        _ => "an action must be \"*\" or \"service:action\"",
    };
    Err(PolicyError::InvalidValue {
        at: at.clone(),
        element,
        value: v.to_string(),
        reason,
    })
}

fn parse_principal(
    at: &StatementLocation,
    element: &'static str,
    value: Value,
) -> Result<PrincipalSpec, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(PrincipalSpec::Any),
        Value::Object(map) if !map.is_empty() => {
            let mut kinds = Vec::new();
            for (kind, list) in map {
                let kind_enum = match kind.as_str() {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    _ => {
                        return Err(PolicyError::InvalidValue {
                            at: at.clone(),
                            element,
                            value: kind,
                            reason: "a principal type must be AWS, Service, Federated or CanonicalUser",
                        });
                    }
                };
                let mut errors = Vec::new();
                match string_list(at, element, list, false, &mut errors) {
                    Some(values) => kinds.push((kind_enum, values)),
                    None => return Err(errors.swap_remove(0)),
                }
            }
            Ok(PrincipalSpec::Map(kinds))
        }
        other => Err(PolicyError::InvalidValue {
            at: at.clone(),
            element,
            value: display(&other),
            reason: "must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}",
        }),
    }
}

fn parse_conditions(
    at: &StatementLocation,
    value: Value,
    errors: &mut Vec<PolicyError>,
) -> Vec<ConditionEntry> {
    let mut entries = Vec::new();
    let Value::Object(ops) = value else {
        errors.push(PolicyError::WrongType {
            at: at.clone(),
            element: "Condition",
            expected: "an object of operators",
        });
        return entries;
    };
    for (operator, keys) in ops {
        let Value::Object(keys) = keys else {
            errors.push(PolicyError::WrongType {
                at: at.clone(),
                element: "Condition",
                expected: "an object of operators, each an object of condition keys",
            });
            continue;
        };
        for (key, values) in keys {
            let Some(values) = condition_values(values) else {
                errors.push(PolicyError::WrongType {
                    at: at.clone(),
                    element: "Condition",
                    expected: "values that are strings, numbers or booleans, or a non-empty array of them",
                });
                continue;
            };
            let before = errors.len();
            for v in &values {
                if let Err(e) = check_len(at, "Condition", v) {
                    errors.push(e);
                }
            }
            if errors.len() == before {
                entries.push(ConditionEntry {
                    operator: operator.clone(),
                    key,
                    values,
                });
            }
        }
    }
    entries
}

/// Condition values: strings, numbers and booleans are all given as text to the operator.
fn condition_values(value: Value) -> Option<Vec<String>> {
    fn scalar(v: Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    match value {
        Value::Array(items) if !items.is_empty() => items.into_iter().map(scalar).collect(),
        Value::Array(_) => None,
        other => scalar(other).map(|s| vec![s]),
    }
}
