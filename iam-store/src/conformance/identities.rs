//! Checks of users, groups and roles: uniqueness, quotas, delete conflicts, renames and
//! optimistic concurrency.

use std::sync::Arc;

use iam_model::Quota;

use super::{CheckResult, Fixture, ensure, ensure_eq, expect_error, step};
use crate::prelude::*;
use crate::{EntityKind, Identity, ListOptions, StoreError};

pub(super) async fn names_unique_ignoring_case(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );

    let found = step!(store.user(account, "aLiCe").await);
    ensure_eq!(found.user_name, "Alice");
    expect_error!(
        store
            .create_user(account, fixture.user(account, "ALICE"))
            .await,
        StoreError::EntityAlreadyExists {
            kind: EntityKind::User,
            ..
        }
    );
    step!(
        store
            .create_group(account, fixture.group(account, "Admins"))
            .await
    );
    expect_error!(
        store
            .create_group(account, fixture.group(account, "admins"))
            .await,
        StoreError::EntityAlreadyExists { .. }
    );
    // A user and a group may share a name: uniqueness is per kind.
    step!(
        store
            .create_group(account, fixture.group(account, "alice"))
            .await
    );
    step!(
        store
            .create_role(account, fixture.role(account, "Alice"))
            .await
    );
    expect_error!(
        store
            .create_role(account, fixture.role(account, "ALICE"))
            .await,
        StoreError::EntityAlreadyExists { .. }
    );
    expect_error!(
        store.user(account, "bob").await,
        StoreError::NoSuchEntity {
            kind: EntityKind::User,
            ..
        }
    );
    Ok(())
}

pub(super) async fn user_quota(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    for name in ["u1", "u2", "u3"] {
        step!(
            store
                .create_user(account, fixture.user(account, name))
                .await
        );
    }

    expect_error!(
        store
            .create_user(account, fixture.user(account, "u4"))
            .await,
        StoreError::LimitExceeded {
            quota: Quota::Users,
            limit: 3
        }
    );
    // Another account has its own count.
    let other = fixture.account(1);
    step!(store.create_user(other, fixture.user(other, "u4")).await);
    step!(store.delete_user(account, "u1").await);
    step!(
        store
            .create_user(account, fixture.user(account, "u4"))
            .await
    );
    Ok(())
}

pub(super) async fn user_delete_conflicts(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let user = Identity::User("Alice".to_owned());
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "s3:*"))
            .await
    );
    let device = fixture.mfa_device(account, "AliceMfa");
    step!(
        store
            .create_virtual_mfa_device(account, device.clone())
            .await
    );
    let key = fixture.access_key("Alice");
    let key_id = key.access_key.access_key_id.as_str().to_owned();

    step!(
        store
            .put_inline_policy(account, &user, fixture.inline("Inline", "s3:*"))
            .await
    );
    step!(store.attach_policy(account, &user, &policy.arn).await);
    step!(store.add_user_to_group(account, "Team", "Alice").await);
    step!(store.create_access_key(account, key).await);
    step!(
        store
            .create_login_profile(account, fixture.login_profile("Alice"))
            .await
    );
    let serial = device.serial_number.clone();
    step!(
        store
            .enable_mfa_device(account, "Alice", &serial, fixture.now, fixture.time_step())
            .await
    );

    // Remove one blocker at a time; each deletion attempt in between must conflict.
    for remaining in 0..6 {
        expect_error!(
            store.delete_user(account, "alice").await,
            StoreError::DeleteConflict {
                kind: EntityKind::User,
                ..
            }
        );
        step!(store.user(account, "Alice").await);
        match remaining {
            0 => step!(store.delete_inline_policy(account, &user, "inline").await),
            1 => step!(store.detach_policy(account, &user, &policy.arn).await),
            2 => step!(store.remove_user_from_group(account, "team", "alice").await),
            3 => step!(store.delete_access_key(account, "Alice", &key_id).await),
            4 => step!(store.delete_login_profile(account, "Alice").await),
            _ => step!(store.deactivate_mfa_device(account, "Alice", &serial).await),
        }
    }
    step!(store.delete_user(account, "alice").await);
    expect_error!(
        store.user(account, "Alice").await,
        StoreError::NoSuchEntity { .. }
    );
    expect_error!(
        store.delete_user(account, "Alice").await,
        StoreError::NoSuchEntity { .. }
    );
    let summary = step!(store.account_summary(account).await);
    ensure_eq!(summary.get("Users"), Some(0));
    Ok(())
}

