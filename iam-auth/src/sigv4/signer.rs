//! Signing of requests, for tests, clients and the command-line tool.

use std::fmt;

use jiff::Timestamp;

use super::canonical::{
    self, CanonicalParts, PayloadHash, SECURITY_TOKEN_PARAMETER, SIGNATURE_PARAMETER,
    UNSIGNED_PAYLOAD,
};
use super::signature_fields::format_amz_date;
use super::signing_key::derive_signing_key;
use super::{
    ALGORITHM, CredentialScope, HttpRequest, MAX_PRESIGNED_EXPIRES_SECONDS, PresignedPayload,
    ServiceRules,
};
use crate::AuthError;
use crate::access_key::{SecretAccessKey, SecurityToken};
use crate::encoding::to_hex;

/// The text `Debug` output prints in place of a secret value.
const REDACTED: &str = "***";

/// Headers that the signer leaves unsigned because proxies and clients add or change them in
/// transit.
const UNSIGNED_HEADERS: [&str; 4] = ["authorization", "user-agent", "expect", "x-amzn-trace-id"];

/// An access key with its secret and, for temporary credentials, the session token.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: SecretAccessKey,
    /// The session token of temporary credentials.
    pub session_token: Option<SecurityToken>,
}

/// Signs requests with one set of credentials for one region and service.
#[derive(Debug, Clone)]
pub struct Signer {
    credentials: Credentials,
    region: String,
    service: String,
    rules: ServiceRules,
    content_sha256_header: bool,
    sign_security_token: bool,
}

/// The content type of a Query API form body, as the AWS SDKs send it.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The result of signing a request in the `Authorization` header.
///
/// Its `Debug` output prints `***` for the `Authorization` and `X-Amz-Security-Token` header
/// values, the canonical request (which repeats the token) and the signature.
#[derive(Clone)]
pub struct SignedRequest {
    /// Every header to send: the request's own, minus any old `Authorization` and
    /// `X-Amz-Date`, plus those the signer adds.
    pub headers: Vec<(String, String)>,
    /// The canonical request that was signed.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature, in lower-case hex.
    pub signature: String,
}

impl SignedRequest {
    /// Returns the header fields as borrowed pairs, the shape [`HttpRequest`] takes.
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect()
    }
}

/// The result of presigning a request.
///
/// Its `Debug` output prints `***` for the `X-Amz-Signature` and `X-Amz-Security-Token` query
/// values, the canonical request (which repeats the token) and the signature.
#[derive(Clone)]
pub struct PresignedRequest {
    /// The full query string to send, without the leading `?`, with the `X-Amz-*` parameters
    /// and the signature appended.
    pub query: String,
    /// The canonical request that was signed.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature, in lower-case hex.
    pub signature: String,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = name.eq_ignore_ascii_case("authorization")
                    || name.eq_ignore_ascii_case(SECURITY_TOKEN_PARAMETER);
                (
                    name.as_str(),
                    if secret { REDACTED } else { value.as_str() },
                )
            })
            .collect();
        f.debug_struct("SignedRequest")
            .field("headers", &headers)
            .field("canonical_request", &REDACTED)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut query = String::with_capacity(self.query.len());
        for parameter in self.query.split('&') {
            if !query.is_empty() {
                query.push('&');
            }
            match parameter.split_once('=') {
                Some((name, _))
                    if name == SIGNATURE_PARAMETER || name == SECURITY_TOKEN_PARAMETER =>
                {
                    query.push_str(name);
                    query.push('=');
                    query.push_str(REDACTED);
                }
                _ => query.push_str(parameter),
            }
        }
        f.debug_struct("PresignedRequest")
            .field("query", &query)
            .field("canonical_request", &REDACTED)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &REDACTED)
            .finish()
    }
}

impl Signer {
    /// Creates a signer for `service` in `region` with the service's canonicalization rules.
    pub fn new(
        credentials: Credentials,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        let service = service.into();
        Self {
            credentials,
            region: region.into(),
            rules: ServiceRules::for_service(&service),
            service,
            content_sha256_header: false,
            sign_security_token: true,
        }
    }

