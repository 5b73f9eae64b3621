//! Signing keys, derived once per (secret, date, region, service) and cached.
//!
//! Deriving a key takes four HMAC-SHA256 rounds; a caller signs many requests a day with the same
//! scope, so the gateway keeps the derived key, already loaded into an HMAC state, and each
//! request then costs one HMAC. The cache is bounded and shared across threads.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::Mutex;

use subtle::ConstantTimeEq;

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
    loaded(&derive_bytes(secret, date, region, service))
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
fn derive_bytes(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut seed = Vec::with_capacity(4 + secret.len());
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret.as_bytes());
    let k_date = hmac(&seed, date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, TERMINATOR.as_bytes())
}

/// An HMAC state keyed with `key`.
fn loaded(key: &[u8; 32]) -> HmacSha256 {
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable_hmac(),
    }
}

/// A SigV4 signing key: the secret access key folded with one scope's date, region and service
/// (`kSigning` in AWS's "Create a signed AWS API request", step 3).
///
/// A key service can hand these out instead of secrets: a signing key is good for one scope and
/// one UTC day only. Check a [`Claim`](crate::sigv4::Claim) against one with
/// [`Verifier::check_signature_with_key`](crate::sigv4::Verifier::check_signature_with_key).
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Derives the signing key of `secret_access_key` for the scope `date` (`YYYYMMDD`),
    /// `region` and `service`.
    pub fn derive(secret_access_key: &str, date: &str, region: &str, service: &str) -> Self {
        SigningKey(derive_bytes(secret_access_key, date, region, service))
    }

    /// A signing key derived elsewhere.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SigningKey(bytes)
    }

    /// The key's bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The key loaded into an HMAC state, ready for the string to sign.
    pub(crate) fn mac(&self) -> HmacSha256 {
        loaded(&self.0)
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key: it signs for its scope as well as the secret would.
        f.write_str("SigningKey(..)")
    }
}

/// A bounded, thread-safe map from (secret, date, region, service) to a ready HMAC state.
///
/// Entries are found by a keyed (per-cache random) SipHash of the four parts and then compared
/// part by part, so a lookup allocates nothing and a hash collision can never hand out the wrong
/// key.
pub(crate) struct SigningKeyCache {
    capacity: usize,
    hasher: RandomState,
    map: Mutex<HashMap<u64, Entry, BuildHasherDefault<PrehashedHasher>>>,
}

/// One cached signing key and the scope it belongs to.
struct Entry {
    secret: Box<str>,
    date: Box<str>,
    region: Box<str>,
    service: Box<str>,
    mac: HmacSha256,
}

impl Entry {
    fn is(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        // The secret is compared in constant time: the cache must not become a timing oracle.
        bool::from(self.secret.as_bytes().ct_eq(secret.as_bytes()))
            && &*self.date == date
            && &*self.region == region
            && &*self.service == service
    }
}

/// The map's keys are already SipHash outputs: use them as they are.
#[derive(Default)]
struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in rather than lose it.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
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
            hasher: RandomState::new(),
            map: Mutex::new(HashMap::default()),
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
        // Length-prefixed parts, so no two scopes hash alike by where a boundary falls.
        let hash = {
            let mut h = self.hasher.build_hasher();
            for part in [secret, date, region, service] {
                h.write_usize(part.len());
                h.write(part.as_bytes());
            }
            h.finish()
        };
        if let Ok(map) = self.map.lock()
            && let Some(entry) = map.get(&hash)
            && entry.is(secret, date, region, service)
        {
            return entry.mac.clone();
        }
        let mac = derive(secret, date, region, service);
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= self.capacity && !map.contains_key(&hash) {
                // Evict one arbitrary entry: keys are cheap to re-derive, and a full cache must
                // not turn into a slow path for every newcomer.
                if let Some(victim) = map.keys().next().copied() {
                    map.remove(&victim);
                }
            }
            map.insert(
                hash,
                Entry {
                    secret: secret.into(),
                    date: date.into(),
                    region: region.into(),
                    service: service.into(),
                    mac: mac.clone(),
                },
            );
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
    fn each_secret_gets_its_own_key_for_the_same_scope() {
        let cache = SigningKeyCache::new(8);
        let sig = |m: HmacSha256| {
            let mut m = m;
            m.update(b"x");
            m.finalize().into_bytes()
        };
        let a = cache.get("secret-a", "20150830", "us-east-1", "execute-api");
        let b = cache.get("secret-b", "20150830", "us-east-1", "execute-api");
        assert_ne!(sig(a), sig(b.clone()));
        assert_eq!(
            sig(b),
            sig(derive("secret-b", "20150830", "us-east-1", "execute-api"))
        );
        // Warm lookups keep returning the right key for each.
        let a2 = cache.get("secret-a", "20150830", "us-east-1", "execute-api");
        assert_eq!(
            sig(a2),
            sig(derive("secret-a", "20150830", "us-east-1", "execute-api"))
        );
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_public_signing_key_is_the_documented_derivation() {
        // IAM User Guide, "Examples of how to derive a signing key for Signature Version 4".
        let key = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        let mut hex = Vec::new();
        super::super::canonical::write_hex(&key.to_bytes(), &mut hex);
        assert_eq!(
            String::from_utf8(hex).unwrap(),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
        assert_eq!(SigningKey::from_bytes(key.to_bytes()), key);
        assert_eq!(format!("{key:?}"), "SigningKey(..)");
    }

    #[test]
    fn zero_capacity_turns_caching_off() {
        let cache = SigningKeyCache::new(0);
        cache.get("s", "d", "r", "v");
        assert_eq!(cache.len(), 0);
    }
}
