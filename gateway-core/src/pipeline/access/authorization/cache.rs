//! The Lambda authorizers' result cache: an answer kept by its authorizer and identity-source
//! values for the authorizer's TTL (`authorizerResultTtlInSeconds`, default 300, 0 disables),
//! and re-evaluated against each request's own method ARN (developer guide, "Configure a
//! Lambda authorizer"; research iam-apigateway.md 2.5: "The cached policy is re-evaluated
//! against each new request's method ARN").
//!
//! Bounded: at most [`MAX_CACHED_RESULTS`] entries; a full cache first drops what has expired,
//! then the entry closest to expiry. Time is the request's arrival (milliseconds since the
//! epoch), so tests and hosts control it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::answer::AuthorizerAnswer;

/// Most results kept at once (10,000): far above the distinct callers a local gateway sees
/// within a TTL, small enough to bound memory (an answer is at most
/// [`super::answer::MAX_ANSWER_BYTES`]).
pub const MAX_CACHED_RESULTS: usize = 10_000;

struct Entry {
    answer: Arc<AuthorizerAnswer>,
    expires_at: i64,
}

/// Cached authorizer answers, shared by every request of a gateway (`Send + Sync`).
pub struct AuthorizerCache {
    entries: Mutex<HashMap<String, Entry>>,
    capacity: usize,
}

impl Default for AuthorizerCache {
    fn default() -> AuthorizerCache {
        AuthorizerCache::with_capacity(MAX_CACHED_RESULTS)
    }
}

impl std::fmt::Debug for AuthorizerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizerCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl AuthorizerCache {
    /// A cache holding at most `capacity` results (0 caches nothing).
    pub fn with_capacity(capacity: usize) -> AuthorizerCache {
        AuthorizerCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The answer cached under `key`, if it has not expired at `now_millis`.
    pub fn get(&self, key: &str, now_millis: i64) -> Option<Arc<AuthorizerAnswer>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|e| e.expires_at > now_millis)
            .map(|e| Arc::clone(&e.answer))
    }

    /// Keeps `answer` under `key` for `ttl` from `now_millis` (a zero TTL keeps nothing).
    pub fn insert(
        &self,
        key: String,
        answer: Arc<AuthorizerAnswer>,
        now_millis: i64,
        ttl: Duration,
    ) {
        if ttl.is_zero() || self.capacity == 0 {
            return;
        }
        let ttl_millis = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let expires_at = now_millis.saturating_add(ttl_millis);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, e| e.expires_at > now_millis);
            if entries.len() >= self.capacity
                && let Some(soonest) = entries
                    .iter()
                    .min_by_key(|(_, e)| e.expires_at)
                    .map(|(k, _)| k.clone())
            {
                entries.remove(&soonest);
            }
        }
        entries.insert(key, Entry { answer, expires_at });
    }

    /// How many results are held (expired ones included until they are dropped).
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str) -> Arc<AuthorizerAnswer> {
        let text = format!(
            r#"{{"principalId":"{id}","policyDocument":{{"Version":"2012-10-17","Statement":[]}}}}"#
        );
        Arc::new(super::super::answer::parse(text.as_bytes()).unwrap())
    }

    #[test]
    fn results_expire_after_their_ttl() {
        let cache = AuthorizerCache::default();
        cache.insert("k".into(), answer("a"), 1_000, Duration::from_secs(300));
        assert_eq!(cache.get("k", 1_000).unwrap().principal_id, "a");
        assert!(cache.get("k", 300_999).is_some());
        assert!(cache.get("k", 301_000).is_none());
        cache.insert("z".into(), answer("z"), 1_000, Duration::ZERO);
        assert!(cache.get("z", 1_000).is_none());
    }

    #[test]
    fn a_full_cache_drops_the_soonest_to_expire() {
        let cache = AuthorizerCache::with_capacity(2);
        cache.insert("a".into(), answer("a"), 0, Duration::from_secs(10));
        cache.insert("b".into(), answer("b"), 0, Duration::from_secs(20));
        cache.insert("c".into(), answer("c"), 0, Duration::from_secs(30));
        assert_eq!(cache.len(), 2);
        assert!(cache.get("a", 0).is_none());
        assert!(cache.get("b", 0).is_some() && cache.get("c", 0).is_some());
    }
}
