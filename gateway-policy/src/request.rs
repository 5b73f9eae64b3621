//! The request context a policy is evaluated against: action, resource, principal and condition
//! keys, supplied by the host.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Who is making the request, as a policy's `Principal` element sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Principal {
    /// An unauthenticated caller (API Gateway's "anonymous"): only `"Principal": "*"` (or
    /// `{"AWS": "*"}`) matches it.
    #[default]
    Anonymous,
    /// An AWS principal: an IAM user, role session, or account root.
    Aws {
        /// Its ARN, such as `arn:aws:iam::123456789012:user/alice` or
        /// `arn:aws:sts::123456789012:assumed-role/role-name/session`.
        arn: String,
        /// Its 12-digit account ID.
        account: String,
    },
    /// An AWS service principal, such as `lambda.amazonaws.com`.
    Service(String),
    /// A federated identity provider, such as `cognito-identity.amazonaws.com`.
    Federated(String),
    /// An S3 canonical user ID.
    CanonicalUser(String),
}

impl Principal {
    /// An AWS principal from its ARN; the account is read from the ARN's fifth field.
    pub fn aws(arn: &str) -> Principal {
        let account = arn.split(':').nth(4).unwrap_or_default().to_string();
        Principal::Aws {
            arn: arn.to_string(),
            account,
        }
    }

    /// The principal's account, for AWS principals.
    pub fn account(&self) -> Option<&str> {
        match self {
            Principal::Aws { account, .. } => Some(account),
            _ => None,
        }
    }
}

/// The condition keys of a request: case-insensitive names, each with one or more values.
///
/// Adding, setting and finding a key cost the same whatever the number of keys: up to
/// [`ConditionKeys::INDEX_FROM`] keys are scanned (cheaper than hashing for the few a request
/// usually has), and from there on a hash index by lowercased name is kept, so that building a
/// request with thousands of keys is linear, not quadratic.
///
/// A gateway builds these for every request, so a key costs one allocation, its value's: a
/// name given as a `&'static str` already in lower case ([`ConditionKeys::set_static`]) is
/// kept as it is, and a single value is not put in a list of its own.
#[derive(Debug, Clone, Default)]
pub struct ConditionKeys {
    // Names are lowercased.
    entries: Vec<(Cow<'static, str>, Values)>,
    // Lowercased name -> position in `entries`; filled exactly when there are at least
    // `INDEX_FROM` entries.
    index: HashMap<Box<str>, usize>,
}

/// A key's values: one (no list of its own), or several.
#[derive(Debug, Clone)]
enum Values {
    One(String),
    Many(Vec<String>),
}

impl Values {
    fn from_iter<I, S>(values: I) -> Values
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut values = values.into_iter();
        let Some(first) = values.next() else {
            return Values::Many(Vec::new());
        };
        let first = first.into();
        match values.next() {
            None => Values::One(first),
            Some(second) => {
                let mut all = vec![first, second.into()];
                all.extend(values.map(Into::into));
                Values::Many(all)
            }
        }
    }

    fn as_slice(&self) -> &[String] {
        match self {
            Values::One(one) => std::slice::from_ref(one),
            Values::Many(many) => many,
        }
    }

    fn push(&mut self, value: String) {
        match self {
            Values::One(one) => *self = Values::Many(vec![std::mem::take(one), value]),
            Values::Many(many) => many.push(value),
        }
    }
}

