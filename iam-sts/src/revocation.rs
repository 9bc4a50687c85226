//! Revoking sessions issued before a moment.
//!
//! Two mechanisms exist side by side:
//!
//! - AWS's own: an inline policy on the role that denies everything to sessions whose
//!   `aws:TokenIssueTime` is before the moment ([`revoke_older_sessions_policy`]). It works
//!   through the policy engine, so it applies only to role sessions and can be edited away.
//! - This service's first-class record: "sessions of this role or user issued before T are
//!   revoked", kept by the store ([`iam_store::SessionStore`]) and checked when a session
//!   authenticates ([`crate::Sts::authenticate_session`]). It covers user sessions too and does
//!   not depend on policies.

use jiff::Timestamp;

pub use iam_store::SessionRevocation;

use crate::{SessionClaims, StsError};

/// The name AWS gives the inline policy that revokes a role's older sessions.
pub const REVOKE_OLDER_SESSIONS_POLICY_NAME: &str = "AWSRevokeOlderSessions";

/// Checks a session against the revocation record of its role or user, if there is one.
///
/// The caller looks the record up by [`SessionClaims::source_entity`].
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
