//! Checks of managed policies, versions, attachments, inline policies, permissions boundaries
//! and loading a principal's policies.

use std::sync::Arc;

use iam_model::{PolicyVersionId, Quota};

use super::fixture::document;
use super::{CheckResult, Fixture, ensure, ensure_eq, expect_error, step};
use crate::prelude::*;
use crate::{EntityKind, Identity, ListOptions, Principal, StoreError};

fn version(number: u32) -> Result<PolicyVersionId, String> {
    PolicyVersionId::new(number).ok_or_else(|| format!("no version id `v{number}`"))
}

pub(super) async fn policy_versions(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "s3:*"))
            .await
    );
    let arn = policy.arn.clone();
    let now = fixture.now;

    for number in 2..=5 {
        let created = step!(
            store
                .create_policy_version(account, &arn, document("ec2:*"), now, false)
                .await
        );
        ensure_eq!(created.version_id, version(number)?);
    }
    expect_error!(
        store
            .create_policy_version(account, &arn, document("ec2:*"), now, true)
            .await,
        StoreError::LimitExceeded {
            quota: Quota::VersionsPerPolicy,
            limit: 5
        }
    );
    expect_error!(
        store
            .delete_policy_version(account, &arn, version(1)?)
            .await,
        StoreError::DeleteConflict {
            kind: EntityKind::PolicyVersion,
            ..
        }
    );
    step!(
        store
            .set_default_policy_version(account, &arn, version(3)?, now)
            .await
    );
    let stored = step!(store.policy(account, &arn).await);
    ensure_eq!(stored.default_version_id, version(3)?);
    let defaults = stored
        .versions
        .iter()
        .filter(|version| version.is_default_version)
        .count();
    ensure_eq!(defaults, 1);

    step!(
        store
            .delete_policy_version(account, &arn, version(5)?)
            .await
    );
    expect_error!(
        store
            .delete_policy_version(account, &arn, version(5)?)
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::PolicyVersion,
            ..
        }
    );
    // Version ids are never reused: after deleting v5 the next version is v6.
    let created = step!(
        store
            .create_policy_version(account, &arn, document("iam:*"), now, true)
            .await
    );
    ensure_eq!(created.version_id, version(6)?);
    let stored = step!(store.policy(account, &arn).await);
    ensure_eq!(stored.default_version_id, version(6)?);
    expect_error!(
        store
            .set_default_policy_version(account, &arn, version(9)?, now)
            .await,
        StoreError::NoSuchEntity { .. }
    );
    let summary = step!(store.account_summary(account).await);
    ensure_eq!(summary.get("PolicyVersionsInUse"), Some(5));
    Ok(())
}

pub(super) async fn attachments(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let user = Identity::User("Alice".to_owned());
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    let mut arns = Vec::new();
    for name in ["P1", "P2", "P3"] {
        let policy = step!(
            store
                .create_policy(account, fixture.policy(account, name, "s3:*"))
                .await
        );
        arns.push(policy.record.arn);
    }
    let [first, second, third] = arns.as_slice() else {
        return Err("expected three policies".to_owned());
    };

    step!(store.attach_policy(account, &user, first).await);
    // Attaching again is not an error and does not count twice.
    step!(store.attach_policy(account, &user, first).await);
    step!(store.attach_policy(account, &user, second).await);
    expect_error!(
        store.attach_policy(account, &user, third).await,
        StoreError::LimitExceeded {
            quota: Quota::AttachedPoliciesPerUser,
            ..
        }
    );
    let stored = step!(store.policy(account, first).await);
    ensure_eq!(stored.attachment_count, 1);
    let attached = step!(
        store
            .list_attached_policies(account, &user, &ListOptions::default())
            .await
    );
    ensure_eq!(attached.items.len(), 2);

    expect_error!(
        store.detach_policy(account, &user, third).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::PolicyAttachment,
            ..
        }
    );
    let nobody = Identity::Role("Nobody".to_owned());
    expect_error!(
        store.attach_policy(account, &nobody, first).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::Role,
            ..
        }
    );
    let missing = fixture.policy(account, "Missing", "s3:*").arn;
    expect_error!(
        store.attach_policy(account, &user, &missing).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::ManagedPolicy,
            ..
        }
    );
    // A policy of another account is not visible.
    let other = fixture.account(1);
    let foreign = fixture.policy(other, "Foreign", "s3:*");
    step!(store.create_policy(other, foreign.clone()).await);
    expect_error!(
        store.attach_policy(account, &user, &foreign.arn).await,
        StoreError::NoSuchEntity { .. }
    );

    step!(store.detach_policy(account, &user, first).await);
    step!(store.attach_policy(account, &user, third).await);
    let stored = step!(store.policy(account, first).await);
    ensure_eq!(stored.attachment_count, 0);
    Ok(())
}

