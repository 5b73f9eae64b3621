#![no_main]
//! SigV4 verification of arbitrary input against a fixed in-memory credential store.
//!
//! The first byte picks what the rest is (its value modulo 3):
//! - 0: a whole raw HTTP/1.1 request (request line, headers, body), read with
//!   `RawRequest::parse` and verified;
//! - 1: the value of an `Authorization` header (and, after a newline, a query string) on an
//!   otherwise well-formed GET, so the fuzzer spends its time in the signature parser and the
//!   scope, clock and signature checks;
//! - 2: `access-key|region|service`, a newline, then a raw request, which is signed; whatever is
//!   signed must verify once printed back as text the way `gateway sigv4 sign` prints it (the
//!   request's own lines byte for byte, less the headers the signature replaces, then the added
//!   ones). The in-memory round trip is `tests/sigv4_sign_refuses.rs`'s property.
//!
//! Modes 0 and 1 assert nothing but the absence of panics (and of hangs and unbounded memory,
//! which libFuzzer reports itself); every failure must be a typed `AuthError`. Mode 2 asserts
//! that the signer refuses (a typed `SignError`) whatever the verifier would refuse.
use std::time::{Duration, SystemTime};

use gateway_policy::sigv4::{
    InMemoryCredentialStore, Payload, RawRequest, SignedRequest, Signer, Verifier,
};
use libfuzzer_sys::fuzz_target;

/// 20150830T123600Z, the SigV4 test suite's timestamp.
const NOW_SECS: u64 = 1_440_938_160;

fn verifier() -> Verifier {
    let mut store = InMemoryCredentialStore::new();
    store.insert_user(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "arn:aws:iam::123456789012:user/alice",
        vec![],
    );
    Verifier::new(store).any_scope()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS);
    if mode % 3 == 2 {
        sign_then_verify(rest, now);
        return;
    }
    let verifier = verifier();
    if mode % 3 == 0 {
        if let Ok(raw) = RawRequest::parse(rest) {
            let _ = verifier.verify(raw.as_request(), raw.payload(), now);
        }
        return;
    }
    let (auth, query) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    // A well-formed GET around the fuzzed parts, read by the same raw-request parser.
    let request = |with_auth: bool| {
        let mut text = b"GET /?".to_vec();
        text.extend_from_slice(query);
        text.extend_from_slice(
            b" HTTP/1.1\nHost: example.amazonaws.com\nX-Amz-Date: 20150830T123600Z\n",
        );
        if with_auth {
            text.extend_from_slice(b"Authorization: ");
            text.extend_from_slice(auth);
            text.push(b'\n');
        }
        text
    };
    // With the header (the header form), then without it (the presigned-query form).
    for with_auth in [true, false] {
        if let Ok(raw) = RawRequest::parse(&request(with_auth)) {
            let _ = verifier.verify(raw.as_request(), Payload::Bytes(b""), now);
        }
    }
});

/// Signs the raw request after the first line with the credential parts on it; a signed request
/// must verify.
fn sign_then_verify(data: &[u8], now: SystemTime) {
    let (creds, text) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => return,
    };
    let creds = String::from_utf8_lossy(creds);
    let mut parts = creds.splitn(3, '|');
    let (akid, region, service) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let Ok(raw) = RawRequest::parse(text) else {
        return;
    };
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let Ok(signed) =
        Signer::new(akid, secret, region, service).sign(raw.as_request(), raw.payload(), now)
    else {
        return;
    };
    let mut store = InMemoryCredentialStore::new();
    store.insert_user(akid, secret, "arn:aws:iam::123456789012:user/fuzz", vec![]);
    let verifier = Verifier::new(store).region(region).service(service);

    let printed = print_signed(&raw, &signed);
    let reread = RawRequest::parse(&printed).expect("a printed signed request reads back");
    if let Err(e) = verifier.verify(reread.as_request(), reread.payload(), now) {
        panic!("signed and printed but refused: {e}");
    }
}

/// The signed request as text, as `gateway sigv4 sign` prints it.
fn print_signed(raw: &RawRequest, signed: &SignedRequest) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(raw.method().as_bytes());
    out.push(b' ');
    out.extend_from_slice(raw.path().as_bytes());
    if let Some(q) = raw.query() {
        out.push(b'?');
        out.extend_from_slice(q.as_bytes());
    }
    out.push(b' ');
    out.extend_from_slice(raw.version().as_bytes());
    out.push(b'\n');
    for (name, lines) in raw.header_fields() {
        if signed
            .headers
            .iter()
            .any(|(added, _)| name.as_str().eq_ignore_ascii_case(added))
        {
            continue;
        }
        for line in lines {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    for (name, value) in &signed.headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(raw.body());
    out
}
