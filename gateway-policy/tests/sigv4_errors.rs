//! API Gateway's answers to requests that fail SigV4 authentication: the 403 message, the
//! `x-amzn-ErrorType` and the gateway response type of each failure, and the order in which the
//! checks run when a request has several faults.
//!
//! Every message is pinned to a response recorded from AWS; the source is cited beside each
//! assertion. "dynalite" below is architect/dynalite `index.js` (formerly mhart/dynalite), a
//! DynamoDB emulator whose comments record, in order, the responses of the SigV4 front end AWS
//! services share.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gateway_policy::sigv4::{
    AuthError, AuthErrorKind, CallerIdentity, Credential, InMemoryCredentialStore, Payload,
    RequestRef, Signer, Verifier, parse_time,
};
use gateway_policy::{Policy, Request, authorize};
use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::Digest;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";
const TEMP_AKID: &str = "ASIAEXAMPLE";
const TOKEN: &str = "session-token-example";

/// 20150830T123600Z, the SigV4 test suite's timestamp.
fn t0() -> SystemTime {
    parse_time("20150830T123600Z").unwrap()
}

fn store() -> InMemoryCredentialStore {
    let mut store = InMemoryCredentialStore::new();
    store.insert_user(
        AKID,
        SECRET,
        "arn:aws:iam::123456789012:user/alice",
        vec![Arc::new(
            Policy::parse_identity(
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": "execute-api:Invoke",
                    "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets"}]}"#,
            )
            .unwrap(),
        )],
    );
    store.insert(
        TEMP_AKID,
        Credential {
            secret_access_key: SECRET.to_owned(),
            session_token: Some(TOKEN.to_owned()),
            expires_at: Some(t0() + Duration::from_secs(3600)),
            identity: Arc::new(CallerIdentity {
                access_key: TEMP_AKID.to_owned(),
                account_id: "123456789012".to_owned(),
                principal_arn: "arn:aws:sts::123456789012:assumed-role/reader/session".to_owned(),
                user_name: "reader".to_owned(),
                user_id: "AROAEXAMPLE:session".to_owned(),
                policies: vec![],
            }),
        },
    );
    store
}

fn verifier() -> Verifier {
    Verifier::new(store()).region("us-east-1")
}

fn base_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    h
}

/// The headers of `GET /prod/pets?limit=2` signed by `signer` at `t`.
fn signed_get(signer: &Signer, t: SystemTime) -> HeaderMap {
    let mut headers = base_headers();
    let signed = signer
        .sign(
            RequestRef::new("GET", "/prod/pets", "limit=2", &headers),
            Payload::Bytes(b""),
            t,
        )
        .unwrap();
    for (name, value) in signed.headers {
        headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
    }
    headers
}

fn alice() -> Signer {
    Signer::new(AKID, SECRET, "us-east-1", "execute-api")
}

fn verify_get(headers: &HeaderMap, now: SystemTime) -> Result<Arc<CallerIdentity>, AuthError> {
    verifier().verify(
        RequestRef::new("GET", "/prod/pets", "limit=2", headers),
        Payload::Bytes(b""),
        now,
    )
}

fn with_authorization(value: &str) -> HeaderMap {
    let mut h = base_headers();
    h.insert("authorization", HeaderValue::from_str(value).unwrap());
    h.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    h
}

fn err(headers: &HeaderMap) -> AuthError {
    verify_get(headers, t0()).unwrap_err()
}

#[test]
fn a_signed_request_names_its_caller_with_account_user_and_policies() {
    let caller = verify_get(&signed_get(&alice(), t0()), t0()).unwrap();
    assert_eq!(caller.access_key, AKID);
    assert_eq!(caller.account_id, "123456789012");
    assert_eq!(caller.user_name, "alice");
    assert_eq!(caller.principal_arn, "arn:aws:iam::123456789012:user/alice");
    assert_eq!(caller.policies.len(), 1);

    // The caller's identity policies go straight to the evaluator: GET /pets is allowed, POST
    // is not (implicit deny).
    let call = |method: &str| {
        Request::new(
            "execute-api:Invoke",
            format!("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/{method}/pets"),
        )
    };
    let policies = || caller.policies.iter().map(|p| &**p);
    assert!(authorize(policies(), None, &call("GET"), &caller.account_id).is_allowed());
    assert!(!authorize(policies(), None, &call("POST"), &caller.account_id).is_allowed());
}

