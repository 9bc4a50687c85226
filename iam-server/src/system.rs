//! The production clock and random source.

use iam_model::{Clock, RandomSource};
use jiff::Timestamp;
use ring::rand::SecureRandom;

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one production clock, injected everywhere else"
    )]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The operating system's cryptographically secure random source, through ring.
// TODO: Switch to the `RandomSource` that `iam-auth` provides once it lands, so the
// workspace keeps one production implementation.
#[derive(Debug)]
pub struct SystemRandom {
    inner: ring::rand::SystemRandom,
}

impl SystemRandom {
    /// Creates the source.
    pub fn new() -> Self {
        Self {
            inner: ring::rand::SystemRandom::new(),
        }
    }
}

impl Default for SystemRandom {
    fn default() -> Self {
        Self::new()
    }
}

impl RandomSource for SystemRandom {
    fn fill(&self, buffer: &mut [u8]) {
        if self.inner.fill(buffer).is_err() {
            // NOTE: ring fails only when the operating system has no entropy source. No secret
            // can be made safely then, so the process stops.
            std::process::abort();
        }
    }
}
