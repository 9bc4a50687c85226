//! `GetSessionToken` and `GetCallerIdentity`.

use iam_policy::{ContextKeys, ContextValue};
use iam_store::Identity;
use iam_sts::mfa::{MfaVerifier, StoredTotpVerifier};
use iam_sts::{
    AssumeRoleRequest, GetSessionTokenRequest, PrincipalKind, ROOT_MFA_OWNER, insert_session_keys,
};
use jiff::SignedDuration;

use crate::fixture::{
    MAIN_ACCOUNT, OTHER_ACCOUNT, World, account, code, root_caller, seed_context, user_caller,
};

fn with_mfa(serial: &iam_model::Arn, code: String) -> GetSessionTokenRequest {
    GetSessionTokenRequest {
        duration_seconds: None,
        serial_number: Some(serial.to_string()),
        token_code: Some(code),
    }
}

#[tokio::test]
async fn user_session_defaults_to_twelve_hours() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;

    let issued = world
        .sts
        .get_session_token(&user_caller(&alice), &GetSessionTokenRequest::default())
        .await
        .unwrap();

    let claims = &issued.claims;
    assert_eq!(claims.kind, PrincipalKind::User);
    assert_eq!(claims.principal_arn, alice.arn);
    assert_eq!(
        claims.expires_at,
        world.now() + SignedDuration::from_secs(43_200)
    );
    assert_eq!(issued.credentials.expiration, claims.expires_at);
    assert!(claims.iam_denied);
    assert_eq!(claims.mfa_authenticated_at, None);
    assert!(
        issued
            .credentials
            .access_key_id
            .as_str()
            .starts_with("ASIA")
    );
}

#[tokio::test]
async fn user_session_duration_bounds() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let request = |seconds| GetSessionTokenRequest {
        duration_seconds: Some(seconds),
        ..GetSessionTokenRequest::default()
    };

    assert_eq!(
        code(world.sts.get_session_token(&alice, &request(900)).await),
        "ok"
    );
    assert_eq!(
        code(world.sts.get_session_token(&alice, &request(129_600)).await),
        "ok"
    );
    assert_eq!(
        code(world.sts.get_session_token(&alice, &request(899)).await),
        "ValidationError"
    );
    assert_eq!(
        code(world.sts.get_session_token(&alice, &request(129_601)).await),
        "ValidationError"
    );
}

#[tokio::test]
async fn root_session_caps_at_one_hour() {
    let world = World::new();
    let root = root_caller(MAIN_ACCOUNT);
    let over = GetSessionTokenRequest {
        duration_seconds: Some(3601),
        ..GetSessionTokenRequest::default()
    };

    let issued = world
        .sts
        .get_session_token(&root, &GetSessionTokenRequest::default())
        .await
        .unwrap();

    assert_eq!(issued.claims.kind, PrincipalKind::Root);
    assert_eq!(
        issued.claims.expires_at,
        world.now() + SignedDuration::from_secs(3600)
    );
    assert_eq!(
        issued.claims.principal_arn.to_string(),
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(
        code(world.sts.get_session_token(&root, &over).await),
        "ValidationError"
    );
}

#[tokio::test]
async fn mfa_session_may_call_iam() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;

    let issued = world
        .sts
        .get_session_token(
            &user_caller(&alice),
            &with_mfa(&serial, totp.code_at(world.now())),
        )
        .await
        .unwrap();

    assert!(!issued.claims.iam_denied);
    assert_eq!(issued.claims.mfa_authenticated_at, Some(world.now()));
    assert_eq!(issued.claims.check_action("iam:ListUsers"), Ok(()));
}

#[tokio::test]
async fn session_credentials_cannot_get_session_token() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let first = world
        .sts
        .get_session_token(&alice, &GetSessionTokenRequest::default())
        .await
        .unwrap();
    let session = world.session_caller(&first.credentials);

    let result = world
        .sts
        .get_session_token(&session, &GetSessionTokenRequest::default())
        .await;

    assert_eq!(code(result), "AccessDenied");
}

#[tokio::test]
async fn mfa_code_is_single_use() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let current = totp.code_at(world.now());

    let first = world
        .sts
        .get_session_token(&alice, &with_mfa(&serial, current.clone()))
        .await;
    let again = world
        .sts
        .get_session_token(&alice, &with_mfa(&serial, current))
        .await;
    world.clock.advance(30);
    let next_step = totp.code_at(world.now());
    let next = world
        .sts
        .get_session_token(&alice, &with_mfa(&serial, next_step))
        .await;

    assert_eq!(code(first), "ok");
    assert_eq!(code(again), "AccessDenied");
    assert_eq!(code(next), "ok");
}

