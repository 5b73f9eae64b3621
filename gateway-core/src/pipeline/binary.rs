//! Binary payloads: the API's `binaryMediaTypes` (`x-amazon-apigateway-binary-media-types`)
//! compiled once, and the `contentHandling` conversions of API Gateway's two tables (research
//! validate-route-compress.md 4.2; developer guide, "Content type conversions in API
//! Gateway").
//!
//! - A request payload is *binary* when its `Content-Type` matches the list; a response is
//!   wanted as binary when the **first** media type of the request's `Accept` matches it
//!   (developer guide: only the first `Accept` media type is taken); an integration's
//!   answer is binary when its own `Content-Type` matches.
//! - Entries match case-insensitively, parameters (`; charset=...`) ignored; `*/*` matches
//!   every type and `type/*` every subtype of `type` (recorded on AWS: `application/*` matches
//!   `application/test` and even the literal `application/*`). A left wildcard (`*/test`) and
//!   a wildcard in the header (`Accept: image/*` against `image/png`) match nothing but
//!   themselves, and a missing header or one without `/` is never binary (LocalStack's
//!   `test_aws_proxy_binary_response`, validated against AWS).
//! - [`convert_request`] and [`convert_response`] apply the tables; "text" outcomes are UTF-8
//!   (bytes that are not UTF-8 become U+FFFD, as API Gateway's UTF-8 strings do), binary
//!   outcomes keep the bytes untouched. Text that must be base64 and is not is
//!   [`NotBase64`]: API Gateway's 500 `Internal server error` (an `API_CONFIGURATION_ERROR`:
//!   the developer guide's binary-support pages give a failed conversion as a 500 API
//!   configuration error; research 4.2), never a panic.
//!
//! Nothing here allocates when there is nothing to do: an API without `binaryMediaTypes` and
//! an integration without `contentHandling` leave valid UTF-8 bodies as they are (one UTF-8
//! check).

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

use super::integrations::lambda_proxy::LENIENT_BASE64;
use crate::model::ContentHandling;

/// The API's binary media types, compiled for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinaryMediaTypes {
    /// `*/*` is in the list.
    all: bool,
    /// `type/*` entries: the type, lowercase.
    any_subtype: Vec<String>,
    /// Every other entry, lowercase, parameters removed.
    exact: Vec<String>,
}

impl BinaryMediaTypes {
    /// Compiles the list as the API holds it (`binaryMediaTypes`).
    pub fn compile<S: AsRef<str>>(types: &[S]) -> BinaryMediaTypes {
        let mut compiled = BinaryMediaTypes::default();
        for entry in types {
            let Some(media_type) = essence(entry.as_ref()) else {
                continue;
            };
            let media_type = media_type.to_ascii_lowercase();
            if media_type == "*/*" {
                compiled.all = true;
            } else if let Some(main) = media_type.strip_suffix("/*") {
                compiled.any_subtype.push(main.to_owned());
            } else {
                compiled.exact.push(media_type);
            }
        }
        compiled
    }

    /// Whether the list is empty ("binaryMediaTypes: Undefined" in the tables).
    pub fn is_empty(&self) -> bool {
        !self.all && self.any_subtype.is_empty() && self.exact.is_empty()
    }

    /// Whether a media type (a `Content-Type` value, parameters allowed) is in the list.
    pub fn matches(&self, media_type: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        let Some(media_type) = essence(media_type) else {
            return false;
        };
        if self.all {
            return true;
        }
        let main = media_type.split('/').next().unwrap_or_default();
        self.any_subtype
            .iter()
            .any(|t| t.eq_ignore_ascii_case(main))
            || self
                .exact
                .iter()
                .any(|t| t.eq_ignore_ascii_case(media_type))
    }

    /// Whether a payload is binary: its `Content-Type` (in `headers`) matches (no header:
    /// text). Reads nothing when the list is empty.
    pub fn is_binary(&self, headers: &HeaderMap) -> bool {
        !self.is_empty()
            && headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| self.matches(v))
    }

    /// Whether the client wants binary: the first media type of its `Accept` (in the
    /// request's `headers`) matches (no header: text). Reads nothing when the list is empty.
    pub fn accepts_binary(&self, headers: &HeaderMap) -> bool {
        !self.is_empty()
            && headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|first| self.matches(first))
    }
}

/// `type/subtype` without parameters and surrounding spaces; `None` without a `/`.
fn essence(media_type: &str) -> Option<&str> {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence.contains('/').then_some(essence)
}

