//! Gateway responses: the API's customisations compiled at load, and the one place a failure
//! API Gateway answers itself becomes a status code, headers and a body.
//!
//! Sources: developer guide, "Gateway response types for API Gateway" (each type's default
//! status; "if the response type is unspecified, this response defaults to the DEFAULT_4XX
//! type", and DEFAULT_5XX for 5XX types); localstack's `get_gateway_response_or_default` (a
//! customised type is used whole, else DEFAULT_4XX/5XX's status code, parameters and
//! templates); the default template `{"message":$context.error.messageString}` recorded on AWS
//! (localstack `test_apigateway_api.snapshot.json`, `get-gateway-responses`).

use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, RequestView as TemplateRequest};
use gateway_mapping::{EngineOptions, Template, TemplateError};
use gateway_validate::RequestView;

use super::{CompileError, CompiledApi};
use crate::model::{GatewayResponse, GatewayResponseType};
use crate::text::Escaped;

/// The content type whose template a gateway response renders.
const JSON: &str = "application/json";

/// A customised gateway response, compiled.
#[derive(Debug)]
pub struct CompiledGatewayResponse {
    status_code: Option<u16>,
    response_parameters: Vec<(String, String)>,
    json_template: Option<Template>,
}

/// The failure a gateway response answers.
#[derive(Debug, Clone, Copy)]
pub struct GatewayError<'a> {
    /// Which gateway response.
    pub response_type: GatewayResponseType,
    /// `$context.error.message`.
    pub message: &'a str,
    /// `$context.error.validationErrorString`, for request validation failures.
    pub validation_error_string: Option<&'a str>,
}

/// A gateway response ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedGatewayResponse {
    /// The status code.
    pub status: u16,
    /// The headers the API's customisation sets (`gatewayresponse.header.NAME`), in order.
    pub headers: Vec<(String, String)>,
    /// The body: the customised `application/json` template rendered, or API Gateway's default
    /// `{"message":"..."}`.
    pub body: String,
}

/// A gateway response template failed while rendering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{response_type} gateway response template: {}", Escaped(&.error.to_string()))]
pub struct GatewayResponseError {
    /// The response type whose template failed.
    pub response_type: GatewayResponseType,
    /// Why.
    pub error: TemplateError,
}

impl CompiledGatewayResponse {
    pub(super) fn compile(
        response: &GatewayResponse,
        engine: &EngineOptions,
    ) -> Result<CompiledGatewayResponse, CompileError> {
        let mut json_template = None;
        for (content_type, source) in &response.response_templates {
            // Every template is compiled so a broken one refuses the API; the JSON one is kept.
            let template = Template::compile(source, engine).map_err(|error| {
                CompileError::GatewayResponseTemplate {
                    response_type: response.response_type,
                    content_type: content_type.clone(),
                    error,
                }
            })?;
            if content_type.eq_ignore_ascii_case(JSON) {
                json_template = Some(template);
            }
        }
        Ok(CompiledGatewayResponse {
            // The import checks status codes are three digits.
            status_code: response.status_code.as_deref().and_then(|s| s.parse().ok()),
            response_parameters: response
                .response_parameters
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            json_template,
        })
    }

    /// The status code the API sets, if it sets one.
    pub fn status_code(&self) -> Option<u16> {
        self.status_code
    }
}

impl CompiledApi {
    /// The status code of a gateway response type: the API's customisation of the type, else
    /// of DEFAULT_4XX / DEFAULT_5XX, else API Gateway's default.
    pub fn gateway_response_status(&self, response_type: GatewayResponseType) -> u16 {
        let default = response_type.default_status_code().unwrap_or(500);
        self.customisation(response_type)
            .and_then(CompiledGatewayResponse::status_code)
            .unwrap_or(default)
    }

