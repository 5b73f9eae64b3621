//! The parser: template text to [`Program`](crate::ast::Program), following the grammar
//! and token rules of Apache Velocity 1.7 (`Parser.jj`): text, references with their
//! escapes, directives with the whitespace each one swallows, and directive expressions.
//!
//! Variable names are resolved to slots here, so the tree is ready to render.

use std::collections::HashMap;

use crate::ast::{Access, BinOp, Block, Expr, MacroDef, Node, Pos, Program, Reference, Root, Slot};
use crate::error::{ErrorKind, TemplateError};
use crate::lexer::{Cursor, is_ident_char, is_ident_start, is_word_char, is_word_start};

/// Directive names Velocity 1.7 knows; an escaped `\#name` of one of these drops a backslash.
const DIRECTIVES: &[&str] = &[
    "if", "else", "elseif", "end", "set", "foreach", "include", "parse", "macro", "literal",
    "evaluate", "break", "define", "stop",
];

/// The name a block macro's body has inside the macro (Velocity 1.7's default
/// `velocimacro.body.reference`).
pub(crate) const BODY_CONTENT: &str = "bodyContent";

/// Parses a whole template.
pub(crate) fn parse(src: &str, max_depth: usize) -> Result<Program, TemplateError> {
    let mut ctx = Ctx {
        max_depth,
        ..Ctx::default()
    };
    let root = {
        let mut p = Parser {
            cur: Cursor::new(src, Pos { line: 1, col: 1 }),
            ctx: &mut ctx,
            cut_is_error: true,
        };
        let (block, end) = p.block()?;
        match end {
            End::Eof => block,
            End::End(pos) => {
                return Err(syntax(
                    pos,
                    "#end without a matching #if, #foreach, #define or #macro",
                ));
            }
            End::Else(pos) => return Err(syntax(pos, "#else without a matching #if")),
            End::ElseIf(_, pos) => return Err(syntax(pos, "#elseif without a matching #if")),
        }
    };
    Ok(Program {
        root,
        names: ctx.names,
        defines: ctx.defines,
        macros: ctx.macros,
    })
}

/// One precedence level's operands: the first alone, or a flat [`Expr::Chain`].
fn chain(first: Expr, rest: Vec<(BinOp, Expr, Pos)>) -> Expr {
    if rest.is_empty() {
        first
    } else {
        Expr::Chain(Box::new(first), rest)
    }
}

fn syntax(pos: Pos, msg: impl Into<String>) -> TemplateError {
    TemplateError::new(ErrorKind::Syntax, msg, pos.line, pos.col)
}

/// What is shared by the parser of a template and those of the strings inside it.
#[derive(Default)]
struct Ctx {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, Slot>,
    defines: Vec<Block>,
    macros: Vec<MacroDef>,
    /// String literals numbered so far.
    strings: u32,
    depth: usize,
    max_depth: usize,
}

/// How a block ended.
#[allow(clippy::enum_variant_names)]
enum End {
    Eof,
    End(Pos),
    Else(Pos),
    ElseIf(Expr, Pos),
}

struct Parser<'s, 'c> {
    cur: Cursor<'s>,
    ctx: &'c mut Ctx,
    /// Whether a `$`, `$!`, `#` or `#*` cut off by the end of the text is a syntax error: in
    /// Velocity 1.7 each is a MORE token, and a MORE token at the end of input is a lexical
    /// error (ParserTokenManager.getNextToken); API Gateway answers "Hello $" with a 500
    /// (airspeed test_dollar_left_untouched, comment).
    cut_is_error: bool,
}

/// One argument of a directive, as `Directive()` in Velocity 1.7's Parser.jjt takes it.
struct DirArg {
    expr: Expr,
    /// A bare word (`in`), which most directives refuse.
    word: bool,
    pos: Pos,
}

/// Text collected between nodes, merged into one `Node::Text`.
#[derive(Default)]
struct Out {
    block: Block,
    text: String,
    /// Where the pending text starts.
    text_pos: Pos,
}

impl Out {
    /// Appends text that starts at `pos` in the source.
    fn text(&mut self, s: &str, pos: Pos) {
        if self.text.is_empty() {
            self.text_pos = pos;
        }
        self.text.push_str(s);
    }
    fn node(&mut self, n: Node) {
        self.flush();
        self.block.push(n);
    }
    fn flush(&mut self) {
        if !self.text.is_empty() {
            let t = std::mem::take(&mut self.text);
            self.block
                .push(Node::Text(t.into_boxed_str(), self.text_pos));
        }
    }
    fn finish(mut self) -> Block {
        self.flush();
        self.block
    }
}

