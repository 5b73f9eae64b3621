#![no_main]
//! Payload fuzzing: the first byte picks a `Content-Encoding` and a `contentHandling`, the rest
//! is the body. Decoding must end within the payload limit or in a typed error; both
//! `contentHandling` tables must convert or give a typed error; `Accept-Encoding` negotiation
//! and media-type matching read the body as header text. Asserts "no panic" and the limit.

use bytes::Bytes;
use gateway_core::model::ContentHandling;
use gateway_core::pipeline::binary::{BinaryMediaTypes, convert_request, convert_response};
use gateway_core::pipeline::compression::{Compression, MAX_DECOMPRESSED_BYTES, negotiate};
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

const CODINGS: [&str; 4] = ["gzip", "deflate", "identity", "br"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let compression = Compression::new(Some(0));
    let mut headers = HeaderMap::new();
    let coding = CODINGS[usize::from(selector & 3)];
    headers.insert("content-encoding", HeaderValue::from_static(coding));
    if let Ok(Some(decoded)) = compression.decompress_request(&headers, body) {
        assert!(decoded.len() <= MAX_DECOMPRESSED_BYTES);
    }
    let handling = match (selector >> 2) % 3 {
        0 => None,
        1 => Some(ContentHandling::ConvertToBinary),
        _ => Some(ContentHandling::ConvertToText),
    };
    let binary = selector & 0x20 != 0;
    let _ = convert_request(Bytes::copy_from_slice(body), binary, handling);
    let _ = convert_response(
        Bytes::copy_from_slice(body),
        binary,
        selector & 0x40 != 0,
        handling,
    );
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = negotiate(text);
        let types = BinaryMediaTypes::compile(&text.split(',').collect::<Vec<_>>());
        let _ = types.matches(text);
    }
});
