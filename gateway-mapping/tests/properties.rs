//! Properties of the template engine that hold for every input.

use gateway_mapping::{EngineOptions, Scope, Template, Value};
use proptest::prelude::*;

/// Pieces of VTL (and of text around it) that random templates are built from, so that the
/// generated inputs reach directives, references, literals, comments and escapes.
const PIECES: &[&str] = &[
    "#if(",
    "#elseif(",
    "#else",
    "#end",
    "#{end}",
    "#set(",
    "#foreach(",
    " in ",
    "#break",
    "#stop",
    "#macro(",
    "#define(",
    "#evaluate(",
    "#foo(",
    "##",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "$",
    "$!",
    "${",
    "}",
    "$a",
    "$b.c",
    "$l[0]",
    "$m.k",
    "$s.length()",
    "$foreach.index",
    "$velocityCount",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "=",
    "==",
    "!",
    "&&",
    "||",
    " and ",
    " not ",
    "..",
    ",",
    ":",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<",
    ">=",
    "1",
    "2.5",
    "-3",
    "true",
    "null",
    "\\",
    "\\\\",
    "\n",
    "\r\n",
    " ",
    "\t",
    "text",
    "é",
    "{\"k\": 1}",
];

fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

fn scope() -> Scope {
    let mut s = Scope::new();
    s.set("a", Value::Int(1));
    s.set("s", Value::from("str"));
    s.set("l", Value::list(vec![Value::Int(1), Value::from("x")]));
    let json: serde_json::Value = serde_json::json!({"k": "v", "c": [1, 2]});
    s.set("m", Value::from_json(&json));
    s.set("b", Value::from_json(&json));
    s
}

fn modes() -> [EngineOptions; 2] {
    [EngineOptions::default(), EngineOptions::velocity_1_7()]
}

/// The result of compiling and rendering, as comparable data.
fn outcome(src: &str, opts: &EngineOptions) -> Result<String, (String, u32, u32)> {
    Template::compile(src, opts)
        .and_then(|t| t.render(&scope()))
        .map_err(|e| (e.to_string(), e.line(), e.column()))
}

