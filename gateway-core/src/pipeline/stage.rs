//! The stage an API is served on: its name, variables and the deployment facts `$context`
//! reports.

use gateway_mapping::context::StageVariables;

/// Longest stage-variable name API Gateway takes (developer guide, quotas: "key ≤ 64").
pub const MAX_STAGE_VARIABLE_NAME: usize = 64;
/// Longest stage-variable value (developer guide, quotas: "value ≤ 512 characters").
pub const MAX_STAGE_VARIABLE_VALUE: usize = 512;
/// Most stage variables per stage (developer guide, quotas).
pub const MAX_STAGE_VARIABLES: usize = 100;

/// A deployed stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The stage name (`prod`): `$context.stage`, and the first path segment on the
    /// execute-api endpoint.
    pub name: String,
    /// Stage variables (`$stageVariables`, `${stageVariables.x}` in integration URIs).
    pub variables: StageVariables,
    /// `$context.deploymentId`.
    pub deployment_id: String,
    /// `$context.accountId`: the API owner's account.
    pub account_id: String,
    /// The Region, for ARNs (`us-east-1`).
    pub region: String,
    /// `accessLogSettings.format`: the access-log line written per request, when the host
    /// gives the gateway a sink ([`super::access_log`]); `None` writes nothing.
    pub access_log_format: Option<String>,
}

/// Why a stage is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StageError {
    /// The stage name is not 1 to 128 of `[A-Za-z0-9_-]` (the API reference's rule for
    /// `stageName`).
    #[error("stage name {0:?}: expected 1 to 128 letters, digits, '-' or '_'")]
    Name(String),
    /// A variable's name or value breaks API Gateway's rules.
    #[error("stage variable {name:?}: {reason}")]
    Variable {
        /// The variable.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// More than [`MAX_STAGE_VARIABLES`] variables.
    #[error("{0} stage variables, at most {MAX_STAGE_VARIABLES} allowed")]
    TooManyVariables(usize),
    /// The access-log format is refused.
    #[error("access log format: {0}")]
    AccessLog(#[from] super::access_log::AccessLogError),
}

impl Stage {
    /// A stage named `name` with no variables, in account `123456789012`, `us-east-1`
    /// (placeholders a local gateway reports; set them for real values).
    pub fn new(name: impl Into<String>) -> Stage {
        Stage {
            name: name.into(),
            variables: StageVariables::new(),
            deployment_id: "local".into(),
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            access_log_format: None,
        }
    }

    /// The stage an API definition names: the first segment of its base path when that is a
    /// valid stage name (an API Gateway export's `servers: [{url: .../{basePath}}]` with
    /// `basePath` defaulting to `prod`, or Swagger's `basePath: /prod`).
    pub fn named_by(api: &crate::model::RestApi) -> Option<String> {
        let first = api
            .base_path
            .as_deref()?
            .split('/')
            .find(|s| !s.is_empty())?;
        Stage::new(first).check().ok().map(|()| first.to_owned())
    }

    /// Checks the name and variables against API Gateway's rules: the name 1 to 128 of
    /// `[A-Za-z0-9_-]`; variable names `[A-Za-z0-9_]` up to 64, values up to 512 of
    /// `[A-Za-z0-9-._~:/?#&=,]` (botocore `Stage.variables`), at most 100 variables; the
    /// access-log format, when set, as [`AccessLogFormat::compile`](super::access_log::AccessLogFormat::compile) takes it.
    pub fn check(&self) -> Result<(), StageError> {
        if let Some(format) = &self.access_log_format {
            super::access_log::AccessLogFormat::compile(format)?;
        }
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 128
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(StageError::Name(self.name.clone()));
        }
        if self.variables.len() > MAX_STAGE_VARIABLES {
            return Err(StageError::TooManyVariables(self.variables.len()));
        }
        for (name, value) in self.variables.iter() {
            let bad = |reason: &str| StageError::Variable {
                name: name.clone(),
                reason: reason.to_owned(),
            };
            if name.is_empty()
                || name.len() > MAX_STAGE_VARIABLE_NAME
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(bad("the name must be 1 to 64 letters, digits or '_'"));
            }
            if value.chars().count() > MAX_STAGE_VARIABLE_VALUE
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#&=,".contains(&b))
            {
                return Err(bad(
                    "the value must be up to 512 of letters, digits and -._~:/?#&=,",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_names_its_stage_in_its_base_path() {
        let mut api = crate::model::RestApi::new("a", "b");
        assert_eq!(Stage::named_by(&api), None);
        api.base_path = Some("/prod".into());
        assert_eq!(Stage::named_by(&api).as_deref(), Some("prod"));
        api.base_path = Some("/v1/x".into());
        assert_eq!(Stage::named_by(&api).as_deref(), Some("v1"));
        api.base_path = Some("/{bad}".into());
        assert_eq!(Stage::named_by(&api), None);
    }

    #[test]
    fn names_and_variables_follow_api_gateways_rules() {
        let mut stage = Stage::new("prod");
        assert_eq!(stage.check(), Ok(()));
        stage
            .variables
            .insert("host".into(), "backend:8080/v1".into());
        assert_eq!(stage.check(), Ok(()));
        stage.variables.insert("bad name".into(), "x".into());
        assert!(matches!(stage.check(), Err(StageError::Variable { .. })));
        let mut stage = Stage::new("prod");
        stage.variables.insert("v".into(), "a b".into());
        assert!(matches!(stage.check(), Err(StageError::Variable { .. })));
        assert!(matches!(
            Stage::new("a/b").check(),
            Err(StageError::Name(_))
        ));
        assert!(matches!(Stage::new("").check(), Err(StageError::Name(_))));
    }
}
