//! Raw HTTP/1.1 request text, as the AWS SigV4 test suite and the CLI's request files hold it.
//!
//! Lenient where the test suite is: the request target may hold spaces and UTF-8 (`GET /example
//! space/ HTTP/1.1`), header lines may omit the space after the colon, and a line starting with
//! whitespace continues the previous header (obsolete line folding). Spaces and tabs around a
//! header's value are not part of it (RFC 9110, section 5.5). Header lines are kept byte for
//! byte, so a request can be printed back exactly as written, bytes above 0x7f included.
//!
//! Reading is linear in the text: each line is visited once, and each header goes into the map
//! once.

use std::ops::Range;

use http::{HeaderMap, HeaderName, HeaderValue};

use super::error::RawRequestError;
use super::request::{Payload, RequestRef};

/// The most header lines a raw request may have: far above any real request (servers cap headers
/// at a few dozen KiB), low enough that a hostile file cannot make the parser build a huge map,
/// and below the 24,576 distinct names an `http::HeaderMap` holds.
pub const MAX_RAW_HEADER_LINES: usize = 10_000;

/// A request read from raw HTTP/1.1 text.
#[derive(Debug, Clone)]
pub struct RawRequest {
    method: String,
    path: String,
    query: Option<String>,
    version: String,
    headers: HeaderMap,
    /// Every header line as written (without its line end).
    header_lines: Vec<Vec<u8>>,
    /// Each header field: its name and the range of `header_lines` it spans (continuations).
    fields: Vec<(HeaderName, Range<usize>)>,
    body: Vec<u8>,
}

impl RawRequest {
    /// Parses request text: a request line, header lines, an empty line, then the body (lines end
    /// in `\n` or `\r\n`).
    pub fn parse(text: &[u8]) -> Result<Self, RawRequestError> {
        let (head, body) = split_head(text);
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let first = lines.next().unwrap_or_default();
        let first = std::str::from_utf8(first).map_err(|_| RawRequestError::NotUtf8)?;
        let bad_line = || RawRequestError::RequestLine(first.to_owned());
        let (method, rest) = first.split_once(' ').ok_or_else(bad_line)?;
        let (target, version) = rest.rsplit_once(' ').ok_or_else(bad_line)?;
        if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/") {
            return Err(bad_line());
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, Some(q.to_owned())),
            None => (target, None),
        };

        let mut headers = HeaderMap::new();
        let mut header_lines: Vec<Vec<u8>> = Vec::new();
        let mut fields: Vec<(HeaderName, Range<usize>)> = Vec::new();
        // (name, value bytes, line number) of the header being read, flushed when the next one
        // starts.
        let mut current: Option<(HeaderName, Vec<u8>, usize)> = None;
        for (i, line) in lines.enumerate() {
            let line_no = i + 2;
            if header_lines.len() >= MAX_RAW_HEADER_LINES {
                return Err(RawRequestError::TooManyHeaderLines(MAX_RAW_HEADER_LINES));
            }
            let bad_header = || RawRequestError::Header {
                line: line_no,
                text: String::from_utf8_lossy(line).into_owned(),
            };
            if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                let (_, value, _) = current.as_mut().ok_or_else(bad_header)?;
                value.push(b' ');
                value.extend_from_slice(line);
                header_lines.push(line.to_vec());
                if let Some((_, span)) = fields.last_mut() {
                    span.end = header_lines.len();
                }
                continue;
            }
            flush(&mut headers, current.take())?;
            let colon = line
                .iter()
                .position(|&b| b == b':')
                .ok_or_else(bad_header)?;
            let name = HeaderName::from_bytes(&line[..colon]).map_err(|_| bad_header())?;
            header_lines.push(line.to_vec());
            fields.push((name.clone(), header_lines.len() - 1..header_lines.len()));
            current = Some((name, line[colon + 1..].to_vec(), line_no));
        }
        flush(&mut headers, current.take())?;

        Ok(RawRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query,
            version: version.to_owned(),
            headers,
            header_lines,
            fields,
            body: body.to_vec(),
        })
    }

    /// A view of the request for signing or verifying.
    pub fn as_request(&self) -> RequestRef<'_> {
        RequestRef::new(
            &self.method,
            &self.path,
            self.query.as_deref().unwrap_or(""),
            &self.headers,
        )
    }

    /// The body, as a [`Payload`].
    pub fn payload(&self) -> Payload<'_> {
        Payload::Bytes(&self.body)
    }

    /// The request target's path, as written.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query string, if the target has a `?`.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The HTTP version token of the request line (`HTTP/1.1`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The header lines exactly as written, byte for byte (continuation lines included, line
    /// ends left out), for printing.
    pub fn header_lines(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.header_lines.iter().map(Vec::as_slice)
    }

    /// Each header field in order: its name, and its lines exactly as written (the first line,
    /// then any continuation lines), for printing a request with some headers left out.
    pub fn header_fields(&self) -> impl ExactSizeIterator<Item = (&HeaderName, &[Vec<u8>])> + '_ {
        self.fields.iter().map(|(name, span)| {
            (
                name,
                self.header_lines.get(span.clone()).unwrap_or_default(),
            )
        })
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

