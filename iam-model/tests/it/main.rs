//! Integration tests of `iam-model`: validation against AWS's API models, ARNs and policies
//! from the shared test corpus, round trips, and the serialized form of every entity.

// Clippy allows these in `#[test]` functions only, not in the helpers beside them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failed unwrap or index fails the test, which is what a test should do"
)]

mod arn;
mod botocore;
mod corpus;
mod entities;

/// Reads a JSON file of the shared test corpus, failing the test if it is missing.
fn read_corpus_json(relative_path: &str) -> serde_json::Value {
    let path = format!(
        "{}/../../shared/corpus/{relative_path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read test corpus file {path}: {error}"));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("test corpus file {path} is not JSON: {error}"))
}
