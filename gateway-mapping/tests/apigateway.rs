//! API Gateway's side of mapping templates, end to end: `$input`, `$context`, `$util` and
//! `$stageVariables` rendered through the engine, checked against outputs recorded on real
//! API Gateway and examples from AWS's documentation. Each case names its source.
//!
//! Recordings used (all public, from localstack/localstack, marked `@markers.aws.validated`,
//! i.e. the snapshot was recorded against AWS):
//! - `tests/aws/services/apigateway/test_apigateway_common.snapshot.json`
//!   (`test_input_path_template_formatting`, `test_input_body_formatting`);
//! - `tests/aws/services/apigateway/test_apigateway_integrations.snapshot.json`
//!   (`test_integration_mock_with_request_overrides_in_response_template`,
//!   `test_integration_mock_with_response_override_in_request_template`,
//!   `test_integration_mock_with_vtl_map_assignation`);
//! - `tests/aws/services/apigateway/test_apigateway_sqs.snapshot.json`
//!   (`test_sqs_amz_json_protocol`).
//!
//! The inputs (templates, request bodies) are in the matching `.py` files.

use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, OwnedRequest};
use gateway_mapping::{EngineOptions, ErrorKind, Template};
use serde_json::{Value as Json, json};

/// Renders `template` over `request` with this `$context` and `$stageVariables`.
fn render_full(
    template: &str,
    request: OwnedRequest,
    context: &ContextObject,
    stage: &StageVariables,
) -> String {
    let t = Template::compile(template, &EngineOptions::default())
        .unwrap_or_else(|e| panic!("{template:?} does not compile: {e}"));
    let scope = mapping_scope(Input::new(request), context, stage);
    t.render(&scope)
        .unwrap_or_else(|e| panic!("{template:?} fails: {e}"))
}

/// Renders `template` over a request with this body and nothing else.
fn render(template: &str, body: &str) -> String {
    render_full(
        template,
        OwnedRequest::new(body),
        &ContextObject::new(Context::new()),
        &StageVariables::new(),
    )
}

// ---------------------------------------------------------------------------------------------
// $input.path: how its values print.
// test_apigateway_common.py::test_input_path_template_formatting. The integration is an HTTP
// echo server that answers `{"json": <the posted JSON>, ...}`; the response templates below read
// `$.json` of that answer. Expected values: the snapshot's recorded content.
// ---------------------------------------------------------------------------------------------

const PATH: &str = r##"#set($result = $input.path("$.json"))$result"##;
const NESTED: &str = r##"#set($result = $input.path("$.json"))$result.nested"##;
const LIST: &str = r##"#set($result = $input.path("$.json"))$result[0]"##;
const TO_STRING: &str = r##"#set($result = $input.path("$.json"))$result.toString()"##;
const INVALID_PATH: &str = r##"#set($result = $input.path("$.nonExisting")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}"##;
const NESTED_LIST: &str = r##"#set($result = $input.path("$.json.listValue")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}"##;

/// The echo server's answer to a POST of `posted` (only the part the templates read).
fn echoed(posted: Json) -> String {
    json!({ "json": posted }).to_string()
}

