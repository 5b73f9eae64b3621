//! Hostile input to the host objects (`$input`, `$util`, Java regular expressions): each
//! template below once ran for minutes to hours or took gigabytes on a body of a few hundred
//! KB. Host calls now charge their real work to the render's step budget
//! (`limits::MAX_RENDER_STEPS`) and JSONPath results are bounded
//! (`limits::MAX_JSONPATH_RESULTS`, `limits::MAX_JSONPATH_RESULT_BYTES`), so each ends with a
//! typed limit error (or, where no real work is repeated, renders) within bounded time and
//! memory. The bounds are this project's own (API Gateway documents none for these); the
//! tests check that each hostile template stops, quickly, with the limit named.

use gateway_mapping::context::{Context, ContextObject, StageVariables, mapping_scope};
use gateway_mapping::input::{Input, OwnedRequest};
use gateway_mapping::{EngineOptions, ErrorKind, Template, TemplateError};

/// Renders `template` over `request` with `options`.
fn render_with(
    template: &str,
    request: OwnedRequest,
    options: &EngineOptions,
) -> Result<String, TemplateError> {
    let t = Template::compile(template, options).expect("compiles");
    let scope = mapping_scope(
        Input::new(request),
        &ContextObject::new(Context::new()),
        &StageVariables::new(),
    );
    t.render(&scope)
}

fn render(template: &str, body: &str) -> Result<String, TemplateError> {
    render_with(template, OwnedRequest::new(body), &EngineOptions::default())
}

/// Asserts a limit error whose message names `limit`. (How fast it stops is the benches'
/// business, not a test's: a regression that loses the bound shows as a test that no longer
/// stops with the error.)
fn assert_limit(r: Result<String, TemplateError>, limit: &str) {
    let e = match r {
        Ok(out) => panic!("rendered {} bytes instead of stopping", out.len()),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
    assert!(e.message().contains(limit), "{e} does not name {limit}");
}

/// `{"d":{"d":...{"d":1}...}}` nested `depth` levels, `copies` times in an array.
fn nested_body(copies: usize, depth: usize) -> String {
    let one = format!("{}1{}", "{\"d\":".repeat(depth), "}".repeat(depth));
    format!("[{}]", vec![one; copies].join(","))
}

/// An array of `n` small objects: `[{"d":0,"e":"x"},...]`.
fn wide_body(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!("{{\"d\":{i},\"e\":\"x\"}}"))
        .collect();
    format!("[{}]", items.join(","))
}

#[test]
fn nested_descent_on_a_deep_body_stops_at_the_match_limit() {
    // 300 KB: 500 objects nested 100 deep. `$..*..*` matches each node once per ancestor:
    // about 2.5 million matches, each a subtree.
    let body = nested_body(500, 100);
    assert!(body.len() > 250_000);
    assert_limit(
        render("$input.json('$..*..*')", &body),
        "MAX_JSONPATH_RESULTS",
    );
    assert_limit(
        render("#set($x = $input.path('$..*..*'))$x.size()", &body),
        "MAX_JSONPATH_RESULTS",
    );
}

#[test]
fn nested_descent_on_a_shallower_body_stops_at_the_result_size_limit() {
    // 240 KB: 2,000 objects nested 20 deep: fewer matches than the match limit, but their
    // copies together are tens of MB of JSON.
    let body = nested_body(2_000, 20);
    assert!(body.len() > 200_000);
    assert_limit(
        render("$input.json('$..*..*')", &body),
        "MAX_JSONPATH_RESULT_BYTES",
    );
    assert_limit(
        render("#set($x = $input.path('$..*..*'))", &body),
        "MAX_JSONPATH_RESULT_BYTES",
    );
}

#[test]
fn a_descent_in_a_loop_is_charged_per_node_visited() {
    // 590 KB, 30,000 objects: each `$..d` visits about 90,000 nodes. A smaller step budget
    // than the default keeps the debug build quick; the default one is reached the same way
    // after ten times as many calls.
    let body = wide_body(30_000);
    let mut options = EngineOptions::default();
    options.max_render_steps = 1_000_000;
    let template = "#foreach($i in [1..1000])#foreach($j in [1..1000])\
                    #set($x = $input.path('$..d'))#end#end";
    assert_limit(
        render_with(template, OwnedRequest::new(body.as_str()), &options),
        "MAX_RENDER_STEPS",
    );
    // One call costs its visits: it renders within the budget.
    let r = render_with(
        "$input.path('$..d').size()",
        OwnedRequest::new(body.as_str()),
        &options,
    );
    assert_eq!(r.expect("renders"), "30000");
}

