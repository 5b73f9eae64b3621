#![no_main]
//! Fuzz target: arbitrary text compiled as a mapping template under API Gateway's default
//! options and, when it compiles, rendered against a small API Gateway scope: `$input` over a
//! JSON body with path, query-string and header parameters, `$util`, `$context` (with
//! `identity` and `authorizer` objects and the writable override maps) and `$stageVariables`.
//! The override maps are read back afterwards, as the pipeline would. Nothing is asserted
//! beyond "no panic, no hang" (the engine's limits bound time and memory).
//!
//! Repetition: the input is split at U+0001 bytes and every second piece is repeated: its
//! first character `c` gives the count (`c`'s code point modulo 256, times 100) and the rest
//! is the unit. So a short input stands for a template far longer than libFuzzer's input
//! length limit: `#set($x = 1\x01d+1\x01)` is a 10,001-term chain, `\x01d(\x01`..
//! a deep nesting. Seeds using it are in `fuzz/seeds/template/`:
//! `cargo fuzz run template fuzz/seeds/template`.
use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, OwnedRequest};
use gateway_mapping::{EngineOptions, Template};
use libfuzzer_sys::fuzz_target;

/// Largest expanded template tried: past the engine's template limit, so that limit is
/// exercised too, while memory stays small.
const MAX_EXPANDED: usize = 600 * 1024;

/// The template `source` stands for (see the module doc on repetition).
fn expand(source: &str) -> String {
    let mut out = String::new();
    for (i, piece) in source.split('\u{1}').enumerate() {
        if i % 2 == 0 {
            out.push_str(piece);
            continue;
        }
        let mut chars = piece.chars();
        let count = chars.next().map_or(0, |c| (c as usize % 256) * 100);
        let unit = chars.as_str();
        for _ in 0..count {
            if out.len() + unit.len() > MAX_EXPANDED {
                break;
            }
            out.push_str(unit);
        }
    }
    out
}

/// API Gateway's options with a smaller step budget and output limit: a render that runs to
/// the default budget (ten million steps) takes a good fraction of a second, and the fuzzer
/// finds such loops at once, which would leave it a few runs a second. The full-size limits
/// are exercised by `gateway-mapping/tests/hostile_input.rs`; here every limit is still hit,
/// only sooner.
fn fuzz_options() -> EngineOptions {
    let mut options = EngineOptions::default();
    options.max_render_steps = 100_000;
    options.max_output_bytes = 256 * 1024;
    options
}

const BODY: &str = r#"{"name": "Rex", "price": 12.5, "tags": ["a", "b"], "owner": {"id": 7, "ok": true}, "n": null, "items": [{"id": 1, "t": [1]}, {"id": 2}, 3, [4]]}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let source = expand(source);
    let Ok(template) = Template::compile(&source, &fuzz_options()) else {
        return;
    };
    let mut request = OwnedRequest::new(BODY);
    request.add_path("id", "42");
    request.add_query("q", "x y");
    request.add_query("q", "z");
    let _ = request.add_header("Content-Type", "application/json");
    let mut ctx = Context::new();
    ctx.set("requestId", "rid-1");
    ctx.set("stage", "prod");
    ctx.set("identity.sourceIp", "203.0.113.7");
    ctx.set("authorizer.principalId", "user");
    ctx.set_request_time(1_700_000_000_000);
    let context = ContextObject::new(ctx);
    let mut stage = StageVariables::new();
    stage.insert("env".into(), "test".into());
    let scope = mapping_scope(Input::new(request), &context, &stage);
    let _ = template.render(&scope);
    let _ = context.overrides();
});
