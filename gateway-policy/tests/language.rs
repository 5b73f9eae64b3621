//! The policy language beyond conditions: Action / Resource / Principal and their `Not` forms,
//! policy variables, versions, and how decisions are reached and explained.
//!
//! Sources (IAM User Guide):
//! - [ACTION] "IAM JSON policy elements: Action" / [NOTACTION] "...: NotAction"
//! - [RESOURCE] "IAM JSON policy elements: Resource" / [NOTRESOURCE] "...: NotResource"
//! - [PRINCIPAL] "AWS JSON policy elements: Principal" / [NOTPRINCIPAL] "...: NotPrincipal"
//! - [VARS] "IAM policy elements: Variables and tags"
//! - [VERSION] "IAM JSON policy elements: Version"
//! - [EVAL] "Policy evaluation logic" and "Cross-account policy evaluation logic"
//! - [OPS] "IAM JSON policy elements: Condition operators" (its "Important" note on keys absent
//!   from the request context, and "...IfExists condition operators")

use gateway_policy::{DecidingStatement, Effect, Policy, Principal, Request, authorize, evaluate};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn effect(policy: &Policy, action: &str, resource: &str) -> Effect {
    policy.evaluate(&Request::new(action, resource)).effect
}

fn one(statement: &str) -> Policy {
    let json = format!(r#"{{"Version":"2012-10-17","Statement":{statement}}}"#);
    Policy::parse(&json).unwrap_or_else(|e| panic!("{statement}: {e}"))
}

#[test]
fn actions_match_case_insensitively_with_wildcards() {
    // [ACTION]: "The prefix and the action name are case insensitive", and `*` / `?` wildcards
    // may stand for any part of the action name ("iam:*AccessKey*").
    let p = one(r#"{"Effect":"Allow","Action":["iam:*AccessKey*","s3:Get?bject"],"Resource":"*"}"#);
    assert_eq!(effect(&p, "IAM:createaccesskey", "x"), Effect::Allow);
    assert_eq!(effect(&p, "iam:ListAccessKeys", "x"), Effect::Allow);
    assert_eq!(effect(&p, "S3:GETOBJECT", "x"), Effect::Allow);
    assert_eq!(effect(&p, "s3:GetObjects", "x"), Effect::ImplicitDeny);
    assert_eq!(effect(&p, "iam:CreateUser", "x"), Effect::ImplicitDeny);
}

#[test]
fn resources_match_case_sensitively_per_arn_segment() {
    // API Gateway Developer Guide, "IAM policy examples for API execution permissions":
    // arn:aws:execute-api:us-east-1:*:a123456789/test/POST/mydemoresource/* lets the user call
    // POST along that path, in stage test, for API a123456789 in us-east-1.
    let p = Policy::parse(&data("identity_post_in_test_stage.json")).unwrap();
    let invoke = |arn: &str| effect(&p, "execute-api:Invoke", arn);
    assert_eq!(
        invoke("arn:aws:execute-api:us-east-1:111122223333:a123456789/test/POST/mydemoresource/x"),
        Effect::Allow
    );
    assert_eq!(
        invoke(
            "arn:aws:execute-api:us-east-1:111122223333:a123456789/test/POST/mydemoresource/a/b"
        ),
        Effect::Allow
    );
    assert_eq!(
        invoke("arn:aws:execute-api:us-east-1:111122223333:a123456789/test/GET/mydemoresource/x"),
        Effect::ImplicitDeny
    );
    assert_eq!(
        invoke("arn:aws:execute-api:us-east-1:111122223333:a123456789/test/POST/MyDemoResource/x"),
        Effect::ImplicitDeny
    );
    assert_eq!(
        invoke("arn:aws:execute-api:us-west-2:111122223333:a123456789/test/POST/mydemoresource/x"),
        Effect::ImplicitDeny
    );
    // [RESOURCE] "Using wildcards in resource ARNs": wildcards work within ARN segments, and
    // "If the * wildcard is the last character of a resource ARN segment, it can expand to
    // match beyond the colon boundaries": `*:a123456789/*` covers region and account.
    let q =
        one(r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:a123456789/*"}"#);
    assert_eq!(
        effect(
            &q,
            "execute-api:Invoke",
            "arn:aws:execute-api:us-east-1:1:a123456789/s/GET/"
        ),
        Effect::Allow
    );
    // A `*` inside a segment (not its last character) stays within that segment.
    let q = one(
        r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-*-1:a123456789/*"}"#,
    );
    assert_eq!(
        effect(
            &q,
            "execute-api:Invoke",
            "arn:aws:execute-api:us-east-1:1-1:a123456789/s/GET/"
        ),
        Effect::ImplicitDeny
    );
    // Resources are case-sensitive, the region included.
    assert_eq!(
        effect(
            &p,
            "execute-api:Invoke",
            "arn:aws:execute-api:US-EAST-1:111122223333:a123456789/test/POST/mydemoresource/x"
        ),
        Effect::ImplicitDeny
    );
    let q =
        one(r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:a123456789/*"}"#);
    assert_eq!(
        effect(
            &q,
            "execute-api:Invoke",
            "arn:aws:execute-api:us-east-1:1:a123456789/s/GET/"
        ),
        Effect::Allow
    );
}

#[test]
fn not_action_and_not_resource_match_everything_else() {
    // [NOTACTION]: Allow with NotAction "iam:*" allows every action except IAM's.
    let p = one(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#);
    assert_eq!(effect(&p, "s3:GetObject", "x"), Effect::Allow);
    assert_eq!(effect(&p, "iam:CreateUser", "x"), Effect::ImplicitDeny);
    // [NOTRESOURCE]: Deny with NotResource denies every resource except those listed.
    let p = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::hr","arn:aws:s3:::hr/*"]}]}"#,
    )
    .unwrap();
    assert_eq!(
        effect(&p, "s3:GetObject", "arn:aws:s3:::hr/payroll"),
        Effect::Allow
    );
    assert_eq!(
        effect(&p, "s3:GetObject", "arn:aws:s3:::finance/x"),
        Effect::ExplicitDeny
    );
}

#[test]
fn principals_name_accounts_users_roles_and_services() {
    let p = one(
        r#"{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::444455556666:user/bob"],"Service":"lambda.amazonaws.com"},"Action":"*","Resource":"*"}"#,
    );
    let by = |principal: Principal| {
        p.evaluate(&Request::new("a:b", "r").with_principal(principal))
            .effect
    };
    // [PRINCIPAL]: an account ID covers every principal of the account.
    assert_eq!(
        by(Principal::aws("arn:aws:iam::123456789012:user/alice")),
        Effect::Allow
    );
    assert_eq!(
        by(Principal::aws("arn:aws:sts::123456789012:assumed-role/r/s")),
        Effect::Allow
    );
    assert_eq!(
        by(Principal::aws("arn:aws:iam::444455556666:user/bob")),
        Effect::Allow
    );
    assert_eq!(
        by(Principal::aws("arn:aws:iam::444455556666:user/eve")),
        Effect::ImplicitDeny
    );
    assert_eq!(
        by(Principal::Service("lambda.amazonaws.com".into())),
        Effect::Allow
    );
    assert_eq!(
        by(Principal::Service("sns.amazonaws.com".into())),
        Effect::ImplicitDeny
    );
    assert_eq!(by(Principal::Anonymous), Effect::ImplicitDeny);
    // [PRINCIPAL]: "Principal": "*" and {"AWS": "*"} both include anonymous callers.
    for star in [r#""*""#, r#"{"AWS":"*"}"#] {
        let p = one(&format!(
            r#"{{"Effect":"Allow","Principal":{star},"Action":"*","Resource":"*"}}"#
        ));
        assert_eq!(
            p.evaluate(&Request::new("a:b", "r")).effect,
            Effect::Allow,
            "{star}"
        );
    }
}

#[test]
fn not_principal_with_deny_spares_only_the_listed_principals() {
    // [NOTPRINCIPAL]: Deny + NotPrincipal denies every principal except those named, and "you
    // must also specify the account ARN of the not-denied principal. Otherwise, the policy
    // might deny access to the entire account, including the principal"; for a role session,
    // the role and the account.
    let policy = |not_principal: &str| {
        Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[
                {{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},
                {{"Sid":"OnlyBob","Effect":"Deny","NotPrincipal":{{"AWS":{not_principal}}},"Action":"*","Resource":"*"}}]}}"#
        ))
        .unwrap()
    };
    let by = |p: &Policy, principal: Principal| {
        p.evaluate(&Request::new("a:b", "r").with_principal(principal))
            .effect
    };
    let bob = || Principal::aws("arn:aws:iam::444455556666:user/bob");
    let eve = || Principal::aws("arn:aws:iam::444455556666:user/eve");
    let with_account =
        policy(r#"["arn:aws:iam::444455556666:user/bob","arn:aws:iam::444455556666:root"]"#);
    assert_eq!(by(&with_account, bob()), Effect::Allow);
    assert_eq!(by(&with_account, eve()), Effect::ExplicitDeny);
    assert_eq!(
        by(&with_account, Principal::Anonymous),
        Effect::ExplicitDeny
    );
    // Naming the user alone leaves the account, and so bob, denied.
    let user_only = policy(r#""arn:aws:iam::444455556666:user/bob""#);
    assert_eq!(by(&user_only, bob()), Effect::ExplicitDeny);
    let session = || Principal::aws("arn:aws:sts::444455556666:assumed-role/audit/app");
    let all_three = policy(
        r#"["arn:aws:sts::444455556666:assumed-role/audit/app","arn:aws:iam::444455556666:role/audit","444455556666"]"#,
    );
    assert_eq!(by(&all_three, session()), Effect::Allow);
    let role_and_account = policy(r#"["arn:aws:iam::444455556666:role/audit","444455556666"]"#);
    // "... or include both the ARN for a role and the ARN for the account containing that
    // role": the role covers its sessions.
    assert_eq!(by(&role_and_account, session()), Effect::Allow);
    let role_only = policy(r#""arn:aws:iam::444455556666:role/audit""#);
    assert_eq!(by(&role_only, session()), Effect::ExplicitDeny);
}

#[test]
fn policy_variables_resolve_from_the_request_and_never_match_unresolved() {
    // [VARS] "Using variables in policies": ${aws:username} in Resource and in a StringLike
    // condition value scopes a user to home/<name>/.
    let p = Policy::parse(&data("identity_user_home_prefix.json")).unwrap();
    let alice = |action: &str, resource: &str, prefix: Option<&str>| {
        let mut r = Request::new(action, resource).with_key("aws:username", "alice");
        if let Some(prefix) = prefix {
            r = r.with_key("s3:prefix", prefix);
        }
        p.evaluate(&r).effect
    };
    let bucket = "arn:aws:s3:::amzn-s3-demo-bucket";
    let own = "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/notes.txt";
    let other = "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/notes.txt";
    assert_eq!(alice("s3:GetObject", own, None), Effect::Allow);
    assert_eq!(alice("s3:GetObject", other, None), Effect::ImplicitDeny);
    assert_eq!(
        alice("s3:ListBucket", bucket, Some("home/alice/")),
        Effect::Allow
    );
    assert_eq!(
        alice("s3:ListBucket", bucket, Some("home/bob/")),
        Effect::ImplicitDeny
    );
    // [VARS] "Policy variables with no value": with no aws:username in the request the
    // variable cannot resolve and the resource does not match.
    assert_eq!(effect(&p, "s3:GetObject", own), Effect::ImplicitDeny);
    // A multi-valued key cannot be used as a variable ([SETS] key points).
    let multi = Request::new("s3:GetObject", own)
        .with_key("aws:username", "alice")
        .with_key("aws:username", "bob");
    assert_eq!(p.evaluate(&multi).effect, Effect::ImplicitDeny);
}

#[test]
fn a_variable_with_no_value_makes_negated_tests_apply() {
    // [VARS] "Policy variables with no value": the value of a key that is not present "is
    // effectively null. There is no equal or like value." "Inverted condition operators like
    // `StringNotEquals` or `StringNotLike` do match against a null value", and the page's own
    // example denies (StringNotEquals s3:ExistingObjectTag/Team ${aws:PrincipalTag/Team})
    // "when `aws:principaltag/Team` is not set". A resource with such a variable "will not
    // match any resource", so in NotResource it excludes nothing.
    let p = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Sid":"OnlyOwnTag","Effect":"Deny","Action":"*","Resource":"*",
             "Condition":{"StringNotEquals":{"aws:ResourceTag/owner":"${aws:username}"}}},
            {"Sid":"OnlyOwnHome","Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/home/${aws:username}/*"}]}"#,
    )
    .unwrap();
    let home = "arn:aws:s3:::b/home/alice/x";
    let anonymous = Request::new("s3:GetObject", home).with_key("aws:ResourceTag/owner", "alice");
    let denied = p.evaluate(&anonymous);
    assert_eq!(denied.effect, Effect::ExplicitDeny);
    let sids: Vec<_> = denied.statements.iter().map(|s| s.sid).collect();
    assert_eq!(sids, [Some("OnlyOwnTag"), Some("OnlyOwnHome")]);
    // Resolved, the negations work as usual.
    let bob = anonymous.clone().with_key("aws:username", "bob");
    assert_eq!(p.evaluate(&bob).effect, Effect::ExplicitDeny);
    let alice = anonymous.with_key("aws:username", "alice");
    assert_eq!(p.evaluate(&alice).effect, Effect::Allow);
}

#[test]
fn a_variable_with_no_value_never_matches_a_positive_test_whatever_the_operator() {
    // [VARS] "Policy variables with no value": "`StringEquals` or `StringLike` do not match";
    // for the inverted forms of every family that takes variables (String, ARN) the null
    // value is matched. [OPS] "Important" note: with the condition's own key absent, the
    // negated operators are true and the positive ones false, whatever the variable.
    let cond = |op: &str, value: &str| {
        Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*",
                "Condition":{{"{op}":{{"k":"{value}"}}}}}}}}"#
        ))
        .unwrap()
    };
    let with_k = Request::new("a:b", "r").with_key("k", "arn:aws:iam::1:user/x");
    let without_k = Request::new("a:b", "r");
    for (op, value, negated) in [
        ("StringEquals", "${aws:username}", false),
        ("StringLike", "${aws:username}*", false),
        ("StringEqualsIgnoreCase", "${aws:username}", false),
        ("ArnLike", "arn:aws:iam::1:user/${aws:username}", false),
        ("ArnEquals", "arn:aws:iam::1:user/${aws:username}", false),
        ("StringNotEquals", "${aws:username}", true),
        ("StringNotLike", "${aws:username}*", true),
        ("StringNotEqualsIgnoreCase", "${aws:username}", true),
        ("ArnNotLike", "arn:aws:iam::1:user/${aws:username}", true),
        ("ArnNotEquals", "arn:aws:iam::1:user/${aws:username}", true),
    ] {
        let p = cond(op, value);
        let want = if negated {
            Effect::Allow
        } else {
            Effect::ImplicitDeny
        };
        assert_eq!(p.evaluate(&with_k).effect, want, "{op} with k present");
        assert_eq!(p.evaluate(&without_k).effect, want, "{op} with k absent");
        // [OPS] "...IfExists": with the key absent the condition is true, whatever the
        // variable; with it present, as the base operator.
        let p = cond(&format!("{op}IfExists"), value);
        assert_eq!(p.evaluate(&without_k).effect, Effect::Allow, "{op}IfExists");
        assert_eq!(p.evaluate(&with_k).effect, want, "{op}IfExists present");
    }
    // Several values: the null one matches nothing, the others as usual (NOR for negated).
    let p = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"StringNotEquals":{"k":["${aws:username}","blocked"]}}}}"#,
    )
    .unwrap();
    assert_eq!(
        p.evaluate(&Request::new("a:b", "r").with_key("k", "blocked"))
            .effect,
        Effect::ImplicitDeny
    );
    assert_eq!(
        p.evaluate(&Request::new("a:b", "r").with_key("k", "fine"))
            .effect,
        Effect::Allow
    );
}

#[test]
fn policy_variable_defaults_and_escapes() {
    // [VARS] "Specifying default values": ${aws:username, 'guest'} uses 'guest' when the key
    // has no value.
    let p = one(
        r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username, 'guest'}/*"}"#,
    );
    assert_eq!(
        effect(&p, "s3:GetObject", "arn:aws:s3:::b/guest/x"),
        Effect::Allow
    );
    let alice =
        Request::new("s3:GetObject", "arn:aws:s3:::b/alice/x").with_key("aws:username", "alice");
    assert_eq!(p.evaluate(&alice).effect, Effect::Allow);
    // [VARS] "Special characters": ${*}, ${?} and ${$} are the literal characters.
    let p = one(r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${*}${?}${$}"}"#);
    assert_eq!(
        effect(&p, "s3:GetObject", "arn:aws:s3:::b/*?$"),
        Effect::Allow
    );
    assert_eq!(
        effect(&p, "s3:GetObject", "arn:aws:s3:::b/xy$"),
        Effect::ImplicitDeny
    );
}

#[test]
fn version_2008_and_a_missing_version_take_variables_literally() {
    // [VERSION]: policy variables are only recognised in 2012-10-17; in 2008-10-17 (also the
    // default when Version is absent) "${aws:username}" is literal text.
    for version in [r#""Version":"2008-10-17","#, ""] {
        let json = format!(
            r#"{{{version}"Statement":{{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${{aws:username}}"}}}}"#
        );
        let p = Policy::parse(&json).unwrap();
        let alice =
            Request::new("s3:GetObject", "arn:aws:s3:::b/alice").with_key("aws:username", "alice");
        assert_eq!(p.evaluate(&alice).effect, Effect::ImplicitDeny, "{version}");
        assert_eq!(
            effect(&p, "s3:GetObject", "arn:aws:s3:::b/${aws:username}"),
            Effect::Allow
        );
    }
}

#[test]
fn explicit_deny_beats_allow_beats_implicit_deny_and_names_the_statements() {
    // [EVAL]: "An explicit deny in any of these policies overrides the allow"; without an allow
    // the request is implicitly denied.
    let p = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"All","Effect":"Allow","Action":"execute-api:*","Resource":"*"},
            {"Sid":"Invoke","Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"arn:aws:execute-api:*:*:*/prod/DELETE/*"}]}"#,
    )
    .unwrap();
    let allowed = p.evaluate(&Request::new(
        "execute-api:Invoke",
        "arn:aws:execute-api:r:1:a/prod/GET/x",
    ));
    assert_eq!(allowed.effect, Effect::Allow);
    let sids: Vec<_> = allowed
        .statements
        .iter()
        .map(|s| (s.index, s.sid))
        .collect();
    assert_eq!(sids, [(0, Some("All")), (1, Some("Invoke"))]);
    let denied = p.evaluate(&Request::new(
        "execute-api:Invoke",
        "arn:aws:execute-api:r:1:a/prod/DELETE/x",
    ));
    assert_eq!(denied.effect, Effect::ExplicitDeny);
    assert_eq!(
        denied.statements,
        [DecidingStatement {
            policy: 0,
            index: 2,
            sid: None
        }]
    );
    let nothing = p.evaluate(&Request::new("s3:GetObject", "arn:aws:s3:::b"));
    assert_eq!(nothing.effect, Effect::ImplicitDeny);
    assert!(nothing.statements.is_empty());
}

#[test]
fn several_policies_combine_and_decisions_name_the_policy() {
    let allow = one(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
    let deny = one(r#"{"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"*"}"#);
    let d = evaluate([&allow, &deny], &Request::new("s3:GetObject", "x"));
    assert_eq!(d.effect, Effect::ExplicitDeny);
    assert_eq!(
        d.statements,
        [DecidingStatement {
            policy: 1,
            index: 0,
            sid: Some("D")
        }]
    );
    let d = evaluate([&allow, &deny], &Request::new("sqs:SendMessage", "x"));
    assert_eq!(d.effect, Effect::Allow);
    assert_eq!(d.statements[0].policy, 0);
    assert_eq!(
        evaluate([], &Request::new("a:b", "c")).effect,
        Effect::ImplicitDeny
    );
}

#[test]
fn identity_and_resource_policies_combine_by_account() {
    // [EVAL] "Cross-account policy evaluation logic": in one account an allow in either the
    // identity or the resource policy is enough; across accounts both must allow.
    let identity =
        one(r#"{"Sid":"Id","Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}"#);
    let resource = one(
        r#"{"Sid":"Res","Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"execute-api:Invoke","Resource":"*"}"#,
    );
    let silent = one(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    let api = "arn:aws:execute-api:us-east-1:111111111111:api/prod/GET/";
    let caller = |account: &str| {
        Request::new("execute-api:Invoke", api)
            .with_principal(Principal::aws(&format!("arn:aws:iam::{account}:user/u")))
    };
    // Same account: identity alone, or resource alone, is enough.
    let same = caller("111111111111");
    assert_eq!(
        authorize([&identity], Some(&silent), &same, "111111111111").effect,
        Effect::Allow
    );
    let resource_user = one(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/u"},"Action":"*","Resource":"*"}"#,
    );
    assert_eq!(
        authorize([], Some(&resource_user), &same, "111111111111").effect,
        Effect::Allow
    );
    // [PRINCIPAL] "AWS account principals": naming the account "delegates authority to the
    // account", whose administrator "must then grant access to an identity": a grant to the
    // caller's own account (ID or :root) needs the caller's identity allow too.
    for account in ["111111111111", "arn:aws:iam::111111111111:root"] {
        let resource_same = one(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{account}"}},"Action":"*","Resource":"*"}}"#
        ));
        assert_eq!(
            authorize([], Some(&resource_same), &same, "111111111111").effect,
            Effect::ImplicitDeny,
            "{account}"
        );
        let with_identity = authorize([&identity], Some(&resource_same), &same, "111111111111");
        assert_eq!(with_identity.effect, Effect::Allow);
        assert_eq!(with_identity.statements.len(), 2);
        // The account root is the account itself.
        let root = Request::new("execute-api:Invoke", api)
            .with_principal(Principal::aws("arn:aws:iam::111111111111:root"));
        assert_eq!(
            authorize([], Some(&resource_same), &root, "111111111111").effect,
            Effect::Allow
        );
    }
    // Cross account: both needed, so with no resource policy at all the identity allow is not
    // enough (API Gateway Developer Guide, apigateway-authorization-flow, Table B).
    let cross = caller("222222222222");
    assert_eq!(
        authorize([&identity], None, &cross, "111111111111").effect,
        Effect::ImplicitDeny
    );
    assert_eq!(
        authorize([&identity], Some(&silent), &cross, "111111111111").effect,
        Effect::ImplicitDeny
    );
    assert_eq!(
        authorize([], Some(&resource), &cross, "111111111111").effect,
        Effect::ImplicitDeny
    );
    let both = authorize([&identity], Some(&resource), &cross, "111111111111");
    assert_eq!(both.effect, Effect::Allow);
    // Identity policies are numbered first, the resource policy after them.
    let named: Vec<_> = both.statements.iter().map(|s| (s.policy, s.sid)).collect();
    assert_eq!(named, [(0, Some("Id")), (1, Some("Res"))]);
    // An explicit deny on either side wins.
    let deny = one(r#"{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}"#);
    assert_eq!(
        authorize([&identity], Some(&deny), &same, "111111111111").effect,
        Effect::ExplicitDeny
    );
}
