//! Access logging: the stage's access-log format (`accessLogSettings.format`), compiled once
//! when the gateway is made, and one line per request written after the response is known,
//! through an [`AccessLogSink`] the host implements (research pipeline-access.md 11).
//!
//! - A format is any text with `$context` variables: every variable of the mapping-template
//!   reference plus the access-log-only ones (`status`, `responseLength`, `responseLatency`,
//!   `integrationStatus`, `integrationLatency`, `integration.*`, `error.*`, ...). The console's
//!   four are [`CLF`], [`JSON`], [`XML`] and [`CSV`] ([`preset`] names them).
//! - A variable with no value prints `-`, as API Gateway prints it (`"caller":"-"` for an
//!   unauthenticated call, research 11); `$context.customDomain.basePathMatched` prints
//!   `(none)` (no custom domain here); `$context.error.messageString` prints the quoted message.
//! - The format must name `$context.requestId` or `$context.extendedRequestId` (AWS, "Set up
//!   CloudWatch logging": "the format must include at least $context.requestId or
//!   $context.extendedRequestId"); an empty format is refused ("Access Log value must not be
//!   empty", recorded on AWS).
//! - Values are printed as they are, with control characters escaped
//!   ([`crate::text::escape_controls`]) so a line stays one line. How AWS escapes a `"` inside a
//!   JSON format is unconfirmed (research 11); we leave it as is, as the format's author wrote
//!   the quotes.
//! - The gateway calls the sink once per request, after the response is complete and before
//!   handing it back; a panic in the sink is caught and the line dropped, so a failing sink
//!   never fails a request. The sink must not block (hand the line to a writer: the `gateway`
//!   tool's stdout sink queues it to a thread and drops lines when the queue is full).
//!
//! ```
//! use gateway_core::pipeline::access_log::{AccessLogFormat, Finished, CLF};
//! use gateway_mapping::context::Context;
//!
//! let format = AccessLogFormat::compile("$context.requestId $context.status $context.identity.caller")?;
//! let mut context = Context::new();
//! context.set("requestId", "r-1");
//! let finished = Finished { status: 200, response_length: 2, response_latency_ms: 1 };
//! assert_eq!(format.render(&context, &finished), "r-1 200 -");
//! assert!(AccessLogFormat::compile(CLF).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::panic::{AssertUnwindSafe, catch_unwind};

use gateway_mapping::context::Context;

use crate::text::escape_controls;

/// The console's Common Log Format (AWS, "Set up CloudWatch logging", CLF example).
pub const CLF: &str = "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \"$context.httpMethod $context.resourcePath $context.protocol\" $context.status $context.responseLength $context.requestId $context.extendedRequestId";

/// The console's JSON format (same source).
pub const JSON: &str = "{ \"requestId\":\"$context.requestId\", \"extendedRequestId\":\"$context.extendedRequestId\", \"ip\": \"$context.identity.sourceIp\", \"caller\":\"$context.identity.caller\", \"user\":\"$context.identity.user\", \"requestTime\":\"$context.requestTime\", \"httpMethod\":\"$context.httpMethod\", \"resourcePath\":\"$context.resourcePath\", \"status\":\"$context.status\", \"protocol\":\"$context.protocol\", \"responseLength\":\"$context.responseLength\" }";

/// The console's XML format (same source).
pub const XML: &str = "<request id=\"$context.requestId\"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>";

/// The console's CSV format (same source).
pub const CSV: &str = "$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId";

/// Longest format taken, in bytes. AWS gives 3 KB for HTTP APIs' access-log template and no
/// figure for REST (research 11: unconfirmed); a format is configuration, so this only bounds
/// what a hostile file can make the gateway hold and print per request.
pub const MAX_FORMAT_LEN: usize = 16 * 1024;

/// What unset variables print (research 11).
pub const UNSET: &str = "-";

/// The console format a name stands for: `clf`, `json`, `xml`, `csv` (any case).
pub fn preset(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "clf" => Some(CLF),
        "json" => Some(JSON),
        "xml" => Some(XML),
        "csv" => Some(CSV),
        _ => None,
    }
}

