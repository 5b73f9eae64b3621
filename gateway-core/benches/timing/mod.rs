//! What the benches' side-by-side summaries share: the mean time of a call over a slice of
//! time. Each summary takes the fastest of several alternating slices, the steadiest estimate
//! on a shared, noisy machine.

use std::time::{Duration, Instant};

/// Mean time of one call of `f`, measured over about `budget` (calls in batches of 16, so
/// that reading the clock costs nothing next to them).
pub fn time_per_call(budget: Duration, f: &mut impl FnMut()) -> Duration {
    let mut calls: u32 = 0;
    let start = Instant::now();
    while start.elapsed() < budget {
        for _ in 0..16 {
            f();
        }
        calls += 16;
    }
    start.elapsed() / calls.max(1)
}
