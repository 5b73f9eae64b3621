//! The header names of each request as the client spelled them, read off an HTTP/1.1
//! connection's bytes, for hosts on hyper (whose `http::HeaderMap` keeps names in lower case
//! and which keeps the spelling it read private).
//!
//! A REST API keeps the client's spelling of header names in the Lambda proxy event and in
//! `$input.params().header` ([`HeaderSpellings`]). A host feeds every byte its server reads
//! from a connection to a [`HeadReader`] (the `gateway` tool wraps the connection's I/O),
//! which finds each request's head (parsed with `httparse`, hyper's own parser), notes its
//! header names, and skips the body by its framing (`Content-Length`, or chunked with its
//! trailers) to find the next head. The names wait in the connection's [`Spellings`] queue
//! until the request they belong to is served ([`Spellings::take_for`]); hyper serves a
//! connection's requests in order, pipelined ones too.
//!
//! Bad input cannot make this wrong or costly: a head is parsed once, when its blank line has
//! arrived; a head over [`MAX_HEAD_BYTES`], a chunk-size line over [`MAX_LINE_BYTES`] or bytes
//! that do not parse stop the recording for the rest of the connection (hyper refuses such
//! requests anyway); and [`Spellings::take_for`] hands out names only when they name exactly
//! the request's headers, so a reader that lost its place gives lower-case names, never wrong
//! ones.
//!
//! ```
//! use gateway_core::pipeline::header_spelling::{HeadReader, Spellings};
//! let spellings = Spellings::new();
//! let mut reader = HeadReader::new(spellings.clone());
//! reader.feed(b"GET /pets HTTP/1.1\r\nHost: example.com\r\ntEsT-HEADeR: v\r\n\r\n");
//! let mut headers = http::HeaderMap::new();
//! headers.insert("host", "example.com".parse().unwrap());
//! headers.insert("test-header", "v".parse().unwrap());
//! let names = spellings.take_for(&headers).unwrap();
//! assert_eq!(names.0, ["Host", "tEsT-HEADeR"]);
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use http::HeaderMap;

use super::request::HeaderSpellings;

/// Largest request head recorded (hyper's own default limit is larger, ~400 KB; API Gateway
/// takes 10,240 bytes of headers); a longer one stops the recording for its connection.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Longest chunk-size or trailer line followed.
pub const MAX_LINE_BYTES: usize = 4 * 1024;

/// Most header lines parsed in one head (hyper refuses more than 100 by default).
const MAX_HEADERS: usize = 128;

/// Heads recorded ahead of their requests' service, at most (pipelining beyond this stops
/// the recording).
const MAX_QUEUED: usize = 64;

/// One connection's recorded header names, oldest request first. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct Spellings(Arc<Mutex<VecDeque<Vec<String>>>>);

impl Spellings {
    /// An empty queue.
    pub fn new() -> Spellings {
        Spellings::default()
    }

    fn push(&self, names: Vec<String>) -> bool {
        let Ok(mut queue) = self.0.lock() else {
            return false;
        };
        if queue.len() >= MAX_QUEUED {
            return false;
        }
        queue.push_back(names);
        true
    }

    /// The names recorded for the request being served, whose headers are `headers`: the
    /// oldest recorded head's names when they are exactly the request's (same count, each a
    /// spelling of one of its names); `None` (and the queue cleared, as it lost its place)
    /// otherwise.
    pub fn take_for(&self, headers: &HeaderMap) -> Option<HeaderSpellings> {
        let mut queue = self.0.lock().ok()?;
        let names = queue.pop_front()?;
        let matches = names.len() == headers.len()
            && names.iter().all(|name| headers.contains_key(name.as_str()));
        if matches {
            Some(HeaderSpellings(names))
        } else {
            queue.clear();
            None
        }
    }
}

/// Where the reader is in the connection's byte stream.
#[derive(Debug)]
enum State {
    /// Reading a request head (the bytes so far).
    Head(Vec<u8>),
    /// Skipping this many body bytes.
    Body(u64),
    /// Reading a chunk-size line (the bytes so far).
    ChunkSize(Vec<u8>),
    /// Skipping this many chunk-data bytes.
    ChunkData(u64),
    /// Skipping the line end after a chunk's data.
    ChunkEnd,
    /// Reading trailer lines up to the empty one (the current line so far).
    Trailers(Vec<u8>),
    /// Stopped: the rest of the connection is not recorded.
    Lost,
}

/// How a request's body is framed (RFC 9112, 6.3).
enum Framing {
    Length(u64),
    Chunked,
    Invalid,
}

