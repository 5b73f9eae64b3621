//! Reading the signature's parameters from the `Authorization` header or a presigned query.

use std::borrow::Cow;
use std::ops::Range;

use http::HeaderMap;

use super::canonical::{ALGORITHM, QUERY_SECURITY_TOKEN, QUERY_SIGNATURE, query_pairs};
use super::error::AuthError;

/// The most names a `SignedHeaders` list may hold. Real clients sign a handful; the bound keeps
/// the canonical request linear in the request's size even for a list that repeats one name.
pub const MAX_SIGNED_HEADERS: usize = 256;

/// The longest presigned lifetime SigV4 allows: 7 days, in seconds.
pub const MAX_PRESIGNED_EXPIRES_SECS: u64 = 604_800;

/// The query parameters of a presigned request, each of which may appear at most once (names
/// compared after percent-decoding, case-sensitively, as the verifier reads them).
pub(crate) const PRESIGNED_PARAMS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    QUERY_SIGNATURE,
    "X-Amz-Expires",
    QUERY_SECURITY_TOKEN,
];

/// Where the signature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
    Header,
    /// `?X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Signature=...`
    Query,
}

/// `AKID/20150830/us-east-1/service/aws4_request`, split: where each part lies in the
/// credential (byte ranges, so a parsed claim can keep them next to the text they index).
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub access_key: Range<usize>,
    pub date: Range<usize>,
    pub region: Range<usize>,
    pub service: Range<usize>,
    pub terminator: Range<usize>,
    /// `date/region/service/terminator`, as it goes in the string to sign.
    pub scope: Range<usize>,
}

/// The signature's parameters, from either form.
#[derive(Debug, Clone)]
pub(crate) struct SignatureParams<'a> {
    pub form: Form,
    pub algorithm: Cow<'a, str>,
    /// The `Authorization` header as sent (empty for the query form), quoted in error messages.
    pub raw_authorization: Cow<'a, str>,
    pub credential: Cow<'a, str>,
    pub signed_headers: Cow<'a, str>,
    pub signature: Cow<'a, str>,
    pub amz_date: Cow<'a, str>,
    pub expires: Option<u64>,
    pub security_token: Option<Cow<'a, str>>,
}

impl SignatureParams<'_> {
    /// A copy that borrows nothing.
    fn into_owned(self) -> SignatureParams<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        SignatureParams {
            form: self.form,
            algorithm: own(self.algorithm),
            raw_authorization: own(self.raw_authorization),
            credential: own(self.credential),
            signed_headers: own(self.signed_headers),
            signature: own(self.signature),
            amz_date: own(self.amz_date),
            expires: self.expires,
            security_token: self.security_token.map(own),
        }
    }

    /// Splits the credential into its five parts (trailing slashes are ignored, as AWS does).
    pub(crate) fn scope(&self) -> Result<Scope, AuthError> {
        let full: &str = &self.credential;
        let cred = full.trim_end_matches('/');
        // The four slashes, found in one pass; a fifth means too many parts.
        let mut slashes = [0usize; 4];
        let mut found = 0;
        for (i, b) in cred.bytes().enumerate() {
            if b == b'/' {
                if found == slashes.len() {
                    return Err(malformed_credential(full));
                }
                slashes[found] = i;
                found += 1;
            }
        }
        if found != slashes.len() {
            return Err(malformed_credential(full));
        }
        let [a, b, c, d] = slashes;
        Ok(Scope {
            access_key: 0..a,
            date: a + 1..b,
            region: b + 1..c,
            service: c + 1..d,
            terminator: d + 1..cred.len(),
            scope: a + 1..cred.len(),
        })
    }

    /// One part of the credential, by the span [`SignatureParams::scope`] found.
    pub(crate) fn part(&self, span: &Range<usize>) -> &str {
        self.credential.get(span.clone()).unwrap_or_default()
    }

    /// Checks the algorithm: SigV4 signs with `AWS4-HMAC-SHA256` only.
    pub(crate) fn check_algorithm(&self) -> Result<(), AuthError> {
        if self.algorithm == ALGORITHM {
            return Ok(());
        }
        let tail = match self.form {
            Form::Header => format!("Authorization={}", self.raw_authorization),
            Form::Query => "Re-examine the query-string parameters.".to_owned(),
        };
        Err(AuthError::incomplete(format!(
            "Unsupported AWS 'algorithm': '{}'. {tail}",
            self.algorithm
        )))
    }

    /// See [`signed_header_facts`].
    pub(crate) fn signed_header_facts(&self) -> (bool, usize) {
        signed_header_facts(&self.signed_headers)
    }
}

