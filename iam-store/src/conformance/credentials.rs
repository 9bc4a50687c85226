//! Checks of access keys, login profiles and virtual MFA devices.

use std::sync::Arc;

use iam_model::{AccessKeyLastUsed, AccessKeyStatus, Quota, ROOT_USER_NAME};

use super::{CheckResult, Fixture, ensure, ensure_eq, expect_error, step};
use crate::prelude::*;
use crate::{EntityKind, ListOptions, MfaAssignment, StoreError, TimeStepAcceptance};

pub(super) async fn access_keys(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let other = fixture.account(1);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(store.create_user(other, fixture.user(other, "Bob")).await);
    let first = fixture.access_key("alice");
    let second = fixture.access_key("Alice");
    let first_id = first.access_key.access_key_id.as_str().to_owned();
    step!(store.create_access_key(account, first.clone()).await);
    step!(store.create_access_key(account, second).await);
    expect_error!(
        store
            .create_access_key(account, fixture.access_key("Alice"))
            .await,
        StoreError::LimitExceeded {
            quota: Quota::AccessKeysPerUser,
            limit: 2
        }
    );
    expect_error!(
        store
            .create_access_key(account, fixture.access_key("Nobody"))
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::User,
            ..
        }
    );
    // Access key ids are unique across accounts.
    let mut duplicate = first.clone();
    duplicate.access_key.user_name = "Bob".to_owned();
    expect_error!(
        store.create_access_key(other, duplicate).await,
        StoreError::EntityAlreadyExists {
            kind: EntityKind::AccessKey,
            ..
        }
    );

    let (owner, found) = step!(store.find_access_key(&first_id).await);
    ensure_eq!(owner, account);
    ensure_eq!(found.sealed_secret, first.sealed_secret);
    ensure_eq!(found.access_key.user_name, "Alice");
    expect_error!(
        store.find_access_key("AKIANOTAREALKEY00000").await,
        StoreError::NoSuchEntity { .. }
    );

    step!(
        store
            .update_access_key(account, "Alice", &first_id, AccessKeyStatus::Inactive)
            .await
    );
    let last_used = AccessKeyLastUsed {
        last_used_date: fixture.now,
        service_name: "iam".to_owned(),
        region: "us-east-1".to_owned(),
    };
    step!(
        store
            .record_access_key_use(&first_id, last_used.clone())
            .await
    );
    let (_, found) = step!(store.find_access_key(&first_id).await);
    ensure_eq!(found.access_key.status, AccessKeyStatus::Inactive);
    ensure_eq!(found.access_key.last_used, Some(last_used));
    let listed = step!(store.list_access_keys(account, "Alice").await);
    ensure_eq!(listed.len(), 2);

    expect_error!(
        store
            .update_access_key(other, "Bob", &first_id, AccessKeyStatus::Active)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::AccessKey,
            ..
        }
    );
    expect_error!(
        store.delete_access_key(other, "Bob", &first_id).await,
        StoreError::NoSuchEntity { .. }
    );
    step!(store.delete_access_key(account, "Alice", &first_id).await);
    expect_error!(
        store.find_access_key(&first_id).await,
        StoreError::NoSuchEntity { .. }
    );
    step!(
        store
            .create_access_key(account, fixture.access_key("Alice"))
            .await
    );
    Ok(())
}

pub(super) async fn root_access_keys(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let other = fixture.account(1);
    let first = fixture.access_key(ROOT_USER_NAME);
    let first_id = first.access_key.access_key_id.as_str().to_owned();
    step!(store.create_access_key(account, first.clone()).await);
    step!(
        store
            .create_access_key(account, fixture.access_key(ROOT_USER_NAME))
            .await
    );
    expect_error!(
        store
            .create_access_key(account, fixture.access_key(ROOT_USER_NAME))
            .await,
        StoreError::LimitExceeded {
            quota: Quota::AccessKeysPerUser,
            limit: 2
        }
    );

    let (owner, found) = step!(store.find_access_key(&first_id).await);
    ensure_eq!(owner, account);
    ensure_eq!(found.access_key.user_name, ROOT_USER_NAME);
    let listed = step!(store.list_access_keys(account, ROOT_USER_NAME).await);
    ensure_eq!(listed.len(), 2);
    let other_listed = step!(store.list_access_keys(other, ROOT_USER_NAME).await);
    ensure!(
        other_listed.is_empty(),
        "another account lists the root keys"
    );

    step!(
        store
            .update_access_key(
                account,
                ROOT_USER_NAME,
                &first_id,
                AccessKeyStatus::Inactive
            )
            .await
    );
    let (_, found) = step!(store.find_access_key(&first_id).await);
    ensure_eq!(found.access_key.status, AccessKeyStatus::Inactive);
    expect_error!(
        store
            .delete_access_key(other, ROOT_USER_NAME, &first_id)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::AccessKey,
            ..
        }
    );
    step!(
        store
            .delete_access_key(account, ROOT_USER_NAME, &first_id)
            .await
    );
    let listed = step!(store.list_access_keys(account, ROOT_USER_NAME).await);
    ensure_eq!(listed.len(), 1);
    let exported = step!(store.export().await);
    let root_keys = exported
        .iter()
        .filter(|record| {
            matches!(record, crate::export::ExportRecord::AccessKey { key, .. }
                if key.access_key.user_name == ROOT_USER_NAME)
        })
        .count();
    ensure_eq!(root_keys, 1);
    Ok(())
}