    /// Replaces the canonicalization rules.
    pub fn with_rules(mut self, rules: ServiceRules) -> Self {
        self.rules = rules;
        self
    }

    /// Adds a signed `x-amz-content-sha256` header with the payload hash to header-signed
    /// requests.
    pub fn with_content_sha256_header(mut self, enabled: bool) -> Self {
        self.content_sha256_header = enabled;
        self
    }

    /// Chooses whether the session token is signed (the default) or added after signing, as
    /// some older clients do.
    pub fn with_signed_security_token(mut self, signed: bool) -> Self {
        self.sign_security_token = signed;
        self
    }

    /// Signs `request` at `time` in the `Authorization` header.
    ///
    /// Every header of the request is signed except `Authorization`, `User-Agent`, `Expect`
    /// and `X-Amzn-Trace-Id`.
    ///
    /// # Errors
    ///
    /// [`AuthError::IncompleteSignature`] when the request has no `Host` header.
    pub fn sign(
        &self,
        request: &HttpRequest<'_>,
        time: Timestamp,
    ) -> Result<SignedRequest, AuthError> {
        let amz_date = format_amz_date(time);
        let scope = self.scope(&amz_date);
        let body_sha256 = canonical::sha256(request.body);

        let added_names = ["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"];
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(name, _)| {
                let name = name.to_ascii_lowercase();
                name != "authorization" && !added_names.contains(&name.as_str())
            })
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        headers.push(("X-Amz-Date".to_owned(), amz_date.clone()));
        if self.content_sha256_header {
            headers.push((
                "X-Amz-Content-Sha256".to_owned(),
                to_hex(body_sha256.as_ref()),
            ));
        }
        let token = self.credentials.session_token.as_ref();
        if let Some(token) = token.filter(|_| self.sign_security_token) {
            headers.push(("X-Amz-Security-Token".to_owned(), token.expose().to_owned()));
        }

        let signed_headers = signed_headers(headers.iter().map(|(name, _)| name.as_str()))?;

        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let signing_request = HttpRequest {
            headers: &pairs,
            ..*request
        };
        let (canonical_request, string_to_sign, signature) = self.signature(
            &signing_request,
            &signed_headers,
            PayloadHash::Body(body_sha256),
            &amz_date,
            &scope,
            false,
        )?;

