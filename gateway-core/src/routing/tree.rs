//! The resource tree: one node per resource, built at load time, searched per request.
//!
//! Each node has literal children (by path part), at most one variable child (`{name}` or
//! `{name+}`, never both: API Gateway allows one variable path part per parent) and a table
//! of the methods defined on it. Every node sits at a fixed depth, so a lookup visits each
//! node at most once: the search is linear in the size of the tree in the worst case and
//! follows one branch in the common case. Recursion depth is bounded by
//! [`MAX_PATH_PARTS`](super::MAX_PATH_PARTS).

use super::literals::LiteralMap;
use super::template::{self, Part};
use super::{HttpMethod, MAX_ROUTER_RESOURCES, RouteError};
use crate::model::METHOD_COUNT;

/// Marks an undefined method in a node's method table.
const NO_METHOD: u32 = u32::MAX;

/// A path variable of a resource path, by position.
#[derive(Debug)]
pub(crate) struct Variable {
    /// The variable name, without braces or `+`.
    pub(crate) name: Box<str>,
    /// 0-based index of the path part it stands for.
    pub(crate) position: usize,
    /// Whether it is greedy (`{name+}`): it then takes the rest of the path.
    pub(crate) greedy: bool,
}

/// The variable child of a node.
#[derive(Debug)]
struct VariableChild {
    node: u32,
    greedy: bool,
    /// The path part as written, `{id}` or `{proxy+}`, for error messages.
    part: Box<str>,
}

/// One resource.
#[derive(Debug)]
pub(crate) struct Node {
    literals: LiteralMap,
    variable: Option<VariableChild>,
    /// Index into the tree's values per [`HttpMethod`], or [`NO_METHOD`].
    methods: [u32; METHOD_COUNT],
    /// The resource path, e.g. `/pets/{petId}`.
    pub(crate) template: Box<str>,
    /// The path variables of `template`, in path order.
    pub(crate) variables: Box<[Variable]>,
}

impl Node {
    fn new(template: Box<str>, variables: Box<[Variable]>) -> Self {
        Node {
            literals: LiteralMap::default(),
            variable: None,
            methods: [NO_METHOD; METHOD_COUNT],
            template,
            variables,
        }
    }

    /// The method that serves a request with `verb` here, and its value index: the verb's own
    /// method if defined, else `ANY`.
    #[inline]
    fn serve(&self, verb: HttpMethod) -> Option<(HttpMethod, u32)> {
        let own = self.methods.get(verb.index()).copied().unwrap_or(NO_METHOD);
        if own != NO_METHOD {
            return Some((verb, own));
        }
        let any = self
            .methods
            .get(HttpMethod::Any.index())
            .copied()
            .unwrap_or(NO_METHOD);
        (any != NO_METHOD).then_some((HttpMethod::Any, any))
    }
}

/// A route found by [`Tree::find`].
pub(crate) struct Found {
    pub(crate) node: u32,
    pub(crate) method: HttpMethod,
    pub(crate) value: u32,
}

/// The whole resource tree of one API, with the value of every (resource, method).
#[derive(Debug)]
pub(crate) struct Tree<T> {
    /// `nodes[0]` is the root resource `/`.
    nodes: Vec<Node>,
    values: Vec<T>,
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        Tree {
            nodes: vec![Node::new("/".into(), Box::new([]))],
            values: Vec::new(),
        }
    }
}

impl<T> Tree<T> {
    pub(crate) fn node(&self, id: u32) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    pub(crate) fn value(&self, index: u32) -> Option<&T> {
        self.values.get(index as usize)
    }

    /// The number of (resource, method) routes.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Adds `method` on resource `template`, creating the resources along the way.
    pub(crate) fn insert(
        &mut self,
        template: &str,
        method: HttpMethod,
        value: T,
    ) -> Result<(), RouteError> {
        let id = self.add_resource(template)?;
        let index = u32::try_from(self.values.len()).map_err(|_| too_many(template))?;
        let node = self.node_mut(id, template)?;
        let slot = node
            .methods
            .get_mut(method.index())
            .ok_or_else(|| too_many(template))?;
        if *slot != NO_METHOD {
            return Err(RouteError::DuplicateMethod {
                template: template.to_owned(),
                method,
            });
        }
        *slot = index;
        self.values.push(value);
        Ok(())
    }

    /// Adds resource `template` and the resources along the way (each checked with API
    /// Gateway's rules), or finds it; returns its node.
    pub(crate) fn add_resource(&mut self, template: &str) -> Result<u32, RouteError> {
        let parts = template::parse(template)?;
        let mut id: u32 = 0;
        for (position, part) in parts.iter().enumerate() {
            let existing = {
                let node = self.node_ref(id, template)?;
                match part {
                    Part::Literal(segment) => node.literals.get(segment.as_bytes()),
                    Part::Param(_) | Part::Greedy(_) => match &node.variable {
                        None => None,
                        Some(child) if same_variable(child, part) => Some(child.node),
                        Some(child) => {
                            return Err(RouteError::SiblingVariable {
                                template: template.to_owned(),
                                existing: child.part.to_string(),
                            });
                        }
                    },
                }
            };
            id = match existing {
                Some(child) => child,
                None => self.add_child(id, *part, position, template)?,
            };
        }
        Ok(id)
    }

