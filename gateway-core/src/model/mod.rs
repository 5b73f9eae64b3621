//! The REST API model: what API Gateway holds for one REST API once a definition is imported.
//!
//! The types mirror API Gateway's own resources (`RestApi`, `Resource`, `Method`, `Integration`,
//! `IntegrationResponse`, `MethodResponse`, `Model`, `RequestValidator`, `Authorizer`,
//! `GatewayResponse`, `Stage`) with their field names in Rust case, so the AWS API reference
//! documents them too. Values that API Gateway keeps as strings keyed by mapping expressions
//! (`method.request.header.x`, `integration.response.body.a`) are kept verbatim; the engines
//! that interpret them (mapping, validation, policy) parse them at their own compile step.
//!
//! The model is plain data with public fields: build it with [`crate::import::import`], or by
//! hand in tests. Its invariants (one root resource at index 0, each child's `path` is its
//! parent's path plus `/` plus its `path_part`, sibling path parts unique, at most one variable
//! child per resource) hold for every model the importer returns.
//!
//! ```
//! use gateway_core::model::{HttpMethod, RestApi};
//!
//! let api = RestApi::new("a1b2c3d4e5", "demo");
//! assert_eq!(api.resources[0].path, "/");
//! assert_eq!(api.routes().count(), 0);
//! assert_eq!(HttpMethod::parse("any"), Some(HttpMethod::Any));
//! ```

mod http_method;

pub(crate) use http_method::METHOD_COUNT;
pub use http_method::{HttpMethod, UnknownMethod};

use http::StatusCode;
use indexmap::IndexMap;
use serde_json::Value;
use std::fmt;

/// What API Gateway does with a request body whose content type has no request template: the
/// mapping engine's own type, so the model and the compiled request templates share it.
pub use gateway_mapping::selection::PassthroughBehavior;
/// A request validator (which parts of a request it checks): the validation engine's own
/// type. The model keeps validators by name ([`RestApi::request_validators`]).
pub use gateway_validate::RequestValidator;

/// One REST API: its resource tree, models, validators, authorizers and API-wide settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RestApi {
    /// The API id, as used in `execute-api` ARNs and model URLs (`https://apigateway.amazonaws.com/restapis/{id}/models/{name}`).
    pub id: String,
    /// The API name (`info.title`).
    pub name: String,
    /// The API description (`info.description`), if any.
    pub description: Option<String>,
    /// The definition's version (`info.version`), if any.
    pub version: Option<String>,
    /// All resources, the root `/` first; a resource's children follow their parent's creation
    /// order. Index into this with [`ResourceId`].
    pub resources: Vec<Resource>,
    /// Models by name, in definition order; each schema has its `$ref`s in API Gateway's URL form.
    pub models: IndexMap<String, Model>,
    /// Request validators by name.
    pub request_validators: IndexMap<String, RequestValidator>,
    /// The API-wide default request validator (`x-amazon-apigateway-request-validator` at the
    /// root), used by methods that name none.
    pub default_request_validator: Option<String>,
    /// Authorizers by name (the security scheme's name).
    pub authorizers: IndexMap<String, Authorizer>,
    /// Customised gateway responses by type.
    pub gateway_responses: IndexMap<GatewayResponseType, GatewayResponse>,
    /// Media types treated as binary (`x-amazon-apigateway-binary-media-types`), e.g. `image/png`
    /// or `*/*`.
    pub binary_media_types: Vec<String>,
    /// Smallest response body, in bytes, that is compressed; `None` disables compression.
    pub minimum_compression_size: Option<u32>,
    /// Where API keys are read from.
    pub api_key_source: ApiKeySource,
    /// The resource policy, kept as the raw IAM policy document.
    pub policy: Option<Value>,
    /// Endpoint type and execute-api endpoint settings.
    pub endpoint_configuration: EndpointConfiguration,
    /// Deployed stages. Definitions do not carry stages; the host adds them.
    pub stages: Vec<Stage>,
    /// The definition's base path as written (Swagger's `basePath`, the path of OpenAPI 3's
    /// first server URL with its variables at their defaults), whatever the import's base-path
    /// mode did with it: an API Gateway export names its stage there (`/prod`).
    pub base_path: Option<String>,
    /// `x-amazon-apigateway-cors` (an HTTP API setting): when set, the gateway answers
    /// preflights and adds CORS headers itself ([`crate::pipeline::cors`]).
    pub cors: Option<Cors>,
    /// `x-amazon-apigateway-documentation`, kept verbatim and not interpreted.
    pub documentation: Option<Value>,
}