/// Why a format is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessLogError {
    /// The format is empty (AWS: `Access Log value must not be empty`).
    #[error("Access Log value must not be empty")]
    Empty,
    /// The format names neither `$context.requestId` nor `$context.extendedRequestId`.
    #[error("the access log format must include $context.requestId or $context.extendedRequestId")]
    NoRequestId,
    /// The format is longer than [`MAX_FORMAT_LEN`].
    #[error("the access log format is {0} bytes, at most {MAX_FORMAT_LEN} allowed")]
    TooLong(usize),
}

/// One piece of a compiled format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text printed as it is.
    Literal(Box<str>),
    /// A variable: the first of these `$context` names that has a value, else [`UNSET`].
    Variable(Box<[&'static str]>),
    /// A variable not in the tables: looked up by its own name.
    Named(Box<str>),
    /// A variable with a fixed value here.
    Fixed(&'static str),
    /// `$context.status`, from [`Finished`].
    Status,
    /// `$context.responseLength`, from [`Finished`].
    ResponseLength,
    /// `$context.responseLatency`, from [`Finished`].
    ResponseLatency,
}

/// The `$context` names a variable reads, first set wins: the access-log names that are
/// another name's alias (research 11: `integration.error` = `integrationErrorMessage`,
/// `integration.status` the integration's status, `integration.requestId` =
/// `awsEndpointRequestId`).
fn variable(name: &str) -> Part {
    let names: &[&'static str] = match name {
        "integrationStatus" => &["integrationStatus", "integration.status"],
        "integration.status" => &["integration.status"],
        "integrationLatency" | "integration.latency" => {
            &["integrationLatency", "integration.latency"]
        }
        "integrationErrorMessage" | "integration.error" => {
            &["integrationErrorMessage", "integration.error"]
        }
        "integration.requestId" | "awsEndpointRequestId" => {
            &["awsEndpointRequestId", "integration.requestId"]
        }
        "customDomain.basePathMatched" => return Part::Fixed("(none)"),
        "status" => return Part::Status,
        "responseLength" => return Part::ResponseLength,
        "responseLatency" => return Part::ResponseLatency,
        other => {
            return match gateway_mapping::context::CONTEXT_VARIABLES
                .iter()
                .chain(ACCESS_LOG_VARIABLES)
                .find(|v| **v == other)
            {
                Some(known) => Part::Variable(Box::new([*known])),
                None => Part::Named(other.into()),
            };
        }
    };
    Part::Variable(names.into())
}

/// The access-log-only variables (AWS, "Variables for access logging"; research 11) that the
/// gateway fills; the others print `-`.
const ACCESS_LOG_VARIABLES: &[&str] = &[
    "integrationLatency",
    "authorize.error",
    "authorize.latency",
    "authorize.status",
    "authorizer.error",
    "authorizer.integrationLatency",
    "authorizer.integrationStatus",
    "authorizer.latency",
    "authorizer.requestId",
    "authorizer.status",
    "authenticate.error",
    "authenticate.latency",
    "authenticate.status",
    "waf.error",
    "waf.latency",
    "waf.status",
    "xrayTraceId",
];

/// An access-log format compiled once: literal text and the variables it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogFormat {
    parts: Vec<Part>,
    /// The literal bytes, to size a line once.
    literal_len: usize,
}

impl AccessLogFormat {
    /// Compiles a format: `$context.` followed by letters, digits, `_` and inner dots is a
    /// variable (a final `.` is text: `$context.status.` ends a sentence); anything else is
    /// text.
    pub fn compile(format: &str) -> Result<AccessLogFormat, AccessLogError> {
        if format.trim().is_empty() {
            return Err(AccessLogError::Empty);
        }
        if format.len() > MAX_FORMAT_LEN {
            return Err(AccessLogError::TooLong(format.len()));
        }
        const MARK: &str = "$context.";
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = format;
        let mut has_id = false;
        while let Some(at) = rest.find(MARK) {
            let after = &rest[at + MARK.len()..];
            let mut end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            while end > 0 && after.as_bytes()[end - 1] == b'.' {
                end -= 1;
            }
            let name = &after[..end];
            literal.push_str(&rest[..at]);
            if name.is_empty() {
                literal.push_str(MARK);
            } else {
                has_id |= name == "requestId" || name == "extendedRequestId";
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal).into()));
                }
                parts.push(variable(name));
            }
            rest = &after[end..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal.into()));
        }
        if !has_id {
            return Err(AccessLogError::NoRequestId);
        }
        let literal_len = parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.len(),
                _ => 0,
            })
            .sum();
        Ok(AccessLogFormat { parts, literal_len })
    }

    /// The line for a request's final `$context` and its response, without a line end.
    pub fn render(&self, context: &Context, finished: &Finished) -> String {
        use std::fmt::Write as _;
        let mut line = String::with_capacity(self.literal_len + 16 * self.parts.len());
        for part in &self.parts {
            // Writing to a String cannot fail.
            match part {
                Part::Literal(text) => line.push_str(text),
                Part::Fixed(text) => line.push_str(text),
                Part::Status => {
                    let _ = write!(line, "{}", finished.status);
                }
                Part::ResponseLength => {
                    let _ = write!(line, "{}", finished.response_length);
                }
                Part::ResponseLatency => {
                    let _ = write!(line, "{}", finished.response_latency_ms);
                }
                Part::Variable(names) => {
                    let value = names.iter().find_map(|n| context.lookup(n));
                    push_value(&mut line, value.as_deref());
                }
                Part::Named(name) => push_value(&mut line, context.lookup(name).as_deref()),
            }
        }
        line
    }
}

