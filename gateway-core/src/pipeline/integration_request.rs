//! The integration request of a non-proxy integration (HTTP, AWS, MOCK): the request
//! parameter mappings (`integration.request.{path,querystring,header}.*`), then the request
//! template chosen by content type under the passthrough behaviour, then the template's
//! `$context.requestOverride.*`.

use std::sync::Arc;

use bytes::Bytes;
use gateway_mapping::context::{
    Context, ContextObject, ContextState, StageVariables, mapping_scope,
};
use gateway_mapping::input::{Input, OwnedRequest};
use gateway_mapping::params::{Sources, Target};
use gateway_mapping::selection::RequestSelection;
use serde_json::Value as Json;

use super::failures;
use super::gateway_response::Failure;
use crate::compile::CompiledIntegration;

/// What a non-proxy integration is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrationRequest {
    /// `integration.request.path.*` (for `{name}` in the integration URI).
    pub path: Vec<(String, String)>,
    /// `integration.request.querystring.*`, in mapping order (a multi-value source gives
    /// several pairs).
    pub query: Vec<(String, String)>,
    /// `integration.request.header.*`.
    pub headers: Vec<(String, String)>,
    /// The rendered template, or the method request's body passed through.
    pub body: Bytes,
}

/// Sets `name` to `value` in `pairs`, replacing every earlier value of the same name
/// (`case_insensitive` for headers).
fn replace(pairs: &mut Vec<(String, String)>, name: &str, value: &str, case_insensitive: bool) {
    pairs.retain(|(k, _)| {
        if case_insensitive {
            !k.eq_ignore_ascii_case(name)
        } else {
            k != name
        }
    });
    pairs.push((name.to_owned(), value.to_owned()));
}

/// The request parameter mappings alone (`integration.request.{path,querystring,header}.*`),
/// as HTTP_PROXY applies them (recorded: `test_http_proxy_integration_request_data_mappings`);
/// the body is the method request's. A mapping whose source has no value is left out.
pub fn map_parameters(
    integration: &CompiledIntegration,
    request: &OwnedRequest,
    body_json: Option<&Json>,
    context: &Context,
    stage_variables: &StageVariables,
) -> IntegrationRequest {
    let mut out = IntegrationRequest {
        body: request.body.clone(),
        ..IntegrationRequest::default()
    };
    let mapped = integration.request_parameters().evaluate(&Sources {
        request: Some(request.view()),
        request_json: body_json,
        context: Some(context),
        stage_variables: Some(stage_variables),
        ..Sources::default()
    });
    for (target, values) in mapped {
        match target {
            Target::Path(name) => {
                if let Some(v) = values.last() {
                    out.path.push((name, v.clone()));
                }
            }
            Target::QueryString(name) => {
                out.query
                    .extend(values.into_iter().map(|v| (name.clone(), v)));
            }
            Target::Header(name) => {
                if let Some(v) = values.last() {
                    out.headers.push((name, v.clone()));
                }
            }
        }
    }
    out
}

/// Maps the method request onto the integration request; `context` is left as the template
/// left it (its override maps feed the integration response's templates), on failure too.
///
/// Fails with `UNSUPPORTED_MEDIA_TYPE` (415) when no template fits the request's content type
/// and the passthrough behaviour refuses, and with a 500 `Internal server error` when the
/// template fails to render (API Gateway logs "Execution failed due to configuration error").
pub fn map(
    integration: &CompiledIntegration,
    request: &Arc<OwnedRequest>,
    body_json: Option<Arc<Json>>,
    context: &mut ContextState,
    stage_variables: &StageVariables,
) -> Result<IntegrationRequest, Failure> {
    let mut out = map_parameters(
        integration,
        request,
        body_json.as_deref(),
        context.context(),
        stage_variables,
    );
    let content_type = request
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let selection = integration
        .request_templates()
        .select(content_type)
        .map_err(|e| Failure::from(&e))?;
    let object = ContextObject::resume(std::mem::take(context));
    let rendered = match selection {
        // The method request's body, as map_parameters left it.
        RequestSelection::Passthrough => Ok(()),
        RequestSelection::Template(template) => {
            let input = match body_json {
                Some(json) => Input::shared_with_json(Arc::clone(request), json),
                None => Input::shared(Arc::clone(request)),
            };
            let scope = mapping_scope(input, &object, stage_variables);
            template
                .render(&scope)
                .map(|rendered| out.body = Bytes::from(rendered))
                .map_err(|e| failures::configuration(format!("Unable to transform request: {e}")))
        }
    };
    if rendered.is_ok() {
        let overrides = object.overrides();
        for (name, value) in &overrides.request_header {
            replace(&mut out.headers, name, value, true);
        }
        for (name, value) in &overrides.request_path {
            replace(&mut out.path, name, value, false);
        }
        for (name, value) in &overrides.request_querystring {
            replace(&mut out.query, name, value, false);
        }
    }
    // Back into the request's state, moved (nothing else holds the object any more).
    *context = object.into_state();
    rendered.map(|()| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_replaces_every_earlier_value() {
        let mut headers = vec![
            ("X-A".to_owned(), "1".to_owned()),
            ("x-a".to_owned(), "2".to_owned()),
            ("b".to_owned(), "3".to_owned()),
        ];
        replace(&mut headers, "x-A", "9", true);
        assert_eq!(
            headers,
            [
                ("b".to_owned(), "3".to_owned()),
                ("x-A".to_owned(), "9".to_owned())
            ]
        );
    }
}
