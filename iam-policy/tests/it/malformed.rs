//! Malformed policies are rejected when written: each document of the shared behaviour case
//! about write-time validation must fail as an inline user policy and as a managed policy.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on missing or malformed corpus data"
)]

use iam_policy::{PolicyError, PolicyKind, SizeQuota, ValidationOptions, validate_policy};

use crate::support::shared_json;

#[test]
fn malformed_policies_rejected_at_write_time() {
    let catalogue = shared_json("cases/behaviour-cases.json");
    let cases = catalogue
        .as_array()
        .or_else(|| catalogue["cases"].as_array())
        .expect("the catalogue is a list of cases");
    let case = cases
        .iter()
        .find(|case| case["id"] == "B28")
        .expect("the write-time validation case is present");
    let expected = case["expected"].as_array().expect("`expected` is a list");
    assert_eq!(expected.len(), 9);

    let quotas = [SizeQuota::USER_INLINE_POLICIES, SizeQuota::MANAGED_POLICY];
    for expectation in expected {
        let name = expectation["name"].as_str().expect("case name");
        assert_eq!(expectation["error"], "MalformedPolicyDocument", "{name}");
        let policy = &case["policies"][name];
        let text = match policy.as_str() {
            Some(text) => text.to_owned(),
            None => serde_json::to_string(policy).expect("policy serializes"),
        };

        for quota in quotas {
            let options = ValidationOptions::new(PolicyKind::Identity, Some(quota));
            match validate_policy(&text, &options) {
                Err(PolicyError::Malformed(finding)) => {
                    assert!(!finding.span.path.is_empty(), "{name}: finding has no path");
                    assert!(finding.span.line >= 1, "{name}: finding has no line");
                }
                other => panic!("{name}: expected MalformedPolicyDocument, got {other:?}"),
            }
        }
    }
}
