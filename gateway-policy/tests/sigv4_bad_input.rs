//! Hostile and malformed requests: garbage `Authorization` headers, huge header counts, malformed
//! dates and credentials. Each gets a typed 403 (never a panic, never unbounded work), and the
//! raw-request reader refuses what it cannot read with a typed error.

use std::time::{Duration, SystemTime};

use gateway_policy::sigv4::{
    AuthError, InMemoryCredentialStore, MAX_CANONICAL_REQUEST_BYTES, MAX_RAW_HEADER_LINES,
    MAX_SIGNED_HEADERS, Payload, RawRequest, RawRequestError, RequestRef, SignError, Signer,
    Verifier, parse_time,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SCOPE: &str = "AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request";

fn t0() -> SystemTime {
    parse_time("20150830T123600Z").unwrap()
}

fn verifier() -> Verifier {
    let mut store = InMemoryCredentialStore::new();
    store.insert_user(AKID, SECRET, "arn:aws:iam::123456789012:user/alice", vec![]);
    Verifier::new(store).region("us-east-1")
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn verify(h: &HeaderMap, query: &str) -> Result<(), AuthError> {
    verifier()
        .verify(
            RequestRef::new("GET", "/", query, h),
            Payload::Bytes(b""),
            t0(),
        )
        .map(|_| ())
}

fn kind(e: &AuthError) -> &'static str {
    match e {
        AuthError::IncompleteSignature { .. } => "incomplete",
        AuthError::SignatureMismatch { .. } => "mismatch",
        _ => "other",
    }
}

#[test]
fn garbage_authorization_headers_get_a_typed_403() {
    let cases: &[(&str, &str)] = &[
        ("", "incomplete"),
        ("   ", "incomplete"),
        (",,,,", "incomplete"),
        ("AWS4-HMAC-SHA256", "incomplete"),
        ("AWS4-HMAC-SHA256 ===", "incomplete"),
        (
            "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
            "incomplete",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=host, Signature=00",
            "incomplete",
        ),
        ("Basic dXNlcjpwYXNz", "incomplete"),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request/extra, SignedHeaders=host, Signature=00",
            "incomplete",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=not-hex",
            "mismatch",
        ),
    ];
    for (auth, expected) in cases {
        let mut h = headers(&[("host", "h"), ("x-amz-date", "20150830T123600Z")]);
        h.insert("authorization", HeaderValue::from_str(auth).unwrap());
        let e = verify(&h, "").unwrap_err();
        assert_eq!(kind(&e), *expected, "{auth:?}: {e:?}");
    }
}

#[test]
fn non_utf8_authorization_bytes_are_read_lossily_not_rejected_with_a_panic() {
    let mut h = headers(&[("host", "h"), ("x-amz-date", "20150830T123600Z")]);
    h.insert(
        "authorization",
        HeaderValue::from_bytes(
            b"AWS4-HMAC-SHA256 Credential=\xff\xfe, SignedHeaders=host, Signature=1",
        )
        .unwrap(),
    );
    let e = verify(&h, "").unwrap_err();
    assert!(
        e.to_string().starts_with("Credential must have exactly 5"),
        "{e}"
    );
}

#[test]
fn malformed_dates_are_refused_before_any_signing() {
    let auth =
        format!("AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host;x-amz-date, Signature=00");
    for date in [
        "",
        "0",
        "99999999T999999Z",
        "20151330T123600Z",
        "20150830T123660Z",
        "20150830t123600z",
        "+0150830T123600Z",
        "２０１５0830T123600Z",
        "Sun, 30 Aug 2015 12:36:00 GMT",
    ] {
        let Ok(v) = HeaderValue::from_str(date) else {
            continue;
        };
        let mut h = headers(&[("host", "h"), ("authorization", &auth)]);
        h.insert("x-amz-date", v);
        let e = verify(&h, "").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("Date must be in ISO-8601 'basic format'"),
            "{date:?}: {e}"
        );
    }
    // Far in the past or future: a clock error, with dates that still print.
    for date in ["00000101T000000Z", "99991231T235959Z"] {
        let h = headers(&[
            ("host", "h"),
            ("authorization", &auth),
            ("x-amz-date", date),
        ]);
        let e = verify(&h, "").unwrap_err();
        assert!(
            matches!(
                e,
                AuthError::SignatureExpired { .. } | AuthError::SignatureNotYetCurrent { .. }
            ),
            "{date}: {e:?}"
        );
    }
}

