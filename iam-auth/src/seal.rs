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

use base64_simd::{Out, URL_SAFE_NO_PAD};
use iam_model::RandomSource;
use ring::aead::{self, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

use crate::AuthError;

/// The length of a key-encryption key, in bytes.
pub const KEY_LEN: usize = 32;

/// The maximum length of a secret to seal, in bytes.
pub const MAX_PLAINTEXT_LEN: usize = 4096;

/// The length of an AES-GCM nonce, in bytes, as [`Keyring::seal_with_nonce`] takes it.
pub const NONCE_LEN: usize = aead::NONCE_LEN;

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

    /// Returns the sealed text, without a copy.
    pub fn into_string(self) -> String {
        self.0
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
        let mut nonce = [0u8; NONCE_LEN];
        random.fill(&mut nonce);
        self.seal_with_nonce(secret, context, nonce)
    }

    /// Seals `secret` like [`Keyring::seal`], with a nonce the caller drew, so a caller that
    /// needs other random bytes too can take them all from one draw.
    ///
    /// `nonce` must be fresh random bytes from a cryptographically secure source for every
    /// call. Sealing two secrets under the same key and nonce reveals their XOR and lets an
    /// attacker forge sealed text.
    ///
    /// # Errors
    ///
    /// [`AuthError::MalformedSealedSecret`] when `secret` is longer than
    /// [`MAX_PLAINTEXT_LEN`].
    pub fn seal_with_nonce(
        &self,
        secret: &[u8],
        context: &[u8],
        nonce: [u8; NONCE_LEN],
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

        // The payload is the nonce, then the ciphertext sealed in place, then the tag.
        let mut stack_buffer = [0_u8; STACK_PAYLOAD_LEN];
        let mut heap_buffer = Vec::new();
        let payload = payload_buffer(
            &mut stack_buffer,
            &mut heap_buffer,
            NONCE_LEN + secret.len() + TAG_LEN,
        );
        let (nonce_part, rest) = payload.split_at_mut(NONCE_LEN);
        let (ciphertext, tag_part) = rest.split_at_mut(secret.len());
        nonce_part.copy_from_slice(&nonce);
        ciphertext.copy_from_slice(secret);
        let tag = with_associated_data(&key.id, context, |associated_data| {
            key.key.seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data),
                ciphertext,
            )
        })
        .map_err(|_| AuthError::MalformedSealedSecret("AES-256-GCM failed to seal"))?;
        tag_part.copy_from_slice(tag.as_ref());

        let encoded_len = URL_SAFE_NO_PAD.encoded_length(payload.len());
        let mut text = String::with_capacity(FORMAT_VERSION.len() + key.id.len() + 2 + encoded_len);
        text.push_str(FORMAT_VERSION);
        text.push('.');
        text.push_str(&key.id);
        text.push('.');
        URL_SAFE_NO_PAD.encode_append(&*payload, &mut text);
        Ok(SealedSecret(text))
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
        self.open_text(&sealed.0, context)
    }

    /// Opens sealed text like [`Keyring::open`], without first copying it into a
    /// [`SealedSecret`].
    ///
    /// # Errors
    ///
    /// As for [`Keyring::open`].
    pub fn open_text(&self, sealed: &str, context: &[u8]) -> Result<SecretBytes, AuthError> {
        self.open_text_with(sealed, context, |plaintext| SecretBytes(plaintext.to_vec()))
    }

    /// Opens sealed text like [`Keyring::open_text`] and passes the secret to `read` instead of
    /// returning it. A secret of up to 996 bytes is opened in a buffer on the stack, so a
    /// caller that only decodes it allocates nothing here.
    ///
    /// # Errors
    ///
    /// As for [`Keyring::open`].
    pub fn open_text_with<T>(
        &self,
        sealed: &str,
        context: &[u8],
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, AuthError> {
        let malformed = || AuthError::MalformedSealedSecret("expected `v1.<key id>.<payload>`");
        let (version, rest) = sealed.split_once('.').ok_or_else(malformed)?;
        let (key_id, payload) = rest.split_once('.').ok_or_else(malformed)?;
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
        let not_base64 = |_| AuthError::MalformedSealedSecret("the payload is not base64url");
        let decoded_len = URL_SAFE_NO_PAD
            .decoded_length(payload.as_bytes())
            .map_err(not_base64)?;
        if decoded_len < NONCE_LEN + TAG_LEN {
            return Err(AuthError::MalformedSealedSecret("the payload is too short"));
        }

        let mut stack_buffer = [0_u8; STACK_PAYLOAD_LEN];
        let mut heap_buffer = Vec::new();
        let buffer = payload_buffer(&mut stack_buffer, &mut heap_buffer, decoded_len);
        let decoded = URL_SAFE_NO_PAD
            .decode(payload.as_bytes(), Out::from_slice(buffer))
            .map_err(not_base64)?;
        let (nonce, ciphertext) = decoded.split_at_mut(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| AuthError::MalformedSealedSecret("the nonce has the wrong length"))?;
        let plaintext = with_associated_data(key_id, context, |associated_data| {
            key.key
                .open_in_place(nonce, Aad::from(associated_data), ciphertext)
        })
        .map_err(|_| AuthError::SealedSecretTampered(key_id.to_owned()))?;
        Ok(read(plaintext))
    }

    /// Returns whether `sealed` was sealed under a key other than the current one, so it
    /// should be opened and sealed again.
    pub fn needs_reseal(&self, sealed: &SealedSecret) -> bool {
        sealed.key_id() != Some(self.current.as_str())
    }
}

/// The maximum length of a payload, nonce and tag included, that [`Keyring::seal_with_nonce`]
/// builds and [`Keyring::open_text_with`] decodes on the stack. Longer payloads use the heap.
const STACK_PAYLOAD_LEN: usize = 1024;

/// Returns `len` bytes of `stack_buffer`, or of `heap_buffer` grown to `len` when the stack
/// buffer is shorter, so payloads up to [`STACK_PAYLOAD_LEN`] bytes need no allocation.
fn payload_buffer<'a>(
    stack_buffer: &'a mut [u8; STACK_PAYLOAD_LEN],
    heap_buffer: &'a mut Vec<u8>,
    len: usize,
) -> &'a mut [u8] {
    match stack_buffer.get_mut(..len) {
        Some(buffer) => buffer,
        None => {
            heap_buffer.resize(len, 0);
            heap_buffer.as_mut_slice()
        }
    }
}

/// The maximum length of associated data built on the stack. Longer contexts use the heap.
const STACK_ASSOCIATED_DATA_LEN: usize = 160;

/// Builds the associated data, the label, the key id and the context, each followed by a zero
/// byte except the last, and passes it to `use_data`.
fn with_associated_data<T>(key_id: &str, context: &[u8], use_data: impl FnOnce(&[u8]) -> T) -> T {
    let len = AAD_LABEL.len() + key_id.len() + context.len() + 2;
    let parts: [&[u8]; 5] = [AAD_LABEL, &[0], key_id.as_bytes(), &[0], context];
    if len > STACK_ASSOCIATED_DATA_LEN {
        return use_data(&parts.concat());
    }
    let mut buffer = [0u8; STACK_ASSOCIATED_DATA_LEN];
    let mut end = 0;
    for part in parts {
        let start = end;
        end += part.len();
        if let Some(target) = buffer.get_mut(start..end) {
            target.copy_from_slice(part);
        }
    }
    use_data(buffer.get(..end).unwrap_or_default())
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
