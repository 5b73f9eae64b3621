//! Named limits: each bounds time or memory spent on an untrusted template or input.

/// Iterations allowed per `#foreach` loop: 1,000, API Gateway's quota on iterations of a
/// `#foreach ... #end` loop in mapping templates (Amazon API Gateway developer guide, "Quotas
/// for configuring and running a REST API in API Gateway"). A loop over more items ends
/// quietly after the 1,000th, as Velocity 1.7's own cap (`directive.foreach.maxloops`) does.
pub const MAX_FOREACH_ITERATIONS: usize = 1_000;

/// Largest template source accepted, in bytes. API Gateway caps a mapping template at
/// 300 KB ("Mapping template size: 300 KB", API Gateway quotas); we allow a little more so
/// any template API Gateway accepts compiles here too.
pub const MAX_TEMPLATE_BYTES: usize = 512 * 1024;

/// Largest rendered output, in bytes. API Gateway payloads are at most 10 MB; a template
/// that writes more (for example through nested loops) is stopped here instead of
/// exhausting memory.
pub const MAX_OUTPUT_BYTES: usize = 10 * 1024 * 1024;

/// Deepest nesting of blocks, expressions and macro calls, checked while parsing and while
/// rendering. Real templates nest a handful of levels; this bound keeps recursion far from
/// the thread's stack limit on hostile input.
pub const MAX_NESTING_DEPTH: usize = 64;

/// Deepest nesting of blocks while rendering (`#if` in `#foreach` in a `#define` used in an
/// `#if` ...), counted across `#define`, macro and `#evaluate` renders, which the parse-time
/// bound ([`MAX_NESTING_DEPTH`]) cannot see. Each level takes a few stack frames; 256 levels
/// stay far below a 2 MiB thread stack, and four times what one template may nest.
pub const MAX_RENDER_DEPTH: usize = 256;

/// Deepest nesting of macro calls (a macro calling itself, directly or not), when macros run
/// (`EngineOptions::run_macros`). Velocity 1.7 stops at the same depth by default
/// (`velocimacro.max.depth = 20` in its default `velocity.properties`), with an error.
pub const MAX_MACRO_DEPTH: usize = 20;

/// Deepest nesting of lists and maps a template may build (`[[[...]]]`, `$l.add($l2)`, ...).
/// Printing, comparing and freeing a value recurse through its levels, so an unbounded
/// nesting (a loop wrapping a list in a list a million times) would overflow the stack; 512
/// levels is four times the nesting serde_json accepts in a parsed body.
pub const MAX_VALUE_DEPTH: usize = 512;

/// Most elements a range literal `[a..b]` may produce. A range is built eagerly as a list,
/// so an unbounded one (`[0..2147483647]`) would exhaust memory.
pub const MAX_RANGE_LEN: usize = 100_000;

/// Most bytes a string may grow to through operators and method calls (`+`, `concat`,
/// `replace`, `repeat`, ...), so a loop cannot grow a value without bound: API Gateway
/// payloads are at most 10 MB, so no useful string is longer.
pub const MAX_VALUE_LEN: usize = 10 * 1024 * 1024;

/// Most items a list or map may grow to through method calls (`add`, `addAll`, `put`,
/// `putAll`): a million items (tens of MB of values) is far beyond any mapping template's
/// needs, and a doubling loop reaches it in twenty iterations instead of exhausting memory.
pub const MAX_COLLECTION_LEN: usize = 1_000_000;

/// Most steps one render may take: one per node and loop iteration, plus work in proportion
/// to size: one step per 64 bytes of text written or string a method is called on, per 16
/// bytes of a list or map printed or a string a method builds, per 4 items of a list or map
/// a method is called on, and per 16 items compared or walked when storing a value.
/// Loops nest (1,000 iterations each), so without this bound a short template could run for
/// hours; ten million steps is well under a second and far beyond any real mapping template.
pub const MAX_RENDER_STEPS: u64 = 10_000_000;
