//! Import of the bundled example APIs (`examples/apis/`) and of malformed definitions
//! (`tests/data/malformed/`), each with the pointer-named error API Gateway's checks give.
//!
//! Sources, cited below by their tag in brackets:
//! - DG-ext = AWS API Gateway Developer Guide, "OpenAPI extensions to API Gateway" (one page per
//!   `x-amazon-apigateway-*` extension).
//! - DG-models = same guide, "Data models for REST APIs": a model referencing another uses
//!   `"$ref": "https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{model_name}"`
//!   (also AWS re:Post, "Model reference must be in canonical form", which quotes the format).
//! - DG-import = same guide, "Import a REST API into API Gateway" (`failonwarnings`, `basepath`).

use gateway_core::import::{BasePath, ImportError, ImportOptions, Imported, import};
use gateway_core::model::{
    AuthorizationType, AuthorizerType, ContentHandling, GatewayResponseType, HttpMethod,
    IntegrationType, Method, ParameterLocation, PassthroughBehavior, RestApi,
};
use http::StatusCode;
use serde_json::json;

fn read(path: &str) -> Vec<u8> {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn import_example(name: &str) -> Imported {
    import(
        &read(&format!("examples/apis/{name}")),
        &ImportOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `(method, path, integration type)` of every route, in model order.
fn route_table(api: &RestApi) -> Vec<(String, String, String)> {
    api.routes()
        .map(|(r, m)| {
            (
                m.http_method.to_string(),
                r.path.clone(),
                m.integration
                    .as_ref()
                    .map_or("none".to_owned(), |i| i.kind.to_string()),
            )
        })
        .collect()
}

fn method<'a>(api: &'a RestApi, path: &str, verb: HttpMethod) -> &'a Method {
    api.resource_by_path(path)
        .unwrap_or_else(|| panic!("no resource {path}"))
        .methods
        .get(&verb)
        .unwrap_or_else(|| panic!("no {verb} on {path}"))
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

// ---------------------------------------------------------------- petstore.yaml

#[test]
fn petstore_has_every_route_with_its_integration_and_no_warnings() {
    let imported = import_example("petstore.yaml");
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let api = &imported.api;
    assert_eq!(api.name, "PetStore");
    assert_eq!(api.version.as_deref(), Some("2024-01-15"));
    assert_eq!(
        route_table(api),
        owned(&[
            ("GET", "/", "MOCK"),
            ("GET", "/pets", "HTTP_PROXY"),
            ("POST", "/pets", "AWS_PROXY"),
            ("OPTIONS", "/pets", "MOCK"),
            ("GET", "/pets/{petId}", "HTTP_PROXY"),
            ("DELETE", "/pets/{petId}", "AWS_PROXY"),
            ("OPTIONS", "/pets/{petId}", "MOCK"),
            ("GET", "/pets/{petId}/photo", "HTTP_PROXY"),
            ("ANY", "/static/{proxy+}", "HTTP_PROXY"),
        ])
    );
    // The resource tree: /static exists as a method-less parent of the greedy resource.
    let stat = api.resource_by_path("/static").unwrap();
    assert!(stat.methods.is_empty());
    assert_eq!(stat.children.len(), 1);
    assert_eq!(
        api.resource_by_path("/pets/{petId}").unwrap().path_part,
        "{petId}"
    );
}

#[test]
fn petstore_validated_method_has_its_validator_model_and_required_parameters() {
    let api = import_example("petstore.yaml").api;
    let post = method(&api, "/pets", HttpMethod::Post);
    assert_eq!(post.request_validator.as_deref(), Some("all"));
    let v = api.validator_for(post).unwrap();
    assert!(v.validate_request_body && v.validate_request_parameters);
    assert_eq!(
        post.request_models
            .get("application/json")
            .map(String::as_str),
        Some("Pet")
    );
    let params: Vec<_> = post
        .request_parameters
        .iter()
        .map(|p| (p.location, p.name.as_str(), p.required, p.key()))
        .collect();
    assert_eq!(
        params,
        [
            (
                ParameterLocation::QueryString,
                "storeId",
                true,
                "method.request.querystring.storeId".to_owned()
            ),
            (
                ParameterLocation::Header,
                "X-Request-Id",
                true,
                "method.request.header.X-Request-Id".to_owned()
            ),
        ]
    );
    // GET /pets names no validator: the API-wide default (params-only) applies.
    let get = method(&api, "/pets", HttpMethod::Get);
    assert_eq!(get.request_validator, None);
    let v = api.validator_for(get).unwrap();
    assert_eq!(
        api.default_request_validator.as_deref(),
        Some("params-only")
    );
    assert_eq!(
        (v.validate_request_body, v.validate_request_parameters),
        (false, true)
    );
    let required: Vec<_> = get
        .request_parameters
        .iter()
        .map(|p| (p.name.as_str(), p.required))
        .collect();
    assert_eq!(required, [("type", true), ("page", false)]);
    // A path-level parameter applies to each operation under it, and path parameters are
    // always required.
    let del = method(&api, "/pets/{petId}", HttpMethod::Delete);
    assert_eq!(del.request_parameters.len(), 1);
    assert_eq!(del.request_parameters[0].location, ParameterLocation::Path);
    assert!(del.request_parameters[0].required);
    assert_eq!(api.request_validators.len(), 3);
}

#[test]
fn petstore_models_keep_their_schemas_with_refs_as_model_urls() {
    let opts = ImportOptions {
        api_id: Some("a1b2c3d4e5".into()),
        ..ImportOptions::default()
    };
    let api = import(&read("examples/apis/petstore.yaml"), &opts)
        .unwrap()
        .api;
    assert_eq!(
        api.models.keys().collect::<Vec<_>>(),
        ["Empty", "Pet", "Pets", "NewPetResponse", "Error"]
    );
    let pet = &api.models["Pet"];
    assert_eq!(pet.content_type, "application/json");
    assert_eq!(pet.schema["required"], json!(["name", "type"]));
    assert_eq!(
        pet.schema["properties"]["type"]["enum"],
        json!(["dog", "cat", "fish"])
    );
    // [DG-models]: references between models use the model URL of the API.
    assert_eq!(
        api.models["Pets"].schema["items"]["$ref"],
        json!("https://apigateway.amazonaws.com/restapis/a1b2c3d4e5/models/Pet")
    );
    assert_eq!(
        api.models["NewPetResponse"].schema["properties"]["pet"]["$ref"],
        json!(api.model_url("Pet"))
    );
    let url = api.models["Pets"].schema["items"]["$ref"].as_str().unwrap();
    assert_eq!(api.model_by_url(url).map(|m| m.name.as_str()), Some("Pet"));
    // Method responses name their models by content type.
    let photo = method(&api, "/pets/{petId}/photo", HttpMethod::Get);
    assert_eq!(
        photo.method_responses[&StatusCode::OK]
            .response_models
            .keys()
            .collect::<Vec<_>>(),
        ["image/png", "image/jpeg"]
    );
}

#[test]
fn petstore_api_settings_binary_types_compression_and_gateway_responses() {
    let api = import_example("petstore.yaml").api;
    assert_eq!(api.binary_media_types, ["image/png", "image/jpeg"]);
    assert_eq!(api.minimum_compression_size, Some(1024));
    assert_eq!(
        api.default_request_validator.as_deref(),
        Some("params-only")
    );
    assert_eq!(
        api.gateway_responses.keys().copied().collect::<Vec<_>>(),
        [
            GatewayResponseType::Default4xx,
            GatewayResponseType::Default5xx,
            GatewayResponseType::BadRequestBody,
            GatewayResponseType::UnsupportedMediaType,
        ]
    );
    let bad_body = &api.gateway_responses[&GatewayResponseType::BadRequestBody];
    assert_eq!(bad_body.status_code, Some(StatusCode::BAD_REQUEST));
    assert!(
        bad_body.response_templates["application/json"]
            .contains("$context.error.validationErrorString")
    );
    let d4 = &api.gateway_responses[&GatewayResponseType::Default4xx];
    assert_eq!(d4.status_code, None);
    assert_eq!(
        d4.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"],
        "'*'"
    );
    // The missing-route response is left at API Gateway's default (403).
    assert!(
        !api.gateway_responses
            .contains_key(&GatewayResponseType::MissingAuthenticationToken)
    );
}

#[test]
fn petstore_integrations_carry_uri_method_parameters_and_cors_mappings() {
    let api = import_example("petstore.yaml").api;
    let post = method(&api, "/pets", HttpMethod::Post)
        .integration
        .as_ref()
        .unwrap();
    assert_eq!(post.kind, IntegrationType::AwsProxy);
    assert_eq!(post.http_method, Some(HttpMethod::Post));
    assert!(
        post.uri
            .as_deref()
            .unwrap()
            .ends_with(":function:PetStoreCreatePet/invocations")
    );
    assert_eq!(
        post.credentials.as_deref(),
        Some("arn:aws:iam::123456789012:role/PetStoreInvokeLambda")
    );
    assert_eq!(post.timeout_in_millis, 29_000);
    assert_eq!(post.content_handling, Some(ContentHandling::ConvertToText));

    let list = method(&api, "/pets", HttpMethod::Get)
        .integration
        .as_ref()
        .unwrap();
    assert_eq!(list.timeout_in_millis, 10_000);
    assert_eq!(
        list.request_parameters["integration.request.querystring.type"],
        "method.request.querystring.type"
    );
    assert_eq!(list.cache_key_parameters.len(), 2);
    assert_eq!(list.cache_namespace.as_deref(), Some("pets"));

    // CORS preflight: a MOCK whose default response maps the Access-Control-* headers.
    let options = method(&api, "/pets", HttpMethod::Options);
    let mock = options.integration.as_ref().unwrap();
    assert_eq!(mock.kind, IntegrationType::Mock);
    assert_eq!(mock.uri, None);
    assert_eq!(
        mock.request_templates["application/json"],
        r#"{"statusCode": 200}"#
    );
    let default = mock.default_response().unwrap();
    assert_eq!(default.status_code, 200);
    assert_eq!(
        default.response_parameters["method.response.header.Access-Control-Allow-Methods"],
        "'GET,POST,OPTIONS'"
    );
    assert!(
        options.method_responses[&StatusCode::OK]
            .response_parameters
            .contains_key("method.response.header.Access-Control-Allow-Origin")
    );

    let any = method(&api, "/static/{proxy+}", HttpMethod::Any);
    assert_eq!(
        any.integration.as_ref().unwrap().http_method,
        Some(HttpMethod::Any)
    );
}

#[test]
fn petstore_as_json_imports_the_same_api_as_the_yaml() {
    let yaml = read("examples/apis/petstore.yaml");
    let value: serde_json::Value = serde_yaml_ng::from_slice(&yaml).expect("petstore.yaml is YAML");
    let json_bytes = serde_json::to_vec_pretty(&value).unwrap();
    let from_json = import(&json_bytes, &ImportOptions::default()).unwrap();
    let from_yaml = import(&yaml, &ImportOptions::default()).unwrap();
    assert_eq!(from_json, from_yaml);
}

// ---------------------------------------------------------------- mapping.yaml

#[test]
fn mapping_api_uses_non_proxy_http_and_aws_integrations() {
    let imported = import_example("mapping.yaml");
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let api = &imported.api;
    // [DG-import]: basepath=ignore is the default, so Swagger's basePath /v1 is dropped.
    assert_eq!(
        route_table(api),
        owned(&[
            ("GET", "/orders", "HTTP"),
            ("POST", "/orders", "AWS"),
            ("GET", "/orders/{orderId}", "AWS"),
            ("POST", "/orders/{orderId}/cancel", "HTTP"),
            ("POST", "/events", "AWS"),
            ("GET", "/reports/{reportId}", "AWS"),
            ("GET", "/health", "MOCK"),
        ])
    );
}

#[test]
fn mapping_api_keeps_templates_and_selection_patterns_in_order() {
    let api = import_example("mapping.yaml").api;
    let place = method(&api, "/orders", HttpMethod::Post);
    let integ = place.integration.as_ref().unwrap();
    assert_eq!(integ.passthrough_behavior, PassthroughBehavior::Never);
    assert!(integ.request_templates["application/json"].contains("\"order\": $input.json('$')"));
    let patterns: Vec<_> = integ
        .responses
        .iter()
        .map(|r| (r.selection_pattern.as_deref(), r.status_code.as_str()))
        .collect();
    assert_eq!(
        patterns,
        [
            (None, "201"),
            (Some(r".*\[BadRequest\].*"), "400"),
            (Some(r".*\[OutOfStock\].*"), "409"),
            (Some(r"(\n|.)*Task timed out(\n|.)*"), "500"),
        ]
    );
    assert_eq!(
        integ.default_response().unwrap().response_parameters["method.response.header.Location"],
        "integration.response.body.location"
    );
    // Swagger 2 body parameter -> request model for the operation's content types.
    assert_eq!(place.request_models["application/json"], "NewOrder");
    assert_eq!(place.request_validator.as_deref(), Some("body-only"));
    assert_eq!(
        api.models["NewOrder"].schema["properties"]["items"]["items"]["$ref"],
        json!(api.model_url("LineItem"))
    );

    let list = method(&api, "/orders", HttpMethod::Get)
        .integration
        .as_ref()
        .unwrap();
    assert_eq!(list.kind, IntegrationType::Http);
    assert_eq!(
        list.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    assert_eq!(
        list.responses
            .iter()
            .map(|r| r.selection_pattern.as_deref())
            .collect::<Vec<_>>(),
        [None, Some(r"4\d{2}"), Some(r"5\d{2}")]
    );
    assert!(list.responses[0].response_templates["application/json"].contains("#foreach"));
    assert_eq!(
        list.request_parameters["integration.request.header.X-Source"],
        "'api-gateway'"
    );

    let cancel = method(&api, "/orders/{orderId}/cancel", HttpMethod::Post);
    assert_eq!(
        cancel
            .integration
            .as_ref()
            .unwrap()
            .request_templates
            .keys()
            .collect::<Vec<_>>(),
        ["application/json", "application/x-www-form-urlencoded"]
    );

    let report = method(&api, "/reports/{reportId}", HttpMethod::Get)
        .integration
        .as_ref()
        .unwrap();
    assert!(
        report
            .uri
            .as_deref()
            .unwrap()
            .starts_with("arn:aws:apigateway:us-east-1:s3:path/")
    );
    assert_eq!(
        report.content_handling,
        Some(ContentHandling::ConvertToText)
    );
    assert_eq!(
        report.default_response().unwrap().content_handling,
        Some(ContentHandling::ConvertToText)
    );
}

#[test]
fn mapping_api_base_path_is_prepended_or_split_on_request() {
    let bytes = read("examples/apis/mapping.yaml");
    for (mode, first) in [
        (BasePath::Ignore, "/orders"),
        (BasePath::Prepend, "/v1/orders"),
        // Split drops the first segment of /v1, leaving nothing to prepend.
        (BasePath::Split, "/orders"),
    ] {
        let opts = ImportOptions {
            base_path: mode,
            ..ImportOptions::default()
        };
        let api = import(&bytes, &opts).unwrap().api;
        let (resource, _) = api.routes().next().unwrap();
        assert_eq!(resource.path, first, "{mode:?}");
    }
}

// ---------------------------------------------------------------- secured.yaml

#[test]
fn secured_api_methods_get_their_authorization_and_api_key_flags() {
    let imported = import_example("secured.yaml");
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let api = &imported.api;
    let auth: Vec<_> = api
        .routes()
        .map(|(r, m)| {
            (
                format!("{} {}", m.http_method, r.path),
                m.authorization_type,
                m.authorizer.clone(),
                m.api_key_required,
            )
        })
        .collect();
    use AuthorizationType::{AwsIam, CognitoUserPools, Custom};
    let s = |x: &str| Some(x.to_owned());
    assert_eq!(
        auth,
        [
            ("GET /accounts".into(), Custom, s("tokenAuthorizer"), true),
            (
                "POST /accounts".into(),
                CognitoUserPools,
                s("cognitoAuthorizer"),
                false
            ),
            (
                "GET /accounts/{accountId}".into(),
                Custom,
                s("requestAuthorizer"),
                true
            ),
            ("DELETE /accounts/{accountId}".into(), AwsIam, None, false),
            ("ANY /admin/{proxy+}".into(), AwsIam, None, false),
            // `security: []` clears the root-level API key requirement.
            (
                "GET /public/status".into(),
                AuthorizationType::None,
                None,
                false
            ),
        ]
    );
    assert_eq!(
        method(api, "/accounts", HttpMethod::Post).authorization_scopes,
        ["accounts/write"]
    );
}

#[test]
fn secured_api_authorizers_policy_and_gateway_responses() {
    let api = import_example("secured.yaml").api;
    assert_eq!(
        api.authorizers.keys().collect::<Vec<_>>(),
        ["tokenAuthorizer", "requestAuthorizer", "cognitoAuthorizer"]
    );
    let token = &api.authorizers["tokenAuthorizer"];
    assert_eq!(token.kind, AuthorizerType::Token);
    // [DG-ext] x-amazon-apigateway-authorizer: a TOKEN authorizer's identity source is the
    // header the security scheme names.
    assert_eq!(
        token.identity_source.as_deref(),
        Some("method.request.header.Authorization")
    );
    assert_eq!(token.result_ttl_in_seconds, 300);
    assert!(
        token
            .identity_validation_expression
            .as_deref()
            .unwrap()
            .starts_with("^Bearer ")
    );
    assert_eq!(token.auth_type.as_deref(), Some("custom"));
    let request = &api.authorizers["requestAuthorizer"];
    assert_eq!(request.kind, AuthorizerType::Request);
    assert_eq!(
        request.identity_source.as_deref(),
        Some("method.request.header.X-Tenant-Id, method.request.querystring.token")
    );
    assert_eq!(request.result_ttl_in_seconds, 60);
    let cognito = &api.authorizers["cognitoAuthorizer"];
    assert_eq!(cognito.kind, AuthorizerType::CognitoUserPools);
    assert_eq!(cognito.provider_arns.len(), 1);
    assert_eq!(cognito.authorizer_uri, None);

    let policy = api.policy.as_ref().unwrap();
    assert_eq!(policy["Statement"].as_array().unwrap().len(), 2);
    assert_eq!(policy["Statement"][1]["Effect"], "Deny");
    assert_eq!(
        policy["Statement"][1]["Condition"]["NotIpAddress"]["aws:SourceIp"],
        "203.0.113.0/24"
    );
    assert_eq!(
        api.gateway_responses[&GatewayResponseType::Unauthorized].status_code,
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(api.gateway_responses.len(), 4);
}

// ---------------------------------------------------------------- malformed definitions

#[test]
fn malformed_definitions_fail_with_a_pointer_naming_the_place() {
    // (file, JSON pointer, what the message says). The pointer is RFC 6901: `/` in a path key
    // is written `~1`.
    let cases: &[(&str, &str, &str)] = &[
        (
            "unknown_integration_type.yaml",
            "/paths/~1pets~1{id}/get/x-amazon-apigateway-integration/type",
            "unknown integration type \"FOO\" (expected one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK)",
        ),
        (
            // AWS's wording, recorded in localstack/localstack
            // tests/aws/services/apigateway/test_apigateway_api.snapshot.json
            // (test_create_proxy_resource_validation).
            "sibling_path_variables.yaml",
            "/paths/~1pets~1{petId}~1toys",
            "A sibling ({id}) of this resource already has a variable path part -- only one is allowed",
        ),
        (
            "greedy_not_last.yaml",
            "/paths/~1files~1{proxy+}~1meta",
            "Cannot create a child of a resource with a greedy path variable: {proxy+}",
        ),
        (
            "duplicate_path_variable.yaml",
            "/paths/~1a~1{id}~1b~1{id}",
            "path variable {id} appears more than once",
        ),
        (
            "invalid_path_part.yaml",
            "/paths/~1images~1img-{id}.png",
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.",
        ),
        (
            // [DG-ext] x-amazon-apigateway-minimum-compression-size: 0 to 10485760 bytes.
            "compression_size_too_large.yaml",
            "/x-amazon-apigateway-minimum-compression-size",
            "minimum compression size 10485761 is out of range (expected 0 to 10485760)",
        ),
        (
            "compression_size_negative.json",
            "/x-amazon-apigateway-minimum-compression-size",
            "minimum compression size -1 is out of range (expected 0 to 10485760)",
        ),
        (
            "unknown_gateway_response.yaml",
            "/x-amazon-apigateway-gateway-responses/NOT_FOUND",
            "unknown gateway response type \"NOT_FOUND\" (expected one of ACCESS_DENIED,",
        ),
        (
            "bad_selection_pattern.yaml",
            "/paths/~1orders/get/x-amazon-apigateway-integration/responses/(5\\d\\d",
            "invalid selection pattern \"(5\\\\d\\\\d\"",
        ),
        (
            "undefined_request_validator.yaml",
            "/paths/~1pets/post/x-amazon-apigateway-request-validator",
            "request validator \"body-only\" is not defined in x-amazon-apigateway-request-validators (defined: all)",
        ),
        (
            "undefined_security_scheme.yaml",
            "/paths/~1pets/get/security/0/sigv4",
            "security scheme \"sigv4\" is not defined (defined: api_key)",
        ),
        (
            // [DG-ext] x-amazon-apigateway-integration: timeoutInMillis 50 to 29,000.
            "timeout_out_of_range.yaml",
            "/paths/~1slow/get/x-amazon-apigateway-integration/timeoutInMillis",
            "timeout 30000 ms is out of range (expected 50 to 29000)",
        ),
        (
            "bad_status_code.yaml",
            "/paths/~1pets/get/x-amazon-apigateway-integration/responses/default/statusCode",
            "invalid status code \"OK\"",
        ),
        (
            "unknown_api_key_source.yaml",
            "/x-amazon-apigateway-api-key-source",
            "unknown API key source \"QUERY\" (expected one of HEADER, AUTHORIZER)",
        ),
        ("missing_title.json", "/info", "missing \"title\""),
        (
            "unsupported_version.yaml",
            "/openapi",
            "unsupported OpenAPI version \"3.1.0\"",
        ),
        (
            "ref_cycle.yaml",
            "/paths/~1a",
            "more than 16 chained $refs (a reference cycle?)",
        ),
        (
            "lambda_uri_not_an_arn.yaml",
            "/paths/~1hello/post/x-amazon-apigateway-integration/uri",
            "invalid AWS integration URI \"arn:aws:lambda:us-east-1:123456789012:function:hello\"",
        ),
        (
            // [DG-ext] x-amazon-apigateway-authorizer: authorizerResultTtlInSeconds 0 to 3600.
            "bad_authorizer_ttl.yaml",
            "/components/securitySchemes/tokenAuth/x-amazon-apigateway-authorizer/authorizerResultTtlInSeconds",
            "authorizer result TTL 7200 is out of range (expected 0 to 3600)",
        ),
        (
            "bad_response_parameter_target.yaml",
            "/paths/~1pets/get/x-amazon-apigateway-integration/responses/default/responseParameters/method.response.body.id",
            "invalid mapping expression \"method.response.body.id\": expected method.response.header.{name}",
        ),
        (
            "bad_component_integration.yaml",
            "/components/x-amazon-apigateway-integrations/backend/uri",
            "invalid HTTP endpoint \"ftp://files.example.com/\"",
        ),
    ];
    for (file, pointer, message) in cases {
        let bytes = read(&format!("gateway-core/tests/data/malformed/{file}"));
        let err = import(&bytes, &ImportOptions::default())
            .expect_err(&format!("{file} should not import"));
        assert_eq!(err.pointer(), Some(*pointer), "{file}: {err}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{pointer}: ")),
            "{file}: {shown}"
        );
        assert!(
            shown.contains(message),
            "{file}: {shown}\n  expected: {message}"
        );
    }
    // Every file in the folder is covered by the table.
    let dir = format!("{}/tests/data/malformed", env!("CARGO_MANIFEST_DIR"));
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        on_disk,
        cases.len() + 1,
        "a malformed file has no expected error"
    );
}

#[test]
fn syntax_errors_name_the_line_and_column() {
    let bytes = read("gateway-core/tests/data/malformed/syntax_error.json");
    let err = import(&bytes, &ImportOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Syntax {
                format: "JSON",
                line: 4,
                column: 32,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid JSON at line 4, column 32: expected value"
    );
    let err = import(
        b"openapi: 3.0.1\ninfo: [unclosed\n",
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Syntax {
                format: "YAML",
                line: 3,
                ..
            }
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- warnings

const WITH_WARNINGS: &str = r#"
openapi: 3.0.1
info: { title: Warned, version: "1" }
x-amazon-apigateway-frobnicate: true
paths:
  /pets:
    get:
      x-amazon-apigateway-auth: { type: NONE }
      responses: { "200": { description: ok } }
      x-amazon-apigateway-integration:
        type: mock
        tlsConfigs: {}
    post:
      responses: { "200": { description: ok } }
"#;

#[test]
fn unknown_extensions_are_warnings_with_pointers_and_the_import_goes_on() {
    let imported = import(WITH_WARNINGS.as_bytes(), &ImportOptions::default()).unwrap();
    let warnings: Vec<String> = imported.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "/x-amazon-apigateway-frobnicate: unknown extension x-amazon-apigateway-frobnicate: ignored",
            "/paths/~1pets/get/x-amazon-apigateway-auth: x-amazon-apigateway-auth applies to HTTP APIs only: ignored (use security)",
            "/paths/~1pets/get/x-amazon-apigateway-integration/tlsConfigs: unknown integration property \"tlsConfigs\": ignored",
            "/paths/~1pets/post: no x-amazon-apigateway-integration for 'POST /pets': calls to it will fail",
        ]
    );
    assert_eq!(imported.api.routes().count(), 2);
    assert!(
        method(&imported.api, "/pets", HttpMethod::Post)
            .integration
            .is_none()
    );
}

#[test]
fn fail_on_warnings_turns_the_warnings_into_an_error() {
    // [DG-import]: `failonwarnings=true` makes API Gateway refuse a definition with warnings.
    let opts = ImportOptions {
        fail_on_warnings: true,
        ..ImportOptions::default()
    };
    let lenient = import(WITH_WARNINGS.as_bytes(), &ImportOptions::default()).unwrap();
    match import(WITH_WARNINGS.as_bytes(), &opts) {
        Err(ImportError::Warnings(w)) => assert_eq!(w, lenient.warnings),
        other => panic!("expected the warnings as an error, got {other:?}"),
    }
    // A definition without warnings imports the same either way.
    let petstore = read("examples/apis/petstore.yaml");
    assert_eq!(
        import(&petstore, &opts).unwrap(),
        import(&petstore, &ImportOptions::default()).unwrap()
    );
}

// ---------------------------------------------------------------- extensions

#[test]
fn reusable_integrations_under_components_are_followed_by_ref() {
    // [DG-ext] x-amazon-apigateway-integrations: integrations defined in `components` and
    // referenced with `$ref: "#/components/x-amazon-apigateway-integrations/{name}"`.
    let doc = br##"{
      "openapi": "3.0.1",
      "info": {"title": "Integrations", "version": "1.0"},
      "paths": {
        "/": {"get": {"responses": {"200": {"description": "ok"}},
          "x-amazon-apigateway-integration": {"$ref": "#/components/x-amazon-apigateway-integrations/shared"}}},
        "/pets": {"get": {"responses": {"200": {"description": "ok"}},
          "x-amazon-apigateway-integration": {"$ref": "#/components/x-amazon-apigateway-integrations/shared"}}}
      },
      "components": {"x-amazon-apigateway-integrations": {"shared": {
        "type": "aws_proxy", "httpMethod": "POST",
        "uri": "arn:aws:apigateway:us-east-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-2:123456789012:function:my-function/invocations",
        "payloadFormatVersion": "1.0"}}}
    }"##;
    let imported = import(doc, &ImportOptions::default()).unwrap();
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let api = &imported.api;
    let a = method(api, "/", HttpMethod::Get)
        .integration
        .as_ref()
        .unwrap();
    let b = method(api, "/pets", HttpMethod::Get)
        .integration
        .as_ref()
        .unwrap();
    assert_eq!(a.kind, IntegrationType::AwsProxy);
    assert_eq!(a, b);
}

#[test]
fn api_wide_extensions_are_read_into_the_model() {
    let doc = br#"
swagger: "2.0"
info: { title: Everything, version: "1" }
x-amazon-apigateway-api-key-source: AUTHORIZER
x-amazon-apigateway-minimum-compression-size: 0
x-amazon-apigateway-binary-media-types: ["*/*"]
x-amazon-apigateway-endpoint-configuration:
  vpcEndpointIds: [vpce-0123456789abcdef0]
  disableExecuteApiEndpoint: true
x-amazon-apigateway-policy: '{"Version": "2012-10-17", "Statement": []}'
x-amazon-apigateway-cors:
  allowOrigins: ["https://example.com"]
  allowMethods: [GET, POST]
  maxAge: 600
  allowCredentials: true
x-amazon-apigateway-documentation:
  version: "1.0"
  documentationParts: [{ location: { type: API }, properties: { description: "kept" } }]
paths:
  /any:
    x-amazon-apigateway-any-method:
      responses: { "200": { description: ok } }
      x-amazon-apigateway-integration: { type: mock }
"#;
    let imported = import(doc, &ImportOptions::default()).unwrap();
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let api = imported.api;
    assert_eq!(api.api_key_source.as_str(), "AUTHORIZER");
    // [DG-ext]: 0 is a valid minimum compression size (compress everything).
    assert_eq!(api.minimum_compression_size, Some(0));
    assert_eq!(api.binary_media_types, ["*/*"]);
    assert_eq!(
        api.endpoint_configuration.vpc_endpoint_ids,
        ["vpce-0123456789abcdef0"]
    );
    assert!(api.endpoint_configuration.disable_execute_api_endpoint);
    // A policy given as a JSON string is parsed.
    assert_eq!(
        api.policy,
        Some(json!({"Version": "2012-10-17", "Statement": []}))
    );
    let cors = api.cors.as_ref().unwrap();
    assert_eq!(cors.allow_methods, ["GET", "POST"]);
    assert_eq!(cors.max_age, Some(600));
    assert!(cors.allow_credentials);
    assert_eq!(
        api.documentation.as_ref().unwrap()["documentationParts"][0]["properties"]["description"],
        "kept"
    );
    assert!(
        api.resource_by_path("/any")
            .unwrap()
            .methods
            .contains_key(&HttpMethod::Any)
    );
}
