//! AWS Signature Version 4: request verification and signing.
//!
//! The signer and the verifier build the canonical request with the same code (the private
//! `canonical` module), so a request this crate signs is exactly what it verifies. Start
//! reading at [`Verifier::verify`].

mod canonical;
mod chunked;
mod hash_writer;
mod sha256;
mod signature_fields;
mod signer;
mod signing_key;
mod verifier;

use std::fmt;

pub(crate) use canonical::push_uri_encoded;
pub use canonical::{EMPTY_PAYLOAD_SHA256, STREAMING_PAYLOAD, UNSIGNED_PAYLOAD};
pub use chunked::ChunkSignatures;
pub(crate) use hash_writer::{HashUpdate, HashWriter};
pub use signature_fields::ParsedSignature;
pub use signer::{Credentials, FORM_CONTENT_TYPE, PresignedRequest, SignedRequest, Signer};
pub use signing_key::SigningKeyCache;
pub use verifier::{
    AuthenticationMethod, RequestSignature, ResolvedCredential, SecretResolver, VerifiedRequest,
    VerifiedRequestRef, Verifier,
};

/// The signing algorithm name, as it appears in `Authorization` and `X-Amz-Algorithm`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The maximum presigned-URL lifetime AWS accepts in `X-Amz-Expires`: 7 days, in seconds.
pub const MAX_PRESIGNED_EXPIRES_SECONDS: u32 = 604_800;

/// How far a header-signed request's time may differ from the server clock, in seconds.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 15 * 60;

/// An HTTP request as it arrived on the wire, borrowed from the server's request type.
///
/// `path` and `query` are the raw, still percent-encoded parts of the request target, split at
/// the first `?`. Header names may have any case; a header that appears several times is listed
/// several times, in the order received.
#[derive(Clone, Copy)]
pub struct HttpRequest<'a> {
    /// The method, such as `POST`.
    pub method: &'a str,
    /// The path, such as `/` or `/bucket/key%20name`.
    pub path: &'a str,
    /// The query string without the leading `?`, empty when there is none.
    pub query: &'a str,
    /// The header fields, as name and value pairs.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

impl<'a> HttpRequest<'a> {
    /// Returns the values of every header named `name`, compared without regard to case.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers
            .iter()
            .filter(move |(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
    }

    /// Returns the first value of the header named `name`.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.header_values(name).next()
    }
}

impl fmt::Debug for HttpRequest<'_> {
    /// Prints the method, path, header names and body length, but no header values and no
    /// query, because they can carry signatures and security tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The credential scope of a signature: `date/region/service/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialScope {
    /// The date, `YYYYMMDD`.
    pub date: String,
    /// The region the client signed for, such as `us-east-1`.
    pub region: String,
    /// The service the client signed for, such as `iam` or `sts`.
    pub service: String,
}

impl CredentialScope {
    /// Returns the scope's parts as borrowed text.
    pub(crate) fn borrowed(&self) -> BorrowedScope<'_> {
        BorrowedScope {
            date: &self.date,
            region: &self.region,
            service: &self.service,
        }
    }
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// A credential scope that borrows its parts, as the verifier reads them from a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BorrowedScope<'a> {
    /// The date, `YYYYMMDD`.
    pub(crate) date: &'a str,
    /// The region.
    pub(crate) region: &'a str,
    /// The service.
    pub(crate) service: &'a str,
}

/// The payload hash a presigned request signs when it sends no `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresignedPayload {
    /// The SHA-256 of the body, as most services expect.
    BodyHash,
    /// The literal `UNSIGNED-PAYLOAD`, as Amazon S3 expects.
    Unsigned,
}

/// The canonicalization rules that differ between services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceRules {
    /// Whether `.` and `..` segments and repeated slashes are removed from the path.
    pub normalize_path: bool,
    /// Whether the path is percent-encoded a second time as received (true), or decoded and
    /// encoded once (false, Amazon S3).
    pub double_encode_path: bool,
    /// The payload hash of presigned requests.
    pub presigned_payload: PresignedPayload,
    /// Whether `UNSIGNED-PAYLOAD` and `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` are accepted as the
    /// payload hash, leaving the body unauthenticated by the signature.
    pub allow_unsigned_payload: bool,
    /// Whether a presigned request may carry `X-Amz-Security-Token` outside its signature, as
    /// clients that append the token after presigning send it (AWS IoT accepts this).
    pub allow_unsigned_presigned_token: bool,
}

impl ServiceRules {
    /// The rules of every service except Amazon S3, IAM and STS among them.
    pub const STANDARD: ServiceRules = ServiceRules {
        normalize_path: true,
        double_encode_path: true,
        presigned_payload: PresignedPayload::BodyHash,
        allow_unsigned_payload: false,
        allow_unsigned_presigned_token: false,
    };

    /// The rules of Amazon S3: the path is kept as sent and encoded once, presigned URLs leave
    /// the payload unsigned.
    pub const S3: ServiceRules = ServiceRules {
        normalize_path: false,
        double_encode_path: false,
        presigned_payload: PresignedPayload::Unsigned,
        allow_unsigned_payload: true,
        allow_unsigned_presigned_token: false,
    };

    /// Returns the rules a client signs with for `service`: [`ServiceRules::S3`] for `s3`,
    /// [`ServiceRules::STANDARD`] for any other. The [`Signer`] uses it. A [`Verifier`] does not,
    /// because it takes the rules of the services it serves from its caller.
    pub fn for_service(service: &str) -> ServiceRules {
        if service == "s3" {
            ServiceRules::S3
        } else {
            ServiceRules::STANDARD
        }
    }
}

#[cfg(test)]
mod tests;