pub(super) async fn login_profiles(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    expect_error!(
        store.login_profile(account, "Alice").await,
        StoreError::NoSuchEntity {
            kind: EntityKind::LoginProfile,
            ..
        }
    );
    step!(
        store
            .create_login_profile(account, fixture.login_profile("alice"))
            .await
    );
    expect_error!(
        store
            .create_login_profile(account, fixture.login_profile("Alice"))
            .await,
        StoreError::EntityAlreadyExists {
            kind: EntityKind::LoginProfile,
            ..
        }
    );
    let mut profile = step!(store.login_profile(account, "ALICE").await);
    ensure_eq!(profile.user_name, "Alice");
    profile.password_reset_required = true;
    step!(store.update_login_profile(account, profile).await);
    ensure!(
        step!(store.login_profile(account, "Alice").await).password_reset_required,
        "the update was lost"
    );
    step!(store.delete_login_profile(account, "Alice").await);
    expect_error!(
        store.delete_login_profile(account, "Alice").await,
        StoreError::NoSuchEntity { .. }
    );
    expect_error!(
        store
            .update_login_profile(account, fixture.login_profile("Alice"))
            .await,
        StoreError::NoSuchEntity { .. }
    );
    expect_error!(
        store
            .create_login_profile(account, fixture.login_profile("Nobody"))
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::User,
            ..
        }
    );
    Ok(())
}

