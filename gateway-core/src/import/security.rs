//! Security schemes (`securityDefinitions` / `components.securitySchemes`) into authorizers, API
//! keys and IAM, and security requirements into a method's authorization.

use super::document::one_of;
use super::document::{Ctx, Ptr, kind, obj, opt_obj, opt_str, opt_str_array, opt_u64};
use super::error::ImportError;
use crate::model::{
    AuthorizationType, Authorizer, AuthorizerType, DEFAULT_AUTHORIZER_TTL_SECONDS, Method, RestApi,
};
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// Longest authorizer result cache lifetime API Gateway accepts, in seconds (Developer Guide,
/// "Configure a Lambda authorizer": TTL 0 to 3600).
pub const MAX_AUTHORIZER_TTL_SECONDS: u64 = 3600;

/// What a security scheme stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// An authorizer of that name (CUSTOM or COGNITO_USER_POOLS).
    Authorizer(AuthorizationType),
    /// `type: apiKey` with no authorizer: the method requires an API key.
    ApiKey,
    /// `x-amazon-apigateway-authtype: awsSigv4`: IAM authorization.
    Iam,
    /// A scheme API Gateway does not use (OAuth 2, HTTP, OpenID Connect without an authorizer).
    Unsupported(String),
}

/// Schemes by name.
pub(crate) type Schemes = IndexMap<String, Scheme>;

pub(crate) fn read_schemes(
    ctx: &mut Ctx<'_>,
    root: &Map<String, Value>,
    api: &mut RestApi,
) -> Result<Schemes, ImportError> {
    let p = Ptr::root();
    let (defs, at) = if ctx.version.is_oas3() {
        let Some(c) = opt_obj(root, "components", &p)? else {
            return Ok(Schemes::new());
        };
        let pc = p.at("components");
        (
            opt_obj(c, "securitySchemes", &pc)?,
            pc.at("securitySchemes"),
        )
    } else {
        (
            opt_obj(root, "securityDefinitions", &p)?,
            p.at("securityDefinitions"),
        )
    };
    let mut schemes = Schemes::new();
    let Some(defs) = defs else {
        return Ok(schemes);
    };
    for (name, v) in defs {
        let pn = at.at(name);
        let (v, pn) = ctx.resolve(v, &pn)?;
        let o = obj(v, &pn)?;
        let scheme = read_scheme(ctx, api, name, o, &pn)?;
        schemes.insert(name.clone(), scheme);
    }
    Ok(schemes)
}