        let mut authorization = format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders=",
            self.credentials.access_key_id
        );
        authorization.push_str(&signed_headers);
        authorization.push_str(", Signature=");
        authorization.push_str(&signature);
        if let Some(token) = token.filter(|_| !self.sign_security_token) {
            headers.push(("X-Amz-Security-Token".to_owned(), token.expose().to_owned()));
        }
        headers.push(("Authorization".to_owned(), authorization));
        Ok(SignedRequest {
            headers,
            canonical_request,
            string_to_sign,
            signature,
        })
    }

    /// Signs a Query API form `POST /` of `body` to `host` at `time`, the request shape the
    /// AWS SDKs send to IAM and STS. The result's headers include `Host` and `Content-Type`.
    ///
    /// # Errors
    ///
    /// The errors of [`Signer::sign`].
    pub fn sign_form_post(
        &self,
        host: &str,
        body: &str,
        time: Timestamp,
    ) -> Result<SignedRequest, AuthError> {
        let headers = [("host", host), ("content-type", FORM_CONTENT_TYPE)];
        let request = HttpRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        };
        self.sign(&request, time)
    }

    /// Presigns `request` at `time`, valid for `expires_seconds`: the signature goes in the
    /// query and every header of the request is signed, as in [`Signer::sign`].
    ///
    /// # Errors
    ///
    /// [`AuthError::IncompleteSignature`] when `expires_seconds` is outside 1 to 604,800 or
    /// the request has no `Host` header.
    pub fn presign(
        &self,
        request: &HttpRequest<'_>,
        time: Timestamp,
        expires_seconds: u32,
    ) -> Result<PresignedRequest, AuthError> {
        if !(1..=MAX_PRESIGNED_EXPIRES_SECONDS).contains(&expires_seconds) {
            return Err(AuthError::IncompleteSignature(format!(
                "`X-Amz-Expires` is `{expires_seconds}`, expected 1 to {MAX_PRESIGNED_EXPIRES_SECONDS}"
            )));
        }
        let amz_date = format_amz_date(time);
        let scope = self.scope(&amz_date);
        let payload_hash = match self.rules.presigned_payload {
            PresignedPayload::BodyHash => PayloadHash::Body(canonical::sha256(request.body)),
            PresignedPayload::Unsigned => PayloadHash::Unsigned(UNSIGNED_PAYLOAD),
        };

        let signed_headers = signed_headers(request.headers.iter().map(|(name, _)| *name))?;

        let mut query = request.query.to_owned();
        let mut push_parameter = |name: &str, value: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            canonical::push_uri_encoded(&mut query, value.as_bytes());
        };
        push_parameter("X-Amz-Algorithm", ALGORITHM);
        push_parameter(
            "X-Amz-Credential",
            &format!("{}/{scope}", self.credentials.access_key_id),
        );
        push_parameter("X-Amz-Date", &amz_date);
        push_parameter("X-Amz-Expires", &expires_seconds.to_string());
        push_parameter("X-Amz-SignedHeaders", &signed_headers);
        let token = self.credentials.session_token.as_ref();
        if let Some(token) = token.filter(|_| self.sign_security_token) {
            push_parameter("X-Amz-Security-Token", token.expose());
        }

        let signing_request = HttpRequest {
            query: &query,
            ..*request
        };
        let (canonical_request, string_to_sign, signature) = self.signature(
            &signing_request,
            &signed_headers,
            payload_hash,
            &amz_date,
            &scope,
            true,
        )?;
        if let Some(token) = token.filter(|_| !self.sign_security_token) {
            query.push_str("&X-Amz-Security-Token=");
            canonical::push_uri_encoded(&mut query, token.expose().as_bytes());
        }
        query.push_str("&X-Amz-Signature=");
        query.push_str(&signature);
        Ok(PresignedRequest {
            query,
            canonical_request,
            string_to_sign,
            signature,
        })
    }

    fn scope(&self, amz_date: &str) -> CredentialScope {
        CredentialScope {
            date: amz_date.get(..8).unwrap_or_default().to_owned(),
            region: self.region.clone(),
            service: self.service.clone(),
        }
    }

    fn signature(
        &self,
        request: &HttpRequest<'_>,
        signed_headers: &str,
        payload_hash: PayloadHash<'_>,
        amz_date: &str,
        scope: &CredentialScope,
        presigned: bool,
    ) -> Result<(String, String, String), AuthError> {
        let mut canonical_request = String::with_capacity(512);
        canonical::write_canonical_request(
            &mut canonical_request,
            request,
            &CanonicalParts {
                signed_headers,
                payload_hash,
                rules: self.rules,
                skipped_parameters: if presigned {
                    &[SIGNATURE_PARAMETER]
                } else {
                    &[]
                },
            },
        )?;
        let mut string_to_sign = String::with_capacity(160);
        canonical::write_string_to_sign(
            &mut string_to_sign,
            amz_date,
            scope.borrowed(),
            canonical::sha256(canonical_request.as_bytes()).as_ref(),
        );
        let key = derive_signing_key(&self.credentials.secret_access_key, scope.borrowed());
        let signature = to_hex(&key.sign(string_to_sign.as_bytes()));
        Ok((canonical_request, string_to_sign, signature))
    }
}

/// Returns the `SignedHeaders` value: the lower-case, sorted, unique names of the headers to
/// sign, all but [`UNSIGNED_HEADERS`], joined by `;`.
fn signed_headers<'a>(names: impl Iterator<Item = &'a str>) -> Result<String, AuthError> {
    let mut signed_names: Vec<String> = names
        .map(str::to_ascii_lowercase)
        .filter(|name| !UNSIGNED_HEADERS.contains(&name.as_str()))
        .collect();
    signed_names.sort_unstable();
    signed_names.dedup();
    if !signed_names.iter().any(|name| name == "host") {
        return Err(AuthError::IncompleteSignature(
            "the request to sign has no `Host` header".to_owned(),
        ));
    }
    Ok(signed_names.join(";"))
}
