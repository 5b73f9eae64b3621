//! Condition operators: compiled once (numbers, dates, CIDRs, patterns), evaluated per request.
//!
//! Semantics, from the IAM User Guide ("IAM JSON policy elements: Condition operators" and
//! "Set operators for multivalued context keys"):
//! - several values for one key: OR (any value matches); for a negated operator, NOR (the
//!   request value matches none of them);
//! - a key missing from the request: the condition is false, except for negated operators
//!   (true), `...IfExists` (true) and `Null`, which tests presence;
//! - `ForAllValues:` is true when every request value matches (and when the key is missing or
//!   its set is empty); `ForAnyValue:` is true when at least one does (false when missing).
//!
//! A request value the operator cannot read (a number that is not numeric, an address that is
//! not an IP) matches no policy value; a negated operator therefore holds for it.
//!
//! Keys with no value, case by case (IAM User Guide, "IAM JSON policy elements: Condition
//! operators", the "Important" note, and "Policy variables with no value"):
//! - the condition's key is absent from the request: a positive operator is false; a negated
//!   one (`StringNotEquals`, `StringNotLike`, `ArnNotLike`, `NotIpAddress`, ...) is true; any
//!   `...IfExists` is true; `Null` tests exactly this; `ForAllValues:` is true and
//!   `ForAnyValue:` false;
//! - a policy variable in a value has no value (and no default): that value is "effectively
//!   null", which nothing equals or is like. A positive operator does not match it; a negated
//!   operator does ("Inverted condition operators like `StringNotEquals` or `StringNotLike` do
//!   match against a null value"), so a `Deny` on `StringNotEquals` with an unset
//!   `${aws:PrincipalTag/Team}` denies. Several values: the null one simply matches nothing
//!   (OR for positive operators, NOR for negated ones). The key itself being present or absent
//!   is decided first, as above; `...IfExists` changes only that step.
//!
//! IP addresses: an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`, how a dual-stack socket reports
//! an IPv4 client) is the IPv4 address, both in the request and in a policy's CIDR
//! (`::ffff:10.0.0.0/104` is `10.0.0.0/8`), so that such a caller cannot slip past an IPv4
//! deny list.

use std::net::IpAddr;

use base64::Engine as _;
use ipnet::IpNet;

use crate::pattern::{ArnParts, ArnPattern, Pattern, Syntax};
use crate::request::ConditionKeys;

/// An ordering comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// The operator family (what the values are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    String { ignore_case: bool, like: bool },
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// How a condition treats a multi-valued request key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Single,
    ForAllValues,
    ForAnyValue,
}

/// A parsed operator name such as `ForAnyValue:StringNotLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    family: Family,
    negated: bool,
    if_exists: bool,
    set: SetOp,
}

/// Parses an operator name; `None` when IAM has no such operator. Names are case-sensitive.
fn parse_operator(name: &str) -> Option<Operator> {
    let (set, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
        (SetOp::ForAllValues, rest)
    } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
        (SetOp::ForAnyValue, rest)
    } else {
        (SetOp::Single, name)
    };
    let (if_exists, base) = match rest.strip_suffix("IfExists") {
        Some(base) => (true, base),
        None => (false, rest),
    };
    use Family::*;
    let str_op = |ignore_case, like| String { ignore_case, like };
    let (family, negated) = match base {
        "StringEquals" => (str_op(false, false), false),
        "StringNotEquals" => (str_op(false, false), true),
        "StringEqualsIgnoreCase" => (str_op(true, false), false),
        "StringNotEqualsIgnoreCase" => (str_op(true, false), true),
        "StringLike" => (str_op(false, true), false),
        "StringNotLike" => (str_op(false, true), true),
        "NumericEquals" => (Numeric(Cmp::Eq), false),
        "NumericNotEquals" => (Numeric(Cmp::Eq), true),
        "NumericLessThan" => (Numeric(Cmp::Lt), false),
        "NumericLessThanEquals" => (Numeric(Cmp::Le), false),
        "NumericGreaterThan" => (Numeric(Cmp::Gt), false),
        "NumericGreaterThanEquals" => (Numeric(Cmp::Ge), false),
        "DateEquals" => (Date(Cmp::Eq), false),
        "DateNotEquals" => (Date(Cmp::Eq), true),
        "DateLessThan" => (Date(Cmp::Lt), false),
        "DateLessThanEquals" => (Date(Cmp::Le), false),
        "DateGreaterThan" => (Date(Cmp::Gt), false),
        "DateGreaterThanEquals" => (Date(Cmp::Ge), false),
        "Bool" => (Bool, false),
        "BinaryEquals" => (Binary, false),
        "IpAddress" => (Ip, false),
        "NotIpAddress" => (Ip, true),
        "ArnEquals" | "ArnLike" => (Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (Arn, true),
        // IAM: "You can add IfExists to the end of any condition operator name except the
        // Null condition".
        "Null" if !if_exists && set == SetOp::Single => (Null, false),
        _ => return None,
    };
    Some(Operator {
        family,
        negated,
        if_exists,
        set,
    })
}

