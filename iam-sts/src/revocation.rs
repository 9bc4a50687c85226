//! Revoking sessions issued before a moment.
//!
//! Two mechanisms exist side by side:
//!
//! - AWS's own: an inline policy on the role that denies everything to sessions whose
//!   `aws:TokenIssueTime` is before the moment ([`revoke_older_sessions_policy`]). It works
//!   through the policy engine, so it applies only to role sessions and can be edited away.
//! - This service's first-class record: "sessions of this role or user issued before T are
//!   revoked", kept by the store and checked when a session authenticates
//!   ([`check_not_revoked`]). It covers user sessions too and does not depend on policies.
//!
//! TODO: `iam-store` has no table for revocation records yet, so until it does the server must
//! keep them itself and pass them to [`crate::Sts::authenticate_session`].

use iam_model::Arn;
use jiff::Timestamp;

use crate::{SessionClaims, StsError};

/// The name AWS gives the inline policy that revokes a role's older sessions.
pub const REVOKE_OLDER_SESSIONS_POLICY_NAME: &str = "AWSRevokeOlderSessions";

/// A revocation record: every session of `subject` issued before `revoked_before` is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRevocation {
    /// The role or user whose sessions are revoked, by its IAM ARN.
    pub subject: Arn,
    /// Sessions issued strictly before this moment are revoked.
    pub revoked_before: Timestamp,
}

impl SessionRevocation {
    /// Merges a new revocation into an existing one for the same subject: the later cut-off wins,
    /// so revoking again never brings back sessions revoked before.
    pub fn merge(existing: Option<&SessionRevocation>, subject: Arn, at: Timestamp) -> Self {
        let revoked_before = existing.map_or(at, |existing| existing.revoked_before.max(at));
        Self {
            subject,
            revoked_before,
        }
    }
}

/// Returns the ARN whose revocation record applies to a session: the role for a role session,
/// the IAM user for a user or federated user session, the root ARN for root.
pub fn revocation_subject(claims: &SessionClaims) -> &Arn {
    &claims.source_arn
}

/// Checks a session against the revocation record of its subject, if there is one.
///
/// # Errors
///
/// [`StsError::RevokedToken`] when the session was issued before the record's cut-off.
pub fn check_not_revoked(
    claims: &SessionClaims,
    revocation: Option<&SessionRevocation>,
) -> Result<(), StsError> {
    let Some(revocation) = revocation else {
        return Ok(());
    };
    if revocation.subject != claims.source_arn {
        return Ok(());
    }
    if claims.issued_at < revocation.revoked_before {
        return Err(StsError::RevokedToken {
            issued_at: claims.issued_at,
            revoked_before: revocation.revoked_before,
        });
    }
    Ok(())
}

/// Returns the policy document AWS attaches to a role to revoke its sessions issued before
/// `revoked_before`: a deny of every action on sessions whose `aws:TokenIssueTime` is earlier.
pub fn revoke_older_sessions_policy(revoked_before: Timestamp) -> String {
    let time = revoked_before.strftime("%Y-%m-%dT%H:%M:%SZ");
    let document = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Action": ["*"],
            "Resource": ["*"],
            "Condition": {
                "DateLessThan": { "aws:TokenIssueTime": time.to_string() }
            }
        }]
    });
    document.to_string()
}

#[cfg(test)]
mod tests;
