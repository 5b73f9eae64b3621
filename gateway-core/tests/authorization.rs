//! Authorization end to end in process: every authorization type (NONE, AWS_IAM, Lambda TOKEN
//! and REQUEST, Cognito user pools) through the whole chain on MOCK integrations, and each row
//! of API Gateway's combination tables. Sources beside the assertions:
//!
//! - DG-FLOW: developer guide, "How API Gateway resource policies affect authorization
//!   workflow" (apigateway-authorization-flow), its per-type sections and Tables A and B
//!   (research iam-apigateway.md 2.3);
//! - R5, R6, R7: research pipeline-access.md sections 5 (bodies and `x-amzn-ErrorType` as AWS
//!   sends them), 6 (Lambda authorizers) and 7 (Cognito);
//! - IAM-3: research iam-apigateway.md 3 (SigV4 messages, recorded on AWS).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use gateway_core::compile::{CompileOptions, CompiledApi, DeploymentScope};
use gateway_core::pipeline::access::Access;
use gateway_core::pipeline::access::authorization::Authorization;
use gateway_core::pipeline::access::authorization::cognito::{CognitoPools, PoolKeys, StaticKeys};
use gateway_core::pipeline::access::authorization::iam::{IamUser, IamUserSpec, IamUsers};
use gateway_core::pipeline::{
    BackendError, Backends, BoxFuture, Client, Gateway, LambdaBackend, LambdaInvocation,
    LambdaOutput, Stage,
};
use gateway_policy::Policy;
use gateway_policy::sigv4::{Payload, RequestRef, Signer};
use http::{HeaderMap, Request, Response};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

const ACCOUNT: &str = "123456789012";
const OTHER_ACCOUNT: &str = "210987654321";
const API_ID: &str = "abc123";
const POOL: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Test";
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test";
const RSA_KEY: &[u8] = include_bytes!("data/jwt/rsa-test-key.pem");
const EC_KEY: &[u8] = include_bytes!("data/jwt/ec-test-key.pem");
const JWKS: &[u8] = include_bytes!("data/jwt/jwks.json");

fn arn(method: &str, path: &str) -> String {
    format!("arn:aws:execute-api:us-east-1:{ACCOUNT}:{API_ID}/prod/{method}{path}")
}

/// The API: one method per authorization type, each a MOCK answering with what `$context`
/// holds; `policy` is the resource policy (`x-amazon-apigateway-policy`), if any.
fn api_text(policy: Option<Value>, token_ttl: u32) -> String {
    let mock = r#"
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"principal":"$context.authorizer.principalId","tier":"$context.authorizer.tier","latency":"$context.authorizer.integrationLatency","userArn":"$context.identity.userArn","caller":"$context.identity.caller","accessKey":"$context.identity.accessKey","account":"$context.identity.accountId","email":"$context.authorizer.claims.email","exp":"$context.authorizer.claims.exp","groups":"$context.authorizer.claims[''cognito:groups'']"}'"#;
    let policy = policy
        .map(|p| format!("x-amazon-apigateway-policy: {p}\n"))
        .unwrap_or_default();
    format!(
        r#"
openapi: 3.0.1
info: {{title: secured, version: "1"}}
{policy}
paths:
  /open:
    get:{mock}
  /open/{{id}}:
    get:
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]{mock}
  /iam:
    get:
      security: [{{sigv4: []}}]{mock}
    post:
      security: [{{sigv4: []}}]{mock}
  /token:
    get:
      security: [{{token: []}}]{mock}
  /token/other:
    get:
      security: [{{token: []}}]{mock}
  /request/{{id}}:
    get:
      security: [{{request: []}}]
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]{mock}
  /cognito:
    get:
      security: [{{pool: []}}]{mock}
    post:
      security: [{{pool: [pets/write]}}]{mock}
components:
  securitySchemes:
    sigv4: {{type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}}
    token:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:{ACCOUNT}:function:Token/invocations
        identityValidationExpression: "[a-z-]+"
        authorizerResultTtlInSeconds: {token_ttl}
    request:
      type: apiKey
      name: Unused
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:{ACCOUNT}:function:Request/invocations
        identitySource: method.request.header.X-Tenant, method.request.querystring.token
        authorizerResultTtlInSeconds: 300
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: [{POOL}]
"#
    )
}

/// The authorizer functions: each answer is chosen by the token (TOKEN) or the `token` query
/// parameter (REQUEST); every call is counted and its event kept.
#[derive(Default)]
struct Functions {
    calls: AtomicUsize,
    events: Mutex<Vec<Value>>,
}

fn allow(resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}]})
}

