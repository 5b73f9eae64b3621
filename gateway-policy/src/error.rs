//! The errors a policy document can produce when it is loaded.

/// Why a policy document was rejected, naming the statement and element at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The document is not valid JSON.
    #[error("policy is not valid JSON: {0}")]
    Json(String),
    /// The document is valid JSON but breaks a rule of the IAM policy grammar.
    #[error("{0}")]
    Invalid(String),
}