/// Follows one connection's request bytes and records each head's header names.
#[derive(Debug)]
pub struct HeadReader {
    state: State,
    spellings: Spellings,
}

impl HeadReader {
    /// A reader at the start of a connection, recording into `spellings`.
    pub fn new(spellings: Spellings) -> HeadReader {
        HeadReader {
            state: State::Head(Vec::new()),
            spellings,
        }
    }

    /// Follows `bytes`, the next ones the connection delivered.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            bytes = match &mut self.state {
                State::Lost => return,
                State::Head(buf) => {
                    // Empty lines before a request line are ignored (RFC 9112, 2.2).
                    if buf.is_empty() {
                        while let [b'\r' | b'\n', rest @ ..] = bytes {
                            bytes = rest;
                        }
                        if bytes.is_empty() {
                            return;
                        }
                    }
                    let before = buf.len();
                    if before + bytes.len() > MAX_HEAD_BYTES {
                        self.state = State::Lost;
                        return;
                    }
                    buf.extend_from_slice(bytes);
                    // Parse once the head's blank line is in (searched from just before the
                    // new bytes), so a head sent byte by byte is parsed once, not per byte.
                    let from = before.saturating_sub(3);
                    if !has_blank_line(buf.get(from..).unwrap_or_default()) {
                        return;
                    }
                    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                    let mut request = httparse::Request::new(&mut headers);
                    let end = match request.parse(buf) {
                        Ok(httparse::Status::Complete(end)) => end,
                        Ok(httparse::Status::Partial) => return,
                        Err(_) => {
                            self.state = State::Lost;
                            return;
                        }
                    };
                    let names: Vec<String> =
                        request.headers.iter().map(|h| h.name.to_owned()).collect();
                    let framing = framing(request.headers);
                    if !self.spellings.push(names) {
                        self.state = State::Lost;
                        return;
                    }
                    let rest = bytes.get(end.saturating_sub(before)..).unwrap_or_default();
                    self.state = match framing {
                        Framing::Length(0) => State::Head(Vec::new()),
                        Framing::Length(n) => State::Body(n),
                        Framing::Chunked => State::ChunkSize(Vec::new()),
                        Framing::Invalid => State::Lost,
                    };
                    rest
                }
                State::Body(left) | State::ChunkData(left) => {
                    let take = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    *left -= take as u64;
                    if *left == 0 {
                        self.state = match self.state {
                            State::ChunkData(_) => State::ChunkEnd,
                            _ => State::Head(Vec::new()),
                        };
                    }
                    bytes.get(take..).unwrap_or_default()
                }
                State::ChunkEnd => match bytes.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        self.state = State::ChunkSize(Vec::new());
                        bytes.get(i + 1..).unwrap_or_default()
                    }
                    None => return,
                },
                State::ChunkSize(line) | State::Trailers(line) => {
                    let Some(i) = bytes.iter().position(|&b| b == b'\n') else {
                        if line.len() + bytes.len() > MAX_LINE_BYTES {
                            self.state = State::Lost;
                        } else {
                            line.extend_from_slice(bytes);
                        }
                        return;
                    };
                    let (head, rest) = bytes.split_at(i);
                    if line.len() + head.len() > MAX_LINE_BYTES {
                        self.state = State::Lost;
                        return;
                    }
                    line.extend_from_slice(head);
                    let line = std::mem::take(line);
                    let text = line.strip_suffix(b"\r").unwrap_or(&line);
                    self.state = match self.state {
                        State::ChunkSize(_) => match chunk_size(text) {
                            Some(0) => State::Trailers(Vec::new()),
                            Some(n) => State::ChunkData(n),
                            None => State::Lost,
                        },
                        // The empty line ends the trailers, and the request.
                        _ if text.is_empty() => State::Head(Vec::new()),
                        _ => State::Trailers(Vec::new()),
                    };
                    rest.get(1..).unwrap_or_default()
                }
            };
        }
    }
}

/// Whether `bytes` hold the blank line that ends a head (`\r\n\r\n`, or `\n\n`, which
/// httparse also takes).
fn has_blank_line(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\n\n") || bytes.windows(4).any(|w| w == b"\r\n\r\n")
}

