//! API Gateway's `validationErrorString`: the error list its validator (the Java
//! json-schema-validator by Francis Galiegue, "fge") produces for an invalid body.
//!
//! Validity itself is decided by the `jsonschema` crate (see [`crate::Model`]); this module only
//! runs once a body is known to be invalid, to say *why* in the words API Gateway uses. It
//! mirrors fge's traversal so the list has the same messages in the same order:
//!
//! - at each (schema, instance) pair, the keywords that apply to the instance's type run in
//!   alphabetical order (fge keeps its keyword validators in a `TreeMap`), then `format`;
//! - children (object members in sorted name order, array items in index order) are visited
//!   only while the whole report is still clean: after the first error fge stops descending;
//! - `allOf`, `anyOf`, `oneOf` and `not` evaluate their branches in private reports and add a
//!   single summary message.
//!
//! Stages: [`compile`] turns the models' JSON into an arena of digested schema nodes once per
//! model set; [`eval`] walks it against an instance, running the checks of [`keywords`] (one
//! per draft-4 keyword, in fge's order) at each node into a [`report`]; [`text`] formats
//! values the way fge (through Jackson) prints them. [`fallback`] words `jsonschema` errors directly for the rare
//! schema this walker cannot follow (references through `id`, remote documents).

pub(crate) mod compile;
pub(crate) mod eval;
pub(crate) mod fallback;
mod keywords;
pub(crate) mod report;
pub(crate) mod text;
