//! Request routing for REST APIs: which resource and method serve a request, as API Gateway
//! decides it.
//!
//! A [`Router`] is built once per API from resource path templates (`/pets/{petId}`,
//! `/files/{proxy+}`) and methods, then looked up per request with [`Router::at`], which does
//! not allocate. The rules, each pinned by a test that cites its source:
//!
//! - a literal path part beats `{param}`, which beats `{proxy+}`; the choice is made per method:
//!   when the best resource does not define the request's method (nor `ANY`), the search
//!   backtracks to the next candidate, typically a greedy sibling that has it;
//! - `ANY` serves the seven verbs when the resource has no method of that exact verb;
//! - `{param}` takes one non-empty segment, `{proxy+}` one or more (the rest of the path);
//! - extra leading slashes and trailing slashes are ignored;
//! - matching is case-sensitive and on the raw path: parameter values are passed on exactly as
//!   they arrived, still percent-encoded;
//! - no match, including a known path with a method it lacks, is [`NoRoute`], which the
//!   pipeline answers with 403 `{"message":"Missing Authentication Token"}`.
//!
//! [`Router::from_api`] builds the router of an imported [`RestApi`](crate::model::RestApi),
//! whose routes carry an [`ApiRoute`] (resource and method).
//!
//! ```
//! use gateway_core::routing::{HttpMethod, Router};
//!
//! let mut router = Router::new();
//! router.insert("/pets", HttpMethod::Get, "list pets")?;
//! router.insert("/pets/{petId}", HttpMethod::Get, "get a pet")?;
//! router.insert("/{proxy+}", HttpMethod::Any, "everything else")?;
//!
//! let found = router.at("GET", "/pets/42/").unwrap();
//! assert_eq!(*found.value(), "get a pet");
//! assert_eq!(found.resource_path(), "/pets/{petId}");
//! assert_eq!(found.param("petId"), Some("42"));
//!
//! // POST /pets is not defined on /pets, so the greedy resource serves it with ANY.
//! let found = router.at("POST", "/pets").unwrap();
//! assert_eq!(found.resource_path(), "/{proxy+}");
//! assert_eq!(found.method(), HttpMethod::Any);
//! assert_eq!(found.params().collect::<Vec<_>>(), [("proxy", "pets")]);
//!
//! // The root has no method: no route (403 Missing Authentication Token).
//! assert!(router.at("GET", "/").is_err());
//! # Ok::<(), gateway_core::routing::RouteError>(())
//! ```

mod api;
mod error;
mod literals;
mod no_route;
mod template;
mod tree;

pub use crate::model::{HttpMethod, UnknownMethod};
pub use api::ApiRoute;
pub use error::RouteError;
pub use no_route::NoRoute;

use std::fmt;

/// The most path parts a resource path may have. Real APIs stay far below (the GitHub API's
/// deepest route has 7); the bound keeps the per-request search's recursion shallow.
pub const MAX_PATH_PARTS: usize = 128;

/// The most resources (tree nodes) one router holds, whatever built it. API Gateway's default
/// quota is 300 resources per API; this leaves room for raised quotas and for routers built by
/// hand, while bounding what untrusted input can build. An import stops far earlier, at
/// [`MAX_IMPORTED_RESOURCES`](crate::import::MAX_IMPORTED_RESOURCES).
pub const MAX_ROUTER_RESOURCES: usize = 1 << 20;

/// The routes of one API: resource path templates and their methods, each with a value.
///
/// See the [module documentation](self) for the matching rules.
pub struct Router<T> {
    tree: tree::Tree<T>,
}

impl<T> Router<T> {
    /// An empty router: every request gets [`NoRoute`].
    pub fn new() -> Self {
        Router {
            tree: tree::Tree::default(),
        }
    }

    /// Defines `method` on the resource `template` (e.g. `/pets/{petId}`) with `value`.
    ///
    /// Fails when API Gateway would refuse the resource or method: see [`RouteError`]. A failed
    /// insert leaves the routes as they were.
    pub fn insert(
        &mut self,
        template: &str,
        method: HttpMethod,
        value: T,
    ) -> Result<(), RouteError> {
        self.tree.insert(template, method, value)
    }

    /// Routes a request: `method` as received (`GET`, ...) and the URL `path` as received
    /// (percent-encoded, starting with `/`, without the query string).
    ///
    /// Does not allocate. Returns [`NoRoute`] when no resource and method match.
    pub fn at<'k, 'p>(&'k self, method: &str, path: &'p str) -> Result<Match<'k, 'p, T>, NoRoute> {
        let verb = HttpMethod::of_request(method).ok_or(NoRoute)?;
        let path = trim_slashes(path).ok_or(NoRoute)?;
        let found = self.tree.find(verb, path).ok_or(NoRoute)?;
        let node = self.tree.node(found.node).ok_or(NoRoute)?;
        let value = self.tree.value(found.value).ok_or(NoRoute)?;
        Ok(Match {
            value,
            node,
            method: found.method,
            path,
        })
    }

