//! Invariants of policy evaluation, checked over generated policies and requests.
//!
//! - Adding a Deny statement never turns a decision into Allow, and a Deny that applies always
//!   yields ExplicitDeny (IAM "Policy evaluation logic": an explicit deny overrides any allow).
//! - Adding an Allow statement never removes an explicit deny.
//! - Statement order never matters: the effect and the set of deciding statements are the same
//!   for any permutation.
//! - Wildcard matching agrees with a regular-expression reference, for `StringLike`, for
//!   case-insensitive `Action` patterns, and for
//!   `Resource` ARNs (IAM User Guide, "IAM JSON policy elements: Resource": wildcards work
//!   within colon-separated segments, and a `*` that is the last character of a segment "can
//!   expand to match beyond the colon boundaries").

use gateway_policy::{Effect, Policy, Request};
use proptest::prelude::*;

const ACTIONS: &[&str] = &[
    "execute-api:Invoke",
    "execute-api:*",
    "*",
    "s3:Get*",
    "EXECUTE-API:invoke",
    "s3:?etObject",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:execute-api:us-east-1:111111111111:api/*",
    "arn:aws:execute-api:*:*:api/prod/GET/*",
    "arn:aws:execute-api:us-east-1:*:api/*/POST/pets",
    "arn:aws:s3:::bucket/*",
];
const CONDITIONS: &[&str] = &[
    "",
    r#","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}"#,
    r#","Condition":{"NotIpAddress":{"aws:SourceIp":"10.1.0.0/16"}}"#,
    r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
    r#","Condition":{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}"#,
    r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#,
    r#","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"env*"}}"#,
];
const REQ_ACTIONS: &[&str] = &[
    "execute-api:Invoke",
    "s3:GetObject",
    "execute-api:ManageConnections",
];
const REQ_RESOURCES: &[&str] = &[
    "arn:aws:execute-api:us-east-1:111111111111:api/prod/GET/pets",
    "arn:aws:execute-api:us-east-1:111111111111:api/dev/POST/pets",
    "arn:aws:s3:::bucket/key",
];

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    action: usize,
    resource: usize,
    condition: usize,
}

impl Stmt {
    fn json(&self, sid: usize) -> String {
        format!(
            r#"{{"Sid":"S{sid}","Effect":"{}","Action":"{}","Resource":"{}"{}}}"#,
            if self.deny { "Deny" } else { "Allow" },
            ACTIONS[self.action],
            RESOURCES[self.resource],
            CONDITIONS[self.condition]
        )
    }
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        any::<bool>(),
        0..ACTIONS.len(),
        0..RESOURCES.len(),
        0..CONDITIONS.len(),
    )
        .prop_map(|(deny, action, resource, condition)| Stmt {
            deny,
            action,
            resource,
            condition,
        })
}

/// A policy from statements, each keeping its own Sid (`S<original index>`) whatever its place.
fn policy(statements: &[(usize, Stmt)]) -> Policy {
    let body: Vec<String> = statements.iter().map(|(sid, s)| s.json(*sid)).collect();
    Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        body.join(",")
    ))
    .unwrap()
}

fn request() -> impl Strategy<Value = Request> {
    (
        0..REQ_ACTIONS.len(),
        0..REQ_RESOURCES.len(),
        prop::option::of(prop::sample::select(vec![
            "10.1.2.3",
            "10.9.9.9",
            "192.0.2.1",
            "2001:db8::7",
        ])),
        prop::option::of(prop::sample::select(vec!["vpce-1", "vpce-2"])),
        prop::option::of(any::<bool>()),
        prop::collection::vec(prop::sample::select(vec!["env", "envx", "team"]), 0..3),
    )
        .prop_map(|(a, r, ip, vpce, tls, tags)| {
            let mut req = Request::new(REQ_ACTIONS[a], REQ_RESOURCES[r]);
            if let Some(ip) = ip {
                req = req.with_key("aws:SourceIp", ip);
            }
            if let Some(vpce) = vpce {
                req = req.with_key("aws:SourceVpce", vpce);
            }
            if let Some(tls) = tls {
                req = req.with_key("aws:SecureTransport", tls.to_string());
            }
            for t in tags {
                req = req.with_key("aws:TagKeys", t);
            }
            req
        })
}

