//! `gateway validate`, run as a program: output and exit codes of both forms.
//!
//! Fixtures are in `tests/data/validate/`. Facts about API Gateway's answers:
//! - [DG-TEST] developer guide, "Test basic request validation in API Gateway": a missing or
//!   blank required parameter gives 400 `{"message": "Missing required request parameters:
//!   [q1]"}`, a body outside the model 400 `{"message": "Invalid request body"}`.
//! - [LS] localstack `tests/aws/services/apigateway/test_apigateway_common.snapshot.json`
//!   (recorded on AWS): "missing-all-required-request-params-post" lists the missing names in
//!   the order of their sorted `method.request.*` keys, headers before query strings.
//! - [DG-TYPES] developer guide, "Gateway response types for API Gateway": both validation
//!   responses default to 400 and fall back to a customised DEFAULT_4XX.

use std::path::Path;
use std::process::Output;

mod common;

use common::{stderr, stdout};

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/validate");

fn gateway(args: &[&str]) -> Output {
    let mut all = vec!["validate"];
    all.extend_from_slice(args);
    common::run_gateway(&all, Some(Path::new(DATA)))
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited with a code")
}

/// The JSON gateway response printed by the `--api` form.
fn response(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

const FULL_PARAMS: [&str; 4] = ["--query", "storeId=s1", "--header", "X-Request-Id: r-1"];

fn post_pets(api: &str, body: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--api", api, "--method", "POST", "--path", "/pets"];
    args.extend(FULL_PARAMS);
    args.extend(["--body", body]);
    args.extend(extra);
    gateway(&args)
}

#[test]
fn schema_form_prints_valid_and_exits_zero() {
    let out = gateway(&[
        "--schema",
        "pet.schema.json",
        "--instance",
        "pet-valid.json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "valid\n");
}

#[test]
fn schema_form_prints_the_validation_error_string_and_exits_one() {
    // The string the issue quotes from API Gateway: `[object has missing required properties
    // (["name"])]`.
    let out = gateway(&[
        "--schema",
        "pet.schema.json",
        "--instance",
        "pet-missing-name.json",
    ]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "[object has missing required properties ([\"name\"])]\n"
    );
    // Two faults in sibling members: both, members in sorted order (id before type).
    let out = gateway(&[
        "--schema",
        "pet.schema.json",
        "--instance",
        "pet-bad-values.json",
    ]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out).trim_end(),
        r#"[numeric instance is lower than the required minimum (minimum: 1, found: 0), instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]"#
    );
}

#[test]
fn an_instance_that_is_not_json_is_invalid_like_an_unparseable_body() {
    let out = gateway(&["--schema", "pet.schema.json", "--instance", "not-json.txt"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "[Unknown error parsing request body]\n");
}

#[test]
fn a_schema_that_does_not_load_exits_two_with_the_load_error() {
    for (schema, wanted) in [
        ("bad-keyword.schema.json", "invalid draft-4 schema"),
        ("bad-keyword.schema.json", "(at /properties/name/type)"),
        ("broken.schema.json", "schema is not valid JSON"),
        ("unknown-ref.schema.json", "/definitions/Missing"),
        ("no-such-file.json", "cannot read"),
        // Nested anyOfs over shared definitions: 2^30 paths, refused instead of hanging.
        ("bomb.schema.json", "schema is too complex"),
    ] {
        let out = gateway(&["--schema", schema, "--instance", "pet-valid.json"]);
        assert_eq!(code(&out), 2, "{schema}");
        assert!(stdout(&out).is_empty(), "{schema}: {}", stdout(&out));
        assert!(
            stderr(&out).contains(schema) && stderr(&out).contains(wanted),
            "{schema}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn bad_usage_exits_two() {
    for args in [
        &[][..],
        &["--schema", "pet.schema.json"],
        &["--api", "api.yaml", "--method", "GET"],
        &[
            "--api",
            "api.yaml",
            "--method",
            "GET",
            "--path",
            "/pets?type=dog",
        ],
        &["--bogus"],
    ] {
        let out = gateway(args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains("usage:"), "{args:?}");
    }
}

#[test]
fn api_form_prints_valid_for_a_request_that_passes() {
    let out = post_pets(
        "api.yaml",
        "pet-valid.json",
        &["--content-type", "application/json"],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out), "valid\n");
}

#[test]
fn missing_parameters_give_bad_request_parameters_before_the_body() {
    // [DG-TEST], [LS]: header key sorts before querystring key; the body (also invalid here)
    // is not looked at.
    let out = gateway(&[
        "--api",
        "api.yaml",
        "--method",
        "POST",
        "--path",
        "/pets",
        "--body",
        "pet-missing-name.json",
    ]);
    assert_eq!(code(&out), 1);
    let r = response(&out);
    assert_eq!(r["statusCode"], 400);
    assert_eq!(r["gatewayResponseType"], "BAD_REQUEST_PARAMETERS");
    assert_eq!(
        r["body"]["message"],
        "Missing required request parameters: [X-Request-Id, storeId]"
    );
    assert_eq!(r["headers"]["x-amzn-ErrorType"], "BadRequestException");
}

#[test]
fn the_api_default_validator_checks_blank_query_parameters() {
    // GET /pets names no validator: the API default (params-only) applies. [DG-TEST]
    // `GET /validation?q1=` is answered like a missing q1.
    for extra in [&[][..], &["--query", "type="], &["--query", "type"]] {
        let mut args = vec!["--api", "api.yaml", "--method", "GET", "--path", "/pets"];
        args.extend(extra);
        let out = gateway(&args);
        assert_eq!(code(&out), 1, "{extra:?}");
        assert_eq!(
            response(&out)["body"]["message"],
            "Missing required request parameters: [type]",
            "{extra:?}"
        );
    }
    let out = gateway(&[
        "--api", "api.yaml", "--method", "GET", "--path", "/pets", "--query", "type=dog",
    ]);
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "valid\n"));
}

#[test]
fn an_invalid_body_gives_bad_request_body_with_the_error_string() {
    // [DG-TEST]: 400 {"message": "Invalid request body"}.
    let out = post_pets("api.yaml", "pet-missing-name.json", &[]);
    assert_eq!(code(&out), 1);
    let r = response(&out);
    assert_eq!(r["statusCode"], 400);
    assert_eq!(r["gatewayResponseType"], "BAD_REQUEST_BODY");
    assert_eq!(
        r["body"],
        serde_json::json!({"message": "Invalid request body"})
    );
    assert_eq!(
        r["validationErrorString"],
        "[object has missing required properties ([\"name\"])]"
    );
    let out = post_pets("api.yaml", "not-json.txt", &[]);
    assert_eq!(
        response(&out)["validationErrorString"],
        "[Unknown error parsing request body]"
    );
}

#[test]
fn a_body_whose_content_type_has_no_model_is_not_validated() {
    // Developer guide, "Request validation": "If no matching content type is found, request
    // validation is not performed."
    let out = post_pets(
        "api.yaml",
        "not-json.txt",
        &["--content-type", "text/plain"],
    );
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "valid\n"));
}

