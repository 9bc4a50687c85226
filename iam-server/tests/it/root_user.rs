//! The root user without `UserName`: `GetUser`, its own access keys and the account summary.

use iam_model::ROOT_USER_NAME;

use crate::harness::{ACCOUNT, Harness, Key, ROOT_KEY_ID, encode};

/// Returns the value of one `GetAccountSummary` entry.
pub(crate) fn summary_entry(body: &str, key: &str) -> Option<String> {
    let start = body.find(&format!("<key>{key}</key>"))?;
    let rest = &body[start..];
    let value_start = rest.find("<value>")? + "<value>".len();
    let value_end = rest.find("</value>")?;
    Some(rest[value_start..value_end].to_owned())
}

#[tokio::test]
async fn get_user_returns_root_user() {
    let harness = Harness::new().await;

    let reply = harness.iam("Action=GetUser").await.ok();

    assert_eq!(reply.text("UserId").as_deref(), Some(ACCOUNT));
    assert_eq!(
        reply.text("Arn").as_deref(),
        Some("arn:aws:iam::111122223333:root")
    );
    assert_eq!(
        reply.text("CreateDate").as_deref(),
        Some("2025-06-01T08:00:00Z")
    );
    assert_eq!(reply.text("UserName"), None);
    insta::assert_snapshot!("get_user_root", reply.body);
}

#[tokio::test]
async fn root_lists_its_own_keys() {
    let harness = Harness::new().await;
    harness.user_with_key("alice").await;

    let reply = harness.iam("Action=ListAccessKeys").await.ok();

    assert_eq!(
        reply.body.matches("<AccessKeyId>").count(),
        1,
        "{}",
        reply.body
    );
    assert_eq!(reply.text("AccessKeyId").as_deref(), Some(ROOT_KEY_ID));
    assert_eq!(reply.text("UserName"), None);
    insta::assert_snapshot!("list_access_keys_root", reply.body);
}

#[tokio::test]
async fn root_rotates_its_key() {
    let harness = Harness::new().await;

    let created = harness.iam("Action=CreateAccessKey").await.ok();
    let new_key = Key {
        access_key_id: created.text("AccessKeyId").unwrap(),
        secret: created.text("SecretAccessKey").unwrap(),
    };
    let third = harness.iam("Action=CreateAccessKey").await;
    harness
        .iam_as(
            &new_key,
            &format!("Action=UpdateAccessKey&AccessKeyId={ROOT_KEY_ID}&Status=Inactive"),
        )
        .await
        .ok();
    let with_inactive = harness.iam("Action=ListUsers").await;
    harness
        .iam_as(
            &new_key,
            &format!("Action=DeleteAccessKey&AccessKeyId={ROOT_KEY_ID}"),
        )
        .await
        .ok();
    let caller = harness.iam_as(&new_key, "Action=GetUser").await.ok();
    let listed = harness.iam_as(&new_key, "Action=ListAccessKeys").await.ok();

    assert_eq!(created.text("UserName"), None, "{}", created.body);
    third.error("LimitExceeded", 409);
    with_inactive.error("InvalidClientTokenId", 403);
    assert_eq!(
        caller.text("Arn").as_deref(),
        Some("arn:aws:iam::111122223333:root")
    );
    assert_eq!(
        listed.body.matches("<AccessKeyId>").count(),
        1,
        "{}",
        listed.body
    );
    assert_eq!(listed.text("AccessKeyId"), Some(new_key.access_key_id));
}

#[tokio::test]
async fn user_name_cannot_reach_root_keys() {
    let harness = Harness::new().await;
    let root_owner = encode(ROOT_USER_NAME);

    let list = harness
        .iam(&format!("Action=ListAccessKeys&UserName={root_owner}"))
        .await;
    let delete = harness
        .iam(&format!(
            "Action=DeleteAccessKey&UserName={root_owner}&AccessKeyId={ROOT_KEY_ID}"
        ))
        .await;

    list.error("ValidationError", 400);
    delete.error("ValidationError", 400);
    harness.iam("Action=ListAccessKeys").await.ok();
}

#[tokio::test]
async fn account_summary_reports_root_credentials() {
    let harness = Harness::new().await;
    let alice = harness.user_with_key("alice").await;
    harness.allow("alice", "iam:GetAccountSummary").await;

    let with_key = harness.iam("Action=GetAccountSummary").await.ok();
    harness
        .state
        .store
        .delete_access_key(ACCOUNT.parse().unwrap(), ROOT_USER_NAME, ROOT_KEY_ID)
        .await
        .unwrap();
    let without_key = harness
        .iam_as(&alice, "Action=GetAccountSummary")
        .await
        .ok();

    let entry = |body: &str, key| summary_entry(body, key);
    assert_eq!(
        entry(&with_key.body, "AccountAccessKeysPresent").as_deref(),
        Some("1")
    );
    assert_eq!(
        entry(&without_key.body, "AccountAccessKeysPresent").as_deref(),
        Some("0")
    );
    assert_eq!(
        entry(&with_key.body, "AccountMFAEnabled").as_deref(),
        Some("0")
    );
    assert_eq!(
        entry(&with_key.body, "AccountPasswordPresent").as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn root_without_user_name_on_user_only_actions() {
    let harness = Harness::new().await;

    let profile = harness.iam("Action=GetLoginProfile").await;
    let devices = harness.iam("Action=ListMFADevices").await.ok();

    profile.error("ValidationError", 400);
    assert!(!devices.body.contains("<member>"), "{}", devices.body);
}
