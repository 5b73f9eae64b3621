//! `gateway sigv4 sign|verify`, run as a user would: the built binary on the request files in
//! `tests/data/sigv4/` (raw HTTP/1.1 text, as in the AWS SigV4 test suite), checking output and
//! exit codes.

use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use common::{Scratch, stderr, stdout};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sigv4");
const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const T0: &str = "20150830T123600Z";

fn gateway(args: &[&str]) -> Output {
    common::run_gateway(args, None)
}

fn data(name: &str) -> String {
    format!("{DATA}/{name}")
}

/// A scratch file in a directory of its own, removed on drop. Tests run in parallel and several
/// write files of the same name: one directory each keeps a test from reading another's file
/// half-written.
struct ScratchFile {
    _dir: Scratch,
    path: String,
}

impl ScratchFile {
    fn path(&self) -> &str {
        &self.path
    }
}

fn scratch(name: &str, contents: &[u8]) -> ScratchFile {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Scratch::new("sigv4", &NEXT.fetch_add(1, Ordering::Relaxed).to_string());
    let path = dir.file(name, contents);
    ScratchFile { _dir: dir, path }
}

fn sign(file: &str, region: &str, service: &str, time: &str) -> Output {
    gateway(&[
        "sigv4",
        "sign",
        "--access-key",
        AKID,
        "--secret",
        SECRET,
        "--region",
        region,
        "--service",
        service,
        "--time",
        time,
        file,
    ])
}

fn verify(file: &str, extra: &[&str]) -> Output {
    let mut args = vec!["sigv4", "verify", "--access-key", AKID, "--secret", SECRET];
    args.extend_from_slice(extra);
    args.push(file);
    gateway(&args)
}

