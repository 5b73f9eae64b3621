//! API Gateway resource policies end to end: the shorthand, the gateway's condition keys, and
//! the outcome of each authorization type.
//!
//! Sources (API Gateway Developer Guide):
//! - [FLOW] "How API Gateway resource policies affect authorization workflow"
//!   (apigateway-authorization-flow), whose example policies are in tests/data/
//! - [EXAMPLES] "API Gateway resource policy examples" (apigateway-resource-policies-examples)

use gateway_policy::{
    ApiAuth, ApiScope, Effect, ExecuteApiArn, GatewayKeys, Policy, Principal, Request, api_outcome,
    authorize, denies_before_authorizer,
};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn scope() -> ApiScope {
    ApiScope::new("us-east-2", "111111111111", "aabbccddee")
}

fn resource_policy(name: &str) -> Policy {
    Policy::parse_for_api(&data(name), &scope()).unwrap()
}

fn invoke(method: &str, path: &str, keys: GatewayKeys) -> Request {
    let arn = ExecuteApiArn::new(&scope(), "stage", method, path);
    Request::new("execute-api:Invoke", arn.to_string()).with_gateway_keys(&keys)
}

fn from_ip(ip: &str) -> GatewayKeys {
    GatewayKeys {
        source_ip: Some(ip.parse().unwrap()),
        ..GatewayKeys::default()
    }
}

#[test]
fn ip_allow_list_without_authorization_needs_an_explicit_allow() {
    // [FLOW] "API Gateway resource policy only": the example allows 192.0.2.0/24 and
    // 198.51.100.0/24; "An implicit denial or any explicit denial results in denying the caller."
    let policy = resource_policy("resource_ip_allowlist.json");
    for (ip, want) in [
        ("192.0.2.10", Effect::Allow),
        ("198.51.100.200", Effect::Allow),
        ("203.0.113.1", Effect::ImplicitDeny),
    ] {
        let resource = policy.evaluate(&invoke("GET", "/pets", from_ip(ip))).effect;
        assert_eq!(
            api_outcome(ApiAuth::None, Effect::ImplicitDeny, Some(resource)),
            want,
            "{ip}"
        );
    }
}

#[test]
fn vpce_deny_blocks_before_the_lambda_authorizer_runs() {
    // [FLOW] "Lambda authorizer and resource policy": the resource policy is first checked for
    // explicit denies; the example denies every call not through vpce-1a2b3c4d, so "only the
    // calls coming from the VPC endpoint ... are allowed to move forward" to the authorizer.
    let policy = resource_policy("resource_vpce_deny.json");
    let through = |vpce: Option<&str>| {
        invoke(
            "POST",
            "/orders",
            GatewayKeys {
                source_vpce: vpce.map(str::to_string),
                ..GatewayKeys::default()
            },
        )
    };
    assert!(!denies_before_authorizer(
        &policy,
        &through(Some("vpce-1a2b3c4d"))
    ));
    assert!(denies_before_authorizer(
        &policy,
        &through(Some("vpce-99999999"))
    ));
    // A public call has no aws:SourceVpce; StringNotEquals on a missing key is true (IAM
    // "Condition operators"), so it is denied too.
    assert!(denies_before_authorizer(&policy, &through(None)));
    let d = policy.evaluate(&through(None));
    assert_eq!(d.statements[0].sid, Some("OnlyThroughOurEndpoint"));
    // After the pass, the authorizer's policy and the resource policy combine by Table A.
    let resource = policy.evaluate(&through(Some("vpce-1a2b3c4d"))).effect;
    assert_eq!(
        api_outcome(ApiAuth::Lambda, Effect::Allow, Some(resource)),
        Effect::Allow
    );
    assert_eq!(
        api_outcome(ApiAuth::Lambda, Effect::ExplicitDeny, Some(resource)),
        Effect::ExplicitDeny
    );
}

#[test]
fn cross_account_roles_need_both_their_identity_policy_and_the_resource_policy() {
    // [EXAMPLES] "Allow roles in another AWS account to use an API": the developer and Admin
    // roles of account-id-2 may call GET /pets in stage "stage" (written with the shorthand).
    let policy = resource_policy("resource_cross_account_roles.json");
    let identity = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*"}}"#,
    )
    .unwrap();
    let as_role = |role: &str, method: &str| {
        invoke(method, "/pets", GatewayKeys::default()).with_principal(Principal::aws(&format!(
            "arn:aws:sts::222222222222:assumed-role/{role}/session"
        )))
    };
    let owner = scope().account_id;
    let dev = as_role("developer", "GET");
    assert_eq!(
        authorize([&identity], Some(&policy), &dev, &owner).effect,
        Effect::Allow
    );
    // Table B: without the caller's own allow, cross-account access is denied...
    assert_eq!(
        authorize([], Some(&policy), &dev, &owner).effect,
        Effect::ImplicitDeny
    );
    // ... and likewise for a role or method the resource policy does not name.
    let intern = as_role("intern", "GET");
    assert_eq!(
        authorize([&identity], Some(&policy), &intern, &owner).effect,
        Effect::ImplicitDeny
    );
    let post = as_role("Admin", "POST");
    assert_eq!(
        authorize([&identity], Some(&policy), &post, &owner).effect,
        Effect::ImplicitDeny
    );
}

