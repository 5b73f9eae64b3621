//! The one load step: every class of part that does not compile refuses the API with an
//! error naming where it is.

use gateway_core::compile::{CompileError, CompileOptions, CompiledApi};
use gateway_core::import::{ImportError, MAX_DEPTH};

fn load(doc: &str) -> Result<CompiledApi, CompileError> {
    CompiledApi::load(doc.as_bytes(), &CompileOptions::default())
}

/// An OpenAPI 3 document with `components` and one `POST /pets` operation.
fn api(components: &str, operation: &str, root_extra: &str) -> String {
    format!(
        "openapi: 3.0.1\ninfo: {{title: t, version: '1'}}\n{root_extra}components:\n  schemas:\n{components}paths:\n  /pets:\n    post:\n{operation}"
    )
}

const MOCK: &str = "      x-amazon-apigateway-integration: {type: mock}\n";

#[test]
fn a_valid_api_loads_with_everything_compiled() {
    let doc = api(
        "    Pet: {type: object, required: [name]}\n",
        "      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}\n      x-amazon-apigateway-integration:\n        type: mock\n        requestTemplates: {application/json: '{\"statusCode\": 200}'}\n        requestParameters: {integration.request.header.x-id: method.request.header.id}\n        responses:\n          default: {statusCode: '200', responseTemplates: {application/json: '$input.json(\"$\")'}}\n",
        "",
    );
    let compiled = load(&doc).unwrap();
    assert_eq!(compiled.models().len(), 1);
    let route = *compiled.router().at("POST", "/pets").unwrap().value();
    let integration = compiled.method(route).unwrap().integration().unwrap();
    assert!(!integration.request_templates().is_empty());
    assert!(!integration.request_parameters().is_empty());
    let default = integration.responses().select("200").unwrap();
    assert_eq!(default.status_code(), 200);
    assert_eq!(default.response_templates().len(), 1);
}

#[test]
fn an_invalid_model_is_refused_naming_it() {
    let e = load(&api("    Pet: {type: 12}\n", MOCK, "")).unwrap_err();
    assert!(matches!(e, CompileError::Models(_)), "{e:?}");
    assert!(e.to_string().contains("model \"Pet\""), "{e}");
}

#[test]
fn a_model_cycle_is_refused() {
    let doc = api(
        "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
        MOCK,
        "",
    );
    let e = load(&doc).unwrap_err();
    // The importer follows local $refs and may stop the cycle first; either way it is refused
    // with a message naming the cycle.
    assert!(
        matches!(e, CompileError::Models(_) | CompileError::Import(_)),
        "{e:?}"
    );
    assert!(e.to_string().contains("cycle"), "{e}");
}

#[test]
fn too_many_models_are_refused() {
    let mut components = String::new();
    for i in 0..=gateway_validate::MAX_MODELS {
        components.push_str(&format!("    M{i}: {{type: object}}\n"));
    }
    let e = load(&api(&components, MOCK, "")).unwrap_err();
    assert!(matches!(e, CompileError::Models(_)), "{e:?}");
}