#[test]
fn no_signature_at_all_is_missing_authentication_token() {
    // localstack tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
    // `test_routing_not_found` (recorded against AWS): {"message": "Missing Authentication
    // Token"}, errorType MissingAuthenticationTokenException, 403.
    let e = err(&base_headers());
    assert_eq!(e, AuthError::MissingAuthenticationToken);
    assert_eq!(e.to_string(), "Missing Authentication Token");
    assert_eq!(e.kind(), AuthErrorKind::MissingAuthenticationToken);

    // X-Amz-* query parameters that are no presigned signature leave the request unsigned.
    let v = verifier();
    let h = base_headers();
    let e = v
        .verify(
            RequestRef::new("GET", "/prod/pets", "X-Amz-Foo=1", &h),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap_err();
    assert_eq!(e, AuthError::MissingAuthenticationToken);
}

#[test]
fn a_token_that_is_not_sigv4_lists_every_missing_parameter() {
    // aws/chalice#828: API Gateway answered a JWT in `Authorization` with 403 {"message":
    // "Authorization header requires 'Credential' parameter. Authorization header requires
    // 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.
    // Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.
    // Authorization=eyJ0eXAi..."}.
    let mut h = base_headers();
    h.insert(
        "authorization",
        HeaderValue::from_static("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig"),
    );
    let e = err(&h);
    assert_eq!(
        e.to_string(),
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
         Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization=eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig"
    );
    assert_eq!(e.kind(), AuthErrorKind::IncompleteSignature);
}

#[test]
fn a_piece_without_an_equal_sign_is_not_a_key_value_pair() {
    // amazon-archives/aws-cognito-angular-quickstart#50 (API Gateway) and iann0036/cloud9-sync#10:
    // "'<piece>' not a valid key=value pair (missing equal-sign) in Authorization header:
    // '<header>'.", IncompleteSignatureException; a space after `Credential=` splits the value
    // off as its own piece.
    let e = err(&with_authorization("Bearer abc.def"));
    assert_eq!(
        e.to_string(),
        "'abc.def' not a valid key=value pair (missing equal-sign) in Authorization header: \
         'Bearer abc.def'."
    );
    let header = "AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    assert_eq!(
        err(&with_authorization(header)).to_string(),
        format!(
            "'AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request' not a valid key=value pair \
             (missing equal-sign) in Authorization header: '{header}'."
        )
    );
}

#[test]
fn a_header_without_a_date_names_both_date_headers() {
    // aws/chalice#828 and nordcloud/cognitocurl#28: "Authorization header requires existence of
    // either a 'X-Amz-Date' or a 'Date' header."
    let mut h = signed_get(&alice(), t0());
    h.remove("x-amz-date");
    let auth = h["authorization"].to_str().unwrap().to_owned();
    assert_eq!(
        err(&h).to_string(),
        format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
             header. Authorization={auth}"
        )
    );
}

