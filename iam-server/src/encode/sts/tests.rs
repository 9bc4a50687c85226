use iam_auth::{SecretAccessKey, SecurityToken};
use iam_sts::{PrincipalKind, SessionClaims, SessionTag};
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::service::Service;
use crate::xml::render_response;

const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

fn render(action: &str, result: &Fields) -> String {
    String::from_utf8(render_response(
        Service::Sts.namespace(),
        action,
        Some(result),
        REQUEST_ID,
    ))
    .unwrap()
}

fn issued_at() -> Timestamp {
    "2026-01-02T03:04:05Z".parse().unwrap()
}

/// Builds a session with fixed credentials; the token stands for a sealed one.
fn session(kind: PrincipalKind, principal_arn: &str, source_id: &str, name: &str) -> IssuedSession {
    let expires_at = issued_at() + SignedDuration::from_secs(3600);
    let claims = SessionClaims {
        kind,
        account: "111122223333".parse().unwrap(),
        principal_arn: principal_arn.parse().unwrap(),
        source_arn: "arn:aws:iam::111122223333:role/ops/app".parse().unwrap(),
        source_id: source_id.to_owned(),
        session_name: name.to_owned(),
        issued_at: issued_at(),
        expires_at,
        source_identity: None,
        tags: Vec::new(),
        session_policy: None,
        session_policy_arns: Vec::new(),
        mfa_authenticated_at: None,
        chained: false,
        iam_denied: false,
        federated_provider: None,
    };
    IssuedSession {
        credentials: SessionCredentials {
            access_key_id: "ASIAEXAMPLEEXAMPLE12".parse().unwrap(),
            secret_access_key: SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            session_token: SecurityToken::new("c2VhbGVkLXNlc3Npb24tdG9rZW4="),
            expiration: expires_at,
        },
        claims,
        packed_policy_size: Some(6),
    }
}

fn role_session() -> IssuedSession {
    session(
        PrincipalKind::AssumedRole,
        "arn:aws:sts::111122223333:assumed-role/app/deploy",
        "AROAEXAMPLEEXAMPLE123",
        "deploy",
    )
}

#[test]
fn assume_role_response() {
    let mut session = role_session();
    session.claims.source_identity = Some("alice@example.com".to_owned());
    session.claims.tags.push(SessionTag {
        key: "team".to_owned(),
        value: "blue".to_owned(),
        transitive: false,
    });

    let result = assume_role_result(&session, true);

    insta::assert_snapshot!(render("AssumeRole", &result));
}

#[test]
fn assume_role_without_policies_has_no_packed_size() {
    let result = assume_role_result(&role_session(), false);

    let body = render("AssumeRole", &result);

    assert!(!body.contains("PackedPolicySize"), "{body}");
    assert!(!body.contains("SourceIdentity"), "{body}");
    assert!(
        body.contains("<AssumedRoleId>AROAEXAMPLEEXAMPLE123:deploy</AssumedRoleId>"),
        "{body}"
    );
}

#[test]
fn assume_role_with_web_identity_response() {
    let result = WebIdentitySession {
        session: role_session(),
        subject: "user-1234".to_owned(),
        audience: "client-app".to_owned(),
        provider: "token.example.com".to_owned(),
        provider_arn: "arn:aws:iam::111122223333:oidc-provider/token.example.com"
            .parse()
            .unwrap(),
    };

    let result = assume_role_with_web_identity_result(&result, true);

    insta::assert_snapshot!(render("AssumeRoleWithWebIdentity", &result));
}

#[test]
fn get_federation_token_response() {
    let session = session(
        PrincipalKind::FederatedUser,
        "arn:aws:sts::111122223333:federated-user/bob",
        "AIDAEXAMPLEEXAMPLE123",
        "bob",
    );

    let result = get_federation_token_result(&session, true);

    insta::assert_snapshot!(render("GetFederationToken", &result));
}

#[test]
fn get_session_token_response() {
    let session = session(
        PrincipalKind::User,
        "arn:aws:iam::111122223333:user/alice",
        "AIDAEXAMPLEEXAMPLE123",
        "",
    );

    let result = get_session_token_result(&session);

    insta::assert_snapshot!(render("GetSessionToken", &result));
}

#[test]
fn decode_authorization_message_response() {
    let result = decode_authorization_message_result(r#"{"allowed":false,"explicitDeny":true}"#);

    insta::assert_snapshot!(render("DecodeAuthorizationMessage", &result));
}
