//! The production random source, backed by the operating system.

use iam_model::RandomSource;
use ring::rand::{SecureRandom, SystemRandom};

/// Cryptographically secure random bytes from the operating system, through
/// `ring::rand::SystemRandom`.
///
/// This is the workspace's one real [`RandomSource`]; tests use `iam_model::SeededRandom`.
#[derive(Debug)]
pub struct SystemRandomSource {
    inner: SystemRandom,
}

impl SystemRandomSource {
    /// The number of times a failed read of the operating system's generator is retried.
    const RETRIES: usize = 3;

    /// Creates a source.
    pub fn new() -> Self {
        Self {
            inner: SystemRandom::new(),
        }
    }
}

impl Default for SystemRandomSource {
    fn default() -> Self {
        Self::new()
    }
}

impl RandomSource for SystemRandomSource {
    /// Fills `buffer` from the operating system's generator.
    ///
    /// # Panics
    ///
    /// Panics when the operating system's generator fails several times in a row, because
    /// every caller needs unpredictable bytes for a secret and there is no safe fallback.
    fn fill(&self, buffer: &mut [u8]) {
        for _ in 0..Self::RETRIES {
            if self.inner.fill(buffer).is_ok() {
                return;
            }
        }
        #[expect(
            clippy::panic,
            reason = "secrets made from predictable bytes are worse than a failed request"
        )]
        {
            panic!("the operating system's random generator failed");
        }
    }
}