impl PartialEq for ConditionKeys {
    fn eq(&self, other: &Self) -> bool {
        self.entries.len() == other.entries.len()
            && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Eq for ConditionKeys {}

impl ConditionKeys {
    /// The number of keys from which names are found through a hash index rather than a scan.
    pub const INDEX_FROM: usize = 16;

    /// No keys, with room for `capacity` of them.
    pub fn with_capacity(capacity: usize) -> ConditionKeys {
        ConditionKeys {
            entries: Vec::with_capacity(capacity),
            index: HashMap::new(),
        }
    }

    /// Makes room for `additional` more keys.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Adds a value to `name` (a name given several times is multi-valued).
    pub fn add(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.position(name) {
            Some(i) => self.entries[i].1.push(value),
            None => self.push(lowercase(name), Values::One(value)),
        }
    }

    /// Sets `name` to exactly `values` (an empty list is a present key with an empty set).
    pub fn set<I, S>(&mut self, name: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = Values::from_iter(values);
        match self.position(name) {
            Some(i) => self.entries[i].1 = values,
            None => self.push(lowercase(name), values),
        }
    }

    /// Sets `name` to the one value `value`, keeping the name without copying it when it is
    /// already in lower case (the names a gateway knows: `aws:sourceip`, `aws:useragent`).
    pub fn set_static(&mut self, name: &'static str, value: impl Into<String>) {
        let values = Values::One(value.into());
        match self.position(name) {
            Some(i) => self.entries[i].1 = values,
            None => self.push(static_name(name), values),
        }
    }

    /// Appends `name` with the one value `value`, for keys built from nothing (a gateway's
    /// per-request keys): no search, so the name must not be there yet (a name appended twice
    /// is kept twice, and lookups find the first). A lower-case name is kept without a copy.
    pub fn push_static(&mut self, name: &'static str, value: impl Into<String>) {
        debug_assert!(self.position(name).is_none(), "{name} pushed twice");
        self.push(static_name(name), Values::One(value.into()));
    }

    /// Removes `name`.
    pub fn remove(&mut self, name: &str) {
        let Some(i) = self.position(name) else {
            return;
        };
        let (removed, _) = self.entries.swap_remove(i);
        if self.entries.len() < Self::INDEX_FROM {
            self.index.clear();
        } else {
            self.index.remove(&*removed);
            if let Some((moved, _)) = self.entries.get(i) {
                self.index.insert(moved.as_ref().into(), i);
            }
        }
    }

    /// The values of `name`, matched case-insensitively.
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.position(name).map(|i| self.entries[i].1.as_slice())
    }

    /// The value of `name` when it has exactly one (what a policy variable can use).
    pub(crate) fn single(&self, lower_name: &str) -> Option<&str> {
        match self.get_lower(lower_name) {
            Some([one]) => Some(one),
            _ => None,
        }
    }

    /// Like [`ConditionKeys::get`] for a name already lowercased (compiled policies).
    pub(crate) fn get_lower(&self, lower_name: &str) -> Option<&[String]> {
        let i = if self.index.is_empty() {
            self.entries.iter().position(|(k, _)| **k == *lower_name)?
        } else {
            *self.index.get(lower_name)?
        };
        Some(self.entries[i].1.as_slice())
    }

    /// Every key and its values, in insertion order (names lowercased; a removal moves the
    /// last key into the removed one's place).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(k, v)| (&**k, v.as_slice()))
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn push(&mut self, lower: Cow<'static, str>, values: Values) {
        let i = self.entries.len();
        if !self.index.is_empty() {
            self.index.insert(lower.as_ref().into(), i);
        }
        self.entries.push((lower, values));
        if self.entries.len() == Self::INDEX_FROM {
            self.index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.as_ref().into(), i))
                .collect();
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        if self.index.is_empty() {
            self.entries
                .iter()
                .position(|(k, _)| k.eq_ignore_ascii_case(name))
        } else if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.index.get(&*name.to_ascii_lowercase()).copied()
        } else {
            self.index.get(name).copied()
        }
    }
}

/// `name` in lower case, owned.
/// A `&'static str` name as a key name: kept without a copy when already in lower case.
fn static_name(name: &'static str) -> Cow<'static, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        lowercase(name)
    } else {
        Cow::Borrowed(name)
    }
}

fn lowercase(name: &str) -> Cow<'static, str> {
    Cow::Owned(name.to_ascii_lowercase())
}

/// One request to authorize: what the policy's `Action`, `Resource`, `Principal` and
/// `Condition` elements are matched against.
///
/// ```
/// use gateway_policy::{Principal, Request};
/// let request = Request::new("execute-api:Invoke", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets")
///     .with_principal(Principal::aws("arn:aws:iam::123456789012:user/alice"))
///     .with_key("aws:SourceIp", "203.0.113.7");
/// assert_eq!(request.keys().get("AWS:PRINCIPALACCOUNT"), Some(&["123456789012".to_string()][..]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    action: String,
    resource: String,
    principal: Principal,
    keys: ConditionKeys,
}

