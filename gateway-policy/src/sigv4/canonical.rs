//! The canonical request and string to sign, exactly as AWS builds them for non-S3 services.
//!
//! - Path: normalised (RFC 3986 dot segments removed, empty segments dropped) unless turned off,
//!   then every byte outside `A-Z a-z 0-9 - . _ ~ /` percent-encoded. The path is taken as it
//!   arrived on the wire, so an already-encoded `%20` becomes `%2520` (AWS encodes twice for all
//!   services but S3).
//! - Query: each `name=value` pair percent-decoded then re-encoded (so a literal `+` becomes
//!   `%2B`, never a space), sorted by encoded name then value.
//! - Headers: the signed names in the order given, each value trimmed with inner runs of spaces
//!   folded to one, repeated headers joined with `,`.

use std::borrow::Cow;

use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};
use sha2::{Digest, Sha256};

/// The only algorithm SigV4 (not SigV4a) signs with.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The scope terminator.
pub(crate) const TERMINATOR: &str = "aws4_request";
/// The `x-amz-content-sha256` value that leaves the body out of the signature.
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The query parameter that carries a presigned request's signature (never itself signed).
pub(crate) const QUERY_SIGNATURE: &str = "X-Amz-Signature";
/// The query parameter that carries a presigned request's session token.
pub(crate) const QUERY_SECURITY_TOKEN: &str = "X-Amz-Security-Token";

/// Characters SigV4 never encodes (RFC 3986 unreserved).
pub(crate) const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Path encoding keeps the separators.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// The longest canonical request the verifier builds: 1 MiB. API Gateway caps a request line and
/// headers at 10 KiB together, so only a `SignedHeaders` list naming one large header again and
/// again could reach this; the bound keeps such a list from costing unbounded memory.
pub const MAX_CANONICAL_REQUEST_BYTES: usize = 1 << 20;

/// Which query parameters the canonical query leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryExclusions {
    /// Header form: every parameter is signed.
    None,
    /// Presigned form: everything but `X-Amz-Signature`.
    Signature,
    /// Presigned form where the session token was appended after signing.
    SignatureAndToken,
}

/// Everything the canonical request is built from.
pub(crate) struct CanonicalInput<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    /// The `SignedHeaders` list, `;`-separated, exactly as the client sent it.
    pub signed_headers: &'a str,
    pub payload_hash: &'a str,
    pub normalize_path: bool,
    pub exclusions: QueryExclusions,
    /// Stop once the canonical request grows past this many bytes.
    pub max_len: usize,
}

