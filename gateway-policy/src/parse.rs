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
use crate::{MAX_POLICY_BYTES, MAX_VALUE_CHARS};

/// Parses and checks the grammar of a policy document.
pub(crate) fn parse(json: &str) -> Result<Document, PolicyError> {
    if json.len() > MAX_POLICY_BYTES {
        return Err(PolicyError::TooLarge {
            len: json.len(),
            limit: MAX_POLICY_BYTES,
        });
    }
    let value: Value = serde_json::from_str(json).map_err(|e| PolicyError::Json(e.to_string()))?;
    let Value::Object(top) = value else {
        return Err(PolicyError::NotAnObject);
    };
    let mut version = Version::V2008;
    let mut id = None;
    let mut statement = None;
    for (name, value) in top {
        match name.as_str() {
            "Version" => {
                version = match value.as_str() {
                    Some("2012-10-17") => Version::V2012,
                    Some("2008-10-17") => Version::V2008,
                    _ => return Err(PolicyError::InvalidVersion(display(&value))),
                }
            }
            "Id" => id = Some(value.as_str().map(str::to_string).unwrap_or_default()),
            "Statement" => statement = Some(value),
            _ => return Err(PolicyError::UnknownTopLevelElement(name)),
        }
    }
    let raw = match statement {
        None => return Err(PolicyError::MissingStatement),
        Some(Value::Array(items)) if items.is_empty() => return Err(PolicyError::MissingStatement),
        Some(Value::Array(items)) => items,
        Some(object @ Value::Object(_)) => vec![object],
        Some(_) => return Err(PolicyError::StatementNotObject),
    };
    let statements = raw
        .into_iter()
        .enumerate()
        .map(|(index, value)| match value {
            Value::Object(map) => parse_statement(index, map),
            _ => Err(PolicyError::StatementNotObject),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Document {
        version,
        id,
        statements,
    })
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_statement(index: usize, map: Map<String, Value>) -> Result<Statement, PolicyError> {
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(PolicyError::WrongType {
                at: StatementLocation { index, sid: None },
                element: "Sid",
                expected: "a string",
            });
        }
    };
    let at = StatementLocation { index, sid };
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    let mut conditions = Vec::new();
    for (name, value) in map {
        match name.as_str() {
            "Sid" => {}
            "Effect" => {
                effect = Some(match value.as_str() {
                    // Effect is case-sensitive: IAM rejects "allow".
                    Some("Allow") => StatementEffect::Allow,
                    Some("Deny") => StatementEffect::Deny,
                    _ => {
                        return Err(PolicyError::InvalidEffect {
                            at,
                            value: display(&value),
                        });
                    }
                })
            }
            "Principal" | "NotPrincipal" => {
                let negated = name == "NotPrincipal";
                if principal.is_some() {
                    return Err(conflict(at, "Principal", "NotPrincipal"));
                }
                let element = if negated { "NotPrincipal" } else { "Principal" };
                principal = Some(Negatable {
                    negated,
                    value: parse_principal(&at, element, value)?,
                });
            }
            "Action" | "NotAction" => {
                if action.is_some() {
                    return Err(conflict(at, "Action", "NotAction"));
                }
                let negated = name == "NotAction";
                let element = if negated { "NotAction" } else { "Action" };
                let values = string_list(&at, element, value)?;
                for v in &values {
                    check_action(&at, element, v)?;
                }
                action = Some(Negatable {
                    negated,
                    value: values,
                });
            }
            "Resource" | "NotResource" => {
                if resource.is_some() {
                    return Err(conflict(at, "Resource", "NotResource"));
                }
                let negated = name == "NotResource";
                let element = if negated { "NotResource" } else { "Resource" };
                resource = Some(Negatable {
                    negated,
                    value: string_list(&at, element, value)?,
                });
            }
            "Condition" => conditions = parse_conditions(&at, value)?,
            _ => {
                return Err(PolicyError::UnknownElement { at, element: name });
            }
        }
    }
    let Some(effect) = effect else {
        return Err(PolicyError::MissingElement {
            at,
            element: "Effect",
        });
    };
    let Some(action) = action else {
        return Err(PolicyError::MissingElement {
            at,
            element: "Action or NotAction",
        });
    };
    let Some(resource) = resource else {
        return Err(PolicyError::MissingElement {
            at,
            element: "Resource or NotResource",
        });
    };
    Ok(Statement {
        at,
        effect,
        principal,
        action,
        resource,
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

/// A string or a non-empty array of strings.
fn string_list(
    at: &StatementLocation,
    element: &'static str,
    value: Value,
) -> Result<Vec<String>, PolicyError> {
    let wrong = || PolicyError::WrongType {
        at: at.clone(),
        element,
        expected: "a string or a non-empty array of strings",
    };
    let list = match value {
        Value::String(s) => vec![s],
        Value::Array(items) if !items.is_empty() => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(wrong()),
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(wrong()),
    };
    for s in &list {
        check_len(at, element, s)?;
    }
    Ok(list)
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
                kinds.push((kind_enum, string_list(at, element, list)?));
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
) -> Result<Vec<ConditionEntry>, PolicyError> {
    let Value::Object(ops) = value else {
        return Err(PolicyError::WrongType {
            at: at.clone(),
            element: "Condition",
            expected: "an object of operators",
        });
    };
    let mut entries = Vec::new();
    for (operator, keys) in ops {
        let Value::Object(keys) = keys else {
            return Err(PolicyError::WrongType {
                at: at.clone(),
                element: "Condition",
                expected: "an object of operators, each an object of condition keys",
            });
        };
        for (key, values) in keys {
            let values = condition_values(values).ok_or_else(|| PolicyError::WrongType {
                at: at.clone(),
                element: "Condition",
                expected: "values that are strings, numbers or booleans, or a non-empty array of them",
            })?;
            for v in &values {
                check_len(at, "Condition", v)?;
            }
            entries.push(ConditionEntry {
                operator: operator.clone(),
                key,
                values,
            });
        }
    }
    Ok(entries)
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
