//! Sealing keys for session tokens and authorization messages.
//!
//! A sealed value is `version (1 byte) | key id (4 bytes, big-endian) | nonce (12 bytes) |
//! ciphertext | tag (16 bytes)`, encrypted with AES-256-GCM. The version, the purpose and the
//! key id are bound in as associated data, so a value sealed for one purpose never opens as
//! another and a changed key id fails authentication.

use std::fmt;

use iam_model::RandomSource;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::StsError;

/// The length of the key material of one sealing key, in bytes.
pub const KEY_LEN: usize = 32;

const FORMAT_VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + 4;
const TAG_LEN: usize = 16;

/// The smallest sealed value: a header, a nonce and a tag around an empty plaintext.
pub(crate) const MIN_SEALED_LEN: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// What a sealed value is for. It is bound into the associated data, so a session token cannot
/// be passed off as an authorization message or the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealPurpose {
    /// The claims of a session token.
    SessionToken,
    /// The explanation in an encoded authorization message.
    AuthorizationMessage,
}

impl SealPurpose {
    fn tag(self) -> u8 {
        match self {
            SealPurpose::SessionToken => 1,
            SealPurpose::AuthorizationMessage => 2,
        }
    }

    fn invalid(self, reason: &'static str) -> StsError {
        match self {
            SealPurpose::SessionToken => StsError::InvalidClientTokenId(reason),
            SealPurpose::AuthorizationMessage => StsError::InvalidAuthorizationMessage(reason),
        }
    }
}

/// A set of AES-256-GCM keys, each with a numeric key id: new values are sealed with the
/// current key and opened with whichever known key sealed them.
///
/// Rotating means adding a new key, making it current, and removing the old key only once the
/// longest session sealed under it has expired (129,600 seconds for `GetSessionToken`).
pub struct Keyring {
    current: u32,
    keys: Vec<(u32, LessSafeKey)>,
}

impl Keyring {
    /// Creates a keyring whose current key has id `key_id` and the given material.
    pub fn new(key_id: u32, material: &[u8; KEY_LEN]) -> Result<Self, StsError> {
        let mut keyring = Self {
            current: key_id,
            keys: Vec::new(),
        };
        keyring.add(key_id, material)?;
        Ok(keyring)
    }

    /// Creates a keyring with one key of fresh material drawn from `random`.
    pub fn generate(key_id: u32, random: &dyn RandomSource) -> Result<Self, StsError> {
        let mut material = [0_u8; KEY_LEN];
        random.fill(&mut material);
        Self::new(key_id, &material)
    }

    /// Adds a key that opens values but does not seal new ones until made current.
    ///
    /// # Errors
    ///
    /// Returns [`StsError::ServiceFailure`] when `key_id` is already in the keyring.
    pub fn add(&mut self, key_id: u32, material: &[u8; KEY_LEN]) -> Result<(), StsError> {
        if self.keys.iter().any(|(id, _)| *id == key_id) {
            return Err(StsError::ServiceFailure(format!(
                "sealing key id `{key_id}` is already in the keyring"
            )));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, material)
            .map_err(|_| StsError::ServiceFailure("invalid sealing key material".to_owned()))?;
        self.keys.push((key_id, LessSafeKey::new(unbound)));
        Ok(())
    }

    /// Makes the key `key_id` the one that seals new values.
    ///
    /// # Errors
    ///
    /// Returns [`StsError::ServiceFailure`] when no key has that id.
    pub fn make_current(&mut self, key_id: u32) -> Result<(), StsError> {
        if !self.keys.iter().any(|(id, _)| *id == key_id) {
            return Err(StsError::ServiceFailure(format!(
                "no sealing key with id `{key_id}`"
            )));
        }
        self.current = key_id;
        Ok(())
    }

    /// Removes the key `key_id`, so values sealed under it no longer open. The current key
    /// cannot be removed.
    ///
    /// # Errors
    ///
    /// Returns [`StsError::ServiceFailure`] when `key_id` is the current key.
    pub fn remove(&mut self, key_id: u32) -> Result<(), StsError> {
        if key_id == self.current {
            return Err(StsError::ServiceFailure(format!(
                "sealing key `{key_id}` is current and cannot be removed"
            )));
        }
        self.keys.retain(|(id, _)| *id != key_id);
        Ok(())
    }

    /// The id of the key that seals new values.
    pub fn current_key_id(&self) -> u32 {
        self.current
    }

