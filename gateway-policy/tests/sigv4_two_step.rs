//! Verification in two steps around a key lookup the host makes itself (which may be awaited):
//! `Verifier::claim` reads and checks everything that needs no secret, then `verify_claim`,
//! `check_signature` or `check_signature_with_key` finish. The one-call `verify` is the same two
//! steps around the `CredentialStore`, so both must agree on every request.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use gateway_policy::sigv4::{
    AuthError, CallerIdentity, Claim, Credential, InMemoryCredentialStore, Payload, RequestRef,
    Signer, SigningKey, Verifier, parse_time,
};
use http::{HeaderMap, HeaderName, HeaderValue};

const AKID: &str = "ASIAEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "session-token";
const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";

fn t0() -> SystemTime {
    parse_time("20150830T123600Z").unwrap()
}

fn credential() -> Credential {
    Credential {
        secret_access_key: SECRET.to_owned(),
        session_token: Some(TOKEN.to_owned()),
        expires_at: Some(t0() + Duration::from_secs(3600)),
        identity: Arc::new(CallerIdentity {
            access_key: AKID.to_owned(),
            principal_arn: "arn:aws:sts::123456789012:assumed-role/reader/s".to_owned(),
            ..CallerIdentity::default()
        }),
    }
}

fn signer() -> Signer {
    Signer::new(AKID, SECRET, "us-east-1", "execute-api").session_token(TOKEN)
}

/// A signed POST (header form) or a presigned GET.
fn signed(presigned: bool) -> (HeaderMap, String) {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    let signer = if presigned {
        signer().presigned(Duration::from_secs(60))
    } else {
        signer()
    };
    let s = signer
        .sign(
            RequestRef::new("POST", "/prod/pets", "a=1", &h),
            Payload::Bytes(b"{}"),
            t0(),
        )
        .unwrap();
    for (name, value) in s.headers {
        h.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
    }
    (h, s.query)
}

fn request<'a>(h: &'a HeaderMap, query: &'a str) -> RequestRef<'a> {
    RequestRef::new("POST", "/prod/pets", query, h)
}

#[test]
fn a_claim_names_the_key_and_scope_before_any_secret_is_known() {
    // The claim is what the Authorization header (or presigned query) says, per AWS's "Create a
    // signed AWS API request": Credential=AKID/date/region/service/aws4_request.
    for presigned in [false, true] {
        let (h, q) = signed(presigned);
        let claim = Verifier::without_store()
            .region("us-east-1")
            .claim(request(&h, &q), t0())
            .unwrap();
        assert_eq!(claim.access_key_id(), AKID);
        assert_eq!(claim.date(), "20150830");
        assert_eq!(claim.region(), "us-east-1");
        assert_eq!(claim.service(), "execute-api");
        assert_eq!(claim.amz_date(), "20150830T123600Z");
        assert_eq!(claim.session_token(), Some(TOKEN));
        assert_eq!(claim.is_presigned(), presigned);
        assert_eq!(claim.signature().len(), 64);
        let expected_signed = if presigned {
            "host"
        } else {
            "host;x-amz-date;x-amz-security-token"
        };
        assert_eq!(claim.signed_headers(), expected_signed);
        assert_eq!(claim.request().path(), "/prod/pets");
    }
}

#[test]
fn a_request_refused_without_a_secret_never_reaches_the_lookup() {
    // A wrong region is a scope error (API Gateway: "Credential should be scoped to a valid
    // region, not 'us-east-1'. "), an old request is expired: both come from the claim.
    let (h, q) = signed(false);
    let e = Verifier::without_store()
        .region("eu-west-1")
        .claim(request(&h, &q), t0())
        .unwrap_err();
    assert!(
        matches!(e, AuthError::InvalidCredentialScope { .. }),
        "{e:?}"
    );
    let e = Verifier::without_store()
        .claim(request(&h, &q), t0() + Duration::from_secs(600))
        .unwrap_err();
    assert!(matches!(e, AuthError::SignatureExpired { .. }), "{e:?}");
    let unsigned = HeaderMap::new();
    assert_eq!(
        Verifier::without_store()
            .claim(request(&unsigned, ""), t0())
            .unwrap_err(),
        AuthError::MissingAuthenticationToken
    );
}

#[test]
fn two_steps_agree_with_the_one_call_verify() {
    let mut store = InMemoryCredentialStore::new();
    store.insert(AKID, credential());
    let one_call = Verifier::new(store).region("us-east-1");
    let two_step = Verifier::without_store().region("us-east-1");
    for presigned in [false, true] {
        let (h, q) = signed(presigned);
        let mut tampered = h.clone();
        tampered.insert("host", HeaderValue::from_static("other.example.com"));
        let mut wrong_token = h.clone();
        wrong_token.insert("x-amz-security-token", HeaderValue::from_static("nope"));
        for (h, body, now) in [
            (&h, &b"{}"[..], t0()),
            (&h, &b"{ }"[..], t0()),
            (&tampered, &b"{}"[..], t0()),
            (&wrong_token, &b"{}"[..], t0()),
            // Too late for the clock (and the credential's expiry): the claim fails first.
            (&h, &b"{}"[..], t0() + Duration::from_secs(3600)),
        ] {
            let r = request(h, &q);
            let one = one_call.verify(r, Payload::Bytes(body), now);
            let two = two_step.claim(r, now).and_then(|claim| {
                assert_eq!(claim.access_key_id(), AKID);
                two_step.verify_claim(&claim, Payload::Bytes(body), &credential(), now)
            });
            match (one, two) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.access_key, b.access_key);
                    assert_eq!(a.principal_arn, b.principal_arn);
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                (a, b) => panic!("one call {a:?}, two steps {b:?}"),
            }
        }
    }
}

