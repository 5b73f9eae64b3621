//! The client side: sign a request with the same canonicalisation the verifier uses (for tests,
//! the examples, and integrations that call AWS-style backends).

use std::time::{Duration, SystemTime};

use hmac::Mac;
use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::utf8_percent_encode;

use super::canonical::{
    ALGORITHM, CanonicalInput, MAX_CANONICAL_REQUEST_BYTES, QUERY_SECURITY_TOKEN, QUERY_SIGNATURE,
    QueryExclusions, TERMINATOR, UNRESERVED, query_pairs, write_canonical_request, write_hex,
    write_string_to_sign,
};
use super::date::{format_amz_date, unix_seconds};
use super::error::SignError;
use super::key_cache::derive;
use super::params::{
    MAX_PRESIGNED_EXPIRES_SECS, MAX_SIGNED_HEADERS, PRESIGNED_PARAMS, query_has_algorithm,
    signed_header_facts,
};
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
            parts
                .headers
                .try_insert(name, value.clone())
                .map_err(|_| SignError::HeaderMapFull)?;
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
    ///
    /// Refuses, with a [`SignError`], whatever a [`Verifier`](crate::sigv4::Verifier) would
    /// refuse once signed, checked with the verifier's own rules and limits: an access key id,
    /// region or service that cannot be part of a credential (so no value can inject a field
    /// into the `Authorization` header), a session token that is not printable ASCII, a request
    /// without `Host`, more than [`MAX_SIGNED_HEADERS`] headers to sign, a canonical request over
    /// [`MAX_CANONICAL_REQUEST_BYTES`], and a request already carrying a signature part that
    /// would clash with the new one (see [`SignError::Conflict`]). An `Authorization`,
    /// `X-Amz-Date` or (with a session token) `X-Amz-Security-Token` header already on the request
    /// is replaced by the new one.
    pub fn sign(
        &self,
        request: RequestRef<'_>,
        payload: Payload<'_>,
        time: SystemTime,
    ) -> Result<SignedRequest, SignError> {
        check_credential_part("access key id", &self.access_key_id)?;
        check_credential_part("region", &self.region)?;
        check_credential_part("service", &self.service)?;
        let token = match &self.session_token {
            Some(t) if is_printable_ascii(t) => Some(header_value(t, "session token")?),
            Some(_) => {
                return Err(SignError::InvalidHeaderValue {
                    what: "session token",
                });
            }
            None => None,
        };
        let amz_date = format_amz_date(unix_seconds(time)).ok_or(SignError::TimeOutOfRange)?;
        let date = &amz_date[..8];
        let scope = format!("{date}/{}/{}/{TERMINATOR}", self.region, self.service);
        self.check_conflicts(&request)?;
        let payload_hash = payload.sha256_hex().into_owned();
        let date_value = header_value(&amz_date, "date")?;

        let mut headers = request.headers.clone();
        let mut added: Vec<(&'static str, HeaderValue)> = Vec::new();
        let mut query = request.query.to_owned();
        if let Location::Query { expires_secs } = self.location {
            if !(1..=MAX_PRESIGNED_EXPIRES_SECS).contains(&expires_secs) {
                return Err(SignError::InvalidExpiry(expires_secs));
            }
            let signed_headers = signed_header_list(&headers)?;
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
            )?;
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
            // The request's own token header is replaced by this one, so only this one is signed.
            headers.remove("x-amz-security-token");
            if self.sign_session_token {
                insert(&mut headers, "x-amz-security-token", t.clone())?;
            }
        }
        insert(&mut headers, "x-amz-date", date_value.clone())?;
        added.push(("X-Amz-Date", date_value));
        if self.content_sha256_header {
            let v = header_value(&payload_hash, "payload hash")?;
            insert(&mut headers, "x-amz-content-sha256", v.clone())?;
            added.push(("x-amz-content-sha256", v));
        }
        let signed_headers = signed_header_list(&headers)?;
        let out = self.finish(
            &request,
            &headers,
            &query,
            &signed_headers,
            &payload_hash,
            QueryExclusions::None,
            &amz_date,
            &scope,
        )?;
        // Every part was checked above (the credential parts, header names and hex digits hold no
        // `,` or whitespace), so no value can end a field early or add one.
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

    /// Refuses a request that already carries a signature part the new one would clash with, by
    /// the rules the verifier reads signatures with.
    fn check_conflicts(&self, request: &RequestRef<'_>) -> Result<(), SignError> {
        let conflict = |what: &str| {
            Err(SignError::Conflict {
                what: what.to_owned(),
            })
        };
        if self.session_token.is_none() && request.headers.contains_key("x-amz-security-token") {
            // The verifier would check this token against a key the signer holds without one.
            return conflict("an X-Amz-Security-Token header but the signer has no session token");
        }
        match self.location {
            Location::Headers => {
                if query_has_algorithm(request.query) {
                    return conflict("an X-Amz-Algorithm query parameter (a presigned signature)");
                }
            }
            Location::Query { .. } => {
                if request.headers.contains_key(http::header::AUTHORIZATION) {
                    return conflict("an Authorization header");
                }
                for (name, _) in query_pairs(request.query) {
                    if let Some(param) = PRESIGNED_PARAMS.iter().find(|p| p.as_bytes() == &*name) {
                        return conflict(&format!("an {param} query parameter"));
                    }
                }
            }
        }
        Ok(())
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
    ) -> Result<(String, String, String), SignError> {
        let input = |exclusions| CanonicalInput {
            method: request.method,
            path: request.path,
            query,
            headers,
            signed_headers,
            payload_hash,
            normalize_path: self.normalize_path,
            exclusions,
            max_len: MAX_CANONICAL_REQUEST_BYTES,
        };
        let mut canonical = Vec::with_capacity(512);
        if exclusions == QueryExclusions::SignatureAndToken {
            // The verifier first tries the token as signed, and refuses when that canonical
            // request is over its bound, before it tries without the token.
            if !write_canonical_request(&input(QueryExclusions::Signature), &mut canonical) {
                return Err(SignError::CanonicalRequestTooLarge);
            }
            canonical.clear();
        }
        if !write_canonical_request(&input(exclusions), &mut canonical) {
            return Err(SignError::CanonicalRequestTooLarge);
        }
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
        Ok((
            String::from_utf8_lossy(&canonical).into_owned(),
            String::from_utf8_lossy(&sts).into_owned(),
            String::from_utf8_lossy(&sig).into_owned(),
        ))
    }
}

