//! `AssumeRole` rules beyond the catalogue: cross-account trust, conditions, session tags,
//! source identity and session policies.

use iam_store::Identity;
use iam_sts::{AssumeRoleRequest, StsError};
use serde_json::json;

use crate::fixture::{
    MAIN_ACCOUNT, OTHER_ACCOUNT, World, account, code, put_user_policy, role_session, user_caller,
};

fn trust(principal: &str, actions: &[&str], condition: serde_json::Value) -> String {
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": actions,
    });
    if !condition.is_null() {
        statement["Condition"] = condition;
    }
    json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

fn allow_all() -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        .to_string()
}

fn request(role_arn: &str) -> AssumeRoleRequest {
    AssumeRoleRequest {
        role_arn: role_arn.to_owned(),
        role_session_name: "session-1".to_owned(),
        ..AssumeRoleRequest::default()
    }
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

#[tokio::test]
async fn session_arn_drops_role_path() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    let role = world
        .role_with_path(
            MAIN_ACCOUNT,
            "/team/",
            "ops",
            &trust(ALICE, &["sts:AssumeRole"], json!(null)),
        )
        .await;

    let issued = world
        .sts
        .assume_role(
            &user_caller(&alice),
            &request("arn:aws:iam::111122223333:role/team/ops"),
        )
        .await
        .unwrap();

    assert_eq!(
        issued.claims.principal_arn.to_string(),
        "arn:aws:sts::111122223333:assumed-role/ops/session-1"
    );
    assert_eq!(issued.claims.source_arn, role.arn);
    assert_eq!(
        issued.principal_id(),
        format!("{}:session-1", role.role_id.as_str())
    );
    assert!(issued.principal_id().starts_with("AROA"));
    let without_path = world
        .sts
        .assume_role(
            &user_caller(&alice),
            &request("arn:aws:iam::111122223333:role/ops"),
        )
        .await;
    assert_eq!(code(without_path), "AccessDenied");
}

#[tokio::test]
async fn cross_account_needs_both_sides() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    let trusting = trust(
        "arn:aws:iam::111122223333:root",
        &["sts:AssumeRole"],
        json!(null),
    );
    world.role(OTHER_ACCOUNT, "partner", &trusting).await;
    world
        .role(
            OTHER_ACCOUNT,
            "closed",
            &trust(
                "arn:aws:iam::999999999999:root",
                &["sts:AssumeRole"],
                json!(null),
            ),
        )
        .await;
    let partner = request("arn:aws:iam::444455556666:role/partner");
    let closed = request("arn:aws:iam::444455556666:role/closed");

    let without_identity_allow = world.sts.assume_role(&user_caller(&alice), &partner).await;
    put_user_policy(&world, MAIN_ACCOUNT, "alice", "all", &allow_all()).await;
    let with_identity_allow = world.sts.assume_role(&user_caller(&alice), &partner).await;
    let untrusted = world.sts.assume_role(&user_caller(&alice), &closed).await;

    assert_eq!(code(without_identity_allow), "AccessDenied");
    assert_eq!(
        with_identity_allow.unwrap().claims.account.as_str(),
        OTHER_ACCOUNT
    );
    assert_eq!(code(untrusted), "AccessDenied");
}

#[tokio::test]
async fn external_id_condition() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let condition = json!({"StringEquals": {"sts:ExternalId": "partner-42"}});
    world
        .role(
            MAIN_ACCOUNT,
            "vendor",
            &trust(ALICE, &["sts:AssumeRole"], condition),
        )
        .await;
    let base = request("arn:aws:iam::111122223333:role/vendor");
    let with = |external_id: &str| AssumeRoleRequest {
        external_id: Some(external_id.to_owned()),
        ..base.clone()
    };

    assert_eq!(
        code(world.sts.assume_role(&alice, &base).await),
        "AccessDenied"
    );
    assert_eq!(
        code(world.sts.assume_role(&alice, &with("wrong-id")).await),
        "AccessDenied"
    );
    assert_eq!(
        code(world.sts.assume_role(&alice, &with("partner-42")).await),
        "ok"
    );
    assert_eq!(
        code(world.sts.assume_role(&alice, &with("x")).await),
        "ValidationError"
    );
}

#[tokio::test]
async fn mfa_condition_uses_request_code() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let condition = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
    world
        .role(
            MAIN_ACCOUNT,
            "admin",
            &trust(ALICE, &["sts:AssumeRole"], condition),
        )
        .await;
    let base = request("arn:aws:iam::111122223333:role/admin");
    let with_mfa = AssumeRoleRequest {
        serial_number: Some(serial.to_string()),
        token_code: Some(totp.code_at(world.now())),
        ..base.clone()
    };

    let without = world.sts.assume_role(&alice, &base).await;
    let with = world.sts.assume_role(&alice, &with_mfa).await;

    assert_eq!(code(without), "AccessDenied");
    let issued = with.unwrap();
    assert_eq!(issued.claims.mfa_authenticated_at, Some(world.now()));
}

