//! Condition operators, table-driven from the IAM User Guide.
//!
//! Sources (IAM User Guide):
//! - [OPS] "IAM JSON policy elements: Condition operators"
//!   (reference_policies_elements_condition_operators)
//! - [COND] "IAM JSON policy elements: Condition" (reference_policies_elements_condition)
//! - [MULTI] "Conditions with multiple context keys or values"
//!   (reference_policies_condition-logic-multiple-context-keys-or-values)
//! - [SETS] "Single-valued vs. multivalued context keys"
//!   (reference_policies_condition-single-vs-multi-valued-context-keys)

use gateway_policy::{Effect, Policy, Request};

/// Whether an Allow statement with `condition` (a JSON object) applies to a request whose
/// condition keys are `keys` (a key listed twice is multi-valued).
fn holds(condition: &str, keys: &[(&str, &str)]) -> bool {
    let json = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}}}"#
    );
    let policy = Policy::parse(&json).unwrap_or_else(|e| panic!("{condition}: {e}"));
    let mut request = Request::new(
        "execute-api:Invoke",
        "arn:aws:execute-api:us-east-1:1:a/s/GET/",
    );
    for (k, v) in keys {
        request = request.with_key(k, *v);
    }
    policy.evaluate(&request).effect == Effect::Allow
}

struct Case {
    condition: &'static str,
    keys: &'static [(&'static str, &'static str)],
    holds: bool,
}

fn run(cases: &[Case]) {
    for (i, c) in cases.iter().enumerate() {
        assert_eq!(
            holds(c.condition, c.keys),
            c.holds,
            "case {i}: {} with {:?}",
            c.condition,
            c.keys
        );
    }
}

