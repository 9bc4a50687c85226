//! Integration tests of the STS operations against the in-memory store, real TOTP codes and
//! real sealing keys, including the STS cases of the shared behaviour catalogue.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "helpers of tests fail loudly on any unexpected error"
)]

mod assume_role;
mod behaviour_cases;
mod federation;
mod fixture;
mod session_token;
mod web_identity;
