//! Chunk signatures of Amazon S3 `aws-chunked` uploads, which chain from the request signature.

use jiff::Timestamp;

use super::CredentialScope;
use super::sha256::HmacKey;
use super::signature_fields::format_amz_date;
use super::signing_key::derive_signing_key;
use crate::AuthError;
use crate::access_key::SecretAccessKey;
use crate::encoding::{TextSink, constant_time_eq, decode_lower_hex, to_hex};

/// The algorithm line of a chunk's string to sign.
const CHUNK_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";

/// The chain of chunk signatures of one streaming upload.
///
/// Each chunk's string to sign contains the previous signature, starting from the seed
/// signature of the request (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`), so a reordered or replaced
/// chunk fails. The upload ends with an empty chunk, and the caller must check that it came,
/// because a chain cut short verifies up to the cut.
pub struct ChunkSignatures {
    key: HmacKey,
    amz_date: String,
    scope: CredentialScope,
    previous: [u8; 32],
}

impl ChunkSignatures {
    /// Starts the chain after the request whose signature is `seed_signature`.
    ///
    /// # Errors
    ///
    /// [`AuthError::IncompleteSignature`] when `seed_signature` is not 64 lower-case hex digits.
    pub fn new(
        secret: &SecretAccessKey,
        scope: &CredentialScope,
        signed_at: Timestamp,
        seed_signature: &str,
    ) -> Result<Self, AuthError> {
        let mut previous = [0u8; 32];
        decode_lower_hex(seed_signature, &mut previous).ok_or_else(|| {
            AuthError::IncompleteSignature(
                "the seed signature is not 64 lower-case hex digits".to_owned(),
            )
        })?;
        Ok(Self {
            key: derive_signing_key(secret, scope.borrowed()),
            amz_date: format_amz_date(signed_at),
            scope: scope.clone(),
            previous,
        })
    }

    /// Signs the next chunk and returns its signature in lower-case hex.
    pub fn sign_next(&mut self, chunk: &[u8]) -> String {
        let tag = self.key.sign(self.string_to_sign(chunk).as_bytes());
        self.previous = tag;
        to_hex(&tag)
    }

    /// Checks the signature of the next chunk in constant time and moves the chain forward.
    ///
    /// # Errors
    ///
    /// [`AuthError::SignatureDoesNotMatch`] when the signature is wrong; the chain then stays
    /// where it was.
    pub fn verify_next(&mut self, chunk: &[u8], signature: &str) -> Result<(), AuthError> {
        let mut provided = [0u8; 32];
        let mismatch =
            || AuthError::SignatureDoesNotMatch("the chunk signature does not match".to_owned());
        decode_lower_hex(signature, &mut provided).ok_or_else(mismatch)?;
        let expected = self.key.sign(self.string_to_sign(chunk).as_bytes());
        if !constant_time_eq(&expected, &provided) {
            return Err(mismatch());
        }
        self.previous = provided;
        Ok(())
    }

    fn string_to_sign(&self, chunk: &[u8]) -> String {
        let mut out = String::with_capacity(300);
        out.push_str(CHUNK_ALGORITHM);
        out.push('\n');
        out.push_str(&self.amz_date);
        out.push('\n');
        out.push_str(&self.scope.to_string());
        out.push('\n');
        out.push_hex(&self.previous);
        out.push('\n');
        out.push_str(super::EMPTY_PAYLOAD_SHA256);
        out.push('\n');
        out.push_hex(super::canonical::sha256(chunk).as_ref());
        out
    }
}

impl std::fmt::Debug for ChunkSignatures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkSignatures")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}
