//! Runs the policy validation cases recorded from moto's IAM tests.
//!
//! Each invalid document must be rejected with moto's exact message, and each valid one
//! accepted, when validated as a customer managed identity policy (moto sends them to
//! `CreatePolicy`).

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on missing or malformed corpus data"
)]

use iam_policy::{
    FindingKind, PolicyError, PolicyKind, SizeQuota, ValidationOptions, validate_policy,
};

use crate::support::{assert_no_failures, shared_json};

const CASES: &str = "corpus/peer-cases/moto/iam-policy-validation.json";

fn options() -> ValidationOptions {
    ValidationOptions::new(PolicyKind::Identity, Some(SizeQuota::MANAGED_POLICY))
}

#[test]
fn moto_invalid_documents_rejected_with_message() {
    let cases = shared_json(CASES);
    let invalid = cases["invalid"].as_array().expect("`invalid` is a list");
    assert!(invalid.len() > 50, "expected the full case list");

    let mut failures = Vec::new();
    for case in invalid {
        let id = case["id"].as_str().unwrap_or_default();
        let document = case["document"].as_str().expect("`document` is a string");
        let expected = case["expected_error_message"].as_str().expect("message");
        match validate_policy(document, &options()) {
            Err(PolicyError::Malformed(finding)) if finding.message == expected => {}
            Err(PolicyError::Malformed(finding)) => failures.push(format!(
                "{id}: expected `{expected}`, got `{}` ({finding})",
                finding.message
            )),
            other => failures.push(format!("{id}: expected `{expected}`, got {other:?}")),
        }
    }
    assert_no_failures(&failures);
}

/// Valid cases whose `Sid` contains underscores. moto does not check `Sid` characters, but the
/// IAM User Guide page "IAM JSON policy elements: Sid"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html)
/// allows only ASCII letters and digits, and IAM rejects other characters, so these cases
/// expect the rejection AWS returns.
const SID_CONTRADICTED: &[&str] = &["valid-039", "valid-040"];

#[test]
fn moto_valid_documents_accepted() {
    let cases = shared_json(CASES);
    let valid = cases["valid"].as_array().expect("`valid` is a list");
    assert!(valid.len() > 40, "expected the full case list");

    let mut failures = Vec::new();
    for case in valid {
        let id = case["id"].as_str().unwrap_or_default();
        let document = case["document"].as_str().expect("`document` is a string");
        let result = validate_policy(document, &options());
        if SID_CONTRADICTED.contains(&id) {
            match result {
                Err(PolicyError::Malformed(finding)) if finding.kind == FindingKind::InvalidSid => {
                }
                other => failures.push(format!("{id}: expected an invalid Sid, got {other:?}")),
            }
        } else if let Err(error) = result {
            failures.push(format!("{id}: {error}"));
        }
    }
    assert_no_failures(&failures);
}
