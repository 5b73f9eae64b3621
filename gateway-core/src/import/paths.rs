//! `paths` into the resource tree, each path checked with the router's rules.

use super::document::{Ctx, Ptr, obj, opt_obj};
use super::error::ImportError;
use super::limits::MAX_IMPORTED_RESOURCES;
use super::operation::read_operation;
use super::security::Schemes;
use crate::model::{HttpMethod, Resource, ResourceId, RestApi};
use crate::routing::Router;
use serde_json::{Map, Value};

/// Path item keys that hold an operation, and the method each becomes.
const OPERATIONS: &[(&str, HttpMethod)] = &[
    ("get", HttpMethod::Get),
    ("put", HttpMethod::Put),
    ("post", HttpMethod::Post),
    ("delete", HttpMethod::Delete),
    ("options", HttpMethod::Options),
    ("head", HttpMethod::Head),
    ("patch", HttpMethod::Patch),
    ("x-amazon-apigateway-any-method", HttpMethod::Any),
];

/// Path item keys that are not operations.
const OTHER_KEYS: &[&str] = &["parameters", "summary", "description", "servers", "$ref"];

pub(crate) fn read_paths<'d>(
    ctx: &mut Ctx<'d>,
    root: &'d Map<String, Value>,
    base: &str,
    schemes: &Schemes,
    api: &mut RestApi,
) -> Result<(), ImportError> {
    let p = Ptr::root();
    let Some(paths) = opt_obj(root, "paths", &p)? else {
        return Ok(());
    };
    let pp = p.at("paths");
    let mut checker = Router::new();
    for (key, item) in paths {
        let pk = pp.at(key);
        if key.starts_with("x-") {
            continue;
        }
        if !key.starts_with('/') {
            return Err(pk.error(format!("path {key:?} must start with \"/\"")));
        }
        let full = if key == "/" && !base.is_empty() {
            base.to_owned()
        } else {
            format!("{base}{key}")
        };
        let rid = ensure_resource(api, &mut checker, &full, &pk)?;
        let (item, pi) = ctx.resolve(item, &pk)?;
        let item = obj(item, &pi)?;
        let shared = item.get("parameters").map(|v| (v, pi.at("parameters")));
        for key in item.keys() {
            let known =
                OPERATIONS.iter().any(|(k, _)| k == key) || OTHER_KEYS.contains(&key.as_str());
            if known {
                continue;
            }
            let pk = pi.at(key);
            if key == "trace" {
                ctx.warn(&pk, "API Gateway has no TRACE methods: operation ignored");
            } else if key.starts_with(super::api::EXT) {
                ctx.warn(&pk, format!("unknown extension {key}: ignored"));
            } else if !key.starts_with("x-") {
                ctx.warn(&pk, format!("unknown path item field {key:?}: ignored"));
            }
        }
        for (op_key, verb) in OPERATIONS {
            let Some(op) = item.get(*op_key) else {
                continue;
            };
            let po = pi.at(op_key);
            let method = read_operation(
                ctx,
                api,
                schemes,
                root,
                op,
                &po,
                shared.as_ref(),
                &full,
                *verb,
            )?;
            let resource = &mut api.resources[rid.0];
            if resource.methods.contains_key(verb) {
                return Err(po.error(format!(
                    "method {verb} is defined twice for resource '{full}'"
                )));
            }
            resource.methods.insert(*verb, method);
        }
    }
    Ok(())
}

/// Finds or creates the resource for `path`, creating missing ancestors. The path is checked
/// with the router's rules ([`Router::add_resource`], where API Gateway's resource path rules
/// live): `checker` holds every path added so far, so sibling variables are caught too.
fn ensure_resource(
    api: &mut RestApi,
    checker: &mut Router<()>,
    path: &str,
    at: &Ptr,
) -> Result<ResourceId, ImportError> {
    checker.add_resource(path).map_err(|e| {
        at.error(format!(
            "Unable to create resource at path '{path}': {}",
            e.reason()
        ))
    })?;
    let mut cur = ResourceId(0);
    let parts = path.strip_prefix('/').unwrap_or(path);
    if parts.is_empty() {
        return Ok(cur);
    }
    for part in parts.split('/') {
        let parent = &api.resources[cur.0];
        if let Some(&child) = parent
            .children
            .iter()
            .find(|c| api.resources[c.0].path_part == part)
        {
            cur = child;
            continue;
        }
        if api.resources.len() >= MAX_IMPORTED_RESOURCES {
            return Err(at.error(format!(
                "more than {MAX_IMPORTED_RESOURCES} resources: the definition is too large"
            )));
        }
        let id = ResourceId(api.resources.len());
        let full = if parent.path == "/" {
            format!("/{part}")
        } else {
            format!("{}/{part}", parent.path)
        };
        api.resources.push(Resource {
            id,
            parent: Some(cur),
            path_part: part.to_owned(),
            path: full,
            children: Vec::new(),
            methods: Default::default(),
        });
        api.resources[cur.0].children.push(id);
        cur = id;
    }
    Ok(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rules_are_the_routers() {
        let mut api = RestApi::new("x", "t");
        let mut checker = Router::new();
        let p = Ptr::root();
        for ok in [
            "/pets",
            "/v1.0",
            "/a_b-c",
            "/events:batch",
            "/pets/{id}",
            "/{proxy+}",
            "/x/{a.b}",
        ] {
            assert!(
                ensure_resource(&mut api, &mut checker, ok, &p).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "/pet{id}", "/{id", "/{}", "/{+}", "/a b", "/{id}+", "/%20", "/{i d}",
        ] {
            let err = ensure_resource(&mut api, &mut checker, bad, &p).unwrap_err();
            assert!(
                err.to_string().contains(
                    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end."
                ),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn resources_share_prefixes_and_record_parents() {
        let mut api = RestApi::new("x", "t");
        let mut checker = Router::new();
        let p = Ptr::root();
        let a = ensure_resource(&mut api, &mut checker, "/pets/{id}", &p).unwrap();
        let b = ensure_resource(&mut api, &mut checker, "/pets", &p).unwrap();
        assert_eq!(api.resources.len(), 3);
        assert_eq!(api.resources[a.0].path, "/pets/{id}");
        assert_eq!(api.resources[a.0].parent, Some(b));
        assert_eq!(api.root().children, vec![b]);
    }
}
