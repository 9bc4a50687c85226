//! The production clock.

use iam_model::Clock;
use jiff::Timestamp;

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
