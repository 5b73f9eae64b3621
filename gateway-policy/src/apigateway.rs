//! How API Gateway combines an API's resource policy with the method's authorization type.
//!
//! Source: API Gateway Developer Guide, "How API Gateway resource policies affect authorization
//! workflow" (`apigateway-authorization-flow`):
//! - resource policy only (no authorization): an explicit allow is required; an implicit or
//!   explicit deny denies;
//! - Lambda authorizer: the resource policy is first checked for explicit denies, before the
//!   authorizer runs ([`denies_before_authorizer`]); then the authorizer's policy and the
//!   resource policy combine by Table A;
//! - IAM: identity policies and the resource policy combine by Table A (same account) or
//!   Table B (caller in another account: both must allow);
//! - Amazon Cognito user pools: after the caller authenticates, "the resource policy is
//!   evaluated independently, and an explicit allow is required".
//!
//! Without a resource policy the authorization type decides alone (no authorization: allowed),
//! except for IAM callers from another account: Table B needs the resource policy's allow
//! too, so they are implicitly denied.

use crate::decision::{Effect, combine};
use crate::policy::Policy;
use crate::request::Request;

/// A method's authorization type, as far as resource policies are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiAuth {
    /// `NONE`: no caller policy.
    None,
    /// `AWS_IAM`: the caller's identity policies (`caller` is their combined effect).
    /// `same_account` tells whether the caller belongs to the API owner's account.
    Iam {
        /// Whether the caller's account owns the API (Table A) or not (Table B).
        same_account: bool,
    },
    /// A Lambda authorizer (`caller` is the effect of the policy it returned).
    Lambda,
    /// A Cognito user pool authorizer (`caller` is `Allow` once the token is valid).
    Cognito,
}

/// The outcome of a request under `auth`, given the caller-side effect (ignored for
/// [`ApiAuth::None`]) and the resource policy's effect (`None` when the API has no resource
/// policy).
///
/// This sees effects only. For [`ApiAuth::Iam`], [`crate::authorize`] computes the same
/// combination from the policies themselves, and also knows when a resource policy's allow
/// only names the caller's account (which then needs the caller's identity allow); prefer it
/// when the policies are at hand.
///
/// ```
/// use gateway_policy::{api_outcome, ApiAuth, Effect};
/// // Table B: a caller from another account needs the resource policy's allow too.
/// let cross = ApiAuth::Iam { same_account: false };
/// assert_eq!(api_outcome(cross, Effect::Allow, Some(Effect::ImplicitDeny)), Effect::ImplicitDeny);
/// assert_eq!(api_outcome(ApiAuth::None, Effect::ImplicitDeny, Some(Effect::Allow)), Effect::Allow);
/// ```
pub fn api_outcome(auth: ApiAuth, caller: Effect, resource_policy: Option<Effect>) -> Effect {
    match (auth, resource_policy) {
        (ApiAuth::None, None) => Effect::Allow,
        (ApiAuth::None, Some(resource)) => resource,
        (ApiAuth::Cognito, Some(resource)) if caller == Effect::Allow => resource,
        (ApiAuth::Cognito, _) => caller,
        (ApiAuth::Iam { same_account }, resource) => combine(
            caller,
            resource.unwrap_or(Effect::ImplicitDeny),
            same_account,
        ),
        (ApiAuth::Lambda, resource) => {
            combine(caller, resource.unwrap_or(Effect::ImplicitDeny), true)
        }
    }
}

