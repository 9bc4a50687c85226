//! Verification of SigV4-signed requests, in the `Authorization` header or presigned.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use iam_model::Clock;
use jiff::Timestamp;

use super::canonical::{
    self, CanonicalParts, PayloadHash, SECURITY_TOKEN_PARAMETER, SIGNATURE_PARAMETER,
    STREAMING_PAYLOAD, UNSIGNED_PAYLOAD,
};
use super::sha256::Sha256;
use super::signing_key::SigningKeyCache;
use super::{
    ALGORITHM, BorrowedScope, CredentialScope, HashWriter, HttpRequest, MAX_CLOCK_SKEW_SECONDS,
    MAX_PRESIGNED_EXPIRES_SECONDS, PresignedPayload, ServiceRules,
};
use crate::AuthError;
use crate::access_key::{SecretAccessKey, SecurityToken};
use crate::encoding::{
    constant_time_eq, decode_lower_hex, encode_hex, eq_ascii_lowercase, split_ascii,
    split_once_ascii, trim_whitespace,
};

/// The maximum length of an access key id AWS accepts, in characters.
const MAX_ACCESS_KEY_ID_LEN: usize = 128;

/// The maximum number of headers a request may sign.
const MAX_SIGNED_HEADERS: usize = 64;

/// The maximum length of a region or service name in a credential scope.
const MAX_SCOPE_PART_LEN: usize = 64;

/// Looks up the secret and principal behind an access key id.
///
/// The server implements this over its credential store. A closure with the same signature
/// works too.
pub trait SecretResolver: Send + Sync {
    /// The owner of the key, in the form the caller of the verifier uses.
    type Principal;

    /// Returns the credential for `access_key_id`. `security_token` is the request's
    /// `X-Amz-Security-Token`, present for temporary credentials.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidClientTokenId`] for an unknown, inactive or deleted key or a
    /// security token that does not belong to it, [`AuthError::ExpiredToken`] for an expired
    /// token, and [`AuthError::CredentialLookup`] when the store fails.
    fn resolve(
        &self,
        access_key_id: &str,
        security_token: Option<&str>,
    ) -> Result<ResolvedCredential<Self::Principal>, AuthError>;
}

impl<F, P> SecretResolver for F
where
    F: Fn(&str, Option<&str>) -> Result<ResolvedCredential<P>, AuthError> + Send + Sync,
{
    type Principal = P;

    fn resolve(
        &self,
        access_key_id: &str,
        security_token: Option<&str>,
    ) -> Result<ResolvedCredential<P>, AuthError> {
        self(access_key_id, security_token)
    }
}

/// A credential found by a [`SecretResolver`].
#[derive(Debug, Clone)]
pub struct ResolvedCredential<P> {
    /// The secret access key.
    pub secret: SecretAccessKey,
    /// The owner of the key.
    pub principal: P,
    /// When temporary credentials expire; `None` for long-term keys.
    pub expiration: Option<Timestamp>,
}

/// The place of a verified request's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthenticationMethod {
    /// In the `Authorization` header.
    Header,
    /// In `X-Amz-*` query parameters (a presigned URL).
    Presigned,
}

/// A request whose signature verified.
#[derive(Debug, Clone)]
pub struct VerifiedRequest<P> {
    /// The owner of the signing key, as the resolver returned it.
    pub principal: P,
    /// The access key id that signed the request.
    pub access_key_id: String,
    /// The credential scope. Its service separates IAM requests from STS requests.
    pub scope: CredentialScope,
    /// The session token of temporary credentials, for the STS crate to check.
    pub security_token: Option<SecurityToken>,
    /// The signing time from `X-Amz-Date` (or `Date`).
    pub signed_at: Timestamp,
    /// The place of the signature.
    pub method: AuthenticationMethod,
    /// The signature, in lower-case hex. It seeds the chunk signatures of a streaming upload.
    pub signature: RequestSignature,
    /// Whether the signature covers the body; false for `UNSIGNED-PAYLOAD` and streaming
    /// uploads.
    pub payload_signed: bool,
}

