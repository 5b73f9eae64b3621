//! API-wide parts: `info`, the root-level `x-amazon-apigateway-*` extensions, the base path.

use super::document::{
    Ctx, Ptr, kind, obj, opt_bool, opt_obj, opt_str, opt_str_array, opt_str_map, opt_str_or_num,
    opt_u64, status_code_of,
};
use super::error::ImportError;
use crate::model::{
    ApiKeySource, Cors, GatewayResponse, GatewayResponseType, RequestValidator, RestApi,
};
use serde_json::{Map, Value};

/// Largest `x-amazon-apigateway-minimum-compression-size`: 10 MiB (API Gateway accepts 0 to
/// 10485760 bytes; Developer Guide, "Enabling payload compression for an API").
pub const MAX_MINIMUM_COMPRESSION_SIZE: u64 = 10_485_760;

/// The prefix of every API Gateway extension.
pub(crate) const EXT: &str = "x-amazon-apigateway-";

/// Root-level extensions this importer reads (or knowingly ignores).
const ROOT_EXTENSIONS: &[&str] = &[
    "x-amazon-apigateway-request-validators",
    "x-amazon-apigateway-request-validator",
    "x-amazon-apigateway-api-key-source",
    "x-amazon-apigateway-binary-media-types",
    "x-amazon-apigateway-gateway-responses",
    "x-amazon-apigateway-policy",
    "x-amazon-apigateway-minimum-compression-size",
    "x-amazon-apigateway-endpoint-configuration",
    "x-amazon-apigateway-cors",
    "x-amazon-apigateway-documentation",
    // HTTP API only; accepted silently as API Gateway exports write them.
    "x-amazon-apigateway-importexport-version",
    "x-amazon-apigateway-tag-value",
];

/// `info.title`, required: API Gateway names the API after it.
pub(crate) fn title(root: &Map<String, Value>) -> Result<String, ImportError> {
    let p = Ptr::root();
    let info = opt_obj(root, "info", &p)?
        .ok_or_else(|| p.error("missing \"info\": the API needs info.title for its name"))?;
    let pi = p.at("info");
    let t = opt_str(info, "title", &pi)?
        .ok_or_else(|| pi.error("missing \"title\": the API needs a name"))?;
    if t.trim().is_empty() {
        return Err(pi.at("title").error("the API name must not be empty"));
    }
    Ok(t.to_owned())
}

pub(crate) fn read_info(
    _ctx: &mut Ctx<'_>,
    root: &Map<String, Value>,
    api: &mut RestApi,
) -> Result<(), ImportError> {
    let p = Ptr::root();
    if let Some(info) = opt_obj(root, "info", &p)? {
        let pi = p.at("info");
        api.description = opt_str(info, "description", &pi)?.map(str::to_owned);
        api.version = opt_str_or_num(info, "version", &pi)?;
    }
    Ok(())
}

