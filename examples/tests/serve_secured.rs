//! The bundled `secured.yaml` served by `gateway serve --config secured.config.yaml` over
//! loopback, with a local Lambda Invoke API standing in for the authorizer and integration
//! functions: a TOKEN and a REQUEST Lambda authorizer, a Cognito user pool authorizer with
//! scopes (tokens signed with the test keys whose JWKS the config names), AWS_IAM methods
//! called with requests signed by the project's SigV4 signer, and the resource policy. Facts
//! are cited beside the assertions (research notes in ../shared/research).

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use common::loopback::{invocation, invocation_answer, response_text, serve, start_server};
use gateway_policy::sigv4::{Payload, RequestRef, Signer};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const POOL_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI";
const RSA_KEY: &[u8] = include_bytes!("../../gateway-core/tests/data/jwt/rsa-test-key.pem");
const EC_KEY: &[u8] = include_bytes!("../../gateway-core/tests/data/jwt/ec-test-key.pem");
/// An API key sent on the methods that require one (the usage stage reads the config's
/// `apiKeys`; this value is the one its section lists for secured.yaml).
const API_KEY: &str = "secured-example-api-key-0123456789";

static TOKEN_CALLS: AtomicUsize = AtomicUsize::new(0);
static REQUEST_CALLS: AtomicUsize = AtomicUsize::new(0);

/// The Lambda Invoke API: `TokenAuthorizer` and `RequestAuthorizer` answer by the token
/// (`allow`, `deny`, `unauthorized`), every other function echoes its event as a proxy
/// response.
async fn functions(
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (name, event) = invocation(request).await;
    let method_arn = event["methodArn"].as_str().unwrap_or_default();
    // The whole stage: `arn:...:apiId/prod/*`.
    let stage_wide = method_arn
        .splitn(3, '/')
        .take(2)
        .collect::<Vec<_>>()
        .join("/")
        + "/*";
    let policy = |effect: &str, resource: &str| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]})
    };
    let tenant = event["headers"]
        .as_object()
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("x-tenant-id"))
        })
        .map_or(Value::Null, |(_, v)| v.clone());
    let (payload, error) = match name.as_str() {
        "TokenAuthorizer" | "RequestAuthorizer" => {
            let counter = if name == "TokenAuthorizer" {
                &TOKEN_CALLS
            } else {
                &REQUEST_CALLS
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let token = event["authorizationToken"]
                .as_str()
                .map(|t| t.trim_start_matches("Bearer ").to_owned())
                .or(event["queryStringParameters"]["token"]
                    .as_str()
                    .map(str::to_owned))
                .unwrap_or_default();
            match token.as_str() {
                "allow" => (
                    json!({"principalId": "tenant-user", "policyDocument": policy("Allow", &stage_wide),
                           "context": {"tenant": tenant, "level": 3, "admin": false},
                           "usageIdentifierKey": API_KEY}),
                    None,
                ),
                "deny" => (
                    json!({"principalId": "blocked-user", "policyDocument": policy("Deny", method_arn)}),
                    None,
                ),
                _ => (
                    json!({"errorMessage": "Unauthorized", "errorType": "Error"}),
                    Some("Unhandled"),
                ),
            }
        }
        _ => (
            json!({"statusCode": 200, "headers": {"x-fn": name}, "body": event.to_string()}),
            None,
        ),
    };
    invocation_answer(&payload, error)
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

async fn send(
    client: &HttpClient,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, http::HeaderMap, String) {
    let mut request = hyper::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("a request");
    let response = client.request(request).await.expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response_text(response).await)
}

/// A request signed with SigV4 by the project's signer (header form, or the query-string
/// form when `presigned`), sent to `base` (`http://127.0.0.1:PORT/prod`) + `path`.
async fn signed(
    client: &HttpClient,
    base: &str,
    method: &str,
    path: &str,
    (key, secret): (&str, &str),
    presigned: bool,
) -> (u16, http::HeaderMap, String) {
    let uri: http::Uri = format!("{base}{path}").parse().expect("a URI");
    let host = uri.authority().expect("an authority").to_string();
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().expect("a host"));
    let mut signer = Signer::new(key, secret, "us-east-1", "execute-api");
    if presigned {
        signer = signer.presigned(Duration::from_secs(60));
    }
    let signed = signer
        .sign(
            RequestRef::new(method, uri.path(), "", &headers),
            Payload::Bytes(b""),
            SystemTime::now(),
        )
        .expect("signed");
    let url = if signed.query.is_empty() {
        uri.to_string()
    } else {
        format!("{base}{path}?{}", signed.query)
    };
    let mut all: Vec<(&str, String)> = vec![("host", host.clone())];
    for (k, v) in &signed.headers {
        all.push((k, v.to_str().expect("ascii").to_owned()));
    }
    let borrowed: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    send(client, method, &url, &borrowed, "").await
}