impl RestApi {
    /// An empty API with only the root resource `/`.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        RestApi {
            id: id.into(),
            name: name.into(),
            description: None,
            version: None,
            resources: vec![Resource::root()],
            models: IndexMap::new(),
            request_validators: IndexMap::new(),
            default_request_validator: None,
            authorizers: IndexMap::new(),
            gateway_responses: IndexMap::new(),
            binary_media_types: Vec::new(),
            minimum_compression_size: None,
            api_key_source: ApiKeySource::Header,
            policy: None,
            endpoint_configuration: EndpointConfiguration::default(),
            stages: Vec::new(),
            base_path: None,
            cors: None,
            documentation: None,
        }
    }

    /// The root resource `/`.
    pub fn root(&self) -> &Resource {
        &self.resources[0]
    }

    /// The resource with this id, if any.
    pub fn resource(&self, id: ResourceId) -> Option<&Resource> {
        self.resources.get(id.0)
    }

    /// The resource whose full path template is exactly `path` (e.g. `/pets/{id}`).
    pub fn resource_by_path(&self, path: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.path == path)
    }

    /// Every (resource, method) pair, resources in order, methods in definition order.
    pub fn routes(&self) -> impl Iterator<Item = (&Resource, &Method)> {
        self.resources
            .iter()
            .flat_map(|r| r.methods.values().map(move |m| (r, m)))
    }

    /// The request validator that applies to `method`: its own, else the API default.
    pub fn validator_for(&self, method: &Method) -> Option<&RequestValidator> {
        let name = method
            .request_validator
            .as_deref()
            .or(self.default_request_validator.as_deref())?;
        self.request_validators.get(name)
    }

    /// The model URL API Gateway uses in `$ref`s: `https://apigateway.amazonaws.com/restapis/{id}/models/{name}`.
    pub fn model_url(&self, name: &str) -> String {
        model_url(&self.id, name)
    }

    /// The model a `$ref` URL points to, if it is one of this API's model URLs.
    pub fn model_by_url(&self, url: &str) -> Option<&Model> {
        let name = url
            .strip_prefix(MODEL_URL_PREFIX)?
            .strip_prefix(self.id.as_str())?
            .strip_prefix("/models/")?;
        self.models.get(name)
    }
}

/// The fixed start of every model URL (see [`RestApi::model_url`]).
pub const MODEL_URL_PREFIX: &str = "https://apigateway.amazonaws.com/restapis/";

/// `https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}`.
pub fn model_url(api_id: &str, name: &str) -> String {
    format!("{MODEL_URL_PREFIX}{api_id}/models/{name}")
}

/// Index of a resource in [`RestApi::resources`]; the root is `ResourceId(0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId(pub usize);

/// One node of the resource tree: a path part and the methods on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// This resource's index.
    pub id: ResourceId,
    /// The parent resource; `None` only for the root.
    pub parent: Option<ResourceId>,
    /// The last path segment: a literal (`pets`), a variable (`{id}`) or greedy (`{proxy+}`);
    /// empty for the root.
    pub path_part: String,
    /// The full path template, `/` for the root, else e.g. `/pets/{id}`.
    pub path: String,
    /// Child resources, in creation order.
    pub children: Vec<ResourceId>,
    /// Methods by HTTP verb (or `ANY`), in definition order.
    pub methods: IndexMap<HttpMethod, Method>,
}

impl Resource {
    /// The root resource `/` with no methods.
    pub fn root() -> Self {
        Resource {
            id: ResourceId(0),
            parent: None,
            path_part: String::new(),
            path: "/".to_owned(),
            children: Vec::new(),
            methods: IndexMap::new(),
        }
    }

    /// What kind of segment this resource's path part is.
    pub fn segment(&self) -> PathSegment<'_> {
        PathSegment::parse(&self.path_part)
    }
}

