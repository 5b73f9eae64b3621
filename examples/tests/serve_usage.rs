//! `gateway serve --config` end to end over loopback: API keys, usage plans, throttles and
//! quotas, with counters in memory and in a real `redis-server` shared by two gateways.
//!
//! The Redis tests use the server `.ci/run` starts (`GATEWAY_TEST_REDIS_URL`) or start their
//! own `redis-server` (Debian's package); without one they print why they skip.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::Scratch;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

const ALICE: &str = "alice-0123456789abcdefghij";
const BOB: &str = "bob-0123456789abcdefghijkl";
const CAROL: &str = "carol-0123456789abcdefghij";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/usage")
        .join(name)
}

/// A running `gateway serve`, stopped on drop; everything it printed is kept.
struct Served {
    child: Child,
    base: String,
    output: Arc<Mutex<String>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

fn serve(api: &Path, config: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("serve")
        .arg(api)
        .args(["--port", "0", "--config"])
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gateway serve starts");
    let output = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("stderr");
    let err_output = output.clone();
    std::thread::spawn(move || {
        let mut text = String::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
            if let Ok(mut o) = err_output.lock() {
                o.push_str(&text);
            }
            text.clear();
        }
    });
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines.next().expect("a line before EOF").expect("utf-8");
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_owned();
        }
    };
    let out_output = output.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Ok(mut o) = out_output.lock() {
                o.push_str(&line);
                o.push('\n');
            }
        }
    });
    Served {
        child,
        base,
        output,
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn get(client: &HttpClient, url: &str, key: Option<&str>) -> (u16, http::HeaderMap, String) {
    let mut request = hyper::Request::get(url);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let request = request.body(Full::new(Bytes::new())).expect("a request");
    let response = client.request(request).await.expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        common::loopback::response_text(response).await,
    )
}

