#![no_main]
//! SigV4 verification of arbitrary input against a fixed in-memory credential store.
//!
//! The first byte picks what the rest is:
//! - even: a whole raw HTTP/1.1 request (request line, headers, body), read with
//!   `RawRequest::parse` and verified;
//! - odd: the value of an `Authorization` header (and, after a newline, a query string) on an
//!   otherwise well-formed GET, so the fuzzer spends its time in the signature parser and the
//!   scope, clock and signature checks.
//!
//! Nothing is asserted but the absence of panics (and of hangs and unbounded memory, which
//! libFuzzer reports itself); every failure must be a typed `AuthError`.
use std::time::{Duration, SystemTime};

use gateway_policy::sigv4::{InMemoryCredentialStore, Payload, RawRequest, Verifier};
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
    let verifier = verifier();
    if mode % 2 == 0 {
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