/// A request whose signature verified, with its text borrowed from the request.
///
/// [`Verifier::verify_borrowed`] returns it, so a caller that reads the access key id, the
/// scope or the session token only while it handles the request copies none of them. The
/// text is copied only where the request had it percent-encoded, in a presigned URL.
/// [`VerifiedRequestRef::into_owned`] turns it into a [`VerifiedRequest`].
#[derive(Clone)]
pub struct VerifiedRequestRef<'a, P> {
    /// The owner of the signing key, as the resolver returned it.
    pub principal: P,
    /// The `Credential` value, `access-key-id/date/region/service/aws4_request`, checked.
    credential: Cow<'a, str>,
    /// The byte offsets of the four `/` in `credential`.
    separators: [usize; 4],
    security_token: Option<Cow<'a, str>>,
    /// The signing time from `X-Amz-Date` (or `Date`).
    pub signed_at: Timestamp,
    /// The place of the signature.
    pub method: AuthenticationMethod,
    /// The signature, in lower-case hex. It seeds the chunk signatures of a streaming upload.
    pub signature: RequestSignature,
    /// Whether the signature covers the body; false for `UNSIGNED-PAYLOAD` and streaming
    /// uploads.
    pub payload_signed: bool,
}

impl<'a, P> VerifiedRequestRef<'a, P> {
    /// Returns the access key id that signed the request.
    pub fn access_key_id(&self) -> &str {
        let [key_id_end, ..] = self.separators;
        self.credential.get(..key_id_end).unwrap_or_default()
    }

    /// Returns the date of the credential scope, `YYYYMMDD`.
    pub fn scope_date(&self) -> &str {
        let [key_id_end, date_end, ..] = self.separators;
        self.credential
            .get(key_id_end + 1..date_end)
            .unwrap_or_default()
    }

    /// Returns the region of the credential scope.
    pub fn region(&self) -> &str {
        let [_, date_end, region_end, _] = self.separators;
        self.credential
            .get(date_end + 1..region_end)
            .unwrap_or_default()
    }

    /// Returns the service of the credential scope, which separates IAM requests from STS
    /// requests.
    pub fn service(&self) -> &str {
        let [.., region_end, service_end] = self.separators;
        self.credential
            .get(region_end + 1..service_end)
            .unwrap_or_default()
    }

    /// Returns the session token of temporary credentials, for the STS crate to check.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// Copies the borrowed text into a [`VerifiedRequest`].
    pub fn into_owned(self) -> VerifiedRequest<P> {
        VerifiedRequest {
            access_key_id: self.access_key_id().to_owned(),
            scope: CredentialScope {
                date: self.scope_date().to_owned(),
                region: self.region().to_owned(),
                service: self.service().to_owned(),
            },
            security_token: self
                .security_token
                .map(|token| SecurityToken::new(token.into_owned())),
            principal: self.principal,
            signed_at: self.signed_at,
            method: self.method,
            signature: self.signature,
            payload_signed: self.payload_signed,
        }
    }
}

impl<P: std::fmt::Debug> std::fmt::Debug for VerifiedRequestRef<'_, P> {
    /// Prints every field but the session token, which is a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedRequestRef")
            .field("principal", &self.principal)
            .field("access_key_id", &self.access_key_id())
            .field("scope_date", &self.scope_date())
            .field("region", &self.region())
            .field("service", &self.service())
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .field("signed_at", &self.signed_at)
            .field("method", &self.method)
            .field("signature", &self.signature)
            .field("payload_signed", &self.payload_signed)
            .finish()
    }
}

/// The signature of a verified request, in lower-case hex. Its `Debug` output is `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestSignature([u8; 64]);

impl RequestSignature {
    /// Returns the signature text, for example to seed [`super::ChunkSignatures`].
    pub fn expose(&self) -> &str {
        // INVARIANT (ascii hex): `verify` stores only a signature that decoded as lower-case
        // hex.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Debug for RequestSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestSignature(***)")
    }
}

/// Verifies SigV4 signatures against credentials from a [`SecretResolver`].
///
/// The verifier serves a fixed set of services, each with its [`ServiceRules`]. A credential
/// scope naming any other service is rejected, so the client cannot pick rules that leave the
/// body unsigned. Any region in the credential scope is accepted unless an allow-list is set. Header-signed
/// requests must be within [`MAX_CLOCK_SKEW_SECONDS`] of the clock. Presigned requests expire
/// exactly `X-Amz-Expires` seconds after their `X-Amz-Date`, and are accepted from up to
/// [`MAX_CLOCK_SKEW_SECONDS`] before it, for a client clock that runs ahead.
pub struct Verifier<R> {
    resolver: R,
    clock: Arc<dyn Clock>,
    cache: SigningKeyCache,
    allowed_regions: Option<HashSet<String>>,
    /// The services served, in the order given; the first one is named in scope errors.
    services: Vec<(String, ServiceRules)>,
}