#[tokio::test]
async fn used_mfa_code_stays_used_after_restart() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let current = totp.code_at(world.now());
    let previous = totp.code_at(world.now() - SignedDuration::from_secs(30));
    world
        .sts
        .get_session_token(&alice, &with_mfa(&serial, current.clone()))
        .await
        .unwrap();

    // A verifier built afresh over the same store, as a restarted server builds it.
    let restarted =
        StoredTotpVerifier::new(world.store.clone(), world.secrets.clone(), seed_context);
    let serial_text = serial.to_string();
    let again = restarted
        .verify(
            account(MAIN_ACCOUNT),
            "alice",
            &serial_text,
            &current,
            world.now(),
        )
        .await;
    let enabling_code = restarted
        .verify(
            account(MAIN_ACCOUNT),
            "alice",
            &serial_text,
            &previous,
            world.now(),
        )
        .await;
    let stored_step = world
        .store
        .mfa_time_step(account(MAIN_ACCOUNT), &serial)
        .await
        .unwrap();

    assert_eq!(code(again), "AccessDenied");
    assert_eq!(code(enabling_code), "AccessDenied");
    assert_eq!(stored_step, Some(totp.step_at(world.now())));
}

#[tokio::test]
async fn stale_or_malformed_codes_are_rejected() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let stale = totp.code_at(world.now() - SignedDuration::from_secs(300));

    let stale_result = world
        .sts
        .get_session_token(&alice, &with_mfa(&serial, stale))
        .await;
    let short = world
        .sts
        .get_session_token(&alice, &with_mfa(&serial, "12345".to_owned()))
        .await;
    let serial_only = GetSessionTokenRequest {
        serial_number: Some(serial.to_string()),
        ..GetSessionTokenRequest::default()
    };
    let missing_code = world.sts.get_session_token(&alice, &serial_only).await;

    assert_eq!(code(stale_result), "AccessDenied");
    assert_eq!(code(short), "ValidationError");
    assert_eq!(code(missing_code), "ValidationError");
}

#[tokio::test]
async fn other_users_device_is_rejected() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    world.user(MAIN_ACCOUNT, "bob").await;
    let (bob_serial, bob_totp) = world.mfa_device(MAIN_ACCOUNT, "bob").await;
    let missing: iam_model::Arn = "arn:aws:iam::111122223333:mfa/nobody".parse().unwrap();

    let borrowed = world
        .sts
        .get_session_token(
            &alice,
            &with_mfa(&bob_serial, bob_totp.code_at(world.now())),
        )
        .await;
    let unknown = world
        .sts
        .get_session_token(&alice, &with_mfa(&missing, "123456".to_owned()))
        .await;

    assert_eq!(code(borrowed), "AccessDenied");
    assert_eq!(code(unknown), "AccessDenied");
}

#[tokio::test]
async fn caller_identity_of_each_kind() {
    let world = World::new();
    let bob = world.user(MAIN_ACCOUNT, "bob").await;
    let issued = world
        .sts
        .get_session_token(&user_caller(&bob), &GetSessionTokenRequest::default())
        .await
        .unwrap();

    let as_user = user_caller(&bob).identity();
    let as_root = root_caller(MAIN_ACCOUNT).identity();
    let as_session = world.session_caller(&issued.credentials).identity();

    assert_eq!(as_user.arn, bob.arn);
    assert_eq!(as_user.user_id, bob.user_id.as_str());
    assert_eq!(as_user.account.as_str(), MAIN_ACCOUNT);
    assert_eq!(as_root.arn.to_string(), "arn:aws:iam::111122223333:root");
    assert_eq!(as_root.user_id, MAIN_ACCOUNT);
    assert_eq!(as_session.arn, bob.arn);
    assert_eq!(as_session.user_id, bob.user_id.as_str());
}

#[tokio::test]
async fn revoked_sessions_stop_authenticating() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    let issued = world
        .sts
        .get_session_token(&user_caller(&alice), &GetSessionTokenRequest::default())
        .await
        .unwrap();
    let token = issued.credentials.session_token.expose();
    let key_id = issued.credentials.access_key_id.as_str();
    world.clock.advance(60);

    let before = world.sts.authenticate_session(token, key_id).await;
    world
        .store
        .set_session_revocation(
            account(MAIN_ACCOUNT),
            &Identity::User("Alice".to_owned()),
            world.now(),
        )
        .await
        .unwrap();
    let after = world.sts.authenticate_session(token, key_id).await;
    let newer = world
        .sts
        .get_session_token(&user_caller(&alice), &GetSessionTokenRequest::default())
        .await
        .unwrap();
    let newer_result = world
        .sts
        .authenticate_session(
            newer.credentials.session_token.expose(),
            newer.credentials.access_key_id.as_str(),
        )
        .await;
    world
        .store
        .clear_session_revocation(account(MAIN_ACCOUNT), &Identity::User("alice".to_owned()))
        .await
        .unwrap();
    let cleared = world.sts.authenticate_session(token, key_id).await;
    world.clock.advance(43_200);
    let expired = world.sts.authenticate_session(token, key_id).await;

    assert_eq!(code(before), "ok");
    assert_eq!(code(after), "InvalidClientTokenId");
    assert_eq!(code(newer_result), "ok");
    assert_eq!(code(cleared), "ok");
    assert_eq!(code(expired), "ExpiredToken");
}

