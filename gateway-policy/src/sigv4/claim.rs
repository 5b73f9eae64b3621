//! What a signed request claims, read and checked before any secret is needed.
//!
//! [`Verifier::claim`](super::Verifier::claim) reads a [`Claim`]: who signed (the access key id),
//! for which scope, when, over which headers, with which signature. Every check that needs no
//! secret has passed by then. The host then finds the secret (or a derived [`SigningKey`]) however
//! it likes, awaiting a file or a remote service if it must, and finishes with
//! [`Verifier::verify_claim`](super::Verifier::verify_claim) or
//! [`Verifier::check_signature`](super::Verifier::check_signature).

use std::borrow::Cow;

use super::params::{Form, Scope, SignatureParams};
use super::request::RequestRef;

/// A signed request's claim: the parsed signature parameters and the request they cover, with
/// every check that needs no secret passed (parameters present and unrepeated, date format,
/// clock, `host` signed, algorithm, credential shape, credential scope, signed-header count).
///
/// Borrowed from the request, so it can be held across an `.await` while the key is looked up.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    pub(crate) request: RequestRef<'a>,
    pub(crate) sig: SignatureParams<'a>,
    pub(crate) scope: Scope,
    /// For a presigned request whose query has no session token, the `X-Amz-Security-Token`
    /// header (the header form and a query token are in `sig.security_token`).
    pub(crate) header_token: Option<Cow<'a, str>>,
}

impl<'a> Claim<'a> {
    /// The access key id the request claims to be signed with: the key to look up.
    pub fn access_key_id(&self) -> &str {
        self.sig.part(&self.scope.access_key)
    }

    /// The credential scope's date, `YYYYMMDD` (the signing key's date).
    pub fn date(&self) -> &str {
        self.sig.part(&self.scope.date)
    }

    /// The credential scope's region.
    pub fn region(&self) -> &str {
        self.sig.part(&self.scope.region)
    }

    /// The credential scope's service.
    pub fn service(&self) -> &str {
        self.sig.part(&self.scope.service)
    }

    /// The request's timestamp, `YYYYMMDD'T'HHMMSS'Z'` (`X-Amz-Date`, or `Date`).
    pub fn amz_date(&self) -> &str {
        &self.sig.amz_date
    }

    /// The `;`-separated names of the signed headers, as sent.
    pub fn signed_headers(&self) -> &str {
        &self.sig.signed_headers
    }

    /// The signature, as sent (64 lower-case hex digits when well formed).
    pub fn signature(&self) -> &str {
        &self.sig.signature
    }

    /// The session token (`X-Amz-Security-Token`) the request carries, if any.
    pub fn session_token(&self) -> Option<&str> {
        self.sig
            .security_token
            .as_deref()
            .or(self.header_token.as_deref())
    }

    /// Whether the signature came in the query string (a presigned URL) rather than the
    /// `Authorization` header.
    pub fn is_presigned(&self) -> bool {
        self.sig.form == Form::Query
    }

    /// The request the claim was read from.
    pub fn request(&self) -> RequestRef<'a> {
        self.request
    }

    /// `date/region/service/aws4_request`, as it goes in the string to sign.
    pub(crate) fn scope_text(&self) -> &str {
        self.sig.part(&self.scope.scope)
    }
}
