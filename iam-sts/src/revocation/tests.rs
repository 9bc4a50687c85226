use jiff::SignedDuration;

use super::*;
use crate::SessionClaims;
use crate::testing::{full_claims, issue_time};

fn revocation(claims: &SessionClaims, offset_seconds: i64) -> SessionRevocation {
    SessionRevocation {
        identity: claims.source_entity().unwrap().unwrap(),
        revoked_before: issue_time() + SignedDuration::from_secs(offset_seconds),
    }
}

#[test]
fn session_issued_before_cutoff_is_revoked() {
    let claims = full_claims();
    let record = revocation(&claims, 1);

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

    assert!(check_not_revoked(&claims, Some(&revocation(&claims, 0))).is_ok());
    assert!(check_not_revoked(&claims, Some(&revocation(&claims, -10))).is_ok());
    assert!(check_not_revoked(&claims, None).is_ok());
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
