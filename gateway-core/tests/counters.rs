//! The counter stores under concurrency: many threads (or, for Redis, many stores standing
//! for many gateway processes) on one counter never exceed its limit nor lose a count, and
//! quota windows stay exact across their boundary.
//!
//! The Redis tests need a server: `.ci/run` starts one and exports its URL as
//! `GATEWAY_TEST_REDIS_URL`; without it they print why they skip.

use std::sync::atomic::{AtomicUsize, Ordering};

use gateway_core::pipeline::access::usage::counters::{
    BucketCheck, Decision, MemoryStore, QuotaCheck, Verdict,
};
use gateway_core::pipeline::access::usage::quota::{Period, Quota};
use gateway_core::pipeline::access::usage::throttle::Limit;

const THREADS: usize = 8;
const PER_THREAD: usize = 500;

/// 2026-03-31T23:59:59.000Z: one second before midnight UTC, the end of a day and a month.
const BEFORE_MIDNIGHT: i64 = 1_775_001_599_000;

fn bucket_decision(counter: &str, burst: u64, now: i64) -> Decision {
    Decision {
        now_millis: now,
        buckets: vec![BucketCheck {
            counter: counter.into(),
            limit: Limit { rate: 0.0, burst },
        }],
        quota: None,
    }
}

fn quota_decision(counter: &str, quota: &Quota, now: i64, started: i64) -> Decision {
    let window = quota.window(now);
    Decision {
        now_millis: now,
        buckets: vec![],
        quota: Some(QuotaCheck {
            counter: counter.into(),
            window,
            limit: quota.limit_in(window, started),
        }),
    }
}