#[tokio::test]
async fn session_name_condition() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let condition = json!({"StringLike": {"sts:RoleSessionName": "alice-*"}});
    world
        .role(
            MAIN_ACCOUNT,
            "named",
            &trust(ALICE, &["sts:AssumeRole"], condition),
        )
        .await;
    let named = |name: &str| AssumeRoleRequest {
        role_session_name: name.to_owned(),
        ..request("arn:aws:iam::111122223333:role/named")
    };

    assert_eq!(
        code(world.sts.assume_role(&alice, &named("alice-ci")).await),
        "ok"
    );
    assert_eq!(
        code(world.sts.assume_role(&alice, &named("bob-ci")).await),
        "AccessDenied"
    );
}

#[tokio::test]
async fn session_tags_need_tag_session() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    world
        .role(
            MAIN_ACCOUNT,
            "plain",
            &trust(ALICE, &["sts:AssumeRole"], json!(null)),
        )
        .await;
    let tag_condition = json!({"StringEquals": {"aws:RequestTag/team": "blue"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}});
    let tagging_trust = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:TagSession", "Condition": tag_condition}
    ]})
    .to_string();
    world.role(MAIN_ACCOUNT, "tagging", &tagging_trust).await;
    let tagged = |role: &str, tags: &[(&str, &str)]| AssumeRoleRequest {
        tags: tags
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect(),
        transitive_tag_keys: vec!["team".to_owned()],
        ..request(&format!("arn:aws:iam::111122223333:role/{role}"))
    };

    let no_tag_session = world
        .sts
        .assume_role(&alice, &tagged("plain", &[("team", "blue")]))
        .await;
    let wrong_value = world
        .sts
        .assume_role(&alice, &tagged("tagging", &[("team", "red")]))
        .await;
    let extra_key = world
        .sts
        .assume_role(
            &alice,
            &tagged("tagging", &[("team", "blue"), ("owner", "x")]),
        )
        .await;
    let allowed = world
        .sts
        .assume_role(&alice, &tagged("tagging", &[("team", "blue")]))
        .await;

    assert_eq!(code(no_tag_session), "AccessDenied");
    assert_eq!(code(wrong_value), "AccessDenied");
    assert_eq!(code(extra_key), "AccessDenied");
    let issued = allowed.unwrap();
    assert_eq!(issued.claims.tags.len(), 1);
    assert!(issued.claims.tags[0].transitive);
}

#[tokio::test]
async fn transitive_tags_and_source_identity_carry_through_chaining() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let first_trust = trust(
        ALICE,
        &["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        json!(null),
    );
    let first = world.role(MAIN_ACCOUNT, "first", &first_trust).await;
    let second_trust = trust(
        &first.arn.to_string(),
        &["sts:AssumeRole", "sts:TagSession"],
        json!({"StringEquals": {"aws:PrincipalTag/team": "blue", "sts:SourceIdentity": "alice"}}),
    );
    world.role(MAIN_ACCOUNT, "second", &second_trust).await;
    let first_request = AssumeRoleRequest {
        tags: vec![
            ("team".to_owned(), "blue".to_owned()),
            ("temp".to_owned(), "x".to_owned()),
        ],
        transitive_tag_keys: vec!["team".to_owned()],
        source_identity: Some("alice".to_owned()),
        ..request("arn:aws:iam::111122223333:role/first")
    };
    let first_session = world.sts.assume_role(&alice, &first_request).await.unwrap();
    let chained_caller = world.session_caller(&first_session.credentials);
    let second = request("arn:aws:iam::111122223333:role/second");
    let changed_identity = AssumeRoleRequest {
        source_identity: Some("mallory".to_owned()),
        ..second.clone()
    };
    let override_tag = AssumeRoleRequest {
        tags: vec![("team".to_owned(), "red".to_owned())],
        ..second.clone()
    };

    let chained = world
        .sts
        .assume_role(&chained_caller, &second)
        .await
        .unwrap();
    let changed = world
        .sts
        .assume_role(&chained_caller, &changed_identity)
        .await;
    let overridden = world.sts.assume_role(&chained_caller, &override_tag).await;

    assert!(chained.claims.chained);
    assert_eq!(chained.claims.source_identity.as_deref(), Some("alice"));
    let keys: Vec<&str> = chained
        .claims
        .tags
        .iter()
        .map(|tag| tag.key.as_str())
        .collect();
    assert_eq!(keys, ["team"]);
    assert!(chained.claims.tags[0].transitive);
    assert_eq!(code(changed), "AccessDenied");
    assert_eq!(code(overridden), "ValidationError");
}