pub(super) async fn user_rename_moves_everything(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let old = Identity::User("Alice".to_owned());
    let new = Identity::User("Alicia".to_owned());
    let boundary = step!(
        store
            .create_policy(account, fixture.policy(account, "B", "s3:*"))
            .await
    );
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "ec2:*"))
            .await
    );
    let mut user = fixture.user(account, "Alice");
    user.permissions_boundary = Some(boundary.arn.clone());
    step!(store.create_user(account, user).await);
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
    step!(store.add_user_to_group(account, "Team", "Alice").await);
    step!(
        store
            .put_inline_policy(account, &old, fixture.inline("Inline", "s3:*"))
            .await
    );
    step!(store.attach_policy(account, &old, &policy.arn).await);
    let key = fixture.access_key("Alice");
    let key_id = key.access_key.access_key_id.as_str().to_owned();
    step!(store.create_access_key(account, key).await);
    step!(
        store
            .create_login_profile(account, fixture.login_profile("Alice"))
            .await
    );
    let device = fixture.mfa_device(account, "Mfa");
    let serial = device.serial_number.clone();
    step!(store.create_virtual_mfa_device(account, device).await);
    step!(
        store
            .enable_mfa_device(account, "Alice", &serial, fixture.now, fixture.time_step())
            .await
    );

    let mut renamed = step!(store.user(account, "Alice").await).record;
    renamed.user_name = "Alicia".to_owned();
    step!(store.update_user(account, "Alice", renamed, None).await);

    expect_error!(
        store.user(account, "Alice").await,
        StoreError::NoSuchEntity { .. }
    );
    let user = step!(store.user(account, "alicia").await);
    ensure_eq!(user.user_name, "Alicia");
    ensure_eq!(user.permissions_boundary, Some(boundary.arn.clone()));
    let groups = step!(
        store
            .list_groups_for_user(account, "Alicia", &ListOptions::default())
            .await
    );
    ensure_eq!(groups.items.len(), 1);
    let members = step!(
        store
            .list_group_members(account, "Team", &ListOptions::default())
            .await
    );
    let member_names: Vec<&str> = members
        .items
        .iter()
        .map(|user| user.user_name.as_str())
        .collect();
    ensure_eq!(member_names, vec!["Alicia"]);
    step!(store.inline_policy(account, &new, "Inline").await);
    let attached = step!(
        store
            .list_attached_policies(account, &new, &ListOptions::default())
            .await
    );
    ensure_eq!(attached.items.len(), 1);
    let entities = step!(store.list_entities_for_policy(account, &policy.arn).await);
    ensure_eq!(entities.users, vec!["Alicia".to_owned()]);
    let (owner, found) = step!(store.find_access_key(&key_id).await);
    ensure_eq!(owner, account);
    ensure_eq!(found.access_key.user_name, "Alicia");
    let profile = step!(store.login_profile(account, "Alicia").await);
    ensure_eq!(profile.user_name, "Alicia");
    let devices = step!(store.list_mfa_devices(account, "Alicia").await);
    ensure_eq!(devices.len(), 1);
    let device = step!(store.virtual_mfa_device(account, &serial).await);
    ensure_eq!(device.user_name.as_deref(), Some("Alicia"));
    let boundary = step!(store.policy(account, &boundary.arn).await);
    ensure_eq!(boundary.permissions_boundary_usage_count, 1);
    let loaded = step!(store.principal_policies(account, &new).await);
    ensure_eq!(loaded.inline_policies.len(), 1);
    ensure_eq!(loaded.managed_policies.len(), 1);
    ensure_eq!(loaded.groups.len(), 1);

    // A rename that only changes case keeps everything too.
    let mut recased = step!(store.user(account, "Alicia").await).record;
    recased.user_name = "ALICIA".to_owned();
    step!(store.update_user(account, "alicia", recased, None).await);
    let user = step!(store.user(account, "Alicia").await);
    ensure_eq!(user.user_name, "ALICIA");
    let devices = step!(store.list_mfa_devices(account, "ALICIA").await);
    ensure_eq!(devices.len(), 1);

    step!(
        store
            .create_user(account, fixture.user(account, "Bob"))
            .await
    );
    let mut clash = step!(store.user(account, "Bob").await).record;
    clash.user_name = "alicia".to_owned();
    expect_error!(
        store.update_user(account, "Bob", clash, None).await,
        StoreError::EntityAlreadyExists { .. }
    );
    Ok(())
}

