//! `$util`: API Gateway's utility functions for mapping templates.
//!
//! AWS's mapping-template reference ("`$util` Variables") lists `escapeJavaScript`,
//! `parseJson`, `urlEncode`, `urlDecode`, `base64Encode` and `base64Decode`, with UTF-8 as the
//! character set unless stated otherwise. API Gateway runs on Java; each function here
//! reproduces the Java routine it is built on, byte for byte:
//!
//! - `escapeJavaScript`: Apache Commons Lang's `StringEscapeUtils.escapeJavaScript` (quotes,
//!   backslash and `/` escaped; control characters and everything outside ASCII as `\uXXXX`
//!   with upper-case hex, one escape per UTF-16 unit);
//! - `urlEncode` / `urlDecode`: `java.net.URLEncoder` / `URLDecoder` with UTF-8
//!   (`application/x-www-form-urlencoded`: a space is `+`);
//! - `base64Encode` / `base64Decode`: standard alphabet with padding over UTF-8 bytes.
//!
//! ```
//! use gateway_mapping::util;
//!
//! assert_eq!(util::escape_javascript("it's \"a/b\"\n"), r#"it\'s \"a\/b\"\n"#);
//! assert_eq!(util::url_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
//! assert_eq!(util::url_decode("a+b%26c").unwrap(), "a b&c");
//! assert_eq!(util::base64_encode("hello"), "aGVsbG8=");
//! assert_eq!(util::base64_decode("aGVsbG8=").unwrap(), "hello");
//! ```

use base64::Engine as _;

use crate::args::arg_text;
use crate::error::EvalError;
use crate::escape::{Escaped, HexCase, escape_into};
use crate::json_value::json_to_value;
use crate::limits::PARSE_BYTES_PER_STEP;
use crate::render::Meter;
use crate::value::{Cx, HostObject, Value};

/// A `$util` function refused its argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UtilError {
    /// `$util.parseJson` was given text that is not JSON.
    #[error("$util.parseJson: invalid JSON: {0}")]
    InvalidJson(String),
    /// `$util.urlDecode` met a `%` not followed by two hex digits.
    #[error("$util.urlDecode: bad escape at offset {offset}: {found:?} is not %XX")]
    BadUrlEscape {
        /// Byte offset of the `%`.
        offset: usize,
        /// The text found there.
        found: String,
    },
    /// `$util.base64Decode` was given text that is not base64.
    #[error("$util.base64Decode: invalid base64: {0}")]
    InvalidBase64(String),
}

/// `$util.escapeJavaScript(s)`: escapes `s` for a JavaScript string literal.
///
/// AWS's reference: "This function will turn any regular single quotes (') into escaped ones
/// (\')". The rest follows Commons Lang's `escapeJavaScript`, which the function is named
/// after: `"` `\` `/` escaped with a backslash; `\b` `\t` `\n` `\f` `\r`; other characters
/// below U+0020 and every character above U+007F (DEL stays) as `\uXXXX` (upper-case hex, UTF-16 units,
/// so characters beyond the BMP become a surrogate pair).
pub fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_javascript_into(s, &mut out);
    out
}

/// [`escape_javascript`], appending to `out`.
fn escape_javascript_into(s: &str, out: &mut String) {
    escape_into(s, out, HexCase::Upper, |c| {
        Some(match c {
            '\'' => Escaped::As("\\'"),
            '"' => Escaped::As("\\\""),
            '\\' => Escaped::As("\\\\"),
            '/' => Escaped::As("\\/"),
            '\u{8}' => Escaped::As("\\b"),
            '\t' => Escaped::As("\\t"),
            '\n' => Escaped::As("\\n"),
            '\u{c}' => Escaped::As("\\f"),
            '\r' => Escaped::As("\\r"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => Escaped::Unicode,
            _ => return None,
        })
    });
}

/// `$util.urlEncode(s)`: `application/x-www-form-urlencoded` as `java.net.URLEncoder` with
/// UTF-8: letters, digits and `.-*_` stay, a space becomes `+`, every other byte `%XX`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    url_encode_into(s, &mut out);
    out
}

/// [`url_encode`], appending to `out`. Runs of bytes that stay as they are (all ASCII, so
/// each run starts and ends on a character boundary) are copied whole.
fn url_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut plain_from = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_') {
            continue;
        }
        if i > plain_from {
            out.push_str(s.get(plain_from..i).unwrap_or_default());
        }
        plain_from = i + 1;
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    if s.len() > plain_from {
        out.push_str(s.get(plain_from..).unwrap_or_default());
    }
}

