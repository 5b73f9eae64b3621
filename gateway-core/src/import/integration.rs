//! `x-amazon-apigateway-integration` into an [`Integration`], with API Gateway's checks.

use super::document::{
    Ctx, Ptr, kind, obj, opt_bool, opt_obj, opt_str, opt_str_array, opt_str_map, opt_str_or_num,
    opt_u64,
};
use super::document::{one_of, status_code_of};
use super::error::ImportError;
use crate::model::{
    ConnectionType, ContentHandling, HttpMethod, Integration, IntegrationResponse, IntegrationType,
    PassthroughBehavior,
};
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// Shortest integration timeout API Gateway accepts, in milliseconds (Developer Guide,
/// "x-amazon-apigateway-integration object": "between 50 ms and 29,000 ms").
pub const MIN_TIMEOUT_MILLIS: u64 = 50;
/// Longest integration timeout API Gateway accepts by default, in milliseconds (same source).
pub const MAX_TIMEOUT_MILLIS: u64 = 29_000;

/// Properties of the integration object (Developer Guide, "x-amazon-apigateway-integration
/// object"); `integrationSubtype` and `payloadFormatVersion` are HTTP API ones, accepted.
const PROPERTIES: &[&str] = &[
    "cacheKeyParameters",
    "cacheNamespace",
    "connectionId",
    "connectionType",
    "credentials",
    "contentHandling",
    "httpMethod",
    "integrationSubtype",
    "passthroughBehavior",
    "payloadFormatVersion",
    "requestParameters",
    "requestTemplates",
    "responses",
    "timeoutInMillis",
    "type",
    "tlsConfig",
    "uri",
];

const CONTENT_HANDLING: &[&str] = &["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"];

/// Locations an integration request parameter may target.
const REQUEST_TARGETS: &[&str] = &[
    "path",
    "querystring",
    "header",
    "multivaluequerystring",
    "multivalueheader",
];

/// The extension under `components` (OpenAPI 3) holding reusable integrations, which
/// operations reference with `$ref: "#/components/x-amazon-apigateway-integrations/{name}"`
/// (Developer Guide, "x-amazon-apigateway-integrations object").
pub(crate) const COMPONENT_INTEGRATIONS: &str = "x-amazon-apigateway-integrations";

/// Warns about unknown extensions under `components` and checks every reusable integration
/// there, referenced or not, so a broken one is
/// reported where it is defined. Its warnings are reported where it is used (each `$ref` reads
/// it again), so they are not collected here.
pub(crate) fn check_component_integrations(
    ctx: &mut Ctx<'_>,
    root: &Map<String, Value>,
) -> Result<(), ImportError> {
    let p = Ptr::root();
    let Some(components) = opt_obj(root, "components", &p)? else {
        return Ok(());
    };
    let pc = p.at("components");
    for key in components.keys() {
        if key.starts_with(super::api::EXT) && key != COMPONENT_INTEGRATIONS {
            ctx.warn(&pc.at(key), format!("unknown extension {key}: ignored"));
        }
    }
    let Some(integrations) = opt_obj(components, COMPONENT_INTEGRATIONS, &pc)? else {
        return Ok(());
    };
    let pi = pc.at(COMPONENT_INTEGRATIONS);
    let mut scratch = Ctx::new(ctx.doc, ctx.version, ctx.api_id.clone());
    for (name, v) in integrations {
        read_integration(&mut scratch, v, &pi.at(name), "(components)", name)?;
    }
    Ok(())
}

