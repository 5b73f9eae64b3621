//! The one load step: import an API definition and compile everything it holds, once.
//!
//! [`CompiledApi::load`] imports the definition ([`crate::import`]) and then compiles, in one
//! place, every part of it that a request will use: the routing tree, the models (draft-4
//! schemas, with their model-URL `$ref`s, cycles and count checked), each method's request
//! validation, each integration's request templates (chosen by content type under its
//! passthrough behaviour), request parameter mappings, integration responses (selection
//! patterns, response parameter mappings and templates), the gateway responses' templates,
//! the resource policy (`x-amazon-apigateway-policy`) and the authorizers (identity sources,
//! validation expression, cache TTL: [`CompiledAuthorizer`]).
//!
//! A definition that API Gateway would import but whose parts do not compile is refused here
//! with one [`CompileError`] naming the part (method and resource path, content type, status,
//! model or gateway response type), so every tool and the gateway refuse the same files with
//! the same message.
//!
//! ```
//! use gateway_core::compile::{CompileOptions, CompiledApi};
//!
//! let doc = br#"
//! openapi: 3.0.1
//! info: {title: pets, version: "1"}
//! paths:
//!   /pets:
//!     post:
//!       x-amazon-apigateway-integration:
//!         type: mock
//!         requestTemplates: {application/json: '{"statusCode": 200}'}
//!         responses: {default: {statusCode: "200"}}
//! "#;
//! let api = CompiledApi::load(doc, &CompileOptions::default())?;
//! let found = api.router().at("POST", "/pets").unwrap();
//! let method = api.method(*found.value()).unwrap();
//! assert!(method.integration().is_some());
//!
//! // A template that does not compile refuses the whole API, naming where it is.
//! let bad = br#"
//! openapi: 3.0.1
//! info: {title: pets, version: "1"}
//! paths:
//!   /pets:
//!     post:
//!       x-amazon-apigateway-integration:
//!         type: mock
//!         requestTemplates: {application/json: '#if('}
//! "#;
//! let err = CompiledApi::load(bad, &CompileOptions::default()).unwrap_err();
//! assert!(err.to_string().starts_with("POST /pets: request template application/json: "));
//! # Ok::<(), gateway_core::compile::CompileError>(())
//! ```

mod authorizer;
mod gateway_response;

pub use authorizer::{AuthorizerError, CompiledAuthorizer, IdentitySource};
pub use gateway_response::CompiledGatewayResponse;

use std::collections::HashMap;
use std::fmt;

use http::StatusCode;

use gateway_mapping::params::{ParamError, ParamMappings};
use gateway_mapping::selection::{IntegrationResponses, RequestTemplates, SelectionError};
use gateway_mapping::{EngineOptions, Template, TemplateError};
use gateway_policy::{ApiScope, Policy, PolicyError};
use gateway_validate::{LoadError, MethodValidator, ModelSet};
use indexmap::IndexMap;

use crate::import::{ImportError, ImportOptions, ImportWarning, Imported, import};
use crate::model::{ContentHandling, GatewayResponseType, HttpMethod, Method, Resource, RestApi};
use crate::pipeline::binary::BinaryMediaTypes;
use crate::pipeline::compression::Compression;
use crate::routing::{ApiRoute, RouteError, Router};
use crate::text::Escaped;

/// How an API is loaded.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// How the definition is imported.
    pub import: ImportOptions,
    /// The template engine's options (limits, API Gateway's departures from Velocity).
    pub engine: EngineOptions,
    /// Where the API lives, when known: its resource policy's `execute-api:/stage/METHOD/path`
    /// shorthand is then expanded to full ARNs, as API Gateway does when it saves the policy.
    /// Without it the policy is compiled as any resource policy.
    pub scope: Option<DeploymentScope>,
}

/// The partition, Region and account an API is deployed in (its id comes from the import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentScope {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// `us-east-1`, ...
    pub region: String,
    /// The 12-digit account id.
    pub account_id: String,
}

