//! Log lines to standard output without ever making a request wait: `gateway serve
//! --access-log`'s sink, and the server's own line per request.
//!
//! A request's line goes into a bounded queue ([`QUEUE_LINES`]) that one writer thread
//! drains to stdout; when the queue is full (stdout blocked: a paused terminal, a full pipe)
//! the line is dropped and counted instead of waiting, and a write error (a closed pipe) only
//! stops the writing. So a failing or slow stdout never fails or slows a request
//! (`gateway_core::pipeline::access_log`).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, TrySendError, channel, sync_channel};
use std::time::{Duration, Instant};

use gateway_core::pipeline::access_log::AccessLogSink;

/// Lines the queue holds before new ones are dropped: a burst of this many requests while
/// stdout is blocked loses nothing; at a few hundred bytes a line it bounds the queue to a
/// few MB.
pub const QUEUE_LINES: usize = 8192;

/// Longest [`StdoutSink::flush`] waits for the writer.
pub const FLUSH_WAIT: Duration = Duration::from_secs(1);

/// What the writer thread receives.
#[derive(Debug)]
enum Message {
    Line(String),
    /// Answer once every line before this one is written.
    Flush(Sender<()>),
}

/// Log lines to stdout through a writer thread.
#[derive(Debug, Clone)]
pub struct StdoutSink {
    queue: SyncSender<Message>,
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

    /// Waits (at most [`FLUSH_WAIT`] in all, even when stdout is blocked and the queue full)
    /// until every line given so far is written: before the process ends. Blocks the thread.
    pub fn flush(&self) {
        let deadline = Instant::now() + FLUSH_WAIT;
        let (done, wait) = channel();
        let mut message = Message::Flush(done);
        loop {
            match self.queue.try_send(message) {
                Ok(()) => break,
                Err(TrySendError::Full(back)) if Instant::now() < deadline => {
                    message = back;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(_) => return,
            }
        }
        let _ = wait.recv_timeout(deadline.saturating_duration_since(Instant::now()));
    }
}

impl AccessLogSink for StdoutSink {
    fn write(&self, line: String) {
        match self.queue.try_send(Message::Line(line)) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The writer: each line and a newline, through a buffer written out when the queue is
/// empty (so a reader sees a line as soon as it is written, and a burst of lines goes out in
/// one write instead of one per line, as stdout's own line buffering would).
fn write_lines(messages: &Receiver<Message>) {
    let stdout = std::io::stdout();
    while let Ok(first) = messages.recv() {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        let mut flushed = Vec::new();
        let mut result = Ok(());
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Line(line) => {
                    if result.is_ok() {
                        result = writeln!(out, "{line}");
                    }
                }
                Message::Flush(done) => flushed.push(done),
            }
            next = messages.try_recv().ok();
        }
        let result = result.and_then(|()| out.flush());
        drop(out);
        for done in flushed {
            let _ = done.send(());
        }
        if result.is_err() {
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

    #[test]
    fn flush_gives_up_after_its_wait_when_stdout_is_blocked() {
        // A full queue no writer drains (stdout blocked): flush returns after FLUSH_WAIT
        // instead of waiting for room forever.
        let (queue, _lines) = sync_channel(1);
        let sink = StdoutSink {
            queue,
            dropped: Arc::new(AtomicU64::new(0)),
        };
        sink.write("fills the queue".into());
        let started = std::time::Instant::now();
        sink.flush();
        let waited = started.elapsed();
        assert!(waited >= FLUSH_WAIT, "{waited:?}");
        assert!(
            waited < FLUSH_WAIT + std::time::Duration::from_secs(1),
            "{waited:?}"
        );
    }
}
