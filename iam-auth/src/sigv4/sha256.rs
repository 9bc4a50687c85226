//! SHA-256 and HMAC-SHA256 (RFC 2104) computed on SHA-256's compression function, for SigV4's
//! key derivation, signatures and payload hashes.
//!
//! SigV4 derives a signing key with four HMACs of short messages, each keyed by the previous
//! result. A general HMAC API pads and hashes the key into a fresh key object at every step and
//! then runs a buffered hash over a few bytes. Here a key is kept as its two compressed pad
//! blocks ([`HmacKey`]), and a message of up to 55 bytes costs exactly two compressions, the
//! minimum: its one padded inner block and the outer block. `sha2`'s `compress256` uses the
//! CPU's SHA extensions where present. The plain SHA-256 here serves the canonical request and
//! the body, so the whole verification hashes without a general hash API's dispatch.

use sha2::block_api::compress256;

use super::HashUpdate;

/// The SHA-256 block length, in bytes.
const BLOCK_LEN: usize = 64;

/// The SHA-256 output length, in bytes.
pub(crate) const OUTPUT_LEN: usize = 32;

/// The SHA-256 initial hash value (FIPS 180-4, section 5.3.3).
const INITIAL_STATE: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The byte of the inner pad.
const INNER_PAD: u8 = 0x36;

/// The byte of the outer pad.
const OUTER_PAD: u8 = 0x5c;

/// Returns the SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; OUTPUT_LEN] {
    let mut hash = Sha256::new();
    hash.update(bytes);
    hash.finish()
}

/// A SHA-256 computation whose input arrives in pieces.
#[derive(Clone)]
pub(crate) struct Sha256 {
    state: [u32; 8],
    buffer: [u8; BLOCK_LEN],
    /// The bytes of `buffer` in use, always under [`BLOCK_LEN`].
    buffered: usize,
    /// The length of the input so far, in bytes.
    total_len: u64,
}

impl Sha256 {
    /// Starts a hash of nothing yet.
    pub(crate) fn new() -> Self {
        Self::resume(INITIAL_STATE, 0)
    }

    /// Continues a hash whose first `total_len` bytes, a whole number of blocks, led to `state`.
    fn resume(state: [u32; 8], total_len: u64) -> Self {
        Self {
            state,
            buffer: [0; BLOCK_LEN],
            buffered: 0,
            total_len,
        }
    }

    /// Pads the input and returns its hash: one more compression when the buffered bytes and
    /// the 9 bytes of padding fit a block, else two.
    pub(crate) fn finish(self) -> [u8; OUTPUT_LEN] {
        const LENGTH_OFFSET: usize = BLOCK_LEN - 8;
        let Self {
            mut state,
            mut buffer,
            buffered,
            total_len,
        } = self;
        if let Some(tail) = buffer.get_mut(buffered..) {
            tail.fill(0);
        }
        if let Some(marker) = buffer.get_mut(buffered) {
            *marker = 0x80;
        }
        if buffered >= LENGTH_OFFSET {
            compress256(&mut state, &[buffer]);
            buffer = [0; BLOCK_LEN];
        }
        if let Some(length) = buffer.get_mut(LENGTH_OFFSET..) {
            length.copy_from_slice(&(total_len * 8).to_be_bytes());
        }
        compress256(&mut state, &[buffer]);

        let mut hash = [0u8; OUTPUT_LEN];
        for (bytes, word) in hash.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        hash
    }
}

impl HashUpdate for Sha256 {
    fn update(&mut self, mut data: &[u8]) {
        self.total_len += data.len() as u64;
        if self.buffered > 0 {
            let copied_len = data.len().min(BLOCK_LEN - self.buffered);
            let (head, rest) = data.split_at(copied_len);
            if let Some(free) = self
                .buffer
                .get_mut(self.buffered..self.buffered + copied_len)
            {
                free.copy_from_slice(head);
            }
            self.buffered += copied_len;
            data = rest;
            if self.buffered < BLOCK_LEN {
                return;
            }
            compress256(&mut self.state, &[self.buffer]);
            self.buffered = 0;
        }

        // Whole blocks are compressed where they lie, without a copy.
        let (blocks, rest) = data.as_chunks::<BLOCK_LEN>();
        compress256(&mut self.state, blocks);
        if let Some(start) = self.buffer.get_mut(..rest.len()) {
            start.copy_from_slice(rest);
        }
        self.buffered = rest.len();
    }
}

/// An HMAC-SHA256 key: the SHA-256 states after the key's inner and outer pad blocks.
#[derive(Clone)]
pub(crate) struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacKey {
    /// Prepares `key`. A key longer than the 64-byte block is hashed first, as RFC 2104 requires.
    pub(crate) fn new(key: &[u8]) -> Self {
        let hashed;
        let key = if key.len() > BLOCK_LEN {
            hashed = sha256(key);
            hashed.as_slice()
        } else {
            key
        };
        Self {
            inner: pad_state(key, INNER_PAD),
            outer: pad_state(key, OUTER_PAD),
        }
    }

    /// Returns the HMAC of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; OUTPUT_LEN] {
        let mut context = self.context();
        context.update(message);
        context.sign()
    }

    /// Starts an HMAC computation whose message arrives in pieces.
    pub(crate) fn context(&self) -> HmacContext {
        HmacContext {
            // Both hashes have already taken their pad block.
            inner: Sha256::resume(self.inner, BLOCK_LEN as u64),
            outer: self.outer,
        }
    }
}

/// An HMAC-SHA256 computation in progress.
pub(crate) struct HmacContext {
    inner: Sha256,
    outer: [u32; 8],
}

impl HmacContext {
    /// Finishes the inner hash and returns the HMAC.
    pub(crate) fn sign(self) -> [u8; OUTPUT_LEN] {
        let inner_hash = self.inner.finish();
        let mut outer = Sha256::resume(self.outer, BLOCK_LEN as u64);
        outer.update(&inner_hash);
        outer.finish()
    }
}

impl HashUpdate for HmacContext {
    fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }
}

/// Returns the SHA-256 state after one block of `key` padded with zeros and XORed with `pad`.
fn pad_state(key: &[u8], pad: u8) -> [u32; 8] {
    let mut block = [pad; BLOCK_LEN];
    for (byte, key_byte) in block.iter_mut().zip(key) {
        *byte ^= key_byte;
    }
    let mut state = INITIAL_STATE;
    compress256(&mut state, &[block]);
    state
}

#[cfg(test)]
mod tests;