impl<'s> Parser<'s, '_> {
    fn err(&self, msg: impl Into<String>) -> TemplateError {
        syntax(self.cur.here(), msg)
    }

    fn enter(&mut self) -> Result<(), TemplateError> {
        self.ctx.depth += 1;
        if self.ctx.depth > self.ctx.max_depth {
            let pos = self.cur.here();
            return Err(TemplateError::new(
                ErrorKind::Limit,
                format!("nesting deeper than the limit of {}", self.ctx.max_depth),
                pos.line,
                pos.col,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.ctx.depth = self.ctx.depth.saturating_sub(1);
    }

    fn slot(&mut self, name: &str) -> Slot {
        if let Some(&s) = self.ctx.index.get(name) {
            return s;
        }
        let s = self.ctx.names.len() as Slot;
        self.ctx.names.push(name.into());
        self.ctx.index.insert(name.into(), s);
        s
    }

    fn is_macro(&self, name: &str) -> bool {
        self.ctx.macros.iter().any(|m| &*m.name == name)
    }

    /// Statements up to the end of input or a `#end` / `#else` / `#elseif`.
    fn block(&mut self) -> Result<(Block, End), TemplateError> {
        self.enter()?;
        let r = self.block_inner();
        self.leave();
        r
    }

    fn block_inner(&mut self) -> Result<(Block, End), TemplateError> {
        let mut out = Out::default();
        loop {
            let Some(b) = self.cur.peek_byte() else {
                return Ok((out.finish(), End::Eof));
            };
            match b {
                b' ' | b'\t' => {
                    if let Some(n) = self.cur.set_directive_len() {
                        let pos = self.here_after_blanks();
                        self.cur.advance(n);
                        let node = self.set_directive(pos)?;
                        out.node(node);
                    } else {
                        let pos = self.cur.here();
                        let t = self.cur.take_text();
                        out.text(t, pos);
                    }
                }
                b'$' => self.dollar(0, &mut out)?,
                b'\\' => self.backslashes(&mut out)?,
                b'#' => {
                    if let Some(end) = self.hash(&mut out)? {
                        return Ok((out.finish(), end));
                    }
                }
                _ => {
                    let pos = self.cur.here();
                    let t = self.cur.take_text();
                    out.text(t, pos);
                }
            }
        }
    }

    fn here_after_blanks(&self) -> Pos {
        let mut c = self.cur.clone();
        c.take_while(|b| b == b' ' || b == b'\t');
        c.here()
    }

    /// Backslashes before `$`, `#` or anything else.
    fn backslashes(&mut self, out: &mut Out) -> Result<(), TemplateError> {
        let pos = self.cur.here();
        let start = self.cur.offset();
        let k = self.cur.take_while(|b| b == b'\\').len();
        match self.cur.peek_byte() {
            Some(b'$') => self.dollar(k as u32, out),
            Some(b'#') => {
                let word = self.word_after_hash();
                match word {
                    Some((name, len)) if k % 2 == 1 => {
                        // ESCAPE_DIRECTIVE: `\#if` prints `#if` for a known directive or
                        // macro, and itself otherwise.
                        let known = DIRECTIVES.contains(&name) || self.is_macro(name);
                        self.cur.advance(len);
                        let image = self.cur.slice(start, self.cur.offset());
                        if known {
                            for _ in 0..(k - 1) / 2 {
                                out.text("\\", pos);
                            }
                            out.text(&image[k..], pos);
                        } else {
                            out.text(image, pos);
                        }
                    }
                    Some((name, _)) => {
                        // Pairs of backslashes before a directive: each pair prints one.
                        let control =
                            DIRECTIVES.contains(&name) && name != "set" || self.is_macro(name);
                        let n = if control { k / 2 } else { k };
                        for _ in 0..n {
                            out.text("\\", pos);
                        }
                    }
                    None => {
                        for _ in 0..k {
                            out.text("\\", pos);
                        }
                    }
                }
                Ok(())
            }
            _ => {
                for _ in 0..k {
                    out.text("\\", pos);
                }
                Ok(())
            }
        }
    }

    /// The directive word after a `#` here (`#word` or `#{word}`), and the byte length of
    /// `#word` / `#{word}`.
    fn word_after_hash(&self) -> Option<(&'s str, usize)> {
        let rest = self.cur.rest();
        let b = rest.as_bytes();
        if b.len() < 2 || b[0] != b'#' {
            return None;
        }
        if is_word_start(b[1]) {
            let mut i = 2;
            while i < b.len() && is_word_char(b[i]) {
                i += 1;
            }
            return Some((&rest[1..i], i));
        }
        if b[1] == b'{' && b.len() > 2 && (b[2].is_ascii_alphabetic() || b[2] == b'_') {
            let mut i = 3;
            while i < b.len() && is_word_char(b[i]) {
                i += 1;
            }
            if i < b.len() && b[i] == b'}' {
                return Some((&rest[2..i], i + 1));
            }
        }
        None
    }

    /// A `$` in text, after `backslashes` backslashes.
    fn dollar(&mut self, backslashes: u32, out: &mut Out) -> Result<(), TemplateError> {
        let pos = self.cur.here();
        match self.reference()? {
            Some(r) => {
                if backslashes == 0 {
                    out.node(Node::Ref(Box::new(r)));
                } else {
                    out.node(Node::EscapedRef {
                        backslashes,
                        reference: Box::new(r),
                    });
                }
            }
            None => {
                for _ in 0..backslashes {
                    out.text("\\", pos);
                }
                self.not_a_reference(pos, out)?;
            }
        }
        Ok(())
    }

    /// At a `$` that starts no reference: what Velocity 1.7 prints. `$` and `$!` (with any
    /// backslashes between them, DOLLARBANG) are MORE tokens: when a character that cannot
    /// continue a reference follows, they become a special token of which only the `$` is
    /// printed (NodeUtils.getSpecialText prints only `$`, `#` and `\...$` of it), so `$!!x`
    /// prints `$!x` and `$! ` prints `$ `. `$[`, `$![` and `$.` are the EMPTY_INDEX token,
    /// printed whole, and `${` / `$!{` the LCURLY token, printed whole. `$\!name` is not a
    /// reference at all: it prints with one backslash fewer (ASTReference.getRoot, the
    /// "slashbang" case), and the links after the name are dropped, as 1.7 prints only the
    /// first token's text.
    fn not_a_reference(&mut self, pos: Pos, out: &mut Out) -> Result<(), TemplateError> {
        let b = self.cur.rest().as_bytes();
        // `$`, then backslashes, then `!`?
        let slashes = b[1..].iter().take_while(|&&c| c == b'\\').count();
        let bang = b.get(1 + slashes) == Some(&b'!');
        if !bang {
            // A lone `$` (backslashes after it are text of their own).
            if b.len() == 1 {
                return self.cut_off(pos, "`$`", out);
            }
            self.cur.bump();
            out.text("$", pos);
            return Ok(());
        }
        let after = b.get(2 + slashes).copied();
        match after {
            None => self.cut_off(pos, "`$!`", out),
            Some(c) if slashes > 0 && is_ident_start(c) => {
                // The slashbang: `$\!name` prints `$!name`, `$\\!name` prints `$\!name`.
                let start = self.cur.offset();
                self.cur.advance(2 + slashes);
                self.cur.take_while(is_ident_char);
                let image = self.cur.slice(start, self.cur.offset());
                out.text("$", pos);
                out.text(&image[1..slashes], pos);
                out.text(&image[1 + slashes..], pos);
                // The rest of the reference is parsed (1.7 parses it) but not printed.
                let _ = self.chain()?;
                Ok(())
            }
            Some(b'{')
                if slashes > 0 && b.get(3 + slashes).copied().is_some_and(is_ident_start) =>
            {
                // The formal slashbang `$\!{name}`: its first token is `$\!{`, the only text
                // printed (`$!{`); the name, links and `}` are parsed and dropped.
                let start = self.cur.offset();
                self.cur.advance(3 + slashes);
                let image = self.cur.slice(start, self.cur.offset());
                out.text("$", pos);
                out.text(&image[1..slashes], pos);
                out.text("!{", pos);
                self.cur.take_while(is_ident_char);
                let _ = self.chain()?;
                if !self.cur.eat("}") {
                    return Err(self.err("expected `}` to close the reference"));
                }
                Ok(())
            }
            Some(b'[') if slashes == 0 => {
                self.cur.advance(3);
                out.text("$![", pos);
                Ok(())
            }
            Some(b'{' | b'$') if slashes == 0 => {
                // `$!{` not followed by a name is text; `$!$x` prints `$!` before `$x`
                // (ASTReference.getRoot keeps what precedes the last `$` as a prefix).
                self.cur.advance(2);
                out.text("$!", pos);
                Ok(())
            }
            Some(_) => {
                // The `!` (and any backslashes before it) is dropped.
                self.cur.advance(2 + slashes);
                out.text("$", pos);
                Ok(())
            }
        }
    }

    /// A MORE token (`what`) cut off by the end of the text: a syntax error at the top level,
    /// text in a string (see [`Parser::cut_is_error`]).
    fn cut_off(&mut self, pos: Pos, what: &str, out: &mut Out) -> Result<(), TemplateError> {
        if self.cut_is_error {
            return Err(syntax(
                pos,
                format!(
                    "the template ends in the middle of a token: {what} at the very end is a \
                     lexical error in Velocity 1.7 (API Gateway answers it with an error)"
                ),
            ));
        }
        // In a string the added space follows: `$` and `$!` print `$`, `#` prints `#`, and
        // `#*` opens a comment that takes the space.
        let printed = match what {
            "`$`" | "`$!`" => "$",
            "`#`" => "#",
            _ => "",
        };
        out.text(printed, pos);
        self.cur.advance(self.cur.rest().len());
        Ok(())
    }

    /// A reference at `$`; `None` (nothing consumed) when `$` does not start one.
    fn reference(&mut self) -> Result<Option<Reference>, TemplateError> {
        let pos = self.cur.here();
        let start = self.cur.offset();
        let save = self.cur.clone();
        self.cur.bump(); // $
        let silent = self.cur.eat("!");
        let formal = self.cur.eat("{");
        if !self.cur.peek_byte().is_some_and(is_ident_start) {
            self.cur = save;
            return Ok(None);
        }
        let name = self.cur.take_while(is_ident_char);
        let slot = self.slot(name);
        let root = match name {
            "foreach" => Root::Foreach(slot),
            "velocityCount" => Root::VelocityCount(slot),
            "velocityHasNext" => Root::VelocityHasNext(slot),
            _ => Root::Var(slot),
        };
        let chain = self.chain()?;
        if formal && !self.cur.eat("}") {
            return Err(self.err(format!(
                "expected `}}` to close the reference `${{{name}` started at line {}, column {}",
                pos.line, pos.col
            )));
        }
        let source = self.cur.slice(start, self.cur.offset()).into();
        Ok(Some(Reference {
            root,
            chain,
            silent,
            source,
            pos,
        }))
    }

    /// `.prop`, `.method(args)` and `[index]` links after a reference's root.
    fn chain(&mut self) -> Result<Vec<Access>, TemplateError> {
        let mut chain = Vec::new();
        loop {
            match self.cur.peek_byte() {
                Some(b'[') => {
                    // Velocity 1.7: a `[` right after a reference is always INDEX_LBRACKET
                    // (it is declared before REFERENCE_TERMINATOR), so it opens an index
                    // whatever follows; `Index()` takes one IndexParameter: a string, an
                    // integer, `true`, `false` or a reference, with optional whitespace.
                    // Anything else has no token in the REFINDEX state or no production:
                    // a lexical or parse error, never text.
                    let open = self.cur.here();
                    self.cur.bump();
                    let e = self.index_parameter(open)?;
                    chain.push(Access::Index(e));
                }
                Some(b'.')
                    if self
                        .cur
                        .peek_byte_at(1)
                        .is_some_and(|b| b.is_ascii_alphabetic()) =>
                {
                    self.cur.bump();
                    let name = self.cur.take_while(is_ident_char);
                    if self.cur.peek_byte() == Some(b'(') {
                        let args = self.args(name)?;
                        chain.push(Access::Method(name.into(), args));
                    } else {
                        chain.push(Access::Property(name.into()));
                    }
                }
                _ => break,
            }
        }
        Ok(chain)
    }

    /// After `[` of an index: Velocity 1.7's `IndexParameter()` and the closing `]`.
    fn index_parameter(&mut self, open: Pos) -> Result<Expr, TemplateError> {
        self.cur.skip_ws();
        let pos = self.cur.here();
        let e = match self.cur.peek_byte() {
            Some(b'"' | b'\'') => self.string_literal()?,
            Some(b'$') => match self.reference()? {
                Some(r) => Expr::Ref(Box::new(r)),
                None => return Err(self.bad_index(open)),
            },
            Some(b'-' | b'0'..=b'9') => match self.number()? {
                e @ Expr::Int(_) => e,
                _ => {
                    return Err(syntax(
                        pos,
                        "an index in brackets cannot be a decimal number \
                    (Velocity 1.7 takes a string, an integer, true, false or a reference)",
                    ));
                }
            },
            Some(b't' | b'f') => {
                let word = self.cur.take_while(is_word_char);
                match word {
                    "true" => Expr::Bool(true),
                    "false" => Expr::Bool(false),
                    _ => return Err(self.bad_index(open)),
                }
            }
            _ => return Err(self.bad_index(open)),
        };
        self.cur.skip_ws();
        if !self.cur.eat("]") {
            return Err(self.bad_index(open));
        }
        Ok(e)
    }

    fn bad_index(&self, open: Pos) -> TemplateError {
        self.err(format!(
            "the index opened by `[` at line {}, column {} must be a string, an integer, \
             true, false or a reference, then `]` (Velocity 1.7 IndexParameter)",
            open.line, open.col
        ))
    }

    /// `(arg, arg)` of a method call.
    fn args(&mut self, name: &str) -> Result<Vec<Expr>, TemplateError> {
        let open = self.cur.here();
        self.cur.bump(); // (
        let mut args = Vec::new();
        self.cur.skip_ws();
        if self.cur.eat(")") {
            return Ok(args);
        }
        loop {
            self.cur.skip_ws();
            args.push(self.expr()?);
            self.cur.skip_ws();
            if self.cur.eat(",") {
                continue;
            }
            if self.cur.eat(")") {
                return Ok(args);
            }
            return Err(self.err(format!(
                "expected `,` or `)` in the arguments of `.{name}(` opened at line {}, column {}",
                open.line, open.col
            )));
        }
    }

    /// At `#`: a comment, an unparsed block, a directive, or plain `#`. Returns how the
    /// enclosing block ends when this is `#end`, `#else` or `#elseif`.
    fn hash(&mut self, out: &mut Out) -> Result<Option<End>, TemplateError> {
        let pos = self.cur.here();
        let start = self.cur.offset();
        if self.cur.starts_with("##") {
            // Line comment: everything up to and including the line break.
            while let Some(c) = self.cur.bump() {
                if c == '\n' {
                    break;
                }
                if c == '\r' {
                    self.cur.eat("\n");
                    break;
                }
            }
            return Ok(None);
        }
        if self.cur.starts_with("#*") {
            // Velocity 1.7: `#*` is a MORE token that switches to IN_MULTI_LINE_COMMENT, where
            // every character is skipped up to `*#`. Without `*#` the comment runs to the end
            // of the template, silently (the end of input there is a plain EOF token); only a
            // `#*` with nothing after it is cut off (ParserTokenManager, a MORE at the end).
            if self.cur.rest().len() == 2 {
                self.cut_off(pos, "`#*`", out)?;
                return Ok(None);
            }
            self.cur.advance(2);
            let skip = self
                .cur
                .rest()
                .find("*#")
                .map_or(self.cur.rest().len(), |i| i + 2);
            self.cur.advance(skip);
            return Ok(None);
        }
        if self.cur.starts_with("#[[") {
            self.cur.advance(3);
            return match self.cur.rest().find("]]#") {
                Some(i) => {
                    out.text(&self.cur.rest()[..i], pos);
                    self.cur.advance(i + 3);
                    Ok(None)
                }
                None => Err(syntax(
                    pos,
                    "unterminated unparsed block: `#[[` without `]]#`",
                )),
            };
        }
        if let Some(n) = self.cur.set_directive_len() {
            self.cur.advance(n);
            let node = self.set_directive(pos)?;
            out.node(node);
            return Ok(None);
        }
        let Some((name, len)) = self.word_after_hash() else {
            if self.cur.rest().len() == 1 {
                // `#` is a MORE token (HASH): cut off at the end, a lexical error in 1.7
                // (airspeed TestInvalidCases test_standalone_hashes: "#" fails on AWS).
                self.cut_off(pos, "`#`", out)?;
                return Ok(None);
            }
            self.cur.bump();
            out.text("#", pos);
            return Ok(None);
        };
        self.cur.advance(len);
        match name {
            "end" => {
                self.cur.eat_line_end();
                Ok(Some(End::End(pos)))
            }
            "else" => {
                self.cur.eat_line_end();
                Ok(Some(End::Else(pos)))
            }
            "elseif" => {
                let cond = self.paren_expr("#elseif")?;
                Ok(Some(End::ElseIf(cond, pos)))
            }
            "if" => {
                let node = self.if_directive(pos)?;
                out.node(node);
                Ok(None)
            }
            "foreach" => {
                let node = self.foreach(pos)?;
                out.node(node);
                Ok(None)
            }
            "stop" | "break" => {
                let node = self.break_or_stop(name, pos)?;
                out.node(node);
                Ok(None)
            }
            "define" => {
                self.define(pos, out)?;
                Ok(None)
            }
            "macro" => {
                self.macro_def(pos)?;
                Ok(None)
            }
            "evaluate" => {
                let arg = self.paren_expr("#evaluate")?;
                let source = self.source_from(start);
                out.node(Node::Evaluate { arg, source, pos });
                Ok(None)
            }
            "include" | "parse" => Err(TemplateError::new(
                ErrorKind::Unsupported,
                format!("#{name} is not supported: API Gateway templates cannot load other files"),
                pos.line,
                pos.col,
            )),
            _ => {
                self.macro_call(name, start, pos, out)?;
                Ok(None)
            }
        }
    }

    /// Source text from `start` to here (with the line end a closing `)` swallowed).
    fn source_from(&self, start: usize) -> Box<str> {
        self.cur.slice(start, self.cur.offset()).into()
    }

    /// `(expr)` after a directive name, and the line end the `)` swallows.
    fn paren_expr(&mut self, what: &str) -> Result<Expr, TemplateError> {
        self.cur.skip_ws();
        if !self.cur.eat("(") {
            return Err(self.err(format!("expected `(` after {what}")));
        }
        self.cur.skip_ws();
        let e = self.expr()?;
        self.cur.skip_ws();
        if !self.cur.eat(")") {
            return Err(self.err(format!("expected `)` to close {what}(")));
        }
        self.cur.eat_line_end();
        Ok(e)
    }

    /// After `#set(`: `$target = expr)`.
    fn set_directive(&mut self, pos: Pos) -> Result<Node, TemplateError> {
        self.cur.skip_ws();
        if self.cur.peek_byte() != Some(b'$') {
            return Err(self.err("expected a reference (`$name`) after #set("));
        }
        let Some(mut target) = self.reference()? else {
            return Err(self.err("expected a reference (`$name`) after #set("));
        };
        if target.chain.is_empty() && (target.silent || target.source.starts_with("${")) {
            // Velocity 1.7 (ASTSetDirective.init) puts a plain target in the context under
            // its first token's text without the `$`: `{` for `${x}`, `!{` for `$!{x}`, `!x`
            // for `$!x`. No reference can name those, so the assignment is lost: `#set(${x} =
            // 1)` evaluates the value and leaves `$x` as it was. (A target with properties or
            // an index goes through ASTReference.setValue, which uses the real name.)
            let key: String = match target.source.strip_prefix("$!") {
                Some(rest) if rest.starts_with('{') => "!{".into(),
                Some(rest) => format!("!{rest}"),
                None => "{".into(),
            };
            target.root = Root::Var(self.slot(&key));
        }
        self.cur.skip_ws();
        if !self.cur.eat("=") {
            return Err(self.err("expected `=` in #set"));
        }
        self.cur.skip_ws();
        let value = self.expr()?;
        self.cur.skip_ws();
        if !self.cur.eat(")") {
            return Err(self.err("expected `)` to close #set("));
        }
        self.cur.eat_line_end();
        Ok(Node::Set {
            target: Box::new(target),
            value,
            pos,
        })
    }

    fn if_directive(&mut self, pos: Pos) -> Result<Node, TemplateError> {
        let cond = self.paren_expr("#if")?;
        let mut branches = Vec::new();
        let mut cond = cond;
        loop {
            let (body, end) = self.block()?;
            branches.push((cond, body));
            match end {
                End::End(_) => {
                    return Ok(Node::If {
                        branches,
                        otherwise: None,
                        pos,
                    });
                }
                End::ElseIf(c, _) => cond = c,
                End::Else(_) => {
                    let (body, end) = self.block()?;
                    return match end {
                        End::End(_) => Ok(Node::If {
                            branches,
                            otherwise: Some(body),
                            pos,
                        }),
                        End::Eof => Err(syntax(pos, "#if without #end")),
                        End::Else(p) => Err(syntax(p, "a second #else in the same #if")),
                        End::ElseIf(_, p) => Err(syntax(p, "#elseif after #else")),
                    };
                }
                End::Eof => return Err(syntax(pos, "#if without #end")),
            }
        }
    }

    /// The body of a block directive, which must end with `#end`.
    fn body_to_end(&mut self, what: &str, pos: Pos) -> Result<Block, TemplateError> {
        let (body, end) = self.block()?;
        match end {
            End::End(_) => Ok(body),
            End::Eof => Err(syntax(pos, format!("{what} without #end"))),
            End::Else(p) => Err(syntax(p, format!("#else inside {what}"))),
            End::ElseIf(_, p) => Err(syntax(p, format!("#elseif inside {what}"))),
        }
    }

    /// A plain `$name` (no chain), as `#foreach`, `#define` and `#macro` take.
    fn simple_var(&mut self, what: &str) -> Result<Slot, TemplateError> {
        if !self.cur.eat("$") {
            return Err(self.err(format!("expected `$name` in {what}")));
        }
        let formal = self.cur.eat("{");
        if !self.cur.peek_byte().is_some_and(is_ident_start) {
            return Err(self.err(format!("expected a variable name in {what}")));
        }
        let name = self.cur.take_while(is_ident_char);
        if formal && !self.cur.eat("}") {
            return Err(self.err(format!("expected `}}` in {what}")));
        }
        Ok(self.slot(name))
    }

    /// `#foreach(...)`, parsed as Velocity 1.7 parses it: a pluggable directive
    /// (`Directive()` in Parser.jjt) whose arguments are directive arguments separated by
    /// whitespace or commas: `#foreach($item in $list)`, `#foreach ($item, in, [1..3])`,
    /// `#{foreach}( $item in {'a': 1} )`. A bare word may only be the second argument
    /// ("if #foreach and it's the 2nd arg, ok"), and 1.7 never reads it, so `#foreach($i at
    /// $list)` loops too. The loop variable is the root name of the first argument
    /// (Foreach.init: `getRootString()`), the collection the third (Foreach.render:
    /// `jjtGetChild(2)`); later arguments are ignored. The collection is a directive argument,
    /// not an expression: `#foreach($i in $a + $b)` or `($list)` is a syntax error.
    /// Where 1.7 fails only when rendering (fewer than three arguments: an
    /// ArrayIndexOutOfBoundsException; a first argument that is not a reference), this
    /// fails when compiling.
    fn foreach(&mut self, pos: Pos) -> Result<Node, TemplateError> {
        if !self.left_paren_follows() {
            return Err(self.err("expected `(` after #foreach"));
        }
        let args = self.directive_arg_list("foreach")?;
        if let Some(a) = args.iter().enumerate().find(|(i, a)| a.word && *i != 1) {
            return Err(syntax(
                a.1.pos,
                format!(
                    "invalid argument #{} of #foreach: a bare word (only the second argument, \
                     `in`, may be one)",
                    a.0
                ),
            ));
        }
        let mut args = args.into_iter();
        let (Some(var), Some(_), Some(iterable)) = (args.next(), args.next(), args.next()) else {
            return Err(syntax(
                pos,
                "#foreach needs three arguments: #foreach($item in $collection)",
            ));
        };
        let Expr::Ref(r) = var.expr else {
            return Err(syntax(
                var.pos,
                "the first argument of #foreach must be a reference (`$item`)",
            ));
        };
        let var = r.root.slot();
        let body = self.body_to_end("#foreach", pos)?;
        Ok(Node::Foreach {
            var,
            iterable: iterable.expr,
            body,
            pos,
        })
    }

    /// `#break`, `#break($scope)`, `#stop`, `#stop($message)`: at most one argument, not a
    /// bare word (Break.init / Stop.init refuse more than one; Parser.jjt refuses a word).
    /// A `(` after the name, past whitespace and line breaks, always opens the arguments.
    fn break_or_stop(&mut self, name: &str, pos: Pos) -> Result<Node, TemplateError> {
        let mut arg = None;
        if self.left_paren_follows() {
            let mut args = self.directive_arg_list(name)?;
            if args.len() > 1 {
                return Err(syntax(pos, format!("#{name} takes at most one argument")));
            }
            if let Some(a) = args.pop() {
                if a.word {
                    return Err(syntax(
                        a.pos,
                        format!("invalid argument of #{name}: a bare word"),
                    ));
                }
                arg = Some(a.expr);
            }
        }
        Ok(if name == "stop" {
            // The message of `#stop($message)` only goes to 1.7's log.
            Node::Stop(pos)
        } else {
            Node::Break {
                scope: arg.map(Box::new),
                pos,
            }
        })
    }

    /// `( arg arg, arg )` of a directive, at the `(` (past whitespace), and the line end the
    /// `)` swallows (Velocity 1.7's RPAREN token).
    fn directive_arg_list(&mut self, name: &str) -> Result<Vec<DirArg>, TemplateError> {
        self.cur.skip_ws();
        let open = self.cur.here();
        self.cur.bump(); // (
        let mut args = Vec::new();
        loop {
            self.cur.skip_ws();
            if self.cur.eat(")") {
                break;
            }
            if self.cur.eat(",") {
                continue;
            }
            if self.cur.at_end() {
                return Err(syntax(
                    open,
                    format!("`#{name}(` is not closed: expected `)`"),
                ));
            }
            let pos = self.cur.here();
            let word = self.cur.peek_byte().is_some_and(is_word_start) && {
                let w = self
                    .cur
                    .rest()
                    .bytes()
                    .take_while(|&b| is_word_char(b))
                    .count();
                !matches!(&self.cur.rest()[..w], "true" | "false")
            };
            let expr = self.directive_arg(name)?;
            args.push(DirArg { expr, word, pos });
        }
        self.cur.eat_line_end();
        Ok(args)
    }

    fn define(&mut self, pos: Pos, out: &mut Out) -> Result<(), TemplateError> {
        self.cur.skip_ws();
        if !self.cur.eat("(") {
            return Err(self.err("expected `(` after #define"));
        }
        self.cur.skip_ws();
        let slot = self.simple_var("#define")?;
        self.cur.skip_ws();
        if !self.cur.eat(")") {
            return Err(self.err("expected `)` to close #define("));
        }
        self.cur.eat_line_end();
        let body = self.body_to_end("#define", pos)?;
        let idx = self.ctx.defines.len() as u32;
        self.ctx.defines.push(body);
        out.node(Node::Define {
            slot,
            body: idx,
            pos,
        });
        Ok(())
    }

    fn macro_def(&mut self, pos: Pos) -> Result<(), TemplateError> {
        self.cur.skip_ws();
        if !self.cur.eat("(") {
            return Err(self.err("expected `(` after #macro: a macro declaration needs a name"));
        }
        self.cur.skip_ws();
        let name = self.cur.take_while(is_word_char);
        if name.is_empty() || !name.as_bytes().first().is_some_and(|&b| is_word_start(b)) {
            return Err(self.err("expected the macro's name as the first argument of #macro"));
        }
        if DIRECTIVES.contains(&name) {
            return Err(syntax(
                pos,
                format!("#{name} is a directive and cannot be a macro name"),
            ));
        }
        let name: Box<str> = name.into();
        let mut params = Vec::new();
        loop {
            self.cur.skip_ws();
            if self.cur.eat(",") {
                continue;
            }
            if self.cur.eat(")") {
                break;
            }
            if self.cur.peek_byte() == Some(b'$') {
                params.push(self.simple_var("#macro")?);
                continue;
            }
            return Err(self.err(format!("expected `$param` or `)` in #macro({name} ...)")));
        }
        self.cur.eat_line_end();
        let body = self.body_to_end("#macro", pos)?;
        // A second definition of a name is dropped: the first stays, without an error
        // (Velocity 1.7 VelocimacroFactory.canAddVelocimacro: "inline not allowed to replace
        // existing VM", velocimacro.permissions.allow.inline.to.replace.global = false).
        if !self.is_macro(&name) {
            self.ctx.macros.push(MacroDef { name, params, body });
        }
        Ok(())
    }

    /// `#name(args)`: a macro call, or a directive Velocity does not know (printed as its
    /// source text unless a macro of that name runs); `#name` with no `(` after it is text.
    ///
    /// As in Velocity 1.7 (`Parser.jjt`, `Directive()`), a `(` after the name, past any
    /// whitespace, commits to a call: the arguments must be directive arguments (references,
    /// words, strings, numbers, ranges, lists, maps, booleans), separated by whitespace or
    /// commas, and end with `)`; anything else is a syntax error.
    fn macro_call(
        &mut self,
        name: &str,
        start: usize,
        pos: Pos,
        out: &mut Out,
    ) -> Result<(), TemplateError> {
        if !self.left_paren_follows() {
            out.text(self.cur.slice(start, self.cur.offset()), pos);
            return Ok(());
        }
        // The `)` token swallows the rest of its line; the printed source keeps it, as
        // Velocity 1.7's RuntimeMacro prints the literal text of all the call's tokens.
        let args: Vec<_> = self
            .directive_arg_list(name)?
            .into_iter()
            .map(|a| a.expr)
            .collect();
        // `#@name(...)`: a block macro call (Parser.jjt, Directive(): a name starting with
        // `@` is a BLOCK directive), whose body runs to `#end`; BlockMacro calls macro
        // `name` with the body as `$bodyContent` (velocimacro.body.reference). Printed as
        // source, the whole call is printed, body and `#end` included (RuntimeMacro's
        // literal spans the node's first to last token).
        let body = match name.strip_prefix('@') {
            Some(_) => {
                let block = self.body_to_end(&format!("#{name}"), pos)?;
                let idx = self.ctx.defines.len() as u32;
                self.ctx.defines.push(block);
                // The slot `$bodyContent` is bound to while the macro runs.
                self.slot(BODY_CONTENT);
                Some(idx)
            }
            None => None,
        };
        let source = self.source_from(start);
        out.node(Node::MacroCall {
            name: name.strip_prefix('@').unwrap_or(name).into(),
            args,
            body,
            source,
            pos,
        });
        Ok(())
    }

    /// Whether a `(` follows, past spaces, tabs and line breaks (Velocity 1.7's
    /// `isLeftParenthesis`).
    fn left_paren_follows(&self) -> bool {
        self.cur
            .rest()
            .bytes()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            == Some(b'(')
    }

    /// One argument of a macro call or unknown directive (Velocity 1.7's `DirectiveArg`):
    /// a bare word is kept as a string.
    fn directive_arg(&mut self, directive: &str) -> Result<Expr, TemplateError> {
        let pos = self.cur.here();
        if let Some(b) = self.cur.peek_byte()
            && is_word_start(b)
        {
            let word = self.cur.take_while(is_word_char);
            return Ok(match word {
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                _ => self.string_expr(word),
            });
        }
        match self.cur.peek_byte() {
            Some(b'$' | b'"' | b'\'' | b'[' | b'{' | b'0'..=b'9' | b'-' | b'.') => {
                self.enter()?;
                let r = self.primary();
                self.leave();
                r
            }
            _ => Err(syntax(
                pos,
                format!(
                    "unexpected `{}` in the arguments of #{directive}(...): expected a reference, \
                     a word, a string, a number, a list, a map or `)`",
                    self.cur.peek().unwrap_or(' ')
                ),
            )),
        }
    }

    // ----- expressions -----

    fn expr(&mut self) -> Result<Expr, TemplateError> {
        self.enter()?;
        let r = self.or();
        self.leave();
        r
    }

    /// Matches an operator (symbol or word form) after whitespace; consumes it if found.
    fn op(&mut self, symbols: &[&str], word: &str) -> bool {
        let save = self.cur.clone();
        self.cur.skip_ws();
        for s in symbols {
            if self.cur.starts_with(s) {
                // `=` alone is not `==`; `<` is not `<=` when `<=` is asked separately.
                self.cur.advance(s.len());
                return true;
            }
        }
        if !word.is_empty() && self.cur.starts_with(word) {
            let after = self.cur.rest().as_bytes().get(word.len()).copied();
            if !after.is_some_and(is_word_char) {
                self.cur.advance(word.len());
                return true;
            }
        }
        self.cur = save;
        false
    }

    // Each precedence level collects its operands in a loop into one flat `Expr::Chain`
    // (left-associative), so neither parsing nor the tree recurses once per operator.

    fn or(&mut self) -> Result<Expr, TemplateError> {
        let first = self.and()?;
        let mut rest = Vec::new();
        loop {
            let pos = self.cur.here();
            if !self.op(&["||"], "or") {
                return Ok(chain(first, rest));
            }
            rest.push((BinOp::Or, self.and()?, pos));
        }
    }

    fn and(&mut self) -> Result<Expr, TemplateError> {
        let first = self.equality()?;
        let mut rest = Vec::new();
        loop {
            let pos = self.cur.here();
            if !self.op(&["&&"], "and") {
                return Ok(chain(first, rest));
            }
            rest.push((BinOp::And, self.equality()?, pos));
        }
    }

    fn equality(&mut self) -> Result<Expr, TemplateError> {
        let first = self.relational()?;
        let mut rest = Vec::new();
        loop {
            let pos = self.cur.here();
            let op = if self.op(&["=="], "eq") {
                BinOp::Eq
            } else if self.op(&["!="], "ne") {
                BinOp::Ne
            } else {
                return Ok(chain(first, rest));
            };
            rest.push((op, self.relational()?, pos));
        }
    }

    fn relational(&mut self) -> Result<Expr, TemplateError> {
        let first = self.additive()?;
        let mut rest = Vec::new();
        loop {
            let pos = self.cur.here();
            let op = if self.op(&["<="], "le") {
                BinOp::Le
            } else if self.op(&[">="], "ge") {
                BinOp::Ge
            } else if self.op(&["<"], "lt") {
                BinOp::Lt
            } else if self.op(&[">"], "gt") {
                BinOp::Gt
            } else {
                return Ok(chain(first, rest));
            };
            rest.push((op, self.additive()?, pos));
        }
    }

    fn additive(&mut self) -> Result<Expr, TemplateError> {
        let first = self.multiplicative()?;
        let mut rest = Vec::new();
        loop {
            let pos = self.cur.here();
            self.reject_glued_minus()?;
            let op = if self.op(&["+"], "") {
                BinOp::Add
            } else if self.op(&["-"], "") {
                BinOp::Sub
            } else {
                return Ok(chain(first, rest));
            };
            rest.push((op, self.multiplicative()?, pos));
        }
    }

    /// Velocity 1.7 lexes a minus sign followed by a digit as part of a number
    /// (`INTEGER_LITERAL: ("-")? (<DIGIT>)+`, longest match), so `5 -3` and `$a -1` are two
    /// operands with no operator between them: a syntax error there, and here.
    fn reject_glued_minus(&self) -> Result<(), TemplateError> {
        let mut c = self.cur.clone();
        c.skip_ws();
        let digit_after_minus = c.peek_byte() == Some(b'-')
            && (c.peek_byte_at(1).is_some_and(|b| b.is_ascii_digit())
                || (c.peek_byte_at(1) == Some(b'.')
                    && c.peek_byte_at(2).is_some_and(|b| b.is_ascii_digit())));
        if digit_after_minus {
            return Err(syntax(
                c.here(),
                "a `-` touching a number is part of the number in Velocity 1.7: write `a - 1`, \
                 with a space after the minus, to subtract",
            ));
        }
        Ok(())
    }

    fn multiplicative(&mut self) -> Result<Expr, TemplateError> {
        let first = self.unary()?;
        let mut rest = Vec::new();
        loop {
            let pos = self.cur.here();
            let op = if self.op(&["*"], "") {
                BinOp::Mul
            } else if self.op(&["/"], "") {
                BinOp::Div
            } else if self.op(&["%"], "") {
                BinOp::Mod
            } else {
                return Ok(chain(first, rest));
            };
            rest.push((op, self.unary()?, pos));
        }
    }

    fn unary(&mut self) -> Result<Expr, TemplateError> {
        self.cur.skip_ws();
        let is_not = (self.cur.starts_with("!") && !self.cur.starts_with("!="))
            || (self.cur.starts_with("not")
                && !self
                    .cur
                    .rest()
                    .as_bytes()
                    .get(3)
                    .copied()
                    .is_some_and(is_word_char));
        if is_not {
            let n = if self.cur.starts_with("!") { 1 } else { 3 };
            self.cur.advance(n);
            self.enter()?;
            let inner = self.unary();
            self.leave();
            return Ok(Expr::Not(Box::new(inner?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, TemplateError> {
        self.cur.skip_ws();
        let pos = self.cur.here();
        let Some(b) = self.cur.peek_byte() else {
            return Err(self.err("expected an expression, found the end of the template"));
        };
        match b {
            b'(' => {
                self.cur.bump();
                let e = self.expr()?;
                self.cur.skip_ws();
                if !self.cur.eat(")") {
                    return Err(self.err("expected `)`"));
                }
                Ok(e)
            }
            b'[' => self.list_or_range(pos),
            b'{' => self.map_literal(),
            b'"' | b'\'' => self.string_literal(),
            b'$' => match self.reference()? {
                Some(r) => Ok(Expr::Ref(Box::new(r))),
                None => Err(self.err("expected a reference name after `$`")),
            },
            b'0'..=b'9' | b'-' | b'.' => self.number(),
            _ if is_word_start(b) => {
                let save = self.cur.clone();
                let w = self.cur.take_while(is_word_char);
                match w {
                    "true" => Ok(Expr::Bool(true)),
                    "false" => Ok(Expr::Bool(false)),
                    "null" => Ok(Expr::Null),
                    _ => {
                        self.cur = save;
                        Err(self.err(format!("unexpected word `{w}` in an expression")))
                    }
                }
            }
            _ => Err(self.err(format!(
                "unexpected `{}` in an expression",
                self.cur.peek().unwrap_or(' ')
            ))),
        }
    }

    fn number(&mut self) -> Result<Expr, TemplateError> {
        let pos = self.cur.here();
        let start = self.cur.offset();
        self.cur.eat("-");
        let int_part = self.cur.take_while(|b| b.is_ascii_digit());
        let mut is_float = false;
        // FLOATING_POINT_LITERAL: `1.5`, `.5`, and `1.` (but `1..3` is a range).
        if self.cur.peek_byte() == Some(b'.')
            && (self.cur.peek_byte_at(1).is_some_and(|b| b.is_ascii_digit())
                || (!int_part.is_empty() && self.cur.peek_byte_at(1) != Some(b'.')))
        {
            self.cur.bump();
            self.cur.take_while(|b| b.is_ascii_digit());
            is_float = true;
        } else if int_part.is_empty() {
            return Err(syntax(pos, "expected a number"));
        }
        if matches!(self.cur.peek_byte(), Some(b'e' | b'E')) {
            let save = self.cur.clone();
            self.cur.bump();
            if matches!(self.cur.peek_byte(), Some(b'+' | b'-')) {
                self.cur.bump();
            }
            if self.cur.take_while(|b| b.is_ascii_digit()).is_empty() {
                self.cur = save;
            } else {
                is_float = true;
            }
        }
        let text = self.cur.slice(start, self.cur.offset());
        if let (false, Ok(i)) = (is_float, text.parse::<i64>()) {
            return Ok(Expr::Int(i));
        }
        text.parse::<f64>()
            .map(Expr::Float)
            .map_err(|_| syntax(pos, format!("invalid number `{text}`")))
    }

    fn list_or_range(&mut self, pos: Pos) -> Result<Expr, TemplateError> {
        self.cur.bump(); // [
        self.cur.skip_ws();
        if self.cur.eat("]") {
            return Ok(Expr::List(Vec::new()));
        }
        let first = self.expr()?;
        self.cur.skip_ws();
        if self.cur.eat("..") {
            self.cur.skip_ws();
            let last = self.expr()?;
            self.cur.skip_ws();
            if !self.cur.eat("]") {
                return Err(self.err("expected `]` to close the range"));
            }
            return Ok(Expr::Range(Box::new(first), Box::new(last), pos));
        }
        let mut items = vec![first];
        loop {
            self.cur.skip_ws();
            if self.cur.eat("]") {
                return Ok(Expr::List(items));
            }
            if !self.cur.eat(",") {
                return Err(self.err("expected `,` or `]` in the list"));
            }
            self.cur.skip_ws();
            items.push(self.expr()?);
        }
    }

    fn map_literal(&mut self) -> Result<Expr, TemplateError> {
        self.cur.bump(); // {
        let mut entries = Vec::new();
        self.cur.skip_ws();
        if self.cur.eat("}") {
            return Ok(Expr::Map(entries));
        }
        loop {
            self.cur.skip_ws();
            let k = self.expr()?;
            self.cur.skip_ws();
            if !self.cur.eat(":") {
                return Err(self.err("expected `:` after a map key"));
            }
            self.cur.skip_ws();
            let v = self.expr()?;
            entries.push((k, v));
            self.cur.skip_ws();
            if self.cur.eat("}") {
                return Ok(Expr::Map(entries));
            }
            if !self.cur.eat(",") {
                return Err(self.err("expected `,` or `}` in the map"));
            }
        }
    }

    /// A string literal expression, numbered.
    fn string_expr(&mut self, s: &str) -> Expr {
        let id = self.ctx.strings;
        self.ctx.strings = self.ctx.strings.saturating_add(1);
        Expr::Str(s.into(), id)
    }

    /// `"..."` (interpolated when it holds `$` or `#`) or `'...'` (never); a quote is written
    /// twice inside, and backslashes are plain characters.
    fn string_literal(&mut self) -> Result<Expr, TemplateError> {
        let pos = self.cur.here();
        let Some(quote) = self.cur.bump() else {
            return Err(self.err("expected a string"));
        };
        let content_pos = self.cur.here();
        let mut content = String::new();
        loop {
            match self.cur.bump() {
                None => return Err(syntax(pos, "unterminated string literal")),
                Some(c) if c == quote => {
                    if self.cur.peek() == Some(quote) {
                        self.cur.bump();
                        content.push(quote);
                    } else {
                        break;
                    }
                }
                Some(c) => content.push(c),
            }
        }
        if quote == '"' && (content.contains('$') || content.contains('#')) {
            let (block, end) = {
                let mut sub = Parser {
                    cur: Cursor::new(&content, content_pos),
                    ctx: &mut *self.ctx,
                    // Velocity 1.7 parses an interpolated string with a space added at its
                    // end (ASTStringLiteral.init, "the dreaded MORE kludge"), so a `$` or `#`
                    // at its end is not cut off, unless the string holds `##` (no space then).
                    cut_is_error: content.contains("##"),
                };
                sub.block()?
            };
            return match end {
                End::Eof => Ok(Expr::Interpolated(block)),
                End::End(p) | End::Else(p) | End::ElseIf(_, p) => {
                    Err(syntax(p, "unbalanced directive inside a string literal"))
                }
            };
        }
        Ok(self.string_expr(&content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the template's only `#set`.
    fn set_value(src: &str) -> Expr {
        let prog = parse(src, 64).expect("parses");
        match prog.root.into_iter().next() {
            Some(Node::Set { value, .. }) => value,
            other => panic!("expected a #set, got {other:?}"),
        }
    }

    #[test]
    fn one_precedence_level_is_one_flat_chain() {
        // `1 + 2 - 3 * 4 * 5`: an additive chain of three operands, the last a
        // multiplicative chain of three: depth 2, not a tree per operator.
        let Expr::Chain(first, rest) = set_value("#set($x = 1 + 2 - 3 * 4 * 5)") else {
            panic!("expected a chain");
        };
        assert!(matches!(*first, Expr::Int(1)));
        let ops: Vec<BinOp> = rest.iter().map(|(op, _, _)| *op).collect();
        assert_eq!(ops, [BinOp::Add, BinOp::Sub]);
        match &rest[1].1 {
            Expr::Chain(f, r) => {
                assert!(matches!(**f, Expr::Int(3)));
                assert_eq!(r.len(), 2);
                assert!(
                    r.iter()
                        .all(|(op, e, _)| *op == BinOp::Mul && !matches!(e, Expr::Chain(..)))
                );
            }
            other => panic!("expected a multiplicative chain, got {other:?}"),
        }
        // A single operand is not wrapped.
        assert!(matches!(set_value("#set($x = 7)"), Expr::Int(7)));
    }

    #[test]
    fn a_lost_set_target_gets_velocity_1_7s_context_key() {
        // ASTSetDirective.init: the first token's text without `$`.
        for (src, key) in [
            ("#set(${x} = 1)", "{"),
            ("#set($!x = 1)", "!x"),
            ("#set($!{x} = 1)", "!{"),
            ("#set($x = 1)", "x"),
        ] {
            let prog = parse(src, 64).expect("parses");
            let Some(Node::Set { target, .. }) = prog.root.first() else {
                panic!("expected a #set");
            };
            let slot = target.root.slot() as usize;
            assert_eq!(&*prog.names[slot], key, "{src}");
        }
    }
}
