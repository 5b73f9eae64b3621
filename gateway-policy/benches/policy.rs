//! Policy evaluation speed, beside `cedar-policy` evaluating an equivalent policy set.
//!
//! Two workloads, each evaluated for a typical request that is allowed:
//! - `resource_policy`: an API Gateway resource policy of 10 statements: an IP allow-list
//!   (IPv4 and IPv6), a deny for calls not through our VPC endpoints, method and path
//!   wildcards, principal accounts, `ArnLike`, `Bool`, `StringLike` and `NotIpAddress`;
//! - `identity_policy_50`: a 50-statement identity policy over several services, the request's
//!   allow coming near the end.
//!
//! The Cedar side gets one policy per IAM statement (`permit` for Allow, `forbid` for Deny),
//! the request's facts in the context (the ARN and lowercased action as strings, the source IP
//! as an `ip` value), and no entities; IAM resource wildcards become `like` on the ARN, action
//! wildcards `like` on the action, IAM's missing-key rules `has` tests. Both sides are parsed
//! once, outside the timed loop, and before timing both are checked to agree on a set of
//! requests (allowed, explicitly denied, implicitly denied), so the two do the same work.
//!
//! Goals (issue 4): at least 5x faster than Cedar, under 1.5 µs per decision for the resource
//! policy. Run: `cargo bench -p gateway-policy --bench policy`.

use std::hint::black_box;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, EntityUid, PolicySet,
    Request as CedarRequest, RestrictedExpression,
};
use criterion::{Criterion, criterion_group, criterion_main};
use gateway_policy::{ApiScope, Effect, Policy, Principal, Request};

const ACCOUNT: &str = "111111111111";
const API_PREFIX: &str = "arn:aws:execute-api:us-east-1:111111111111:abc123";

const RESOURCE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowOffice", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/25", "10.20.0.0/16", "2001:db8::/32"]}}},
    {"Sid": "DenyOtherVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/*",
     "Condition": {"StringNotEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-5e6f7a8b"]}}},
    {"Sid": "DenyDelete", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/*/DELETE/*"},
    {"Sid": "DenyAdmin", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/*/*/admin/*",
     "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/admin-*"}}},
    {"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "execute-api:*",
     "Resource": "execute-api:/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyBots", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/*",
     "Condition": {"StringLike": {"aws:UserAgent": ["*curl*", "*python-requests*"]}}},
    {"Sid": "AllowPartners", "Effect": "Allow", "Principal": {"AWS": ["222222222222", "333333333333"]},
     "Action": "execute-api:Invoke",
     "Resource": ["execute-api:/prod/GET/pets", "execute-api:/prod/GET/pets/*"]},
    {"Sid": "AllowOps", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/*/*/ops/*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/ops-*"}}},
    {"Sid": "DenyTestOutside", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/test/*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Sid": "AllowHealth", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
     "Resource": "execute-api:/*/GET/health"}
  ]
}"#;

/// The same rules in Cedar, one policy per statement, in the same order.
const RESOURCE_CEDAR: &str = r#"
@id("AllowOffice")
permit(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*" &&
       context has source_ip &&
       (context.source_ip.isInRange(ip("192.0.2.0/24")) || context.source_ip.isInRange(ip("198.51.100.0/24")) ||
        context.source_ip.isInRange(ip("203.0.113.0/25")) || context.source_ip.isInRange(ip("10.20.0.0/16")) ||
        context.source_ip.isInRange(ip("2001:db8::/32"))) };

@id("DenyOtherVpce")
forbid(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*" &&
       !(context has source_vpce && (context.source_vpce == "vpce-1a2b3c4d" || context.source_vpce == "vpce-5e6f7a8b")) };

