//! Load-time errors: everything that can be wrong with a model set or a method's validation
//! settings is reported once, when the API is loaded, never per request.

/// Why a model set or a method's request validation could not be compiled.
///
/// Every variant names the model (or parameter) at fault so the API author can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The model's schema text is not JSON.
    #[error("model {model:?}: schema is not valid JSON: {reason}")]
    NotJson {
        /// The model's name.
        model: String,
        /// The JSON parser's message (with line and column).
        reason: String,
    },
    /// The schema is JSON but not a valid draft-4 schema (a keyword of the wrong type, an
    /// unresolvable `$ref`, a bad regular expression, ...).
    #[error("model {model:?}: invalid draft-4 schema: {reason}")]
    InvalidSchema {
        /// The model's name.
        model: String,
        /// What the schema compiler rejected, with the location inside the schema.
        reason: String,
    },
    /// A `$ref` names a model of the API that does not exist.
    #[error(
        "model {model:?}: $ref {reference:?} names model {target:?}, which this API does not define"
    )]
    MissingModel {
        /// The model holding the reference.
        model: String,
        /// The reference as written.
        reference: String,
        /// The model name the reference points at.
        target: String,
    },
    /// Models refer to each other in a cycle (`A -> B -> A`).
    #[error("model {model:?}: models refer to each other in a cycle: {}", cycle.join(" -> "))]
    ModelCycle {
        /// The first model of the cycle.
        model: String,
        /// The models along the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// The model's `$ref`s, expanded, make a schema too large to evaluate in bounded time
    /// (typically shared definitions referenced from both branches of nested combinators,
    /// which doubles the work at each level).
    #[error(
        "model {model:?}: schema is too complex: with its $refs expanded it has more than {limit} subschemas"
    )]
    TooComplex {
        /// The model's name.
        model: String,
        /// [`crate::MAX_UNFOLDED_SCHEMA_NODES`].
        limit: usize,
    },
    /// Two models share a name.
    #[error("model {model:?} is defined twice")]
    DuplicateModel {
        /// The repeated name.
        model: String,
    },
    /// The model set holds more models than [`crate::MAX_MODELS`].
    #[error("an API may hold at most {limit} models, this one has {found}")]
    TooManyModels {
        /// The limit.
        limit: usize,
        /// How many were given.
        found: usize,
    },
    /// The models hold more distinct regular expressions (`pattern` values and
    /// `patternProperties` names) than [`crate::MAX_PATTERNS`].
    #[error(
        "an API's models may hold at most {limit} distinct regular expressions (pattern and patternProperties), these hold {found}; the first over the limit is in model {model:?}"
    )]
    TooManyPatterns {
        /// The model in which the count passed the limit.
        model: String,
        /// The limit.
        limit: usize,
        /// How many distinct expressions the models hold (counted up to one past the limit).
        found: usize,
    },
    /// A method refers to a model the set does not hold.
    #[error("request model {model:?} for content type {content_type:?} is not defined")]
    UnknownRequestModel {
        /// The content type the method maps.
        content_type: String,
        /// The missing model name.
        model: String,
    },
    /// A required parameter is not of the form `method.request.{location}.{name}`.
    #[error(
        "request parameter {parameter:?} is not of the form method.request.{{header|querystring|path|multivalueheader|multivaluequerystring}}.NAME"
    )]
    BadParameter {
        /// The parameter as written.
        parameter: String,
    },
}