#[tokio::test]
async fn source_identity_needs_set_source_identity() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    world
        .role(
            MAIN_ACCOUNT,
            "plain",
            &trust(ALICE, &["sts:AssumeRole"], json!(null)),
        )
        .await;
    let with_identity = AssumeRoleRequest {
        source_identity: Some("alice".to_owned()),
        ..request("arn:aws:iam::111122223333:role/plain")
    };
    let reserved = AssumeRoleRequest {
        source_identity: Some("aws:alice".to_owned()),
        ..request("arn:aws:iam::111122223333:role/plain")
    };

    assert_eq!(
        code(world.sts.assume_role(&alice, &with_identity).await),
        "AccessDenied"
    );
    assert_eq!(
        code(world.sts.assume_role(&alice, &reserved).await),
        "ValidationError"
    );
}

#[tokio::test]
async fn session_policies_are_checked_and_sealed() {
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    world
        .role(
            MAIN_ACCOUNT,
            "plain",
            &trust(ALICE, &["sts:AssumeRole"], json!(null)),
        )
        .await;
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let with_policy = AssumeRoleRequest {
        policy: Some(policy.to_owned()),
        policy_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned()],
        ..request("arn:aws:iam::111122223333:role/plain")
    };
    let malformed = AssumeRoleRequest {
        policy: Some(r#"{"Statement": "not a list of statements"}"#.to_owned()),
        ..request("arn:aws:iam::111122223333:role/plain")
    };
    world
        .role(
            MAIN_ACCOUNT,
            "tagging",
            &trust(ALICE, &["sts:AssumeRole", "sts:TagSession"], json!(null)),
        )
        .await;
    let too_large = AssumeRoleRequest {
        tags: (0..50)
            .map(|index| (format!("{index:0>100}"), "v".repeat(200)))
            .collect(),
        ..request("arn:aws:iam::111122223333:role/tagging")
    };

    let issued = world.sts.assume_role(&alice, &with_policy).await.unwrap();
    let malformed = world.sts.assume_role(&alice, &malformed).await;
    let too_large = world.sts.assume_role(&alice, &too_large).await;

    assert!(issued.claims.session_policy.is_some());
    assert_eq!(issued.claims.session_policy_arns.len(), 1);
    assert!(
        issued
            .packed_policy_size
            .is_some_and(|percent| (1..=100).contains(&percent))
    );
    assert_eq!(code(malformed), "MalformedPolicyDocument");
    assert_eq!(
        too_large.unwrap_err(),
        StsError::PackedPolicyTooLarge { percent: 625 }
    );
}

#[tokio::test]
async fn role_session_can_chain_into_itself_when_trusted() {
    let world = World::new();
    let role = world
        .role(
            MAIN_ACCOUNT,
            "worker",
            &trust(
                "arn:aws:iam::111122223333:role/worker",
                &["sts:AssumeRole"],
                json!(null),
            ),
        )
        .await;
    let session = role_session(&world, &role, "s1");
    let over_an_hour = AssumeRoleRequest {
        duration_seconds: Some(3601),
        ..request("arn:aws:iam::111122223333:role/worker")
    };

    let chained = world
        .sts
        .assume_role(&session, &request("arn:aws:iam::111122223333:role/worker"))
        .await;
    let too_long = world.sts.assume_role(&session, &over_an_hour).await;

    assert_eq!(code(chained), "ok");
    assert_eq!(code(too_long), "ValidationError");
}

#[tokio::test]
async fn revoked_role_sessions_stop_authenticating() {
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    world
        .role(
            MAIN_ACCOUNT,
            "deployer",
            &trust(ALICE, &["sts:AssumeRole"], json!(null)),
        )
        .await;
    let caller = user_caller(&alice);
    let role_request = request("arn:aws:iam::111122223333:role/deployer");
    let first = world.sts.assume_role(&caller, &role_request).await.unwrap();
    world.clock.advance(10);
    world
        .store
        .set_session_revocation(
            account(MAIN_ACCOUNT),
            &Identity::Role("deployer".to_owned()),
            world.now(),
        )
        .await
        .unwrap();
    let second = world.sts.assume_role(&caller, &role_request).await.unwrap();

    let first_result = world
        .sts
        .authenticate_session(
            first.credentials.session_token.expose(),
            first.credentials.access_key_id.as_str(),
        )
        .await;
    let second_result = world
        .sts
        .authenticate_session(
            second.credentials.session_token.expose(),
            second.credentials.access_key_id.as_str(),
        )
        .await;

    assert!(matches!(first_result, Err(StsError::RevokedToken { .. })));
    assert_eq!(code(second_result), "ok");
}
