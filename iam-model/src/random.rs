//! The injected source of random bytes.

use std::sync::Mutex;

/// A source of random bytes for ids, secrets, salts and nonces.
///
/// Production code passes a cryptographically secure source; tests pass [`SeededRandom`].
pub trait RandomSource: Send + Sync {
    /// Fills `buffer` with random bytes.
    fn fill(&self, buffer: &mut [u8]);
}

/// A deterministic source for tests: the same seed always yields the same bytes.
///
/// It uses the SplitMix64 generator, which is fast and well distributed but not
/// cryptographically secure, so it must never produce real secrets.
#[derive(Debug)]
pub struct SeededRandom {
    state: Mutex<u64>,
}

impl SeededRandom {
    /// Creates a source that starts from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: Mutex::new(seed),
        }
    }

    fn next_u64(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl RandomSource for SeededRandom {
    fn fill(&self, buffer: &mut [u8]) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for chunk in buffer.chunks_mut(8) {
            let bytes = Self::next_u64(&mut state).to_le_bytes();
            for (target, source) in chunk.iter_mut().zip(bytes) {
                *target = source;
            }
        }
    }
}
