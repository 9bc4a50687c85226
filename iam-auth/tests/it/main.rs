//! Integration tests of `iam-auth` against the public SigV4 suites, RFC vectors and the
//! documented AWS behaviour cases.

// Helpers outside `#[test]` functions panic on bad corpus data, which is what a test should do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod behaviour_cases;
mod botocore_interop;
mod corpus;
mod regressions;
mod sigv4_suites;
mod vectors;
