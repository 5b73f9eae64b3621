//! Signing keys, derived once per (secret, date, region, service) and cached.
//!
//! Deriving a key takes four HMAC-SHA256 rounds; a caller signs many requests a day with the same
//! scope, so the gateway keeps the derived key, already loaded into an HMAC state, and each
//! request then costs one HMAC. The cache is bounded and shared across threads.

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::canonical::TERMINATOR;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// How many signing keys a verifier keeps by default. One key serves one access key in one
/// region and service for one UTC day, so 4096 covers thousands of active callers while keeping
/// the cache under about 2 MiB.
pub const DEFAULT_SIGNING_KEY_CACHE_CAPACITY: usize = 4096;

/// `HMAC(key, data)`.
pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable_hmac(),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cold]
fn unreachable_hmac() -> ! {
    // `Hmac::new_from_slice` only fails for fixed-key-size MACs; HMAC takes any key length.
    panic!("HMAC-SHA256 rejected a key, which it never does")
}

/// Derives the signing key and returns it loaded into an HMAC state, ready for the string to sign.
pub(crate) fn derive(secret: &str, date: &str, region: &str, service: &str) -> HmacSha256 {
    let mut seed = Vec::with_capacity(4 + secret.len());
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret.as_bytes());
    let k_date = hmac(&seed, date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, TERMINATOR.as_bytes());
    match HmacSha256::new_from_slice(&k_signing) {
        Ok(mac) => mac,
        Err(_) => unreachable_hmac(),
    }
}

/// A bounded, thread-safe map from (secret, date, region, service) to a ready HMAC state.
pub(crate) struct SigningKeyCache {
    capacity: usize,
    map: Mutex<HashMap<Box<[u8]>, HmacSha256>>,
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the keys: they contain secrets.
        f.debug_struct("SigningKeyCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys; 0 turns caching off.
    pub(crate) fn new(capacity: usize) -> Self {
        SigningKeyCache {
            capacity,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The number of keys held.
    pub(crate) fn len(&self) -> usize {
        self.map.lock().map_or(0, |m| m.len())
    }

    /// The signing key for this scope, from the cache or freshly derived (and then cached).
    pub(crate) fn get(&self, secret: &str, date: &str, region: &str, service: &str) -> HmacSha256 {
        if self.capacity == 0 {
            return derive(secret, date, region, service);
        }
        // Length-prefixed parts, so no two scopes share a key whatever bytes they hold.
        let mut key =
            Vec::with_capacity(16 + secret.len() + date.len() + region.len() + service.len());
        for part in [secret, date, region, service] {
            key.extend_from_slice(&(part.len() as u64).to_le_bytes());
            key.extend_from_slice(part.as_bytes());
        }
        if let Ok(map) = self.map.lock()
            && let Some(mac) = map.get(key.as_slice())
        {
            return mac.clone();
        }
        let mac = derive(secret, date, region, service);
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= self.capacity {
                // Evict one arbitrary entry: keys are cheap to re-derive, and a full cache must
                // not turn into a slow path for every newcomer.
                if let Some(victim) = map.keys().next().cloned() {
                    map.remove(&victim);
                }
            }
            map.insert(key.into_boxed_slice(), mac.clone());
        }
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The signing key of AWS's documented example ("Examples of how to derive a signing key for
    // Signature Version 4", IAM User Guide): secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
    // 20120215, us-east-1, iam.
    #[test]
    fn derives_the_documented_example_signing_key() {
        let seed = b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let k_date = hmac(seed, b"20120215");
        let k_region = hmac(&k_date, b"us-east-1");
        let k_service = hmac(&k_region, b"iam");
        let k_signing = hmac(&k_service, b"aws4_request");
        let mut hex = Vec::new();
        super::super::canonical::write_hex(&k_signing, &mut hex);
        assert_eq!(
            String::from_utf8(hex).unwrap(),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn cached_key_signs_like_a_fresh_one() {
        let cache = SigningKeyCache::new(4);
        let a = cache.get("s", "20150830", "us-east-1", "service");
        let b = cache.get("s", "20150830", "us-east-1", "service");
        let fresh = derive("s", "20150830", "us-east-1", "service");
        let sig = |m: HmacSha256| {
            let mut m = m;
            m.update(b"x");
            m.finalize().into_bytes()
        };
        assert_eq!(sig(a), sig(fresh.clone()));
        assert_eq!(sig(b), sig(fresh));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn cache_never_exceeds_its_capacity() {
        let cache = SigningKeyCache::new(3);
        for i in 0..20 {
            cache.get(&format!("secret{i}"), "20150830", "r", "s");
            assert!(cache.len() <= 3);
        }
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn scopes_differing_only_in_where_a_boundary_falls_get_distinct_keys() {
        let cache = SigningKeyCache::new(8);
        cache.get("ab", "c", "r", "s");
        cache.get("a", "bc", "r", "s");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn zero_capacity_turns_caching_off() {
        let cache = SigningKeyCache::new(0);
        cache.get("s", "d", "r", "v");
        assert_eq!(cache.len(), 0);
    }
}