pub(crate) fn read_root_extensions(
    ctx: &mut Ctx<'_>,
    root: &Map<String, Value>,
    api: &mut RestApi,
) -> Result<(), ImportError> {
    let p = Ptr::root();
    for key in root.keys() {
        if key.starts_with(EXT) && !ROOT_EXTENSIONS.contains(&key.as_str()) {
            ctx.warn(&p.at(key), format!("unknown extension {key}: ignored"));
        }
    }

    if let Some(vs) = opt_obj(root, "x-amazon-apigateway-request-validators", &p)? {
        let pv = p.at("x-amazon-apigateway-request-validators");
        for (name, v) in vs {
            let pn = pv.at(name);
            let o = obj(v, &pn)?;
            api.request_validators.insert(
                name.clone(),
                RequestValidator {
                    validate_request_body: opt_bool(o, "validateRequestBody", &pn)?
                        .unwrap_or(false),
                    validate_request_parameters: opt_bool(o, "validateRequestParameters", &pn)?
                        .unwrap_or(false),
                },
            );
        }
    }
    if let Some(name) = opt_str(root, "x-amazon-apigateway-request-validator", &p)? {
        check_validator(api, name, &p.at("x-amazon-apigateway-request-validator"))?;
        api.default_request_validator = Some(name.to_owned());
    }

    if let Some(src) = opt_str(root, "x-amazon-apigateway-api-key-source", &p)? {
        api.api_key_source = match src {
            "HEADER" => ApiKeySource::Header,
            "AUTHORIZER" => ApiKeySource::Authorizer,
            other => {
                return Err(p.at("x-amazon-apigateway-api-key-source").error(format!(
                    "unknown API key source {other:?} (expected one of HEADER, AUTHORIZER)"
                )));
            }
        };
    }

    let pb = p.at("x-amazon-apigateway-binary-media-types");
    api.binary_media_types = opt_str_array(root, "x-amazon-apigateway-binary-media-types", &p)?;
    for (i, t) in api.binary_media_types.iter().enumerate() {
        if !is_media_type(t) {
            return Err(pb.idx(i).error(format!(
                "invalid binary media type {t:?} (expected type/subtype, e.g. image/png or */*)"
            )));
        }
    }

    if let Some(v) = root.get("x-amazon-apigateway-minimum-compression-size") {
        let pc = p.at("x-amazon-apigateway-minimum-compression-size");
        let n = v
            .as_i64()
            .ok_or_else(|| pc.error(format!("expected an integer, found {v}")))?;
        let n = u32::try_from(n)
            .ok()
            .filter(|&n| u64::from(n) <= MAX_MINIMUM_COMPRESSION_SIZE)
            .ok_or_else(|| {
                pc.error(format!(
                    "minimum compression size {n} is out of range (expected 0 to {MAX_MINIMUM_COMPRESSION_SIZE})"
                ))
            })?;
        api.minimum_compression_size = Some(n);
    }

    read_gateway_responses(root, api)?;

    if let Some(policy) = root.get("x-amazon-apigateway-policy") {
        let pp = p.at("x-amazon-apigateway-policy");
        // The policy is an IAM policy document; a JSON string holding one is accepted too.
        let doc = match policy {
            Value::String(s) => serde_json::from_str::<Value>(s)
                .map_err(|e| pp.error(format!("the policy string is not JSON: {e}")))?,
            v => v.clone(),
        };
        let o = obj(&doc, &pp)?;
        if !o.contains_key("Statement") {
            return Err(pp.error("a policy document needs a \"Statement\""));
        }
        api.policy = Some(doc);
    }

    read_endpoint_configuration(root, &p, api)?;
    if ctx.version.is_oas3()
        && let Some(Value::Array(servers)) = root.get("servers")
    {
        let ps = p.at("servers");
        for (i, s) in servers.iter().enumerate() {
            if let Some(o) = s.as_object() {
                read_endpoint_configuration(o, &ps.idx(i), api)?;
            }
        }
    }

    if let Some(c) = opt_obj(root, "x-amazon-apigateway-cors", &p)? {
        let pc = p.at("x-amazon-apigateway-cors");
        let max_age = opt_u64(c, "maxAge", &pc)?
            .map(|n| {
                u32::try_from(n)
                    .map_err(|_| pc.at("maxAge").error(format!("maxAge {n} is too large")))
            })
            .transpose()?;
        let cors = Cors {
            allow_origins: opt_str_array(c, "allowOrigins", &pc)?,
            allow_methods: opt_str_array(c, "allowMethods", &pc)?,
            allow_headers: opt_str_array(c, "allowHeaders", &pc)?,
            expose_headers: opt_str_array(c, "exposeHeaders", &pc)?,
            max_age,
            allow_credentials: opt_bool(c, "allowCredentials", &pc)?.unwrap_or(false),
        };
        check_cors(&cors, &pc)?;
        api.cors = Some(cors);
    }

    api.documentation = root.get("x-amazon-apigateway-documentation").cloned();
    Ok(())
}

