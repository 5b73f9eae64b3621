//! Hostile and odd policy documents: keys given twice, every error of a document, and what a
//! Lambda authorizer may return.
//!
//! Sources:
//! - [GRAMMAR] IAM User Guide, "Grammar of the IAM JSON policy language": "Individual elements
//!   must not contain multiple instances of the same key. For example, you cannot include the
//!   `Effect` block twice in the same statement."
//! - [SID] IAM User Guide, "IAM JSON policy elements: Sid": "In IAM, the Sid value must be
//!   unique within a JSON policy."
//! - [OUTPUT] API Gateway Developer Guide, "Output from an Amazon API Gateway Lambda
//!   authorizer": the output must include "a policy document (`policyDocument`) containing a
//!   list of policy statements".
//! - [FLOW] API Gateway Developer Guide, "apigateway-authorization-flow", Table A.

use gateway_policy::{ApiAuth, ApiScope, Effect, Policy, PolicyError, Request, api_outcome};

const INVOKE: &str = "arn:aws:execute-api:us-east-1:111111111111:abc123/prod/GET/pets";

fn invoke() -> Request {
    Request::new("execute-api:Invoke", INVOKE)
}

#[test]
fn a_key_given_twice_is_refused_by_every_kind_of_policy() {
    // [GRAMMAR]: "Deny" then "Allow" must not be read as either.
    let identity = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}}"#;
    let resource = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Effect":"Allow","Action":"*","Resource":"*"}}"#;
    let scope = ApiScope::new("us-east-1", "111111111111", "abc123");
    let want = r#"statement 0: key "Effect" is given more than once"#;
    assert_eq!(Policy::parse(identity).unwrap_err().to_string(), want);
    assert_eq!(
        Policy::parse_identity(identity).unwrap_err().to_string(),
        want
    );
    assert_eq!(
        Policy::parse_resource(resource).unwrap_err().to_string(),
        want
    );
    assert_eq!(
        Policy::parse_for_api(resource, &scope)
            .unwrap_err()
            .to_string(),
        want
    );
    let refused = Policy::parse_authorizer(identity).unwrap_err();
    assert_eq!(refused.cause.to_string(), want);
    // Two Statement keys: the first (a Deny) must not be dropped for the second.
    let two = r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"},"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    assert_eq!(
        Policy::parse(two).unwrap_err(),
        PolicyError::DuplicateKey {
            at: None,
            object: String::new(),
            key: "Statement".into()
        }
    );
    // Deeper: inside a condition block and a principal map, named by statement and element.
    let deep = r#"{"Statement":[{"Sid":"Ok","Effect":"Allow","Action":"*","Resource":"*"},
        {"Sid":"Cond","Effect":"Allow","Principal":{"AWS":"*","AWS":"111111111111"},"Action":"*","Resource":"*",
         "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}]}"#;
    let errors: Vec<String> = Policy::check(deep)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            r#"statement 1 (Sid "Cond"): key "AWS" is given more than once in Principal"#,
            r#"statement 1 (Sid "Cond"): key "IpAddress" is given more than once in Condition"#,
        ]
    );
    // Keys that differ only in case are different keys to JSON (and Effect's name is
    // case-sensitive): "effect" is an unknown element, not a repeat.
    let case = r#"{"Statement":{"Effect":"Allow","effect":"Deny","Action":"*","Resource":"*"}}"#;
    assert!(matches!(
        Policy::parse(case).unwrap_err(),
        PolicyError::UnknownElement { .. }
    ));
}

#[test]
fn check_reports_every_error_and_parse_the_first() {
    let json = r#"{"Version":"2012-10-18","Extra":1,"Statement":[
        {"Sid":"A","Effect":"allow","Action":"invoke","Resource":"*"},
        {"Sid":"A","Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"n":"ten"}}},
        7]}"#;
    let errors = Policy::check(json).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            r#"policy Version "2012-10-18" is not supported (expected "2012-10-17" or "2008-10-17")"#,
            r#"policy has an unknown element "Extra" (expected Version, Id or Statement)"#,
            r#"statement 0 (Sid "A"): Effect "allow" is invalid (expected "Allow" or "Deny")"#,
            r#"statement 0 (Sid "A"): Action value "invoke" is invalid: an action must be "*" or "service:action""#,
            "policy Statement must be an object or an array of objects",
            r#"statement 1 (Sid "A"): Condition NumericLessThan on key "n": value "ten" is invalid: not a number"#,
        ]
    );
    assert_eq!(Policy::parse(json).unwrap_err(), errors[0]);
    // [SID]: check (a validator) refuses a Sid used twice; parse leaves it to identity policies.
    let dup = r#"{"Statement":[{"Sid":"S","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"S","Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    assert_eq!(
        Policy::check(dup).unwrap_err(),
        [PolicyError::DuplicateSid {
            at: gateway_policy::StatementLocation {
                index: 1,
                sid: Some("S".into())
            },
            first: 0
        }]
    );
    assert!(Policy::parse(dup).is_ok());
    assert!(Policy::check_identity(dup).is_err());
}