/// The kind of one resource path part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment<'a> {
    /// The root resource (empty path part).
    Root,
    /// A literal segment, matched exactly (case-sensitive).
    Literal(&'a str),
    /// `{name}`: one segment bound to path parameter `name`.
    Variable(&'a str),
    /// `{name+}`: the rest of the path bound to `name`.
    Greedy(&'a str),
}

impl<'a> PathSegment<'a> {
    /// Classifies a path part (no validation: the importer validates).
    pub fn parse(part: &'a str) -> Self {
        if part.is_empty() {
            return PathSegment::Root;
        }
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(inner) => match inner.strip_suffix('+') {
                Some(name) => PathSegment::Greedy(name),
                None => PathSegment::Variable(inner),
            },
            None => PathSegment::Literal(part),
        }
    }
}

/// One method of a resource: how it is authorized, validated and integrated.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    /// The verb (or `ANY`).
    pub http_method: HttpMethod,
    /// The `operationId`, if any.
    pub operation_name: Option<String>,
    /// How callers are authorized.
    pub authorization_type: AuthorizationType,
    /// Name of the authorizer (a key of [`RestApi::authorizers`]) for `CUSTOM` and
    /// `COGNITO_USER_POOLS`.
    pub authorizer: Option<String>,
    /// OAuth scopes required by a Cognito authorizer.
    pub authorization_scopes: Vec<String>,
    /// Whether callers must send a valid API key.
    pub api_key_required: bool,
    /// Declared request parameters (path, query string, header), in definition order.
    pub request_parameters: Vec<RequestParameter>,
    /// Request body models by content type (`application/json` -> model name).
    pub request_models: IndexMap<String, String>,
    /// Name of this method's request validator, if it names one.
    pub request_validator: Option<String>,
    /// The integration; `None` when the definition has none (calls then fail as on AWS).
    pub integration: Option<Integration>,
    /// Method responses by status code.
    pub method_responses: IndexMap<StatusCode, MethodResponse>,
}

impl Method {
    /// A method with no authorization, parameters or integration.
    pub fn new(http_method: HttpMethod) -> Self {
        Method {
            http_method,
            operation_name: None,
            authorization_type: AuthorizationType::None,
            authorizer: None,
            authorization_scopes: Vec::new(),
            api_key_required: false,
            request_parameters: Vec::new(),
            request_models: IndexMap::new(),
            request_validator: None,
            integration: None,
            method_responses: IndexMap::new(),
        }
    }
}

/// How a method authorizes callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthorizationType {
    /// Open.
    None,
    /// SigV4-signed requests checked against IAM (and the resource policy).
    AwsIam,
    /// A Lambda (TOKEN or REQUEST) authorizer.
    Custom,
    /// An Amazon Cognito user pool authorizer.
    CognitoUserPools,
}

impl AuthorizationType {
    /// API Gateway's spelling: `NONE`, `AWS_IAM`, `CUSTOM`, `COGNITO_USER_POOLS`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationType::None => "NONE",
            AuthorizationType::AwsIam => "AWS_IAM",
            AuthorizationType::Custom => "CUSTOM",
            AuthorizationType::CognitoUserPools => "COGNITO_USER_POOLS",
        }
    }
}

impl fmt::Display for AuthorizationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a request parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParameterLocation {
    /// A path variable (`{name}` in the resource path).
    Path,
    /// A query string parameter.
    QueryString,
    /// A request header (matched case-insensitively at request time).
    Header,
}

impl ParameterLocation {
    /// The location word in a mapping expression: `path`, `querystring`, `header`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::QueryString => "querystring",
            ParameterLocation::Header => "header",
        }
    }
}

/// A declared method request parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParameter {
    /// Where it is read from.
    pub location: ParameterLocation,
    /// Its name.
    pub name: String,
    /// Whether a request validator with `validateRequestParameters` requires it.
    pub required: bool,
}

impl RequestParameter {
    /// API Gateway's key for it: `method.request.{location}.{name}`.
    pub fn key(&self) -> String {
        format!("method.request.{}.{}", self.location.as_str(), self.name)
    }
}

/// A method response: a status code the method may return and what it declares.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodResponse {
    /// The status code, e.g. `200`.
    pub status_code: StatusCode,
    /// Declared response parameters (`method.response.header.X` -> required).
    pub response_parameters: IndexMap<String, bool>,
    /// Response models by content type.
    pub response_models: IndexMap<String, String>,
}