/// The signature fields of a request, from the header or the query.
struct SignatureFields<'a> {
    method: AuthenticationMethod,
    /// The `Credential` value, split and checked by [`parse_credential`] during verification.
    credential: Cow<'a, str>,
    /// The `SignedHeaders` value, checked by [`check_signed_headers`] during verification.
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    amz_date: Cow<'a, str>,
    signed_at: Timestamp,
    expires_seconds: Option<u32>,
    security_token: Option<Cow<'a, str>>,
}

impl<R: SecretResolver> Verifier<R> {
    /// Creates a verifier for the `services` it serves (`iam` and `sts` for this server), each
    /// under [`ServiceRules::STANDARD`]. It reads time from `clock` and caches up to
    /// [`SigningKeyCache::DEFAULT_CAPACITY`] signing keys.
    pub fn new<I, S>(resolver: R, clock: Arc<dyn Clock>, services: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut verifier = Self {
            resolver,
            clock,
            cache: SigningKeyCache::default(),
            allowed_regions: None,
            services: Vec::new(),
        };
        for service in services {
            verifier = verifier.with_service_rules(service, ServiceRules::STANDARD);
        }
        verifier
    }

    /// Limits the regions accepted in the credential scope.
    pub fn with_allowed_regions<I, S>(mut self, regions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_regions = Some(regions.into_iter().map(Into::into).collect());
        self
    }

    /// Sets how many signing keys the cache holds; 0 disables the cache.
    pub fn with_cache_capacity(mut self, capacity: usize) -> Self {
        self.cache = SigningKeyCache::new(capacity);
        self
    }

    /// Serves `service` under `rules`, replacing its rules if it is already served.
    ///
    /// This is how a caller opts in to unsigned payloads, for example with
    /// [`ServiceRules::S3`].
    pub fn with_service_rules(mut self, service: impl Into<String>, rules: ServiceRules) -> Self {
        let service = service.into();
        match self.services.iter_mut().find(|(name, _)| *name == service) {
            Some((_, served_rules)) => *served_rules = rules,
            None => self.services.push((service, rules)),
        }
        self
    }

    /// Returns the signing-key cache.
    pub fn cache(&self) -> &SigningKeyCache {
        &self.cache
    }

    /// Verifies the signature of `request` and returns who signed it.
    ///
    /// # Errors
    ///
    /// - [`AuthError::MissingAuthentication`] when the request carries no signature.
    /// - [`AuthError::IncompleteSignature`] when the signature fields are malformed or missing.
    /// - [`AuthError::SignatureDoesNotMatch`] when the signature is wrong or the credential
    ///   scope does not match the date, the allowed regions or the `aws4_request` terminator.
    /// - [`AuthError::ScopeServiceNotServed`] when the credential scope names a service this
    ///   verifier does not serve.
    /// - [`AuthError::RequestExpired`] outside the time window.
    /// - [`AuthError::InvalidClientTokenId`] for an unknown key, or a temporary (`ASIA`) key
    ///   without `X-Amz-Security-Token`.
    /// - [`AuthError::ExpiredToken`] when temporary credentials expired.
    pub fn verify(
        &self,
        request: &HttpRequest<'_>,
    ) -> Result<VerifiedRequest<R::Principal>, AuthError> {
        self.verify_borrowed(request)
            .map(VerifiedRequestRef::into_owned)
    }

