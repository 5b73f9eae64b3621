//! The Redis counter store (feature `redis`): several gateway processes share one budget.
//!
//! - One server-side script per decision ([`DECIDE_SCRIPT`], sent once and then called by
//!   its SHA-1): it refills and checks every bucket of the request, checks its quota, and
//!   only then takes the tokens and counts the request. Redis runs a script alone, so there is
//!   no read-modify-write race between gateways.
//! - Counters expire on their own: a bucket when it would be full again (a missing bucket is
//!   a full one, so nothing changes; a bucket with rate 0 never refills and is kept), a quota
//!   count [`QUOTA_GRACE_MILLIS`] after its window ends (its key names the window).
//! - Times are the gateways' clocks (the request's arrival): gateways sharing a Redis keep
//!   their clocks in step (NTP), as their quota windows must agree anyway.
//! - Never a hang: a decision (connecting included) that takes longer than
//!   [`DECISION_TIMEOUT`] fails, and after a failure the store waits [`RECONNECT_BACKOFF`]
//!   before it tries the server again, answering [`StoreError`] at once meanwhile. The store
//!   connects lazily, so a gateway starts while Redis is down, and reconnects when it is back;
//!   both changes are logged once (to standard error), without the URL's password.
//!
//! Needs a tokio runtime (the client's).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;

use super::counters::{CounterStore, Decision, QUOTA_GRACE_MILLIS, StoreError, Verdict};
use crate::pipeline::backends::BoxFuture;

/// Longest a decision may take, connecting included (1 s: a loopback or LAN Redis answers in
/// well under a millisecond; far below API Gateway's 29 s integration timeout).
pub const DECISION_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the store waits after a failure before it tries the server again (200 ms), so
/// that requests do not each pay a connection attempt while Redis is down.
pub const RECONNECT_BACKOFF: Duration = Duration::from_millis(200);

/// The prefix of every key the store writes.
pub const KEY_PREFIX: &str = "gateway-rs:";

/// The decision script. `KEYS`: the buckets, then the quota's count if any. `ARGV`: now
/// (ms), the number of buckets, each bucket's rate and burst, then the quota's limit and its
/// count's time to live (ms). Answers `{0, 0}` admitted, `{1, i}` bucket `i` (from 0) empty,
/// `{2, 0}` quota used up. The same arithmetic as [`super::throttle::Bucket`].
pub const DECIDE_SCRIPT: &str = r"
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local after = {}
for i = 1, n do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local state = redis.call('HMGET', KEYS[i], 't', 'at')
  local t = tonumber(state[1])
  local at = tonumber(state[2])
  if t == nil or at == nil then
    t = burst
    at = now
  elseif now > at then
    t = math.min(burst, t + (now - at) * rate / 1000)
    at = now
  end
  if t < 1 then
    return {1, i - 1}
  end
  after[i] = {t - 1, at}
end
if #KEYS > n then
  local limit = tonumber(ARGV[3 + 2 * n])
  local ttl = tonumber(ARGV[4 + 2 * n])
  local used = tonumber(redis.call('GET', KEYS[n + 1]) or '0')
  if used >= limit then
    return {2, 0}
  end
  redis.call('INCR', KEYS[n + 1])
  redis.call('PEXPIRE', KEYS[n + 1], ttl)
end
for i = 1, n do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local t = after[i][1]
  redis.call('HSET', KEYS[i], 't', t, 'at', after[i][2])
  if rate > 0 then
    redis.call('PEXPIRE', KEYS[i], math.max(1, math.ceil((burst - t) / rate * 1000)))
  end
end
return {0, 0}
";

