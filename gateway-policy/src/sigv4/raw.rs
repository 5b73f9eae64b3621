//! Raw HTTP/1.1 request text, as the AWS SigV4 test suite and the CLI's request files hold it.
//!
//! Lenient where the test suite is: the request target may hold spaces and UTF-8 (`GET /example
//! space/ HTTP/1.1`), header lines may omit the space after the colon, and a line starting with
//! whitespace continues the previous header (obsolete line folding).

use http::{HeaderMap, HeaderName, HeaderValue};

use super::error::RawRequestError;
use super::request::{Payload, RequestRef};

/// The most header lines a raw request may have: far above any real request (servers cap headers
/// at a few dozen KiB), low enough that a hostile file cannot make the parser build a huge map.
pub const MAX_RAW_HEADER_LINES: usize = 10_000;

/// A request read from raw HTTP/1.1 text.
#[derive(Debug, Clone)]
pub struct RawRequest {
    method: String,
    path: String,
    query: Option<String>,
    version: String,
    headers: HeaderMap,
    header_lines: Vec<String>,
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
        let mut header_lines = Vec::new();
        // (name, value bytes) of the header being read, flushed when the next one starts.
        let mut current: Option<(HeaderName, Vec<u8>, usize)> = None;
        for (i, line) in lines.enumerate() {
            let line_no = i + 2;
            if header_lines.len() >= MAX_RAW_HEADER_LINES {
                return Err(RawRequestError::TooManyHeaders(MAX_RAW_HEADER_LINES));
            }
            let bad_header = || RawRequestError::Header {
                line: line_no,
                text: String::from_utf8_lossy(line).into_owned(),
            };
            header_lines.push(String::from_utf8_lossy(line).into_owned());
            if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                let (_, value, _) = current.as_mut().ok_or_else(bad_header)?;
                value.push(b' ');
                value.extend_from_slice(line);
                continue;
            }
            flush(&mut headers, current.take())?;
            let colon = line
                .iter()
                .position(|&b| b == b':')
                .ok_or_else(bad_header)?;
            let name = HeaderName::from_bytes(&line[..colon]).map_err(|_| bad_header())?;
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

    /// The header lines exactly as written (continuation lines included), for printing.
    pub fn header_lines(&self) -> &[String] {
        &self.header_lines
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
        let value = HeaderValue::from_bytes(&value).map_err(|_| RawRequestError::Header {
            line,
            text: String::from_utf8_lossy(&value).into_owned(),
        })?;
        headers.append(name, value);
    }
    Ok(())
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
