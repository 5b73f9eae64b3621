//! [`Context`]: the `$context` variables of one request, as plain data the host fills.

use std::borrow::Cow;

use serde_json::{Map, Value as Json};

/// Every `$context` variable AWS documents for mapping templates (dotted, without
/// `$context.`). `authorizer.*` also takes any key a Lambda authorizer returns and
/// `authorizer.claims.*` any Cognito claim; the override maps take any name.
/// `identity.accessKey` is not in the reference but API Gateway has it: `$context.identity`'s
/// `keySet()` recorded on AWS lists it (localstack `test_sqs_amz_json_protocol` snapshot).
pub const CONTEXT_VARIABLES: &[&str] = &[
    "accountId",
    "apiId",
    "authorizer.claims",
    "authorizer.principalId",
    "awsEndpointRequestId",
    "deploymentId",
    "domainName",
    "domainPrefix",
    "error.message",
    "error.messageString",
    "error.responseType",
    "error.validationErrorString",
    "extendedRequestId",
    "httpMethod",
    "identity.accessKey",
    "identity.accountId",
    "identity.apiKey",
    "identity.apiKeyId",
    "identity.caller",
    "identity.cognitoAuthenticationProvider",
    "identity.cognitoAuthenticationType",
    "identity.cognitoIdentityId",
    "identity.cognitoIdentityPoolId",
    "identity.principalOrgId",
    "identity.sourceIp",
    "identity.clientCert.clientCertPem",
    "identity.clientCert.subjectDN",
    "identity.clientCert.issuerDN",
    "identity.clientCert.serialNumber",
    "identity.clientCert.validity.notBefore",
    "identity.clientCert.validity.notAfter",
    "identity.user",
    "identity.userAgent",
    "identity.userArn",
    "isCanaryRequest",
    "path",
    "protocol",
    "requestId",
    "requestOverride.header",
    "requestOverride.path",
    "requestOverride.querystring",
    "responseOverride.header",
    "responseOverride.status",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
    "wafResponseCode",
    "webaclArn",
];

/// Whether `name` (dotted, without `context.`) is a `$context` variable a parameter mapping
/// may read: a documented one, or any key under `authorizer.` (Lambda authorizer context,
/// Cognito claims).
pub fn is_known_variable(name: &str) -> bool {
    CONTEXT_VARIABLES.contains(&name)
        || name
            .strip_prefix("authorizer.")
            .is_some_and(|k| !k.is_empty())
}

/// The name of one level of a `$context` variable (`identity`, `sourceIp`): the documented
/// names are static, so building and cloning a context copies no name.
pub(super) type Key = Cow<'static, str>;

/// Every level of [`CONTEXT_VARIABLES`] (`identity`, `sourceIp`, ...), for [`key_of`]: a set
/// built once (scanning the dotted names per key cost about half of building a request's
/// `$context`, measured by the pipeline bench).
static LEVELS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut levels: Vec<&'static str> = CONTEXT_VARIABLES
        .iter()
        .flat_map(|v| v.split('.'))
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
});

/// `name` as a [`Key`]: static when it is one of the levels of [`CONTEXT_VARIABLES`] (a
/// binary search: no hashing of short names).
/// The object `name` among `entries` (made when missing, with the key `key()`, and replacing a
/// value that is not an object), to set variables in.
fn object_in<'a>(
    entries: &'a mut Vec<(Key, Node)>,
    name: &str,
    key: impl FnOnce() -> Key,
) -> Option<&'a mut Vec<(Key, Node)>> {
    let at = match entries.iter().position(|(k, _)| k == name) {
        Some(i) => i,
        None => {
            entries.push((key(), Node::Object(Vec::new())));
            entries.len() - 1
        }
    };
    let node = &mut entries.get_mut(at)?.1;
    if !matches!(node, Node::Object(_)) {
        *node = Node::Object(Vec::new());
    }
    match node {
        Node::Object(object) => Some(object),
        Node::Leaf(_) => None,
    }
}

fn key_of(name: &str) -> Key {
    match LEVELS.binary_search(&name) {
        Ok(i) => Cow::Borrowed(LEVELS[i]),
        Err(_) => Cow::Owned(name.to_owned()),
    }
}

