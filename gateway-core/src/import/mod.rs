//! Import of OpenAPI 3.0.x and Swagger 2.0 definitions (JSON or YAML) into a [`RestApi`].
//!
//! This does what API Gateway's `ImportRestApi` does: reads the paths into a resource tree, each
//! operation into a [`Method`](crate::model::Method) with its `x-amazon-apigateway-integration`,
//! security into authorizers, API keys and IAM, schemas into models whose `$ref`s use API
//! Gateway's model URLs, and the API-wide `x-amazon-apigateway-*` extensions into settings.
//!
//! Like API Gateway, problems come in two kinds:
//! - **errors** stop the import: an [`ImportError`] naming the place with a JSON pointer into the
//!   document (`/paths/~1pets~1{id}/get/x-amazon-apigateway-integration/type`) and what is wrong;
//! - **warnings** are kept in [`Imported::warnings`] and the import goes on, unless
//!   [`ImportOptions::fail_on_warnings`] is set (API Gateway's `failonwarnings=true`), in which case
//!   they become [`ImportError::Warnings`].
//!
//! ```
//! use gateway_core::import::{import, ImportOptions};
//! use gateway_core::model::{HttpMethod, IntegrationType};
//!
//! let yaml = br#"
//! openapi: 3.0.1
//! info: { title: hello, version: "1" }
//! paths:
//!   /hello/{name}:
//!     get:
//!       parameters: [{ name: name, in: path, required: true, schema: { type: string } }]
//!       responses: { "200": { description: ok } }
//!       x-amazon-apigateway-integration:
//!         type: mock
//!         requestTemplates: { application/json: '{"statusCode": 200}' }
//!         responses: { default: { statusCode: "200" } }
//! "#;
//! let imported = import(yaml, &ImportOptions::default()).unwrap();
//! let (resource, method) = imported.api.routes().next().unwrap();
//! assert_eq!(resource.path, "/hello/{name}");
//! assert_eq!(method.http_method, HttpMethod::Get);
//! assert_eq!(method.integration.as_ref().unwrap().kind, IntegrationType::Mock);
//! assert!(imported.warnings.is_empty());
//! ```
//!
//! ## The API id
//!
//! A local import has no API Gateway to assign an id, yet model URLs and `execute-api` ARNs need
//! one. [`ImportOptions::api_id`] sets it; when `None` (the default) the id is derived from the
//! API's title: ten lower-case base-36 characters of a 64-bit FNV-1a hash, the shape of a real
//! API id, stable across runs, and different for differently named APIs.
//!
//! ## Base path
//!
//! [`BasePath`] follows API Gateway's `basepath` import parameter: `Ignore` (the default) drops
//! Swagger's `basePath` / the path of OpenAPI 3's first server URL, `Prepend` puts it before every
//! path, `Split` drops its first segment and prepends the rest.

mod api;
pub(crate) mod document;
mod error;
mod integration;
mod java_regex;
mod limits;
mod models;
mod operation;
mod paths;
mod security;
mod yaml_depth;

pub use error::{ImportError, ImportWarning};
pub use limits::{MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_IMPORTED_RESOURCES, MAX_REF_CHAIN};

use crate::model::{EndpointType, RestApi};
use document::{Ctx, Ptr};

/// How an import runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// The API id to use in model URLs; `None` derives one from the title (see the module docs).
    pub api_id: Option<String>,
    /// Turn warnings into an error, like API Gateway's `failonwarnings=true`.
    pub fail_on_warnings: bool,
    /// How Swagger's `basePath` / OpenAPI 3's server URL path is used.
    pub base_path: BasePath,
    /// The endpoint type (API Gateway's `endpointConfigurationTypes` import parameter).
    pub endpoint_type: EndpointType,
}

/// What to do with the definition's base path (API Gateway's `basepath` import parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasePath {
    /// Ignore it (API Gateway's default).
    #[default]
    Ignore,
    /// Prepend it to every resource path.
    Prepend,
    /// Drop its first segment and prepend the rest.
    Split,
}

