#![no_main]
//! Arbitrary bytes as a policy document: parse (both as a plain policy and as an API Gateway
//! resource policy with the `execute-api:/...` shorthand), and when it compiles evaluate it
//! against a few fixed requests, alone and combined as identity and resource policy. Asserts
//! nothing but the absence of panics (and, through libFuzzer, of hangs and runaway memory).
use gateway_policy::{
    ApiAuth, ApiScope, ExecuteApiArn, GatewayKeys, Policy, Principal, Request, api_outcome,
    authorize, denies_before_authorizer, evaluate,
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
    let requests = requests(&scope);
    for request in &requests {
        if let Ok(policy) = &plain {
            let caller = evaluate([policy], request).effect;
            if let Ok(res) = &resource {
                let _ = authorize([policy], Some(res), request, "111111111111");
                let _ = denies_before_authorizer(res, request);
                let _ = api_outcome(ApiAuth::Lambda, caller, Some(res.evaluate(request).effect));
            }
        }
    }
});