    /// Verifies the signature of `request` like [`Verifier::verify`], and returns who signed it
    /// with the access key id, scope and session token borrowed from the request instead of
    /// copied.
    ///
    /// # Errors
    ///
    /// As for [`Verifier::verify`].
    pub fn verify_borrowed<'a>(
        &self,
        request: &HttpRequest<'a>,
    ) -> Result<VerifiedRequestRef<'a, R::Principal>, AuthError> {
        let headers = AuthHeaders::find(request);
        let fields = signature_fields(request, &headers)?;
        let credential = parse_credential(&fields.credential)?;
        let (access_key_id, scope) = (credential.access_key_id, credential.scope);
        let now = self.clock.now();
        let rules = self.check_scope(&fields, scope)?;
        check_time(&fields, now)?;
        check_signed_headers(&fields.signed_headers)?;
        let mut signature = [0u8; 32];
        let signature_hex = <[u8; 64]>::try_from(fields.signature.as_bytes()).ok();
        let (Some(signature_hex), Some(())) = (
            signature_hex,
            decode_lower_hex(&fields.signature, &mut signature),
        ) else {
            return Err(AuthError::IncompleteSignature(
                "the signature is not 64 lower-case hex digits".to_owned(),
            ));
        };

        if access_key_id.starts_with("ASIA") && fields.security_token.is_none() {
            return Err(AuthError::InvalidClientTokenId {
                access_key_id: access_key_id.to_owned(),
                reason: "temporary credentials need `X-Amz-Security-Token`",
            });
        }
        let resolved = self
            .resolver
            .resolve(access_key_id, fields.security_token.as_deref())?;
        if let Some(expiration) = resolved.expiration
            && now >= expiration
        {
            return Err(AuthError::ExpiredToken { expiration });
        }

        let payload_hash = payload_hash(request, &headers, &fields, scope.service, rules)?;
        let key = self
            .cache
            .signing_key(credential.cache_key, &resolved.secret, scope);
        // The canonical request and the string to sign are hashed as they are written, never
        // kept whole.
        let matches = |skipped_parameters: &[&str]| -> Result<bool, AuthError> {
            let mut canonical_request = HashWriter::new(Sha256::new());
            canonical::write_canonical_request(
                &mut canonical_request,
                request,
                &CanonicalParts {
                    signed_headers: &fields.signed_headers,
                    payload_hash,
                    rules,
                    skipped_parameters,
                },
            )?;
            let canonical_request_sha256 = canonical_request.into_hash().finish();
            let mut string_to_sign = HashWriter::new(key.context());
            canonical::write_string_to_sign(
                &mut string_to_sign,
                &fields.amz_date,
                scope,
                canonical_request_sha256.as_ref(),
            );
            let expected = string_to_sign.into_hash().sign();
            Ok(constant_time_eq(&expected, &signature))
        };
        let signature_matches = match fields.method {
            AuthenticationMethod::Header => matches(&[])?,
            // Where the service allows it, a presigned request whose client appended the session
            // token after signing also verifies with the token left unsigned. The STS crate
            // still checks that the token belongs to the access key.
            AuthenticationMethod::Presigned => {
                matches(&[SIGNATURE_PARAMETER])?
                    || (rules.allow_unsigned_presigned_token
                        && fields.security_token.is_some()
                        && matches(&[SIGNATURE_PARAMETER, SECURITY_TOKEN_PARAMETER])?)
            }
        };
        if !signature_matches {
            return Err(AuthError::SignatureDoesNotMatch(
                "the calculated signature differs from the one provided".to_owned(),
            ));
        }

        let payload_signed = !matches!(payload_hash, PayloadHash::Unsigned(_));
        let separators = credential.separators;
        Ok(VerifiedRequestRef {
            principal: resolved.principal,
            credential: fields.credential,
            separators,
            security_token: fields.security_token,
            signed_at: fields.signed_at,
            method: fields.method,
            signature: RequestSignature(signature_hex),
            payload_signed,
        })
    }

    /// Checks the credential scope and returns the rules of its service.
    fn check_scope(
        &self,
        fields: &SignatureFields<'_>,
        scope: BorrowedScope<'_>,
    ) -> Result<ServiceRules, AuthError> {
        let Some((_, rules)) = self
            .services
            .iter()
            .find(|(name, _)| *name == scope.service)
        else {
            return Err(AuthError::ScopeServiceNotServed {
                service: scope.service.to_owned(),
                expected: self
                    .services
                    .first()
                    .map(|(name, _)| name.clone())
                    .unwrap_or_default(),
            });
        };

        let date_of_request = fields.amz_date.get(..8).unwrap_or_default();
        if scope.date != date_of_request {
            return Err(AuthError::SignatureDoesNotMatch(format!(
                "credential scope date `{}` does not match the request date `{}`",
                scope.date, fields.amz_date
            )));
        }
        if let Some(allowed) = &self.allowed_regions
            && !allowed.contains(scope.region)
        {
            return Err(AuthError::SignatureDoesNotMatch(format!(
                "credential scope region `{}` is not an allowed region",
                scope.region
            )));
        }
        Ok(*rules)
    }
}

impl<R> std::fmt::Debug for Verifier<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("cache", &self.cache)
            .field("allowed_regions", &self.allowed_regions)
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

/// The headers the verifier reads besides the signed ones, each the first of its name.
#[derive(Default)]
struct AuthHeaders<'a> {
    authorization: Option<&'a str>,
    amz_date: Option<&'a str>,
    date: Option<&'a str>,
    security_token: Option<&'a str>,
    content_sha256: Option<&'a str>,
}

