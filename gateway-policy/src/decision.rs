//! Decisions: one or more policies evaluated against a request, and identity policies combined
//! with a resource policy.
//!
//! From the IAM User Guide, "Policy evaluation logic": an explicit deny in any applicable
//! policy overrides any allow; without one, an allow grants access; without either, the
//! request is implicitly denied. "Cross-account policy evaluation logic": within one account
//! either an identity policy or a resource policy may allow; across accounts both must.

use crate::ast::StatementEffect;
use crate::pattern::ArnParts;
use crate::policy::Policy;
use crate::request::Request;

/// The outcome of an authorization decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// A statement allowed the request and none denied it.
    Allow,
    /// A statement denied the request; this beats every allow.
    ExplicitDeny,
    /// No statement applied: denied by default.
    ImplicitDeny,
}

impl Effect {
    /// `"Allow"`, `"ExplicitDeny"` or `"ImplicitDeny"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::ExplicitDeny => "ExplicitDeny",
            Effect::ImplicitDeny => "ImplicitDeny",
        }
    }
}

impl std::fmt::Display for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement that decided a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecidingStatement<'p> {
    /// Index of the policy in the list evaluated (for [`authorize`], identity policies come
    /// first and the resource policy after them).
    pub policy: usize,
    /// Index of the statement in the policy's `Statement` array.
    pub index: usize,
    /// The statement's `Sid`.
    pub sid: Option<&'p str>,
}

/// The result of an evaluation: the effect and the statements that decided it (the denying
/// statements for `ExplicitDeny`, the allowing ones for `Allow`, none for `ImplicitDeny`).
///
/// A denied decision is what happened, not a response: [`crate::Denial`] gives the message
/// API Gateway tells the caller, and the gateway chooses the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'p> {
    /// The outcome.
    pub effect: Effect,
    /// The statements behind it.
    pub statements: Vec<DecidingStatement<'p>>,
}

impl Decision<'_> {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.effect == Effect::Allow
    }
}

/// Collects matches across policies: once a deny is seen, allows no longer matter.
struct Tally<'p> {
    denied: bool,
    statements: Vec<DecidingStatement<'p>>,
}

impl<'p> Tally<'p> {
    fn new() -> Self {
        Tally {
            denied: false,
            statements: Vec::new(),
        }
    }

    fn run(&mut self, policy_index: usize, policy: &'p Policy, request: &Request, arn: &ArnParts) {
        for (index, statement) in policy.statements().iter().enumerate() {
            let deny = statement.effect == StatementEffect::Deny;
            if self.denied && !deny {
                continue;
            }
            if !statement.applies(request, arn) {
                continue;
            }
            if deny && !self.denied {
                self.denied = true;
                self.statements.clear();
            }
            self.statements.push(DecidingStatement {
                policy: policy_index,
                index,
                sid: statement.sid.as_deref(),
            });
        }
    }

    fn finish(self) -> Decision<'p> {
        let effect = if self.denied {
            Effect::ExplicitDeny
        } else if self.statements.is_empty() {
            Effect::ImplicitDeny
        } else {
            Effect::Allow
        };
        Decision {
            effect,
            statements: self.statements,
        }
    }
}

impl Policy {
    /// Evaluates this policy alone (see [`evaluate`] for several).
    ///
    /// Evaluation lives here, beside [`evaluate`], so that a compiled [`Policy`] knows nothing
    /// of decisions: data flows one way, `parse` -> `policy` -> `decision`.
    pub fn evaluate(&self, request: &Request) -> Decision<'_> {
        evaluate([self], request)
    }
}

/// Evaluates several policies together as IAM does within one account: explicit deny beats
/// allow beats implicit deny.
///
/// ```
/// use gateway_policy::{evaluate, Effect, Policy, Request};
/// let allow = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}}"#)?;
/// let deny = Policy::parse(r#"{"Statement":{"Sid":"NoDelete","Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/*/DELETE/*"}}"#)?;
/// let request = Request::new("execute-api:Invoke", "arn:aws:execute-api:us-east-1:1:api/prod/DELETE/pets");
/// let decision = evaluate([&allow, &deny], &request);
/// assert_eq!(decision.effect, Effect::ExplicitDeny);
/// assert_eq!(decision.statements[0].sid, Some("NoDelete"));
/// # Ok::<(), gateway_policy::PolicyError>(())
/// ```
pub fn evaluate<'p, I>(policies: I, request: &Request) -> Decision<'p>
where
    I: IntoIterator<Item = &'p Policy>,
{
    let arn = ArnParts::split(request.resource());
    let mut tally = Tally::new();
    for (i, policy) in policies.into_iter().enumerate() {
        tally.run(i, policy, request, &arn);
    }
    tally.finish()
}

