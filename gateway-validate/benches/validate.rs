//! Validation speed: this crate against the bare `jsonschema` draft-4 validator, same schemas,
//! same instances, same engine options (draft 4, formats checked), in one run.
//!
//! Models are the typical API Gateway shapes of the issue: a pet (required members, an enum, a
//! bounded string and number, a unique string array) and an order with a nested array of 100
//! lines, each line an object with its own nested option array. Two comparisons per model:
//!
//! - `model/*`: [`Model::validate`] against `jsonschema::Validator::is_valid` on a parsed
//!   instance: the overhead of this crate's wrapper around the engine;
//! - `request/*`: [`MethodValidator::validate`] on a request (required parameters, content-type
//!   model selection, body parsing) against `serde_json::from_slice` + `is_valid` on the same
//!   body bytes: the whole per-request cost against the least a caller could do.
//!
//! Goals (the issue's): under 10% overhead over the bare engine, under 1 µs for the pet.
//! `invalid/*` times the error path (fge-worded `validationErrorString`) for information; it
//! has no bare counterpart because the engine does not produce API Gateway's messages.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gateway_validate::{MethodValidator, ModelSet, RequestValidator, RequestView};
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An order with `lines` lines, each with two options: valid against `order.json`.
fn order(lines: usize) -> Value {
    let lines: Vec<Value> = (0..lines)
        .map(|i| {
            json!({
                "sku": format!("SKU-{i:05}"),
                "quantity": i % 7 + 1,
                "unitPrice": 9.99 + i as f64,
                "options": [
                    {"name": "colour", "value": "red"},
                    {"name": "size", "value": "M"}
                ]
            })
        })
        .collect();
    json!({
        "orderId": "ord-12345",
        "customer": {"id": 42, "email": "buyer@example.com"},
        "status": "PAID",
        "lines": lines
    })
}

fn bare(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("bench schema compiles")
}

struct Case {
    name: &'static str,
    schema: Value,
    instance: Value,
}

fn bench(c: &mut Criterion) {
    let cases = [
        Case {
            name: "pet",
            schema: fixture("pet.json"),
            instance: fixture("pet-valid.json"),
        },
        Case {
            name: "order-100",
            schema: fixture("order.json"),
            instance: order(100),
        },
    ];

    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("x-request-id", HeaderValue::from_static("r-1"));
    let query = [("storeId".to_owned(), "s1".to_owned())];

    for case in &cases {
        let set = ModelSet::builder("bench1234")
            .model("M", case.schema.clone())
            .build()
            .expect("bench model compiles");
        let model = set.get("M").expect("model present").clone();
        let engine = bare(&case.schema);
        assert!(
            engine.is_valid(&case.instance),
            "{}: fixture valid",
            case.name
        );
        assert!(model.validate(&case.instance).is_ok());

        let mut g = c.benchmark_group(format!("model/{}", case.name));
        g.bench_function("gateway-validate", |b| {
            b.iter(|| black_box(model.validate(black_box(&case.instance)).is_ok()))
        });
        g.bench_function("jsonschema", |b| {
            b.iter(|| black_box(engine.is_valid(black_box(&case.instance))))
        });
        g.finish();

        let method = MethodValidator::new(
            Some(RequestValidator::ALL),
            [
                ("method.request.header.x-request-id", true),
                ("method.request.querystring.storeId", true),
            ],
            [("application/json", "M")],
            &set,
        )
        .expect("bench method compiles");
        let body = serde_json::to_vec(&case.instance).expect("serialises");
        let request = RequestView {
            headers: &headers,
            query: &query,
            path: &[],
            body: &body,
        };
        assert!(method.validate(&request).is_ok());

        let mut g = c.benchmark_group(format!("request/{}", case.name));
        g.bench_function("gateway-validate", |b| {
            b.iter(|| black_box(method.validate(black_box(&request)).is_ok()))
        });
        g.bench_function("jsonschema", |b| {
            b.iter(|| {
                let v: Value = serde_json::from_slice(black_box(&body)).expect("valid JSON");
                black_box(engine.is_valid(&v))
            })
        });
        g.finish();
    }

    // The error path, for information: one missing member and one bad enum value.
    let set = ModelSet::single("Pet", fixture("pet.json")).expect("pet compiles");
    let pet = set.get("Pet").expect("pet present").clone();
    let invalid = fixture("pet-invalid.json");
    assert!(pet.validate(&invalid).is_err());
    let mut g = c.benchmark_group("invalid/pet");
    g.bench_function("gateway-validate", |b| {
        b.iter(|| black_box(pet.validate(black_box(&invalid)).is_err()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
