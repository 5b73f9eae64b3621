//! `gateway routes` and `gateway match`, run as a user would: the built binary on the bundled
//! example APIs and on malformed files, checking output and exit codes.

use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

mod common;

use common::{stderr, stdout};

/// Runs `gateway` from the workspace root, where `examples/apis/` is.
fn gateway(args: &[&str]) -> Output {
    common::run_gateway(
        args,
        Some(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))),
    )
}

// ---------------------------------------------------------------- gateway routes

#[test]
fn routes_lists_the_petstore_routes_with_integration_and_authorization() {
    let o = gateway(&["routes", "examples/apis/petstore.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("PetStore (API id "), "{out}");
    assert!(lines[0].ends_with("): 9 routes"), "{out}");
    let table: Vec<Vec<&str>> = lines[2..12]
        .iter()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(table[0], ["METHOD", "PATH", "INTEGRATION", "AUTHORIZATION"]);
    assert_eq!(table[1], ["GET", "/", "MOCK", "NONE"]);
    assert_eq!(table[3], ["POST", "/pets", "AWS_PROXY", "NONE"]);
    assert_eq!(table[9], ["ANY", "/static/{proxy+}", "HTTP_PROXY", "NONE"]);
    assert_eq!(lines.last(), Some(&"no import warnings"));
}

#[test]
fn routes_shows_authorizers_and_api_keys() {
    let o = gateway(&["routes", "examples/apis/secured.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let row = |prefix: &str| {
        out.lines()
            .find(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ") == prefix)
            .unwrap_or_else(|| panic!("no row {prefix}:\n{out}"))
            .split_whitespace()
            .skip(2)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        row("GET /accounts"),
        "HTTP_PROXY CUSTOM (tokenAuthorizer) + API key"
    );
    assert_eq!(
        row("POST /accounts"),
        "AWS_PROXY COGNITO_USER_POOLS (cognitoAuthorizer)"
    );
    assert_eq!(row("DELETE /accounts/{accountId}"), "AWS_PROXY AWS_IAM");
    assert_eq!(row("GET /public/status"), "MOCK NONE");
}

#[test]
fn routes_prints_import_warnings_with_their_pointers() {
    let dir = std::env::temp_dir().join(format!("gateway-cli-routes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("warned.json");
    std::fs::write(
        &file,
        r#"{"swagger": "2.0", "info": {"title": "Warned"},
            "x-amazon-apigateway-frobnicate": 1,
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#,
    )
    .unwrap();
    let o = gateway(&["routes", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("GET     /a    none         NONE"), "{out}");
    assert!(out.contains("2 import warnings:\n"), "{out}");
    assert!(
        out.contains(
            "  /x-amazon-apigateway-frobnicate: unknown extension x-amazon-apigateway-frobnicate: ignored\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  /paths/~1a/get: no x-amazon-apigateway-integration for 'GET /a'"),
        "{out}"
    );
}

#[test]
fn routes_fails_with_the_pointer_named_error_on_a_bad_file() {
    let file = "gateway-core/tests/data/malformed/unknown_integration_type.yaml";
    let o = gateway(&["routes", file]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o).trim_end(),
        format!(
            "gateway routes: {file}: /paths/~1pets~1{{id}}/get/x-amazon-apigateway-integration/type: unknown integration type \"FOO\" (expected one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK)"
        )
    );
}

#[test]
fn routes_fails_on_a_missing_file_and_on_bad_usage() {
    let o = gateway(&["routes", "no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("gateway routes: no/such/file.yaml: cannot read:"),
        "{}",
        stderr(&o)
    );
    for args in [
        &["routes"][..],
        &["routes", "a.yaml", "b.yaml"],
        &["routes", "--bogus"],
    ] {
        let o = gateway(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).starts_with("usage: gateway routes <api-file>"),
            "{args:?}"
        );
    }
    let o = gateway(&["routes", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("usage: gateway routes <api-file>"));
}

// ---------------------------------------------------------------- gateway match

fn match_json(args: &[&str]) -> (Option<i32>, Value) {
    let o = gateway(args);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}{}", stdout(&o), stderr(&o)));
    (o.status.code(), v)
}

#[test]
fn match_prints_resource_method_and_raw_path_parameters() {
    let (code, v) = match_json(&[
        "match",
        "examples/apis/petstore.yaml",
        "GET",
        "/pets/a%2Fb/photo/",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(
        v,
        json!({
            "resourcePath": "/pets/{petId}/photo",
            "httpMethod": "GET",
            "resourceMethod": "GET",
            // Not percent-decoded: API Gateway passes path parameters on as they arrive.
            "pathParameters": {"petId": "a%2Fb"},
            "operationName": "GetPetPhoto",
            "integration": "HTTP_PROXY",
            "authorization": "NONE"
        })
    );
}

#[test]
fn match_falls_back_to_any_on_a_greedy_resource() {
    let (code, v) = match_json(&[
        "match",
        "examples/apis/secured.yaml",
        "PATCH",
        "/admin/users/42?dry=1",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(v["resourcePath"], "/admin/{proxy+}");
    assert_eq!(v["resourceMethod"], "ANY");
    assert_eq!(v["pathParameters"], json!({"proxy": "users/42"}));
    assert_eq!(v["authorization"], "AWS_IAM");
}

#[test]
fn match_prints_the_403_outcome_and_exits_1_when_nothing_matches() {
    // Unknown path, known path with a method it lacks, wrong case: all the same 403
    // (localstack/localstack tests/aws/services/apigateway/test_apigateway_common.py,
    // test_routing_not_found, recorded on AWS).
    for (verb, path) in [
        ("GET", "/nope"),
        ("PUT", "/pets"),
        ("GET", "/PETS"),
        ("get", "/pets"),
    ] {
        let (code, v) = match_json(&["match", "examples/apis/petstore.yaml", verb, path]);
        assert_eq!(code, Some(1), "{verb} {path}");
        assert_eq!(
            v,
            json!({
                "statusCode": 403,
                "gatewayResponseType": "MISSING_AUTHENTICATION_TOKEN",
                "headers": {
                    "content-type": "application/json",
                    "x-amzn-ErrorType": "MissingAuthenticationTokenException"
                },
                "body": {"message": "Missing Authentication Token"}
            }),
            "{verb} {path}"
        );
    }
}

#[test]
fn match_exits_2_on_a_bad_file_or_bad_usage() {
    let file = "gateway-core/tests/data/malformed/greedy_not_last.yaml";
    let o = gateway(&["match", file, "GET", "/files/a/meta"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains(&format!(
            "{file}: /paths/~1files~1{{proxy+}}~1meta: Unable to create resource"
        )),
        "{}",
        stderr(&o)
    );
    for args in [
        &["match"][..],
        &["match", "examples/apis/petstore.yaml"],
        &["match", "examples/apis/petstore.yaml", "GET"],
        &["match", "examples/apis/petstore.yaml", "GET", "/", "extra"],
    ] {
        let o = gateway(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).starts_with("usage: gateway match"), "{args:?}");
    }
}
