//! Routing behaviour of REST APIs, each rule pinned to where the fact comes from.
//!
//! Sources, cited below by their tag in brackets:
//! - LS-common = localstack/localstack `tests/aws/services/apigateway/test_apigateway_common.py`
//!   (tests marked `@markers.aws.validated`, i.e. run against real API Gateway) and its
//!   `.snapshot.json` recorded on AWS.
//! - LS-lambda = localstack/localstack `tests/aws/services/apigateway/test_apigateway_lambda.py`,
//!   `test_lambda_aws_proxy_integration`, and its snapshot recorded on AWS.
//! - LS-api = localstack/localstack `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`.
//! - DG-method = awsdocs/amazon-api-gateway-developer-guide
//!   `doc_source/api-gateway-method-settings-method-request.md` ("Set up a proxy resource",
//!   "ANY method"); the repository removed `doc_source/` in commit 3922eee, read it at 3922eee~1.
//! - DG-gwr = same guide, `doc_source/supported-gateway-response-types.md` and
//!   `doc_source/set-up-gateway-response-using-the-console.md`.

use gateway_core::pipeline::Failure;
use gateway_core::routing::{HttpMethod, NoRoute, RouteError, Router};

/// A router over `(template, method)` pairs whose value is `"METHOD template"`.
fn router(routes: &[(&str, HttpMethod)]) -> Router<String> {
    let mut router = Router::new();
    for (template, method) in routes {
        router
            .insert(template, *method, format!("{method} {template}"))
            .unwrap_or_else(|e| panic!("{template}: {e}"));
    }
    router
}

/// `"METHOD template"` of the route serving the request, or `"403"`.
fn route(router: &Router<String>, method: &str, path: &str) -> String {
    match router.at(method, path) {
        Ok(found) => found.value().clone(),
        Err(NoRoute) => "403".to_owned(),
    }
}

#[test]
fn literal_sibling_wins_but_a_missing_method_falls_back_to_the_greedy_sibling() {
    // [LS-common] TestApigatewayRouting::test_proxy_routing_with_hardcoded_resource_sibling
    // (AWS-validated): /test has POST, /test/any has ANY, /{proxy+} has OPTIONS.
    let r = router(&[
        ("/test", HttpMethod::Post),
        ("/test/any", HttpMethod::Any),
        ("/{proxy+}", HttpMethod::Options),
    ]);
    // OPTIONS /test is not defined on /test: the greedy sibling serves it.
    assert_eq!(route(&r, "OPTIONS", "/test"), "OPTIONS /{proxy+}");
    assert_eq!(route(&r, "POST", "/test"), "POST /test");
    // ANY on the literal resource beats the greedy resource's exact OPTIONS.
    assert_eq!(route(&r, "OPTIONS", "/test/any"), "ANY /test/any");
    assert_eq!(route(&r, "GET", "/test/any"), "ANY /test/any");
}

#[test]
fn a_literal_branch_without_a_matching_child_backtracks_to_a_greedy_ancestor_sibling() {
    // [LS-common] TestApigatewayRouting::test_routing_with_hardcoded_resource_sibling_order
    // (AWS-validated): /part1, /{param+} and /part1/hardcoded-value, all GET.
    let r = router(&[
        ("/part1", HttpMethod::Get),
        ("/{param+}", HttpMethod::Get),
        ("/part1/hardcoded-value", HttpMethod::Get),
    ]);
    assert_eq!(route(&r, "GET", "/part1"), "GET /part1");
    assert_eq!(
        route(&r, "GET", "/part1/hardcoded-value"),
        "GET /part1/hardcoded-value"
    );
    assert_eq!(route(&r, "GET", "/part1/random-value"), "GET /{param+}");
    let found = r.at("GET", "/part1/random-value").unwrap();
    assert_eq!(found.param("param"), Some("part1/random-value"));
}

#[test]
fn specific_resource_takes_precedence_over_a_variable_at_the_same_level() {
    // [DG-method]: "a method request against a specific resource takes precedence over a method
    // request against a generic resource at the same level of the resource hierarchy".
    let r = router(&[
        ("/pets/mine", HttpMethod::Get),
        ("/pets/{petId}", HttpMethod::Get),
        ("/pets/{petId}/toys", HttpMethod::Get),
    ]);
    assert_eq!(route(&r, "GET", "/pets/mine"), "GET /pets/mine");
    assert_eq!(route(&r, "GET", "/pets/7"), "GET /pets/{petId}");
    // `mine` has no `toys` child: the search backtracks to `{petId}`.
    assert_eq!(
        route(&r, "GET", "/pets/mine/toys"),
        "GET /pets/{petId}/toys"
    );
    let found = r.at("GET", "/pets/mine/toys").unwrap();
    assert_eq!(found.param("petId"), Some("mine"));
}

