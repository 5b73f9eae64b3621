//! The Redis counter store (feature `redis`): several gateway processes share one budget.
//!
//! - One server-side script per decision ([`DECIDE_SCRIPT`], sent once and then called by
//!   its SHA-1): it refills and checks every bucket of the request, checks its quota, and
//!   only then takes the tokens and counts the request. Redis runs a script alone, so there is
//!   no read-modify-write race between gateways.
//! - Decisions that wait together go together: one task per store sends them, and the
//!   decisions that arrive while a script call is under way make the next call, each decided
//!   in arrival order exactly as alone (the script loops over them). Under load this turns
//!   hundreds of script calls a second into a few batched ones (the Redis round trip and its
//!   script start-up were most of the limiter's cost in `scripts/load_usage.sh`); an idle
//!   gateway sends each decision at once. At most [`MAX_BATCH`] decisions per call, and
//!   [`MAX_IN_FLIGHT`] calls under way.
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

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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

/// Most decisions sent in one script call.
pub const MAX_BATCH: usize = 64;

/// Longest time to live of a counter, 10^12 ms (about 31 years): longer ones (a bucket that
/// refills at a tiny rate, a quota window far off) are cut to it, because Lua would write
/// them in exponent form, which `PEXPIRE` refuses.
pub const MAX_TTL_MILLIS: i64 = 1_000_000_000_000;

/// Most script calls under way at once (Redis runs them one after the other, each atomic).
pub const MAX_IN_FLIGHT: usize = 4;

/// Most decisions waiting for the store's task; a request beyond them waits its turn.
const QUEUE: usize = 4096;

/// The decision script, for a batch of decisions decided one after the other, each exactly
/// as alone. `KEYS`: every counter of the batch, once. `ARGV[1]`: the number of decisions;
/// then for each: now (ms), its number of buckets, 1 when it has a quota (else 0), each
/// bucket's position in `KEYS`, rate and burst, then the quota count's position, its limit
/// and its time to live (ms). Answers two numbers per decision: `0, 0` admitted, `1, i`
/// bucket `i` (from 0) empty, `2, 0` quota used up. The same arithmetic as
/// [`super::throttle::Bucket`]; a refused decision changes nothing.
///
/// Each counter is read once per call and written once at its end, whatever the number of
/// decisions that use it (the account's and a stage's buckets are shared by every request,
/// a key's by all of its requests): the decisions run on the values in a Lua table, in order,
/// inside the one atomic script, so the outcome is the one of calling them one by one.
pub const DECIDE_SCRIPT: &str = r"
local buckets = {}
local quotas = {}
local ts = {}
local ats = {}
local out = {}
local a = 2
for j = 1, tonumber(ARGV[1]) do
  local now = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local q = tonumber(ARGV[a + 2])
  a = a + 3
  local code = 0
  local index = 0
  for i = 1, n do
    local key = KEYS[tonumber(ARGV[a + 3 * i - 3])]
    local rate = tonumber(ARGV[a + 3 * i - 2])
    local burst = tonumber(ARGV[a + 3 * i - 1])
    local b = buckets[key]
    if b == nil then
      local state = redis.call('HMGET', key, 't', 'at')
      b = {t = tonumber(state[1]), at = tonumber(state[2]), dirty = false}
      buckets[key] = b
    end
    local t = b.t
    local at = b.at
    if t == nil or at == nil then
      t = burst
      at = now
    elseif now > at then
      t = math.min(burst, t + (now - at) * rate / 1000)
      at = now
    end
    if t < 1 then
      code = 1
      index = i - 1
      break
    end
    ts[i] = t - 1
    ats[i] = at
  end
  if code == 0 and q == 1 then
    local key = KEYS[tonumber(ARGV[a + 3 * n])]
    local c = quotas[key]
    if c == nil then
      c = {used = tonumber(redis.call('GET', key) or '0'), added = 0, ttl = 0}
      quotas[key] = c
    end
    if c.used >= tonumber(ARGV[a + 3 * n + 1]) then
      code = 2
    else
      c.used = c.used + 1
      c.added = c.added + 1
      c.ttl = tonumber(ARGV[a + 3 * n + 2])
    end
  end
  if code == 0 then
    for i = 1, n do
      local b = buckets[KEYS[tonumber(ARGV[a + 3 * i - 3])]]
      b.t = ts[i]
      b.at = ats[i]
      b.rate = tonumber(ARGV[a + 3 * i - 2])
      b.burst = tonumber(ARGV[a + 3 * i - 1])
      b.dirty = true
    end
  end
  out[2 * j - 1] = code
  out[2 * j] = index
  a = a + 3 * n + 3 * q
