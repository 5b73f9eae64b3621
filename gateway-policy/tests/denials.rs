//! What a refused caller is told: the kind of each denial and API Gateway's message for it.
//!
//! Sources (research notes in the project's shared research, with the recorded responses they
//! cite):
//! - [ACCESS] `pipeline-access.md` section 5, rows ACCESS_DENIED: a Lambda authorizer's explicit
//!   deny answers `{"Message":"User is not authorized to access this resource with an explicit
//!   deny"}`, an allow that does not cover the method `{"Message":"User is not authorized to
//!   access this resource"}`; a resource policy's deny `{"Message":"User: anonymous is not
//!   authorized to perform: execute-api:Invoke on resource: <method-arn> with an explicit
//!   deny"}`, "without a matching Allow the suffix ` with an explicit deny` is absent".
//! - [OUTCOMES] same notes, section 6.3 (Lambda authorizer outcomes).
//! - [FLOW] API Gateway Developer Guide, "apigateway-authorization-flow" (Tables A and B).

use gateway_policy::{
    ApiAuth, ApiScope, Denial, DeniedBy, Effect, ExecuteApiArn, Policy, Principal, Request,
    api_outcome, authorize,
};

fn scope() -> ApiScope {
    ApiScope::new("us-east-1", "123456789012", "abc123")
}

fn invoke(method: &str, path: &str) -> Request {
    let arn = ExecuteApiArn::new(&scope(), "prod", method, path);
    Request::new("execute-api:Invoke", arn.to_string())
}

const METHOD_ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";

#[test]
fn an_allowed_request_is_no_denial() {
    for by in [DeniedBy::LambdaAuthorizer, DeniedBy::Policy] {
        assert_eq!(
            Denial::new(Effect::Allow, by, &invoke("GET", "/pets")),
            None
        );
    }
}

#[test]
fn a_lambda_authorizer_denial_names_neither_caller_nor_resource() {
    // [ACCESS], [OUTCOMES]: explicit Deny, then an Allow for other ARNs only.
    let request = invoke("GET", "/pets");
    let explicit = Denial::new(Effect::ExplicitDeny, DeniedBy::LambdaAuthorizer, &request).unwrap();
    assert_eq!(explicit.effect(), Effect::ExplicitDeny);
    assert_eq!(
        explicit.message(),
        "User is not authorized to access this resource with an explicit deny"
    );
    let implicit = Denial::new(Effect::ImplicitDeny, DeniedBy::LambdaAuthorizer, &request).unwrap();
    assert_eq!(implicit.effect(), Effect::ImplicitDeny);
    assert_eq!(
        implicit.message(),
        "User is not authorized to access this resource"
    );
}

#[test]
fn a_resource_policy_denial_names_the_anonymous_caller_the_action_and_the_method() {
    // [ACCESS]: "User: anonymous is not authorized to perform: execute-api:Invoke on resource:
    // <method-arn> with an explicit deny"; the suffix only for an explicit deny.
    let policy = Policy::parse_for_api(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/GET/*"},
            {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/GET/pets"}]}"#,
        &scope(),
    )
    .unwrap();
    let denied = invoke("GET", "/pets");
    let effect = api_outcome(
        ApiAuth::None,
        Effect::ImplicitDeny,
        Some(policy.evaluate(&denied).effect),
    );
    let denial = Denial::new(effect, DeniedBy::Policy, &denied).unwrap();
    assert_eq!(denial.effect(), Effect::ExplicitDeny);
    assert_eq!(
        denial.message(),
        format!(
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: \
             {METHOD_ARN} with an explicit deny"
        )
    );

    let unmatched = invoke("POST", "/pets");
    let effect = api_outcome(
        ApiAuth::None,
        Effect::ImplicitDeny,
        Some(policy.evaluate(&unmatched).effect),
    );
    let denial = Denial::new(effect, DeniedBy::Policy, &unmatched).unwrap();
    assert_eq!(denial.effect(), Effect::ImplicitDeny);
    assert_eq!(
        denial.message(),
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: \
         arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/pets"
    );
}

#[test]
fn an_iam_denial_names_the_signed_caller_by_arn() {
    // [FLOW] Table B: a caller of another account with no resource policy is implicitly denied.
    let identity = Policy::parse_identity(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}}"#,
    )
    .unwrap();
    let request =
        invoke("GET", "/pets").with_principal(Principal::aws("arn:aws:iam::222222222222:user/bob"));
    let decision = authorize([&identity], None, &request, "123456789012");
    let denial = Denial::new(decision.effect, DeniedBy::Policy, &request).unwrap();
    assert_eq!(denial.effect(), Effect::ImplicitDeny);
    assert_eq!(
        denial.message(),
        format!(
            "User: arn:aws:iam::222222222222:user/bob is not authorized to perform: \
             execute-api:Invoke on resource: {METHOD_ARN}"
        )
    );
}
