//! Authorizers compiled at load time: identity sources parsed into what the request is read
//! for, a TOKEN authorizer's `identityValidationExpression` compiled with the runtime's Java
//! regex (the same compile function as selection patterns), the cache TTL as a duration.
//!
//! The access-control stage reads these per request; nothing about an authorizer is parsed
//! while a request waits.

use std::fmt;
use std::time::Duration;

use gateway_mapping::selection::{SelectionError, WholeMatchPattern};

use crate::model::{Authorizer, AuthorizerType};

/// Where an authorizer reads one piece of the caller's identity (API Gateway's
/// `identitySource` mapping expressions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    /// `method.request.header.NAME` (the name as written; headers match case-insensitively).
    Header(String),
    /// `method.request.querystring.NAME`.
    QueryString(String),
    /// `stageVariables.NAME`.
    StageVariable(String),
    /// `context.NAME` (a `$context` variable, dotted, without `context.`).
    Context(String),
}

impl IdentitySource {
    /// Parses one mapping expression; the error says what was expected.
    ///
    /// The forms are those the API reference lists for `Authorizer.identitySource`
    /// (botocore `apigateway/2015-07-09/service-2.json`, research pipeline-access.md 6.2):
    /// TOKEN and COGNITO_USER_POOLS take one header, REQUEST any of the four kinds.
    pub fn parse(expression: &str) -> Result<IdentitySource, String> {
        let expression = expression.trim();
        type Make = fn(String) -> IdentitySource;
        let forms: [(&str, Make); 4] = [
            ("method.request.header.", IdentitySource::Header),
            ("method.request.querystring.", IdentitySource::QueryString),
            ("stageVariables.", IdentitySource::StageVariable),
            ("context.", IdentitySource::Context),
        ];
        for (prefix, make) in forms {
            if let Some(name) = expression.strip_prefix(prefix) {
                if name.is_empty() {
                    return Err(format!("{prefix:?} names nothing"));
                }
                return Ok(make(name.to_owned()));
            }
        }
        Err(format!(
            "{expression:?} is not an identity source (expected method.request.header.NAME, \
             method.request.querystring.NAME, stageVariables.NAME or context.NAME)"
        ))
    }
}

impl fmt::Display for IdentitySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentitySource::Header(n) => write!(f, "method.request.header.{n}"),
            IdentitySource::QueryString(n) => write!(f, "method.request.querystring.{n}"),
            IdentitySource::StageVariable(n) => write!(f, "stageVariables.{n}"),
            IdentitySource::Context(n) => write!(f, "context.{n}"),
        }
    }
}

/// Why an authorizer does not compile.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizerError {
    /// An `identitySource` entry is not one of the forms API Gateway takes.
    #[error("identitySource: {0}")]
    IdentitySource(String),
    /// A TOKEN or Cognito authorizer names other than exactly one header.
    #[error(
        "identitySource: a {0} authorizer reads exactly one header (method.request.header.NAME)"
    )]
    OneHeader(&'static str),
    /// The `identityValidationExpression` does not compile.
    #[error("identityValidationExpression: {0}")]
    ValidationExpression(SelectionError),
}

/// An authorizer ready for requests.
#[derive(Debug, Clone)]
pub struct CompiledAuthorizer {
    name: String,
    kind: AuthorizerType,
    function_uri: Option<String>,
    identity_sources: Vec<IdentitySource>,
    validation_expression: Option<WholeMatchPattern>,
    result_ttl: Duration,
    provider_arns: Vec<String>,
}

