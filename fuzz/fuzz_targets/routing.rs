#![no_main]
//! Routing fuzzing: the input is lines; `+METHOD /template` lines insert routes (errors are
//! expected and ignored), any other line is a request `METHOD /path` (or just a path, as GET)
//! looked up in the router built so far. Asserts nothing but "no panic", plus the one invariant
//! a match must keep: its resource path is a template that was inserted.

use gateway_core::routing::{HttpMethod, Router};
use libfuzzer_sys::fuzz_target;

/// Most lines read from one input, so an input's work stays bounded.
const MAX_LINES: usize = 512;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut router: Router<usize> = Router::new();
    let mut templates: Vec<String> = Vec::new();
    for line in text.lines().take(MAX_LINES) {
        if let Some(route) = line.strip_prefix('+') {
            let (verb, template) = route.split_once(' ').unwrap_or(("ANY", route));
            let Ok(method) = verb.parse::<HttpMethod>() else {
                continue;
            };
            if router.insert(template, method, templates.len()).is_ok() {
                templates.push(template.to_owned());
            }
            continue;
        }
        let (verb, path) = line.split_once(' ').unwrap_or(("GET", line));
        if let Ok(found) = router.at(verb, path) {
            let inserted = templates.get(*found.value());
            assert!(inserted.is_some(), "a match carries an inserted value");
            for (name, value) in found.params() {
                assert!(!name.is_empty());
                assert!(path.contains(value));
            }
            let _ = found.resource_path();
        }
    }
});
