//! MOCK: API Gateway answers from the request template alone. The status the integration
//! responses are selected on is the `statusCode` of the rendered request template (developer
//! guide, how-to-mock-integration); the integration's body is empty.

use serde_json::Value as Json;

/// The integration status of a MOCK request: the rendered template's `statusCode`.
///
/// Read as JSON first (`{"statusCode": 200}`), then leniently, as API Gateway also accepts
/// templates that are not strict JSON (`{statusCode: 200}`, a trailing comma): the first
/// `statusCode` key followed by `:` and a three-digit number. `"200"` (a string) is taken
/// too. `None` when there is no such number.
pub fn status_code(rendered: &str) -> Option<u16> {
    // Only `statusCode` is kept: the other members are skipped, not built (building the whole
    // object was a sixth of a MOCK request's instructions).
    #[derive(serde::Deserialize)]
    struct Rendered {
        #[serde(rename = "statusCode")]
        status_code: Option<Json>,
    }
    if let Ok(Rendered { status_code }) = serde_json::from_str::<Rendered>(rendered) {
        return match status_code {
            Some(Json::Number(n)) => n.as_u64().and_then(three_digits),
            Some(Json::String(s)) => s.trim().parse::<u16>().ok().and_then(three_digits),
            _ => None,
        };
    }
    let at = rendered.find("statusCode")?;
    let rest = rendered[at + "statusCode".len()..].trim_start_matches(['"', '\'']);
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<u16>().ok().and_then(three_digits)
}

fn three_digits<N: TryInto<u16>>(n: N) -> Option<u16> {
    n.try_into().ok().filter(|n| (100..=599).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_code_strict_and_lenient() {
        assert_eq!(status_code(r#"{"statusCode": 200}"#), Some(200));
        assert_eq!(status_code(r#"{"statusCode": "404"}"#), Some(404));
        assert_eq!(status_code("{statusCode: 500}"), Some(500));
        assert_eq!(status_code("{\n  \"statusCode\" : 201,\n}"), Some(201));
        assert_eq!(status_code(r#"{"other": 1}"#), None);
        assert_eq!(status_code(r#"{"statusCode": 99999}"#), None);
        assert_eq!(status_code(""), None);
        // Not an object: read leniently.
        assert_eq!(status_code(r#"["statusCode": 302]"#), Some(302));
        assert_eq!(
            status_code(r#"{"statusCode": null, "x": [1, {"y": 2}]}"#),
            None
        );
        assert_eq!(
            status_code(r#"{"a": {"statusCode": 1}, "statusCode": 203}"#),
            Some(203)
        );
    }
}