/// What API Gateway refuses in a CORS configuration: `maxAge` over
/// [`MAX_MAX_AGE`](crate::pipeline::cors::MAX_MAX_AGE) (botocore `Cors.MaxAge`), credentials
/// with a `*` origin (400 `allow-credentials is not supported if 'allow-origin' is *`, research
/// validate-route-compress.md 6.2), and entries that cannot be header text.
fn check_cors(cors: &Cors, pc: &Ptr) -> Result<(), ImportError> {
    if let Some(age) = cors.max_age
        && age > crate::pipeline::cors::MAX_MAX_AGE
    {
        return Err(pc.at("maxAge").error(format!(
            "maxAge {age} is out of range (-1 to {})",
            crate::pipeline::cors::MAX_MAX_AGE
        )));
    }
    if cors.allow_credentials && cors.allow_origins.iter().any(|o| o.trim() == "*") {
        return Err(pc
            .at("allowCredentials")
            .error("allow-credentials is not supported if 'allow-origin' is *"));
    }
    for (key, list) in [
        ("allowOrigins", &cors.allow_origins),
        ("allowMethods", &cors.allow_methods),
        ("allowHeaders", &cors.allow_headers),
        ("exposeHeaders", &cors.expose_headers),
    ] {
        for (i, entry) in list.iter().enumerate() {
            if http::HeaderValue::from_str(entry).is_err() || entry.contains(',') {
                return Err(pc
                    .at(key)
                    .idx(i)
                    .error("expected header text without commas or control characters"));
            }
        }
    }
    Ok(())
}

fn read_endpoint_configuration(
    o: &Map<String, Value>,
    at: &Ptr,
    api: &mut RestApi,
) -> Result<(), ImportError> {
    if let Some(e) = opt_obj(o, "x-amazon-apigateway-endpoint-configuration", at)? {
        let pe = at.at("x-amazon-apigateway-endpoint-configuration");
        api.endpoint_configuration.vpc_endpoint_ids = opt_str_array(e, "vpcEndpointIds", &pe)?;
        api.endpoint_configuration.disable_execute_api_endpoint =
            opt_bool(e, "disableExecuteApiEndpoint", &pe)?.unwrap_or(false);
    }
    Ok(())
}

