#![no_main]
//! Fuzz target: arbitrary schema and instance through gateway-validate's load and request paths.
//!
//! The input is split at its first NUL byte: the part before is a model's schema text, the part
//! after is the request body. The schema goes through `ModelSet` (parse, `$ref` checks, cycle
//! detection, compile) next to a second model that refers to it by API Gateway model URL; when
//! it loads, the body is validated both directly (`Model::validate`, which builds the
//! fge-worded error list on failure) and through a `MethodValidator` with required parameters,
//! as a request. The body is also tried nested in arrays as deep as the parser allows and one
//! level deeper, and repeated as the elements of a long array (a few thousand), so deep
//! nesting and long invalid arrays are reached from any seed. Asserted: no panic, no hang, and
//! never more than `MAX_VALIDATION_MESSAGES` messages, and a body that passes comes back
//! parsed exactly as `serde_json` parses it.
use gateway_validate::{
    MAX_VALIDATION_MESSAGES, MethodValidator, ModelSet, RequestValidator, RequestView,
};
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
        if let Err(e) = model.validate(&instance) {
            assert!(e.messages().len() <= MAX_VALIDATION_MESSAGES);
        }
    }
    let depth = gateway_validate::limits::MAX_BODY_DEPTH;
    let nested = |d: usize| [&b"[".repeat(d)[..], body, &b"]".repeat(d)[..]].concat();
    let copies = 4096usize.min((1usize << 20) / body.len().max(1));
    let mut long = b"[".to_vec();
    for i in 0..copies {
        if i > 0 {
            long.push(b',');
        }
        long.extend_from_slice(body);
    }
    long.push(b']');
    let bodies = [body.to_vec(), nested(depth - 1), nested(depth), long];
    for name in ["Fuzzed", "List"] {
        let Ok(method) = MethodValidator::new(
            Some(RequestValidator::ALL),
            [("method.request.header.x-h", true)],
            [("application/json", name)],
            &models,
        ) else {
            continue;
        };
        let mut headers = http::HeaderMap::new();
        headers.insert("x-h", http::HeaderValue::from_static("v"));
        headers.insert(
            "content-type",
            http::HeaderValue::from_static("application/json"),
        );
        for body in &bodies {
            let outcome = method.validate(&RequestView {
                headers: &headers,
                body,
                ..Default::default()
            });
            // The body handed on to mapping is the body, parsed as serde_json parses it.
            if let Ok(gateway_validate::Validated {
                body: Some(parsed), ..
            }) = outcome
            {
                let reference = serde_json::from_slice::<serde_json::Value>(body).ok();
                assert_eq!(Some(&*parsed), reference.as_ref());
            }
        }
    }
});