pub(super) async fn update_checks_revision(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let created = step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    let read = step!(store.user(account, "Alice").await);
    ensure_eq!(created.revision, read.revision);

    let mut changed = read.record.clone();
    changed.path = "/new/".to_owned();
    let updated = step!(
        store
            .update_user(account, "Alice", changed.clone(), Some(read.revision))
            .await
    );
    ensure!(
        updated.revision > read.revision,
        "revision {} after an update is not above {}",
        updated.revision,
        read.revision
    );
    expect_error!(
        store
            .update_user(account, "Alice", changed.clone(), Some(read.revision))
            .await,
        StoreError::RevisionMismatch { .. }
    );
    step!(
        store
            .update_user(account, "Alice", changed, Some(updated.revision))
            .await
    );
    ensure_eq!(step!(store.user(account, "Alice").await).path, "/new/");
    Ok(())
}

pub(super) async fn group_membership(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    for name in ["G1", "G2", "G3"] {
        step!(
            store
                .create_group(account, fixture.group(account, name))
                .await
        );
    }
    expect_error!(
        store
            .create_group(account, fixture.group(account, "G4"))
            .await,
        StoreError::LimitExceeded {
            quota: Quota::Groups,
            ..
        }
    );

    step!(store.add_user_to_group(account, "g1", "alice").await);
    // Adding a member again is not an error and does not count twice.
    step!(store.add_user_to_group(account, "G1", "Alice").await);
    step!(store.add_user_to_group(account, "G2", "Alice").await);
    expect_error!(
        store.add_user_to_group(account, "G3", "Alice").await,
        StoreError::LimitExceeded {
            quota: Quota::GroupsPerUser,
            ..
        }
    );
    expect_error!(
        store.add_user_to_group(account, "G3", "Nobody").await,
        StoreError::NoSuchEntity {
            kind: EntityKind::User,
            ..
        }
    );
    expect_error!(
        store.add_user_to_group(account, "Nothing", "Alice").await,
        StoreError::NoSuchEntity {
            kind: EntityKind::Group,
            ..
        }
    );
    let groups = step!(
        store
            .list_groups_for_user(account, "Alice", &ListOptions::default())
            .await
    );
    let names: Vec<&str> = groups
        .items
        .iter()
        .map(|group| group.group_name.as_str())
        .collect();
    ensure_eq!(names, vec!["G1", "G2"]);

    step!(store.remove_user_from_group(account, "G1", "Alice").await);
    expect_error!(
        store.remove_user_from_group(account, "G1", "Alice").await,
        StoreError::NoSuchEntity { .. }
    );
    step!(store.add_user_to_group(account, "G3", "Alice").await);
    let members = step!(
        store
            .list_group_members(account, "G1", &ListOptions::default())
            .await
    );
    ensure!(
        members.items.is_empty(),
        "G1 still lists members: {:?}",
        members.items
    );
    Ok(())
}

pub(super) async fn group_delete_conflicts(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let group = Identity::Group("Team".to_owned());
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "s3:*"))
            .await
    );
    step!(store.add_user_to_group(account, "Team", "Alice").await);
    step!(
        store
            .put_inline_policy(account, &group, fixture.inline("Inline", "s3:*"))
            .await
    );
    step!(store.attach_policy(account, &group, &policy.arn).await);

    for remaining in 0..3 {
        expect_error!(
            store.delete_group(account, "Team").await,
            StoreError::DeleteConflict {
                kind: EntityKind::Group,
                ..
            }
        );
        match remaining {
            0 => step!(store.remove_user_from_group(account, "Team", "Alice").await),
            1 => step!(store.delete_inline_policy(account, &group, "Inline").await),
            _ => step!(store.detach_policy(account, &group, &policy.arn).await),
        }
    }
    step!(store.delete_group(account, "team").await);
    expect_error!(
        store.group(account, "Team").await,
        StoreError::NoSuchEntity { .. }
    );
    Ok(())
}

