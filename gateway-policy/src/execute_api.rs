//! `execute-api` ARNs: `arn:{partition}:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/{path}`,
//! and the `execute-api:/stage/METHOD/path` shorthand of resource policies.
//!
//! Format from the API Gateway Developer Guide, "Resource format of permissions for executing
//! API in API Gateway"; the shorthand from "API Gateway resource policy examples" ("API Gateway
//! converts the abbreviated syntax to the full ARN when you save the policy", using the API's
//! Region, account and ID).

use std::fmt;

/// Why a string is not an `execute-api` ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArnError {
    /// Not of the form `arn:partition:execute-api:region:account:resource`.
    #[error(
        "{0:?} is not an execute-api ARN (arn:partition:execute-api:region:account:api-id/stage/METHOD/path)"
    )]
    NotExecuteApi(String),
    /// The resource part lacks the API ID, stage or method.
    #[error("{0:?} must name api-id/stage/METHOD after the account")]
    MissingParts(String),
}

/// A parsed `execute-api` ARN, the resource API Gateway authorizes an invocation on.
///
/// ```
/// use gateway_policy::ExecuteApiArn;
/// let arn: ExecuteApiArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/7".parse()?;
/// assert_eq!(arn.path, "/pets/7");
/// assert_eq!(arn.to_string(), "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/7");
/// # Ok::<(), gateway_policy::ArnError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExecuteApiArn {
    /// `aws`, `aws-cn`, `aws-us-gov`...
    pub partition: String,
    /// The API's Region.
    pub region: String,
    /// The API owner's account ID.
    pub account_id: String,
    /// The API's ID.
    pub api_id: String,
    /// The stage name.
    pub stage: String,
    /// The HTTP method, upper case as API Gateway writes it (or `*` in patterns).
    pub method: String,
    /// The resource path with its leading `/` (`/` for the root); the ARN writes it without.
    pub path: String,
}

impl ExecuteApiArn {
    /// The ARN of an invocation of `method` on `path` in `stage` of the API `scope`.
    pub fn new(scope: &ApiScope, stage: &str, method: &str, path: &str) -> ExecuteApiArn {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        ExecuteApiArn {
            partition: scope.partition.clone(),
            region: scope.region.clone(),
            account_id: scope.account_id.clone(),
            api_id: scope.api_id.clone(),
            stage: stage.to_string(),
            method: method.to_string(),
            path,
        }
    }
}

impl std::str::FromStr for ExecuteApiArn {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<ExecuteApiArn, ArnError> {
        let Some(crate::Arn {
            partition,
            service: "execute-api",
            region,
            account,
            resource: rest,
        }) = crate::Arn::parse(s)
        else {
            return Err(ArnError::NotExecuteApi(s.to_string()));
        };
        let mut pieces = rest.splitn(4, '/');
        let (Some(api_id), Some(stage), Some(method)) =
            (pieces.next(), pieces.next(), pieces.next())
        else {
            return Err(ArnError::MissingParts(s.to_string()));
        };
        if api_id.is_empty() || stage.is_empty() || method.is_empty() {
            return Err(ArnError::MissingParts(s.to_string()));
        }
        Ok(ExecuteApiArn {
            partition: partition.to_string(),
            region: region.to_string(),
            account_id: account.to_string(),
            api_id: api_id.to_string(),
            stage: stage.to_string(),
            method: method.to_string(),
            path: format!("/{}", pieces.next().unwrap_or("")),
        })
    }
}

impl fmt::Display for ExecuteApiArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:execute-api:{}:{}:{}/{}/{}/{}",
            self.partition,
            self.region,
            self.account_id,
            self.api_id,
            self.stage,
            self.method,
            self.path.strip_prefix('/').unwrap_or(&self.path)
        )
    }
}

/// The API a resource policy belongs to: what the `execute-api:/...` shorthand expands with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiScope {
    /// `aws` for the commercial Regions.
    pub partition: String,
    /// The API's Region.
    pub region: String,
    /// The API owner's account ID.
    pub account_id: String,
    /// The API's ID.
    pub api_id: String,
}

impl ApiScope {
    /// An API in the `aws` partition.
    pub fn new(region: &str, account_id: &str, api_id: &str) -> ApiScope {
        ApiScope {
            partition: "aws".to_string(),
            region: region.to_string(),
            account_id: account_id.to_string(),
            api_id: api_id.to_string(),
        }
    }

    /// Expands `execute-api:/stage/METHOD/path` to the API's full ARN; other text is returned
    /// unchanged.
    pub fn expand(&self, resource: &str) -> String {
        match resource.strip_prefix("execute-api:/") {
            Some(rest) => format!(
                "arn:{}:execute-api:{}:{}:{}/{rest}",
                self.partition, self.region, self.account_id, self.api_id
            ),
            None => resource.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip_including_the_root_path() {
        let scope = ApiScope::new("us-east-2", "123456789012", "aabbccddee");
        let root = ExecuteApiArn::new(&scope, "prod", "GET", "/");
        assert_eq!(
            root.to_string(),
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/"
        );
        assert_eq!(root.to_string().parse::<ExecuteApiArn>().unwrap(), root);
        let deep: ExecuteApiArn = "arn:aws-cn:execute-api:cn-north-1:1:api/s/POST/a/b/c"
            .parse()
            .unwrap();
        assert_eq!(deep.path, "/a/b/c");
        assert_eq!(deep.partition, "aws-cn");
    }

    #[test]
    fn malformed_arns_are_refused_with_a_reason() {
        assert!(matches!(
            "arn:aws:s3:::bucket".parse::<ExecuteApiArn>(),
            Err(ArnError::NotExecuteApi(_))
        ));
        assert!(matches!(
            "arn:aws:execute-api:us-east-1:1:api/stage".parse::<ExecuteApiArn>(),
            Err(ArnError::MissingParts(_))
        ));
    }

    #[test]
    fn shorthand_expands_with_the_apis_region_account_and_id() {
        // API Gateway Developer Guide, "API Gateway resource policy examples":
        // execute-api:/stage-name/GET/pets becomes
        // arn:aws:execute-api:us-east-2:123456789012:aabbccddee/stage-name/GET/pets.
        let scope = ApiScope::new("us-east-2", "123456789012", "aabbccddee");
        assert_eq!(
            scope.expand("execute-api:/stage-name/GET/pets"),
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/stage-name/GET/pets"
        );
        assert_eq!(scope.expand("arn:aws:s3:::b"), "arn:aws:s3:::b");
    }
}
