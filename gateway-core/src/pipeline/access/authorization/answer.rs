//! A Lambda authorizer's answer, read once: `principalId`, `policyDocument` (compiled with
//! [`Policy::parse_authorizer`]), `context` (values stringified) and `usageIdentifierKey`
//! (developer guide, "Output from an API Gateway Lambda authorizer"; research
//! iam-apigateway.md 2.5, pipeline-access.md 6.3).
//!
//! Whatever API Gateway cannot use is an [`AnswerError`], answered with
//! `AUTHORIZER_CONFIGURATION_ERROR` (500 `{"message": null}`): not JSON, not an object, no
//! string `principalId`, no `policyDocument` object or one the policy grammar refuses, a
//! `context` value that is an object or an array ("JSON objects and arrays are invalid"), a
//! `usageIdentifierKey` that is not a string. Other top-level keys are ignored. An empty
//! `principalId` is accepted (an AWS execution log shows "Using valid authorizer policy for
//! principal:" with an empty one, research 6.3).
//!
//! Untrusted input: the answer is bounded by [`MAX_ANSWER_BYTES`] before it is parsed, the
//! policy by gateway-policy's own limits; parsing never panics.
//!
//! ```
//! use gateway_core::pipeline::access::authorization::answer::{parse, AnswerError};
//! let answer = parse(br#"{"principalId": "user-1",
//!   "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke",
//!     "Effect": "Allow", "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc/prod/*"}]},
//!   "context": {"tier": "gold", "n": 1, "ok": true}}"#).unwrap();
//! assert_eq!(answer.principal_id, "user-1");
//! assert_eq!(answer.context["n"], "1");
//! assert!(matches!(parse(br#"{"statusCode": 200, "body": "hi"}"#), Err(AnswerError::NoPrincipalId)));
//! ```

use gateway_policy::{AuthorizerConfigError, Policy};
use serde_json::{Map, Value as Json};

/// Largest answer read (128 KiB). AWS's bound for REST authorizers is not recorded (8 KB is
/// listed for WebSocket APIs, research 6.3); this admits generated policies up to
/// gateway-policy's own [`gateway_policy::MAX_POLICY_BYTES`] while bounding parse time.
pub const MAX_ANSWER_BYTES: usize = gateway_policy::MAX_POLICY_BYTES;

/// What a Lambda authorizer answered, ready to be evaluated against any method ARN (so a
/// cached answer serves every method of the API).
#[derive(Debug, Clone)]
pub struct AuthorizerAnswer {
    /// `principalId` (`$context.authorizer.principalId`).
    pub principal_id: String,
    /// `policyDocument`, compiled.
    pub policy: Policy,
    /// `context`, each value stringified as API Gateway hands it on (`1` -> `"1"`, `true` ->
    /// `"true"`; `null` stays `null`), in the answer's order.
    pub context: Map<String, Json>,
    /// `usageIdentifierKey`: the API key for usage plans when the API's key source is
    /// `AUTHORIZER`.
    pub usage_identifier_key: Option<String>,
}

/// Why an answer cannot be used (each is `AUTHORIZER_CONFIGURATION_ERROR`).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// Larger than [`MAX_ANSWER_BYTES`].
    #[error("the authorizer's answer is {0} bytes, over {MAX_ANSWER_BYTES}")]
    TooLarge(usize),
    /// Not JSON.
    #[error("the authorizer's answer is not JSON: {0}")]
    NotJson(String),
    /// JSON, but not an object.
    #[error("the authorizer's answer is not a JSON object")]
    NotObject,
    /// No `principalId`, or not a string.
    #[error("the authorizer's answer has no string principalId")]
    NoPrincipalId,
    /// No `policyDocument`, or not an object.
    #[error("the authorizer's answer has no policyDocument object")]
    NoPolicyDocument,
    /// The `policyDocument` is not a policy API Gateway reads.
    #[error("{0}")]
    Policy(#[from] AuthorizerConfigError),
    /// `context` is not an object, or one of its values is an object or an array.
    #[error("the authorizer's context {0}")]
    Context(String),
    /// `usageIdentifierKey` is not a string.
    #[error("the authorizer's usageIdentifierKey is not a string")]
    UsageIdentifierKey,
}

