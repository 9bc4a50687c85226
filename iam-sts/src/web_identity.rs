//! OpenID Connect identity tokens: JWKS parsing and JWT verification for
//! `AssumeRoleWithWebIdentity`.
//!
//! The server may have no network, so each provider's signing keys (a JWKS document) are
//! stored with the provider instead of being fetched from its discovery endpoint. Signatures
//! are checked with ring. Only the algorithms pinned on the provider are accepted, so a token
//! cannot pick `none`, an HMAC algorithm, or a key type the provider does not use.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::{Map, Value};

use crate::StsError;

/// The minimum and maximum length of a `WebIdentityToken`, in characters.
pub const WEB_IDENTITY_TOKEN_CHARS: std::ops::RangeInclusive<usize> = 4..=20_000;

/// The default clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
///
/// NOTE: AWS does not publish its tolerance; five minutes is this service's choice.
pub const DEFAULT_MAX_CLOCK_SKEW_SECONDS: i64 = 300;

/// The maximum size of a JWKS document, in bytes.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// The maximum number of keys in a JWKS document.
pub const MAX_JWKS_KEYS: usize = 100;

/// A JWS signature algorithm this service can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JwtAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 to 8192 bits.
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
}

impl JwtAlgorithm {
    /// Returns the algorithm's `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtAlgorithm::Rs256 => "RS256",
            JwtAlgorithm::Es256 => "ES256",
        }
    }

    fn from_header(alg: &str) -> Option<Self> {
        match alg {
            "RS256" => Some(JwtAlgorithm::Rs256),
            "ES256" => Some(JwtAlgorithm::Es256),
            _ => None,
        }
    }
}

/// A public key from a JWKS document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    /// The key id (`kid`), which tokens name in their header.
    pub key_id: Option<String>,
    /// The algorithm the key is restricted to (`alg`), if the document sets one.
    pub algorithm: Option<String>,
    /// The key material.
    pub key: JwkKey,
}

/// The material of a public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwkKey {
    /// An RSA key: big-endian modulus and exponent.
    Rsa {
        /// The modulus `n`.
        modulus: Vec<u8>,
        /// The public exponent `e`.
        exponent: Vec<u8>,
    },
    /// A P-256 key as an uncompressed point: `0x04 | x | y`.
    EcP256 {
        /// The point bytes.
        point: Vec<u8>,
    },
}

/// A JSON Web Key Set: the signing keys of one identity provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jwks {
    /// The keys usable for signatures. Keys of other types, curves or uses are skipped.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Parses a JWKS document (`{"keys": [...]}`), keeping the RSA and P-256 signing keys.
    ///
    /// # Errors
    ///
    /// [`StsError::Validation`] for a document over 64 KiB or 100 keys, one that is not
    /// JSON of that shape, or a kept key whose fields are missing or not base64url.
    pub fn parse(document: &str) -> Result<Self, StsError> {
        let invalid = |reason: String| StsError::validation("JWKS", reason);
        if document.len() > MAX_JWKS_BYTES {
            return Err(invalid(format!(
                "document of {} bytes exceeds {MAX_JWKS_BYTES}",
                document.len()
            )));
        }
        let value: Value = serde_json::from_str(document)
            .map_err(|error| invalid(format!("invalid JSON: {error}")))?;
        let entries = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("missing the `keys` array".to_owned()))?;
        if entries.len() > MAX_JWKS_KEYS {
            return Err(invalid(format!(
                "{} keys exceed the maximum of {MAX_JWKS_KEYS}",
                entries.len()
            )));
        }

        let mut keys = Vec::with_capacity(entries.len());
        for entry in entries {
            let field = |name: &str| entry.get(name).and_then(Value::as_str);
            if field("use").is_some_and(|usage| usage != "sig") {
                continue;
            }
            let key = match (field("kty"), field("crv")) {
                (Some("RSA"), _) => JwkKey::Rsa {
                    modulus: decode_member(entry, "n")?,
                    exponent: decode_member(entry, "e")?,
                },
                (Some("EC"), Some("P-256")) => {
                    let x = decode_member(entry, "x")?;
                    let y = decode_member(entry, "y")?;
                    if x.len() != 32 || y.len() != 32 {
                        return Err(invalid("a P-256 coordinate is not 32 bytes".to_owned()));
                    }
                    let mut point = Vec::with_capacity(65);
                    point.push(0x04);
                    point.extend_from_slice(&x);
                    point.extend_from_slice(&y);
                    JwkKey::EcP256 { point }
                }
                _ => continue,
            };
            keys.push(Jwk {
                key_id: field("kid").map(str::to_owned),
                algorithm: field("alg").map(str::to_owned),
                key,
            });
        }
        Ok(Self { keys })
    }
}

/// An OpenID Connect identity provider as token verification needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProvider {
    /// The provider's ARN, `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`.
    pub arn: iam_model::Arn,
    /// The issuer URL, such as `https://token.example.com`; tokens' `iss` must match it.
    pub issuer_url: String,
    /// The client ids (audiences) tokens may be issued to.
    pub client_ids: Vec<String>,
    /// The provider's signing keys.
    pub jwks: Jwks,
    /// The algorithms accepted from this provider.
    pub algorithms: Vec<JwtAlgorithm>,
}

