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
use super::signature_fields::{
    AuthHeaders, Credential, ParsedSignature, SignatureFields, check_signed_headers,
};
use super::signing_key::SigningKeyCache;
use super::{
    BorrowedScope, CredentialScope, HashWriter, HttpRequest, MAX_CLOCK_SKEW_SECONDS,
    PresignedPayload, ServiceRules,
};
use crate::AuthError;
use crate::access_key::{SecretAccessKey, SecurityToken};
use crate::encoding::{constant_time_eq, decode_lower_hex, encode_hex};

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
    credential: Credential<'a>,
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
        self.credential.access_key_id()
    }

    /// Returns the date of the credential scope, `YYYYMMDD`.
    pub fn scope_date(&self) -> &str {
        self.credential.scope().date
    }

    /// Returns the region of the credential scope.
    pub fn region(&self) -> &str {
        self.credential.scope().region
    }

    /// Returns the service of the credential scope, which separates IAM requests from STS
    /// requests.
    pub fn service(&self) -> &str {
        self.credential.scope().service
    }

    /// Returns the session token of temporary credentials, for the STS crate to check.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// Copies the borrowed text into a [`VerifiedRequest`].
    pub fn into_owned(self) -> VerifiedRequest<P> {
        // The scope is split out of the credential once for all three parts.
        let scope = self.credential.scope();
        let scope = CredentialScope {
            date: scope.date.to_owned(),
            region: scope.region.to_owned(),
            service: scope.service.to_owned(),
        };
        VerifiedRequest {
            access_key_id: self.access_key_id().to_owned(),
            scope,
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
        let signature = ParsedSignature::parse(request)?;
        self.verify_parsed(request, signature)
    }

    /// Verifies the signature of `request` like [`Verifier::verify_borrowed`], taking its
    /// signature fields as [`ParsedSignature::parse`] or [`ParsedSignature::from_parts`]
    /// returned them, so a caller that read the credential first parses the request once.
    ///
    /// `signature` must be parsed from `request`. The signature still has to match the
    /// canonical request of `request`, so fields from another request fail to verify unless
    /// they sign exactly this one.
    ///
    /// # Errors
    ///
    /// As for [`Verifier::verify`], except the parsing errors that
    /// [`ParsedSignature::parse`] returns.
    pub fn verify_parsed<'a>(
        &self,
        request: &HttpRequest<'a>,
        signature: ParsedSignature<'a>,
    ) -> Result<VerifiedRequestRef<'a, R::Principal>, AuthError> {
        let ParsedSignature { headers, fields } = signature;
        let credential = &fields.credential;
        let (access_key_id, scope) = (credential.access_key_id(), credential.scope());
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
            .signing_key(credential.cache_key(), &resolved.secret, scope);
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
        Ok(VerifiedRequestRef {
            principal: resolved.principal,
            credential: fields.credential,
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
