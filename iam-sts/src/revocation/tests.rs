use jiff::SignedDuration;

use super::*;
use crate::testing::{full_claims, issue_time, minimal_claims};

fn revocation(subject: &Arn, offset_seconds: i64) -> SessionRevocation {
    SessionRevocation {
        subject: subject.clone(),
        revoked_before: issue_time() + SignedDuration::from_secs(offset_seconds),
    }
}

#[test]
fn session_issued_before_cutoff_is_revoked() {
    let claims = full_claims();
    let record = revocation(&claims.source_arn, 1);

    let result = check_not_revoked(&claims, Some(&record));

    assert_eq!(
        result,
        Err(StsError::RevokedToken {
            issued_at: claims.issued_at,
            revoked_before: record.revoked_before,
        })
    );
    assert_eq!(result.unwrap_err().code(), "InvalidClientTokenId");
}

#[test]
fn session_issued_at_or_after_cutoff_survives() {
    let claims = full_claims();

    assert!(check_not_revoked(&claims, Some(&revocation(&claims.source_arn, 0))).is_ok());
    assert!(check_not_revoked(&claims, Some(&revocation(&claims.source_arn, -10))).is_ok());
    assert!(check_not_revoked(&claims, None).is_ok());
}

#[test]
fn record_for_other_subject_does_not_apply() {
    let claims = full_claims();
    let other = minimal_claims().source_arn;

    let result = check_not_revoked(&claims, Some(&revocation(&other, 100)));

    assert!(result.is_ok());
}

#[test]
fn subject_is_role_or_user() {
    assert_eq!(
        revocation_subject(&full_claims()).to_string(),
        "arn:aws:iam::111122223333:role/team/ops-admin"
    );
    assert_eq!(
        revocation_subject(&minimal_claims()).to_string(),
        "arn:aws:iam::111122223333:user/alice"
    );
}

#[test]
fn merge_keeps_later_cutoff() {
    let subject = full_claims().source_arn;
    let early = revocation(&subject, 10);
    let late_time = issue_time() + SignedDuration::from_secs(20);

    let later = SessionRevocation::merge(Some(&early), subject.clone(), late_time);
    let not_earlier = SessionRevocation::merge(Some(&later), subject.clone(), issue_time());
    let first = SessionRevocation::merge(None, subject, issue_time());

    assert_eq!(later.revoked_before, late_time);
    assert_eq!(not_earlier.revoked_before, late_time);
    assert_eq!(first.revoked_before, issue_time());
}

#[test]
fn revoke_policy_denies_older_tokens() {
    let policy = revoke_older_sessions_policy(issue_time());

    let document: serde_json::Value = serde_json::from_str(&policy).unwrap();

    assert_eq!(document["Statement"][0]["Effect"], "Deny");
    assert_eq!(document["Statement"][0]["Action"][0], "*");
    assert_eq!(
        document["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"],
        "2026-01-02T03:04:05Z"
    );
}