#[test]
#[rustfmt::skip]
fn string_operators_compare_case_and_wildcards_as_documented() {
    run(&[
        // [COND]: StringEquals "johndoe" matches only johndoe; "Users named JohnDoe are denied".
        Case { condition: r#"{"StringEquals":{"aws:username":"johndoe"}}"#, keys: &[("aws:username", "johndoe")], holds: true },
        Case { condition: r#"{"StringEquals":{"aws:username":"johndoe"}}"#, keys: &[("aws:username", "JohnDoe")], holds: false },
        // [COND]: StringEqualsIgnoreCase matches johndoe or JohnDoe.
        Case { condition: r#"{"StringEqualsIgnoreCase":{"aws:username":"johndoe"}}"#, keys: &[("aws:username", "JohnDoe")], holds: true },
        Case { condition: r#"{"StringNotEqualsIgnoreCase":{"aws:username":"johndoe"}}"#, keys: &[("aws:username", "JOHNDOE")], holds: false },
        // [COND]: "Context key names are not case-sensitive" (aws:SourceIP = AWS:SourceIp).
        Case { condition: r#"{"StringEquals":{"AWS:USERNAME":"johndoe"}}"#, keys: &[("aws:username", "johndoe")], holds: true },
        // [OPS] StringLike: case-sensitive, `*` and `?` anywhere in the string.
        Case { condition: r#"{"StringLike":{"s3:prefix":"home/*"}}"#, keys: &[("s3:prefix", "home/alice/x")], holds: true },
        Case { condition: r#"{"StringLike":{"s3:prefix":"home/*"}}"#, keys: &[("s3:prefix", "Home/alice")], holds: false },
        Case { condition: r#"{"StringLike":{"k":"a?c"}}"#, keys: &[("k", "abc")], holds: true },
        // StringEquals takes `*` literally: wildcards are a StringLike feature ([OPS] table).
        Case { condition: r#"{"StringEquals":{"k":"a*"}}"#, keys: &[("k", "abc")], holds: false },
        Case { condition: r#"{"StringEquals":{"k":"a*"}}"#, keys: &[("k", "a*")], holds: true },
        Case { condition: r#"{"StringNotLike":{"k":"a*"}}"#, keys: &[("k", "xyz")], holds: true },
    ]);
}

#[test]
#[rustfmt::skip]
fn missing_keys_are_false_except_for_negated_operators_ifexists_and_null() {
    run(&[
        // [OPS] "Important": a key not present in the request context -> the condition is false...
        Case { condition: r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#, keys: &[], holds: false },
        Case { condition: r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#, keys: &[], holds: false },
        Case { condition: r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#, keys: &[], holds: false },
        // ... "If the policy condition requires that the key is not matched, such as StringNotLike
        // or ArnNotLike, and the right key is not present, the condition is true."
        Case { condition: r#"{"StringNotLike":{"k":"a*"}}"#, keys: &[], holds: true },
        Case { condition: r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}"#, keys: &[], holds: true },
        Case { condition: r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#, keys: &[], holds: true },
        Case { condition: r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#, keys: &[], holds: true },
        // [OPS] "...IfExists": "If the key is not present, evaluate the condition element as true."
        Case { condition: r#"{"StringEqualsIfExists":{"ec2:InstanceType":["t1.*"]}}"#, keys: &[], holds: true },
        Case { condition: r#"{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}"#, keys: &[("ec2:InstanceType", "m5.large")], holds: false },
        Case { condition: r#"{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}"#, keys: &[("ec2:InstanceType", "t2.micro")], holds: true },
        // [OPS] "Null": "true" -> the key is absent; "false" -> present and not null.
        Case { condition: r#"{"Null":{"aws:TokenIssueTime":"true"}}"#, keys: &[], holds: true },
        Case { condition: r#"{"Null":{"aws:TokenIssueTime":"true"}}"#, keys: &[("aws:TokenIssueTime", "2024-01-01T00:00:00Z")], holds: false },
        Case { condition: r#"{"Null":{"aws:TokenIssueTime":"false"}}"#, keys: &[("aws:TokenIssueTime", "2024-01-01T00:00:00Z")], holds: true },
        Case { condition: r#"{"Null":{"aws:TokenIssueTime":false}}"#, keys: &[], holds: false },
    ]);
}

#[test]
#[rustfmt::skip]
fn values_are_ored_negated_values_nored_and_keys_and_operators_anded() {
    run(&[
        // [MULTI]: several values for one key -> OR.
        Case { condition: r#"{"StringEquals":{"k":["a","b"]}}"#, keys: &[("k", "b")], holds: true },
        Case { condition: r#"{"StringEquals":{"k":["a","b"]}}"#, keys: &[("k", "c")], holds: false },
        // [MULTI]: "a single negated matching condition operator includes multiple values for
        // a context key, those values are evaluated using a logical NOR".
        Case { condition: r#"{"StringNotEquals":{"k":["a","b"]}}"#, keys: &[("k", "b")], holds: false },
        Case { condition: r#"{"StringNotEquals":{"k":["a","b"]}}"#, keys: &[("k", "c")], holds: true },
        // [MULTI]: several keys under one operator -> AND.
        Case { condition: r#"{"StringEquals":{"k1":"a","k2":"b"}}"#, keys: &[("k1", "a"), ("k2", "b")], holds: true },
        Case { condition: r#"{"StringEquals":{"k1":"a","k2":"b"}}"#, keys: &[("k1", "a"), ("k2", "x")], holds: false },
        // [MULTI]: several operators -> AND.
        Case { condition: r#"{"StringEquals":{"k1":"a"},"NumericLessThan":{"n":"5"}}"#, keys: &[("k1", "a"), ("n", "4")], holds: true },
        Case { condition: r#"{"StringEquals":{"k1":"a"},"NumericLessThan":{"n":"5"}}"#, keys: &[("k1", "a"), ("n", "5")], holds: false },
    ]);
}

#[test]
#[rustfmt::skip]
fn numeric_date_bool_ip_and_arn_operators_read_their_types() {
    run(&[
        // [OPS] Numeric example: NumericLessThanEquals s3:max-keys 10.
        Case { condition: r#"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#, keys: &[("s3:max-keys", "10")], holds: true },
        Case { condition: r#"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#, keys: &[("s3:max-keys", "11")], holds: false },
        Case { condition: r#"{"NumericEquals":{"n":10}}"#, keys: &[("n", "10.0")], holds: true },
        Case { condition: r#"{"NumericNotEquals":{"n":["1","2"]}}"#, keys: &[("n", "3")], holds: true },
        Case { condition: r#"{"NumericGreaterThan":{"n":"1.5"}}"#, keys: &[("n", "2")], holds: true },
        Case { condition: r#"{"NumericGreaterThanEquals":{"n":"2"}}"#, keys: &[("n", "1.99")], holds: false },
        Case { condition: r#"{"NumericLessThan":{"n":"-1"}}"#, keys: &[("n", "-2")], holds: true },
        // [OPS] Date example: DateGreaterThan aws:TokenIssueTime "2020-01-01T00:00:01Z".
        Case { condition: r#"{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}"#, keys: &[("aws:TokenIssueTime", "2020-06-30T12:00:00Z")], holds: true },
        Case { condition: r#"{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}"#, keys: &[("aws:TokenIssueTime", "2020-01-01T00:00:01Z")], holds: false },
        Case { condition: r#"{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01T00:00:01Z"}}"#, keys: &[("aws:CurrentTime", "2020-01-01T00:00:01Z")], holds: true },
        // [OPS] date operators take ISO 8601 or epoch (UNIX) time on either side.
        Case { condition: r#"{"DateLessThan":{"aws:EpochTime":"1577836801"}}"#, keys: &[("aws:EpochTime", "1577836800")], holds: true },
        Case { condition: r#"{"DateEquals":{"aws:CurrentTime":"1577836800"}}"#, keys: &[("aws:CurrentTime", "2020-01-01T00:00:00Z")], holds: true },
        Case { condition: r#"{"DateNotEquals":{"aws:CurrentTime":"2020-01-01"}}"#, keys: &[("aws:CurrentTime", "2020-01-01T00:00:00Z")], holds: false },
        // [OPS] Bool example: aws:SecureTransport "true".
        Case { condition: r#"{"Bool":{"aws:SecureTransport":"true"}}"#, keys: &[("aws:SecureTransport", "true")], holds: true },
        Case { condition: r#"{"Bool":{"aws:SecureTransport":"false"}}"#, keys: &[("aws:SecureTransport", "true")], holds: false },
        Case { condition: r#"{"Bool":{"aws:SecureTransport":false}}"#, keys: &[("aws:SecureTransport", "false")], holds: true },
        // [OPS] IP example: IpAddress aws:SourceIp 203.0.113.0/24; IPv6 example 2001:DB8:1234:5678::/64.
        Case { condition: r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: &[("aws:SourceIp", "203.0.113.77")], holds: true },
        Case { condition: r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: &[("aws:SourceIp", "203.0.114.1")], holds: false },
        Case { condition: r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}"#, keys: &[("aws:SourceIp", "2001:db8:1234:5678::1")], holds: true },
        Case { condition: r#"{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}"#, keys: &[("aws:SourceIp", "203.0.113.77")], holds: false },
        Case { condition: r#"{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}"#, keys: &[("aws:SourceIp", "203.0.113.5")], holds: true },
        Case { condition: r#"{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"#, keys: &[("aws:SourceIp", "198.51.100.1")], holds: true },
        Case { condition: r#"{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"#, keys: &[("aws:SourceIp", "192.0.2.1")], holds: false },
        // [OPS] ARN operators: "Each of the six colon-delimited components of the ARN is checked
        // separately and each can include multi-character match wildcards (*) or single-character
        // match wildcards (?)"; ArnEquals and ArnLike behave alike.
        Case { condition: r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-west-2:123456789012:my-topic"}}"#, keys: &[("aws:SourceArn", "arn:aws:sns:us-west-2:123456789012:my-topic")], holds: true },
        Case { condition: r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#, keys: &[("aws:SourceArn", "arn:aws:sns:eu-west-1:123456789012:t")], holds: true },
        Case { condition: r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#, keys: &[("aws:SourceArn", "arn:aws:sns:eu-west-1:999999999999:t")], holds: false },
        Case { condition: r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-*:1:t"}}"#, keys: &[("aws:SourceArn", "arn:aws:sns:us-east-1:1:t")], holds: true },
        Case { condition: r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}"#, keys: &[("aws:SourceArn", "arn:aws:sns:a:b:u")], holds: true },
    ]);
}

#[test]
#[rustfmt::skip]
fn set_operators_follow_the_documented_empty_set_rules() {
    let tags: &[(&str, &str)] = &[("aws:TagKeys", "environment"), ("aws:TagKeys", "cost-center")];
    run(&[
        // [SETS] ForAllValues: true when every request value matches a policy value...
        Case { condition: r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#, keys: tags, holds: true },
        Case { condition: r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}"#, keys: tags, holds: false },
        // ... and also true when the key is absent from the request.
        Case { condition: r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}"#, keys: &[], holds: true },
        // [SETS] ForAnyValue: true when at least one request value matches; false when absent.
        Case { condition: r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}"#, keys: tags, holds: true },
        Case { condition: r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["owner"]}}"#, keys: tags, holds: false },
        Case { condition: r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["owner"]}}"#, keys: &[], holds: false },
        // Negated operators apply per request value: ForAnyValue:StringNotEquals holds when some
        // value is outside the list, ForAllValues:StringNotEquals when none is inside it.
        Case { condition: r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["environment"]}}"#, keys: tags, holds: true },
        Case { condition: r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["environment"]}}"#, keys: tags, holds: false },
        Case { condition: r#"{"ForAllValues:StringLike":{"aws:TagKeys":"Created*"}}"#, keys: &[("aws:TagKeys", "CreatedBy"), ("aws:TagKeys", "CreatedAt")], holds: true },
        // IfExists still wins on a missing key.
        Case { condition: r#"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["owner"]}}"#, keys: &[], holds: true },
    ]);
}

#[test]
fn an_empty_multivalued_key_counts_as_absent() {
    // [SETS]: ForAllValues "returns true ... if the key values resolve to a null data set".
    let mut request = Request::new("a:b", "c");
    request.keys_mut().set("aws:TagKeys", Vec::<String>::new());
    let policy = |cond: &str| {
        Policy::parse(&format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{cond}}}}}"#
        ))
        .unwrap()
    };
    let all = policy(r#"{"ForAllValues:StringEquals":{"aws:TagKeys":"x"}}"#);
    assert_eq!(all.evaluate(&request).effect, Effect::Allow);
    let any = policy(r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":"x"}}"#);
    assert_eq!(any.evaluate(&request).effect, Effect::ImplicitDeny);
    let null = policy(r#"{"Null":{"aws:TagKeys":"true"}}"#);
    assert_eq!(null.evaluate(&request).effect, Effect::Allow);
}

#[test]
fn ipv4_mapped_ipv6_addresses_are_the_ipv4_address_for_both_ip_operators() {
    // [OPS] "IP address condition operators": IpAddress / NotIpAddress compare aws:SourceIp
    // with IPv4 or IPv6 CIDRs. RFC 4291 section 2.5.5.2: ::ffff:a.b.c.d is the IPv4 address
    // a.b.c.d (how a dual-stack socket reports an IPv4 client); an IPv4 deny list must see it.
    let deny_list = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Sid":"Blocked","Effect":"Deny","Action":"*","Resource":"*",
             "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
    )
    .unwrap();
    let allow_list = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Sid":"OutsideOffice","Effect":"Deny","Action":"*","Resource":"*",
             "Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
    )
    .unwrap();
    let from = |ip: &str| Request::new("a:b", "r").with_key("aws:SourceIp", ip);
    for inside in ["10.1.2.3", "::ffff:10.1.2.3", "::FFFF:a01:203"] {
        assert_eq!(
            deny_list.evaluate(&from(inside)).effect,
            Effect::ExplicitDeny,
            "{inside}"
        );
        assert_eq!(
            allow_list.evaluate(&from(inside)).effect,
            Effect::Allow,
            "{inside}"
        );
    }
    for outside in ["192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1", "::10.1.2.3"] {
        assert_eq!(
            deny_list.evaluate(&from(outside)).effect,
            Effect::Allow,
            "{outside}"
        );
        assert_eq!(
            allow_list.evaluate(&from(outside)).effect,
            Effect::ExplicitDeny,
            "{outside}"
        );
    }
    // A policy CIDR written in the mapped form is the IPv4 network it maps.
    let mapped_cidr = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"IpAddress":{"aws:SourceIp":"::ffff:10.0.0.0/104"}}}}"#,
    )
    .unwrap();
    assert_eq!(
        mapped_cidr.evaluate(&from("10.9.9.9")).effect,
        Effect::Allow
    );
    assert_eq!(
        mapped_cidr.evaluate(&from("::ffff:10.9.9.9")).effect,
        Effect::Allow
    );
    assert_eq!(
        mapped_cidr.evaluate(&from("11.0.0.1")).effect,
        Effect::ImplicitDeny
    );
    // The gateway's own key builder gives the mapped address as IPv4.
    let keys = gateway_policy::GatewayKeys {
        source_ip: "::ffff:10.1.2.3".parse().ok(),
        ..Default::default()
    };
    let r = Request::new("a:b", "r").with_gateway_keys(&keys);
    assert_eq!(r.keys().get("aws:SourceIp").unwrap(), ["10.1.2.3"]);
    assert_eq!(deny_list.evaluate(&r).effect, Effect::ExplicitDeny);
}
