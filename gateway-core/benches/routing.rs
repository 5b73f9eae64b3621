//! Routing speed: gateway-core's `Router` against `matchit` on the GitHub API route set
//! (`data/github_routes.txt`, the 130 routes of matchit's own benchmark), same routes, same
//! request paths, in one run.
//!
//! Each iteration routes every one of the 130 request paths once. Run briefly with
//! `cargo bench -p gateway-core --bench routing -- --warm-up-time 1 --measurement-time 3`.
//! Besides criterion's report, a side-by-side summary is printed first.

use std::hint::black_box;
use std::time::Duration;

mod timing;
use timing::time_per_call;

use criterion::{Criterion, criterion_group, criterion_main};
use gateway_core::routing::{HttpMethod, Router};

const ROUTES: &str = include_str!("data/github_routes.txt");

/// The resource paths of the data file.
fn templates() -> Vec<&'static str> {
    ROUTES
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// A request path for `template`: its n-th variable replaced by `p{n}`, as matchit's benchmark
/// does.
fn request_path(template: &str) -> String {
    let mut n = 0;
    template
        .split('/')
        .map(|part| {
            if part.starts_with('{') {
                n += 1;
                format!("p{n}")
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Fixture {
    paths: Vec<String>,
    ours: Router<bool>,
    matchit: matchit::Router<bool>,
}

fn fixture() -> Fixture {
    let templates = templates();
    let mut ours = Router::new();
    let mut matchit = matchit::Router::new();
    for template in &templates {
        ours.insert(template, HttpMethod::Get, true)
            .unwrap_or_else(|e| panic!("{e}"));
        matchit
            .insert(*template, true)
            .unwrap_or_else(|e| panic!("{template}: {e}"));
    }
    let paths = templates.iter().map(|t| request_path(t)).collect();
    Fixture {
        paths,
        ours,
        matchit,
    }
}

fn route_all_ours(f: &Fixture) {
    for path in black_box(&f.paths) {
        let found = black_box(f.ours.at("GET", path));
        assert!(matches!(found, Ok(m) if *m.value()));
    }
}

fn route_all_matchit(f: &Fixture) {
    for path in black_box(&f.paths) {
        let found = black_box(f.matchit.at(path));
        assert!(matches!(found, Ok(m) if *m.value));
    }
}

fn params_all_ours(f: &Fixture) -> usize {
    let mut total = 0;
    for path in black_box(&f.paths) {
        if let Ok(found) = f.ours.at("GET", path) {
            total += found
                .params()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        }
    }
    total
}

fn params_all_matchit(f: &Fixture) -> usize {
    let mut total = 0;
    for path in black_box(&f.paths) {
        if let Ok(found) = f.matchit.at(path) {
            total += found
                .params
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        }
    }
    total
}

/// The fastest of `rounds` alternating measurements of `a` and `b`: on a shared, noisy machine
/// the minimum is the most stable estimate of each one's own cost.
fn best_of(rounds: u32, mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    let slice = Duration::from_millis(40);
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        best_a = best_a.min(time_per_call(slice, &mut a));
        best_b = best_b.min(time_per_call(slice, &mut b));
    }
    (best_a, best_b)
}

/// Prints both routers' time for all 130 lookups next to each other.
fn side_by_side(f: &Fixture) {
    let (ours, theirs) = best_of(15, || route_all_ours(f), || route_all_matchit(f));
    let (ours_p, theirs_p) = best_of(
        15,
        || {
            black_box(params_all_ours(f));
        },
        || {
            black_box(params_all_matchit(f));
        },
    );
    println!(
        "\nGitHub route set, {} lookups per iteration, best of 15 alternating rounds:",
        f.paths.len()
    );
    println!("  {:<24} {:>12} {:>12}", "", "gateway-core", "matchit");
    println!(
        "  {:<24} {:>12.2?} {:>12.2?}   ratio {:.2}",
        "lookup",
        ours,
        theirs,
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    println!(
        "  {:<24} {:>12.2?} {:>12.2?}   ratio {:.2}\n",
        "lookup + read params",
        ours_p,
        theirs_p,
        ours_p.as_secs_f64() / theirs_p.as_secs_f64()
    );
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    side_by_side(&f);

    let mut group = c.benchmark_group("github_all_routes");
    group.bench_function("gateway-core", |b| b.iter(|| route_all_ours(&f)));
    group.bench_function("matchit", |b| b.iter(|| route_all_matchit(&f)));
    group.finish();

    let mut group = c.benchmark_group("github_all_routes_with_params");
    group.bench_function("gateway-core", |b| b.iter(|| params_all_ours(&f)));
    group.bench_function("matchit", |b| b.iter(|| params_all_matchit(&f)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