impl<'a> AuthHeaders<'a> {
    /// Finds the headers in one pass over the request, comparing names without regard to case.
    fn find(request: &HttpRequest<'a>) -> Self {
        let mut found = Self::default();
        for &(name, value) in request.headers {
            // The length picks the one candidate, so each header costs at most one comparison,
            // or two for the pair of 20-byte names.
            let slot = match name.len() {
                13 if eq_ascii_lowercase(name, "authorization") => &mut found.authorization,
                10 if eq_ascii_lowercase(name, "x-amz-date") => &mut found.amz_date,
                4 if eq_ascii_lowercase(name, "date") => &mut found.date,
                20 if eq_ascii_lowercase(name, "x-amz-security-token") => &mut found.security_token,
                20 if eq_ascii_lowercase(name, "x-amz-content-sha256") => &mut found.content_sha256,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        found
    }
}

/// Finds and parses the signature fields in the `Authorization` header or the query.
fn signature_fields<'a>(
    request: &HttpRequest<'a>,
    headers: &AuthHeaders<'a>,
) -> Result<SignatureFields<'a>, AuthError> {
    let parameters = QueryAuthParameters::parse(request.query)?;
    match (headers.authorization, parameters.algorithm.is_some()) {
        (Some(_), true) => Err(AuthError::IncompleteSignature(
            "the request is signed both in the `Authorization` header and in the query".to_owned(),
        )),
        (Some(authorization), false) => header_fields(headers, authorization),
        (None, true) => query_fields(parameters),
        (None, false) => Err(AuthError::MissingAuthentication),
    }
}

fn header_fields<'a>(
    headers: &AuthHeaders<'a>,
    authorization: &'a str,
) -> Result<SignatureFields<'a>, AuthError> {
    let authorization = trim_whitespace(authorization);
    // INVARIANT (ascii separator): a space or tab is one byte, so both sides are whole text.
    let (algorithm, components) = memchr::memchr2(b' ', b'\t', authorization.as_bytes())
        .and_then(|index| Some((authorization.get(..index)?, authorization.get(index + 1..)?)))
        .unwrap_or((authorization, ""));
    if algorithm != ALGORITHM {
        return Err(AuthError::IncompleteSignature(format!(
            "unsupported authorization algorithm `{}`, expected `{ALGORITHM}`",
            truncate(algorithm)
        )));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for component in split_ascii(components, b',').map(trim_whitespace) {
        let (name, value) = split_once_ascii(component, b'=').ok_or_else(|| {
            AuthError::IncompleteSignature(format!(
                "authorization component `{}` is not of the form name=value",
                truncate(component)
            ))
        })?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(AuthError::IncompleteSignature(format!(
                "authorization component `{name}` appears twice"
            )));
        }
    }
    let missing = |name: &str| {
        AuthError::IncompleteSignature(format!("authorization header is missing `{name}`"))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;

    let (amz_date, signed_at) = match headers.amz_date {
        Some(amz_date) => {
            let amz_date = trim_whitespace(amz_date);
            (Cow::Borrowed(amz_date), parse_amz_date(amz_date)?)
        }
        None => {
            let date = headers.date.ok_or_else(|| {
                AuthError::IncompleteSignature(
                    "the request has neither `X-Amz-Date` nor `Date`".to_owned(),
                )
            })?;
            let signed_at = parse_http_date(date)?;
            (Cow::Owned(format_amz_date(signed_at)), signed_at)
        }
    };
    Ok(SignatureFields {
        method: AuthenticationMethod::Header,
        credential: Cow::Borrowed(credential),
        signed_headers: Cow::Borrowed(signed_headers),
        signature: Cow::Borrowed(signature),
        amz_date,
        signed_at,
        expires_seconds: None,
        security_token: headers.security_token.map(Cow::Borrowed),
    })
}