    /// Creates the child of `parent` for `part` (at `position` in `template`).
    fn add_child(
        &mut self,
        parent: u32,
        part: Part<'_>,
        position: usize,
        template: &str,
    ) -> Result<u32, RouteError> {
        if self.nodes.len() >= MAX_ROUTER_RESOURCES {
            return Err(too_many(template));
        }
        let child = u32::try_from(self.nodes.len()).map_err(|_| too_many(template))?;
        let parent_node = self.node_ref(parent, template)?;
        let written = match part {
            Part::Literal(segment) => segment.to_owned(),
            Part::Param(name) => format!("{{{name}}}"),
            Part::Greedy(name) => format!("{{{name}+}}"),
        };
        let child_template = if parent_node.template.as_ref() == "/" {
            format!("/{written}")
        } else {
            format!("{}/{written}", parent_node.template)
        };
        let mut variables: Vec<Variable> = parent_node
            .variables
            .iter()
            .map(|v| Variable {
                name: v.name.clone(),
                position: v.position,
                greedy: v.greedy,
            })
            .collect();
        if let Some(name) = part.variable_name() {
            variables.push(Variable {
                name: name.into(),
                position,
                greedy: matches!(part, Part::Greedy(_)),
            });
        }
        self.nodes.push(Node::new(
            child_template.into(),
            variables.into_boxed_slice(),
        ));
        let parent_node = self.node_mut(parent, template)?;
        match part {
            Part::Literal(segment) => parent_node.literals.insert(segment, child),
            Part::Param(_) | Part::Greedy(_) => {
                parent_node.variable = Some(VariableChild {
                    node: child,
                    greedy: matches!(part, Part::Greedy(_)),
                    part: written.into(),
                });
            }
        }
        Ok(child)
    }

    // Node ids come from the tree itself, so these lookups cannot miss; if one ever did, it is
    // reported as an error rather than a panic.
    fn node_ref(&self, id: u32, template: &str) -> Result<&Node, RouteError> {
        self.nodes
            .get(id as usize)
            .ok_or_else(|| too_many(template))
    }

    fn node_mut(&mut self, id: u32, template: &str) -> Result<&mut Node, RouteError> {
        self.nodes
            .get_mut(id as usize)
            .ok_or_else(|| too_many(template))
    }

    /// The route serving `verb` on `path`; `path` has no leading or trailing slash (the root is
    /// the empty string).
    #[inline]
    pub(crate) fn find(&self, verb: HttpMethod, path: &str) -> Option<Found> {
        self.find_from(0, path.as_bytes(), verb)
    }

    /// Depth-first search in priority order: the literal child, then the variable child; a
    /// branch that ends without the method backtracks to the next alternative.
    fn find_from(&self, id: u32, rest: &[u8], verb: HttpMethod) -> Option<Found> {
        let node = self.nodes.get(id as usize)?;
        if rest.is_empty() {
            let (method, value) = node.serve(verb)?;
            return Some(Found {
                node: id,
                method,
                value,
            });
        }
        let (segment, after) = split_segment(rest);
        if let Some(child) = node.literals.get(segment)
            && let Some(found) = self.find_from(child, after, verb)
        {
            return Some(found);
        }
        let variable = node.variable.as_ref()?;
        if variable.greedy {
            let (method, value) = self.nodes.get(variable.node as usize)?.serve(verb)?;
            Some(Found {
                node: variable.node,
                method,
                value,
            })
        } else if segment.is_empty() {
            None
        } else {
            self.find_from(variable.node, after, verb)
        }
    }
}

/// Splits `path` at its first `/` into the first segment and the rest (empty if none).
///
/// Works on bytes: segments are short, and a `/` is never inside a UTF-8 sequence.
#[inline]
pub(crate) fn split_segment(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().position(|&b| b == b'/') {
        Some(i) => {
            let (segment, after) = path.split_at(i);
            (segment, after.get(1..).unwrap_or_default())
        }
        None => (path, &[]),
    }
}

/// Whether an existing variable child is the same path part as `part`.
fn same_variable(child: &VariableChild, part: &Part<'_>) -> bool {
    match part {
        Part::Param(name) => {
            !child.greedy && child.part.get(1..child.part.len().saturating_sub(1)) == Some(name)
        }
        Part::Greedy(name) => {
            child.greedy && child.part.get(1..child.part.len().saturating_sub(2)) == Some(name)
        }
        Part::Literal(_) => false,
    }
}

fn too_many(template: &str) -> RouteError {
    RouteError::TooManyResources {
        template: template.to_owned(),
        limit: MAX_ROUTER_RESOURCES,
    }
}
