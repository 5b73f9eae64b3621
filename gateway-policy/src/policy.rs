//! [`Policy`]: a policy document compiled for evaluation.

use crate::ast::{self, StatementEffect, Version};
use crate::condition::{Condition, ConditionError};
use crate::decision::Decision;
use crate::error::{PolicyError, StatementLocation};
use crate::execute_api::ApiScope;
use crate::parse::parse;
use crate::pattern::{ArnParts, ArnPattern, Pattern, Syntax};
use crate::principal::PrincipalMatcher;
use crate::request::Request;

/// An IAM policy, parsed, validated and compiled once, then evaluated per request.
///
/// Identity policies, resource policies and the policies Lambda authorizers return are all
/// `Policy` values; [`crate::evaluate`] and [`crate::authorize`] combine several.
#[derive(Debug, Clone)]
pub struct Policy {
    id: Option<String>,
    statements: Box<[Statement]>,
}

/// One compiled statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) sid: Option<Box<str>>,
    pub(crate) effect: StatementEffect,
    /// `(negated, matcher)`: `NotPrincipal` when negated; `None` in identity policies.
    principal: Option<(bool, PrincipalMatcher)>,
    not_action: bool,
    actions: Box<[Pattern]>,
    not_resource: bool,
    resources: Box<[ArnPattern]>,
    conditions: Box<[Condition]>,
}

impl Statement {
    /// Whether the statement applies to the request (its effect then counts).
    #[inline]
    pub(crate) fn applies(&self, request: &Request, resource: &ArnParts<'_>) -> bool {
        let keys = request.keys();
        let action = self
            .actions
            .iter()
            .any(|p| p.matches(request.action(), keys));
        if action == self.not_action {
            return false;
        }
        let resource = self.resources.iter().any(|p| p.matches(resource, keys));
        if resource == self.not_resource {
            return false;
        }
        // An unresolved variable never matches, so it cannot make a NotResource apply either
        // (IAM User Guide, "Policy variables with no value").
        if self.not_resource && !self.resources.iter().all(|p| p.resolves(keys)) {
            return false;
        }
        if let Some((negated, principal)) = &self.principal {
            let applies = if *negated {
                !principal.spares(request.principal())
            } else {
                principal.matches(request.principal())
            };
            if !applies {
                return false;
            }
        }
        self.conditions.iter().all(|c| c.holds(keys))
    }
}

impl Policy {
    /// Parses, validates and compiles a policy document.
    ///
    /// Errors name the statement (index and `Sid`) and element at fault.
    ///
    /// Any kind of policy is accepted; [`Policy::parse_identity`] and
    /// [`Policy::parse_for_api`] add the rules of identity and resource policies.
    pub fn parse(json: &str) -> Result<Policy, PolicyError> {
        Policy::compile(parse(json)?, None, Kind::Any)
    }

    /// Like [`Policy::parse`], for an IAM identity policy (attached to a user, group or role),
    /// with IAM's rules for them (a Lambda authorizer's output is not checked by IAM; use
    /// [`Policy::parse`] for it): a statement may not name a
    /// `Principal` or `NotPrincipal` ("Policy document should not specify a principal."),
    /// `Sid`s are alphanumeric and unique within the policy (IAM User Guide, "IAM JSON policy
    /// elements: Sid"), and each `Resource` / `NotResource` is `*` or an ARN (has a colon).
    pub fn parse_identity(json: &str) -> Result<Policy, PolicyError> {
        Policy::compile(parse(json)?, None, Kind::Identity)
    }

    /// Like [`Policy::parse`], for a resource-based policy of any service: every statement
    /// must name a `Principal` or `NotPrincipal` (see [`Policy::parse_for_api`]).
    pub fn parse_resource(json: &str) -> Result<Policy, PolicyError> {
        Policy::compile(parse(json)?, None, Kind::Resource)
    }

    /// Like [`Policy::parse`], for an API Gateway resource policy of the API `scope`: resources
    /// written `execute-api:/stage/METHOD/path` expand to the API's full ARN, as API Gateway
    /// does when it saves the policy, and every statement must name a `Principal` or
    /// `NotPrincipal`, as in every resource-based policy (IAM User Guide, "AWS JSON policy
    /// elements: Principal": "You must use the Principal element in resource-based policies").
    pub fn parse_for_api(json: &str, scope: &ApiScope) -> Result<Policy, PolicyError> {
        Policy::compile(parse(json)?, Some(scope), Kind::Resource)
    }