/// `$util.urlDecode(s)`: the inverse of [`url_encode`] as `java.net.URLDecoder` with UTF-8:
/// `+` is a space, `%XX` a byte; bytes that are not UTF-8 become U+FFFD; a `%` without two
/// hex digits after it is an error (Java throws `IllegalArgumentException`).
pub fn url_decode(s: &str) -> Result<String, UtilError> {
    if !s.contains(['%', '+']) {
        return Ok(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes.get(i + 1..i + 3);
                let byte = hex
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .filter(|_| hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)));
                let Some(byte) = byte else {
                    let end = (i + 3).min(bytes.len());
                    return Err(UtilError::BadUrlEscape {
                        offset: i,
                        found: String::from_utf8_lossy(&bytes[i..end]).into_owned(),
                    });
                };
                out.push(byte);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `$util.base64Encode(s)`: the UTF-8 bytes of `s` in standard base64 with padding.
pub fn base64_encode(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// `$util.base64Decode(s)`: standard base64 (padding optional) decoded, the bytes read as
/// UTF-8 (invalid sequences become U+FFFD, as Java's `new String(bytes, UTF_8)` does).
pub fn base64_decode(s: &str) -> Result<String, UtilError> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine
        .decode(s.trim().as_bytes())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| UtilError::InvalidBase64(e.to_string()))
}

/// `$util.parseJson(s)`: the JSON value `s` holds (objects keep their key order).
pub fn parse_json(s: &str) -> Result<serde_json::Value, UtilError> {
    serde_json::from_str(s).map_err(|e| UtilError::InvalidJson(e.to_string()))
}

/// `$util` as a template sees it: a stateless object whose methods are the functions of
/// this module. Put it in the scope as `util` (see [`crate::context::mapping_scope`]).
///
/// Arguments that are not strings are first printed as Java would (`$util.urlEncode(5)` is
/// `5`); a null argument gives null. A function that refuses its argument (invalid JSON,
/// invalid base64, a bad `%` escape) stops the template with an error, which API Gateway
/// turns into a 500.
///
/// ```
/// use gateway_mapping::util::Util;
/// use gateway_mapping::{EngineOptions, Scope, Template, Value};
///
/// let mut scope = Scope::new();
/// scope.set("util", Value::object(Util));
/// let t = Template::compile(
///     "$util.urlEncode('a b') $util.base64Encode('hi') $util.parseJson('{\"a\":[1,2]}').a.size()",
///     &EngineOptions::default(),
/// )?;
/// assert_eq!(t.render(&scope)?, "a+b aGk= 2");
/// # Ok::<(), gateway_mapping::TemplateError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Util;

impl HostObject for Util {
    fn property(&self, _name: &str, _meter: &mut Meter) -> Result<Value, EvalError> {
        Ok(Value::Null)
    }

    fn call(&self, method: &str, args: &[Value], cx: &mut Cx<'_>) -> Result<Value, EvalError> {
        let [arg] = args else {
            return Ok(Value::Null);
        };
        let Some(text) = arg_text(arg) else {
            return Ok(Value::Null);
        };
        let err = |e: UtilError| EvalError::new(e.to_string());
        Ok(match method {
            "escapeJavaScript" => Value::from(escape_javascript(&text)),
            "parseJson" => {
                // Parsing and converting are linear in the text: charged to the render.
                cx.meter.spend(text.len() as u64 / PARSE_BYTES_PER_STEP)?;
                json_to_value(&parse_json(&text).map_err(err)?)
            }
            "urlEncode" => Value::from(url_encode(&text)),
            "urlDecode" => Value::from(url_decode(&text).map_err(err)?),
            "base64Encode" => Value::from(base64_encode(&text)),
            "base64Decode" => Value::from(base64_decode(&text).map_err(err)?),
            _ => Value::Null,
        })
    }

    /// `escapeJavaScript` and `urlEncode` write straight into the output.
    fn print_call(
        &self,
        method: &str,
        args: &[Value],
        out: &mut String,
        cx: &mut Cx<'_>,
    ) -> Result<Option<Value>, EvalError> {
        let write: fn(&str, &mut String) = match method {
            "escapeJavaScript" => escape_javascript_into,
            "urlEncode" => url_encode_into,
            _ => return self.call(method, args, cx).map(Some),
        };
        let [arg] = args else {
            return Ok(Some(Value::Null));
        };
        let Some(text) = arg_text(arg) else {
            return Ok(Some(Value::Null));
        };
        write(&text, out);
        Ok(None)
    }

