//! The IAM policy language: parsing documents with source positions, validating them per policy kind, and evaluating requests against every policy type with an explanation of each decision.
//!
//! It is pure: no I/O, no clock reads, no logging. The request time arrives as data.
//!
//! This crate is still being built; its public items arrive with its first feature.
