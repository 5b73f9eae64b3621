//! The errors a policy document can produce when it is loaded.
//!
//! Every error names where it happened: the statement (index and `Sid`) and the element, so that
//! a user can find the line to fix, much as IAM's `MalformedPolicyDocument` messages do.

use std::fmt;

/// Where in a policy document an error sits: a statement, by index and `Sid` when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLocation {
    /// Zero-based index of the statement in the `Statement` array (0 when it is a lone object).
    pub index: usize,
    /// The statement's `Sid`, when it has one.
    pub sid: Option<String>,
}

impl fmt::Display for StatementLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(sid) => write!(f, "statement {} (Sid {sid:?})", self.index),
            None => write!(f, "statement {}", self.index),
        }
    }
}

/// Why a policy document was rejected, naming the statement and element at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The document is not valid JSON.
    #[error("policy is not valid JSON: {0}")]
    Json(String),
    /// The document is larger than [`crate::MAX_POLICY_BYTES`].
    #[error("policy is {len} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The document's size in bytes.
        len: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// The top level is not a JSON object.
    #[error("policy must be a JSON object")]
    NotAnObject,
    /// A top-level element other than `Version`, `Id` and `Statement`.
    #[error("policy has an unknown element {0:?} (expected Version, Id or Statement)")]
    UnknownTopLevelElement(String),
    /// `Version` is not one of the two IAM policy language versions.
    #[error("policy Version {0:?} is not supported (expected \"2012-10-17\" or \"2008-10-17\")")]
    InvalidVersion(String),
    /// There is no `Statement`, or it is empty.
    #[error("policy has no Statement")]
    MissingStatement,
    /// `Statement` is neither an object nor an array of objects.
    #[error("policy Statement must be an object or an array of objects")]
    StatementNotObject,
    /// A statement element that the IAM grammar does not have.
    #[error("{at}: unknown element {element:?}")]
    UnknownElement {
        /// The statement.
        at: StatementLocation,
        /// The element's name as written.
        element: String,
    },
    /// A required element is absent.
    #[error("{at}: missing {element}")]
    MissingElement {
        /// The statement.
        at: StatementLocation,
        /// The element (or pair of alternatives) that is required.
        element: &'static str,
    },
    /// Two elements that exclude each other, such as `Action` and `NotAction`.
    #[error("{at}: {first} and {second} cannot both be present")]
    ConflictingElements {
        /// The statement.
        at: StatementLocation,
        /// The first element.
        first: &'static str,
        /// The element it excludes.
        second: &'static str,
    },
    /// An element whose JSON type is wrong, such as a number where a string is expected.
    #[error("{at}: {element} must be {expected}")]
    WrongType {
        /// The statement.
        at: StatementLocation,
        /// The element.
        element: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// `Effect` is not exactly `Allow` or `Deny`.
    #[error("{at}: Effect {value:?} is invalid (expected \"Allow\" or \"Deny\")")]
    InvalidEffect {
        /// The statement.
        at: StatementLocation,
        /// The value given.
        value: String,
    },
    /// A value of `Action`, `Resource`, `Principal` and so on that cannot be used.
    #[error("{at}: {element} value {value:?} is invalid: {reason}")]
    InvalidValue {
        /// The statement.
        at: StatementLocation,
        /// The element.
        element: &'static str,
        /// The value given.
        value: String,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A condition operator IAM does not have.
    #[error("{at}: Condition operator {operator:?} is invalid")]
    InvalidConditionOperator {
        /// The statement.
        at: StatementLocation,
        /// The operator as written.
        operator: String,
    },
    /// A condition value the operator cannot use (a bad number, date, CIDR, base64...).
    #[error("{at}: Condition {operator} on key {key:?}: value {value:?} is invalid: {reason}")]
    InvalidConditionValue {
        /// The statement.
        at: StatementLocation,
        /// The operator.
        operator: String,
        /// The condition key.
        key: String,
        /// The value given.
        value: String,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// `Principal` or `NotPrincipal` in an identity policy, which names no principal (the
    /// policy is attached to one).
    #[error("{at}: {element} is not allowed in an identity policy")]
    PrincipalNotAllowed {
        /// The statement.
        at: StatementLocation,
        /// `Principal` or `NotPrincipal`.
        element: &'static str,
    },
    /// Two statements of an identity policy share a `Sid` (IAM User Guide, "IAM JSON policy
    /// elements: Sid": "In IAM, the Sid value must be unique within a JSON policy").
    #[error("{at}: Sid is already used by statement {first}")]
    DuplicateSid {
        /// The later statement.
        at: StatementLocation,
        /// The index of the statement that used the Sid first.
        first: usize,
    },
    /// A key given twice inside one JSON object, such as two `Effect`s in one statement (IAM
    /// User Guide, "Grammar of the IAM JSON policy language": "Individual elements must not
    /// contain multiple instances of the same key"). Refused wherever it appears, because a
    /// reader that keeps one of the two silently could evaluate the other one's meaning.
    #[error("{}key {key:?} is given more than once{}", at.as_ref().map(|a| format!("{a}: ")).unwrap_or_default(), if object.is_empty() { String::new() } else { format!(" in {object}") })]
    DuplicateKey {
        /// The statement, when the key is inside one.
        at: Option<StatementLocation>,
        /// Where the object holding the key is: the element path inside the statement (such
        /// as `Condition.StringEquals`), or from the document's root outside statements;
        /// empty for the statement itself or the top level.
        object: String,
        /// The repeated key.
        key: String,
    },
    /// A limit on the size of a value was exceeded.
    #[error("{at}: {element} value is {len} characters, more than the limit of {limit}")]
    ValueTooLong {
        /// The statement.
        at: StatementLocation,
        /// The element.
        element: &'static str,
        /// The value's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
}

impl PolicyError {
    /// The message AWS itself gives for this error, where it is known, for users who compare
    /// with what the console or API said.
    ///
    /// The wording is IAM's `MalformedPolicyDocument` messages (as IAM's CreatePolicy and
    /// PutUserPolicy return them; IAM folds most grammar errors into "Syntax errors in
    /// policy."), except for the `Principal` rules of resource policies, which IAM's own APIs
    /// do not check: those are S3 PutBucketPolicy's ("Missing required field Principal",
    /// "Invalid principal in policy").
    ///
    /// ```
    /// use gateway_policy::Policy;
    /// let e = Policy::parse(r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#).unwrap_err();
    /// assert_eq!(e.iam_message().as_deref(), Some("Policy statement must contain actions."));
    /// ```
    pub fn iam_message(&self) -> Option<String> {
        const SYNTAX: &str = "Syntax errors in policy.";
        let text = match self {
            PolicyError::Json(_)
            | PolicyError::NotAnObject
            | PolicyError::UnknownTopLevelElement(_)
            | PolicyError::InvalidVersion(_)
            | PolicyError::MissingStatement
            | PolicyError::StatementNotObject
            | PolicyError::UnknownElement { .. }
            | PolicyError::ConflictingElements { .. }
            | PolicyError::WrongType { .. }
            | PolicyError::InvalidConditionOperator { .. } => SYNTAX,
            PolicyError::MissingElement { element, .. } => match element.as_bytes().first() {
                Some(b'A') => "Policy statement must contain actions.",
                Some(b'R') => "Policy statement must contain resources.",
                Some(b'P') => "Missing required field Principal",
                _ => SYNTAX,
            },
            // "allow" parses as JSON grammar but fails IAM's case-sensitive check.
            PolicyError::InvalidEffect { value, .. }
                if value.eq_ignore_ascii_case("allow") || value.eq_ignore_ascii_case("deny") =>
            {
                "The policy failed legacy parsing"
            }
            PolicyError::InvalidEffect { .. } => SYNTAX,
            PolicyError::PrincipalNotAllowed { .. } => {
                "Policy document should not specify a principal."
            }
            PolicyError::DuplicateSid { .. } => {
                "Statement IDs (SID) in a single policy must be unique."
            }
            PolicyError::InvalidValue {
                element, reason, ..
            } if element.ends_with("Action") && reason.contains("only one colon") => {
                "Actions/Condition can contain only one colon."
            }
            PolicyError::InvalidValue { element, .. } if element.ends_with("Action") => {
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
            }
            PolicyError::InvalidValue { element, value, .. } if element.ends_with("Resource") => {
                return Some(format!("Resource {value} must be in ARN format or \"*\"."));
            }
            PolicyError::InvalidValue { element, .. } if *element == "Sid" => {
                "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the \
                 regular expression [0-9A-Za-z]*"
            }
            PolicyError::InvalidValue { element, .. } if element.ends_with("Principal") => {
                "Invalid principal in policy"
            }
            _ => return None,
        };
        Some(text.to_string())
    }
}

/// A Lambda authorizer's policy document that API Gateway refuses outright, rather than
/// evaluating it to a deny. See [`crate::Policy::parse_authorizer`] for which documents are
/// refused.
///
/// It carries what is wrong, not a response: the gateway answers it with its
/// `AUTHORIZER_CONFIGURATION_ERROR` gateway response, which API Gateway sends as `500` with
/// `x-amzn-ErrorType: AuthorizerConfigurationException` and a null `$context.error.message`
/// (default body `{"message": null}`): the `Display` text below is for logs, never for the
/// caller (research notes `pipeline-access.md`, sections 5 and 6.3, from recorded responses).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("authorizer policy refused: {cause}")]
pub struct AuthorizerConfigError {
    /// What is wrong with the document.
    pub cause: PolicyError,
}
