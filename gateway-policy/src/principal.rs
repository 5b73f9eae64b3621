//! `Principal` / `NotPrincipal` matching.
//!
//! Facts from the IAM User Guide, "AWS JSON policy elements: Principal":
//! - `"*"` and `{"AWS": "*"}` both mean everyone, anonymous callers included;
//! - an account is named by its 12-digit ID or `arn:aws:iam::ID:root`, and then covers every
//!   principal of that account;
//! - a role ARN covers that role's sessions (`arn:aws:sts::ID:assumed-role/NAME/SESSION`);
//! - wildcards are not allowed inside a principal ARN;
//! - `NotPrincipal` spares a caller only when every identity it carries is named: its account
//!   and its ARN (for a role session, its role) ([`PrincipalMatcher::spares`]).

use crate::arn::Arn;
use crate::ast::{PrincipalKind, PrincipalSpec};
use crate::request::Principal;

/// A role named in a policy, kept in the parts its sessions' ARNs carry.
#[derive(Debug, Clone)]
struct Role {
    partition: Box<str>,
    account: Box<str>,
    name: Box<str>,
}

/// A compiled `Principal` value.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrincipalMatcher {
    any: bool,
    accounts: Vec<Box<str>>,
    arns: Vec<Box<str>>,
    roles: Vec<Role>,
    services: Vec<Box<str>>,
    federated: Vec<Box<str>>,
    canonical: Vec<Box<str>>,
}

impl PrincipalMatcher {
    /// Compiles a `Principal` value; the error is the reason a value is refused.
    pub(crate) fn compile(
        spec: &PrincipalSpec,
    ) -> Result<PrincipalMatcher, (String, &'static str)> {
        let mut m = PrincipalMatcher::default();
        let PrincipalSpec::Map(kinds) = spec else {
            m.any = true;
            return Ok(m);
        };
        for (kind, values) in kinds {
            for v in values {
                if v != "*" && v.contains(['*', '?']) {
                    return Err((
                        v.clone(),
                        "wildcards are not allowed in a principal (only \"*\" alone)",
                    ));
                }
                if *kind == PrincipalKind::Aws && !is_aws_principal(v) {
                    return Err((
                        v.clone(),
                        "an AWS principal must be \"*\", a 12-digit account ID, an ARN or a unique ID",
                    ));
                }
                let v: Box<str> = v.as_str().into();
                match kind {
                    PrincipalKind::Aws => m.add_aws(v),
                    PrincipalKind::Service => m.services.push(v),
                    PrincipalKind::Federated => m.federated.push(v),
                    PrincipalKind::CanonicalUser => m.canonical.push(v),
                }
            }
        }
        Ok(m)
    }

    fn add_aws(&mut self, v: Box<str>) {
        if &*v == "*" {
            self.any = true;
        } else if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
            self.accounts.push(v);
        } else if let Some(account) = account_root(&v) {
            self.accounts.push(account.into());
        } else {
            if let Some(role) = role_of(&v) {
                self.roles.push(role);
            }
            self.arns.push(v);
        }
    }

    /// Whether a `NotPrincipal` naming these principals spares `principal`: every identity
    /// the request carries must be named. IAM User Guide, "AWS JSON policy elements:
    /// NotPrincipal": AWS "might validate the account first and then the user" (and for a role
    /// session the account, then the role, then the session), so "explicitly include the ARN
    /// for a user's account, or include both the ARN for a role and the ARN for the account
    /// containing that role"; naming only the user leaves the statement applying to it. A role
    /// ARN covers its sessions here as in `Principal`, so role and account are enough.
    pub(crate) fn spares(&self, principal: &Principal) -> bool {
        if self.any {
            return true;
        }
        match principal {
            Principal::Anonymous => false,
            Principal::Aws { arn, account } => {
                let account_named = self.accounts.iter().any(|a| **a == **account);
                if account_root(arn).is_some() {
                    return account_named;
                }
                // A role session is spared with its role and account named (the role covers
                // its sessions, as in `Principal`); a user with its own ARN and account.
                let identity_named = match session_of(arn) {
                    Some(session) => self.names_role_of(session),
                    None => self.arns.iter().any(|a| **a == **arn),
                };
                account_named && identity_named
            }
            Principal::Service(s) => self.services.iter().any(|x| **x == **s),
            Principal::Federated(s) => self.federated.iter().any(|x| **x == **s),
            Principal::CanonicalUser(s) => self.canonical.iter().any(|x| **x == **s),
        }
    }

    fn names_role_of(&self, (partition, acct, name): (&str, &str, &str)) -> bool {
        self.roles
            .iter()
            .any(|r| *r.partition == *partition && *r.account == *acct && *r.name == *name)
    }

    /// Whether these principals name `principal` only through its account (a 12-digit ID or
    /// `arn:aws:iam::ID:root`), not the caller itself (its ARN, its role, or `*`). Such a grant
    /// delegates to the account: "the account, delegated", whose own identity policies must
    /// then allow the caller (IAM User Guide, "AWS JSON policy elements: Principal", AWS
    /// account principals). The account root is the account itself, so it is named directly.
    pub(crate) fn names_only_the_account_of(&self, principal: &Principal) -> bool {
        let Principal::Aws { arn, account } = principal else {
            return false;
        };
        !self.any
            && account_root(arn).is_none()
            && self.accounts.iter().any(|a| **a == **account)
            && !self.arns.iter().any(|a| **a == **arn)
            && !session_of(arn).is_some_and(|session| self.names_role_of(session))
    }

    /// Whether `principal` is one of the principals named.
    pub(crate) fn matches(&self, principal: &Principal) -> bool {
        if self.any {
            return true;
        }
        match principal {
            Principal::Anonymous => false,
            Principal::Aws { arn, account } => {
                self.accounts.iter().any(|a| **a == **account)
                    || self.arns.iter().any(|a| **a == **arn)
                    || session_of(arn).is_some_and(|session| self.names_role_of(session))
            }
            Principal::Service(s) => self.services.iter().any(|x| **x == **s),
            Principal::Federated(s) => self.federated.iter().any(|x| **x == **s),
            Principal::CanonicalUser(s) => self.canonical.iter().any(|x| **x == **s),
        }
    }
}