impl CompiledAuthorizer {
    /// Compiles one authorizer of the model.
    pub fn compile(authorizer: &Authorizer) -> Result<CompiledAuthorizer, AuthorizerError> {
        let identity_sources = match &authorizer.identity_source {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(IdentitySource::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(AuthorizerError::IdentitySource)?,
        };
        if authorizer.kind != AuthorizerType::Request
            && !matches!(identity_sources.as_slice(), [IdentitySource::Header(_)])
        {
            return Err(AuthorizerError::OneHeader(authorizer.kind.as_str()));
        }
        let validation_expression = authorizer
            .identity_validation_expression
            .as_deref()
            .map(WholeMatchPattern::compile)
            .transpose()
            .map_err(AuthorizerError::ValidationExpression)?;
        Ok(CompiledAuthorizer {
            name: authorizer.name.clone(),
            kind: authorizer.kind,
            function_uri: authorizer.authorizer_uri.clone(),
            identity_sources,
            validation_expression,
            result_ttl: Duration::from_secs(u64::from(authorizer.result_ttl_in_seconds)),
            provider_arns: authorizer.provider_arns.clone(),
        })
    }

    /// The authorizer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// TOKEN, REQUEST or COGNITO_USER_POOLS.
    pub fn kind(&self) -> AuthorizerType {
        self.kind
    }

    /// The Lambda invocation URI (TOKEN and REQUEST).
    pub fn function_uri(&self) -> Option<&str> {
        self.function_uri.as_deref()
    }

    /// Where the identity is read, in the order written (the cache key's order); exactly one
    /// header for TOKEN and Cognito, possibly none for a REQUEST authorizer without caching.
    pub fn identity_sources(&self) -> &[IdentitySource] {
        &self.identity_sources
    }

    /// The compiled `identityValidationExpression`, if any (a whole-string Java match).
    pub fn validation_expression(&self) -> Option<&WholeMatchPattern> {
        self.validation_expression.as_ref()
    }

    /// How long a result is cached (zero: not cached).
    pub fn result_ttl(&self) -> Duration {
        self.result_ttl
    }

    /// The Cognito user pool ARNs (COGNITO_USER_POOLS).
    pub fn provider_arns(&self) -> &[String] {
        &self.provider_arns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authorizer(kind: AuthorizerType, source: Option<&str>) -> Authorizer {
        Authorizer {
            name: "auth".into(),
            kind,
            authorizer_uri: Some("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations".into()),
            authorizer_credentials: None,
            identity_source: source.map(str::to_owned),
            identity_validation_expression: None,
            result_ttl_in_seconds: 300,
            provider_arns: Vec::new(),
            auth_type: None,
        }
    }

    #[test]
    fn request_authorizer_sources_parse_in_order() {
        let a = authorizer(
            AuthorizerType::Request,
            Some(
                "method.request.header.Auth, method.request.querystring.q,stageVariables.s,context.identity.sourceIp",
            ),
        );
        let c = CompiledAuthorizer::compile(&a).unwrap();
        assert_eq!(
            c.identity_sources(),
            [
                IdentitySource::Header("Auth".into()),
                IdentitySource::QueryString("q".into()),
                IdentitySource::StageVariable("s".into()),
                IdentitySource::Context("identity.sourceIp".into()),
            ]
        );
        assert_eq!(c.result_ttl(), Duration::from_secs(300));
        assert_eq!(
            c.identity_sources()[1].to_string(),
            "method.request.querystring.q"
        );
    }

    #[test]
    fn token_authorizers_read_one_header() {
        // BOTO Authorizer.identitySource: TOKEN/Cognito take a single header mapping.
        let ok = authorizer(
            AuthorizerType::Token,
            Some("method.request.header.Authorization"),
        );
        assert!(CompiledAuthorizer::compile(&ok).is_ok());
        let query = authorizer(AuthorizerType::Token, Some("method.request.querystring.t"));
        assert!(matches!(
            CompiledAuthorizer::compile(&query),
            Err(AuthorizerError::OneHeader("TOKEN"))
        ));
        let bad = authorizer(AuthorizerType::Request, Some("method.request.path.id"));
        let err = CompiledAuthorizer::compile(&bad).unwrap_err().to_string();
        assert!(err.contains("method.request.path.id"), "{err}");
    }

    #[test]
    fn the_validation_expression_matches_whole_tokens() {
        let mut a = authorizer(
            AuthorizerType::Token,
            Some("method.request.header.Authorization"),
        );
        a.identity_validation_expression = Some(r"Bearer \p{Alnum}+".into());
        let c = CompiledAuthorizer::compile(&a).unwrap();
        let re = c.validation_expression().unwrap();
        assert!(re.is_match("Bearer abc123"));
        assert!(!re.is_match("Bearer abc123 trailing"));
        a.identity_validation_expression = Some("(unclosed".into());
        assert!(matches!(
            CompiledAuthorizer::compile(&a),
            Err(AuthorizerError::ValidationExpression(_))
        ));
    }
}