impl Request {
    /// A request for `action` (such as `execute-api:Invoke`) on `resource` (an ARN), made by an
    /// anonymous principal with no condition keys.
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Request {
        Request {
            action: action.into(),
            resource: resource.into(),
            principal: Principal::Anonymous,
            keys: ConditionKeys::default(),
        }
    }

    /// Sets the principal; for an AWS principal this also sets `aws:PrincipalArn` and
    /// `aws:PrincipalAccount`, as IAM does.
    pub fn with_principal(mut self, principal: Principal) -> Request {
        self.set_principal(principal);
        self
    }

    /// Adds a condition-key value (call again with the same key for a multi-valued key).
    pub fn with_key(mut self, name: &str, value: impl Into<String>) -> Request {
        self.keys.add(name, value);
        self
    }

    /// Adds the condition keys a gateway knows about the request.
    pub fn with_gateway_keys(mut self, facts: &GatewayKeys) -> Request {
        facts.apply(&mut self.keys);
        self
    }

    /// Sets the principal in place (see [`Request::with_principal`]).
    ///
    /// For a role session (`arn:aws:sts::ID:assumed-role/NAME/SESSION`), `aws:PrincipalArn` is
    /// the role's ARN, `arn:aws:iam::ID:role/NAME`: IAM User Guide, "AWS global condition
    /// context keys", aws:PrincipalArn: "For IAM roles, the request context returns the ARN of
    /// the role, not the ARN of the user that assumed the role". A session ARN does not carry
    /// the role's path; a host that knows it sets [`GatewayKeys::principal_arn`] afterwards.
    pub fn set_principal(&mut self, principal: Principal) {
        if let Principal::Aws { arn, account } = &principal {
            match role_of_session(arn) {
                Some(role) => self.keys.set_static("aws:principalarn", role),
                None => self.keys.set_static("aws:principalarn", arn.as_str()),
            }
            self.keys
                .set_static("aws:principalaccount", account.as_str());
        }
        self.principal = principal;
    }

    /// The condition keys, to add or change keys in place.
    pub fn keys_mut(&mut self) -> &mut ConditionKeys {
        &mut self.keys
    }

    /// The action.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource ARN.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The principal.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The condition keys.
    pub fn keys(&self) -> &ConditionKeys {
        &self.keys
    }
}

/// The global condition keys an API gateway knows about each request; `None` fields are left
/// out of the context (a policy then sees the key as missing).
///
/// Key names and formats follow IAM's "AWS global condition context keys" page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayKeys {
    /// `aws:SourceIp`: the caller's address (an IPv4-mapped IPv6 address is given as IPv4).
    pub source_ip: Option<IpAddr>,
    /// `aws:SourceVpc`: the VPC a private API call came through.
    pub source_vpc: Option<String>,
    /// `aws:SourceVpce`: the VPC endpoint a private API call came through.
    pub source_vpce: Option<String>,
    /// `aws:VpcSourceIp`: for a private API, the caller's own address inside the VPC (the
    /// endpoint rewrites `aws:SourceIp`; API Gateway Developer Guide, "API Gateway resource
    /// policy examples").
    pub vpc_source_ip: Option<IpAddr>,
    /// `aws:CurrentTime` (ISO 8601, UTC) and `aws:EpochTime` (seconds).
    pub current_time: Option<SystemTime>,
    /// `aws:SecureTransport`: whether the request came over TLS.
    pub secure_transport: Option<bool>,
    /// `aws:UserAgent`.
    pub user_agent: Option<String>,
    /// `aws:Referer`.
    pub referer: Option<String>,
    /// `aws:PrincipalArn`.
    pub principal_arn: Option<String>,
    /// `aws:PrincipalAccount`.
    pub principal_account: Option<String>,
    /// `aws:PrincipalOrgID`, when the host knows the caller's organization.
    pub principal_org_id: Option<String>,
    /// `aws:username`: the IAM user's friendly name (IAM users only).
    pub username: Option<String>,
    /// `aws:userid`: the principal's unique ID.
    pub userid: Option<String>,
}