fn error_type(headers: &http::HeaderMap) -> &str {
    headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_plans_throttles_and_quotas_over_loopback() {
    let served = serve(&data("keyed.yaml"), &data("keyed.config.yaml"));
    let client = client();
    let pets = format!("{}/pets", served.base);

    // 403 Forbidden, ForbiddenException: missing, disabled, or in no plan of this stage
    // (LocalStack snapshot test_api_key_required_for_methods, recorded on AWS; research
    // pipeline-access.md 5, 8.1).
    for key in [
        None,
        Some("unknown-0123456789abcdefgh"),
        Some(BOB),
        Some(CAROL),
    ] {
        let (status, headers, body) = get(&client, &pets, key).await;
        assert_eq!(status, 403, "{key:?}");
        assert_eq!(body, r#"{"message":"Forbidden"}"#);
        assert_eq!(error_type(&headers), "ForbiddenException");
    }

    // The plan's per-method throttle: burst 2, no refill (research 8.2: 429
    // {"message":"Too Many Requests"}, TooManyRequestsException, no Retry-After).
    for _ in 0..2 {
        let (status, _, body) = get(&client, &format!("{pets}/1"), Some(ALICE)).await;
        assert_eq!((status, body.as_str()), (200, r#"{"pet":"1"}"#));
    }
    let (status, headers, body) = get(&client, &format!("{pets}/1"), Some(ALICE)).await;
    assert_eq!(status, 429);
    assert_eq!(body, r#"{"message":"Too Many Requests"}"#);
    assert_eq!(error_type(&headers), "TooManyRequestsException");
    assert!(headers.get("retry-after").is_none());

    // The quota (5 a day) counted the two admitted requests, not the throttled one.
    for _ in 0..3 {
        let (status, _, body) = get(&client, &pets, Some(ALICE)).await;
        assert_eq!((status, body.as_str()), (200, r#"{"keyId":"k-alice"}"#));
    }
    // Research 8.3 and 5: 429 {"message":"Limit Exceeded"}, LimitExceededException; the
    // API customises QUOTA_EXCEEDED with a header.
    let (status, headers, body) = get(&client, &pets, Some(ALICE)).await;
    assert_eq!(status, 429);
    assert_eq!(body, r#"{"message":"Limit Exceeded"}"#);
    assert_eq!(error_type(&headers), "LimitExceededException");
    assert_eq!(headers["x-quota"], "used up");

    // The stage's methodSettings throttle /health for everyone: burst 3.
    let health = format!("{}/health", served.base);
    for _ in 0..3 {
        assert_eq!(get(&client, &health, None).await.0, 200);
    }
    assert_eq!(get(&client, &health, None).await.0, 429);

    // No key value in anything the gateway printed.
    let printed = served.output();
    for secret in [ALICE, BOB, CAROL] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(printed.contains("THROTTLED"), "{printed}");
}

/// Runs `gateway serve` on `config`, which must be refused: its standard error, or a panic
/// when the server starts instead (stopped within 20 s, never a hang).
fn refused(config: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("serve")
        .arg(data("keyed.yaml"))
        .args(["--port", "0", "--config", config])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gateway serve runs");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(!status.success());
            let mut err = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
            return err;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("gateway serve started on a bad configuration");
}

#[test]
fn a_bad_config_is_refused_at_start_with_its_place_and_no_secret() {
    let scratch = Scratch::new("usage", "bad-config");
    let config = scratch.file(
        "bad.yaml",
        "apiKeys:\n  - {id: k, value: \"s3cret-s3cret-s3cret-s3cret\", enabled: true, colour: red}\n",
    );
    let err = refused(&config);
    assert!(err.contains("apiKeys[0].colour"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");

    let short = scratch.file(
        "short.yaml",
        "apiKeys:\n  - {id: k, value: \"tiny-secret\", enabled: true}\n",
    );
    let err = refused(&short);
    // LocalStack snapshot test_create_api_key_with_invalid_value (recorded on AWS).
    assert!(
        err.contains("apiKeys[0].value: API Key value should be at least 20 characters"),
        "{err}"
    );
    assert!(!err.contains("tiny-secret"), "{err}");
}

/// The Redis server `.ci/run` started, or why not.
fn redis_url() -> Option<String> {
    match std::env::var("GATEWAY_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped: GATEWAY_TEST_REDIS_URL is not set (.ci/run starts redis-server and sets it)"
            );
            None
        }
    }
}

/// A plan id no other run uses (quota counts live for a day in the shared server).
fn fresh_plan() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("plan-{}-{nanos}", std::process::id())
}

fn redis_config(url: &str, plan: &str, quota: u32, on_error: &str) -> String {
    format!(
        r#"
apiKeys:
  - {{id: k-alice, value: "{ALICE}", enabled: true}}
usagePlans:
  - id: {plan}
    apiStages: [{{stage: prod}}]
    quota: {{limit: {quota}, period: DAY}}
usagePlanKeys:
  - {{usagePlanId: {plan}, keyId: k-alice}}
counters: {{store: redis, url: "{url}", onError: {on_error}}}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_on_one_redis_enforce_one_quota_exactly() {
    let Some(url) = redis_url() else { return };
    const QUOTA: usize = 40;
    const REQUESTS: usize = 100;
    let scratch = Scratch::new("usage", "two-gateways");
    let config = scratch.file(
        "redis.yaml",
        redis_config(&url, &fresh_plan(), QUOTA as u32, "deny"),
    );
    let first = serve(&data("keyed.yaml"), Path::new(&config));
    let second = serve(&data("keyed.yaml"), Path::new(&config));
    let client = client();
    let mut tasks = Vec::new();
    for i in 0..REQUESTS {
        let base = if i % 2 == 0 {
            &first.base
        } else {
            &second.base
        };
        let (client, url) = (client.clone(), format!("{base}/pets"));
        tasks.push(tokio::spawn(async move {
            let (status, _, body) = get(&client, &url, Some(ALICE)).await;
            (status, body)
        }));
    }
    let (mut ok, mut over) = (0, 0);
    for task in tasks {
        match task.await.expect("a task") {
            (200, _) => ok += 1,
            (429, body) if body == r#"{"message":"Limit Exceeded"}"# => over += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((ok, over), (QUOTA, REQUESTS - QUOTA));
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn redis_server_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/bin".into(), "/usr/sbin".into()])
        .map(|d| d.join("redis-server"))
        .find(|p| p.is_file())
}

struct RedisServer(Child);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_starts_while_redis_is_down_fails_closed_then_recovers() {
    let Some(binary) = redis_server_binary() else {
        eprintln!("skipped: no redis-server binary (Debian package redis-server)");
        return;
    };
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let scratch = Scratch::new("usage", "redis-down");
    let deny = scratch.file("deny.yaml", redis_config(&url, &fresh_plan(), 100, "deny"));
    let allow = scratch.file(
        "allow.yaml",
        redis_config(&url, &fresh_plan(), 100, "allow"),
    );
    let closed = serve(&data("keyed.yaml"), Path::new(&deny));
    let open = serve(&data("keyed.yaml"), Path::new(&allow));
    let client = client();

    // onError: deny: a 5XX gateway response, at once (never a hang).
    let started = Instant::now();
    let (status, _, body) = get(&client, &format!("{}/pets", closed.base), Some(ALICE)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body, r#"{"message": "Service Unavailable"}"#);
    assert!(started.elapsed() < Duration::from_secs(2));
    // onError: allow: through, unmetered.
    let (status, _, _) = get(&client, &format!("{}/pets", open.base), Some(ALICE)).await;
    assert_eq!(status, 200);

    let _server = RedisServer(
        Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut status = 0;
    while Instant::now() < deadline {
        status = get(&client, &format!("{}/pets", closed.base), Some(ALICE))
            .await
            .0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status, 200,
        "the gateway did not recover when Redis came back"
    );
    // The store said so in the log, without the key's value.
    let printed = closed.output();
    assert!(
        printed.contains("unreachable") && printed.contains("is back"),
        "{printed}"
    );
    assert!(!printed.contains(ALICE));
}