/// The backend integration of a method.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    /// The integration type.
    pub kind: IntegrationType,
    /// The backend URI: an `arn:aws:apigateway:...` ARN for AWS types, an http(s) URL for HTTP
    /// types, `None` for MOCK.
    pub uri: Option<String>,
    /// The verb API Gateway calls the backend with (`POST` for Lambda); `None` for MOCK.
    pub http_method: Option<HttpMethod>,
    /// IAM role ARN API Gateway assumes to call the backend.
    pub credentials: Option<String>,
    /// `integration.request.*` -> source expression (`method.request.*`, `'static'`, ...).
    pub request_parameters: IndexMap<String, String>,
    /// Request mapping templates by content type.
    pub request_templates: IndexMap<String, String>,
    /// What happens to a body whose content type has no template.
    pub passthrough_behavior: PassthroughBehavior,
    /// Request payload conversion, if any.
    pub content_handling: Option<ContentHandling>,
    /// Integration timeout in milliseconds (50 to 29000; default 29000).
    pub timeout_in_millis: u32,
    /// Request parameters whose values key the cache.
    pub cache_key_parameters: Vec<String>,
    /// The cache namespace, if any.
    pub cache_namespace: Option<String>,
    /// `INTERNET` or `VPC_LINK`.
    pub connection_type: ConnectionType,
    /// The VPC link id for `VPC_LINK`.
    pub connection_id: Option<String>,
    /// `tlsConfig.insecureSkipVerification`.
    pub tls_insecure_skip_verification: bool,
    /// Integration responses in definition order; the one with the `default` key last or
    /// wherever it was written (see [`IntegrationResponse::selection_pattern`]).
    pub responses: Vec<IntegrationResponse>,
}

impl Integration {
    /// An integration of `kind` with API Gateway's defaults and nothing else set.
    pub fn new(kind: IntegrationType) -> Self {
        Integration {
            kind,
            uri: None,
            http_method: None,
            credentials: None,
            request_parameters: IndexMap::new(),
            request_templates: IndexMap::new(),
            passthrough_behavior: PassthroughBehavior::WhenNoMatch,
            content_handling: None,
            timeout_in_millis: DEFAULT_TIMEOUT_MILLIS,
            cache_key_parameters: Vec::new(),
            cache_namespace: None,
            connection_type: ConnectionType::Internet,
            connection_id: None,
            tls_insecure_skip_verification: false,
            responses: Vec::new(),
        }
    }

    /// The default integration response (selection pattern key `default`), if any.
    pub fn default_response(&self) -> Option<&IntegrationResponse> {
        self.responses
            .iter()
            .find(|r| r.selection_pattern.is_none())
    }
}

/// Default integration timeout: 29 seconds, API Gateway's maximum and default for REST APIs.
pub const DEFAULT_TIMEOUT_MILLIS: u32 = 29_000;

/// Integration types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationType {
    /// An AWS service action, with mapping templates (Lambda non-proxy included).
    Aws,
    /// Lambda proxy integration.
    AwsProxy,
    /// An HTTP backend with mapping templates.
    Http,
    /// An HTTP backend, request and response passed through.
    HttpProxy,
    /// A response produced by API Gateway itself from templates.
    Mock,
}

impl IntegrationType {
    /// All types.
    pub const ALL: [IntegrationType; 5] = [
        IntegrationType::Aws,
        IntegrationType::AwsProxy,
        IntegrationType::Http,
        IntegrationType::HttpProxy,
        IntegrationType::Mock,
    ];

    /// Parses a type, case-insensitively (AWS's own examples write `aws_proxy` and `AWS_PROXY`).
    pub fn parse(s: &str) -> Option<Self> {
        IntegrationType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// API Gateway's spelling: `AWS`, `AWS_PROXY`, `HTTP`, `HTTP_PROXY`, `MOCK`.
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationType::Aws => "AWS",
            IntegrationType::AwsProxy => "AWS_PROXY",
            IntegrationType::Http => "HTTP",
            IntegrationType::HttpProxy => "HTTP_PROXY",
            IntegrationType::Mock => "MOCK",
        }
    }
}

impl fmt::Display for IntegrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Payload encoding conversion between text and binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentHandling {
    /// Base64-decode a text payload into binary.
    ConvertToBinary,
    /// Base64-encode a binary payload into text.
    ConvertToText,
}

