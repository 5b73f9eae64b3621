//! The `gateway` tool against hostile input: no panic, no hang, no unbounded read; every
//! failure a message and exit status 2 (0 for --help and --version).

mod common;

use common::{Scratch, run_gateway, stderr, stdout};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output};

fn gateway(args: &[&str]) -> Output {
    run_gateway(
        args,
        Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap(),
        ),
    )
}

fn gateway_os(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gateway"))
        .args(args)
        .output()
        .expect("the gateway binary runs")
}

const BAD_TEMPLATE_API: &str = "openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /pets:
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '#if('}
";

#[test]
fn routes_match_and_validate_refuse_the_same_file_with_the_same_message() {
    let dir = Scratch::new("hostile", "same");
    let file = dir.file("api.yaml", BAD_TEMPLATE_API);
    let routes = gateway(&["routes", &file]);
    let matched = gateway(&["match", &file, "POST", "/pets"]);
    let validate = gateway(&[
        "validate", "--api", &file, "--method", "POST", "--path", "/pets",
    ]);
    for o in [&routes, &matched, &validate] {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        assert_eq!(stdout(o), "");
    }
    let message = |o: &Output, prefix: &str| {
        stderr(o)
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{prefix}: {}", stderr(o)))
            .to_owned()
    };
    let m = message(&routes, "gateway routes: ");
    assert!(
        m.starts_with(&format!(
            "{file}: POST /pets: request template application/json:"
        )),
        "{m}"
    );
    assert_eq!(m, message(&matched, "gateway match: "));
    assert_eq!(m, message(&validate, "gateway validate: "));
}

#[test]
fn a_resource_path_of_65536_characters_is_listed() {
    let dir = Scratch::new("hostile", "long");
    let path = format!("/{}", "a".repeat(65_535));
    let doc = format!(
        r#"{{"swagger": "2.0", "info": {{"title": "t"}}, "paths": {{"{path}": {{"get": {{"x-amazon-apigateway-integration": {{"type": "mock"}}}}}}}}}}"#
    );
    let file = dir.file("long.json", doc);
    let o = gateway(&["routes", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("GET     {path}  MOCK")),
        "no route line"
    );
}

