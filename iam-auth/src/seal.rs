//! Secrets sealed at rest with authenticated encryption under rotating key-encryption keys.
//!
//! The server must keep some secrets readable to do its job: secret access keys to verify
//! signatures and TOTP seeds to check codes. They are stored only in sealed form: AES-256-GCM
//! under a key-encryption key (KEK) whose id is written in the sealed text, so a [`Keyring`]
//! can still open records sealed under older keys after the current key changes.
//!
//! Sealed text is `v1.<key id>.<base64url of nonce, ciphertext and tag>`. The associated data
//! binds the format version, the key id and a caller-chosen context (such as the access key
//! id), so a sealed value copied to another record or relabelled with another key id fails to
//! open.

use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use iam_model::RandomSource;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::AuthError;

/// The length of a key-encryption key, in bytes.
pub const KEY_LEN: usize = 32;

/// The maximum length of a secret to seal, in bytes.
pub const MAX_PLAINTEXT_LEN: usize = 4096;

/// The maximum length of a key id, in characters.
const MAX_KEY_ID_LEN: usize = 64;

/// The prefix of the current sealed format.
const FORMAT_VERSION: &str = "v1";

/// The domain-separation label at the start of the associated data.
const AAD_LABEL: &[u8] = b"iam-auth sealed secret v1";

/// The length of the AES-GCM tag, in bytes.
const TAG_LEN: usize = 16;

/// A key-encryption key with its id.
pub struct KeyEncryptionKey {
    id: String,
    key: LessSafeKey,
}

impl KeyEncryptionKey {
    /// Creates a key from 32 bytes of key material.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidKeyId`] for a bad id and [`AuthError::InvalidKeyEncryptionKey`]
    /// for key material that is not 32 bytes long.
    pub fn new(id: impl Into<String>, key_material: &[u8]) -> Result<Self, AuthError> {
        let id = id.into();
        check_key_id(&id)?;
        if key_material.len() != KEY_LEN {
            return Err(AuthError::InvalidKeyEncryptionKey {
                key_id: id,
                reason: "expected 32 bytes of key material",
            });
        }
        let key = UnboundKey::new(&AES_256_GCM, key_material).map_err(|_| {
            AuthError::InvalidKeyEncryptionKey {
                key_id: id.clone(),
                reason: "AES-256-GCM rejected the key material",
            }
        })?;
        Ok(Self {
            id,
            key: LessSafeKey::new(key),
        })
    }

    /// Generates a key from `random`.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidKeyId`] for a bad id.
    pub fn generate(id: impl Into<String>, random: &dyn RandomSource) -> Result<Self, AuthError> {
        let mut key_material = [0u8; KEY_LEN];
        random.fill(&mut key_material);
        Self::new(id, &key_material)
    }

    /// Returns the key id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEncryptionKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A secret in sealed form, safe to store and to print.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SealedSecret(String);

impl SealedSecret {
    /// Wraps sealed text read back from storage; [`Keyring::open`] checks it.
    pub fn from_stored(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// Returns the sealed text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the id of the key the secret was sealed under, if the text is well formed.
    pub fn key_id(&self) -> Option<&str> {
        let mut parts = self.0.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(FORMAT_VERSION), Some(key_id), Some(_)) => Some(key_id),
            _ => None,
        }
    }
}

/// An opened secret. Its `Debug` output is `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Returns the secret bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Converts the secret to text.
    ///
    /// # Errors
    ///
    /// [`AuthError::MalformedSealedSecret`] when the bytes are not UTF-8.
    pub fn into_string(self) -> Result<String, AuthError> {
        String::from_utf8(self.0)
            .map_err(|_| AuthError::MalformedSealedSecret("the opened secret is not UTF-8"))
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes(***)")
    }
}

/// The key-encryption keys of a deployment: one current key that seals, and older keys that
/// still open what they sealed.
#[derive(Debug)]
pub struct Keyring {
    current: String,
    keys: HashMap<String, KeyEncryptionKey>,
}

impl Keyring {
    /// Creates a keyring that seals with `current`.
    pub fn new(current: KeyEncryptionKey) -> Self {
        let id = current.id.clone();
        Self {
            current: id.clone(),
            keys: HashMap::from([(id, current)]),
        }
    }

    /// Adds an older key that opens secrets but seals none.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidKeyEncryptionKey`] when the keyring already contains a key with the
    /// same id, the current key included. Replacing it would make every secret sealed under
    /// the old key material fail to open.
    pub fn with_retired_key(mut self, key: KeyEncryptionKey) -> Result<Self, AuthError> {
        self.check_unused_id(&key)?;
        self.keys.insert(key.id.clone(), key);
        Ok(self)
    }

    /// Makes `key` the current key; the previous current key stays to open old secrets.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidKeyEncryptionKey`] when the keyring already contains a key with the
    /// same id, so a rotation never replaces key material. The keyring is left unchanged.
    pub fn rotate(&mut self, key: KeyEncryptionKey) -> Result<(), AuthError> {
        self.check_unused_id(&key)?;
        self.current = key.id.clone();
        self.keys.insert(key.id.clone(), key);
        Ok(())
    }

