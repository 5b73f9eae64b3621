//! The airspeed corpus: templates rendered on real Amazon API Gateway, with the outputs it
//! returned, as recorded by localstack/airspeed.
//!
//! Source: github.com/localstack/airspeed, `tests/test_templating.py` (the inputs: each
//! `test_render(template, context)` call) and `tests/test_templating.snapshot.json` (the
//! outputs API Gateway returned, recorded in August 2023 with `is_aws_cloud()`). Each row
//! below names its snapshot entry: `tests/test_templating.py::TestTemplating::<test>` and the
//! key `render-result-<n>` (the n-th `test_render` call of that test). Only API Gateway's
//! recordings are used, never the `-cli` ones (those are Velocity 2.x run locally). The
//! expected values were derived from those recordings; the table is ours.
//!
//! How the recordings were made (airspeed's `test_render_on_aws` fixture): the template was
//! deployed as the integration response template of a MOCK integration, behind this
//! preamble, with the context posted as the JSON request body:
//!
//! ```text
//! #set($body = $context.requestOverride.path.body)
//! #set($bodyJSON = $util.parseJson($body)) #set($k1 = $bodyJSON.k1) #set($k2 = $bodyJSON.k2) ...
//! <template>
//! ```
//!
//! [`render_as_recorded`] rebuilds the same preamble, with the parsed body handed in as a
//! variable instead of through `$util.parseJson` (that is the API Gateway half of the crate,
//! tested elsewhere). So every variable reaches the template through `#set`, as on API
//! Gateway, and the preamble's whitespace rules are exercised on every row. Rows marked
//! `norm` were compared by the recording with whitespace collapsed (`ignore_whitespaces`).

use gateway_mapping::{EngineOptions, Scope, Template, Value};

/// One recorded rendering.
struct Case {
    /// The airspeed test method (the snapshot entry is `...::TestTemplating::<test>`).
    test: &'static str,
    /// `n` of the snapshot key `render-result-<n>`.
    n: u32,
    template: &'static str,
    /// The JSON body posted (the test's `context`).
    context: &'static str,
    /// What API Gateway returned.
    expected: &'static str,
    /// Compared after collapsing whitespace, as the recording did.
    normalize: bool,
}

const fn case(
    test: &'static str,
    n: u32,
    template: &'static str,
    context: &'static str,
    expected: &'static str,
) -> Case {
    Case {
        test,
        n,
        template,
        context,
        expected,
        normalize: false,
    }
}

const fn norm(
    test: &'static str,
    n: u32,
    template: &'static str,
    context: &'static str,
    expected: &'static str,
) -> Case {
    Case {
        normalize: true,
        ..case(test, n, template, context, expected)
    }
}

/// Renders `template` as airspeed's fixture deployed it on API Gateway (see the module doc).
fn render_as_recorded(template: &str, context: &str) -> Result<String, String> {
    let body: serde_json::Value =
        serde_json::from_str(context).map_err(|e| format!("bad context JSON in the table: {e}"))?;
    let keys: Vec<String> = body
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let defs: Vec<String> = keys
        .iter()
        .map(|k| format!("#set(${k} = $bodyJSON.{k})"))
        .collect();
    let source = format!(
        "#set($body = $requestBody)\n#set($bodyJSON = $parsedBody) {}\n{template}",
        defs.join(" ")
    );
    let mut scope = Scope::new();
    scope.set("requestBody", Value::from(context));
    scope.set("parsedBody", Value::from_json(&body));
    let compiled =
        Template::compile(&source, &EngineOptions::default()).map_err(|e| e.to_string())?;
    compiled.render(&scope).map_err(|e| e.to_string())
}

