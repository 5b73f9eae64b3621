//! `$context` and `$stageVariables`: what API Gateway tells a template about the request,
//! and the writable `$context.requestOverride.*` / `$context.responseOverride.*`.
//!
//! [`Context`] is an ordered tree of the variables AWS documents in "`$context` Variables for
//! data models, authorizers, mapping templates, and CloudWatch access logging" (see
//! [`CONTEXT_VARIABLES`]); the host fills it per request. [`Overrides`] holds what a
//! template wrote into the override maps, for the host to apply after rendering.
//!
//! ```
//! use gateway_mapping::context::Context;
//! use serde_json::json;
//!
//! let mut ctx = Context::new();
//! ctx.set("requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
//! ctx.set("identity.sourceIp", "203.0.113.7");
//! ctx.set_request_time(1_700_000_000_123);
//! assert_eq!(ctx.lookup("identity.sourceIp"), Some("203.0.113.7".to_owned()));
//! assert_eq!(ctx.lookup("requestTime"), Some("14/Nov/2023:22:13:20 +0000".to_owned()));
//! assert_eq!(ctx.lookup("requestTimeEpoch"), Some("1700000000123".to_owned()));
//! ```

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

/// Every `$context` variable AWS documents for mapping templates (dotted, without
/// `$context.`). `authorizer.*` also takes any key a Lambda authorizer returns and
/// `authorizer.claims.*` any Cognito claim; the override maps take any name.
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

/// The `$context` variables of one request: an ordered tree of JSON values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    vars: Map<String, Json>,
}

impl Context {
    /// An empty context (every variable undefined, so it renders as empty).
    pub fn new() -> Context {
        Context::default()
    }

    /// A context from a JSON object shaped like `$context` (`{"identity": {"sourceIp": ..}}`);
    /// `None` if `json` is not an object.
    pub fn from_json(json: Json) -> Option<Context> {
        match json {
            Json::Object(vars) => Some(Context { vars }),
            _ => None,
        }
    }

    /// The whole tree.
    pub fn as_json(&self) -> &Map<String, Json> {
        &self.vars
    }

    /// Sets a variable by dotted name (`identity.sourceIp`), creating the objects on the way.
    pub fn set(&mut self, name: &str, value: impl Into<Json>) {
        let mut map = &mut self.vars;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                map.insert(part.to_owned(), value.into());
                return;
            }
            let entry = map
                .entry(part.to_owned())
                .or_insert_with(|| Json::Object(Map::new()));
            if !entry.is_object() {
                *entry = Json::Object(Map::new());
            }
            let Json::Object(next) = entry else { return };
            map = next;
        }
    }

    /// A variable by dotted name.
    pub fn get(&self, name: &str) -> Option<&Json> {
        let mut parts = name.split('.');
        let mut node = self.vars.get(parts.next()?)?;
        for part in parts {
            node = node.as_object()?.get(part)?;
        }
        Some(node)
    }

    /// A variable as the text a parameter mapping or template prints: strings as they are,
    /// numbers and booleans in their JSON form, objects and arrays as compact JSON; `None`
    /// when undefined or null.
    pub fn lookup(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Json::Null => None,
            Json::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// Sets `requestTimeEpoch` (milliseconds) and `requestTime` in CLF form
    /// `dd/MMM/yyyy:HH:mm:ss +0000` (AWS's reference gives that format; we print UTC).
    pub fn set_request_time(&mut self, epoch_millis: i64) {
        self.set("requestTimeEpoch", epoch_millis);
        self.set("requestTime", clf_time(epoch_millis));
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

/// What a template wrote into `$context.requestOverride.*` and `$context.responseOverride.*`.
///
/// AWS ("Use a mapping template to override an API's request and response parameters and
/// status codes"): request overrides replace the integration request's headers, path and
/// query-string parameters; response overrides replace the method response's headers and
/// status code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `$context.requestOverride.header.NAME`.
    pub request_header: IndexMap<String, String>,
    /// `$context.requestOverride.path.NAME`.
    pub request_path: IndexMap<String, String>,
    /// `$context.requestOverride.querystring.NAME`.
    pub request_querystring: IndexMap<String, String>,
    /// `$context.responseOverride.header.NAME`.
    pub response_header: IndexMap<String, String>,
    /// `$context.responseOverride.status`, when set to a valid status code (100 to 599).
    pub response_status: Option<u16>,
}

impl Overrides {
    /// True when the template wrote nothing.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// `$stageVariables`: the stage's variables, by name.
pub type StageVariables = IndexMap<String, String>;

/// Formats epoch milliseconds as CLF UTC time: `dd/MMM/yyyy:HH:mm:ss +0000`.
pub(crate) fn clf_time(epoch_millis: i64) -> String {
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
    format!("{day:02}/{month_name}/{year:04}:{h:02}:{m:02}:{s:02} +0000")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert_eq!(ctx.get("authorizer.key"), Some(&json!("value")));
        assert_eq!(ctx.get("authorizer.numKey"), Some(&json!("1")));
        assert_eq!(ctx.get("authorizer.boolKey"), Some(&json!("true")));
    }

    #[test]
    fn request_time_is_clf_formatted() {
        // AWS: "$context.requestTime: The CLF-formatted request time (dd/MMM/yyyy:HH:mm:ss
        // +-hhmm)". 0 ms is the epoch; 951782400000 ms is 2000-02-29 (a leap day).
        assert_eq!(clf_time(0), "01/Jan/1970:00:00:00 +0000");
        assert_eq!(clf_time(951_782_400_000), "29/Feb/2000:00:00:00 +0000");
        assert_eq!(clf_time(1_732_521_599_999), "25/Nov/2024:07:59:59 +0000");
        assert_eq!(clf_time(-1000), "31/Dec/1969:23:59:59 +0000");
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