impl LambdaBackend for Functions {
    fn invoke(
        &self,
        invocation: LambdaInvocation,
    ) -> BoxFuture<'_, Result<LambdaOutput, BackendError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let event: Value = serde_json::from_slice(&invocation.payload).unwrap();
        self.events.lock().unwrap().push(event.clone());
        let token = event["authorizationToken"]
            .as_str()
            .or(event["queryStringParameters"]["token"].as_str())
            .unwrap_or_default()
            .to_owned();
        let method_arn = event["methodArn"].as_str().unwrap_or_default().to_owned();
        let ok = |v: Value| {
            Ok(LambdaOutput {
                payload: Bytes::from(v.to_string()),
                function_error: None,
            })
        };
        let failed = |message: &str| {
            Ok(LambdaOutput {
                payload: Bytes::from(
                    json!({"errorMessage": message, "errorType": "Error"}).to_string(),
                ),
                function_error: Some("Unhandled".into()),
            })
        };
        let answer = match token.as_str() {
            // Allows only the method ARN it was called for (the classic caching pitfall).
            "allow" => ok(
                json!({"principalId": "user-1", "policyDocument": allow(&method_arn),
                "context": {"tier": "gold", "n": 1}, "usageIdentifierKey": "key-1"}),
            ),
            "allow-all" => ok(json!({"principalId": "user-2",
                "policyDocument": allow(&format!("arn:aws:execute-api:us-east-1:{ACCOUNT}:{API_ID}/prod/*"))})),
            "deny" => ok(
                json!({"principalId": "user-3", "policyDocument": {"Version": "2012-10-17",
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": method_arn}]}}),
            ),
            "elsewhere" => ok(
                json!({"principalId": "user-4", "policyDocument": allow(&arn("GET", "/nowhere"))}),
            ),
            "unauthorized" => failed("Unauthorized"),
            "boom" => failed("boom"),
            "malformed" => ok(json!({"statusCode": 200, "body": "hi"})),
            "context-object" => ok(
                json!({"principalId": "u", "policyDocument": allow("*"), "context": {"o": {"a": 1}}}),
            ),
            "slow" => Err(BackendError::Timeout),
            "down" => Err(BackendError::Network("connection refused".into())),
            _ => failed("unexpected token"),
        };
        Box::pin(std::future::ready(answer))
    }
}

struct Setup {
    gateway: Gateway,
    functions: Arc<Functions>,
}

fn identity_policy(effect: &str, resource: &str) -> Policy {
    Policy::parse_identity(
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}]})
        .to_string(),
    )
    .unwrap()
}

fn users() -> IamUsers {
    let mut users = IamUsers::new();
    let user = |name: &str, account: &str, key: &str, policies: Vec<Policy>| {
        IamUser::new(IamUserSpec {
            arn: format!("arn:aws:iam::{account}:user/{name}"),
            access_key_id: key.into(),
            secret_access_key: format!("{key}-secret"),
            user_id: Some(format!("AIDA{}", name.to_uppercase())),
            tags: vec![("team".into(), name.into())],
            policies,
            ..IamUserSpec::default()
        })
    };
    let all = format!("arn:aws:execute-api:us-east-1:{ACCOUNT}:{API_ID}/*");
    for u in [
        user(
            "alice",
            ACCOUNT,
            "AKIDALICE",
            vec![identity_policy("Allow", &all)],
        ),
        user("nobody", ACCOUNT, "AKIDNOBODY", vec![]),
        user(
            "denied",
            ACCOUNT,
            "AKIDDENIED",
            vec![
                identity_policy("Allow", &all),
                identity_policy("Deny", &arn("POST", "/iam")),
            ],
        ),
        user(
            "bob",
            OTHER_ACCOUNT,
            "AKIDBOB",
            vec![identity_policy("Allow", &all)],
        ),
        user("carol", OTHER_ACCOUNT, "AKIDCAROL", vec![]),
    ] {
        users.insert(u).unwrap();
    }
    let mut temporary = IamUserSpec {
        arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/ci"),
        access_key_id: "ASIATEMP".into(),
        secret_access_key: "temp-secret".into(),
        session_token: Some("session-token-value".into()),
        policies: vec![identity_policy("Allow", &all)],
        ..IamUserSpec::default()
    };
    temporary.user_id = Some("AROADEPLOYER:ci".into());
    users.insert(IamUser::new(temporary)).unwrap();
    // Temporary credentials whose expiration has passed.
    users
        .insert(IamUser::new(IamUserSpec {
            arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/old"),
            access_key_id: "ASIAOLD".into(),
            secret_access_key: "old-secret".into(),
            session_token: Some("old-token-value".into()),
            expires_at: Some(SystemTime::now() - Duration::from_secs(60)),
            policies: vec![identity_policy("Allow", &all)],
            ..IamUserSpec::default()
        }))
        .unwrap();
    users
}

fn setup_with(policy: Option<Value>, token_ttl: u32, client_ids: Option<Vec<String>>) -> Setup {
    let options = CompileOptions {
        scope: Some(DeploymentScope {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: ACCOUNT.into(),
        }),
        import: gateway_core::import::ImportOptions {
            api_id: Some(API_ID.into()),
            ..Default::default()
        },
        ..CompileOptions::default()
    };
    let api = CompiledApi::load(api_text(policy, token_ttl).as_bytes(), &options).unwrap();
    let functions = Arc::new(Functions::default());
    let mut keys = StaticKeys::new();
    keys.insert(POOL, PoolKeys::from_jwks(JWKS).unwrap());
    let mut pools = CognitoPools::new(Arc::new(keys));
    if let Some(ids) = client_ids {
        pools = pools.with_client_ids(POOL, ids);
    }
    let authorization = Authorization::new()
        .with_sigv4_region("us-east-1")
        .with_iam_users(users())
        .with_cognito(pools);
    let backends = Backends {
        http: None,
        lambda: Some(functions.clone()),
    };
    let gateway = Gateway::new(Arc::new(api), Stage::new("prod"), backends)
        .unwrap()
        .with_access(Access {
            authorization,
            ..Access::default()
        });
    Setup { gateway, functions }
}

