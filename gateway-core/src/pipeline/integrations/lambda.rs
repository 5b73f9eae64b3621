//! What Lambda integrations (AWS_PROXY, and AWS with a Lambda URI) share: the function named
//! by the integration URI, with `${stageVariables.x}` substituted, and the selection value of
//! a Lambda custom integration's answer.

use bytes::Bytes;
use gateway_mapping::context::StageVariables;
use http::{Response, StatusCode};
use serde_json::Value as Json;

use crate::model::GatewayResponseType;
use crate::pipeline::backends::InvocationType;
use crate::pipeline::gateway_response::Failure;

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

/// The invocation type a Lambda custom integration asks for: the integration request header
/// `X-Amz-Invocation-Type` (mapped from `'Event'` or from a method request header; developer
/// guide, set-up-lambda-integration-async), `RequestResponse` when absent. The Invoke API
/// takes `Event`, `RequestResponse` and `DryRun`; another value is refused by Lambda, which
/// API Gateway answers as a configuration error: `Err` names it.
pub fn invocation_type(headers: &[(String, String)]) -> Result<InvocationType, String> {
    let Some((_, value)) = headers
        .iter()
        .rev()
        .find(|(name, _)| name.eq_ignore_ascii_case("x-amz-invocation-type"))
    else {
        return Ok(InvocationType::RequestResponse);
    };
    match value.as_str() {
        "RequestResponse" => Ok(InvocationType::RequestResponse),
        "Event" => Ok(InvocationType::Event),
        "DryRun" => Ok(InvocationType::DryRun),
        other => Err(format!(
            "X-Amz-Invocation-Type {:?} is not Event, RequestResponse or DryRun",
            crate::text::Escaped(other)
        )),
    }
}

/// What API Gateway answers, without invoking, when a Lambda custom integration's payload (the
/// request template's output, or the body passed through) is not JSON: Lambda's Invoke refuses
/// it (`InvalidRequestContentException`, "Could not parse request body into json: Could not
/// parse payload into json: ..."), so the function never runs, and API Gateway answers with
/// Lambda's message in its own `{"message": ...}` body (research session 12, 1: users'
/// captures of real AWS, 2016 to 2021). The detail after the prefixes is Jackson's on AWS and
/// serde_json's here. The status is not in any capture: 400 `BadRequestException` is inferred
/// from the recorded 413 `Request Too Long` of the same Lambda front end. An empty payload is
/// JSON enough: Lambda invokes the function with it.
pub fn payload_refusal(payload: &[u8]) -> Option<Response<Bytes>> {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let error = serde_json::from_slice::<serde::de::IgnoredAny>(payload).err()?;
    let failure = Failure::new(
        GatewayResponseType::Default4xx,
        format!(
            "Could not parse request body into json: Could not parse payload into json: {error}"
        ),
    )
    .with_status(StatusCode::BAD_REQUEST)
    .with_error_type("BadRequestException");
    // Not a gateway response (the captures have a space after the colon, which API Gateway's
    // 4XX default template does not write): the default's headers, the captured body.
    let mut response = failure.default_response();
    response.body = format!("{{\"message\": {}}}", failure.message_string());
    Some(response.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::gateway_response::ERROR_TYPE_HEADER;

    #[test]
    fn the_invocation_type_comes_from_the_mapped_header() {
        let h = |v: &str| vec![("X-Amz-Invocation-Type".to_owned(), v.to_owned())];
        assert_eq!(invocation_type(&[]), Ok(InvocationType::RequestResponse));
        assert_eq!(invocation_type(&h("Event")), Ok(InvocationType::Event));
        assert_eq!(invocation_type(&h("DryRun")), Ok(InvocationType::DryRun));
        let lower = vec![("x-amz-invocation-type".to_owned(), "Event".to_owned())];
        assert_eq!(invocation_type(&lower), Ok(InvocationType::Event));
        assert!(invocation_type(&h("event")).is_err(), "values are exact");
    }

    #[test]
    fn a_payload_that_is_not_json_is_refused_with_lambdas_message() {
        assert!(payload_refusal(b"").is_none());
        assert!(payload_refusal(b" \n").is_none());
        assert!(payload_refusal(br#"{"a": [1, "x"]}"#).is_none());
        assert!(payload_refusal(b"42").is_none());
        let refusal = payload_refusal(b"token=abc&team=x").unwrap();
        assert_eq!(refusal.status(), 400);
        assert_eq!(refusal.headers()[ERROR_TYPE_HEADER], "BadRequestException");
        assert_eq!(refusal.headers()["content-type"], "application/json");
        let body: Json = serde_json::from_slice(refusal.body()).unwrap();
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "Could not parse request body into json: Could not parse payload into json: "
            ),
            "{message}"
        );
        assert!(
            refusal.body().starts_with(b"{\"message\": \""),
            "one space, as AWS's"
        );
        assert!(payload_refusal(b"{\"a\": 1").is_some(), "truncated JSON");
    }

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
