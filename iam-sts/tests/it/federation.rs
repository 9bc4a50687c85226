//! `GetFederationToken`.

use iam_sts::{GetFederationTokenRequest, GetSessionTokenRequest, PrincipalKind};
use jiff::SignedDuration;

use crate::fixture::{MAIN_ACCOUNT, World, code, root_caller, user_caller};

fn request(name: &str) -> GetFederationTokenRequest {
    GetFederationTokenRequest {
        name: name.to_owned(),
        ..GetFederationTokenRequest::default()
    }
}

#[tokio::test]
async fn federated_user_session_claims() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let request = GetFederationTokenRequest {
        policy: Some(policy.to_owned()),
        tags: vec![("team".to_owned(), "blue".to_owned())],
        ..request("bob")
    };

    let issued = world
        .sts
        .get_federation_token(&user_caller(&alice), &request)
        .await
        .unwrap();

    let claims = &issued.claims;
    assert_eq!(claims.kind, PrincipalKind::FederatedUser);
    assert_eq!(
        claims.principal_arn.to_string(),
        "arn:aws:sts::111122223333:federated-user/bob"
    );
    assert_eq!(claims.source_arn, alice.arn);
    assert_eq!(issued.principal_id(), "111122223333:bob");
    assert_eq!(
        claims.expires_at,
        world.now() + SignedDuration::from_secs(43_200)
    );
    assert!(claims.has_session_policies());
    assert_eq!(
        claims.session_policy.as_deref(),
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
        )
    );
    assert_eq!(claims.tags.len(), 1);
    assert!(issued.packed_policy_size.is_some_and(|percent| percent > 0));
    assert_eq!(code(claims.check_action("iam:ListUsers")), "AccessDenied");
}

#[tokio::test]
async fn without_session_policies_has_no_permissions() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;

    let issued = world
        .sts
        .get_federation_token(&user_caller(&alice), &request("bob"))
        .await
        .unwrap();

    assert!(!issued.claims.has_session_policies());
}

#[tokio::test]
async fn session_and_bad_requests_are_rejected() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let session = world
        .sts
        .get_session_token(&alice, &GetSessionTokenRequest::default())
        .await
        .unwrap();
    let session_caller = world.session_caller(&session.credentials);
    let long = GetFederationTokenRequest {
        duration_seconds: Some(129_601),
        ..request("bob")
    };
    let root_long = GetFederationTokenRequest {
        duration_seconds: Some(3601),
        ..request("bob")
    };
    let bad_policy = GetFederationTokenRequest {
        policy: Some("{".to_owned()),
        ..request("bob")
    };
    let sts = &world.sts;

    assert_eq!(
        code(
            sts.get_federation_token(&session_caller, &request("bob"))
                .await
        ),
        "AccessDenied"
    );
    assert_eq!(
        code(sts.get_federation_token(&alice, &request("b")).await),
        "ValidationError"
    );
    assert_eq!(
        code(sts.get_federation_token(&alice, &long).await),
        "ValidationError"
    );
    assert_eq!(
        code(
            sts.get_federation_token(&root_caller(MAIN_ACCOUNT), &root_long)
                .await
        ),
        "ValidationError"
    );
    assert_eq!(
        code(sts.get_federation_token(&alice, &bad_policy).await),
        "MalformedPolicyDocument"
    );
}
