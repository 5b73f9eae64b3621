//! Counter stores: where throttle buckets and quota counts live, behind one trait so that
//! several gateway processes can share them ([`CounterStore`]).
//!
//! A request's whole decision is one call ([`CounterStore::decide`]): every throttle bucket
//! that applies to it (usage plan, stage method, account) and its quota are checked, and
//! only when all of them admit the request are a token taken from each bucket and the quota
//! count raised. A refused request takes nothing (a 429 does not count towards the quota,
//! research pipeline-access.md 8.3), and two requests never both take the last token: the
//! check and the update are one atomic step ([`MemoryStore`] under a lock; the Redis store
//! as one server-side script).
//!
//! Counters are named by the caller with ids from the configuration and the API (plan, key
//! id, stage, resource path, method), never with an API key's value.

use std::collections::HashMap;
use std::sync::Mutex;

use super::quota::Window;
use super::throttle::{Bucket, Limit};
use crate::pipeline::backends::BoxFuture;

/// How long a quota window's count is kept after the window ends (60 s), so that a request
/// stamped just before the boundary but counted just after it still counts in its own
/// window.
pub const QUOTA_GRACE_MILLIS: i64 = 60_000;

/// One throttle bucket a request must take a token from.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketCheck {
    /// The bucket's name in the store.
    pub counter: String,
    /// Its rate and burst.
    pub limit: Limit,
}

/// The quota a request counts towards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaCheck {
    /// The count's name in the store (without the window: the store keeps one count per
    /// window).
    pub counter: String,
    /// The window the request falls in.
    pub window: Window,
    /// Requests allowed in that window.
    pub limit: u64,
}

/// Everything one request is metered by.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// When the request arrived (milliseconds since the Unix epoch): the buckets refill up
    /// to this time.
    pub now_millis: i64,
    /// The buckets, in the order API Gateway applies them (the first empty one refuses).
    pub buckets: Vec<BucketCheck>,
    /// The quota, for requests metered by a usage plan with one.
    pub quota: Option<QuotaCheck>,
}

/// What the store decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted: a token taken from every bucket, the quota counted.
    Admit,
    /// `Decision::buckets[bucket]` is empty: 429 `Too Many Requests`.
    Throttled {
        /// The index of the empty bucket.
        bucket: usize,
    },
    /// The quota is used up for this window: 429 `Limit Exceeded`.
    QuotaExceeded,
}

/// The store could not decide (unreachable, timed out, a malformed answer). The message
/// never holds a secret (a password in a Redis URL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("counter store: {0}")]
pub struct StoreError(pub String);

/// Where counters live. Implementations must decide atomically: concurrent decisions on the
/// same counters behave as if made one after the other, and must answer within a bounded
/// time (a store that cannot be reached answers [`StoreError`], it does not hang).
pub trait CounterStore: Send + Sync + std::fmt::Debug {
    /// Checks and, when every check passes, applies `decision`.
    fn decide<'a>(&'a self, decision: &'a Decision) -> BoxFuture<'a, Result<Verdict, StoreError>>;
}

/// The default store: counters in this process's memory, exact under concurrency (one lock
/// around each decision). Its size is bounded by the configuration and the API: one bucket
/// per (key, method), (stage, method) and account, one count per (plan, key) and window,
/// windows dropped [`QUOTA_GRACE_MILLIS`] after they end.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<MemoryState>,
}

