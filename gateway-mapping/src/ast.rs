//! The syntax tree a template compiles to. Names are resolved to variable slots while
//! parsing, so rendering indexes a vector instead of hashing names.
//!
//! Every [`Node`] carries the line and column where it starts in the source; expressions carry
//! theirs where evaluation can fail (references, operators, ranges), so a failing template is
//! reported at the construct that failed.

/// A position in the template source: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Index of a variable in the render's variable vector.
pub(crate) type Slot = u32;

/// A sequence of nodes.
pub(crate) type Block = Vec<Node>;

/// One piece of a template.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// Text copied to the output as is (`pos`: where the text starts).
    Text(Box<str>, Pos),
    /// `$ref`, `$!ref`, `${ref}` printed.
    Ref(Box<Reference>),
    /// A reference escaped with backslashes: `\$x` prints `$x` (when defined), `\\$x` prints
    /// `\` and the value.
    EscapedRef {
        /// Backslashes before the `$`.
        backslashes: u32,
        /// The reference itself.
        reference: Box<Reference>,
    },
    /// `#set($target = value)`.
    Set {
        target: Box<Reference>,
        value: Expr,
        pos: Pos,
    },
    /// `#if` / `#elseif` branches, then `#else`.
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
        pos: Pos,
    },
    /// `#foreach($var in $iterable) body #end`.
    Foreach {
        var: Slot,
        iterable: Expr,
        body: Block,
        pos: Pos,
    },
    /// `#break`: leave the innermost `#foreach`, macro, `#define` or `#evaluate` render (or
    /// the template outside them). `#break($scope)`: leave the loop whose `$foreach` object
    /// `scope` evaluates to (`$foreach`, `$foreach.parent`, `$foreach.topmost`, ...).
    Break { scope: Option<Box<Expr>>, pos: Pos },
    /// `#stop`: stop rendering; what was written stays.
    Stop(Pos),
    /// `#define($name) body #end`: `$name` renders the body, lazily.
    Define { slot: Slot, body: u32, pos: Pos },
    /// A call of a macro: `#name(args)`, or a block macro call `#@name(args) body #end`
    /// (`name` without the `@`, `body` the index of its body among the `#define` bodies,
    /// which the macro renders as `$bodyContent`). Runs the macro when macros run, otherwise
    /// prints its own source text (a block call's, body and `#end` included).
    MacroCall {
        name: Box<str>,
        args: Vec<Expr>,
        body: Option<u32>,
        source: Box<str>,
        pos: Pos,
    },
    /// `#evaluate(expr)`: renders the string as a template when enabled, otherwise prints its
    /// own source text.
    Evaluate {
        arg: Expr,
        source: Box<str>,
        pos: Pos,
    },
}

impl Node {
    /// Where the node starts in the source.
    pub fn pos(&self) -> Pos {
        match self {
            Node::Text(_, pos)
            | Node::Break { pos, .. }
            | Node::Stop(pos)
            | Node::Set { pos, .. }
            | Node::If { pos, .. }
            | Node::Foreach { pos, .. }
            | Node::Define { pos, .. }
            | Node::MacroCall { pos, .. }
            | Node::Evaluate { pos, .. } => *pos,
            Node::Ref(r) => r.pos,
            Node::EscapedRef { reference, .. } => reference.pos,
        }
    }
}

/// A reference: `$root` followed by properties, method calls and indexes.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub root: Root,
    pub chain: Vec<Access>,
    /// `$!x`: a null prints nothing, whatever the mode.
    pub silent: bool,
    /// The reference's source text, printed for a null in plain Velocity mode.
    pub source: Box<str>,
    pub pos: Pos,
}

/// What a reference starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// A variable slot.
    Var(Slot),
    /// `$foreach` inside a loop (outside, the slot is used).
    Foreach(Slot),
    /// `$velocityCount` inside a loop.
    VelocityCount(Slot),
    /// `$velocityHasNext` inside a loop.
    VelocityHasNext(Slot),
}

impl Root {
    pub fn slot(self) -> Slot {
        match self {
            Root::Var(s) | Root::Foreach(s) | Root::VelocityCount(s) | Root::VelocityHasNext(s) => {
                s
            }
        }
    }
}

/// One link of a reference chain.
#[derive(Debug, Clone)]
pub(crate) enum Access {
    /// `.name`
    Property(Box<str>),
    /// `.name(args)`
    Method(Box<str>, Vec<Expr>),
    /// `[index]`
    Index(Expr),
}

/// An expression inside a directive or method argument.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string without interpolation (its value made once, shared by every render), and its
    /// index among the template's string literals (literal JSONPath and regex arguments are
    /// compiled under it).
    Str(std::sync::Arc<str>, u32),
    /// A double-quoted string with `$` or `#`: rendered as a template.
    Interpolated(Block),
    Ref(Box<Reference>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Range(Box<Expr>, Box<Expr>, Pos),
    Not(Box<Expr>),
    /// Operands joined by operators of one precedence level, applied left to right:
    /// `a + b - c` is `Chain(a, [(Add, b, pos), (Sub, c, pos)])`, each `pos` the operator's.
    /// A flat list, not a left-deep tree, so a hostile chain of thousands of operators is
    /// evaluated, cloned, printed and dropped without recursing once per operator; the tree
    /// nests only where the source nests (precedence levels, parentheses), which the parser
    /// bounds.
    Chain(Box<Expr>, Vec<(BinOp, Expr, Pos)>),
}

/// Binary operators, in Velocity's precedence groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A `#macro(name $a $b) body #end` definition.
#[derive(Debug, Clone)]
pub(crate) struct MacroDef {
    pub name: Box<str>,
    pub params: Vec<Slot>,
    pub body: Block,
}

/// A whole compiled template.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    pub root: Block,
    /// Variable names by slot.
    pub names: Vec<Box<str>>,
    /// `#define` bodies by index.
    pub defines: Vec<Block>,
    /// Inline macro definitions (run only when macros are enabled).
    pub macros: Vec<MacroDef>,
}