@id("DenyDelete")
forbid(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*/DELETE/*" };

@id("DenyAdmin")
forbid(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*/*/admin/*" &&
       !(context has principal_arn && context.principal_arn like "arn:aws:iam::111111111111:role/admin-*") };

@id("DenyInsecure")
forbid(principal, action, resource)
when { context.action like "execute-api:*" &&
       context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*" &&
       context has secure_transport && context.secure_transport == false };

@id("DenyBots")
forbid(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*" &&
       context has user_agent && (context.user_agent like "*curl*" || context.user_agent like "*python-requests*") };

@id("AllowPartners")
permit(principal, action == Action::"execute-api:Invoke", resource)
when { context has principal_account && ["222222222222", "333333333333"].contains(context.principal_account) &&
       (context.arn == "arn:aws:execute-api:us-east-1:111111111111:abc123/prod/GET/pets" ||
        context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/prod/GET/pets/*") };

@id("AllowOps")
permit(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*/*/ops/*" &&
       context has principal_arn && context.principal_arn like "arn:aws:iam::111111111111:role/ops-*" };

@id("DenyTestOutside")
forbid(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/test/*" &&
       !(context has source_ip && context.source_ip.isInRange(ip("10.0.0.0/8"))) };

@id("AllowHealth")
permit(principal, action == Action::"execute-api:Invoke", resource)
when { context.arn like "arn:aws:execute-api:us-east-1:111111111111:abc123/*/GET/health" };
"#;

/// Statement `i` of the 50-statement identity policy, as IAM JSON and as Cedar.
fn identity_statement(i: usize) -> (String, String) {
    let sid = format!("S{i}");
    match i {
        // The statement that allows the typical request, near the end.
        47 => (
            format!(
                r#"{{"Sid":"{sid}","Effect":"Allow","Action":"execute-api:Invoke","Resource":"{API_PREFIX}/prod/*"}}"#
            ),
            format!(
                r#"@id("{sid}") permit(principal, action == Action::"execute-api:Invoke", resource)
                   when {{ context.arn like "{API_PREFIX}/prod/*" }};"#
            ),
        ),
        _ => match i % 5 {
            0 => (
                format!(
                    r#"{{"Sid":"{sid}","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::bucket-{i}","arn:aws:s3:::bucket-{i}/*"]}}"#
                ),
                format!(
                    r#"@id("{sid}") permit(principal, action, resource)
                       when {{ (context.action like "s3:get*" || context.action like "s3:list*") &&
                              (context.arn == "arn:aws:s3:::bucket-{i}" || context.arn like "arn:aws:s3:::bucket-{i}/*") }};"#
                ),
            ),
            1 => (
                format!(
                    r#"{{"Sid":"{sid}","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t{i}","Condition":{{"StringEquals":{{"aws:SourceVpce":"vpce-{i}"}}}}}}"#
                ),
                format!(
                    r#"@id("{sid}") permit(principal, action in [Action::"dynamodb:GetItem", Action::"dynamodb:Query"], resource)
                       when {{ context.arn == "arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t{i}" &&
                              context has source_vpce && context.source_vpce == "vpce-{i}" }};"#
                ),
            ),
            2 => (
                format!(
                    r#"{{"Sid":"{sid}","Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:{ACCOUNT}:api{i}/prod/GET/*"}}"#
                ),
                format!(
                    r#"@id("{sid}") permit(principal, action == Action::"execute-api:Invoke", resource)
                       when {{ context.arn like "arn:aws:execute-api:us-east-1:{ACCOUNT}:api{i}/prod/GET/*" }};"#
                ),
            ),
            3 => (
                format!(
                    r#"{{"Sid":"{sid}","Effect":"Deny","Action":"execute-api:*","Resource":"arn:aws:execute-api:*:*:api{i}/*/DELETE/*"}}"#
                ),
                format!(
                    r#"@id("{sid}") forbid(principal, action, resource)
                       when {{ context.action like "execute-api:*" && context.arn like "arn:aws:execute-api:*:*:api{i}/*/DELETE/*" }};"#
                ),
            ),
            _ => (
                format!(
                    r#"{{"Sid":"{sid}","Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:{ACCOUNT}:q{i}","Condition":{{"IpAddress":{{"aws:SourceIp":"10.{i}.0.0/16"}}}}}}"#
                ),
                format!(
                    r#"@id("{sid}") permit(principal, action == Action::"sqs:SendMessage", resource)
                       when {{ context.arn == "arn:aws:sqs:us-east-1:{ACCOUNT}:q{i}" &&
                              context has source_ip && context.source_ip.isInRange(ip("10.{i}.0.0/16")) }};"#
                ),
            ),
        },
    }
}

fn identity_policies() -> (String, String) {
    let (json, cedar): (Vec<String>, Vec<String>) = (0..50).map(identity_statement).unzip();
    (
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            json.join(",")
        ),
        cedar.join("\n"),
    )
}

