//! The root user's own virtual MFA device: enabled, listed, resynchronized and deactivated
//! without `UserName`, reported by the account summary, and checked by `GetSessionToken`.

use iam_auth::totp::Totp;
use iam_model::Clock;

use crate::harness::{ACCOUNT, Harness, Key, Reply, encode};
use crate::mfa_devices::device_totp;
use crate::root_user::summary_entry;

const ROOT_SERIAL: &str = "arn:aws:iam::111122223333:mfa/root-account-mfa-device";

/// Calls `EnableMFADevice` or `ResyncMFADevice` signed by `key`. `user_name` is the encoded
/// `&UserName=…` part, empty to omit it.
async fn device_codes(
    harness: &Harness,
    key: &Key,
    action: &str,
    user_name: &str,
    codes: (&str, &str),
) -> Reply {
    let (first, second) = codes;
    harness
        .iam_as(
            key,
            &format!(
                "Action={action}{user_name}&SerialNumber={}&AuthenticationCode1={first}&AuthenticationCode2={second}",
                encode(ROOT_SERIAL)
            ),
        )
        .await
}

/// Creates `root-account-mfa-device` as the root user and enables it for the root user with
/// the codes of the previous and current steps.
pub(crate) async fn enabled_root_device(harness: &Harness) -> Totp {
    let created = harness
        .iam("Action=CreateVirtualMFADevice&VirtualMFADeviceName=root-account-mfa-device")
        .await
        .ok();
    assert_eq!(created.text("SerialNumber").as_deref(), Some(ROOT_SERIAL));
    let totp = device_totp(&created);
    let now = totp.step_at(harness.clock.now());
    let codes = (totp.code_at_step(now - 1), totp.code_at_step(now));
    device_codes(
        harness,
        &Key::root(),
        "EnableMFADevice",
        "",
        (&codes.0, &codes.1),
    )
    .await
    .ok();
    totp
}

#[tokio::test]
async fn root_enables_and_lists_own_device() {
    let harness = Harness::new().await;
    enabled_root_device(&harness).await;

    let listed = harness.iam("Action=ListMFADevices").await.ok();
    let assigned = harness
        .iam("Action=ListVirtualMFADevices&AssignmentStatus=Assigned")
        .await
        .ok();
    let fetched = harness
        .iam(&format!(
            "Action=GetMFADevice&SerialNumber={}",
            encode(ROOT_SERIAL)
        ))
        .await
        .ok();
    let summary = harness.iam("Action=GetAccountSummary").await.ok();

    assert_eq!(listed.text("SerialNumber").as_deref(), Some(ROOT_SERIAL));
    assert_eq!(listed.text("UserName"), None, "{}", listed.body);
    assert_eq!(assigned.text("SerialNumber").as_deref(), Some(ROOT_SERIAL));
    assert_eq!(
        assigned.text("Arn").as_deref(),
        Some("arn:aws:iam::111122223333:root")
    );
    assert_eq!(assigned.text("UserId").as_deref(), Some(ACCOUNT));
    assert_eq!(assigned.text("UserName"), None, "{}", assigned.body);
    assert_eq!(fetched.text("UserName"), None, "{}", fetched.body);
    assert!(fetched.text("EnableDate").is_some(), "{}", fetched.body);
    assert_eq!(
        summary_entry(&summary.body, "AccountMFAEnabled").as_deref(),
        Some("1")
    );
    assert_eq!(
        summary_entry(&summary.body, "MFADevicesInUse").as_deref(),
        Some("1")
    );
    insta::assert_snapshot!("list_virtual_mfa_devices_root", assigned.body);
}