#[test]
fn param_beats_a_greedy_ancestor() {
    // [DG-method]: `/{proxy+}` covers any resource under its parent except those of its non-proxy
    // siblings; `/parent/{child}` is more specific than `/{proxy+}` for one segment.
    let r = router(&[
        ("/{proxy+}", HttpMethod::Any),
        ("/parent/{child}", HttpMethod::Get),
    ]);
    assert_eq!(route(&r, "GET", "/parent/x"), "GET /parent/{child}");
    // Deeper than `{child}` reaches: only the greedy root resource matches.
    assert_eq!(route(&r, "GET", "/parent/x/y"), "ANY /{proxy+}");
    // `{child}` has no POST: backtrack to the greedy resource's ANY.
    assert_eq!(route(&r, "POST", "/parent/x"), "ANY /{proxy+}");
}

#[test]
fn any_serves_the_seven_verbs_and_an_exact_method_wins_over_any() {
    // [DG-method]: "ANY ... for all of the supported HTTP methods of DELETE, GET, HEAD, OPTIONS,
    // PATCH, POST, and PUT".
    let r = router(&[("/foo", HttpMethod::Any), ("/foo", HttpMethod::Get)]);
    for verb in ["DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] {
        assert_eq!(route(&r, verb, "/foo"), "ANY /foo", "{verb}");
        assert_eq!(r.at(verb, "/foo").unwrap().method(), HttpMethod::Any);
    }
    assert_eq!(route(&r, "GET", "/foo"), "GET /foo");
    assert_eq!(r.at("GET", "/foo").unwrap().method(), HttpMethod::Get);
    // Anything else is not a method an API can serve.
    for other in ["TRACE", "CONNECT", "ANY", "get", ""] {
        assert_eq!(route(&r, other, "/foo"), "403", "{other:?}");
    }
}

#[test]
fn head_is_not_served_by_get() {
    // API Gateway serves a method only where it is defined; localstack's router documents
    // reverting Werkzeug's HEAD-to-GET mapping to match AWS (localstack/localstack
    // localstack-core/localstack/services/apigateway/next_gen/execute_api/handlers/resource_router.py,
    // `ApiGatewayMethodRule`).
    let r = router(&[("/foo", HttpMethod::Get)]);
    assert_eq!(route(&r, "HEAD", "/foo"), "403");
}

#[test]
fn unknown_path_and_known_path_with_missing_method_are_both_missing_authentication_token() {
    // [LS-common] test_routing_not_found, recorded on AWS: GET /random-non-existing and
    // POST /existing (GET only) both answer {"message": "Missing Authentication Token"} with
    // x-amzn-ErrorType: MissingAuthenticationTokenException.
    let r = router(&[("/existing", HttpMethod::Get)]);
    assert_eq!(route(&r, "GET", "/existing"), "GET /existing");
    for (method, path) in [("GET", "/random-non-existing"), ("POST", "/existing")] {
        let response = Failure::from(r.at(method, path).unwrap_err()).default_response();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&response.body).unwrap(),
            serde_json::json!({"message": "Missing Authentication Token"})
        );
        // [DG-gwr]: MISSING_AUTHENTICATION_TOKEN, default status 403, "including the cases when
        // the client attempts to invoke an unsupported API method or resource".
        assert_eq!(response.status.as_u16(), 403);
        // [DG-gwr] console example: the response carries Content-Type: application/json and
        // x-amzn-ErrorType: MissingAuthenticationTokenException.
        assert_eq!(
            response.headers,
            [
                ("content-type".to_owned(), "application/json".to_owned()),
                (
                    "x-amzn-ErrorType".to_owned(),
                    "MissingAuthenticationTokenException".to_owned()
                )
            ]
        );
    }
}