impl ContentHandling {
    /// API Gateway's spelling: `CONVERT_TO_BINARY`, `CONVERT_TO_TEXT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentHandling::ConvertToBinary => "CONVERT_TO_BINARY",
            ContentHandling::ConvertToText => "CONVERT_TO_TEXT",
        }
    }
}

/// How API Gateway reaches the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionType {
    /// Over the internet (default).
    Internet,
    /// Through a VPC link.
    VpcLink,
}

/// One integration response: which backend outcomes it catches and how it maps them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntegrationResponse {
    /// The selection pattern (a Java regular expression matched against the whole status code
    /// for HTTP, or the Lambda `errorMessage`); `None` for the `default` response.
    pub selection_pattern: Option<String>,
    /// The method response status code to return.
    pub status_code: StatusCode,
    /// `method.response.header.X` -> source expression.
    pub response_parameters: IndexMap<String, String>,
    /// Response mapping templates by content type.
    pub response_templates: IndexMap<String, String>,
    /// Response payload conversion, if any.
    pub content_handling: Option<ContentHandling>,
}

/// A model: a named JSON schema (draft 4) for a content type.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The model name (alphanumeric).
    pub name: String,
    /// The content type it describes (`application/json`).
    pub content_type: String,
    /// The description, if any.
    pub description: Option<String>,
    /// The JSON schema, with `$ref`s to other models as model URLs.
    pub schema: Value,
}

/// A Lambda or Cognito authorizer.
#[derive(Debug, Clone, PartialEq)]
pub struct Authorizer {
    /// Its name (the security scheme's name).
    pub name: String,
    /// TOKEN, REQUEST or COGNITO_USER_POOLS.
    pub kind: AuthorizerType,
    /// The Lambda invocation URI, for TOKEN and REQUEST.
    pub authorizer_uri: Option<String>,
    /// IAM role ARN used to invoke the Lambda, if any.
    pub authorizer_credentials: Option<String>,
    /// Comma-separated mapping expressions naming the identity source, e.g.
    /// `method.request.header.Authorization`.
    pub identity_source: Option<String>,
    /// Regex a TOKEN must match before the Lambda is called.
    pub identity_validation_expression: Option<String>,
    /// Seconds an authorization result is cached (0 to 3600; default 300).
    pub result_ttl_in_seconds: u32,
    /// Cognito user pool ARNs, for COGNITO_USER_POOLS.
    pub provider_arns: Vec<String>,
    /// `x-amazon-apigateway-authtype` (free-form label for Lambda authorizers), if any.
    pub auth_type: Option<String>,
}

/// Default authorizer result TTL, in seconds (AWS's default).
pub const DEFAULT_AUTHORIZER_TTL_SECONDS: u32 = 300;

/// Kinds of authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthorizerType {
    /// Lambda with a bearer token from one header.
    Token,
    /// Lambda with request parameters.
    Request,
    /// Amazon Cognito user pool.
    CognitoUserPools,
}

impl AuthorizerType {
    /// API Gateway's spelling: `TOKEN`, `REQUEST`, `COGNITO_USER_POOLS`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizerType::Token => "TOKEN",
            AuthorizerType::Request => "REQUEST",
            AuthorizerType::CognitoUserPools => "COGNITO_USER_POOLS",
        }
    }
}

/// A customised gateway response.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayResponse {
    /// The response type.
    pub response_type: GatewayResponseType,
    /// Status code override; `None` keeps the type's default.
    pub status_code: Option<StatusCode>,
    /// `gatewayresponse.header.X` -> source expression.
    pub response_parameters: IndexMap<String, String>,
    /// Body templates by content type.
    pub response_templates: IndexMap<String, String>,
}

