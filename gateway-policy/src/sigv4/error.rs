//! Why a request failed SigV4 authentication: what happened, in API Gateway's words.
//!
//! The verifier reports; the gateway answers. Each [`AuthError`] gives the gateway two things:
//!
//! - its `Display` text, the exact `$context.error.message` API Gateway uses for it (the texts
//!   are those of AWS's SigV4 front end, which API Gateway shares; the source of each is cited in
//!   `tests/sigv4_errors.rs`);
//! - its [`AuthErrorKind`] ([`AuthError::kind`]), which the gateway maps to its gateway response
//!   type and the `x-amzn-ErrorType` it sends (the table is on [`AuthErrorKind`]).
//!
//! No status code or body is decided here: every SigV4 failure is answered by the gateway's
//! response module (API Gateway answers them all with 403).

use thiserror::Error;

/// A request that did not authenticate. The `Display` text is the `$context.error.message`
/// API Gateway answers with; [`AuthError::kind`] says which kind of failure it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Neither an `Authorization` header nor presigned query parameters were sent.
    #[error("Missing Authentication Token")]
    MissingAuthenticationToken,

    /// The `Authorization` header or the presigned query parameters are incomplete or malformed
    /// (a missing `Credential`, `SignedHeaders`, `Signature` or date, an unknown algorithm, a bad
    /// date format, a malformed credential, a limit exceeded).
    #[error("{message}")]
    IncompleteSignature {
        /// The full message, as API Gateway words it.
        message: String,
    },

    /// The credential scope names another region, service, date or terminator than this gateway
    /// accepts (every wrong part is named, in AWS's order: region, service, terminator, date).
    #[error("{message}")]
    InvalidCredentialScope {
        /// The full message, as API Gateway words it.
        message: String,
    },

    /// The signature is structurally unacceptable before any signing: `Host` is not among the
    /// signed headers, or the request carries both an `Authorization` header and presigned query
    /// parameters.
    #[error("{message}")]
    InvalidSignature {
        /// The full message, as API Gateway words it.
        message: String,
    },

    /// The signature does not match the one computed from the request. Carries the canonical
    /// request and string to sign the gateway computed, which API Gateway shows the caller.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{canonical_request}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
    )]
    SignatureMismatch {
        /// The canonical request computed from what arrived.
        canonical_request: String,
        /// The string to sign computed from what arrived.
        string_to_sign: String,
    },

    /// The request's timestamp is older than the allowed clock skew (or, for a presigned URL,
    /// older than its `X-Amz-Expires`).
    #[error("Signature expired: {signed_at} is now earlier than {earliest} ({now} - {window}.)")]
    SignatureExpired {
        /// The request's timestamp, `YYYYMMDD'T'HHMMSS'Z'`.
        signed_at: String,
        /// The earliest timestamp accepted now.
        earliest: String,
        /// The gateway's clock.
        now: String,
        /// The window, as `5 min` or `90 sec`.
        window: String,
    },

    /// The request's timestamp is further in the future than the allowed clock skew.
    #[error(
        "Signature not yet current: {signed_at} is still later than {latest} ({now} + {window}.)"
    )]
    SignatureNotYetCurrent {
        /// The request's timestamp, `YYYYMMDD'T'HHMMSS'Z'`.
        signed_at: String,
        /// The latest timestamp accepted now.
        latest: String,
        /// The gateway's clock.
        now: String,
        /// The window, as `5 min` or `90 sec`.
        window: String,
    },

    /// The access key id is unknown, or the session token does not belong to it.
    #[error("The security token included in the request is invalid.")]
    InvalidSecurityToken,

    /// The session token is known but past its expiry.
    #[error("The security token included in the request is expired")]
    ExpiredSecurityToken,
}

