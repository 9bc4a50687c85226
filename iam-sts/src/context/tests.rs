use iam_policy::ContextKeys;
use jiff::SignedDuration;

use super::*;
use crate::testing::{full_claims, issue_time, minimal_claims};

fn values(keys: &ContextKeys, key: &str) -> Option<Vec<String>> {
    keys.get(key)
        .map(|value| value.values().map(str::to_owned).collect())
}

#[test]
fn session_keys_of_full_claims() {
    let claims = full_claims();
    let now = issue_time() + SignedDuration::from_secs(30);
    let mut keys = ContextKeys::new();

    insert_session_keys(&mut keys, &claims, now);

    assert_eq!(
        values(&keys, "aws:TokenIssueTime"),
        Some(vec!["2026-01-02T03:04:05Z".to_owned()])
    );
    assert_eq!(
        values(&keys, "aws:MultiFactorAuthPresent"),
        Some(vec!["true".to_owned()])
    );
    assert_eq!(
        values(&keys, "aws:MultiFactorAuthAge"),
        Some(vec!["90".to_owned()])
    );
    assert_eq!(
        values(&keys, "aws:SourceIdentity"),
        Some(vec!["alice@example.com".to_owned()])
    );
    assert_eq!(
        values(&keys, "aws:FederatedProvider"),
        Some(vec!["accounts.example.com".to_owned()])
    );
}

#[test]
fn session_without_mfa_has_no_age() {
    let claims = minimal_claims();
    let mut keys = ContextKeys::new();

    insert_session_keys(&mut keys, &claims, issue_time());

    assert_eq!(
        values(&keys, "aws:MultiFactorAuthPresent"),
        Some(vec!["false".to_owned()])
    );
    assert_eq!(values(&keys, "aws:MultiFactorAuthAge"), None);
    assert_eq!(values(&keys, "aws:SourceIdentity"), None);
    assert_eq!(values(&keys, "aws:FederatedProvider"), None);
}