impl GatewayKeys {
    fn apply(&self, keys: &mut ConditionKeys) {
        let strings = [
            ("aws:SourceVpc", &self.source_vpc),
            ("aws:SourceVpce", &self.source_vpce),
            ("aws:UserAgent", &self.user_agent),
            ("aws:Referer", &self.referer),
            ("aws:PrincipalArn", &self.principal_arn),
            ("aws:PrincipalAccount", &self.principal_account),
            ("aws:PrincipalOrgID", &self.principal_org_id),
            ("aws:username", &self.username),
            ("aws:userid", &self.userid),
        ];
        for (name, value) in strings {
            if let Some(value) = value {
                keys.set(name, [value.as_str()]);
            }
        }
        // An IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 client) is given
        // as the IPv4 address it maps, so that IPv4 CIDRs in policies see it.
        if let Some(ip) = self.source_ip {
            keys.set("aws:SourceIp", [ip.to_canonical().to_string()]);
        }
        if let Some(ip) = self.vpc_source_ip {
            keys.set("aws:VpcSourceIp", [ip.to_canonical().to_string()]);
        }
        if let Some(secure) = self.secure_transport {
            keys.set(
                "aws:SecureTransport",
                [if secure { "true" } else { "false" }],
            );
        }
        if let Some(now) = self.current_time {
            let (secs, iso) = format_time(now);
            keys.set("aws:CurrentTime", [iso]);
            keys.set("aws:EpochTime", [secs.to_string()]);
        }
    }
}

/// `arn:P:sts::A:assumed-role/NAME/SESSION` -> `arn:P:iam::A:role/NAME`.
fn role_of_session(arn: &str) -> Option<String> {
    // Most principals are users and roles: no parse for them.
    if !arn.contains(":assumed-role/") {
        return None;
    }
    let arn = crate::Arn::parse(arn).filter(|a| a.service == "sts" && a.region.is_empty())?;
    let (name, _session) = arn
        .resource
        .strip_prefix("assumed-role/")?
        .split_once('/')?;
    Some(format!(
        "arn:{}:iam::{}:role/{name}",
        arn.partition, arn.account
    ))
}