#[test]
fn malformed_presigned_queries_are_typed_errors() {
    for (query, starts) in [
        (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%ZZ&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
            "Credential must have exactly 5",
        ),
        (
            "X-Amz-Algorithm=x&X-Amz-Credential=a&X-Amz-Date=d&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
            "Date must be in ISO-8601",
        ),
        (
            "X-Amz-Signature=00",
            "AWS query-string parameters must include 'X-Amz-Algorithm'",
        ),
        (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=-1",
            "X-Amz-Expires should be a number",
        ),
        (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=99999999999999999999999",
            "X-Amz-Expires should be a number",
        ),
    ] {
        let h = headers(&[("host", "h")]);
        let e = verify(&h, query).unwrap_err();
        assert!(e.to_string().starts_with(starts), "{query}: {e}");
    }
}

#[test]
fn an_overlong_signed_headers_list_is_refused() {
    let names = vec!["host"; MAX_SIGNED_HEADERS + 1].join(";");
    let auth = format!("AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders={names}, Signature=00");
    let h = headers(&[
        ("host", "h"),
        ("authorization", &auth),
        ("x-amz-date", "20150830T123600Z"),
    ]);
    let e = verify(&h, "").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("SignedHeaders lists more than {MAX_SIGNED_HEADERS} headers.")
    );
}

#[test]
fn a_large_header_named_again_and_again_cannot_blow_up_the_canonical_request() {
    let big = "x".repeat(8 * 1024);
    let names = vec!["big"; MAX_SIGNED_HEADERS - 1].join(";");
    let auth =
        format!("AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host;{names}, Signature=00");
    let mut h = headers(&[
        ("host", "h"),
        ("authorization", &auth),
        ("x-amz-date", "20150830T123600Z"),
    ]);
    for _ in 0..64 {
        h.append("big", HeaderValue::from_str(&big).unwrap());
    }
    let e = verify(&h, "").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "SignedHeaders names headers whose canonical form exceeds {MAX_CANONICAL_REQUEST_BYTES} bytes."
        )
    );
}

