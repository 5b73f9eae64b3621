//! Throttling: token buckets with a steady rate and a burst, and the stage's method settings
//! that say which bucket a method has.
//!
//! API Gateway throttles with the token bucket algorithm: a request takes a token, the bucket
//! holds at most `burstLimit` tokens and refills at `rateLimit` tokens a second; an empty
//! bucket answers 429 `Too Many Requests` (developer guide, api-gateway-request-throttling;
//! research pipeline-access.md 8.2). A bucket starts full.

use std::collections::HashMap;

/// One throttle: `rateLimit` (requests a second, steady) and `burstLimit` (the bucket's
/// capacity).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Tokens added a second.
    pub rate: f64,
    /// The bucket's capacity.
    pub burst: u64,
}

impl Limit {
    /// API Gateway's account-level default per Region: 10,000 requests a second, burst 5,000
    /// (developer guide, limits; research pipeline-access.md 8.2).
    pub const ACCOUNT_DEFAULT: Limit = Limit {
        rate: 10_000.0,
        burst: 5_000,
    };
}

/// A bucket's state: tokens left when it was last touched, and when (milliseconds since the
/// Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Tokens left (fractional between refills).
    pub tokens: f64,
    /// When `tokens` was measured.
    pub at_millis: i64,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn full(limit: Limit, now_millis: i64) -> Bucket {
        Bucket {
            tokens: limit.burst as f64,
            at_millis: now_millis,
        }
    }

    /// The bucket refilled up to `now` (a clock that went back refills nothing).
    pub fn refilled(self, limit: Limit, now_millis: i64) -> Bucket {
        if now_millis <= self.at_millis {
            return self;
        }
        let elapsed = (now_millis - self.at_millis) as f64 / 1000.0;
        Bucket {
            tokens: (self.tokens + elapsed * limit.rate).min(limit.burst as f64),
            at_millis: now_millis,
        }
    }

    /// Whether a request may take a token.
    pub fn has_token(&self) -> bool {
        self.tokens >= 1.0
    }

    /// The bucket after a request took a token.
    pub fn taken(self) -> Bucket {
        Bucket {
            tokens: self.tokens - 1.0,
            ..self
        }
    }

    /// Milliseconds until the bucket is full again (after which a store may forget it: a
    /// forgotten bucket starts full, the same state); `None` when it never refills.
    pub fn millis_to_full(&self, limit: Limit) -> Option<i64> {
        let missing = limit.burst as f64 - self.tokens;
        if missing <= 0.0 {
            return Some(0);
        }
        if limit.rate <= 0.0 {
            return None;
        }
        Some((missing / limit.rate * 1000.0).ceil() as i64)
    }
}

/// The stage's `methodSettings` throttles, by the keys `aws apigateway get-stage` prints:
/// `*/*` for every method (each method its own bucket), or a resource path with each `/`
/// written `~1` then the method (`~1pets/GET`, `~1pets~1{petId}/*`).
///
/// The most specific entry applies: the resource and method, then the resource with `*`,
/// then `*` with the method, then `*/*`.
#[derive(Debug, Clone, Default)]
pub struct MethodSettings {
    /// By (resource path or `*`, method or `*`).
    by_method: HashMap<(String, String), Limit>,
}

/// Why a `methodSettings` key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "expected `*/*` or a resource path with `/` written `~1` then `/` and a method (`~1pets/GET`)"
)]
pub struct BadMethodSettingKey;

impl MethodSettings {
    /// Adds the throttle of the setting `key` (`*/*`, `~1pets/GET`).
    pub fn insert(&mut self, key: &str, limit: Limit) -> Result<(), BadMethodSettingKey> {
        let (resource, method) = key.rsplit_once('/').ok_or(BadMethodSettingKey)?;
        let resource = match resource {
            "*" => "*".to_owned(),
            r if r.starts_with("~1") => r.replace("~1", "/"),
            _ => return Err(BadMethodSettingKey),
        };
        if method.is_empty() || resource.contains('~') {
            return Err(BadMethodSettingKey);
        }
        self.by_method
            .insert((resource, method.to_ascii_uppercase()), limit);
        Ok(())
    }

