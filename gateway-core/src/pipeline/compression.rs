//! Payload compression: the API's `minimumCompressionSize`
//! (`x-amazon-apigateway-minimum-compression-size`, 0 to 10485760 bytes; absent = off),
//! compiled once into a [`Compression`], then per request: the compressed request body
//! decoded before validation and mapping, and the response compressed after mapping
//! (research validate-route-compress.md 4.1; developer guide, "Payload compression for REST
//! APIs in API Gateway").
//!
//! - Codings: `gzip`, `deflate` and `identity`, chosen from `Accept-Encoding` with q-values
//!   ([`negotiate`]). The highest-priority coding must be one API Gateway supports, else no
//!   compression ("br;q=1, gzip;q=0.8" is not compressed); no `Accept-Encoding` at all is not
//!   compressed either (developer guide).
//! - A response is compressed only when compression is enabled, the client's coding is
//!   supported, the integration sent no `Content-Encoding` (the body is then taken as already
//!   encoded and passed through), and the body after the response template has at least
//!   `minimumCompressionSize` bytes. Then `Content-Encoding`, `Vary: Accept-Encoding` and
//!   `Content-Length` are set. An empty body is never compressed (nothing to gain).
//! - A request with `Content-Encoding: gzip|deflate|identity` is decoded when compression is
//!   enabled; another coding, or a body that is not in its coding, is API Gateway's 415
//!   `Unsupported Media Type` (developer guide, payload compression; research 4.1). `deflate` is read zlib-wrapped (RFC 9110) or raw; it is written zlib-wrapped.
//!   Every compressed request is decoded, whatever its size (the guide's threshold sentence is
//!   ambiguous for requests, research 4.1).
//!
//! # Untrusted input
//! Decoding streams into a buffer that never grows past [`MAX_DECOMPRESSED_BYTES`] (API
//! Gateway's 10 MB payload limit applies to the decompressed size): a decompression bomb
//! stops there with a [`DecompressError::TooLarge`] and never holds more in memory. A broken
//! stream is an error, never a panic.
//!
//! flate2 runs on the zlib-rs backend (safe Rust, faster than miniz_oxide: the `payload`
//! bench); compressor states are kept in a small pool and reset between responses, since
//! building a fresh one costs more than compressing a small body.

use std::io::Read;
use std::sync::Mutex;

use bytes::Bytes;
use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};
use flate2::{Compress, FlushCompress, Status};
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, VARY};
use http::{HeaderMap, HeaderValue};

use super::request::MAX_PAYLOAD_BYTES;

/// Most bytes a compressed request decodes to: API Gateway's payload limit, 10 MB (developer
/// guide, quotas; the limit applies to the decompressed payload).
pub const MAX_DECOMPRESSED_BYTES: usize = MAX_PAYLOAD_BYTES;

/// Compressor states kept for reuse, per coding: enough for a few responses compressed at
/// once on a small host; beyond it a state is built and dropped (a zlib-rs level-6 state
/// holds about 270 KB).
pub const MAX_POOLED_COMPRESSORS: usize = 4;

/// The deflate level: zlib's default (6); API Gateway does not document its own.
const LEVEL: u32 = 6;

/// A gzip member header (RFC 1952): deflate, no flags, no time, no extra flags, OS unknown.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// A supported content coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `deflate` (zlib-wrapped, RFC 1950).
    Deflate,
}

impl Coding {
    /// The token: `gzip`, `deflate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }
}

/// Why a compressed request body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecompressError {
    /// A `Content-Encoding` API Gateway does not decode (415).
    #[error("unsupported Content-Encoding {0:?}")]
    Unsupported(String),
    /// The body is not in its declared coding (415).
    #[error("the body is not valid {coding}: {reason}")]
    Broken {
        /// The declared coding.
        coding: &'static str,
        /// What the decoder found.
        reason: String,
    },
    /// It decodes to more than [`MAX_DECOMPRESSED_BYTES`] (413, as a body over the limit).
    #[error("the body decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes")]
    TooLarge,
}

