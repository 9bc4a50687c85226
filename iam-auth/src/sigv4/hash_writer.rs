//! A [`TextSink`] that hashes text as it is written, so the verifier never builds the
//! canonical request or the string to sign as a string.

use crate::encoding::{TextSink, encode_hex};

/// The size of the stack buffer in front of the hash, in bytes: four SHA-256 blocks, which
/// holds a typical IAM or STS canonical request whole.
const BUFFER_LEN: usize = 256;

/// A hash computation that takes input in pieces: SHA-256 or HMAC-SHA256.
pub(crate) trait HashUpdate {
    /// Adds `data` to the hashed input.
    fn update(&mut self, data: &[u8]);
}

/// Feeds written text to a hash through a stack buffer.
///
/// A canonical request arrives in dozens of pieces of a few bytes each. Each call of a hash's
/// `update` has a fixed cost, so the pieces are gathered into [`BUFFER_LEN`] bytes first and
/// reach the hash in one call per buffer. The memory used does not grow with the text.
pub(crate) struct HashWriter<H> {
    hash: H,
    buffer: [u8; BUFFER_LEN],
    len: usize,
}

impl<H: HashUpdate> HashWriter<H> {
    /// Creates a writer in front of `hash`.
    pub(crate) fn new(hash: H) -> Self {
        Self {
            hash,
            buffer: [0; BUFFER_LEN],
            len: 0,
        }
    }

    /// Hands the buffered text to the hash and returns the hash, ready to finish.
    pub(crate) fn into_hash(mut self) -> H {
        self.flush();
        self.hash
    }

    fn flush(&mut self) {
        self.hash
            .update(self.buffer.get(..self.len).unwrap_or_default());
        self.len = 0;
    }
}

impl<H: HashUpdate> TextSink for HashWriter<H> {
    fn push_str(&mut self, text: &str) {
        let bytes = text.as_bytes();
        if let Some(free) = self.buffer.get_mut(self.len..self.len + bytes.len()) {
            free.copy_from_slice(bytes);
            self.len += bytes.len();
            return;
        }
        self.flush();
        match self.buffer.get_mut(..bytes.len()) {
            Some(free) => {
                free.copy_from_slice(bytes);
                self.len = bytes.len();
            }
            // Text longer than the buffer goes to the hash directly.
            None => self.hash.update(bytes),
        }
    }

    fn push(&mut self, character: char) {
        if character.is_ascii()
            && let Some(slot) = self.buffer.get_mut(self.len)
        {
            // INVARIANT (ascii): an ASCII character is one byte of UTF-8.
            *slot = character as u8;
            self.len += 1;
            return;
        }
        self.push_str(character.encode_utf8(&mut [0u8; 4]));
    }

    fn push_hex(&mut self, bytes: &[u8]) {
        // The digits go straight into the buffer, half a buffer of bytes at a time.
        for chunk in bytes.chunks(BUFFER_LEN / 2) {
            let digits_len = chunk.len() * 2;
            if self.len + digits_len > BUFFER_LEN {
                self.flush();
            }
            if let Some(free) = self.buffer.get_mut(self.len..self.len + digits_len) {
                encode_hex(chunk, free);
                self.len += digits_len;
            }
        }
    }
}

#[cfg(test)]
mod tests;
