//! Login profiles and `ChangePassword` through the router.

use crate::harness::{ACCOUNT, Harness, Key, encode};

const STRONG: &str = "Correct-Horse-9";

async fn set_policy(harness: &Harness, parameters: &str) {
    harness
        .iam(&format!("Action=UpdateAccountPasswordPolicy{parameters}"))
        .await
        .ok();
}

async fn create_profile(
    harness: &Harness,
    user_name: &str,
    password: &str,
) -> crate::harness::Reply {
    harness
        .iam(&format!(
            "Action=CreateLoginProfile&UserName={user_name}&Password={}",
            encode(password)
        ))
        .await
}

async fn change_password(
    harness: &Harness,
    key: &Key,
    old: &str,
    new: &str,
) -> crate::harness::Reply {
    harness
        .iam_as(
            key,
            &format!(
                "Action=ChangePassword&OldPassword={}&NewPassword={}",
                encode(old),
                encode(new)
            ),
        )
        .await
}

#[tokio::test]
async fn login_profile_lifecycle() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();

    let created = harness
        .iam(&format!(
            "Action=CreateLoginProfile&UserName=alice&Password={}&PasswordResetRequired=true",
            encode(STRONG)
        ))
        .await
        .ok();
    insta::assert_snapshot!("create_login_profile", created.body);
    let fetched = harness
        .iam("Action=GetLoginProfile&UserName=alice")
        .await
        .ok();
    insta::assert_snapshot!("get_login_profile", fetched.body);
    harness
        .iam("Action=UpdateLoginProfile&UserName=alice&PasswordResetRequired=false")
        .await
        .ok();
    let updated = harness
        .iam("Action=GetLoginProfile&UserName=alice")
        .await
        .ok();
    harness
        .iam("Action=DeleteLoginProfile&UserName=alice")
        .await
        .ok();
    let deleted = harness.iam("Action=GetLoginProfile&UserName=alice").await;

    assert_eq!(
        created.text("PasswordResetRequired").as_deref(),
        Some("true")
    );
    assert_eq!(
        updated.text("PasswordResetRequired").as_deref(),
        Some("false")
    );
    deleted.error("NoSuchEntity", 404);
}

#[tokio::test]
async fn stored_profile_keeps_only_a_hash() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();

    create_profile(&harness, "alice", STRONG).await.ok();

    let profile = harness
        .state
        .store
        .login_profile(ACCOUNT.parse().unwrap(), "alice")
        .await
        .unwrap();
    assert!(
        profile.password_hash.starts_with("pbkdf2-sha256$"),
        "{profile:?}"
    );
    assert!(!profile.password_hash.contains(STRONG));
    assert!(!format!("{profile:?}").contains("pbkdf2"));
}

#[tokio::test]
async fn policy_violation_lists_every_broken_rule() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();
    set_policy(
        &harness,
        "&MinimumPasswordLength=12&RequireNumbers=true&RequireSymbols=true&RequireUppercaseCharacters=true",
    )
    .await;

    let reply = create_profile(&harness, "alice", "short").await;

    reply.error("PasswordPolicyViolation", 400);
    let message = reply.text("Message").unwrap();
    for rule in ["at least 12 characters", "upper-case", "number", "symbol"] {
        assert!(message.contains(rule), "{rule}: {message}");
    }
    insta::assert_snapshot!("password_policy_violation", reply.body);
}

#[tokio::test]
async fn default_rules_apply_without_policy() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=bob").await.ok();

    let weak = create_profile(&harness, "bob", "abcdefgh").await;
    let strong = create_profile(&harness, "bob", STRONG).await;

    weak.error("PasswordPolicyViolation", 400);
    strong.ok();
}

#[tokio::test]
async fn profile_errors_have_aws_codes() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();
    create_profile(&harness, "alice", STRONG).await.ok();

    create_profile(&harness, "alice", STRONG)
        .await
        .error("EntityAlreadyExists", 409);
    create_profile(&harness, "nobody", STRONG)
        .await
        .error("NoSuchEntity", 404);
    harness
        .iam("Action=CreateLoginProfile&UserName=alice")
        .await
        .error("ValidationError", 400);
    harness
        .iam("Action=UpdateLoginProfile&UserName=nobody&PasswordResetRequired=true")
        .await
        .error("NoSuchEntity", 404);
    harness
        .iam("Action=DeleteLoginProfile&UserName=nobody")
        .await
        .error("NoSuchEntity", 404);
    harness
        .iam("Action=GetLoginProfile")
        .await
        .error("ValidationError", 400);
    harness.iam("Action=CreateUser&UserName=bob").await.ok();
    let long = "a".repeat(129);
    create_profile(&harness, "bob", &long)
        .await
        .error("ValidationError", 400);
}

#[tokio::test]
async fn delete_user_with_profile_conflicts() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();
    create_profile(&harness, "alice", STRONG).await.ok();

    let conflict = harness.iam("Action=DeleteUser&UserName=alice").await;
    harness
        .iam("Action=DeleteLoginProfile&UserName=alice")
        .await
        .ok();
    let deleted = harness.iam("Action=DeleteUser&UserName=alice").await;

    conflict.error("DeleteConflict", 409);
    deleted.ok();
}

