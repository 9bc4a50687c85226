//! `GetSessionToken` and `GetCallerIdentity`.

use iam_store::Identity;
use iam_sts::mfa::{MfaVerifier, StoredTotpVerifier};
use iam_sts::{GetSessionTokenRequest, PrincipalKind};
use jiff::SignedDuration;

use crate::fixture::{MAIN_ACCOUNT, World, account, code, root_caller, seed_context, user_caller};

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

/// Root has no MFA device the store can enable, so a root request with MFA is denied; this
/// test records that gap.
#[tokio::test]
async fn root_mfa_is_denied_for_now() {
    let world = World::new();
    let request = GetSessionTokenRequest {
        duration_seconds: None,
        serial_number: Some("arn:aws:iam::111122223333:mfa/root-account-mfa-device".to_owned()),
        token_code: Some("123456".to_owned()),
    };

    let result = world
        .sts
        .get_session_token(&root_caller(MAIN_ACCOUNT), &request)
        .await;

    assert_eq!(code(result), "AccessDenied");
}
