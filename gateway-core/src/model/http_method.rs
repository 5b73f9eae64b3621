//! The HTTP methods a REST API resource can define, including API Gateway's catch-all `ANY`:
//! the one verb type of the model, the importer and the router.

use std::fmt;
use std::str::FromStr;

/// A method as API Gateway (REST APIs) lets an API define it on a resource.
///
/// API Gateway accepts exactly these: `GET`, `PUT`, `POST`, `DELETE`, `PATCH`, `OPTIONS`, `HEAD`
/// and `ANY`, spelled in upper case. `ANY` stands for all seven verbs at request time.
///
/// Parsing with [`FromStr`] is exact, as API Gateway's `PutMethod` is; [`HttpMethod::parse`]
/// ignores case, as the importer reads an integration's `httpMethod`.
///
/// ```
/// use gateway_core::model::HttpMethod;
///
/// let method: HttpMethod = "ANY".parse()?;
/// assert_eq!(method, HttpMethod::Any);
/// assert_eq!(HttpMethod::Get.as_str(), "GET");
/// assert!("get".parse::<HttpMethod>().is_err());
/// assert_eq!(HttpMethod::parse("get"), Some(HttpMethod::Get));
/// # Ok::<(), gateway_core::model::UnknownMethod>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
    /// `OPTIONS`
    Options,
    /// `HEAD`
    Head,
    /// `ANY`: every one of the seven verbs above.
    Any,
}

/// The number of [`HttpMethod`] values, the size of a per-resource method table.
pub(crate) const METHOD_COUNT: usize = 8;

impl HttpMethod {
    /// Every method, in API Gateway's own order (the order of its "Valid options" message).
    pub const ALL: [HttpMethod; METHOD_COUNT] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Patch,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Any,
    ];

    /// Parses a verb, case-insensitively (`get`, `GET`, `any`).
    pub fn parse(s: &str) -> Option<Self> {
        HttpMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }

    /// The method as API Gateway spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Any => "ANY",
        }
    }

    /// The method of an incoming request, or `None` when it is not one of the seven verbs an API
    /// can serve (`ANY` is a definition-side wildcard, never a request method).
    pub(crate) fn of_request(method: &str) -> Option<HttpMethod> {
        match HttpMethod::from_str(method) {
            Ok(HttpMethod::Any) | Err(_) => None,
            Ok(verb) => Some(verb),
        }
    }

    /// This method's slot in a per-resource method table.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A method name API Gateway does not accept; the message is API Gateway's own.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
)]
pub struct UnknownMethod;

impl FromStr for HttpMethod {
    type Err = UnknownMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "GET" => HttpMethod::Get,
            "PUT" => HttpMethod::Put,
            "POST" => HttpMethod::Post,
            "DELETE" => HttpMethod::Delete,
            "PATCH" => HttpMethod::Patch,
            "OPTIONS" => HttpMethod::Options,
            "HEAD" => HttpMethod::Head,
            "ANY" => HttpMethod::Any,
            _ => return Err(UnknownMethod),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_round_trips_through_its_name() {
        for method in HttpMethod::ALL {
            assert_eq!(method.as_str().parse::<HttpMethod>(), Ok(method));
            assert_eq!(HttpMethod::ALL[method.index()], method);
        }
    }

    #[test]
    fn unknown_method_names_are_rejected_with_api_gateways_message() {
        // PutMethod with a bad httpMethod, recorded on AWS: localstack/localstack
        // tests/aws/services/apigateway/test_apigateway_api.snapshot.json,
        // TestApiGatewayApiMethod::test_put_method_validation.
        let err = "WRONG".parse::<HttpMethod>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
        );
        // Methods are case-sensitive tokens (RFC 9110 section 9.1).
        assert!("get".parse::<HttpMethod>().is_err());
        assert!("TRACE".parse::<HttpMethod>().is_err());
    }

    #[test]
    fn any_is_never_a_request_method() {
        assert_eq!(HttpMethod::of_request("ANY"), None);
        assert_eq!(HttpMethod::of_request("GET"), Some(HttpMethod::Get));
        assert_eq!(HttpMethod::of_request("CONNECT"), None);
    }
}
