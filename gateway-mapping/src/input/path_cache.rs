//! Compiled JSONPaths kept per thread for `$input.json(x)` / `$input.path(x)`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::jsonpath::{JsonPath, JsonPathError};

/// Compiled JSONPaths kept per thread, so `$input.path('$.name')` on every request compiles
/// its path once. When full the cache is emptied and starts again (templates use a handful of
/// paths; this only bounds memory when paths are built from request data).
pub const PATH_CACHE_SIZE: usize = 256;

/// How many of the paths used last [`compiled_path`] compares by text before it hashes.
const RECENT_PATHS: usize = 8;

thread_local! {
    static PATHS: RefCell<HashMap<Rc<str>, Rc<JsonPath>>> = RefCell::new(HashMap::new());
    /// The paths used last, newest last, sharing their keys with `PATHS`: a template uses a
    /// handful, found by comparing a few short strings, cheaper than hashing one.
    static RECENT: RefCell<Vec<(Rc<str>, Rc<JsonPath>)>> = const { RefCell::new(Vec::new()) };
}

/// The compiled path, from the per-thread cache.
pub(super) fn compiled_path(path: &str) -> Result<Rc<JsonPath>, JsonPathError> {
    let recent = RECENT.with(|r| {
        r.borrow()
            .iter()
            .rev()
            .find(|(p, _)| &**p == path)
            .map(|(_, c)| c.clone())
    });
    if let Some(p) = recent {
        return Ok(p);
    }
    let known = PATHS.with(|c| {
        c.borrow()
            .get_key_value(path)
            .map(|(k, v)| (k.clone(), v.clone()))
    });
    let (key, compiled) = match known {
        Some(entry) => entry,
        None => {
            let compiled = Rc::new(JsonPath::compile(path)?);
            let key: Rc<str> = path.into();
            PATHS.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= PATH_CACHE_SIZE {
                    c.clear();
                }
                c.insert(key.clone(), compiled.clone());
            });
            (key, compiled)
        }
    };
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= RECENT_PATHS {
            r.remove(0);
        }
        r.push((key, compiled.clone()));
    });
    Ok(compiled)
}