#[tokio::test]
async fn root_deactivates_own_device() {
    let harness = Harness::new().await;
    enabled_root_device(&harness).await;
    let serial = encode(ROOT_SERIAL);

    let delete_enabled = harness
        .iam(&format!(
            "Action=DeleteVirtualMFADevice&SerialNumber={serial}"
        ))
        .await;
    harness
        .iam(&format!("Action=DeactivateMFADevice&SerialNumber={serial}"))
        .await
        .ok();
    let deactivate_again = harness
        .iam(&format!("Action=DeactivateMFADevice&SerialNumber={serial}"))
        .await;
    let listed = harness.iam("Action=ListMFADevices").await.ok();
    let summary = harness.iam("Action=GetAccountSummary").await.ok();
    harness
        .iam(&format!(
            "Action=DeleteVirtualMFADevice&SerialNumber={serial}"
        ))
        .await
        .ok();

    delete_enabled.error("DeleteConflict", 409);
    deactivate_again.error("NoSuchEntity", 404);
    assert!(!listed.body.contains("<member>"), "{}", listed.body);
    assert_eq!(
        summary_entry(&summary.body, "AccountMFAEnabled").as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn root_device_rejects_other_callers_and_bad_codes() {
    let harness = Harness::new().await;
    let alice = harness.user_with_key("alice").await;
    harness.allow("alice", "iam:*").await;
    let created = harness
        .iam("Action=CreateVirtualMFADevice&VirtualMFADeviceName=root-account-mfa-device")
        .await
        .ok();
    let totp = device_totp(&created);
    let now = totp.step_at(harness.clock.now());
    let good = (totp.code_at_step(now - 1), totp.code_at_step(now));
    let good = (good.0.as_str(), good.1.as_str());
    let root = Key::root();

    let user_without_name = device_codes(&harness, &alice, "EnableMFADevice", "", good).await;
    let root_name = device_codes(
        &harness,
        &root,
        "EnableMFADevice",
        &format!("&UserName={}", encode("<root>")),
        good,
    )
    .await;
    let wrong = device_codes(&harness, &root, "EnableMFADevice", "", ("000000", "111111")).await;
    let short = device_codes(&harness, &root, "EnableMFADevice", "", ("12345", "123456")).await;
    device_codes(&harness, &root, "EnableMFADevice", "", good)
        .await
        .ok();
    let again = device_codes(&harness, &root, "EnableMFADevice", "", good).await;
    let alice_lists = harness.iam_as(&alice, "Action=ListMFADevices").await.ok();
    let alice_deactivates = harness
        .iam_as(
            &alice,
            &format!(
                "Action=DeactivateMFADevice&SerialNumber={}",
                encode(ROOT_SERIAL)
            ),
        )
        .await;
    let alice_resyncs =
        device_codes(&harness, &alice, "ResyncMFADevice", "&UserName=alice", good).await;

    user_without_name.error("ValidationError", 400);
    root_name.error("ValidationError", 400);
    wrong.error("InvalidAuthenticationCode", 403);
    short.error("ValidationError", 400);
    again.error("EntityAlreadyExists", 409);
    assert!(
        !alice_lists.body.contains("<member>"),
        "{}",
        alice_lists.body
    );
    alice_deactivates.error("NoSuchEntity", 404);
    alice_resyncs.error("NoSuchEntity", 404);
}

#[tokio::test]
async fn root_resyncs_own_device() {
    let harness = Harness::new().await;
    let totp = enabled_root_device(&harness).await;
    let now = totp.step_at(harness.clock.now());
    let root = Key::root();
    let drifted = (totp.code_at_step(now + 5), totp.code_at_step(now + 6));

    let resynced = device_codes(
        &harness,
        &root,
        "ResyncMFADevice",
        "",
        (&drifted.0, &drifted.1),
    )
    .await;
    let replayed = device_codes(
        &harness,
        &root,
        "ResyncMFADevice",
        "",
        (&drifted.0, &drifted.1),
    )
    .await;

    resynced.ok();
    replayed.error("InvalidAuthenticationCode", 403);
}

#[tokio::test]
async fn root_session_token_with_mfa() {
    let harness = Harness::new().await;
    let totp = enabled_root_device(&harness).await;
    harness.clock.advance(30);
    let code = totp.code_at(harness.clock.now());
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let request = |token_code: &str| {
        format!(
            "Action=GetSessionToken&SerialNumber={}&TokenCode={token_code}",
            encode(ROOT_SERIAL)
        )
    };
    let root = Key::root();

    let wrong_reply = harness.sts_as(&root, &request(wrong)).await;
    let issued = harness.sts_as(&root, &request(&code)).await;
    let reused = harness.sts_as(&root, &request(&code)).await;
    let enabling_code = harness
        .sts_as(
            &root,
            &request(&totp.code_at(harness.clock.now() - jiff::SignedDuration::from_secs(30))),
        )
        .await;

    wrong_reply.error("AccessDenied", 403);
    let issued = issued.ok();
    assert!(issued.text("SessionToken").is_some(), "{}", issued.body);
    reused.error("AccessDenied", 403);
    assert!(
        reused
            .body
            .contains("MultiFactorAuthentication failed with invalid MFA one time pass code"),
        "{}",
        reused.body
    );
    enabling_code.error("AccessDenied", 403);
}
