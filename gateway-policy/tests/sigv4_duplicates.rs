//! Signature parts given twice: two `Authorization` headers, a repeated `Credential`,
//! `SignedHeaders` or `Signature`, a repeated presigned query parameter.
//!
//! What AWS does, from scratchstack-aws-signature's "AWS Auth Error Ordering" chart (docs/ in
//! dacut/scratchstack-aws-signature, drawn from responses of AWS's SigV4 front end): it reads the
//! first `Authorization` header (step 6a), keeps the last of repeated header parameters (6c), the
//! first of repeated query parameters (7c) and the first `X-Amz-Date` header (6e). This gateway
//! refuses the repeats instead, as 403s worded like AWS's neighbouring messages: two readers of
//! one ambiguous header (a proxy, a log, this verifier) could disagree on who signed. It follows
//! AWS for repeated `X-Amz-Date` and `X-Amz-Security-Token` headers (the first is read), which
//! the signature covers whole.

use std::time::SystemTime;

use gateway_policy::sigv4::{
    AuthError, AuthErrorKind, InMemoryCredentialStore, Payload, RequestRef, Signer, Verifier,
    parse_time,
};
use http::{HeaderMap, HeaderName, HeaderValue};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";
const CREDENTIAL: &str = "AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request";

fn t0() -> SystemTime {
    parse_time("20150830T123600Z").unwrap()
}

fn verifier() -> Verifier {
    let mut store = InMemoryCredentialStore::new();
    store.insert_user(AKID, SECRET, "arn:aws:iam::123456789012:user/alice", vec![]);
    Verifier::new(store).region("us-east-1")
}

fn signer() -> Signer {
    Signer::new(AKID, SECRET, "us-east-1", "execute-api")
}

/// A GET signed in the `Authorization` header.
fn signed_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    let signed = signer()
        .sign(
            RequestRef::new("GET", "/prod/pets", "", &h),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap();
    for (name, value) in signed.headers {
        h.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
    }
    h
}

fn verify(h: &HeaderMap, query: &str) -> Result<(), AuthError> {
    verifier()
        .verify(
            RequestRef::new("GET", "/prod/pets", query, h),
            Payload::Bytes(b""),
            t0(),
        )
        .map(|_| ())
}

#[test]
fn the_unrepeated_request_verifies() {
    // The baseline every case below changes in one way.
    assert!(verify(&signed_headers(), "").is_ok());
}

#[test]
fn two_authorization_headers_are_refused_even_when_both_are_valid() {
    // AWS reads the first (scratchstack "AWS Auth Error Ordering", step 6a); refused here, as an
    // InvalidSignatureException like AWS's "Found both ..." conflict of two signatures.
    let mut h = signed_headers();
    let auth = h["authorization"].clone();
    h.append("authorization", auth);
    let e = verify(&h, "").unwrap_err();
    assert_eq!(
        e,
        AuthError::InvalidSignature {
            message: "Found more than one 'Authorization' HTTP header.".to_owned()
        }
    );
    assert_eq!(e.kind(), AuthErrorKind::InvalidSignature);
}

#[test]
fn a_repeated_authorization_parameter_is_refused_whichever_it_is() {
    // AWS keeps the last (scratchstack "AWS Auth Error Ordering", step 6c); refused here, as an
    // IncompleteSignatureException worded like AWS's "not a valid key=value pair" message.
    let h = signed_headers();
    let good = h["authorization"].to_str().unwrap().to_owned();
    let sig = good.rsplit("Signature=").next().unwrap().to_owned();
    for (key, extra) in [
        ("Credential", format!("Credential={CREDENTIAL}")),
        (
            "Credential",
            "Credential=AKIDOTHER/20150830/us-east-1/execute-api/aws4_request".to_owned(),
        ),
        ("SignedHeaders", "SignedHeaders=host;x-amz-date".to_owned()),
        ("Signature", format!("Signature={sig}")),
    ] {
        let value = format!("{good}, {extra}");
        let mut h = h.clone();
        h.insert("authorization", HeaderValue::from_str(&value).unwrap());
        let e = verify(&h, "").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("'{key}' appears more than once in Authorization header: '{value}'."),
        );
        assert_eq!(e.kind(), AuthErrorKind::IncompleteSignature);
    }
    // Before the signed fields, too: the first of them no longer wins.
    let value = good.replacen(
        "Credential=",
        "Credential=AKIDOTHER/20150830/us-east-1/execute-api/aws4_request, Credential=",
        1,
    );
    let mut h = h.clone();
    h.insert("authorization", HeaderValue::from_str(&value).unwrap());
    assert!(
        verify(&h, "")
            .unwrap_err()
            .to_string()
            .starts_with("'Credential' appears more than once")
    );
}