fn sids(policy: &Policy, request: &Request) -> (Effect, Vec<String>) {
    let d = policy.evaluate(request);
    let mut sids: Vec<String> = d
        .statements
        .iter()
        .filter_map(|s| s.sid.map(str::to_string))
        .collect();
    sids.sort();
    (d.effect, sids)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adding_a_deny_never_yields_allow(
        base in prop::collection::vec(stmt(), 1..8),
        extra in stmt(),
        req in request(),
    ) {
        let numbered: Vec<(usize, Stmt)> = base.into_iter().enumerate().collect();
        let before = policy(&numbered).evaluate(&req).effect;
        let deny = Stmt { deny: true, ..extra };
        let mut with = numbered.clone();
        with.push((99, deny.clone()));
        let with = policy(&with);
        let after = with.evaluate(&req);
        if before != Effect::Allow {
            prop_assert_ne!(after.effect, Effect::Allow);
        }
        // A Deny that applies on its own always yields ExplicitDeny, naming it.
        let alone = policy(&[(99, deny)]).evaluate(&req).effect;
        if alone == Effect::ExplicitDeny {
            prop_assert_eq!(after.effect, Effect::ExplicitDeny);
            prop_assert!(after.statements.iter().any(|s| s.sid == Some("S99")));
        }
        if before == Effect::ExplicitDeny {
            prop_assert_eq!(after.effect, Effect::ExplicitDeny);
        }
    }

    #[test]
    fn adding_an_allow_never_removes_an_explicit_deny(
        base in prop::collection::vec(stmt(), 1..8),
        extra in stmt(),
        req in request(),
    ) {
        let numbered: Vec<(usize, Stmt)> = base.into_iter().enumerate().collect();
        let before = policy(&numbered).evaluate(&req).effect;
        let mut with = numbered.clone();
        with.push((99, Stmt { deny: false, ..extra }));
        let after = policy(&with).evaluate(&req).effect;
        if before == Effect::ExplicitDeny {
            prop_assert_eq!(after, Effect::ExplicitDeny);
        }
        if before == Effect::Allow {
            prop_assert_eq!(after, Effect::Allow);
        }
    }

    #[test]
    fn statement_order_never_matters(
        (base, shuffled) in prop::collection::vec(stmt(), 1..10)
            .prop_flat_map(|v| {
                let numbered: Vec<(usize, Stmt)> = v.into_iter().enumerate().collect();
                (Just(numbered.clone()), Just(numbered).prop_shuffle())
            }),
        req in request(),
    ) {
        prop_assert_eq!(sids(&policy(&base), &req), sids(&policy(&shuffled), &req));
    }

    #[test]
    fn string_like_agrees_with_a_regex_reference(
        pattern in "[ab*?]{0,8}",
        text in "[ab]{0,10}",
    ) {
        let json = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{{"StringLike":{{"k":"{pattern}"}}}}}}}}"#
        );
        let p = Policy::parse(&json).unwrap();
        let got = p.evaluate(&Request::new("a:b", "r").with_key("k", text.clone())).effect == Effect::Allow;
        let re: String = pattern
            .chars()
            .map(|c| match c {
                '*' => ".*".to_string(),
                '?' => ".".to_string(),
                c => c.to_string(),
            })
            .collect();
        let want = regex::Regex::new(&format!("^(?s:{re})$")).unwrap().is_match(&text);
        prop_assert_eq!(got, want, "pattern {:?} text {:?}", pattern, text);
    }

    #[test]
    fn resource_arn_matching_agrees_with_a_regex_reference(
        pattern in proptest::collection::vec("[ab*?]{0,3}", 1..=6),
        text in proptest::collection::vec("[ab]{0,3}", 1..=6),
    ) {
        // Texts have at most five colons, so every colon in them separates segments.
        let last = pattern.len() - 1;
        let re: Vec<String> = pattern
            .iter()
            .enumerate()
            .map(|(s, segment)| {
                let n = segment.chars().count();
                segment
                    .chars()
                    .enumerate()
                    .map(|(i, c)| match c {
                        // A trailing `*` spills over colons; the last segment's does anyway.
                        '*' if i + 1 == n => ".*".to_string(),
                        '*' => "[^:]*".to_string(),
                        '?' => "[^:]".to_string(),
                        c => c.to_string(),
                    })
                    .collect::<String>()
                    + if s == last { "" } else { ":" }
            })
            .collect();
        let pattern = pattern.join(":");
        let text = text.join(":");
        let json = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"{pattern}"}}}}"#
        );
        let p = Policy::parse(&json).unwrap();
        let got = p.evaluate(&Request::new("a:b", text.clone())).effect == Effect::Allow;
        let want = regex::Regex::new(&format!("^(?s:{})$", re.concat())).unwrap().is_match(&text);
        prop_assert_eq!(got, want, "pattern {:?} text {:?}", pattern, text);
    }

    #[test]
    fn action_matching_agrees_with_a_case_insensitive_regex_reference(
        pattern in "[aBé*?]{1,6}",
        action in "[AbÉé]{0,8}",
    ) {
        // IAM User Guide, "IAM JSON policy elements: Action": actions are case-insensitive
        // and take `*` and `?`.
        let json = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"svc:{pattern}","Resource":"*"}}}}"#
        );
        let p = Policy::parse(&json).unwrap();
        let got = p.evaluate(&Request::new(format!("svc:{action}"), "r")).effect == Effect::Allow;
        let re: String = pattern
            .chars()
            .map(|c| match c {
                '*' => ".*".to_string(),
                '?' => ".".to_string(),
                c => regex::escape(&c.to_string()),
            })
            .collect();
        let want = regex::Regex::new(&format!("^(?is:svc:{re})$")).unwrap().is_match(&format!("svc:{action}"));
        prop_assert_eq!(got, want, "pattern {:?} action {:?}", pattern, action);
    }
}