impl AuthError {
    /// Which kind of failure this is, for the gateway to choose its response.
    ///
    /// ```
    /// use gateway_policy::sigv4::{AuthError, AuthErrorKind};
    /// assert_eq!(AuthError::InvalidSecurityToken.kind(), AuthErrorKind::UnrecognizedClient);
    /// ```
    pub fn kind(&self) -> AuthErrorKind {
        match self {
            AuthError::MissingAuthenticationToken => AuthErrorKind::MissingAuthenticationToken,
            AuthError::IncompleteSignature { .. } => AuthErrorKind::IncompleteSignature,
            AuthError::InvalidSecurityToken => AuthErrorKind::UnrecognizedClient,
            AuthError::ExpiredSecurityToken => AuthErrorKind::ExpiredToken,
            AuthError::InvalidCredentialScope { .. }
            | AuthError::InvalidSignature { .. }
            | AuthError::SignatureMismatch { .. }
            | AuthError::SignatureExpired { .. }
            | AuthError::SignatureNotYetCurrent { .. } => AuthErrorKind::InvalidSignature,
        }
    }

    pub(crate) fn incomplete(message: impl Into<String>) -> Self {
        AuthError::IncompleteSignature {
            message: message.into(),
        }
    }

    pub(crate) fn scope(message: impl Into<String>) -> Self {
        AuthError::InvalidCredentialScope {
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        AuthError::InvalidSignature {
            message: message.into(),
        }
    }
}

/// The kinds of SigV4 failure, named after the error codes AWS's SigV4 front end returns; the
/// gateway maps each to a gateway response type (`$context.error.responseType`).
///
/// What API Gateway answers for each (all 403; "Gateway response types" in the API Gateway
/// Developer Guide for the types, and the research notes `iam-apigateway.md` section 3.1 item 9
/// and `pipeline-access.md` section 5 for the `x-amzn-ErrorType` values, recorded on AWS):
///
/// | Kind | Gateway response type | `x-amzn-ErrorType` |
/// |---|---|---|
/// | [`MissingAuthenticationToken`](Self::MissingAuthenticationToken) | `MISSING_AUTHENTICATION_TOKEN` | `MissingAuthenticationTokenException` |
/// | [`IncompleteSignature`](Self::IncompleteSignature) | `INVALID_SIGNATURE` | `IncompleteSignatureException` |
/// | [`InvalidSignature`](Self::InvalidSignature) | `INVALID_SIGNATURE` | `InvalidSignatureException` |
/// | [`UnrecognizedClient`](Self::UnrecognizedClient) | `DEFAULT_4XX` (no dedicated type) | `UnrecognizedClientException` |
/// | [`ExpiredToken`](Self::ExpiredToken) | `EXPIRED_TOKEN` | `ExpiredTokenException` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The request carries no signature at all ([`AuthError::MissingAuthenticationToken`]).
    MissingAuthenticationToken,
    /// The signature's parameters are incomplete or malformed
    /// ([`AuthError::IncompleteSignature`]).
    IncompleteSignature,
    /// The signature is wrong: its scope, its structure, its value or its time
    /// ([`AuthError::InvalidCredentialScope`], [`AuthError::InvalidSignature`],
    /// [`AuthError::SignatureMismatch`], [`AuthError::SignatureExpired`],
    /// [`AuthError::SignatureNotYetCurrent`]).
    InvalidSignature,
    /// The access key id is unknown, or the session token is not its own
    /// ([`AuthError::InvalidSecurityToken`]).
    UnrecognizedClient,
    /// The session token has expired ([`AuthError::ExpiredSecurityToken`]).
    ExpiredToken,
}

impl AuthErrorKind {
    /// The kind's name as AWS's error codes spell it, without their `Exception` suffix:
    /// `"MissingAuthenticationToken"`, `"IncompleteSignature"`, `"InvalidSignature"`,
    /// `"UnrecognizedClient"` or `"ExpiredToken"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthErrorKind::MissingAuthenticationToken => "MissingAuthenticationToken",
            AuthErrorKind::IncompleteSignature => "IncompleteSignature",
            AuthErrorKind::InvalidSignature => "InvalidSignature",
            AuthErrorKind::UnrecognizedClient => "UnrecognizedClient",
            AuthErrorKind::ExpiredToken => "ExpiredToken",
        }
    }
}

