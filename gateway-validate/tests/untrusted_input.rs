//! Hostile bodies and models: the answers API Gateway's rules give, within the crate's named
//! limits (their memory bounds are checked in `memory_bounds.rs`).

use gateway_validate::{
    LoadError, MAX_PATTERNS, MAX_VALIDATION_MESSAGES, MethodValidator, ModelSet, RequestValidator,
    RequestView,
};
use serde_json::{Value, json};

fn method(schema: Value) -> MethodValidator {
    let models = ModelSet::single("M", schema).unwrap();
    MethodValidator::new(
        Some(RequestValidator::BODY),
        [],
        [("application/json", "M")],
        &models,
    )
    .unwrap()
}

fn errors(method: &MethodValidator, body: &[u8]) -> String {
    match method.validate(&RequestView {
        body,
        ..Default::default()
    }) {
        Err(r) => r.validation_error_string,
        Ok(_) => "valid".to_owned(),
    }
}

/// `[1,1,...,1]` with `n` elements.
fn ones(n: usize) -> Vec<u8> {
    let mut body = b"[1".to_vec();
    for _ in 1..n {
        body.extend_from_slice(b",1");
    }
    body.push(b']');
    body
}

const TYPE_ERROR: &str =
    r#"instance type (integer) does not match any allowed primitive type (allowed: ["string"])"#;

fn repeated(message: &str, n: usize) -> String {
    format!("[{}]", vec![message; n].join(", "))
}

#[test]
fn an_array_invalid_everywhere_keeps_the_first_hundred_messages() {
    let m = method(json!({"type": "array", "items": {"type": "string"}}));
    // Below the cap every element's message is listed, in element order (fge visits array
    // items in index order, InstanceValidator.java).
    assert_eq!(errors(&m, &ones(3)), repeated(TYPE_ERROR, 3));
    // At and past it, the first MAX_VALIDATION_MESSAGES: the same list the crate gave before
    // it stopped early (8,900 bytes for 1,000,000 elements).
    for n in [MAX_VALIDATION_MESSAGES, 1_000, 300_000] {
        assert_eq!(
            errors(&m, &ones(n)),
            repeated(TYPE_ERROR, MAX_VALIDATION_MESSAGES),
            "{n} elements"
        );
    }
}

#[test]
fn a_large_body_the_explanation_gives_up_on_still_gets_a_bounded_list() {
    // 250,000 valid elements, then 50,000 invalid ones: the explanation runs out of steps
    // before the first error. The engine's own listing would build 50,000 errors first.
    let m = method(json!({"type": "array", "items": {"type": "integer"}}));
    let mut body = b"[0".to_vec();
    for _ in 1..250_000 {
        body.extend_from_slice(b",0");
    }
    for _ in 0..50_000 {
        body.extend_from_slice(b",\"x\"");
    }
    body.push(b']');
    let list = errors(&m, &body);
    assert!(list.starts_with("[instance type (string)"), "{list}");
    assert!(list.matches("instance type").count() <= MAX_VALIDATION_MESSAGES);
}

#[test]
fn too_many_distinct_patterns_are_a_load_error_naming_the_limit() {
    let schema = |n: usize| {
        let props: serde_json::Map<String, Value> = (0..n)
            .map(|i| (format!("p{i}"), json!({"pattern": format!("^a{i}$")})))
            .collect();
        json!({"properties": props})
    };
    assert!(ModelSet::single("Ok", schema(MAX_PATTERNS)).is_ok());
    assert_eq!(
        ModelSet::single("Big", schema(MAX_PATTERNS + 1)).unwrap_err(),
        LoadError::TooManyPatterns {
            model: "Big".into(),
            limit: MAX_PATTERNS,
            found: MAX_PATTERNS + 1
        }
    );
    // Patterns count across models, and patternProperties names count too.
    let half: serde_json::Map<String, Value> = (0..MAX_PATTERNS / 2 + 1)
        .map(|i| (format!("^b{i}$"), json!({})))
        .collect();
    let err = ModelSet::builder("api")
        .model("A", schema(MAX_PATTERNS / 2))
        .model("B", json!({"patternProperties": half}))
        .build()
        .unwrap_err();
    assert!(matches!(err, LoadError::TooManyPatterns { model, .. } if model == "B"));
    // A pattern repeated any number of times is one.
    let same: serde_json::Map<String, Value> = (0..3 * MAX_PATTERNS)
        .map(|i| (format!("p{i}"), json!({"pattern": "^[a-z]+$"})))
        .collect();
    assert!(ModelSet::single("Same", json!({"properties": same})).is_ok());
}

#[test]
fn bodies_nested_deeper_than_the_limit_are_unparseable() {
    let m = method(json!({"type": "array"}));
    let depth = gateway_validate::limits::MAX_BODY_DEPTH;
    let nest = |d: usize| format!("{}{}", "[".repeat(d), "]".repeat(d)).into_bytes();
    assert_eq!(errors(&m, &nest(depth)), "valid");
    assert_eq!(
        errors(&m, &nest(depth + 1)),
        gateway_validate::UNPARSEABLE_BODY
    );
}