#[test]
fn verify_claim_checks_the_session_token_after_the_signature() {
    // The verifier's order, as for `verify` (tests/sigv4_errors.rs, checks_run_in_aws_order,
    // after dynalite): the signature, then the session token; API Gateway's messages "The
    // security token included in the request is expired" / "... is invalid.".
    let v = Verifier::without_store();
    let (h, q) = signed(false);
    let claim = v.claim(request(&h, &q), t0()).unwrap();
    assert!(
        v.verify_claim(&claim, Payload::Bytes(b"{}"), &credential(), t0())
            .is_ok()
    );
    let expired = Credential {
        expires_at: Some(t0()),
        ..credential()
    };
    assert_eq!(
        v.verify_claim(&claim, Payload::Bytes(b"{}"), &expired, t0())
            .unwrap_err(),
        AuthError::ExpiredSecurityToken
    );
    let other_token = Credential {
        session_token: Some("another".to_owned()),
        ..credential()
    };
    assert_eq!(
        v.verify_claim(&claim, Payload::Bytes(b"{}"), &other_token, t0())
            .unwrap_err(),
        AuthError::InvalidSecurityToken
    );
    // check_signature alone ignores the token.
    assert!(
        v.check_signature(&claim, Payload::Bytes(b"{}"), SECRET)
            .is_ok()
    );
    assert!(matches!(
        v.check_signature(&claim, Payload::Bytes(b"{}"), "wrong secret"),
        Err(AuthError::SignatureMismatch { .. })
    ));
}

#[test]
fn a_signing_key_for_the_claims_scope_checks_the_signature() {
    // kSigning depends on the date, region and service only (AWS "Create a signed AWS API
    // request", step 3), so a key service can hand it out for the claim's scope.
    let v = Verifier::without_store();
    for presigned in [false, true] {
        let (h, q) = signed(presigned);
        let claim = v.claim(request(&h, &q), t0()).unwrap();
        let key = SigningKey::derive(SECRET, claim.date(), claim.region(), claim.service());
        assert!(
            v.check_signature_with_key(&claim, Payload::Bytes(b"{}"), &key)
                .is_ok()
        );
        let from_bytes = SigningKey::from_bytes(key.to_bytes());
        assert!(
            v.check_signature_with_key(&claim, Payload::Bytes(b"{}"), &from_bytes)
                .is_ok()
        );
        for other in [
            SigningKey::derive(SECRET, "20150831", claim.region(), claim.service()),
            SigningKey::derive(SECRET, claim.date(), "eu-west-1", claim.service()),
            SigningKey::derive(SECRET, claim.date(), claim.region(), "s3"),
        ] {
            assert!(matches!(
                v.check_signature_with_key(&claim, Payload::Bytes(b"{}"), &other),
                Err(AuthError::SignatureMismatch { .. })
            ));
        }
    }
}

#[test]
fn a_store_less_verifier_knows_no_keys() {
    let (h, q) = signed(false);
    assert_eq!(
        Verifier::without_store()
            .verify(request(&h, &q), Payload::Bytes(b"{}"), t0())
            .unwrap_err(),
        AuthError::InvalidSecurityToken
    );
}

#[test]
fn a_claim_can_be_sent_and_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Claim<'static>>();
    assert_send_sync::<SigningKey>();
    assert_send_sync::<Verifier>();
}

/// A lookup that is pending on its first poll, as a remote store would be.
struct SlowLookup {
    polls: Arc<AtomicUsize>,
    access_key_id: String,
}

impl Future for SlowLookup {
    type Output = Option<Credential>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls.fetch_add(1, Ordering::SeqCst) == 0 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready((self.access_key_id == AKID).then(credential))
    }
}

#[test]
fn the_claim_is_held_across_a_pending_lookup() {
    let v = Verifier::without_store().region("us-east-1");
    let polls = Arc::new(AtomicUsize::new(0));
    for presigned in [false, true] {
        let (h, q) = signed(presigned);
        let r = request(&h, &q);
        let polls2 = Arc::clone(&polls);
        let v = &v;
        let fut = async move {
            let claim = v.claim(r, t0())?;
            let credential = SlowLookup {
                polls: polls2,
                access_key_id: claim.access_key_id().to_owned(),
            }
            .await
            .ok_or(AuthError::InvalidSecurityToken)?;
            v.verify_claim(&claim, Payload::Bytes(b"{}"), &credential, t0())
        };
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        let mut pending = 0;
        let out = loop {
            match fut.as_mut().poll(&mut cx) {
                Poll::Ready(out) => break out,
                Poll::Pending => pending += 1,
            }
            assert!(pending < 10, "the lookup never finished");
        };
        assert_eq!(pending, 1, "the lookup was pending once");
        assert_eq!(out.unwrap().access_key, AKID);
        polls.store(0, Ordering::SeqCst);
    }
}