/// Whether `host` is among the names of a `;`-separated `SignedHeaders` list (compared
/// case-insensitively; `:authority` counts too), and how many names the list holds, in one pass.
/// The verifier refuses a list without `host` or with more than [`MAX_SIGNED_HEADERS`] names;
/// the signer refuses to produce one.
pub(crate) fn signed_header_facts(list: &str) -> (bool, usize) {
    let (mut host, mut count) = (false, 0);
    for n in list.split(';') {
        count += 1;
        host = host || n.eq_ignore_ascii_case("host") || n == ":authority";
    }
    (host, count)
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
    let mut authorizations = headers.get_all(http::header::AUTHORIZATION).iter();
    if let Some(auth) = authorizations.next() {
        if query_has_algorithm(query) {
            return Err(AuthError::invalid(
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
            ));
        }
        // AWS's front end reads the first of several `Authorization` headers (scratchstack's
        // "AWS Auth Error Ordering", step 6a); a second one is ambiguous input a proxy on the
        // way may read differently, so it is refused here.
        if authorizations.next().is_some() {
            return Err(AuthError::invalid(MORE_THAN_ONE_AUTHORIZATION));
        }
        return from_header(auth.as_bytes(), headers).map(Some);
    }
    if query.is_empty() || !query.contains("X-Amz-") {
        return Ok(None);
    }
    from_query(query)
}

/// The message for a request with two `Authorization` headers. AWS has none of its own (it reads
/// the first); this one is worded like its "Found both ..." message.
pub(crate) const MORE_THAN_ONE_AUTHORIZATION: &str =
    "Found more than one 'Authorization' HTTP header.";

/// Whether the query has an `X-Amz-Algorithm` parameter (the mark of a presigned request).
pub(crate) fn query_has_algorithm(query: &str) -> bool {
    query.contains("X-Amz-Algorithm")
        && query_pairs(query).any(|(name, _)| &*name == b"X-Amz-Algorithm")
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<Cow<'a, str>> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()))
}

/// The pieces of an `Authorization` header value, borrowed from it.
struct HeaderParts<'s> {
    algorithm: &'s str,
    credential: Option<&'s str>,
    signed_headers: Option<&'s str>,
    signature: Option<&'s str>,
}