/// Compiled policy values of one condition.
#[derive(Debug, Clone)]
enum Values {
    Str(Box<[Pattern]>),
    Num(Box<[f64]>),
    Date(Box<[i128]>),
    Bool(Box<[bool]>),
    Binary(Box<[Vec<u8>]>),
    Ip(Box<[IpNet]>),
    Arn(Box<[ArnPattern]>),
    /// `true`: the key must be absent; `false`: present.
    Null(Box<[bool]>),
}

/// One compiled `"Operator": {"key": [values]}` test.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    op: Operator,
    /// Lowercased: condition key names are case-insensitive.
    key: Box<str>,
    values: Values,
}

/// Why a condition could not be compiled.
#[derive(Debug)]
pub(crate) enum ConditionError {
    UnknownOperator,
    BadValue { value: String, reason: &'static str },
}

impl Condition {
    /// Compiles one condition; `variables` is true for policy version 2012-10-17.
    pub(crate) fn compile(
        operator: &str,
        key: &str,
        values: &[String],
        variables: bool,
    ) -> Result<Condition, ConditionError> {
        let op = parse_operator(operator).ok_or(ConditionError::UnknownOperator)?;
        let bad = |value: &String, reason| ConditionError::BadValue {
            value: value.clone(),
            reason,
        };
        let values = match op.family {
            Family::String { ignore_case, like } => {
                let syntax = Syntax {
                    wildcards: like,
                    variables,
                    ignore_case,
                };
                Values::Str(
                    values
                        .iter()
                        .map(|v| Pattern::compile(v, syntax).map_err(|r| bad(v, r)))
                        .collect::<Result<_, _>>()?,
                )
            }
            Family::Numeric(_) => Values::Num(
                values
                    .iter()
                    .map(|v| parse_number(v).ok_or_else(|| bad(v, "not a number")))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Date(_) => Values::Date(
                values
                    .iter()
                    .map(|v| {
                        parse_date(v).ok_or_else(|| bad(v, "not an ISO 8601 date or epoch seconds"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Family::Bool => Values::Bool(
                values
                    .iter()
                    .map(|v| parse_bool(v).ok_or_else(|| bad(v, "not \"true\" or \"false\"")))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Null => Values::Null(
                values
                    .iter()
                    .map(|v| parse_bool(v).ok_or_else(|| bad(v, "not \"true\" or \"false\"")))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Binary => Values::Binary(
                values
                    .iter()
                    .map(|v| decode_base64(v).ok_or_else(|| bad(v, "not base64")))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Ip => Values::Ip(
                values
                    .iter()
                    .map(|v| {
                        parse_cidr(v).ok_or_else(|| bad(v, "not an IPv4 or IPv6 address or CIDR"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Family::Arn => Values::Arn(
                values
                    .iter()
                    .map(|v| ArnPattern::condition(v, variables).map_err(|r| bad(v, r)))
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(Condition {
            op,
            key: key.to_ascii_lowercase().into_boxed_str(),
            values,
        })
    }

    /// Whether the condition holds for the request's keys.
    pub(crate) fn holds(&self, keys: &ConditionKeys) -> bool {
        let present = keys.get_lower(&self.key).filter(|v| !v.is_empty());
        if let Values::Null(wants) = &self.values {
            let absent = present.is_none();
            return wants.contains(&absent);
        }
        let Some(request_values) = present else {
            if self.op.if_exists {
                return true;
            }
            return match self.op.set {
                SetOp::ForAllValues => true,
                SetOp::ForAnyValue => false,
                SetOp::Single => self.op.negated,
            };
        };
        let negated = self.op.negated;
        // A value whose policy variable has no value matches nothing here, so a negated
        // operator holds against it (see the module doc, "Policy variables with no value").
        let ok = |v: &String| self.matches_any(v, keys) != negated;
        match self.op.set {
            SetOp::ForAllValues => request_values.iter().all(ok),
            SetOp::ForAnyValue => request_values.iter().any(ok),
            SetOp::Single if negated => request_values.iter().all(ok),
            SetOp::Single => request_values.iter().any(ok),
        }
    }

    /// Whether one request value matches any of the policy's values (before negation).
    fn matches_any(&self, v: &str, keys: &ConditionKeys) -> bool {
        match &self.values {
            Values::Str(patterns) => patterns.iter().any(|p| p.matches(v, keys)),
            Values::Num(nums) => {
                let Family::Numeric(cmp) = self.op.family else {
                    return false;
                };
                parse_number(v).is_some_and(|r| nums.iter().any(|&n| cmp.holds(r, n)))
            }
            Values::Date(dates) => {
                let Family::Date(cmp) = self.op.family else {
                    return false;
                };
                parse_date(v).is_some_and(|r| dates.iter().any(|&d| cmp.holds(r, d)))
            }
            Values::Bool(bools) => parse_bool(v).is_some_and(|r| bools.contains(&r)),
            Values::Binary(blobs) => decode_base64(v).is_some_and(|r| blobs.contains(&r)),
            Values::Ip(nets) => v
                .trim()
                .parse::<IpAddr>()
                .map(|ip| ip.to_canonical())
                .is_ok_and(|ip| nets.iter().any(|n| n.contains(&ip))),
            Values::Arn(patterns) => {
                let parts = ArnParts::split(v);
                patterns.iter().any(|p| p.matches(&parts, keys))
            }
            Values::Null(_) => false,
        }
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    // Plain decimal notation only: no "inf", "NaN" or hex.
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// An address or CIDR; a bare address is a /32 (IPv4) or /128 (IPv6) network. An IPv4-mapped
/// IPv6 network of prefix 96 or more is the IPv4 network it maps (`::ffff:10.0.0.0/104` is
/// `10.0.0.0/8`), as request addresses are made canonical the same way.
fn parse_cidr(s: &str) -> Option<IpNet> {
    let s = s.trim();
    let net = match s.parse::<IpNet>() {
        Ok(net) => net,
        Err(_) => IpNet::from(s.parse::<IpAddr>().ok()?),
    };
    if let IpNet::V6(v6) = net
        && let Some(v4) = v6.addr().to_ipv4_mapped()
        && v6.prefix_len() >= 96
    {
        return ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96)
            .ok()
            .map(|n| IpNet::V4(n.trunc()));
    }
    Some(net)
}

/// An ISO 8601 date-time (`2019-07-16T12:00:00Z`, with offset or fraction), a bare date
/// (`2019-07-16`, midnight UTC), or epoch seconds; returned as nanoseconds since the epoch.
pub(crate) fn parse_date(s: &str) -> Option<i128> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    use time::{Date, OffsetDateTime, PrimitiveDateTime};
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-') && !s[1..].contains('-')
    {
        let secs: i64 = s.parse().ok()?;
        return Some(i128::from(secs) * 1_000_000_000);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.assume_utc().unix_timestamp_nanos());
    }
    if let Ok(d) = Date::parse(s, &Iso8601::DEFAULT) {
        return Some(d.midnight().assume_utc().unix_timestamp_nanos());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(op: &str, key: &str, values: &[&str], keys: &[(&str, &str)]) -> bool {
        let values: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        let c = Condition::compile(op, key, &values, true).unwrap();
        let mut ctx = ConditionKeys::default();
        for (k, v) in keys {
            ctx.add(k, *v);
        }
        c.holds(&ctx)
    }

    #[test]
    fn operator_names_parse_with_set_prefix_and_ifexists_suffix() {
        let op = parse_operator("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(op.set, SetOp::ForAnyValue);
        assert!(op.negated && op.if_exists);
        assert!(parse_operator("NullIfExists").is_none());
        assert!(parse_operator("StringEqual").is_none());
        assert!(parse_operator("stringequals").is_none());
        assert!(parse_operator("ForAllValues:ArnLike").is_some());
    }

    #[test]
    fn dates_accept_iso_8601_forms_and_epoch_seconds() {
        let t = 1_563_278_400_i128 * 1_000_000_000;
        assert_eq!(parse_date("2019-07-16T12:00:00Z"), Some(t));
        assert_eq!(parse_date("2019-07-16T14:00:00+02:00"), Some(t));
        assert_eq!(parse_date("1563278400"), Some(t));
        assert_eq!(
            parse_date("2019-07-16"),
            Some(t - 12 * 3600 * 1_000_000_000)
        );
        assert_eq!(
            parse_date("2019-07-16T12:00:00.500Z"),
            Some(t + 500_000_000)
        );
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn numbers_reject_non_decimal_forms() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("0x10"), None);
    }

    #[test]
    fn binary_equals_compares_decoded_bytes() {
        assert!(holds(
            "BinaryEquals",
            "k",
            &["QmluYXJ5"],
            &[("k", "QmluYXJ5")]
        ));
        assert!(!holds(
            "BinaryEquals",
            "k",
            &["QmluYXJ5"],
            &[("k", "QmluYXJ6")]
        ));
        assert!(Condition::compile("BinaryEquals", "k", &["%%".into()], true).is_err());
    }

    #[test]
    fn unreadable_request_values_match_nothing() {
        assert!(!holds("NumericLessThan", "k", &["10"], &[("k", "abc")]));
        assert!(holds("NumericNotEquals", "k", &["10"], &[("k", "abc")]));
        assert!(!holds(
            "IpAddress",
            "aws:SourceIp",
            &["10.0.0.0/8"],
            &[("aws:SourceIp", "nope")]
        ));
    }
}