/// Reads an authorizer's answer (the Invoke API's response payload).
pub fn parse(payload: &[u8]) -> Result<AuthorizerAnswer, AnswerError> {
    if payload.len() > MAX_ANSWER_BYTES {
        return Err(AnswerError::TooLarge(payload.len()));
    }
    let value: Json =
        serde_json::from_slice(payload).map_err(|e| AnswerError::NotJson(e.to_string()))?;
    let Json::Object(mut object) = value else {
        return Err(AnswerError::NotObject);
    };
    let principal_id = match object.remove("principalId") {
        Some(Json::String(s)) => s,
        _ => return Err(AnswerError::NoPrincipalId),
    };
    let policy = match object.get("policyDocument") {
        Some(document @ Json::Object(_)) => Policy::parse_authorizer(&document.to_string())?,
        _ => return Err(AnswerError::NoPolicyDocument),
    };
    let context = match object.remove("context") {
        None | Some(Json::Null) => Map::new(),
        Some(Json::Object(map)) => stringified(map)?,
        Some(_) => return Err(AnswerError::Context("is not an object".into())),
    };
    let usage_identifier_key = match object.remove("usageIdentifierKey") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s),
        Some(_) => return Err(AnswerError::UsageIdentifierKey),
    };
    Ok(AuthorizerAnswer {
        principal_id,
        policy,
        context,
        usage_identifier_key,
    })
}

/// The context's values as API Gateway hands them on: strings as they are, numbers and
/// booleans in their JSON text, `null` kept (research pipeline-access.md 1.4).
fn stringified(map: Map<String, Json>) -> Result<Map<String, Json>, AnswerError> {
    map.into_iter()
        .map(|(key, value)| {
            let value = match value {
                Json::String(s) => Json::String(s),
                Json::Null => Json::Null,
                v @ (Json::Number(_) | Json::Bool(_)) => Json::String(v.to_string()),
                Json::Object(_) | Json::Array(_) => {
                    return Err(AnswerError::Context(format!(
                        "value {key:?} is an object or an array"
                    )));
                }
            };
            Ok((key, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}"#;

    fn with(extra: &str) -> Vec<u8> {
        format!(r#"{{"principalId":"p","policyDocument":{POLICY}{extra}}}"#).into_bytes()
    }

    #[test]
    fn context_values_are_stringified() {
        // Developer guide, api-gateway-lambda-authorizer-output: "$context.authorizer.numKey
        // ... returns "1""; booleans likewise; research 1.4 (null stays null).
        let a = parse(&with(
            r#","context":{"s":"x","n":1,"f":1.5,"b":true,"z":null}"#,
        ))
        .unwrap();
        assert_eq!(a.context["s"], "x");
        assert_eq!(a.context["n"], "1");
        assert_eq!(a.context["f"], "1.5");
        assert_eq!(a.context["b"], "true");
        assert_eq!(a.context["z"], Json::Null);
        let keys: Vec<&String> = a.context.keys().collect();
        assert_eq!(keys, ["s", "n", "f", "b", "z"]);
    }

    #[test]
    fn malformed_answers_are_refused() {
        // Research 6.3: a proxy-style {statusCode, body} answer, object or array context
        // values, a missing policyDocument: 500 AuthorizerConfigurationException.
        assert!(matches!(parse(b"nope"), Err(AnswerError::NotJson(_))));
        assert!(matches!(parse(b"[1]"), Err(AnswerError::NotObject)));
        assert!(matches!(
            parse(br#"{"statusCode":200,"body":"{}"}"#),
            Err(AnswerError::NoPrincipalId)
        ));
        assert!(matches!(
            parse(br#"{"principalId":"p"}"#),
            Err(AnswerError::NoPolicyDocument)
        ));
        assert!(matches!(
            parse(br#"{"principalId":7,"policyDocument":{}}"#),
            Err(AnswerError::NoPrincipalId)
        ));
        assert!(matches!(
            parse(&with(r#","context":{"o":{"a":1}}"#)),
            Err(AnswerError::Context(_))
        ));
        assert!(matches!(
            parse(&with(r#","context":{"l":[1]}"#)),
            Err(AnswerError::Context(_))
        ));
        assert!(matches!(
            parse(&with(r#","usageIdentifierKey":5"#)),
            Err(AnswerError::UsageIdentifierKey)
        ));
        assert!(matches!(
            parse(br#"{"principalId":"p","policyDocument":{"Version":"2012-10-17"}}"#),
            Err(AnswerError::Policy(_))
        ));
        let big = vec![b' '; MAX_ANSWER_BYTES + 1];
        assert!(matches!(parse(&big), Err(AnswerError::TooLarge(_))));
    }

    #[test]
    fn usage_key_and_empty_principal_are_kept() {
        let a = parse(&with(r#","usageIdentifierKey":"key-1""#)).unwrap();
        assert_eq!(a.usage_identifier_key.as_deref(), Some("key-1"));
        let empty = format!(r#"{{"principalId":"","policyDocument":{POLICY}}}"#);
        assert_eq!(parse(empty.as_bytes()).unwrap().principal_id, "");
    }
}