fn setup(policy: Option<Value>) -> Setup {
    setup_with(policy, 300, None)
}

impl Setup {
    fn send(&self, method: &str, uri: &str, headers: &[(&str, &str)]) -> Response<Bytes> {
        let mut request = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let client = Client {
            source_ip: Some("198.51.100.7".parse().unwrap()),
        };
        block_on(
            self.gateway
                .handle(request.body(Bytes::new()).unwrap(), client),
        )
    }

    fn calls(&self) -> usize {
        self.functions.calls.load(Ordering::SeqCst)
    }

    /// A request signed by `key` (header form, or query form when `presigned`).
    fn signed(
        &self,
        method: &str,
        path: &str,
        key: &str,
        secret: &str,
        token: Option<&str>,
        presigned: bool,
    ) -> Response<Bytes> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "host",
            format!("{API_ID}.execute-api.us-east-1.amazonaws.com")
                .parse()
                .unwrap(),
        );
        let mut signer = Signer::new(key, secret, "us-east-1", "execute-api");
        if let Some(t) = token {
            signer = signer.session_token(t);
        }
        if presigned {
            signer = signer.presigned(Duration::from_secs(300));
        }
        let stage_path = format!("/prod{path}");
        let signed = signer
            .sign(
                RequestRef::new(method, &stage_path, "", &headers),
                Payload::Bytes(b""),
                SystemTime::now(),
            )
            .unwrap();
        let mut request = Request::builder().method(method);
        request = request.uri(if signed.query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", signed.query)
        });
        for (k, v) in &headers {
            request = request.header(k, v);
        }
        for (k, v) in &signed.headers {
            request = request.header(*k, v);
        }
        let client = Client {
            source_ip: Some("198.51.100.7".parse().unwrap()),
        };
        block_on(
            self.gateway
                .handle(request.body(Bytes::new()).unwrap(), client),
        )
    }

    /// A request signed (header form) by the test user of `key`, whose secret is `{key}-secret`.
    fn as_user(&self, method: &str, path: &str, key: &str) -> Response<Bytes> {
        self.signed(method, path, key, &format!("{key}-secret"), None, false)
    }

    fn alice(&self, method: &str, path: &str) -> Response<Bytes> {
        self.as_user(method, path, "AKIDALICE")
    }
}

fn body(r: &Response<Bytes>) -> String {
    String::from_utf8_lossy(r.body()).into_owned()
}

fn json_body(r: &Response<Bytes>) -> Value {
    serde_json::from_slice(r.body()).unwrap_or(Value::Null)
}

fn error_type(r: &Response<Bytes>) -> &str {
    r.headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// A resource policy: `Allow` to everyone on `allow`, and optionally `Deny` to everyone on
/// `deny`.
fn resource_policy(allow: Option<&str>, deny: Option<&str>) -> Value {
    let mut statements = Vec::new();
    if let Some(r) = allow {
        statements.push(json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": r}));
    }
    if let Some(r) = deny {
        statements.push(json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": r}));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn denied_message(arn: &str, explicit: bool, user: &str) -> String {
    // R5 "ACCESS_DENIED from a resource policy", recorded AWS bodies.
    format!(
        r#"{{"Message":"User: {user} is not authorized to perform: execute-api:Invoke on resource: {arn}{}"}}"#,
        if explicit {
            " with an explicit deny"
        } else {
            ""
        }
    )
}

// ------------------------------------------------------------------------------------------
// NONE: the resource policy alone
// ------------------------------------------------------------------------------------------

#[test]
fn none_without_a_resource_policy_is_open() {
    // DG-FLOW: with no resource policy a method without authorization is public.
    let s = setup(None);
    assert_eq!(s.send("GET", "/open", &[]).status(), 200);
}

#[test]
fn none_needs_the_resource_policys_explicit_allow() {
    // DG-FLOW "API Gateway resource policy only": "An implicit denial or any explicit denial
    // results in denying the caller."
    let allow = setup(Some(resource_policy(Some("execute-api:/*"), None)));
    assert_eq!(allow.send("GET", "/open", &[]).status(), 200);

    let silent = setup(Some(resource_policy(
        Some("execute-api:/prod/GET/elsewhere"),
        None,
    )));
    let r = silent.send("GET", "/open", &[]);
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "AccessDeniedException");
    assert_eq!(
        body(&r),
        denied_message(&arn("GET", "/open"), false, "anonymous")
    );

    let deny = setup(Some(resource_policy(
        Some("execute-api:/*"),
        Some("execute-api:/*/GET/open"),
    )));
    let r = deny.send("GET", "/open", &[]);
    assert_eq!(r.status(), 403);
    assert_eq!(
        body(&r),
        denied_message(&arn("GET", "/open"), true, "anonymous")
    );
}

#[test]
fn source_ip_conditions_see_the_callers_address() {
    // iam-apigateway.md 2.4: aws:SourceIp is present for every authorization type.
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]});
    let s = setup(Some(policy));
    let r = s.send("GET", "/open", &[]);
    assert_eq!(r.status(), 403, "198.51.100.7 is outside 203.0.113.0/24");
    let inside = Client {
        source_ip: Some("203.0.113.9".parse().unwrap()),
    };
    let request = Request::get("/open").body(Bytes::new()).unwrap();
    assert_eq!(block_on(s.gateway.handle(request, inside)).status(), 200);
}

