//! The client side: sign a request with the same canonicalisation the verifier uses (for tests,
//! the examples, and integrations that call AWS-style backends).

use std::time::{Duration, SystemTime};

use hmac::Mac;
use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::utf8_percent_encode;

use super::canonical::{
    ALGORITHM, CanonicalInput, QUERY_SECURITY_TOKEN, QUERY_SIGNATURE, QueryExclusions, TERMINATOR,
    UNRESERVED, write_canonical_request, write_hex, write_string_to_sign,
};
use super::date::{format_amz_date, unix_seconds};
use super::error::SignError;
use super::key_cache::derive;
use super::params::MAX_PRESIGNED_EXPIRES_SECS;
use super::request::{Payload, RequestRef};

/// Headers the signer leaves out of the signature: they are rewritten by proxies on the way.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "expect",
    "connection",
    "transfer-encoding",
];

/// Where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Headers,
    Query { expires_secs: u64 },
}

/// Signs requests with one set of credentials for one region and service.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use gateway_policy::sigv4::{Payload, RequestRef, Signer};
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("host", "example.amazonaws.com".parse().unwrap());
/// let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160); // 20150830T123600Z
/// let signed = Signer::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service")
///     .sign(RequestRef::new("GET", "/", "", &headers), Payload::Bytes(b""), time)
///     .unwrap();
/// assert_eq!(signed.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
/// ```
#[derive(Clone)]
pub struct Signer {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    region: String,
    service: String,
    location: Location,
    normalize_path: bool,
    content_sha256_header: bool,
    sign_session_token: bool,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret and token stay out of logs.
        f.debug_struct("Signer")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// A signed request: the intermediate strings, the signature, and what to add to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The canonical request that was signed.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The hex signature.
    pub signature: String,
    /// Headers to add, in order, with their conventional spelling (`X-Amz-Date`, ...).
    pub headers: Vec<(&'static str, HeaderValue)>,
    /// The request's new query string (the original parameters, then the presigned ones), or the
    /// original query when signing into headers.
    pub query: String,
}

impl SignedRequest {
    /// Adds the signature to `http` request parts: the headers, and for a presigned request the
    /// new query string.
    pub fn apply_to(&self, parts: &mut http::request::Parts) -> Result<(), SignError> {
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                SignError::InvalidHeaderValue {
                    what: "header name",
                }
            })?;
            parts.headers.insert(name, value.clone());
        }
        let path = parts.uri.path();
        let path_and_query = if self.query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", self.query)
        };
        let mut uri = parts.uri.clone().into_parts();
        uri.path_and_query =
            Some(
                path_and_query
                    .parse()
                    .map_err(|_| SignError::InvalidHeaderValue {
                        what: "query string",
                    })?,
            );
        parts.uri = http::Uri::from_parts(uri).map_err(|_| SignError::InvalidHeaderValue {
            what: "query string",
        })?;
        Ok(())
    }
}

