#![no_main]
//! Fuzz target: arbitrary schema and instance through gateway-validate's load and request paths.
//!
//! The input is split at its first NUL byte: the part before is a model's schema text, the part
//! after is the request body. The schema goes through `ModelSet` (parse, `$ref` checks, cycle
//! detection, compile) next to a second model that refers to it by API Gateway model URL; when
//! it loads, the body is validated both directly (`Model::validate`, which builds the
//! fge-worded error list on failure) and through a `MethodValidator` with required parameters,
//! as a request. Nothing is asserted beyond "no panic, no hang".
use gateway_validate::{MethodValidator, ModelSet, RequestValidator, RequestView};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (schema, body) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(schema) = std::str::from_utf8(schema) else {
        return;
    };
    let wrapper = serde_json::json!({
        "type": "array",
        "items": {"$ref": "https://apigateway.amazonaws.com/restapis/fuzz/models/Fuzzed"}
    });
    let Ok(models) = ModelSet::builder("fuzz")
        .model_json("Fuzzed", schema)
        .model("List", wrapper)
        .build()
    else {
        return;
    };
    if let (Some(model), Ok(instance)) = (
        models.get("Fuzzed"),
        serde_json::from_slice::<serde_json::Value>(body),
    ) {
        let _ = model.validate(&instance).map_err(|e| e.to_string());
    }
    for name in ["Fuzzed", "List"] {
        let Ok(method) = MethodValidator::new(
            Some(RequestValidator::ALL),
            [("method.request.header.x-h", true)],
            [("application/json", name)],
            &models,
        ) else {
            continue;
        };
        let headers = [("x-h", "v"), ("content-type", "application/json")];
        let _ = method.validate(&RequestView {
            headers: &headers,
            body,
            ..Default::default()
        });
    }
});
