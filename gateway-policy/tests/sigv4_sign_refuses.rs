//! The signer never produces a request its own verifier refuses: it refuses (a typed
//! `SignError`) whatever the verifier would refuse, by the verifier's rules and limits, and no
//! value it is given can inject a field into the `Authorization` header. The property at the end
//! checks it for arbitrary inputs, in memory and through raw HTTP text (as the CLI prints it).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gateway_policy::sigv4::{
    CallerIdentity, Credential, InMemoryCredentialStore, MAX_CANONICAL_REQUEST_BYTES,
    MAX_SIGNED_HEADERS, Payload, RawRequest, RequestRef, SignError, SignedRequest, Signer,
    Verifier, parse_time,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";

fn t0() -> SystemTime {
    parse_time("20150830T123600Z").unwrap()
}

fn signer() -> Signer {
    Signer::new(AKID, SECRET, "us-east-1", "execute-api")
}

fn verifier_for(akid: &str, token: Option<&str>, region: &str, service: &str) -> Verifier {
    let mut store = InMemoryCredentialStore::new();
    store.insert(
        akid,
        Credential {
            secret_access_key: SECRET.to_owned(),
            session_token: token.map(str::to_owned),
            expires_at: None,
            identity: Arc::new(CallerIdentity::default()),
        },
    );
    Verifier::new(store).region(region).service(service)
}

fn host() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    h
}

fn sign(signer: &Signer, h: &HeaderMap, query: &str) -> Result<SignedRequest, SignError> {
    signer.sign(
        RequestRef::new("GET", "/prod/pets", query, h),
        Payload::Bytes(b""),
        t0(),
    )
}

/// The request with the signature added: the headers set (replacing), the new query.
fn apply(h: &HeaderMap, signed: &SignedRequest) -> HeaderMap {
    let mut h = h.clone();
    for (name, value) in &signed.headers {
        h.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.clone(),
        );
    }
    h
}

#[test]
fn credential_parts_that_would_shift_or_inject_fields_are_refused() {
    // The credential is `AKID/date/region/service/aws4_request` and the Authorization header's
    // fields end at `,` or whitespace (AWS "Create a signed AWS API request", step 4: "There is
    // no comma after the algorithm name; the three fields are comma-separated").
    let bad_keys = [
        "AKID, SignedHeaders=host, Signature=00",
        "AKID SignedHeaders=x",
        "AKID/extra",
        "",
        "AKID\n",
        "AKIDÉ",
    ];
    for akid in bad_keys {
        let e = sign(
            &Signer::new(akid, SECRET, "us-east-1", "execute-api"),
            &host(),
            "",
        )
        .unwrap_err();
        assert_eq!(
            e,
            SignError::InvalidCredentialPart {
                what: "access key id",
                value: akid.to_owned()
            }
        );
    }
    for region in ["us/east-1", "us-east-1,", " us-east-1", ""] {
        let e = sign(
            &Signer::new(AKID, SECRET, region, "execute-api"),
            &host(),
            "",
        )
        .unwrap_err();
        assert!(
            matches!(e, SignError::InvalidCredentialPart { what: "region", .. }),
            "{e:?}"
        );
    }
    let e = sign(
        &Signer::new(AKID, SECRET, "us-east-1", "execute/api"),
        &host(),
        "",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the service \"execute/api\" cannot be part of a SigV4 credential"),
        "{e}"
    );
    // The presigned form refuses the same parts (the query encodes them, but the verifier still
    // splits the credential at `/`).
    let e = sign(
        &Signer::new(AKID, SECRET, "us/east-1", "execute-api").presigned(Duration::from_secs(60)),
        &host(),
        "",
    )
    .unwrap_err();
    assert!(matches!(e, SignError::InvalidCredentialPart { .. }));
}

#[test]
fn a_session_token_must_be_printable_ascii() {
    for token in ["", "a b", "tok\n", "tok\t", "jeton-é"] {
        let e = sign(&signer().session_token(token), &host(), "").unwrap_err();
        assert_eq!(
            e,
            SignError::InvalidHeaderValue {
                what: "session token"
            },
            "{token:?}"
        );
    }
}

#[test]
fn a_request_without_host_is_refused() {
    // The verifier: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    let mut h = HeaderMap::new();
    h.insert("accept", HeaderValue::from_static("*/*"));
    for s in [signer(), signer().presigned(Duration::from_secs(60))] {
        let e = sign(&s, &h, "").unwrap_err();
        assert_eq!(e, SignError::MissingHost);
        assert_eq!(
            e.to_string(),
            "the request has no Host header, which SigV4 must sign"
        );
    }
}