    /// Seals `plaintext` for `purpose` under the current key, with a nonce from `random`.
    pub fn seal(
        &self,
        purpose: SealPurpose,
        plaintext: &[u8],
        random: &dyn RandomSource,
    ) -> Result<Vec<u8>, StsError> {
        let mut nonce = [0_u8; NONCE_LEN];
        random.fill(&mut nonce);
        self.seal_with_nonce(purpose, plaintext, nonce)
    }

    /// Seals with a nonce the caller drew, so one draw from the random source can serve a
    /// whole token. The nonce must never repeat under one key.
    pub(crate) fn seal_with_nonce(
        &self,
        purpose: SealPurpose,
        plaintext: &[u8],
        nonce: [u8; NONCE_LEN],
    ) -> Result<Vec<u8>, StsError> {
        let key = self
            .key(self.current)
            .ok_or_else(|| StsError::ServiceFailure("the current sealing key is missing".into()))?;
        let header = header(self.current);
        let aad = associated_data(purpose, &header);

        let mut sealed = Vec::with_capacity(MIN_SEALED_LEN + plaintext.len());
        sealed.extend_from_slice(&header);
        sealed.extend_from_slice(&nonce);
        let body_start = sealed.len();
        sealed.extend_from_slice(plaintext);
        let body = sealed
            .get_mut(body_start..)
            .ok_or_else(|| StsError::ServiceFailure("sealed buffer too short".into()))?;
        let tag = key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), body)
            .map_err(|_| StsError::ServiceFailure("sealing failed".into()))?;
        sealed.extend_from_slice(tag.as_ref());
        Ok(sealed)
    }

    /// Opens a value sealed for `purpose` by any key in the keyring.
    ///
    /// # Errors
    ///
    /// For [`SealPurpose::SessionToken`], [`StsError::InvalidClientTokenId`]; for
    /// [`SealPurpose::AuthorizationMessage`], [`StsError::InvalidAuthorizationMessage`]. Either
    /// means the value is truncated, was changed, or was sealed under a key this keyring lacks.
    pub fn open(&self, purpose: SealPurpose, sealed: &[u8]) -> Result<Vec<u8>, StsError> {
        if sealed.len() < MIN_SEALED_LEN {
            return Err(purpose.invalid("truncated"));
        }
        let (header_bytes, rest) = sealed.split_at(HEADER_LEN);
        let (nonce_bytes, ciphertext) = rest.split_at(NONCE_LEN);
        let Some((&version, key_id_bytes)) = header_bytes.split_first() else {
            return Err(purpose.invalid("truncated"));
        };
        if version != FORMAT_VERSION {
            return Err(purpose.invalid("unknown format version"));
        }
        let key_id = <[u8; 4]>::try_from(key_id_bytes)
            .map(u32::from_be_bytes)
            .map_err(|_| purpose.invalid("truncated"))?;
        let key = self
            .key(key_id)
            .ok_or_else(|| purpose.invalid("unknown sealing key"))?;
        let nonce = Nonce::try_assume_unique_for_key(nonce_bytes)
            .map_err(|_| purpose.invalid("truncated"))?;
        let header = header(key_id);
        let aad = associated_data(purpose, &header);

        let mut buffer = ciphertext.to_vec();
        let plaintext_len = key
            .open_in_place(nonce, Aad::from(aad), &mut buffer)
            .map_err(|_| purpose.invalid("authentication failed"))?
            .len();
        buffer.truncate(plaintext_len);
        Ok(buffer)
    }

    fn key(&self, key_id: u32) -> Option<&LessSafeKey> {
        self.keys
            .iter()
            .find(|(id, _)| *id == key_id)
            .map(|(_, key)| key)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key_ids: Vec<u32> = self.keys.iter().map(|(id, _)| *id).collect();
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("key_ids", &key_ids)
            .finish_non_exhaustive()
    }
}

fn header(key_id: u32) -> [u8; HEADER_LEN] {
    let [a, b, c, d] = key_id.to_be_bytes();
    [FORMAT_VERSION, a, b, c, d]
}

fn associated_data(purpose: SealPurpose, header: &[u8; HEADER_LEN]) -> [u8; HEADER_LEN + 1] {
    let [version, a, b, c, d] = *header;
    [version, purpose.tag(), a, b, c, d]
}

#[cfg(test)]
mod tests;
