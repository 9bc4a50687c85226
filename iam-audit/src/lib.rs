//! The audit trail: one CloudTrail-shaped event for every call and decision, appended to hash-chained segments on disk with signed digests, and a verifier that finds any change to the log.
//!
//! This crate is still being built; its public items arrive with its first feature.