#[derive(Debug, Default)]
struct MemoryState {
    buckets: HashMap<String, Bucket>,
    /// Per quota counter: the windows still kept, with their counts.
    quotas: HashMap<String, Vec<(Window, u64)>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Decides `decision` now (the store never waits).
    pub fn decide_now(&self, decision: &Decision) -> Verdict {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = decision.now_millis;
        let mut refilled = Vec::with_capacity(decision.buckets.len());
        for (i, check) in decision.buckets.iter().enumerate() {
            let bucket = state
                .buckets
                .get(&check.counter)
                .map_or_else(|| Bucket::full(check.limit, now), |b| *b)
                .refilled(check.limit, now);
            if !bucket.has_token() {
                return Verdict::Throttled { bucket: i };
            }
            refilled.push(bucket);
        }
        if let Some(quota) = &decision.quota {
            let windows = state.quotas.entry(quota.counter.clone()).or_default();
            windows.retain(|(w, _)| w.end.saturating_add(QUOTA_GRACE_MILLIS) > now);
            let used = windows
                .iter()
                .find(|(w, _)| *w == quota.window)
                .map_or(0, |(_, n)| *n);
            if used >= quota.limit {
                return Verdict::QuotaExceeded;
            }
            match windows.iter_mut().find(|(w, _)| *w == quota.window) {
                Some((_, n)) => *n += 1,
                None => windows.push((quota.window, 1)),
            }
        }
        for (check, bucket) in decision.buckets.iter().zip(refilled) {
            match state.buckets.get_mut(&check.counter) {
                Some(b) => *b = bucket.taken(),
                None => {
                    state.buckets.insert(check.counter.clone(), bucket.taken());
                }
            }
        }
        Verdict::Admit
    }
}

impl CounterStore for MemoryStore {
    fn decide<'a>(&'a self, decision: &'a Decision) -> BoxFuture<'a, Result<Verdict, StoreError>> {
        let verdict = self.decide_now(decision);
        Box::pin(std::future::ready(Ok(verdict)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(counter: &str, rate: f64, burst: u64) -> BucketCheck {
        BucketCheck {
            counter: counter.into(),
            limit: Limit { rate, burst },
        }
    }

    #[test]
    fn a_refusal_takes_nothing_from_the_other_layers() {
        let store = MemoryStore::new();
        let decision = |now| Decision {
            now_millis: now,
            buckets: vec![bucket("wide", 0.0, 10), bucket("narrow", 0.0, 1)],
            quota: None,
        };
        assert_eq!(store.decide_now(&decision(0)), Verdict::Admit);
        assert_eq!(
            store.decide_now(&decision(0)),
            Verdict::Throttled { bucket: 1 }
        );
        // "wide" gave one token only: nine are left.
        let wide = Decision {
            buckets: vec![bucket("wide", 0.0, 10)],
            ..decision(0)
        };
        let admitted = (0..20)
            .filter(|_| store.decide_now(&wide) == Verdict::Admit)
            .count();
        assert_eq!(admitted, 9);
    }

    #[test]
    fn quota_refusals_do_not_count_and_windows_are_separate() {
        let store = MemoryStore::new();
        let w1 = Window {
            start: 0,
            end: 1000,
        };
        let w2 = Window {
            start: 1000,
            end: 2000,
        };
        let decision = |now, window| Decision {
            now_millis: now,
            buckets: vec![],
            quota: Some(QuotaCheck {
                counter: "q".into(),
                window,
                limit: 2,
            }),
        };
        assert_eq!(store.decide_now(&decision(0, w1)), Verdict::Admit);
        assert_eq!(store.decide_now(&decision(1, w1)), Verdict::Admit);
        assert_eq!(store.decide_now(&decision(2, w1)), Verdict::QuotaExceeded);
        assert_eq!(store.decide_now(&decision(1000, w2)), Verdict::Admit);
        // A late request of the first window still counts there, within the grace.
        assert_eq!(
            store.decide_now(&decision(1001, w1)),
            Verdict::QuotaExceeded
        );
        // Old windows are dropped after the grace period.
        let w3 = Window {
            start: 100_000,
            end: 101_000,
        };
        assert_eq!(store.decide_now(&decision(100_000, w3)), Verdict::Admit);
        let state = store.state.lock().unwrap();
        assert_eq!(state.quotas["q"], vec![(w3, 1)]);
    }
}
