//! What Lambda integrations (AWS_PROXY, and AWS with a Lambda URI) share: the function named
//! by the integration URI, with `${stageVariables.x}` substituted, and the selection value of
//! a Lambda custom integration's answer.

use gateway_mapping::context::StageVariables;
use serde_json::Value as Json;

/// The path a Lambda integration URI carries: `arn:aws:apigateway:{region}:lambda:path` then
/// this, then the function, then `/invocations` (developer guide,
/// set-up-lambda-custom-integrations: "arn:aws:apigateway:region:lambda:path/2015-03-31/functions/arn:aws:lambda:region:account-id:function:name/invocations").
const FUNCTIONS_PATH: &str = ":lambda:path/2015-03-31/functions/";

/// The function a Lambda integration invokes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaTarget {
    /// The function's ARN (or name), stage variables substituted.
    pub function: String,
    /// The Region of the integration URI.
    pub region: String,
}

/// Reads the function from a Lambda integration URI, substituting `${stageVariables.NAME}`
/// (an undefined variable is empty, as in HTTP URIs); `None` when the URI is not a Lambda
/// invocation URI.
pub fn target(uri: &str, stage_variables: &StageVariables) -> Option<LambdaTarget> {
    let rest = uri.strip_prefix("arn:")?;
    let (_, rest) = rest.split_once(":apigateway:")?;
    let (region, rest) = rest.split_once(FUNCTIONS_PATH)?;
    let function = rest.strip_suffix("/invocations")?;
    let function = substitute(function, stage_variables);
    if function.is_empty() || region.is_empty() {
        return None;
    }
    Some(LambdaTarget {
        function,
        region: region.to_owned(),
    })
}

/// `${stageVariables.NAME}` replaced by the variable's value (empty when undefined).
fn substitute(text: &str, stage_variables: &StageVariables) -> String {
    const OPEN: &str = "${stageVariables.";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        match after.find('}') {
            Some(end) => {
                if let Some(v) = stage_variables.get(&after[..end]) {
                    out.push_str(v);
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value a Lambda custom integration's selection patterns are matched against: the
/// `errorMessage` of a failed invocation (`X-Amz-Function-Error` set), else the empty string,
/// which only the default response matches (developer guide,
/// handle-errors-in-lambda-integration: "For Lambda, the regex applies to the errorMessage";
/// successful invocations match no pattern). A failed invocation without an `errorMessage`
/// (a non-JSON error) selects with the empty string too.
pub fn selector(function_error: Option<&str>, payload: &[u8]) -> String {
    if function_error.is_none() {
        return String::new();
    }
    match serde_json::from_slice::<Json>(payload) {
        Ok(Json::Object(map)) => match map.get("errorMessage") {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Null) | None => String::new(),
            Some(other) => other.to_string(),
        },
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_from_the_uri_with_stage_variables() {
        let mut vars = StageVariables::new();
        vars.insert("alias".into(), "live".into());
        let t = target(
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:pets:${stageVariables.alias}/invocations",
            &vars,
        )
        .unwrap();
        assert_eq!(
            t.function,
            "arn:aws:lambda:eu-west-1:123456789012:function:pets:live"
        );
        assert_eq!(t.region, "eu-west-1");
        assert!(target("http://example.com", &vars).is_none());
        assert!(target("arn:aws:apigateway:us-east-1:s3:path/bucket", &vars).is_none());
    }

    #[test]
    fn errors_select_on_their_message() {
        assert_eq!(selector(None, br#"{"errorMessage":"x"}"#), "");
        assert_eq!(
            selector(
                Some("Unhandled"),
                br#"{"errorMessage":"Bad Request: id","errorType":"E"}"#
            ),
            "Bad Request: id"
        );
        assert_eq!(selector(Some("Handled"), b"not json"), "");
    }
}