macro_rules! gateway_response_types {
    ($($variant:ident = $name:literal, $status:expr, $doc:literal;)*) => {
        /// The gateway response types API Gateway lets an API customise.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum GatewayResponseType {
            $(#[doc = $doc] $variant,)*
        }

        impl GatewayResponseType {
            /// All types, in AWS's documentation order.
            pub const ALL: &'static [GatewayResponseType] = &[$(GatewayResponseType::$variant,)*];

            /// API Gateway's spelling, e.g. `MISSING_AUTHENTICATION_TOKEN`.
            pub fn as_str(self) -> &'static str {
                match self { $(GatewayResponseType::$variant => $name,)* }
            }

            /// The default status code; `None` for `DEFAULT_4XX` and `DEFAULT_5XX`.
            pub fn default_status_code(self) -> Option<StatusCode> {
                match self { $(GatewayResponseType::$variant => $status,)* }
            }

            /// Parses API Gateway's spelling (exact, upper case).
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($name => Some(GatewayResponseType::$variant),)* _ => None }
            }
        }
    };
}

// Source: AWS API Gateway Developer Guide, "Gateway response types"
// (doc_source/supported-gateway-response-types.md).
gateway_response_types! {
    AccessDenied = "ACCESS_DENIED", Some(StatusCode::FORBIDDEN), "Authorizer denied access.";
    ApiConfigurationError = "API_CONFIGURATION_ERROR", Some(StatusCode::INTERNAL_SERVER_ERROR), "Invalid API configuration.";
    AuthorizerConfigurationError = "AUTHORIZER_CONFIGURATION_ERROR", Some(StatusCode::INTERNAL_SERVER_ERROR), "Could not reach the authorizer.";
    AuthorizerFailure = "AUTHORIZER_FAILURE", Some(StatusCode::INTERNAL_SERVER_ERROR), "The authorizer failed.";
    BadRequestParameters = "BAD_REQUEST_PARAMETERS", Some(StatusCode::BAD_REQUEST), "Request parameters failed validation.";
    BadRequestBody = "BAD_REQUEST_BODY", Some(StatusCode::BAD_REQUEST), "Request body failed validation.";
    Default4xx = "DEFAULT_4XX", None, "Fallback for 4XX types.";
    Default5xx = "DEFAULT_5XX", None, "Fallback for 5XX types.";
    ExpiredToken = "EXPIRED_TOKEN", Some(StatusCode::FORBIDDEN), "AWS authentication token expired.";
    IntegrationFailure = "INTEGRATION_FAILURE", Some(StatusCode::GATEWAY_TIMEOUT), "The integration failed.";
    IntegrationTimeout = "INTEGRATION_TIMEOUT", Some(StatusCode::GATEWAY_TIMEOUT), "The integration timed out.";
    InvalidApiKey = "INVALID_API_KEY", Some(StatusCode::FORBIDDEN), "Invalid API key.";
    InvalidSignature = "INVALID_SIGNATURE", Some(StatusCode::FORBIDDEN), "Invalid AWS signature.";
    MissingAuthenticationToken = "MISSING_AUTHENTICATION_TOKEN", Some(StatusCode::FORBIDDEN), "Missing authentication token (also: no such route).";
    QuotaExceeded = "QUOTA_EXCEEDED", Some(StatusCode::TOO_MANY_REQUESTS), "Usage plan quota exceeded.";
    RequestTooLarge = "REQUEST_TOO_LARGE", Some(StatusCode::PAYLOAD_TOO_LARGE), "Request too large.";
    ResourceNotFound = "RESOURCE_NOT_FOUND", Some(StatusCode::NOT_FOUND), "Resource not found after authorization.";
    Throttled = "THROTTLED", Some(StatusCode::TOO_MANY_REQUESTS), "Throttling limit exceeded.";
    Unauthorized = "UNAUTHORIZED", Some(StatusCode::UNAUTHORIZED), "The authorizer rejected the caller.";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE), "Unsupported payload media type.";
    WafFiltered = "WAF_FILTERED", Some(StatusCode::FORBIDDEN), "Blocked by AWS WAF.";
}

impl fmt::Display for GatewayResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where API keys are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ApiKeySource {
    /// The `x-api-key` header (default).
    #[default]
    Header,
    /// The `usageIdentifierKey` a Lambda authorizer returns.
    Authorizer,
}

impl ApiKeySource {
    /// API Gateway's spelling: `HEADER`, `AUTHORIZER`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeySource::Header => "HEADER",
            ApiKeySource::Authorizer => "AUTHORIZER",
        }
    }
}

/// The endpoint configuration of an API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointConfiguration {
    /// The endpoint type.
    pub endpoint_type: EndpointType,
    /// VPC endpoint ids (PRIVATE APIs).
    pub vpc_endpoint_ids: Vec<String>,
    /// Whether the default `execute-api` endpoint is disabled.
    pub disable_execute_api_endpoint: bool,
}