#[test]
fn more_headers_than_the_verifier_accepts_are_refused_at_the_same_bound() {
    // host + x-amz-date + n others: exactly MAX_SIGNED_HEADERS signs, one more does not.
    let with = |n: usize| {
        let mut h = host();
        for i in 0..n {
            h.insert(
                HeaderName::from_bytes(format!("x-h{i}").as_bytes()).unwrap(),
                HeaderValue::from_static("v"),
            );
        }
        h
    };
    let at_bound = with(MAX_SIGNED_HEADERS - 2);
    let signed = sign(&signer(), &at_bound, "").unwrap();
    assert!(
        verifier_for(AKID, None, "us-east-1", "execute-api")
            .verify(
                RequestRef::new("GET", "/prod/pets", "", &apply(&at_bound, &signed)),
                Payload::Bytes(b""),
                t0()
            )
            .is_ok()
    );
    let e = sign(&signer(), &with(MAX_SIGNED_HEADERS - 1), "").unwrap_err();
    assert_eq!(e, SignError::TooManySignedHeaders(MAX_SIGNED_HEADERS + 1));
    assert_eq!(
        e.to_string(),
        format!(
            "the request has {} headers to sign, more than the {MAX_SIGNED_HEADERS} a verifier accepts",
            MAX_SIGNED_HEADERS + 1
        )
    );
    // Ten thousand headers (as a raw request file can hold) are refused the same way.
    let e = sign(&signer(), &with(10_000), "").unwrap_err();
    assert_eq!(e, SignError::TooManySignedHeaders(10_002));
}

#[test]
fn a_canonical_request_over_the_verifiers_bound_is_refused() {
    let mut h = host();
    h.insert(
        "x-big",
        HeaderValue::from_str(&"x".repeat(MAX_CANONICAL_REQUEST_BYTES)).unwrap(),
    );
    for s in [signer(), signer().presigned(Duration::from_secs(60))] {
        let e = sign(&s, &h, "").unwrap_err();
        assert_eq!(e, SignError::CanonicalRequestTooLarge);
        assert_eq!(
            e.to_string(),
            format!(
                "the canonical request would exceed {MAX_CANONICAL_REQUEST_BYTES} bytes, more than a verifier accepts"
            )
        );
    }
    // Just under the bound signs and verifies.
    let mut h = host();
    h.insert(
        "x-big",
        HeaderValue::from_str(&"x".repeat(MAX_CANONICAL_REQUEST_BYTES - 1024)).unwrap(),
    );
    let signed = sign(&signer(), &h, "").unwrap();
    assert!(
        verifier_for(AKID, None, "us-east-1", "execute-api")
            .verify(
                RequestRef::new("GET", "/prod/pets", "", &apply(&h, &signed)),
                Payload::Bytes(b""),
                t0()
            )
            .is_ok()
    );
}

#[test]
fn an_unsigned_token_cannot_make_the_verifiers_first_attempt_too_large() {
    // The verifier first tries a presigned request with the token signed; when that canonical
    // request is over its bound it refuses before trying without the token.
    let token = "t".repeat(4096);
    let mut h = host();
    let room = MAX_CANONICAL_REQUEST_BYTES - 2048;
    h.insert("x-big", HeaderValue::from_str(&"x".repeat(room)).unwrap());
    let s = signer()
        .session_token(&token)
        .sign_session_token(false)
        .presigned(Duration::from_secs(60));
    assert_eq!(
        sign(&s, &h, "").unwrap_err(),
        SignError::CanonicalRequestTooLarge
    );
}

#[test]
fn signature_parts_already_on_the_request_are_refused_when_they_would_clash() {
    let presign = signer().presigned(Duration::from_secs(60));
    // A presigned request with an Authorization header: the verifier answers "Found both ...".
    let mut h = host();
    h.insert("authorization", HeaderValue::from_static("Bearer x"));
    assert_eq!(
        sign(&presign, &h, "").unwrap_err(),
        SignError::Conflict {
            what: "an Authorization header".to_owned()
        }
    );
    // A header-form signature on a URL that is presigned already: "Found both ..." again.
    let e = sign(&signer(), &host(), "X-Amz-Algorithm=AWS4-HMAC-SHA256").unwrap_err();
    assert!(matches!(e, SignError::Conflict { .. }), "{e:?}");
    // A presigned parameter already in the query, however spelled: a repeat the verifier refuses.
    for query in [
        "X-Amz-Credential=x",
        "a=1&X-Amz-Signature=00",
        "X-Amz-Cred%65ntial=x",
        "X-Amz-Expires=5",
    ] {
        let e = sign(&presign, &host(), query).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the request already carries an X-Amz-"),
            "{query}: {e}"
        );
    }
    // A session token the signer does not have: the verifier would check it against the key.
    let mut h = host();
    h.insert("x-amz-security-token", HeaderValue::from_static("stray"));
    for s in [signer(), presign.clone()] {
        assert!(matches!(
            sign(&s, &h, "").unwrap_err(),
            SignError::Conflict { .. }
        ));
    }
}

