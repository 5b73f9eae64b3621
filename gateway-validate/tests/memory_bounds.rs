//! Memory bounds for hostile bodies and models, measured.
//!
//! Each case runs in a fresh child process (this test binary run again with
//! `GATEWAY_VALIDATE_MEMORY_CASE` set), so neither other tests nor memory an earlier case left
//! in the allocator blur the figure. The child reports how far its peak resident size
//! (`VmHWM` in `/proc/self/status`, reset through `/proc/self/clear_refs`; Linux only) rose
//! above its resident size once the input was built. The workspace forbids `unsafe`, so a
//! counting global allocator is not an option. Bounds lie between the figures measured after
//! the fix and before it (both beside each case), so a regression fails them.

use gateway_validate::{
    MethodValidator, ModelSet, Rejection, RequestValidator, RequestView, Validated,
};
use serde_json::{Value, json};

const CASE_VAR: &str = "GATEWAY_VALIDATE_MEMORY_CASE";

fn method(schema: Value) -> MethodValidator {
    let models = ModelSet::single("M", schema).unwrap();
    MethodValidator::new(
        Some(RequestValidator::BODY),
        [],
        [("application/json", "M")],
        &models,
    )
    .unwrap()
}

fn validate(method: &MethodValidator, body: &[u8]) -> Result<Validated, Rejection> {
    method.validate(&RequestView {
        body,
        ..Default::default()
    })
}

fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    let kb: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

/// Runs `f` and prints how far the peak resident size rose above the resident size before it.
fn report_peak(f: impl FnOnce()) {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_mb("VmRSS:");
    f();
    println!("PEAK_MB {:.1}", status_mb("VmHWM:") - before);
}

/// The cases: (name, bound in MB).
const CASES: [(&str, f64); 3] = [
    // Item 1: a 2 MB array invalid at each of its million elements. Before the message cap:
    // 470 MB (every engine error built, then 100 kept); after: about 84 MB, nearly all of it
    // the parsed array (a million 72-byte values).
    ("invalid_array_2mb", 150.0),
    // Item 2: 8 MB of nested one-element arrays. serde_json's own parse: 1,025 MB (each
    // one-element array reserves four 72-byte slots); with exact capacities: about 281 MB.
    ("nested_arrays_8mb", 450.0),
    // Item 3: 20,000 members sharing one pattern. One compile per member before (about
    // 10 kB each: 95,000 took 1,014 MB, so about 215 MB here); one per set now.
    ("identical_patterns_20k", 120.0),
];

fn run_case(name: &str) {
    match name {
        "invalid_array_2mb" => {
            let m = method(json!({"type": "array", "items": {"type": "string"}}));
            let mut body = b"[1".to_vec();
            for _ in 1..1_000_000 {
                body.extend_from_slice(b",1");
            }
            body.push(b']');
            report_peak(|| assert!(validate(&m, &body).is_err()));
        }
        "nested_arrays_8mb" => {
            let m = method(json!({"type": "array"}));
            let mut body = b"[".to_vec();
            while body.len() < 8_000_000 {
                body.extend_from_slice(b"[[[[[[[[[[]]]]]]]]]],");
            }
            body.extend_from_slice(b"[]]");
            report_peak(|| assert!(validate(&m, &body).is_ok()));
        }
        "identical_patterns_20k" => {
            let props: serde_json::Map<String, Value> = (0..20_000)
                .map(|i| {
                    let member = json!({"type": "string", "pattern": "^[a-z0-9]{1,20}$"});
                    (format!("p{i}"), member)
                })
                .collect();
            let schema = json!({"type": "object", "properties": props});
            report_peak(|| drop(ModelSet::single("M", schema).unwrap()));
        }
        other => panic!("no memory case {other}"),
    }
}

#[test]
fn hostile_bodies_and_models_stay_within_their_memory_bounds() {
    if let Ok(name) = std::env::var(CASE_VAR) {
        run_case(&name);
        return;
    }
    if !cfg!(target_os = "linux") || std::fs::write("/proc/self/clear_refs", "5").is_err() {
        println!("skipping: peak resident size cannot be reset here");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for (name, bound) in CASES {
        let out = std::process::Command::new(&exe)
            .args([
                "--exact",
                "hostile_bodies_and_models_stay_within_their_memory_bounds",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CASE_VAR, name)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {stdout}");
        let peak: f64 = stdout
            .split("PEAK_MB ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|figure| figure.parse().ok())
            .unwrap_or_else(|| panic!("{name}: no figure in {stdout}"));
        println!("{name}: peak +{peak:.0} MB (bound {bound} MB)");
        assert!(peak < bound, "{name}: peak +{peak:.0} MB, bound {bound} MB");
    }
}
