//! Virtual MFA devices through the router, with codes computed from the returned seed.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use iam_auth::totp::{Totp, TotpParameters, TotpSeed, seed_context};
use iam_model::Clock;
use iam_sts::mfa::{MfaVerifier, StoredTotpVerifier};

use crate::harness::{ACCOUNT, Harness, Reply, encode};

const SERIAL: &str = "arn:aws:iam::111122223333:mfa/alice-phone";

/// Creates the device `alice-phone` and returns the reply and the device built from its seed.
async fn create_device(harness: &Harness, extra: &str) -> (Reply, Totp) {
    let reply = harness
        .iam(&format!(
            "Action=CreateVirtualMFADevice&VirtualMFADeviceName=alice-phone{extra}"
        ))
        .await
        .ok();
    let totp = device_totp(&reply);
    (reply, totp)
}

/// Builds the device a `CreateVirtualMFADevice` reply describes, from its Base32 seed.
pub(crate) fn device_totp(reply: &Reply) -> Totp {
    let seed_text = STANDARD
        .decode(reply.text("Base32StringSeed").unwrap())
        .unwrap();
    let seed = TotpSeed::from_base32(std::str::from_utf8(&seed_text).unwrap()).unwrap();
    Totp::new(seed, TotpParameters::default()).unwrap()
}

fn step(harness: &Harness, totp: &Totp) -> u64 {
    totp.step_at(harness.clock.now())
}

async fn enable(harness: &Harness, user_name: &str, first: &str, second: &str) -> Reply {
    harness
        .iam(&format!(
            "Action=EnableMFADevice&UserName={user_name}&SerialNumber={}&AuthenticationCode1={first}&AuthenticationCode2={second}",
            encode(SERIAL)
        ))
        .await
}

/// Creates alice and her device, and enables it with the codes of the previous and current
/// steps.
async fn enabled_device(harness: &Harness) -> Totp {
    harness.iam("Action=CreateUser&UserName=alice").await.ok();
    let (_, totp) = create_device(harness, "").await;
    let now = step(harness, &totp);
    enable(
        harness,
        "alice",
        &totp.code_at_step(now - 1),
        &totp.code_at_step(now),
    )
    .await
    .ok();
    totp
}

#[tokio::test]
async fn create_returns_seed_and_qr_code() {
    let harness = Harness::new().await;

    let (reply, totp) = create_device(&harness, "").await;

    assert_eq!(reply.text("SerialNumber").as_deref(), Some(SERIAL));
    let png = STANDARD.decode(reply.text("QRCodePNG").unwrap()).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(totp.seed().expose().len(), 20);
    let device = harness
        .state
        .store
        .virtual_mfa_device(ACCOUNT.parse().unwrap(), &SERIAL.parse().unwrap())
        .await
        .unwrap();
    let sealed = String::from_utf8(device.sealed_seed.0).unwrap();
    assert!(!sealed.contains(&totp.seed().to_base32()));
    insta::assert_snapshot!("create_virtual_mfa_device", reply.body);
}

#[tokio::test]
async fn enable_needs_two_consecutive_codes() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();
    let (_, totp) = create_device(&harness, "").await;
    let now = step(&harness, &totp);

    let same = enable(
        &harness,
        "alice",
        &totp.code_at_step(now),
        &totp.code_at_step(now),
    )
    .await;
    let wrong = enable(&harness, "alice", "000000", "111111").await;
    let short = enable(&harness, "alice", "12345", "123456").await;
    let enabled = enable(
        &harness,
        "alice",
        &totp.code_at_step(now - 1),
        &totp.code_at_step(now),
    )
    .await;
    let again = enable(
        &harness,
        "alice",
        &totp.code_at_step(now - 1),
        &totp.code_at_step(now),
    )
    .await;

    same.error("InvalidAuthenticationCode", 403);
    wrong.error("InvalidAuthenticationCode", 403);
    insta::assert_snapshot!("enable_mfa_device_wrong_codes", wrong.body);
    short.error("ValidationError", 400);
    enabled.ok();
    again.error("EntityAlreadyExists", 409);
}

#[tokio::test]
async fn enable_errors_name_missing_entities() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();

    let no_device = enable(&harness, "alice", "123456", "234567").await;
    create_device(&harness, "").await;
    let no_user = enable(&harness, "nobody", "123456", "234567").await;
    let not_an_arn = harness
        .iam("Action=DeleteVirtualMFADevice&SerialNumber=GAHT12345678")
        .await;
    let bad_characters = harness
        .iam("Action=DeleteVirtualMFADevice&SerialNumber=arn%20with%20spaces")
        .await;

    no_device.error("NoSuchEntity", 404);
    no_user.error("NoSuchEntity", 404);
    not_an_arn.error("NoSuchEntity", 404);
    bad_characters.error("ValidationError", 400);
}