#[test]
fn greedy_resource_does_not_match_its_parent_path() {
    // A proxy resource needs at least one path part: requests to the root of an API whose only
    // resource is /{proxy+} get 403 unless the root defines the method (AWS knowledge center,
    // "How do I troubleshoot Missing Authentication Token errors...": "For APIs with proxy
    // resource integration where the request method is sent to the root resource, verify
    // there's a method configured under the root resource").
    let r = router(&[
        ("/{proxy+}", HttpMethod::Any),
        ("/api/{rest+}", HttpMethod::Any),
    ]);
    assert_eq!(route(&r, "GET", "/"), "403");
    assert_eq!(route(&r, "GET", ""), "403");
    assert_eq!(route(&r, "GET", "/api"), "ANY /{proxy+}");
    assert_eq!(route(&r, "GET", "/api/x"), "ANY /api/{rest+}");
    let r = router(&[("/", HttpMethod::Get), ("/{proxy+}", HttpMethod::Any)]);
    assert_eq!(route(&r, "GET", "/"), "GET /");
}

#[test]
fn trailing_slash_is_ignored_and_not_part_of_a_greedy_value() {
    // [LS-lambda] recorded on AWS: GET /proxy-value/ reaches /{proxy+} with
    // pathParameters.proxy = "proxy-value" (no trailing slash); also with a query string.
    let r = router(&[
        ("/{proxy+}", HttpMethod::Any),
        ("/pets/{id}", HttpMethod::Get),
    ]);
    let found = r.at("GET", "/proxy-value/").unwrap();
    assert_eq!(found.resource_path(), "/{proxy+}");
    assert_eq!(found.param("proxy"), Some("proxy-value"));
    // The same rule for literal and {param} resources (aws-powertools/powertools-lambda-python
    // PR #1577: "AWS API Gateway routes the following 2 paths in the same way "/my/path",
    // "/my/path/"").
    let found = r.at("GET", "/pets/7/").unwrap();
    assert_eq!(found.resource_path(), "/pets/{id}");
    assert_eq!(found.param("id"), Some("7"));
}

#[test]
fn extra_leading_slashes_are_ignored() {
    // [LS-lambda] recorded on AWS: GET /stage//proxy-value gives path "/proxy-value" and
    // proxy = "proxy-value"; GET /stage//hardcoded reaches the /hardcoded resource.
    let r = router(&[
        ("/{proxy+}", HttpMethod::Any),
        ("/hardcoded", HttpMethod::Any),
    ]);
    assert_eq!(
        r.at("GET", "//proxy-value").unwrap().param("proxy"),
        Some("proxy-value")
    );
    assert_eq!(route(&r, "GET", "//hardcoded"), "ANY /hardcoded");
}

#[test]
fn greedy_value_keeps_inner_double_slashes() {
    // [LS-lambda] recorded on AWS: GET /proxy-value//double-slash gives
    // proxy = "proxy-value//double-slash".
    let r = router(&[("/{proxy+}", HttpMethod::Any)]);
    let found = r.at("GET", "/proxy-value//double-slash").unwrap();
    assert_eq!(found.param("proxy"), Some("proxy-value//double-slash"));
}

#[test]
fn parameter_values_are_not_percent_decoded() {
    // [LS-lambda] recorded on AWS: /proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com
    // arrives as proxy = "proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com".
    let r = router(&[
        ("/{proxy+}", HttpMethod::Any),
        ("/users/{id}", HttpMethod::Get),
    ]);
    let path = "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com";
    assert_eq!(
        r.at("GET", path).unwrap().param("proxy"),
        Some("proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com")
    );
    // An encoded slash stays inside one {param} value.
    let found = r.at("GET", "/users/a%2Fb").unwrap();
    assert_eq!(found.resource_path(), "/users/{id}");
    assert_eq!(found.param("id"), Some("a%2Fb"));
    // Literal parts are compared with the raw path too: %70ets is not "pets".
    let r = router(&[("/pets", HttpMethod::Get)]);
    assert_eq!(route(&r, "GET", "/%70ets"), "403");
}

#[test]
fn matching_is_case_sensitive() {
    // No AWS recording of this was found. RFC 3986 section 6.2.2.1 makes the path component
    // case-sensitive, and localstack's AWS-parity router matches resource paths with Werkzeug
    // rules, which compare case-sensitively (resource_router.py, see `head_is_not_served_by_get`).
    let r = router(&[("/pets", HttpMethod::Get), ("/Pets", HttpMethod::Post)]);
    assert_eq!(route(&r, "GET", "/pets"), "GET /pets");
    assert_eq!(route(&r, "GET", "/PETS"), "403");
    assert_eq!(route(&r, "GET", "/Pets"), "403");
    assert_eq!(route(&r, "POST", "/Pets"), "POST /Pets");
}