    /// The throttle for `method` (`GET`, `ANY`) on `resource_path` (`/pets/{petId}`), if
    /// any setting covers it.
    pub fn limit_for(&self, resource_path: &str, method: &str) -> Option<Limit> {
        if self.by_method.is_empty() {
            return None;
        }
        [
            (resource_path, method),
            (resource_path, "*"),
            ("*", method),
            ("*", "*"),
        ]
        .into_iter()
        .find_map(|(r, m)| self.by_method.get(&(r.to_owned(), m.to_owned())).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_A_SECOND: Limit = Limit {
        rate: 1.0,
        burst: 2,
    };

    #[test]
    fn a_full_bucket_lets_a_burst_through_then_refills_at_the_rate() {
        let mut b = Bucket::full(ONE_A_SECOND, 0);
        for _ in 0..2 {
            assert!(b.has_token());
            b = b.taken();
        }
        assert!(!b.has_token());
        // Half a second later: half a token.
        assert!(!b.refilled(ONE_A_SECOND, 500).has_token());
        // A second later: one token.
        let b = b.refilled(ONE_A_SECOND, 1000);
        assert!(b.has_token());
        // Never more than the burst.
        assert_eq!(b.refilled(ONE_A_SECOND, 60_000).tokens, 2.0);
    }

    #[test]
    fn a_clock_that_goes_back_refills_nothing() {
        let b = Bucket::full(ONE_A_SECOND, 1000).taken().taken();
        assert_eq!(b.refilled(ONE_A_SECOND, 10), b);
    }

    #[test]
    fn a_zero_burst_refuses_everything() {
        let zero = Limit {
            rate: 0.0,
            burst: 0,
        };
        assert!(!Bucket::full(zero, 0).refilled(zero, 1_000_000).has_token());
        assert_eq!(Bucket::full(zero, 0).millis_to_full(zero), Some(0));
    }

    #[test]
    fn time_to_full_is_what_the_missing_tokens_take() {
        let b = Bucket::full(ONE_A_SECOND, 0).taken();
        assert_eq!(b.millis_to_full(ONE_A_SECOND), Some(1000));
        let never = Limit {
            rate: 0.0,
            burst: 2,
        };
        assert_eq!(Bucket::full(never, 0).taken().millis_to_full(never), None);
    }

    #[test]
    fn method_settings_use_the_most_specific_key() {
        let mut s = MethodSettings::default();
        let l = |rate| Limit { rate, burst: 1 };
        s.insert("*/*", l(1.0)).unwrap();
        s.insert("~1pets/GET", l(2.0)).unwrap();
        s.insert("~1pets~1{petId}/*", l(3.0)).unwrap();
        // aws apigateway get-stage prints the keys this way (research pipeline-access.md 8.2,
        // LocalStack snapshot test_create_update_stages / update-stage: `*/*`, `test/GET`).
        assert_eq!(s.limit_for("/pets", "GET"), Some(l(2.0)));
        assert_eq!(s.limit_for("/pets", "POST"), Some(l(1.0)));
        assert_eq!(s.limit_for("/pets/{petId}", "DELETE"), Some(l(3.0)));
        assert_eq!(MethodSettings::default().limit_for("/pets", "GET"), None);
    }

    #[test]
    fn malformed_method_setting_keys_are_refused() {
        let mut s = MethodSettings::default();
        let l = Limit {
            rate: 1.0,
            burst: 1,
        };
        for bad in ["GET", "/pets/GET", "pets/GET", "~1pets/", "~1pe~ts/GET"] {
            assert_eq!(s.insert(bad, l), Err(BadMethodSettingKey), "{bad}");
        }
    }
}