#[tokio::test]
async fn change_password_when_policy_allows() {
    let harness = Harness::new().await;
    let key = harness.user_with_key("alice").await;
    set_policy(&harness, "&AllowUsersToChangePassword=true").await;
    harness
        .iam(&format!(
            "Action=CreateLoginProfile&UserName=alice&Password={}&PasswordResetRequired=true",
            encode(STRONG)
        ))
        .await
        .ok();
    let before = harness
        .state
        .store
        .login_profile(ACCOUNT.parse().unwrap(), "alice")
        .await
        .unwrap();

    change_password(&harness, &key, STRONG, "Battery-Staple-7")
        .await
        .ok();

    let after = harness
        .state
        .store
        .login_profile(ACCOUNT.parse().unwrap(), "alice")
        .await
        .unwrap();
    assert_ne!(after.password_hash, before.password_hash);
    assert_eq!(after.previous_password_hashes, vec![before.password_hash]);
    assert!(!after.password_reset_required);
    change_password(&harness, &key, "Battery-Staple-7", "Another-Pass-8")
        .await
        .ok();
}

#[tokio::test]
async fn change_password_needs_permission_without_policy_flag() {
    let harness = Harness::new().await;
    let key = harness.user_with_key("alice").await;
    create_profile(&harness, "alice", STRONG).await.ok();

    let denied = change_password(&harness, &key, STRONG, "Battery-Staple-7").await;
    harness.allow("alice", "iam:ChangePassword").await;
    let allowed = change_password(&harness, &key, STRONG, "Battery-Staple-7").await;

    denied.error("AccessDenied", 403);
    assert!(
        denied
            .text("Message")
            .unwrap()
            .contains("iam:ChangePassword"),
        "{}",
        denied.body
    );
    allowed.ok();
}

#[tokio::test]
async fn wrong_old_password_is_denied_then_locked() {
    let harness = Harness::new().await;
    let key = harness.user_with_key("alice").await;
    set_policy(&harness, "&AllowUsersToChangePassword=true").await;
    create_profile(&harness, "alice", STRONG).await.ok();

    for attempt in 1..iam_server::operations::MAX_FAILED_PASSWORD_ATTEMPTS {
        let reply = change_password(&harness, &key, "Wrong-Pass-1", "Battery-Staple-7").await;
        assert_eq!(
            reply.code().as_deref(),
            Some("AccessDenied"),
            "attempt {attempt}"
        );
    }
    let last = change_password(&harness, &key, "Wrong-Pass-1", "Battery-Staple-7").await;
    let locked = change_password(&harness, &key, STRONG, "Battery-Staple-7").await;
    harness
        .clock
        .advance(iam_server::operations::PASSWORD_LOCK_DURATION.as_secs() + 1);
    let unlocked = change_password(&harness, &key, STRONG, "Battery-Staple-7").await;

    last.error("EntityTemporarilyUnmodifiable", 409);
    locked.error("EntityTemporarilyUnmodifiable", 409);
    insta::assert_snapshot!("change_password_locked", locked.body);
    unlocked.ok();
}

#[tokio::test]
async fn change_password_errors_have_aws_codes() {
    let harness = Harness::new().await;
    let key = harness.user_with_key("alice").await;
    set_policy(
        &harness,
        "&AllowUsersToChangePassword=true&MinimumPasswordLength=10",
    )
    .await;

    let no_profile = change_password(&harness, &key, STRONG, "Battery-Staple-7").await;
    create_profile(&harness, "alice", STRONG).await.ok();
    let weak = change_password(&harness, &key, STRONG, "short").await;
    let root = change_password(&harness, &Key::root(), STRONG, "Battery-Staple-7").await;
    let missing = harness
        .iam_as(
            &key,
            &format!("Action=ChangePassword&OldPassword={}", encode(STRONG)),
        )
        .await;

    no_profile.error("NoSuchEntity", 404);
    weak.error("PasswordPolicyViolation", 400);
    root.error("InvalidUserType", 400);
    insta::assert_snapshot!("change_password_root", root.body);
    missing.error("ValidationError", 400);
}

#[tokio::test]
async fn reuse_prevention_rejects_recent_passwords() {
    let harness = Harness::new().await;
    let key = harness.user_with_key("alice").await;
    set_policy(
        &harness,
        "&AllowUsersToChangePassword=true&PasswordReusePrevention=2",
    )
    .await;
    create_profile(&harness, "alice", "First-Pass-1").await.ok();
    change_password(&harness, &key, "First-Pass-1", "Second-Pass-2")
        .await
        .ok();

    let current = change_password(&harness, &key, "Second-Pass-2", "Second-Pass-2").await;
    let previous = change_password(&harness, &key, "Second-Pass-2", "First-Pass-1").await;
    change_password(&harness, &key, "Second-Pass-2", "Third-Pass-3")
        .await
        .ok();
    let outside_window = change_password(&harness, &key, "Third-Pass-3", "First-Pass-1").await;

    current.error("PasswordPolicyViolation", 400);
    previous.error("PasswordPolicyViolation", 400);
    outside_window.ok();
}
