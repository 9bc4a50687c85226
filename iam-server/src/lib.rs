//! The IAM and STS server: decodes AWS Query API requests, calls the crates below, and encodes their answers as the AWS SDKs expect.
//!
//! This crate is still being built; its public items arrive with its first feature.