/// A successful import: the API and the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The imported API.
    pub api: RestApi,
    /// Minor problems that did not stop the import, in document order.
    pub warnings: Vec<ImportWarning>,
}

/// Imports an OpenAPI 3.0.x or Swagger 2.0 definition, JSON or YAML.
///
/// Errors name the offending place with a JSON pointer; see [`ImportError`].
pub fn import(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    let doc = document::parse(bytes)?;
    let root = document::obj(&doc, &Ptr::root())?;
    let version = document::version(root)?;
    let title = api::title(root)?;
    let api_id = match &options.api_id {
        Some(id) if valid_api_id(id) => id.clone(),
        Some(id) => return Err(ImportError::BadApiId(id.clone())),
        None => derive_api_id(&title),
    };
    let mut ctx = Ctx::new(&doc, version, api_id.clone());
    let mut rest = RestApi::new(api_id, title);
    rest.endpoint_configuration.endpoint_type = options.endpoint_type;
    api::read_info(&mut ctx, root, &mut rest)?;
    api::read_root_extensions(&mut ctx, root, &mut rest)?;
    models::read_models(&mut ctx, root, &mut rest)?;
    integration::check_component_integrations(&mut ctx, root)?;
    let schemes = security::read_schemes(&mut ctx, root, &mut rest)?;
    let base = match options.base_path {
        BasePath::Ignore => String::new(),
        BasePath::Prepend => api::base_path(&ctx, root, 0)?,
        BasePath::Split => api::base_path(&ctx, root, 1)?,
    };
    // Kept for hosts (the local gateway's default stage); a malformed server list was
    // already reported when the mode uses it.
    rest.base_path = api::base_path(&ctx, root, 0).ok().filter(|p| !p.is_empty());
    paths::read_paths(&mut ctx, root, &base, &schemes, &mut rest)?;
    let warnings = ctx.into_warnings();
    if options.fail_on_warnings && !warnings.is_empty() {
        return Err(ImportError::Warnings(warnings));
    }
    Ok(Imported {
        api: rest,
        warnings,
    })
}

fn valid_api_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Ten lower-case base-36 characters of the FNV-1a hash of `title`.
fn derive_api_id(title: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in title.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..10)
        .map(|_| {
            let d = (h % 36) as usize;
            h /= 36;
            char::from(DIGITS[d])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_api_id_has_the_shape_of_a_real_one_and_is_stable() {
        let a = derive_api_id("PetStore");
        assert_eq!(a.len(), 10);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_eq!(a, derive_api_id("PetStore"));
        assert_ne!(a, derive_api_id("PetStore2"));
    }

    #[test]
    fn api_id_option_must_be_alphanumeric() {
        let doc = br#"{"swagger":"2.0","info":{"title":"t"},"paths":{}}"#;
        let opts = ImportOptions {
            api_id: Some("a/b".into()),
            ..ImportOptions::default()
        };
        assert_eq!(import(doc, &opts), Err(ImportError::BadApiId("a/b".into())));
    }

    #[test]
    fn yaml_alias_bombs_are_refused_without_a_made_up_position() {
        // Ten aliases of ten aliases of ... : 10^12 nodes if expanded.
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            let refs = vec![format!("*a{p}"); 10].join(", ");
            doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        doc.push_str("openapi: 3.0.1\ninfo: {title: t}\npaths: {}\n");
        let e = import(doc.as_bytes(), &ImportOptions::default()).unwrap_err();
        assert!(
            matches!(
                e,
                ImportError::Syntax {
                    format: "YAML",
                    line: 0,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.to_string(), "invalid YAML: repetition limit exceeded");
    }

    #[test]
    fn error_display_shows_slash_for_the_root_pointer() {
        let e = ImportError::Invalid {
            pointer: String::new(),
            message: "x".into(),
        };
        assert_eq!(e.to_string(), "/: x");
    }
}