/// The API's compression setting, compiled: `Send + Sync`, shared by every request.
#[derive(Debug, Default)]
pub struct Compression {
    minimum: Option<usize>,
    gzip: Mutex<Vec<Compress>>,
    deflate: Mutex<Vec<Compress>>,
}

impl Compression {
    /// From `minimumCompressionSize` (`None`: compression off).
    pub fn new(minimum_compression_size: Option<u32>) -> Compression {
        Compression {
            minimum: minimum_compression_size.and_then(|n| usize::try_from(n).ok()),
            ..Compression::default()
        }
    }

    /// Whether compression is enabled.
    pub fn is_enabled(&self) -> bool {
        self.minimum.is_some()
    }

    /// Compresses `response` in place when the rules allow: compression enabled, a body of
    /// at least `minimumCompressionSize` bytes, no `Content-Encoding` set by the integration
    /// (in the response or, for a non-proxy HTTP integration, `integration_encoded`), and a
    /// coding the request's `Accept-Encoding` (in `request_headers`) puts first ([`negotiate`],
    /// read last: a response under the threshold costs a length check).
    pub fn compress_response(
        &self,
        request_headers: &HeaderMap,
        integration_encoded: bool,
        response: &mut http::Response<Bytes>,
    ) {
        let Some(minimum) = self.minimum else {
            return;
        };
        let body = response.body();
        if integration_encoded
            || body.is_empty()
            || body.len() < minimum
            || response.headers().contains_key(CONTENT_ENCODING)
        {
            return;
        }
        let Some(coding) = request_headers
            .get(ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .and_then(negotiate)
        else {
            return;
        };
        let compressed = self.compress(coding, body);
        let length = HeaderValue::from(compressed.len());
        *response.body_mut() = compressed;
        let headers = response.headers_mut();
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding.as_str()));
        headers.insert(CONTENT_LENGTH, length);
        add_vary(headers);
    }

    /// `body` in `coding`, with a pooled compressor state.
    pub fn compress(&self, coding: Coding, body: &[u8]) -> Bytes {
        let pool = match coding {
            Coding::Gzip => &self.gzip,
            Coding::Deflate => &self.deflate,
        };
        let taken = pool.lock().ok().and_then(|mut p| p.pop());
        let mut state = taken.unwrap_or_else(|| new_state(coding));
        let out = encode(coding, &mut state, body);
        state.reset();
        if let Ok(mut p) = pool.lock()
            && p.len() < MAX_POOLED_COMPRESSORS
        {
            p.push(state);
        }
        out
    }

    /// The request body decoded by its `Content-Encoding`, when compression is enabled and
    /// the body has one other than `identity` (`Ok(None)`: nothing to do). The caller drops
    /// the `Content-Encoding` header when a body comes back.
    pub fn decompress_request(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<Bytes>, DecompressError> {
        if self.minimum.is_none() {
            return Ok(None);
        }
        let Some(value) = headers.get(CONTENT_ENCODING) else {
            return Ok(None);
        };
        let text = value.to_str().map_err(|_| {
            DecompressError::Unsupported(String::from_utf8_lossy(value.as_bytes()).into_owned())
        })?;
        let mut codings = text
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"));
        let (Some(coding), None) = (codings.next(), codings.next()) else {
            // Only identity (or nothing), or several codings stacked.
            return if text.split(',').all(|c| {
                let c = c.trim();
                c.is_empty() || c.eq_ignore_ascii_case("identity")
            }) {
                Ok(None)
            } else {
                Err(DecompressError::Unsupported(text.to_owned()))
            };
        };
        if body.is_empty() {
            return Ok(Some(Bytes::new()));
        }
        let decoded =
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                read_bounded(MultiGzDecoder::new(body), "gzip")
            } else if coding.eq_ignore_ascii_case("deflate") {
                if is_zlib(body) {
                    read_bounded(ZlibDecoder::new(body), "deflate")
                } else {
                    read_bounded(DeflateDecoder::new(body), "deflate")
                }
            } else {
                return Err(DecompressError::Unsupported(coding.to_owned()));
            };
        decoded.map(Some)
    }
}

