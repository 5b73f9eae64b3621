//! Resource path templates (`/pets/{petId}`, `/files/{proxy+}`): parsing and validation, the
//! one implementation of API Gateway's path rules (the importer checks paths through
//! [`Router::add_resource`](super::Router::add_resource)).

use super::{MAX_PATH_PARTS, RouteError};
use crate::model::PathSegment;

/// One path part of a resource path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part<'a> {
    /// A literal segment, matched byte for byte.
    Literal(&'a str),
    /// `{name}`: exactly one non-empty segment.
    Param(&'a str),
    /// `{name+}`: the rest of the path, one or more segments; always the last part.
    Greedy(&'a str),
}

impl Part<'_> {
    /// The variable name, for `{name}` and `{name+}`.
    pub(crate) fn variable_name(&self) -> Option<&str> {
        match self {
            Part::Literal(_) => None,
            Part::Param(name) | Part::Greedy(name) => Some(name),
        }
    }
}

/// Splits a resource path template into its parts, checking everything API Gateway checks
/// when a resource is created: a leading `/`, no empty parts, braces only around a whole part,
/// variable names of `[A-Za-z0-9._-]`, a greedy variable only last, no repeated variable.
///
/// The root resource `/` has no parts.
pub(crate) fn parse(template: &str) -> Result<Vec<Part<'_>>, RouteError> {
    let Some(rest) = template.strip_prefix('/') else {
        return Err(RouteError::MissingLeadingSlash {
            template: template.to_owned(),
        });
    };
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let mut parts: Vec<Part<'_>> = Vec::new();
    for (index, raw) in rest.split('/').enumerate() {
        if index >= MAX_PATH_PARTS {
            return Err(RouteError::TooDeep {
                template: template.to_owned(),
                limit: MAX_PATH_PARTS,
            });
        }
        if let Some(Part::Greedy(name)) = parts.last() {
            return Err(RouteError::GreedyNotLast {
                template: template.to_owned(),
                greedy: format!("{{{name}+}}"),
            });
        }
        if raw.is_empty() {
            return Err(RouteError::EmptyPathPart {
                template: template.to_owned(),
                position: index + 1,
            });
        }
        let part = parse_part(raw).map_err(|reason| RouteError::InvalidPathPart {
            template: template.to_owned(),
            part: raw.to_owned(),
            reason,
        })?;
        if let Some(name) = part.variable_name()
            && parts.iter().any(|p| p.variable_name() == Some(name))
        {
            return Err(RouteError::DuplicateVariable {
                template: template.to_owned(),
                name: name.to_owned(),
            });
        }
        parts.push(part);
    }
    Ok(parts)
}