fn query_fields<'a>(parameters: QueryAuthParameters<'a>) -> Result<SignatureFields<'a>, AuthError> {
    let required = |name: &str, value: Option<&'a str>| -> Result<Cow<'a, str>, AuthError> {
        value
            .ok_or_else(|| {
                AuthError::IncompleteSignature(format!("presigned request is missing `{name}`"))
            })
            .and_then(|value| decode_text(name, value))
    };
    let algorithm = required("X-Amz-Algorithm", parameters.algorithm)?;
    if algorithm != ALGORITHM {
        return Err(AuthError::IncompleteSignature(format!(
            "unsupported `X-Amz-Algorithm` `{}`, expected `{ALGORITHM}`",
            truncate(&algorithm)
        )));
    }
    let credential = required("X-Amz-Credential", parameters.credential)?;
    let amz_date = required("X-Amz-Date", parameters.date)?;
    let expires = required("X-Amz-Expires", parameters.expires)?;
    let signed_headers = required("X-Amz-SignedHeaders", parameters.signed_headers)?;
    let signature = required(SIGNATURE_PARAMETER, parameters.signature)?;
    let security_token = parameters
        .security_token
        .map(|token| decode_text(SECURITY_TOKEN_PARAMETER, token))
        .transpose()?;

    let expires_seconds = expires
        .parse::<u32>()
        .ok()
        .filter(|seconds| (1..=MAX_PRESIGNED_EXPIRES_SECONDS).contains(seconds))
        .ok_or_else(|| {
            AuthError::IncompleteSignature(format!(
                "`X-Amz-Expires` is `{}`, expected whole seconds from 1 to \
                 {MAX_PRESIGNED_EXPIRES_SECONDS}",
                truncate(&expires)
            ))
        })?;
    let signed_at = parse_amz_date(&amz_date)?;
    Ok(SignatureFields {
        method: AuthenticationMethod::Presigned,
        credential,
        signed_headers,
        signature,
        amz_date,
        signed_at,
        expires_seconds: Some(expires_seconds),
        security_token,
    })
}

/// The parts of a `Credential` value, borrowed from it.
struct CredentialParts<'a> {
    access_key_id: &'a str,
    scope: BorrowedScope<'a>,
    /// The credential without its `/aws4_request` terminator, which keys the signing-key cache.
    /// No part contains `/` (checked here), so distinct key ids and scopes give distinct keys.
    cache_key: &'a str,
    /// The byte offsets of the four `/` that separate the parts.
    separators: [usize; 4],
}

/// Splits `AKID/date/region/service/aws4_request` into the key id and the scope.
fn parse_credential(credential: &str) -> Result<CredentialParts<'_>, AuthError> {
    let malformed = || {
        AuthError::IncompleteSignature(format!(
            "credential `{}` is not of the form `access-key-id/YYYYMMDD/region/service/aws4_request`",
            truncate(credential)
        ))
    };
    // The byte offsets of the four `/` that separate the five parts, found in one pass.
    let mut separators = [0usize; 4];
    let mut separator_count = 0;
    for (index, byte) in credential.bytes().enumerate() {
        if byte == b'/' {
            *separators.get_mut(separator_count).ok_or_else(malformed)? = index;
            separator_count += 1;
        }
    }
    let [key_id_end, date_end, region_end, service_end] = separators;
    // INVARIANT (ascii separator): `/` is one byte, so every offset is a character boundary.
    let (Some(access_key_id), Some(date), Some(region), Some(service), Some(terminator), 4) = (
        credential.get(..key_id_end),
        credential.get(key_id_end + 1..date_end),
        credential.get(date_end + 1..region_end),
        credential.get(region_end + 1..service_end),
        credential.get(service_end + 1..),
        separator_count,
    ) else {
        return Err(malformed());
    };

    let access_key_id_is_valid = !access_key_id.is_empty()
        && access_key_id.len() <= MAX_ACCESS_KEY_ID_LEN
        && access_key_id.bytes().fold(true, |valid, byte| {
            valid & matches!(byte, b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'_')
        });
    let date_is_valid = date.len() == 8
        && date
            .bytes()
            .fold(true, |valid, byte| valid & byte.is_ascii_digit());
    let scope_part_is_valid = |part: &str| {
        !part.is_empty()
            && part.len() <= MAX_SCOPE_PART_LEN
            && part.bytes().fold(true, |valid, byte| {
                valid & matches!(byte, b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'-' | b'_' | b'.')
            })
    };
    if !access_key_id_is_valid
        || !date_is_valid
        || !scope_part_is_valid(region)
        || !scope_part_is_valid(service)
    {
        return Err(malformed());
    }
    if terminator != "aws4_request" {
        return Err(AuthError::SignatureDoesNotMatch(format!(
            "credential scope terminator is `{}`, expected `aws4_request`",
            truncate(terminator)
        )));
    }

    Ok(CredentialParts {
        access_key_id,
        scope: BorrowedScope {
            date,
            region,
            service,
        },
        cache_key: credential.get(..service_end).unwrap_or(credential),
        separators,
    })
}

