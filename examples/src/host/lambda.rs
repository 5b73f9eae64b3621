//! Lambda invokers: [`InvokeApi`] calls a Lambda Invoke HTTP API endpoint
//! (`--lambda-endpoint`: `cargo lambda watch`, the runtime interface emulator, LocalStack);
//! [`ExampleFunctions`] serves the bundled APIs' functions in process (an in-memory pet
//! store), so the bundled pet store answers offline.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use bytes::Bytes;
use gateway_core::pipeline::{
    BackendError, BoxFuture, LambdaBackend, LambdaInvocation, LambdaOutput,
};
use http::Uri;
use http_body_util::{BodyExt, Full, Limited};
use serde_json::{Value, json};

use super::MAX_BACKEND_BODY_BYTES;

/// The function name and qualifier of a Lambda ARN (`arn:aws:lambda:r:a:function:NAME[:Q]`),
/// or the text as given when it is a plain name.
pub fn function_name(function: &str) -> (&str, Option<&str>) {
    let mut parts = function.splitn(8, ':');
    if parts.next() != Some("arn") {
        return (function, None);
    }
    let rest: Vec<&str> = parts.collect();
    match rest.as_slice() {
        [_, _, _, _, "function", name] => (name, None),
        [_, _, _, _, "function", name, qualifier] => (name, Some(qualifier)),
        _ => (function, None),
    }
}

/// The Lambda Invoke HTTP API at an endpoint: `POST
/// {endpoint}/2015-03-31/functions/{name}/invocations[?Qualifier=Q]`, unsigned (local
/// emulators do not check signatures). The function is named by its name, which every local
/// emulator takes (the runtime interface emulator serves any name; `cargo lambda watch`
/// routes by name).
#[derive(Clone, Debug)]
pub struct InvokeApi {
    endpoint: String,
}

impl InvokeApi {
    /// An invoker for `endpoint` (`http://127.0.0.1:9000`).
    pub fn new(endpoint: &str) -> InvokeApi {
        InvokeApi {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
        }
    }
}

impl LambdaBackend for InvokeApi {
    fn invoke(
        &self,
        invocation: LambdaInvocation,
    ) -> BoxFuture<'_, Result<LambdaOutput, BackendError>> {
        Box::pin(async move {
            let (name, qualifier) = function_name(&invocation.function);
            let mut uri = format!("{}/2015-03-31/functions/{name}/invocations", self.endpoint);
            if let Some(q) = qualifier {
                uri.push_str("?Qualifier=");
                uri.push_str(q);
            }
            let uri: Uri = uri
                .parse()
                .map_err(|e| BackendError::Network(format!("Lambda endpoint URI {uri:?}: {e}")))?;
            let mut request = http::Request::new(Full::new(invocation.payload));
            *request.method_mut() = http::Method::POST;
            *request.uri_mut() = uri;
            request.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            request.headers_mut().insert(
                "x-amz-invocation-type",
                http::HeaderValue::from_static(invocation.invocation_type.as_str()),
            );
            let deadline = Instant::now() + invocation.timeout;
            let exchange = async {
                let response = super::client::send(request)
                    .await
                    .map_err(|e| BackendError::Network(e.to_string()))?;
                let (head, body) = response.into_parts();
                let payload = Limited::new(body, MAX_BACKEND_BODY_BYTES)
                    .collect()
                    .await
                    .map_err(|e| BackendError::Network(e.to_string()))?
                    .to_bytes();
                if !head.status.is_success() {
                    return Err(BackendError::Network(format!(
                        "the Lambda service answered {}: {}",
                        head.status,
                        String::from_utf8_lossy(&payload)
                    )));
                }
                let function_error = head
                    .headers
                    .get("x-amz-function-error")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                Ok(LambdaOutput {
                    payload,
                    function_error,
                })
            };
            match tokio::time::timeout_at(deadline.into(), exchange).await {
                Ok(result) => result,
                Err(_) => Err(BackendError::Timeout),
            }
        })
    }
}

/// The bundled APIs' functions, in process: an in-memory pet store behind the Lambda proxy
/// functions of `examples/apis/petstore.yaml` (`PetStoreListPets`, `PetStoreGetPet`,
/// `PetStoreCreatePet`, `PetStoreDeletePet`). Any other function answers as Lambda does for
/// a function that does not exist (a network error of the Lambda service).
#[derive(Debug)]
pub struct ExampleFunctions {
    pets: Mutex<BTreeMap<u64, Value>>,
}