/// [`key_of`] for a name already owned.
fn key_of_owned(name: String) -> Key {
    match key_of(&name) {
        Cow::Borrowed(k) => Cow::Borrowed(k),
        Cow::Owned(_) => Cow::Owned(name),
    }
}

/// One entry of the tree: a JSON value, or an object of further entries.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Leaf(Json),
    Object(Vec<(Key, Node)>),
}

impl Node {
    fn from_json(json: Json) -> Node {
        match json {
            Json::Object(m) => Node::Object(
                m.into_iter()
                    .map(|(k, v)| (key_of_owned(k), Node::from_json(v)))
                    .collect(),
            ),
            other => Node::Leaf(other),
        }
    }

    fn to_json(&self) -> Json {
        match self {
            Node::Leaf(j) => j.clone(),
            Node::Object(entries) => Json::Object(entries_to_json(entries)),
        }
    }
}

fn entries_to_json(entries: &[(Key, Node)]) -> Map<String, Json> {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_json()))
        .collect()
}

/// The entry named `name` in `entries`, with its position (objects hold a few entries: a
/// scan beats hashing).
pub(super) fn entry<'m>(entries: &'m [(Key, Node)], name: &str) -> Option<(usize, &'m Node)> {
    entries
        .iter()
        .position(|(k, _)| k == name)
        .map(|i| (i, &entries[i].1))
}

/// The `$context` variables of one request: an ordered tree of JSON values.
///
/// Names are kept in insertion order, in a few small vectors; the documented names are not
/// copied, so the per-request cost of building a context is about its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub(super) vars: Vec<(Key, Node)>,
}

impl Context {
    /// An empty context (every variable undefined, so it renders as empty).
    pub fn new() -> Context {
        Context::default()
    }

    /// A context from a JSON object shaped like `$context` (`{"identity": {"sourceIp": ..}}`);
    /// `None` if `json` is not an object.
    pub fn from_json(json: Json) -> Option<Context> {
        match Node::from_json(json) {
            Node::Object(vars) => Some(Context { vars }),
            Node::Leaf(_) => None,
        }
    }

    /// The whole tree as a JSON object.
    pub fn to_json(&self) -> Map<String, Json> {
        entries_to_json(&self.vars)
    }

    /// An empty context with room for `n` top-level variables.
    pub fn with_capacity(n: usize) -> Context {
        Context {
            vars: Vec::with_capacity(n),
        }
    }

    /// Appends the top-level variable `name`, which must not be set yet (a host building a
    /// request's `$context` from nothing): no search and no copy of the name, unlike
    /// [`Context::set`]. A name set twice this way is kept twice, and lookups find the first.
    pub fn push(&mut self, name: &'static str, value: impl Into<Json>) {
        debug_assert!(entry(&self.vars, name).is_none(), "{name} pushed twice");
        self.vars
            .push((Cow::Borrowed(name), Node::from_json(value.into())));
    }

