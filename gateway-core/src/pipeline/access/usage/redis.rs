//! The Redis counter store (feature `redis`): several gateway processes share one budget.
//!
//! - One server-side script per decision ([`DECIDE_SCRIPT`], sent once and then called by
//!   its SHA-1): it refills and checks every bucket of the request, checks its quota, and
//!   only then takes the tokens and counts the request. Redis runs a script alone, so there is
//!   no read-modify-write race between gateways.
//! - Decisions that wait together go together: per thread that decides, one task (a lane,
//!   with its own connection) sends them, and the decisions that arrive while a script call
//!   is under way make the next call, each decided in arrival order exactly as alone (the
//!   script loops over them; consecutive decisions alike as one group). Under load this
//!   turns hundreds of script calls a second into a few batched ones (the Redis round trip
//!   and its script start-up were most of the limiter's cost in `scripts/load_usage.sh`); an
//!   idle gateway sends each decision at once. At most [`MAX_BATCH`] decisions per call, and
//!   [`MAX_IN_FLIGHT`] calls under way per lane. A lane per thread keeps a request, its
//!   script call and the answer on one thread: `gateway serve`'s worker threads no longer
//!   wake each other twice per decision.
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
use std::thread::ThreadId;
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
/// as alone. Consecutive decisions with the same arrival time and the same counters and
/// limits come as one group (under load most of a batch is one or two groups: requests of
/// one key within the same millisecond), so the script does per group what it did per
/// decision. `KEYS`: every counter of the batch, once. `ARGV[1]`: the number of groups; then
/// for each: now (ms), its number of decisions, its number of buckets, 1 when it has a quota
/// (else 0), each bucket's position in `KEYS`, rate and burst, then the quota count's
/// position, its limit and its time to live (ms). Answers three numbers per group: how many
/// of its decisions (the first ones) are admitted, then why the others are refused: `0, 0`
/// none is, `1, i` bucket `i` (from 0) is empty, `2, 0` the quota is used up. The same
/// arithmetic as [`super::throttle::Bucket`]; a refused decision changes nothing.
///
/// A group decides as its decisions would one by one: they arrive at the same time, so the
/// buckets refill once; the `j`-th decision (from 0) is admitted when every bucket still
/// holds a token after `j` were taken one at a time, and the quota has room for `j + 1`;
/// the first refused one is refused by the first bucket (in order) that ran out, else by the
/// quota, and every later one of the group for the same reason (a refusal changes nothing,
/// and no time passes).
///
/// Each counter is read once per call and written once at its end, whatever the number of
/// decisions that use it (the account's and a stage's buckets are shared by every request,
/// a key's by all of its requests): the decisions run on the values in a Lua table, in order,
/// inside the one atomic script, so the outcome is the one of calling them one by one.
///
/// Why groups: Redis's Lua costs about 0.2 µs per argument read (`tonumber`), and a
/// decision of a plan with a throttle and a quota had 12, so the script cost redis-server
/// 10 µs per decision and was most of the limiter's cost in `scripts/load_usage.sh`
/// (`INFO commandstats`: 80 µs per call of 8 decisions).
pub const DECIDE_SCRIPT: &str = r"
local buckets = {}
local quotas = {}
local out = {}
local a = 2
for g = 1, tonumber(ARGV[1]) do
  local now = tonumber(ARGV[a])
  local k = tonumber(ARGV[a + 1])
  local n = tonumber(ARGV[a + 2])
  local q = tonumber(ARGV[a + 3])
  a = a + 4
  local m = k
  local group = {}
  for i = 1, n do
    local key = KEYS[tonumber(ARGV[a])]
    local rate = tonumber(ARGV[a + 1])
    local burst = tonumber(ARGV[a + 2])
    a = a + 3
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
    local x = t
    local c = 0
    while c < m and x >= 1 do
      x = x - 1
      c = c + 1
    end
    m = c
    group[i] = {b = b, t = t, at = at, c = c, rate = rate, burst = burst}
  end
  local quota = nil
  if q == 1 then
    local key = KEYS[tonumber(ARGV[a])]
    local limit = tonumber(ARGV[a + 1])
    local ttl = tonumber(ARGV[a + 2])
    a = a + 3
    quota = quotas[key]
    if quota == nil then
      quota = {used = tonumber(redis.call('GET', key) or '0'), added = 0, ttl = 0}
      quotas[key] = quota
    end
    local room = math.max(0, limit - quota.used)
    if room < m then
      m = room
    end
    if m > 0 then
      quota.used = quota.used + m
      quota.added = quota.added + m
      quota.ttl = ttl
    end
  end
  local code = 0
  local index = 0
  if m < k then
    code = 2
    for i = 1, n do
      if group[i].c == m then
        code = 1
        index = i - 1
        break
      end
    end
  end
  if m > 0 then
    for i = 1, n do
      local e = group[i]
      local x = e.t
      for _ = 1, m do
        x = x - 1
      end
      e.b.t = x
      e.b.at = e.at
      e.b.rate = e.rate
      e.b.burst = e.burst
      e.b.dirty = true
    end
  end
  out[3 * g - 2] = m
  out[3 * g - 1] = code
  out[3 * g] = index
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
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// A decision as the script takes it, and where its answer goes: when it arrived, its
/// counters (buckets, then the quota's), and its numbers (bucket count, quota flag, then two
/// per counter).
struct Pending {
    now: i64,
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
        let mut args = Vec::with_capacity(2 + 2 * decision.buckets.len() + 2);
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
        Pending {
            now: decision.now_millis,
            keys,
            args,
            reply,
        }
    }

    /// Whether `other` can be decided in the same group: same time, counters and limits.
    fn same_group(&self, other: &Pending) -> bool {
        self.now == other.now && self.keys == other.keys && self.args == other.args
    }
}