end
for key, b in pairs(buckets) do
  if b.dirty then
    redis.call('HSET', key, 't', b.t, 'at', b.at)
    if b.rate > 0 then
      redis.call('PEXPIRE', key, math.min(1e12, math.max(1, math.ceil((b.burst - b.t) / b.rate * 1000))))
    end
  end
end
for key, c in pairs(quotas) do
  if c.added > 0 then
    redis.call('INCRBY', key, c.added)
    redis.call('PEXPIRE', key, c.ttl)
  end
end
return out
";

/// One argument of the script.
#[derive(Debug, Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn push_to(self, invocation: &mut redis::ScriptInvocation<'_>) {
        match self {
            Number::Int(n) => invocation.arg(n),
            Number::Float(x) => invocation.arg(x),
        };
    }
}

/// A decision as the script takes it, and where its answer goes: its counters (buckets, then
/// the quota's), and its numbers (now, bucket count, quota flag, then two per counter).
struct Pending {
    keys: Vec<String>,
    args: Vec<Number>,
    reply: tokio::sync::oneshot::Sender<Result<(i64, i64), String>>,
}

impl Pending {
    /// `decision`'s keys and arguments (see [`DECIDE_SCRIPT`]).
    fn new(
        decision: &Decision,
        reply: tokio::sync::oneshot::Sender<Result<(i64, i64), String>>,
    ) -> Pending {
        let mut keys = Vec::with_capacity(decision.buckets.len() + 1);
        for bucket in &decision.buckets {
            keys.push(format!("{KEY_PREFIX}{}", bucket.counter));
        }
        let mut args = Vec::with_capacity(3 + 2 * decision.buckets.len() + 2);
        args.push(Number::Int(decision.now_millis));
        args.push(Number::Int(
            i64::try_from(decision.buckets.len()).unwrap_or(i64::MAX),
        ));
        args.push(Number::Int(i64::from(decision.quota.is_some())));
        for bucket in &decision.buckets {
            args.push(Number::Float(bucket.limit.rate));
            args.push(Number::Int(
                i64::try_from(bucket.limit.burst).unwrap_or(i64::MAX),
            ));
        }
        if let Some(quota) = &decision.quota {
            keys.push(format!(
                "{KEY_PREFIX}{}:{}",
                quota.counter, quota.window.start
            ));
            let ttl = quota
                .window
                .end
                .saturating_sub(decision.now_millis)
                .saturating_add(QUOTA_GRACE_MILLIS)
                .clamp(1, MAX_TTL_MILLIS);
            args.push(Number::Int(i64::try_from(quota.limit).unwrap_or(i64::MAX)));
            args.push(Number::Int(ttl));
        }
        Pending { keys, args, reply }
    }
}

/// Counters in a Redis server.
pub struct RedisStore {
    server: Arc<Server>,
    /// The channel to the task that sends the decisions, once started (again, when the
    /// runtime it ran on has stopped).
    queue: Mutex<Option<tokio::sync::mpsc::Sender<Pending>>>,
}

/// The connection and its state, shared with the store's task.
struct Server {
    client: redis::Client,
    script: redis::Script,
    /// The shared connection, once made (a multiplexed connection: clones share it).
    connection: Mutex<Option<MultiplexedConnection>>,
    /// No new attempt before this instant, after a failure.
    retry_after: Mutex<Option<Instant>>,
    /// Whether the last attempt failed (to log changes once).
    down: AtomicBool,
    /// `host:port` for the log (never the password).
    address: String,
    /// What the gateway does while the store is down, for the log.
    fail_open: bool,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.server.address)
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
        let address = client.get_connection_info().addr().to_string();
        Ok(RedisStore {
            server: Arc::new(Server {
                client,
                script: redis::Script::new(DECIDE_SCRIPT),
                connection: Mutex::new(None),
                retry_after: Mutex::new(None),
                down: AtomicBool::new(false),
                address,
                fail_open,
            }),
            queue: Mutex::new(None),
        })
    }

    /// The channel to the store's task, starting the task on the current runtime when there
    /// is none or its runtime has stopped.
    fn queue(&self) -> tokio::sync::mpsc::Sender<Pending> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        match &*queue {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (sender, receiver) = tokio::sync::mpsc::channel(QUEUE);
                tokio::spawn(send_batches(Arc::clone(&self.server), receiver));
                *queue = Some(sender.clone());
                sender
            }
        }
    }

    async fn decide_logged(&self, decision: &Decision) -> Result<Verdict, StoreError> {
        let waiting = self
            .server
            .retry_after
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|t| Instant::now() < t);
        if waiting {
            return Err(StoreError(format!(
                "Redis at {} unreachable (retrying shortly)",
                self.server.address
            )));
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let pending = Pending::new(decision, reply);
        let queued = async {
            self.queue()
                .send(pending)
                .await
                .map_err(|_| "the store's task stopped".to_owned())?;
            answer
                .await
                .map_err(|_| "the store's task stopped".to_owned())?
        };
        // Queued behind at most one call under way, then its own: twice a call's time.
        let (code, index) = match tokio::time::timeout(2 * DECISION_TIMEOUT, queued).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(why)) => {
                return Err(StoreError(format!(
                    "Redis at {}: {why}",
                    self.server.address
                )));
            }
            Err(_) => {
                return Err(StoreError(format!(
                    "Redis at {}: no answer within {:?}",
                    self.server.address,
                    2 * DECISION_TIMEOUT
                )));
            }
        };
        match (code, usize::try_from(index)) {
            (0, _) => Ok(Verdict::Admit),
            (1, Ok(bucket)) if bucket < decision.buckets.len() => Ok(Verdict::Throttled { bucket }),
            (2, _) => Ok(Verdict::QuotaExceeded),
            _ => Err(StoreError(format!(
                "Redis at {}: unexpected answer {{{code}, {index}}} from the script",
                self.server.address
            ))),
        }
    }
}

