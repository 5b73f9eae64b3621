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