    fn render(&self) -> String {
        "$util".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escape_javascript_escapes_single_quotes() {
        // AWS mapping-template reference, `$util.escapeJavaScript()`: "This function will turn
        // any regular single quotes (') into escaped ones (\')".
        assert_eq!(escape_javascript("don't"), "don\\'t");
    }

    #[test]
    fn escape_javascript_escapes_quotes_backslash_and_slash() {
        // Commons Lang StringEscapeUtils.escapeJavaScript: `He didn't say, "Stop!"` becomes
        // `He didn\'t say, \"Stop!\"` (its Javadoc example); `/` is escaped as `\/`.
        assert_eq!(
            escape_javascript(r#"He didn't say, "Stop!""#),
            r#"He didn\'t say, \"Stop!\""#
        );
        assert_eq!(escape_javascript(r"a\b/c"), r"a\\b\/c");
    }

    #[test]
    fn escape_javascript_escapes_control_characters() {
        assert_eq!(
            escape_javascript("a\tb\nc\rd\u{8}e\u{c}"),
            "a\\tb\\nc\\rd\\be\\f"
        );
        assert_eq!(escape_javascript("\u{1}\u{1f}"), "\\u0001\\u001F");
        assert_eq!(escape_javascript("\u{7f}"), "\u{7f}");
    }

    #[test]
    fn escape_javascript_escapes_non_ascii_as_utf16_units() {
        assert_eq!(escape_javascript("é"), "\\u00E9");
        assert_eq!(escape_javascript("€"), "\\u20AC");
        assert_eq!(escape_javascript("😀"), "\\uD83D\\uDE00");
    }

    #[test]
    fn escape_javascript_of_compact_json_escapes_every_quote() {
        assert_eq!(escape_javascript(r#"{"a":"b"}"#), r#"{\"a\":\"b\"}"#);
    }

    #[test]
    fn url_encode_matches_recorded_outputs() {
        // localstack tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
        // TestApiGatewayCommon::test_input_body_formatting, "response-url-encode": on real API
        // Gateway `$util.urlEncode` turned `{}` into `%7B%7D`, `{"some": "value"}` into
        // `%7B%22some%22%3A+%22value%22%7D` and `some raw data` into `some+raw+data`.
        assert_eq!(url_encode("{}"), "%7B%7D");
        assert_eq!(
            url_encode(r#"{"some": "value"}"#),
            "%7B%22some%22%3A+%22value%22%7D"
        );
        assert_eq!(url_encode("some raw data"), "some+raw+data");
    }

    #[test]
    fn url_encode_keeps_javas_unreserved_set() {
        assert_eq!(url_encode("az AZ09.-*_~!'()"), "az+AZ09.-*_%7E%21%27%28%29");
        assert_eq!(url_encode("ü"), "%C3%BC");
    }

    #[test]
    fn url_decode_reads_plus_as_space_and_percent_bytes() {
        assert_eq!(url_decode("a+b%20c%C3%BC").unwrap(), "a b cü");
        assert_eq!(url_decode("%ff").unwrap(), "\u{fffd}");
        assert_eq!(url_decode("plain").unwrap(), "plain");
    }

    #[test]
    fn url_decode_refuses_truncated_or_non_hex_escapes() {
        assert_eq!(
            url_decode("ab%4").unwrap_err(),
            UtilError::BadUrlEscape {
                offset: 2,
                found: "%4".into()
            }
        );
        assert!(url_decode("%zz").is_err());
        assert!(url_decode("%+1").is_err());
    }

    #[test]
    fn base64_round_trips_utf8() {
        assert_eq!(base64_encode(""), "");
        assert_eq!(base64_encode("test-data"), "dGVzdC1kYXRh");
        assert_eq!(base64_decode("dGVzdC1kYXRh").unwrap(), "test-data");
        assert_eq!(base64_decode("aGk").unwrap(), "hi");
        assert!(matches!(
            base64_decode("@@@"),
            Err(UtilError::InvalidBase64(_))
        ));
    }

    #[test]
    fn parse_json_keeps_key_order_and_reports_errors() {
        // AWS mapping-template reference, `$util.parseJson()` example payload.
        let v = parse_json(r#"{"key1":"var1","key2":{"arr":[1,2,3]}}"#).unwrap();
        assert_eq!(v["key2"]["arr"][0], 1);
        assert_eq!(v.as_object().unwrap().keys().next().unwrap(), "key1");
        assert!(matches!(parse_json("{"), Err(UtilError::InvalidJson(_))));
    }

    /// Character by character, the plain statement of what the escapers do (the escapers
    /// copy runs of unchanged text whole).
    fn escape_javascript_model(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '\'' | '"' | '\\' | '/' => {
                    out.push('\\');
                    out.push(c);
                }
                '\u{8}' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\u{c}' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04X}"));
                    }
                }
                c => out.push(c),
            }
        }
        out
    }

    fn url_encode_model(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                    char::from(b).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    proptest! {
        #[test]
        fn escapers_match_their_character_by_character_model(
            s in "(\\PC|[ '\"\\\\/\\x00-\\x1f\\x7f]|[a-z]{1,5}){0,30}",
        ) {
            prop_assert_eq!(escape_javascript(&s), escape_javascript_model(&s));
            prop_assert_eq!(url_encode(&s), url_encode_model(&s));
        }

        #[test]
        fn url_decode_inverts_url_encode(s in any::<String>()) {
            prop_assert_eq!(url_decode(&url_encode(&s)).unwrap(), s);
        }

        #[test]
        fn base64_decode_inverts_base64_encode(s in any::<String>()) {
            prop_assert_eq!(base64_decode(&base64_encode(&s)).unwrap(), s);
        }

        #[test]
        fn escape_javascript_output_is_printable_ascii(s in any::<String>()) {
            let e = escape_javascript(&s);
            prop_assert!(e.chars().all(|c| (' '..=char::from(0x7f)).contains(&c)), "not printable ASCII: {}", e);
        }
    }
}