#[test]
fn a_request_template_that_does_not_compile_is_refused_naming_method_path_and_type() {
    let op = "      x-amazon-apigateway-integration:\n        type: mock\n        requestTemplates: {application/json: '#foreach('}\n";
    let e = load(&api("    P: {type: object}\n", op, "")).unwrap_err();
    assert!(matches!(e, CompileError::RequestTemplate { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("POST /pets: request template application/json: line 1"),
        "{e}"
    );
}

#[test]
fn a_response_template_that_does_not_compile_is_refused_naming_the_status() {
    let op = "      x-amazon-apigateway-integration:\n        type: mock\n        responses:\n          default: {statusCode: '200', responseTemplates: {application/json: '#end'}}\n";
    let e = load(&api("    P: {type: object}\n", op, "")).unwrap_err();
    assert!(matches!(e, CompileError::ResponseTemplate { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with(
            "POST /pets: integration response 200: response template application/json:"
        ),
        "{e}"
    );
}

#[test]
fn a_request_parameter_mapping_that_does_not_compile_is_refused() {
    let op = "      x-amazon-apigateway-integration:\n        type: mock\n        requestParameters: {integration.request.header.x: 'method.request.nowhere.x'}\n";
    let e = load(&api("    P: {type: object}\n", op, "")).unwrap_err();
    assert!(
        matches!(
            e,
            CompileError::RequestParameters { .. } | CompileError::Import(_)
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("method.request.nowhere.x"), "{e}");
}

#[test]
fn a_gateway_response_template_that_does_not_compile_is_refused_naming_the_type() {
    let root = "x-amazon-apigateway-gateway-responses:\n  BAD_REQUEST_BODY:\n    responseTemplates: {application/json: '#if('}\n";
    let e = load(&api("    P: {type: object}\n", MOCK, root)).unwrap_err();
    assert!(
        matches!(e, CompileError::GatewayResponseTemplate { .. }),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("gateway response BAD_REQUEST_BODY: template application/json:"),
        "{e}"
    );
}

#[test]
fn a_resource_policy_that_does_not_compile_is_refused() {
    let root = "x-amazon-apigateway-policy:\n  Version: '2012-10-17'\n  Statement: [{Effect: Maybe, Principal: '*', Action: 'execute-api:Invoke', Resource: '*'}]\n";
    let e = load(&api("    P: {type: object}\n", MOCK, root)).unwrap_err();
    assert!(matches!(e, CompileError::ResourcePolicy(_)), "{e:?}");
    assert!(e.to_string().contains("Maybe"), "{e}");
}

#[test]
fn a_valid_resource_policy_is_compiled() {
    let root = "x-amazon-apigateway-policy:\n  Version: '2012-10-17'\n  Statement: [{Effect: Allow, Principal: '*', Action: 'execute-api:Invoke', Resource: '*'}]\n";
    let compiled = load(&api("    P: {type: object}\n", MOCK, root)).unwrap();
    assert!(compiled.resource_policy().is_some());
}

#[test]
fn deeply_nested_yaml_flow_collections_are_refused_at_the_limit() {
    // 200 KB of `[`: libyaml's time grows with the square of flow nesting (nearly a minute
    // before this check); the pre-scan refuses it at the first bracket over the limit.
    let doc = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let e = load(&doc).unwrap_err();
    assert!(
        matches!(
            e,
            CompileError::Import(ImportError::TooDeep {
                line: 1,
                limit: MAX_DEPTH,
                ..
            })
        ),
        "{e:?}"
    );
    // Maps nest the same way.
    let doc = format!("a: {}1{}\n", "{a: ".repeat(50_000), "}".repeat(50_000));
    assert!(matches!(
        load(&doc),
        Err(CompileError::Import(ImportError::TooDeep { .. }))
    ));
}

#[test]
fn import_errors_and_warnings_escape_control_characters() {
    let doc = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  \"/a\\e[2Jb\":\n    get: {x-amazon-apigateway-integration: {type: mock}}\n";
    let e = load(doc).unwrap_err().to_string();
    assert!(!e.contains('\u{1b}'), "{e:?}");
    assert!(e.contains("\\u{1b}[2J"), "{e:?}");
    let doc = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\n\"x-amazon-apigateway-\\r\\e]0;pwned\\a\": 1\npaths: {}\n";
    let compiled = load(doc).unwrap();
    let w = compiled.warnings()[0].to_string();
    assert!(!w.chars().any(char::is_control), "{w:?}");
    assert!(w.contains("\\r\\u{1b}]0;pwned\\u{7}"), "{w:?}");
}

#[test]
fn a_compiled_api_is_shared_between_threads() {
    let compiled = std::sync::Arc::new(load(&api("    P: {type: object}\n", MOCK, "")).unwrap());
    let other = std::sync::Arc::clone(&compiled);
    let found = std::thread::spawn(move || other.router().at("POST", "/pets").is_ok())
        .join()
        .unwrap();
    assert!(found);
}