impl Default for ExampleFunctions {
    fn default() -> Self {
        ExampleFunctions::new()
    }
}

impl ExampleFunctions {
    /// The store with three pets, as API Gateway's own PetStore example has.
    pub fn new() -> ExampleFunctions {
        let pets = [(1, "dog", 249.99), (2, "cat", 124.99), (3, "fish", 0.99)]
            .into_iter()
            .map(|(id, kind, price)| (id, json!({"id": id, "type": kind, "price": price})))
            .collect();
        ExampleFunctions {
            pets: Mutex::new(pets),
        }
    }

    fn proxy_answer(status: u16, body: &Value) -> Value {
        json!({
            "statusCode": status,
            "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
            "body": body.to_string(),
        })
    }

    /// Runs function `name` on a Lambda proxy event.
    pub fn run(&self, name: &str, event: &Value) -> Option<Value> {
        let mut pets = self
            .pets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let pet_id = event["pathParameters"]["petId"]
            .as_str()
            .and_then(|s| s.parse::<u64>().ok());
        let not_found = || Self::proxy_answer(404, &json!({"message": "No such pet."}));
        Some(match name {
            "PetStoreListPets" => {
                let kind = event["queryStringParameters"]["type"].as_str();
                let all: Vec<&Value> = pets
                    .values()
                    .filter(|p| kind.is_none_or(|k| p["type"] == k))
                    .collect();
                Self::proxy_answer(200, &json!(all))
            }
            "PetStoreGetPet" => match pet_id.and_then(|id| pets.get(&id)) {
                Some(pet) => Self::proxy_answer(200, pet),
                None => not_found(),
            },
            "PetStoreCreatePet" => {
                let body: Value = event["body"]
                    .as_str()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or(Value::Null);
                let id = pets.keys().next_back().map_or(1, |last| last + 1);
                let pet = json!({"id": id, "type": body["type"], "price": body["price"]});
                pets.insert(id, pet.clone());
                Self::proxy_answer(200, &json!({"pet": pet, "message": "success"}))
            }
            "PetStoreDeletePet" => match pet_id.and_then(|id| pets.remove(&id)) {
                Some(_) => Self::proxy_answer(200, &json!({})),
                None => not_found(),
            },
            _ => return None,
        })
    }
}

impl LambdaBackend for ExampleFunctions {
    fn invoke(
        &self,
        invocation: LambdaInvocation,
    ) -> BoxFuture<'_, Result<LambdaOutput, BackendError>> {
        Box::pin(async move {
            let (name, _) = function_name(&invocation.function);
            let event: Value = serde_json::from_slice(&invocation.payload).unwrap_or(Value::Null);
            match self.run(name, &event) {
                Some(answer) => Ok(LambdaOutput {
                    payload: Bytes::from(answer.to_string()),
                    function_error: None,
                }),
                None => Err(BackendError::Network(format!(
                    "Function not found: {name} (no --lambda-endpoint, and not a built-in example function)"
                ))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_from_arns() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:Pets"),
            ("Pets", None)
        );
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:Pets:live"),
            ("Pets", Some("live"))
        );
        assert_eq!(function_name("Pets"), ("Pets", None));
    }

    #[test]
    fn the_example_store_creates_gets_and_deletes() {
        let f = ExampleFunctions::new();
        let created = f
            .run(
                "PetStoreCreatePet",
                &json!({"body": "{\"type\":\"bird\",\"price\":5}"}),
            )
            .unwrap();
        assert_eq!(created["statusCode"], 200);
        let body: Value = serde_json::from_str(created["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["pet"]["id"], 4);
        let got = f
            .run("PetStoreGetPet", &json!({"pathParameters": {"petId": "4"}}))
            .unwrap();
        assert_eq!(got["statusCode"], 200);
        let gone = f
            .run(
                "PetStoreDeletePet",
                &json!({"pathParameters": {"petId": "4"}}),
            )
            .unwrap();
        assert_eq!(gone["statusCode"], 200);
        let again = f
            .run("PetStoreGetPet", &json!({"pathParameters": {"petId": "4"}}))
            .unwrap();
        assert_eq!(again["statusCode"], 404);
        assert!(f.run("Other", &json!({})).is_none());
    }
}