/// Checks that the names in `SignedHeaders` are lower-case, sorted, unique and include `host`,
/// as every SigV4 signer writes them.
fn check_signed_headers(signed_headers: &str) -> Result<(), AuthError> {
    let mut previous: Option<&str> = None;
    let mut has_host = false;
    for (count, name) in split_ascii(signed_headers, b';').enumerate() {
        // Visible ASCII other than upper-case letters. The fold has no early exit, which
        // compiles to fewer instructions per byte than `all`.
        let name_is_valid = !name.is_empty()
            && name.bytes().fold(true, |valid, byte| {
                valid & matches!(byte, b'!'..=b'@' | b'['..=b'~')
            });
        if !name_is_valid || count >= MAX_SIGNED_HEADERS {
            return Err(AuthError::IncompleteSignature(format!(
                "`SignedHeaders` `{}` is not a list of at most {MAX_SIGNED_HEADERS} lower-case \
                 header names separated by `;`",
                truncate(signed_headers)
            )));
        }
        if previous.is_some_and(|previous| previous >= name) {
            return Err(AuthError::IncompleteSignature(format!(
                "`SignedHeaders` `{}` is not sorted or repeats a name",
                truncate(signed_headers)
            )));
        }
        has_host |= name == "host";
        previous = Some(name);
    }
    if !has_host {
        return Err(AuthError::IncompleteSignature(
            "`host` must be a signed header".to_owned(),
        ));
    }
    Ok(())
}

/// Checks the signing time against the clock.
fn check_time(fields: &SignatureFields<'_>, now: Timestamp) -> Result<(), AuthError> {
    let signed_at = fields.signed_at.as_second();
    let now_seconds = now.as_second();
    let expired = |reason| AuthError::RequestExpired {
        signed_at: fields.signed_at,
        now,
        reason,
    };
    match fields.expires_seconds {
        None => {
            if (now_seconds - signed_at).abs() > MAX_CLOCK_SKEW_SECONDS {
                return Err(expired(
                    "header-signed requests must be within 15 minutes of the server time",
                ));
            }
        }
        Some(expires_seconds) => {
            if now_seconds > signed_at + i64::from(expires_seconds) {
                return Err(expired("the presigned request is past its `X-Amz-Expires`"));
            }
            if signed_at - now_seconds > MAX_CLOCK_SKEW_SECONDS {
                return Err(expired(
                    "the presigned request is dated more than 15 minutes ahead",
                ));
            }
        }
    }
    Ok(())
}

/// Chooses the payload hash the signature covers.
fn payload_hash<'a>(
    request: &HttpRequest<'a>,
    headers: &AuthHeaders<'a>,
    fields: &SignatureFields<'_>,
    service: &str,
    rules: ServiceRules,
) -> Result<PayloadHash<'a>, AuthError> {
    let Some(declared) = headers.content_sha256.map(str::trim) else {
        let unsigned = fields.method == AuthenticationMethod::Presigned
            && rules.presigned_payload == PresignedPayload::Unsigned;
        return Ok(if unsigned {
            PayloadHash::Unsigned(UNSIGNED_PAYLOAD)
        } else {
            PayloadHash::Body(canonical::sha256(request.body))
        });
    };
    if declared == UNSIGNED_PAYLOAD || declared == STREAMING_PAYLOAD {
        if !rules.allow_unsigned_payload {
            return Err(AuthError::SignatureDoesNotMatch(format!(
                "`x-amz-content-sha256` `{declared}` is not accepted by service `{}`; sign the \
                 payload",
                service
            )));
        }
        return Ok(PayloadHash::Unsigned(declared));
    }
    let actual = canonical::sha256(request.body);
    let mut actual_hex = [0u8; 64];
    encode_hex(actual.as_ref(), &mut actual_hex);
    if declared.as_bytes() != actual_hex {
        return Err(AuthError::SignatureDoesNotMatch(
            "`x-amz-content-sha256` is not the SHA-256 of the body".to_owned(),
        ));
    }
    Ok(PayloadHash::Body(actual))
}

/// The raw values of the `X-Amz-*` authentication parameters of a presigned query.
#[derive(Default)]
struct QueryAuthParameters<'a> {
    algorithm: Option<&'a str>,
    credential: Option<&'a str>,
    date: Option<&'a str>,
    expires: Option<&'a str>,
    signed_headers: Option<&'a str>,
    signature: Option<&'a str>,
    security_token: Option<&'a str>,
}