#[test]
fn an_old_signature_on_the_request_is_replaced_not_doubled() {
    // Re-signing (a retry): the old Authorization, X-Amz-Date and token are replaced.
    let mut h = host();
    h.insert(
        "authorization",
        HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=old"),
    );
    h.insert("x-amz-date", HeaderValue::from_static("20000101T000000Z"));
    h.insert(
        "x-amz-security-token",
        HeaderValue::from_static("old-token"),
    );
    for signed_token in [true, false] {
        let s = signer()
            .session_token("new-token")
            .sign_session_token(signed_token);
        let signed = sign(&s, &h, "").unwrap();
        let applied = apply(&h, &signed);
        assert_eq!(applied.get_all("authorization").iter().count(), 1);
        assert_eq!(applied["x-amz-date"], "20150830T123600Z");
        assert_eq!(applied["x-amz-security-token"], "new-token");
        assert!(
            verifier_for(AKID, Some("new-token"), "us-east-1", "execute-api")
                .verify(
                    RequestRef::new("GET", "/prod/pets", "", &applied),
                    Payload::Bytes(b""),
                    t0()
                )
                .is_ok(),
            "signed token: {signed_token}"
        );
    }
}

#[test]
fn header_bytes_that_are_not_utf8_sign_and_verify_in_memory_and_as_text() {
    let mut h = host();
    h.insert(
        "x-bin",
        HeaderValue::from_bytes(b"caf\xe9 \xff\xfe").unwrap(),
    );
    let signed = sign(&signer(), &h, "").unwrap();
    let applied = apply(&h, &signed);
    let v = verifier_for(AKID, None, "us-east-1", "execute-api");
    assert!(
        v.verify(
            RequestRef::new("GET", "/prod/pets", "", &applied),
            Payload::Bytes(b""),
            t0()
        )
        .is_ok()
    );
    let raw = RawRequest::parse(&to_text("GET", "/prod/pets", "", &applied, b"")).unwrap();
    assert!(v.verify(raw.as_request(), raw.payload(), t0()).is_ok());
}

/// The request as raw HTTP/1.1 text, header values byte for byte. An empty path is written `/`
/// (a request line needs a target; both canonicalise to `/`).
fn to_text(method: &str, path: &str, query: &str, h: &HeaderMap, body: &[u8]) -> Vec<u8> {
    let path = if path.is_empty() { "/" } else { path };
    let mut out = format!("{method} {path}").into_bytes();
    if !query.is_empty() {
        out.push(b'?');
        out.extend_from_slice(query.as_bytes());
    }
    out.extend_from_slice(b" HTTP/1.1\n");
    for (name, value) in h {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// A credential part: usually a plausible one, often anything printable or any text.
fn part(plausible: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        20 => plausible,
        1 => "[ -~]{0,12}",
        1 => "\\PC{0,6}",
    ]
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just("host".to_owned()),
        1 => Just("authorization".to_owned()),
        2 => Just("x-amz-date".to_owned()),
        1 => Just("x-amz-security-token".to_owned()),
        2 => Just("x-amz-content-sha256".to_owned()),
        2 => Just("user-agent".to_owned()),
        2 => Just("content-type".to_owned()),
        12 => "x-[a-z0-9-]{1,8}",
    ]
}

/// Header value bytes: any byte `http` accepts in a value (obs-text included).
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff], 0..24)
}

/// A query: plain pairs mixed with presigned parameter names, some percent-encoded.
fn query() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        12 => "[a-zA-Z0-9._~-]{1,6}=[a-zA-Z0-9%+._~-]{0,8}",
        1 => Just("X-Amz-Algorithm=AWS4-HMAC-SHA256".to_owned()),
        1 => Just("X-Amz-Credential=x".to_owned()),
        1 => Just("X-Amz-Cred%65ntial=x".to_owned()),
        1 => Just("X-Amz-Security-Token=t".to_owned()),
        2 => Just("x-amz-signature=lower".to_owned()),
        4 => "[a-z]{1,4}",
    ];
    proptest::collection::vec(piece, 0..4).prop_map(|p| p.join("&"))
}

