//! The integration response of a non-proxy integration (HTTP, AWS, MOCK), then the method
//! response: the integration response selected by its pattern (on the status code, or on a
//! Lambda function's `errorMessage`), its `method.response.header.*` mappings, its template
//! chosen by the request's `Accept`, and the templates' `$context.responseOverride.*`. The
//! integration's body is converted by the response's `contentHandling` first
//! ([`super::binary::convert_response`]), so the template sees what the table says.

use bytes::Bytes;
use gateway_mapping::context::{ContextObject, ContextState, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, OwnedRequest, RequestView};
use gateway_mapping::params::{Sources, Target};
use gateway_mapping::selection::select_response_template;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::binary::{BinaryMediaTypes, convert_response};
use super::failures;
use super::gateway_response::Failure;
use super::integrations::http::mapped_response_headers;
use crate::compile::CompiledIntegration;

/// What a non-proxy integration answered.
#[derive(Debug, Clone)]
pub struct IntegrationOutput {
    /// The value the selection patterns are matched against: the status code as text, or a
    /// Lambda function's `errorMessage` (an empty string for a successful invocation, which
    /// only the default response matches... as API Gateway does: the developer guide,
    /// "For Lambda, the regex applies to the errorMessage").
    pub selector: String,
    /// The integration's headers (`integration.response.header.*`).
    pub headers: HeaderMap,
    /// The integration's body (`$input` of the response template).
    pub body: Bytes,
}

/// The method response: status, headers and body.
#[derive(Debug, Clone)]
pub struct MethodResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers the response parameters and overrides set, and `Content-Type`.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Sets a header from text a template or mapping produced; a name or value HTTP does not
/// allow is left out (API Gateway cannot send it either).
fn set_header(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

/// Selects and applies the integration response; `context` is left as the response
/// template left it.
///
/// No matching response and no default: 500 `Internal server error` (API Gateway logs
/// "Execution failed due to configuration error: No match for output mapping and no default
/// output mapping configured"); a response template that fails: 500 too, and so does a body
/// that `contentHandling` must base64-decode and is not base64 (developer guide, binary
/// support: a failed conversion is a 500 API configuration error; research 4.2).
pub fn respond(
    integration: &CompiledIntegration,
    output: &IntegrationOutput,
    request: &OwnedRequest,
    context: &mut ContextState,
    stage_variables: &StageVariables,
    binary: &BinaryMediaTypes,
) -> Result<MethodResponse, Failure> {
    let response = integration
        .responses()
        .select(&output.selector)
        .map_err(|_| {
            failures::configuration(
                "No match for output mapping and no default output mapping configured. \
             Endpoint Response Status Code: "
                    .to_owned()
                    + &output.selector,
            )
        })?;
    let integration_view = RequestView {
        headers: &output.headers,
        header_names: &[],
        query: &[],
        path: &[],
        body: &output.body,
    };
    let mapped = response.response_parameters().evaluate(&Sources {
        request: Some(request.view()),
        context: Some(context.context()),
        stage_variables: Some(stage_variables),
        integration_response: Some(integration_view),
        ..Sources::default()
    });
    let pairs: Vec<(String, String)> = mapped
        .into_iter()
        .filter_map(|(target, mut values)| match target {
            Target::Header(name) => values.pop().map(|v| (name, v)),
            _ => None,
        })
        .collect();
    // Restricted names come out as x-amzn-Remapped-* (research 3.3).
    let mut headers = mapped_response_headers(&pairs).map_err(|e| Failure::from(&e))?;
    let body = convert_response(
        output.body.clone(),
        binary.is_binary(&output.headers),
        binary.accepts_binary(&request.headers),
        response.content_handling(),
    )
    .map_err(|e| failures::configuration(e.to_string()))?;
    let object = ContextObject::resume(std::mem::take(context));
    let templates: Vec<(&str, (&str, _))> = response
        .response_templates()
        .iter()
        .map(|(k, t)| (k.as_str(), (k.as_str(), t)))
        .collect();
    let accept = request.headers.get(ACCEPT).and_then(|v| v.to_str().ok());
    let rendered = match select_response_template(&templates, accept) {
        Some((content_type, template)) => {
            let input = Input::new(RequestView {
                headers: &output.headers,
                header_names: &[],
                query: &request.query,
                path: &request.path,
                body: &body,
            });
            let scope = mapping_scope(input, &object, stage_variables);
            template
                .render(&scope)
                .map(|body| (*content_type, Bytes::from(body)))
                .map_err(|e| failures::configuration(format!("Unable to transform response: {e}")))
        }
        None => Ok(("application/json", body)),
    };
    let overrides = object.overrides();
    *context = object.into_state();
    let (content_type, body) = rendered?;
    if !headers.contains_key(CONTENT_TYPE) {
        set_header(&mut headers, "content-type", content_type);
    }
    let mut status = response.status_code();
    if let Some(s) = overrides
        .response_status
        .and_then(|s| StatusCode::from_u16(s).ok())
    {
        status = s;
    }
    for (name, value) in &overrides.response_header {
        set_header(&mut headers, name, value);
    }
    Ok(MethodResponse {
        status,
        headers,
        body,
    })
}
