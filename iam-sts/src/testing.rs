//! Sample values shared by the unit tests.

use jiff::Timestamp;

use crate::{PrincipalKind, SessionClaims, SessionTag};

/// The time every sample session is issued at.
pub(crate) fn issue_time() -> Timestamp {
    "2026-01-02T03:04:05Z".parse().unwrap()
}

/// A role session with every optional claim filled in.
pub(crate) fn full_claims() -> SessionClaims {
    let issued_at = issue_time();
    SessionClaims {
        kind: PrincipalKind::AssumedRole,
        account: "111122223333".parse().unwrap(),
        principal_arn: "arn:aws:sts::111122223333:assumed-role/ops-admin/s1"
            .parse()
            .unwrap(),
        source_arn: "arn:aws:iam::111122223333:role/team/ops-admin".parse().unwrap(),
        source_id: "AROAEXAMPLEROLEID0001".to_owned(),
        session_name: "s1".to_owned(),
        issued_at,
        expires_at: issued_at + jiff::SignedDuration::from_secs(3600),
        source_identity: Some("alice@example.com".to_owned()),
        tags: vec![
            SessionTag {
                key: "team".to_owned(),
                value: "blue".to_owned(),
                transitive: true,
            },
            SessionTag {
                key: "cost-center".to_owned(),
                value: String::new(),
                transitive: false,
            },
        ],
        session_policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
                .to_owned(),
        ),
        session_policy_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".parse().unwrap()],
        mfa_authenticated_at: Some(issued_at - jiff::SignedDuration::from_secs(60)),
        chained: true,
        iam_denied: false,
        federated_provider: Some("accounts.example.com".to_owned()),
    }
}

/// A `GetSessionToken` session of an IAM user with no optional claims.
pub(crate) fn minimal_claims() -> SessionClaims {
    let issued_at = issue_time();
    SessionClaims {
        kind: PrincipalKind::User,
        account: "111122223333".parse().unwrap(),
        principal_arn: "arn:aws:iam::111122223333:user/alice".parse().unwrap(),
        source_arn: "arn:aws:iam::111122223333:user/alice".parse().unwrap(),
        source_id: "AIDAEXAMPLEUSERID0001".to_owned(),
        session_name: String::new(),
        issued_at,
        expires_at: issued_at + jiff::SignedDuration::from_secs(43_200),
        source_identity: None,
        tags: Vec::new(),
        session_policy: None,
        session_policy_arns: Vec::new(),
        mfa_authenticated_at: None,
        chained: false,
        iam_denied: true,
        federated_provider: None,
    }
}