#[test]
fn models_referring_to_models_resolve_and_body_only_skips_parameters() {
    // PUT /orders/{id} uses `body-only`; Order's lines are Pets through a model URL.
    let put = |body: &str| {
        gateway(&[
            "--api",
            "api.yaml",
            "--method",
            "PUT",
            "--path",
            "/orders/7",
            "--body",
            body,
        ])
    };
    let out = put("order-valid.json");
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "valid\n"));
    let out = put("order-missing-type.json");
    assert_eq!(code(&out), 1);
    assert_eq!(
        response(&out)["validationErrorString"],
        "[object has missing required properties ([\"type\"])]"
    );
}

#[test]
fn a_request_no_route_matches_gets_missing_authentication_token() {
    let out = gateway(&["--api", "api.yaml", "--method", "GET", "--path", "/nope"]);
    assert_eq!(code(&out), 1);
    let r = response(&out);
    assert_eq!(r["statusCode"], 403);
    assert_eq!(r["body"]["message"], "Missing Authentication Token");
}

#[test]
fn customised_gateway_responses_are_rendered() {
    // BAD_REQUEST_BODY is customised (status 422, headers, template); BAD_REQUEST_PARAMETERS
    // is not, so the customised DEFAULT_4XX's status applies to it [DG-TYPES].
    let out = post_pets("api-custom-responses.yaml", "pet-missing-name.json", &[]);
    assert_eq!(code(&out), 1);
    let r = response(&out);
    assert_eq!(r["statusCode"], 422);
    assert_eq!(
        r["body"],
        serde_json::json!({"error": "Invalid request body", "type": "BAD_REQUEST_BODY"})
    );
    assert_eq!(r["headers"]["Access-Control-Allow-Origin"], "*");
    assert_eq!(r["headers"]["X-Request-Id"], "r-1");
    let out = gateway(&[
        "--api",
        "api-custom-responses.yaml",
        "--method",
        "GET",
        "--path",
        "/pets",
    ]);
    let r = response(&out);
    assert_eq!(r["statusCode"], 499);
    assert_eq!(
        r["body"]["message"],
        "Missing required request parameters: [type]"
    );
}

#[test]
fn an_api_whose_model_does_not_load_exits_two_naming_the_model() {
    let out = gateway(&[
        "--api",
        "api-bad-model.yaml",
        "--method",
        "GET",
        "--path",
        "/pets",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(r#"model "Pet""#)
            && stderr(&out).contains("/properties/name/minLength"),
        "{}",
        stderr(&out)
    );
}
