//! Integration tests of iam-store: the conformance kit on both backends, sled durability and
//! format checks, a crash test, and a property test comparing the two backends.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers of tests fail loudly on any unexpected error"
)]

mod backends_agree;
mod conformance;
mod crash;
mod sled_store;