fn jwt(alg: Algorithm, claims: &Value) -> String {
    let (kid, key) = match alg {
        Algorithm::RS256 => (
            "test-rsa-1",
            EncodingKey::from_rsa_pem(RSA_KEY).expect("RSA key"),
        ),
        _ => (
            "test-ec-1",
            EncodingKey::from_ec_pem(EC_KEY).expect("EC key"),
        ),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &key).expect("a token")
}

fn access_token(scope: &str, exp_in: i64) -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    json!({"sub": "3f1c8a2e", "iss": POOL_ISSUER, "client_id": "secured-app-client",
           "token_use": "access", "scope": scope, "username": "rex",
           "iat": now, "exp": now + exp_in})
}

fn apis() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("apis")
}

async fn start() -> (common::loopback::Served, SocketAddr) {
    let lambda = start_server(functions).await;
    let endpoint = format!("http://{lambda}");
    let config = apis().join("secured.config.yaml");
    let served = serve(
        &apis().join("secured.yaml"),
        &[
            "--config",
            config.to_str().expect("utf-8 path"),
            "--lambda-endpoint",
            &endpoint,
        ],
    );
    (served, lambda)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_authorizers_over_loopback() {
    let (served, _lambda) = start().await;
    let client = Client::builder(TokioExecutor::new()).build_http();
    let url = |p: &str| format!("{}{p}", served.base);

    // The open method passes the resource policy's Allow * (DG apigateway-authorization-flow,
    // resource policy only).
    let (status, _, body) = send(&client, "GET", &url("/public/status"), &[], "").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status": "ok"}"#));

    // TOKEN: no header, or one the identityValidationExpression refuses: 401 without a call
    // (research pipeline-access.md 6.2), through the API's UNAUTHORIZED customisation.
    for headers in [
        vec![("x-api-key", API_KEY)],
        vec![("x-api-key", API_KEY), ("authorization", "Basic abc")],
    ] {
        let (status, h, body) = send(&client, "GET", &url("/accounts"), &headers, "").await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(h["www-authenticate"], "Bearer realm=\"accounts\"");
        assert!(body.contains("Unauthorized"), "{body}");
    }
    assert_eq!(TOKEN_CALLS.load(Ordering::SeqCst), 0);

    // An explicit deny: 403 ACCESS_DENIED (research 6.3) through the API's template, which
    // shows the authorizer's principal.
    let deny = [("x-api-key", API_KEY), ("authorization", "Bearer deny")];
    let (status, h, body) = send(&client, "GET", &url("/accounts"), &deny, "").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(h["x-amzn-errortype"], "AccessDeniedException");
    assert!(body.contains("with an explicit deny"), "{body}");
    assert!(body.contains("\"principal\": \"blocked-user\""), "{body}");

    // The function's "Unauthorized": 401 (research 6.3).
    let unknown = [("x-api-key", API_KEY), ("authorization", "Bearer stranger")];
    let (status, _, _) = send(&client, "GET", &url("/accounts"), &unknown, "").await;
    assert_eq!(status, 401);

    // An allow passes the authorizer (the HTTP backend behind it is not run by this test),
    // and the answer is cached by token for the TTL (research iam-apigateway.md 2.5).
    let allow = [("x-api-key", API_KEY), ("authorization", "Bearer allow")];
    let before = TOKEN_CALLS.load(Ordering::SeqCst);
    for _ in 0..2 {
        let (status, _, body) = send(&client, "GET", &url("/accounts"), &allow, "").await;
        assert!(![401, 403].contains(&status), "{status} {body}");
    }
    assert_eq!(TOKEN_CALLS.load(Ordering::SeqCst), before + 1);

    // The same caller without its API key: the authorizer allows, then the usage plan check
    // refuses (research pipeline-access.md 9: "Verifying Usage Plan" follows the authorizer;
    // 8.1: a missing key is 403 INVALID_API_KEY, customised by secured.yaml's gateway response).
    let keyless = [("authorization", "Bearer allow")];
    let (status, _, body) = send(&client, "GET", &url("/accounts"), &keyless, "").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("x-api-key"), "{body}");
    let wrong_key = [
        ("x-api-key", "not-a-key-0123456789abcdef"),
        ("authorization", "Bearer allow"),
    ];
    let (status, _, _) = send(&client, "GET", &url("/accounts"), &wrong_key, "").await;
    assert_eq!(status, 403);

    // REQUEST: both identity sources are needed (research 6.2) ...
    let tenant = [("x-api-key", API_KEY), ("X-Tenant-Id", "acme")];
    let (status, _, _) = send(&client, "GET", &url("/accounts/42"), &tenant, "").await;
    assert_eq!(status, 401);
    assert_eq!(REQUEST_CALLS.load(Ordering::SeqCst), 0);
    // ... and the integration's event carries the authorizer's principal and stringified
    // context (research 1.4).
    let (status, h, body) = send(
        &client,
        "GET",
        &url("/accounts/42?token=allow"),
        &tenant,
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(h["x-fn"], "GetAccount");
    let event: Value = serde_json::from_str(&body).expect("the event");
    let authorizer = &event["requestContext"]["authorizer"];
    assert_eq!(authorizer["principalId"], "tenant-user");
    assert_eq!(authorizer["tenant"], "acme");
    assert_eq!(authorizer["level"], "3");
    assert_eq!(authorizer["admin"], "false");
    assert!(authorizer["integrationLatency"].is_number());
    assert_eq!(REQUEST_CALLS.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_and_iam_over_loopback() {
    let (served, _lambda) = start().await;
    let client = Client::builder(TokioExecutor::new()).build_http();
    let url = |p: &str| format!("{}{p}", served.base);
    let body = r#"{"email": "rex@example.com", "plan": "pro"}"#;
    let json_ct = ("content-type", "application/json");
    let create = |token: String| {
        let client = &client;
        let url = url("/accounts");
        async move {
            let headers = [("authorization", token.as_str()), json_ct];
            send(client, "POST", &url, &headers, body).await
        }
    };

    // Cognito with scopes: an access token holding accounts/write, RS256 or ES256 (research
    // pipeline-access.md 7.1); its claims reach the function as strings (research 1.4).
    for alg in [Algorithm::RS256, Algorithm::ES256] {
        let token = jwt(alg, &access_token("openid accounts/write", 3600));
        let (status, _, answer) = create(token).await;
        assert_eq!(status, 200, "{alg:?}: {answer}");
        let event: Value = serde_json::from_str(&answer).expect("the event");
        let claims = &event["requestContext"]["authorizer"]["claims"];
        assert_eq!(claims["username"], "rex");
        assert_eq!(claims["scope"], "openid accounts/write");
        assert!(
            claims["exp"].as_str().is_some_and(|e| e.contains(" UTC ")),
            "{claims}"
        );
    }
    // Without the scope, or expired: 401 (research 7.1, 5).
    let token = jwt(Algorithm::RS256, &access_token("openid", 3600));
    let (status, _, _) = create(token).await;
    assert_eq!(status, 401);
    let token = jwt(Algorithm::RS256, &access_token("accounts/write", -60));
    let (status, _, answer) = create(token).await;
    assert_eq!(status, 401);
    assert!(
        answer.contains("The incoming token has expired"),
        "{answer}"
    );

    // AWS_IAM: unsigned is 403 Missing Authentication Token (research iam-apigateway.md 3).
    let (status, h, _) = send(&client, "DELETE", &url("/accounts/42"), &[], "").await;
    assert_eq!(status, 403);
    assert_eq!(h["x-amzn-errortype"], "MissingAuthenticationTokenException");
    // Signed by a user of the API's account, in the header and the query-string forms: the
    // function sees the caller in requestContext.identity (research 1.3).
    let ops = ("AKIDSECUREDOPS", "secured-ops-example-secret");
    for presigned in [false, true] {
        let (status, _, answer) = signed(
            &client,
            &served.base,
            "DELETE",
            "/accounts/42",
            ops,
            presigned,
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        let event: Value = serde_json::from_str(&answer).expect("the event");
        let identity = &event["requestContext"]["identity"];
        assert_eq!(identity["userArn"], "arn:aws:iam::123456789012:user/ops");
        assert_eq!(identity["accountId"], "123456789012");
        assert_eq!(identity["accessKey"], "AKIDSECUREDOPS");
        assert_eq!(identity["cognitoIdentityId"], Value::Null);
    }
    // A wrong secret: 403 InvalidSignatureException, the secret never echoed.
    let (status, h, answer) = signed(
        &client,
        &served.base,
        "DELETE",
        "/accounts/42",
        ("AKIDSECUREDOPS", "guess"),
        false,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(h["x-amzn-errortype"], "InvalidSignatureException");
    assert!(!answer.contains("secured-ops-example-secret"));
    // Same account without identity policies: the resource policy's Allow * suffices
    // (Table A, silent + Allow); another account's user with its own allow: Table B, both
    // allow.
    let intern = ("AKIDSECUREDINTERN", "secured-intern-example-secret");
    assert_eq!(
        signed(
            &client,
            &served.base,
            "DELETE",
            "/accounts/42",
            intern,
            false
        )
        .await
        .0,
        200
    );
    let partner = ("AKIDSECUREDPARTNER", "secured-partner-example-secret");
    assert_eq!(
        signed(
            &client,
            &served.base,
            "DELETE",
            "/accounts/42",
            partner,
            false
        )
        .await
        .0,
        200
    );
    // The admin resources deny callers outside 203.0.113.0/24, so loopback is refused with the
    // resource policy's explicit deny, naming the caller (research pipeline-access.md 5).
    let (status, _, answer) =
        signed(&client, &served.base, "GET", "/admin/users", ops, false).await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("User: arn:aws:iam::123456789012:user/ops is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:"), "{answer}");
    assert!(
        answer.contains("/prod/GET/admin/users with an explicit deny"),
        "{answer}"
    );
}
