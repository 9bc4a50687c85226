//! Temporary credentials: self-contained session tokens sealed with authenticated encryption, and the STS operations that issue them.
//!
//! This crate is still being built; its public items arrive with its first feature.
