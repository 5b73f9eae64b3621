//! Fallback wording: the `jsonschema` engine's own errors phrased with fge's message texts.
//! Used only when the fge-order walker cannot follow a schema (see [`super`]); the messages
//! are right, their order and pruning may differ from API Gateway's.

use std::collections::BTreeMap;

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::limits::{MAX_FALLBACK_LISTING_VALUES, MAX_VALIDATION_MESSAGES};

use super::compile::TYPE_NAMES;
use super::text;

/// The engine's errors for `instance`, worded like fge's, at most
/// [`MAX_VALIDATION_MESSAGES`] of them.
///
/// The engine's error listing builds every error before the first is kept, so it is only
/// asked for bodies of at most [`MAX_FALLBACK_LISTING_VALUES`] values (`values` is the body's
/// count, saturating past that limit); a larger body gets its first error alone.
pub(crate) fn messages(
    validator: &jsonschema::Validator,
    instance: &Value,
    values: usize,
) -> Vec<String> {
    if values > MAX_FALLBACK_LISTING_VALUES {
        return word(validator.validate(instance).err());
    }
    word(
        validator
            .iter_errors(instance)
            .take(MAX_VALIDATION_MESSAGES),
    )
}

fn word<'i>(errors: impl IntoIterator<Item = ValidationError<'i>>) -> Vec<String> {
    let mut out = Vec::new();
    // Missing required members are one fge message per object: group them by instance path.
    let mut missing: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for error in errors {
        let inst = error.instance().as_ref();
        let msg = match error.kind() {
            ValidationErrorKind::Required { property } => {
                let entry = missing
                    .entry(error.instance_path().as_str().to_owned())
                    .or_insert_with(|| (out.len(), Vec::new()));
                if entry.1.is_empty() {
                    out.push(String::new()); // placeholder, filled below
                }
                entry
                    .1
                    .push(property.as_str().unwrap_or_default().to_owned());
                continue;
            }
            ValidationErrorKind::Type { kind } => {
                let mut allowed: Vec<String> = match kind {
                    TypeKind::Single(t) => vec![t.to_string()],
                    TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
                };
                if allowed.iter().any(|t| t == "number") {
                    allowed.push("integer".into());
                }
                allowed.sort_by_key(|t| TYPE_NAMES.iter().position(|n| n == t));
                allowed.dedup();
                format!(
                    "instance type ({}) does not match any allowed primitive type (allowed: {})",
                    text::type_name(inst),
                    text::names(allowed.iter().map(String::as_str))
                )
            }
            ValidationErrorKind::Enum { options } => format!(
                "instance value ({}) not found in enum (possible values: {})",
                text::json(inst),
                text::json(options)
            ),
            ValidationErrorKind::Minimum { limit } => format!(
                "numeric instance is lower than the required minimum (minimum: {}, found: {})",
                text::json(limit),
                text::json(inst)
            ),
            ValidationErrorKind::Maximum { limit } => format!(
                "numeric instance is greater than the required maximum (maximum: {}, found: {})",
                text::json(limit),
                text::json(inst)
            ),
            ValidationErrorKind::ExclusiveMinimum { limit } => format!(
                "numeric instance is not strictly greater than the required minimum {}",
                text::json(limit)
            ),
            ValidationErrorKind::ExclusiveMaximum { limit } => format!(
                "numeric instance is not strictly lower than the required maximum {}",
                text::json(limit)
            ),
            ValidationErrorKind::MinLength { limit } => {
                let s = inst.as_str().unwrap_or_default();
                format!(
                    "string \"{s}\" is too short (length: {}, required minimum: {limit})",
                    s.chars().count()
                )
            }
            ValidationErrorKind::MaxLength { limit } => {
                let s = inst.as_str().unwrap_or_default();
                format!(
                    "string \"{s}\" is too long (length: {}, maximum allowed: {limit})",
                    s.chars().count()
                )
            }
            ValidationErrorKind::Pattern { pattern } => format!(
                "ECMA 262 regex \"{pattern}\" does not match input string \"{}\"",
                inst.as_str().unwrap_or_default()
            ),
            ValidationErrorKind::MinItems { limit } => format!(
                "array is too short: must have at least {limit} elements but instance has {} elements",
                inst.as_array().map_or(0, Vec::len)
            ),
            ValidationErrorKind::MaxItems { limit } => format!(
                "array is too long: must have at most {limit} elements but instance has {} elements",
                inst.as_array().map_or(0, Vec::len)
            ),
            ValidationErrorKind::AdditionalItems { limit } => format!(
                "schema only allows {limit} elements in array but instance has {} elements",
                inst.as_array().map_or(0, Vec::len)
            ),
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let mut names: Vec<&str> = unexpected.iter().map(String::as_str).collect();
                names.sort_unstable();
                format!(
                    "object instance has properties which are not allowed by the schema: {}",
                    text::names(names)
                )
            }
            ValidationErrorKind::MinProperties { limit } => format!(
                "object has too few properties (found {} but schema requires at least {limit})",
                inst.as_object().map_or(0, serde_json::Map::len)
            ),
            ValidationErrorKind::MaxProperties { limit } => format!(
                "object has too many properties (found {} but schema requires at most {limit})",
                inst.as_object().map_or(0, serde_json::Map::len)
            ),
            ValidationErrorKind::UniqueItems => {
                "array must not contain duplicate elements".to_owned()
            }
            ValidationErrorKind::Not { .. } => {
                "instance matched a schema which it should not have".to_owned()
            }
            ValidationErrorKind::AnyOf { context } => format!(
                "instance failed to match at least one required schema among {}",
                context.len()
            ),
            ValidationErrorKind::OneOfNotValid { context } => format!(
                "instance failed to match exactly one schema (matched 0 out of {})",
                context.len()
            ),
            ValidationErrorKind::OneOfMultipleValid { context } => format!(
                "instance failed to match exactly one schema (matched {} out of {})",
                context.iter().filter(|errors| errors.is_empty()).count(),
                context.len()
            ),
            ValidationErrorKind::MultipleOf { multiple_of } => format!(
                "remainder of division is not zero ({} / {})",
                text::json(inst),
                text::java_double(*multiple_of)
            ),
            _ => error.to_string(),
        };
        out.push(msg);
    }
    for (slot, names) in missing.into_values() {
        let mut names = names;
        names.sort();
        names.dedup();
        if let Some(s) = out.get_mut(slot) {
            *s = format!(
                "object has missing required properties ({})",
                text::names(names.iter().map(String::as_str))
            );
        }
    }
    out
}
