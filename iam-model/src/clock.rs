//! The injected source of the current time.

use jiff::Timestamp;

/// A source of the current time.
///
/// Every crate that needs "now" takes a `Clock` at construction, so tests can fix time. The one
/// implementation that reads the system clock lives in the server binary.
pub trait Clock: Send + Sync {
    /// Returns the current time.
    fn now(&self) -> Timestamp;
}

/// A clock that always returns the time it was set to, for tests.
#[derive(Debug)]
pub struct FixedClock {
    now: std::sync::Mutex<Timestamp>,
}

impl FixedClock {
    /// Creates a clock stopped at `now`.
    pub fn new(now: Timestamp) -> Self {
        Self {
            now: std::sync::Mutex::new(now),
        }
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: Timestamp) {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = now;
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now = now
            .saturating_add(jiff::SignedDuration::from_secs(seconds))
            .unwrap_or(*now);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
