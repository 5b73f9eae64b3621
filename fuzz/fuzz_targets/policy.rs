#![no_main]
//! Arbitrary bytes as a policy document: parse (as a plain policy, as an API Gateway resource
//! policy with the `execute-api:/...` shorthand, and as a Lambda authorizer's output), check it
//! for every error, and when it compiles evaluate it against a few fixed requests, alone and
//! combined as identity and resource policy. Asserts that `check` and `parse` agree on
//! validity, that an error list is never empty and that a denial (with its message) exists
//! exactly when a decision is not an allow; otherwise only the absence of panics (and,
//! through libFuzzer, of hangs and runaway memory). Useful seeds: a statement with `Effect`
//! twice, two `Statement` keys, a long statement list with repeated `Sid`s.
use gateway_policy::{
    ApiAuth, ApiScope, Denial, DeniedBy, Effect, ExecuteApiArn, GatewayKeys, Policy, Principal,
    Request, api_outcome, authorize, denies_before_authorizer, evaluate,
};
use libfuzzer_sys::fuzz_target;

fn requests(scope: &ApiScope) -> Vec<Request> {
    let arn = ExecuteApiArn::new(scope, "prod", "GET", "/pets/7").to_string();
    let keys = GatewayKeys {
        source_ip: "192.0.2.10".parse().ok(),
        source_vpce: Some("vpce-1a2b3c4d".into()),
        secure_transport: Some(true),
        user_agent: Some("fuzz/1.0".into()),
        username: Some("alice".into()),
        ..GatewayKeys::default()
    };
    vec![
        Request::new("execute-api:Invoke", arn.clone()).with_gateway_keys(&keys),
        Request::new("execute-api:Invoke", arn)
            .with_principal(Principal::aws(
                "arn:aws:sts::222222222222:assumed-role/dev/s",
            ))
            .with_key("aws:TagKeys", "env")
            .with_key("aws:TagKeys", "team")
            .with_key("aws:CurrentTime", "2024-02-29T12:00:00Z"),
        Request::new("s3:GetObject", "arn:aws:s3:::bucket/home/alice/x:y")
            .with_principal(Principal::Service("lambda.amazonaws.com".into()))
            .with_key("aws:SourceIp", "2001:db8::1")
            .with_key("s3:max-keys", "10"),
        Request::new("", ""),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scope = ApiScope::new("us-east-1", "111111111111", "abc123");
    let plain = Policy::parse(text);
    let resource = Policy::parse_for_api(text, &scope);
    match Policy::check(text) {
        Ok(_) => assert!(plain.is_ok(), "check accepted what parse refused"),
        Err(errors) => assert!(!errors.is_empty()),
    }
    let authorizer = Policy::parse_authorizer(text);
    let requests = requests(&scope);
    for request in &requests {
        if let Ok(policy) = &authorizer {
            let caller = policy.evaluate(request).effect;
            let outcome = api_outcome(ApiAuth::Lambda, caller, None);
            let denial = Denial::new(outcome, DeniedBy::LambdaAuthorizer, request);
            assert_eq!(denial.is_some(), outcome != Effect::Allow);
        }
        if let Ok(policy) = &plain {
            let caller = evaluate([policy], request).effect;
            if let Ok(res) = &resource {
                let decision = authorize([policy], Some(res), request, "111111111111");
                match Denial::new(decision.effect, DeniedBy::Policy, request) {
                    Some(denial) => assert!(denial.message().contains(request.resource())),
                    None => assert_eq!(decision.effect, Effect::Allow),
                }
                let _ = denies_before_authorizer(res, request);
                let _ = api_outcome(ApiAuth::Lambda, caller, Some(res.evaluate(request).effect));
            }
        }
    }
});