#[tokio::test]
async fn enabled_device_is_listed() {
    let harness = Harness::new().await;
    enabled_device(&harness).await;
    harness
        .iam("Action=CreateVirtualMFADevice&VirtualMFADeviceName=spare")
        .await
        .ok();

    let for_user = harness
        .iam("Action=ListMFADevices&UserName=alice")
        .await
        .ok();
    let assigned = harness
        .iam("Action=ListVirtualMFADevices&AssignmentStatus=Assigned")
        .await
        .ok();
    let unassigned = harness
        .iam("Action=ListVirtualMFADevices&AssignmentStatus=Unassigned")
        .await
        .ok();
    let any = harness.iam("Action=ListVirtualMFADevices").await.ok();
    let bad = harness
        .iam("Action=ListVirtualMFADevices&AssignmentStatus=Some")
        .await;
    let fetched = harness
        .iam(&format!(
            "Action=GetMFADevice&SerialNumber={}",
            encode(SERIAL)
        ))
        .await
        .ok();

    insta::assert_snapshot!("list_mfa_devices", for_user.body);
    insta::assert_snapshot!("list_virtual_mfa_devices_assigned", assigned.body);
    assert!(unassigned.body.contains("mfa/spare"), "{}", unassigned.body);
    assert!(
        !unassigned.body.contains("alice-phone"),
        "{}",
        unassigned.body
    );
    assert_eq!(
        any.body.matches("<SerialNumber>").count(),
        2,
        "{}",
        any.body
    );
    bad.error("ValidationError", 400);
    insta::assert_snapshot!("get_mfa_device", fetched.body);
}

#[tokio::test]
async fn resync_accepts_codes_of_a_drifted_device() {
    let harness = Harness::new().await;
    let totp = enabled_device(&harness).await;
    let now = step(&harness, &totp);
    let resync = |first: String, second: String| {
        let harness = &harness;
        async move {
            harness
                .iam(&format!(
                    "Action=ResyncMFADevice&UserName=alice&SerialNumber={}&AuthenticationCode1={first}&AuthenticationCode2={second}",
                    encode(SERIAL)
                ))
                .await
        }
    };

    let drifted = resync(totp.code_at_step(now + 5), totp.code_at_step(now + 6)).await;
    let wrong = resync("000000".to_owned(), "111111".to_owned()).await;
    harness.iam("Action=CreateUser&UserName=bob").await.ok();
    let other_user = harness
        .iam(&format!(
            "Action=ResyncMFADevice&UserName=bob&SerialNumber={}&AuthenticationCode1=123456&AuthenticationCode2=234567",
            encode(SERIAL)
        ))
        .await;

    drifted.ok();
    wrong.error("InvalidAuthenticationCode", 403);
    other_user.error("NoSuchEntity", 404);
}

#[tokio::test]
async fn device_blocks_user_deletion_until_removed() {
    let harness = Harness::new().await;
    enabled_device(&harness).await;
    let serial = encode(SERIAL);

    let delete_user = harness.iam("Action=DeleteUser&UserName=alice").await;
    let delete_device = harness
        .iam(&format!(
            "Action=DeleteVirtualMFADevice&SerialNumber={serial}"
        ))
        .await;
    harness
        .iam(&format!(
            "Action=DeactivateMFADevice&UserName=alice&SerialNumber={serial}"
        ))
        .await
        .ok();
    let deactivate_again = harness
        .iam(&format!(
            "Action=DeactivateMFADevice&UserName=alice&SerialNumber={serial}"
        ))
        .await;
    harness
        .iam(&format!(
            "Action=DeleteVirtualMFADevice&SerialNumber={serial}"
        ))
        .await
        .ok();
    let deleted_user = harness.iam("Action=DeleteUser&UserName=alice").await;
    let listed = harness.iam("Action=ListVirtualMFADevices").await.ok();

    delete_user.error("DeleteConflict", 409);
    delete_device.error("DeleteConflict", 409);
    deactivate_again.error("NoSuchEntity", 404);
    deleted_user.ok();
    assert!(!listed.body.contains("<SerialNumber>"), "{}", listed.body);
}

#[tokio::test]
async fn device_tags_round_trip() {
    let harness = Harness::new().await;
    create_device(&harness, "&Tags.member.1.Key=team&Tags.member.1.Value=ops").await;
    let serial = encode(SERIAL);

    harness
        .iam(&format!(
            "Action=TagMFADevice&SerialNumber={serial}&Tags.member.1.Key=env&Tags.member.1.Value=prod"
        ))
        .await
        .ok();
    let tagged = harness
        .iam(&format!("Action=ListMFADeviceTags&SerialNumber={serial}"))
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=UntagMFADevice&SerialNumber={serial}&TagKeys.member.1=team"
        ))
        .await
        .ok();
    let untagged = harness
        .iam(&format!("Action=ListMFADeviceTags&SerialNumber={serial}"))
        .await
        .ok();
    let missing = harness
        .iam("Action=ListMFADeviceTags&SerialNumber=arn%3Aaws%3Aiam%3A%3A111122223333%3Amfa%2Fnone")
        .await;
    let no_tags = harness
        .iam(&format!("Action=TagMFADevice&SerialNumber={serial}"))
        .await;

    insta::assert_snapshot!("list_mfa_device_tags", tagged.body);
    assert!(!untagged.body.contains("team"), "{}", untagged.body);
    assert!(untagged.body.contains("env"), "{}", untagged.body);
    missing.error("NoSuchEntity", 404);
    no_tags.error("ValidationError", 400);
}

#[tokio::test]
async fn sts_verifier_checks_codes_of_server_devices() {
    let harness = Harness::new().await;
    let totp = enabled_device(&harness).await;
    let verifier = StoredTotpVerifier::new(
        Arc::clone(&harness.state.store),
        Arc::clone(&harness.state.keyring),
        seed_context,
    );
    harness.clock.advance(30);
    let now = harness.clock.now();
    let code = totp.code_at(now);

    let first = verifier
        .verify(ACCOUNT.parse().unwrap(), "alice", SERIAL, &code, now)
        .await;
    let reused = verifier
        .verify(ACCOUNT.parse().unwrap(), "alice", SERIAL, &code, now)
        .await;

    assert!(first.is_ok(), "{first:?}");
    assert!(reused.is_err(), "a code was accepted twice");
}
