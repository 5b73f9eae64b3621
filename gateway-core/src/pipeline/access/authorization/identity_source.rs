//! Reading an authorizer's identity sources from the request (API reference,
//! `Authorizer.identitySource`; research pipeline-access.md 6.2): headers (case-insensitive,
//! the first value), query strings (the last value, as the single-value map keeps it), stage
//! variables and `$context` variables. Every listed source must be present and non-empty, or
//! the caller is refused with 401 before the authorizer runs.

use std::fmt::Write;

use gateway_mapping::context::Context;

use super::super::AccessRequest;
use crate::compile::{CompiledAuthorizer, IdentitySource};

/// The values of the authorizer's identity sources, in the order listed; `Err` names the first
/// source that is missing or empty.
pub(super) fn read(
    authorizer: &CompiledAuthorizer,
    request: &AccessRequest<'_>,
    context: &Context,
) -> Result<Vec<String>, String> {
    authorizer
        .identity_sources()
        .iter()
        .map(|source| match value(source, request, context) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(format!("identity source {source} is missing or empty")),
        })
        .collect()
}

fn value(
    source: &IdentitySource,
    request: &AccessRequest<'_>,
    context: &Context,
) -> Option<String> {
    match source {
        IdentitySource::Header(name) => request
            .request
            .headers
            .get(name.as_str())
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        IdentitySource::QueryString(name) => request
            .request
            .query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone()),
        IdentitySource::StageVariable(name) => request.stage.variables.get(name).cloned(),
        IdentitySource::Context(name) => context.lookup(name),
    }
}

/// The cache key of a set of identity values: the authorizer's name, then each value, each
/// preceded by its length (no two different lists give the same key).
pub(super) fn cache_key(authorizer: &CompiledAuthorizer, values: &[String]) -> String {
    let mut key = String::with_capacity(
        authorizer.name().len() + values.iter().map(|v| v.len() + 8).sum::<usize>() + 8,
    );
    for part in std::iter::once(authorizer.name()).chain(values.iter().map(String::as_str)) {
        // Writing to a String cannot fail.
        let _ = write!(key, "{}:", part.len());
        key.push_str(part);
    }
    key
}