    /// Evaluates this policy alone (see [`crate::evaluate`] for several).
    pub fn evaluate(&self, request: &Request) -> Decision<'_> {
        crate::decision::evaluate([self], request)
    }

    /// The policy's `Id`, when it has one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// How many statements the policy has.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    pub(crate) fn statements(&self) -> &[Statement] {
        &self.statements
    }

    fn compile(
        doc: ast::Document,
        scope: Option<&ApiScope>,
        kind: Kind,
    ) -> Result<Policy, PolicyError> {
        let variables = doc.version == Version::V2012;
        for s in &doc.statements {
            match (&s.principal, kind) {
                (Some(p), Kind::Identity) => {
                    return Err(PolicyError::PrincipalNotAllowed {
                        at: s.at.clone(),
                        element: if p.negated {
                            "NotPrincipal"
                        } else {
                            "Principal"
                        },
                    });
                }
                (None, Kind::Resource) => {
                    return Err(PolicyError::MissingElement {
                        at: s.at.clone(),
                        element: "Principal or NotPrincipal",
                    });
                }
                _ => {}
            }
        }
        if kind == Kind::Identity {
            check_identity_rules(&doc)?;
        }
        let statements = doc
            .statements
            .into_iter()
            .map(|s| compile_statement(s, variables, scope))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            id: doc.id,
            statements: statements.into_boxed_slice(),
        })
    }
}

/// IAM's identity-policy rules beyond the grammar: alphanumeric, unique `Sid`s; resources that
/// are ARNs.
fn check_identity_rules(doc: &ast::Document) -> Result<(), PolicyError> {
    let mut seen = std::collections::HashMap::new();
    for (i, s) in doc.statements.iter().enumerate() {
        if let Some(sid) = s.at.sid.as_deref()
            && !sid.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(PolicyError::InvalidValue {
                at: s.at.clone(),
                element: "Sid",
                value: sid.to_string(),
                reason: "an identity policy's Sid may hold only letters and digits ([0-9A-Za-z]*)",
            });
        }
        if let Some(sid) = s.at.sid.as_deref().filter(|sid| !sid.is_empty())
            && let Some(&first) = seen.get(sid)
        {
            return Err(PolicyError::DuplicateSid {
                at: s.at.clone(),
                first,
            });
        }
        if let Some(sid) = s.at.sid.as_deref() {
            seen.entry(sid).or_insert(i);
        }
        if let Some(bad) = s
            .resource
            .value
            .iter()
            .find(|r| *r != "*" && !r.contains(':'))
        {
            return Err(PolicyError::InvalidValue {
                at: s.at.clone(),
                element: if s.resource.negated {
                    "NotResource"
                } else {
                    "Resource"
                },
                value: bad.clone(),
                reason: "a resource must be \"*\" or an ARN",
            });
        }
    }
    Ok(())
}

/// Which rules on `Principal` apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Any policy: `Principal` optional.
    Any,
    /// An identity policy: no `Principal`.
    Identity,
    /// A resource policy: `Principal` or `NotPrincipal` required.
    Resource,
}

impl std::str::FromStr for Policy {
    type Err = PolicyError;

    fn from_str(json: &str) -> Result<Policy, PolicyError> {
        Policy::parse(json)
    }
}

fn compile_statement(
    s: ast::Statement,
    variables: bool,
    scope: Option<&ApiScope>,
) -> Result<Statement, PolicyError> {
    let at = s.at;
    let invalid =
        |at: &StatementLocation, element, value: &str, reason| PolicyError::InvalidValue {
            at: at.clone(),
            element,
            value: value.to_string(),
            reason,
        };
    let action_element = if s.action.negated {
        "NotAction"
    } else {
        "Action"
    };
    // Actions are case-insensitive and take no policy variables.
    let action_syntax = Syntax {
        wildcards: true,
        variables: false,
        ignore_case: true,
    };
    let actions = s
        .action
        .value
        .iter()
        .map(|a| Pattern::compile(a, action_syntax).map_err(|r| invalid(&at, action_element, a, r)))
        .collect::<Result<Vec<_>, _>>()?;
    let resource_element = if s.resource.negated {
        "NotResource"
    } else {
        "Resource"
    };
    let resources = s
        .resource
        .value
        .iter()
        .map(|r| {
            let expanded = match scope {
                Some(scope) => scope.expand(r),
                None => r.clone(),
            };
            ArnPattern::resource(&expanded, variables)
                .map_err(|reason| invalid(&at, resource_element, r, reason))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let principal = match &s.principal {
        None => None,
        Some(p) => {
            let element = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            let matcher = PrincipalMatcher::compile(&p.value)
                .map_err(|(value, reason)| invalid(&at, element, &value, reason))?;
            Some((p.negated, matcher))
        }
    };
    let conditions = s
        .conditions
        .iter()
        .map(|c| {
            Condition::compile(&c.operator, &c.key, &c.values, variables).map_err(|e| match e {
                ConditionError::UnknownOperator => PolicyError::InvalidConditionOperator {
                    at: at.clone(),
                    operator: c.operator.clone(),
                },
                ConditionError::BadValue { value, reason } => PolicyError::InvalidConditionValue {
                    at: at.clone(),
                    operator: c.operator.clone(),
                    key: c.key.clone(),
                    value,
                    reason,
                },
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Statement {
        sid: at.sid.map(String::into_boxed_str),
        effect: s.effect,
        principal,
        not_action: s.action.negated,
        actions: actions.into_boxed_slice(),
        not_resource: s.resource.negated,
        resources: resources.into_boxed_slice(),
        conditions: conditions.into_boxed_slice(),
    })
}