/// One request's facts, given to both engines.
struct Facts {
    action: &'static str,
    path: &'static str,
    ip: &'static str,
    vpce: Option<&'static str>,
    secure: bool,
    user_agent: &'static str,
    principal: Option<&'static str>,
}

const TYPICAL: Facts = Facts {
    action: "execute-api:Invoke",
    path: "prod/GET/pets/42",
    ip: "198.51.100.23",
    vpce: Some("vpce-1a2b3c4d"),
    secure: true,
    user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
    principal: None,
};

impl Facts {
    fn arn(&self) -> String {
        format!("{API_PREFIX}/{}", self.path)
    }

    fn ours(&self) -> Request {
        let mut r = Request::new(self.action, self.arn())
            .with_key("aws:SourceIp", self.ip)
            .with_key(
                "aws:SecureTransport",
                if self.secure { "true" } else { "false" },
            )
            .with_key("aws:UserAgent", self.user_agent);
        if let Some(vpce) = self.vpce {
            r = r.with_key("aws:SourceVpce", vpce);
        }
        if let Some(arn) = self.principal {
            r = r.with_principal(Principal::aws(arn));
        }
        r
    }

    fn cedar(&self) -> CedarRequest {
        let s = |v: &str| RestrictedExpression::new_string(v.to_string());
        let mut pairs = vec![
            ("arn".to_string(), s(&self.arn())),
            ("action".to_string(), s(&self.action.to_ascii_lowercase())),
            (
                "source_ip".to_string(),
                RestrictedExpression::new_ip(self.ip),
            ),
            (
                "secure_transport".to_string(),
                RestrictedExpression::new_bool(self.secure),
            ),
            ("user_agent".to_string(), s(self.user_agent)),
        ];
        if let Some(vpce) = self.vpce {
            pairs.push(("source_vpce".to_string(), s(vpce)));
        }
        let principal = match self.principal {
            Some(arn) => {
                pairs.push(("principal_arn".to_string(), s(arn)));
                let account = arn.split(':').nth(4).unwrap_or_default();
                pairs.push(("principal_account".to_string(), s(account)));
                format!("User::{arn:?}")
            }
            None => r#"User::"anonymous""#.to_string(),
        };
        let context = Context::from_pairs(pairs).expect("context");
        CedarRequest::new(
            EntityUid::from_str(&principal).expect("principal"),
            EntityUid::from_str(&format!("Action::{:?}", self.action)).expect("action"),
            EntityUid::from_str(r#"Api::"abc123""#).expect("resource"),
            context,
            None,
        )
        .expect("request")
    }
}

fn cedar_effect(response: &cedar_policy::Response) -> Effect {
    match response.decision() {
        CedarDecision::Allow => Effect::Allow,
        // Cedar folds both denies into one; tell them apart by whether a policy decided.
        CedarDecision::Deny if response.diagnostics().reason().next().is_some() => {
            Effect::ExplicitDeny
        }
        CedarDecision::Deny => Effect::ImplicitDeny,
    }
}

/// Checks that both engines decide a set of requests alike, so the comparison is fair.
fn assert_equivalent(ours: &Policy, cedar: &PolicySet, cases: &[Facts]) {
    let authorizer = Authorizer::new();
    for f in cases {
        let mine = ours.evaluate(&f.ours()).effect;
        let theirs = cedar_effect(&authorizer.is_authorized(&f.cedar(), cedar, &Entities::empty()));
        assert_eq!(mine, theirs, "engines disagree on {}", f.arn());
    }
}

fn bench(c: &mut Criterion) {
    let scope = ApiScope::new("us-east-1", ACCOUNT, "abc123");
    let resource = Policy::parse_for_api(RESOURCE_POLICY, &scope).expect("resource policy");
    let resource_cedar = PolicySet::from_str(RESOURCE_CEDAR).expect("cedar resource policies");
    let (identity_json, identity_cedar) = identity_policies();
    let identity = Policy::parse(&identity_json).expect("identity policy");
    let identity_cedar = PolicySet::from_str(&identity_cedar).expect("cedar identity policies");
    assert_eq!(resource.statement_count(), 10);
    assert_eq!(identity.statement_count(), 50);

    let variants = [
        TYPICAL,
        Facts {
            path: "prod/DELETE/pets/42",
            ..TYPICAL
        },
        Facts {
            vpce: None,
            ..TYPICAL
        },
        Facts {
            vpce: Some("vpce-00000000"),
            ..TYPICAL
        },
        Facts {
            ip: "203.0.113.200",
            ..TYPICAL
        },
        Facts {
            ip: "2001:db8::7",
            ..TYPICAL
        },
        Facts {
            secure: false,
            ..TYPICAL
        },
        Facts {
            user_agent: "curl/8.0",
            ..TYPICAL
        },
        Facts {
            path: "prod/GET/admin/users",
            ..TYPICAL
        },
        Facts {
            path: "prod/GET/admin/users",
            principal: Some("arn:aws:iam::111111111111:role/admin-1"),
            ..TYPICAL
        },
        Facts {
            path: "test/GET/pets",
            ..TYPICAL
        },
        Facts {
            path: "test/GET/pets",
            ip: "10.20.1.1",
            ..TYPICAL
        },
        Facts {
            path: "prod/POST/ops/run",
            ip: "8.8.8.8",
            principal: Some("arn:aws:iam::111111111111:role/ops-a"),
            ..TYPICAL
        },
        Facts {
            path: "prod/GET/pets/1",
            ip: "8.8.8.8",
            principal: Some("arn:aws:iam::222222222222:user/p"),
            ..TYPICAL
        },
        Facts {
            path: "prod/GET/health",
            ip: "8.8.8.8",
            ..TYPICAL
        },
        Facts {
            action: "s3:GetObject",
            ..TYPICAL
        },
    ];
    assert_equivalent(&resource, &resource_cedar, &variants);
    assert_equivalent(&identity, &identity_cedar, &variants);
    assert_eq!(resource.evaluate(&TYPICAL.ours()).effect, Effect::Allow);
    assert_eq!(identity.evaluate(&TYPICAL.ours()).effect, Effect::Allow);

    let ours = TYPICAL.ours();
    let theirs = TYPICAL.cedar();
    let entities = Entities::empty();
    let authorizer = Authorizer::new();

    let mut g = c.benchmark_group("resource_policy");
    g.bench_function("gateway-policy", |b| {
        b.iter(|| black_box(resource.evaluate(black_box(&ours))).effect)
    });
    g.bench_function("cedar-policy", |b| {
        b.iter(|| {
            authorizer
                .is_authorized(black_box(&theirs), &resource_cedar, &entities)
                .decision()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("identity_policy_50");
    g.bench_function("gateway-policy", |b| {
        b.iter(|| black_box(identity.evaluate(black_box(&ours))).effect)
    });
    g.bench_function("cedar-policy", |b| {
        b.iter(|| {
            authorizer
                .is_authorized(black_box(&theirs), &identity_cedar, &entities)
                .decision()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