/// The body's framing from the head's headers: chunked when `Transfer-Encoding` ends with
/// `chunked` (another final coding cannot frame a request: invalid), else `Content-Length`
/// (several different values: invalid), else no body.
fn framing(headers: &[httparse::Header<'_>]) -> Framing {
    let mut length: Option<u64> = None;
    let mut chunked: Option<bool> = None;
    for h in headers {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let Ok(value) = std::str::from_utf8(h.value) else {
                return Framing::Invalid;
            };
            let last = value.rsplit(',').next().unwrap_or_default().trim();
            chunked = Some(last.eq_ignore_ascii_case("chunked"));
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let Some(n) = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
            else {
                return Framing::Invalid;
            };
            if length.is_some_and(|l| l != n) {
                return Framing::Invalid;
            }
            length = Some(n);
        }
    }
    match (chunked, length) {
        (Some(true), _) => Framing::Chunked,
        (Some(false), _) => Framing::Invalid,
        (None, n) => Framing::Length(n.unwrap_or(0)),
    }
}

/// A chunk-size line's size (hex digits, then optional `;extensions`).
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.split(|&b| b == b';').next()?;
    let digits = std::str::from_utf8(digits).ok()?.trim();
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn recorded(chunks: &[&[u8]]) -> Vec<Vec<String>> {
        let spellings = Spellings::new();
        let mut reader = HeadReader::new(spellings.clone());
        for chunk in chunks {
            reader.feed(chunk);
        }
        let queue = spellings.0.lock().unwrap();
        queue.iter().cloned().collect()
    }

    const PIPELINED: &[u8] =
        b"POST /a HTTP/1.1\r\nHost: x\r\ntEsT-HEADeR: v\r\nContent-Length: 5\r\n\r\nhello\
GET /b HTTP/1.1\r\nhost: x\r\nX-One: 1\r\nx-one: 2\r\n\r\n\
\r\nPOST /c HTTP/1.1\r\nHOST: x\r\nTransfer-Encoding: chunked\r\n\r\n\
4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer-Name: t\r\n\r\n\
GET /d HTTP/1.1\r\nUser-Agent: curl/8\r\n\r\n";

    fn expected() -> Vec<Vec<String>> {
        [
            vec!["Host", "tEsT-HEADeR", "Content-Length"],
            vec!["host", "X-One", "x-one"],
            vec!["HOST", "Transfer-Encoding"],
            vec!["User-Agent"],
        ]
        .iter()
        .map(|names| names.iter().map(|n| n.to_string()).collect())
        .collect()
    }

    #[test]
    fn pipelined_requests_with_bodies_of_each_framing_are_followed() {
        assert_eq!(recorded(&[PIPELINED]), expected());
    }

    #[test]
    fn a_stream_cut_anywhere_reads_the_same() {
        for cut in 0..PIPELINED.len() {
            let (a, b) = PIPELINED.split_at(cut);
            assert_eq!(recorded(&[a, b]), expected(), "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = PIPELINED.chunks(1).collect();
        assert_eq!(recorded(&bytes), expected(), "byte by byte");
    }

    #[test]
    fn bad_or_oversized_input_stops_the_recording() {
        assert!(recorded(&[b"GARBAGE\x01 \r\n\r\nGET / HTTP/1.1\r\nA: b\r\n\r\n"]).is_empty());
        let huge = vec![b'a'; MAX_HEAD_BYTES + 1];
        assert!(recorded(&[b"GET / HTTP/1.1\r\nX: ", &huge]).is_empty());
        // A chunk-size that is not hex: the head before it is recorded, nothing after.
        let r = recorded(&[b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET / HTTP/1.1\r\nA: b\r\n\r\n"]);
        assert_eq!(r.len(), 1);
        // Conflicting lengths.
        let r = recorded(&[b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxGET / HTTP/1.1\r\nA: b\r\n\r\n"]);
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn names_are_handed_out_only_for_the_request_they_name() {
        let spellings = Spellings::new();
        let mut reader = HeadReader::new(spellings.clone());
        reader.feed(
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Tag: 1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        let mut headers = HeaderMap::new();
        headers.insert("host", "x".parse().unwrap());
        headers.insert("x-tag", "1".parse().unwrap());
        assert_eq!(
            spellings.take_for(&headers),
            Some(HeaderSpellings(vec!["Host".into(), "X-Tag".into()]))
        );
        // The next recorded head has one header, the request two: lost, cleared.
        assert_eq!(spellings.take_for(&headers), None);
        assert_eq!(spellings.take_for(&headers), None);
    }

    proptest! {
        #[test]
        fn any_bytes_in_any_cuts_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), cut in 0usize..512) {
            let cut = cut.min(bytes.len());
            let (a, b) = bytes.split_at(cut);
            let _ = recorded(&[a, b]);
        }
    }
}
