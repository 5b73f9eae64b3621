//! A compiled IAM policy.

use crate::PolicyError;

/// An IAM policy, parsed, validated and compiled once, then evaluated per request.
#[derive(Debug, Clone)]
pub struct Policy {
    doc: serde_json::Value,
}

impl Policy {
    /// Parses and validates a policy document.
    pub fn parse(json: &str) -> Result<Policy, PolicyError> {
        let doc: serde_json::Value =
            serde_json::from_str(json).map_err(|e| PolicyError::Json(e.to_string()))?;
        if !doc.is_object() {
            return Err(PolicyError::Invalid(
                "a policy must be a JSON object".into(),
            ));
        }
        Ok(Policy { doc })
    }
}