/// The lengths of the runs of consecutive decisions of `batch` that form one group.
fn groups(batch: &[Pending]) -> Vec<usize> {
    let mut lengths: Vec<usize> = Vec::new();
    for (i, pending) in batch.iter().enumerate() {
        match lengths.last_mut() {
            Some(length) if i > 0 && batch[i - 1].same_group(pending) => *length += 1,
            _ => lengths.push(1),
        }
    }
    lengths
}

/// Counters in a Redis server.
pub struct RedisStore {
    server: Arc<Server>,
    /// Per thread that decides, the channel to its lane's task, once started (again, when
    /// the runtime it ran on has stopped).
    lanes: Mutex<Vec<(ThreadId, tokio::sync::mpsc::Sender<Pending>)>>,
}

/// The server and its state, shared by every lane.
struct Server {
    client: redis::Client,
    script: redis::Script,
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
                retry_after: Mutex::new(None),
                down: AtomicBool::new(false),
                address,
                fail_open,
            }),
            lanes: Mutex::new(Vec::new()),
        })
    }

    /// The channel to the current thread's lane, starting the lane's task on the current
    /// runtime when there is none or its runtime has stopped.
    fn queue(&self) -> tokio::sync::mpsc::Sender<Pending> {
        let thread = std::thread::current().id();
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, sender)) = lanes.iter().find(|(t, s)| *t == thread && !s.is_closed()) {
            return sender.clone();
        }
        lanes.retain(|(t, s)| *t != thread && !s.is_closed());
        let (sender, receiver) = tokio::sync::mpsc::channel(QUEUE);
        let lane = Lane {
            server: Arc::clone(&self.server),
            connection: Mutex::new(None),
        };
        tokio::spawn(send_batches(Arc::new(lane), receiver));
        lanes.push((thread, sender.clone()));
        sender
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
async fn send_batches(lane: Arc<Lane>, mut receiver: tokio::sync::mpsc::Receiver<Pending>) {
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
        let lane = Arc::clone(&lane);
        tokio::spawn(async move {
            let answers = lane.call(&batch).await;
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

/// One thread's way to the server: its task (the decisions made on that thread, batched)
/// and its connection, so that a request, the script call it waits for and the answer stay
/// on one thread. With one lane for all, the worker threads of `gateway serve` woke each
/// other twice per decision (the queue, then the answer).
struct Lane {
    server: Arc<Server>,
    /// The lane's connection, once made (a multiplexed connection: clones share it).
    connection: Mutex<Option<MultiplexedConnection>>,
}

impl Lane {
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
            .server
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
        // Each counter once in KEYS; the groups name theirs by position (from 1).
        let lengths = groups(batch);
        let mut positions: HashMap<&str, usize> = HashMap::new();
        let mut invocation = self.server.script.prepare_invoke();
        invocation.arg(lengths.len());
        let mut first = 0;
        for &length in &lengths {
            let pending = &batch[first];
            first += length;
            invocation.arg(pending.now).arg(length);
            let (head, rest) = pending.args.split_at(2.min(pending.args.len()));
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
        if flat.len() != 3 * lengths.len() {
            return Err(format!(
                "the script answered {} numbers for {} groups",
                flat.len(),
                lengths.len()
            ));
        }
        let mut answers = Vec::with_capacity(batch.len());
        for (&length, answer) in lengths.iter().zip(flat.chunks_exact(3)) {
            let admitted = usize::try_from(answer[0])
                .ok()
                .filter(|&n| n <= length && (n == length || answer[1] != 0))
                .ok_or_else(|| {
                    format!(
                        "unexpected answer {{{}, {}, {}}} from the script for {length} decisions",
                        answer[0], answer[1], answer[2]
                    )
                })?;
            answers.extend(std::iter::repeat_n((0, 0), admitted));
            answers.extend(std::iter::repeat_n(
                (answer[1], answer[2]),
                length - admitted,
            ));
        }
        Ok(answers)
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
                if self.server.down.swap(false, Ordering::Relaxed) {
                    eprintln!(
                        "gateway: counter store Redis at {} is back",
                        self.server.address
                    );
                }
                Ok(answers)
            }
            Err(why) => {
                *self.connection.lock().unwrap_or_else(|e| e.into_inner()) = None;
                *self
                    .server
                    .retry_after
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + RECONNECT_BACKOFF);
                if !self.server.down.swap(true, Ordering::Relaxed) {
                    let then = if self.server.fail_open {
                        "admitted unmetered"
                    } else {
                        "refused with 503"
                    };
                    eprintln!(
                        "gateway: counter store Redis at {} unreachable ({why}); metered requests are {then} until it is back (onError: {})",
                        self.server.address,
                        if self.server.fail_open {
                            "allow"
                        } else {
                            "deny"
                        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::access::usage::counters::{BucketCheck, MemoryStore, QuotaCheck};
    use crate::pipeline::access::usage::quota::Window;
    use crate::pipeline::access::usage::throttle::Limit;

    fn pending(decision: &Decision) -> Pending {
        Pending::new(decision, tokio::sync::oneshot::channel().0)
    }

    fn bucket(counter: &str, rate: f64, burst: u64) -> BucketCheck {
        BucketCheck {
            counter: counter.into(),
            limit: Limit { rate, burst },
        }
    }

    #[test]
    fn consecutive_decisions_alike_form_one_group() {
        let a = Decision {
            now_millis: 5,
            buckets: vec![bucket("a", 1.0, 10)],
            quota: None,
        };
        let later = Decision {
            now_millis: 6,
            ..a.clone()
        };
        let other_limit = Decision {
            buckets: vec![bucket("a", 1.0, 11)],
            ..a.clone()
        };
        let batch: Vec<Pending> = [&a, &a, &a, &later, &later, &other_limit, &a]
            .into_iter()
            .map(pending)
            .collect();
        assert_eq!(groups(&batch), vec![3, 2, 1, 1]);
        assert_eq!(groups(&[]), Vec::<usize>::new());
    }

    #[test]
    fn each_thread_that_decides_has_its_own_lane() {
        // No server needed: a lane connects on its first call.
        let store = Arc::new(RedisStore::new("redis://127.0.0.1:1", false).expect("url"));
        let both_started = Arc::new(std::sync::Barrier::new(2));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (store, both_started) = (Arc::clone(&store), Arc::clone(&both_started));
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async {
                        let first = store.queue();
                        let again = store.queue();
                        both_started.wait();
                        first.same_channel(&again)
                    })
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().expect("thread"), "a thread reuses its lane");
        }
        let lanes = store.lanes.lock().expect("lanes");
        assert_eq!(lanes.len(), 2);
        assert_ne!(lanes[0].0, lanes[1].0);
    }

    /// A small deterministic generator (xorshift), so that a failure replays.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// The script decides a batch, groups included, exactly as the memory store decides
    /// the same decisions one by one: random batches over shared buckets (small bursts,
    /// refilling) and quotas (small limits), with runs of identical decisions so that groups
    /// form and are cut by the buckets and by the quota at every position.
    #[tokio::test]
    async fn batches_decide_as_the_memory_store_one_by_one() {
        let Ok(url) = std::env::var("GATEWAY_TEST_REDIS_URL") else {
            eprintln!(
                "skipped: GATEWAY_TEST_REDIS_URL is not set (.ci/run starts redis-server and sets it)"
            );
            return;
        };
        let store = RedisStore::new(&url, false).expect("url");
        let lane = Lane {
            server: Arc::clone(&store.server),
            connection: Mutex::new(None),
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let tag = format!("test:groups:{}:{nanos}", std::process::id());
        let shared = bucket(&format!("{tag}:shared"), 40.0, 12);
        let kinds: Vec<Decision> = (0..4)
            .map(|k| Decision {
                now_millis: 0,
                buckets: match k {
                    0 => vec![shared.clone()],
                    1 => vec![bucket(&format!("{tag}:k1"), 200.0, 5), shared.clone()],
                    _ => vec![shared.clone(), bucket(&format!("{tag}:k{k}"), 0.0, 9)],
                },
                quota: (k >= 2).then(|| QuotaCheck {
                    counter: format!("{tag}:q{k}"),
                    window: Window {
                        start: 0,
                        end: 1_000_000,
                    },
                    limit: 6 + k,
                }),
            })
            .collect();
        let memory = MemoryStore::new();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut now = 1_000;
        let mut checked = [0usize; 3];
        for _ in 0..60 {
            now += i64::try_from(rng.below(60)).unwrap_or(0);
            let mut decisions = Vec::new();
            for _ in 0..1 + rng.below(MAX_BATCH as u64) {
                let repeat = !decisions.is_empty() && rng.below(3) > 0;
                let decision: Decision = if repeat {
                    decisions.last().cloned().unwrap_or_default()
                } else {
                    let mut d = kinds[rng.below(4) as usize].clone();
                    d.now_millis = now + i64::try_from(rng.below(3)).unwrap_or(0);
                    d
                };
                decisions.push(decision);
            }
            let batch: Vec<Pending> = decisions.iter().map(pending).collect();
            let answers = lane.call(&batch).await.expect("script call");
            assert_eq!(answers.len(), decisions.len());
            for (decision, answer) in decisions.iter().zip(answers) {
                let expected = memory.decide_now(decision);
                let got = match answer {
                    (0, _) => Verdict::Admit,
                    (1, i) => Verdict::Throttled {
                        bucket: usize::try_from(i).unwrap_or(usize::MAX),
                    },
                    _ => Verdict::QuotaExceeded,
                };
                assert_eq!(got, expected, "{decision:?}");
                checked[match expected {
                    Verdict::Admit => 0,
                    Verdict::Throttled { .. } => 1,
                    Verdict::QuotaExceeded => 2,
                }] += 1;
            }
        }
        // Every kind of answer was compared, many times.
        assert!(checked.iter().all(|&n| n > 20), "{checked:?}");
    }
}