#[test]
fn a_wrong_signature_shows_the_canonical_request_and_string_to_sign() {
    // API Gateway's 403 for a bad signature (mhart/aws4#110 and
    // aws-samples/sigv4-signing-examples#14, both execute-api): "The request signature we
    // calculated does not match the signature you provided. Check your AWS Secret Access Key and
    // signing method. Consult the service documentation for details.\n\nThe Canonical String for
    // this request should have been\n'<canonical>'\n\nThe String-to-Sign should have been\n
    // '<string to sign>'\n"; x-amzn-ErrorType InvalidSignatureException
    // (amzn/selling-partner-api-models#113, an API Gateway front end).
    let wrong = Signer::new(AKID, "not-the-secret", "us-east-1", "execute-api");
    let h = signed_get(&wrong, t0());
    let expected = alice()
        .sign(
            RequestRef::new("GET", "/prod/pets", "limit=2", &base_headers()),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap();
    let e = err(&h);
    assert_eq!(
        e.to_string(),
        format!(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.\n\nThe Canonical String for this request should have \
             been\n'{}'\n\nThe String-to-Sign should have been\n'{}'\n",
            expected.canonical_request, expected.string_to_sign
        )
    );
    assert!(
        expected
            .canonical_request
            .starts_with("GET\n/prod/pets\nlimit=2\nhost:")
    );
    assert_eq!(e.kind(), AuthErrorKind::InvalidSignature);
}

#[test]
fn an_old_signature_is_expired_with_the_five_minute_window_spelled_out() {
    // API Gateway with IAM auth (aws-amplify/aws-sdk-android#253, mhart/aws4#118,
    // aws-amplify/amplify-js#7913 with x-amz-apigw-id and x-amzn-errortype
    // InvalidSignatureException): 403 {"message":"Signature expired: 20170212T175938Z is now
    // earlier than 20170215T145534Z (20170215T150034Z - 5 min.)"}.
    let h = signed_get(&alice(), t0());
    let now = t0() + Duration::from_secs(6 * 60);
    let e = verify_get(&h, now).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z \
         (20150830T124200Z - 5 min.)"
    );
    assert_eq!(e.kind(), AuthErrorKind::InvalidSignature);
    // Exactly five minutes old still passes.
    assert!(verify_get(&h, t0() + Duration::from_secs(300)).is_ok());
}

#[test]
fn a_signature_from_the_future_is_not_yet_current() {
    // aws/aws-sdk-js#1652 and awslabs/aws-mobile-appsync-sdk-js#620: "Signature not yet current:
    // 20170731T092200Z is still later than 20170731T092115Z (20170731T091615Z + 5 min.)".
    let h = signed_get(&alice(), t0());
    let now = t0() - Duration::from_secs(6 * 60);
    assert_eq!(
        verify_get(&h, now).unwrap_err().to_string(),
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z \
         (20150830T123000Z + 5 min.)"
    );
}

#[test]
fn the_clock_window_is_configurable() {
    let h = signed_get(&alice(), t0());
    let v = verifier().clock_skew(Duration::from_secs(90));
    let req = RequestRef::new("GET", "/prod/pets", "limit=2", &h);
    assert!(
        v.verify(req, Payload::Bytes(b""), t0() + Duration::from_secs(90))
            .is_ok()
    );
    let e = v
        .verify(req, Payload::Bytes(b""), t0() + Duration::from_secs(91))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z \
         (20150830T123731Z - 90 sec.)"
    );
}

#[test]
fn an_unknown_access_key_is_an_invalid_security_token() {
    // API Gateway (aws-amplify/amplify-js#2626, Credential=undefined/...): 403 {"message":"The
    // security token included in the request is invalid."}; the front end's type is
    // UnrecognizedClientException (iann0036/iamlive#58, dynalite).
    let stranger = Signer::new("AKIDUNKNOWN", SECRET, "us-east-1", "execute-api");
    let e = err(&signed_get(&stranger, t0()));
    assert_eq!(e, AuthError::InvalidSecurityToken);
    assert_eq!(
        e.to_string(),
        "The security token included in the request is invalid."
    );
    assert_eq!(e.kind(), AuthErrorKind::UnrecognizedClient);
}

