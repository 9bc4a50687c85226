//! Parses, round-trips and validates the policies of other Rust IAM policy engines' test suites.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on missing or malformed corpus data"
)]

use std::fs;

use iam_policy::{PolicyDocument, PolicyError, PolicyKind, ValidationOptions, validate_policy};

use crate::support::{assert_no_failures, json_file_names, shared_path};

/// Returns every `*.json` file of a corpus folder as (name, text), sorted by name.
fn json_files(relative: &str) -> Vec<(String, String)> {
    json_file_names(relative)
        .into_iter()
        .map(|name| {
            let path = shared_path(&format!("{relative}/{name}"));
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()));
            (name, text)
        })
        .collect()
}

/// Picks the policy kind from the document: a statement with a principal makes it resource-based.
fn kind_of(document: &PolicyDocument) -> PolicyKind {
    if document
        .statements
        .iter()
        .any(|statement| statement.principal.is_some())
    {
        PolicyKind::Resource
    } else {
        PolicyKind::Identity
    }
}

/// Parses, round-trips and validates one document, returning what went wrong.
fn check(name: &str, text: &str) -> Option<String> {
    let document = match PolicyDocument::parse(text) {
        Ok(document) => document,
        Err(error) => return Some(format!("{name}: does not parse: {error}")),
    };
    let reparsed = PolicyDocument::parse(&document.to_json());
    if reparsed.map(|reparsed| reparsed.without_spans()) != Ok(document.without_spans()) {
        return Some(format!("{name}: round trip changed the document"));
    }
    let options = ValidationOptions::new(kind_of(&document), None);
    validate_policy(text, &options)
        .err()
        .map(|error| format!("{name} as {:?}: {error}", kind_of(&document)))
}

#[test]
fn foorack_policies_parse_and_validate() {
    let files = json_files("corpus/peer-cases/foorack-iam-rs/policies");
    assert!(
        files.len() > 60,
        "expected the full policy list, found {}",
        files.len()
    );

    let failures: Vec<String> = files
        .iter()
        .filter_map(|(name, text)| check(name, text))
        .collect();
    assert_no_failures(&failures);
}

#[test]
fn foorack_request_policies_parse_and_validate() {
    let files = json_files("corpus/peer-cases/foorack-iam-rs/requests");
    assert!(!files.is_empty(), "expected request files");

    let mut failures = Vec::new();
    for (name, text) in &files {
        let case: serde_json::Value = serde_json::from_str(text).expect("request file is JSON");
        let policy = serde_json::to_string(&case["policy"]).expect("policy serializes");
        failures.extend(check(name, &policy));
    }
    assert_no_failures(&failures);
}

#[test]
fn johnstonskj_good_policies_parse_and_validate() {
    let files = json_files("corpus/peer-cases/johnstonskj-rust-aws-iam/good");
    assert!(
        files.len() >= 30,
        "expected the full list, found {}",
        files.len()
    );

    let failures: Vec<String> = files
        .iter()
        .filter_map(|(name, text)| check(name, text))
        .collect();
    assert_no_failures(&failures);
}

#[test]
fn johnstonskj_bad_policy_rejected_at_version() {
    let files = json_files("corpus/peer-cases/johnstonskj-rust-aws-iam/bad");
    assert_eq!(files.len(), 1);

    for (name, text) in &files {
        match PolicyDocument::parse(text) {
            Err(PolicyError::Malformed(finding)) => {
                assert_eq!(finding.message, "Syntax errors in policy.", "{name}");
                assert_eq!(finding.span.path, "$.Version", "{name}");
                assert_eq!(finding.span.line, 2, "{name}");
                assert!(finding.detail.contains("`2019-10-17`"), "{name}: {finding}");
            }
            other => panic!("{name}: expected a version error, got {other:?}"),
        }
    }
}