#[test]
fn an_authorizer_policy_with_no_statements_or_no_resources_allows_nothing() {
    // [OUTPUT] a list of statements; a list of none applies to no method: 403 (ACCESS_DENIED),
    // not 500. chalice's AuthResponse(routes=[]) returns `"Resource": []`, which API Gateway
    // answers with 403 "User is not authorized to access this resource" after "Successfully
    // completed authorizer execution" (aws/chalice#971).
    for doc in [
        r#"{"Version":"2012-10-17","Statement":[]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":[]}]}"#,
    ] {
        let policy = Policy::parse_authorizer(doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
        let caller = policy.evaluate(&invoke()).effect;
        assert_eq!(caller, Effect::ImplicitDeny, "{doc}");
        // [FLOW] Table A: the resource policy may still allow; silent, it denies.
        assert_eq!(
            api_outcome(ApiAuth::Lambda, caller, None),
            Effect::ImplicitDeny
        );
        assert_eq!(
            api_outcome(ApiAuth::Lambda, caller, Some(Effect::Allow)),
            Effect::Allow
        );
    }
    // IAM's rules for saved policies are not applied to it: the empty list is IAM's error.
    assert_eq!(
        Policy::parse(r#"{"Statement":[]}"#).unwrap_err(),
        PolicyError::MissingStatement
    );
    // A usual authorizer answer evaluates as the caller's policy.
    let allow = Policy::parse_authorizer(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"{INVOKE}"}}]}}"#
    ))
    .unwrap();
    assert_eq!(allow.evaluate(&invoke()).effect, Effect::Allow);
}

#[test]
fn an_authorizer_policy_api_gateway_cannot_use_is_a_configuration_error() {
    // [OUTPUT]: a policy document "containing a list of policy statements" is required;
    // API Gateway's execution log for an unusable one reads "Execution failed due to
    // configuration error: Could not parse policy" and the client gets 500
    // AuthorizerConfigurationException (reported in ExpanseLLC/lambda_authorizer#1).
    for doc in [
        "null",
        "not json",
        "[]",
        r#"{"Version":"2012-10-17"}"#,
        r#"{"Version":"2012-10-17","Statement":"Allow"}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"ALLOW","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Effect":"Allow","Resource":"*"}]}"#,
    ] {
        let e = Policy::parse_authorizer(doc).unwrap_err();
        assert!(
            e.to_string().starts_with("authorizer policy refused: "),
            "{doc}: {e}"
        );
    }
}

#[test]
fn long_statement_lists_parse_and_evaluate() {
    // As many statements as fit in MAX_POLICY_BYTES, each with its own Sid: the duplicate-Sid
    // check is one hash pass and the repeated-key check records nothing.
    let statement = |i: usize| {
        format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/prod/GET/p{i}"}}"#
        )
    };
    let mut json = String::from(r#"{"Version":"2012-10-17","Statement":["#);
    let mut count = 0;
    while json.len() + statement(count).len() + 3 < gateway_policy::MAX_POLICY_BYTES {
        if count > 0 {
            json.push(',');
        }
        json.push_str(&statement(count));
        count += 1;
    }
    json.push_str("]}");
    let policy = Policy::check_identity(&json).unwrap();
    assert_eq!(policy.statement_count(), count);
    assert!(count > 500);
    let last = count - 1;
    let request = Request::new(
        "execute-api:Invoke",
        format!("arn:aws:execute-api:us-east-1:1:abc123/prod/GET/p{last}"),
    );
    let d = policy.evaluate(&request);
    assert_eq!(d.effect, Effect::Allow);
    assert_eq!(d.statements[0].index, last);
}
