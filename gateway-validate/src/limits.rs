//! Named limits: each bounds time or memory spent on an untrusted model set or request body.
//!
//! Load-time limits (models, schemas, patterns) fail the load with a [`crate::LoadError`]
//! naming the limit; request-time limits never fail a request that API Gateway would accept:
//! they bound how much is *parsed*, *kept* or *explained*, as each constant says.

/// Largest body parsed for validation: API Gateway's payload quota for REST APIs is 10 MB
/// ("Amazon API Gateway quotas"); larger bodies never reach the validator there, and here they
/// fail as unparseable rather than be parsed.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Deepest nesting of arrays and objects in a request body, checked while parsing: a deeper
/// body fails as unparseable (`[Unknown error parsing request body]`) before anything deeper
/// is built. This is serde_json's own recursion limit (128, which admits 127 nested
/// containers), named here because the engine relies on it: the walker, the engine and
/// `Value`'s `Drop` all recurse once per level.
pub const MAX_BODY_DEPTH: usize = 127;

/// Most messages kept in a `validationErrorString`. An invalid body can break a model at every
/// one of its elements (a 10 MB array holds five million); the list keeps its first 100
/// messages, in API Gateway's order, and stops looking once it has them, so the error path
/// costs memory in proportion to this cap, not to the body.
pub const MAX_VALIDATION_MESSAGES: usize = 100;

/// Most models one API may hold. API Gateway's default quota is 200 models per API
/// ("Amazon API Gateway quotas", REST API section); a little headroom, then a hard stop so a
/// hostile definition cannot make loading unbounded.
pub const MAX_MODELS: usize = 1000;

/// Deepest nesting of JSON values in a model. serde_json already refuses text nested deeper
/// than 128; this bounds schemas built in memory as well, since compilation recurses.
pub const MAX_SCHEMA_DEPTH: usize = 128;

/// Most subschemas a model may hold once its `$ref`s are expanded in place (a reference back
/// into itself, as in a tree model, counts once). This bounds the work of one validation at
/// one place of the instance: a two-kilobyte schema of nested `anyOf`s over shared
/// definitions otherwise asks for 2^30 steps and hangs the engine. Real models stay far below:
/// even 200 models (API Gateway's default quota) of 100 nodes each, all referenced from one
/// model, unfold to 20,000.
pub const MAX_UNFOLDED_SCHEMA_NODES: usize = 1_000_000;

/// Most distinct regular expressions (`pattern` values and `patternProperties` names) one
/// model set may hold. Each is compiled once per set however often it repeats (identical
/// texts share one compiled regex), and a compiled regex costs kilobytes, so a hostile API of
/// 100,000 different patterns would otherwise load into gigabytes. 5,000 is 25 per model at
/// API Gateway's default quota of 200 models; an API over it fails to load with
/// [`crate::LoadError::TooManyPatterns`].
pub const MAX_PATTERNS: usize = 5_000;

/// Largest compiled form of one regular expression, in bytes: the `regex` crate's default
/// `size_limit`, named and passed explicitly so the explanation and the engine agree. It is
/// not lower because ordinary patterns need megabytes once Unicode classes repeat
/// (`^[\p{L} ]{1,100}$` compiles to about 8 MB, `^\w{1,50}$` to 4 MB; `^[a-z0-9]{1,20}$` to
/// 4 KB), and Java's regex engine, which API Gateway runs, has no such limit. A pattern over it
/// fails the load as an invalid schema naming the model.
pub const MAX_REGEX_BYTES: usize = 10 * 1024 * 1024;

/// Largest lazy-DFA cache one regular expression may grow while matching, in bytes: the
/// `regex` crate's default `dfa_size_limit`. Past it the engine clears the cache and carries
/// on (or falls back to a slower engine), so matching stays correct.
pub const MAX_REGEX_DFA_BYTES: usize = 2 * 1024 * 1024;

/// Backtracking steps allowed to one match of a schema regular expression while explaining
/// an invalid body (`fancy-regex`'s `backtrack_limit`): past it the explanation falls back to
/// the engine's own errors instead of running on.
pub const REGEX_BACKTRACK_LIMIT: usize = 100_000;

/// Most (schema, instance) steps spent explaining one invalid body in API Gateway's words.
/// Bodies are at most [`MAX_BODY_BYTES`] and nest at most [`MAX_BODY_DEPTH`] deep, but `$ref`
/// chains and combinators multiply the work: past this cap the explanation keeps the messages
/// found so far, or, if it has found none, words the engine's first errors instead.
pub const MAX_EXPLAIN_STEPS: usize = 200_000;

/// Deepest chain of nested steps while explaining (instance depth plus `$ref`/combinator hops);
/// a `$ref` loop that never consumes instance (`{"$ref": "#"}`) ends here instead of recursing.
pub const MAX_EXPLAIN_DEPTH: usize = 512;

/// Longest array whose `uniqueItems` is explained pairwise; a longer one is left to the
/// engine's wording so the error path stays far from quadratic work.
pub const MAX_UNIQUE_ITEMS_EXPLAINED: usize = 2048;

/// Bodies with more JSON values than this are not handed whole to the engine's error listing
/// (which builds every error before any is kept): when the explanation gives up on such a body
/// without a message, the engine's first error alone is worded.
pub const MAX_FALLBACK_LISTING_VALUES: usize = 10_000;