proptest! {
    // 256 cases by default; set PROPTEST_CASES for a longer run.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn text_without_dollar_or_hash_renders_as_itself(text in "[^$#]{0,200}") {
        for opts in modes() {
            let t = Template::compile(&text, &opts).expect("plain text compiles");
            prop_assert_eq!(t.render(&scope()).expect("plain text renders"), text.clone());
        }
    }

    #[test]
    fn any_template_compiles_and_renders_without_panicking(src in template()) {
        for opts in modes() {
            if let Err((_, line, column)) = outcome(&src, &opts) {
                // Errors point inside the source.
                prop_assert!(line >= 1 && column >= 1);
                prop_assert!(line as usize <= src.lines().count() + 1);
            }
        }
    }

    #[test]
    fn arbitrary_unicode_never_panics(src in any::<String>()) {
        for opts in modes() {
            let _ = outcome(&src, &opts);
        }
    }

    #[test]
    fn compiling_is_deterministic(src in template()) {
        for opts in modes() {
            prop_assert_eq!(outcome(&src, &opts), outcome(&src, &opts));
        }
    }

    #[test]
    fn a_compiled_template_renders_the_same_every_time(src in template()) {
        let opts = EngineOptions::default();
        if let Ok(t) = Template::compile(&src, &opts) {
            let first = t.render(&scope()).map_err(|e| e.to_string());
            let second = t.render(&scope()).map_err(|e| e.to_string());
            prop_assert_eq!(first, second);
        }
    }

    #[test]
    fn values_are_printed_never_reparsed(value in any::<String>()) {
        // A variable's value is output as is, even when it looks like VTL.
        let mut s = Scope::new();
        s.set("v", Value::from(value.as_str()));
        for opts in modes() {
            let t = Template::compile("${v}|$v|$!v", &opts).expect("compiles");
            prop_assert_eq!(t.render(&s).expect("renders"), format!("{value}|{value}|{value}"));
        }
    }

    #[test]
    fn quiet_references_to_nothing_print_nothing(name in "[a-zA-Z_][a-zA-Z0-9_]{0,10}") {
        for opts in modes() {
            let src = format!("<$!{name}><$!{{{name}}}>");
            let t = Template::compile(&src, &opts).expect("compiles");
            prop_assert_eq!(t.render(&Scope::new()).expect("renders"), "<><>");
        }
    }

    #[test]
    fn unparsed_blocks_print_their_content(text in "[^\\]]{0,100}") {
        // `#[[ ... ]]#` prints what it holds, whatever it is.
        let src = format!("#[[{text}]]#");
        let t = Template::compile(&src, &EngineOptions::default()).expect("compiles");
        prop_assert_eq!(t.render(&Scope::new()).expect("renders"), text);
    }

    #[test]
    fn set_then_print_round_trips_integers(n in any::<i32>()) {
        let src = format!("#set($x = {n})$x");
        let t = Template::compile(&src, &EngineOptions::default()).expect("compiles");
        prop_assert_eq!(t.render(&Scope::new()).expect("renders"), n.to_string());
    }

    #[test]
    fn foreach_visits_each_item_once_up_to_the_limit(len in 0usize..1_500) {
        let items: Vec<Value> = (0..len as i64).map(Value::Int).collect();
        let mut s = Scope::new();
        s.set("items", Value::list(items));
        let t = Template::compile("#foreach($i in $items)x#end", &EngineOptions::default())
            .expect("compiles");
        let out = t.render(&s).expect("renders");
        prop_assert_eq!(out.len(), len.min(gateway_mapping::limits::MAX_FOREACH_ITERATIONS));
    }

    #[test]
    fn a_loop_over_a_json_view_renders_as_over_the_converted_list(
        items in prop::collection::vec(prop_oneof![
            4 => (0i64..100).prop_map(|i| serde_json::json!({"id": i, "t": [i]})),
            1 => (0i64..100).prop_map(serde_json::Value::from),
            1 => Just(serde_json::json!([1, [2]])),
        ], 0..6),
        body in prop::collection::vec(prop::sample::select(LOOP_PIECES), 0..6),
        after in prop::sample::select(AFTER_LOOP),
    ) {
        // `$input.path('$')` hands out views over the parsed body, and a loop over one
        // takes its items one at a time, recycling those nothing else holds; `$doc` holds
        // the same body converted up front into lists and maps. Whatever the loop does with
        // its items, both must render alike.
        let body_json = serde_json::Value::Array(items);
        let text = body_json.to_string();
        let src = format!(
            "#set($l = [])#set($keep = '')#foreach($x in $a)#set($i = $foreach.index){}#end|{after}",
            body.concat()
        );
        let render = |prelude: &str, scope: &Scope| {
            Template::compile(&format!("{prelude}{src}"), &EngineOptions::default())
                .expect("compiles")
                .render(scope)
                // The preludes differ in length: compare errors without their position.
                .map_err(|e| e.to_string().split_once(": ").map(|(_, m)| m.to_owned()))
        };
        let mut views = Scope::new();
        let input = gateway_mapping::input::Input::with_json(
            gateway_mapping::input::OwnedRequest::new(text),
            std::sync::Arc::new(body_json.clone()),
        );
        views.set("input", Value::object(input));
        let mut converted = Scope::new();
        converted.set("doc", gateway_mapping::input::json_to_value(&body_json));
        prop_assert_eq!(
            render("#set($a = $input.path('$'))", &views),
            render("#set($a = $doc)", &converted),
            "{}", src
        );
    }
}

/// Loop bodies for the view property: reading, changing, keeping and re-iterating items.
const LOOP_PIECES: &[&str] = &[
    "$x.id,",
    "$x;",
    "$x.t",
    "#set($d = $x.put('p', $i))",
    "#set($x.q = 1)",
    "#set($d = $l.add($x))",
    "#set($keep = $x)",
    "#if($i == 1)#break#end",
    "#set($d = $a.add(9))",
    "#if($i == 0)#set($d = $a.remove(0))#end",
    "#foreach($y in $a)$y.id#end",
    "#set($d = $x.t.add(0))",
    "#if($foreach.hasNext)+#end",
    "#set($x = 'gone')",
];

/// What is printed after the loop.
const AFTER_LOOP: &[&str] = &[
    "$a",
    "$l",
    "$keep",
    "$a[0] $a.size()",
    "#foreach($x in $a)$x.q/#end",
    "#foreach($x in $a)#foreach($y in $a)$y.p#end#end",
];