#[test]
fn principal_keys_are_missing_without_iam() {
    // iam-apigateway.md 2.4 (derived): under NONE, aws:PrincipalAccount is absent, so a
    // positive condition on it is false.
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}]});
    let s = setup(Some(policy));
    assert_eq!(s.send("GET", "/open", &[]).status(), 403);
    // ... and an IAM caller of that account has it.
    assert_eq!(s.as_user("GET", "/iam", "AKIDNOBODY").status(), 200);
}

// ------------------------------------------------------------------------------------------
// AWS_IAM
// ------------------------------------------------------------------------------------------

#[test]
fn iam_signed_requests_fill_the_identity() {
    // research pipeline-access.md 1.3 / 1.4: IAM fills identity.* (caller, user, userArn,
    // accountId, accessKey); no authorizer object.
    let s = setup(None);
    let r = s.alice("GET", "/iam");
    assert_eq!(r.status(), 200, "{}", body(&r));
    let b = json_body(&r);
    assert_eq!(b["userArn"], format!("arn:aws:iam::{ACCOUNT}:user/alice"));
    assert_eq!(b["caller"], "AIDAALICE");
    assert_eq!(b["accessKey"], "AKIDALICE");
    assert_eq!(b["account"], ACCOUNT);
    assert_eq!(b["principal"], "");
}

#[test]
fn iam_query_string_signatures_are_verified_too() {
    // IAM-3: SigV4's presigned (query-string) form.
    let s = setup(None);
    let r = s.signed("GET", "/iam", "AKIDALICE", "AKIDALICE-secret", None, true);
    assert_eq!(r.status(), 200, "{}", body(&r));
    let r = s.signed("GET", "/iam", "AKIDALICE", "wrong", None, true);
    assert_eq!(r.status(), 403);
}

#[test]
fn iam_temporary_credentials_need_their_session_token() {
    let s = setup(None);
    let ok = s.signed(
        "GET",
        "/iam",
        "ASIATEMP",
        "temp-secret",
        Some("session-token-value"),
        false,
    );
    assert_eq!(ok.status(), 200, "{}", body(&ok));
    assert_eq!(json_body(&ok)["caller"], "AROADEPLOYER:ci");
    // IAM-3: a wrong or missing token is UnrecognizedClient (the token is never echoed).
    let bad = s.signed(
        "GET",
        "/iam",
        "ASIATEMP",
        "temp-secret",
        Some("other"),
        false,
    );
    assert_eq!(bad.status(), 403);
    assert_eq!(error_type(&bad), "UnrecognizedClientException");
    assert!(!body(&bad).contains("session-token-value"));
    // A signature mismatch shows the canonical request, with the token masked.
    let mismatch = s.signed(
        "GET",
        "/iam",
        "ASIATEMP",
        "wrong-secret",
        Some("session-token-value"),
        false,
    );
    assert_eq!(mismatch.status(), 403);
    assert!(
        body(&mismatch).contains("x-amz-security-token:***"),
        "{}",
        body(&mismatch)
    );
    assert!(!body(&mismatch).contains("session-token-value"));
}

#[test]
fn iam_expired_session_tokens_are_expired_token() {
    // EXPIRED_TOKEN is 403 (developer guide, supported-gateway-response-types); the message
    // and `ExpiredTokenException` are AWS's for an expired STS token (research session 12, 4:
    // recorded on other AWS services; no execute-api capture), distinct from a signature
    // outside the clock skew (InvalidSignatureException, `Signature expired: ...`).
    let s = setup(None);
    let r = s.signed(
        "GET",
        "/iam",
        "ASIAOLD",
        "old-secret",
        Some("old-token-value"),
        false,
    );
    assert_eq!(r.status(), 403, "{}", body(&r));
    assert_eq!(error_type(&r), "ExpiredTokenException");
    assert_eq!(
        body(&r),
        r#"{"message":"The security token included in the request is expired"}"#
    );
    assert!(!body(&r).contains("old-token-value"));
}

