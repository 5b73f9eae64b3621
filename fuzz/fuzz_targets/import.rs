#![no_main]
//! Import fuzzing: arbitrary bytes as an API definition (JSON when they start with `{`, else
//! YAML). Whatever imports must also build a router, and routing a few requests through it
//! must not panic; whatever also compiles renders every gateway response type (its
//! customisation, DEFAULT_4XX/5XX or AWS's default) without panicking. Asserts nothing but
//! "no panic" (and that an imported model builds).

use gateway_core::compile::{CompileOptions, CompiledApi};
use gateway_core::import::{ImportOptions, import};
use gateway_core::model::GatewayResponseType;
use gateway_core::pipeline::Failure;
use gateway_core::routing::Router;
use libfuzzer_sys::fuzz_target;

/// Requests tried against every imported API.
const REQUESTS: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/pets"),
    ("POST", "/pets/1"),
    ("DELETE", "/a/b/c/"),
    ("OPTIONS", "//x%2Fy"),
    ("PATCH", "/{proxy+}"),
];

fuzz_target!(|data: &[u8]| {
    for fail_on_warnings in [false, true] {
        let options = ImportOptions {
            fail_on_warnings,
            ..ImportOptions::default()
        };
        let Ok(imported) = import(data, &options) else {
            continue;
        };
        let api = &imported.api;
        for w in &imported.warnings {
            let _ = w.to_string();
        }
        // The importer's checks include the router's: a model it returns always builds.
        let router = Router::from_api(api).expect("an imported API builds a router");
        for (verb, path) in REQUESTS {
            if let Ok(found) = router.at(verb, path) {
                let _ = found.params().count();
                let _ = api.resource(found.value().resource);
            }
        }
        // Each resource path, requested literally, routes somewhere or to the 403.
        for (resource, method) in api.routes() {
            let verb = match method.http_method.as_str() {
                "ANY" => "GET",
                v => v,
            };
            let _ = router.at(verb, &resource.path).map(|m| m.params().count());
        }
        let Ok(compiled) = CompiledApi::compile(imported.clone(), &CompileOptions::default())
        else {
            continue;
        };
        for &response_type in GatewayResponseType::ALL {
            let failure = Failure::new(response_type, "fuzz \"message\"")
                .with_validation_error_string("[fuzz]");
            let request = gateway_validate::RequestView::default();
            if let Ok(response) = compiled.gateway_response_for(&failure, &request, "GET", "/") {
                let _ = response.into_response();
            }
        }
    }
});