#[test]
fn the_body_read_in_a_loop_is_shared_not_copied() {
    // A million reads of a 590 KB body: one copy, then shared (once 590 GB of copying).
    let body = wide_body(30_000);
    let r = render(
        "#foreach($i in [1..1000])#foreach($j in [1..1000])#set($b = $input.body)#end#end$b.length()",
        &body,
    );
    assert_eq!(r.expect("renders"), body.len().to_string());
    // Printed in a loop, it stops at the output limit.
    assert_limit(
        render("#foreach($i in [1..1000])$input.body#end", &body),
        "output exceeds the limit",
    );
}

#[test]
fn parsing_the_body_in_a_loop_is_charged_per_byte() {
    // 590 KB parsed per call, one step per `PARSE_BYTES_PER_STEP` (4) bytes: about 150,000
    // steps a call. A small budget keeps the debug build quick (the default one is reached
    // after 66 calls, in a release build well under a second).
    let body = wide_body(30_000);
    let mut options = EngineOptions::default();
    options.max_render_steps = 400_000;
    let template = "#foreach($i in [1..1000])#foreach($j in [1..1000])\
                    #set($x = $util.parseJson($input.body))#end#end";
    assert_limit(
        render_with(template, OwnedRequest::new(body.as_str()), &options),
        "MAX_RENDER_STEPS",
    );
}

#[test]
fn a_catastrophic_regular_expression_stops_at_the_backtrack_limit() {
    // `((a|a)+)\1c` needs backtracking (a back-reference) and backtracks exponentially on a
    // run of `a`s without a `c`.
    let s = "a".repeat(40);
    let template = format!(
        "#set($s = '{s}')#foreach($i in [1..1000])#foreach($j in [1..1000])\
         #set($m = $s.matches('((a|a)+)\\1c'))#end#end"
    );
    assert_limit(render(&template, "{}"), "MAX_REGEX_BACKTRACKS");
    let template = format!(
        "#set($s = '{s}')#foreach($i in [1..1000])#foreach($j in [1..1000])\
         #set($m = $s.replaceAll('((a|a)+)\\1c', 'x'))#end#end"
    );
    assert_limit(render(&template, "{}"), "MAX_REGEX_BACKTRACKS");
    // On the body itself (a few hundred KB), the limit grows with the string but stays
    // bounded.
    let body = "a".repeat(300_000);
    assert_limit(
        render("$input.body.matches('((a|a)+)\\1c')", &body),
        "MAX_REGEX_BACKTRACKS",
    );
}

#[test]
fn backtracking_searches_in_a_loop_are_charged_for_their_backtrack_limit() {
    // Each search needs backtracking (a look-ahead) but stays under the backtrack limit;
    // a million of them are charged the limit each and stop at the step limit.
    let template = "#set($s = 'abcabcabcabc')#foreach($i in [1..1000])#foreach($j in [1..1000])\
                    #set($m = $s.matches('(?=.*c)(a|b|c)*'))\
                    #set($r = $s.replaceAll('(?<=a)b', 'x'))#end#end";
    assert_limit(render(template, "{}"), "steps");
}

#[test]
fn ordinary_regular_expressions_still_work() {
    let r = render(
        "$util.escapeJavaScript('x').matches('x') ${input.body.replaceAll('(?<=a)b', 'x')}",
        "abab",
    );
    assert_eq!(r.expect("renders"), "true axax");
}

#[test]
fn tens_of_thousands_of_headers_build_and_read_back() {
    // Once quadratic: each header added scanned every earlier one. Headers stop at 20,000
    // distinct names: an http::HeaderMap holds at most 24,576 (past that, add_header is a
    // typed error), and a server admits far fewer (hyper: 100 by default).
    let n = 50_000;
    let h = 20_000;
    let mut request = OwnedRequest::new("{}");
    for i in 0..n {
        if i < h {
            request.add_header(&format!("X-H-{i}"), "v").unwrap();
        }
        request.add_query(&format!("q{i}"), "v");
        request.add_path(&format!("p{i}"), "v");
    }
    request.add_header("x-h-7", "again").unwrap();
    let r = render_with(
        "$input.params().header.size() $input.params().querystring.size() \
         $input.params().path.size() $input.params('X-H-7') $input.params('nope')",
        request,
        &EngineOptions::default(),
    );
    assert_eq!(r.expect("renders"), format!("{h} {n} {n} again "));
}

