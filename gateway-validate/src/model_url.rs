//! API Gateway's model URLs, the way models name each other in `$ref`s:
//! `https://apigateway.amazonaws.com/restapis/{api-id}/models/{name}` (the "models" section of
//! the API Gateway developer guide; localstack's recorded
//! `test_api_gateway_request_validator_with_ref_models`). Both the model set (reference checks,
//! offline retrieval) and the explanation's schema compiler read them.

const MODEL_URL_PREFIX: &str = "https://apigateway.amazonaws.com/restapis/";

/// The model URL API Gateway uses in `$ref`s: `https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}`.
pub fn model_url(api_id: &str, name: &str) -> String {
    format!("{MODEL_URL_PREFIX}{api_id}/models/{name}")
}

/// Splits a model URL (without fragment) into `(api_id, model_name)`.
pub(crate) fn parse_model_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix(MODEL_URL_PREFIX)?;
    let (api, rest) = rest.split_once('/')?;
    let name = rest.strip_prefix("models/")?;
    if api.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some((api, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_urls_parse_into_api_and_name() {
        assert_eq!(
            parse_model_url("https://apigateway.amazonaws.com/restapis/a1/models/Pet"),
            Some(("a1", "Pet"))
        );
        assert_eq!(
            parse_model_url("https://apigateway.amazonaws.com/restapis/a1/models/"),
            None
        );
        assert_eq!(
            parse_model_url("https://example.com/restapis/a1/models/Pet"),
            None
        );
        assert_eq!(
            model_url("a1", "Pet"),
            "https://apigateway.amazonaws.com/restapis/a1/models/Pet"
        );
    }
}
