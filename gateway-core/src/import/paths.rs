//! `paths` into the resource tree, with API Gateway's path checks.

use super::document::{Ctx, Ptr, obj, opt_obj};
use super::operation::read_operation;
use super::security::Schemes;
use super::{ImportError, MAX_IMPORTED_RESOURCES};
use crate::model::{HttpMethod, PathSegment, Resource, ResourceId, RestApi};
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
        let rid = ensure_resource(api, &full, &pk)?;
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

/// Finds or creates the resource for `path`, creating missing ancestors, with API Gateway's
/// checks on every new path part.
fn ensure_resource(api: &mut RestApi, path: &str, at: &Ptr) -> Result<ResourceId, ImportError> {
    let fail = |msg: String| at.error(format!("Unable to create resource at path '{path}': {msg}"));
    if path == "/" {
        return Ok(ResourceId(0));
    }
    let mut cur = ResourceId(0);
    let mut seen_vars: Vec<&str> = Vec::new();
    if path[1..].split('/').count() > crate::routing::MAX_PATH_PARTS {
        return Err(fail(format!(
            "more than {} path parts",
            crate::routing::MAX_PATH_PARTS
        )));
    }
    for part in path[1..].split('/') {
        if part.is_empty() {
            return Err(fail(
                "empty path segment (a path has no \"//\" and no trailing \"/\")".into(),
            ));
        }
        check_path_part(part).map_err(|m| fail(m.into()))?;
        if let PathSegment::Variable(name) | PathSegment::Greedy(name) = PathSegment::parse(part) {
            if seen_vars.contains(&name) {
                return Err(fail(format!(
                    "path parameter {{{name}}} appears more than once"
                )));
            }
            seen_vars.push(name);
        }
        let parent = &api.resources[cur.0];
        if let Some(&child) = parent
            .children
            .iter()
            .find(|c| api.resources[c.0].path_part == part)
        {
            cur = child;
            continue;
        }
        // Messages recorded on AWS: LocalStack tests/aws/services/apigateway/
        // test_apigateway_api.snapshot.json (greedy child, sibling variable).
        if let PathSegment::Greedy(_) = parent.segment() {
            return Err(fail(format!(
                "Cannot create a child of a resource with a greedy path variable: {}",
                parent.path_part
            )));
        }
        if matches!(
            PathSegment::parse(part),
            PathSegment::Variable(_) | PathSegment::Greedy(_)
        ) && let Some(sib) = parent
            .children
            .iter()
            .map(|c| &api.resources[c.0])
            .find(|r| {
                matches!(
                    r.segment(),
                    PathSegment::Variable(_) | PathSegment::Greedy(_)
                )
            })
        {
            return Err(fail(format!(
                "A sibling ({}) of this resource already has a variable path part -- only one is allowed",
                sib.path_part
            )));
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

/// A literal part uses letters, digits and `._-:,`; a variable is `{name}` or `{name+}` with a
/// name of letters, digits and `._-` (Developer Guide, "Amazon API Gateway important notes for
/// REST APIs"; AWS's message: "Resource's path part only allow a-zA-Z0-9._- and curly braces at
/// the beginning and the end.").
fn check_path_part(part: &str) -> Result<(), &'static str> {
    const MSG: &str = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.";
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    match PathSegment::parse(part) {
        PathSegment::Variable(n) | PathSegment::Greedy(n) if name_ok(n) => Ok(()),
        PathSegment::Literal(l)
            if l.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':' | b',')
            }) =>
        {
            Ok(())
        }
        _ => Err(MSG),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts_accept_literals_variables_and_greedy() {
        for ok in [
            "pets",
            "v1.0",
            "a_b-c",
            "events:batch",
            "{id}",
            "{proxy+}",
            "{a.b}",
        ] {
            assert!(check_path_part(ok).is_ok(), "{ok}");
        }
        for bad in [
            "pet{id}", "{id", "{}", "{+}", "a b", "{id}+", "%20", "{i d}",
        ] {
            assert!(check_path_part(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resources_share_prefixes_and_record_parents() {
        let mut api = RestApi::new("x", "t");
        let p = Ptr::root();
        let a = ensure_resource(&mut api, "/pets/{id}", &p).unwrap();
        let b = ensure_resource(&mut api, "/pets", &p).unwrap();
        assert_eq!(api.resources.len(), 3);
        assert_eq!(api.resources[a.0].path, "/pets/{id}");
        assert_eq!(api.resources[a.0].parent, Some(b));
        assert_eq!(api.root().children, vec![b]);
    }
}
