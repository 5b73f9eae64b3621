//! Request validation: the method's request validator (required parameters, the body against
//! its model) over the request; the body it parsed is handed on to mapping, so a JSON body is
//! parsed once per request.

use std::sync::Arc;

use gateway_mapping::input::OwnedRequest;
use gateway_validate::RequestView;
use serde_json::Value as Json;

use super::gateway_response::Failure;
use crate::compile::CompiledMethod;

/// Validates `request` for `method`: the parsed body when validation parsed one, or the
/// `BAD_REQUEST_PARAMETERS`/`BAD_REQUEST_BODY` failure with `validationErrorString`.
pub fn validate(
    method: &CompiledMethod,
    request: &OwnedRequest,
) -> Result<Option<Arc<Json>>, Failure> {
    let view = RequestView {
        headers: &request.headers,
        query: &request.query,
        path: &request.path,
        body: &request.body,
    };
    method
        .validator()
        .validate(&view)
        .map(|validated| validated.body)
        .map_err(|rejection| Failure::from(&rejection))
}
