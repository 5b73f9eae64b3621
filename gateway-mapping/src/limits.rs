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

/// Most matches one JSONPath evaluation may collect (after any step). A recursive descent
/// under another (`$..*..*`) matches each node once per ancestor, so a body of a few
/// hundred KB nested deeply yields hundreds of millions of matches; a million is far more
/// than any template uses (a `#foreach` visits 1,000) and more values than a 10 MB payload
/// (API Gateway's quota) holds objects, yet bounds the evaluation's memory to megabytes.
pub const MAX_JSONPATH_RESULTS: usize = 1_000_000;

/// Largest JSONPath result, in bytes of compact JSON, that `$input.json` writes or
/// `$input.path` copies: API Gateway payloads are at most 10 MB, so no larger result can be
/// sent on, and copying one would take memory without bound (a result can repeat the body
/// once per level of nesting).
pub const MAX_JSONPATH_RESULT_BYTES: usize = 10 * 1024 * 1024;

/// Most backtracking steps one search of a regular expression that needs backtracking
/// (back-references, look-around) may take on a string of up to a kilobyte: fancy-regex's
/// backtrack limit. Longer strings get more, in proportion
/// ([`regex_backtrack_limit`]), up to [`MAX_REGEX_BACKTRACKS`]; the render is charged for
/// the limit it grants ([`REGEX_BACKTRACKS_PER_STEP`]), since the work done is not reported.
pub const MIN_REGEX_BACKTRACKS: usize = 10_000;

/// The most backtracking steps any one regular-expression search may take (fancy-regex's own
/// default): a catastrophic pattern stops with an error naming this limit instead of running
/// for hours.
pub const MAX_REGEX_BACKTRACKS: usize = 1_000_000;

/// Backtracking steps granted per byte of the string searched, so that a search over a long
/// string is not cut short by the backtrack limit (each start position costs one).
pub const REGEX_BACKTRACKS_PER_BYTE: usize = 8;

/// Backtracking steps counted as one render step: a backtrack costs about as much as a few
/// render steps' worth of work divided by this, so ten million render steps stay within
/// about a second of backtracking (5 million backtracks).
pub const REGEX_BACKTRACKS_PER_STEP: usize = 2;

/// The backtrack limit for a search over `len` bytes: [`REGEX_BACKTRACKS_PER_BYTE`] per byte,
/// rounded up to a power of ten between [`MIN_REGEX_BACKTRACKS`] and
/// [`MAX_REGEX_BACKTRACKS`] (so a pattern is compiled for at most three limits).
pub fn regex_backtrack_limit(len: usize) -> usize {
    let want = len.saturating_mul(REGEX_BACKTRACKS_PER_BYTE);
    let mut limit = MIN_REGEX_BACKTRACKS;
    while limit < want && limit < MAX_REGEX_BACKTRACKS {
        limit *= 10;
    }
    limit.min(MAX_REGEX_BACKTRACKS)
}

/// Render steps charged for compiling a regular expression that is not a literal (a literal
/// is compiled once with its template), per byte of the pattern, on top of
/// [`REGEX_COMPILE_STEPS`]: patterns built at render time are compiled on each call (no
/// cache), so a loop compiling one stays bounded by the step limit like any other work.
/// Compiling (translation, fancy-regex, and the linear-time check) costs a few
/// microseconds per pattern plus tens of nanoseconds per byte.
pub const REGEX_COMPILE_STEPS_PER_BYTE: u64 = 1;

/// Render steps charged for each compilation of a non-literal regular expression (see
/// [`REGEX_COMPILE_STEPS_PER_BYTE`]).
pub const REGEX_COMPILE_STEPS: u64 = 100;

/// Bytes of JSON text parsed (`$util.parseJson`, the body for `$input.json` / `$input.path`)
/// per render step: parsing and converting a byte costs a few nanoseconds.
pub const PARSE_BYTES_PER_STEP: u64 = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtrack_limit_grows_with_the_string_in_three_steps() {
        assert_eq!(regex_backtrack_limit(0), MIN_REGEX_BACKTRACKS);
        assert_eq!(regex_backtrack_limit(1_250), MIN_REGEX_BACKTRACKS);
        assert_eq!(regex_backtrack_limit(1_251), 100_000);
        assert_eq!(regex_backtrack_limit(12_501), MAX_REGEX_BACKTRACKS);
        assert_eq!(regex_backtrack_limit(usize::MAX), MAX_REGEX_BACKTRACKS);
    }
}