    /// Appends the top-level object `name` with `entries` (each a leaf), under the same rule
    /// as [`Context::push`]: `identity` with its keys, in the order given.
    pub fn push_object(
        &mut self,
        name: &'static str,
        entries: impl IntoIterator<Item = (&'static str, Json)>,
    ) {
        debug_assert!(entry(&self.vars, name).is_none(), "{name} pushed twice");
        let entries = entries
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), Node::from_json(v)))
            .collect();
        self.vars.push((Cow::Borrowed(name), Node::Object(entries)));
    }

    /// [`Context::set_request_time`] for a context built with [`Context::push`].
    pub fn push_request_time(&mut self, epoch_millis: i64) {
        self.push("requestTimeEpoch", epoch_millis);
        self.push("requestTime", clf_time(epoch_millis));
    }

    /// Sets the top-level variable `name` to an object of `entries` (replacing what it held),
    /// in the order given: `authorizer` with a Lambda authorizer's context. Unlike
    /// [`Context::set`] with a JSON object, no map is built on the way (the keys are moved in,
    /// a static one is not copied).
    pub fn set_object<K>(
        &mut self,
        name: &'static str,
        entries: impl IntoIterator<Item = (K, Json)>,
    ) where
        K: Into<Cow<'static, str>>,
    {
        let object = Node::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), Node::from_json(v)))
                .collect(),
        );
        match self.vars.iter_mut().find(|(k, _)| k == name) {
            Some((_, node)) => *node = object,
            None => self.vars.push((Cow::Borrowed(name), object)),
        }
    }

    /// Sets several variables of the top-level object `name` (`identity`), creating it when
    /// missing: one search for the object instead of one per dotted name.
    pub fn set_in(
        &mut self,
        name: &'static str,
        entries: impl IntoIterator<Item = (&'static str, Json)>,
    ) {
        let Some(object) = object_in(&mut self.vars, name, || Cow::Borrowed(name)) else {
            return;
        };
        for (key, value) in entries {
            let value = Node::from_json(value);
            match object.iter_mut().find(|(k, _)| k == key) {
                Some((_, node)) => *node = value,
                None => object.push((Cow::Borrowed(key), value)),
            }
        }
    }

    /// Sets a variable by dotted name (`identity.sourceIp`), creating the objects on the way.
    pub fn set(&mut self, name: &str, value: impl Into<Json>) {
        let mut entries = &mut self.vars;
        let (path, leaf) = match name.rsplit_once('.') {
            Some((path, leaf)) => (Some(path), leaf),
            None => (None, name),
        };
        for part in path.into_iter().flat_map(|path| path.split('.')) {
            let Some(next) = object_in(entries, part, || key_of(part)) else {
                return;
            };
            entries = next;
        }
        let value = Node::from_json(value.into());
        match entries.iter_mut().find(|(k, _)| k == leaf) {
            Some((_, node)) => *node = value,
            None => entries.push((key_of(leaf), value)),
        }
    }

    fn node(&self, name: &str) -> Option<&Node> {
        let mut parts = name.split('.');
        let mut node = entry(&self.vars, parts.next()?)?.1;
        for part in parts {
            let Node::Object(entries) = node else {
                return None;
            };
            node = entry(entries, part)?.1;
        }
        Some(node)
    }

    /// A variable by dotted name, as JSON (an object for `identity` and the like).
    pub fn get(&self, name: &str) -> Option<Json> {
        self.node(name).map(Node::to_json)
    }

    /// A variable as the text a parameter mapping or template prints: strings as they are,
    /// numbers and booleans in their JSON form, objects and arrays as compact JSON; `None`
    /// when undefined or null.
    pub fn lookup(&self, name: &str) -> Option<String> {
        match self.node(name)? {
            Node::Leaf(Json::Null) => None,
            Node::Leaf(Json::String(s)) => Some(s.clone()),
            Node::Leaf(other) => Some(other.to_string()),
            object => Some(object.to_json().to_string()),
        }
    }

    /// Sets `requestTimeEpoch` (milliseconds) and `requestTime` in CLF form
    /// `dd/MMM/yyyy:HH:mm:ss +0000` (AWS's reference gives that format; we print UTC).
    pub fn set_request_time(&mut self, epoch_millis: i64) {
        self.set("requestTimeEpoch", epoch_millis);
        self.set("requestTime", clf_time(epoch_millis));
    }

    /// Sets `error.message`, `error.messageString` (the message quoted as a JSON string, so
    /// `{"message":$context.error.messageString}` is JSON: AWS, "$context.error.messageString:
    /// The quoted value of $context.error.message") and `error.responseType`, for gateway
    /// response templates.
    pub fn set_error(&mut self, message: &str, response_type: &str) {
        self.set("error.message", message);
        self.set("error.messageString", Json::from(message).to_string());
        self.set("error.responseType", response_type);
    }

    /// Sets the Lambda authorizer's context: each value stringified, as AWS documents
    /// (`"numKey": 1` reads as `"1"`, `"boolKey": true` as `"true"`).
    pub fn set_authorizer_context(&mut self, context: &Map<String, Json>) {
        for (k, v) in context {
            let text = match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            self.set(&format!("authorizer.{k}"), text);
        }
    }
}