/// Signs `tests/data/sigv4/<name>` at T0 for execute-api in us-east-1 and stores the result.
fn signed_pets(name: &str) -> (String, ScratchFile) {
    let o = sign(&data(name), "us-east-1", "execute-api", T0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let path = scratch(&format!("signed-{name}"), text.as_bytes());
    (text, path)
}

#[test]
fn sign_reproduces_the_aws_test_suite_vanilla_get() {
    // aws-c-auth tests/aws-signing-test-suite/v4/get-vanilla: `GET /` to example.amazonaws.com,
    // signed at 20150830T123600Z for us-east-1 and service `service`, has signature
    // 5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31 and this signed form.
    let o = sign(&data("vanilla.req"), "us-east-1", "service", T0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "GET / HTTP/1.1\n\
         Host:example.amazonaws.com\n\
         X-Amz-Date:20150830T123600Z\n\
         Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, \
         Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"
    );
}

#[test]
fn time_takes_the_basic_or_the_rfc_3339_form() {
    let basic = sign(&data("vanilla.req"), "us-east-1", "service", T0);
    let extended = sign(
        &data("vanilla.req"),
        "us-east-1",
        "service",
        "2015-08-30T14:36:00+02:00",
    );
    assert_eq!(extended.status.code(), Some(0), "{}", stderr(&extended));
    assert_eq!(stdout(&basic), stdout(&extended));
}

#[test]
fn a_signed_request_verifies_and_names_nothing_but_valid() {
    let (text, path) = signed_pets("pets.req");
    assert!(
        text.contains("SignedHeaders=accept;host;x-amz-date,"),
        "{text}"
    );
    let o = verify(path.path(), &["--time", T0]);
    assert_eq!(stdout(&o), "valid\n", "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
    // With the scope pinned to what was signed.
    let o = verify(
        path.path(),
        &[
            "--region",
            "us-east-1",
            "--service",
            "execute-api",
            "--time",
            "2015-08-30T12:40:00Z",
        ],
    );
    assert_eq!(stdout(&o), "valid\n");

    // A body is covered too.
    let (_, path) = signed_pets("new-pet.req");
    let o = verify(path.path(), &["--time", T0]);
    assert_eq!(stdout(&o), "valid\n", "{}", stderr(&o));
}

#[test]
fn a_changed_request_prints_api_gateways_mismatch_message_and_exits_1() {
    // The message API Gateway sends for a bad signature (mhart/aws4#110, execute-api).
    let (text, _) = signed_pets("pets.req");
    let tampered = scratch(
        "tampered.req",
        text.replace("limit=2", "limit=3").as_bytes(),
    );
    let o = verify(tampered.path(), &["--time", T0]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.\n\nThe Canonical String for this request should have \
             been\n'GET\n/prod/pets\nlimit=3&type=dog\naccept:application/json\n"
        ),
        "{out}"
    );
    assert!(out.contains("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/execute-api/aws4_request\n"), "{out}");

    let (_, body) = signed_pets("new-pet.req");
    let text = std::fs::read_to_string(body.path()).unwrap();
    let tampered = scratch("tampered-body.req", text.replace("rex", "max").as_bytes());
    let o = verify(tampered.path(), &["--time", T0]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("The request signature we calculated"));
}

#[test]
fn a_wrong_secret_fails_verification() {
    let (_, path) = signed_pets("pets.req");
    let o = gateway(&[
        "sigv4",
        "verify",
        "--access-key",
        AKID,
        "--secret",
        "another-secret",
        "--time",
        T0,
        path.path(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("The request signature we calculated does not match"));
}

#[test]
fn an_old_request_is_expired() {
    // API Gateway: "Signature expired: <t> is now earlier than <now - 5 min> (<now> - 5 min.)"
    // (aws-amplify/aws-sdk-android#253).
    let (_, path) = signed_pets("pets.req");
    let o = verify(path.path(), &["--time", "20150830T124200Z"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z \
         (20150830T124200Z - 5 min.)\n"
    );
}

#[test]
fn another_key_or_scope_is_refused_with_its_message() {
    let (_, path) = signed_pets("pets.req");
    // An access key the verifier does not know (aws-amplify/amplify-js#2626).
    let o = gateway(&[
        "sigv4",
        "verify",
        "--access-key",
        "AKIDOTHER",
        "--secret",
        SECRET,
        "--time",
        T0,
        path.path(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "The security token included in the request is invalid.\n"
    );
    // A region other than the one signed for.
    let o = verify(path.path(), &["--region", "eu-west-1", "--time", T0]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "Credential should be scoped to a valid region, not 'us-east-1'. \n"
    );
}

#[test]
fn an_unsigned_request_is_missing_its_authentication_token() {
    let o = verify(&data("pets.req"), &["--time", T0]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "Missing Authentication Token\n");
}

#[test]
fn a_presigned_request_file_verifies_until_it_expires() {
    use gateway_policy::sigv4::{Payload, RawRequest, Signer, parse_time};
    let raw = RawRequest::parse(&std::fs::read(data("pets.req")).unwrap()).unwrap();
    let signed = Signer::new(AKID, SECRET, "us-east-1", "execute-api")
        .presigned(std::time::Duration::from_secs(60))
        .sign(
            raw.as_request(),
            Payload::Bytes(b""),
            parse_time(T0).unwrap(),
        )
        .unwrap();
    let text = format!(
        "GET {}?{} HTTP/1.1\n{}\n",
        raw.path(),
        signed.query,
        String::from_utf8(raw.header_lines().collect::<Vec<_>>().join(&b'\n')).unwrap()
    );
    let path = scratch("presigned.req", text.as_bytes());
    let o = verify(path.path(), &["--time", "20150830T123700Z"]);
    assert_eq!(stdout(&o), "valid\n", "{}", stderr(&o));
    let o = verify(path.path(), &["--time", "20150830T123701Z"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("Signature expired: 20150830T123600Z"));
}

#[test]
fn bad_usage_and_unreadable_files_exit_2() {
    let cases: Vec<Vec<&str>> = vec![
        vec!["sigv4"],
        vec!["sigv4", "frobnicate"],
        // sign needs --region and --service.
        vec![
            "sigv4",
            "sign",
            "--access-key",
            AKID,
            "--secret",
            SECRET,
            "x.req",
        ],
        vec!["sigv4", "verify", "--access-key", AKID, "x.req"],
        vec!["sigv4", "verify", "--access-key", AKID, "--secret", SECRET],
        vec![
            "sigv4",
            "verify",
            "--access-key",
            AKID,
            "--secret",
            SECRET,
            "--time",
            "yesterday",
            "x.req",
        ],
        vec![
            "sigv4",
            "verify",
            "--access-key",
            AKID,
            "--secret",
            SECRET,
            "--bogus",
            "1",
            "x.req",
        ],
    ];
    for args in cases {
        let o = gateway(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("usage:"), "{args:?}: {}", stderr(&o));
    }
    let o = verify("/nonexistent/dir/request.req", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let garbage = scratch("garbage.req", b"this is not a request\n");
    let o = verify(garbage.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected `METHOD target HTTP/1.1`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_prints_the_usage_and_documents_the_time_format() {
    let o = gateway(&["sigv4", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("gateway sigv4 sign --access-key K --secret S --region R --service SV [--time T] <request-file>"));
    assert!(out.contains("20150830T123600Z"));
}

#[test]
fn header_bytes_that_are_not_utf8_are_printed_as_sent_and_verify() {
    // The signature covers a header's bytes; printing them lossily (U+FFFD) would break it.
    let req = scratch(
        "latin1.req",
        b"GET /prod/pets HTTP/1.1\nHost:abc123.execute-api.us-east-1.amazonaws.com\nX-Name:caf\xe9\n\n",
    );
    let o = sign(req.path(), "us-east-1", "execute-api", T0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        o.stdout.windows(10).any(|w| w == b"X-Name:caf"),
        "{:?}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(o.stdout.windows(5).any(|w| w == b"caf\xe9\n"));
    let signed = scratch("latin1-signed.req", &o.stdout);
    let o = verify(signed.path(), &["--time", T0]);
    assert_eq!(stdout(&o), "valid\n", "{}", stderr(&o));
}

#[test]
fn signing_a_signed_request_again_replaces_its_date_and_authorization() {
    // A stale X-Amz-Date printed before the new one would be read first (the first X-Amz-Date
    // header is the date: scratchstack-aws-signature's "AWS Auth Error Ordering", step 6e), and
    // two Authorization headers are refused.
    let (first, _) = signed_pets("pets.req");
    let again = scratch("again.req", first.as_bytes());
    let o = sign(again.path(), "us-east-1", "execute-api", "20150830T124000Z");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.matches("X-Amz-Date:").count(), 1, "{text}");
    assert_eq!(text.matches("Authorization:").count(), 1, "{text}");
    assert!(text.contains("X-Amz-Date:20150830T124000Z\n"), "{text}");
    let path = scratch("again-signed.req", text.as_bytes());
    let o = verify(path.path(), &["--time", "20150830T124000Z"]);
    assert_eq!(stdout(&o), "valid\n", "{}", stderr(&o));
}

#[test]
fn sign_refuses_what_verify_would_refuse_and_exits_2() {
    let no_host = scratch("no-host.req", b"GET /prod/pets HTTP/1.1\nAccept:*/*\n\n");
    let o = sign(no_host.path(), "us-east-1", "execute-api", T0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("the request has no Host header, which SigV4 must sign"),
        "{}",
        stderr(&o)
    );

    let o = sign(&data("pets.req"), "us/east-1", "execute-api", T0);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the region \"us/east-1\" cannot be part of a SigV4 credential"),
        "{}",
        stderr(&o)
    );

    // An access key cannot smuggle fields into the Authorization header.
    let o = gateway(&[
        "sigv4",
        "sign",
        "--access-key",
        "AKID, SignedHeaders=x-evil, Signature=00",
        "--secret",
        SECRET,
        "--region",
        "us-east-1",
        "--service",
        "execute-api",
        "--time",
        T0,
        &data("pets.req"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("cannot be part of a SigV4 credential"));

    let mut many = b"GET / HTTP/1.1\nHost:example.amazonaws.com\n".to_vec();
    for i in 0..9_000 {
        many.extend_from_slice(format!("X-H{i}:v\n").as_bytes());
    }
    let many = scratch("many.req", &many);
    let o = sign(many.path(), "us-east-1", "execute-api", T0);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the request has 9002 headers to sign, more than the 256"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn two_authorization_headers_are_refused() {
    // Refused rather than read first as AWS does (see gateway-policy/tests/sigv4_duplicates.rs).
    let (text, _) = signed_pets("pets.req");
    let auth = text
        .lines()
        .find(|l| l.starts_with("Authorization:"))
        .unwrap()
        .to_owned();
    let doubled = text.replacen(&auth, &format!("{auth}\n{auth}"), 1);
    let path = scratch("doubled.req", doubled.as_bytes());
    let o = verify(path.path(), &["--time", T0]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "Found more than one 'Authorization' HTTP header.\n"
    );
}
