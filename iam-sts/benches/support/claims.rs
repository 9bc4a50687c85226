//! The claims the session token benchmark and the loop example measure.

use iam_sts::{PrincipalKind, SessionClaims, SessionTag};
use jiff::{SignedDuration, Timestamp};

/// Returns the claims of a role session with a source identity, one session tag and MFA.
#[expect(clippy::unwrap_used, reason = "fixed valid values")]
pub(crate) fn role_session_claims() -> SessionClaims {
    let issued_at: Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
    SessionClaims {
        kind: PrincipalKind::AssumedRole,
        account: "111122223333".parse().unwrap(),
        principal_arn: "arn:aws:sts::111122223333:assumed-role/ops-admin/deploy"
            .parse()
            .unwrap(),
        source_arn: "arn:aws:iam::111122223333:role/ops/ops-admin"
            .parse()
            .unwrap(),
        source_id: "AROAEXAMPLEROLEID0001".to_owned(),
        session_name: "deploy".to_owned(),
        issued_at,
        expires_at: issued_at + SignedDuration::from_secs(3600),
        source_identity: Some("alice".to_owned()),
        tags: vec![SessionTag {
            key: "team".to_owned(),
            value: "blue".to_owned(),
            transitive: true,
        }],
        session_policy: None,
        session_policy_arns: Vec::new(),
        mfa_authenticated_at: Some(issued_at),
        chained: false,
        iam_denied: false,
        federated_provider: None,
    }
}