/// Splits `ALGORITHM k=v, k=v, ...`: after the algorithm, pieces are separated by commas or
/// whitespace and each must be `key=value` (AWS's front end answers a piece without `=` with
/// "not a valid key=value pair"). `Credential`, `SignedHeaders` and `Signature` may each appear
/// once: AWS keeps the last of repeated ones (scratchstack's "AWS Auth Error Ordering", step
/// 6c), which lets two readers of one header disagree, so a repeat is refused, after every piece
/// has passed the key=value check (the order of steps 6b and 6c).
fn split_authorization(value: &str) -> Result<HeaderParts<'_>, AuthError> {
    // Separators are ASCII, so slicing at them keeps `&str` boundaries; a byte loop is several
    // times faster than `str::split` with a closure on this hot path.
    let is_sep = |b: u8| b == b',' || b.is_ascii_whitespace();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    while i < bytes.len() && !(bytes[i] == b',' || bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    let mut parts = HeaderParts {
        algorithm: &value[start..i],
        credential: None,
        signed_headers: None,
        signature: None,
    };
    let mut repeated: Option<&str> = None;
    while i < bytes.len() {
        if is_sep(bytes[i]) {
            i += 1;
            continue;
        }
        let piece_start = i;
        let mut eq = None;
        while i < bytes.len() && !is_sep(bytes[i]) {
            if bytes[i] == b'=' && eq.is_none() {
                eq = Some(i);
            }
            i += 1;
        }
        let piece = &value[piece_start..i];
        let Some(eq) = eq else {
            return Err(AuthError::incomplete(format!(
                "'{piece}' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
            )));
        };
        let key = &value[piece_start..eq];
        let slot = match key {
            "Credential" => &mut parts.credential,
            "SignedHeaders" => &mut parts.signed_headers,
            "Signature" => &mut parts.signature,
            _ => continue,
        };
        if slot.is_some() {
            repeated.get_or_insert(key);
        } else {
            *slot = Some(&value[eq + 1..i]);
        }
    }
    if let Some(key) = repeated {
        return Err(AuthError::incomplete(format!(
            "'{key}' appears more than once in Authorization header: '{value}'."
        )));
    }
    Ok(parts)
}

fn from_header<'a>(
    value: &'a [u8],
    headers: &'a HeaderMap,
) -> Result<SignatureParams<'a>, AuthError> {
    match std::str::from_utf8(value) {
        Ok(v) => from_header_str(v, headers),
        // Bytes above 0x7f (obs-text) are legal in a header but not UTF-8: read a lossy copy.
        Err(_) => {
            let lossy = String::from_utf8_lossy(value).into_owned();
            from_header_str(&lossy, headers).map(SignatureParams::into_owned)
        }
    }
}

fn from_header_str<'a>(
    value: &'a str,
    headers: &'a HeaderMap,
) -> Result<SignatureParams<'a>, AuthError> {
    let parts = split_authorization(value)?;
    let amz_date = header_str(headers, "x-amz-date").or_else(|| header_str(headers, "date"));

    let mut missing = String::new();
    // An empty Credential or Signature counts as missing; an empty SignedHeaders list does not.
    if parts.credential.is_none_or(str::is_empty) {
        missing.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if parts.signature.is_none_or(str::is_empty) {
        missing.push_str("Authorization header requires 'Signature' parameter. ");
    }
    if parts.signed_headers.is_none() {
        missing.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if amz_date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(amz_date)) = (
        parts.credential,
        parts.signed_headers,
        parts.signature,
        amz_date,
    ) else {
        return Err(AuthError::incomplete(format!(
            "{missing}Authorization={value}"
        )));
    };
    if !missing.is_empty() {
        return Err(AuthError::incomplete(format!(
            "{missing}Authorization={value}"
        )));
    }
    Ok(SignatureParams {
        form: Form::Header,
        algorithm: parts.algorithm.into(),
        raw_authorization: value.into(),
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
    let mut repeated: Option<&'static str> = None;
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
        } else if repeated.is_none() {
            repeated = PRESIGNED_PARAMS
                .iter()
                .find(|p| p.as_bytes() == &*name)
                .copied();
        }
    }
    if algorithm.is_none() && credential.is_none() && signature.is_none() {
        // X-Amz-* parameters that are not a presigned signature: an unsigned request.
        return Ok(None);
    }
    // AWS keeps the first of repeated presigned parameters (scratchstack's "AWS Auth Error
    // Ordering", step 7c, before 7d's check that all are present); a repeat is ambiguous, so it
    // is refused, in the wording of AWS's query-string messages.
    if let Some(name) = repeated {
        return Err(AuthError::incomplete(format!(
            "AWS query-string parameters must not repeat '{name}'. Re-examine the query-string parameters."
        )));
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
        algorithm: algorithm.into(),
        raw_authorization: Cow::Borrowed(""),
        credential: credential.into(),
        signed_headers: signed_headers.into(),
        signature: signature.into(),
        amz_date: date.into(),
        expires,
        security_token: token.map(Cow::Owned),
    }))
}
