//! The condition keys a session adds to the request context of every request it signs.

use iam_policy::{ContextKeys, ContextValue};
use jiff::Timestamp;

use crate::SessionClaims;

/// Adds the keys AWS sets for a request signed with session credentials: `aws:TokenIssueTime`
/// and `aws:MultiFactorAuthPresent` always, `aws:MultiFactorAuthAge` when MFA authenticated
/// the session, and `aws:SourceIdentity` and `aws:FederatedProvider` when the session has them.
///
/// The keys AWS derives from the principal (`aws:PrincipalArn`, `aws:userid`,
/// `aws:PrincipalTag/…`) come from the request principal instead.
pub fn insert_session_keys(keys: &mut ContextKeys, claims: &SessionClaims, now: Timestamp) {
    keys.insert("aws:TokenIssueTime", ContextValue::date(claims.issued_at));
    keys.insert(
        "aws:MultiFactorAuthPresent",
        ContextValue::boolean(claims.mfa_authenticated_at.is_some()),
    );
    if let Some(age) = claims.mfa_age_seconds(now) {
        keys.insert("aws:MultiFactorAuthAge", ContextValue::number(age));
    }
    if let Some(source_identity) = &claims.source_identity {
        keys.insert(
            "aws:SourceIdentity",
            ContextValue::single(source_identity.as_str()),
        );
    }
    if let Some(provider) = &claims.federated_provider {
        keys.insert(
            "aws:FederatedProvider",
            ContextValue::single(provider.as_str()),
        );
    }
}

#[cfg(test)]
mod tests;