fn push_value(line: &mut String, value: Option<&str>) {
    match value {
        Some(v) if !v.is_empty() => line.push_str(&escape_controls(v)),
        _ => line.push_str(UNSET),
    }
}

/// Where access-log lines go; the host implements it (the library has no runtime and does
/// no I/O). Called once per request with the line (no line end), after the response is
/// complete and before the gateway hands it back: it must not block. A panic is caught and
/// the line dropped.
pub trait AccessLogSink: Send + Sync {
    /// Takes one line.
    fn write(&self, line: String);
}

/// What the last stage needs to know about the response, beside `$context`.
#[derive(Debug, Clone, Copy)]
pub struct Finished {
    /// The status sent (`$context.status`).
    pub status: u16,
    /// The body's length in bytes (`$context.responseLength`).
    pub response_length: usize,
    /// Milliseconds from arrival to the response (`$context.responseLatency`).
    pub response_latency_ms: u64,
}

/// The stage's entry: with a format and a sink, the line rendered from the request's final
/// `$context` and response and handed to the sink; without, nothing (one branch).
pub fn write(
    log: Option<(&AccessLogFormat, &dyn AccessLogSink)>,
    context: &Context,
    finished: Finished,
) {
    let Some((format, sink)) = log else {
        return;
    };
    let line = format.render(context, &finished);
    // A sink that panics loses its line, never the request.
    let _ = catch_unwind(AssertUnwindSafe(|| sink.write(line)));
}