#[test]
fn input_path_values_print_as_recorded_on_api_gateway() {
    let cases: &[(&str, &str, Json, &str)] = &[
        ("dict-response", PATH, json!({"foo": "bar"}), "{foo=bar}"),
        (
            "json-list",
            PATH,
            json!([{"foo": "bar"}]),
            r#"[{"foo":"bar"}]"#,
        ),
        (
            "nested-dict",
            NESTED,
            json!({"nested": {"foo": "bar"}}),
            "{foo=bar}",
        ),
        (
            "nested-list",
            NESTED,
            json!({"nested": [{"foo": "bar"}]}),
            r#"[{"foo":"bar"}]"#,
        ),
        ("dict-in-list", LIST, json!([{"foo": "bar"}]), "{foo=bar}"),
        (
            "list-with-nested-list",
            LIST,
            json!([[{"foo": "bar"}]]),
            r#"[{"foo":"bar"}]"#,
        ),
        (
            "dict-with-nested-list",
            PATH,
            json!({"foo": [{"nested": "bar"}]}),
            r#"{foo=[{"nested":"bar"}]}"#,
        ),
        (
            "bigger-dict",
            PATH,
            json!({"bigger": "dict", "to": "test", "with": "separators"}),
            "{bigger=dict, to=test, with=separators}",
        ),
        ("to-string", TO_STRING, json!({"foo": "bar"}), "{foo=bar}"),
        (
            "list-to-string",
            TO_STRING,
            json!({"list": [{"foo": "bar"}]}),
            r#"{list=[{"foo":"bar"}]}"#,
        ),
        (
            "empty-body",
            INVALID_PATH,
            Json::Null,
            r#"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"#,
        ),
        (
            "nested-empty-list",
            NESTED_LIST,
            json!({"listValue": []}),
            r#"{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}"#,
        ),
        (
            "nested-null-list",
            NESTED_LIST,
            json!({"listValue": null}),
            r#"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"#,
        ),
    ];
    for (name, template, posted, expected) in cases {
        let got = render(template, &echoed(posted.clone()));
        assert_eq!(got, *expected, "recording {name:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// $input.body and $util.urlEncode through a request template and a response template.
// test_apigateway_common.py::test_input_body_formatting: each route renders a request template,
// a Lambda echoes the integration request body back, and the response template renders over it.
// Three requests per route: no body, `{"some": "value"}` (requests' json= encoding, with a space
// after the colon) and the raw text `some raw data`.
// ---------------------------------------------------------------------------------------------

const RAW_BODY: &str = "#set($result = $input.body)$result";
const BODY_IN_STR: &str = "Action=SendMessage&MessageBody=$input.body";
const BODY_ATTR_ACCESS: &str = "#set($result = $input.body.testAccess)$result";
const URL_ENCODE_BODY: &str = "EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)";

#[test]
fn input_body_round_trips_as_recorded_on_api_gateway() {
    let bodies = ["", r#"{"some": "value"}"#, "some raw data"];
    // (route, request template, response template, [empty, json, str] recorded responses)
    let routes: &[(&str, &str, &str, [&str; 3])] = &[
        (
            "raw-body",
            RAW_BODY,
            RAW_BODY,
            ["{}", r#"{"some": "value"}"#, "some raw data"],
        ),
        (
            "str-body-input",
            BODY_IN_STR,
            RAW_BODY,
            [
                "Action=SendMessage&MessageBody={}",
                r#"Action=SendMessage&MessageBody={"some": "value"}"#,
                "Action=SendMessage&MessageBody=some raw data",
            ],
        ),
        (
            "str-body-output",
            RAW_BODY,
            BODY_IN_STR,
            [
                "Action=SendMessage&MessageBody={}",
                r#"Action=SendMessage&MessageBody={"some": "value"}"#,
                "Action=SendMessage&MessageBody=some raw data",
            ],
        ),
        (
            "str-body-all",
            BODY_IN_STR,
            BODY_IN_STR,
            [
                "Action=SendMessage&MessageBody=Action=SendMessage&MessageBody={}",
                r#"Action=SendMessage&MessageBody=Action=SendMessage&MessageBody={"some": "value"}"#,
                "Action=SendMessage&MessageBody=Action=SendMessage&MessageBody=some raw data",
            ],
        ),
        (
            "body-attr-access",
            BODY_ATTR_ACCESS,
            RAW_BODY,
            ["{}", "{}", "{}"],
        ),
        (
            "url-encode",
            URL_ENCODE_BODY,
            RAW_BODY,
            [
                "EncodedBody=%7B%7D&EncodedBodyAccess=",
                "EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=",
                "EncodedBody=some+raw+data&EncodedBodyAccess=",
            ],
        ),
    ];
    for (route, request_template, response_template, expected) in routes {
        for (body, want) in bodies.iter().zip(expected) {
            let integration_request = render(request_template, body);
            let response = render(response_template, &integration_request);
            assert_eq!(response, *want, "route {route:?}, body {body:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// $context.requestOverride / responseOverride: written in the integration request template, read
// in the integration response template of the same request (MOCK integrations).
// ---------------------------------------------------------------------------------------------

/// Renders a request template then a response template of one request, sharing `$context`.
fn request_then_response(
    request_template: &str,
    request: OwnedRequest,
    response_template: &str,
) -> (String, ContextObject) {
    let context = ContextObject::new(Context::new());
    let stage = StageVariables::new();
    let integration_body = render_full(request_template, request, &context, &stage);
    // A MOCK integration answers with an empty body; the response template reads $context.
    let _ = integration_body;
    let out = render_full(response_template, OwnedRequest::new(""), &context, &stage);
    (out, context)
}

#[test]
fn request_overrides_carry_data_to_the_response_template() {
    // test_apigateway_integrations.py::test_integration_mock_with_request_overrides_in_response_template:
    // the path parameter is base64 of {"message": "path1"} (Python json.dumps spacing); the
    // request template decodes it into requestOverride.path.body, the response template
    // parses it back and branches. Recorded: "path was path one" / "two" / the else clause.
    let request_template = "#set($body = $util.base64Decode($input.params('testPath')))\n#set($context.requestOverride.path.body = $body)\n{\n  \"statusCode\": 200\n}\n";
    let response_template = "\n#set($body = $util.parseJson($context.requestOverride.path.body))\n#set($inputBody = $body.message)\n#if($inputBody == \"path1\")\n{\n   \"response\": \"path was path one\"\n}\n#elseif($inputBody == \"path2\")\n{\n   \"response\": \"path was path two\"\n}\n#else\n{\n  \"response\": \"this is the else clause\"\n}\n#end\n";
    for (message, expected) in [
        ("path1", "path was path one"),
        ("path2", "path was path two"),
        ("whatever", "this is the else clause"),
    ] {
        let encoded =
            gateway_mapping::util::base64_encode(&format!("{{\"message\": \"{message}\"}}"));
        let mut req = OwnedRequest::new("");
        req.add_path("testPath", &encoded);
        let (out, _) = request_then_response(request_template, req, response_template);
        let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
        assert_eq!(parsed, json!({"response": expected}), "message {message:?}");
    }
}

#[test]
fn response_overrides_set_in_the_request_template_reach_the_response() {
    // test_apigateway_integrations.py::test_integration_mock_with_response_override_in_request_template[True]
    // with expected_status 444. Recorded: status 444, header foo: bar, and the body
    // {"custom": "is also passed around", "fooHeader": "bar", "statusOverride": "444"}.
    let request_template = "\n#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = \"bar\")\n#set($context.responseOverride.custom = \"is also passed around\")\n{\n  \"statusCode\": 200\n}\n";
    let response_template = "\n#set($statusOverride = $context.responseOverride.status)\n#set($fooHeader = $context.responseOverride.header.foo)\n#set($custom = $context.responseOverride.custom)\n{\n    \"statusOverride\": \"$statusOverride\",\n    \"fooHeader\": \"$fooHeader\",\n    \"custom\": \"$custom\"\n}\n";
    let (out, context) =
        request_then_response(request_template, OwnedRequest::new(""), response_template);
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!({"custom": "is also passed around", "fooHeader": "bar", "statusOverride": "444"})
    );
    let overrides = context.overrides();
    assert_eq!(overrides.response_status, Some(444));
    assert_eq!(
        overrides.response_header.get("foo").map(String::as_str),
        Some("bar")
    );
}

#[test]
fn override_maps_accept_brackets_and_put() {
    // test_apigateway_integrations.py::test_integration_mock_with_vtl_map_assignation.
    // Recorded body: {"value": "bar", "value2": "putBar", "value3": "nestedFoo"}.
    let request_template = "\n#set($paramName = \"foo\")\n#set($context.requestOverride.querystring[$paramName] = \"bar\")\n#set($paramPutName = \"putfoo\")\n$context.requestOverride.querystring.put($paramPutName, \"putBar\")\n#set($context[\"requestOverride\"].querystring[\"nestedfoo\"] = \"nestedFoo\")\n{\n  \"statusCode\": 200\n}\n";
    let response_template = "\n#set($value = $context.requestOverride.querystring[\"foo\"])\n#set($value2 = $context.requestOverride.querystring[\"putfoo\"])\n#set($value3 = $context.requestOverride.querystring[\"nestedfoo\"])\n{\n    \"value\": \"$value\",\n    \"value2\": \"$value2\",\n    \"value3\": \"$value3\"\n}\n";
    let (out, context) =
        request_then_response(request_template, OwnedRequest::new(""), response_template);
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!({"value": "bar", "value2": "putBar", "value3": "nestedFoo"})
    );
    let q = context.overrides().request_querystring;
    assert_eq!(
        q.iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        [
            ("foo", "bar"),
            ("putfoo", "putBar"),
            ("nestedfoo", "nestedFoo")
        ]
    );
}

#[test]
fn response_status_override_outside_100_to_599_is_ignored() {
    // localstack's integration-response handler (AWS-validated behaviour): "AWS ignores the
    // status if the override isn't an integer between 100 and 599".
    for (set, want) in [
        ("600", None),
        ("99", None),
        ("'404'", None),
        ("201", Some(201)),
    ] {
        let context = ContextObject::new(Context::new());
        render_full(
            &format!("#set($context.responseOverride.status = {set})"),
            OwnedRequest::new(""),
            &context,
            &StageVariables::new(),
        );
        assert_eq!(context.overrides().response_status, want, "status {set}");
    }
}

// ---------------------------------------------------------------------------------------------
// $context as a map: keySet() and get().
// test_apigateway_sqs.py::test_sqs_amz_json_protocol: the request template walks
// $context.keySet(), $context.identity.keySet(), the override maps and $context.authorizer,
// printing each `get($key)`. The recorded message body shows plain values as they are and an
// empty string for the nested objects (identity, requestOverride, responseOverride, and the
// override maps' header/path/querystring), and no authorizer keys without an authorizer.
// ---------------------------------------------------------------------------------------------

#[test]
fn context_key_set_and_get_print_as_recorded() {
    let template = r##"{"context": {#foreach( $key in $context.keySet() )"$key": "$context.get($key)"#if($foreach.hasNext),#end#end},"identity": {#foreach( $key in $context.identity.keySet() )"$key": "$context.identity.get($key)"#if($foreach.hasNext),#end#end},"requestOverride": {#foreach( $key in $context.requestOverride.keySet() )"$key": "$context.requestOverride.get($key)"#if($foreach.hasNext),#end#end},"responseOverride": {#foreach( $key in $context.responseOverride.keySet() )"$key": "$context.responseOverride.get($key)"#if($foreach.hasNext),#end#end},"authorizer_keys": {#foreach( $key in $context.authorizer.keySet() )"$key": "$util.escapeJavaScript($context.authorizer.get($key))"#if($foreach.hasNext),#end#end}}"##;
    // The recorded keys, values as in the recording (placeholders replaced by sample values),
    // inserted in another order: keySet() must still come out as recorded, because $context
    // and its objects iterate as java.util.HashMap does.
    let context_values = [
        ("resourceId", "abc123"),
        ("resourcePath", "/sqs"),
        ("httpMethod", "POST"),
        ("extendedRequestId", "ext-1"),
        ("requestTime", "01/Dec/2026:12:00:00 +0000"),
        ("path", "/testing/sqs"),
        ("accountId", "111111111111"),
        ("protocol", "HTTP/1.1"),
        ("stage", "testing"),
        ("domainPrefix", "a1b2c3"),
        ("requestTimeEpoch", "1796126400000"),
        ("requestId", "rid-1"),
        ("domainName", "a1b2c3.execute-api.us-east-1.amazonaws.com"),
        ("deploymentId", "dep-1"),
        ("apiId", "a1b2c3"),
    ];
    let identity_keys = [
        "cognitoIdentityPoolId",
        "accountId",
        "cognitoIdentityId",
        "caller",
        "sourceIp",
        "principalOrgId",
        "accessKey",
        "cognitoAuthenticationType",
        "cognitoAuthenticationProvider",
        "userArn",
        "userAgent",
        "user",
    ];
    let mut ctx = Context::new();
    // Insertion order: the recorded order reversed, except that four keys go last: each shares
    // a HashMap bucket with a key that API Gateway inserted before it (path/accountId,
    // requestId/identity, domainName/deploymentId, domainPrefix/requestTimeEpoch), and within
    // a bucket a HashMap keeps insertion order.
    let mut order: Vec<(&str, &str)> = context_values.to_vec();
    order.push(("identity", ""));
    order.reverse();
    let late = ["accountId", "identity", "deploymentId", "requestTimeEpoch"];
    order.sort_by_key(|(k, _)| late.contains(k));
    for (k, v) in &order {
        if *k != "identity" {
            ctx.set(k, *v);
            continue;
        }
        // Reversed too, with the keys that share a bucket with an earlier one
        // (accountId/cognitoIdentityId, sourceIp/principalOrgId) last.
        let mut ids = identity_keys.to_vec();
        ids.reverse();
        ids.sort_by_key(|k| ["cognitoIdentityId", "principalOrgId"].contains(k));
        for id in ids {
            let value = match id {
                "sourceIp" => Json::from("203.0.113.9"),
                "userAgent" => Json::from("python/requests/tests"),
                _ => Json::Null,
            };
            ctx.set(&format!("identity.{id}"), value);
        }
    }
    let out = render_full(
        template,
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &StageVariables::new(),
    );
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    let keys = |v: &Json| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    // Recorded key orders.
    assert_eq!(
        keys(&parsed["context"]),
        [
            "resourceId",
            "resourcePath",
            "httpMethod",
            "extendedRequestId",
            "requestTime",
            "path",
            "accountId",
            "protocol",
            "requestOverride",
            "stage",
            "domainPrefix",
            "requestTimeEpoch",
            "requestId",
            "identity",
            "domainName",
            "deploymentId",
            "responseOverride",
            "apiId",
        ]
    );
    assert_eq!(keys(&parsed["identity"]), identity_keys);
    assert_eq!(
        keys(&parsed["requestOverride"]),
        ["path", "header", "querystring"]
    );
    assert_eq!(keys(&parsed["responseOverride"]), ["header"]);
    // Recorded values: plain values as they are, nested objects and unset identity fields "".
    let mut want_context: serde_json::Map<String, Json> = context_values
        .iter()
        .map(|(k, v)| (k.to_string(), Json::from(*v)))
        .collect();
    for k in ["identity", "requestOverride", "responseOverride"] {
        want_context.insert(k.into(), Json::from(""));
    }
    assert_eq!(parsed["context"], Json::Object(want_context));
    for id in identity_keys {
        let want = match id {
            "sourceIp" => "203.0.113.9",
            "userAgent" => "python/requests/tests",
            _ => "",
        };
        assert_eq!(parsed["identity"][id], want, "identity.{id}");
    }
    assert_eq!(
        parsed["requestOverride"],
        json!({"path": "", "header": "", "querystring": ""})
    );
    assert_eq!(parsed["responseOverride"], json!({"header": ""}));
    assert_eq!(parsed["authorizer_keys"], json!({}));
}

// ---------------------------------------------------------------------------------------------
// AWS documentation examples.
// ---------------------------------------------------------------------------------------------

#[test]
fn docs_petstore_template_transforms_the_pets() {
    // "Understanding mapping templates" (developerguide/mappings.html): the PetStore input data,
    // mapping template and output data. The docs show the output pretty-printed; compare the
    // JSON it denotes.
    let input = r#"[
  {"id": 1, "type": "dog", "price": 249.99},
  {"id": 2, "type": "cat", "price": 124.99},
  {"id": 3, "type": "fish", "price": 0.99}
]"#;
    let template = "#set($inputRoot = $input.path('$'))\n[\n#foreach($elem in $inputRoot)\n  {\n    \"description\" : \"Item $elem.id is a $elem.type.\",\n    \"askingPrice\" : $elem.price\n  }#if($foreach.hasNext),#end\n\n#end\n]";
    let out = render(template, input);
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!([
            {"description": "Item 1 is a dog.", "askingPrice": 249.99},
            {"description": "Item 2 is a cat.", "askingPrice": 124.99},
            {"description": "Item 3 is a fish.", "askingPrice": 0.99}
        ])
    );
}

fn docs_context() -> Context {
    // The values of "Examples using variables for mapping template transformations",
    // Example 1 (developerguide/api-gateway-mapping-variable-examples.html).
    let mut ctx = Context::new();
    for (k, v) in [
        ("stage", "prod"),
        ("requestId", "abcdefg-000-000-0000-abcdefg"),
        ("apiId", "abcd1234"),
        ("resourcePath", "/"),
        ("resourceId", "efg567"),
        ("httpMethod", "GET"),
        ("identity.sourceIp", "192.0.2.1"),
        ("identity.userAgent", "curl/7.84.0"),
        ("identity.accountId", "111122223333"),
        ("identity.apiKey", "MyTestKey"),
        ("identity.caller", "ABCD-0000-12345"),
        ("identity.user", "ABCD-0000-12345"),
        (
            "identity.userArn",
            "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar",
        ),
    ] {
        ctx.set(k, v);
    }
    ctx
}

#[test]
fn docs_example_1_passes_context_variables() {
    // Example 1 of "Examples using variables for mapping template transformations": the
    // template maps $context variables to differently named fields; the documented output
    // lists each value.
    let template = "{\n    \"stage\" : \"$context.stage\",\n    \"request_id\" : \"$context.requestId\",\n    \"api_id\" : \"$context.apiId\",\n    \"resource_path\" : \"$context.resourcePath\",\n    \"resource_id\" : \"$context.resourceId\",\n    \"http_method\" : \"$context.httpMethod\",\n    \"source_ip\" : \"$context.identity.sourceIp\",\n    \"user-agent\" : \"$context.identity.userAgent\",\n    \"account_id\" : \"$context.identity.accountId\",\n    \"api_key\" : \"$context.identity.apiKey\",\n    \"caller\" : \"$context.identity.caller\",\n    \"user\" : \"$context.identity.user\",\n    \"user_arn\" : \"$context.identity.userArn\"\n}";
    let out = render_full(
        template,
        OwnedRequest::new(""),
        &ContextObject::new(docs_context()),
        &StageVariables::new(),
    );
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!({
            "stage": "prod", "request_id": "abcdefg-000-000-0000-abcdefg", "api_id": "abcd1234",
            "resource_path": "/", "resource_id": "efg567", "http_method": "GET",
            "source_ip": "192.0.2.1", "user-agent": "curl/7.84.0", "account_id": "111122223333",
            "api_key": "MyTestKey", "caller": "ABCD-0000-12345", "user": "ABCD-0000-12345",
            "user_arn": "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar"
        })
    );
}

#[test]
fn docs_all_params_passthrough_template() {
    // The "Method Request passthrough" template (generated by the API Gateway console, used
    // verbatim in test_apigateway_basic.py::test_api_gateway_lambda_proxy_integration... and
    // in the docs' Example 2 "Pass all request parameters"): every parameter, stage variable
    // and a few $context values as one JSON document.
    let template = "#set($allParams = $input.params())\n{\n\"body-json\" : $input.json(\"$\"),\n\"params\" : {\n#foreach($type in $allParams.keySet())\n    #set($params = $allParams.get($type))\n\"$type\" : {\n    #foreach($paramName in $params.keySet())\n    \"$paramName\" : \"$util.escapeJavaScript($params.get($paramName))\"\n        #if($foreach.hasNext),#end\n    #end\n}\n    #if($foreach.hasNext),#end\n#end\n},\n\"stage-variables\" : {\n#foreach($key in $stageVariables.keySet())\n\"$key\" : \"$util.escapeJavaScript($stageVariables.get($key))\"\n    #if($foreach.hasNext),#end\n#end\n},\n\"context\" : {\n    \"api-id\" : \"$context.apiId\",\n    \"api-key\" : \"$context.identity.apiKey\",\n    \"http-method\" : \"$context.httpMethod\",\n    \"stage\" : \"$context.stage\",\n    \"source-ip\" : \"$context.identity.sourceIp\",\n    \"user-agent\" : \"$context.identity.userAgent\",\n    \"request-id\" : \"$context.requestId\",\n    \"resource-id\" : \"$context.resourceId\",\n    \"resource-path\" : \"$context.resourcePath\"\n    }\n}\n";
    let mut req = OwnedRequest::new(r#"{"test": "test"}"#);
    req.add_path("petId", "42");
    req.add_query("q", "it's");
    req.add_header("Content-Type", "application/json").unwrap();
    req.add_header("X-Quote", "say \"hi\"").unwrap();
    let mut stage = StageVariables::new();
    stage.insert("table".into(), "pets".into());
    let out = render_full(template, req, &ContextObject::new(docs_context()), &stage);
    // escapeJavaScript turns ' into \' which is not valid JSON: undo that one escape as a
    // JSON consumer of this template must (AWS reference, $util.escapeJavaScript note).
    let json_text = out.replace("\\'", "'");
    let parsed: Json = serde_json::from_str(&json_text).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!({
            "body-json": {"test": "test"},
            "params": {
                "path": {"petId": "42"},
                "querystring": {"q": "it's"},
                "header": {"Content-Type": "application/json", "X-Quote": "say \"hi\""}
            },
            "stage-variables": {"table": "pets"},
            "context": {
                "api-id": "abcd1234", "api-key": "MyTestKey", "http-method": "GET",
                "stage": "prod", "source-ip": "192.0.2.1", "user-agent": "curl/7.84.0",
                "request-id": "abcdefg-000-000-0000-abcdefg", "resource-id": "efg567",
                "resource-path": "/"
            }
        })
    );
    assert!(
        out.contains(r#""q" : "it\'s""#),
        "single quote escaped: {out}"
    );
}

#[test]
fn docs_request_templates_example_reads_root_fields() {
    // x-amazon-apigateway-integration.requestTemplates example
    // (developerguide/api-gateway-swagger-extensions-integration-requestTemplates.html).
    let json_template =
        "#set ($root=$input.path('$')) { \"stage\": \"$root.name\", \"user-id\": \"$root.key\" }";
    let xml_template = "#set ($root=$input.path('$')) <stage>$root.name</stage> ";
    let body = r#"{"name": "beta", "key": "u-1"}"#;
    assert_eq!(
        render(json_template, body),
        r#" { "stage": "beta", "user-id": "u-1" }"#
    );
    assert_eq!(render(xml_template, body), " <stage>beta</stage> ");
}

// ---------------------------------------------------------------------------------------------
// $input functions (AWS "Variables for data transformations", $input table).
// ---------------------------------------------------------------------------------------------

#[test]
fn input_json_is_compact_json_and_input_path_is_an_object() {
    let body = r#"{"pets": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}], "n": 1.5}"#;
    // $input.json: a JSON string (compact), usable inside a JSON document.
    assert_eq!(
        render("$input.json('$.pets[0]')", body),
        r#"{"id":1,"tags":["a","b"]}"#
    );
    assert_eq!(render("$input.json('$.pets[*].id')", body), "[1,2]");
    assert_eq!(render("$input.json('$.n')", body), "1.5");
    assert_eq!(render("$input.json('$.missing')", body), r#""""#);
    // $input.path: properties, size(), index access, #foreach.
    assert_eq!(render("$input.path('$.pets').size()", body), "2");
    assert_eq!(render("$input.path('$.pets')[1].id", body), "2");
    // Velocity 1.7's ASTIndex counts a negative index from the end of a List.
    assert_eq!(render("$input.path('$.pets')[-1].id", body), "2");
    assert_eq!(render("$input.path('$.pets[0].tags').get(1)", body), "b");
    assert_eq!(
        render(
            "#foreach($p in $input.path('$.pets'))$p.id:$p.tags.size()#if($foreach.hasNext),#end#end",
            body
        ),
        "1:2,2:0"
    );
    assert_eq!(
        render("$input.path('$.pets[0]')", body),
        r#"{id=1, tags=["a","b"]}"#
    );
    assert_eq!(
        render("#if($input.path('$.pets').isEmpty())e#{else}ne#end", body),
        "ne"
    );
}

#[test]
fn input_params_search_path_query_then_header() {
    // AWS $input.params(x): "Returns the value of a method request parameter from the path,
    // query string, or header value (searched in that order), given a parameter name string x."
    let mut req = OwnedRequest::new("");
    req.add_path("id", "p");
    req.add_query("id", "q");
    req.add_query("only_q", "q2");
    req.add_header("id", "h").unwrap();
    req.add_header("X-Only-H", "h2").unwrap();
    let ctx = ContextObject::new(Context::new());
    let stage = StageVariables::new();
    let t = "$input.params('id') $input.params('only_q') $input.params('X-Only-H') [$input.params('none')]";
    assert_eq!(render_full(t, req.clone(), &ctx, &stage), "p q2 h2 []");
    let t = "$input.params().path.id $input.params().querystring.id $input.params().header.id $input.params().keySet()";
    assert_eq!(
        render_full(t, req, &ctx, &stage),
        "p q h [path, querystring, header]"
    );
}

#[test]
fn util_functions_through_templates() {
    // AWS $util table: escapeJavaScript turns ' into \'; urlEncode / urlDecode use
    // application/x-www-form-urlencoded; base64 is standard with padding.
    assert_eq!(render("$util.escapeJavaScript(\"it's\")", ""), "it\\'s");
    assert_eq!(render("$util.urlEncode('a b&c')", ""), "a+b%26c");
    assert_eq!(render("$util.urlDecode('a+b%26c')", ""), "a b&c");
    assert_eq!(
        render("$util.base64Encode('test-data')", ""),
        "dGVzdC1kYXRh"
    );
    assert_eq!(
        render("$util.base64Decode('dGVzdC1kYXRh')", ""),
        "test-data"
    );
    // The $util.parseJson example of the reference: a stringified JSON field parsed back.
    let body = r#"{"key1": "var1", "key2": "{\"arr\":[1,2,3]}"}"#;
    assert_eq!(
        render(
            "#set($k2 = $util.parseJson($input.path('$.key2')))$k2.arr.size() $k2.arr $k2",
            body
        ),
        r#"3 [1,2,3] {arr=[1,2,3]}"#
    );
    // escapeJavaScript of $input.json('$') (test_apigateway_stepfunctions.py's request
    // template): every quote of the compact JSON escaped.
    assert_eq!(
        render("$util.escapeJavaScript($input.json('$'))", r#"{"a": "b"}"#),
        r#"{\"a\":\"b\"}"#
    );
}

#[test]
fn stage_variables_and_missing_ones() {
    // test_apigateway_canary.py's template reads $stageVariables.testVar and a variable that is
    // not defined ("nonExistingDefault" came back empty).
    let mut stage = StageVariables::new();
    stage.insert("testVar".into(), "default".into());
    let out = render_full(
        "{\"variable\": \"$stageVariables.testVar\", \"nonExistingDefault\": \"$stageVariables.noStageVar\"}",
        OwnedRequest::new(""),
        &ContextObject::new(Context::new()),
        &stage,
    );
    assert_eq!(out, r#"{"variable": "default", "nonExistingDefault": ""}"#);
}

#[test]
fn authorizer_context_and_claims() {
    // AWS $context.authorizer.property: values of a Lambda authorizer's context map are
    // stringified; Cognito claims sit under authorizer.claims.
    let mut ctx = Context::new();
    let auth = json!({"key": "value", "numKey": 1, "boolKey": true});
    ctx.set_authorizer_context(auth.as_object().unwrap_or(&serde_json::Map::new()));
    ctx.set("authorizer.claims.email", "ana@example.com");
    let out = render_full(
        "$context.authorizer.key $context.authorizer.numKey $context.authorizer.boolKey $context.authorizer.claims.email $context.authorizer.claims['email']",
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &StageVariables::new(),
    );
    assert_eq!(out, "value 1 true ana@example.com ana@example.com");
}

#[test]
fn authorizer_claims_alone_prints_nothing() {
    // AWS "Variables for data transformations", $context.authorizer.claims.property: "Calling
    // $context.authorizer.claims returns null."
    let mut ctx = Context::new();
    ctx.set("authorizer.claims.sub", "abc");
    let out = render_full(
        "[$context.authorizer.claims][$context.authorizer.claims.sub]",
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &StageVariables::new(),
    );
    assert_eq!(out, "[][abc]");
}

#[test]
fn error_variables_in_gateway_response_templates() {
    // test_apigateway_api.py gateway-response template: $context.error.messageString is the
    // quoted message, $context.error.responseType the type.
    let mut ctx = Context::new();
    ctx.set("error.message", "Missing Authentication Token");
    ctx.set("error.messageString", "\"Missing Authentication Token\"");
    ctx.set("error.responseType", "MISSING_AUTHENTICATION_TOKEN");
    let out = render_full(
        "{\"message\": $context.error.messageString, \"type\": \"$context.error.responseType\"}",
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &StageVariables::new(),
    );
    assert_eq!(
        out,
        r#"{"message": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}"#
    );
}

#[test]
fn a_non_json_body_fails_json_functions_with_a_position() {
    let t = Template::compile("ok\n  $input.json('$')", &EngineOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let context = ContextObject::new(Context::new());
    let scope = mapping_scope(
        Input::new(OwnedRequest::new("some raw data")),
        &context,
        &StageVariables::new(),
    );
    let err = t.render(&scope).err().unwrap_or_else(|| panic!("rendered"));
    assert_eq!(err.kind(), ErrorKind::Eval);
    assert_eq!((err.line(), err.column()), (2, 3));
    assert!(err.message().contains("not valid JSON"), "{err}");
}

#[test]
fn input_path_arrays_are_mutable_lists() {
    // A list from $input.path behaves as a java.util.List (json-smart's JSONArray extends
    // ArrayList): add() appends and the printed JSON shows it.
    assert_eq!(
        render(
            "#set($a = $input.path('$.a'))#set($ok = $a.add(3))$a $a.size()|#set($a[0] = 9)$a",
            r##"{"a": [1, 2]}"##
        ),
        "[1,2,3] 3|[9,2,3]"
    );
}

// ---------------------------------------------------------------------------------------------
// The pieces together, as the pipeline will use them: a Lambda (non-proxy) integration with
// request parameter mappings, a request template chosen by Content-Type, integration responses
// selected by the Lambda errorMessage, and response parameter mappings.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_lambda_integration_flows_through_selection_templates_and_mappings() {
    use gateway_mapping::params::{ParamMappings, Sources, Target};
    use gateway_mapping::selection::{
        IntegrationResponses, PassthroughBehavior, RequestSelection, RequestTemplates,
    };

    // Loaded once.
    let compile =
        |s: &str| Template::compile(s, &EngineOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let request_templates = RequestTemplates::new(
        [(
            "application/json",
            compile("{\"petId\": \"$input.params('petId')\", \"name\": $input.json('$.name')}"),
        )],
        PassthroughBehavior::WhenNoTemplates,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let request_params = ParamMappings::compile_request([
        (
            "integration.request.header.X-Trace",
            "method.request.header.X-Amzn-Trace-Id",
        ),
        ("integration.request.header.X-Stage", "stageVariables.env"),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    // Developer guide, "Handle Lambda errors in API Gateway": patterns over errorMessage.
    let responses = IntegrationResponses::new([
        (
            Some(".*\\[NotFound\\].*"),
            ("404", "{\"error\": \"$input.path('$.errorMessage')\"}"),
        ),
        (None, ("200", "$input.json('$')")),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let response_params = ParamMappings::compile_response([(
        "method.response.header.X-Pet",
        "integration.response.body.name",
    )])
    .unwrap_or_else(|e| panic!("{e}"));

    // One request.
    let mut req = OwnedRequest::new(r#"{"name": "Rex"}"#);
    req.add_path("petId", "7");
    req.add_header("Content-Type", "application/json; charset=utf-8")
        .unwrap();
    req.add_header("X-Amzn-Trace-Id", "Root=1-abc").unwrap();
    let mut stage = StageVariables::new();
    stage.insert("env".into(), "test".into());
    let context = ContextObject::new(Context::new());

    let RequestSelection::Template(template) = request_templates
        .select(req.view().header("Content-Type").as_deref())
        .unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("expected a template");
    };
    let mapped = request_params.evaluate(&Sources {
        request: Some(req.view()),
        stage_variables: Some(&stage),
        ..Sources::default()
    });
    assert_eq!(mapped[&Target::Header("X-Trace".into())], ["Root=1-abc"]);
    assert_eq!(mapped[&Target::Header("X-Stage".into())], ["test"]);
    let payload = template
        .render(&mapping_scope(Input::new(req.clone()), &context, &stage))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(payload, r#"{"petId": "7", "name": "Rex"}"#);

    // The Lambda succeeded: no errorMessage, the default response applies.
    let ok_body = r#"{"id": 7, "name": "Rex"}"#;
    let (status, tmpl) = responses.select("").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(*status, "200");
    let integration_response = OwnedRequest::new(ok_body);
    let headers = response_params.evaluate(&Sources {
        integration_response: Some(integration_response.view()),
        ..Sources::default()
    });
    assert_eq!(headers[&Target::Header("X-Pet".into())], ["Rex"]);
    let out = compile(tmpl)
        .render(&mapping_scope(
            Input::new(integration_response),
            &context,
            &stage,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, r#"{"id":7,"name":"Rex"}"#);

    // The Lambda failed with "[NotFound] ...": the 404 response applies.
    let err_body = r#"{"errorMessage": "[NotFound] no pet 9", "errorType": "Error"}"#;
    let (status, tmpl) = responses
        .select("[NotFound] no pet 9")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(*status, "404");
    let out = compile(tmpl)
        .render(&mapping_scope(
            Input::new(OwnedRequest::new(err_body)),
            &context,
            &stage,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, r#"{"error": "[NotFound] no pet 9"}"#);
}

#[test]
fn canary_requests_see_overridden_stage_variables_and_is_canary_request() {
    // test_apigateway_canary.py::test_invoking_canary_deployment (AWS-validated snapshot):
    // the response template is Python's json.dumps of a dict reading $stageVariables and
    // $context.isCanaryRequest. Recorded "response-deployment-1" (no canary) and
    // "response-canary-deployment" (canary stageVariableOverrides testVar and noStageVar =
    // "canary" over the stage's testVar = defaultVar = "default"). Which variables apply is
    // the pipeline's choice; the template sees the merged set and the flag.
    let template = |message: &str| {
        format!(
            "{{\"statusCode\": 200, \"message\": \"{message}\", \"variable\": \"$stageVariables.testVar\", \"nonExistingDefault\": \"$stageVariables.noStageVar\", \"nonOverridden\": \"$stageVariables.defaultVar\", \"isCanary\": \"$context.isCanaryRequest\"}}"
        )
    };
    let mut stage = StageVariables::new();
    stage.insert("testVar".into(), "default".into());
    stage.insert("defaultVar".into(), "default".into());
    let mut ctx = Context::new();
    ctx.set("isCanaryRequest", false);
    let out = render_full(
        &template("default deployment"),
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &stage,
    );
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!({"isCanary": "false", "message": "default deployment", "nonExistingDefault": "",
               "nonOverridden": "default", "statusCode": 200, "variable": "default"})
    );

    stage.insert("testVar".into(), "canary".into());
    stage.insert("noStageVar".into(), "canary".into());
    let mut ctx = Context::new();
    ctx.set("isCanaryRequest", true);
    let out = render_full(
        &template("canary deployment"),
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &stage,
    );
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!({"isCanary": "true", "message": "canary deployment", "nonExistingDefault": "canary",
               "nonOverridden": "default", "statusCode": 200, "variable": "canary"})
    );
}

// test_apigateway_kinesis.py::test_apigateway_to_kinesis (AWS-validated snapshot): request
// templates building Kinesis PutRecord / PutRecords calls. The snapshot records what Kinesis
// stored: each record's Data (base64-decoded by the SDK) and PartitionKey.
const KINESIS_PUT_RECORDS: &str = r##"{
    "StreamName": "s1",
    "Records": [
        #set( $numRecords = $input.path('$.records').size() )
        #if($numRecords > 0)
            #set( $maxIndex = $numRecords - 1 )
            #foreach( $idx in [0..$maxIndex] )
                #set( $elem = $input.path("$.records[${idx}]") )
                #set( $elemJsonB64 = $util.base64Encode($elem.data) )
                {
                    "Data": "$elemJsonB64",
                    "PartitionKey": #if( $foo.bar.stuff != '')"$elem.partitionKey"#else"$elemJsonB64.length()"#end
                }#if($foreach.hasNext),#end
            #end
        #end
    ]
}"##;

#[test]
fn kinesis_put_records_template_builds_the_recorded_records() {
    // Payload posted with requests' json= (json.dumps spacing).
    let body = r#"{"records": [{"data": "{\"foo\": \"bar1\"}"}, {"data": "{\"foo\": \"bar2\"}"}, {"data": "{\"foo\": \"bar3\"}"}]}"#;
    let out = render(KINESIS_PUT_RECORDS, body);
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    let records = parsed["Records"].as_array().cloned().unwrap_or_default();
    let stored: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            let data = gateway_mapping::util::base64_decode(r["Data"].as_str().unwrap_or(""))
                .unwrap_or_else(|e| panic!("{e}"));
            (data, r["PartitionKey"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    // Recorded: Data b'{"foo": "bar1"}' .. bar3, each with PartitionKey "20" (the undefined
    // $foo.bar.stuff equals '' on API Gateway, so the key is the base64 text's length).
    let want: Vec<(String, String)> = (1..=3)
        .map(|i| (format!("{{\"foo\": \"bar{i}\"}}"), "20".to_owned()))
        .collect();
    assert_eq!(stored, want);
}

#[test]
fn kinesis_put_record_template_encodes_the_raw_body() {
    let template = "\n{\n    \"StreamName\": \"s1\",\n    \"Data\": \"$util.base64Encode($input.body)\",\n    \"PartitionKey\": \"test\"\n}";
    let out = render(template, r#"{"kinesis": "snapshot"}"#);
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    // Recorded: Data b'{"kinesis": "snapshot"}', PartitionKey "test".
    let data = gateway_mapping::util::base64_decode(parsed["Data"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(data, r#"{"kinesis": "snapshot"}"#);
    assert_eq!(parsed["PartitionKey"], "test");
}

#[test]
fn eventbridge_put_events_template_yields_valid_entries_and_headers() {
    // test_apigateway_eventbridge.py::test_apigateway_to_eventbridge (AWS-validated): EventBridge
    // accepted the rendered body ("FailedEntryCount": 0), so it was JSON whose Detail is the
    // posted JSON text; the template also overrides the integration request headers.
    let template = "\n  #set($context.requestOverride.header.X-Amz-Target = \"AWSEvents.PutEvents\")\n  #set($context.requestOverride.header.Content-Type = \"application/x-amz-json-1.1\")\n  #set($inputRoot = $input.path('$'))\n  {\n    \"Entries\": [\n      #foreach($elem in $inputRoot.items)\n      {\n        \"Detail\": \"$util.escapeJavaScript($elem.Detail).replaceAll(\"\\\\'\",\"'\")\",\n        \"DetailType\": \"$elem.DetailType\",\n        \"Source\":\"$elem.Source\"\n      }#if($foreach.hasNext),#end\n      #end\n    ]\n  }\n";
    let body = r#"{"items": [{"Detail": "{\"data\":\"Order is created\"}", "DetailType": "Test", "Source": "order"}]}"#;
    let context = ContextObject::new(Context::new());
    let out = render_full(
        template,
        OwnedRequest::new(body),
        &context,
        &StageVariables::new(),
    );
    let parsed: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out:?}: {e}"));
    assert_eq!(
        parsed,
        json!({"Entries": [{"Detail": "{\"data\":\"Order is created\"}", "DetailType": "Test", "Source": "order"}]})
    );
    let headers = context.overrides().request_header;
    assert_eq!(
        headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        [
            ("X-Amz-Target", "AWSEvents.PutEvents"),
            ("Content-Type", "application/x-amz-json-1.1")
        ]
    );
}

#[test]
fn sqs_form_template_reads_body_and_header_parameter() {
    // test_apigateway_sqs.py::test_sqs_aws_integration_with_message_attribute (AWS-validated):
    // posting {"foo": "bar"} with header HeaderFoo: BAR-Header, SQS stored the body
    // {"foo": "bar"} and the user-agent attribute "BAR-Header".
    let template = "Action=SendMessage&MessageBody=$input.body&MessageAttribute.1.Name=user-agent&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$input.params('HeaderFoo')";
    let mut req = OwnedRequest::new(r#"{"foo": "bar"}"#);
    req.add_header("HeaderFoo", "BAR-Header").unwrap();
    let out = render_full(
        template,
        req,
        &ContextObject::new(Context::new()),
        &StageVariables::new(),
    );
    assert_eq!(
        out,
        r#"Action=SendMessage&MessageBody={"foo": "bar"}&MessageAttribute.1.Name=user-agent&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=BAR-Header"#
    );
}

#[test]
fn every_documented_context_variable_reads_back_through_a_template() {
    // AWS "Variables for data transformations": each documented $context variable (the list in
    // gateway_mapping::context::CONTEXT_VARIABLES) is readable as $context.<dotted name>.
    use gateway_mapping::context::CONTEXT_VARIABLES;
    let readable: Vec<&str> = CONTEXT_VARIABLES
        .iter()
        .copied()
        // Objects rather than values: the claims map and the override maps.
        .filter(|v| *v != "authorizer.claims" && !v.contains("Override"))
        .collect();
    let mut ctx = Context::new();
    for (i, name) in readable.iter().enumerate() {
        ctx.set(name, format!("v{i}"));
    }
    let template: String = readable
        .iter()
        .map(|name| format!("$context.{name}|"))
        .collect();
    let out = render_full(
        &template,
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &StageVariables::new(),
    );
    let want: String = (0..readable.len()).map(|i| format!("v{i}|")).collect();
    assert_eq!(out, want);
    assert!(readable.len() > 40, "{}", readable.len());
}

#[test]
fn unsupported_media_type_body_is_the_default_gateway_response_rendered() {
    // test_apigateway_api.snapshot.json (AWS-validated), get-gateway-responses: the default
    // UNSUPPORTED_MEDIA_TYPE response is status "415" with the template
    // {"message":$context.error.messageString}. Rendered with the error context selection
    // reports, it is the recorded default body.
    use gateway_mapping::selection::{PassthroughBehavior, RequestTemplates};
    let refused = RequestTemplates::<()>::new([], PassthroughBehavior::Never)
        .unwrap_or_else(|e| panic!("{e}"))
        .select(Some("text/plain"))
        .err()
        .unwrap_or_else(|| panic!("NEVER with no templates refuses"));
    let mut ctx = Context::new();
    ctx.set_error(refused.message(), refused.response_type());
    let body = render_full(
        "{\"message\":$context.error.messageString}",
        OwnedRequest::new(""),
        &ContextObject::new(ctx),
        &StageVariables::new(),
    );
    // The recorded default body (its status, 415, is the gateway's: gateway-core's model).
    assert_eq!(body, r#"{"message":"Unsupported Media Type"}"#);
    assert_eq!(refused.response_type(), "UNSUPPORTED_MEDIA_TYPE");
}

// ---------------------------------------------------------------------------------------------
// Bad input never wins: values a template makes contain themselves print without recursing
// forever (Java's collections print "(this Collection)" / "(this Map)" for themselves).
// ---------------------------------------------------------------------------------------------

#[test]
fn a_path_list_holding_itself_prints_once() {
    let body = r#"{"a": [1, 2]}"#;
    assert_eq!(
        render("#set($a = $input.path('$.a'))#set($x = $a.add($a))$a", body),
        "[1,2,(this Collection)]"
    );
    // Twice over, and through $input.json reading the changed tree.
    assert_eq!(
        render(
            "#set($r = $input.path('$'))#set($x = $r.a.add($r.a))#set($x = $r.a.add($r.a))$input.json('$.a')",
            body,
        ),
        "[1,2,(this Collection),(this Collection)]"
    );
}

#[test]
fn an_override_map_holding_itself_prints_once() {
    let context = ContextObject::new(Context::new());
    let out = render_full(
        "#set($context.responseOverride.header.x = $context.responseOverride)$context.responseOverride",
        OwnedRequest::new(""),
        &context,
        &StageVariables::new(),
    );
    assert_eq!(out, "{header={x=(this Map)}}");
}

#[test]

fn two_maps_holding_each_other_never_overflow() {
    let t = Template::compile(
        "#set($a = {})#set($b = {})#set($x = $a.put('b', $b))#set($y = $b.put('a', $a))$a",
        &EngineOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let context = ContextObject::new(Context::new());
    let scope = mapping_scope(
        Input::new(OwnedRequest::new("")),
        &context,
        &StageVariables::new(),
    );
    // Either outcome is acceptable: printed with a cycle marker, or refused with an error.
    match t.render(&scope) {
        Ok(out) => assert!(out.contains("(this Map)"), "{out}"),
        Err(e) => assert!(!e.message().is_empty()),
    }
}

/// A host method call printed straight into the output (the engine's printing fast path)
/// prints exactly what the same call prints once stored in a variable, under API Gateway's
/// rules and plain Velocity's (where a null result prints the reference's own text).
#[test]
fn host_method_calls_print_the_same_directly_and_through_a_variable() {
    let calls = [
        "$input.params('id')",
        "$input.params('missing')",
        "$input.params('X-Trace')",
        "$input.params()",
        "$input.json('$.a')",
        "$input.json('$.nothing')",
        "$input.path('$.a')",
        "$input.path('$').b.size()",
        "$input.path('$').b.get(1)",
        "$input.getBody()",
        "$input.toString()",
        "$util.escapeJavaScript($input.path('$.s'))",
        "$util.escapeJavaScript($nothing)",
        "$util.urlEncode($input.params('X-Trace'))",
        "$util.urlEncode(5)",
        "$util.urlDecode('a+b%21')",
        "$util.base64Encode('hi')",
        "$util.parseJson('[1, 2]')",
        "$util.nope('x')",
        "$context.identity.keySet()",
        "$context.identity.get('sourceIp')",
        "$context.requestOverride.header.keySet()",
    ];
    let body = r#"{"a": {"x": 1}, "b": [1, 2.5], "s": "it's \"q\" / é"}"#;
    for opts in [EngineOptions::api_gateway(), EngineOptions::velocity_1_7()] {
        for call in calls {
            let render_with = |template: &str| {
                let mut req = OwnedRequest::new(body);
                req.add_path("id", "7");
                req.add_header("X-Trace", "Root=1-a b/c").unwrap();
                let mut ctx = Context::new();
                ctx.set("identity.sourceIp", "203.0.113.7");
                let context = ContextObject::new(ctx);
                let scope = mapping_scope(Input::new(req), &context, &StageVariables::new());
                let t = Template::compile(template, &opts)
                    .unwrap_or_else(|e| panic!("{template:?} does not compile: {e}"));
                t.render(&scope)
                    .unwrap_or_else(|e| panic!("{template:?} fails: {e}"))
            };
            let direct = render_with(&format!("[{call}]"));
            let through = render_with(&format!("#set($v = {call})[$v]"));
            if through == "[$v]" && !opts.null_renders_empty {
                // Plain Velocity: a null result leaves `$v` unset, so `$v` prints as
                // itself, and printed directly the call prints its own text.
                assert_eq!(direct, format!("[{call}]"), "{call} with {opts:?}");
            } else {
                assert_eq!(direct, through, "{call} with {opts:?}");
            }
        }
    }
}