/// What refused an API at load time, and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// The definition does not import (see [`ImportError`]).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The resource tree does not build a router (a model made by hand; imports always do).
    #[error("routes: {0}")]
    Routes(#[from] RouteError),
    /// The models do not compile: an invalid schema, a model cycle, a missing model, too many
    /// models (each [`LoadError`] names the model).
    #[error("models: {}", Escaped(&.0.to_string()))]
    Models(LoadError),
    /// A method's request validation does not compile (a request model the API lacks, a
    /// malformed required parameter).
    #[error("{at}: request validation: {}", Escaped(&.error.to_string()))]
    Validation {
        /// The method.
        at: Box<MethodAt>,
        /// Why.
        error: LoadError,
    },
    /// A request template does not compile.
    #[error("{at}: request template {}: {}", Escaped(.content_type), Escaped(&.error.to_string()))]
    RequestTemplate {
        /// The method.
        at: Box<MethodAt>,
        /// The template's content type.
        content_type: String,
        /// Why.
        error: TemplateError,
    },
    /// The request templates' content types do not form a selection table (a key that is not
    /// a media type, the same media type twice, too many).
    #[error("{at}: request templates: {}", Escaped(&.error.to_string()))]
    RequestTemplates {
        /// The method.
        at: Box<MethodAt>,
        /// Why.
        error: SelectionError,
    },
    /// The integration's `requestParameters` do not compile.
    #[error("{at}: integration request parameters: {}", Escaped(&.error.to_string()))]
    RequestParameters {
        /// The method.
        at: Box<MethodAt>,
        /// Why.
        error: Box<ParamError>,
    },
    /// The integration responses' selection patterns do not compile (or there are too many).
    #[error("{at}: integration responses: {}", Escaped(&.error.to_string()))]
    IntegrationResponses {
        /// The method.
        at: Box<MethodAt>,
        /// Why.
        error: SelectionError,
    },
    /// An integration response's `responseParameters` do not compile.
    #[error("{at}: integration response {}: response parameters: {}", .status.as_str(), Escaped(&.error.to_string()))]
    ResponseParameters {
        /// The method.
        at: Box<MethodAt>,
        /// The integration response's status code.
        status: StatusCode,
        /// Why.
        error: Box<ParamError>,
    },
    /// An integration response's template does not compile.
    #[error("{at}: integration response {}: response template {}: {}", .status.as_str(), Escaped(.content_type), Escaped(&.error.to_string()))]
    ResponseTemplate {
        /// The method.
        at: Box<MethodAt>,
        /// The integration response's status code.
        status: StatusCode,
        /// The template's content type.
        content_type: String,
        /// Why.
        error: TemplateError,
    },
    /// A gateway response's template does not compile.
    #[error("gateway response {response_type}: template {}: {}", Escaped(.content_type), Escaped(&.error.to_string()))]
    GatewayResponseTemplate {
        /// The gateway response type.
        response_type: GatewayResponseType,
        /// The template's content type.
        content_type: String,
        /// Why.
        error: TemplateError,
    },
    /// An authorizer's settings do not compile (an identity source API Gateway does not take,
    /// an `identityValidationExpression` that is not a valid Java regex).
    #[error("authorizer {}: {}", Escaped(.name), Escaped(&.error.to_string()))]
    Authorizer {
        /// The authorizer's name.
        name: String,
        /// Why.
        error: AuthorizerError,
    },
    /// The resource policy (`x-amazon-apigateway-policy`) does not compile.
    #[error("resource policy (x-amazon-apigateway-policy): {}", Escaped(&.0.to_string()))]
    ResourcePolicy(PolicyError),
}

/// A method of the API, for messages: `POST /pets/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodAt {
    /// The method's verb (`ANY` for `x-amazon-apigateway-any-method`).
    pub http_method: HttpMethod,
    /// The resource path.
    pub path: String,
}

impl fmt::Display for MethodAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.http_method.as_str(), Escaped(&self.path))
    }
}

