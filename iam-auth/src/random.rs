//! The production random sources: the operating system's generator, and a thread-local
//! generator seeded from it for hot paths.

use iam_model::RandomSource;
use rand::Rng;
use ring::rand::{SecureRandom, SystemRandom};

/// Cryptographically secure random bytes from the operating system, through
/// `ring::rand::SystemRandom`.
///
/// Each [`RandomSource::fill`] is a system call. [`ThreadRandomSource`] avoids that for paths
/// that draw on every request; tests use `iam_model::SeededRandom`.
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

/// Cryptographically secure random bytes from `rand`'s thread-local generator: ChaCha12,
/// seeded from the operating system and reseeded from it after every 64 KiB of output
/// (rand 0.10's `ThreadRng`).
///
/// A draw costs a few dozen nanoseconds instead of a system call, which is what issuing a
/// session token per request needs.
#[derive(Debug, Default, Clone, Copy)]
pub struct ThreadRandomSource;

impl ThreadRandomSource {
    /// Creates a source. Each thread seeds its generator on its first draw.
    pub fn new() -> Self {
        Self
    }
}

impl RandomSource for ThreadRandomSource {
    /// Fills `buffer` from this thread's generator.
    ///
    /// # Panics
    ///
    /// Panics when seeding or reseeding from the operating system's generator fails, as
    /// [`SystemRandomSource`] does.
    fn fill(&self, buffer: &mut [u8]) {
        rand::rng().fill_bytes(buffer);
    }
}

#[cfg(test)]
mod tests;