impl IdentityProvider {
    /// Builds the verification view of a provider registered in IAM, accepting RS256 and
    /// ES256.
    ///
    /// # Errors
    ///
    /// [`StsError::InvalidIdentityToken`] when the provider has no stored JWKS, since this
    /// service never fetches keys over the network, or the stored JWKS does not parse.
    pub fn from_registered(provider: &iam_model::OidcProvider) -> Result<Self, StsError> {
        let document = provider.jwks.as_deref().ok_or_else(|| {
            StsError::InvalidIdentityToken(format!(
                "the provider `{}` has no signing keys registered",
                provider.arn
            ))
        })?;
        let jwks = Jwks::parse(document)
            .map_err(|error| StsError::InvalidIdentityToken(error.to_string()))?;
        Ok(Self {
            arn: provider.arn.clone(),
            issuer_url: provider.url.clone(),
            client_ids: provider.client_id_list.clone(),
            jwks,
            algorithms: vec![JwtAlgorithm::Rs256, JwtAlgorithm::Es256],
        })
    }

    /// Returns the issuer without its `https://` scheme or a trailing `/`: the prefix of the
    /// provider's condition keys, such as `token.example.com:sub`.
    pub fn condition_key_prefix(&self) -> &str {
        normalize_issuer(&self.issuer_url)
    }
}

/// The claims of an identity token that passed verification.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityTokenClaims {
    /// The issuer, `iss`.
    pub issuer: String,
    /// The subject, `sub`.
    pub subject: String,
    /// The audience that matched one of the provider's client ids.
    pub audience: String,
    /// The authentication methods, `amr`, empty when absent.
    pub authentication_methods: Vec<String>,
    /// When the token expires, `exp`.
    pub expires_at: Timestamp,
    /// When the token was issued, `iat`, if present.
    pub issued_at: Option<Timestamp>,
    /// Every claim of the payload, for conditions on other keys.
    pub payload: Map<String, Value>,
}

/// Verifies an identity token from `provider` at `now`, tolerating `max_skew_seconds` of clock
/// difference on its time claims.
///
/// # Errors
///
/// - [`StsError::Validation`] for a token outside 4 to 20,000 characters.
/// - [`StsError::InvalidIdentityToken`] for a token that is not a three-part JWS, or whose
///   header names an algorithm the provider does not accept or an unknown key. The same error
///   covers a failed signature check, another issuer, none of the provider's audiences, no
///   subject, and a `nbf` or `iat` in the future.
/// - [`StsError::ExpiredWebIdentityToken`] for a token past its `exp`, or without one.
pub fn verify_identity_token(
    token: &str,
    provider: &IdentityProvider,
    now: Timestamp,
    max_skew_seconds: i64,
) -> Result<IdentityTokenClaims, StsError> {
    let invalid = |reason: &str| StsError::InvalidIdentityToken(reason.to_owned());
    if !WEB_IDENTITY_TOKEN_CHARS.contains(&token.len()) {
        return Err(StsError::validation(
            "WebIdentityToken",
            format!("length {} is outside 4 to 20000 characters", token.len()),
        ));
    }
    let mut parts = token.split('.');
    let (Some(header_part), Some(payload_part), Some(signature_part), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("expected three dot-separated parts"));
    };

    let header =
        decode_json_part(header_part).ok_or_else(|| invalid("the header is not base64url JSON"))?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the header has no `alg`"))?;
    let algorithm = JwtAlgorithm::from_header(alg)
        .filter(|algorithm| provider.algorithms.contains(algorithm))
        .ok_or_else(|| {
            StsError::InvalidIdentityToken(format!(
                "algorithm `{alg}` is not accepted for this provider"
            ))
        })?;
    if header.get("crit").is_some() {
        return Err(invalid("critical header extensions are not supported"));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_part)
        .map_err(|_| invalid("the signature is not base64url"))?;
    let signing_input_len = header_part.len() + 1 + payload_part.len();
    let signing_input = token
        .as_bytes()
        .get(..signing_input_len)
        .ok_or_else(|| invalid("truncated"))?;
    let key_id = header.get("kid").and_then(Value::as_str);
    verify_signature(algorithm, key_id, &provider.jwks, signing_input, &signature)?;

    let payload = decode_json_part(payload_part)
        .ok_or_else(|| invalid("the payload is not base64url JSON"))?;
    let claims = check_claims(payload, provider, now, max_skew_seconds)?;
    Ok(claims)
}

