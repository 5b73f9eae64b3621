//! The payload stages' costs: gzip of a 100 KB JSON response on flate2's zlib-rs backend (what
//! the gateway uses) against miniz_oxide (flate2's default backend), each with a fresh
//! compressor state and with one reused; and what the binary and compression stages cost a
//! request when they have nothing to do.
//!
//! - `gzip_100kb/*` (and `gzip_1kb/*`, where a fresh state's setup shows): `zlib_rs_fresh` is
//!   [`compress_fresh`] (a new flate2 state per response), `zlib_rs_reused` is
//!   [`Compression::compress`] (the gateway's pooled, reset state), `miniz_fresh` and
//!   `miniz_reused` do the same gzip (deflate level 6, header and CRC trailer) with
//!   miniz_oxide's compressor. Anchor: research validate-route-compress.md 4.3 measured gzip
//!   level 6 on 100 KiB of JSON at 131 MB/s (miniz_oxide) and 277 MB/s (zlib-rs), fresh
//!   states, i.e. about 760 µs and 360 µs.
//! - `idle/*`: one request's work in each stage when there is nothing to do, goal under 100 ns
//!   each: `binary_request` (an API without `binaryMediaTypes`, no `contentHandling`: the
//!   Content-Type check and the request table on a 200-byte JSON body), `binary_response`
//!   (the same for the response table), `compression_off` (request decoding and response
//!   compression with compression disabled) and `compression_on_plain` (enabled at 1 KiB, a
//!   request without `Content-Encoding` but with `Accept-Encoding: gzip, deflate, br`, a
//!   200-byte response).
//!
//! Run briefly with
//! `cargo bench -p gateway-core --bench payload -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gateway_core::pipeline::binary::{BinaryMediaTypes, convert_request, convert_response};
use gateway_core::pipeline::compression::{Coding, Compression, compress_fresh};
use http::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};
use miniz_oxide::deflate::core::{
    CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
};

/// A JSON body of about `size` bytes: an array of pet records with varied fields, like an API
/// list response.
fn json_body(size: usize) -> Vec<u8> {
    let kinds = ["dog", "cat", "fish", "bird", "lizard"];
    let mut out = String::from("{\"pets\":[");
    let mut i = 0u64;
    while out.len() < size.saturating_sub(120) {
        if i > 0 {
            out.push(',');
        }
        let price = (i * 7919) % 10_000;
        out.push_str(&format!(
            "{{\"id\":{i},\"type\":\"{}\",\"name\":\"pet-{:x}\",\"price\":{}.{:02},\"tags\":[\"t{}\",\"t{}\"],\"available\":{}}}",
            kinds[(i % 5) as usize],
            i.wrapping_mul(2_654_435_761) % 1_000_000,
            price / 100,
            price % 100,
            i % 13,
            i % 7,
            i.is_multiple_of(3)
        ));
        i += 1;
    }
    out.push_str("]}");
    out.into_bytes()
}

const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// gzip through miniz_oxide: header, deflate level 6 with `state` (fresh or reset), trailer.
fn miniz_gzip(state: &mut CompressorOxide, body: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; body.len() / 4 + 64];
    out[..10].copy_from_slice(&GZIP_HEADER);
    let mut written = 10;
    let mut input = body;
    loop {
        let (status, read, wrote) = compress(state, input, &mut out[written..], TDEFLFlush::Finish);
        written += wrote;
        input = &input[read..];
        match status {
            TDEFLStatus::Done => break,
            TDEFLStatus::Okay => {
                if out.len() - written < 64 {
                    out.resize(out.len() * 2, 0);
                }
            }
            other => panic!("miniz_oxide: {other:?}"),
        }
    }
    out.truncate(written);
    let mut crc = flate2::Crc::new();
    crc.update(body);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out
}

fn miniz_flags() -> u32 {
    create_comp_flags_from_zip_params(6, 0, 0)
}

fn gzip_group(c: &mut Criterion, name: &str, body: &[u8]) {
    let pooled = Compression::new(Some(0));
    // Same stream both ways: the bench compares equal work.
    let ours = pooled.compress(Coding::Gzip, body);
    let mut reused = CompressorOxide::new(miniz_flags());
    let theirs = miniz_gzip(&mut reused, body);
    reused.reset();
    println!(
        "{name}: {} bytes of JSON -> zlib-rs {} bytes, miniz_oxide {} bytes",
        body.len(),
        ours.len(),
        theirs.len()
    );
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("zlib_rs_fresh", |b| {
        b.iter(|| compress_fresh(Coding::Gzip, black_box(body)))
    });
    group.bench_function("zlib_rs_reused", |b| {
        b.iter(|| pooled.compress(Coding::Gzip, black_box(body)))
    });
    group.bench_function("miniz_fresh", |b| {
        b.iter(|| miniz_gzip(&mut CompressorOxide::new(miniz_flags()), black_box(body)))
    });
    group.bench_function("miniz_reused", |b| {
        b.iter(|| {
            let out = miniz_gzip(&mut reused, black_box(body));
            reused.reset();
            out
        })
    });
    group.finish();
}

fn gzip(c: &mut Criterion) {
    gzip_group(c, "gzip_100kb", &json_body(100 * 1024));
    gzip_group(c, "gzip_1kb", &json_body(1024));
}

fn idle(c: &mut Criterion) {
    let body = Bytes::from(json_body(200));
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(
        ACCEPT_ENCODING,
        HeaderValue::from_static("gzip, deflate, br"),
    );
    let none = BinaryMediaTypes::compile::<&str>(&[]);
    let off = Compression::new(None);
    let on = Compression::new(Some(1024));
    let small = http::Response::new(body.clone());
    let mut group = c.benchmark_group("idle");
    group.bench_function("binary_request", |b| {
        b.iter(|| {
            let binary = none.is_binary(black_box(&headers));
            convert_request(black_box(&body).clone(), binary, None)
        })
    });
    group.bench_function("binary_response", |b| {
        b.iter(|| {
            let h = black_box(&headers);
            convert_response(
                black_box(&body).clone(),
                none.is_binary(h),
                none.accepts_binary(h),
                None,
            )
        })
    });
    for (name, compression) in [("compression_off", &off), ("compression_on_plain", &on)] {
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || small.clone(),
                |response| {
                    let h = black_box(&headers);
                    let decoded = compression.decompress_request(h, black_box(&body));
                    compression.compress_response(h, false, response);
                    decoded
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, gzip, idle);
criterion_main!(benches);