/// The pre-authorizer pass for Lambda authorizers: whether the resource policy explicitly
/// denies the request before the authorizer is called (the caller is then denied without
/// running the authorizer).
pub fn denies_before_authorizer(resource_policy: &Policy, request: &Request) -> bool {
    resource_policy.evaluate(request).effect == Effect::ExplicitDeny
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect::*;

    const ALL: [Effect; 3] = [Allow, ImplicitDeny, ExplicitDeny];

    #[test]
    fn table_a_same_account() {
        // API Gateway Developer Guide, apigateway-authorization-flow, "Table A: Account A
        // Calls API Owned by Account A" (rows: IAM/authorizer policy, resource policy, result).
        let rows = [
            (Allow, Allow, Allow),
            (Allow, ImplicitDeny, Allow),
            (Allow, ExplicitDeny, ExplicitDeny),
            (ImplicitDeny, Allow, Allow),
            (ImplicitDeny, ImplicitDeny, ImplicitDeny),
            (ImplicitDeny, ExplicitDeny, ExplicitDeny),
            (ExplicitDeny, Allow, ExplicitDeny),
            (ExplicitDeny, ImplicitDeny, ExplicitDeny),
            (ExplicitDeny, ExplicitDeny, ExplicitDeny),
        ];
        for (caller, resource, want) in rows {
            let iam = ApiAuth::Iam { same_account: true };
            assert_eq!(
                api_outcome(iam, caller, Some(resource)),
                want,
                "{caller} {resource}"
            );
            assert_eq!(api_outcome(ApiAuth::Lambda, caller, Some(resource)), want);
        }
    }

    #[test]
    fn table_b_cross_account() {
        // Same page, "Table B: Account B Calls API Owned by Account A": "If either is silent
        // (neither allow nor deny), cross-account access is denied."
        let rows = [
            (Allow, Allow, Allow),
            (Allow, ImplicitDeny, ImplicitDeny),
            (Allow, ExplicitDeny, ExplicitDeny),
            (ImplicitDeny, Allow, ImplicitDeny),
            (ImplicitDeny, ImplicitDeny, ImplicitDeny),
            (ImplicitDeny, ExplicitDeny, ExplicitDeny),
            (ExplicitDeny, Allow, ExplicitDeny),
            (ExplicitDeny, ImplicitDeny, ExplicitDeny),
            (ExplicitDeny, ExplicitDeny, ExplicitDeny),
        ];
        for (caller, resource, want) in rows {
            let iam = ApiAuth::Iam {
                same_account: false,
            };
            assert_eq!(
                api_outcome(iam, caller, Some(resource)),
                want,
                "{caller} {resource}"
            );
        }
    }

    #[test]
    fn resource_policy_only_needs_an_explicit_allow() {
        // Same page, "API Gateway resource policy only": "An implicit denial or any explicit
        // denial results in denying the caller."
        for resource in ALL {
            assert_eq!(
                api_outcome(ApiAuth::None, ImplicitDeny, Some(resource)),
                resource
            );
        }
        assert_eq!(api_outcome(ApiAuth::None, ImplicitDeny, None), Allow);
    }

    #[test]
    fn cognito_needs_authentication_then_an_explicit_allow() {
        // Same page, "Amazon Cognito authentication and resource policy": "the resource policy
        // is evaluated independently, and an explicit allow is required. A deny or 'neither
        // allow or deny' results in a deny."
        assert_eq!(api_outcome(ApiAuth::Cognito, Allow, Some(Allow)), Allow);
        assert_eq!(
            api_outcome(ApiAuth::Cognito, Allow, Some(ImplicitDeny)),
            ImplicitDeny
        );
        assert_eq!(
            api_outcome(ApiAuth::Cognito, Allow, Some(ExplicitDeny)),
            ExplicitDeny
        );
        assert_eq!(api_outcome(ApiAuth::Cognito, Allow, None), Allow);
        assert_eq!(
            api_outcome(ApiAuth::Cognito, ImplicitDeny, Some(Allow)),
            ImplicitDeny
        );
    }

    #[test]
    fn without_a_resource_policy_a_cross_account_iam_caller_is_implicitly_denied() {
        // Same page, Table B: "If either is silent (neither allow nor deny), cross-account
        // access is denied"; an API with no resource policy is silent.
        let cross = ApiAuth::Iam {
            same_account: false,
        };
        assert_eq!(api_outcome(cross, Allow, None), ImplicitDeny);
        assert_eq!(api_outcome(cross, ImplicitDeny, None), ImplicitDeny);
        assert_eq!(api_outcome(cross, ExplicitDeny, None), ExplicitDeny);
    }

    #[test]
    fn without_a_resource_policy_the_caller_side_decides() {
        for caller in ALL {
            assert_eq!(api_outcome(ApiAuth::Lambda, caller, None), caller);
            let same = ApiAuth::Iam { same_account: true };
            assert_eq!(api_outcome(same, caller, None), caller);
        }
    }
}
