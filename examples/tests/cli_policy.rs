//! `gateway policy check` and `gateway policy eval`, run as the built binary.

mod common;

use common::{Scratch, stdout};
use std::process::Output;

fn gateway(args: &[&str]) -> Output {
    common::run_gateway(args, None)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim()).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

const IDENTITY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"Invoke","Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:abc123/*"},
  {"Sid":"NoDelete","Effect":"Deny","Action":"execute-api:*","Resource":"arn:aws:execute-api:*:*:*/*/DELETE/*"}]}"#;

const RESOURCE: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"Office","Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/prod/*",
   "Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24"]}}}]}"#;

const API: &str = "arn:aws:execute-api:us-east-1:111111111111:abc123/prod/GET/pets";

#[test]
fn check_prints_valid_or_the_error_naming_statement_and_element() {
    let dir = Scratch::new("policy", "check");
    let good = dir.file("good.json", IDENTITY);
    let out = gateway(&["policy", "check", &good]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out).trim(), "valid");

    let bad = dir.file(
        "bad.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},
           {"Sid":"B","Effect":"Permit","Action":"*","Resource":"*"}]}"#,
    );
    let out = gateway(&["policy", "check", &bad]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains(r#"statement 1 (Sid "B")"#), "{text}");
    assert!(text.contains("Effect"), "{text}");
    // AWS's own wording follows ours (IAM folds an unknown Effect into this message).
    assert!(
        text.contains(r#"(AWS: "Syntax errors in policy.")"#),
        "{text}"
    );
}

#[test]
fn check_exits_2_for_an_unreadable_file_or_bad_usage() {
    let out = gateway(&["policy", "check", "/nonexistent/policy.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    assert_eq!(gateway(&["policy", "check"]).status.code(), Some(2));
    assert_eq!(gateway(&["policy"]).status.code(), Some(2));
    assert_eq!(gateway(&["policy", "frobnicate"]).status.code(), Some(2));
}

#[test]
fn eval_prints_the_decision_and_the_deciding_statements() {
    let dir = Scratch::new("policy", "eval");
    let id = dir.file("id.json", IDENTITY);
    let out = gateway(&[
        "policy",
        "eval",
        "--policy",
        &id,
        "--action",
        "execute-api:Invoke",
        "--resource",
        API,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(v["decision"], "Allow");
    assert_eq!(
        v["statements"],
        serde_json::json!([{"policy": id, "index": 0, "sid": "Invoke"}])
    );
    // The output keeps the documented shape, spaces included.
    assert!(stdout(&out).starts_with(r#"{"decision": "Allow", "statements": ["#));

    let delete = API.replace("/GET/", "/DELETE/");
    let out = gateway(&[
        "policy",
        "eval",
        "--policy",
        &id,
        "--action",
        "execute-api:Invoke",
        "--resource",
        &delete,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["statements"][0]["sid"], "NoDelete");
    assert_eq!(v["statements"][0]["index"], 1);

    let out = gateway(&[
        "policy",
        "eval",
        "--policy",
        &id,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json(&out),
        serde_json::json!({"decision": "ImplicitDeny", "statements": []})
    );
}

#[test]
fn eval_combines_a_resource_policy_with_the_shorthand_and_context_keys() {
    let dir = Scratch::new("policy", "resource");
    let id = dir.file("id.json", IDENTITY);
    let res = dir.file("res.json", RESOURCE);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "policy",
            "eval",
            "--resource-policy",
            &res,
            "--action",
            "execute-api:Invoke",
            "--resource",
            API,
        ];
        args.extend_from_slice(extra);
        gateway(&args)
    };
    // No authorization: the resource policy alone, which allows the office range.
    let out = run(&["--context", "aws:SourceIp=192.0.2.7"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(json(&out)["statements"][0]["policy"], res.as_str());
    let out = run(&["--context", "aws:SourceIp=203.0.113.7"]);
    assert_eq!(json(&out)["decision"], "ImplicitDeny");

    // A caller from another account needs both its identity policy and the resource policy
    // (API Gateway Developer Guide, apigateway-authorization-flow, Table B).
    let cross = [
        "--principal",
        "arn:aws:iam::222222222222:user/bob",
        "--context",
        "aws:SourceIp=192.0.2.7",
    ];
    let out = run(&cross);
    assert_eq!(json(&out)["decision"], "ImplicitDeny");
    let mut with_identity = vec!["--policy", id.as_str()];
    with_identity.extend_from_slice(&cross);
    let out = run(&with_identity);
    let v = json(&out);
    assert_eq!(v["decision"], "Allow");
    let policies: Vec<_> = v["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["policy"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(policies, [id.clone(), res.clone()]);
    // Same account (Table A): the identity policy alone is enough.
    let out = run(&["--policy", &id, "--principal-account", "111111111111"]);
    assert_eq!(json(&out)["decision"], "Allow");
}

#[test]
fn eval_context_keys_given_twice_are_multi_valued() {
    let dir = Scratch::new("policy", "multi");
    let p = dir.file(
        "tags.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}}"#,
    );
    let run = |tags: &[&str]| {
        let mut args = vec![
            "policy",
            "eval",
            "--policy",
            &p,
            "--action",
            "a:b",
            "--resource",
            "r",
        ];
        for t in tags {
            args.push("--context");
            args.push(t);
        }
        json(&gateway(&args))["decision"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(run(&["aws:TagKeys=env", "aws:TagKeys=team"]), "Allow");
    assert_eq!(
        run(&["aws:TagKeys=env", "aws:TagKeys=owner"]),
        "ImplicitDeny"
    );
    // Names are case-insensitive, so differently written keys still collect into one set.
    assert_eq!(run(&["aws:TagKeys=env", "AWS:TAGKEYS=team"]), "Allow");
}

#[test]
fn eval_context_replaces_what_the_principal_implied() {
    let dir = Scratch::new("policy", "override");
    let p = dir.file(
        "arn.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/team/ops"}}}}"#,
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "policy",
            "eval",
            "--policy",
            &p,
            "--action",
            "a:b",
            "--resource",
            "r",
            "--principal",
            "arn:aws:sts::111122223333:assumed-role/ops/s",
        ];
        args.extend_from_slice(extra);
        json(&gateway(&args))["decision"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // From the session alone, aws:PrincipalArn is the role without its path.
    assert_eq!(run(&[]), "ImplicitDeny");
    assert_eq!(
        run(&[
            "--context",
            "aws:PrincipalArn=arn:aws:iam::111122223333:role/team/ops"
        ]),
        "Allow"
    );
}

#[test]
fn eval_exits_2_for_usage_errors_and_invalid_policies() {
    let dir = Scratch::new("policy", "usage");
    let bad = dir.file(
        "bad.json",
        r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#,
    );
    let out = gateway(&[
        "policy",
        "eval",
        "--policy",
        &bad,
        "--action",
        "a:b",
        "--resource",
        "r",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing Action"));
    // An identity policy may not name a principal; a resource policy must.
    let res = dir.file("res.json", RESOURCE);
    let out = gateway(&[
        "policy",
        "eval",
        "--policy",
        &res,
        "--action",
        "a:b",
        "--resource",
        "r",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not allowed in an identity policy"));
    let id = dir.file("id.json", IDENTITY);
    let out = gateway(&[
        "policy",
        "eval",
        "--resource-policy",
        &id,
        "--action",
        "a:b",
        "--resource",
        "r",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing Principal"));
    let good = dir.file("good.json", IDENTITY);
    for args in [
        vec![
            "policy",
            "eval",
            "--policy",
            good.as_str(),
            "--resource",
            "r",
        ],
        vec![
            "policy",
            "eval",
            "--policy",
            good.as_str(),
            "--action",
            "a:b",
        ],
        vec!["policy", "eval", "--action", "a:b", "--resource", "r"],
        vec![
            "policy",
            "eval",
            "--policy",
            good.as_str(),
            "--action",
            "a:b",
            "--resource",
            "r",
            "--context",
            "x",
        ],
        vec![
            "policy",
            "eval",
            "--policy",
            "/nonexistent.json",
            "--action",
            "a:b",
            "--resource",
            "r",
        ],
    ] {
        assert_eq!(gateway(&args).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn check_prints_every_error_including_keys_and_sids_given_twice() {
    let dir = Scratch::new("policy", "check-all");
    // IAM User Guide, "Grammar of the IAM JSON policy language": "Individual elements must not
    // contain multiple instances of the same key"; "IAM JSON policy elements: Sid": "In IAM,
    // the Sid value must be unique within a JSON policy".
    let bad = dir.file(
        "bad.json",
        r#"{"Version":"2012-10-17","Statement":[
             {"Sid":"A","Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"},
             {"Sid":"B","Effect":"Allow","Action":"*","Resource":"*",
              "Condition":{"StringEquals":{"k":"1","k":"2"}}},
             {"Sid":"B","Effect":"Allow","Action":"*","Resource":"*"},
             {"Sid":"C","Effect":"Permit","Action":"*"}]}"#,
    );
    let out = gateway(&["policy", "check", &bad]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            format!(r#"{bad}: statement 0 (Sid "A"): key "Effect" is given more than once"#),
            format!(
                r#"{bad}: statement 1 (Sid "B"): key "k" is given more than once in Condition.StringEquals"#
            ),
            format!(
                r#"{bad}: statement 3 (Sid "C"): Effect "Permit" is invalid (expected "Allow" or "Deny") (AWS: "Syntax errors in policy.")"#
            ),
            format!(
                r#"{bad}: statement 3 (Sid "C"): missing Resource or NotResource (AWS: "Policy statement must contain resources.")"#
            ),
            format!(
                r#"{bad}: statement 2 (Sid "B"): Sid is already used by statement 1 (AWS: "Statement IDs (SID) in a single policy must be unique.")"#
            ),
        ],
        "{text}"
    );
    // Two Statement keys: the first is not silently dropped.
    let two = dir.file(
        "two.json",
        r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"},
            "Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let out = gateway(&["policy", "check", &two]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim(),
        format!(r#"{two}: key "Statement" is given more than once"#)
    );
}

#[test]
fn check_exits_2_for_a_file_that_is_not_json() {
    let dir = Scratch::new("policy", "check-json");
    let text = dir.file("text.json", "Version: 2012-10-17\n");
    let out = gateway(&["policy", "check", &text]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    // JSON that is not a policy is an invalid policy, not a file that does not load.
    let array = dir.file("array.json", "[]");
    assert_eq!(gateway(&["policy", "check", &array]).status.code(), Some(1));
}

#[test]
fn eval_refuses_duplicate_keys_in_every_policy() {
    // A statement saying "Deny" then "Allow" must not evaluate to Allow.
    let dir = Scratch::new("policy", "dup-eval");
    let id = dir.file(
        "id.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let out = gateway(&[
        "policy",
        "eval",
        "--policy",
        &id,
        "--action",
        "a:b",
        "--resource",
        "r",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(r#"key "Effect" is given more than once"#)
    );
}

#[test]
fn eval_denies_a_cross_account_caller_without_a_resource_policy() {
    // API Gateway Developer Guide, apigateway-authorization-flow, Table B: a caller from
    // another account needs the resource policy's allow too; no resource policy is silent.
    let dir = Scratch::new("policy", "cross-none");
    let id = dir.file("id.json", IDENTITY);
    let run = |principal: &str| {
        gateway(&[
            "policy",
            "eval",
            "--policy",
            &id,
            "--action",
            "execute-api:Invoke",
            "--resource",
            API,
            "--principal",
            principal,
        ])
    };
    let out = run("arn:aws:iam::222222222222:user/bob");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json(&out),
        serde_json::json!({"decision": "ImplicitDeny", "statements": []})
    );
    let out = run("arn:aws:iam::111111111111:user/alice");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["decision"], "Allow");
}

#[test]
fn eval_treats_a_grant_to_the_callers_own_account_as_delegation() {
    // IAM User Guide, "AWS JSON policy elements: Principal", AWS account principals: naming
    // the account "delegates authority to the account", whose administrator "must then grant
    // access to an identity".
    let dir = Scratch::new("policy", "delegate");
    let res = dir.file(
        "res.json",
        r#"{"Version":"2012-10-17","Statement":{"Sid":"Account","Effect":"Allow",
            "Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}}"#,
    );
    let id = dir.file("id.json", IDENTITY);
    let base = [
        "policy",
        "eval",
        "--resource-policy",
        res.as_str(),
        "--action",
        "execute-api:Invoke",
        "--resource",
        API,
        "--principal",
        "arn:aws:iam::111111111111:user/alice",
    ];
    let out = gateway(&base);
    assert_eq!(json(&out)["decision"], "ImplicitDeny");
    let mut with_identity = base.to_vec();
    with_identity.extend_from_slice(&["--policy", id.as_str()]);
    let out = gateway(&with_identity);
    assert_eq!(json(&out)["decision"], "Allow", "{}", stdout(&out));
}

#[test]
fn eval_limits_the_number_of_policy_files() {
    let dir = Scratch::new("policy", "many");
    let id = dir.file("id.json", IDENTITY);
    let mut args = vec!["policy", "eval", "--action", "a:b", "--resource", "r"];
    for _ in 0..=gateway_examples_limit() {
        args.extend_from_slice(&["--policy", id.as_str()]);
    }
    let out = gateway(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than the limit of 256"));
    args.truncate(6 + 2 * gateway_examples_limit());
    assert_eq!(gateway(&args).status.code(), Some(1));
}

/// `MAX_POLICY_FILES` of the CLI (the binary's crate is not a library the tests link).
fn gateway_examples_limit() -> usize {
    256
}

#[test]
fn eval_context_with_thousands_of_keys_is_read_in_full() {
    let dir = Scratch::new("policy", "many-keys");
    let p = dir.file(
        "k.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"key4999":"v4999","KEY0":"v0"}}}}"#,
    );
    let pairs: Vec<String> = (0..5000).map(|i| format!("Key{i}=v{i}")).collect();
    let mut args = vec![
        "policy",
        "eval",
        "--policy",
        &p,
        "--action",
        "a:b",
        "--resource",
        "r",
    ];
    for pair in &pairs {
        args.extend_from_slice(&["--context", pair]);
    }
    let out = gateway(&args);
    assert_eq!(json(&out)["decision"], "Allow", "{}", stdout(&out));
}