/// Reads the integration found at `at` for method `verb` on resource `path`.
pub(crate) fn read_integration<'d>(
    ctx: &mut Ctx<'d>,
    v: &'d Value,
    at: &Ptr,
    path: &str,
    verb: &str,
) -> Result<Integration, ImportError> {
    let (v, at) = ctx.resolve(v, at)?;
    let o = obj(v, &at)?;
    for key in o.keys() {
        if !PROPERTIES.contains(&key.as_str()) {
            ctx.warn(
                &at.at(key),
                format!("unknown integration property {key:?}: ignored"),
            );
        }
    }
    let kind_names: Vec<&str> = IntegrationType::ALL.iter().map(|t| t.as_str()).collect();
    let kind = match opt_str(o, "type", &at)? {
        None => {
            return Err(at.error(format!(
                "missing \"type\" (expected one of {})",
                kind_names.join(", ")
            )));
        }
        Some(t) => IntegrationType::parse(t).ok_or_else(|| {
            at.at("type").error(format!(
                "unknown integration type {t:?} (expected one of {})",
                kind_names.join(", ")
            ))
        })?,
    };
    let mut integ = Integration::new(kind);

    integ.uri = opt_str(o, "uri", &at)?.map(str::to_owned);
    let http_method = opt_str(o, "httpMethod", &at)?;
    // A MOCK integration calls nothing: its httpMethod is kept when it is a verb, else dropped.
    integ.http_method = http_method.and_then(HttpMethod::parse);
    if kind != IntegrationType::Mock {
        let Some(uri) = &integ.uri else {
            return Err(at.error(format!(
                "missing \"uri\": a {kind} integration needs the backend URI"
            )));
        };
        check_uri(kind, uri, &at.at("uri"))?;
        let Some(m) = http_method else {
            return Err(at.error(format!(
                "missing \"httpMethod\": a {kind} integration needs the HTTP method to call the backend with"
            )));
        };
        let Some(verb) = integ.http_method else {
            return Err(at.at("httpMethod").error(format!(
                "unknown HTTP method {m:?} (expected one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY)"
            )));
        };
        if matches!(kind, IntegrationType::Aws | IntegrationType::AwsProxy)
            && uri.contains(":lambda:path/")
            && verb != HttpMethod::Post
        {
            // "For Lambda function invocations, the value must be POST." (Developer Guide,
            // "x-amazon-apigateway-integration object").
            ctx.warn(
                &at.at("httpMethod"),
                format!("Lambda functions are invoked with POST, not {m}: calls will fail"),
            );
        }
    }
    integ.credentials = opt_str(o, "credentials", &at)?.map(str::to_owned);
    integ.request_parameters = request_parameters(ctx, o, &at, path, verb)?;
    integ.request_templates = opt_str_map(o, "requestTemplates", &at)?;
    if let Some(i) = one_of(
        o,
        "passthroughBehavior",
        &at,
        "passthrough behavior",
        &["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"],
    )? {
        integ.passthrough_behavior = [
            PassthroughBehavior::WhenNoMatch,
            PassthroughBehavior::WhenNoTemplates,
            PassthroughBehavior::Never,
        ][i];
    }
    integ.content_handling = content_handling(o, &at)?;
    if let Some(t) = opt_u64(o, "timeoutInMillis", &at)? {
        if !(MIN_TIMEOUT_MILLIS..=MAX_TIMEOUT_MILLIS).contains(&t) {
            return Err(at.at("timeoutInMillis").error(format!(
                "timeout {t} ms is out of range (expected {MIN_TIMEOUT_MILLIS} to {MAX_TIMEOUT_MILLIS})"
            )));
        }
        integ.timeout_in_millis = u32::try_from(t).unwrap_or(crate::model::DEFAULT_TIMEOUT_MILLIS);
    }
    integ.cache_key_parameters = opt_str_array(o, "cacheKeyParameters", &at)?;
    integ.cache_namespace = opt_str(o, "cacheNamespace", &at)?.map(str::to_owned);
    if let Some(i) = one_of(
        o,
        "connectionType",
        &at,
        "connection type",
        &["INTERNET", "VPC_LINK"],
    )? {
        integ.connection_type = [ConnectionType::Internet, ConnectionType::VpcLink][i];
    }
    integ.connection_id = opt_str(o, "connectionId", &at)?.map(str::to_owned);
    if integ.connection_type == ConnectionType::VpcLink && integ.connection_id.is_none() {
        return Err(at.error("a VPC_LINK connection needs \"connectionId\" (the VPC link id)"));
    }
    if let Some(tls) = opt_obj(o, "tlsConfig", &at)? {
        integ.tls_insecure_skip_verification =
            opt_bool(tls, "insecureSkipVerification", &at.at("tlsConfig"))?.unwrap_or(false);
    }
    if let Some(rs) = opt_obj(o, "responses", &at)? {
        let pr = at.at("responses");
        for (pattern, r) in rs {
            integ
                .responses
                .push(read_response(pattern, r, &pr.at(pattern))?);
        }
    }
    Ok(integ)
}