fn verify_signature(
    algorithm: JwtAlgorithm,
    key_id: Option<&str>,
    jwks: &Jwks,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), StsError> {
    let candidates: Vec<&Jwk> = jwks
        .keys
        .iter()
        .filter(|jwk| key_id.is_none() || jwk.key_id.as_deref() == key_id)
        .filter(|jwk| {
            jwk.algorithm
                .as_deref()
                .is_none_or(|alg| alg == algorithm.as_str())
        })
        .filter(|jwk| {
            matches!(
                (algorithm, &jwk.key),
                (JwtAlgorithm::Rs256, JwkKey::Rsa { .. })
                    | (JwtAlgorithm::Es256, JwkKey::EcP256 { .. })
            )
        })
        .collect();
    if candidates.is_empty() {
        return Err(StsError::InvalidIdentityToken(match key_id {
            Some(kid) => format!(
                "no {} key with id `{kid}` in the provider's keys",
                algorithm.as_str()
            ),
            None => format!("no {} key in the provider's keys", algorithm.as_str()),
        }));
    }
    let verified = candidates.iter().any(|jwk| match &jwk.key {
        JwkKey::Rsa { modulus, exponent } => RsaPublicKeyComponents {
            n: modulus,
            e: exponent,
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, signing_input, signature)
        .is_ok(),
        JwkKey::EcP256 { point } => UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .verify(signing_input, signature)
            .is_ok(),
    });
    if !verified {
        return Err(StsError::InvalidIdentityToken(
            "the signature does not verify".to_owned(),
        ));
    }
    Ok(())
}

fn check_claims(
    payload: Map<String, Value>,
    provider: &IdentityProvider,
    now: Timestamp,
    max_skew_seconds: i64,
) -> Result<IdentityTokenClaims, StsError> {
    let invalid = |reason: String| StsError::InvalidIdentityToken(reason);
    let issuer = payload
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the token has no `iss`".to_owned()))?;
    if normalize_issuer(issuer) != provider.condition_key_prefix() {
        return Err(invalid(format!(
            "issuer `{issuer}` does not match the provider `{}`",
            provider.issuer_url
        )));
    }
    let audiences = string_or_list(payload.get("aud"));
    let audience = audiences
        .iter()
        .find(|audience| provider.client_ids.iter().any(|id| id == *audience))
        .ok_or_else(|| {
            invalid("no audience of the token is a client id of the provider".to_owned())
        })?;
    let subject = payload
        .get("sub")
        .and_then(Value::as_str)
        .filter(|subject| !subject.is_empty())
        .ok_or_else(|| invalid("the token has no `sub`".to_owned()))?;

    let now_seconds = now.as_second();
    let expires = numeric_date(&payload, "exp")?
        .ok_or_else(|| StsError::ExpiredWebIdentityToken("the token has no `exp`".to_owned()))?;
    if now_seconds > expires.saturating_add(max_skew_seconds) {
        return Err(StsError::ExpiredWebIdentityToken(format!(
            "the token expired at `{}`",
            timestamp(expires)?
        )));
    }
    if let Some(not_before) = numeric_date(&payload, "nbf")?
        && now_seconds.saturating_add(max_skew_seconds) < not_before
    {
        return Err(invalid(format!(
            "the token is not valid before `{}`",
            timestamp(not_before)?
        )));
    }
    let issued = numeric_date(&payload, "iat")?;
    if let Some(issued) = issued
        && now_seconds.saturating_add(max_skew_seconds) < issued
    {
        return Err(invalid(format!(
            "the token is issued in the future, at `{}`",
            timestamp(issued)?
        )));
    }

    Ok(IdentityTokenClaims {
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
        audience: (*audience).to_owned(),
        authentication_methods: string_or_list(payload.get("amr"))
            .into_iter()
            .map(str::to_owned)
            .collect(),
        expires_at: timestamp(expires)?,
        issued_at: issued.map(timestamp).transpose()?,
        payload,
    })
}

/// Reads the `iss` claim of a token without verifying it, to find the provider whose keys
/// verify it.
pub fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let claims = decode_json_part(payload)?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// Strips the `https://` scheme and any trailing `/` from an issuer URL.
pub fn normalize_issuer(issuer: &str) -> &str {
    let without_scheme = issuer.strip_prefix("https://").unwrap_or(issuer);
    without_scheme.strip_suffix('/').unwrap_or(without_scheme)
}

fn decode_json_part(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn decode_member(entry: &Value, name: &str) -> Result<Vec<u8>, StsError> {
    let text = entry.get(name).and_then(Value::as_str).ok_or_else(|| {
        StsError::validation("JWKS", format!("a key is missing its `{name}` member"))
    })?;
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| StsError::validation("JWKS", format!("member `{name}` is not base64url")))
}

fn string_or_list(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(text)) => vec![text.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Reads a NumericDate claim (seconds since the epoch, an integer or a float).
fn numeric_date(payload: &Map<String, Value>, name: &str) -> Result<Option<i64>, StsError> {
    let Some(value) = payload.get(name) else {
        return Ok(None);
    };
    let seconds = value
        .as_i64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|float| float.is_finite())
                .map(|float| float as i64)
        })
        .ok_or_else(|| StsError::InvalidIdentityToken(format!("claim `{name}` is not a number")))?;
    Ok(Some(seconds))
}

fn timestamp(seconds: i64) -> Result<Timestamp, StsError> {
    Timestamp::from_second(seconds)
        .map_err(|_| StsError::InvalidIdentityToken(format!("time `{seconds}` is out of range")))
}

#[cfg(test)]
mod tests;