impl Signer {
    /// A signer for long-term credentials, signing into the `Authorization` header.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        Signer {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            region: region.into(),
            service: service.into(),
            location: Location::Headers,
            normalize_path: true,
            content_sha256_header: false,
            sign_session_token: true,
        }
    }

    /// Temporary credentials: sends `token` as `X-Amz-Security-Token`.
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Signs into the query string (a presigned URL) valid for `expires` (whole seconds, 1 s to
    /// 7 days).
    pub fn presigned(mut self, expires: Duration) -> Self {
        self.location = Location::Query {
            expires_secs: expires.as_secs(),
        };
        self
    }

    /// Whether the path is normalised before signing (on; S3-style signers turn it off).
    pub fn normalize_path(mut self, on: bool) -> Self {
        self.normalize_path = on;
        self
    }

    /// Whether to send (and sign) `x-amz-content-sha256` with the payload hash (header form).
    pub fn content_sha256_header(mut self, on: bool) -> Self {
        self.content_sha256_header = on;
        self
    }

    /// Whether the session token is part of the signature (on) or appended after signing, as
    /// some services require.
    pub fn sign_session_token(mut self, on: bool) -> Self {
        self.sign_session_token = on;
        self
    }

    /// Signs `request` with body `payload` at `time`.
    pub fn sign(
        &self,
        request: RequestRef<'_>,
        payload: Payload<'_>,
        time: SystemTime,
    ) -> Result<SignedRequest, SignError> {
        let amz_date = format_amz_date(unix_seconds(time)).ok_or(SignError::TimeOutOfRange)?;
        let date = &amz_date[..8];
        let scope = format!("{date}/{}/{}/{TERMINATOR}", self.region, self.service);
        let payload_hash = payload.sha256_hex().into_owned();
        let token = match &self.session_token {
            Some(t) => {
                Some(
                    HeaderValue::from_str(t).map_err(|_| SignError::InvalidHeaderValue {
                        what: "session token",
                    })?,
                )
            }
            None => None,
        };
        let date_value = header_value(&amz_date, "date")?;

        let mut headers = request.headers.clone();
        let mut added: Vec<(&'static str, HeaderValue)> = Vec::new();
        let mut query = request.query.to_owned();
        if let Location::Query { expires_secs } = self.location {
            if !(1..=MAX_PRESIGNED_EXPIRES_SECS).contains(&expires_secs) {
                return Err(SignError::InvalidExpiry(expires_secs));
            }
            let signed_headers = signed_header_list(&headers);
            let credential = format!("{}/{scope}", self.access_key_id);
            let mut params: Vec<(&str, String)> = vec![
                ("X-Amz-Algorithm", ALGORITHM.to_owned()),
                ("X-Amz-Credential", credential),
                ("X-Amz-Date", amz_date.clone()),
                ("X-Amz-SignedHeaders", signed_headers.clone()),
                ("X-Amz-Expires", expires_secs.to_string()),
            ];
            if let Some(t) = &self.session_token {
                params.push((QUERY_SECURITY_TOKEN, t.clone()));
            }
            let exclusions = if self.sign_session_token {
                QueryExclusions::Signature
            } else {
                QueryExclusions::SignatureAndToken
            };
            for (name, value) in &params {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(name);
                query.push('=');
                query.extend(utf8_percent_encode(value, UNRESERVED));
            }
            let out = self.finish(
                &request,
                &headers,
                &query,
                &signed_headers,
                &payload_hash,
                exclusions,
                &amz_date,
                &scope,
            );
            query.push('&');
            query.push_str(QUERY_SIGNATURE);
            query.push('=');
            query.push_str(&out.2);
            return Ok(SignedRequest {
                canonical_request: out.0,
                string_to_sign: out.1,
                signature: out.2,
                headers: added,
                query,
            });
        }

        if let Some(t) = &token {
            added.push(("X-Amz-Security-Token", t.clone()));
            if self.sign_session_token {
                headers.insert("x-amz-security-token", t.clone());
            }
        }
        headers.insert("x-amz-date", date_value.clone());
        added.push(("X-Amz-Date", date_value));
        if self.content_sha256_header {
            let v = header_value(&payload_hash, "payload hash")?;
            headers.insert("x-amz-content-sha256", v.clone());
            added.push(("x-amz-content-sha256", v));
        }
        let signed_headers = signed_header_list(&headers);
        let out = self.finish(
            &request,
            &headers,
            &query,
            &signed_headers,
            &payload_hash,
            QueryExclusions::None,
            &amz_date,
            &scope,
        );
        let authorization = format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={}",
            self.access_key_id, out.2
        );
        added.push((
            "Authorization",
            header_value(&authorization, "access key id")?,
        ));
        Ok(SignedRequest {
            canonical_request: out.0,
            string_to_sign: out.1,
            signature: out.2,
            headers: added,
            query,
        })
    }

    /// Canonical request, string to sign and signature.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        request: &RequestRef<'_>,
        headers: &HeaderMap,
        query: &str,
        signed_headers: &str,
        payload_hash: &str,
        exclusions: QueryExclusions,
        amz_date: &str,
        scope: &str,
    ) -> (String, String, String) {
        let mut canonical = Vec::with_capacity(512);
        // The signer's own headers: each name once, so the canonical request is no larger than
        // the request itself and needs no bound.
        let _complete = write_canonical_request(
            &CanonicalInput {
                method: request.method,
                path: request.path,
                query,
                headers,
                signed_headers,
                payload_hash,
                normalize_path: self.normalize_path,
                exclusions,
                max_len: usize::MAX,
            },
            &mut canonical,
        );
        let mut sts = Vec::with_capacity(160);
        write_string_to_sign(amz_date, scope, &canonical, &mut sts);
        let mut key = derive(
            &self.secret_access_key,
            &amz_date[..8],
            &self.region,
            &self.service,
        );
        key.update(&sts);
        let mut sig = Vec::with_capacity(64);
        write_hex(&key.finalize().into_bytes(), &mut sig);
        (
            String::from_utf8_lossy(&canonical).into_owned(),
            String::from_utf8_lossy(&sts).into_owned(),
            String::from_utf8_lossy(&sig).into_owned(),
        )
    }
}

fn header_value(s: &str, what: &'static str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(s).map_err(|_| SignError::InvalidHeaderValue { what })
}

/// The sorted, `;`-joined names of the headers to sign.
fn signed_header_list(headers: &HeaderMap) -> String {
    let mut names: Vec<&str> = headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| !UNSIGNED_HEADERS.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(";")
}
