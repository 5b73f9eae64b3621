//! One operation into a [`Method`]: parameters, request models, validator, security, method
//! responses and the integration.

use super::api::{EXT, check_validator};
use super::document::status_code_of;
use super::document::{Ctx, Ptr, kind, obj, opt_bool, opt_obj, opt_str, opt_str_array};
use super::error::ImportError;
use super::integration::read_integration;
use super::models::schema_model;
use super::security::{Schemes, apply_security};
use crate::model::{
    HttpMethod, Method, MethodResponse, ParameterLocation, RequestParameter, RestApi,
};
use serde_json::{Map, Value};

/// Operation-level extensions read here.
const OP_EXTENSIONS: &[&str] = &[
    "x-amazon-apigateway-integration",
    "x-amazon-apigateway-request-validator",
    "x-amazon-apigateway-documentation",
];

#[allow(clippy::too_many_arguments)]
pub(crate) fn read_operation<'d>(
    ctx: &mut Ctx<'d>,
    api: &mut RestApi,
    schemes: &Schemes,
    root: &'d Map<String, Value>,
    op: &'d Value,
    at: &Ptr,
    shared_params: Option<&(&'d Value, Ptr)>,
    path: &str,
    verb: HttpMethod,
) -> Result<Method, ImportError> {
    let (op, at) = ctx.resolve(op, at)?;
    let o = obj(op, &at)?;
    let mut m = Method::new(verb);
    m.operation_name = opt_str(o, "operationId", &at)?.map(str::to_owned);
    for key in o.keys() {
        if key.starts_with(EXT) && !OP_EXTENSIONS.contains(&key.as_str()) {
            let msg = if key == "x-amazon-apigateway-auth" {
                format!("{key} applies to HTTP APIs only: ignored (use security)")
            } else {
                format!("unknown extension {key}: ignored")
            };
            ctx.warn(&at.at(key), msg);
        }
    }
    // A base name for models made from inline schemas: operationId, else verb and path.
    let base = m
        .operation_name
        .clone()
        .unwrap_or_else(|| format!("{}{}", title_case(verb.as_str()), title_case(path)));

    // Parameters: path-level ones, overridden by operation-level ones of the same name and place.
    let mut body_schema: Option<(&'d Value, Ptr)> = None;
    let mut lists = Vec::new();
    if let Some((v, p)) = shared_params {
        lists.push((*v, p.clone()));
    }
    if let Some(v) = o.get("parameters") {
        lists.push((v, at.at("parameters")));
    }
    for (list, pl) in lists {
        let items = list
            .as_array()
            .ok_or_else(|| pl.error(format!("expected an array, found {}", kind(list))))?;
        for (i, item) in items.iter().enumerate() {
            let (item, pi) = ctx.resolve(item, &pl.idx(i))?;
            let po = obj(item, &pi)?;
            let name = opt_str(po, "name", &pi)?
                .ok_or_else(|| pi.error("missing \"name\": a parameter needs a name"))?;
            let location = opt_str(po, "in", &pi)?
                .ok_or_else(|| pi.error("missing \"in\": a parameter needs a location"))?;
            let required = opt_bool(po, "required", &pi)?.unwrap_or(false);
            let loc = match location {
                "path" => ParameterLocation::Path,
                "query" => ParameterLocation::QueryString,
                "header" => ParameterLocation::Header,
                "body" if !ctx.version.is_oas3() => {
                    let s = po.get("schema").ok_or_else(|| {
                        pi.error("missing \"schema\": a body parameter needs one")
                    })?;
                    body_schema = Some((s, pi.at("schema")));
                    continue;
                }
                "cookie" | "formData" => {
                    ctx.warn(
                        &pi.at("in"),
                        format!("{location} parameters are not supported by API Gateway: {name:?} ignored"),
                    );
                    continue;
                }
                other => {
                    return Err(pi.at("in").error(format!(
                        "unknown parameter location {other:?} (expected one of path, query, header{})",
                        if ctx.version.is_oas3() { ", cookie" } else { ", body, formData" }
                    )));
                }
            };
            if loc == ParameterLocation::Path
                && !path.contains(&format!("{{{name}}}"))
                && !path.contains(&format!("{{{name}+}}"))
            {
                ctx.warn(
                    &pi,
                    format!("path parameter {name:?} is not in the path '{path}': ignored"),
                );
                continue;
            }
            let param = RequestParameter {
                location: loc,
                name: name.to_owned(),
                // Path parameters are always required (OpenAPI: "required: true" is mandatory).
                required: required || loc == ParameterLocation::Path,
            };
            match m
                .request_parameters
                .iter_mut()
                .find(|p| p.location == loc && p.name == name)
            {
                Some(existing) => *existing = param,
                None => m.request_parameters.push(param),
            }
        }
    }

    // Request models.
    if let Some((schema, ps)) = body_schema {
        let consumes = media_list(o, root, "consumes", &at)?;
        if let Some(model) = schema_model(ctx, api, schema, &ps, &format!("{base}Request"))? {
            for ct in consumes {
                m.request_models.insert(ct, model.clone());
            }
        }
    }
    if let Some(rb) = o.get("requestBody") {
        if !ctx.version.is_oas3() {
            ctx.warn(
                &at.at("requestBody"),
                "requestBody is OpenAPI 3; Swagger 2.0 uses a body parameter: ignored",
            );
        } else {
            let (rb, prb) = ctx.resolve(rb, &at.at("requestBody"))?;
            let rbo = obj(rb, &prb)?;
            if let Some(content) = opt_obj(rbo, "content", &prb)? {
                let pc = prb.at("content");
                for (ct, media) in content {
                    let pm = pc.at(ct);
                    let mo = obj(media, &pm)?;
                    if let Some(schema) = mo.get("schema")
                        && let Some(model) = schema_model(
                            ctx,
                            api,
                            schema,
                            &pm.at("schema"),
                            &format!("{base}Request"),
                        )?
                    {
                        m.request_models.insert(ct.clone(), model);
                    }
                }
            }
        }
    }

    if let Some(name) = opt_str(o, "x-amazon-apigateway-request-validator", &at)? {
        check_validator(api, name, &at.at("x-amazon-apigateway-request-validator"))?;
        m.request_validator = Some(name.to_owned());
    }

    // Security: the operation's, else the root's. API Gateway applies root-level security to
    // every method (LocalStack test_import_with_global_api_key_authorizer, recorded on AWS with
    // failOnWarnings: methods get authorizationType CUSTOM).
    if let Some(sec) = o.get("security") {
        apply_security(ctx, schemes, sec, &at.at("security"), &mut m)?;
    } else if let Some(sec) = root.get("security") {
        apply_security(ctx, schemes, sec, &Ptr::root().at("security"), &mut m)?;
    }

    read_method_responses(ctx, api, o, root, &at, path, verb, &base, &mut m)?;

    match o.get("x-amazon-apigateway-integration") {
        Some(v) => {
            let integ = read_integration(
                ctx,
                v,
                &at.at("x-amazon-apigateway-integration"),
                path,
                verb.as_str(),
            )?;
            for r in &integ.responses {
                if !m.method_responses.is_empty()
                    && !m.method_responses.contains_key(&r.status_code)
                {
                    let key = r.selection_pattern.as_deref().unwrap_or("default");
                    ctx.warn(
                        &at.at("x-amazon-apigateway-integration").at("responses").at(key),
                        format!(
                            "integration response status {} has no method response under \"responses\"",
                            r.status_code
                        ),
                    );
                }
            }
            m.integration = Some(integ);
        }
        None => ctx.warn(
            &at,
            format!(
                "no x-amazon-apigateway-integration for '{verb} {path}': calls to it will fail"
            ),
        ),
    }
    Ok(m)
}

#[allow(clippy::too_many_arguments)]
fn read_method_responses<'d>(
    ctx: &mut Ctx<'d>,
    api: &mut RestApi,
    o: &'d Map<String, Value>,
    root: &'d Map<String, Value>,
    at: &Ptr,
    path: &str,
    verb: HttpMethod,
    base: &str,
    m: &mut Method,
) -> Result<(), ImportError> {
    let responses = opt_obj(o, "responses", at)?;
    let Some(responses) = responses.filter(|r| !r.is_empty()) else {
        // AWS's warning text (amazon-archives/aws-apigateway-importer#202, an AWS import result).
        ctx.warn(at, format!("No responses specified for '{verb} {path}'"));
        return Ok(());
    };
    let pr = at.at("responses");
    let produces = media_list(o, root, "produces", at)?;
    for (code, r) in responses {
        let pc = pr.at(code);
        if code.starts_with("x-") {
            continue;
        }
        if code == "default" {
            ctx.warn(
                &pc,
                "a \"default\" response has no status code for API Gateway: ignored",
            );
            continue;
        }
        let status_code = status_code_of(code, &pc)?;
        let (r, pc) = ctx.resolve(r, &pc)?;
        let ro = obj(r, &pc)?;
        let mut mr = MethodResponse {
            status_code,
            ..MethodResponse::default()
        };
        if let Some(headers) = opt_obj(ro, "headers", &pc)? {
            for name in headers.keys() {
                mr.response_parameters
                    .insert(format!("method.response.header.{name}"), false);
            }
        }
        let suggested = format!("{base}Response{code}");
        if ctx.version.is_oas3() {
            if let Some(content) = opt_obj(ro, "content", &pc)? {
                for (ct, media) in content {
                    let pm = pc.at("content").at(ct);
                    if let Some(schema) = obj(media, &pm)?.get("schema")
                        && let Some(model) =
                            schema_model(ctx, api, schema, &pm.at("schema"), &suggested)?
                    {
                        mr.response_models.insert(ct.clone(), model);
                    }
                }
            }
        } else if let Some(schema) = ro.get("schema")
            && let Some(model) = schema_model(ctx, api, schema, &pc.at("schema"), &suggested)?
        {
            for ct in &produces {
                mr.response_models.insert(ct.clone(), model.clone());
            }
        }
        m.method_responses.insert(mr.status_code, mr);
    }
    Ok(())
}

/// Swagger 2's `consumes` / `produces`: the operation's, else the root's, else JSON.
fn media_list(
    o: &Map<String, Value>,
    root: &Map<String, Value>,
    key: &str,
    at: &Ptr,
) -> Result<Vec<String>, ImportError> {
    let mut list = opt_str_array(o, key, at)?;
    if list.is_empty() {
        list = opt_str_array(root, key, &Ptr::root())?;
    }
    if list.is_empty() {
        list.push("application/json".to_owned());
    }
    Ok(list)
}

/// `GET` -> `Get`, `/pets/{id}` -> `PetsId`: alphanumerics with each word capitalised.
fn title_case(s: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c.to_ascii_lowercase());
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}