pub(super) async fn mfa_devices(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(
        store
            .create_user(account, fixture.user(account, "Bob"))
            .await
    );
    let first = fixture.mfa_device(account, "First");
    let second = fixture.mfa_device(account, "Second");
    let first_serial = first.serial_number.clone();
    let second_serial = second.serial_number.clone();
    step!(
        store
            .create_virtual_mfa_device(account, first.clone())
            .await
    );
    step!(store.create_virtual_mfa_device(account, second).await);
    expect_error!(
        store
            .create_virtual_mfa_device(account, fixture.mfa_device(account, "first"))
            .await,
        StoreError::EntityAlreadyExists {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    let mut assigned = fixture.mfa_device(account, "Third");
    assigned.user_name = Some("Alice".to_owned());
    expect_error!(
        store.create_virtual_mfa_device(account, assigned).await,
        StoreError::InvalidInput(_)
    );

    step!(
        store
            .enable_mfa_device(
                account,
                "Alice",
                &first_serial,
                fixture.now,
                fixture.time_step()
            )
            .await
    );
    expect_error!(
        store
            .enable_mfa_device(
                account,
                "Bob",
                &first_serial,
                fixture.now,
                fixture.time_step()
            )
            .await,
        StoreError::EntityAlreadyExists { .. }
    );
    expect_error!(
        store
            .enable_mfa_device(
                account,
                "Alice",
                &second_serial,
                fixture.now,
                fixture.time_step()
            )
            .await,
        StoreError::LimitExceeded {
            quota: Quota::MfaDevicesPerUser,
            ..
        }
    );
    let device = step!(store.virtual_mfa_device(account, &first_serial).await);
    ensure_eq!(device.user_name.as_deref(), Some("Alice"));
    ensure_eq!(device.enable_date, Some(fixture.now));
    ensure_eq!(device.sealed_seed, first.sealed_seed);

    let assigned = step!(
        store
            .list_virtual_mfa_devices(account, MfaAssignment::Assigned, &ListOptions::default())
            .await
    );
    ensure_eq!(assigned.items.len(), 1);
    let unassigned = step!(
        store
            .list_virtual_mfa_devices(account, MfaAssignment::Unassigned, &ListOptions::default())
            .await
    );
    ensure_eq!(unassigned.items.len(), 1);
    let summary = step!(store.account_summary(account).await);
    ensure_eq!(summary.get("MFADevices"), Some(2));
    ensure_eq!(summary.get("MFADevicesInUse"), Some(1));

    expect_error!(
        store
            .delete_virtual_mfa_device(account, &first_serial)
            .await,
        StoreError::DeleteConflict {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    expect_error!(
        store
            .deactivate_mfa_device(account, "Bob", &first_serial)
            .await,
        StoreError::NoSuchEntity { .. }
    );
    step!(
        store
            .deactivate_mfa_device(account, "Alice", &first_serial)
            .await
    );
    ensure!(
        step!(store.list_mfa_devices(account, "Alice").await).is_empty(),
        "Alice still lists a device"
    );
    step!(
        store
            .delete_virtual_mfa_device(account, &first_serial)
            .await
    );
    expect_error!(
        store.virtual_mfa_device(account, &first_serial).await,
        StoreError::NoSuchEntity { .. }
    );
    step!(
        store
            .enable_mfa_device(
                account,
                "Alice",
                &second_serial,
                fixture.now,
                fixture.time_step()
            )
            .await
    );
    Ok(())
}

/// The root user, which has no user record, keeps devices under the owner name
/// [`ROOT_USER_NAME`] with the same quota, time steps and deactivation as a user.
pub(super) async fn root_mfa_devices(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let other = fixture.account(1);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    let device = fixture.mfa_device(account, "root-account-mfa-device");
    let serial = device.serial_number.clone();
    let spare_device = fixture.mfa_device(account, "Spare");
    let spare = spare_device.serial_number.clone();
    step!(store.create_virtual_mfa_device(account, device).await);
    step!(store.create_virtual_mfa_device(account, spare_device).await);

    let enabled_step = fixture.time_step();
    step!(
        store
            .enable_mfa_device(account, ROOT_USER_NAME, &serial, fixture.now, enabled_step)
            .await
    );
    expect_error!(
        store
            .enable_mfa_device(account, ROOT_USER_NAME, &spare, fixture.now, enabled_step)
            .await,
        StoreError::LimitExceeded {
            quota: Quota::MfaDevicesPerUser,
            ..
        }
    );
    expect_error!(
        store
            .enable_mfa_device(account, "Alice", &serial, fixture.now, enabled_step)
            .await,
        StoreError::EntityAlreadyExists {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    let device = step!(store.virtual_mfa_device(account, &serial).await);
    ensure_eq!(device.user_name.as_deref(), Some(ROOT_USER_NAME));
    ensure_eq!(device.enable_date, Some(fixture.now));
    let listed = step!(store.list_mfa_devices(account, ROOT_USER_NAME).await);
    ensure_eq!(listed.len(), 1);
    ensure!(
        step!(store.list_mfa_devices(other, ROOT_USER_NAME).await).is_empty(),
        "another account's root user lists the device"
    );
    ensure!(
        step!(store.list_mfa_devices(account, "Alice").await).is_empty(),
        "Alice lists the root user's device"
    );
    let summary = step!(store.account_summary(account).await);
    ensure_eq!(summary.get("MFADevicesInUse"), Some(1));

    let same = step!(
        store
            .accept_mfa_time_step(account, ROOT_USER_NAME, &serial, enabled_step)
            .await
    );
    ensure!(!same.is_accepted(), "the enabling step was accepted again");
    let next = step!(
        store
            .accept_mfa_time_step(account, ROOT_USER_NAME, &serial, enabled_step + 1)
            .await
    );
    ensure_eq!(next, TimeStepAcceptance::Accepted);
    expect_error!(
        store
            .accept_mfa_time_step(account, "Alice", &serial, enabled_step + 2)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    expect_error!(
        store
            .accept_mfa_time_step(other, ROOT_USER_NAME, &serial, enabled_step + 2)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            ..
        }
    );

    expect_error!(
        store.delete_virtual_mfa_device(account, &serial).await,
        StoreError::DeleteConflict {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    expect_error!(
        store.deactivate_mfa_device(account, "Alice", &serial).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    step!(
        store
            .deactivate_mfa_device(account, ROOT_USER_NAME, &serial)
            .await
    );
    ensure!(
        step!(store.list_mfa_devices(account, ROOT_USER_NAME).await).is_empty(),
        "the root user still lists a deactivated device"
    );
    ensure_eq!(step!(store.mfa_time_step(account, &serial).await), None);
    step!(
        store
            .enable_mfa_device(account, ROOT_USER_NAME, &spare, fixture.now, enabled_step)
            .await
    );
    Ok(())
}

pub(super) async fn mfa_time_steps(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(
        store
            .create_user(account, fixture.user(account, "Bob"))
            .await
    );
    let device = fixture.mfa_device(account, "Steps");
    let serial = device.serial_number.clone();
    step!(store.create_virtual_mfa_device(account, device).await);
    ensure_eq!(step!(store.mfa_time_step(account, &serial).await), None);
    expect_error!(
        store
            .accept_mfa_time_step(account, "Alice", &serial, 1)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            ..
        }
    );

    let enabled_step = fixture.time_step();
    step!(
        store
            .enable_mfa_device(account, "Alice", &serial, fixture.now, enabled_step)
            .await
    );
    ensure_eq!(
        step!(store.mfa_time_step(account, &serial).await),
        Some(enabled_step)
    );
    let same = step!(
        store
            .accept_mfa_time_step(account, "Alice", &serial, enabled_step)
            .await
    );
    ensure_eq!(
        same,
        TimeStepAcceptance::NotAfterLast {
            last_accepted: enabled_step
        }
    );
    let next = step!(
        store
            .accept_mfa_time_step(account, "alice", &serial, enabled_step + 1)
            .await
    );
    ensure_eq!(next, TimeStepAcceptance::Accepted);
    let earlier = step!(
        store
            .accept_mfa_time_step(account, "Alice", &serial, enabled_step)
            .await
    );
    ensure!(!earlier.is_accepted(), "an earlier step was accepted");
    ensure_eq!(
        step!(store.mfa_time_step(account, &serial).await),
        Some(enabled_step + 1)
    );

    expect_error!(
        store
            .accept_mfa_time_step(account, "Bob", &serial, enabled_step + 5)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    expect_error!(
        store
            .accept_mfa_time_step(account, "Nobody", &serial, enabled_step + 5)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::User,
            ..
        }
    );
    let missing = fixture.mfa_device(account, "Missing").serial_number;
    expect_error!(
        store.mfa_time_step(account, &missing).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            ..
        }
    );
    ensure_eq!(
        step!(store.mfa_time_step(account, &serial).await),
        Some(enabled_step + 1)
    );

    step!(store.deactivate_mfa_device(account, "Alice", &serial).await);
    ensure_eq!(step!(store.mfa_time_step(account, &serial).await), None);
    step!(
        store
            .enable_mfa_device(account, "Bob", &serial, fixture.now, enabled_step + 3)
            .await
    );
    ensure_eq!(
        step!(store.mfa_time_step(account, &serial).await),
        Some(enabled_step + 3)
    );
    Ok(())
}

/// Many requests race to spend the same code: exactly one wins, and a later step still does.
pub(super) async fn concurrent_time_steps_accept_once(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    let device = fixture.mfa_device(account, "Raced");
    let serial = device.serial_number.clone();
    step!(store.create_virtual_mfa_device(account, device).await);
    let enabled_step = fixture.time_step();
    step!(
        store
            .enable_mfa_device(account, "Alice", &serial, fixture.now, enabled_step)
            .await
    );

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let store = Arc::clone(store);
        let serial = serial.clone();
        tasks.spawn(async move {
            store
                .accept_mfa_time_step(account, "Alice", &serial, enabled_step + 1)
                .await
        });
    }
    let results = tasks.join_all().await;

    let accepted = results
        .iter()
        .filter(|result| matches!(result, Ok(TimeStepAcceptance::Accepted)))
        .count();
    ensure_eq!(accepted, 1);
    let rejected = results
        .iter()
        .filter(|result| matches!(result, Ok(TimeStepAcceptance::NotAfterLast { .. })))
        .count();
    ensure_eq!(rejected, 15);
    let later = step!(
        store
            .accept_mfa_time_step(account, "Alice", &serial, enabled_step + 2)
            .await
    );
    ensure_eq!(later, TimeStepAcceptance::Accepted);
    Ok(())
}