#[test]
fn a_method_arn_over_1600_bytes_is_414_where_authorization_reads_it() {
    // Developer guide, quotas for REST APIs: "ARN length of a method with authorization",
    // 1600 bytes; a longer one gets "414 Request URI too long"; the quotas page adds that the
    // limit applies where resource policies are used. The body's bytes are not recorded
    // (research session 12, 3). `/request/{id}` has a REQUEST authorizer; `/open` none.
    let fixed = arn("GET", "/request/").len();
    let fits = "x".repeat(1600 - fixed);
    let over = "x".repeat(1600 - fixed + 1);
    let s = setup(None);
    let r = s.send(
        "GET",
        &format!("/request/{over}?token=allow"),
        &[("X-Tenant", "t")],
    );
    assert_eq!(r.status(), 414);
    assert_eq!(body(&r), r#"{"message":"Request URI too long"}"#);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert!(r.headers().contains_key("x-amzn-requestid"));
    assert_eq!(s.calls(), 0, "the authorizer is not called");
    // One byte less passes the limit (and reaches the authorizer).
    let r = s.send(
        "GET",
        &format!("/request/{fits}?token=allow"),
        &[("X-Tenant", "t")],
    );
    assert_ne!(r.status(), 414);
    assert_eq!(s.calls(), 1);
    // A method without authorization on an API without a resource policy has no limit...
    let long_open = format!("/open/{}", "x".repeat(2000));
    assert_eq!(s.send("GET", &long_open, &[]).status(), 200);
    // ...but with a resource policy it has.
    let s = setup(Some(resource_policy(Some("execute-api:/*"), None)));
    let r = s.send("GET", &long_open, &[]);
    assert_eq!(r.status(), 414);
    assert_eq!(body(&r), r#"{"message":"Request URI too long"}"#);
}

#[test]
fn iam_signature_failures_have_aws_types_and_messages() {
    let s = setup(None);
    // No signature: 403 Missing Authentication Token (R5, IAM-3).
    let r = s.send("GET", "/iam", &[]);
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "MissingAuthenticationTokenException");
    assert_eq!(body(&r), r#"{"message":"Missing Authentication Token"}"#);
    // An unknown key (IAM-3).
    let r = s.signed("GET", "/iam", "AKIDUNKNOWN", "x", None, false);
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "UnrecognizedClientException");
    assert_eq!(
        body(&r),
        r#"{"message":"The security token included in the request is invalid."}"#
    );
    // A wrong secret: the signature mismatch message, no secret in it (IAM-3).
    let r = s.signed("GET", "/iam", "AKIDALICE", "not-the-secret", None, false);
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "InvalidSignatureException");
    assert!(body(&r).contains("The request signature we calculated does not match"));
    assert!(!body(&r).contains("AKIDALICE-secret"));
}

#[test]
fn iam_same_account_is_table_a() {
    // DG-FLOW Table A (rows: IAM policy, resource policy).
    let all = "execute-api:/*";
    // (Allow, none): no resource policy, the identity policy decides.
    let s = setup(None);
    assert_eq!(s.alice("GET", "/iam").status(), 200);
    // (silent, none): implicit deny, the caller named.
    let r = s.as_user("GET", "/iam", "AKIDNOBODY");
    assert_eq!(r.status(), 403);
    assert_eq!(
        body(&r),
        denied_message(
            &arn("GET", "/iam"),
            false,
            &format!("arn:aws:iam::{ACCOUNT}:user/nobody")
        )
    );
    // (silent, Allow): Allow.
    let s = setup(Some(resource_policy(Some(all), None)));
    assert_eq!(s.as_user("GET", "/iam", "AKIDNOBODY").status(), 200);
    // (Allow, silent): Allow.
    let s = setup(Some(resource_policy(
        Some("execute-api:/prod/GET/elsewhere"),
        None,
    )));
    assert_eq!(s.alice("GET", "/iam").status(), 200);
    // (Allow, Deny): explicit deny.
    let s = setup(Some(resource_policy(
        Some(all),
        Some("execute-api:/*/GET/iam"),
    )));
    let r = s.alice("GET", "/iam");
    assert_eq!(r.status(), 403);
    assert!(
        body(&r).ends_with(r#"with an explicit deny"}"#),
        "{}",
        body(&r)
    );
    // (Deny, Allow): explicit deny.
    let s = setup(Some(resource_policy(Some(all), None)));
    let r = s.as_user("POST", "/iam", "AKIDDENIED");
    assert_eq!(r.status(), 403);
    assert!(body(&r).ends_with(r#"with an explicit deny"}"#));
}

#[test]
fn iam_cross_account_is_table_b() {
    // DG-FLOW Table B: "If either is silent ... cross-account access is denied."
    let bob = |s: &Setup| s.as_user("GET", "/iam", "AKIDBOB");
    let carol = |s: &Setup| s.as_user("GET", "/iam", "AKIDCAROL");
    // (Allow, none) and (Allow, silent): denied.
    assert_eq!(bob(&setup(None)).status(), 403);
    assert_eq!(
        bob(&setup(Some(resource_policy(
            Some("execute-api:/prod/GET/elsewhere"),
            None
        ))))
        .status(),
        403
    );
    // (Allow, Allow): allowed.
    let open = setup(Some(resource_policy(Some("execute-api:/*"), None)));
    let r = bob(&open);
    assert_eq!(r.status(), 200, "{}", body(&r));
    assert_eq!(json_body(&r)["account"], OTHER_ACCOUNT);
    // (silent, Allow): denied.
    assert_eq!(carol(&open).status(), 403);
    // aws:PrincipalAccount in the resource policy tells the accounts apart.
    let only_owner = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}}]});
    let s = setup(Some(only_owner));
    assert_eq!(bob(&s).status(), 403);
    assert_eq!(s.alice("GET", "/iam").status(), 200);
}

