//! Gateway responses: the API's customisations (`x-amazon-apigateway-gateway-responses`),
//! compiled at load. They are rendered in one place, [`crate::pipeline`]'s gateway response
//! stage ([`CompiledApi::gateway_response_for`](super::CompiledApi::gateway_response_for)).

use gateway_mapping::{EngineOptions, Template};
use http::StatusCode;

use super::CompileError;
use crate::model::GatewayResponse;

/// The content type whose template a gateway response renders.
const JSON: &str = "application/json";

/// A customised gateway response, compiled.
#[derive(Debug)]
pub struct CompiledGatewayResponse {
    status_code: Option<StatusCode>,
    response_parameters: Vec<(String, String)>,
    json_template: Option<Template>,
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
            status_code: response.status_code,
            response_parameters: response
                .response_parameters
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            json_template,
        })
    }

    /// The status code the API sets, if it sets one.
    pub fn status_code(&self) -> Option<StatusCode> {
        self.status_code
    }

    /// The `responseParameters`: `gatewayresponse.header.NAME` to a static `'value'` or a
    /// `method.request.*` expression, in definition order.
    pub fn response_parameters(&self) -> &[(String, String)] {
        &self.response_parameters
    }

    /// The `application/json` template, if the customisation has one.
    pub fn json_template(&self) -> Option<&Template> {
        self.json_template.as_ref()
    }
}
