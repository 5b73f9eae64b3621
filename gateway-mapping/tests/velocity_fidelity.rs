//! Velocity 1.7 language fidelity, construct by construct, checked against the 1.7 sources
//! (API Gateway runs Velocity 1.7 with the departures `EngineOptions` switches), and hostile
//! input (long operator chains) that must neither overflow the stack nor run unbounded.
//!
//! Sources cited in comments:
//! - "Parser.jjt": Apache Velocity 1.7's grammar and token rules, `src/parser/Parser.jjt` at
//!   tag `1.7` of github.com/apache/velocity-engine; token names (DOLLARBANG, EMPTY_INDEX,
//!   REFINDEX, ...) and productions (`Directive()`, `IndexParameter()`, ...) are its own.
//! - "ParserTokenManager": the token manager JavaCC generated from it (same tag,
//!   `src/java/org/apache/velocity/runtime/parser/ParserTokenManager.java`): a MORE token
//!   (`$`, `$!`, `#`, `#*`, `#[[` ...) cut off by the end of input is a lexical error
//!   (`getNextToken` throws `TokenMgrError` when `readChar` fails after a MORE match).
//! - Runtime classes at the same tag, under `src/java/org/apache/velocity/runtime/`:
//!   `parser/node/ASTReference.java`, `NodeUtils.java`, `ASTSetDirective.java`,
//!   `ASTStringLiteral.java`, `ASTDirective.java`, `MathUtils.java`, `ASTDivNode.java`,
//!   `ASTModNode.java`, `directive/Foreach.java`, `Break.java`, `StopCommand.java`,
//!   `RuntimeMacro.java`, `BlockMacro.java`, `VelocimacroProxy.java`, `VelocimacroFactory.java`,
//!   `defaults/velocity.properties`.
//! - "airspeed": localstack/airspeed `tests/test_templating.py`, whose comments record what
//!   real API Gateway did with templates its snapshot could not hold (a 500 error).

use gateway_mapping::{EngineOptions, ErrorKind, Scope, Template, TemplateError, Value};

fn gw(template: &str, scope: &Scope) -> Result<String, TemplateError> {
    Template::compile(template, &EngineOptions::default())?.render(scope)
}

fn v17(template: &str, scope: &Scope) -> Result<String, TemplateError> {
    Template::compile(template, &EngineOptions::velocity_1_7())?.render(scope)
}

fn vars() -> Scope {
    let mut s = Scope::new();
    s.set("x", Value::from("X"));
    s.set("n", Value::Int(3));
    s.set(
        "list",
        Value::list(vec![Value::from("a"), Value::from("b"), Value::from("c")]),
    );
    s
}

/// Renders `template` in both modes and expects `want` from each.
fn both(template: &str, want: &str) {
    let s = vars();
    assert_eq!(
        gw(template, &s).as_deref(),
        Ok(want),
        "{template:?} (API Gateway)"
    );
    assert_eq!(v17(template, &s).as_deref(), Ok(want), "{template:?} (1.7)");
}

/// The compile error of `template` under the default options.
fn compile_err(template: &str) -> TemplateError {
    match Template::compile(template, &EngineOptions::default()) {
        Ok(_) => panic!("{template:?} compiled, expected an error"),
        Err(e) => e,
    }
}

/// The render error of `template` (which must compile) under `options`.
fn render_err(template: &str, options: &EngineOptions) -> TemplateError {
    let t = match Template::compile(template, options) {
        Ok(t) => t,
        Err(e) => panic!("{template:?} did not compile: {e}"),
    };
    match t.render(&vars()) {
        Ok(out) => panic!("{template:?} rendered {out:?}, expected an error"),
        Err(e) => e,
    }
}

/// Runs `f` on a thread with a 2 MiB stack (the default for spawned threads), so a test
/// fails by overflowing the stack if the engine recurses once per operator.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn a test thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

// ----- 8. hostile input: long operator chains -----

/// `#set($x = a op a op ... a)` with `terms` operands, then `$x`.
fn chain(term: &str, op: &str, terms: usize) -> String {
    let mut s = String::from("#set($x = ");
    for i in 0..terms {
        if i > 0 {
            s.push_str(op);
        }
        s.push_str(term);
    }
    s.push_str(")$x");
    s
}

#[test]
fn long_operator_chains_compile_render_print_and_drop_on_a_small_stack() {
    on_small_stack(|| {
        let s = vars();
        // 100,000 terms: a left-deep tree of this size overflows a 2 MiB stack when evaluated,
        // cloned, printed with `{:?}` or dropped recursively.
        let cases: [(&str, &str, usize, &str); 7] = [
            ("1", "+", 100_000, "100000"),
            ("1", " * ", 20_000, "1"),
            ("true", " && ", 20_000, "true"),
            ("false", " || ", 20_000, "false"),
            ("1", " == ", 20_000, "false"),
            ("'a'", " + ", 20_000, ""),
            ("$n", " - ", 20_000, "-59994"),
        ];
        for (term, op, terms, want) in cases {
            let src = chain(term, op, terms);
            let t = Template::compile(&src, &EngineOptions::default())
                .unwrap_or_else(|e| panic!("{term}{op}... x{terms}: {e}"));
            let out = t
                .render(&s)
                .unwrap_or_else(|e| panic!("{term}{op}...: {e}"));
            if term == "'a'" {
                assert_eq!(out.len(), terms, "string + chain");
            } else {
                assert_eq!(out, want, "{term}{op}... x{terms}");
            }
            let copy = t.clone();
            assert!(format!("{copy:?}").len() > terms);
            drop(copy);
            drop(t);
        }
        // Mixed precedence levels: `1 + 2 * 3 == 7 && ...` repeated.
        let mut src = String::from("#if(");
        for i in 0..10_000 {
            if i > 0 {
                src.push_str(" && ");
            }
            src.push_str("1 + 2 * 3 == 7");
        }
        src.push_str(")yes#end");
        assert_eq!(gw(&src, &s).as_deref(), Ok("yes"));
    });
}

#[test]
fn deep_nesting_is_a_typed_limit_error_not_a_stack_overflow() {
    on_small_stack(|| {
        for (open, close) in [("(", ")"), ("[", "]"), ("!", ""), ("{'a':", "}")] {
            let src = format!(
                "#set($x = {}1{})",
                open.repeat(20_000),
                close.repeat(20_000)
            );
            let e = compile_err(&src);
            assert_eq!(e.kind(), ErrorKind::Limit, "{open}...: {e}");
            assert!(e.message().contains("64"), "names the limit: {e}");
        }
    });
}

#[test]
fn a_long_chain_is_charged_against_the_render_step_limit() {
    // One step per operator: a loop re-evaluating a long chain stops at the step limit.
    let mut opts = EngineOptions::default();
    opts.max_render_steps = 50_000;
    let src = format!("#foreach($i in [1..100]){}#end", chain("1", "+", 1_000));
    let e = render_err(&src, &opts);
    assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
}