    fn check_unused_id(&self, key: &KeyEncryptionKey) -> Result<(), AuthError> {
        if self.keys.contains_key(&key.id) {
            return Err(AuthError::InvalidKeyEncryptionKey {
                key_id: key.id.clone(),
                reason: "the keyring already contains a key with this id; give the new key an \
                         unused id",
            });
        }
        Ok(())
    }

    /// Returns the id of the key that seals.
    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    /// Seals `secret` under the current key, bound to `context`, with a random nonce.
    ///
    /// `context` names the record the secret belongs to, such as an access key id; the same
    /// context must be given to [`Keyring::open`].
    ///
    /// # Errors
    ///
    /// [`AuthError::MalformedSealedSecret`] when `secret` is longer than
    /// [`MAX_PLAINTEXT_LEN`].
    pub fn seal(
        &self,
        secret: &[u8],
        context: &[u8],
        random: &dyn RandomSource,
    ) -> Result<SealedSecret, AuthError> {
        if secret.len() > MAX_PLAINTEXT_LEN {
            return Err(AuthError::MalformedSealedSecret(
                "the secret to seal is longer than 4096 bytes",
            ));
        }
        let key = self
            .keys
            .get(&self.current)
            .ok_or_else(|| AuthError::UnknownKeyId(self.current.clone()))?;
        let mut nonce = [0u8; NONCE_LEN];
        random.fill(&mut nonce);

        let mut sealed = Vec::with_capacity(NONCE_LEN + secret.len() + TAG_LEN);
        sealed.extend_from_slice(&nonce);
        let mut in_out = secret.to_vec();
        key.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data(&key.id, context)),
                &mut in_out,
            )
            .map_err(|_| AuthError::MalformedSealedSecret("AES-256-GCM failed to seal"))?;
        sealed.extend_from_slice(&in_out);

        Ok(SealedSecret(format!(
            "{FORMAT_VERSION}.{}.{}",
            key.id,
            URL_SAFE_NO_PAD.encode(sealed)
        )))
    }

    /// Opens a sealed secret with the key its text names, checking that it was sealed with
    /// the same `context`.
    ///
    /// # Errors
    ///
    /// [`AuthError::MalformedSealedSecret`] for text not in the sealed format,
    /// [`AuthError::UnknownKeyId`] when the keyring lacks the key, and
    /// [`AuthError::SealedSecretTampered`] when authentication fails.
    pub fn open(&self, sealed: &SealedSecret, context: &[u8]) -> Result<SecretBytes, AuthError> {
        let mut parts = sealed.0.splitn(3, '.');
        let (Some(version), Some(key_id), Some(payload)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::MalformedSealedSecret(
                "expected `v1.<key id>.<payload>`",
            ));
        };
        if version != FORMAT_VERSION {
            return Err(AuthError::MalformedSealedSecret(
                "unsupported format version",
            ));
        }
        let key = self
            .keys
            .get(key_id)
            .ok_or_else(|| AuthError::UnknownKeyId(key_id.to_owned()))?;
        let max_encoded_len = (NONCE_LEN + MAX_PLAINTEXT_LEN + TAG_LEN) * 4 / 3 + 4;
        if payload.len() > max_encoded_len {
            return Err(AuthError::MalformedSealedSecret("the payload is too long"));
        }
        let decoded = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| AuthError::MalformedSealedSecret("the payload is not base64url"))?;
        if decoded.len() < NONCE_LEN + TAG_LEN {
            return Err(AuthError::MalformedSealedSecret("the payload is too short"));
        }
        let (nonce, ciphertext) = decoded.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| AuthError::MalformedSealedSecret("the nonce has the wrong length"))?;

        let mut in_out = ciphertext.to_vec();
        let plaintext = key
            .key
            .open_in_place(
                nonce,
                Aad::from(associated_data(key_id, context)),
                &mut in_out,
            )
            .map_err(|_| AuthError::SealedSecretTampered(key_id.to_owned()))?;
        Ok(SecretBytes(plaintext.to_vec()))
    }

    /// Returns whether `sealed` was sealed under a key other than the current one, so it
    /// should be opened and sealed again.
    pub fn needs_reseal(&self, sealed: &SealedSecret) -> bool {
        sealed.key_id() != Some(self.current.as_str())
    }
}

fn associated_data(key_id: &str, context: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(AAD_LABEL.len() + key_id.len() + context.len() + 2);
    data.extend_from_slice(AAD_LABEL);
    data.push(0);
    data.extend_from_slice(key_id.as_bytes());
    data.push(0);
    data.extend_from_slice(context);
    data
}

fn check_key_id(id: &str) -> Result<(), AuthError> {
    let is_valid = !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_'));
    if is_valid {
        Ok(())
    } else {
        Err(AuthError::InvalidKeyId(id.to_owned()))
    }
}

#[cfg(test)]
mod tests;