/// Counters in a Redis server.
pub struct RedisStore {
    client: redis::Client,
    script: redis::Script,
    /// The shared connection, once made (a multiplexed connection: clones share it).
    connection: Mutex<Option<MultiplexedConnection>>,
    /// No new attempt before this instant, after a failure.
    retry_after: Mutex<Option<Instant>>,
    /// Whether the last attempt failed (to log changes once).
    down: AtomicBool,
    /// `host:port` for the log (never the password).
    server: String,
    /// What the gateway does while the store is down, for the log.
    fail_open: bool,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// Why a Redis URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Redis URL (expected redis://host:port): {0}")]
pub struct BadRedisUrl(String);

impl RedisStore {
    /// A store for the server at `url` (`redis://host:port[/db]`); nothing is connected
    /// until the first decision. `fail_open` is only for the log's wording.
    pub fn new(url: &str, fail_open: bool) -> Result<RedisStore, BadRedisUrl> {
        let client =
            redis::Client::open(url).map_err(|e| BadRedisUrl(format!("{:?}", e.kind())))?;
        let server = client.get_connection_info().addr().to_string();
        Ok(RedisStore {
            client,
            script: redis::Script::new(DECIDE_SCRIPT),
            connection: Mutex::new(None),
            retry_after: Mutex::new(None),
            down: AtomicBool::new(false),
            server,
            fail_open,
        })
    }

    async fn connection(&self) -> Result<MultiplexedConnection, String> {
        if let Some(c) = self
            .connection
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(c);
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(DECISION_TIMEOUT))
            .set_response_timeout(Some(DECISION_TIMEOUT));
        let c = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| e.to_string())?;
        *self.connection.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
        Ok(c)
    }

    async fn run(&self, decision: &Decision) -> Result<Verdict, String> {
        let mut connection = self.connection().await?;
        let mut invocation = self.script.prepare_invoke();
        for bucket in &decision.buckets {
            invocation.key(format!("{KEY_PREFIX}{}", bucket.counter));
        }
        if let Some(quota) = &decision.quota {
            invocation.key(format!(
                "{KEY_PREFIX}{}:{}",
                quota.counter, quota.window.start
            ));
        }
        invocation
            .arg(decision.now_millis)
            .arg(decision.buckets.len());
        for bucket in &decision.buckets {
            invocation.arg(bucket.limit.rate).arg(bucket.limit.burst);
        }
        if let Some(quota) = &decision.quota {
            let ttl = quota
                .window
                .end
                .saturating_sub(decision.now_millis)
                .saturating_add(QUOTA_GRACE_MILLIS)
                .max(1);
            invocation.arg(quota.limit).arg(ttl);
        }
        let (code, index): (i64, i64) = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|e| e.to_string())?;
        match (code, usize::try_from(index)) {
            (0, _) => Ok(Verdict::Admit),
            (1, Ok(bucket)) if bucket < decision.buckets.len() => Ok(Verdict::Throttled { bucket }),
            (2, _) => Ok(Verdict::QuotaExceeded),
            _ => Err(format!(
                "unexpected answer {{{code}, {index}}} from the script"
            )),
        }
    }

    async fn decide_logged(&self, decision: &Decision) -> Result<Verdict, StoreError> {
        let waiting = self
            .retry_after
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|t| Instant::now() < t);
        if waiting {
            return Err(StoreError(format!(
                "Redis at {} unreachable (retrying shortly)",
                self.server
            )));
        }
        let result = match tokio::time::timeout(DECISION_TIMEOUT, self.run(decision)).await {
            Ok(r) => r,
            Err(_) => Err(format!("no answer within {DECISION_TIMEOUT:?}")),
        };
        match result {
            Ok(verdict) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    eprintln!("gateway: counter store Redis at {} is back", self.server);
                }
                Ok(verdict)
            }
            Err(why) => {
                *self.connection.lock().unwrap_or_else(|e| e.into_inner()) = None;
                *self.retry_after.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(Instant::now() + RECONNECT_BACKOFF);
                if !self.down.swap(true, Ordering::Relaxed) {
                    let then = if self.fail_open {
                        "admitted unmetered"
                    } else {
                        "refused with 503"
                    };
                    eprintln!(
                        "gateway: counter store Redis at {} unreachable ({why}); metered requests are {then} until it is back (onError: {})",
                        self.server,
                        if self.fail_open { "allow" } else { "deny" }
                    );
                }
                Err(StoreError(format!("Redis at {}: {why}", self.server)))
            }
        }
    }
}

impl CounterStore for RedisStore {
    fn decide<'a>(&'a self, decision: &'a Decision) -> BoxFuture<'a, Result<Verdict, StoreError>> {
        Box::pin(self.decide_logged(decision))
    }
}
