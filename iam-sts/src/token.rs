//! Issuing and verifying self-contained session tokens.
//!
//! A session token is the claims, the access key id and the secret, sealed by `iam-auth`'s
//! [`Keyring`] with the context [`SESSION_TOKEN_CONTEXT`]. Any node holding the keyring verifies
//! any token without a session database, and recovers the secret it needs to check the
//! request's signature.

use std::sync::Arc;

use base64_simd::STANDARD;
use iam_auth::seal::{Keyring, NONCE_LEN};
use iam_auth::{AccessKeyId, AccessKeyKind, AuthError, SecretAccessKey, SecurityToken};
use iam_model::RandomSource;
use jiff::Timestamp;

use crate::StsError;
use crate::claims::SessionClaims;

/// The longest session token accepted, in characters: the sealed form of the largest claim
/// set the sealing keyring takes (4,096 bytes), with room for the key id.
pub const MAX_SESSION_TOKEN_LEN: usize = 8 * 1024;

/// The context that binds a sealed value to its use as a session token, so no other sealed
/// value (a stored secret or an authorization message) opens as one.
pub const SESSION_TOKEN_CONTEXT: &[u8] = b"iam-sts session token";

const KEY_ID_RANDOM_LEN: usize = 10;
const SECRET_RANDOM_LEN: usize = 30;
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The temporary credentials an STS operation returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCredentials {
    /// The access key id, `ASIA` followed by 16 base32 characters.
    pub access_key_id: AccessKeyId,
    /// The secret access key, 40 base64 characters.
    pub secret_access_key: SecretAccessKey,
    /// The sealed session token.
    pub session_token: SecurityToken,
    /// When the credentials stop working.
    pub expiration: Timestamp,
}

/// A session token that opened, was paired with its own access key id, and has not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSession {
    /// The session's claims.
    pub claims: SessionClaims,
    /// The session's access key id.
    pub access_key_id: String,
    /// The session's secret, for checking the request signature.
    pub secret_access_key: SecretAccessKey,
}

/// Issues and verifies session tokens under a keyring.
#[derive(Debug, Clone)]
pub struct SessionTokens {
    keyring: Arc<Keyring>,
}

impl SessionTokens {
    /// Creates an issuer and verifier that seals with `keyring`.
    pub fn new(keyring: Arc<Keyring>) -> Self {
        Self { keyring }
    }

    /// The keyring, shared with authorization messages.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Draws a fresh access key id and secret and seals them with `claims` into credentials.
    ///
    /// # Errors
    ///
    /// [`StsError::ServiceFailure`] when the encoded claims exceed what the keyring seals,
    /// which the packed size check of the operations rules out.
    pub fn issue(
        &self,
        claims: &SessionClaims,
        random: &dyn RandomSource,
    ) -> Result<SessionCredentials, StsError> {
        // One draw serves the id, the secret and the nonce, because each draw from the system
        // generator is a system call and issuing sits on the request path.
        let mut drawn = [0_u8; KEY_ID_RANDOM_LEN + SECRET_RANDOM_LEN + NONCE_LEN];
        random.fill(&mut drawn);
        let (key_id_bytes, rest) = drawn.split_at(KEY_ID_RANDOM_LEN);
        let (secret_bytes, nonce_bytes) = rest.split_at(SECRET_RANDOM_LEN);
        let mut nonce = [0_u8; NONCE_LEN];
        nonce.copy_from_slice(nonce_bytes);

        let access_key_id = AccessKeyId::try_from(temporary_access_key_id(key_id_bytes))
            .map_err(|error| StsError::ServiceFailure(error.to_string()))?;
        let secret_access_key = SecretAccessKey::new(STANDARD.encode_to_string(secret_bytes));

        let plaintext = claims.encode(access_key_id.as_str(), &secret_access_key);
        let sealed = self
            .keyring
            .seal_with_nonce(&plaintext, SESSION_TOKEN_CONTEXT, nonce)
            .map_err(|error| StsError::ServiceFailure(format!("sealing claims failed: {error}")))?;

        Ok(SessionCredentials {
            access_key_id,
            secret_access_key,
            session_token: SecurityToken::new(sealed.into_string()),
            expiration: claims.expires_at,
        })
    }

    /// Opens `token`, checks that it belongs to `access_key_id`, and that it is live at `now`.
    ///
    /// # Errors
    ///
    /// - [`StsError::InvalidClientTokenId`] for a token that is too long, malformed,
    ///   truncated, tampered with, sealed under an unknown key, or issued with another access
    ///   key id.
    /// - [`StsError::ExpiredToken`] once `now` reaches the session's expiry.
    pub fn verify(
        &self,
        token: &str,
        access_key_id: &str,
        now: Timestamp,
    ) -> Result<VerifiedSession, StsError> {
        let session = self.open(token)?;
        if !constant_time_eq(session.access_key_id.as_bytes(), access_key_id.as_bytes()) {
            return Err(StsError::InvalidClientTokenId(
                "the session token belongs to another access key id",
            ));
        }
        if now >= session.claims.expires_at {
            return Err(StsError::ExpiredToken {
                expired_at: session.claims.expires_at,
            });
        }
        Ok(session)
    }

    /// Opens `token` without checking its access key id or expiry, for a caller that
    /// reports on tokens rather than accepting them.
    ///
    /// # Errors
    ///
    /// [`StsError::InvalidClientTokenId`], as for [`SessionTokens::verify`].
    pub fn open(&self, token: &str) -> Result<VerifiedSession, StsError> {
        if token.len() > MAX_SESSION_TOKEN_LEN {
            return Err(StsError::InvalidClientTokenId("session token too long"));
        }
        let (claims, access_key_id, secret_access_key) = self
            .keyring
            .open_text_with(token, SESSION_TOKEN_CONTEXT, SessionClaims::decode)
            .map_err(|error| StsError::InvalidClientTokenId(open_failure(&error)))??;
        Ok(VerifiedSession {
            claims,
            access_key_id,
            secret_access_key,
        })
    }
}

/// Names why a sealed value failed to open, without echoing any of it.
pub(crate) fn open_failure(error: &AuthError) -> &'static str {
    match error {
        AuthError::UnknownKeyId(_) => "sealed under an unknown key",
        AuthError::SealedSecretTampered(_) => "authentication failed",
        _ => "malformed",
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let difference = left
        .iter()
        .zip(right)
        .fold(0_u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(difference) == 0
}

/// Builds `ASIA` followed by the base32 spelling of 10 random bytes (80 bits, 16 characters).
fn temporary_access_key_id(random_bytes: &[u8]) -> String {
    let prefix = AccessKeyKind::Temporary.prefix();
    let mut id = String::with_capacity(prefix.len() + 16);
    id.push_str(prefix);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in random_bytes {
        buffer = ((buffer << 8) | u32::from(byte)) & 0xFFFF;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            let index = (buffer >> bits) & 0x1F;
            id.push(char::from(
                BASE32_ALPHABET.get(index as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    id
}

#[cfg(test)]
mod tests;
