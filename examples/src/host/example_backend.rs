//! [`ExampleBackend`]: the HTTP client of `gateway serve` and `gateway invoke`, which answers
//! the bundled APIs' example hosts in process (so the bundled pet store works offline) and
//! sends everything else to the real backend through [`HyperBackend`].
//!
//! The example hosts are those `examples/apis/petstore.yaml` names: AWS's demo pet store
//! (`petstore.execute-api.us-east-1.amazonaws.com`, `/petstore/pets[/{id}]`, backed by the
//! same in-memory store as the example Lambda functions) and the invented
//! `photos.petstore.example.com` and `assets.petstore.example.com`.

use std::sync::Arc;

use bytes::Bytes;
use gateway_core::pipeline::{
    BackendError, BackendRequest, BackendResponse, BoxFuture, HttpBackend,
};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::http_backend::HyperBackend;
use super::lambda::ExampleFunctions;

/// The hosts answered in process.
pub const EXAMPLE_HOSTS: [&str; 3] = [
    "petstore.execute-api.us-east-1.amazonaws.com",
    "photos.petstore.example.com",
    "assets.petstore.example.com",
];

/// Example hosts in process, the rest over the network.
#[derive(Clone)]
pub struct ExampleBackend {
    real: HyperBackend,
    store: Arc<ExampleFunctions>,
}

impl ExampleBackend {
    /// A client whose example hosts read and write `store`.
    pub fn new(store: Arc<ExampleFunctions>) -> ExampleBackend {
        ExampleBackend {
            real: HyperBackend::new(),
            store,
        }
    }

    fn answer(&self, request: &BackendRequest) -> BackendResponse {
        let path = request.uri.path();
        let host = request.uri.host().unwrap_or_default();
        let json = |status: StatusCode, body: &Value| {
            let mut headers = HeaderMap::new();
            headers.insert("content-type", HeaderValue::from_static("application/json"));
            BackendResponse {
                status,
                headers,
                body: Bytes::from(body.to_string()),
            }
        };
        match host {
            "photos.petstore.example.com" => {
                let mut headers = HeaderMap::new();
                headers.insert("content-type", HeaderValue::from_static("image/png"));
                // The 8-byte PNG signature: a stand-in photo.
                BackendResponse {
                    status: StatusCode::OK,
                    headers,
                    body: Bytes::from_static(b"\x89PNG\r\n\x1a\n"),
                }
            }
            "assets.petstore.example.com" => {
                let mut headers = HeaderMap::new();
                headers.insert("content-type", HeaderValue::from_static("text/plain"));
                BackendResponse {
                    status: StatusCode::OK,
                    headers,
                    body: Bytes::from(format!("asset {path}\n")),
                }
            }
            _ => {
                let id = path.strip_prefix("/petstore/pets/");
                let kind = request
                    .uri
                    .query()
                    .unwrap_or_default()
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("type="));
                let event = match id {
                    Some(id) => json!({"pathParameters": {"petId": id}}),
                    None => json!({"queryStringParameters": {"type": kind}}),
                };
                let function = if id.is_some() {
                    "PetStoreGetPet"
                } else {
                    "PetStoreListPets"
                };
                let Some(answer) = self.store.run(function, &event) else {
                    return json(StatusCode::NOT_FOUND, &json!({"message": "Not Found"}));
                };
                let status = answer["statusCode"]
                    .as_u64()
                    .and_then(|s| u16::try_from(s).ok())
                    .and_then(|s| StatusCode::from_u16(s).ok())
                    .unwrap_or(StatusCode::OK);
                let body: Value = answer["body"]
                    .as_str()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or(Value::Null);
                json(status, &body)
            }
        }
    }
}

impl HttpBackend for ExampleBackend {
    fn send(
        &self,
        request: BackendRequest,
    ) -> BoxFuture<'_, Result<BackendResponse, BackendError>> {
        let host = request.uri.host().unwrap_or_default();
        if EXAMPLE_HOSTS.contains(&host) {
            let answer = self.answer(&request);
            return Box::pin(async move { Ok(answer) });
        }
        self.real.send(request)
    }
}
