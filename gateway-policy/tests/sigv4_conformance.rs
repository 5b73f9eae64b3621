//! Conformance with the AWS SigV4 test suite (awslabs/aws-c-auth
//! `tests/aws-signing-test-suite/v4`, copied under `../shared/corpora/sigv4`, see its README).
//!
//! For every case: the signer reproduces the canonical request, string to sign and signature of
//! both forms byte for byte (and the header form's signed request text); the verifier accepts
//! both signed requests at the case's timestamp; and it rejects them when a signed part changes,
//! the secret differs, or the clock leaves the window.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gateway_policy::sigv4::{
    AuthError, CallerIdentity, Credential, InMemoryCredentialStore, RawRequest, RequestRef, Signer,
    Verifier, parse_time,
};
use http::{HeaderMap, HeaderValue};
use serde_json::Value;
use std::sync::Arc;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/sigv4/v4");

struct Case {
    name: String,
    dir: PathBuf,
    access_key: String,
    secret: String,
    token: Option<String>,
    region: String,
    service: String,
    time: SystemTime,
    expires: u64,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
}

impl Case {
    fn load(dir: &Path) -> Case {
        let ctx: Value =
            serde_json::from_slice(&std::fs::read(dir.join("context.json")).unwrap()).unwrap();
        let creds = &ctx["credentials"];
        Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            dir: dir.to_owned(),
            access_key: creds["access_key_id"].as_str().unwrap().to_owned(),
            secret: creds["secret_access_key"].as_str().unwrap().to_owned(),
            token: creds["token"].as_str().map(str::to_owned),
            region: ctx["region"].as_str().unwrap().to_owned(),
            service: ctx["service"].as_str().unwrap().to_owned(),
            time: parse_time(ctx["timestamp"].as_str().unwrap()).unwrap(),
            expires: ctx["expiration_in_seconds"].as_u64().unwrap(),
            normalize: ctx["normalize"].as_bool().unwrap(),
            sign_body: ctx["sign_body"].as_bool().unwrap(),
            omit_session_token: ctx["omit_session_token"].as_bool().unwrap_or(false),
        }
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap()
    }

    fn text(&self, name: &str) -> String {
        String::from_utf8(self.file(name)).unwrap()
    }

    fn signer(&self) -> Signer {
        let mut s = Signer::new(&self.access_key, &self.secret, &self.region, &self.service)
            .normalize_path(self.normalize)
            .sign_session_token(!self.omit_session_token);
        if let Some(t) = &self.token {
            s = s.session_token(t);
        }
        s
    }

    fn verifier(&self, secret: &str) -> Verifier {
        let mut store = InMemoryCredentialStore::new();
        store.insert(
            &self.access_key,
            Credential {
                secret_access_key: secret.to_owned(),
                session_token: self.token.clone(),
                expires_at: None,
                identity: Arc::new(CallerIdentity {
                    access_key: self.access_key.clone(),
                    ..CallerIdentity::default()
                }),
            },
        );
        Verifier::new(store)
            .region(&self.region)
            .service(&self.service)
            .normalize_path(self.normalize)
    }
}

fn cases() -> Option<Vec<Case>> {
    let dir = Path::new(CORPUS);
    if !dir.is_dir() {
        println!("skipping: the SigV4 corpus is absent ({CORPUS} not found)");
        return None;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("context.json").is_file())
        .collect();
    dirs.sort();
    Some(dirs.iter().map(|d| Case::load(d)).collect())
}