#[test]
fn file_names_need_not_be_utf8_and_text_fields_must_be() {
    let dir = Scratch::new("hostile", "utf8");
    let name = dir.path("api-\u{1}x.yaml");
    let mut bytes = name.into_bytes();
    let at = bytes.len() - 6;
    bytes[at] = 0xff; // "api-\u{1}\xff.yaml": not UTF-8
    let path = std::ffi::OsString::from_vec_compat(bytes);
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/apis/petstore.yaml"),
        &path,
    )
    .unwrap();
    let o = gateway_os(&[OsStr::new("routes"), &path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = gateway_os(&[
        OsStr::new("match"),
        &path,
        OsStr::new("GET"),
        OsStr::new("/pets"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A text field that is not UTF-8 is a usage error.
    let o = gateway_os(&[
        OsStr::new("match"),
        &path,
        OsStr::from_bytes(b"G\xffT"),
        OsStr::new("/pets"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("usage: gateway match"),
        "{}",
        stderr(&o)
    );
    for sub in [
        &["validate", "--method"][..],
        &["render", "--header"],
        &["policy", "eval", "--action"],
        &["sigv4", "verify", "--secret"],
    ] {
        let mut args: Vec<&OsStr> = sub.iter().map(OsStr::new).collect();
        args.push(OsStr::from_bytes(b"\xff"));
        let o = gateway_os(&args);
        assert_eq!(o.status.code(), Some(2), "{sub:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("usage:"), "{sub:?}: {}", stderr(&o));
    }
    // A missing file whose name is not UTF-8 (or holds a control character) is named, escaped.
    let o = gateway_os(&[
        OsStr::new("routes"),
        OsStr::from_bytes(b"no-\x1b[2J-\xff.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no-\\u{1b}[2J-\u{fffd}.yaml: cannot read:"),
        "{}",
        stderr(&o)
    );
}

/// `OsString::from_vec` without naming the Unix extension trait at each call.
trait FromVecCompat {
    fn from_vec_compat(v: Vec<u8>) -> Self;
}

impl FromVecCompat for std::ffi::OsString {
    fn from_vec_compat(v: Vec<u8>) -> Self {
        use std::os::unix::ffi::OsStringExt;
        std::ffi::OsString::from_vec(v)
    }
}

#[test]
fn devices_fifos_and_directories_are_refused_without_reading() {
    let dir = Scratch::new("hostile", "special");
    let fifo = dir.path("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["routes", "/dev/zero"],
        vec![
            "validate",
            "--schema",
            "/dev/zero",
            "--instance",
            "/dev/zero",
        ],
        vec!["render", "--template", "/dev/zero"],
        vec!["policy", "check", "/dev/zero"],
        vec![
            "sigv4",
            "verify",
            "--access-key",
            "K",
            "--secret",
            "S",
            "/dev/zero",
        ],
        vec!["routes", "/"],
    ];
    if made.is_ok_and(|s| s.success()) {
        cases.push(vec!["routes", &fifo]);
        cases.push(vec!["render", "--template", &fifo]);
    }
    for args in &cases {
        let o = gateway(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("not a regular file"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn files_over_their_limit_are_refused_naming_the_limit() {
    let dir = Scratch::new("hostile", "limit");
    let big = dir.file(
        "big.vtl",
        vec![b'a'; gateway_mapping::limits::MAX_TEMPLATE_BYTES + 1],
    );
    let o = gateway(&["render", "--template", &big]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "larger than the {}-byte limit",
            gateway_mapping::limits::MAX_TEMPLATE_BYTES
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_and_version_exit_0_everywhere() {
    let o = gateway(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("gateway {}\n", env!("CARGO_PKG_VERSION"))
    );
    for args in [
        &["--help"][..],
        &["routes", "--help"],
        &["match", "--help"],
        &["validate", "--help"],
        &["policy", "--help"],
        &["policy", "check", "--help"],
        &["policy", "eval", "--help"],
        &["sigv4", "sign", "--help"],
        &["sigv4", "verify", "--help"],
        &["render", "--help"],
    ] {
        let o = gateway(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).starts_with("usage:"), "{args:?}: {}", stdout(&o));
    }
    let o = gateway(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn deeply_nested_yaml_is_refused_fast() {
    let dir = Scratch::new("hostile", "deep");
    let file = dir.file(
        "deep.yaml",
        format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    let o = gateway(&["routes", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("flow collections nested deeper than 64 levels"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn import_errors_do_not_reach_the_terminal_raw() {
    let dir = Scratch::new("hostile", "escape");
    let file = dir.file(
        "api.yaml",
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  \"/a\\e]0;pwned\\a\\r\":\n    get: {x-amazon-apigateway-integration: {type: mock}}\n",
    );
    let o = gateway(&["routes", &file]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(!err.trim_end().chars().any(|c| c.is_control()), "{err:?}");
    assert!(err.contains("\\u{1b}]0;pwned\\u{7}\\r"), "{err:?}");
}

#[test]
fn five_thousand_context_values_are_all_collected() {
    let dir = Scratch::new("hostile", "many");
    let policy = dir.file(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s:A", "Resource": "*"}]}"#,
    );
    let mut args: Vec<String> = [
        "policy",
        "eval",
        "--policy",
        &policy,
        "--action",
        "s:A",
        "--resource",
        "r",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in 0..5_000 {
        args.push("--context".into());
        args.push(format!("k{i}=v"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = gateway(&refs);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn the_readme_validate_example_is_valid() {
    let o = gateway(&[
        "validate",
        "--api",
        "examples/apis/petstore.yaml",
        "--method",
        "POST",
        "--path",
        "/pets",
        "--query",
        "storeId=s1",
        "--header",
        "X-Request-Id: r1",
        "--body",
        "examples/apis/bodies/new-pet.json",
        "--content-type",
        "application/json",
    ]);
    assert_eq!(stdout(&o), "valid\n", "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}
