//! Why a route could not be added to a [`Router`](super::Router).

use super::HttpMethod;

/// A resource path template or route that API Gateway would refuse, and why.
///
/// Every message names the offending resource path; where API Gateway has its own wording for
/// the same mistake, the message uses it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The template does not start with `/`.
    #[error("resource path {template:?} must start with '/'")]
    MissingLeadingSlash {
        /// The resource path as given.
        template: String,
    },
    /// Two slashes in a row, or a trailing slash: a path part cannot be empty.
    #[error("resource path {template:?}: path part {position} is empty")]
    EmptyPathPart {
        /// The resource path as given.
        template: String,
        /// 1-based position of the empty path part.
        position: usize,
    },
    /// A path part API Gateway does not accept (braces not around the whole part, a bad
    /// variable name, a character that cannot appear in a path).
    #[error("resource path {template:?}: invalid path part {part:?}: {reason}")]
    InvalidPathPart {
        /// The resource path as given.
        template: String,
        /// The offending path part.
        part: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A greedy variable (`{name+}`) followed by more path parts.
    #[error(
        "resource path {template:?}: Cannot create a child of a resource with a greedy path variable: {greedy}"
    )]
    GreedyNotLast {
        /// The resource path as given.
        template: String,
        /// The greedy path part, e.g. `{proxy+}`.
        greedy: String,
    },
    /// The same variable name twice in one resource path.
    #[error("resource path {template:?}: path variable {{{name}}} appears more than once")]
    DuplicateVariable {
        /// The resource path as given.
        template: String,
        /// The repeated variable name.
        name: String,
    },
    /// A second, different variable under the same parent (`/{id}` beside `/{name}` or
    /// `/{proxy+}`): a resource can have only one variable child.
    #[error(
        "resource path {template:?}: A sibling ({existing}) of this resource already has a variable path part -- only one is allowed"
    )]
    SiblingVariable {
        /// The resource path as given.
        template: String,
        /// The variable path part already defined under the same parent.
        existing: String,
    },
    /// The same method defined twice on one resource.
    #[error("resource path {template:?}: method {method} is already defined")]
    DuplicateMethod {
        /// The resource path as given.
        template: String,
        /// The repeated method.
        method: HttpMethod,
    },
    /// More path parts than [`MAX_PATH_PARTS`](super::MAX_PATH_PARTS).
    #[error("resource path {template:?} has more than {limit} path parts")]
    TooDeep {
        /// The resource path as given (possibly long; it is what the caller passed).
        template: String,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// More resources than [`MAX_ROUTER_RESOURCES`](super::MAX_ROUTER_RESOURCES).
    #[error(
        "resource path {template:?}: the API already has {limit} resources, the most a router holds"
    )]
    TooManyResources {
        /// The resource path that did not fit.
        template: String,
        /// The limit that was reached.
        limit: usize,
    },
}
