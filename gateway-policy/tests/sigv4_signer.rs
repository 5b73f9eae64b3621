//! The signer as an HTTP integration uses it: sign `http` request parts in place (header or
//! presigned form, with or without a session token) and have the verifier accept the result.

use std::sync::Arc;
use std::time::Duration;

use gateway_policy::sigv4::{
    AuthError, CallerIdentity, Credential, InMemoryCredentialStore, Payload, RequestRef, SignError,
    Signer, Verifier, parse_time,
};

const AKID: &str = "ASIAEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE+/=";

fn verifier() -> Verifier {
    let mut store = InMemoryCredentialStore::new();
    store.insert(
        AKID,
        Credential {
            secret_access_key: SECRET.to_owned(),
            session_token: Some(TOKEN.to_owned()),
            expires_at: None,
            identity: Arc::new(CallerIdentity::default()),
        },
    );
    Verifier::new(store).region("eu-west-1")
}

fn parts(uri: &str) -> http::request::Parts {
    let (parts, ()) = http::Request::builder()
        .method("PUT")
        .uri(uri)
        .header("host", "abc123.execute-api.eu-west-1.amazonaws.com")
        .header("content-type", "application/json")
        .body(())
        .unwrap()
        .into_parts();
    parts
}

fn signer() -> Signer {
    Signer::new(AKID, SECRET, "eu-west-1", "execute-api").session_token(TOKEN)
}

#[test]
fn header_form_applied_to_http_parts_verifies() {
    let t = parse_time("2024-02-29T23:59:30Z").unwrap();
    let body = br#"{"id":7}"#;
    let mut p = parts("/prod/pets/7?dry-run=true");
    let signed = signer()
        .sign(RequestRef::from_parts(&p), Payload::Bytes(body), t)
        .unwrap();
    signed.apply_to(&mut p).unwrap();
    assert_eq!(p.headers["x-amz-security-token"], TOKEN);
    assert_eq!(p.headers["x-amz-date"], "20240229T235930Z");
    assert!(p.headers["authorization"].to_str().unwrap().starts_with(
        "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240229/eu-west-1/execute-api/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
    ));
    assert_eq!(p.uri.query(), Some("dry-run=true"));
    assert!(
        verifier()
            .verify(RequestRef::from_parts(&p), Payload::Bytes(body), t)
            .is_ok()
    );
    // The body is signed: another body fails.
    assert!(matches!(
        verifier().verify(RequestRef::from_parts(&p), Payload::Bytes(b"{}"), t),
        Err(AuthError::SignatureMismatch { .. })
    ));
}

#[test]
fn presigned_form_applied_to_http_parts_verifies_with_the_token_signed_or_appended() {
    let t = parse_time("20240101T000000Z").unwrap();
    for signed_token in [true, false] {
        let mut p = parts("/prod/pets?x=1");
        let signed = signer()
            .presigned(Duration::from_secs(300))
            .sign_session_token(signed_token)
            .sign(RequestRef::from_parts(&p), Payload::Bytes(b""), t)
            .unwrap();
        signed.apply_to(&mut p).unwrap();
        let query = p.uri.query().unwrap().to_owned();
        assert!(
            query.starts_with("x=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
            "{query}"
        );
        assert!(query.contains("X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2B%2F%3D"));
        assert_eq!(
            signed.canonical_request.contains("X-Amz-Security-Token"),
            signed_token
        );
        assert!(
            verifier()
                .verify(RequestRef::from_parts(&p), Payload::Bytes(b""), t)
                .is_ok(),
            "signed token: {signed_token}"
        );
    }
}

#[test]
fn unusable_signer_input_is_a_typed_error() {
    let t = parse_time("20240101T000000Z").unwrap();
    let p = parts("/");
    let bad_token = Signer::new(AKID, SECRET, "eu-west-1", "execute-api").session_token("a\nb");
    assert_eq!(
        bad_token
            .sign(RequestRef::from_parts(&p), Payload::Bytes(b""), t)
            .unwrap_err(),
        SignError::InvalidHeaderValue {
            what: "session token"
        }
    );
    for expires in [0, 604_801] {
        assert_eq!(
            signer()
                .presigned(Duration::from_secs(expires))
                .sign(RequestRef::from_parts(&p), Payload::Bytes(b""), t)
                .unwrap_err(),
            SignError::InvalidExpiry(expires)
        );
    }
    let year_10000 = parse_time("9999-12-31T23:59:59Z").unwrap() + Duration::from_secs(1);
    assert_eq!(
        signer()
            .sign(RequestRef::from_parts(&p), Payload::Bytes(b""), year_10000)
            .unwrap_err(),
        SignError::TimeOutOfRange
    );
}