#[test]
fn param_needs_a_non_empty_segment() {
    let r = router(&[("/a/{id}/b", HttpMethod::Get)]);
    assert_eq!(route(&r, "GET", "/a//b"), "403");
    assert_eq!(route(&r, "GET", "/a/1/b"), "GET /a/{id}/b");
}

#[test]
fn paths_without_a_leading_slash_do_not_route() {
    let r = router(&[("/", HttpMethod::Get), ("/pets", HttpMethod::Get)]);
    assert_eq!(route(&r, "GET", "pets"), "403");
    assert_eq!(route(&r, "GET", "*"), "403");
}

#[test]
fn params_come_in_path_order_with_names_from_the_template() {
    let r = router(&[("/repos/{owner}/{repo}/git/{path+}", HttpMethod::Get)]);
    let found = r
        .at("GET", "/repos/rust-lang/rust/git/refs/heads/main/")
        .unwrap();
    assert_eq!(found.resource_path(), "/repos/{owner}/{repo}/git/{path+}");
    assert_eq!(
        found.params().collect::<Vec<_>>(),
        [
            ("owner", "rust-lang"),
            ("repo", "rust"),
            ("path", "refs/heads/main")
        ]
    );
    assert_eq!(found.params().len(), 3);
    assert_eq!(found.param("nope"), None);
}

#[test]
fn root_resource_is_matched_by_slash() {
    let r = router(&[("/", HttpMethod::Get)]);
    let found = r.at("GET", "/").unwrap();
    assert_eq!(found.resource_path(), "/");
    assert_eq!(found.params().count(), 0);
    assert_eq!(route(&r, "GET", "///"), "GET /");
}

#[test]
fn a_second_variable_under_one_parent_is_rejected() {
    // [LS-api] test_create_proxy_resource_validation, recorded on AWS: creating /{dynamic} next
    // to /{proxy+} fails with "A sibling ({proxy+}) of this resource already has a variable
    // path part -- only one is allowed".
    let mut r = Router::new();
    r.insert("/{proxy+}", HttpMethod::Any, 1).unwrap();
    let err = r.insert("/{dynamic}", HttpMethod::Get, 2).unwrap_err();
    assert_eq!(
        err.to_string(),
        "resource path \"/{dynamic}\": A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed"
    );
    // Also between two plain variables of different names (the "duplicate sibling path
    // variables" of OpenAPI import), and deeper in a path.
    r.insert("/pets/{id}", HttpMethod::Get, 3).unwrap();
    for template in ["/pets/{petId}", "/pets/{petId}/toys", "/pets/{id+}"] {
        assert!(
            matches!(
                r.insert(template, HttpMethod::Get, 4),
                Err(RouteError::SiblingVariable { .. })
            ),
            "{template}"
        );
    }
    // The same variable again is the same resource.
    r.insert("/pets/{id}/toys", HttpMethod::Get, 5).unwrap();
    // A failed insert changed nothing.
    assert_eq!(r.len(), 3);
    assert_eq!(*r.at("GET", "/pets/1").unwrap().value(), 3);
}

#[test]
fn a_greedy_parent_with_its_own_greedy_child_is_allowed_elsewhere() {
    // [LS-api] test_create_proxy_resource, recorded on AWS: /{proxy+}, /parent/{proxy+},
    // /parent/child/{proxy+} and later /parent/{child}/{proxy+} all coexist.
    let r = router(&[
        ("/{proxy+}", HttpMethod::Any),
        ("/parent/{proxy+}", HttpMethod::Any),
        ("/parent/child/{proxy+}", HttpMethod::Any),
    ]);
    assert_eq!(route(&r, "GET", "/x/y"), "ANY /{proxy+}");
    assert_eq!(route(&r, "GET", "/parent/x/y"), "ANY /parent/{proxy+}");
    assert_eq!(
        route(&r, "GET", "/parent/child/x"),
        "ANY /parent/child/{proxy+}"
    );
    // /parent/child itself has no method: the parent's greedy resource takes it.
    assert_eq!(route(&r, "GET", "/parent/child"), "ANY /parent/{proxy+}");
}