/// The coding for an `Accept-Encoding` value: among the entries of the highest q (> 0),
/// `gzip` (or `x-gzip`), then `deflate`, then `*` (gzip unless listed apart); `None` when
/// the top entries are `identity` or codings API Gateway lacks, or all have q=0. An entry
/// whose q is not a number from 0 to 1 is ignored.
pub fn negotiate(accept_encoding: &str) -> Option<Coding> {
    let mut best = 0.0f32;
    let mut top: [bool; 3] = [false; 3]; // gzip, deflate, *
    let mut listed: [bool; 2] = [false; 2]; // gzip, deflate (any q)
    for entry in accept_encoding.split(',') {
        let mut parts = entry.split(';');
        let name = parts.next().unwrap_or_default().trim();
        if name.is_empty() {
            continue;
        }
        let mut q = Some(1.0f32);
        for param in parts {
            if let Some((k, v)) = param.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = v
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q));
            }
        }
        let Some(q) = q else { continue };
        let slot = if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            listed[0] = true;
            Some(0)
        } else if name.eq_ignore_ascii_case("deflate") {
            listed[1] = true;
            Some(1)
        } else if name == "*" {
            Some(2)
        } else {
            None
        };
        if q > best {
            best = q;
            top = [false; 3];
        }
        if q == best
            && let Some(slot) = slot
        {
            top[slot] = true;
        }
    }
    if best <= 0.0 {
        return None;
    }
    if top[0] {
        Some(Coding::Gzip)
    } else if top[1] {
        Some(Coding::Deflate)
    } else if top[2] && !listed[0] {
        Some(Coding::Gzip)
    } else if top[2] && !listed[1] {
        Some(Coding::Deflate)
    } else {
        None
    }
}

fn add_vary(headers: &mut HeaderMap) {
    let already = headers.get_all(VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|t| t.trim() == "*" || t.trim().eq_ignore_ascii_case("accept-encoding"))
        })
    });
    if !already {
        headers.append(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
}

fn new_state(coding: Coding) -> Compress {
    // gzip is a raw deflate stream between our own header and trailer; deflate is zlib's.
    Compress::new(flate2::Compression::new(LEVEL), coding == Coding::Deflate)
}

/// Runs `state` over `body` to the end; `state` is fresh or reset.
fn encode(coding: Coding, state: &mut Compress, body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(body.len() / 4 + 64);
    if coding == Coding::Gzip {
        out.extend_from_slice(&GZIP_HEADER);
    }
    loop {
        let consumed = usize::try_from(state.total_in()).unwrap_or(usize::MAX);
        let rest = body.get(consumed..).unwrap_or_default();
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(4096));
        }
        match state.compress_vec(rest, &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => break,
            Ok(Status::Ok) => {}
            // No room to make progress: more room.
            Ok(Status::BufError) => out.reserve(out.capacity().max(4096)),
            // Compressing bytes in memory cannot fail; should the backend say otherwise, a
            // stored copy is still a valid stream of the coding.
            Err(_) => return stored(coding, body),
        }
    }
    if coding == Coding::Gzip {
        let mut crc = flate2::Crc::new();
        crc.update(body);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&crc.amount().to_le_bytes());
    }
    Bytes::from(out)
}

/// `body` compressed with a fresh state (the fallback, and the bench's "fresh" case).
pub fn compress_fresh(coding: Coding, body: &[u8]) -> Bytes {
    encode(coding, &mut new_state(coding), body)
}

fn stored(coding: Coding, body: &[u8]) -> Bytes {
    let mut state = Compress::new(flate2::Compression::none(), coding == Coding::Deflate);
    encode(coding, &mut state, body)
}

