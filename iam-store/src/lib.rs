//! Storage of all IAM state behind async traits that a team can implement for its own database, with an in-memory backend, a sled backend on disk, and a conformance kit that any backend runs.
//!
//! This crate is still being built; its public items arrive with its first feature.