#[derive(Debug, Clone)]
struct Inputs {
    akid: String,
    region: String,
    service: String,
    token: Option<String>,
    sign_token: bool,
    content_sha256: bool,
    normalize: bool,
    expires: Option<u64>,
    method: &'static str,
    path: String,
    query: String,
    with_host: bool,
    headers: Vec<(String, Vec<u8>)>,
    extra_headers: usize,
    body: Vec<u8>,
    secs: u64,
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        (
            part("[A-Z0-9]{4,20}"),
            part("[a-z]{2}-[a-z]{4,7}-[1-3]"),
            part("[a-z][a-z0-9-]{1,12}"),
            proptest::option::of(part("[A-Za-z0-9+/=]{8,40}")),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::weighted(0.4, 0u64..700_000),
        ),
        (
            prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE")],
            "(/[a-zA-Z0-9%._~-]{0,6}){0,4}",
            query(),
            proptest::bool::weighted(0.9),
            proptest::collection::vec((header_name(), header_value()), 0..8),
            prop_oneof![8 => Just(0usize), 1 => 240usize..270],
            proptest::collection::vec(any::<u8>(), 0..48),
            // Years 1970 to 9999, sometimes past it (which cannot be signed).
            prop_oneof![20 => 0u64..253_402_300_800, 1 => 253_402_300_800u64..260_000_000_000],
        ),
    )
        .prop_map(
            |(
                (akid, region, service, token, sign_token, content_sha256, normalize, expires),
                (method, path, query, with_host, headers, extra_headers, body, secs),
            )| Inputs {
                akid,
                region,
                service,
                token,
                sign_token,
                content_sha256,
                normalize,
                expires,
                method,
                path,
                query,
                with_host,
                headers,
                extra_headers,
                body,
                secs,
            },
        )
}

impl Inputs {
    fn header_map(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if self.with_host {
            h.insert("host", HeaderValue::from_static(HOST));
        }
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value),
            ) {
                h.append(n, v);
            }
        }
        for i in 0..self.extra_headers {
            h.append(
                HeaderName::from_bytes(format!("x-extra-{i}").as_bytes()).unwrap(),
                HeaderValue::from_static("v"),
            );
        }
        h
    }

    fn signer(&self) -> Signer {
        let mut s = Signer::new(&self.akid, SECRET, &self.region, &self.service)
            .sign_session_token(self.sign_token)
            .content_sha256_header(self.content_sha256)
            .normalize_path(self.normalize);
        if let Some(t) = &self.token {
            s = s.session_token(t);
        }
        if let Some(e) = self.expires {
            s = s.presigned(Duration::from_secs(e));
        }
        s
    }

    fn verifier(&self) -> Verifier {
        verifier_for(
            &self.akid,
            self.token.as_deref(),
            &self.region,
            &self.service,
        )
        .normalize_path(self.normalize)
    }

    /// Whether nothing here is one of the things the signer must refuse, so it must sign.
    fn plainly_signable(&self, h: &HeaderMap) -> bool {
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'/' && b != b',')
        };
        let names: std::collections::BTreeSet<&str> = h
            .keys()
            .map(|n| n.as_str())
            .chain(["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"])
            .collect();
        plain(&self.akid)
            && plain(&self.region)
            && plain(&self.service)
            && self
                .token
                .as_deref()
                .is_none_or(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
            && self.secs <= 253_402_300_799
            && self.expires.is_none_or(|e| (1..=604_800).contains(&e))
            && h.contains_key("host")
            && names.len() <= MAX_SIGNED_HEADERS
            && !h.contains_key("x-amz-security-token")
            && !h.contains_key("authorization")
            && !self.query.contains("X-Amz-")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// For arbitrary credentials, options, requests and times: the signer refuses with a typed
    /// error, or the verifier (same key, scope, token and time) accepts what it signed, in
    /// memory and read back from raw HTTP text. And plainly signable inputs are signed.
    #[test]
    fn sign_refuses_or_verify_accepts(i in inputs()) {
        let h = i.header_map();
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(i.secs);
        let request = RequestRef::new(i.method, &i.path, &i.query, &h);
        let signed = match i.signer().sign(request, Payload::Bytes(&i.body), time) {
            Ok(signed) => signed,
            Err(e) => {
                prop_assert!(!i.plainly_signable(&h), "refused plain input: {e}");
                prop_assert!(!e.to_string().is_empty());
                return Ok(());
            }
        };
        let applied = apply(&h, &signed);
        let verifier = i.verifier();
        let in_memory = verifier.verify(
            RequestRef::new(i.method, &i.path, &signed.query, &applied),
            Payload::Bytes(&i.body),
            time,
        );
        prop_assert!(in_memory.is_ok(), "{:?}\n{}", in_memory, signed.canonical_request);
        // The same request as a request file: values byte for byte, read back by RawRequest.
        let text = to_text(i.method, &i.path, &signed.query, &applied, &i.body);
        let raw = RawRequest::parse(&text);
        prop_assert!(raw.is_ok(), "{:?}", raw);
        if let Ok(raw) = raw {
            let from_text = verifier.verify(raw.as_request(), raw.payload(), time);
            prop_assert!(from_text.is_ok(), "{:?}", from_text);
        }
    }
}
