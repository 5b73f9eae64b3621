//! Log lines to standard output without ever making a request wait: `gateway serve
//! --access-log`'s sink, and the server's own line per request.
//!
//! A request's line is appended to a bounded buffer ([`QUEUE_LINES`]) that one writer thread
//! drains to stdout; when the buffer is full (stdout blocked: a paused terminal, a full pipe)
//! the line is dropped and counted instead of waiting, and a write error (a closed pipe) only
//! stops the writing. So a failing or slow stdout never fails or slows a request
//! (`gateway_core::pipeline::access_log`).
//!
//! The writer is woken only when it sleeps: a line given to an idle server is written at
//! once, and while lines keep coming the writer drains the buffer every [`BATCH_WAIT`]
//! without being woken. Waking it for every line (a channel send per request) cost the
//! server about a context switch per request and a sixth of its CPU under
//! `scripts/load.sh` (perf, `/proc/<pid>/task/*/status`: 0.71 voluntary switches per
//! request with the line, 0.06 without).

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::Thread;
use std::time::Duration;

use gateway_core::pipeline::access_log::AccessLogSink;

/// Lines the buffer holds before new ones are dropped: a burst of this many requests while
/// stdout is blocked loses nothing; at a few hundred bytes a line it bounds the buffer to a
/// few MB.
pub const QUEUE_LINES: usize = 8192;

/// Longest [`StdoutSink::flush`] waits for the writer.
pub const FLUSH_WAIT: Duration = Duration::from_secs(1);

/// How long the writer waits after writing a batch before it looks for the next one: lines
/// that arrive meanwhile are written together, without waking it. A line waits at most
/// this long on a busy server, and not at all on an idle one.
pub const BATCH_WAIT: Duration = Duration::from_millis(2);

/// Lines given and not yet taken by the writer.
#[derive(Debug, Default)]
struct Pending {
    /// The lines, each ending in a newline.
    text: String,
    lines: usize,
    /// Flushes waiting for every line before them to be written.
    flushes: Vec<Sender<()>>,
}

/// What the sinks and the writer share.
#[derive(Debug)]
struct Shared {
    pending: Mutex<Pending>,
    /// The writer is parked (or about to park) and must be woken for new lines.
    asleep: AtomicBool,
    /// The writer has stopped (stdout gone): nobody answers a flush.
    stopped: AtomicBool,
    dropped: AtomicU64,
    /// Lines the buffer holds ([`QUEUE_LINES`]).
    capacity: usize,
}

impl Shared {
    fn new(capacity: usize) -> Shared {
        Shared {
            pending: Mutex::new(Pending::default()),
            asleep: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            dropped: AtomicU64::new(0),
            capacity,
        }
    }

    /// The buffer, even if a thread panicked while holding it (it is only text).
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Log lines to stdout through a writer thread.
#[derive(Debug, Clone)]
pub struct StdoutSink {
    shared: Arc<Shared>,
    /// The writer thread, `None` when none drains the buffer (tests).
    writer: Option<Thread>,
}

impl StdoutSink {
    /// Starts the writer thread; `None` if the thread cannot start.
    pub fn start() -> Option<StdoutSink> {
        let shared = Arc::new(Shared::new(QUEUE_LINES));
        let for_writer = Arc::clone(&shared);
        let writer = std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || write_lines(&for_writer))
            .ok()?;
        Some(StdoutSink {
            shared,
            writer: Some(writer.thread().clone()),
        })
    }

    /// Lines dropped so far because the buffer was full or the writer had stopped.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Waits (at most [`FLUSH_WAIT`], even when stdout is blocked) until every line given so
    /// far is written: before the process ends. Blocks the thread.
    pub fn flush(&self) {
        if self.shared.stopped.load(Ordering::Acquire) {
            return;
        }
        let (done, wait) = channel();
        self.shared.lock().flushes.push(done);
        self.wake();
        let _ = wait.recv_timeout(FLUSH_WAIT);
    }