fn read_gateway_responses(root: &Map<String, Value>, api: &mut RestApi) -> Result<(), ImportError> {
    let p = Ptr::root();
    let Some(rs) = opt_obj(root, "x-amazon-apigateway-gateway-responses", &p)? else {
        return Ok(());
    };
    let pr = p.at("x-amazon-apigateway-gateway-responses");
    for (name, v) in rs {
        let pn = pr.at(name);
        let ty = GatewayResponseType::parse(name).ok_or_else(|| {
            pn.error(format!(
                "unknown gateway response type {name:?} (expected one of {})",
                GatewayResponseType::ALL
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let o = obj(v, &pn)?;
        let status_code = opt_str_or_num(o, "statusCode", &pn)?
            .map(|code| status_code_of(&code, &pn.at("statusCode")))
            .transpose()?;
        api.gateway_responses.insert(
            ty,
            GatewayResponse {
                response_type: ty,
                status_code,
                response_parameters: mapping_targets(
                    opt_str_map(o, "responseParameters", &pn)?,
                    "gatewayresponse.header.",
                    &pn.at("responseParameters"),
                )?,
                response_templates: opt_str_map(o, "responseTemplates", &pn)?,
            },
        );
    }
    Ok(())
}

/// Checks that every key of a response parameter map is `{prefix}{name}` with a non-empty
/// header name (`gatewayresponse.header.X`, `method.response.header.X`), the only targets
/// API Gateway accepts there (Developer Guide, "x-amazon-apigateway-gateway-responses.
/// responseParameters object" and "x-amazon-apigateway-integration.responses object").
pub(crate) fn mapping_targets(
    map: indexmap::IndexMap<String, String>,
    prefix: &str,
    at: &Ptr,
) -> Result<indexmap::IndexMap<String, String>, ImportError> {
    for key in map.keys() {
        let ok = key.strip_prefix(prefix).is_some_and(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\'))
        });
        if !ok {
            return Err(at.at(key).error(format!(
                "invalid mapping expression {key:?}: expected {prefix}{{name}}"
            )));
        }
    }
    Ok(map)
}

/// Errors unless `name` is a defined request validator.
pub(crate) fn check_validator(api: &RestApi, name: &str, at: &Ptr) -> Result<(), ImportError> {
    if api.request_validators.contains_key(name) {
        return Ok(());
    }
    let known: Vec<&str> = api.request_validators.keys().map(String::as_str).collect();
    Err(at.error(format!(
        "request validator {name:?} is not defined in x-amazon-apigateway-request-validators{}",
        if known.is_empty() {
            String::new()
        } else {
            format!(" (defined: {})", known.join(", "))
        }
    )))
}

/// `type/subtype` with no spaces; either part may be `*`.
fn is_media_type(t: &str) -> bool {
    let mut parts = t.split('/');
    let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_graphic() && !matches!(c, b'"' | b',' | b';' | b'\\'))
    };
    ok(a) && ok(b)
}

/// The base path to put before every resource path: the definition's base path without its
/// first `skip` segments (0 for the `prepend` mode, 1 for `split`).
pub(crate) fn base_path(
    ctx: &Ctx<'_>,
    root: &Map<String, Value>,
    skip: usize,
) -> Result<String, ImportError> {
    let p = Ptr::root();
    let raw = if ctx.version.is_oas3() {
        server_path(root, &p)?
    } else {
        opt_str(root, "basePath", &p)?.unwrap_or("").to_owned()
    };
    let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
    let kept = segments.get(skip..).unwrap_or(&[]);
    Ok(kept.iter().map(|s| format!("/{s}")).collect())
}

/// The path of the first server URL, with `{variables}` replaced by their defaults.
fn server_path(root: &Map<String, Value>, p: &Ptr) -> Result<String, ImportError> {
    let Some(servers) = root.get("servers") else {
        return Ok(String::new());
    };
    let ps = p.at("servers");
    let Some(first) = servers.as_array().and_then(|a| a.first()) else {
        return Err(ps.error(format!(
            "expected a non-empty array, found {}",
            kind(servers)
        )));
    };
    let p0 = ps.idx(0);
    let server = obj(first, &p0)?;
    let Some(url) = opt_str(server, "url", &p0)? else {
        return Ok(String::new());
    };
    let mut url = url.to_owned();
    if let Some(vars) = opt_obj(server, "variables", &p0)? {
        for (name, v) in vars {
            let pv = p0.at("variables").at(name);
            let default = opt_str(obj(v, &pv)?, "default", &pv)?.unwrap_or("");
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let path = match url.find("://") {
        Some(_) => after_scheme.find('/').map_or("", |i| &after_scheme[i..]),
        None => after_scheme,
    };
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use crate::import::{ImportOptions, import};

    fn with_cors(cors: &str) -> Result<crate::model::RestApi, String> {
        let doc = format!(
            "openapi: 3.0.1\ninfo: {{title: t, version: '1'}}\nx-amazon-apigateway-cors: {cors}\npaths: {{}}\n"
        );
        import(doc.as_bytes(), &ImportOptions::default())
            .map(|i| i.api)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn cors_settings_aws_refuses_do_not_import() {
        // research validate-route-compress.md 6.2: credentials with a `*` origin are refused
        // (400 "allow-credentials is not supported if 'allow-origin' is *", aws-cdk#9076);
        // botocore Cors.MaxAge is at most 86400.
        let star = with_cors("{allowOrigins: ['*'], allowCredentials: true}").unwrap_err();
        assert!(
            star.contains("allow-credentials is not supported if 'allow-origin' is *"),
            "{star}"
        );
        let age = with_cors("{allowOrigins: ['https://a'], maxAge: 86401}").unwrap_err();
        assert!(age.contains("maxAge 86401 is out of range"), "{age}");
        let comma = with_cors("{allowHeaders: ['a,b']}").unwrap_err();
        assert!(comma.contains("allowHeaders"), "{comma}");
        let ok = with_cors("{allowOrigins: ['*'], maxAge: 86400}").unwrap();
        assert_eq!(ok.cors.and_then(|c| c.max_age), Some(86_400));
    }
}
