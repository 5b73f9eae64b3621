//! [`Policy`]: a policy document compiled for evaluation.

use crate::ast::{self, StatementEffect, Version};
use crate::condition::{Condition, ConditionError};
use crate::error::{AuthorizerConfigError, PolicyError, StatementLocation};
use crate::execute_api::ApiScope;
use crate::parse::{Grammar, parse};
use crate::pattern::{ArnParts, ArnPattern, Pattern, Syntax};
use crate::principal::PrincipalMatcher;
use crate::request::{Principal, Request};

/// An IAM policy, parsed, validated and compiled once, then evaluated per request.
///
/// Identity policies, resource policies and the policies Lambda authorizers return are all
/// `Policy` values; [`Policy::evaluate`] evaluates one, [`crate::evaluate`] and
/// [`crate::authorize`] combine several.
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
    /// For a statement that applies: whether its `Principal` names the caller only through the
    /// caller's account (see `PrincipalMatcher::names_only_the_account_of`).
    pub(crate) fn delegates_to_account(&self, principal: &Principal) -> bool {
        match &self.principal {
            Some((false, matcher)) => matcher.names_only_the_account_of(principal),
            _ => false,
        }
    }

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
        // A resource holding a variable with no value "will not match any resource" (IAM User
        // Guide, "Policy variables with no value"): in NotResource it therefore excludes
        // nothing, as a negated condition holds against a null value.
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
    /// Errors name the statement (index and `Sid`) and element at fault; this returns the
    /// first one ([`Policy::check`] returns them all). A key given twice in one JSON object
    /// (two `Effect`s, two `Statement`s...) is an error ([`PolicyError::DuplicateKey`]) in
    /// every kind of policy.
    ///
    /// Any kind of policy is accepted; [`Policy::parse_identity`] and
    /// [`Policy::parse_for_api`] add the rules of identity and resource policies, and
    /// [`Policy::parse_authorizer`] reads what a Lambda authorizer returns.
    pub fn parse(json: &str) -> Result<Policy, PolicyError> {
        Policy::build(json, None, Kind::Any).map_err(first)
    }

    /// Like [`Policy::parse`], but reports every error of the document, as a validator
    /// should: keys given twice first, then each statement's grammar in document order, then
    /// `Sid`s used twice, then the values that cannot be compiled. The list is never empty.
    ///
    /// As IAM's validator does, it also refuses two statements with the same non-empty `Sid`
    /// ("In IAM, the Sid value must be unique within a JSON policy": IAM User Guide, "IAM JSON
    /// policy elements: Sid"), which [`Policy::parse`] leaves to [`Policy::parse_identity`]
    /// because other services' resource policies may differ.
    ///
    /// ```
    /// use gateway_policy::Policy;
    /// let errors = Policy::check(r#"{"Statement":[
    ///     {"Sid":"A","Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"},
    ///     {"Sid":"A","Effect":"Permit","Action":"*"}]}"#).unwrap_err();
    /// let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    /// assert_eq!(text, [
    ///     r#"statement 0 (Sid "A"): key "Effect" is given more than once"#,
    ///     r#"statement 1 (Sid "A"): Effect "Permit" is invalid (expected "Allow" or "Deny")"#,
    ///     r#"statement 1 (Sid "A"): missing Resource or NotResource"#,
    /// ]);
    /// ```
    pub fn check(json: &str) -> Result<Policy, Vec<PolicyError>> {
        Policy::build(json, None, Kind::Check)
    }

    /// Like [`Policy::parse`], for an IAM identity policy (attached to a user, group or role),
    /// with IAM's rules for them: a statement may not name a `Principal` or `NotPrincipal`
    /// ("Policy document should not specify a principal."), `Sid`s are alphanumeric and unique
    /// within the policy (IAM User Guide, "IAM JSON policy elements: Sid"), and each `Resource` / `NotResource` is `*` or
    /// an ARN (has a colon). A Lambda authorizer's output is not an IAM policy: read it with
    /// [`Policy::parse_authorizer`].
    pub fn parse_identity(json: &str) -> Result<Policy, PolicyError> {
        Policy::build(json, None, Kind::Identity).map_err(first)
    }

    /// Like [`Policy::parse_identity`], reporting every error (see [`Policy::check`]).
    pub fn check_identity(json: &str) -> Result<Policy, Vec<PolicyError>> {
        Policy::build(json, None, Kind::Identity)
    }

    /// Like [`Policy::parse`], for a resource-based policy of any service: every statement
    /// must name a `Principal` or `NotPrincipal` (see [`Policy::parse_for_api`]).
    pub fn parse_resource(json: &str) -> Result<Policy, PolicyError> {
        Policy::build(json, None, Kind::Resource).map_err(first)
    }

    /// Like [`Policy::parse`], for an API Gateway resource policy of the API `scope`: resources
    /// written `execute-api:/stage/METHOD/path` expand to the API's full ARN, as API Gateway
    /// does when it saves the policy, and every statement must name a `Principal` or
    /// `NotPrincipal`, as in every resource-based policy (IAM User Guide, "AWS JSON policy
    /// elements: Principal": "You must use the Principal element in resource-based policies").
    pub fn parse_for_api(json: &str, scope: &ApiScope) -> Result<Policy, PolicyError> {
        Policy::build(json, Some(scope), Kind::Resource).map_err(first)
    }

    /// Reads the `policyDocument` a Lambda authorizer returned, as API Gateway does: either
    /// a policy to evaluate as the caller's (combined with the API's resource policy by
    /// [`crate::api_outcome`] with [`crate::ApiAuth::Lambda`]), or a document API Gateway
    /// refuses ([`AuthorizerConfigError`], which the gateway answers with its
    /// `AUTHORIZER_CONFIGURATION_ERROR` response: `500` with
    /// `x-amzn-ErrorType: AuthorizerConfigurationException`).
    ///
    /// What is refused and what merely allows nothing:
    /// - refused: text that is not a JSON object ("Execution failed due to configuration
    ///   error: Could not parse policy" then `AuthorizerConfigurationException` in API
    ///   Gateway's execution log, as reported in ExpanseLLC/lambda_authorizer#1), no
    ///   `Statement`, a statement that is not an object or lacks `Effect`, `Action` or
    ///   `Resource` or has an `Effect` other than `Allow` / `Deny` (API Gateway Developer
    ///   Guide, "Output from an Amazon API Gateway Lambda authorizer": the output "must
    ///   include ... a policy document (`policyDocument`) containing a list of policy
    ///   statements"), and any key given twice in one object (this crate's rule: which of the
    ///   two API Gateway would read is not documented, so neither is trusted);
    /// - not refused, allowing nothing (a `403` unless the resource policy allows, by Table
    ///   A): `"Statement": []`, a list of no statements, and a statement with
    ///   `"Resource": []`, which matches no method (chalice's `AuthResponse(routes=[])` returns
    ///   that statement; aws/chalice#971 shows API Gateway logging "Successfully completed
    ///   authorizer execution" and answering 403 "User is not authorized to access this
    ///   resource").
    ///
    /// IAM's own rules for saved policies (alphanumeric unique `Sid`s, no `Principal`) are not
    /// applied: IAM never sees this document.
    ///
    /// ```
    /// use gateway_policy::{Effect, Policy, Request};
    /// let none = Policy::parse_authorizer(r#"{"Version":"2012-10-17","Statement":[]}"#)?;
    /// let request = Request::new("execute-api:Invoke", "arn:aws:execute-api:us-east-1:1:a/prod/GET/");
    /// assert_eq!(none.evaluate(&request).effect, Effect::ImplicitDeny);
    /// let refused = Policy::parse_authorizer(r#"{"Version":"2012-10-17"}"#).unwrap_err();
    /// assert_eq!(refused.to_string(), "authorizer policy refused: policy has no Statement");
    /// # Ok::<(), gateway_policy::AuthorizerConfigError>(())
    /// ```
    pub fn parse_authorizer(json: &str) -> Result<Policy, AuthorizerConfigError> {
        Policy::build(json, None, Kind::Authorizer).map_err(|errors| AuthorizerConfigError {
            cause: first(errors),
        })
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

    /// Parses, checks and compiles `json` as a `kind` policy, collecting every error.
    fn build(json: &str, scope: Option<&ApiScope>, kind: Kind) -> Result<Policy, Vec<PolicyError>> {
        let grammar = if kind == Kind::Authorizer {
            Grammar::Authorizer
        } else {
            Grammar::Iam
        };
        let mut errors = Vec::new();
        let Some(doc) = parse(json, grammar, &mut errors) else {
            return Err(errors);
        };
        let variables = doc.version == Version::V2012;
        for s in &doc.statements {
            match (&s.principal, kind) {
                (Some(p), Kind::Identity) => errors.push(PolicyError::PrincipalNotAllowed {
                    at: s.at.clone(),
                    element: if p.negated {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    },
                }),
                (None, Kind::Resource) => errors.push(PolicyError::MissingElement {
                    at: s.at.clone(),
                    element: "Principal or NotPrincipal",
                }),
                _ => {}
            }
        }
        if matches!(kind, Kind::Check | Kind::Identity) {
            check_unique_sids(&doc, &mut errors);
        }
        if kind == Kind::Identity {
            check_identity_rules(&doc, &mut errors);
        }
        let mut statements = Vec::with_capacity(doc.statements.len());
        for s in doc.statements {
            match compile_statement(s, variables, scope) {
                Ok(s) => statements.push(s),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Policy {
            id: doc.id,
            statements: statements.into_boxed_slice(),
        })
    }
}

/// The first of a non-empty error list.
fn first(errors: Vec<PolicyError>) -> PolicyError {
    errors
        .into_iter()
        .next()
        .unwrap_or(PolicyError::MissingStatement)
}

/// IAM User Guide, "IAM JSON policy elements: Sid": "In IAM, the Sid value must be unique
/// within a JSON policy". One pass with a hash map.
fn check_unique_sids(doc: &ast::Document, errors: &mut Vec<PolicyError>) {
    use std::collections::hash_map::{Entry, HashMap};
    let mut seen = HashMap::with_capacity(doc.statements.len());
    for s in &doc.statements {
        let Some(sid) = s.at.sid.as_deref().filter(|sid| !sid.is_empty()) else {
            continue;
        };
        match seen.entry(sid) {
            Entry::Occupied(first) => errors.push(PolicyError::DuplicateSid {
                at: s.at.clone(),
                first: *first.get(),
            }),
            Entry::Vacant(slot) => {
                slot.insert(s.at.index);
            }
        }
    }
}

/// IAM's identity-policy rules beyond the grammar: alphanumeric `Sid`s; resources that are
/// ARNs.
fn check_identity_rules(doc: &ast::Document, errors: &mut Vec<PolicyError>) {
    for s in &doc.statements {
        if let Some(sid) = s.at.sid.as_deref()
            && !sid.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            errors.push(PolicyError::InvalidValue {
                at: s.at.clone(),
                element: "Sid",
                value: sid.to_string(),
                reason: "an identity policy's Sid may hold only letters and digits ([0-9A-Za-z]*)",
            });
        }
        if let Some(bad) = s
            .resource
            .value
            .iter()
            .find(|r| *r != "*" && !r.contains(':'))
        {
            errors.push(PolicyError::InvalidValue {
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
}

/// Which rules on `Principal` apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Any policy: `Principal` optional.
    Any,
    /// Any policy, validated ([`Policy::check`]): `Sid`s unique too.
    Check,
    /// An identity policy: no `Principal`.
    Identity,
    /// A resource policy: `Principal` or `NotPrincipal` required.
    Resource,
    /// A Lambda authorizer's output ([`Policy::parse_authorizer`]).
    Authorizer,
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