/// Sets the `$context.error.*` variables of a failed request (and, for an integration
/// failure, `integrationErrorMessage`), for its access-log line; called only when a line is
/// written.
pub(crate) fn note_failure(context: &mut Context, failure: &super::Failure) {
    use crate::model::GatewayResponseType as T;
    context.set("error.message", failure.message.as_deref());
    context.set("error.messageString", failure.message_string());
    context.set("error.responseType", failure.response_type.as_str());
    if let Some(v) = &failure.validation_error_string {
        context.set("error.validationErrorString", v.as_str());
    }
    if matches!(
        failure.response_type,
        T::IntegrationFailure | T::IntegrationTimeout
    ) {
        context.set("integrationErrorMessage", failure.message.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn context() -> Context {
        let mut c = Context::new();
        c.set("requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
        c.set("extendedRequestId", "e_J36EirPHcEZgQ=");
        c.set("identity.sourceIp", "10.1.2.3");
        c.set("identity.caller", serde_json::Value::Null);
        c.set("identity.user", serde_json::Value::Null);
        c.set("requestTime", "15/Jun/2026:05:12:43 +0000");
        c.set("httpMethod", "GET");
        c.set("resourcePath", "/pets/{petId}");
        c.set("protocol", "HTTP/1.1");
        c
    }

    const DONE: Finished = Finished {
        status: 200,
        response_length: 42,
        response_latency_ms: 5,
    };

    #[test]
    fn the_console_formats_print_unset_variables_as_a_dash() {
        // research 11: the four console formats; unset values print `-`.
        let c = context();
        assert_eq!(
            AccessLogFormat::compile(CLF).unwrap().render(&c, &DONE),
            "10.1.2.3 - - [15/Jun/2026:05:12:43 +0000] \"GET /pets/{petId} HTTP/1.1\" 200 42 \
             c6af9ac6-7b61-11e6-9a41-93e8deadbeef e_J36EirPHcEZgQ="
        );
        let json: serde_json::Value =
            serde_json::from_str(&AccessLogFormat::compile(JSON).unwrap().render(&c, &DONE))
                .unwrap();
        assert_eq!(json["caller"], "-");
        assert_eq!(json["status"], "200");
        assert_eq!(json["responseLength"], "42");
        assert_eq!(json["ip"], "10.1.2.3");
        let xml = AccessLogFormat::compile(XML).unwrap().render(&c, &DONE);
        assert!(xml.starts_with("<request id=\"c6af9ac6-7b61-11e6-9a41-93e8deadbeef\">"));
        assert!(xml.contains("<user>-</user>"));
        let csv = AccessLogFormat::compile(CSV).unwrap().render(&c, &DONE);
        assert_eq!(csv.split(',').count(), 11);
        assert!(csv.starts_with("10.1.2.3,-,-,"));
    }

    #[test]
    fn variables_end_at_the_first_character_that_is_not_part_of_a_name() {
        let f = AccessLogFormat::compile("id=$context.requestId. st:$context.status;$context.")
            .unwrap();
        assert_eq!(
            f.render(&context(), &DONE),
            "id=c6af9ac6-7b61-11e6-9a41-93e8deadbeef. st:200;$context."
        );
    }

    #[test]
    fn unknown_and_alias_variables() {
        let mut c = context();
        c.set("integration.status", 503);
        c.set("integration.latency", 12);
        let f = AccessLogFormat::compile(
            "$context.requestId $context.integrationStatus $context.integrationLatency \
             $context.customDomain.basePathMatched $context.nope $context.waf.status",
        )
        .unwrap();
        assert_eq!(
            f.render(&c, &DONE),
            "c6af9ac6-7b61-11e6-9a41-93e8deadbeef 503 12 (none) - -"
        );
    }

    #[test]
    fn formats_aws_refuses_are_refused() {
        assert_eq!(AccessLogFormat::compile(" "), Err(AccessLogError::Empty));
        assert_eq!(
            AccessLogFormat::compile("$context.status"),
            Err(AccessLogError::NoRequestId)
        );
        assert!(AccessLogFormat::compile("$context.extendedRequestId").is_ok());
        let long = format!("$context.requestId{}", "x".repeat(MAX_FORMAT_LEN));
        assert!(matches!(
            AccessLogFormat::compile(&long),
            Err(AccessLogError::TooLong(_))
        ));
        assert_eq!(preset("CLF"), Some(CLF));
        assert_eq!(preset("other"), None);
    }

    #[test]
    fn control_characters_stay_escaped_on_one_line() {
        let mut c = context();
        c.set("identity.userAgent", "evil\nline");
        let f = AccessLogFormat::compile("$context.requestId $context.identity.userAgent").unwrap();
        assert!(!f.render(&c, &DONE).contains('\n'));
    }

    struct Lines(Mutex<Vec<String>>);
    impl AccessLogSink for Lines {
        fn write(&self, line: String) {
            self.0.lock().unwrap().push(line);
        }
    }
    struct Panics;
    impl AccessLogSink for Panics {
        fn write(&self, _: String) {
            panic!("the sink fails");
        }
    }

    #[test]
    fn the_stage_sets_the_last_values_and_survives_a_failing_sink() {
        let format = AccessLogFormat::compile(
            "$context.requestId $context.status $context.responseLength $context.responseLatency",
        )
        .unwrap();
        let sink = Lines(Mutex::new(Vec::new()));
        let c = context();
        let finished = Finished {
            status: 404,
            response_length: 7,
            response_latency_ms: 3,
        };
        write(Some((&format, &sink)), &c, finished);
        assert_eq!(
            sink.0.lock().unwrap().as_slice(),
            ["c6af9ac6-7b61-11e6-9a41-93e8deadbeef 404 7 3"]
        );
        write(Some((&format, &Panics)), &c, finished);
        write(None, &c, finished);
    }
}
