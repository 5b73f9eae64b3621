//! SigV4 verification of a signed GET with three signed headers (`accept;host;x-amz-date`):
//! cold (the signing key derived for every request: four extra HMACs) and warm (the key taken
//! from the verifier's cache), and warm in two steps (`claim`, then `check_signature` with the
//! secret, as a host with an awaited key store runs it). Goal: under 1.5 µs warm.
//!
//! Run: `cargo bench -p gateway-policy --bench sigv4`.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use gateway_policy::sigv4::{InMemoryCredentialStore, Payload, RequestRef, Signer, Verifier};
use http::{HeaderMap, HeaderName, HeaderValue};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const PATH: &str = "/prod/pets";
const QUERY: &str = "limit=2&type=dog";

fn verifier(cache: usize) -> Verifier {
    let mut store = InMemoryCredentialStore::new();
    store.insert_user(AKID, SECRET, "arn:aws:iam::123456789012:user/alice", vec![]);
    Verifier::new(store)
        .region("us-east-1")
        .key_cache_capacity(cache)
}

fn bench(c: &mut Criterion) {
    // 20150830T123600Z.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let mut headers = HeaderMap::new();
    headers.insert(
        "host",
        HeaderValue::from_static("abc123.execute-api.us-east-1.amazonaws.com"),
    );
    headers.insert("accept", HeaderValue::from_static("application/json"));
    let signed = Signer::new(AKID, SECRET, "us-east-1", "execute-api")
        .sign(
            RequestRef::new("GET", PATH, QUERY, &headers),
            Payload::Bytes(b""),
            now,
        )
        .expect("sign");
    for (name, value) in signed.headers {
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("name"),
            value,
        );
    }
    assert!(
        headers["authorization"]
            .to_str()
            .expect("ascii")
            .contains("SignedHeaders=accept;host;x-amz-date,")
    );
    let request = RequestRef::new("GET", PATH, QUERY, &headers);

    let mut group = c.benchmark_group("sigv4_verify_get_3_signed_headers");
    let cold = verifier(0);
    assert!(cold.verify(request, Payload::Bytes(b""), now).is_ok());
    group.bench_function("cold_key_derived_each_time", |b| {
        b.iter(|| cold.verify(black_box(request), Payload::Bytes(b""), black_box(now)))
    });
    let warm = verifier(1024);
    assert!(warm.verify(request, Payload::Bytes(b""), now).is_ok());
    group.bench_function("warm_key_cache", |b| {
        b.iter(|| warm.verify(black_box(request), Payload::Bytes(b""), black_box(now)))
    });
    let two_step = verifier(1024);
    let check = |v: &Verifier| {
        let claim = v.claim(black_box(request), black_box(now))?;
        v.check_signature(&claim, Payload::Bytes(b""), black_box(SECRET))
    };
    assert!(check(&two_step).is_ok());
    group.bench_function("warm_two_steps_claim_then_check", |b| {
        b.iter(|| check(&two_step))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
