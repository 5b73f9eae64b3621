//! Literal arguments compiled with their template: the JSONPath of `$input.json('$.a')` and
//! `$input.path('$.a')`, the regular expression of `.matches('...')`, `.replaceAll('...', x)`,
//! `.replaceFirst('...', x)` and `.split('...')`. Each is compiled once, when the template
//! is, and shared (`Send + Sync`) by every render on every thread. A literal that does not
//! compile is left out: the call then compiles it and fails as any other argument would,
//! with the same message, at render.

use crate::ast::{Access, Block, Expr, Node, Program, Reference};
use crate::java::regex::Pattern;
use crate::jsonpath::JsonPath;

/// One compiled literal argument.
pub enum Literal {
    /// A regular expression; `whole` when anchored at both ends (`String.matches`).
    Pattern {
        /// The compiled pattern.
        pattern: Box<Pattern>,
        /// Anchored at both ends.
        whole: bool,
    },
    /// A JSONPath.
    Path(JsonPath),
}

impl Literal {
    /// The pattern, when this is one compiled as `whole` asks.
    pub(crate) fn pattern(&self, whole: bool) -> Option<&Pattern> {
        match self {
            Literal::Pattern { pattern, whole: w } if *w == whole => Some(pattern),
            _ => None,
        }
    }

    /// The JSONPath, when this is one.
    pub(crate) fn path(&self) -> Option<&JsonPath> {
        match self {
            Literal::Path(p) => Some(p),
            Literal::Pattern { .. } => None,
        }
    }
}

/// A template's compiled literal arguments, by string-literal number.
#[derive(Default)]
pub(crate) struct Literals {
    by_id: Vec<Option<Literal>>,
}

impl std::fmt::Debug for Literals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.by_id.iter().filter(|l| l.is_some()).count();
        write!(f, "Literals({n} compiled)")
    }
}

impl Literals {
    /// Compiles every literal argument of `prog` that a known method takes as a pattern or
    /// a path. The walk follows the tree, whose depth the parser bounds.
    pub(crate) fn compile(prog: &Program) -> Literals {
        let mut l = Literals { by_id: Vec::new() };
        l.block(&prog.root);
        for b in &prog.defines {
            l.block(b);
        }
        for m in &prog.macros {
            l.block(&m.body);
        }
        l
    }

    /// The compiled form of a call's first argument, when it is a compiled literal.
    #[inline]
    pub(crate) fn first_arg(&self, args: &[Expr]) -> Option<&Literal> {
        match args.first() {
            Some(Expr::Str(_, id)) => self.by_id.get(*id as usize)?.as_ref(),
            _ => None,
        }
    }

    fn block(&mut self, block: &Block) {
        for node in block {
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Text(..) | Node::Stop(_) | Node::Define { .. } => {}
            Node::Ref(r) | Node::EscapedRef { reference: r, .. } => self.reference(r),
            Node::Set { target, value, .. } => {
                self.reference(target);
                self.expr(value);
            }
            Node::If {
                branches,
                otherwise,
                ..
            } => {
                for (cond, body) in branches {
                    self.expr(cond);
                    self.block(body);
                }
                if let Some(b) = otherwise {
                    self.block(b);
                }
            }
            Node::Foreach { iterable, body, .. } => {
                self.expr(iterable);
                self.block(body);
            }
            Node::Break { scope, .. } => {
                if let Some(e) = scope {
                    self.expr(e);
                }
            }
            Node::MacroCall { args, .. } => args.iter().for_each(|a| self.expr(a)),
            Node::Evaluate { arg, .. } => self.expr(arg),
        }
    }

    fn reference(&mut self, r: &Reference) {
        for access in &r.chain {
            match access {
                Access::Property(_) => {}
                Access::Index(e) => self.expr(e),
                Access::Method(name, args) => {
                    self.method(name, args);
                    args.iter().for_each(|a| self.expr(a));
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::Str(..) => {}
            Expr::Interpolated(b) => self.block(b),
            Expr::Ref(r) => self.reference(r),
            Expr::List(items) => items.iter().for_each(|i| self.expr(i)),
            Expr::Map(entries) => {
                for (k, v) in entries {
                    self.expr(k);
                    self.expr(v);
                }
            }
            Expr::Range(a, b, _) => {
                self.expr(a);
                self.expr(b);
            }
            Expr::Not(x) => self.expr(x),
            Expr::Chain(first, rest) => {
                self.expr(first);
                rest.iter().for_each(|(_, r, _)| self.expr(r));
            }
        }
    }

    /// `.name(args)`: compiles a literal first argument the method takes as a pattern or a
    /// path.
    fn method(&mut self, name: &str, args: &[Expr]) {
        let Some(Expr::Str(text, id)) = args.first() else {
            return;
        };
        let compiled = match (name, args.len()) {
            ("matches", 1) => Pattern::compile(text, true)
                .ok()
                .map(|pattern| Literal::Pattern {
                    pattern: Box::new(pattern),
                    whole: true,
                }),
            ("replaceAll" | "replaceFirst", 2) | ("split", 1 | 2) => Pattern::compile(text, false)
                .ok()
                .map(|pattern| Literal::Pattern {
                    pattern: Box::new(pattern),
                    whole: false,
                }),
            ("json" | "path", 1) => JsonPath::compile(text).ok().map(Literal::Path),
            _ => None,
        };
        if let Some(c) = compiled {
            let i = *id as usize;
            if self.by_id.len() <= i {
                self.by_id.resize_with(i + 1, || None);
            }
            self.by_id[i] = Some(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_literals_are_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Literals>();
    }

    #[test]
    fn literal_patterns_and_paths_are_compiled_and_others_are_not() {
        let prog = crate::parser::parse(
            "$s.matches('a+') $s.split(',') $input.json('$.a') $s.replaceAll($p, 'x') \
             $s.matches('(') $s.substring('1')",
            64,
        )
        .expect("parses");
        let l = Literals::compile(&prog);
        let kinds: Vec<&str> = l
            .by_id
            .iter()
            .map(|c| match c {
                Some(Literal::Pattern { whole: true, .. }) => "whole",
                Some(Literal::Pattern { whole: false, .. }) => "search",
                Some(Literal::Path(_)) => "path",
                None => "-",
            })
            .collect();
        // 'x' (not first), '(' (invalid: fails at render as before) and '1' stay plain.
        assert_eq!(kinds, ["whole", "search", "path"]);
    }
}