/// Classifies one non-empty path part (with the model's [`PathSegment::parse`]), or says what
/// is wrong with it.
fn parse_part(raw: &str) -> Result<Part<'_>, &'static str> {
    let name_ok = |name: &str| {
        name.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    match PathSegment::parse(raw) {
        PathSegment::Variable("") | PathSegment::Greedy("") => Err("a path variable needs a name"),
        PathSegment::Variable(name) | PathSegment::Greedy(name) if !name_ok(name) => {
            Err("a path variable name may only use a-zA-Z0-9._-")
        }
        PathSegment::Variable(name) => Ok(Part::Param(name)),
        PathSegment::Greedy(name) => Ok(Part::Greedy(name)),
        PathSegment::Root => Err("a path part cannot be empty"),
        PathSegment::Literal(literal) if literal.starts_with('{') => {
            Err("a path variable must end with '}'")
        }
        PathSegment::Literal(literal) if literal.contains(['{', '}']) => {
            Err("curly braces are only allowed at the beginning and the end of a path part")
        }
        // Letters, digits and `._-` as AWS's message says, and `:` `,` which API Gateway
        // accepts in literal parts (`/events:batch`).
        PathSegment::Literal(literal)
            if !literal.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':' | b',')
            }) =>
        {
            Err("a literal path part may only use a-zA-Z0-9._-:,")
        }
        PathSegment::Literal(literal) => Ok(Part::Literal(literal)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_template_has_no_parts() {
        assert_eq!(parse("/").unwrap(), vec![]);
    }

    #[test]
    fn parts_are_classified_as_literal_param_or_greedy() {
        assert_eq!(
            parse("/pets/{petId}/files/{proxy+}").unwrap(),
            vec![
                Part::Literal("pets"),
                Part::Param("petId"),
                Part::Literal("files"),
                Part::Greedy("proxy"),
            ]
        );
    }

    #[test]
    fn bad_templates_are_rejected_with_the_reason() {
        // Table: template -> expected error (Display text).
        let cases: &[(&str, &str)] = &[
            ("pets", "resource path \"pets\" must start with '/'"),
            ("", "resource path \"\" must start with '/'"),
            (
                "/pets//x",
                "resource path \"/pets//x\": path part 2 is empty",
            ),
            ("/pets/", "resource path \"/pets/\": path part 2 is empty"),
            (
                "/pets/{id",
                "resource path \"/pets/{id\": invalid path part \"{id\": a path variable must end with '}' (Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.)",
            ),
            (
                "/pets/{}",
                "resource path \"/pets/{}\": invalid path part \"{}\": a path variable needs a name (Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.)",
            ),
            (
                "/pets/{+}",
                "resource path \"/pets/{+}\": invalid path part \"{+}\": a path variable needs a name (Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.)",
            ),
            (
                "/pets/{a b}",
                "resource path \"/pets/{a b}\": invalid path part \"{a b}\": a path variable name may only use a-zA-Z0-9._- (Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.)",
            ),
            (
                "/img-{id}.png",
                "resource path \"/img-{id}.png\": invalid path part \"img-{id}.png\": curly braces are only allowed at the beginning and the end of a path part (Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.)",
            ),
            (
                "/a b",
                "resource path \"/a b\": invalid path part \"a b\": a literal path part may only use a-zA-Z0-9._-:, (Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.)",
            ),
            (
                "/{a}/{a}",
                "resource path \"/{a}/{a}\": path variable {a} appears more than once",
            ),
            (
                "/{a}/{a+}",
                "resource path \"/{a}/{a+}\": path variable {a} appears more than once",
            ),
        ];
        for (template, message) in cases {
            let err = parse(template).expect_err(template);
            assert_eq!(err.to_string(), *message, "template {template:?}");
        }
    }

    #[test]
    fn greedy_variable_must_be_last() {
        // AWS: "Cannot create a child of a resource with a greedy path variable: {proxy+}"
        // (recorded: localstack tests/aws/services/apigateway/test_apigateway_api.snapshot.json,
        // test_create_proxy_resource_validation); the developer guide lists `/{proxy+}/child`
        // and `/parent/{proxy+}/{child}` as not allowed (awsdocs
        // amazon-api-gateway-developer-guide, doc_source/api-gateway-method-settings-method-request.md).
        for template in [
            "/{proxy+}/child",
            "/parent/{proxy+}/{child}",
            "/a/{p+}/{q+}",
        ] {
            let err = parse(template).unwrap_err();
            assert!(
                matches!(err, RouteError::GreedyNotLast { .. }),
                "{template}: {err}"
            );
        }
        assert!(parse("/{proxy+}/child").unwrap_err().to_string().ends_with(
            "Cannot create a child of a resource with a greedy path variable: {proxy+}"
        ));
    }

    #[test]
    fn template_depth_is_limited() {
        let deep = "/a".repeat(MAX_PATH_PARTS);
        assert_eq!(parse(&deep).unwrap().len(), MAX_PATH_PARTS);
        let too_deep = "/a".repeat(MAX_PATH_PARTS + 1);
        assert!(matches!(
            parse(&too_deep),
            Err(RouteError::TooDeep {
                limit: MAX_PATH_PARTS,
                ..
            })
        ));
    }
}