impl std::fmt::Display for AuthErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A raw HTTP/1.1 request text that could not be read (see [`RawRequest::parse`]).
///
/// [`RawRequest::parse`]: crate::sigv4::RawRequest::parse
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RawRequestError {
    /// The first line is not `METHOD target HTTP/x.y`.
    #[error("line 1: expected `METHOD target HTTP/1.1`, found {0:?}")]
    RequestLine(String),
    /// A header line has no colon, an invalid name or an invalid value.
    #[error("line {line}: invalid header line {text:?}")]
    Header {
        /// 1-based line number.
        line: usize,
        /// The offending line (lossily decoded).
        text: String,
    },
    /// The request has more header lines than [`MAX_RAW_HEADER_LINES`].
    ///
    /// [`MAX_RAW_HEADER_LINES`]: crate::sigv4::MAX_RAW_HEADER_LINES
    #[error("more than {0} header lines")]
    TooManyHeaderLines(usize),
    /// The request text is not UTF-8 where it must be (request line).
    #[error("line 1: the request line is not UTF-8")]
    NotUtf8,
}

/// A signing request that cannot be signed (see [`Signer::sign`]).
///
/// [`Signer::sign`]: crate::sigv4::Signer::sign
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignError {
    /// A value to be put in a header is not a valid header value (for example a session token with
    /// a newline).
    #[error("{what} cannot be sent as an HTTP header value")]
    InvalidHeaderValue {
        /// Which value.
        what: &'static str,
    },
    /// The time is outside the years 0000 to 9999, which SigV4 dates cannot express.
    #[error("the signing time is outside the years 0000 to 9999")]
    TimeOutOfRange,
    /// A presigned expiry outside 1 to [`MAX_PRESIGNED_EXPIRES_SECS`] seconds.
    ///
    /// [`MAX_PRESIGNED_EXPIRES_SECS`]: crate::sigv4::MAX_PRESIGNED_EXPIRES_SECS
    #[error(
        "presigned expiry of {0} s is outside 1 to {max} s",
        max = crate::sigv4::MAX_PRESIGNED_EXPIRES_SECS
    )]
    InvalidExpiry(u64),
    /// The access key id, region or service cannot be a part of a credential scope
    /// (`AKID/date/region/service/aws4_request`): it is empty, or holds a `/` (which would shift
    /// the scope's parts), a `,` or whitespace (which would end the `Credential=` field of the
    /// `Authorization` header, or let text after it pose as another field), or a byte outside
    /// printable ASCII.
    #[error(
        "the {what} {value:?} cannot be part of a SigV4 credential: it must be non-empty printable ASCII without spaces, ',' or '/'"
    )]
    InvalidCredentialPart {
        /// Which part: `access key id`, `region` or `service`.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// The request has no `Host` header, which SigV4 must sign (a verifier refuses the request).
    #[error("the request has no Host header, which SigV4 must sign")]
    MissingHost,
    /// The request has more headers to sign than [`MAX_SIGNED_HEADERS`] (a verifier refuses
    /// such a `SignedHeaders` list).
    ///
    /// [`MAX_SIGNED_HEADERS`]: crate::sigv4::MAX_SIGNED_HEADERS
    #[error(
        "the request has {0} headers to sign, more than the {max} a verifier accepts",
        max = crate::sigv4::MAX_SIGNED_HEADERS
    )]
    TooManySignedHeaders(usize),
    /// The canonical request would be longer than [`MAX_CANONICAL_REQUEST_BYTES`] (a verifier
    /// refuses to build it).
    ///
    /// [`MAX_CANONICAL_REQUEST_BYTES`]: crate::sigv4::MAX_CANONICAL_REQUEST_BYTES
    #[error(
        "the canonical request would exceed {max} bytes, more than a verifier accepts",
        max = crate::sigv4::MAX_CANONICAL_REQUEST_BYTES
    )]
    CanonicalRequestTooLarge,
    /// The request already carries something the signature would clash with (a verifier would
    /// refuse the signed request): an `Authorization` header on a request being presigned, an
    /// `X-Amz-Algorithm` query parameter on one signed in the header, a presigned parameter
    /// already in the query, or a session token when the signer has none.
    #[error("the request already carries {what}, which conflicts with the signature")]
    Conflict {
        /// What the request carries.
        what: String,
    },
    /// The header map cannot hold the headers the signature adds: it is at the `http` crate's
    /// own capacity (a limit of `http::HeaderMap`, not one of this crate).
    #[error("the request has too many headers to add the signature to")]
    HeaderMapFull,
}
