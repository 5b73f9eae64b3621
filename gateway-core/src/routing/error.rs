//! Why a route could not be added to a [`Router`](super::Router).

use std::fmt;

use super::HttpMethod;

/// AWS's message for a path part it does not accept (recorded: localstack
/// `test_apigateway_api.snapshot.json`; developer guide, "Amazon API Gateway important notes for
/// REST APIs").
const INVALID_PATH_PART_MESSAGE: &str =
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.";

/// A resource path template or route that API Gateway would refuse, and why.
///
/// Every message names the offending resource path; where API Gateway has its own wording for
/// the same mistake, the message uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteError {
    /// The template does not start with `/`.
    MissingLeadingSlash {
        /// The resource path as given.
        template: String,
    },
    /// Two slashes in a row, or a trailing slash: a path part cannot be empty.
    EmptyPathPart {
        /// The resource path as given.
        template: String,
        /// 1-based position of the empty path part.
        position: usize,
    },
    /// A path part API Gateway does not accept (braces not around the whole part, a bad
    /// variable name, a character that cannot appear in a path).
    InvalidPathPart {
        /// The resource path as given.
        template: String,
        /// The offending path part.
        part: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A greedy variable (`{name+}`) followed by more path parts.
    GreedyNotLast {
        /// The resource path as given.
        template: String,
        /// The greedy path part, e.g. `{proxy+}`.
        greedy: String,
    },
    /// The same variable name twice in one resource path.
    DuplicateVariable {
        /// The resource path as given.
        template: String,
        /// The repeated variable name.
        name: String,
    },
    /// A second, different variable under the same parent (`/{id}` beside `/{name}` or
    /// `/{proxy+}`): a resource can have only one variable child.
    SiblingVariable {
        /// The resource path as given.
        template: String,
        /// The variable path part already defined under the same parent.
        existing: String,
    },
    /// The same method defined twice on one resource.
    DuplicateMethod {
        /// The resource path as given.
        template: String,
        /// The repeated method.
        method: HttpMethod,
    },
    /// More path parts than [`MAX_PATH_PARTS`](super::MAX_PATH_PARTS).
    TooDeep {
        /// The resource path as given (possibly long; it is what the caller passed).
        template: String,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// More resources than [`MAX_ROUTER_RESOURCES`](super::MAX_ROUTER_RESOURCES).
    TooManyResources {
        /// The resource path that did not fit.
        template: String,
        /// The limit that was reached.
        limit: usize,
    },
}

impl RouteError {
    /// The resource path the error is about, as given.
    pub fn template(&self) -> &str {
        match self {
            RouteError::MissingLeadingSlash { template }
            | RouteError::EmptyPathPart { template, .. }
            | RouteError::InvalidPathPart { template, .. }
            | RouteError::GreedyNotLast { template, .. }
            | RouteError::DuplicateVariable { template, .. }
            | RouteError::SiblingVariable { template, .. }
            | RouteError::DuplicateMethod { template, .. }
            | RouteError::TooDeep { template, .. }
            | RouteError::TooManyResources { template, .. } => template,
        }
    }

    /// What is wrong, without the resource path: the wording the importer puts after AWS's
    /// `Unable to create resource at path '...': `.
    pub fn reason(&self) -> String {
        match self {
            RouteError::MissingLeadingSlash { .. } => "must start with '/'".to_owned(),
            RouteError::EmptyPathPart { position, .. } => {
                format!("path part {position} is empty")
            }
            RouteError::InvalidPathPart { part, reason, .. } => {
                format!("invalid path part {part:?}: {reason} ({INVALID_PATH_PART_MESSAGE})")
            }
            RouteError::GreedyNotLast { greedy, .. } => {
                format!("Cannot create a child of a resource with a greedy path variable: {greedy}")
            }
            RouteError::DuplicateVariable { name, .. } => {
                format!("path variable {{{name}}} appears more than once")
            }
            RouteError::SiblingVariable { existing, .. } => format!(
                "A sibling ({existing}) of this resource already has a variable path part -- only one is allowed"
            ),
            RouteError::DuplicateMethod { method, .. } => {
                format!("method {method} is already defined")
            }
            RouteError::TooDeep { limit, .. } => format!("has more than {limit} path parts"),
            RouteError::TooManyResources { limit, .. } => {
                format!("the API already has {limit} resources, the most a router holds")
            }
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let separator = match self {
            RouteError::MissingLeadingSlash { .. } | RouteError::TooDeep { .. } => " ",
            _ => ": ",
        };
        write!(
            f,
            "resource path {:?}{separator}{}",
            self.template(),
            self.reason()
        )
    }
}

impl std::error::Error for RouteError {}