/// API endpoint types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EndpointType {
    /// Edge-optimized (the default for imports).
    #[default]
    Edge,
    /// Regional.
    Regional,
    /// Private (VPC endpoints only).
    Private,
}

/// A deployed stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stage {
    /// The stage name (alphanumerics, `-` and `_`, up to 128 characters).
    pub name: String,
    /// Stage variables.
    pub variables: IndexMap<String, String>,
    /// Stage-wide default throttling, if set.
    pub throttling: Option<Throttling>,
    /// Per-method throttling, keyed `{resource_path}/{HTTP_METHOD}` as in API Gateway's method
    /// settings (e.g. `/pets/GET`, or `*/*` for all).
    pub method_throttling: IndexMap<String, Throttling>,
}

/// A token bucket: steady rate and burst size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttling {
    /// Requests per second.
    pub rate_limit: f64,
    /// Bucket size.
    pub burst_limit: u32,
}

/// `x-amazon-apigateway-cors` (HTTP APIs' CORS configuration).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cors {
    /// Allowed origins.
    pub allow_origins: Vec<String>,
    /// Allowed methods.
    pub allow_methods: Vec<String>,
    /// Allowed request headers.
    pub allow_headers: Vec<String>,
    /// Headers exposed to the browser.
    pub expose_headers: Vec<String>,
    /// Preflight cache lifetime in seconds.
    pub max_age: Option<u32>,
    /// Whether credentials are allowed.
    pub allow_credentials: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segment_classifies_literal_variable_and_greedy() {
        assert_eq!(PathSegment::parse(""), PathSegment::Root);
        assert_eq!(PathSegment::parse("pets"), PathSegment::Literal("pets"));
        assert_eq!(PathSegment::parse("{id}"), PathSegment::Variable("id"));
        assert_eq!(PathSegment::parse("{proxy+}"), PathSegment::Greedy("proxy"));
    }

    #[test]
    fn model_url_round_trips_through_model_by_url() {
        let mut api = RestApi::new("abc123", "t");
        api.models.insert(
            "Pet".into(),
            Model {
                name: "Pet".into(),
                content_type: "application/json".into(),
                description: None,
                schema: serde_json::json!({"type": "object"}),
            },
        );
        let url = api.model_url("Pet");
        assert_eq!(
            url,
            "https://apigateway.amazonaws.com/restapis/abc123/models/Pet"
        );
        assert_eq!(api.model_by_url(&url).map(|m| m.name.as_str()), Some("Pet"));
        assert!(
            api.model_by_url("https://apigateway.amazonaws.com/restapis/other/models/Pet")
                .is_none()
        );
    }

    #[test]
    fn gateway_response_types_parse_their_own_names_and_default_codes() {
        for t in GatewayResponseType::ALL {
            assert_eq!(GatewayResponseType::parse(t.as_str()), Some(*t));
        }
        // Source: AWS API Gateway Developer Guide, "Gateway response types": 21 types,
        // MISSING_AUTHENTICATION_TOKEN defaults to 403, DEFAULT_4XX has no code.
        assert_eq!(GatewayResponseType::ALL.len(), 21);
        assert_eq!(
            GatewayResponseType::MissingAuthenticationToken.default_status_code(),
            Some(StatusCode::FORBIDDEN)
        );
        assert_eq!(GatewayResponseType::Default4xx.default_status_code(), None);
        assert_eq!(
            GatewayResponseType::parse("missing_authentication_token"),
            None
        );
    }

    #[test]
    fn validator_for_falls_back_to_the_api_default() {
        let mut api = RestApi::new("x", "t");
        api.request_validators
            .insert("all".into(), RequestValidator::ALL);
        api.request_validators
            .insert("params".into(), RequestValidator::PARAMETERS);
        let mut m = Method::new(HttpMethod::Get);
        assert!(api.validator_for(&m).is_none());
        api.default_request_validator = Some("all".into());
        assert_eq!(api.validator_for(&m), Some(&RequestValidator::ALL));
        m.request_validator = Some("params".into());
        assert_eq!(api.validator_for(&m), Some(&RequestValidator::PARAMETERS));
    }
}