#[test]
fn temporary_credentials_need_their_own_unexpired_session_token() {
    let with = |token: &str| {
        Signer::new(TEMP_AKID, SECRET, "us-east-1", "execute-api").session_token(token)
    };
    // The right token, signed into the header form and into the query form.
    let caller = verify_get(&signed_get(&with(TOKEN), t0()), t0()).unwrap();
    assert_eq!(caller.user_id, "AROAEXAMPLE:session");
    let presigned = with(TOKEN)
        .presigned(Duration::from_secs(60))
        .sign(
            RequestRef::new("GET", "/prod/pets", "limit=2", &base_headers()),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap();
    let h = base_headers();
    assert!(
        verifier()
            .verify(
                RequestRef::new("GET", "/prod/pets", &presigned.query, &h),
                Payload::Bytes(b""),
                t0(),
            )
            .is_ok()
    );

    // A token that is not this key's (kndt84/aws-api-gateway-client#31, API Gateway with
    // `x-amz-security-token: undefined`): "The security token included in the request is
    // invalid.".
    let e = err(&signed_get(&with("undefined"), t0()));
    assert_eq!(e, AuthError::InvalidSecurityToken);
    // No token at all for temporary credentials, or a token with a long-term key.
    let bare = Signer::new(TEMP_AKID, SECRET, "us-east-1", "execute-api");
    assert_eq!(
        err(&signed_get(&bare, t0())),
        AuthError::InvalidSecurityToken
    );
    assert_eq!(
        err(&signed_get(&alice().session_token(TOKEN), t0())),
        AuthError::InvalidSecurityToken
    );

    // Past the credentials' expiry (an hour after t0): ExpiredTokenException, "The security token
    // included in the request is expired" (amzn/selling-partner-api-models#2595, 403 from an API
    // Gateway front end; MitocGroup/deep-framework#592 for the type).
    let later = t0() + Duration::from_secs(3600);
    let e = verify_get(&signed_get(&with(TOKEN), later), later).unwrap_err();
    assert_eq!(e, AuthError::ExpiredSecurityToken);
    assert_eq!(
        e.to_string(),
        "The security token included in the request is expired"
    );
    assert_eq!(e.kind(), AuthErrorKind::ExpiredToken);
}

#[test]
fn a_wrong_scope_names_every_wrong_part_in_aws_order() {
    // dynalite: "Credential should be scoped to a valid region, not 'c'. Credential should be
    // scoped to correct service: 'dynamodb'. Credential should be scoped with a valid
    // terminator: 'aws4_request', not 'e'. Date in Credential scope does not match YYYYMMDD from
    // ISO-8601 version of date from HTTP: 'b' != '20130609', from '20130609T095204Z'."
    // (InvalidSignatureException).
    let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/eu-west-1/s3/aws5_request, SignedHeaders=host;x-amz-date, Signature=abc";
    let e = err(&with_authorization(header));
    assert_eq!(
        e.to_string(),
        "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be \
         scoped to correct service: 'execute-api'. Credential should be scoped with a valid \
         terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match \
         YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from \
         '20150830T123600Z'."
    );
    assert_eq!(e.kind(), AuthErrorKind::InvalidSignature);

    let one = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    assert_eq!(
        err(&with_authorization(one)).to_string(),
        "Credential should be scoped to correct service: 'execute-api'. "
    );
}

#[test]
fn a_credential_must_have_five_parts() {
    // dynalite: "Credential must have exactly 5 slash-delimited elements, e.g.
    // keyid/date/region/service/term, got 'a/b/c/d'" (trailing slashes are ignored).
    let header =
        "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host;x-amz-date, Signature=abc";
    let e = err(&with_authorization(header));
    assert_eq!(
        e.to_string(),
        "Credential must have exactly 5 slash-delimited elements, e.g. \
         keyid/date/region/service/term, got 'a/b/c/d'"
    );
    assert_eq!(e.kind(), AuthErrorKind::IncompleteSignature);
    // A trailing slash does not make a sixth element.
    let trailing = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request/, SignedHeaders=host;x-amz-date, Signature=abc";
    assert!(matches!(
        err(&with_authorization(trailing)),
        AuthError::SignatureMismatch { .. }
    ));
}

#[test]
fn a_date_not_in_basic_format_is_refused() {
    // dynalite: "Date must be in ISO-8601 'basic format'. Got '201'. See
    // http://en.wikipedia.org/wiki/ISO_8601" (IncompleteSignatureException).
    let mut h = with_authorization(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
    );
    for bad in [
        "201",
        "2015-08-30T12:36:00Z",
        "20150230T123600Z",
        "20150830T123600",
    ] {
        h.insert("x-amz-date", HeaderValue::from_str(bad).unwrap());
        assert_eq!(
            err(&h).to_string(),
            format!(
                "Date must be in ISO-8601 'basic format'. Got '{bad}'. See \
                 http://en.wikipedia.org/wiki/ISO_8601"
            )
        );
    }
}

#[test]
fn an_unknown_algorithm_is_refused() {
    // dynalite: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' ..." (IncompleteSignatureException).
    let header = "AWS4-HMAC-SHA1 Credential=AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    let e = err(&with_authorization(header));
    assert_eq!(
        e.to_string(),
        format!("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'. Authorization={header}")
    );
    assert_eq!(e.kind(), AuthErrorKind::IncompleteSignature);
}

#[test]
fn the_host_must_be_signed() {
    // "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    // (InvalidSignatureException, 403; dynalite records the older "'Host' must be a
    // 'SignedHeader' in the AWS Authorization.").
    let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request, SignedHeaders=x-amz-date, Signature=abc";
    let e = err(&with_authorization(header));
    assert_eq!(
        e.to_string(),
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );
    assert_eq!(e.kind(), AuthErrorKind::InvalidSignature);
}

#[test]
fn a_header_and_a_presigned_query_together_are_refused() {
    // dynalite: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP
    // header." (InvalidSignatureException).
    let h = signed_get(&alice(), t0());
    let e = verifier()
        .verify(
            RequestRef::new(
                "GET",
                "/prod/pets",
                "limit=2&X-Amz-Algorithm=AWS4-HMAC-SHA256",
                &h,
            ),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
    );
}

#[test]
fn missing_presigned_parameters_are_all_named() {
    // dynalite: "AWS query-string parameters must include 'X-Amz-Algorithm'. ... Re-examine the
    // query-string parameters." (IncompleteSignatureException).
    let h = base_headers();
    let e = verifier()
        .verify(
            RequestRef::new("GET", "/prod/pets", "X-Amz-Algorithm=AWS4-HMAC-SHA256", &h),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string \
         parameters must include 'X-Amz-Signature'. AWS query-string parameters must include \
         'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. \
         Re-examine the query-string parameters."
    );
}

#[test]
fn checks_run_in_aws_order() {
    // dynalite's order: parameters, date format, clock, host signed, algorithm, credential
    // shape, scope, access key, signature, session token. A request wrong in every way gets the
    // first message only.
    let header = "AWS4-HMAC-SHA1 Credential=nope, SignedHeaders=x-amz-date, Signature=abc";
    let mut h = with_authorization(header);
    // Expired beats a missing host, a bad algorithm and a malformed credential.
    let late = t0() + Duration::from_secs(3600);
    assert!(matches!(
        verify_get(&h, late).unwrap_err(),
        AuthError::SignatureExpired { .. }
    ));
    // In the window, the missing host comes next...
    assert!(matches!(err(&h), AuthError::InvalidSignature { .. }));
    // ...then the algorithm...
    let header = "AWS4-HMAC-SHA1 Credential=nope, SignedHeaders=host;x-amz-date, Signature=abc";
    h.insert("authorization", HeaderValue::from_str(header).unwrap());
    assert!(
        err(&h)
            .to_string()
            .starts_with("Unsupported AWS 'algorithm'")
    );
    // ...then the credential's shape...
    let header = "AWS4-HMAC-SHA256 Credential=nope, SignedHeaders=host;x-amz-date, Signature=abc";
    h.insert("authorization", HeaderValue::from_str(header).unwrap());
    assert!(
        err(&h)
            .to_string()
            .starts_with("Credential must have exactly 5")
    );
    // ...then the scope, before the access key is looked up.
    let header = "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20150830/us-west-2/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    h.insert("authorization", HeaderValue::from_str(header).unwrap());
    assert!(matches!(err(&h), AuthError::InvalidCredentialScope { .. }));
    // A signature made with the wrong secret and a wrong token: the signature is checked first.
    let wrong = Signer::new(TEMP_AKID, "not-the-secret", "us-east-1", "execute-api")
        .session_token("also-wrong");
    assert!(matches!(
        err(&signed_get(&wrong, t0())),
        AuthError::SignatureMismatch { .. }
    ));
}

#[test]
fn unsigned_payload_is_refused_by_default_and_honoured_when_enabled() {
    // API Gateway hashes the body of an execute-api request whatever x-amz-content-sha256 says:
    // requests signed with UNSIGNED-PAYLOAD got 403 (aws/aws-sdk-java-v2#5581,
    // aws/aws-sdk-js-v3#308).
    let body = br#"{"name":"rex"}"#;
    let mut headers = base_headers();
    headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    let signed = alice()
        .sign(
            RequestRef::new("POST", "/prod/pets", "", &headers),
            Payload::Sha256Hex("UNSIGNED-PAYLOAD"),
            t0(),
        )
        .unwrap();
    assert!(signed.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    for (name, value) in signed.headers {
        headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
    }
    let req = RequestRef::new("POST", "/prod/pets", "", &headers);
    match verifier().verify(req, Payload::Bytes(body), t0()) {
        Err(AuthError::SignatureMismatch {
            canonical_request, ..
        }) => {
            // The gateway's canonical request ends in the body's real hash.
            let real: String = sha2::Sha256::digest(body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert!(canonical_request.ends_with(&format!("\n{real}")));
        }
        other => panic!("{other:?}"),
    }
    let lenient = verifier().allow_unsigned_payload(true);
    assert!(lenient.verify(req, Payload::Bytes(body), t0()).is_ok());
    // Even when enabled, a body hash the client did sign must match the body.
    assert!(
        lenient
            .verify(
                RequestRef::new("POST", "/prod/pets", "", &signed_get(&alice(), t0())),
                Payload::Bytes(body),
                t0(),
            )
            .is_err()
    );
}

#[test]
fn a_signed_content_sha256_header_with_the_real_hash_verifies() {
    let body = b"Param1=value1";
    let mut headers = base_headers();
    let signed = alice()
        .content_sha256_header(true)
        .sign(
            RequestRef::new("POST", "/prod/pets", "", &headers),
            Payload::Bytes(body),
            t0(),
        )
        .unwrap();
    for (name, value) in signed.headers {
        headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
    }
    assert!(
        headers["authorization"]
            .to_str()
            .unwrap()
            .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date")
    );
    let req = RequestRef::new("POST", "/prod/pets", "", &headers);
    assert!(verifier().verify(req, Payload::Bytes(body), t0()).is_ok());
    // The host may pass the hash it computed while streaming instead of the bytes.
    let hex = headers["x-amz-content-sha256"].to_str().unwrap().to_owned();
    assert!(
        verifier()
            .verify(req, Payload::Sha256Hex(&hex), t0())
            .is_ok()
    );
    assert!(matches!(
        verifier().verify(req, Payload::Bytes(b"Param1=value2"), t0()),
        Err(AuthError::SignatureMismatch { .. })
    ));
}

#[test]
fn presigned_urls_live_for_their_expiry() {
    let signed = alice()
        .presigned(Duration::from_secs(600))
        .sign(
            RequestRef::new("GET", "/prod/pets", "limit=2", &base_headers()),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap();
    let h = base_headers();
    let req = RequestRef::new("GET", "/prod/pets", &signed.query, &h);
    let v = verifier();
    assert!(
        v.verify(req, Payload::Bytes(b""), t0() + Duration::from_secs(600))
            .is_ok()
    );
    let e = v
        .verify(req, Payload::Bytes(b""), t0() + Duration::from_secs(601))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z \
         (20150830T124601Z - 10 min.)"
    );
    // X-Amz-Expires above a week, or not a number.
    for (expires, message) in [
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
        ("soon", "X-Amz-Expires should be a number, not 'soon'"),
    ] {
        let q = signed
            .query
            .replace("X-Amz-Expires=600", &format!("X-Amz-Expires={expires}"));
        let e = v
            .verify(
                RequestRef::new("GET", "/prod/pets", &q, &h),
                Payload::Bytes(b""),
                t0(),
            )
            .unwrap_err();
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn query_plus_is_a_literal_plus_not_a_space() {
    // SigV4 for non-S3 services decodes then re-encodes each parameter (RFC 3986, spaces as
    // `%20`), so a wire `+` is the character `+`, canonicalised as `%2B`; curl/curl#20543 reports
    // as a signing bug a client that canonicalised `+` and a space alike.
    let h = base_headers();
    let signed = alice()
        .sign(
            RequestRef::new("GET", "/prod/search", "q=a+b&q2=a%20b", &h),
            Payload::Bytes(b""),
            t0(),
        )
        .unwrap();
    assert!(
        signed
            .canonical_request
            .starts_with("GET\n/prod/search\nq=a%2Bb&q2=a%20b\n")
    );
}