#[test]
fn shorthand_covers_stage_method_and_path_wildcards() {
    // [EXAMPLES]: "You can use execute-api:/* to represent all stages, methods, and paths in the
    // current API."
    let policy = Policy::parse_for_api(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},
            {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/stage/DELETE/*"}]}"#,
        &scope(),
    )
    .unwrap();
    assert_eq!(
        policy
            .evaluate(&invoke("GET", "/", GatewayKeys::default()))
            .effect,
        Effect::Allow
    );
    assert_eq!(
        policy
            .evaluate(&invoke("DELETE", "/pets/1", GatewayKeys::default()))
            .effect,
        Effect::ExplicitDeny
    );
    // Another API's ARN is not covered by this API's shorthand.
    let other = Request::new(
        "execute-api:Invoke",
        "arn:aws:execute-api:us-east-2:111111111111:otherapi/stage/GET/",
    );
    assert_eq!(policy.evaluate(&other).effect, Effect::ImplicitDeny);
}

/// One request of the examples table: method, path and what the gateway knows.
struct Call {
    method: &'static str,
    path: &'static str,
    source_ip: &'static str,
    vpc_source_ip: Option<&'static str>,
    vpc: Option<&'static str>,
    vpce: Option<&'static str>,
}

const PUBLIC: Call = Call {
    method: "GET",
    path: "/pets",
    source_ip: "203.0.113.9",
    vpc_source_ip: None,
    vpc: None,
    vpce: None,
};

#[test]
#[rustfmt::skip]
fn resource_policy_examples_decide_as_documented() {
    // [EXAMPLES]: "Deny API traffic based on source IP address or range", "... when using a
    // private API" (aws:VpcSourceIp: "the VPC endpoint for execute-api re-writes the original
    // source IP address"), and "Allow private API traffic based on source VPC or VPC
    // endpoint". Each example allows execute-api:/* and denies on its condition.
    let example = |condition: &str| {
        Policy::parse_for_api(
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[
                    {{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":["execute-api:/*"]}},
                    {{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":["execute-api:/*"],"Condition":{condition}}}]}}"#
            ),
            &scope(),
        )
        .unwrap()
    };
    let deny_ips = example(r#"{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","198.51.100.0/24"]}}"#);
    let deny_vpc_ips = example(r#"{"IpAddress":{"aws:VpcSourceIp":["192.0.2.0/24","198.51.100.0/24"]}}"#);
    let only_vpc = example(r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-1a2b3c4d"}}"#);
    let only_vpce = example(r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#);
    let private = Call { source_ip: "10.0.0.5", vpc_source_ip: Some("192.0.2.7"), vpc: Some("vpc-1a2b3c4d"), vpce: Some("vpce-1a2b3c4d"), ..PUBLIC };
    let cases: &[(&Policy, Call, Effect)] = &[
        (&deny_ips, PUBLIC, Effect::Allow),
        (&deny_ips, Call { source_ip: "192.0.2.77", ..PUBLIC }, Effect::ExplicitDeny),
        (&deny_ips, Call { source_ip: "198.51.100.1", method: "POST", path: "/orders", ..PUBLIC }, Effect::ExplicitDeny),
        // Behind a VPC endpoint the source address is the endpoint's; only aws:VpcSourceIp
        // sees the caller.
        (&deny_ips, Call { ..private }, Effect::Allow),
        (&deny_vpc_ips, Call { ..private }, Effect::ExplicitDeny),
        (&deny_vpc_ips, Call { vpc_source_ip: Some("10.1.1.1"), ..private }, Effect::Allow),
        // Public calls carry no aws:VpcSourceIp: IpAddress on a missing key is false.
        (&deny_vpc_ips, PUBLIC, Effect::Allow),
        (&only_vpc, Call { ..private }, Effect::Allow),
        (&only_vpc, Call { vpc: Some("vpc-99999999"), ..private }, Effect::ExplicitDeny),
        // StringNotEquals on a missing key is true: calls from outside any VPC are denied.
        (&only_vpc, PUBLIC, Effect::ExplicitDeny),
        (&only_vpce, Call { ..private }, Effect::Allow),
        (&only_vpce, Call { vpce: Some("vpce-00000000"), ..private }, Effect::ExplicitDeny),
        (&only_vpce, PUBLIC, Effect::ExplicitDeny),
    ];
    for (i, (policy, call, want)) in cases.iter().enumerate() {
        let keys = GatewayKeys {
            source_ip: Some(call.source_ip.parse().unwrap()),
            vpc_source_ip: call.vpc_source_ip.map(|ip| ip.parse().unwrap()),
            source_vpc: call.vpc.map(str::to_string),
            source_vpce: call.vpce.map(str::to_string),
            ..GatewayKeys::default()
        };
        let got = policy.evaluate(&invoke(call.method, call.path, keys)).effect;
        assert_eq!(got, *want, "case {i}");
    }
}