/// The first two bytes are a zlib header (RFC 1950: method 8, check bits).
fn is_zlib(body: &[u8]) -> bool {
    match body {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

/// Reads a decoder to its end into a buffer that never exceeds [`MAX_DECOMPRESSED_BYTES`].
fn read_bounded(mut decoder: impl Read, coding: &'static str) -> Result<Bytes, DecompressError> {
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match decoder.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(DecompressError::Broken {
                    coding,
                    reason: e.to_string(),
                });
            }
        };
        let needed = out.len() + n;
        if needed > MAX_DECOMPRESSED_BYTES {
            return Err(DecompressError::TooLarge);
        }
        if needed > out.capacity() {
            // Double, but never past the limit: the buffer holds at most the limit.
            let target = (out.capacity() * 2)
                .max(needed)
                .clamp(64 * 1024, MAX_DECOMPRESSED_BYTES);
            out.reserve_exact(target - out.len());
        }
        out.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn accept_encoding_with_q_values() {
        // Developer guide (enable-compression): the supported forms and the top-q rule.
        assert_eq!(negotiate("deflate,gzip"), Some(Coding::Gzip));
        assert_eq!(negotiate("deflate;q=0.5,gzip;q=1.0"), Some(Coding::Gzip));
        assert_eq!(negotiate("gzip;q=0.2,deflate;q=0.9"), Some(Coding::Deflate));
        assert_eq!(
            negotiate("gzip;q=1.0,identity;q=0.5,*;q=0"),
            Some(Coding::Gzip)
        );
        assert_eq!(negotiate("*"), Some(Coding::Gzip));
        assert_eq!(negotiate("gzip;q=0,*"), Some(Coding::Deflate));
        assert_eq!(negotiate(""), None);
        assert_eq!(negotiate("br;q=1, gzip;q=0.8"), None);
        assert_eq!(negotiate("identity"), None);
        assert_eq!(negotiate("gzip;q=0"), None);
        assert_eq!(negotiate("gzip;q=2"), None);
        assert_eq!(negotiate("GZIP, br"), Some(Coding::Gzip));
    }

    #[test]
    fn pooled_and_fresh_states_give_valid_streams() {
        let c = Compression::new(Some(0));
        let body = br#"{"pets":[{"id":1,"type":"dog"}]}"#.repeat(50);
        for _ in 0..3 {
            let gz = c.compress(Coding::Gzip, &body);
            assert_eq!(gunzip(&gz), body);
            let zl = c.compress(Coding::Deflate, &body);
            let mut out = Vec::new();
            ZlibDecoder::new(&zl[..]).read_to_end(&mut out).unwrap();
            assert_eq!(out, body);
        }
        assert_eq!(
            compress_fresh(Coding::Gzip, &body),
            c.compress(Coding::Gzip, &body)
        );
    }

    #[test]
    fn the_response_rules() {
        let response = |body: &'static [u8]| http::Response::new(Bytes::from_static(body));
        let mut gzip = HeaderMap::new();
        gzip.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let c = Compression::new(Some(10));
        let mut small = response(b"123456789");
        c.compress_response(&gzip, false, &mut small);
        assert!(!small.headers().contains_key(CONTENT_ENCODING));
        let mut big = response(b"1234567890");
        c.compress_response(&gzip, false, &mut big);
        assert_eq!(big.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(big.headers()[VARY], "Accept-Encoding");
        assert_eq!(
            big.headers()[CONTENT_LENGTH],
            big.body().len().to_string().as_str()
        );
        assert_eq!(gunzip(big.body()), b"1234567890");
        let mut unasked = response(b"1234567890");
        c.compress_response(&HeaderMap::new(), false, &mut unasked);
        assert_eq!(unasked.body(), "1234567890");
        let mut encoded = response(b"already compressed");
        encoded
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("br"));
        c.compress_response(&gzip, false, &mut encoded);
        assert_eq!(encoded.body(), "already compressed");
        let mut mapped = response(b"backend said gzip");
        c.compress_response(&gzip, true, &mut mapped);
        assert_eq!(mapped.body(), "backend said gzip");
        let mut off = response(b"1234567890");
        Compression::new(None).compress_response(&gzip, false, &mut off);
        assert_eq!(off.body(), "1234567890");
    }

    fn encoded(coding: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
        h
    }

    #[test]
    fn requests_decode_gzip_and_both_deflates() {
        let c = Compression::new(Some(1000));
        let body = b"{\"name\":\"rex\"}";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            c.decompress_request(&encoded("gzip"), &gz)
                .unwrap()
                .unwrap(),
            &body[..]
        );
        let zl = compress_fresh(Coding::Deflate, body);
        assert_eq!(
            c.decompress_request(&encoded("deflate"), &zl)
                .unwrap()
                .unwrap(),
            &body[..]
        );
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        raw.write_all(body).unwrap();
        let raw = raw.finish().unwrap();
        assert_eq!(
            c.decompress_request(&encoded("deflate"), &raw)
                .unwrap()
                .unwrap(),
            &body[..]
        );
        assert_eq!(
            c.decompress_request(&encoded("identity"), body).unwrap(),
            None
        );
        assert_eq!(c.decompress_request(&HeaderMap::new(), body).unwrap(), None);
        // Off: nothing decoded.
        assert_eq!(
            Compression::new(None)
                .decompress_request(&encoded("gzip"), &gz)
                .unwrap(),
            None
        );
    }

    #[test]
    fn bad_codings_and_broken_streams_are_errors() {
        let c = Compression::new(Some(0));
        assert!(matches!(
            c.decompress_request(&encoded("br"), b"x"),
            Err(DecompressError::Unsupported(_))
        ));
        assert!(matches!(
            c.decompress_request(&encoded("gzip, deflate"), b"x"),
            Err(DecompressError::Unsupported(_))
        ));
        assert!(matches!(
            c.decompress_request(&encoded("gzip"), b"not gzip at all"),
            Err(DecompressError::Broken { .. })
        ));
        let gz = compress_fresh(Coding::Gzip, &[b'a'; 1000]);
        assert!(matches!(
            c.decompress_request(&encoded("gzip"), &gz[..gz.len() - 9]),
            Err(DecompressError::Broken { .. })
        ));
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        // 11 MiB of zeros compress to about 11 KB.
        let bomb = compress_fresh(
            Coding::Gzip,
            &vec![0u8; MAX_DECOMPRESSED_BYTES + 1024 * 1024],
        );
        assert!(bomb.len() < 64 * 1024);
        let c = Compression::new(Some(0));
        assert_eq!(
            c.decompress_request(&encoded("gzip"), &bomb),
            Err(DecompressError::TooLarge)
        );
        let exact = compress_fresh(Coding::Gzip, &vec![0u8; MAX_DECOMPRESSED_BYTES]);
        let out = c
            .decompress_request(&encoded("gzip"), &exact)
            .unwrap()
            .unwrap();
        assert_eq!(out.len(), MAX_DECOMPRESSED_BYTES);
    }

    proptest::proptest! {
        #[test]
        fn any_body_in_any_coding_decodes_or_is_a_typed_error(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            coding in "(gzip|deflate|br|identity|x-gzip|)",
            zlib_head in proptest::prelude::any::<bool>(),
        ) {
            let c = Compression::new(Some(0));
            let mut h = HeaderMap::new();
            h.insert(CONTENT_ENCODING, HeaderValue::from_str(&coding).unwrap());
            // Some bodies start like a real stream, so the decoders get past the header.
            let mut input = if zlib_head { vec![0x78, 0x9c] } else { vec![0x1f, 0x8b, 8, 0] };
            input.extend_from_slice(&body);
            if let Ok(Some(out)) = c.decompress_request(&h, &input) {
                proptest::prop_assert!(out.len() <= MAX_DECOMPRESSED_BYTES);
            }
        }

        #[test]
        fn negotiation_never_panics(value in ".{0,64}") {
            let _ = negotiate(&value);
        }
    }
}