pub(super) async fn policy_delete_conflicts(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
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
    let arn = policy.arn.clone();
    step!(store.attach_policy(account, &role, &arn).await);
    step!(
        store
            .set_permissions_boundary(account, &role, Some(&arn))
            .await
    );
    step!(
        store
            .create_policy_version(account, &arn, document("ec2:*"), fixture.now, false)
            .await
    );

    for remaining in 0..3 {
        expect_error!(
            store.delete_policy(account, &arn).await,
            StoreError::DeleteConflict {
                kind: EntityKind::ManagedPolicy,
                ..
            }
        );
        match remaining {
            0 => step!(store.detach_policy(account, &role, &arn).await),
            1 => step!(store.set_permissions_boundary(account, &role, None).await),
            _ => step!(
                store
                    .delete_policy_version(account, &arn, version(2)?)
                    .await
            ),
        }
    }
    step!(store.delete_policy(account, &arn).await);
    expect_error!(
        store.policy(account, &arn).await,
        StoreError::NoSuchEntity { .. }
    );
    // The name is free again.
    step!(
        store
            .create_policy(account, fixture.policy(account, "p", "s3:*"))
            .await
    );
    Ok(())
}

pub(super) async fn aws_managed_policies(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let first = fixture.account(0);
    let second = fixture.account(1);
    let policy = fixture.aws_policy("ReadOnlyAccess", "s3:Get*");
    let arn = policy.arn.clone();
    step!(store.put_aws_managed_policy(policy).await);
    step!(store.create_user(first, fixture.user(first, "Alice")).await);
    step!(store.create_user(second, fixture.user(second, "Bob")).await);
    step!(
        store
            .create_user(second, fixture.user(second, "Carol"))
            .await
    );

    step!(
        store
            .attach_policy(first, &Identity::User("Alice".to_owned()), &arn)
            .await
    );
    step!(
        store
            .attach_policy(second, &Identity::User("Bob".to_owned()), &arn)
            .await
    );
    step!(
        store
            .attach_policy(second, &Identity::User("Carol".to_owned()), &arn)
            .await
    );

    // Attachment counts of an AWS managed policy are per account.
    ensure_eq!(step!(store.policy(first, &arn).await).attachment_count, 1);
    ensure_eq!(step!(store.policy(second, &arn).await).attachment_count, 2);
    let entities = step!(store.list_entities_for_policy(second, &arn).await);
    ensure_eq!(entities.users, vec!["Bob".to_owned(), "Carol".to_owned()]);
    expect_error!(
        store.delete_policy(first, &arn).await,
        StoreError::InvalidInput(_)
    );
    expect_error!(
        store
            .create_policy_version(first, &arn, document("*"), fixture.now, true)
            .await,
        StoreError::InvalidInput(_)
    );
    let loaded = step!(
        store
            .principal_policies(first, &Identity::User("Alice".to_owned()))
            .await
    );
    let documents: Vec<&str> = loaded
        .managed_policies
        .iter()
        .map(|policy| policy.document.as_str())
        .collect();
    ensure_eq!(documents, vec![document("s3:Get*").as_str()]);
    Ok(())
}