pub(super) async fn group_rename(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "s3:*"))
            .await
    );
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(store.add_user_to_group(account, "Team", "Alice").await);
    let old = Identity::Group("Team".to_owned());
    step!(store.attach_policy(account, &old, &policy.arn).await);
    step!(
        store
            .put_inline_policy(account, &old, fixture.inline("Inline", "s3:*"))
            .await
    );

    let mut renamed = step!(store.group(account, "Team").await).record;
    renamed.group_name = "Crew".to_owned();
    step!(store.update_group(account, "Team", renamed, None).await);

    expect_error!(
        store.group(account, "Team").await,
        StoreError::NoSuchEntity { .. }
    );
    let groups = step!(
        store
            .list_groups_for_user(account, "Alice", &ListOptions::default())
            .await
    );
    let names: Vec<&str> = groups
        .items
        .iter()
        .map(|group| group.group_name.as_str())
        .collect();
    ensure_eq!(names, vec!["Crew"]);
    let entities = step!(store.list_entities_for_policy(account, &policy.arn).await);
    ensure_eq!(entities.groups, vec!["Crew".to_owned()]);
    let loaded = step!(
        store
            .principal_policies(account, &Identity::User("Alice".to_owned()))
            .await
    );
    let group_policies = loaded.groups.first().ok_or("Alice lost her group")?;
    ensure_eq!(group_policies.group.group_name, "Crew");
    ensure_eq!(group_policies.inline_policies.len(), 1);
    ensure_eq!(group_policies.managed_policies.len(), 1);
    Ok(())
}

pub(super) async fn role_rules(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let role = Identity::Role("App".to_owned());
    step!(
        store
            .create_role(account, fixture.role(account, "App"))
            .await
    );
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "s3:*"))
            .await
    );
    step!(
        store
            .create_instance_profile(account, fixture.instance_profile(account, "AppProfile"))
            .await
    );
    step!(
        store
            .put_inline_policy(account, &role, fixture.inline("Inline", "s3:*"))
            .await
    );
    step!(store.attach_policy(account, &role, &policy.arn).await);
    step!(
        store
            .add_role_to_instance_profile(account, "AppProfile", "app")
            .await
    );

    let mut renamed = step!(store.role(account, "App").await).record;
    renamed.role_name = "Other".to_owned();
    expect_error!(
        store.update_role(account, "App", renamed, None).await,
        StoreError::InvalidInput(_)
    );
    let mut described = step!(store.role(account, "App").await).record;
    described.description = Some("runs the app".to_owned());
    step!(store.update_role(account, "app", described, None).await);
    let stored = step!(store.role(account, "App").await);
    ensure_eq!(stored.description.as_deref(), Some("runs the app"));

    for remaining in 0..3 {
        expect_error!(
            store.delete_role(account, "App").await,
            StoreError::DeleteConflict {
                kind: EntityKind::Role,
                ..
            }
        );
        match remaining {
            0 => step!(store.delete_inline_policy(account, &role, "Inline").await),
            1 => step!(store.detach_policy(account, &role, &policy.arn).await),
            _ => step!(
                store
                    .remove_role_from_instance_profile(account, "AppProfile", "App")
                    .await
            ),
        }
    }
    step!(store.delete_role(account, "App").await);
    for name in ["R1", "R2", "R3"] {
        step!(
            store
                .create_role(account, fixture.role(account, name))
                .await
        );
    }
    expect_error!(
        store
            .create_role(account, fixture.role(account, "R4"))
            .await,
        StoreError::LimitExceeded {
            quota: Quota::Roles,
            ..
        }
    );
    Ok(())
}

pub(super) async fn concurrent_creates_respect_quota(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..16 {
        let store = Arc::clone(store);
        let user = fixture.user(account, &format!("racer{index}"));
        tasks.spawn(async move { store.create_user(account, user).await });
    }
    let results = tasks.join_all().await;

    let created = results.iter().filter(|result| result.is_ok()).count();
    ensure_eq!(created, 3);
    let rejected = results
        .iter()
        .filter(|result| matches!(result, Err(StoreError::LimitExceeded { .. })))
        .count();
    ensure_eq!(rejected, 13);
    let summary = step!(store.account_summary(account).await);
    ensure_eq!(summary.get("Users"), Some(3));
    let listed = step!(store.list_users(account, &ListOptions::default()).await);
    ensure_eq!(listed.items.len(), 3);
    Ok(())
}