    /// The customisation in force for a type: its own, else DEFAULT_4XX or DEFAULT_5XX by
    /// the type's default status class.
    fn customisation(
        &self,
        response_type: GatewayResponseType,
    ) -> Option<&CompiledGatewayResponse> {
        self.gateway_response(response_type).or_else(|| {
            let fallback = match response_type.default_status_code() {
                Some(s) if s >= 500 => GatewayResponseType::Default5xx,
                Some(_) => GatewayResponseType::Default4xx,
                None => return None,
            };
            self.gateway_response(fallback)
        })
    }

    /// Renders the gateway response for `error` to `request` (routed to `http_method`
    /// `resource_path`): status, the customisation's static and `method.request.*` headers,
    /// and the body from its `application/json` template (with `$context.error.*`, `apiId`,
    /// `httpMethod`, `resourcePath` and `$input` of the request) or API Gateway's default
    /// `{"message":"..."}`.
    pub fn render_gateway_response(
        &self,
        error: &GatewayError<'_>,
        request: &RequestView<'_>,
        http_method: &str,
        resource_path: &str,
    ) -> Result<RenderedGatewayResponse, GatewayResponseError> {
        let custom = self.customisation(error.response_type);
        let status = self.gateway_response_status(error.response_type);
        let mut headers = Vec::new();
        if let Some(custom) = custom {
            for (key, source) in &custom.response_parameters {
                let Some(name) = key.strip_prefix("gatewayresponse.header.") else {
                    continue;
                };
                if let Some(value) = parameter_value(source, request) {
                    headers.push((name.to_owned(), value));
                }
            }
        }
        let body = match custom.and_then(|c| c.json_template.as_ref()) {
            None => format!("{{\"message\":{}}}", serde_json::Value::from(error.message)),
            Some(template) => {
                let mut context = Context::new();
                context.set_error(error.message, error.response_type.as_str());
                if let Some(v) = error.validation_error_string {
                    context.set("error.validationErrorString", v);
                }
                context.set("apiId", self.api().id.as_str());
                context.set("httpMethod", http_method);
                context.set("resourcePath", resource_path);
                let mut input = TemplateRequest::new(String::from_utf8_lossy(request.body));
                for (k, v) in request.path {
                    input.add_path(k, v);
                }
                for (k, v) in request.query {
                    input.add_query(k, v);
                }
                for (k, v) in request.headers {
                    input.add_header(k.as_str(), &String::from_utf8_lossy(v.as_bytes()));
                }
                let scope = mapping_scope(
                    Input::new(input),
                    &ContextObject::new(context),
                    &StageVariables::new(),
                );
                template
                    .render(&scope)
                    .map_err(|error_| GatewayResponseError {
                        response_type: error.response_type,
                        error: error_,
                    })?
            }
        };
        Ok(RenderedGatewayResponse {
            status,
            headers,
            body,
        })
    }
}

/// A gateway response header's value: a static `'value'`, or `method.request.{header,
/// querystring,path}.name` from the request (the last value given; header names match
/// case-insensitively).
fn parameter_value(source: &str, request: &RequestView<'_>) -> Option<String> {
    if let Some(s) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(s.to_owned());
    }
    let rest = source.strip_prefix("method.request.")?;
    let (location, name) = rest.split_once('.')?;
    let last = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    match location {
        // Header names match case-insensitively (`get_all` takes any casing).
        "header" => request
            .headers
            .get_all(name)
            .iter()
            .next_back()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        "querystring" => last(request.query),
        "path" => last(request.path),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_and_request_header_values_resolve() {
        let mut headers = http::HeaderMap::new();
        headers.append("X-Id", http::HeaderValue::from_static("a"));
        headers.append("x-id", http::HeaderValue::from_static("b"));
        let view = RequestView {
            headers: &headers,
            ..Default::default()
        };
        assert_eq!(parameter_value("'*'", &view), Some("*".into()));
        assert_eq!(
            parameter_value("method.request.header.X-ID", &view),
            Some("b".into())
        );
        assert_eq!(parameter_value("method.request.querystring.q", &view), None);
    }
}