pub(super) async fn inline_policies(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let user = Identity::User("Alice".to_owned());
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );

    step!(
        store
            .put_inline_policy(account, &user, fixture.inline("Read", "s3:Get*"))
            .await
    );
    // Replacing a policy counts only its new size against the user's aggregate quota of 120.
    step!(
        store
            .put_inline_policy(account, &user, fixture.inline("read", "s3:List*"))
            .await
    );
    expect_error!(
        store
            .put_inline_policy(account, &user, fixture.inline("Write", "s3:Put*"))
            .await,
        StoreError::LimitExceeded {
            quota: Quota::UserPolicySize,
            limit: 120
        }
    );
    let stored = step!(store.inline_policy(account, &user, "READ").await);
    ensure_eq!(stored.policy_document, document("s3:List*"));
    ensure_eq!(stored.policy_name, "read");
    let names = step!(
        store
            .list_inline_policies(account, &user, &ListOptions::default())
            .await
    );
    ensure_eq!(names.items, vec!["read".to_owned()]);

    expect_error!(
        store.inline_policy(account, &user, "Write").await,
        StoreError::NoSuchEntity {
            kind: EntityKind::InlinePolicy,
            ..
        }
    );
    expect_error!(
        store.delete_inline_policy(account, &user, "Write").await,
        StoreError::NoSuchEntity { .. }
    );
    let nobody = Identity::Group("Nobody".to_owned());
    expect_error!(
        store
            .put_inline_policy(account, &nobody, fixture.inline("Read", "s3:*"))
            .await,
        StoreError::NoSuchEntity {
            kind: EntityKind::Group,
            ..
        }
    );
    step!(store.delete_inline_policy(account, &user, "Read").await);
    step!(
        store
            .put_inline_policy(account, &user, fixture.inline("Write", "s3:Put*"))
            .await
    );
    Ok(())
}

pub(super) async fn permissions_boundaries(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let boundary = step!(
        store
            .create_policy(account, fixture.policy(account, "B", "s3:*"))
            .await
    );
    let arn = boundary.arn.clone();
    let mut user = fixture.user(account, "Alice");
    user.permissions_boundary = Some(arn.clone());
    step!(store.create_user(account, user).await);
    let mut role = fixture.role(account, "App");
    role.permissions_boundary = Some(arn.clone());
    step!(store.create_role(account, role).await);
    ensure_eq!(
        step!(store.policy(account, &arn).await).permissions_boundary_usage_count,
        2
    );

    let mut missing_boundary = fixture.user(account, "Bob");
    missing_boundary.permissions_boundary = Some(fixture.policy(account, "Missing", "*").arn);
    expect_error!(
        store.create_user(account, missing_boundary).await,
        StoreError::NoSuchEntity { .. }
    );
    expect_error!(
        store.user(account, "Bob").await,
        StoreError::NoSuchEntity { .. }
    );
    let group = Identity::Group("Team".to_owned());
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
    expect_error!(
        store
            .set_permissions_boundary(account, &group, Some(&arn))
            .await,
        StoreError::InvalidInput(_)
    );

    // Deleting a user with a boundary is allowed and releases the boundary.
    step!(store.delete_user(account, "Alice").await);
    step!(
        store
            .set_permissions_boundary(account, &Identity::Role("App".to_owned()), None)
            .await
    );
    ensure_eq!(
        step!(store.policy(account, &arn).await).permissions_boundary_usage_count,
        0
    );
    ensure!(
        step!(store.role(account, "App").await)
            .permissions_boundary
            .is_none(),
        "the role kept its boundary"
    );

    // An update never changes the boundary: that takes set_permissions_boundary.
    let mut sneaky = step!(store.role(account, "App").await).record;
    sneaky.permissions_boundary = Some(arn.clone());
    step!(store.update_role(account, "App", sneaky, None).await);
    ensure!(
        step!(store.role(account, "App").await)
            .permissions_boundary
            .is_none(),
        "update_role changed the boundary"
    );
    step!(store.delete_policy(account, &arn).await);
    Ok(())
}