#[test]
fn thousands_of_headers_still_verify_or_fail_cleanly() {
    let mut h = headers(&[("host", "h")]);
    for i in 0..5_000 {
        h.append(
            HeaderName::from_bytes(format!("x-junk-{i}").as_bytes()).unwrap(),
            HeaderValue::from_static("v"),
        );
    }
    // Signing all of them (with host and x-amz-date, 5,002) would make a SignedHeaders list the
    // verifier refuses, so the signer refuses too...
    let e = Signer::new(AKID, SECRET, "us-east-1", "execute-api")
        .sign(
            RequestRef::new("GET", "/", "", &h),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap_err();
    assert_eq!(e, SignError::TooManySignedHeaders(5_002));
    // ...and the verifier refuses such a list, as a 403, without computing anything.
    let names: Vec<String> = h.keys().map(|n| n.as_str().to_owned()).collect();
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders={};x-amz-date, Signature=00",
        names.join(";")
    );
    h.insert("authorization", HeaderValue::from_str(&auth).unwrap());
    h.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    let e = verify(&h, "").unwrap_err();
    assert!(matches!(e, AuthError::IncompleteSignature { .. }), "{e:?}");

    // With only a few of them signed, the rest are ignored and the request verifies.
    let mut small = headers(&[("host", "h")]);
    let signed = Signer::new(AKID, SECRET, "us-east-1", "execute-api")
        .sign(
            RequestRef::new("GET", "/", "", &small),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap();
    for (name, value) in signed.headers {
        small.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
    }
    for i in 0..5_000 {
        small.append(
            HeaderName::from_bytes(format!("x-junk-{i}").as_bytes()).unwrap(),
            HeaderValue::from_static("v"),
        );
    }
    assert!(verify(&small, "").is_ok());
}

#[test]
fn raw_requests_with_too_many_header_lines_are_refused() {
    let mut text = b"GET / HTTP/1.1\n".to_vec();
    for i in 0..=MAX_RAW_HEADER_LINES {
        text.extend_from_slice(format!("x-h{i}: v\n").as_bytes());
    }
    assert_eq!(
        RawRequest::parse(&text).unwrap_err(),
        RawRequestError::TooManyHeaderLines(MAX_RAW_HEADER_LINES)
    );
}

#[test]
fn an_expired_request_far_from_now_still_formats_its_message() {
    let signed_long_ago = parse_time("19700101T000000Z").unwrap();
    let h0 = headers(&[("host", "h")]);
    let signed = Signer::new(AKID, SECRET, "us-east-1", "execute-api")
        .sign(
            RequestRef::new("GET", "/", "", &h0),
            Payload::Bytes(b""),
            signed_long_ago,
        )
        .unwrap();
    let mut h = h0.clone();
    for (name, value) in signed.headers {
        h.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
    }
    // A clock far beyond year 9999 cannot print as a SigV4 date; the message falls back to
    // seconds rather than panicking.
    let far = SystemTime::UNIX_EPOCH + Duration::from_secs(400_000_000_000);
    let e = verifier()
        .verify(
            RequestRef::new("GET", "/", "", &h),
            Payload::Bytes(b""),
            far,
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Signature expired: 19700101T000000Z is now earlier than 399999999700 \
         (400000000000 - 5 min.)"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any `Authorization` value, any `X-Amz-Date`, any query: a 403, never a panic, and never
    /// acceptance (nothing here was signed with the secret).
    #[test]
    fn arbitrary_signature_parameters_never_panic_and_never_pass(
        auth in prop_oneof![
            "[ -~]{0,200}",
            "AWS4-HMAC-SHA256 Credential=[ -~]{0,80}, SignedHeaders=[a-z;:-]{0,40}, Signature=[0-9a-f]{0,70}",
        ],
        date in prop_oneof!["[0-9TZ]{0,20}", Just("20150830T123600Z".to_owned())],
        query in "[ -~]{0,120}",
    ) {
        let mut h = headers(&[("host", "h")]);
        if let Ok(v) = HeaderValue::from_str(&auth) {
            h.insert("authorization", v);
        }
        if let Ok(v) = HeaderValue::from_str(&date) {
            h.insert("x-amz-date", v);
        }
        let q = query.replace(['#', ' '], "");
        let e = verify(&h, &q).unwrap_err();
        prop_assert!(!e.to_string().is_empty());
    }

    /// Any bytes as a raw request: a typed parse error, or a request whose verification is a
    /// typed failure with a message.
    #[test]
    fn arbitrary_raw_requests_never_panic(text in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(raw) = RawRequest::parse(&text) {
            let e = verifier()
                .verify(raw.as_request(), raw.payload(), t0())
                .unwrap_err();
            prop_assert!(!e.to_string().is_empty());
        }
    }

    /// A correctly signed request with one byte of its signature changed always fails.
    #[test]
    fn flipping_any_signature_digit_fails(pos in 0usize..64, digit in 0u8..16) {
        let h0 = headers(&[("host", "abc.execute-api.us-east-1.amazonaws.com")]);
        let signed = Signer::new(AKID, SECRET, "us-east-1", "execute-api")
            .sign(RequestRef::new("GET", "/", "", &h0), Payload::Bytes(b""), t0())
            .unwrap();
        let mut sig = signed.signature.clone().into_bytes();
        let new = b"0123456789abcdef"[usize::from(digit)];
        prop_assume!(sig[pos] != new);
        sig[pos] = new;
        let sig = String::from_utf8(sig).unwrap();
        let mut h = h0.clone();
        for (name, value) in &signed.headers {
            let value = value.to_str().unwrap().replace(&signed.signature, &sig);
            h.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(&value).unwrap(),
            );
        }
        let is_mismatch = matches!(verify(&h, ""), Err(AuthError::SignatureMismatch { .. }));
        prop_assert!(is_mismatch);
    }
}
