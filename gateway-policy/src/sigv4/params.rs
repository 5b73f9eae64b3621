//! Reading the signature's parameters from the `Authorization` header or a presigned query.

use std::borrow::Cow;

use http::HeaderMap;

use super::canonical::{ALGORITHM, QUERY_SECURITY_TOKEN, QUERY_SIGNATURE, query_pairs};
use super::error::AuthError;

/// The most names a `SignedHeaders` list may hold. Real clients sign a handful; the bound keeps
/// the canonical request linear in the request's size even for a list that repeats one name.
pub const MAX_SIGNED_HEADERS: usize = 256;

/// The longest presigned lifetime SigV4 allows: 7 days, in seconds.
pub const MAX_PRESIGNED_EXPIRES_SECS: u64 = 604_800;

/// Where the signature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
    Header,
    /// `?X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Signature=...`
    Query,
}

/// `AKID/20150830/us-east-1/service/aws4_request`, split.
#[derive(Debug, Clone)]
pub(crate) struct Scope<'a> {
    pub access_key: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub terminator: &'a str,
    /// `date/region/service/terminator`, as it goes in the string to sign.
    pub scope: &'a str,
}

/// The signature's parameters, from either form.
#[derive(Debug, Clone)]
pub(crate) struct SignatureParams<'a> {
    pub form: Form,
    pub credential: Cow<'a, str>,
    pub signed_headers: Cow<'a, str>,
    pub signature: Cow<'a, str>,
    pub amz_date: Cow<'a, str>,
    pub expires: Option<u64>,
    pub security_token: Option<Cow<'a, str>>,
}

impl SignatureParams<'_> {
    /// Splits the credential into its five parts.
    pub(crate) fn scope(&self) -> Result<Scope<'_>, AuthError> {
        let cred: &str = &self.credential;
        let mut parts = cred.splitn(5, '/');
        let (Some(access_key), Some(date), Some(region), Some(service), Some(terminator)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(malformed_credential(cred));
        };
        if terminator.contains('/') {
            return Err(malformed_credential(cred));
        }
        Ok(Scope {
            access_key,
            date,
            region,
            service,
            terminator,
            scope: &cred[access_key.len() + 1..],
        })
    }
}

fn malformed_credential(cred: &str) -> AuthError {
    AuthError::incomplete(format!(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{cred}'"
    ))
}

/// Finds the signature: the `Authorization` header if present, else presigned query parameters.
/// `Ok(None)` when the request carries neither (no authentication at all).
pub(crate) fn read<'a>(
    headers: &'a HeaderMap,
    query: &'a str,
) -> Result<Option<SignatureParams<'a>>, AuthError> {
    if let Some(auth) = headers.get(http::header::AUTHORIZATION) {
        return from_header(auth.as_bytes(), headers).map(Some);
    }
    if query.is_empty() || !query.contains("X-Amz-") {
        return Ok(None);
    }
    from_query(query)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<Cow<'a, str>> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()))
}

fn from_header<'a>(
    value: &'a [u8],
    headers: &'a HeaderMap,
) -> Result<SignatureParams<'a>, AuthError> {
    let value = String::from_utf8_lossy(value);
    let trimmed = value.trim_start();
    let (algorithm, rest) = trimmed.split_once([' ', '\t']).unwrap_or((trimmed, ""));
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for param in rest.split(',') {
        let Some((k, v)) = param.trim().split_once('=') else {
            continue;
        };
        let slot = match k.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(v.trim().to_owned());
        }
    }
    let amz_date = header_str(headers, "x-amz-date").or_else(|| header_str(headers, "date"));

    let mut missing = String::new();
    if credential.is_none() {
        missing.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if signature.is_none() {
        missing.push_str("Authorization header requires 'Signature' parameter. ");
    }
    if signed_headers.is_none() {
        missing.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if amz_date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(amz_date)) =
        (credential, signed_headers, signature, amz_date)
    else {
        return Err(AuthError::incomplete(format!(
            "{missing}Authorization={value}"
        )));
    };
    if algorithm != ALGORITHM {
        return Err(AuthError::incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Authorization={value}"
        )));
    }
    Ok(SignatureParams {
        form: Form::Header,
        credential: credential.into(),
        signed_headers: signed_headers.into(),
        signature: signature.into(),
        amz_date,
        expires: None,
        security_token: header_str(headers, "x-amz-security-token"),
    })
}

fn from_query(query: &str) -> Result<Option<SignatureParams<'_>>, AuthError> {
    let (mut algorithm, mut credential, mut date, mut signed_headers, mut signature, mut expires) =
        (None, None, None, None, None, None);
    let mut token = None;
    for (name, value) in query_pairs(query) {
        let slot = match &*name {
            b"X-Amz-Algorithm" => &mut algorithm,
            b"X-Amz-Credential" => &mut credential,
            b"X-Amz-Date" => &mut date,
            b"X-Amz-SignedHeaders" => &mut signed_headers,
            n if n == QUERY_SIGNATURE.as_bytes() => &mut signature,
            b"X-Amz-Expires" => &mut expires,
            n if n == QUERY_SECURITY_TOKEN.as_bytes() => &mut token,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(String::from_utf8_lossy(&value).into_owned());
        }
    }
    if algorithm.is_none() && credential.is_none() && signature.is_none() {
        // X-Amz-* parameters that are not a presigned signature: an unsigned request.
        return Ok(None);
    }
    let mut missing = String::new();
    for (name, v) in [
        ("X-Amz-Algorithm", &algorithm),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Signature", &signature),
        ("X-Amz-SignedHeaders", &signed_headers),
        ("X-Amz-Date", &date),
    ] {
        if v.is_none() {
            missing.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
        }
    }
    let (Some(algorithm), Some(credential), Some(signature), Some(signed_headers), Some(date)) =
        (algorithm, credential, signature, signed_headers, date)
    else {
        return Err(AuthError::incomplete(format!(
            "{missing}Re-examine the query-string parameters."
        )));
    };
    if algorithm != ALGORITHM {
        return Err(AuthError::incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Re-examine the query-string parameters."
        )));
    }
    let expires = match expires {
        None => None,
        Some(e) => match e.parse::<u64>() {
            Ok(n) if n <= MAX_PRESIGNED_EXPIRES_SECS => Some(n),
            Ok(_) => {
                return Err(AuthError::incomplete(
                    "X-Amz-Expires must be less than a week (in seconds) that is 604800",
                ));
            }
            Err(_) => {
                return Err(AuthError::incomplete(format!(
                    "X-Amz-Expires should be a number, not '{e}'"
                )));
            }
        },
    };
    Ok(Some(SignatureParams {
        form: Form::Query,
        credential: credential.into(),
        signed_headers: signed_headers.into(),
        signature: signature.into(),
        amz_date: date.into(),
        expires,
        security_token: token.map(Cow::Owned),
    }))
}
