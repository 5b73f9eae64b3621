//! The parts of an HTTP request SigV4 reads, borrowed from whatever type the host holds.

use http::HeaderMap;

/// A borrowed view of a request: method, path and query exactly as they arrived on the wire, and
/// the headers. Build it from `http` types with [`RequestRef::from_parts`] or
/// [`RequestRef::from_request`], or from raw pieces with [`RequestRef::new`].
///
/// The `Host` header must be in `headers` (HTTP/1.1 servers put it there; for HTTP/2 the host
/// copies `:authority` into it).
#[derive(Debug, Clone, Copy)]
pub struct RequestRef<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a HeaderMap,
}

impl<'a> RequestRef<'a> {
    /// A view of raw pieces. `path` is the request target before `?` (still percent-encoded as
    /// sent), `query` what follows `?` (empty when there is none).
    pub fn new(method: &'a str, path: &'a str, query: &'a str, headers: &'a HeaderMap) -> Self {
        RequestRef {
            method,
            path,
            query,
            headers,
        }
    }

    /// A view of `http` request parts.
    pub fn from_parts(parts: &'a http::request::Parts) -> Self {
        Self::new(
            parts.method.as_str(),
            parts.uri.path(),
            parts.uri.query().unwrap_or(""),
            &parts.headers,
        )
    }

    /// A view of an `http` request (the body is passed separately, as a [`Payload`]).
    pub fn from_request<B>(request: &'a http::Request<B>) -> Self {
        Self::new(
            request.method().as_str(),
            request.uri().path(),
            request.uri().query().unwrap_or(""),
            request.headers(),
        )
    }

    /// The request method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The path as sent.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The query string as sent, empty when there is none.
    pub fn query(&self) -> &'a str {
        self.query
    }

    /// The headers.
    pub fn headers(&self) -> &'a HeaderMap {
        self.headers
    }
}

/// The request body as the signature covers it: the bytes, or their SHA-256 when the host has
/// already hashed (or streamed) the body.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// The body bytes (empty for no body).
    Bytes(&'a [u8]),
    /// The lower-case hex SHA-256 of the body.
    Sha256Hex(&'a str),
}

/// SHA-256 of the empty body, the payload hash of every GET.
pub(crate) const EMPTY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

impl Payload<'_> {
    /// The lower-case hex SHA-256 of the body.
    pub(crate) fn sha256_hex(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Payload::Bytes([]) => EMPTY_SHA256.into(),
            Payload::Bytes(b) => super::canonical::sha256_hex(b).into(),
            Payload::Sha256Hex(h) => (*h).into(),
        }
    }
}