/// A body that had to be base64 text and was not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unable to convert {direction} payload: the body is not base64 text: {reason}")]
pub struct NotBase64 {
    /// `request` or `response`.
    pub direction: &'static str,
    /// What the decoder found.
    pub reason: String,
}

/// The method request's body as the integration receives it (the request table):
/// `CONVERT_TO_BINARY` base64-decodes a text payload, `CONVERT_TO_TEXT` base64-encodes a
/// binary one; otherwise a binary payload passes untouched and a text one as UTF-8.
/// `binary` is [`BinaryMediaTypes::is_binary`] of the request's `Content-Type`.
pub fn convert_request(
    body: Bytes,
    binary: bool,
    handling: Option<ContentHandling>,
) -> Result<Bytes, NotBase64> {
    match (binary, handling) {
        (false, Some(ContentHandling::ConvertToBinary)) => decode(&body, "request"),
        (false, _) => Ok(utf8(body)),
        (true, Some(ContentHandling::ConvertToText)) => Ok(encode(&body)),
        (true, _) => Ok(body),
    }
}

/// The integration's body as the method response carries it (the response table), before the
/// response template: `payload_binary` is [`BinaryMediaTypes::is_binary`] of the
/// integration's `Content-Type`, `accept_binary` [`BinaryMediaTypes::accepts_binary`] of the
/// request's `Accept`.
///
/// A text payload is base64-decoded under `CONVERT_TO_BINARY`, or with no `contentHandling`
/// when the client accepts binary; otherwise it stays UTF-8 text. A binary payload is
/// base64-encoded under `CONVERT_TO_TEXT`, or with no `contentHandling` when the client
/// accepts text; otherwise its bytes pass untouched.
pub fn convert_response(
    body: Bytes,
    payload_binary: bool,
    accept_binary: bool,
    handling: Option<ContentHandling>,
) -> Result<Bytes, NotBase64> {
    let wants_binary = match handling {
        Some(ContentHandling::ConvertToBinary) => true,
        Some(ContentHandling::ConvertToText) => false,
        None => accept_binary,
    };
    match (payload_binary, wants_binary) {
        (false, true) => decode(&body, "response"),
        (false, false) => Ok(utf8(body)),
        (true, false) => Ok(encode(&body)),
        (true, true) => Ok(body),
    }
}

/// A text payload: UTF-8, with U+FFFD for bytes that are not (no copy when it already is).
fn utf8(body: Bytes) -> Bytes {
    // std's validator (word-at-a-time on ASCII) first: most bodies are UTF-8 already.
    if std::str::from_utf8(&body).is_ok() {
        return body;
    }
    match String::from_utf8_lossy(&body) {
        Cow::Borrowed(_) => body,
        Cow::Owned(text) => Bytes::from(text),
    }
}

fn encode(body: &[u8]) -> Bytes {
    Bytes::from(STANDARD.encode(body))
}