impl<'a> QueryAuthParameters<'a> {
    /// Collects the authentication parameters of `query`, comparing names after
    /// percent-decoding as the canonical query does.
    ///
    /// # Errors
    ///
    /// [`AuthError::IncompleteSignature`] when one of them appears more than once, because the
    /// signature would cover only one of the values while a server may read another.
    fn parse(query: &'a str) -> Result<Self, AuthError> {
        let mut parameters = Self::default();
        for parameter in split_ascii(query, b'&') {
            let (raw_name, value) = split_once_ascii(parameter, b'=').unwrap_or((parameter, ""));
            // Every authentication parameter name starts with `X`, or with `%` when encoded.
            if !raw_name.starts_with(['X', '%']) {
                continue;
            }
            let name = if raw_name.contains(['%', '+']) {
                Cow::Owned(
                    String::from_utf8_lossy(&canonical::percent_decode(raw_name, true))
                        .into_owned(),
                )
            } else {
                Cow::Borrowed(raw_name)
            };
            let slot = match name.as_ref() {
                "X-Amz-Algorithm" => &mut parameters.algorithm,
                "X-Amz-Credential" => &mut parameters.credential,
                "X-Amz-Date" => &mut parameters.date,
                "X-Amz-Expires" => &mut parameters.expires,
                "X-Amz-SignedHeaders" => &mut parameters.signed_headers,
                SIGNATURE_PARAMETER => &mut parameters.signature,
                SECURITY_TOKEN_PARAMETER => &mut parameters.security_token,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(AuthError::IncompleteSignature(format!(
                    "query parameter `{name}` appears more than once; send each `X-Amz-*` \
                     authentication parameter once"
                )));
            }
        }
        Ok(parameters)
    }
}

/// Percent-decodes a query value that must be UTF-8.
fn decode_text<'a>(name: &str, value: &'a str) -> Result<Cow<'a, str>, AuthError> {
    if !value.contains(['%', '+']) {
        return Ok(Cow::Borrowed(value));
    }
    String::from_utf8(canonical::percent_decode(value, true))
        .map(Cow::Owned)
        .map_err(|_| {
            AuthError::IncompleteSignature(format!("query parameter `{name}` is not UTF-8"))
        })
}

/// Parses `YYYYMMDDTHHMMSSZ`.
fn parse_amz_date(amz_date: &str) -> Result<Timestamp, AuthError> {
    let invalid = || {
        AuthError::IncompleteSignature(format!(
            "date `{}` is not of the form `YYYYMMDDTHHMMSSZ`",
            truncate(amz_date)
        ))
    };
    let bytes = amz_date.as_bytes();
    let [
        y1,
        y2,
        y3,
        y4,
        mo1,
        mo2,
        d1,
        d2,
        b'T',
        h1,
        h2,
        mi1,
        mi2,
        s1,
        s2,
        b'Z',
    ] = bytes
    else {
        return Err(invalid());
    };
    let number = |digits: &[u8]| -> Option<i16> {
        digits.iter().try_fold(0i16, |value, digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + i16::from(digit - b'0'))
        })
    };
    let narrow = |value: Option<i16>| value.and_then(|value| i8::try_from(value).ok());
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(&[*y1, *y2, *y3, *y4]),
        narrow(number(&[*mo1, *mo2])),
        narrow(number(&[*d1, *d2])),
        narrow(number(&[*h1, *h2])),
        narrow(number(&[*mi1, *mi2])),
        narrow(number(&[*s1, *s2])),
    ) else {
        return Err(invalid());
    };
    jiff::civil::DateTime::new(year, month, day, hour, minute, second, 0)
        .and_then(|datetime| jiff::tz::TimeZone::UTC.to_timestamp(datetime))
        .map_err(|_| invalid())
}

/// Parses an HTTP `Date` header (RFC 7231 IMF-fixdate, which RFC 2822 parsing accepts).
fn parse_http_date(date: &str) -> Result<Timestamp, AuthError> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(date.trim())
        .map_err(|_| {
            AuthError::IncompleteSignature(format!(
                "`Date` header `{}` is not an HTTP date",
                truncate(date)
            ))
        })
}

/// Formats a time as `YYYYMMDDTHHMMSSZ`.
pub(crate) fn format_amz_date(time: Timestamp) -> String {
    time.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Shortens client-supplied text quoted in an error message.
fn truncate(text: &str) -> &str {
    const MAX_QUOTED: usize = 128;
    match text.char_indices().nth(MAX_QUOTED) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}