/// Appends the canonical request to `out`; `false` (with `out` cut short) when it would exceed
/// `input.max_len`.
#[must_use]
pub(crate) fn write_canonical_request(input: &CanonicalInput<'_>, out: &mut Vec<u8>) -> bool {
    out.extend_from_slice(input.method.as_bytes());
    out.push(b'\n');
    write_canonical_path(input.path, input.normalize_path, out);
    out.push(b'\n');
    write_canonical_query(input.query, input.exclusions, out);
    out.push(b'\n');
    for name in input.signed_headers.split(';') {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let mut first = true;
        for value in input.headers.get_all(name) {
            if !first {
                out.push(b',');
            }
            first = false;
            write_folded(value.as_bytes(), out);
            if out.len() > input.max_len {
                return false;
            }
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(input.signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(input.payload_hash.as_bytes());
    out.len() <= input.max_len
}

/// Appends the string to sign for a canonical request.
pub(crate) fn write_string_to_sign(
    amz_date: &str,
    scope: &str,
    canonical: &[u8],
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(ALGORITHM.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(amz_date.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(scope.as_bytes());
    out.push(b'\n');
    write_hex(&Sha256::digest(canonical), out);
}

/// The lower-case hex SHA-256 of a canonical request, on the stack.
pub(crate) fn hash_hex(canonical: &[u8]) -> [u8; 64] {
    hex64(&Sha256::digest(canonical).into())
}

/// Lower-case hex of a 32-byte digest, on the stack.
pub(crate) fn hex64(digest: &[u8; 32]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    out
}

/// Feeds the string to sign to `mac` piece by piece (the same bytes
/// [`write_string_to_sign`] writes), so the hot path builds no buffer for it.
pub(crate) fn feed_string_to_sign(
    mac: &mut impl hmac::Mac,
    amz_date: &str,
    scope: &str,
    canonical_hash_hex: &[u8; 64],
) {
    mac.update(ALGORITHM.as_bytes());
    mac.update(b"\n");
    mac.update(amz_date.as_bytes());
    mac.update(b"\n");
    mac.update(scope.as_bytes());
    mac.update(b"\n");
    mac.update(canonical_hash_hex);
}

/// Lower-case hex of `bytes`, appended to `out`.
pub(crate) fn write_hex(bytes: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0xf)]);
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(64);
    write_hex(&Sha256::digest(bytes), &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Trims spaces and tabs at both ends and folds inner runs of them to one space.
fn write_folded(value: &[u8], out: &mut Vec<u8>) {
    let is_ws = |b: &u8| *b == b' ' || *b == b'\t';
    let mut pending_space = false;
    let mut started = false;
    for b in value {
        if is_ws(b) {
            pending_space = started;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(*b);
            started = true;
        }
    }
}

/// Whether the path needs no normalisation (the common case, checked without allocating).
fn is_normal(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("//")
        && path.split('/').all(|seg| seg != "." && seg != "..")
}

/// Appends the canonical URI of a wire path.
pub(crate) fn write_canonical_path(path: &str, normalize: bool, out: &mut Vec<u8>) {
    if path.is_empty() {
        out.push(b'/');
        return;
    }
    if !normalize || is_normal(path) {
        encode_into(path.as_bytes(), PATH, out);
        return;
    }
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    out.push(b'/');
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        encode_into(seg.as_bytes(), PATH, out);
    }
    if trailing && !segments.is_empty() {
        out.push(b'/');
    }
}

fn encode_into(bytes: &[u8], set: &'static AsciiSet, out: &mut Vec<u8>) {
    for chunk in percent_encode(bytes, set) {
        out.extend_from_slice(chunk.as_bytes());
    }
}

/// Splits a raw query string into percent-decoded `(name, value)` pairs, in order. A pair without
/// `=` has an empty value; empty pieces (`a=1&&b=2`) are skipped.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = QueryPair<'_>> {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (
            Cow::from(percent_decode_str(name)),
            Cow::from(percent_decode_str(value)),
        )
    })
}

/// Appends the canonical query string.
/// A query parameter's (name, value), decoded or canonical.
type QueryPair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

fn write_canonical_query(query: &str, exclusions: QueryExclusions, out: &mut Vec<u8>) {
    if query.is_empty() {
        return;
    }
    let mut pairs: Vec<QueryPair<'_>> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = canonical_component(name);
        let skip = match exclusions {
            QueryExclusions::None => false,
            QueryExclusions::Signature => &*name == QUERY_SIGNATURE.as_bytes(),
            QueryExclusions::SignatureAndToken => {
                &*name == QUERY_SIGNATURE.as_bytes() || &*name == QUERY_SECURITY_TOKEN.as_bytes()
            }
        };
        if skip {
            continue;
        }
        pairs.push((name, canonical_component(value)));
    }
    // Clients usually send the query sorted already; checking is one comparison per pair.
    if !pairs.is_sorted() {
        pairs.sort_unstable();
    }
    for (i, (n, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(n);
        out.push(b'=');
        out.extend_from_slice(v);
    }
}