#[test]
fn a_piece_without_an_equal_sign_is_reported_before_a_repeat() {
    // Step 6b (key=value pairs) comes before 6c (repeats) in the ordering chart.
    let value = format!(
        "AWS4-HMAC-SHA256 Credential={CREDENTIAL}, Credential={CREDENTIAL}, SignedHeaders=host, Signature=00, junk"
    );
    let mut h = signed_headers();
    h.insert("authorization", HeaderValue::from_str(&value).unwrap());
    let e = verify(&h, "").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "'junk' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
        )
    );
}

/// A presigned GET's query.
fn presigned_query() -> String {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    signer()
        .presigned(std::time::Duration::from_secs(300))
        .session_token("token")
        .sign(
            RequestRef::new("GET", "/prod/pets", "", &h),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap()
        .query
}

fn host_only() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    h
}

#[test]
fn every_presigned_parameter_given_twice_is_refused() {
    // AWS keeps the first (scratchstack "AWS Auth Error Ordering", step 7c); refused here, in the
    // wording of AWS's "AWS query-string parameters must include ..." messages.
    let query = presigned_query();
    // The unrepeated request gets past the parameters (to the token check: the store's key has
    // no session token).
    assert_eq!(
        verify(&host_only(), &query).unwrap_err(),
        AuthError::InvalidSecurityToken
    );
    for name in [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Expires",
        "X-Amz-Security-Token",
    ] {
        let pair = query
            .split('&')
            .find(|p| p.starts_with(&format!("{name}=")))
            .unwrap();
        // The same pair again, and another value for it, at the end or at the start.
        for repeated in [
            format!("{query}&{pair}"),
            format!("{query}&{name}=other"),
            format!("{name}=other&{query}"),
        ] {
            let e = verify(&host_only(), &repeated).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "AWS query-string parameters must not repeat '{name}'. Re-examine the query-string parameters."
                ),
                "{repeated}"
            );
            assert_eq!(e.kind(), AuthErrorKind::IncompleteSignature);
        }
    }
}

#[test]
fn a_repeat_spelled_with_percent_escapes_is_still_a_repeat() {
    // Names are compared decoded, as the verifier reads the parameters.
    let query = format!("{}&X-Amz-Cred%65ntial=x", presigned_query());
    assert!(
        verify(&host_only(), &query)
            .unwrap_err()
            .to_string()
            .starts_with("AWS query-string parameters must not repeat 'X-Amz-Credential'.")
    );
}

#[test]
fn repeated_date_and_token_headers_are_read_first_as_aws_does() {
    // scratchstack "AWS Auth Error Ordering", step 6e: the first X-Amz-Date header is the date
    // (the first X-Amz-Security-Token likewise). The claim shows what was read.
    let mut h = signed_headers();
    h.append("x-amz-date", HeaderValue::from_static("20150830T123700Z"));
    h.append("x-amz-security-token", HeaderValue::from_static("first"));
    h.append("x-amz-security-token", HeaderValue::from_static("second"));
    let v = verifier();
    let claim = v
        .claim(RequestRef::new("GET", "/prod/pets", "", &h), t0())
        .unwrap();
    assert_eq!(claim.amz_date(), "20150830T123600Z");
    assert_eq!(claim.session_token(), Some("first"));
    // The signature covered one date, so the request now fails on the signature, not earlier.
    assert!(matches!(
        verify(&h, "").unwrap_err(),
        AuthError::SignatureMismatch { .. }
    ));
}