    /// Wakes the writer if it sleeps.
    fn wake(&self) {
        if self.shared.asleep.swap(false, Ordering::AcqRel)
            && let Some(writer) = &self.writer
        {
            writer.unpark();
        }
    }
}

impl AccessLogSink for StdoutSink {
    fn write(&self, line: String) {
        {
            let mut pending = self.shared.lock();
            if pending.lines >= self.shared.capacity {
                drop(pending);
                self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            pending.text.push_str(&line);
            pending.text.push('\n');
            pending.lines += 1;
        }
        self.wake();
    }
}

/// The writer: takes every pending line at once and writes them in one go (so a reader sees
/// a line as soon as it is written, and a burst of lines is one write instead of one per
/// line), answers the flushes that were waiting, waits [`BATCH_WAIT`], and sleeps when there
/// is nothing to write until a sink wakes it.
fn write_lines(shared: &Shared) {
    let mut stdout = std::io::stdout();
    loop {
        let (text, flushes) = {
            let mut pending = shared.lock();
            if pending.lines == 0 && pending.flushes.is_empty() {
                // Told under the lock, so a line added after this point wakes the writer
                // (and an unpark before the park makes the park return at once).
                shared.asleep.store(true, Ordering::Release);
                drop(pending);
                std::thread::park();
                continue;
            }
            pending.lines = 0;
            (
                std::mem::take(&mut pending.text),
                std::mem::take(&mut pending.flushes),
            )
        };
        let written = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
        for done in flushes {
            let _ = done.send(());
        }
        if written.is_err() {
            // stdout is gone: stop writing; the buffer fills and further lines are dropped.
            shared.stopped.store(true, Ordering::Release);
            return;
        }
        std::thread::sleep(BATCH_WAIT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink whose buffer holds `capacity` lines and that no writer drains (stdout blocked).
    fn undrained(capacity: usize) -> StdoutSink {
        StdoutSink {
            shared: Arc::new(Shared::new(capacity)),
            writer: None,
        }
    }

    #[test]
    fn a_full_buffer_drops_lines_instead_of_waiting() {
        let sink = undrained(1);
        let started = std::time::Instant::now();
        for i in 0..100 {
            sink.write(format!("line {i}"));
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(sink.dropped(), 99);
        assert_eq!(sink.shared.lock().text, "line 0\n");
    }

    #[test]
    fn flush_gives_up_after_its_wait_when_stdout_is_blocked() {
        // A full buffer no writer drains (stdout blocked): flush returns after FLUSH_WAIT
        // instead of waiting forever.
        let sink = undrained(1);
        sink.write("fills the buffer".into());
        let started = std::time::Instant::now();
        sink.flush();
        let waited = started.elapsed();
        assert!(waited >= FLUSH_WAIT, "{waited:?}");
        assert!(
            waited < FLUSH_WAIT + std::time::Duration::from_secs(1),
            "{waited:?}"
        );
    }

    #[test]
    fn flush_returns_at_once_when_the_writer_has_stopped() {
        let sink = undrained(1);
        sink.shared.stopped.store(true, Ordering::Release);
        let started = std::time::Instant::now();
        sink.flush();
        assert!(started.elapsed() < FLUSH_WAIT / 2);
    }

    #[test]
    fn the_writer_is_woken_only_when_it_sleeps() {
        // A writer thread that only records its wake-ups stands in for `write_lines`: the
        // first line wakes it, lines given while it is awake do not.
        let sink = undrained(100);
        let (woken, wakes) = channel();
        let shared = Arc::clone(&sink.shared);
        let writer = std::thread::spawn(move || {
            shared.asleep.store(true, Ordering::Release);
            std::thread::park();
            let _ = woken.send(());
        });
        let sink = StdoutSink {
            writer: Some(writer.thread().clone()),
            ..sink
        };
        while !sink.shared.asleep.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        sink.write("first".into());
        assert!(!sink.shared.asleep.load(Ordering::Acquire));
        sink.write("second".into());
        wakes
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("the first line wakes the writer");
        writer.join().expect("writer");
        assert_eq!(sink.shared.lock().text, "first\nsecond\n");
    }
}