/// Whether `s` is non-empty and all printable ASCII (`!` to `~`): no spaces, controls or
/// non-ASCII.
fn is_printable_ascii(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Refuses a credential part the verifier would read back differently: the credential is split at
/// `/`, and the `Authorization` header's fields end at `,` or whitespace.
fn check_credential_part(what: &'static str, value: &str) -> Result<(), SignError> {
    if is_printable_ascii(value) && !value.contains(['/', ',']) {
        Ok(())
    } else {
        Err(SignError::InvalidCredentialPart {
            what,
            value: value.to_owned(),
        })
    }
}

/// Sets a header, refusing (instead of panicking) when the map is at `http`'s size limit.
fn insert(
    headers: &mut HeaderMap,
    name: &'static str,
    value: HeaderValue,
) -> Result<(), SignError> {
    headers
        .try_insert(name, value)
        .map(|_| ())
        .map_err(|_| SignError::HeaderMapFull)
}

fn header_value(s: &str, what: &'static str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(s).map_err(|_| SignError::InvalidHeaderValue { what })
}

/// The sorted, `;`-joined names of the headers to sign, refused as the verifier would refuse
/// them: `host` must be among them, and there may be at most [`MAX_SIGNED_HEADERS`].
fn signed_header_list(headers: &HeaderMap) -> Result<String, SignError> {
    let mut names: Vec<&str> = headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| !UNSIGNED_HEADERS.contains(n))
        .collect();
    // Map keys are distinct; counting before sorting keeps a huge map from costing a sort.
    if names.len() > MAX_SIGNED_HEADERS {
        return Err(SignError::TooManySignedHeaders(names.len()));
    }
    names.sort_unstable();
    let list = names.join(";");
    let (signs_host, count) = signed_header_facts(&list);
    if !signs_host {
        return Err(SignError::MissingHost);
    }
    if count > MAX_SIGNED_HEADERS {
        return Err(SignError::TooManySignedHeaders(count));
    }
    Ok(list)
}