#[test]
fn looking_parameters_up_in_a_loop_is_charged_per_parameter() {
    let mut request = OwnedRequest::new("{}");
    for i in 0..20_000 {
        request.add_header(&format!("X-H-{i}"), "v").unwrap();
    }
    assert_limit(
        render_with(
            "#foreach($i in [1..1000])#foreach($j in [1..1000])#set($v = $input.params('nope'))#end#end",
            request,
            &EngineOptions::default(),
        ),
        "MAX_RENDER_STEPS",
    );
}

/// The message of a failed render, without its position.
fn failure(r: Result<String, TemplateError>) -> (ErrorKind, String) {
    let e = r.expect_err("fails");
    (e.kind(), e.message().to_owned())
}

#[test]
fn a_literal_pattern_or_path_that_does_not_compile_fails_at_render_as_a_computed_one() {
    // Literal arguments are compiled with the template; one that does not compile is not a
    // compile error, and fails when rendered exactly as the same text in a variable does.
    for (literal, computed) in [
        (
            "$input.body.matches('(')",
            "#set($p = '(')$input.body.matches($p)",
        ),
        (
            "$input.body.replaceAll('[', 'x')",
            "#set($p = '[')$input.body.replaceAll($p, 'x')",
        ),
        ("$input.json('$.[')", "#set($p = '$.[')$input.json($p)"),
        ("$input.path('$..')", "#set($p = '$..')$input.path($p)"),
    ] {
        let a = failure(render(literal, "{}"));
        let b = failure(render(computed, "{}"));
        assert_eq!(a, b, "{literal} / {computed}");
    }
}

#[test]
fn literal_patterns_and_paths_render_as_computed_ones() {
    let body = r#"{"a": {"b": "x-y-z"}, "l": [1, 2]}"#;
    for (literal, computed) in [
        (
            "$input.path('$.a.b').matches('[x-z-]+') $input.path('$.a.b').split('-').size()",
            "#set($p = '[x-z-]+')#set($q = '-')$input.path('$.a.b').matches($p) \
             $input.path('$.a.b').split($q).size()",
        ),
        (
            "$input.json('$.l') $input.path('$.a').b.replaceFirst('-', '+')",
            "#set($p = '$.l')#set($a = '$.a')#set($q = '-')$input.json($p) \
             $input.path($a).b.replaceFirst($q, '+')",
        ),
    ] {
        let a = render(literal, body).expect("renders");
        assert_eq!(a, render(computed, body).expect("renders"), "{literal}");
    }
}

#[test]
fn a_template_renders_on_many_threads_at_once() {
    // Compiled once, its literal patterns and paths shared: each thread's renders agree.
    let t = Template::compile(
        "$input.json('$.a') $input.json('$.a').matches('[0-9]+') $input.body.split(':').size()",
        &EngineOptions::default(),
    )
    .expect("compiles");
    let outputs: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let t = &t;
                s.spawn(move || {
                    let body = format!("{{\"a\": {i}}}");
                    let scope = mapping_scope(
                        Input::new(OwnedRequest::new(&body)),
                        &ContextObject::new(Context::new()),
                        &StageVariables::new(),
                    );
                    let first = t.render(&scope).expect("renders");
                    for _ in 0..50 {
                        assert_eq!(t.render(&scope).expect("renders"), first);
                    }
                    first
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    assert_eq!(outputs, ["0 true 2", "1 true 2", "2 true 2", "3 true 2"]);
}

#[test]
fn a_render_stopped_in_host_work_leaves_nothing_to_the_next_one() {
    // The step meter belongs to the render: a render that runs out inside `$util.parseJson`
    // does not leave a smaller budget (or an open meter) to the next render on the thread.
    let mut options = EngineOptions::default();
    options.max_render_steps = 1_000;
    let big = format!("\"{}\"", "x".repeat(64 * 1024));
    let parse = "#set($v = $util.parseJson($input.body))done";
    assert_limit(
        render_with(parse, OwnedRequest::new(&big), &options),
        "steps",
    );
    assert_eq!(
        render_with(parse, OwnedRequest::new("\"small\""), &options).expect("renders"),
        "done"
    );
}

#[test]
fn a_loop_compiling_a_computed_pattern_stops_at_the_step_limit() {
    // A pattern built at render time is compiled on each call (only literals are compiled
    // with the template), and each compilation is charged (REGEX_COMPILE_STEPS), so a loop
    // of them is bounded like any other work.
    let mut options = EngineOptions::default();
    options.max_render_steps = 100_000;
    let t = "#foreach($i in [1..1000])#foreach($j in [1..1000])#set($p = \"a$j\")\
             $input.body.matches($p)#end#end";
    assert_limit(render_with(t, OwnedRequest::new("x"), &options), "steps");
}