#[tokio::test]
async fn root_mfa_session_may_call_iam() {
    let world = World::new();
    let root = root_caller(MAIN_ACCOUNT);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, ROOT_MFA_OWNER).await;

    let issued = world
        .sts
        .get_session_token(&root, &with_mfa(&serial, totp.code_at(world.now())))
        .await
        .unwrap();
    let mut keys = ContextKeys::default();
    insert_session_keys(&mut keys, &issued.claims, world.now());

    assert_eq!(issued.claims.kind, PrincipalKind::Root);
    assert!(!issued.claims.iam_denied);
    assert_eq!(issued.claims.mfa_authenticated_at, Some(world.now()));
    assert_eq!(
        keys.get("aws:MultiFactorAuthPresent"),
        Some(&ContextValue::boolean(true))
    );
    assert_eq!(
        keys.get("aws:MultiFactorAuthAge"),
        Some(&ContextValue::number(0))
    );
}

#[tokio::test]
async fn root_mfa_code_is_single_use() {
    let world = World::new();
    let root = root_caller(MAIN_ACCOUNT);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, ROOT_MFA_OWNER).await;
    let current = totp.code_at(world.now());
    let wrong = if current == "000000" {
        "000001"
    } else {
        "000000"
    };

    let wrong_result = world
        .sts
        .get_session_token(&root, &with_mfa(&serial, wrong.to_owned()))
        .await;
    let first = world
        .sts
        .get_session_token(&root, &with_mfa(&serial, current.clone()))
        .await;
    let again = world
        .sts
        .get_session_token(&root, &with_mfa(&serial, current))
        .await;
    world.clock.advance(30);
    let next = world
        .sts
        .get_session_token(&root, &with_mfa(&serial, totp.code_at(world.now())))
        .await;

    assert_eq!(code(wrong_result), "AccessDenied");
    assert_eq!(code(first), "ok");
    assert_eq!(code(again), "AccessDenied");
    assert_eq!(code(next), "ok");
}

#[tokio::test]
async fn root_and_users_cannot_share_devices() {
    let world = World::new();
    let root = root_caller(MAIN_ACCOUNT);
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let (root_serial, root_totp) = world.mfa_device(MAIN_ACCOUNT, ROOT_MFA_OWNER).await;
    let (alice_serial, alice_totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let (_, other_totp) = world.mfa_device(OTHER_ACCOUNT, ROOT_MFA_OWNER).await;
    let other_root = root_caller(OTHER_ACCOUNT);

    let alice_with_root_device = world
        .sts
        .get_session_token(
            &alice,
            &with_mfa(&root_serial, root_totp.code_at(world.now())),
        )
        .await;
    let root_with_alice_device = world
        .sts
        .get_session_token(
            &root,
            &with_mfa(&alice_serial, alice_totp.code_at(world.now())),
        )
        .await;
    let other_root_with_this_device = world
        .sts
        .get_session_token(
            &other_root,
            &with_mfa(&root_serial, other_totp.code_at(world.now())),
        )
        .await;

    assert_eq!(code(alice_with_root_device), "AccessDenied");
    assert_eq!(code(root_with_alice_device), "AccessDenied");
    assert_eq!(code(other_root_with_this_device), "AccessDenied");
}

/// AWS rejects `AssumeRole` from the root user, with or without MFA.
#[tokio::test]
async fn root_mfa_session_cannot_assume_role() {
    let world = World::new();
    let root = root_caller(MAIN_ACCOUNT);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, ROOT_MFA_OWNER).await;
    let issued = world
        .sts
        .get_session_token(&root, &with_mfa(&serial, totp.code_at(world.now())))
        .await
        .unwrap();
    let session = world.session_caller(&issued.credentials);
    let request = AssumeRoleRequest {
        role_arn: "arn:aws:iam::111122223333:role/admin".to_owned(),
        role_session_name: "root-session".to_owned(),
        ..AssumeRoleRequest::default()
    };

    let result = world.sts.assume_role(&session, &request).await;

    assert!(session.is_root());
    assert_eq!(code(result), "AccessDenied");
}