/// Base64 as `java.util.Base64.getDecoder()` reads it (padding optional).
fn decode(body: &[u8], direction: &'static str) -> Result<Bytes, NotBase64> {
    LENIENT_BASE64
        .decode(body)
        .map(Bytes::from)
        .map_err(|e| NotBase64 {
            direction,
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContentHandling::{ConvertToBinary as B, ConvertToText as T};

    fn types(list: &[&str]) -> BinaryMediaTypes {
        BinaryMediaTypes::compile(list)
    }

    fn headers(name: http::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, http::HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn matching_follows_the_recorded_rules() {
        // LocalStack test_aws_proxy_binary_response (validated on AWS, research 4.2).
        let wild = types(&["application/*", "*/test", "image/png"]);
        assert!(wild.matches("application/whatever"));
        assert!(wild.matches("application/*"));
        assert!(wild.matches("Application/JSON; charset=utf-8"));
        assert!(
            !wild.matches("random/test"),
            "a left wildcard does not work"
        );
        assert!(wild.matches("image/png"));
        assert!(
            !wild.matches("image/*"),
            "a wildcard in the header is no entry"
        );
        assert!(!wild.matches("png"), "no slash: text");
        // Developer guide: "*/* includes all content types".
        assert!(types(&["*/*"]).matches("text/plain"));
        assert!(!types(&[]).matches("text/plain"));
        assert!(types(&[]).is_empty());
    }

    #[test]
    fn only_the_first_accept_type_counts() {
        // Developer guide (payload encodings workflow) and LocalStack's recorded test:
        // `image/webp,image/png,*/*` is text, `image/png,image/*,*/*` binary.
        let t = types(&["image/png"]);
        assert!(!t.accepts_binary(&headers(ACCEPT, "image/webp,image/png,*/*")));
        assert!(t.accepts_binary(&headers(ACCEPT, "image/png,image/*,*/*")));
        assert!(!t.accepts_binary(&HeaderMap::new()));
        assert!(!t.is_binary(&HeaderMap::new()));
        assert!(t.is_binary(&headers(CONTENT_TYPE, "image/png")));
        assert!(!t.is_binary(&headers(ACCEPT, "image/png")));
    }

    #[test]
    fn the_request_table() {
        // Developer guide, "Content type conversions in API Gateway", request table, row by row.
        let text = Bytes::from_static(b"aGk=");
        let bin = Bytes::from_static(&[0xff, 0x00, 0xfe]);
        // Text payload, any handling: as is / decoded / as is.
        assert_eq!(convert_request(text.clone(), false, None).unwrap(), "aGk=");
        assert_eq!(convert_request(text.clone(), false, Some(B)).unwrap(), "hi");
        assert_eq!(
            convert_request(text.clone(), false, Some(T)).unwrap(),
            "aGk="
        );
        // Binary payload: untouched / untouched / base64.
        assert_eq!(convert_request(bin.clone(), true, None).unwrap(), bin);
        assert_eq!(convert_request(bin.clone(), true, Some(B)).unwrap(), bin);
        assert_eq!(convert_request(bin.clone(), true, Some(T)).unwrap(), "/wD+");
        // A text payload that is not UTF-8 is a UTF-8 string.
        assert_eq!(
            convert_request(bin, false, None).unwrap(),
            "\u{fffd}\u{0}\u{fffd}"
        );
        let err = convert_request(Bytes::from_static(b"not base64!"), false, Some(B));
        assert_eq!(err.unwrap_err().direction, "request");
    }

    #[test]
    fn the_response_table() {
        // Developer guide, response table: (payload binary, accept binary, handling) -> out.
        let text = Bytes::from_static(b"aGk=");
        let bin = Bytes::from_static(&[0xff, 0x00, 0xfe]);
        let rows: [(bool, bool, Option<ContentHandling>, &[u8]); 12] = [
            (false, false, None, b"aGk="),
            (false, false, Some(B), b"hi"),
            (false, false, Some(T), b"aGk="),
            (false, true, None, b"hi"),
            (false, true, Some(B), b"hi"),
            (false, true, Some(T), b"aGk="),
            (true, false, None, b"/wD+"),
            (true, false, Some(B), &[0xff, 0x00, 0xfe]),
            (true, false, Some(T), b"/wD+"),
            (true, true, None, &[0xff, 0x00, 0xfe]),
            (true, true, Some(B), &[0xff, 0x00, 0xfe]),
            (true, true, Some(T), b"/wD+"),
        ];
        for (payload_binary, accept_binary, handling, out) in rows {
            let body = if payload_binary { &bin } else { &text };
            let got = convert_response(body.clone(), payload_binary, accept_binary, handling);
            assert_eq!(
                got.unwrap(),
                out,
                "{payload_binary} {accept_binary} {handling:?}"
            );
        }
        assert!(convert_response(Bytes::from_static(b"%%"), false, true, None).is_err());
    }

    #[test]
    fn nothing_to_do_copies_nothing() {
        let body = Bytes::from_static(b"{\"a\":1}");
        let out = convert_request(body.clone(), false, None).unwrap();
        assert_eq!(out.as_ptr(), body.as_ptr());
    }

    proptest::proptest! {
        #[test]
        fn any_body_converts_or_is_a_typed_error(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
            binary in proptest::prelude::any::<bool>(),
            accept in proptest::prelude::any::<bool>(),
            handling in 0u8..3,
        ) {
            let handling = [None, Some(B), Some(T)][usize::from(handling)];
            let body = Bytes::from(body);
            if let Ok(out) = convert_request(body.clone(), binary, handling)
                && !binary
                && handling != Some(B)
            {
                // Text outcomes are UTF-8.
                proptest::prop_assert!(std::str::from_utf8(&out).is_ok());
            }
            let _ = convert_response(body, binary, accept, handling);
        }

        #[test]
        fn matching_never_panics(entry in ".{0,24}", media_type in ".{0,24}") {
            let _ = types(&[entry.as_str()]).matches(&media_type);
        }
    }
}