#[test]
fn iam_principal_tags_reach_conditions() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "nobody"}}}]});
    let s = setup(Some(policy));
    assert_eq!(s.as_user("GET", "/iam", "AKIDNOBODY").status(), 200);
}

// ------------------------------------------------------------------------------------------
// Lambda TOKEN and REQUEST authorizers
// ------------------------------------------------------------------------------------------

#[test]
fn token_authorizer_allows_and_fills_the_context() {
    let s = setup(None);
    let r = s.send("GET", "/token", &[("authorization", "allow")]);
    assert_eq!(r.status(), 200, "{}", body(&r));
    let b = json_body(&r);
    // R6 / research 1.4: principalId, context values stringified, integrationLatency.
    assert_eq!(b["principal"], "user-1");
    assert_eq!(b["tier"], "gold");
    // The TOKEN event: exactly type, authorizationToken, methodArn (R6.1).
    let events = s.functions.events.lock().unwrap();
    assert_eq!(
        events[0],
        json!({"type": "TOKEN", "authorizationToken": "allow", "methodArn": arn("GET", "/token")})
    );
    let keys: Vec<&String> = events[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["type", "authorizationToken", "methodArn"]);
}

#[test]
fn a_missing_or_invalid_token_is_401_without_a_call() {
    // R6.2: missing identity source, identityValidationExpression mismatch: 401, not invoked.
    let s = setup(None);
    for headers in [
        vec![],
        vec![("authorization", "")],
        vec![("authorization", "Not Valid!")],
    ] {
        let r = s.send("GET", "/token", &headers);
        assert_eq!(r.status(), 401, "{headers:?}");
        assert_eq!(body(&r), r#"{"message":"Unauthorized"}"#);
        assert_eq!(error_type(&r), "UnauthorizedException");
    }
    assert_eq!(s.calls(), 0);
}

#[test]
fn authorizer_outcomes_have_their_response_types() {
    let s = setup(None);
    let cases = [
        // R6.3: explicit deny, capital M.
        (
            "deny",
            403,
            "AccessDeniedException",
            r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#,
        ),
        // R6.3: an allow not covering the ARN.
        (
            "elsewhere",
            403,
            "AccessDeniedException",
            r#"{"Message":"User is not authorized to access this resource"}"#,
        ),
        // R6.3: the function failing with exactly "Unauthorized".
        (
            "unauthorized",
            401,
            "UnauthorizedException",
            r#"{"message":"Unauthorized"}"#,
        ),
        // R6.3 / R5: any other error, a malformed answer, an object context value: 500, null.
        (
            "boom",
            500,
            "AuthorizerConfigurationException",
            r#"{"message": null}"#,
        ),
        (
            "malformed",
            500,
            "AuthorizerConfigurationException",
            r#"{"message": null}"#,
        ),
        (
            "context-object",
            500,
            "AuthorizerConfigurationException",
            r#"{"message": null}"#,
        ),
        (
            "down",
            500,
            "AuthorizerConfigurationException",
            r#"{"message": null}"#,
        ),
        // The issue: a timeout is AUTHORIZER_FAILURE (R13.5: AWS's mapping unrecorded).
        (
            "slow",
            500,
            "AuthorizerFailureException",
            r#"{"message": null}"#,
        ),
    ];
    for (token, status, kind, want) in cases {
        let r = s.send("GET", "/token", &[("authorization", token)]);
        assert_eq!(r.status(), status, "{token}: {}", body(&r));
        assert_eq!(error_type(&r), kind, "{token}");
        assert_eq!(body(&r), want, "{token}");
    }
}

#[test]
fn cached_answers_are_reevaluated_for_each_method_arn() {
    // iam-apigateway.md 2.5: the cache key is the token; the cached policy is re-evaluated
    // against each request's method ARN (a policy naming one ARN gives 403 elsewhere).
    let s = setup(None);
    assert_eq!(
        s.send("GET", "/token", &[("authorization", "allow")])
            .status(),
        200
    );
    assert_eq!(s.calls(), 1);
    let again = s.send("GET", "/token", &[("authorization", "allow")]);
    assert_eq!(again.status(), 200);
    assert_eq!(
        json_body(&again)["latency"],
        "0",
        "a cached answer has no latency"
    );
    assert_eq!(s.calls(), 1, "served from the cache");
    let other = s.send("GET", "/token/other", &[("authorization", "allow")]);
    assert_eq!(other.status(), 403);
    assert_eq!(s.calls(), 1, "the cached policy decided");
    // A wildcard answer serves both.
    assert_eq!(
        s.send("GET", "/token/other", &[("authorization", "allow-all")])
            .status(),
        200
    );
    assert_eq!(
        s.send("GET", "/token", &[("authorization", "allow-all")])
            .status(),
        200
    );
    assert_eq!(s.calls(), 2);
}

#[test]
fn a_zero_ttl_calls_every_time() {
    // iam-apigateway.md 2.5: "0 disables caching".
    let s = setup_with(None, 0, None);
    for _ in 0..3 {
        assert_eq!(
            s.send("GET", "/token", &[("authorization", "allow")])
                .status(),
            200
        );
    }
    assert_eq!(s.calls(), 3);
}

#[test]
fn the_resource_policy_denies_before_the_authorizer_runs() {
    // DG-FLOW "Lambda authorizer and resource policy": explicit denies first, without calling.
    let s = setup(Some(resource_policy(
        Some("execute-api:/*"),
        Some("execute-api:/*/GET/token"),
    )));
    let r = s.send("GET", "/token", &[("authorization", "allow")]);
    assert_eq!(r.status(), 403);
    assert_eq!(
        body(&r),
        denied_message(&arn("GET", "/token"), true, "anonymous")
    );
    assert_eq!(s.calls(), 0);
}

#[test]
fn lambda_authorizers_combine_by_table_a() {
    // DG-FLOW: after the authorizer, Table A whatever the caller's account.
    // (silent authorizer, RP Allow): Allow.
    let s = setup(Some(resource_policy(Some("execute-api:/*"), None)));
    assert_eq!(
        s.send("GET", "/token", &[("authorization", "elsewhere")])
            .status(),
        200
    );
    // (Allow, RP silent): Allow.
    let s = setup(Some(resource_policy(
        Some("execute-api:/prod/GET/nowhere"),
        None,
    )));
    assert_eq!(
        s.send("GET", "/token", &[("authorization", "allow")])
            .status(),
        200
    );
    // (silent, silent): implicit deny.
    assert_eq!(
        s.send("GET", "/token", &[("authorization", "elsewhere")])
            .status(),
        403
    );
    // (Deny, RP Allow): explicit deny.
    let s = setup(Some(resource_policy(Some("execute-api:/*"), None)));
    assert_eq!(
        s.send("GET", "/token", &[("authorization", "deny")])
            .status(),
        403
    );
}

#[test]
fn request_authorizer_gets_the_request_and_caches_by_all_sources() {
    let s = setup(None);
    // Any missing source: 401 without a call (R6.2).
    assert_eq!(s.send("GET", "/request/7?token=allow", &[]).status(), 401);
    assert_eq!(
        s.send("GET", "/request/7", &[("x-tenant", "t1")]).status(),
        401
    );
    assert_eq!(s.calls(), 0);
    let r = s.send("GET", "/request/7?token=allow", &[("X-Tenant", "t1")]);
    assert_eq!(r.status(), 200, "{}", body(&r));
    let event = s.functions.events.lock().unwrap()[0].clone();
    // R6.1: type, methodArn, then the proxy event's request fields, no body.
    let keys: Vec<&String> = event.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "type",
            "methodArn",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "requestContext"
        ]
    );
    assert_eq!(event["type"], "REQUEST");
    assert_eq!(event["methodArn"], arn("GET", "/request/7"));
    assert_eq!(event["resource"], "/request/{id}");
    assert_eq!(event["pathParameters"], json!({"id": "7"}));
    let tenant = event["headers"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-tenant"));
    assert_eq!(tenant.unwrap().1, "t1");
    assert_eq!(event["queryStringParameters"], json!({"token": "allow"}));
    assert_eq!(
        event["requestContext"]["identity"]["sourceIp"],
        "198.51.100.7"
    );
    // Same sources: cached; another tenant: a new call.
    assert_eq!(
        s.send("GET", "/request/7?token=allow", &[("x-tenant", "t1")])
            .status(),
        200
    );
    assert_eq!(s.calls(), 1);
    assert_eq!(
        s.send("GET", "/request/7?token=allow", &[("x-tenant", "t2")])
            .status(),
        200
    );
    assert_eq!(s.calls(), 2);
}

