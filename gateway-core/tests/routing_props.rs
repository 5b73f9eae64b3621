//! Property tests of the router against a brute-force reference of API Gateway's rules:
//! among the resources whose path template matches the request and that define its method (or
//! `ANY`), the one whose path parts are more specific first wins, where a literal part beats a
//! variable one at the first position they differ (the rules and their sources are in
//! `tests/routing.rs`); its own verb beats its `ANY`.

use gateway_core::routing::{HttpMethod, Router};
use proptest::prelude::*;

/// What a route lookup gave: resource path, matched method, `(name, value)` parameters.
type Outcome = Option<(String, HttpMethod, Params)>;

/// Path parameters, `(name, value)` in path order.
type Params = Vec<(String, String)>;

/// How specific a template is: 0 per literal part, 1 per variable part; smaller wins.
type Key = Vec<u8>;

/// The reference: every inserted `(template, method)` tried against the request.
fn reference(routes: &[(String, HttpMethod)], verb: HttpMethod, path: &str) -> Outcome {
    let trimmed = path.trim_matches('/');
    let segments: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    // (specificity key, template, method, params) of every candidate serving `verb`.
    let mut best: Option<(Key, String, HttpMethod, Params)> = None;
    for (template, _) in routes {
        let Some((key, params)) = match_template(template, &segments, trimmed) else {
            continue;
        };
        let own = routes.iter().any(|(t, m)| t == template && *m == verb);
        let any = routes
            .iter()
            .any(|(t, m)| t == template && *m == HttpMethod::Any);
        let method = match (own, any) {
            (true, _) => verb,
            (false, true) => HttpMethod::Any,
            (false, false) => continue,
        };
        if best.as_ref().is_none_or(|(k, ..)| key < *k) {
            best = Some((key, template.clone(), method, params));
        }
    }
    best.map(|(_, t, m, p)| (t, m, p))
}

/// Whether `template` matches the request segments; if so, its specificity key (0 per
/// literal part, 1 per variable part) and its parameters.
fn match_template(template: &str, segments: &[&str], trimmed: &str) -> Option<(Key, Params)> {
    let parts: Vec<&str> = template
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let mut key = Vec::new();
    let mut params = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix("+}")) {
            // Greedy: the rest of the path, at least one segment, inner slashes kept.
            if i >= segments.len() {
                return None;
            }
            let offset: usize = segments[..i].iter().map(|s| s.len() + 1).sum();
            params.push((name.to_owned(), trimmed[offset..].to_owned()));
            key.push(1);
            return Some((key, params));
        }
        let segment = segments.get(i)?;
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if segment.is_empty() {
                return None;
            }
            params.push((name.to_owned(), (*segment).to_owned()));
            key.push(1);
        } else if part == segment {
            key.push(0);
        } else {
            return None;
        }
    }
    (parts.len() == segments.len()).then_some((key, params))
}

fn lookup(router: &Router<()>, verb: HttpMethod, path: &str) -> Outcome {
    router.at(verb.as_str(), path).ok().map(|m| {
        (
            m.resource_path().to_owned(),
            m.method(),
            m.params()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    })
}

fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "c", "{x}", "{y}", "{p+}"]),
        0..4,
    )
    .prop_map(|parts| format!("/{}", parts.join("/")))
}

fn method() -> impl Strategy<Value = HttpMethod> {
    prop::sample::select(vec![HttpMethod::Get, HttpMethod::Post, HttpMethod::Any])
}

fn request_path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d", ""]), 0..5),
        any::<bool>(),
    )
        .prop_map(|(segments, trailing)| {
            let mut p = format!("/{}", segments.join("/"));
            if trailing {
                p.push('/');
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn router_agrees_with_the_brute_force_reference(
        routes in prop::collection::vec((template(), method()), 0..12),
        requests in prop::collection::vec(
            (prop::sample::select(vec![HttpMethod::Get, HttpMethod::Post, HttpMethod::Put]), request_path()),
            1..16,
        ),
    ) {
        let mut router = Router::new();
        let mut inserted = Vec::new();
        for (t, m) in routes {
            // Refused routes (a second variable under one parent, a repeated method, a greedy
            // part not last, a repeated variable) are left out of the reference too.
            if router.insert(&t, m, ()).is_ok() {
                inserted.push((t, m));
            }
        }
        prop_assert_eq!(router.len(), inserted.len());
        for (verb, path) in requests {
            let expected = reference(&inserted, verb, &path);
            prop_assert_eq!(lookup(&router, verb, &path), expected, "{} {}", verb, path);
        }
    }

    #[test]
    fn a_trailing_slash_never_changes_the_outcome(
        routes in prop::collection::vec((template(), method()), 0..12),
        path in request_path(),
        verb in prop::sample::select(vec![HttpMethod::Get, HttpMethod::Post, HttpMethod::Put]),
    ) {
        let mut router = Router::new();
        for (t, m) in routes {
            let _ = router.insert(&t, m, ());
        }
        let bare = match path.trim_end_matches('/') {
            "" => "/",
            p => p,
        };
        prop_assert_eq!(
            lookup(&router, verb, bare),
            lookup(&router, verb, &format!("{bare}/"))
        );
    }
}