/// Seconds since the epoch and the ISO 8601 UTC form (`2019-07-16T12:00:00Z`) of `t`.
fn format_time(t: SystemTime) -> (i64, String) {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let iso = time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_default();
    (secs, iso)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn static_names_are_kept_in_lower_case_and_replace_their_values() {
        let mut keys = ConditionKeys::default();
        keys.push_static("aws:SourceIp", "10.0.0.1");
        keys.push_static("aws:useragent", "curl");
        keys.set_static("aws:SOURCEIP", "10.0.0.2");
        keys.set_static("aws:PrincipalAccount", "123456789012");
        let all: Vec<(&str, &[String])> = keys.iter().collect();
        assert_eq!(
            all,
            [
                ("aws:sourceip", &["10.0.0.2".to_owned()][..]),
                ("aws:useragent", &["curl".to_owned()][..]),
                ("aws:principalaccount", &["123456789012".to_owned()][..]),
            ]
        );
        keys.add("aws:UserAgent", "wget");
        assert_eq!(keys.get("AWS:USERAGENT").map(<[String]>::len), Some(2));
    }

    #[test]
    fn condition_key_names_are_case_insensitive_and_values_accumulate() {
        let mut keys = ConditionKeys::default();
        keys.add("aws:TagKeys", "a");
        keys.add("AWS:tagkeys", "b");
        assert_eq!(keys.get("Aws:TagKeys").unwrap(), ["a", "b"]);
        keys.set("aws:tagkeys", Vec::<String>::new());
        assert_eq!(keys.get("aws:TagKeys").unwrap().len(), 0);
        keys.remove("AWS:TAGKEYS");
        assert!(keys.get("aws:TagKeys").is_none());
    }

    #[test]
    fn many_keys_stay_findable_through_the_index_across_adds_sets_and_removes() {
        let mut keys = ConditionKeys::default();
        let n = 3 * ConditionKeys::INDEX_FROM;
        for i in 0..n {
            keys.add(&format!("Key{i}"), format!("v{i}"));
        }
        keys.add("KEY0", "again");
        assert_eq!(keys.len(), n);
        assert_eq!(keys.get("key0").unwrap(), ["v0", "again"]);
        assert_eq!(keys.get_lower("key7").unwrap(), ["v7"]);
        keys.remove("KEY3");
        assert!(keys.get("key3").is_none());
        // The last key moved into the removed one's place and is still found.
        let last = format!("key{}", n - 1);
        assert_eq!(keys.get(&last).unwrap(), [format!("v{}", n - 1)]);
        keys.set("key5", ["x"]);
        assert_eq!(keys.get("Key5").unwrap(), ["x"]);
        while keys.len() > 2 {
            let name = keys.iter().next().map(|(k, _)| k.to_string()).unwrap();
            keys.remove(&name);
            assert!(keys.get(&name).is_none());
        }
        for (name, values) in keys.clone().iter() {
            assert_eq!(keys.get(&name.to_ascii_uppercase()), Some(values));
        }
        // Equality looks at the keys, not at whether an index was built on the way.
        let mut a = ConditionKeys::default();
        a.add("x", "1");
        let mut b = ConditionKeys::default();
        for i in 0..ConditionKeys::INDEX_FROM {
            b.add(&format!("t{i}"), "");
        }
        b.add("x", "1");
        for i in 0..ConditionKeys::INDEX_FROM {
            b.remove(&format!("t{i}"));
        }
        assert_eq!(a, b);
    }

    #[test]
    fn gateway_keys_fill_the_documented_names_and_formats() {
        let facts = GatewayKeys {
            source_ip: Some("2001:db8::1".parse().unwrap()),
            current_time: Some(UNIX_EPOCH + Duration::from_secs(1_563_278_400)),
            secure_transport: Some(true),
            ..GatewayKeys::default()
        };
        let r = Request::new("execute-api:Invoke", "arn").with_gateway_keys(&facts);
        assert_eq!(r.keys().get("aws:SourceIp").unwrap(), ["2001:db8::1"]);
        assert_eq!(
            r.keys().get("aws:CurrentTime").unwrap(),
            ["2019-07-16T12:00:00Z"]
        );
        assert_eq!(r.keys().get("aws:EpochTime").unwrap(), ["1563278400"]);
        assert_eq!(r.keys().get("aws:SecureTransport").unwrap(), ["true"]);
        assert!(r.keys().get("aws:SourceVpce").is_none());
    }

    #[test]
    fn an_aws_principal_sets_principal_arn_and_account() {
        let r = Request::new("a:b", "c")
            .with_principal(Principal::aws("arn:aws:iam::111122223333:user/bob"));
        assert_eq!(
            r.keys().get("aws:principalarn").unwrap(),
            ["arn:aws:iam::111122223333:user/bob"]
        );
        assert_eq!(r.principal().account(), Some("111122223333"));
    }

    #[test]
    fn a_role_session_sets_principal_arn_to_the_role() {
        // IAM User Guide, global condition keys, aws:PrincipalArn: "For IAM roles, the request
        // context returns the ARN of the role, not the ARN of the user that assumed the role."
        let r = Request::new("a:b", "c").with_principal(Principal::aws(
            "arn:aws:sts::111122223333:assumed-role/ops-admin/alice",
        ));
        assert_eq!(
            r.keys().get("aws:PrincipalArn").unwrap(),
            ["arn:aws:iam::111122223333:role/ops-admin"]
        );
        // The host may know the role's path and say so.
        let r = r.with_gateway_keys(&GatewayKeys {
            principal_arn: Some("arn:aws:iam::111122223333:role/team/ops-admin".into()),
            ..GatewayKeys::default()
        });
        assert_eq!(
            r.keys().get("aws:PrincipalArn").unwrap(),
            ["arn:aws:iam::111122223333:role/team/ops-admin"]
        );
    }
}
