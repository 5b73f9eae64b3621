//! [`GatewaySlot`]: the gateway in force, swapped whole for a new version (a reloaded API
//! file) while requests run; each request keeps the version it started with.

use std::sync::{Arc, RwLock};

use super::gateway::Gateway;

/// Holds the current [`Gateway`]; [`GatewaySlot::current`] is a cheap `Arc` clone taken under
/// a read lock held for that clone only, [`GatewaySlot::replace`] swaps in a new version
/// atomically (requests in flight finish on the old one, which is dropped after them).
#[derive(Debug)]
pub struct GatewaySlot {
    current: RwLock<Arc<Gateway>>,
}

impl GatewaySlot {
    /// A slot holding `gateway`.
    pub fn new(gateway: Gateway) -> GatewaySlot {
        GatewaySlot {
            current: RwLock::new(Arc::new(gateway)),
        }
    }

    /// The gateway in force now.
    pub fn current(&self) -> Arc<Gateway> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            // A writer cannot panic while holding the lock (it only assigns), but a poisoned
            // lock still holds a whole gateway.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts `gateway` in force; returns the version it replaced.
    pub fn replace(&self, gateway: Gateway) -> Arc<Gateway> {
        let new = Arc::new(gateway);
        match self.current.write() {
            Ok(mut g) => std::mem::replace(&mut *g, new),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{CompileOptions, CompiledApi};
    use crate::pipeline::{Backends, Stage};

    fn gateway(title: &str) -> Gateway {
        let doc = format!(r#"{{"swagger": "2.0", "info": {{"title": "{title}"}}, "paths": {{}}}}"#);
        let api = CompiledApi::load(doc.as_bytes(), &CompileOptions::default()).unwrap();
        Gateway::new(Arc::new(api), Stage::new("prod"), Backends::default()).unwrap()
    }

    #[test]
    fn a_request_keeps_the_version_it_started_with() {
        let slot = GatewaySlot::new(gateway("one"));
        let held = slot.current();
        let old = slot.replace(gateway("two"));
        assert_eq!(held.api().api().name, "one");
        assert_eq!(old.api().api().name, "one");
        assert_eq!(slot.current().api().api().name, "two");
    }
}