/// A query name or value as it goes in the canonical query: percent-decoded, then every byte
/// outside the unreserved set encoded. A component made only of unreserved characters is already
/// canonical and is borrowed as is (the common case, so no allocation).
fn canonical_component(raw: &str) -> Cow<'_, [u8]> {
    let unreserved = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if raw.as_bytes().iter().all(unreserved) {
        return Cow::Borrowed(raw.as_bytes());
    }
    let decoded: Cow<'_, [u8]> = percent_decode_str(raw).into();
    let mut encoded = Vec::with_capacity(decoded.len() + 8);
    encode_into(&decoded, UNRESERVED, &mut encoded);
    Cow::Owned(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, normalize: bool) -> String {
        let mut out = Vec::new();
        write_canonical_path(p, normalize, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn query(q: &str) -> String {
        let mut out = Vec::new();
        write_canonical_query(q, QueryExclusions::None, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn folded(v: &str) -> String {
        let mut out = Vec::new();
        write_folded(v.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    // Expected values from the AWS SigV4 test suite (aws-c-auth tests/aws-signing-test-suite/v4,
    // `get-slashes-*`, `get-relative-*`, `get-space-*`, `get-utf8`), copied under
    // ../shared/corpora/sigv4.
    #[test]
    fn path_normalisation_removes_dot_and_empty_segments() {
        assert_eq!(path("//example//", true), "/example/");
        assert_eq!(path("/example1/example2/../..", true), "/");
        assert_eq!(path("/./example", true), "/example");
        assert_eq!(path("/./", true), "/");
        assert_eq!(path("//", true), "/");
        assert_eq!(path("/a/b/..", true), "/a/");
        assert_eq!(path("", true), "/");
    }

    #[test]
    fn unnormalised_path_is_kept_verbatim_but_encoded() {
        assert_eq!(path("//example//", false), "//example//");
        assert_eq!(path("/example/..", false), "/example/..");
        assert_eq!(path("/example space/", false), "/example%20space/");
    }

    #[test]
    fn path_is_encoded_once_more_so_wire_escapes_are_double_encoded() {
        assert_eq!(path("/\u{1234}", true), "/%E1%88%B4");
        assert_eq!(path("/a%20b", true), "/a%2520b");
        assert_eq!(path("/-._~AZaz09", true), "/-._~AZaz09");
    }

    #[test]
    fn query_is_decoded_reencoded_and_sorted() {
        assert_eq!(
            query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1"),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(query("flag&x="), "flag=&x=");
        assert_eq!(query("a=1&&b=2"), "a=1&b=2");
    }

    #[test]
    fn literal_plus_in_query_stays_plus_encoded_as_2b() {
        assert_eq!(query("q=a+b"), "q=a%2Bb");
        assert_eq!(query("q=a%2Bb"), "q=a%2Bb");
        assert_eq!(query("q=a%20b"), "q=a%20b");
    }

    #[test]
    fn invalid_utf8_escapes_in_query_survive_byte_for_byte() {
        assert_eq!(query("k=%FF%fe"), "k=%FF%FE");
    }

    #[test]
    fn header_values_are_trimmed_and_inner_spaces_folded() {
        assert_eq!(folded("  value1 "), "value1");
        assert_eq!(folded("\"a   b   c\""), "\"a b c\"");
        assert_eq!(folded("value1   value2 \t value3"), "value1 value2 value3");
        assert_eq!(folded("   "), "");
    }

    #[test]
    fn repeated_headers_are_joined_with_commas_in_arrival_order() {
        let mut headers = HeaderMap::new();
        headers.append("my-header1", "value2".parse().unwrap());
        headers.append("my-header1", "value2".parse().unwrap());
        headers.append("my-header1", "value1".parse().unwrap());
        let mut out = Vec::new();
        let complete = write_canonical_request(
            &CanonicalInput {
                method: "GET",
                path: "/",
                query: "",
                headers: &headers,
                signed_headers: "my-header1",
                payload_hash: "h",
                normalize_path: true,
                exclusions: QueryExclusions::None,
                max_len: usize::MAX,
            },
            &mut out,
        );
        assert!(complete);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "GET\n/\n\nmy-header1:value2,value2,value1\n\nmy-header1\nh"
        );
    }

    #[test]
    fn canonical_request_stops_at_its_size_bound() {
        let mut headers = HeaderMap::new();
        headers.insert("big", "x".repeat(1000).parse().unwrap());
        let input = |max_len| CanonicalInput {
            method: "GET",
            path: "/",
            query: "",
            headers: &headers,
            signed_headers: "big;big;big;big",
            payload_hash: "h",
            normalize_path: true,
            exclusions: QueryExclusions::None,
            max_len,
        };
        let mut out = Vec::new();
        assert!(!write_canonical_request(&input(2500), &mut out));
        assert!(out.len() <= 2500 + 1000);
        out.clear();
        assert!(write_canonical_request(&input(10_000), &mut out));
    }
}