/// What an `"AWS"` principal may be (IAM User Guide, "AWS JSON policy elements: Principal"):
/// `*`, an account ID, an ARN, or the unique ID (`AIDA...`, `AROA...`) IAM writes in place of
/// the ARN of a deleted user or role. Anything else IAM refuses ("Invalid principal in
/// policy").
fn is_aws_principal(v: &str) -> bool {
    v == "*"
        || (v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()))
        || v.starts_with("arn:")
        || (v.len() >= 16
            && v.starts_with('A')
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// `arn:PARTITION:iam::ACCOUNT:root` -> `ACCOUNT`.
fn account_root(arn: &str) -> Option<&str> {
    let arn = Arn::parse(arn)?;
    (arn.service == "iam" && arn.region.is_empty() && arn.resource == "root").then_some(arn.account)
}

/// `arn:P:iam::A:role/path/NAME` -> the parts its sessions carry (sessions drop the path).
fn role_of(arn: &str) -> Option<Role> {
    let arn = Arn::parse(arn).filter(|a| a.service == "iam" && a.region.is_empty())?;
    let path = arn.resource.strip_prefix("role/")?;
    let name = path.rsplit('/').next()?;
    Some(Role {
        partition: arn.partition.into(),
        account: arn.account.into(),
        name: name.into(),
    })
}

/// `arn:P:sts::A:assumed-role/NAME/SESSION` -> (P, A, NAME).
fn session_of(arn: &str) -> Option<(&str, &str, &str)> {
    let arn = Arn::parse(arn).filter(|a| a.service == "sts" && a.region.is_empty())?;
    let rest = arn.resource.strip_prefix("assumed-role/")?;
    let (name, _session) = rest.split_once('/')?;
    Some((arn.partition, arn.account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(values: &[&str]) -> PrincipalMatcher {
        PrincipalMatcher::compile(&PrincipalSpec::Map(vec![(
            PrincipalKind::Aws,
            values.iter().map(|s| s.to_string()).collect(),
        )]))
        .unwrap()
    }

    #[test]
    fn account_forms_cover_every_principal_of_the_account() {
        let user = Principal::aws("arn:aws:iam::111122223333:user/alice");
        assert!(aws(&["111122223333"]).matches(&user));
        assert!(aws(&["arn:aws:iam::111122223333:root"]).matches(&user));
        assert!(!aws(&["444455556666"]).matches(&user));
        assert!(!aws(&["111122223333"]).matches(&Principal::Anonymous));
    }

    #[test]
    fn a_role_arn_covers_its_sessions() {
        let session = Principal::aws("arn:aws:sts::111122223333:assumed-role/dev/s1");
        assert!(aws(&["arn:aws:iam::111122223333:role/team/dev"]).matches(&session));
        assert!(!aws(&["arn:aws:iam::111122223333:role/ops"]).matches(&session));
    }

    #[test]
    fn not_principal_spares_only_callers_whose_every_identity_is_named() {
        let bob = Principal::aws("arn:aws:iam::111122223333:user/bob");
        assert!(!aws(&["arn:aws:iam::111122223333:user/bob"]).spares(&bob));
        assert!(aws(&["arn:aws:iam::111122223333:user/bob", "111122223333"]).spares(&bob));
        assert!(!aws(&["111122223333"]).spares(&bob));
        let session = Principal::aws("arn:aws:sts::111122223333:assumed-role/dev/s1");
        let session_arn = "arn:aws:sts::111122223333:assumed-role/dev/s1";
        let role = "arn:aws:iam::111122223333:role/dev";
        let root = "arn:aws:iam::111122223333:root";
        assert!(aws(&[session_arn, role, root]).spares(&session));
        assert!(aws(&[role, root]).spares(&session));
        assert!(!aws(&[session_arn, root]).spares(&session));
        assert!(!aws(&[role]).spares(&session));
        let account = Principal::aws(root);
        assert!(aws(&["111122223333"]).spares(&account));
        assert!(!aws(&["111122223333"]).spares(&Principal::Anonymous));
        assert!(aws(&["*"]).spares(&Principal::Anonymous));
    }

    #[test]
    fn aws_principals_are_accounts_arns_or_unique_ids() {
        for ok in [
            "*",
            "111122223333",
            "arn:aws:iam::111122223333:user/a",
            "AIDACKCEVSQ6C2EXAMPLE",
        ] {
            assert!(is_aws_principal(ok), "{ok}");
        }
        for bad in ["someone", "1234", "aidackcevsq6c2example", ""] {
            assert!(!is_aws_principal(bad), "{bad}");
        }
    }

    #[test]
    fn wildcards_inside_a_principal_are_refused() {
        let spec = PrincipalSpec::Map(vec![(
            PrincipalKind::Aws,
            vec!["arn:aws:iam::111122223333:user/*".into()],
        )]);
        assert!(PrincipalMatcher::compile(&spec).is_err());
        assert!(aws(&["*"]).matches(&Principal::Anonymous));
    }
}