/// Runs `decide(thread, i)` `PER_THREAD` times on each of `THREADS` threads; counts admits.
fn hammer(decide: impl Fn(usize, usize) -> Verdict + Sync) -> usize {
    let admitted = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (admitted, decide) = (&admitted, &decide);
            s.spawn(move || {
                for i in 0..PER_THREAD {
                    if decide(t, i) == Verdict::Admit {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    admitted.into_inner()
}

#[test]
fn memory_bucket_under_concurrency_admits_exactly_the_burst() {
    let store = MemoryStore::new();
    let burst = 1_234;
    let admitted = hammer(|_, _| store.decide_now(&bucket_decision("b", burst, 0)));
    assert_eq!(admitted, burst as usize);
}

#[test]
fn memory_bucket_refills_exactly_at_its_rate_under_concurrency() {
    // 100 tokens a second, burst 10: over 2 s of requests stamped by a shared clock, 10 + 200
    // are admitted however the threads interleave.
    let store = MemoryStore::new();
    let limit = Limit {
        rate: 100.0,
        burst: 10,
    };
    let admitted = hammer(|t, i| {
        // Every thread walks the same 2 s, 4 ms a step.
        let now = ((i * 2000) / PER_THREAD) as i64 + (t as i64 % 2);
        store.decide_now(&Decision {
            now_millis: now,
            buckets: vec![BucketCheck {
                counter: "r".into(),
                limit,
            }],
            quota: None,
        })
    });
    // The clock reads 0..=1997 ms: 10 + 199.7 tokens at most, 209 whole ones taken.
    assert!((209..=210).contains(&admitted), "{admitted}");
}

#[test]
fn memory_quota_under_concurrency_counts_every_request_exactly() {
    let store = MemoryStore::new();
    let quota = Quota {
        limit: 2_500,
        offset: 0,
        period: Period::Day,
    };
    let admitted =
        hammer(|_, _| store.decide_now(&quota_decision("q", &quota, BEFORE_MIDNIGHT, 0)));
    assert_eq!(admitted, 2_500);
}

#[test]
fn memory_quota_is_exact_on_both_sides_of_a_window_boundary() {
    // Half of each thread's requests fall before midnight UTC, half after: each day admits
    // exactly its limit, whatever the interleaving (a late request of the old day still
    // counts in the old day).
    let store = MemoryStore::new();
    let quota = Quota {
        limit: 700,
        offset: 0,
        period: Period::Day,
    };
    let before = AtomicUsize::new(0);
    let admitted = hammer(|_, i| {
        let now = if i % 2 == 0 {
            BEFORE_MIDNIGHT + 999
        } else {
            BEFORE_MIDNIGHT + 1000
        };
        let verdict = store.decide_now(&quota_decision("q", &quota, now, 0));
        if verdict == Verdict::Admit && now == BEFORE_MIDNIGHT + 999 {
            before.fetch_add(1, Ordering::Relaxed);
        }
        verdict
    });
    assert_eq!(before.into_inner(), 700);
    assert_eq!(admitted, 1_400);
    assert_ne!(
        quota.window(BEFORE_MIDNIGHT + 999),
        quota.window(BEFORE_MIDNIGHT + 1000)
    );
}

#[test]
fn memory_quota_offset_applies_to_the_initial_window_only() {
    let store = MemoryStore::new();
    let quota = Quota {
        limit: 100,
        offset: 40,
        period: Period::Week,
    };
    let started = BEFORE_MIDNIGHT;
    let first = hammer(|_, _| store.decide_now(&quota_decision("q", &quota, started, started)));
    assert_eq!(first, 60);
    let next_week = quota.window(started).end;
    let second = hammer(|_, _| store.decide_now(&quota_decision("q", &quota, next_week, started)));
    assert_eq!(second, 100);
}

#[cfg(feature = "redis")]
mod redis_store {
    //! The same properties against a real `redis-server`, with one store per "gateway".

    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use gateway_core::pipeline::access::usage::counters::CounterStore;
    use gateway_core::pipeline::access::usage::redis::{DECISION_TIMEOUT, KEY_PREFIX, RedisStore};

    use gateway_core::pipeline::access::usage::quota::Window;

    use super::*;

    /// The server `.ci/run` started, or why not.
    fn server() -> Option<String> {
        match std::env::var("GATEWAY_TEST_REDIS_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ => {
                eprintln!(
                    "skipped: GATEWAY_TEST_REDIS_URL is not set (.ci/run starts redis-server and sets it)"
                );
                None
            }
        }
    }

    /// A counter name no other run uses.
    fn fresh(name: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!("test:{name}:{}:{nanos}", std::process::id())
    }

    /// Runs `PER_TASK` decisions on each of `STORES` stores (each its own connection, as
    /// separate gateways have), `TASKS_PER_STORE` tasks each; counts admits.
    async fn hammer_redis(
        url: &str,
        decision: impl Fn(usize) -> Decision + Send + Sync + 'static,
    ) -> usize {
        const STORES: usize = 4;
        const TASKS_PER_STORE: usize = 4;
        const PER_TASK: usize = 100;
        let decision = Arc::new(decision);
        let admitted = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..STORES {
            let store = Arc::new(RedisStore::new(url, false).unwrap());
            for _ in 0..TASKS_PER_STORE {
                let (store, decision, admitted) =
                    (store.clone(), decision.clone(), admitted.clone());
                tasks.push(tokio::spawn(async move {
                    for i in 0..PER_TASK {
                        let d = decision(i);
                        if store.decide(&d).await.unwrap() == Verdict::Admit {
                            admitted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }));
            }
        }
        for task in tasks {
            task.await.unwrap();
        }
        admitted.load(Ordering::Relaxed)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn redis_bucket_shared_by_several_stores_admits_exactly_the_burst() {
        let Some(url) = server() else { return };
        let counter = fresh("bucket");
        let admitted = hammer_redis(&url, move |_| bucket_decision(&counter, 777, 0)).await;
        assert_eq!(admitted, 777);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn redis_quota_shared_by_several_stores_counts_exactly_across_a_boundary() {
        let Some(url) = server() else { return };
        let counter = fresh("quota");
        let quota = Quota {
            limit: 500,
            offset: 0,
            period: Period::Month,
        };
        // Requests alternate between the last second of March and the first of April (UTC).
        let admitted = hammer_redis(&url, move |i| {
            let now = BEFORE_MIDNIGHT + if i % 2 == 0 { 999 } else { 1000 };
            quota_decision(&counter, &quota, now, 0)
        })
        .await;
        assert_eq!(admitted, 1_000);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn batched_decisions_refused_by_the_quota_take_no_tokens() {
        // Decisions sent together (one script call for those that wait together) go one by
        // one: 300 at once on a bucket of 100 and a quota of 30 admit 30, and the 270 the
        // quota refused took no token (research pipeline-access.md 8.3: a refused request
        // does not count), so the bucket admits exactly 70 more afterwards.
        let Some(url) = server() else { return };
        let store = Arc::new(RedisStore::new(&url, false).unwrap());
        let bucket = fresh("batch-bucket");
        let quota_counter = fresh("batch-quota");
        let window = Window {
            start: 0,
            end: i64::MAX / 2,
        };
        let both = Decision {
            now_millis: 1_000,
            buckets: vec![BucketCheck {
                counter: bucket.clone(),
                limit: Limit {
                    rate: 0.0,
                    burst: 100,
                },
            }],
            quota: Some(QuotaCheck {
                counter: quota_counter,
                window,
                limit: 30,
            }),
        };
        let decide_all = |decision: Decision, n: usize| {
            let store = store.clone();
            async move {
                let tasks: Vec<_> = (0..n)
                    .map(|_| {
                        let (store, decision) = (store.clone(), decision.clone());
                        tokio::spawn(async move { store.decide(&decision).await.unwrap() })
                    })
                    .collect();
                let mut verdicts = Vec::new();
                for task in tasks {
                    verdicts.push(task.await.unwrap());
                }
                verdicts
            }
        };
        let verdicts = decide_all(both, 300).await;
        let admitted = verdicts.iter().filter(|v| **v == Verdict::Admit).count();
        let over_quota = verdicts
            .iter()
            .filter(|v| **v == Verdict::QuotaExceeded)
            .count();
        assert_eq!((admitted, over_quota), (30, 270));
        let verdicts = decide_all(bucket_decision(&bucket, 100, 2_000), 200).await;
        let admitted = verdicts.iter().filter(|v| **v == Verdict::Admit).count();
        assert_eq!(admitted, 70);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn redis_counters_expire_on_their_own() {
        let Some(url) = server() else { return };
        let store = RedisStore::new(&url, false).unwrap();
        let bucket = fresh("expiry-bucket");
        let quota_counter = fresh("expiry-quota");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let window = Window {
            start: now - 1000,
            end: now + 5000,
        };
        let decision = Decision {
            now_millis: now,
            buckets: vec![BucketCheck {
                counter: bucket.clone(),
                limit: Limit {
                    rate: 2.0,
                    burst: 4,
                },
            }],
            quota: Some(QuotaCheck {
                counter: quota_counter.clone(),
                window,
                limit: 10,
            }),
        };
        assert_eq!(store.decide(&decision).await.unwrap(), Verdict::Admit);
        let client = redis::Client::open(url.as_str()).unwrap();
        let mut c = client.get_multiplexed_async_connection().await.unwrap();
        let bucket_ttl: i64 = redis::cmd("PTTL")
            .arg(format!("{KEY_PREFIX}{bucket}"))
            .query_async(&mut c)
            .await
            .unwrap();
        // One token missing at 2 a second: full again (and forgotten) within 500 ms.
        assert!((1..=500).contains(&bucket_ttl), "{bucket_ttl}");
        let quota_ttl: i64 = redis::cmd("PTTL")
            .arg(format!("{KEY_PREFIX}{quota_counter}:{}", window.start))
            .query_async(&mut c)
            .await
            .unwrap();
        // The window's end plus the grace period.
        assert!((60_000..=65_000).contains(&quota_ttl), "{quota_ttl}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unreachable_server_answers_an_error_quickly_then_recovers() {
        // Needs the redis-server binary to start a server of its own, later.
        let Some(binary) = which("redis-server") else {
            eprintln!("skipped: no redis-server on PATH");
            return;
        };
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let url = format!("redis://127.0.0.1:{port}");
        let store = RedisStore::new(&url, false).unwrap();
        let decision = bucket_decision(&fresh("recover"), 5, 0);
        let started = Instant::now();
        assert!(store.decide(&decision).await.is_err());
        // While backing off, errors come at once.
        assert!(store.decide(&decision).await.is_err());
        assert!(started.elapsed() < DECISION_TIMEOUT + Duration::from_millis(500));
        let mut server = std::process::Command::new(binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut recovered = false;
        while Instant::now() < deadline {
            if store.decide(&decision).await == Ok(Verdict::Admit) {
                recovered = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = server.kill();
        let _ = server.wait();
        assert!(recovered, "the store did not reconnect");
    }

    fn which(name: &str) -> Option<std::path::PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .chain(["/usr/bin".into(), "/usr/sbin".into()])
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    }
}
