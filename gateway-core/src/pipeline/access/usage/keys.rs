//! API keys: found by value, each with its id and whether it is enabled.
//!
//! A key's value is a secret: it is never printed ([`ApiKeys`]' `Debug` shows ids only), and
//! the usage stage names keys by id in its log details.

use std::collections::HashMap;

/// One API key as the usage stage needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The key's id (`$context.identity.apiKeyId`; what usage plans name).
    pub id: String,
    /// Whether the key is enabled (a disabled key is refused, 403).
    pub enabled: bool,
}

/// The API keys, by value.
#[derive(Clone, Default)]
pub struct ApiKeys {
    by_value: HashMap<String, ApiKey>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.by_value.values().map(|k| &k.id))
            .finish()
    }
}

impl ApiKeys {
    /// Adds a key; `false` (and nothing added) when a key with the same value exists.
    pub fn insert(&mut self, value: String, key: ApiKey) -> bool {
        if self.by_value.contains_key(&value) {
            return false;
        }
        self.by_value.insert(value, key);
        true
    }

    /// The key whose value is `value`.
    pub fn get(&self, value: &str) -> Option<&ApiKey> {
        self.by_value.get(value)
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.by_value.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_value.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_value_and_debug_shows_ids_only() {
        let mut keys = ApiKeys::default();
        let key = ApiKey {
            id: "k1".into(),
            enabled: true,
        };
        assert!(keys.insert("a-secret-value-of-20-chars".into(), key.clone()));
        assert!(!keys.insert("a-secret-value-of-20-chars".into(), key.clone()));
        assert_eq!(keys.get("a-secret-value-of-20-chars"), Some(&key));
        assert_eq!(keys.get("another"), None);
        let shown = format!("{keys:?}");
        assert!(shown.contains("k1") && !shown.contains("secret"), "{shown}");
    }
}
