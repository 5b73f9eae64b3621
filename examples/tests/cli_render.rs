//! `gateway render`, run as a user would: the built binary on template, body and context
//! files, checking the exact output and the exit codes (0 rendered, 1 template failed,
//! 2 usage or unreadable file).

mod common;

use common::{Scratch, stderr, stdout};
use std::process::Output;

fn gateway(args: &[&str]) -> Output {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    common::run_gateway(&all, None)
}

#[test]
fn renders_the_docs_petstore_template_exactly() {
    // The PetStore template of the developer guide ("Understanding mapping templates").
    let s = Scratch::new("render", "petstore");
    let template = s.file(
        "t.vtl",
        "#set($inputRoot = $input.path('$'))\n[\n#foreach($elem in $inputRoot)\n  {\"description\": \"Item $elem.id is a $elem.type.\", \"askingPrice\": $elem.price}#if($foreach.hasNext),#end\n\n#end\n]",
    );
    let body = s.file(
        "body.json",
        r#"[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}]"#,
    );
    let o = gateway(&["--template", &template, "--body", &body]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "[\n  {\"description\": \"Item 1 is a dog.\", \"askingPrice\": 249.99},\n  {\"description\": \"Item 2 is a cat.\", \"askingPrice\": 124.99}\n]"
    );
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn parameters_stage_variables_and_context_reach_the_template() {
    let s = Scratch::new("render", "params");
    let template = s.file(
        "t.vtl",
        "$input.params('id')|$input.params('q')|$input.params().querystring.q|$input.params('X-Trace')|$stageVariables.env|$context.stage|$context.identity.sourceIp|$input.body",
    );
    let context = s.file(
        "ctx.json",
        r#"{"stage": "prod", "identity": {"sourceIp": "203.0.113.7"}}"#,
    );
    let o = gateway(&[
        "--template",
        &template,
        "--path",
        "id=42",
        "--query",
        "q=first",
        "--query=q=second",
        "--header",
        "X-Trace: abc:def",
        "--stage-var",
        "env=test",
        "--context",
        &context,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // No body: $input.body reads as {} (recorded on API Gateway, localstack
    // test_input_body_formatting). A repeated query parameter shows its last value.
    assert_eq!(
        stdout(&o),
        "42|second|second|abc:def|test|prod|203.0.113.7|{}"
    );
}

#[test]
fn nothing_is_added_to_the_output() {
    let s = Scratch::new("render", "exact");
    let template = s.file("t.vtl", "no newline at the end");
    let o = gateway(&["--template", &template]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, b"no newline at the end");
    let empty = s.file("e.vtl", "#set($x = 1)");
    let o = gateway(&["--template", &empty]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty(), "{:?}", stdout(&o));
}

#[test]
fn a_syntax_error_exits_1_with_line_and_column() {
    let s = Scratch::new("render", "syntax");
    let template = s.file("bad.vtl", "ok\n#if($a\nrest");
    let o = gateway(&["--template", &template]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains("bad.vtl"), "{err}");
    // The unclosed `#if(` is noticed where the next line starts.
    assert!(err.contains("line 3, column 1: expected `)`"), "{err}");
}

#[test]
fn a_render_error_exits_1_with_line_and_column() {
    let s = Scratch::new("render", "render-error");
    let template = s.file("t.vtl", "{\n  \"a\": $input.json('$.a')\n}");
    let body = s.file("body.txt", "not json");
    let o = gateway(&["--template", &template, "--body", &body]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("line 2, column 8"), "{err}");
    assert!(err.contains("not valid JSON"), "{err}");
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let s = Scratch::new("render", "usage");
    let template = s.file("t.vtl", "x");
    let not_object = s.file("ctx.json", "[1]");
    let not_json = s.file("ctx2.json", "{");
    let missing = s.path("missing.vtl");
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--body", &template],
        vec!["--template"],
        vec!["--template", &missing],
        vec!["--template", &template, "--body", &missing],
        vec!["--template", &template, "--header", "no-colon"],
        vec!["--template", &template, "--path", "novalue"],
        vec!["--template", &template, "--context", &not_object],
        vec!["--template", &template, "--context", &not_json],
        vec!["--template", &template, "--bogus", "x"],
        vec!["--template", &template, "--template", &template],
    ];
    for args in cases {
        let o = gateway(&args);
        assert_eq!(o.status.code(), Some(2), "args {args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "args {args:?}");
        assert!(!stderr(&o).is_empty(), "args {args:?}");
    }
}

#[test]
fn help_prints_usage() {
    let o = gateway(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with("usage: gateway render --template <file>"),
        "{}",
        stdout(&o)
    );
}
