#![no_main]
//! Arbitrary bytes as a Lambda authorizer's answer (the Invoke API's payload): read it as the
//! gateway does, and when it is usable evaluate its policy against a few method ARNs and check
//! its context's values are all strings or null, as API Gateway hands them on. Asserts only
//! that, and the absence of panics (and, through libFuzzer, of hangs and runaway memory).
use gateway_core::pipeline::access::authorization::answer::parse;
use gateway_policy::{ApiAuth, Request, api_outcome};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const ARNS: [&str; 3] = [
    "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/7",
    "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/",
    "",
];

fuzz_target!(|data: &[u8]| {
    let Ok(answer) = parse(data) else {
        return;
    };
    assert!(
        answer
            .context
            .values()
            .all(|v| matches!(v, Value::String(_) | Value::Null))
    );
    for arn in ARNS {
        let request = Request::new("execute-api:Invoke", arn);
        let caller = answer.policy.evaluate(&request).effect;
        let _ = api_outcome(ApiAuth::Lambda, caller, None);
    }
});