/// Combines a caller's identity policies with the resource's policy, as IAM does for a
/// principal calling a resource (IAM User Guide, "Cross-account policy evaluation logic").
///
/// `resource_account` is the account that owns the resource. When the principal belongs to it
/// (or is anonymous, and so has no identity policies) either kind of policy may allow (API
/// Gateway Developer Guide, "apigateway-authorization-flow", Table A); when it belongs to
/// another account both must allow (Table B), so with no resource policy (`None`) such a
/// caller is implicitly denied whatever its identity policies say. An explicit deny in either
/// always wins. Statements are numbered with the identity policies first and the resource
/// policy last.
///
/// A resource policy that allows the caller only by naming the caller's own account (`"AWS":
/// "111122223333"` or `"arn:aws:iam::111122223333:root"`) delegates to that account's identity
/// policies: within the account it does not allow on its own, so the caller needs an identity
/// allow (IAM User Guide, "AWS JSON policy elements: Principal": an account principal means
/// the account's administrators decide through identity policies; "Cross-account policy
/// evaluation logic" for the other account's side). A grant naming the caller's ARN, its role
/// or `"*"` is enough on its own within the account.
///
/// ```
/// use gateway_policy::{authorize, Effect, Policy, Principal, Request};
/// let identity = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}}"#)?;
/// let request = Request::new("execute-api:Invoke", "arn:aws:execute-api:us-east-1:111111111111:api/prod/GET/")
///     .with_principal(Principal::aws("arn:aws:iam::222222222222:user/bob"));
/// // Another account's caller: the API's resource policy must allow too.
/// assert_eq!(authorize([&identity], None, &request, "111111111111").effect, Effect::ImplicitDeny);
/// assert_eq!(authorize([&identity], None, &request, "222222222222").effect, Effect::Allow);
/// # Ok::<(), gateway_policy::PolicyError>(())
/// ```
pub fn authorize<'p, I>(
    identity: I,
    resource: Option<&'p Policy>,
    request: &Request,
    resource_account: &str,
) -> Decision<'p>
where
    I: IntoIterator<Item = &'p Policy>,
{
    let arn = ArnParts::split(request.resource());
    let mut id = Tally::new();
    let mut count = 0;
    for (i, policy) in identity.into_iter().enumerate() {
        id.run(i, policy, request, &arn);
        count = i + 1;
    }
    let mut res = Tally::new();
    if let Some(policy) = resource {
        res.run(count, policy, request, &arn);
    }
    let (id, mut res) = (id.finish(), res.finish());
    let same_account = request
        .principal()
        .account()
        .is_none_or(|a| a == resource_account);
    // Within the account, an allow that only names the caller's account delegates to the
    // identity policies: it counts only when they allow too.
    if same_account
        && res.effect == Effect::Allow
        && id.effect != Effect::Allow
        && let Some(policy) = resource
        && res.statements.iter().all(|d| {
            policy
                .statements()
                .get(d.index)
                .is_some_and(|s| s.delegates_to_account(request.principal()))
        })
    {
        res.effect = Effect::ImplicitDeny;
        res.statements.clear();
    }
    let effect = combine(id.effect, res.effect, same_account);
    let mut statements = Vec::new();
    if effect != Effect::ImplicitDeny {
        if id.effect == effect {
            statements.extend(id.statements);
        }
        if res.effect == effect {
            statements.extend(res.statements);
        }
    }
    Decision { effect, statements }
}

/// Tables A and B of the API Gateway Developer Guide's "Policy evaluation outcome tables" (and
/// IAM's cross-account rule): the effect of an identity-side and a resource-side decision.
pub(crate) fn combine(identity: Effect, resource: Effect, same_account: bool) -> Effect {
    use Effect::*;
    match (identity, resource) {
        (ExplicitDeny, _) | (_, ExplicitDeny) => ExplicitDeny,
        (Allow, Allow) => Allow,
        (Allow, ImplicitDeny) | (ImplicitDeny, Allow) if same_account => Allow,
        _ => ImplicitDeny,
    }
}