/// The signed request as HTTP text: the original lines, then the added headers.
fn signed_text(raw: &RawRequest, added: &[(&str, HeaderValue)], query: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let target = if query.is_empty() {
        raw.path().to_owned()
    } else {
        format!("{}?{query}", raw.path())
    };
    out.extend_from_slice(format!("{} {target} {}\n", raw.method(), raw.version()).as_bytes());
    for line in raw.header_lines() {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    for (name, value) in added {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(raw.body());
    out
}

#[test]
fn signer_reproduces_every_header_form_case_byte_for_byte() {
    let Some(cases) = cases() else { return };
    let mut passed = 0;
    for case in &cases {
        let raw = RawRequest::parse(&case.file("request.txt")).unwrap();
        let signed = case
            .signer()
            .content_sha256_header(case.sign_body)
            .sign(raw.as_request(), raw.payload(), case.time)
            .unwrap();
        assert_eq!(
            signed.canonical_request,
            case.text("header-canonical-request.txt"),
            "{}",
            case.name
        );
        assert_eq!(
            signed.string_to_sign,
            case.text("header-string-to-sign.txt"),
            "{}",
            case.name
        );
        assert_eq!(
            signed.signature,
            case.text("header-signature.txt"),
            "{}",
            case.name
        );
        let text = signed_text(&raw, &signed.headers, raw.query().unwrap_or(""));
        assert_eq!(
            String::from_utf8_lossy(&text),
            String::from_utf8_lossy(&case.file("header-signed-request.txt")),
            "{}",
            case.name
        );
        passed += 1;
    }
    println!(
        "header form: signer reproduced {passed}/{} cases",
        cases.len()
    );
    assert_eq!(passed, cases.len());
}

#[test]
fn signer_reproduces_every_presigned_case_byte_for_byte() {
    let Some(cases) = cases() else { return };
    let mut passed = 0;
    for case in &cases {
        let raw = RawRequest::parse(&case.file("request.txt")).unwrap();
        let signed = case
            .signer()
            .presigned(Duration::from_secs(case.expires))
            .sign(raw.as_request(), raw.payload(), case.time)
            .unwrap();
        assert_eq!(
            signed.canonical_request,
            case.text("query-canonical-request.txt"),
            "{}",
            case.name
        );
        assert_eq!(
            signed.string_to_sign,
            case.text("query-string-to-sign.txt"),
            "{}",
            case.name
        );
        assert_eq!(
            signed.signature,
            case.text("query-signature.txt"),
            "{}",
            case.name
        );
        let text = signed_text(&raw, &signed.headers, &signed.query);
        assert_eq!(
            String::from_utf8_lossy(&text),
            String::from_utf8_lossy(&case.file("query-signed-request.txt")),
            "{}",
            case.name
        );
        passed += 1;
    }
    println!(
        "query form: signer reproduced {passed}/{} cases",
        cases.len()
    );
    assert_eq!(passed, cases.len());
}

#[test]
fn verifier_accepts_every_signed_request_at_its_timestamp() {
    let Some(cases) = cases() else { return };
    let mut passed = 0;
    for case in &cases {
        for form in ["header", "query"] {
            let raw = RawRequest::parse(&case.file(&format!("{form}-signed-request.txt"))).unwrap();
            let caller = case
                .verifier(&case.secret)
                .verify(raw.as_request(), raw.payload(), case.time)
                .unwrap_or_else(|e| panic!("{} ({form}): {e}", case.name));
            assert_eq!(caller.access_key, case.access_key);
            passed += 1;
        }
    }
    println!(
        "verifier accepted {passed}/{} signed requests",
        cases.len() * 2
    );
    assert_eq!(passed, cases.len() * 2);
}

/// One way to tamper with a signed request.
struct Tampered {
    what: String,
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
}

fn tamperings(raw: &RawRequest, form: &str) -> Vec<Tampered> {
    let base = || Tampered {
        what: String::new(),
        method: raw.method().to_owned(),
        path: raw.path().to_owned(),
        query: raw.query().unwrap_or("").to_owned(),
        headers: raw.headers().clone(),
    };
    let mut out = Vec::new();

    let mut t = base();
    t.what = "method".into();
    t.method = if raw.method() == "GET" { "POST" } else { "GET" }.into();
    out.push(t);

    let mut t = base();
    t.what = "path".into();
    t.path = format!("{}x", raw.path());
    out.push(t);

    // Every signed header, value changed.
    let signed: Vec<String> = if form == "header" {
        let auth = raw.headers()["authorization"].to_str().unwrap();
        let list = auth
            .split("SignedHeaders=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        list.split(';').map(str::to_owned).collect()
    } else {
        let q = raw.query().unwrap();
        let list = q
            .split("X-Amz-SignedHeaders=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        list.replace("%3B", ";")
            .split(';')
            .map(str::to_owned)
            .collect()
    };
    for name in signed {
        let mut t = base();
        t.what = format!("header {name}");
        let old = t
            .headers
            .get(&name)
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        let mut new = old.clone();
        if name == "x-amz-date" {
            // Still a valid date of the same day: one second later.
            new[14] = if new[14] == b'9' { b'8' } else { new[14] + 1 };
        } else {
            new.push(b'x');
        }
        t.headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(&new).unwrap(),
        );
        out.push(t);
    }

    // Every query parameter but the signature, value changed.
    let query = raw.query().unwrap_or("");
    let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    for (i, pair) in pairs.iter().enumerate() {
        let name = pair.split('=').next().unwrap();
        if name == "X-Amz-Signature" {
            continue;
        }
        let mut t = base();
        t.what = format!("query {name}");
        let changed: Vec<String> = pairs
            .iter()
            .enumerate()
            .map(|(j, p)| {
                if i != j {
                    return (*p).to_owned();
                }
                if name == "X-Amz-Date" {
                    p.replace("123600Z", "123601Z")
                } else {
                    format!("{p}1")
                }
            })
            .collect();
        t.query = changed.join("&");
        out.push(t);
    }
    out
}

#[test]
fn verifier_rejects_every_change_to_a_signed_part() {
    let Some(cases) = cases() else { return };
    let (mut checked, mut rejected) = (0, 0);
    for case in &cases {
        let verifier = case.verifier(&case.secret);
        for form in ["header", "query"] {
            let raw = RawRequest::parse(&case.file(&format!("{form}-signed-request.txt"))).unwrap();
            for t in tamperings(&raw, form) {
                checked += 1;
                let req = RequestRef::new(&t.method, &t.path, &t.query, &t.headers);
                match verifier.verify(req, raw.payload(), case.time) {
                    // A changed session token is caught before the signature; the token
                    // appended after signing (omit_session_token) is not signed at all.
                    Err(AuthError::InvalidSecurityToken)
                        if t.what.to_ascii_lowercase().contains("security-token") =>
                    {
                        rejected += 1
                    }
                    // A changed algorithm or credential scope is refused before any signing.
                    Err(AuthError::IncompleteSignature { .. })
                        if t.what == "query X-Amz-Algorithm" =>
                    {
                        rejected += 1
                    }
                    Err(AuthError::InvalidCredentialScope { .. })
                        if t.what == "query X-Amz-Credential" =>
                    {
                        rejected += 1
                    }
                    // `host1` in place of `host`: the host is no longer signed, refused before
                    // any signing ("'Host' or ':authority' must be a 'SignedHeader'").
                    Err(AuthError::InvalidSignature { .. })
                        if t.what == "query X-Amz-SignedHeaders" =>
                    {
                        rejected += 1
                    }
                    Err(AuthError::SignatureMismatch { .. }) => rejected += 1,
                    other => panic!("{} ({form}, {}): {other:?}", case.name, t.what),
                }
            }
        }
    }
    println!("verifier rejected {rejected}/{checked} tampered requests");
    assert_eq!(rejected, checked);
}

#[test]
fn verifier_rejects_every_signed_request_under_another_secret() {
    let Some(cases) = cases() else { return };
    let mut rejected = 0;
    for case in &cases {
        let verifier = case.verifier("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz");
        for form in ["header", "query"] {
            let raw = RawRequest::parse(&case.file(&format!("{form}-signed-request.txt"))).unwrap();
            let err = verifier
                .verify(raw.as_request(), raw.payload(), case.time)
                .unwrap_err();
            assert!(
                matches!(err, AuthError::SignatureMismatch { .. }),
                "{}: {err:?}",
                case.name
            );
            rejected += 1;
        }
    }
    println!("wrong secret: rejected {rejected}/{}", cases.len() * 2);
}

#[test]
fn verifier_rejects_every_signed_request_outside_the_clock_window() {
    let Some(cases) = cases() else { return };
    let mut rejected = 0;
    for case in &cases {
        let verifier = case.verifier(&case.secret);
        let header = RawRequest::parse(&case.file("header-signed-request.txt")).unwrap();
        let query = RawRequest::parse(&case.file("query-signed-request.txt")).unwrap();
        let verify = |raw: &RawRequest, at: SystemTime| {
            verifier
                .verify(raw.as_request(), raw.payload(), at)
                .unwrap_err()
        };
        // Header form: 5 minutes either way (API Gateway's window).
        let just_inside = case.time + Duration::from_secs(300);
        assert!(
            verifier
                .verify(header.as_request(), header.payload(), just_inside)
                .is_ok()
        );
        let late = verify(&header, case.time + Duration::from_secs(301));
        assert!(
            matches!(late, AuthError::SignatureExpired { .. }),
            "{}: {late:?}",
            case.name
        );
        let early = verify(&header, case.time - Duration::from_secs(301));
        assert!(
            matches!(early, AuthError::SignatureNotYetCurrent { .. }),
            "{}",
            case.name
        );
        // Query form: X-Amz-Expires after the timestamp, 5 minutes before it.
        let inside = case.time + Duration::from_secs(case.expires);
        assert!(
            verifier
                .verify(query.as_request(), query.payload(), inside)
                .is_ok()
        );
        let late = verify(&query, case.time + Duration::from_secs(case.expires + 1));
        assert!(
            matches!(late, AuthError::SignatureExpired { .. }),
            "{}: {late:?}",
            case.name
        );
        let early = verify(&query, case.time - Duration::from_secs(301));
        assert!(
            matches!(early, AuthError::SignatureNotYetCurrent { .. }),
            "{}",
            case.name
        );
        rejected += 4;
    }
    println!(
        "clock outside window: rejected {rejected}/{}",
        cases.len() * 4
    );
}
