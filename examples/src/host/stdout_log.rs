//! `gateway serve --access-log`'s sink: access-log lines to standard output without ever
//! making a request wait.
//!
//! A request's line goes into a bounded queue ([`QUEUE_LINES`]) that one writer thread
//! drains to stdout; when the queue is full (stdout blocked: a paused terminal, a full pipe)
//! the line is dropped and counted instead of waiting, and a write error (a closed pipe) only
//! stops the writing. So a failing or slow stdout never fails or slows a request
//! (`gateway_core::pipeline::access_log`).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use gateway_core::pipeline::access_log::AccessLogSink;

/// Lines the queue holds before new ones are dropped: a burst of this many requests while
/// stdout is blocked loses nothing; at a few hundred bytes a line it bounds the queue to a
/// few MB.
pub const QUEUE_LINES: usize = 8192;

/// Access-log lines to stdout through a writer thread.
#[derive(Debug, Clone)]
pub struct StdoutSink {
    queue: SyncSender<String>,
    dropped: Arc<AtomicU64>,
}

impl StdoutSink {
    /// Starts the writer thread; `None` if the thread cannot start.
    pub fn start() -> Option<StdoutSink> {
        let (queue, lines) = sync_channel(QUEUE_LINES);
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || write_lines(&lines))
            .ok()?;
        Some(StdoutSink {
            queue,
            dropped: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Lines dropped so far because the queue was full or the writer had stopped.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl AccessLogSink for StdoutSink {
    fn write(&self, line: String) {
        match self.queue.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The writer: each line and a newline, flushed when the queue is empty (so a reader sees a
/// line as soon as it is written, and a burst goes out in one write).
fn write_lines(lines: &Receiver<String>) {
    let stdout = std::io::stdout();
    while let Ok(line) = lines.recv() {
        let mut out = stdout.lock();
        let mut result = writeln!(out, "{line}");
        while let (true, Ok(more)) = (result.is_ok(), lines.try_recv()) {
            result = writeln!(out, "{more}");
        }
        if result.and_then(|()| out.flush()).is_err() {
            // stdout is gone: stop writing; the queue fills and further lines are dropped.
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_lines_instead_of_waiting() {
        let (queue, _lines) = sync_channel(1);
        let sink = StdoutSink {
            queue,
            dropped: Arc::new(AtomicU64::new(0)),
        };
        let started = std::time::Instant::now();
        for i in 0..100 {
            sink.write(format!("line {i}"));
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(sink.dropped(), 99);
    }
}