/// An API ready to serve requests: the imported model and everything compiled from it.
///
/// `Send + Sync`: load once, share between threads (behind an `Arc`).
#[derive(Debug)]
pub struct CompiledApi {
    imported: Imported,
    router: Router<ApiRoute>,
    models: ModelSet,
    methods: HashMap<ApiRoute, CompiledMethod>,
    gateway_responses: IndexMap<GatewayResponseType, CompiledGatewayResponse>,
    resource_policy: Option<Policy>,
    authorizers: IndexMap<String, CompiledAuthorizer>,
    binary_media_types: BinaryMediaTypes,
    compression: Compression,
}

/// One method, compiled.
#[derive(Debug)]
pub struct CompiledMethod {
    validator: MethodValidator,
    integration: Option<CompiledIntegration>,
}

/// A method's integration, compiled.
#[derive(Debug)]
pub struct CompiledIntegration {
    request_templates: RequestTemplates<Template>,
    request_parameters: ParamMappings,
    responses: IntegrationResponses<CompiledIntegrationResponse>,
    content_handling: Option<ContentHandling>,
}

/// One integration response, compiled.
#[derive(Debug)]
pub struct CompiledIntegrationResponse {
    status_code: StatusCode,
    response_parameters: ParamMappings,
    response_templates: Vec<(String, Template)>,
    content_handling: Option<ContentHandling>,
}

impl CompiledApi {
    /// Imports `bytes` (OpenAPI 3.0 or Swagger 2.0, JSON or YAML) and compiles everything.
    pub fn load(bytes: &[u8], options: &CompileOptions) -> Result<CompiledApi, CompileError> {
        let imported = import(bytes, &options.import)?;
        CompiledApi::compile(imported, options)
    }

    /// Compiles an imported API (or one built by hand).
    pub fn compile(
        imported: Imported,
        options: &CompileOptions,
    ) -> Result<CompiledApi, CompileError> {
        let api = &imported.api;
        let router = Router::from_api(api)?;
        let models = compile_models(api)?;
        let mut methods = HashMap::new();
        for resource in &api.resources {
            for (&http_method, method) in &resource.methods {
                let compiled = compile_method(api, resource, method, &models, &options.engine)?;
                methods.insert(
                    ApiRoute {
                        resource: resource.id,
                        method: http_method,
                    },
                    compiled,
                );
            }
        }
        let mut gateway_responses = IndexMap::new();
        for (&response_type, response) in &api.gateway_responses {
            gateway_responses.insert(
                response_type,
                CompiledGatewayResponse::compile(response, &options.engine)?,
            );
        }
        let resource_policy = compile_policy(api, options.scope.as_ref())?;
        let binary_media_types = BinaryMediaTypes::compile(&api.binary_media_types);
        let compression = Compression::new(api.minimum_compression_size);
        let mut authorizers = IndexMap::new();
        for (name, authorizer) in &api.authorizers {
            let compiled = CompiledAuthorizer::compile(authorizer).map_err(|error| {
                CompileError::Authorizer {
                    name: name.clone(),
                    error,
                }
            })?;
            authorizers.insert(name.clone(), compiled);
        }
        Ok(CompiledApi {
            imported,
            router,
            models,
            methods,
            gateway_responses,
            resource_policy,
            authorizers,
            binary_media_types,
            compression,
        })
    }

    /// The API as imported.
    pub fn api(&self) -> &RestApi {
        &self.imported.api
    }

    /// The import's warnings, in document order.
    pub fn warnings(&self) -> &[ImportWarning] {
        &self.imported.warnings
    }

    /// The routing tree.
    pub fn router(&self) -> &Router<ApiRoute> {
        &self.router
    }

    /// The compiled models.
    pub fn models(&self) -> &ModelSet {
        &self.models
    }

    /// The compiled method a route names (`None` only for a route of another API).
    pub fn method(&self, route: ApiRoute) -> Option<&CompiledMethod> {
        self.methods.get(&route)
    }