/// Formats epoch milliseconds as CLF UTC time: `dd/MMM/yyyy:HH:mm:ss +0000`.
fn clf_time(epoch_millis: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = epoch_millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month_name = usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("Jan");
    // Written digit by digit (format! was most of this function's cost, which runs for every
    // request).
    let mut out = String::with_capacity(26);
    push_digits(&mut out, day, 2);
    out.push('/');
    out.push_str(month_name);
    out.push('/');
    push_digits(&mut out, year, 4);
    for (separator, value) in [(':', h), (':', m), (':', s)] {
        out.push(separator);
        push_digits(&mut out, value, 2);
    }
    out.push_str(" +0000");
    out
}

/// `value` in decimal, at least `width` digits (zeros in front), as `{:0width$}` writes a
/// non-negative number (through `itoa`, as `java::format` appends integers); a negative one
/// as `format!` does.
fn push_digits(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push_str(&format!("{value:0width$}"));
        return;
    }
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(value);
    out.extend(std::iter::repeat_n('0', width.saturating_sub(digits.len())));
    out.push_str(digits);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_replaces_values_and_objects_in_place_and_keeps_order() {
        let mut ctx = Context::new();
        ctx.set("stage", "prod");
        ctx.set("identity", "not an object");
        ctx.set("identity.sourceIp", "203.0.113.7");
        ctx.set("custom.deep.name", 5);
        ctx.set("stage", "beta");
        assert_eq!(
            serde_json::Value::Object(ctx.to_json()),
            json!({"stage": "beta", "identity": {"sourceIp": "203.0.113.7"},
                   "custom": {"deep": {"name": 5}}})
        );
        ctx.set("identity", json!({"user": "u"}));
        assert_eq!(ctx.lookup("identity"), Some(r#"{"user":"u"}"#.to_owned()));
        assert_eq!(ctx.lookup("identity.sourceIp"), None);
        assert_eq!(ctx.get("custom.deep"), Some(json!({"name": 5})));
        let back = Context::from_json(serde_json::Value::Object(ctx.to_json()));
        assert_eq!(back.as_ref(), Some(&ctx));
        // Empty parts are names like any other, read back the same way.
        ctx.set("odd..name", 1);
        ctx.set(".lead", 2);
        assert_eq!(ctx.get("odd..name"), Some(json!(1)));
        assert_eq!(ctx.get(".lead"), Some(json!(2)));
        assert_eq!(ctx.get("odd"), Some(json!({"": {"name": 1}})));
    }

    #[test]
    fn set_object_and_set_in_agree_with_set() {
        let mut fast = Context::new();
        fast.set("stage", "prod");
        fast.set_in("identity", [("sourceIp", json!("203.0.113.7"))]);
        fast.set_in(
            "identity",
            [("user", json!("u")), ("sourceIp", json!("198.51.100.1"))],
        );
        fast.set_object("authorizer", [("principalId", json!("p"))]);
        fast.set_object(
            "authorizer",
            [
                (Cow::Borrowed("principalId"), json!("q")),
                (Cow::Owned("tier".to_owned()), json!({"a": 1})),
            ],
        );
        let mut slow = Context::new();
        slow.set("stage", "prod");
        slow.set("identity.sourceIp", "198.51.100.1");
        slow.set("identity.user", "u");
        slow.set("authorizer", json!({"principalId": "q", "tier": {"a": 1}}));
        // Same values; `set_in` keeps the first position of `sourceIp`.
        assert_eq!(fast.to_json(), slow.to_json());
        assert_eq!(fast.lookup("authorizer.tier.a"), Some("1".to_owned()));
        // A leaf where the object goes is replaced by the object.
        let mut ctx = Context::new();
        ctx.set("identity", "not an object");
        ctx.set_in("identity", [("user", json!("u"))]);
        assert_eq!(ctx.get("identity"), Some(json!({"user": "u"})));
    }

    #[test]
    fn set_creates_nested_objects_and_lookup_reads_them() {
        let mut ctx = Context::new();
        ctx.set(
            "identity.clientCert.validity.notAfter",
            "May 28 12:30:02 2025 GMT",
        );
        assert_eq!(
            ctx.lookup("identity.clientCert.validity.notAfter")
                .as_deref(),
            Some("May 28 12:30:02 2025 GMT")
        );
        assert_eq!(ctx.lookup("identity.clientCert.nope"), None);
        assert_eq!(ctx.lookup("nope.deeper"), None);
    }

    #[test]
    fn lookup_prints_numbers_booleans_and_objects_as_json() {
        let ctx =
            Context::from_json(json!({"n": 5, "b": true, "o": {"a": [1]}, "z": null})).unwrap();
        assert_eq!(ctx.lookup("n").as_deref(), Some("5"));
        assert_eq!(ctx.lookup("b").as_deref(), Some("true"));
        assert_eq!(ctx.lookup("o").as_deref(), Some(r#"{"a":[1]}"#));
        assert_eq!(ctx.lookup("z"), None);
        assert!(Context::from_json(json!([1])).is_none());
    }

    #[test]
    fn authorizer_context_values_are_stringified() {
        // AWS mapping-template reference, `$context.authorizer.property`: for a context map
        // {"key": "value", "numKey": 1, "boolKey": true}, `$context.authorizer.numKey`
        // returns the "1" string and `$context.authorizer.boolKey` the "true" string.
        let mut ctx = Context::new();
        let auth = json!({"key": "value", "numKey": 1, "boolKey": true});
        ctx.set_authorizer_context(auth.as_object().unwrap());
        assert_eq!(ctx.get("authorizer.key"), Some(json!("value")));
        assert_eq!(ctx.get("authorizer.numKey"), Some(json!("1")));
        assert_eq!(ctx.get("authorizer.boolKey"), Some(json!("true")));
    }

    #[test]
    fn error_message_string_is_the_quoted_message() {
        let mut ctx = Context::new();
        ctx.set_error("Missing \"Token\"", "MISSING_AUTHENTICATION_TOKEN");
        assert_eq!(
            ctx.lookup("error.message").as_deref(),
            Some("Missing \"Token\"")
        );
        assert_eq!(
            ctx.lookup("error.messageString").as_deref(),
            Some(r#""Missing \"Token\"""#)
        );
        assert_eq!(
            ctx.lookup("error.responseType").as_deref(),
            Some("MISSING_AUTHENTICATION_TOKEN")
        );
    }

    #[test]
    fn request_time_is_clf_formatted() {
        // AWS: "$context.requestTime: The CLF-formatted request time (dd/MMM/yyyy:HH:mm:ss
        // +-hhmm)". 0 ms is the epoch; 951782400000 ms is 2000-02-29 (a leap day).
        assert_eq!(clf_time(0), "01/Jan/1970:00:00:00 +0000");
        assert_eq!(clf_time(951_782_400_000), "29/Feb/2000:00:00:00 +0000");
        assert_eq!(clf_time(1_732_521_599_999), "25/Nov/2024:07:59:59 +0000");
        assert_eq!(clf_time(-1000), "31/Dec/1969:23:59:59 +0000");
        assert_eq!(clf_time(253_402_300_799_000), "31/Dec/9999:23:59:59 +0000");
        assert_eq!(clf_time(253_402_300_800_000), "01/Jan/10000:00:00:00 +0000");
    }

    #[test]
    fn digits_are_written_as_format_writes_them() {
        for value in [
            0,
            5,
            9,
            10,
            99,
            100,
            2026,
            12_345,
            i64::MAX,
            -3,
            -1234,
            i64::MIN,
        ] {
            for width in [1, 2, 4] {
                let mut out = String::new();
                push_digits(&mut out, value, width);
                assert_eq!(out, format!("{value:0width$}"));
            }
        }
    }

    #[test]
    fn known_variables_include_authorizer_keys() {
        assert!(is_known_variable("requestId"));
        assert!(is_known_variable("identity.sourceIp"));
        assert!(is_known_variable("authorizer.anything"));
        assert!(!is_known_variable("authorizer."));
        assert!(!is_known_variable("requestID"));
    }
}
