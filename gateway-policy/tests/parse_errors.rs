//! Invalid policies are refused with errors naming the statement and element.
//!
//! The rules are IAM's grammar (IAM User Guide, "Grammar of the IAM JSON policy language" and
//! "IAM JSON policy element reference"): Effect is "Allow" or "Deny"; a statement has Action or
//! NotAction (not both), Resource or NotResource (not both), at most one of Principal and
//! NotPrincipal; Version is 2012-10-17 or 2008-10-17; condition operators are the documented
//! ones.

use gateway_policy::{ApiScope, MAX_POLICY_BYTES, Policy, PolicyError};

fn statement(body: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"First","Effect":"Allow","Action":"*","Resource":"*"}},{body}]}}"#
    )
}

fn error(json: &str) -> PolicyError {
    match Policy::parse(json) {
        Ok(_) => panic!("accepted: {json}"),
        Err(e) => e,
    }
}

#[test]
#[rustfmt::skip]
fn each_grammar_error_names_the_statement_and_element() {
    let cases: &[(&str, &str)] = &[
        (r#"{"Sid":"S","Effects":"Allow","Action":"*","Resource":"*"}"#, r#"statement 1 (Sid "S"): unknown element "Effects""#),
        (r#"{"Effect":"allow","Action":"*","Resource":"*"}"#, r#"statement 1: Effect "allow" is invalid"#),
        (r#"{"Effect":"Allow","Resource":"*"}"#, "statement 1: missing Action or NotAction"),
        (r#"{"Effect":"Allow","Action":"*"}"#, "statement 1: missing Resource or NotResource"),
        (r#"{"Action":"*","Resource":"*"}"#, "statement 1: missing Effect"),
        (r#"{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}"#, "statement 1: Action and NotAction cannot both be present"),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}"#, "statement 1: Resource and NotResource cannot both be present"),
        (r#"{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*"}"#, "statement 1: Principal and NotPrincipal cannot both be present"),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"k":"v"}}}"#, r#"statement 1: Condition operator "StringEqualz" is invalid"#),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}"#, r#"Condition operator "NullIfExists" is invalid"#),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"n":"ten"}}}"#, r#"Condition NumericLessThan on key "n": value "ten" is invalid: not a number"#),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.2.3/8"}}}"#, "not an IPv4 or IPv6 address or CIDR"),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}"#, "not an ISO 8601 date or epoch seconds"),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}"#, "not \"true\" or \"false\""),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[]}}}"#, "statement 1: Condition must be"),
        (r#"{"Effect":"Allow","Action":"invoke","Resource":"*"}"#, r#"statement 1: Action value "invoke" is invalid"#),
        (r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#, "statement 1: Action must be a string or a non-empty array of strings"),
        (r#"{"Effect":"Allow","Action":"*","Resource":7}"#, "statement 1: Resource must be a string"),
        (r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:user/*"},"Action":"*","Resource":"*"}"#, "wildcards are not allowed in a principal"),
        (r#"{"Effect":"Allow","Principal":{"Amazon":"x"},"Action":"*","Resource":"*"}"#, "a principal type must be AWS, Service, Federated or CanonicalUser"),
        (r#"{"Effect":"Allow","Principal":"someone","Action":"*","Resource":"*"}"#, r#"Principal value "someone" is invalid"#),
        (r#"{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*","Resource":"*"}"#, r#"Principal value "bob" is invalid: an AWS principal must be"#),
        (r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${aws:username"}"#, "is not closed"),
        (r#"{"Sid":5,"Effect":"Allow","Action":"*","Resource":"*"}"#, "statement 1: Sid must be a string"),
        (r#"{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}"#, "an action can contain only one colon"),
        (r#"{"Effect":"Allow","Action":":GetObject","Resource":"*"}"#, r#"Action value ":GetObject" is invalid"#),
    ];
    for (body, want) in cases {
        let e = error(&statement(body)).to_string();
        assert!(e.contains(want), "{body}\n  got:  {e}\n  want: {want}");
    }
}

#[test]
fn document_level_errors_are_named() {
    assert!(matches!(error("[1]"), PolicyError::NotAnObject));
    assert!(matches!(error("{"), PolicyError::Json(_)));
    assert_eq!(
        error(r#"{"Version":"2012-10-18","Statement":[]}"#),
        PolicyError::InvalidVersion("2012-10-18".into())
    );
    assert_eq!(
        error(r#"{"Version":"2012-10-17"}"#),
        PolicyError::MissingStatement
    );
    assert_eq!(
        error(r#"{"Version":"2012-10-17","Statement":[]}"#),
        PolicyError::MissingStatement
    );
    assert_eq!(
        error(r#"{"Statements":[]}"#),
        PolicyError::UnknownTopLevelElement("Statements".into())
    );
    assert_eq!(
        error(r#"{"Statement":["x"]}"#),
        PolicyError::StatementNotObject
    );
}

#[test]
fn oversized_documents_and_values_are_refused_before_work() {
    let huge = format!(
        r#"{{"Statement":{{"Sid":"{}"}}}}"#,
        "a".repeat(MAX_POLICY_BYTES)
    );
    assert!(matches!(error(&huge), PolicyError::TooLarge { .. }));
    let long = statement(&format!(
        r#"{{"Effect":"Allow","Action":"*","Resource":"{}"}}"#,
        "*a".repeat(gateway_policy::MAX_VALUE_CHARS)
    ));
    assert!(matches!(
        error(&long),
        PolicyError::ValueTooLong {
            element: "Resource",
            ..
        }
    ));
}

#[test]
fn statement_may_be_a_single_object_and_values_may_be_numbers_or_booleans() {
    // IAM grammar: "Statement" is a statement or an array of statements; condition values are
    // strings, numbers or booleans.
    let p = Policy::parse(
        r#"{"Version":"2012-10-17","Id":"p1","Statement":{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"Bool":{"aws:SecureTransport":false},"NumericGreaterThan":{"n":[1,2.5]}}}}"#,
    )
    .unwrap();
    assert_eq!(p.statement_count(), 1);
    assert_eq!(p.id(), Some("p1"));
}

#[test]
#[rustfmt::skip]
fn aws_wording_is_available_beside_each_message() {
    // IAM's MalformedPolicyDocument messages, as users quote them: "Policy statement must
    // contain actions." (aws/aws-cdk#7615), "Actions/Condition can contain only one colon."
    // (garnaat/kappa#111), "The policy failed legacy parsing" for a lowercase Effect
    // (hashicorp/terraform#10057); the full set and which checks fold into "Syntax errors in
    // policy." as moto's IAM validator reproduces them (getmoto/moto,
    // moto/iam/policy_validation.py).
    let cases: &[(&str, &str)] = &[
        (r#"{"Effect":"Allow","Resource":"*"}"#, "Policy statement must contain actions."),
        (r#"{"Effect":"Allow","Action":"*"}"#, "Policy statement must contain resources."),
        (r#"{"Effect":"allow","Action":"*","Resource":"*"}"#, "The policy failed legacy parsing"),
        (r#"{"Effect":"Permit","Action":"*","Resource":"*"}"#, "Syntax errors in policy."),
        (r#"{"Effects":"Allow","Action":"*","Resource":"*"}"#, "Syntax errors in policy."),
        (r#"{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}"#, "Syntax errors in policy."),
        (r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"k":"v"}}}"#, "Syntax errors in policy."),
        (r#"{"Effect":"Allow","Action":"a:b:c","Resource":"*"}"#, "Actions/Condition can contain only one colon."),
        (r#"{"Effect":"Allow","Action":"invoke","Resource":"*"}"#, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ];
    for (body, want) in cases {
        assert_eq!(error(&statement(body)).iam_message().as_deref(), Some(*want), "{body}");
    }
    assert_eq!(
        error(r#"{"Version":"2012-10-17"}"#).iam_message().as_deref(),
        Some("Syntax errors in policy.")
    );
    assert_eq!(error("{").iam_message().as_deref(), Some("Syntax errors in policy."));
    // A condition value error has no AWS wording we could confirm.
    let e = error(&statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":"yes"}}}"#));
    assert_eq!(e.iam_message(), None);
}

#[test]
fn identity_policies_follow_iams_sid_and_resource_rules() {
    // IAM User Guide, "IAM JSON policy elements: Sid": "In IAM, the Sid value must be unique
    // within a JSON policy"; IAM answers "Statement IDs (SID) in a single policy must be
    // unique." and 'Resource r must be in ARN format or "*".' (moto's IAM validator).
    let dup = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Sid":"B","Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    let e = Policy::parse_identity(dup).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"statement 2 (Sid "A"): Sid is already used by statement 0"#
    );
    assert_eq!(
        e.iam_message().as_deref(),
        Some("Statement IDs (SID) in a single policy must be unique.")
    );
    assert!(Policy::parse(dup).is_ok());
    let not_arn = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"bucket"}}"#;
    let e = Policy::parse_identity(not_arn).unwrap_err();
    assert!(
        e.to_string()
            .contains(r#"NotResource value "bucket" is invalid"#),
        "{e}"
    );
    assert_eq!(
        e.iam_message().as_deref(),
        Some(r#"Resource bucket must be in ARN format or "*"."#)
    );
    // IAM CreatePolicy: "Statement IDs (SID) must be alpha-numeric. Check that your input
    // satisfies the regular expression [0-9A-Za-z]*" (as quoted in CloudTrail reports);
    // other services' resource policies accept more, so plain parse does.
    let spaced = r#"{"Version":"2012-10-17","Statement":{"Sid":"Allow reads","Effect":"Allow","Action":"s3:Get*","Resource":"*"}}"#;
    let e = Policy::parse_identity(spaced).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(r#"statement 0 (Sid "Allow reads"): Sid value"#),
        "{e}"
    );
    assert!(
        e.iam_message()
            .unwrap()
            .starts_with("Statement IDs (SID) must be alpha-numeric.")
    );
    assert!(Policy::parse(spaced).is_ok());
    // Statements without a Sid never clash.
    let unnamed = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    assert!(Policy::parse_identity(unnamed).is_ok());
}

#[test]
fn identity_policies_refuse_a_principal_and_resource_policies_require_one() {
    // IAM User Guide, "AWS JSON policy elements: Principal": "You cannot use the Principal
    // element in an identity-based policy" and "You must use the Principal element in
    // resource-based policies".
    let with = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
        {"Sid":"P","Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}"#;
    let e = Policy::parse_identity(with).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"statement 1 (Sid "P"): NotPrincipal is not allowed in an identity policy"#
    );
    // IAM: "Policy document should not specify a principal."
    // (hashicorp/terraform-provider-aws#10419); the console says "Has prohibited field
    // Principal".
    assert_eq!(
        e.iam_message().as_deref(),
        Some("Policy document should not specify a principal.")
    );
    assert!(Policy::parse(with).is_ok());

    let scope = ApiScope::new("us-east-1", "111122223333", "api");
    let e = Policy::parse_for_api(with, &scope).unwrap_err();
    assert_eq!(
        e.to_string(),
        "statement 0: missing Principal or NotPrincipal"
    );
    // S3 PutBucketPolicy: "Missing required field Principal" (humanmade/S3-Uploads#191).
    assert_eq!(
        e.iam_message().as_deref(),
        Some("Missing required field Principal")
    );
    let without =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    assert!(Policy::parse_identity(without).is_ok());
}
