//! What a policy denial tells the caller: the kind of deny and API Gateway's message for it.
//!
//! The evaluator decides ([`crate::Decision`], [`crate::api_outcome`]); this names the refusal.
//! A [`Denial`] carries no status and no body: the gateway maps every denial to its
//! `ACCESS_DENIED` gateway response (403, `x-amzn-ErrorType: AccessDeniedException`) and puts
//! [`Denial::message`] in `$context.error.message`.
//!
//! The messages, as recorded on AWS (research notes `pipeline-access.md`, section 5 "Gateway
//! responses" and section 6.3 "Outcomes"; `iam-apigateway.md` section 2.5):
//!
//! - a Lambda authorizer's policy: "User is not authorized to access this resource with an
//!   explicit deny" for an explicit deny, "User is not authorized to access this resource" for
//!   an allow that does not cover the method;
//! - a resource policy or IAM: "User: anonymous is not authorized to perform:
//!   execute-api:Invoke on resource: `<method ARN>` with an explicit deny", without the last
//!   four words when no statement denied (the caller's ARN replaces `anonymous` for a signed
//!   caller).

use crate::decision::Effect;
use crate::request::{Principal, Request};

/// Which check refused the request: it picks API Gateway's wording of the denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeniedBy {
    /// The policy a Lambda authorizer returned, combined with the API's resource policy
    /// ([`crate::ApiAuth::Lambda`]): the message names neither caller nor resource.
    LambdaAuthorizer,
    /// The API's resource policy (alone, before a Lambda authorizer runs, or after Cognito),
    /// or IAM's identity and resource policies: the message names the caller (its ARN, or
    /// `anonymous`), the action and the resource.
    Policy,
}

/// A request the policies refused: an explicit or implicit deny, and the message API Gateway
/// answers with.
///
/// ```
/// use gateway_policy::{DeniedBy, Denial, Effect, Request};
/// let request = Request::new(
///     "execute-api:Invoke",
///     "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets",
/// );
/// let denial = Denial::new(Effect::ExplicitDeny, DeniedBy::Policy, &request).unwrap();
/// assert_eq!(
///     denial.message(),
///     "User: anonymous is not authorized to perform: execute-api:Invoke on resource: \
///      arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets with an explicit deny"
/// );
/// let denial = Denial::new(Effect::ImplicitDeny, DeniedBy::LambdaAuthorizer, &request).unwrap();
/// assert_eq!(denial.message(), "User is not authorized to access this resource");
/// assert!(Denial::new(Effect::Allow, DeniedBy::Policy, &request).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    effect: Effect,
    message: String,
}

impl Denial {
    /// The denial of `request` when `effect` is a deny (`None` when it is [`Effect::Allow`]),
    /// worded for the check `by` that refused it.
    pub fn new(effect: Effect, by: DeniedBy, request: &Request) -> Option<Denial> {
        let suffix = match effect {
            Effect::Allow => return None,
            Effect::ExplicitDeny => " with an explicit deny",
            Effect::ImplicitDeny => "",
        };
        let message = match by {
            DeniedBy::LambdaAuthorizer => {
                format!("User is not authorized to access this resource{suffix}")
            }
            DeniedBy::Policy => {
                let user = match request.principal() {
                    Principal::Anonymous => "anonymous",
                    Principal::Aws { arn, .. } => arn,
                    Principal::Service(name)
                    | Principal::Federated(name)
                    | Principal::CanonicalUser(name) => name,
                };
                format!(
                    "User: {user} is not authorized to perform: {} on resource: {}{suffix}",
                    request.action(),
                    request.resource()
                )
            }
        };
        Some(Denial { effect, message })
    }

    /// [`Effect::ExplicitDeny`] (a statement denied) or [`Effect::ImplicitDeny`] (none allowed).
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The message API Gateway answers with (`$context.error.message`).
    pub fn message(&self) -> &str {
        &self.message
    }
}