#[test]
fn the_same_method_twice_on_a_resource_is_rejected() {
    let mut r = Router::new();
    r.insert("/pets", HttpMethod::Get, 1).unwrap();
    let err = r.insert("/pets", HttpMethod::Get, 2).unwrap_err();
    assert_eq!(
        err,
        RouteError::DuplicateMethod {
            template: "/pets".into(),
            method: HttpMethod::Get
        }
    );
    assert_eq!(*r.at("GET", "/pets").unwrap().value(), 1);
}

#[test]
fn bad_templates_are_typed_errors_naming_the_path() {
    let mut r = Router::new();
    for (template, expected) in [
        ("pets", "must start with '/'"),
        ("/pets//x", "path part 2 is empty"),
        (
            "/{proxy+}/child",
            "Cannot create a child of a resource with a greedy path variable: {proxy+}",
        ),
        ("/img-{id}.png", "curly braces are only allowed"),
        ("/{a}/{a}", "path variable {a} appears more than once"),
    ] {
        let message = r
            .insert(template, HttpMethod::Get, ())
            .unwrap_err()
            .to_string();
        assert!(message.contains(&format!("{template:?}")), "{message}");
        assert!(message.contains(expected), "{message}");
    }
    assert!(r.is_empty());
}

/// The pet store example (`examples/apis/petstore.yaml`) and its router.
fn petstore() -> (
    gateway_core::model::RestApi,
    Router<gateway_core::routing::ApiRoute>,
) {
    let path = format!(
        "{}/../examples/apis/petstore.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let api = gateway_core::import::import(&bytes, &Default::default())
        .unwrap()
        .api;
    let router = Router::from_api(&api).unwrap();
    (api, router)
}

/// Resource path, matched method and path parameters.
type Expected = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn an_imported_api_routes_to_its_resources_and_methods() {
    let (api, router) = petstore();
    assert_eq!(router.len(), api.routes().count());
    // (request method, request path) -> (resource path, matched method, path parameters).
    let cases: &[(&str, &str, Option<Expected>)] = &[
        ("GET", "/", Some(("/", "GET", &[]))),
        ("GET", "/pets", Some(("/pets", "GET", &[]))),
        ("GET", "/pets/", Some(("/pets", "GET", &[]))),
        ("POST", "/pets", Some(("/pets", "POST", &[]))),
        (
            "GET",
            "/pets/42",
            Some(("/pets/{petId}", "GET", &[("petId", "42")])),
        ),
        (
            "GET",
            "/pets/a%20b/photo",
            Some(("/pets/{petId}/photo", "GET", &[("petId", "a%20b")])),
        ),
        (
            "PATCH",
            "/static/css/site.css",
            Some(("/static/{proxy+}", "ANY", &[("proxy", "css/site.css")])),
        ),
        // [LS-common] test_routing_not_found: a known path with a method it lacks is 403.
        ("PUT", "/pets", None),
        ("POST", "/pets/42", None),
        // /static has no method of its own, and a greedy resource needs one segment or more.
        ("GET", "/static", None),
        ("GET", "/Pets", None),
        ("GET", "/nothing/here", None),
    ];
    for (verb, path, expected) in cases {
        let got = router.at(verb, path).ok().map(|m| {
            let route = *m.value();
            let resource = api.resource(route.resource).unwrap();
            assert_eq!(resource.path, m.resource_path());
            assert!(resource.methods.contains_key(&route.method));
            (
                resource.path.clone(),
                route.method.to_string(),
                m.params()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect::<Vec<_>>(),
            )
        });
        let expected = expected.map(|(r, m, ps)| {
            (
                r.to_owned(),
                m.to_owned(),
                ps.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<Vec<_>>(),
            )
        });
        assert_eq!(got, expected, "{verb} {path}");
    }
}

#[test]
fn every_bundled_api_builds_a_router() {
    for name in ["petstore.yaml", "mapping.yaml", "secured.yaml"] {
        let path = format!("{}/../examples/apis/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap();
        let api = gateway_core::import::import(&bytes, &Default::default())
            .unwrap()
            .api;
        let router = Router::from_api(&api).unwrap();
        assert_eq!(router.len(), api.routes().count(), "{name}");
        // Every resource path with a method routes to itself when requested literally
        // (variables stand in for themselves).
        for (resource, method) in api.routes() {
            let verb = match method.http_method {
                gateway_core::model::HttpMethod::Any => "DELETE",
                m => m.as_str(),
            };
            let found = router.at(verb, &resource.path).unwrap();
            assert_eq!(found.resource_path(), resource.path, "{name} {verb}");
        }
    }
}