fn check_uri(kind: IntegrationType, uri: &str, at: &Ptr) -> Result<(), ImportError> {
    match kind {
        IntegrationType::Http | IntegrationType::HttpProxy => {
            let lower = uri.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            if rest.is_none_or(str::is_empty) {
                return Err(at.error(format!(
                    "invalid HTTP endpoint {uri:?}: expected an absolute http:// or https:// URL"
                )));
            }
        }
        IntegrationType::Aws | IntegrationType::AwsProxy => {
            // arn:{partition}:apigateway:{region}:{service}:{path|action}/{...}
            let parts: Vec<&str> = uri.splitn(6, ':').collect();
            let ok = parts.len() == 6
                && parts[0] == "arn"
                && !parts[1].is_empty()
                && parts[2] == "apigateway"
                && !parts[3].is_empty()
                && !parts[4].is_empty()
                && (parts[5].starts_with("path/") || parts[5].starts_with("action/"));
            if !ok {
                return Err(at.error(format!(
                    "invalid AWS integration URI {uri:?}: expected arn:aws:apigateway:{{region}}:{{service}}:path/... or :action/..."
                )));
            }
        }
        IntegrationType::Mock => {}
    }
    Ok(())
}

fn request_parameters(
    ctx: &mut Ctx<'_>,
    o: &Map<String, Value>,
    at: &Ptr,
    path: &str,
    verb: &str,
) -> Result<IndexMap<String, String>, ImportError> {
    let mut out = IndexMap::new();
    let Some(ps) = opt_obj(o, "requestParameters", at)? else {
        return Ok(out);
    };
    let pp = at.at("requestParameters");
    for (k, v) in ps {
        let pk = pp.at(k);
        let target = k.strip_prefix("integration.request.").and_then(|rest| {
            let (loc, name) = rest.split_once('.')?;
            (REQUEST_TARGETS.contains(&loc) && !name.is_empty()).then_some(())
        });
        if target.is_none() {
            return Err(pk.error(format!(
                "invalid mapping expression {k:?}: expected integration.request.{{{}}}.{{name}}",
                REQUEST_TARGETS.join("|")
            )));
        }
        let Some(s) = v.as_str() else {
            // Recorded on AWS (LocalStack test_import_rest_api_with_base_path_oas30 snapshot):
            // a non-string value is a warning and the parameter is dropped.
            ctx.warn(
                &pk,
                format!(
                    "Invalid format for 'requestParameters'. Expected type string for property '{k}' of resource '{path}' and method '{verb}' but got '{}'",
                    display_scalar(v)
                ),
            );
            continue;
        };
        out.insert(k.clone(), s.to_owned());
    }
    Ok(out)
}

fn display_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(_) | Value::Array(_) => kind(v).to_owned(),
        v => v.to_string(),
    }
}

fn content_handling(
    o: &Map<String, Value>,
    at: &Ptr,
) -> Result<Option<ContentHandling>, ImportError> {
    Ok(one_of(
        o,
        "contentHandling",
        at,
        "content handling",
        CONTENT_HANDLING,
    )?
    .map(|i| {
        [
            ContentHandling::ConvertToBinary,
            ContentHandling::ConvertToText,
        ][i]
    }))
}

fn read_response(pattern: &str, r: &Value, at: &Ptr) -> Result<IntegrationResponse, ImportError> {
    let o = obj(r, at)?;
    let selection_pattern = if pattern == "default" {
        None
    } else {
        super::java_regex::check(pattern)
            .map_err(|e| at.error(format!("invalid selection pattern {pattern:?}: {e}")))?;
        Some(pattern.to_owned())
    };
    let status_code = opt_str_or_num(o, "statusCode", at)?
        .ok_or_else(|| at.error("missing \"statusCode\": an integration response needs the method response status to return"))?;
    let status_code = status_code_of(&status_code, &at.at("statusCode"))?;
    Ok(IntegrationResponse {
        selection_pattern,
        status_code,
        response_parameters: super::api::mapping_targets(
            opt_str_map(o, "responseParameters", at)?,
            "method.response.header.",
            &at.at("responseParameters"),
        )?,
        response_templates: opt_str_map(o, "responseTemplates", at)?,
        content_handling: content_handling(o, at)?,
    })
}
