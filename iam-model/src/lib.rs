//! Domain types of the IAM service, with no I/O.
//!
//! This crate holds what every other crate of the workspace speaks in: account ids and
//! partitions ([`AccountId`], [`Partition`]), Amazon Resource Names ([`Arn`]), and the
//! [`Clock`] and [`RandomSource`] traits through which time and randomness are injected.
//!
//! It deliberately does no I/O, reads no clock, draws no system randomness and logs nothing:
//! callers pass time and random bytes in, so every function here is deterministic.
//!
//! Start reading at [`Arn`].

mod account;
mod arn;
mod clock;
mod error;
mod random;

pub use account::{AccountId, Partition};
pub use arn::Arn;
pub use clock::{Clock, FixedClock};
pub use error::ModelError;
pub use random::{RandomSource, SeededRandom};
