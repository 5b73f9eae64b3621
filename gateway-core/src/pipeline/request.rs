//! The request as it arrives: the limits API Gateway applies in front of everything else, and
//! the one decoding of the query string every later stage reads.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};

use gateway_mapping::input::OwnedRequest;

/// Largest request body API Gateway takes: 10 MB (10,485,760 bytes), not raisable
/// (developer guide, API Gateway quotas for REST APIs).
pub const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Longest request URL (path and query) taken: 10,240 characters for a Regional endpoint
/// (developer guide, quotas: "URL length"); what AWS answers beyond it is not recorded, we
/// answer 414.
pub const MAX_URL_LENGTH: usize = 10_240;

/// Most bytes of header names and values taken (developer guide, quotas: "Total combined
/// size of request line and header values: 10240 bytes"); beyond it we answer 431.
pub const MAX_HEADER_BYTES: usize = 10_240;

/// Most query-string pairs kept: beyond what fits in [`MAX_URL_LENGTH`] anyway.
pub const MAX_QUERY_PAIRS: usize = MAX_URL_LENGTH / 2;

/// A request refused before API Gateway proper sees it (no request id, not a gateway
/// response, not customisable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontEndRefusal {
    /// The status.
    pub status: StatusCode,
    /// The body (text).
    pub body: &'static str,
}

impl FrontEndRefusal {
    /// As a response: `content-type: text; charset=utf-8`, as AWS sends its 413 (research
    /// pipeline-access.md 5, lgtm-generator#10's curl output).
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::from_static(self.body.as_bytes()));
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text; charset=utf-8"),
        );
        response
    }
}

/// A body over [`MAX_PAYLOAD_BYTES`]: 413 `HTTP content length exceeded 10485760 bytes.`
/// (also for a compressed body that decodes past it).
pub fn payload_too_large() -> FrontEndRefusal {
    FrontEndRefusal {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        body: "HTTP content length exceeded 10485760 bytes.",
    }
}

/// Checks the front-end limits: payload (413 `HTTP content length exceeded 10485760
/// bytes.`), URL length (414) and header size (431).
pub fn check_limits(
    path_and_query: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(), FrontEndRefusal> {
    if body.len() > MAX_PAYLOAD_BYTES {
        return Err(payload_too_large());
    }
    if path_and_query.len() > MAX_URL_LENGTH {
        return Err(FrontEndRefusal {
            status: StatusCode::URI_TOO_LONG,
            body: "Request-URI Too Long",
        });
    }
    let header_bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Err(FrontEndRefusal {
            status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            body: "Request Header Fields Too Large",
        });
    }
    Ok(())
}

/// The query string decoded as API Gateway decodes it: `application/x-www-form-urlencoded`
/// (`+` is a space, `%XX` a byte, invalid UTF-8 replaced), pairs in order, repeated names kept
/// (research pipeline-access.md 0: "Query values are form-decoded"). A name without `=` has
/// the empty value. At most [`MAX_QUERY_PAIRS`] pairs.
pub fn decode_query(query: Option<&str>) -> Vec<(String, String)> {
    let Some(query) = query else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .take(MAX_QUERY_PAIRS)
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// The request's header names as the client spelled them, in arrival order (one per header
/// line), for a host that has them: put it in the `http::Request`'s extensions.
///
/// An `http::HeaderMap` keeps names in lower case, but a REST API shows the client's spelling
/// in the Lambda proxy event's `headers` and `multiValueHeaders` (LocalStack's recording of
/// AWS, `test_lambda_aws_proxy_integration`, keeps a `tEsT-HEADeR` as sent; research session
/// 12, 5) and in `$input.params().header`. Without this extension names show in lower case,
/// as an HTTP/2 client's are. A spelling only ever changes the case of a name the request
/// has: one that matches no header is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderSpellings(pub Vec<String>);

/// The caller's address as text, an IPv4-mapped IPv6 address as the IPv4 address it maps
/// (`::ffff:192.0.2.7` is `192.0.2.7`): what `$context.identity.sourceIp` and `aws:SourceIp`
/// show. IPv4 is written digit by digit (`Display`, through the formatting machinery, cost
/// more than the rest of a request's condition keys).
pub fn source_ip_text(ip: std::net::IpAddr) -> String {
    match ip.to_canonical() {
        std::net::IpAddr::V4(v4) => {
            let mut text = String::with_capacity(15);
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    text.push('.');
                }
                if octet >= 100 {
                    text.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    text.push(char::from(b'0' + octet / 10 % 10));
                }
                text.push(char::from(b'0' + octet % 10));
            }
            text
        }
        v6 => v6.to_string(),
    }
}

/// The request's parts as every stage reads them: headers, decoded query, path parameters
/// (set by routing), body.
pub fn parts(headers: HeaderMap, query: Vec<(String, String)>, body: Bytes) -> OwnedRequest {
    OwnedRequest {
        headers,
        header_names: Vec::new(),
        query,
        path: Vec::new(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn source_ip_text_is_display_of_the_canonical_address() {
        for text in [
            "0.0.0.0",
            "9.10.99.100",
            "255.255.255.255",
            "192.0.2.7",
            "2001:db8::1",
        ] {
            let ip: std::net::IpAddr = text.parse().unwrap();
            assert_eq!(source_ip_text(ip), text);
        }
        assert_eq!(
            source_ip_text("::ffff:192.0.2.7".parse().unwrap()),
            "192.0.2.7"
        );
        for n in 0..=255u8 {
            let ip = std::net::IpAddr::from([n, n, 1, 0]);
            assert_eq!(source_ip_text(ip), ip.to_string());
        }
    }

    #[test]
    fn query_is_form_decoded_in_order() {
        assert_eq!(
            decode_query(Some("a=1&b=x+y&a=%2F%20&flag&=v")),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y".to_owned()),
                ("a".to_owned(), "/ ".to_owned()),
                ("flag".to_owned(), String::new()),
                (String::new(), "v".to_owned()),
            ]
        );
        assert!(decode_query(None).is_empty());
    }

    #[test]
    fn payload_over_ten_megabytes_is_413() {
        let big = Bytes::from(vec![b'a'; MAX_PAYLOAD_BYTES + 1]);
        let refusal = check_limits("/x", &HeaderMap::new(), &big).unwrap_err();
        assert_eq!(refusal.status, StatusCode::PAYLOAD_TOO_LARGE);
        // research 5: the exact text AWS sends.
        assert_eq!(refusal.body, "HTTP content length exceeded 10485760 bytes.");
        let ok = Bytes::from(vec![b'a'; MAX_PAYLOAD_BYTES]);
        assert!(check_limits("/x", &HeaderMap::new(), &ok).is_ok());
    }

    proptest! {
        #[test]
        fn decoding_never_panics_and_is_bounded(q in ".{0,300}") {
            let pairs = decode_query(Some(&q));
            prop_assert!(pairs.len() <= MAX_QUERY_PAIRS);
        }
    }
}