/// The store's task: takes the decisions waiting (up to [`MAX_BATCH`]) and sends them in one
/// script call, with up to [`MAX_IN_FLIGHT`] calls under way at once (while they are, the
/// next decisions gather into bigger batches), handing each decision its answer; ends when
/// the store is dropped. A decision whose request stopped waiting is not sent (it must not be
/// counted).
async fn send_batches(server: Arc<Server>, mut receiver: tokio::sync::mpsc::Receiver<Pending>) {
    let calls = Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT));
    while let Some(first) = receiver.recv().await {
        let Ok(permit) = Arc::clone(&calls).acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(MAX_BATCH);
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        batch.retain(|p: &Pending| !p.reply.is_closed());
        if batch.is_empty() {
            continue;
        }
        let server = Arc::clone(&server);
        tokio::spawn(async move {
            let answers = server.call(&batch).await;
            drop(permit);
            match answers {
                Ok(answers) => {
                    for (pending, answer) in batch.into_iter().zip(answers) {
                        let _ = pending.reply.send(Ok(answer));
                    }
                }
                Err(why) => {
                    for pending in batch {
                        let _ = pending.reply.send(Err(why.clone()));
                    }
                }
            }
        });
    }
}

impl Server {
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

    /// One script call for `batch`: an answer per decision, in order.
    async fn run(&self, batch: &[Pending]) -> Result<Vec<(i64, i64)>, String> {
        let mut connection = self.connection().await?;
        // Each counter once in KEYS; the decisions name theirs by position (from 1).
        let mut positions: HashMap<&str, usize> = HashMap::new();
        let mut invocation = self.script.prepare_invoke();
        invocation.arg(batch.len());
        for pending in batch {
            let (head, rest) = pending.args.split_at(3.min(pending.args.len()));
            for arg in head {
                arg.push_to(&mut invocation);
            }
            for (key, pair) in pending.keys.iter().zip(rest.chunks(2)) {
                let next = positions.len() + 1;
                let at = *positions.entry(key.as_str()).or_insert(next);
                if at == next {
                    invocation.key(key.as_str());
                }
                invocation.arg(at);
                for arg in pair {
                    arg.push_to(&mut invocation);
                }
            }
        }
        let flat: Vec<i64> = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|e| e.to_string())?;
        if flat.len() != 2 * batch.len() {
            return Err(format!(
                "the script answered {} numbers for {} decisions",
                flat.len(),
                batch.len()
            ));
        }
        Ok(flat
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect())
    }

    /// [`Server::run`] within [`DECISION_TIMEOUT`], logging when the server goes away and
    /// comes back, backing off after a failure.
    async fn call(&self, batch: &[Pending]) -> Result<Vec<(i64, i64)>, String> {
        let result = match tokio::time::timeout(DECISION_TIMEOUT, self.run(batch)).await {
            Ok(r) => r,
            Err(_) => Err(format!("no answer within {DECISION_TIMEOUT:?}")),
        };
        match result {
            Ok(answers) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    eprintln!("gateway: counter store Redis at {} is back", self.address);
                }
                Ok(answers)
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
                        self.address,
                        if self.fail_open { "allow" } else { "deny" }
                    );
                }
                Err(why)
            }
        }
    }
}

impl CounterStore for RedisStore {
    fn decide<'a>(&'a self, decision: &'a Decision) -> BoxFuture<'a, Result<Verdict, StoreError>> {
        Box::pin(self.decide_logged(decision))
    }
}