    /// The model's method and resource a route names.
    pub fn model_method(&self, route: ApiRoute) -> Option<(&Resource, &Method)> {
        let resource = self.api().resource(route.resource)?;
        Some((resource, resource.methods.get(&route.method)?))
    }

    /// The API's customisation of a gateway response type, if any.
    pub fn gateway_response(
        &self,
        response_type: GatewayResponseType,
    ) -> Option<&CompiledGatewayResponse> {
        self.gateway_responses.get(&response_type)
    }

    /// The authorizer of this name (as a method's `authorizer` names it), compiled.
    pub fn authorizer(&self, name: &str) -> Option<&CompiledAuthorizer> {
        self.authorizers.get(name)
    }

    /// The resource policy, compiled.
    pub fn resource_policy(&self) -> Option<&Policy> {
        self.resource_policy.as_ref()
    }

    /// The API's `binaryMediaTypes`, compiled.
    pub fn binary_media_types(&self) -> &BinaryMediaTypes {
        &self.binary_media_types
    }

    /// The API's `minimumCompressionSize`, compiled (with its compressor pool).
    pub fn compression(&self) -> &Compression {
        &self.compression
    }
}

impl CompiledMethod {
    /// The method's request validation (its validator or the API's default, its required
    /// parameters and its request models).
    pub fn validator(&self) -> &MethodValidator {
        &self.validator
    }

    /// The integration, when the method has one.
    pub fn integration(&self) -> Option<&CompiledIntegration> {
        self.integration.as_ref()
    }
}

impl CompiledIntegration {
    /// The request templates, selected by the request's content type.
    pub fn request_templates(&self) -> &RequestTemplates<Template> {
        &self.request_templates
    }

    /// The `requestParameters` mappings.
    pub fn request_parameters(&self) -> &ParamMappings {
        &self.request_parameters
    }

    /// The integration responses, selected by status code or Lambda error message.
    pub fn responses(&self) -> &IntegrationResponses<CompiledIntegrationResponse> {
        &self.responses
    }

    /// The integration's `contentHandling` (request payload conversion).
    pub fn content_handling(&self) -> Option<ContentHandling> {
        self.content_handling
    }
}

impl CompiledIntegrationResponse {
    /// The method response status code this integration response returns.
    pub fn status_code(&self) -> StatusCode {
        self.status_code
    }

    /// The `responseParameters` mappings.
    pub fn response_parameters(&self) -> &ParamMappings {
        &self.response_parameters
    }

    /// The response templates by content type, in definition order (pick one with
    /// [`gateway_mapping::selection::select_response_template`]).
    pub fn response_templates(&self) -> &[(String, Template)] {
        &self.response_templates
    }

    /// The integration response's `contentHandling` (response payload conversion).
    pub fn content_handling(&self) -> Option<ContentHandling> {
        self.content_handling
    }
}

/// Every model of the API in one set (model-URL `$ref`s resolved, cycles refused).
fn compile_models(api: &RestApi) -> Result<ModelSet, CompileError> {
    let mut builder = ModelSet::builder(api.id.as_str());
    for (name, model) in &api.models {
        builder = builder.model(name.as_str(), model.schema.clone());
    }
    builder.build().map_err(CompileError::Models)
}

