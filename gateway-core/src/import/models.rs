//! Models: `definitions` (Swagger 2) / `components.schemas` (OpenAPI 3) into named JSON schemas
//! whose `$ref`s use API Gateway's model URLs; inline schemas of operations become models too.

use super::document::{Ctx, Ptr, obj, opt_obj, opt_str};
use super::error::ImportError;
use crate::model::{Model, RestApi, model_url};
use serde_json::{Map, Value};

/// Where the model definitions live for this version.
fn models_location(ctx: &Ctx<'_>) -> (&'static str, &'static str) {
    if ctx.version.is_oas3() {
        ("#/components/schemas/", "/components/schemas")
    } else {
        ("#/definitions/", "/definitions")
    }
}

pub(crate) fn read_models(
    ctx: &mut Ctx<'_>,
    root: &Map<String, Value>,
    api: &mut RestApi,
) -> Result<(), ImportError> {
    let p = Ptr::root();
    let (defs, at) = if ctx.version.is_oas3() {
        let Some(c) = opt_obj(root, "components", &p)? else {
            return Ok(());
        };
        (
            opt_obj(c, "schemas", &p.at("components"))?,
            p.at("components").at("schemas"),
        )
    } else {
        (opt_obj(root, "definitions", &p)?, p.at("definitions"))
    };
    let Some(defs) = defs else {
        return Ok(());
    };
    // Register every name first so references between models resolve regardless of order.
    for (name, v) in defs {
        let pn = at.at(name);
        check_model_name(name, &pn)?;
        obj(v, &pn)?;
        api.models.insert(
            name.clone(),
            Model {
                name: name.clone(),
                content_type: "application/json".to_owned(),
                description: None,
                schema: Value::Null,
            },
        );
    }
    for (name, v) in defs {
        let pn = at.at(name);
        let schema = rewrite_refs(ctx, api, v, &pn)?;
        let description = opt_str(obj(v, &pn)?, "description", &pn)?.map(str::to_owned);
        if let Some(m) = api.models.get_mut(name) {
            m.schema = schema;
            m.description = description;
        }
    }
    Ok(())
}

/// Model names can only contain alphanumeric characters (Developer Guide, "Amazon API Gateway
/// important notes for REST APIs").
fn check_model_name(name: &str, at: &Ptr) -> Result<(), ImportError> {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(at.error(format!(
            "invalid model name {name:?}: model names can only contain alphanumeric characters"
        )))
    }
}

/// A copy of `schema` with every `$ref` to a model rewritten to its model URL.
pub(crate) fn rewrite_refs(
    ctx: &mut Ctx<'_>,
    api: &RestApi,
    schema: &Value,
    at: &Ptr,
) -> Result<Value, ImportError> {
    // Depth is bounded: the document passed MAX_DEPTH at parse time.
    Ok(match schema {
        Value::Object(o) => {
            let mut out = Map::with_capacity(o.len());
            for (k, v) in o {
                let pk = at.at(k);
                let nv = match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => Value::String(ref_url(ctx, api, r, &pk)?),
                    // `properties` maps names to schemas: a property called `$ref` is not a ref.
                    ("properties" | "definitions" | "patternProperties", Value::Object(props)) => {
                        let mut po = Map::with_capacity(props.len());
                        for (pn, pv) in props {
                            po.insert(pn.clone(), rewrite_refs(ctx, api, pv, &pk.at(pn))?);
                        }
                        Value::Object(po)
                    }
                    // `enum` values and examples are data, not schemas.
                    ("enum" | "example" | "default" | "const", v) => v.clone(),
                    _ => rewrite_refs(ctx, api, v, &pk)?,
                };
                out.insert(k.clone(), nv);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| rewrite_refs(ctx, api, v, &at.idx(i)))
                .collect::<Result<_, _>>()?,
        ),
        v => v.clone(),
    })
}

/// The model URL for a `$ref` string found at `at`.
fn ref_url(ctx: &mut Ctx<'_>, api: &RestApi, r: &str, at: &Ptr) -> Result<String, ImportError> {
    let (prefix, _) = models_location(ctx);
    if !r.starts_with('#') {
        if r.starts_with(crate::model::MODEL_URL_PREFIX) {
            return Ok(r.to_owned());
        }
        return Err(at.error(format!(
            "external reference {r:?} is not supported: only local references (#/...) are"
        )));
    }
    let Some(rest) = r.strip_prefix(prefix) else {
        ctx.warn(
            at,
            format!("reference {r:?} does not point into {prefix}...: left as written"),
        );
        return Ok(r.to_owned());
    };
    let (name, tail) = rest
        .split_once('/')
        .map_or((rest, None), |(n, t)| (n, Some(t)));
    if !api.models.contains_key(name) {
        ctx.warn(at, format!("reference to undefined model {name:?}"));
    }
    let url = model_url(&ctx.api_id, name);
    Ok(match tail {
        Some(t) => format!("{url}#/{t}"),
        None => url,
    })
}

/// The model a request or response schema stands for: the referenced model, or a new model
/// named `suggested` (made alphanumeric and unique) for an inline schema. `None` (with a
/// warning) when the reference names no model.
pub(crate) fn schema_model(
    ctx: &mut Ctx<'_>,
    api: &mut RestApi,
    schema: &Value,
    at: &Ptr,
    suggested: &str,
) -> Result<Option<String>, ImportError> {
    let o = obj(schema, at)?;
    if let Some(r) = opt_str(o, "$ref", at)? {
        let pr = at.at("$ref");
        let (prefix, _) = models_location(ctx);
        let name = r.strip_prefix(prefix).filter(|n| !n.contains('/'));
        return match name {
            Some(n) if api.models.contains_key(n) => Ok(Some(n.to_owned())),
            Some(n) => {
                ctx.warn(
                    &pr,
                    format!("reference to undefined model {n:?}: no model set"),
                );
                Ok(None)
            }
            None if r.starts_with('#') => {
                ctx.warn(&pr, format!("reference {r:?} is not a model: no model set"));
                Ok(None)
            }
            None => Err(pr.error(format!(
                "external reference {r:?} is not supported: only local references (#/...) are"
            ))),
        };
    }
    let base: String = suggested
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let base = if base.is_empty() {
        "Model".to_owned()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2u32;
    while api.models.contains_key(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    let schema = rewrite_refs(ctx, api, schema, at)?;
    api.models.insert(
        name.clone(),
        Model {
            name: name.clone(),
            content_type: "application/json".to_owned(),
            description: None,
            schema,
        },
    );
    Ok(Some(name))
}