// ------------------------------------------------------------------------------------------
// Cognito user pools
// ------------------------------------------------------------------------------------------

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn jwt(alg: Algorithm, claims: Value) -> String {
    let (kid, key) = match alg {
        Algorithm::RS256 => ("test-rsa-1", EncodingKey::from_rsa_pem(RSA_KEY).unwrap()),
        _ => ("test-ec-1", EncodingKey::from_ec_pem(EC_KEY).unwrap()),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

fn id_token(extra: Value) -> Value {
    let mut claims = json!({"sub": "58e18350", "iss": ISSUER, "aud": "client-a", "token_use": "id",
        "email": "rex@example.com", "email_verified": true, "cognito:groups": ["admin"],
        "auth_time": now_secs(), "iat": now_secs(), "exp": now_secs() + 3600});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    claims
}

fn access_token(scope: &str) -> Value {
    json!({"sub": "58e18350", "iss": ISSUER, "client_id": "client-a", "token_use": "access",
        "scope": scope, "iat": now_secs(), "exp": now_secs() + 3600})
}

#[test]
fn cognito_id_tokens_fill_the_claims() {
    let s = setup(None);
    for alg in [Algorithm::RS256, Algorithm::ES256] {
        let token = jwt(alg, id_token(json!({})));
        let r = s.send("GET", "/cognito", &[("authorization", &token)]);
        assert_eq!(r.status(), 200, "{alg:?}: {}", body(&r));
        let b = json_body(&r);
        assert_eq!(b["email"], "rex@example.com");
        // research 1.4: a one-element array claim is its element; exp as Java's Date.
        assert_eq!(b["groups"], "admin");
        let exp = b["exp"].as_str().unwrap();
        assert!(exp.contains(" UTC 20"), "{exp}");
    }
    // "Bearer " in front is accepted.
    let token = format!("Bearer {}", jwt(Algorithm::RS256, id_token(json!({}))));
    assert_eq!(
        s.send("GET", "/cognito", &[("authorization", &token)])
            .status(),
        200
    );
}

#[test]
fn cognito_refusals_are_401() {
    let s = setup(None);
    let unauthorized = r#"{"message":"Unauthorized"}"#;
    let cases = [
        ("no token", String::new()),
        ("garbage", "not.a.jwt".to_owned()),
        (
            "other issuer",
            jwt(
                Algorithm::RS256,
                id_token(json!({"iss": "https://cognito-idp.us-east-1.amazonaws.com/other"})),
            ),
        ),
        (
            "access token without method scopes",
            jwt(Algorithm::RS256, access_token("pets/write")),
        ),
        (
            "no token_use",
            jwt(Algorithm::RS256, id_token(json!({"token_use": null}))),
        ),
    ];
    for (what, token) in cases {
        let headers: Vec<(&str, &str)> = if token.is_empty() {
            vec![]
        } else {
            vec![("authorization", &token)]
        };
        let r = s.send("GET", "/cognito", &headers);
        assert_eq!(r.status(), 401, "{what}");
        assert_eq!(body(&r), unauthorized, "{what}");
        assert_eq!(error_type(&r), "UnauthorizedException", "{what}");
    }
    // A tampered payload: the signature fails.
    let token = jwt(Algorithm::RS256, id_token(json!({})));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = jwt(
        Algorithm::RS256,
        id_token(json!({"email": "mallory@example.com"})),
    )
    .split('.')
    .nth(1)
    .unwrap()
    .to_owned();
    let tampered = parts.join(".");
    assert_eq!(
        s.send("GET", "/cognito", &[("authorization", &tampered)])
            .status(),
        401
    );
    // R7.1 / R5: expired, its own message (recorded by an AWS user).
    let expired = jwt(Algorithm::RS256, id_token(json!({"exp": now_secs() - 10})));
    let r = s.send("GET", "/cognito", &[("authorization", &expired)]);
    assert_eq!(r.status(), 401);
    assert_eq!(body(&r), r#"{"message":"The incoming token has expired"}"#);
}

#[test]
fn cognito_scopes_need_an_access_token_with_one_of_them() {
    // R7.1: with authorizationScopes, an access token matching any scope; else 401.
    let s = setup(None);
    let ok = jwt(Algorithm::RS256, access_token("openid pets/write"));
    assert_eq!(
        s.send("POST", "/cognito", &[("authorization", &ok)])
            .status(),
        200
    );
    let other = jwt(Algorithm::RS256, access_token("pets/read"));
    assert_eq!(
        s.send("POST", "/cognito", &[("authorization", &other)])
            .status(),
        401
    );
    let id = jwt(Algorithm::RS256, id_token(json!({})));
    assert_eq!(
        s.send("POST", "/cognito", &[("authorization", &id)])
            .status(),
        401
    );
}

#[test]
fn cognito_client_ids_are_checked_when_configured() {
    let s = setup_with(None, 300, Some(vec!["client-b".into()]));
    let id = jwt(Algorithm::RS256, id_token(json!({})));
    assert_eq!(
        s.send("GET", "/cognito", &[("authorization", &id)])
            .status(),
        401
    );
    let b = jwt(Algorithm::RS256, id_token(json!({"aud": "client-b"})));
    assert_eq!(
        s.send("GET", "/cognito", &[("authorization", &b)]).status(),
        200
    );
}

#[test]
fn cognito_then_the_resource_policy_must_allow() {
    // DG-FLOW "Amazon Cognito authentication and resource policy": "an explicit allow is
    // required. A deny or 'neither allow or deny' results in a deny."
    let token = jwt(Algorithm::RS256, id_token(json!({})));
    let h = [("authorization", token.as_str())];
    assert_eq!(
        setup(Some(resource_policy(Some("execute-api:/*"), None)))
            .send("GET", "/cognito", &h)
            .status(),
        200
    );
    let silent = setup(Some(resource_policy(
        Some("execute-api:/prod/GET/elsewhere"),
        None,
    )));
    assert_eq!(silent.send("GET", "/cognito", &h).status(), 403);
    let deny = setup(Some(resource_policy(
        Some("execute-api:/*"),
        Some("execute-api:/*/GET/cognito"),
    )));
    let r = deny.send("GET", "/cognito", &h);
    assert_eq!(r.status(), 403);
    assert_eq!(
        body(&r),
        denied_message(&arn("GET", "/cognito"), true, "anonymous")
    );
}