/// airspeed's `_normalize_whitespaces`: newlines to spaces, trim, runs of whitespace to one.
fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_recorded_rendering_matches_api_gateway() {
    let mut failures = Vec::new();
    for c in CASES {
        let got = render_as_recorded(c.template, c.context);
        let ok = match &got {
            Ok(out) if c.normalize => normalize(out) == c.expected,
            Ok(out) => out == c.expected,
            Err(_) => false,
        };
        if !ok {
            failures.push(format!(
                "{} render-result-{}\n  template: {:?}\n  context:  {}\n  expected: {:?}\n  got:      {:?}",
                c.test, c.n, c.template, c.context, c.expected, got
            ));
        }
    }
    println!(
        "airspeed corpus: {}/{} recorded renderings match",
        CASES.len() - failures.len(),
        CASES.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} recordings differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_api_gateway_recording() {
    // test_templating.snapshot.json holds 205 entries recorded on API Gateway (keys without
    // the `-cli` suffix); each has a row here.
    assert_eq!(CASES.len(), 205);
    let mut keys: Vec<(&str, u32)> = CASES.iter().map(|c| (c.test, c.n)).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), CASES.len(), "a snapshot key appears twice");
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    case("test_parser_returns_input_when_there_is_nothing_to_substitute", 1, r#"<html></html>"#, r#"{}"#, r#"<html></html>"#),
    case("test_parser_substitutes_string_added_to_the_context", 1, r#"Hello $name"#, r#"{"name": "Chris"}"#, r#"Hello Chris"#),
    case("test_dollar_left_untouched", 1, r#"Hello $ "#, r#"{}"#, r#"Hello $ "#),
    case("test_unmatched_name_does_not_get_substituted", 1, r#"Hello $name"#, r#"{}"#, r#"Hello "#),
    case("test_silent_substitution_for_unmatched_values", 1, r#"Hello $!name"#, r#"{"name": "world"}"#, r#"Hello world"#),
    case("test_silent_substitution_for_unmatched_values", 2, r#"Hello $!name"#, r#"{}"#, r#"Hello "#),
    case("test_formal_reference_in_an_if_condition", 1, r#"#if(${a.b.c})yes!#end"#, r#"{"a": {"b": {"c": "d"}}}"#, r#"yes!"#),
    case("test_formal_reference_in_an_if_condition", 2, r#"#if(${a.b.c})yes!#end"#, r#"{"a": {"b": {"c": false}}}"#, r#""#),
    case("test_formal_reference_in_an_if_condition", 3, r#"#if(${a})yes!#end"#, r#"{"a": false}"#, r#""#),
    case("test_formal_reference_in_an_if_condition", 4, r#"#if($a)yes!#end"#, r#"{"a": false}"#, r#""#),
    case("test_formal_reference_in_an_if_condition", 5, r#"#if(${a.b.c})yes!#end"#, r#"{}"#, r#"yes!"#),
    case("test_silent_formal_reference_in_an_if_condition", 1, r#"#if($!{a.b.c})yes!#end"#, r#"{"a": {"b": {"c": "d"}}}"#, r#"yes!"#),
    case("test_silent_formal_reference_in_an_if_condition", 2, r#"#if($!{a.b.c})yes!#end"#, r#"{}"#, r#"yes!"#),
    case("test_silent_formal_reference_in_an_if_condition", 3, r#"#if($!a.b.c)yes!#end"#, r#"{"a": {"b": {"c": "d"}}}"#, r#"yes!"#),
    case("test_silent_formal_reference_in_an_if_condition", 4, r#"#if($!a.b.c)yes!#end"#, r#"{}"#, r#"yes!"#),
    case("test_embed_substitution_value_in_braces_gets_handled", 1, r#"Hello ${name}."#, r#"{"name": "World"}"#, r#"Hello World."#),
    case("test_unmatched_trailing_brace_preserved", 1, r#"Hello $name}."#, r#"{"name": "World"}"#, r#"Hello World}."#),
    case("test_when_if_statement_resolves_to_true_the_content_is_returned", 1, r#"Hello #if ($name)your name is ${name}#end Good to see you"#, r#"{"name": "Steve"}"#, r#"Hello your name is Steve Good to see you"#),
    case("test_when_if_statement_resolves_to_false_the_content_is_skipped", 1, r#"Hello #if ($show_greeting)your name is ${name}#end Good to see you"#, r#"{"name": "Steve", "show_greeting": false}"#, r#"Hello  Good to see you"#),
    case("test_when_if_statement_is_nested_inside_a_successful_enclosing_if_it_gets_evaluated", 1, r#"Hello #if ($show_greeting)your name is ${name}.#if ($is_birthday) Happy Birthday.#end#end Good to see you"#, r#"{"name": "Steve", "show_greeting": false}"#, r#"Hello  Good to see you"#),
    case("test_when_if_statement_is_nested_inside_a_successful_enclosing_if_it_gets_evaluated", 2, r#"Hello #if ($show_greeting)your name is ${name}.#if ($is_birthday) Happy Birthday.#end#end Good to see you"#, r#"{"name": "Steve", "show_greeting": true}"#, r#"Hello your name is Steve. Happy Birthday. Good to see you"#),
    case("test_when_if_statement_is_nested_inside_a_successful_enclosing_if_it_gets_evaluated", 3, r#"Hello #if ($show_greeting)your name is ${name}.#if ($is_birthday) Happy Birthday.#end#end Good to see you"#, r#"{"name": "Steve", "show_greeting": true, "is_birthday": true}"#, r#"Hello your name is Steve. Happy Birthday. Good to see you"#),
    case("test_if_statement_considers_None_to_be_truthy", 1, r#"#if ($some_value)hide me#end"#, r#"{}"#, r#"hide me"#),
    case("test_if_statement_considers_None_to_be_truthy", 2, r#"#if ($some_value)hide me#end"#, r#"{"some_value": null}"#, r#"hide me"#),
    case("test_if_statement_considers_None_to_be_false", 1, r#"#if ($some_value)hide me#end"#, r#"{}"#, r#"hide me"#),
    case("test_if_statement_considers_None_to_be_false", 2, r#"#if ($some_value)hide me#end"#, r#"{"some_value": null}"#, r#"hide me"#),
    case("test_understands_boolean_literal_true", 1, r#"#set ($v = true)$v"#, r#"{}"#, r#"true"#),
    case("test_understands_boolean_literal_false", 1, r#"#set ($v = false)$v"#, r#"{}"#, r#"false"#),
    case("test_new_lines_in_templates_are_permitted", 1, "hello #if ($show_greeting)${name}.\n#if($is_birthday)Happy Birthday\n#end.\n#end Off out later?", r#"{"name": "Steve", "show_greeting": true, "is_birthday": true}"#, "hello Steve.\nHappy Birthday\n.\n Off out later?"),
    case("test_foreach_with_plain_content_loops_correctly", 1, r#"#foreach ($name in $names)Hello you. #end"#, r#"{"names": ["Chris", "Steve"]}"#, r#"Hello you. Hello you. "#),
    case("test_foreach_skipped_when_nested_in_a_failing_if", 1, r#"#if ($false_value)#foreach ($name in $names)Hello you. #end#end"#, r#"{"false_value": false, "names": ["Chris", "Steve"]}"#, r#""#),
    case("test_foreach_with_expression_content_loops_correctly", 1, r#"#foreach ($name in $names)Hello $you. #end"#, r#"{"you": "You", "names": ["Chris", "Steve"]}"#, r#"Hello You. Hello You. "#),
    case("test_foreach_makes_loop_variable_accessible", 1, r#"#foreach ($name in $names)Hello $name. #end"#, r#"{"you": "You", "names": ["Chris", "Steve"]}"#, r#"Hello Chris. Hello Steve. "#),
    case("test_loop_variable_not_accessible_after_loop", 1, r#"#foreach ($name in $names)Hello $name. #end$name"#, r#"{"you": "You", "names": ["Chris", "Steve"]}"#, r#"Hello Chris. Hello Steve. "#),
    case("test_loop_variables_do_not_clash_in_nested_loops", 1, r#"#foreach ($word in $greetings)$word to#foreach ($word in $names) $word#end. #end"#, r#"{"greetings": ["Hello", "Goodbye"], "names": ["Chris", "Steve"]}"#, r#"Hello to Chris Steve. Goodbye to Chris Steve. "#),
    case("test_loop_counter_variable_available_in_loops", 1, r#"#foreach ($word in $greetings)$velocityCount,#end"#, r#"{"greetings": ["Hello", "Goodbye"]}"#, r#"1,2,"#),
    case("test_loop_counter_variable_available_in_loops_new", 1, r#"#foreach ($word in $greetings)$foreach.count,#end"#, r#"{"greetings": ["Hello", "Goodbye"]}"#, r#"1,2,"#),
    case("test_loop_index_variable_available_in_loops_new", 1, r#"#foreach ($word in $greetings)$foreach.index,#end"#, r#"{"greetings": ["Hello", "Goodbye"]}"#, r#"0,1,"#),
    case("test_loop_counter_variables_do_not_clash_in_nested_loops", 1, r#"#foreach ($word in $greetings)Outer $velocityCount#foreach ($word in $names), inner $velocityCount#end. #end"#, r#"{"greetings": ["Hello", "Goodbye"], "names": ["Chris", "Steve"]}"#, r#"Outer 1, inner 1, inner 2. Outer 2, inner 1, inner 2. "#),
    case("test_loop_counter_variables_do_not_clash_in_nested_loops_new", 1, r#"#foreach ($word in $greetings)Outer $foreach.count#foreach ($word in $names), inner $foreach.count#end. #end"#, r#"{"greetings": ["Hello", "Goodbye"], "names": ["Chris", "Steve"]}"#, r#"Outer 1, inner 1, inner 2. Outer 2, inner 1, inner 2. "#),
    case("test_loop_index_variables_do_not_clash_in_nested_loops_new", 1, r#"#foreach ($word in $greetings)Outer $foreach.index#foreach ($word in $names), inner $foreach.index#end. #end"#, r#"{"greetings": ["Hello", "Goodbye"], "names": ["Chris", "Steve"]}"#, r#"Outer 0, inner 0, inner 1. Outer 1, inner 0, inner 1. "#),
    case("test_has_next", 1, r#"#foreach ($i in [1, 2, 3])$i. #if ($velocityHasNext)yes#end, #end"#, r#"{}"#, r#"1. yes, 2. yes, 3. , "#),
    case("test_has_next_new", 1, r#"#foreach ($i in [1, 2, 3])$i. #if ($foreach.hasNext)yes#end, #end"#, r#"{}"#, r#"1. yes, 2. yes, 3. , "#),
    case("test_first", 1, r#"#foreach ($i in [1, 2, 3])$i. #if ($foreach.first)yes#end, #end"#, r#"{}"#, r#"1. yes, 2. , 3. , "#),
    case("test_last", 1, r#"#foreach ($i in [1, 2, 3])$i. #if ($foreach.last)yes#end, #end"#, r#"{}"#, r#"1. , 2. , 3. yes, "#),
    case("test_can_use_an_integer_variable_defined_in_template", 1, r#"#set ($value = 10)$value"#, r#"{}"#, r#"10"#),
    case("test_can_use_a_string_variable_defined_in_template", 1, r#"#set ($value = "Steve")$value"#, r#"{}"#, r#"Steve"#),
    case("test_can_use_a_single_quoted_string_variable_defined_in_template", 1, r#"#set ($value = 'Steve')$value"#, r#"{}"#, r#"Steve"#),
    case("test_single_line_comments_skipped", 1, "## comment\nStuff\nMore stuff## more comments $blah", r#"{}"#, "Stuff\nMore stuff"),
    case("test_multi_line_comments_skipped", 1, "Stuff#*\n more comments *#\n and more stuff", r#"{}"#, "Stuff\n and more stuff"),
    case("test_string_literal_can_contain_embedded_escaped_newlines", 1, r#"#set ($name = "\\batman\nand robin")$name"#, r#"{}"#, r#"\\batman\nand robin"#),
    case("test_string_literal_with_inner_double_quotes", 1, r#"#set($d = '{"a": 2}')$d"#, r#"{}"#, r#"{"a": 2}"#),
    case("test_string_interpolation_with_inner_double_double_quotes", 1, r#"#set($d = "{""a"": 2}")$d"#, r#"{}"#, r#"{"a": 2}"#),
    case("test_string_interpolation_with_multiple_double_quotes", 1, r#"#set($d = "1\\""2""3")$d"#, r#"{}"#, r#"1\\"2"3"#),
    case("test_else_block_evaluated_when_if_expression_false", 1, r#"#if ($value) true #else false #end"#, r#"{}"#, r#" true "#),
    case("test_curly_else", 1, r#"#if($value)true#{else}false#end"#, r#"{}"#, r#"true"#),
    case("test_curly_end", 1, r#"#if($value)true#{end}monkey"#, r#"{}"#, r#"truemonkey"#),
    case("test_velocity_style_escaping", 1, "\n#set( $email = \"foo\" )\n$email\n\\$email\n\\\\$email\n\\\n\\\\ \\# \\$\n\\#end\n\\# end\n\\#set( $email = \"foo\" )\n", r#"{}"#, "\nfoo\n$email\n\\foo\n\\\n\\\\ \\# \\$\n#end\n\\# end\n#set( foo = \"foo\" )\n"),
    case("test_true_elseif_evaluated_when_if_is_false", 1, r#"#if ($value1) one #elseif ($value2) two #end"#, r#"{"value1": false, "value2": true}"#, r#" two "#),
    case("test_false_elseif_skipped_when_if_is_true", 1, r#"#if ($value1) one #elseif ($value2) two #end"#, r#"{"value1": true, "value2": false}"#, r#" one "#),
    case("test_first_true_elseif_evaluated_when_if_is_false", 1, r#"#if ($value1) one #elseif ($value2) two #elseif($value3) three #end"#, r#"{"value1": true, "value2": false, "value3": true}"#, r#" one "#),
    case("test_else_evaluated_when_if_and_elseif_are_false", 1, r#"#if ($value1) one #elseif ($value2) two #else three #end"#, r#"{"value1": false, "value2": false}"#, r#" three "#),
    case("test_compare_greater_than_operator", 1, r#"#if ( $value > 1 )yes#end"#, r#"{"value": 0}"#, r#""#),
    case("test_compare_greater_than_operator", 2, r#"#if ( $value > 1 )yes#end"#, r#"{"value": 1}"#, r#""#),
    case("test_compare_greater_than_operator", 3, r#"#if ( $value > 1 )yes#end"#, r#"{"value": 2}"#, r#"yes"#),
    case("test_compare_greater_than_operator", 4, r#"#if ( $value gt 1 )yes#end"#, r#"{"value": 0}"#, r#""#),
    case("test_compare_greater_than_operator", 5, r#"#if ( $value gt 1 )yes#end"#, r#"{"value": 1}"#, r#""#),
    case("test_compare_greater_than_operator", 6, r#"#if ( $value gt 1 )yes#end"#, r#"{"value": 2}"#, r#"yes"#),
    case("test_compare_greater_than_or_equal_operator", 1, r#"#if ( $value >= 1 )yes#end"#, r#"{"value": 0}"#, r#""#),
    case("test_compare_greater_than_or_equal_operator", 2, r#"#if ( $value >= 1 )yes#end"#, r#"{"value": 1}"#, r#"yes"#),
    case("test_compare_greater_than_or_equal_operator", 3, r#"#if ( $value >= 1 )yes#end"#, r#"{"value": 2}"#, r#"yes"#),
    case("test_compare_greater_than_or_equal_operator", 4, r#"#if ( $value ge 1 )yes#end"#, r#"{"value": 0}"#, r#""#),
    case("test_compare_greater_than_or_equal_operator", 5, r#"#if ( $value ge 1 )yes#end"#, r#"{"value": 1}"#, r#"yes"#),
    case("test_compare_greater_than_or_equal_operator", 6, r#"#if ( $value ge 1 )yes#end"#, r#"{"value": 2}"#, r#"yes"#),
    case("test_compare_less_than_operator", 1, r#"#if ( $value < 1 )yes#end"#, r#"{"value": 0}"#, r#"yes"#),
    case("test_compare_less_than_operator", 2, r#"#if ( $value < 1 )yes#end"#, r#"{"value": 1}"#, r#""#),
    case("test_compare_less_than_operator", 3, r#"#if ( $value < 1 )yes#end"#, r#"{"value": 2}"#, r#""#),
    case("test_compare_less_than_operator", 4, r#"#if ( $value lt 1 )yes#end"#, r#"{"value": 0}"#, r#"yes"#),
    case("test_compare_less_than_operator", 5, r#"#if ( $value lt 1 )yes#end"#, r#"{"value": 1}"#, r#""#),
    case("test_compare_less_than_operator", 6, r#"#if ( $value lt 1 )yes#end"#, r#"{"value": 2}"#, r#""#),
    case("test_compare_less_than_or_equal_operator", 1, r#"#if ( $value <= 1 )yes#end"#, r#"{"value": 0}"#, r#"yes"#),
    case("test_compare_less_than_or_equal_operator", 2, r#"#if ( $value <= 1 )yes#end"#, r#"{"value": 1}"#, r#"yes"#),
    case("test_compare_less_than_or_equal_operator", 3, r#"#if ( $value <= 1 )yes#end"#, r#"{"value": 2}"#, r#""#),
    case("test_compare_less_than_or_equal_operator", 4, r#"#if ( $value le 1 )yes#end"#, r#"{"value": 0}"#, r#"yes"#),
    case("test_compare_less_than_or_equal_operator", 5, r#"#if ( $value le 1 )yes#end"#, r#"{"value": 1}"#, r#"yes"#),
    case("test_compare_less_than_or_equal_operator", 6, r#"#if ( $value le 1 )yes#end"#, r#"{"value": 2}"#, r#""#),
    case("test_compare_equality_operator", 1, r#"#if ( $value == 1 )yes#end"#, r#"{"value": 0}"#, r#""#),
    case("test_compare_equality_operator", 2, r#"#if ( $value == 1 )yes#end"#, r#"{"value": 1}"#, r#"yes"#),
    case("test_compare_equality_operator", 3, r#"#if ( $value == 1 )yes#end"#, r#"{"value": 2}"#, r#""#),
    case("test_compare_equality_operator", 4, r#"#if ( $value eq 1 )yes#end"#, r#"{"value": 0}"#, r#""#),
    case("test_compare_equality_operator", 5, r#"#if ( $value eq 1 )yes#end"#, r#"{"value": 1}"#, r#"yes"#),
    case("test_compare_equality_operator", 6, r#"#if ( $value eq 1 )yes#end"#, r#"{"value": 2}"#, r#""#),
    case("test_or_operator", 1, r#"#if ( $value1 || $value2 )yes#end"#, r#"{"value1": false, "value2": false}"#, r#""#),
    case("test_or_operator", 2, r#"#if ( $value1 || $value2 )yes#end"#, r#"{"value1": true, "value2": false}"#, r#"yes"#),
    case("test_or_operator", 3, r#"#if ( $value1 || $value2 )yes#end"#, r#"{"value1": false, "value2": true}"#, r#"yes"#),
    case("test_or_operator", 4, r#"#if ( $value1 or $value2 )yes#end"#, r#"{"value1": false, "value2": false}"#, r#""#),
    case("test_or_operator", 5, r#"#if ( $value1 or $value2 )yes#end"#, r#"{"value1": true, "value2": false}"#, r#"yes"#),
    case("test_or_operator", 6, r#"#if ( $value1 or $value2 )yes#end"#, r#"{"value1": false, "value2": true}"#, r#"yes"#),
    case("test_and_operator", 1, r#"#if ( $value1 && $value2 )yes#end"#, r#"{"value1": false, "value2": false}"#, r#""#),
    case("test_and_operator", 2, r#"#if ( $value1 && $value2 )yes#end"#, r#"{"value1": true, "value2": false}"#, r#""#),
    case("test_and_operator", 3, r#"#if ( $value1 && $value2 )yes#end"#, r#"{"value1": false, "value2": true}"#, r#""#),
    case("test_and_operator", 4, r#"#if ( $value1 and $value2 )yes#end"#, r#"{"value1": false, "value2": false}"#, r#""#),
    case("test_and_operator", 5, r#"#if ( $value1 and $value2 )yes#end"#, r#"{"value1": true, "value2": false}"#, r#""#),
    case("test_and_operator", 6, r#"#if ( $value1 and $value2 )yes#end"#, r#"{"value1": false, "value2": true}"#, r#""#),
    case("test_parenthesised_value", 1, r#"#if ( ($value1 == 1) && ($value2 == 2) )yes#end"#, r#"{"value1": 0, "value2": 1}"#, r#""#),
    case("test_parenthesised_value", 2, r#"#if ( ($value1 == 1) && ($value2 == 2) )yes#end"#, r#"{"value1": 1, "value2": 1}"#, r#""#),
    case("test_parenthesised_value", 3, r#"#if ( ($value1 == 1) && ($value2 == 2) )yes#end"#, r#"{"value1": 0, "value2": 2}"#, r#""#),
    case("test_parenthesised_value", 4, r#"#if ( ($value1 == 1) && ($value2 == 2) )yes#end"#, r#"{"value1": 1, "value2": 2}"#, r#"yes"#),
    case("test_multiterm_expression", 1, r#"#if ( $value1 == 1 && $value2 == 2 )yes#end"#, r#"{"value1": 0, "value2": 1}"#, r#""#),
    case("test_multiterm_expression", 2, r#"#if ( $value1 == 1 && $value2 == 2 )yes#end"#, r#"{"value1": 1, "value2": 1}"#, r#""#),
    case("test_multiterm_expression", 3, r#"#if ( $value1 == 1 && $value2 == 2 )yes#end"#, r#"{"value1": 0, "value2": 2}"#, r#""#),
    case("test_multiterm_expression", 4, r#"#if ( $value1 == 1 && $value2 == 2 )yes#end"#, r#"{"value1": 1, "value2": 2}"#, r#"yes"#),
    case("test_compound_condition", 1, r#"#if ( ($value) )yes#end"#, r#"{"value": false}"#, r#""#),
    case("test_compound_condition", 2, r#"#if ( ($value) )yes#end"#, r#"{"value": true}"#, r#"yes"#),
    case("test_logical_negation_operator", 1, r#"#if ( !$value )yes#end"#, r#"{"value": false}"#, r#"yes"#),
    case("test_logical_negation_operator", 2, r#"#if ( !$value )yes#end"#, r#"{"value": true}"#, r#""#),
    case("test_logical_negation_operator", 3, r#"#if ( !$value )yes#end"#, r#"{"value": null}"#, r#""#),
    case("test_logical_negation_operator", 4, r#"#if ( not $value )yes#end"#, r#"{"value": false}"#, r#"yes"#),
    case("test_logical_negation_operator", 5, r#"#if ( not $value )yes#end"#, r#"{"value": true}"#, r#""#),
    case("test_logical_negation_operator", 6, r#"#if ( not $value )yes#end"#, r#"{"value": null}"#, r#""#),
    case("test_compound_binary_and_unary_operators", 1, r#"#if ( !$value1 && !$value2 )yes#end"#, r#"{"value1": false, "value2": true}"#, r#""#),
    case("test_compound_binary_and_unary_operators", 2, r#"#if ( !$value1 && !$value2 )yes#end"#, r#"{"value1": true, "value2": false}"#, r#""#),
    case("test_compound_binary_and_unary_operators", 3, r#"#if ( !$value1 && !$value2 )yes#end"#, r#"{"value1": true, "value2": true}"#, r#""#),
    case("test_compound_binary_and_unary_operators", 4, r#"#if ( !$value1 && !$value2 )yes#end"#, r#"{"value1": false, "value2": false}"#, r#"yes"#),
    case("test_use_define_with_no_parameters", 1, r#"#define ( $hello)hi#end$hello()$hello()"#, r#"{}"#, r#"hi()hi()"#),
    case("test_define_with_local_namespace", 1, r#"#define ( $showindex )$foreach.index#end#foreach($x in [1,2,3])$showindex#end"#, r#"{}"#, r#"012"#),
    case("test_use_defined_func_multiple_times", 1, "\n#define( $myfunc )$ctx#end\n#set( $ctx = 'foo' )\n$myfunc\n#set( $ctx = 'bar' )\n$myfunc\n", r#"{}"#, "\nfoo\nbar\n"),
    norm("test_use_defined_func_create_json_loop", 1, "\n#define( $loop ) {\n    #foreach($e in $map.keySet())\n        #set( $k = $e )\n        #set( $v = $map.get($k))\n        \"$k\": \"$v\"\n        #if( $foreach.hasNext ) , #end\n    #end\n}\n#end\n$loop\n#set( $map = {'foo':'bar'} )\n$loop\n", r#"{"map": {"test": 123, "test2": "abc"}}"#, r#"{ "test": "123" , "test2": "abc" } { "foo": "bar" }"#),
    case("test_assign_range_literal", 1, r#"#set($values = [1..5])#foreach($value in $values)$value,#end"#, r#"{}"#, r#"1,2,3,4,5,"#),
    case("test_assign_range_literal", 2, r#"#set($values = [2..-2])#foreach($value in $values)$value,#end"#, r#"{}"#, r#"2,1,0,-1,-2,"#),
    case("test_array_literal", 1, "blah\n#set($valuesInList = [\"Hello \", $person, \", your lucky number is \", 7])\n#foreach($value in $valuesInList)$value#end\n\nblah", r#"{"person": "Chris"}"#, "blah\nHello Chris, your lucky number is 7\nblah"),
    case("test_dictionary_literal", 1, r#"#set($a = {"dog": "cat" , "horse":15})$a.dog"#, r#"{}"#, r#"cat"#),
    case("test_dictionary_literal", 2, r#"#set($a = {"dog": "$horse"})$a.dog"#, r#"{"horse": "cow"}"#, r#"cow"#),
    case("test_nested_array_literals", 1, r#"#set($values = [["Hello ", "Steve"], ["Hello", " Chris"]])#foreach($pair in $values)#foreach($word in $pair)$word#end. #end"#, r#"{}"#, r#"Hello Steve. Hello Chris. "#),
    case("test_when_dictionary_has_same_key_as_built_in_method", 1, r#" $user.name "#, r#"{"user": {"items": "1;2;3"}}"#, r#"  "#),
    case("test_variables_expanded_in_double_quoted_strings", 1, r#"#set($hello="hello, $name is my name")$hello"#, r#"{"name": "Steve"}"#, r#"hello, Steve is my name"#),
    case("test_escaped_variable_references_not_expanded_in_double_quoted_strings", 1, r#"#set($hello="hello, \$name is my name")$hello"#, r#"{"name": "Steve"}"#, r#"hello, $name is my name"#),
    case("test_color_spec", 1, r#"<span style="color: #13ff93">"#, r#"{}"#, r#"<span style="color: #13ff93">"#),
    case("test_standalone_hashes", 1, "\"#\"", r#"{}"#, "\"#\""),
    case("test_standalone_hashes", 2, "<a href=\"#\">bob</a>", r#"{}"#, "<a href=\"#\">bob</a>"),
    case("test_foreach_with_unset_variable_expands_to_nothing", 1, r#"#foreach($value in $values)foo#end"#, r#"{}"#, r#""#),
    case("test_preserves_unicode_strings", 1, r#"$value"#, r#"{"value": "Grüße"}"#, r#"Grüße"#),
    case("test_modulus_operator", 1, r#"#set( $modulus = ($value % 2) )$modulus"#, r#"{"value": 3}"#, r#"1"#),
    case("test_can_assign_empty_string", 1, r#"#set( $v = "" )#set( $y = '' ).$v.$y."#, r#"{}"#, r#"..."#),
    case("test_can_loop_over_numeric_ranges", 1, "#foreach( $v in [1..5] )$v\n#end", r#"{}"#, "1\n2\n3\n4\n5\n"),
    case("test_can_loop_over_numeric_ranges_backwards", 1, r#"#foreach( $v in [5..-2] )$v,#end"#, r#"{}"#, r#"5,4,3,2,1,0,-1,-2,"#),
    case("test_stop_directive", 1, r#"hello #stop world"#, r#"{}"#, r#"hello "#),
    case("test_assignment_of_parenthesized_math_expression", 1, r#"#set($a = (5 + 4))$a"#, r#"{}"#, r#"9"#),
    case("test_assignment_of_parenthesized_math_expression_with_reference", 1, r#"#set($b = 5)#set($a = ($b + 4))$a"#, r#"{}"#, r#"9"#),
    case("test_addition_has_higher_precedence_than_comparison", 1, r#"#set($a = 4 > 2 + 5)$a"#, r#"{}"#, r#"false"#),
    case("test_parentheses_work_in_set_directive", 1, r#"#set($a = (5 + 4) > 2)$a"#, r#"{}"#, r#"true"#),
    case("test_addition_has_higher_precedence_than_comparison_other_direction", 1, r#"#set($a = 5 + 4 > 2)$a"#, r#"{}"#, r#"true"#),
    case("test_multiplication_has_higher_precedence_than_subtraction", 1, r#"#set($a = 5 * 4 - 2)$a"#, r#"{}"#, r#"18"#),
    case("test_multiplication_has_higher_precedence_than_addition_reverse", 1, r#"#set($a = 2 + 5 * 4)$a"#, r#"{}"#, r#"22"#),
    case("test_parse_empty_dictionary", 1, r#"#set($a = {})$a"#, r#"{}"#, r#"{}"#),
    case("test_if_whitespace_and_newlines_ignored", 1, "\n#if(true)\nhello##\n#end", r#"{}"#, "\nhello"),
    case("test_expressions_with_numbers_with_fractions", 1, r#"#set($a = 100.0 / 50)$a"#, r#"{}"#, r#"2.0"#),
    case("test_array_notation_int_index", 1, r#"$a[1]"#, r#"{"a": ["foo", "bar"]}"#, r#"bar"#),
    case("test_array_notation_nested_indexes", 1, r#"$a[1][1]"#, r#"{"a": ["foo", ["bar1", "bar2"]]}"#, r#"bar2"#),
    case("test_array_notation_dot", 1, r#"$a[1].bar1"#, r#"{"a": ["foo", {"bar1": "bar2"}]}"#, r#"bar2"#),
    case("test_array_notation_dict_index", 1, r#"$a["foo"]"#, r#"{"a": {"foo": "bar"}}"#, r#"bar"#),
    case("test_array_notation_dict_index_with_string_literal", 1, r#"$a.b.c['foo:bar']"#, r#"{"a": {"b": {"c": {"foo:bar": "baz"}}}}"#, r#"baz"#),
    case("test_array_notation_variable_index", 1, r#"#set($i = 1)$a[ $i ]"#, r#"{"a": ["foo", "bar"]}"#, r#"bar"#),
    case("test_outer_variable_assignable_from_foreach_block", 1, r#"#set($var = 1)#foreach ($i in $items)$var,#set($var = $i)#end$var"#, r#"{"items": [2, 3, 4]}"#, r#"1,2,3,4"#),
    case("test_no_assignment_to_outer_var_if_same_varname_in_block", 1, r#"#set($i = 1)$i,#foreach ($i in [2, 3, 4])$i,#set($i = $i)#end$i"#, r#"{}"#, r#"1,2,3,4,1"#),
    case("test_nested_foreach_vars_are_scoped", 1, r#"#foreach ($j in [1,2])#foreach ($i in [3, 4])$foreach.count,#end$foreach.count|#end"#, r#"{}"#, r#"1,2,1|1,2,2|"#),
    case("test_array_size", 1, r#"#set($foo = [1,2,3]) $foo.size()"#, r#"{}"#, r#" 3"#),
    case("test_array_contains_true", 1, r#"#set($foo = [1,2,3]) #if($foo.contains(1))found#end"#, r#"{}"#, r#" found"#),
    case("test_array_contains_false", 1, r#"#set($foo = [1,2,3]) #if($foo.contains(10))found#end"#, r#"{}"#, r#" "#),
    case("test_array_get_item", 1, r#"#set($foo = [1,2,3]) $foo.get(1)"#, r#"{}"#, r#" 2"#),
    case("test_array_add_item", 1, r#"#set($foo = [1,2,3])#set( $ignore = $foo.add('string value') )#foreach($item in $foo)$item,#end"#, r#"{}"#, r#"1,2,3,string value,"#),
    case("test_array_is_empty", 1, r#"#set($foo = [1, 2, 3]) $foo.isEmpty()"#, r#"{}"#, r#" false"#),
    case("test_string_length", 1, r#"#set($foo = 'foobar123') $foo.length()"#, r#"{}"#, r#" 9"#),
    case("test_string_replace_all", 1, r#"#set($foo = 'foobar123bab') $foo.replaceAll('ba.', 'foo')"#, r#"{}"#, r#" foofoo123foo"#),
    case("test_string_starts_with_true", 1, r#"#set($foo = 'foobar123') #if($foo.startsWith('foo'))yes!#end"#, r#"{}"#, r#" yes!"#),
    case("test_string_starts_with_false", 1, r#"#set($foo = 'nofoobar123') #if($foo.startsWith('foo'))yes!#end"#, r#"{}"#, r#" "#),
    case("test_string_contains_true", 1, r#"#set($foo = 'foobar123') #if($foo.contains('foo'))yes!#end"#, r#"{}"#, r#" yes!"#),
    case("test_string_contains_false", 1, r#"#set($foo = 'nofoobar123') #if($foo.contains('foo'))yes!#end"#, r#"{}"#, r#" yes!"#),
    case("test_string_index_of", 1, r#"#set($foo = 'something') $foo.indexOf('e')"#, r#"{}"#, r#" 3"#),
    case("test_string_substring", 1, r#"#set($foo = 'something') $foo.substring(3, 6)"#, r#"{}"#, r#" eth"#),
    case("test_dict_put_item", 1, r#"#set( $ignore = $test_dict.put('k', 'new value') )$ignore - $test_dict.k"#, r#"{"test_dict": {"k": "initial value"}}"#, r#"initial value - new value"#),
    case("test_dict_assign_item_via_brackets", 1, r#"#set($test_dict = {} )#set($key = 'bar')#set( $test_dict[$key] = 'foo' )$test_dict.toString()"#, r#"{}"#, r#"{bar=foo}"#),
    case("test_dict_assign_quoted_item_via_brackets", 1, r#"#set($test_dict = {} )#set($key = 'bar')#set( $test_dict["$key"] = 'foo' )$test_dict.toString()"#, r#"{}"#, r#"{bar=foo}"#),
    case("test_dict_assign_nested_items_via_brackets", 1, r#"#set($test_dict = {} )#set($key = 'bar')#set( $test_dict["$key"] = {} )#set($test_dict["$key"].nested = "foo")$test_dict.bar["nested"]"#, r#"{}"#, r#"foo"#),
    case("test_dict_assign_var_not_found", 1, r#"#set($test_dict = {})#set($test_dict["$key"] = "foo")$test_dict.toString()"#, r#"{}"#, r#"{=foo}"#),
    case("test_array_assign_item_via_brackets", 1, r#"#set($test_array = ['one', 'two', 'three'] )#set($i = 1)#set( $test_array[$i] = 'foo' )#foreach ($item in $test_array)$item#end"#, r#"{}"#, r#"onefoothree"#),
    case("test_array_set_item", 1, r#"#set($test_array = ['one', 'two', 'three'] )$test_array.set(1, 'foo')#foreach ($item in $test_array)$item#end"#, r#"{}"#, r#"twoonefoothree"#),
    norm("test_put_null_in_map", 1, "\n            #set( $myMap = {} )\n            #set($ignore = $myMap.put('k', null))\n            #if(\"$myMap.k\" == \"\")\n                \"does-not-have-value\"\n            #else\n                \"has-value\"\n            #end\n        ", r#"{}"#, r#""does-not-have-value""#),
    case("test_dict_putall_items", 1, r#"#set( $ignore = $test_dict.putAll({'k1': 'v3', 'k2': 'v2'}))$test_dict.k1 - $test_dict.k2"#, r#"{"test_dict": {"k1": "v1"}}"#, r#"v3 - v2"#),
    case("test_multiline_dict_in_set_statement", 1, "\n        #set( $myObject = {\n          \"userId\": \"user1\",\n          \"domain\": \"domain1\"\n        } )\n        {\n          \"operation\": \"PutItem\",\n          \"key\": \"$myObject.userId\",\n          \"domain\": \"$myObject.domain\"\n        }\n        ", r#"{"test_dict": {"k1": "v1"}}"#, "\n                {\n          \"operation\": \"PutItem\",\n          \"key\": \"user1\",\n          \"domain\": \"domain1\"\n        }\n        "),
    case("test_dict_to_string", 1, r#"#set( $myObject = {'k1': 'v1', 'k2': 'v2'} )$myObject.toString()"#, r#"{}"#, r#"{k1=v1, k2=v2}"#),
    case("test_string_matches_true", 1, r#"#set( $myString = '123456789' )$myString.matches( '[0-9]*' )"#, r#"{}"#, r#"true"#),
    case("test_string_matches_false", 1, r#"#set( $myString = 'd123' )$myString.matches( '[0-9]*' )"#, r#"{}"#, r#"false"#),
    case("test_string_matches_full_date", 1, r#"#set( $myString = '2020-01-20T08:00:00.000Z' )$myString.matches('^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$')"#, r#"{}"#, r#"true"#),
    case("test_string_matches_full_date", 2, r#"#set( $myString = "2020-01-20T08:00:00.000Z" )$myString.matches("^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$")"#, r#"{}"#, r#"true"#),
    case("test_string_with_escaped_char", 1, "#set( $myString = '\\{\n\t\r\\%\u{5}' )$myString", r#"{}"#, "\\{\n\t\r\\%\u{5}"),
    case("test_string_with_escaped_char", 2, "#set( $myString = \"\\{\n\t\r\\%\u{5}\" )$myString", r#"{}"#, "\\{\n\t\r\\%\u{5}"),
    case("test_string_with_escaped_char", 3, "'\\{\n\t\r\\%\u{5}'", r#"{}"#, "'\\{\n\t\r\\%\u{5}'"),
    case("test_string_with_escaped_char", 4, "\"\\{\n\t\r\\%\u{5}\"", r#"{}"#, "\"\\{\n\t\r\\%\u{5}\""),
    case("test_floating_point_starting_with_decimal", 1, r#"#set($x = .5*.1)$x"#, r#"{}"#, r#"0.05"#),
    case("test_macro_whitespace_and_newlines_ignored", 1, "\n#macro ( blah )\nhello##\n#end\n#blah()", r#"{}"#, "\n#blah()"),
    case("test_recursive_macro", 1, r#"#macro ( recur $number)#if ($number > 0)#set($number = $number - 1)#recur($number)X#end#end#recur(5)"#, r#"{}"#, r#"#recur(5)"#),
    case("test_local_namespace_methods_are_not_available_in_context", 1, r#"#macro(tryme)$values#end#tryme()"#, r#"{}"#, r#"#tryme()"#),
    case("test_evaluate_directive", 1, "\n#set($source1 = \"abc\")\n#set($select = \"1\")\n#set($dynamicsource = \"$source$select\")\n## $dynamicsource is now the string '$source1'\n#evaluate($dynamicsource)", r#"{}"#, "\n#evaluate($dynamicsource)"),
    case("test_return_macro", 1, r#"#set($v1 = {})#set($ignore = $v1.put('foo', 'bar'))#return($v1)"#, r#"{}"#, r#"#return($v1)"#),
];