fn read_scheme(
    ctx: &mut Ctx<'_>,
    api: &mut RestApi,
    name: &str,
    o: &Map<String, Value>,
    at: &Ptr,
) -> Result<Scheme, ImportError> {
    let ty = opt_str(o, "type", at)?.unwrap_or("");
    let auth_type = opt_str(o, "x-amazon-apigateway-authtype", at)?;
    for key in o.keys() {
        if key.starts_with(super::api::EXT)
            && key != "x-amazon-apigateway-authtype"
            && key != "x-amazon-apigateway-authorizer"
        {
            ctx.warn(&at.at(key), format!("unknown extension {key}: ignored"));
        }
    }
    let Some(a) = opt_obj(o, "x-amazon-apigateway-authorizer", at)? else {
        if auth_type.is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4")) {
            return Ok(Scheme::Iam);
        }
        if ty == "apiKey" {
            let header = opt_str(o, "name", at)?.unwrap_or("x-api-key");
            if !header.eq_ignore_ascii_case("x-api-key") {
                ctx.warn(
                    &at.at("name"),
                    format!(
                        "API keys are always read from the x-api-key header (or an authorizer), not {header:?}"
                    ),
                );
            }
            return Ok(Scheme::ApiKey);
        }
        return Ok(Scheme::Unsupported(ty.to_owned()));
    };
    let pa = at.at("x-amazon-apigateway-authorizer");
    let kind = match one_of(
        a,
        "type",
        &pa,
        "authorizer type",
        &["token", "request", "cognito_user_pools"],
    )? {
        Some(0) => AuthorizerType::Token,
        Some(1) => AuthorizerType::Request,
        Some(_) => AuthorizerType::CognitoUserPools,
        None => {
            return Err(
                pa.error("missing \"type\" (expected one of token, request, cognito_user_pools)")
            );
        }
    };
    let header = opt_str(o, "name", at)?;
    let mut identity_source = opt_str(a, "identitySource", &pa)?.map(str::to_owned);
    if identity_source.is_none() && kind != AuthorizerType::Request {
        // TOKEN and Cognito authorizers read the header the scheme names (AWS examples:
        // "name": "Authorization", "in": "header").
        identity_source = header.map(|h| format!("method.request.header.{h}"));
    }
    if kind != AuthorizerType::Request && identity_source.is_none() {
        return Err(at.error(format!(
            "a {} authorizer needs the token header: set \"name\" (with \"in\": \"header\") or identitySource",
            kind.as_str()
        )));
    }
    let authorizer_uri = opt_str(a, "authorizerUri", &pa)?.map(str::to_owned);
    if kind != AuthorizerType::CognitoUserPools && authorizer_uri.is_none() {
        return Err(pa.error(format!(
            "a {} authorizer needs \"authorizerUri\" (the Lambda invocation ARN)",
            kind.as_str()
        )));
    }
    let provider_arns = opt_str_array(a, "providerARNs", &pa)?;
    if kind == AuthorizerType::CognitoUserPools && provider_arns.is_empty() {
        return Err(pa.error(
            "a cognito_user_pools authorizer needs \"providerARNs\" (at least one user pool ARN)",
        ));
    }
    let ttl = opt_u64(a, "authorizerResultTtlInSeconds", &pa)?
        .unwrap_or(u64::from(DEFAULT_AUTHORIZER_TTL_SECONDS));
    if ttl > MAX_AUTHORIZER_TTL_SECONDS {
        return Err(pa.at("authorizerResultTtlInSeconds").error(format!(
            "authorizer result TTL {ttl} is out of range (expected 0 to {MAX_AUTHORIZER_TTL_SECONDS})"
        )));
    }
    if kind == AuthorizerType::Request && ttl > 0 && identity_source.is_none() {
        return Err(pa.error(
            "a request authorizer with caching on (authorizerResultTtlInSeconds > 0) needs \"identitySource\"",
        ));
    }
    let identity_validation_expression =
        opt_str(a, "identityValidationExpression", &pa)?.map(str::to_owned);
    if let Some(re) = &identity_validation_expression {
        super::java_regex::check(re).map_err(|e| {
            pa.at("identityValidationExpression")
                .error(format!("invalid regular expression {re:?}: {e}"))
        })?;
    }
    api.authorizers.insert(
        name.to_owned(),
        Authorizer {
            name: name.to_owned(),
            kind,
            authorizer_uri,
            authorizer_credentials: opt_str(a, "authorizerCredentials", &pa)?.map(str::to_owned),
            identity_source,
            identity_validation_expression,
            // Bounded by MAX_AUTHORIZER_TTL_SECONDS above.
            result_ttl_in_seconds: u32::try_from(ttl).unwrap_or(DEFAULT_AUTHORIZER_TTL_SECONDS),
            provider_arns,
            auth_type: auth_type.map(str::to_owned),
        },
    );
    Ok(Scheme::Authorizer(match kind {
        AuthorizerType::CognitoUserPools => AuthorizationType::CognitoUserPools,
        _ => AuthorizationType::Custom,
    }))
}

/// Applies a `security` requirement list (found at `at`) to `method`.
pub(crate) fn apply_security(
    ctx: &mut Ctx<'_>,
    schemes: &Schemes,
    security: &Value,
    at: &Ptr,
    method: &mut Method,
) -> Result<(), ImportError> {
    let list = security
        .as_array()
        .ok_or_else(|| at.error(format!("expected an array, found {}", kind(security))))?;
    method.authorization_type = AuthorizationType::None;
    method.authorizer = None;
    method.authorization_scopes.clear();
    method.api_key_required = false;
    let Some(first) = list.first() else {
        return Ok(());
    };
    if list.len() > 1 {
        ctx.warn(
            at,
            "API Gateway applies one security requirement per method: only the first is used",
        );
    }
    let p0 = at.idx(0);
    for (name, scopes) in obj(first, &p0)? {
        let pn = p0.at(name);
        let scheme = schemes.get(name).ok_or_else(|| {
            pn.error(format!(
                "security scheme {name:?} is not defined{}",
                if schemes.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (defined: {})",
                        schemes
                            .keys()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ))
        })?;
        match scheme {
            Scheme::ApiKey => method.api_key_required = true,
            Scheme::Iam => set_auth(method, AuthorizationType::AwsIam, None, &pn)?,
            Scheme::Authorizer(t) => {
                set_auth(method, *t, Some(name), &pn)?;
                if *t == AuthorizationType::CognitoUserPools
                    && let Value::Array(a) = scopes
                {
                    for (i, s) in a.iter().enumerate() {
                        let s = super::document::str_of(s, &pn.idx(i))?;
                        method.authorization_scopes.push(s.to_owned());
                    }
                }
            }
            Scheme::Unsupported(t) => ctx.warn(
                &pn,
                format!(
                    "security scheme {name:?} of type {t:?} is not supported by API Gateway REST APIs (use a Lambda authorizer): ignored"
                ),
            ),
        }
    }
    Ok(())
}

fn set_auth(
    method: &mut Method,
    t: AuthorizationType,
    authorizer: Option<&str>,
    at: &Ptr,
) -> Result<(), ImportError> {
    if method.authorization_type != AuthorizationType::None {
        return Err(at.error(format!(
            "a method has one authorization type: {} is already set, {} is not allowed too",
            method.authorization_type, t
        )));
    }
    method.authorization_type = t;
    method.authorizer = authorizer.map(str::to_owned);
    Ok(())
}
