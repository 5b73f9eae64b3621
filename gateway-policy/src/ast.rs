//! The parsed form of a policy document: its grammar checked, nothing compiled yet.

use crate::error::StatementLocation;

/// The policy language version (`Version` element).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// `2008-10-17`, also the default when `Version` is absent: no policy variables.
    V2008,
    /// `2012-10-17`: policy variables are expanded.
    V2012,
}

/// A whole policy document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub version: Version,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

/// A statement's `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatementEffect {
    Allow,
    Deny,
}

/// An element that has a `Not` form (`Action`/`NotAction` and so on).
#[derive(Debug, Clone)]
pub(crate) struct Negatable<T> {
    pub negated: bool,
    pub value: T,
}

/// The kinds of principal a `Principal` map can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalKind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

/// A `Principal` or `NotPrincipal` value.
#[derive(Debug, Clone)]
pub(crate) enum PrincipalSpec {
    /// `"*"`.
    Any,
    /// `{"AWS": [...], "Service": [...], ...}`.
    Map(Vec<(PrincipalKind, Vec<String>)>),
}

/// One `"Operator": {"key": values}` entry of a `Condition` block.
#[derive(Debug, Clone)]
pub(crate) struct ConditionEntry {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

/// One statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub at: StatementLocation,
    pub effect: StatementEffect,
    pub principal: Option<Negatable<PrincipalSpec>>,
    pub action: Negatable<Vec<String>>,
    pub resource: Negatable<Vec<String>>,
    pub conditions: Vec<ConditionEntry>,
}