pub(super) async fn principal_policies(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let user = Identity::User("Alice".to_owned());
    let own = step!(
        store
            .create_policy(account, fixture.policy(account, "Own", "s3:*"))
            .await
    );
    let shared = step!(
        store
            .create_policy(account, fixture.policy(account, "Shared", "ec2:*"))
            .await
    );
    let boundary = step!(
        store
            .create_policy(account, fixture.policy(account, "Boundary", "*"))
            .await
    );
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(
        store
            .set_permissions_boundary(account, &user, Some(&boundary.arn))
            .await
    );
    step!(
        store
            .put_inline_policy(account, &user, fixture.inline("Mine", "sqs:*"))
            .await
    );
    step!(store.attach_policy(account, &user, &own.arn).await);
    for group_name in ["Devs", "Ops"] {
        let group = Identity::Group(group_name.to_owned());
        step!(
            store
                .create_group(account, fixture.group(account, group_name))
                .await
        );
        step!(store.add_user_to_group(account, group_name, "Alice").await);
        step!(store.attach_policy(account, &group, &shared.arn).await);
        let inline = fixture.inline(&format!("{group_name}Inline"), "sns:*");
        step!(store.put_inline_policy(account, &group, inline).await);
    }

    let loaded = step!(store.principal_policies(account, &user).await);
    ensure!(
        matches!(&loaded.principal, Principal::User(found) if found.user_name == "Alice"),
        "loaded principal is {:?}",
        loaded.principal
    );
    ensure_eq!(loaded.inline_policies.len(), 1);
    let own_arns: Vec<_> = loaded
        .managed_policies
        .iter()
        .map(|p| p.policy_arn.clone())
        .collect();
    ensure_eq!(own_arns, vec![own.arn.clone()]);
    let group_names: Vec<&str> = loaded
        .groups
        .iter()
        .map(|group| group.group.group_name.as_str())
        .collect();
    ensure_eq!(group_names, vec!["Devs", "Ops"]);
    for group in &loaded.groups {
        ensure_eq!(group.inline_policies.len(), 1);
        ensure_eq!(group.managed_policies.len(), 1);
    }
    let loaded_boundary = loaded
        .permissions_boundary
        .as_ref()
        .ok_or("no boundary loaded")?;
    ensure_eq!(loaded_boundary.policy_arn, boundary.arn);
    ensure_eq!(loaded_boundary.document, document("*"));

    // A new default version is what the next load returns.
    step!(
        store
            .create_policy_version(account, &shared.arn, document("rds:*"), fixture.now, true)
            .await
    );
    let reloaded = step!(store.principal_policies(account, &user).await);
    let first_group = reloaded.groups.first().ok_or("no group loaded")?;
    let shared_document = first_group
        .managed_policies
        .first()
        .ok_or("no policy loaded")?;
    ensure_eq!(shared_document.document, document("rds:*"));
    ensure!(
        reloaded.revision > loaded.revision,
        "revision did not advance: {} then {}",
        loaded.revision,
        reloaded.revision
    );

    step!(
        store
            .create_role(account, fixture.role(account, "App"))
            .await
    );
    let role = step!(
        store
            .principal_policies(account, &Identity::Role("app".to_owned()))
            .await
    );
    ensure!(
        role.groups.is_empty(),
        "a role has groups: {:?}",
        role.groups
    );
    expect_error!(
        store
            .principal_policies(account, &Identity::Group("Devs".to_owned()))
            .await,
        StoreError::InvalidInput(_)
    );
    expect_error!(
        store
            .principal_policies(account, &Identity::User("Nobody".to_owned()))
            .await,
        StoreError::NoSuchEntity { .. }
    );
    Ok(())
}

pub(super) async fn concurrent_attachments_respect_quota(
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
    let mut arns = Vec::new();
    for name in ["P1", "P2", "P3"] {
        let policy = step!(
            store
                .create_policy(account, fixture.policy(account, name, "s3:*"))
                .await
        );
        arns.push(policy.record.arn);
    }

    let mut tasks = tokio::task::JoinSet::new();
    for arn in arns.iter().cycle().take(12) {
        let arn = arn.clone();
        let store = Arc::clone(store);
        let user = user.clone();
        tasks.spawn(async move { store.attach_policy(account, &user, &arn).await });
    }
    let results = tasks.join_all().await;

    let attached = step!(
        store
            .list_attached_policies(account, &user, &ListOptions::default())
            .await
    );
    ensure_eq!(attached.items.len(), 2);
    let mut total = 0;
    for arn in &arns {
        total += step!(store.policy(account, arn).await).attachment_count;
    }
    ensure_eq!(total, 2);
    ensure!(
        results
            .iter()
            .all(|result| matches!(result, Ok(()) | Err(StoreError::LimitExceeded { .. }))),
        "unexpected results: {results:?}"
    );
    Ok(())
}