fn compile_method(
    api: &RestApi,
    resource: &Resource,
    method: &Method,
    models: &ModelSet,
    engine: &EngineOptions,
) -> Result<CompiledMethod, CompileError> {
    let at = || {
        Box::new(MethodAt {
            http_method: method.http_method,
            path: resource.path.clone(),
        })
    };
    let validator = api.validator_for(method).copied();
    let keys: Vec<(String, bool)> = method
        .request_parameters
        .iter()
        .map(|p| (p.key(), p.required))
        .collect();
    let validator = MethodValidator::new(
        validator,
        keys.iter().map(|(k, r)| (k.as_str(), *r)),
        method
            .request_models
            .iter()
            .map(|(ct, m)| (ct.as_str(), m.as_str())),
        models,
    )
    .map_err(|error| CompileError::Validation { at: at(), error })?;

    let Some(integration) = &method.integration else {
        return Ok(CompiledMethod {
            validator,
            integration: None,
        });
    };
    let mut templates = Vec::with_capacity(integration.request_templates.len());
    for (content_type, source) in &integration.request_templates {
        let template =
            Template::compile(source, engine).map_err(|error| CompileError::RequestTemplate {
                at: at(),
                content_type: content_type.clone(),
                error,
            })?;
        templates.push((content_type.as_str(), template));
    }
    let request_templates = RequestTemplates::new(templates, integration.passthrough_behavior)
        .map_err(|error| CompileError::RequestTemplates { at: at(), error })?;
    let request_parameters = ParamMappings::compile_request(
        integration
            .request_parameters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
    .map_err(|error| CompileError::RequestParameters {
        at: at(),
        error: Box::new(error),
    })?;

    let mut responses = Vec::with_capacity(integration.responses.len());
    for response in &integration.responses {
        let response_parameters = ParamMappings::compile_response(
            response
                .response_parameters
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|error| CompileError::ResponseParameters {
            at: at(),
            status: response.status_code,
            error: Box::new(error),
        })?;
        let mut response_templates = Vec::with_capacity(response.response_templates.len());
        for (content_type, source) in &response.response_templates {
            let template = Template::compile(source, engine).map_err(|error| {
                CompileError::ResponseTemplate {
                    at: at(),
                    status: response.status_code,
                    content_type: content_type.clone(),
                    error,
                }
            })?;
            response_templates.push((content_type.clone(), template));
        }
        responses.push((
            response.selection_pattern.as_deref(),
            CompiledIntegrationResponse {
                status_code: response.status_code,
                response_parameters,
                response_templates,
                content_handling: response.content_handling,
            },
        ));
    }
    let responses = IntegrationResponses::new(responses)
        .map_err(|error| CompileError::IntegrationResponses { at: at(), error })?;
    Ok(CompiledMethod {
        validator,
        integration: Some(CompiledIntegration {
            request_templates,
            request_parameters,
            responses,
            content_handling: integration.content_handling,
        }),
    })
}

fn compile_policy(
    api: &RestApi,
    scope: Option<&DeploymentScope>,
) -> Result<Option<Policy>, CompileError> {
    let Some(document) = &api.policy else {
        return Ok(None);
    };
    let text = document.to_string();
    let policy = match scope {
        Some(s) => Policy::parse_for_api(
            &text,
            &ApiScope {
                partition: s.partition.clone(),
                region: s.region.clone(),
                account_id: s.account_id.clone(),
                api_id: api.id.clone(),
            },
        ),
        None => Policy::parse_resource(&text),
    };
    policy.map(Some).map_err(CompileError::ResourcePolicy)
}

/// A compiled API and each of its parts are shared between request-handling threads: a part
/// that stopped being `Send + Sync` (an `Rc`, a `RefCell`) fails the build here.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CompiledApi>();
    assert_send_sync::<CompiledMethod>();
    assert_send_sync::<CompiledIntegration>();
    assert_send_sync::<CompiledIntegrationResponse>();
    assert_send_sync::<CompiledGatewayResponse>();
    assert_send_sync::<Router<ApiRoute>>();
    assert_send_sync::<ModelSet>();
    assert_send_sync::<MethodValidator>();
    assert_send_sync::<RequestTemplates<Template>>();
    assert_send_sync::<IntegrationResponses<CompiledIntegrationResponse>>();
    assert_send_sync::<ParamMappings>();
    assert_send_sync::<Template>();
    assert_send_sync::<Policy>();
    assert_send_sync::<CompiledAuthorizer>();
    assert_send_sync::<Compression>();
    assert_send_sync::<Imported>();
    assert_send_sync::<CompileError>();
    assert_send_sync::<crate::pipeline::Failure>();
    assert_send_sync::<crate::pipeline::RenderedGatewayResponse>();
};
