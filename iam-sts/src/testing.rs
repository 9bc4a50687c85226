//! Sample values shared by the unit tests.

use jiff::Timestamp;

use crate::{PrincipalKind, SessionClaims, SessionTag};

/// Returns the time every sample session is issued at.
pub(crate) fn issue_time() -> Timestamp {
    "2026-01-02T03:04:05Z".parse().unwrap()
}

/// Builds a role session with every optional claim filled in.
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

/// Builds a `GetSessionToken` session of an IAM user with no optional claims.
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

/// Builds the longest claims the operations can produce: every field at its maximum length,
/// and session policies and tags that fill the packed allotment with the most items.
pub(crate) fn largest_claims() -> SessionClaims {
    let mut claims = full_claims();
    let role_name = "r".repeat(64);
    let session_name = "s".repeat(64);
    let path = format!("/{}/", "p".repeat(510));
    claims.principal_arn =
        format!("arn:aws:sts::111122223333:assumed-role/{role_name}/{session_name}")
            .parse()
            .unwrap();
    claims.source_arn = format!("arn:aws:iam::111122223333:role{path}{role_name}")
        .parse()
        .unwrap();
    claims.session_name = session_name;
    claims.source_identity = Some("i".repeat(64));
    claims.federated_provider = Some("f".repeat(255));
    claims.tags = (0..50)
        .map(|index| SessionTag {
            key: format!("{index:02}"),
            value: String::new(),
            transitive: true,
        })
        .collect();
    claims.session_policy_arns =
        vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".parse().unwrap(); 10];
    let used = crate::params::check_packed_size(None, &claims.session_policy_arns, &claims.tags)
        .map(|_| 50 * 2 + 10 * 38)
        .unwrap();
    claims.session_policy = Some("p".repeat(crate::params::PACKED_POLICY_ALLOTMENT - used));
    claims
}
