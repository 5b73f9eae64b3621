//! The router of an imported [`RestApi`]: one route per (resource, method) of the model.

use super::{RouteError, Router};
use crate::model::{HttpMethod, ResourceId, RestApi};

/// Where a request lands in a [`RestApi`]: the resource and the method of it that serves the
/// request (the request's verb, or `ANY`). Look both up with [`RestApi::resource`] and the
/// resource's `methods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiRoute {
    /// The matched resource.
    pub resource: ResourceId,
    /// The key of the matched method in the resource's `methods`.
    pub method: HttpMethod,
}

impl Router<ApiRoute> {
    /// Builds the router of an API: every method of every resource, with its resource path.
    ///
    /// Models made by [`crate::import::import`] always build; a model made by hand can fail
    /// with the same [`RouteError`]s as [`Router::insert`].
    ///
    /// ```
    /// use gateway_core::import::{import, ImportOptions};
    /// use gateway_core::routing::Router;
    ///
    /// let doc = br#"{"swagger": "2.0", "info": {"title": "t"}, "paths": {
    ///   "/pets/{id}": {"get": {"responses": {"200": {"description": "ok"}},
    ///     "x-amazon-apigateway-integration": {"type": "mock"}}}}}"#;
    /// let api = import(doc, &ImportOptions::default())?.api;
    /// let router = Router::from_api(&api)?;
    /// let found = router.at("GET", "/pets/7")?;
    /// let resource = api.resource(found.value().resource).unwrap();
    /// assert_eq!(resource.path, "/pets/{id}");
    /// assert_eq!(found.param("id"), Some("7"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_api(api: &RestApi) -> Result<Self, RouteError> {
        let mut router = Router::new();
        for resource in &api.resources {
            for &http_method in resource.methods.keys() {
                router.insert(
                    &resource.path,
                    http_method,
                    ApiRoute {
                        resource: resource.id,
                        method: http_method,
                    },
                )?;
            }
        }
        Ok(router)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Method as ModelMethod, Resource};

    #[test]
    fn a_hand_made_model_with_a_bad_path_is_refused() {
        let mut api = RestApi::new("x", "t");
        let mut bad = Resource::root();
        bad.id = ResourceId(1);
        bad.parent = Some(ResourceId(0));
        bad.path_part = "{a}".into();
        bad.path = "/{a}/{a}".into();
        bad.methods
            .insert(HttpMethod::Get, ModelMethod::new(HttpMethod::Get));
        api.resources.push(bad);
        assert!(matches!(
            Router::from_api(&api),
            Err(RouteError::DuplicateVariable { .. })
        ));
    }
}
