//! Issuing and verifying self-contained session tokens.
//!
//! A session token is the URL-safe base64 (no padding) of the claims, the access key id and the
//! secret, sealed by a [`Keyring`]. Any node holding the keyring verifies any token without a
//! session database, and recovers the secret it needs to check the request's signature.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use iam_model::RandomSource;
use jiff::Timestamp;
use ring::aead::NONCE_LEN;

use crate::StsError;
use crate::claims::{SecretAccessKey, SessionClaims};
use crate::keyring::{Keyring, MIN_SEALED_LEN, SealPurpose};

/// The longest session token accepted, in characters. Packed session policies and tags are
/// capped well below this, so a longer token was never issued here.
pub const MAX_SESSION_TOKEN_LEN: usize = 16 * 1024;

/// The prefix of every temporary access key id.
pub const TEMPORARY_ACCESS_KEY_PREFIX: &str = "ASIA";

const KEY_ID_RANDOM_LEN: usize = 10;
const SECRET_RANDOM_LEN: usize = 30;
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A session token as handed to the client. Its `Debug` output hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// Returns the token text, for the response that hands it to its owner.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The temporary credentials an STS operation returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCredentials {
    /// The access key id, `ASIA` followed by 16 base32 characters.
    pub access_key_id: String,
    /// The secret access key, 40 base64 characters.
    pub secret_access_key: SecretAccessKey,
    /// The sealed session token.
    pub session_token: SessionToken,
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
#[derive(Debug)]
pub struct SessionTokens {
    keyring: Keyring,
}

impl SessionTokens {
    /// Creates an issuer and verifier that seals with `keyring`.
    pub fn new(keyring: Keyring) -> Self {
        Self { keyring }
    }

    /// The keyring, for decoding authorization messages under the same keys.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Draws a fresh access key id and secret and seals them with `claims` into credentials.
    pub fn issue(
        &self,
        claims: &SessionClaims,
        random: &dyn RandomSource,
    ) -> Result<SessionCredentials, StsError> {
        let mut drawn = [0_u8; NONCE_LEN + KEY_ID_RANDOM_LEN + SECRET_RANDOM_LEN];
        random.fill(&mut drawn);
        let (nonce, rest) = drawn.split_at(NONCE_LEN);
        let (key_id_bytes, secret_bytes) = rest.split_at(KEY_ID_RANDOM_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce)
            .map_err(|_| StsError::ServiceFailure("nonce of the wrong length".into()))?;

        let access_key_id = temporary_access_key_id(key_id_bytes);
        let secret_access_key = SecretAccessKey::new(STANDARD.encode(secret_bytes));
        let plaintext = claims.encode(&access_key_id, &secret_access_key);
        let sealed = self
            .keyring
            .seal_with_nonce(SealPurpose::SessionToken, &plaintext, nonce)?;

        Ok(SessionCredentials {
            access_key_id,
            secret_access_key,
            session_token: SessionToken(URL_SAFE_NO_PAD.encode(sealed)),
            expiration: claims.expires_at,
        })
    }

    /// Opens `token`, checks that it belongs to `access_key_id`, and that it is live at `now`.
    ///
    /// # Errors
    ///
    /// - [`StsError::InvalidClientTokenId`] for a token that is too long, not base64,
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
        let sealed = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| StsError::InvalidClientTokenId("session token is not base64"))?;
        if sealed.len() < MIN_SEALED_LEN {
            return Err(StsError::InvalidClientTokenId("truncated"));
        }
        let plaintext = self.keyring.open(SealPurpose::SessionToken, &sealed)?;
        let (claims, access_key_id, secret_access_key) = SessionClaims::decode(&plaintext)?;
        Ok(VerifiedSession {
            claims,
            access_key_id,
            secret_access_key,
        })
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
    let mut id = String::with_capacity(TEMPORARY_ACCESS_KEY_PREFIX.len() + 16);
    id.push_str(TEMPORARY_ACCESS_KEY_PREFIX);
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
