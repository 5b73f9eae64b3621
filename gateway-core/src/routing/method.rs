//! The HTTP methods a REST API resource can define, including API Gateway's catch-all `ANY`.

use std::fmt;
use std::str::FromStr;

/// A method as API Gateway (REST APIs) lets an API define it on a resource.
///
/// API Gateway accepts exactly these: `GET`, `PUT`, `POST`, `DELETE`, `PATCH`, `OPTIONS`, `HEAD`
/// and `ANY`, spelled in upper case. `ANY` stands for all seven verbs at request time.
///
/// ```
/// use gateway_core::routing::Method;
///
/// let method: Method = "ANY".parse()?;
/// assert_eq!(method, Method::Any);
/// assert_eq!(Method::Get.as_str(), "GET");
/// assert!("get".parse::<Method>().is_err());
/// # Ok::<(), gateway_core::routing::UnknownMethod>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
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

/// The number of [`Method`] values, the size of a per-resource method table.
pub(crate) const METHOD_COUNT: usize = 8;

impl Method {
    /// Every method, in API Gateway's own order (the order of its "Valid options" message).
    pub const ALL: [Method; METHOD_COUNT] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Patch,
        Method::Options,
        Method::Head,
        Method::Any,
    ];

    /// The method as API Gateway spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Any => "ANY",
        }
    }

    /// The method of an incoming request, or `None` when it is not one of the seven verbs an API
    /// can serve (`ANY` is a definition-side wildcard, never a request method).
    pub(crate) fn of_request(method: &str) -> Option<Method> {
        match Method::from_str(method) {
            Ok(Method::Any) | Err(_) => None,
            Ok(verb) => Some(verb),
        }
    }

    /// This method's slot in a per-resource method table.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Method {
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

impl FromStr for Method {
    type Err = UnknownMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "OPTIONS" => Method::Options,
            "HEAD" => Method::Head,
            "ANY" => Method::Any,
            _ => return Err(UnknownMethod),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_round_trips_through_its_name() {
        for method in Method::ALL {
            assert_eq!(method.as_str().parse::<Method>(), Ok(method));
            assert_eq!(Method::ALL[method.index()], method);
        }
    }

    #[test]
    fn unknown_method_names_are_rejected_with_api_gateways_message() {
        // PutMethod with a bad httpMethod, recorded on AWS: localstack/localstack
        // tests/aws/services/apigateway/test_apigateway_api.snapshot.json,
        // TestApiGatewayApiMethod::test_put_method_validation.
        let err = "WRONG".parse::<Method>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
        );
        // Methods are case-sensitive tokens (RFC 9110 section 9.1).
        assert!("get".parse::<Method>().is_err());
        assert!("TRACE".parse::<Method>().is_err());
    }

    #[test]
    fn any_is_never_a_request_method() {
        assert_eq!(Method::of_request("ANY"), None);
        assert_eq!(Method::of_request("GET"), Some(Method::Get));
        assert_eq!(Method::of_request("CONNECT"), None);
    }
}