    /// Adds the resource `template` (and its ancestors) without a method, checking it with the
    /// same rules as [`insert`](Self::insert): the one place API Gateway's resource path rules
    /// live, which the importer uses too. Adding a resource that exists does nothing.
    ///
    /// ```
    /// use gateway_core::routing::{RouteError, Router};
    ///
    /// let mut router = Router::<()>::new();
    /// router.add_resource("/pets/{id}")?;
    /// let err = router.add_resource("/pets/{name}/toys").unwrap_err();
    /// assert!(matches!(err, RouteError::SiblingVariable { .. }));
    /// assert!(router.is_empty());
    /// # Ok::<(), RouteError>(())
    /// ```
    pub fn add_resource(&mut self, template: &str) -> Result<(), RouteError> {
        self.tree.add_resource(template).map(|_| ())
    }

    /// The number of routes (resource and method pairs).
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether no route has been inserted.
    pub fn is_empty(&self) -> bool {
        self.tree.len() == 0
    }
}

/// The request path without its leading and trailing slashes, or `None` if it does not start
/// with `/`. Byte loops: this runs on every request.
#[inline]
fn trim_slashes(path: &str) -> Option<&str> {
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'/') {
        return None;
    }
    let start = bytes.iter().position(|&b| b != b'/').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b'/')
        .map_or(start, |i| i + 1);
    path.get(start..end)
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Router::new()
    }
}

impl<T> fmt::Debug for Router<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("routes", &self.tree.len())
            .finish_non_exhaustive()
    }
}

/// The route that serves a request: borrowed from the router (`'k`) and the request path
/// (`'p`).
pub struct Match<'k, 'p, T> {
    value: &'k T,
    node: &'k tree::Node,
    method: HttpMethod,
    /// The request path without leading and trailing slashes.
    path: &'p str,
}

impl<'k, 'p, T> Match<'k, 'p, T> {
    /// The value inserted with the matched resource and method.
    pub fn value(&self) -> &'k T {
        self.value
    }

    /// The matched resource's path template, e.g. `/pets/{petId}` (API Gateway's
    /// `$context.resourcePath`).
    pub fn resource_path(&self) -> &'k str {
        &self.node.template
    }

    /// The method that matched: the request's verb, or [`HttpMethod::Any`] when the resource serves
    /// it through `ANY`.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The path parameters in path order, as `(name, value)`; values are slices of the request
    /// path, not percent-decoded. A greedy parameter's value is the rest of the path, slashes
    /// included, without the trailing slash.
    pub fn params(&self) -> Params<'k, 'p> {
        Params {
            variables: self.node.variables.iter(),
            rest: self.path,
            position: 0,
        }
    }

    /// The value of path parameter `name`, if the resource path has it.
    pub fn param(&self, name: &str) -> Option<&'p str> {
        self.params().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl<T: fmt::Debug> fmt::Debug for Match<'_, '_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Match")
            .field("value", self.value)
            .field("resource_path", &self.resource_path())
            .field("method", &self.method)
            .field("params", &self.params().collect::<Vec<_>>())
            .finish()
    }
}

/// Iterator over a [`Match`]'s path parameters, `(name, value)` in path order.
#[derive(Clone, Debug)]
pub struct Params<'k, 'p> {
    variables: std::slice::Iter<'k, tree::Variable>,
    /// The request path from segment `position` on.
    rest: &'p str,
    position: usize,
}

impl<'k, 'p> Iterator for Params<'k, 'p> {
    type Item = (&'k str, &'p str);

    fn next(&mut self) -> Option<Self::Item> {
        let variable = self.variables.next()?;
        // Skip to the variable's segment, counting bytes so the value is sliced only once.
        let mut rest = self.rest.as_bytes();
        let mut start = 0;
        while self.position < variable.position {
            let (segment, after) = tree::split_segment(rest);
            start += segment.len() + 1;
            rest = after;
            self.position += 1;
        }
        let end = if variable.greedy {
            self.rest.len()
        } else {
            start + tree::split_segment(rest).0.len()
        };
        let value = self.rest.get(start..end).unwrap_or_default();
        self.rest = self.rest.get(start..).unwrap_or_default();
        Some((&variable.name, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.variables.size_hint()
    }
}

impl ExactSizeIterator for Params<'_, '_> {}