fn flush(
    headers: &mut HeaderMap,
    current: Option<(HeaderName, Vec<u8>, usize)>,
) -> Result<(), RawRequestError> {
    if let Some((name, value, line)) = current {
        let bad = || RawRequestError::Header {
            line,
            text: String::from_utf8_lossy(&value).into_owned(),
        };
        let value = HeaderValue::from_bytes(trim_ows(&value)).map_err(|_| bad())?;
        // `http::HeaderMap` grows to 1 << 15 slots, well above MAX_RAW_HEADER_LINES entries: the
        // line count refuses a request before this can fail.
        headers
            .try_append(name, value)
            .map_err(|_| RawRequestError::TooManyHeaderLines(MAX_RAW_HEADER_LINES))?;
    }
    Ok(())
}

/// A field value without the spaces and tabs around it (RFC 9110, section 5.5: they are not part
/// of the value).
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |e| e + 1);
    value.get(start..end).unwrap_or_default()
}

/// Splits at the first empty line: (head, body). No empty line means no body.
fn split_head(text: &[u8]) -> (&[u8], &[u8]) {
    let mut start = 0;
    while start < text.len() {
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |p| start + p);
        let line = &text[start..end];
        if (line.is_empty() || line == b"\r") && start > 0 {
            let head = &text[..start.saturating_sub(1)];
            let head = head.strip_suffix(b"\r").unwrap_or(head);
            return (head, text.get(end + 1..).unwrap_or_default());
        }
        start = end + 1;
    }
    let head = text.strip_suffix(b"\n").unwrap_or(text);
    (head.strip_suffix(b"\r").unwrap_or(head), &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_request_line_with_spaces_and_query() {
        let r =
            RawRequest::parse(b"GET /example space/?a=1 HTTP/1.1\nHost:example.amazonaws.com\n")
                .unwrap();
        assert_eq!(r.method(), "GET");
        assert_eq!(r.path(), "/example space/");
        assert_eq!(r.query(), Some("a=1"));
        assert_eq!(r.headers()["host"], "example.amazonaws.com");
        assert!(r.body().is_empty());
    }

    #[test]
    fn folded_header_lines_continue_the_previous_value() {
        let r = RawRequest::parse(b"GET / HTTP/1.1\nMy-Header1:value1\n  value2\n     value3\n")
            .unwrap();
        assert_eq!(r.headers()["my-header1"], "value1   value2      value3");
        assert_eq!(r.header_lines().len(), 3);
        let fields: Vec<_> = r.header_fields().collect();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].0, "my-header1");
        assert_eq!(fields[0].1.len(), 3);
    }

    #[test]
    fn spaces_around_a_value_are_not_part_of_it_but_lines_keep_them() {
        // RFC 9110, section 5.5: "a field value does not include leading or trailing whitespace".
        let r =
            RawRequest::parse(b"GET / HTTP/1.1\nX-Amz-Date: \t20150830T123600Z  \nA:\n").unwrap();
        assert_eq!(r.headers()["x-amz-date"], "20150830T123600Z");
        assert_eq!(r.headers()["a"], "");
        let lines: Vec<&[u8]> = r.header_lines().collect();
        assert_eq!(lines[0], b"X-Amz-Date: \t20150830T123600Z  ");
    }

    #[test]
    fn header_lines_keep_bytes_that_are_not_utf8() {
        let r = RawRequest::parse(b"GET / HTTP/1.1\nX-Bin: a\xffb\n").unwrap();
        assert_eq!(r.headers()["x-bin"].as_bytes(), b"a\xffb");
        assert_eq!(r.header_lines().next(), Some(&b"X-Bin: a\xffb"[..]));
        let (name, lines) = r.header_fields().next().unwrap();
        assert_eq!(
            (name.as_str(), lines[0].as_slice()),
            ("x-bin", &b"X-Bin: a\xffb"[..])
        );
    }

    #[test]
    fn body_follows_the_empty_line() {
        let r = RawRequest::parse(b"POST / HTTP/1.1\r\nContent-Length:13\r\n\r\nParam1=value1")
            .unwrap();
        assert_eq!(r.body(), b"Param1=value1");
        assert_eq!(r.headers()["content-length"], "13");
    }

    #[test]
    fn repeated_headers_are_all_kept() {
        let r = RawRequest::parse(b"GET / HTTP/1.1\nA:1\nA:2\n").unwrap();
        assert_eq!(r.headers().get_all("a").iter().count(), 2);
    }

    #[test]
    fn malformed_requests_are_typed_errors() {
        assert!(matches!(
            RawRequest::parse(b""),
            Err(RawRequestError::RequestLine(_))
        ));
        assert!(matches!(
            RawRequest::parse(b"GET /"),
            Err(RawRequestError::RequestLine(_))
        ));
        assert!(matches!(
            RawRequest::parse(b"GET / HTTP/1.1\nno colon\n"),
            Err(RawRequestError::Header { line: 2, .. })
        ));
        assert!(matches!(
            RawRequest::parse(b"GET / HTTP/1.1\n continuation first\n"),
            Err(RawRequestError::Header { line: 2, .. })
        ));
        assert!(matches!(
            RawRequest::parse(b"\xff / HTTP/1.1"),
            Err(RawRequestError::NotUtf8)
        ));
    }
}
