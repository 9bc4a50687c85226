//! Checks of instance profiles, OpenID Connect providers, account settings, account isolation,
//! the change feed, and export and import.

use std::collections::BTreeSet;
use std::sync::Arc;

use iam_model::{PasswordPolicy, Quota, ROOT_USER_NAME, Tag};
use tokio::sync::broadcast::error::TryRecvError;

use super::fixture::document;
use super::{CheckResult, Fixture, ensure, ensure_eq, expect_error, step};
use crate::export::{ExportRecord, import, read_export, write_export};
use crate::prelude::*;
use crate::{Change, EntityKind, Identity, ListOptions, StoreError};

pub(super) async fn instance_profiles(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_role(account, fixture.role(account, "App"))
            .await
    );
    step!(
        store
            .create_role(account, fixture.role(account, "Other"))
            .await
    );
    step!(
        store
            .create_instance_profile(account, fixture.instance_profile(account, "Web"))
            .await
    );
    step!(
        store
            .create_instance_profile(account, fixture.instance_profile(account, "Db"))
            .await
    );
    expect_error!(
        store
            .create_instance_profile(account, fixture.instance_profile(account, "web"))
            .await,
        StoreError::EntityAlreadyExists { .. }
    );
    expect_error!(
        store
            .create_instance_profile(account, fixture.instance_profile(account, "Cache"))
            .await,
        StoreError::LimitExceeded {
            quota: Quota::InstanceProfiles,
            ..
        }
    );

    step!(
        store
            .add_role_to_instance_profile(account, "Web", "app")
            .await
    );
    expect_error!(
        store
            .add_role_to_instance_profile(account, "Web", "App")
            .await,
        StoreError::EntityAlreadyExists { .. }
    );
    expect_error!(
        store
            .add_role_to_instance_profile(account, "Web", "Other")
            .await,
        StoreError::LimitExceeded {
            quota: Quota::RolesPerInstanceProfile,
            limit: 1
        }
    );
    step!(
        store
            .add_role_to_instance_profile(account, "Db", "App")
            .await
    );
    let profile = step!(store.instance_profile(account, "WEB").await);
    ensure_eq!(profile.role_names, vec!["App".to_owned()]);
    let for_role = step!(
        store
            .list_instance_profiles_for_role(account, "App", &ListOptions::default())
            .await
    );
    let names: Vec<&str> = for_role
        .items
        .iter()
        .map(|profile| profile.instance_profile_name.as_str())
        .collect();
    ensure_eq!(names, vec!["Db", "Web"]);

    expect_error!(
        store.delete_instance_profile(account, "Web").await,
        StoreError::DeleteConflict {
            kind: EntityKind::InstanceProfile,
            ..
        }
    );
    expect_error!(
        store
            .remove_role_from_instance_profile(account, "Web", "Other")
            .await,
        StoreError::NoSuchEntity { .. }
    );
    step!(
        store
            .remove_role_from_instance_profile(account, "Web", "App")
            .await
    );
    step!(store.delete_instance_profile(account, "Web").await);
    let all = step!(
        store
            .list_instance_profiles(account, &ListOptions::default())
            .await
    );
    ensure_eq!(all.items.len(), 1);
    expect_error!(
        store.instance_profile(account, "Web").await,
        StoreError::NoSuchEntity { .. }
    );
    Ok(())
}

pub(super) async fn tags_replace(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let tags = vec![Tag::new("team", "blue"), Tag::new("Cost", "7")];
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "s3:*"))
            .await
    );
    step!(
        store
            .create_instance_profile(account, fixture.instance_profile(account, "Web"))
            .await
    );
    let device = fixture.mfa_device(account, "Mfa");
    let serial = device.serial_number.clone();
    step!(store.create_virtual_mfa_device(account, device).await);

    step!(
        store
            .set_policy_tags(account, &policy.arn, tags.clone())
            .await
    );
    step!(
        store
            .set_instance_profile_tags(account, "web", tags.clone())
            .await
    );
    step!(
        store
            .set_mfa_device_tags(account, &serial, tags.clone())
            .await
    );

    ensure_eq!(step!(store.policy(account, &policy.arn).await).tags, tags);
    ensure_eq!(
        step!(store.instance_profile(account, "Web").await).tags,
        tags
    );
    ensure_eq!(
        step!(store.virtual_mfa_device(account, &serial).await).tags,
        tags
    );
    step!(
        store
            .set_policy_tags(account, &policy.arn, Vec::new())
            .await
    );
    ensure!(
        step!(store.policy(account, &policy.arn).await)
            .tags
            .is_empty(),
        "untagging left tags"
    );
    let aws = fixture.aws_policy("ReadOnlyAccess", "s3:Get*");
    let aws_arn = aws.arn.clone();
    step!(store.put_aws_managed_policy(aws).await);
    expect_error!(
        store.set_policy_tags(account, &aws_arn, tags.clone()).await,
        StoreError::InvalidInput(_)
    );
    expect_error!(
        store
            .set_instance_profile_tags(account, "Nothing", tags.clone())
            .await,
        StoreError::NoSuchEntity { .. }
    );
    let missing = fixture.mfa_device(account, "Missing").serial_number;
    expect_error!(
        store.set_mfa_device_tags(account, &missing, tags).await,
        StoreError::NoSuchEntity { .. }
    );
    Ok(())
}

pub(super) async fn oidc_providers(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let first = fixture.oidc_provider(account, "issuer.example.com/a");
    step!(store.create_oidc_provider(account, first.clone()).await);
    expect_error!(
        store
            .create_oidc_provider(
                account,
                fixture.oidc_provider(account, "ISSUER.example.com/a")
            )
            .await,
        StoreError::EntityAlreadyExists { .. }
    );
    step!(
        store
            .create_oidc_provider(
                account,
                fixture.oidc_provider(account, "issuer.example.com/b")
            )
            .await
    );
    expect_error!(
        store
            .create_oidc_provider(
                account,
                fixture.oidc_provider(account, "issuer.example.com/c")
            )
            .await,
        StoreError::LimitExceeded {
            quota: Quota::OpenIdConnectProviders,
            ..
        }
    );

    let mut changed = step!(store.oidc_provider(account, &first.arn).await);
    changed.client_id_list.push("second-client".to_owned());
    step!(store.update_oidc_provider(account, changed).await);
    let stored = step!(store.oidc_provider(account, &first.arn).await);
    ensure_eq!(stored.client_id_list.len(), 2);
    ensure_eq!(step!(store.list_oidc_providers(account).await).len(), 2);

    step!(store.delete_oidc_provider(account, &first.arn).await);
    expect_error!(
        store.oidc_provider(account, &first.arn).await,
        StoreError::NoSuchEntity { .. }
    );
    expect_error!(
        store.delete_oidc_provider(account, &first.arn).await,
        StoreError::NoSuchEntity { .. }
    );
    // Another account cannot read a provider by its ARN.
    let other = fixture.account(1);
    let second = fixture.oidc_provider(account, "issuer.example.com/b");
    expect_error!(
        store.oidc_provider(other, &second.arn).await,
        StoreError::NoSuchEntity { .. }
    );
    Ok(())
}

pub(super) async fn account_settings(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let first = fixture.account(0);
    let second = fixture.account(1);
    let fresh = step!(store.account(first).await);
    ensure!(fresh.alias.is_none(), "a new account has an alias");

    step!(store.create_account_alias(first, "example-corp").await);
    step!(store.create_account_alias(first, "example-corp").await);
    expect_error!(
        store.create_account_alias(second, "example-corp").await,
        StoreError::EntityAlreadyExists {
            kind: EntityKind::AccountAlias,
            ..
        }
    );
    // A new alias replaces the old one, which becomes free for others.
    step!(store.create_account_alias(first, "example-new").await);
    step!(store.create_account_alias(second, "example-corp").await);
    ensure_eq!(
        step!(store.account(first).await).alias.as_deref(),
        Some("example-new")
    );
    expect_error!(
        store.delete_account_alias(first, "example-corp").await,
        StoreError::NoSuchEntity { .. }
    );
    step!(store.delete_account_alias(first, "example-new").await);
    ensure!(
        step!(store.account(first).await).alias.is_none(),
        "the alias survived its deletion"
    );

    expect_error!(
        store.delete_password_policy(first).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::PasswordPolicy,
            ..
        }
    );
    let policy = PasswordPolicy {
        minimum_password_length: 14,
        ..PasswordPolicy::default()
    };
    step!(store.set_password_policy(first, policy.clone()).await);
    ensure_eq!(
        step!(store.account(first).await).password_policy,
        Some(policy)
    );
    ensure!(
        step!(store.account(second).await).password_policy.is_none(),
        "the password policy leaked to another account"
    );
    step!(store.delete_password_policy(first).await);
    Ok(())
}

pub(super) async fn account_summary(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
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
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
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
            .create_policy_version(account, &policy.arn, document("ec2:*"), fixture.now, false)
            .await
    );
    step!(
        store
            .create_instance_profile(account, fixture.instance_profile(account, "Web"))
            .await
    );
    step!(
        store
            .create_oidc_provider(account, fixture.oidc_provider(account, "idp.example"))
            .await
    );

    let summary = step!(store.account_summary(account).await);
    let expected = [
        ("Users", 2),
        ("Groups", 1),
        ("Roles", 1),
        ("Policies", 1),
        ("PolicyVersionsInUse", 2),
        ("InstanceProfiles", 1),
        ("Providers", 1),
        ("MFADevices", 0),
        ("UsersQuota", 5000),
        ("AccessKeysPerUserQuota", 2),
        ("VersionsPerPolicyQuota", 5),
    ];
    for (key, value) in expected {
        ensure_eq!((key, summary.get(key)), (key, Some(value)));
    }
    let empty = step!(store.account_summary(fixture.account(1)).await);
    ensure_eq!(empty.get("Users"), Some(0));
    Ok(())
}

pub(super) async fn accounts_are_isolated(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let first = fixture.account(0);
    let second = fixture.account(1);
    step!(store.create_user(first, fixture.user(first, "Alice")).await);
    step!(
        store
            .create_user(second, fixture.user(second, "Alice"))
            .await
    );
    step!(store.create_user(second, fixture.user(second, "Bob")).await);
    step!(
        store
            .create_group(second, fixture.group(second, "Team"))
            .await
    );

    let first_users = step!(store.list_users(first, &ListOptions::default()).await);
    ensure_eq!(first_users.items.len(), 1);
    let second_users = step!(store.list_users(second, &ListOptions::default()).await);
    ensure_eq!(second_users.items.len(), 2);
    expect_error!(
        store.add_user_to_group(first, "Team", "Alice").await,
        StoreError::NoSuchEntity { .. }
    );
    step!(store.delete_user(first, "Alice").await);
    step!(store.user(second, "Alice").await);
    let accounts = step!(store.list_accounts().await);
    ensure_eq!(accounts, vec![second]);
    Ok(())
}

/// Drains every change published so far.
fn drain(receiver: &mut tokio::sync::broadcast::Receiver<Change>) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    loop {
        match receiver.try_recv() {
            Ok(change) => changes.push(change),
            Err(TryRecvError::Empty) => return Ok(changes),
            Err(error) => return Err(format!("change feed failed: {error}")),
        }
    }
}

fn identities(changes: &[Change]) -> BTreeSet<Identity> {
    changes
        .iter()
        .map(|change| change.identity.clone())
        .collect()
}

pub(super) async fn change_feed(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    let alice = Identity::User("Alice".to_owned());
    let bob = Identity::User("Bob".to_owned());
    let team = Identity::Group("Team".to_owned());
    let app = Identity::Role("App".to_owned());
    let policy = step!(
        store
            .create_policy(account, fixture.policy(account, "P", "s3:*"))
            .await
    );
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
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
    step!(
        store
            .create_role(account, fixture.role(account, "App"))
            .await
    );
    step!(store.add_user_to_group(account, "Team", "Alice").await);
    step!(store.add_user_to_group(account, "Team", "Bob").await);
    let mut receiver = store.subscribe();
    let before = store.revision();

    step!(store.attach_policy(account, &team, &policy.arn).await);
    let changes = drain(&mut receiver)?;
    ensure_eq!(
        identities(&changes),
        BTreeSet::from([alice.clone(), bob.clone(), team.clone()])
    );
    let revisions: BTreeSet<_> = changes.iter().map(|change| change.revision).collect();
    ensure_eq!(revisions.len(), 1);
    let revision = revisions.first().copied().unwrap_or_default();
    ensure!(
        revision > before,
        "change revision {revision} is not above {before}"
    );
    ensure_eq!(store.revision(), revision);
    ensure!(
        changes.iter().all(|change| change.account == account),
        "a change names another account"
    );

    step!(store.attach_policy(account, &app, &policy.arn).await);
    ensure_eq!(
        identities(&drain(&mut receiver)?),
        BTreeSet::from([app.clone()])
    );

    // A new default version changes everyone the policy is attached to.
    step!(
        store
            .create_policy_version(account, &policy.arn, document("ec2:*"), fixture.now, true)
            .await
    );
    let changed = identities(&drain(&mut receiver)?);
    ensure_eq!(
        changed,
        BTreeSet::from([alice.clone(), bob.clone(), team.clone(), app.clone()])
    );

    // A version that is not the default changes nothing that applies.
    step!(
        store
            .create_policy_version(account, &policy.arn, document("rds:*"), fixture.now, false)
            .await
    );
    ensure!(
        drain(&mut receiver)?.is_empty(),
        "a non-default version published changes"
    );

    step!(store.remove_user_from_group(account, "Team", "Bob").await);
    ensure_eq!(
        identities(&drain(&mut receiver)?),
        BTreeSet::from([bob.clone()])
    );
    step!(
        store
            .put_inline_policy(account, &alice, fixture.inline("Mine", "sqs:*"))
            .await
    );
    ensure_eq!(
        identities(&drain(&mut receiver)?),
        BTreeSet::from([alice.clone()])
    );

    // A failed call publishes nothing and leaves the revision alone.
    let revision = store.revision();
    expect_error!(
        store
            .create_user(account, fixture.user(account, "alice"))
            .await,
        StoreError::EntityAlreadyExists { .. }
    );
    ensure!(
        drain(&mut receiver)?.is_empty(),
        "a failed call published changes"
    );
    ensure_eq!(store.revision(), revision);
    Ok(())
}

/// Fills a store with at least one record of every kind, in two accounts.
async fn populate(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let aws = fixture.aws_policy("ReadOnlyAccess", "s3:Get*");
    let aws_arn = aws.arn.clone();
    step!(store.put_aws_managed_policy(aws).await);
    for index in 0..2 {
        let account = fixture.account(index);
        let alice = Identity::User("Alice".to_owned());
        let team = Identity::Group("Team".to_owned());
        let app = Identity::Role("App".to_owned());
        step!(
            store
                .create_account_alias(account, &format!("corp-{index}"))
                .await
        );
        step!(
            store
                .set_password_policy(account, PasswordPolicy::default())
                .await
        );
        let policy = step!(
            store
                .create_policy(account, fixture.policy(account, "Boundary", "*"))
                .await
        );
        step!(
            store
                .create_policy_version(account, &policy.arn, document("s3:*"), fixture.now, false)
                .await
        );
        let mut user = fixture.user_at(account, "/staff/", "Alice");
        user.permissions_boundary = Some(policy.arn.clone());
        step!(store.create_user(account, user).await);
        step!(
            store
                .create_user(account, fixture.user(account, "Bob"))
                .await
        );
        step!(
            store
                .create_group(account, fixture.group(account, "Team"))
                .await
        );
        step!(
            store
                .create_role(account, fixture.role(account, "App"))
                .await
        );
        step!(store.add_user_to_group(account, "Team", "Alice").await);
        step!(store.attach_policy(account, &team, &aws_arn).await);
        step!(store.attach_policy(account, &app, &policy.arn).await);
        step!(
            store
                .put_inline_policy(account, &alice, fixture.inline("Mine", "sqs:*"))
                .await
        );
        step!(
            store
                .put_inline_policy(account, &team, fixture.inline("Ours", "sns:*"))
                .await
        );
        step!(
            store
                .create_access_key(account, fixture.access_key("Alice"))
                .await
        );
        step!(
            store
                .create_login_profile(account, fixture.login_profile("Bob"))
                .await
        );
        let device = fixture.mfa_device(account, "AliceMfa");
        let serial = device.serial_number.clone();
        step!(store.create_virtual_mfa_device(account, device).await);
        step!(
            store
                .enable_mfa_device(account, "Alice", &serial, fixture.now, fixture.time_step())
                .await
        );
        let accepted = step!(
            store
                .accept_mfa_time_step(account, "Alice", &serial, fixture.time_step() + 1)
                .await
        );
        ensure!(accepted.is_accepted(), "a later time step was not accepted");
        step!(
            store
                .create_virtual_mfa_device(account, fixture.mfa_device(account, "Spare"))
                .await
        );
        let root_device = fixture.mfa_device(account, "root-account-mfa-device");
        let root_serial = root_device.serial_number.clone();
        step!(store.create_virtual_mfa_device(account, root_device).await);
        step!(
            store
                .enable_mfa_device(
                    account,
                    ROOT_USER_NAME,
                    &root_serial,
                    fixture.now,
                    fixture.time_step() + 1
                )
                .await
        );
        step!(
            store
                .set_session_revocation(account, &alice, fixture.now)
                .await
        );
        step!(
            store
                .set_session_revocation(account, &app, fixture.now)
                .await
        );
        step!(
            store
                .create_instance_profile(account, fixture.instance_profile(account, "Web"))
                .await
        );
        step!(
            store
                .add_role_to_instance_profile(account, "Web", "App")
                .await
        );
        step!(
            store
                .create_oidc_provider(account, fixture.oidc_provider(account, "idp.example"))
                .await
        );
    }
    Ok(())
}

/// Returns the export with its records sorted, for comparisons that ignore order.
fn sorted(records: &[ExportRecord]) -> Vec<String> {
    let mut lines: Vec<String> = records
        .iter()
        .map(|record| serde_json::to_string(record).unwrap_or_default())
        .collect();
    lines.sort();
    lines
}

pub(super) async fn export_import_round_trip(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    populate(store, fixture).await?;
    let records = step!(store.export().await);
    ensure!(
        records.len() >= 30,
        "export has only {} records",
        records.len()
    );

    let mut file = Vec::new();
    step!(write_export(&records, &mut file));
    let read = step!(read_export(file.as_slice()));
    ensure_eq!(read, records);

    expect_error!(
        import(&**store, &read).await,
        StoreError::ImportIntoNonEmpty
    );
    let mut newer = b"{\"format\":\"iam-store-export\",\"version\":99}\n".to_vec();
    newer.extend_from_slice(file.split(|byte| *byte == b'\n').nth(1).unwrap_or_default());
    expect_error!(
        read_export(newer.as_slice()),
        StoreError::UnsupportedFormat { found: 99, .. }
    );
    expect_error!(read_export(&b"not json\n"[..]), StoreError::Corrupt(_));
    expect_error!(read_export(&b""[..]), StoreError::Corrupt(_));
    Ok(())
}

/// Exports a populated store, imports the file into an empty one, and compares the exports.
pub(super) async fn export_into(
    source: &Arc<dyn IamStore>,
    target: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    populate(source, fixture).await?;
    let records = step!(source.export().await);
    let mut file = Vec::new();
    step!(write_export(&records, &mut file));

    let read = step!(read_export(file.as_slice()));
    step!(import(&**target, &read).await);

    let imported = step!(target.export().await);
    ensure_eq!(sorted(&imported), sorted(&records));
    let revocations = imported
        .iter()
        .filter(|record| matches!(record, ExportRecord::SessionRevocation { .. }))
        .count();
    ensure_eq!(revocations, 4);
    let steps: Vec<u64> = imported
        .iter()
        .filter_map(|record| match record {
            ExportRecord::MfaDevice {
                last_accepted_time_step,
                ..
            } => *last_accepted_time_step,
            _ => None,
        })
        .collect();
    ensure_eq!(steps, vec![fixture.time_step() + 1; 4]);
    let root_devices = imported
        .iter()
        .filter(|record| {
            matches!(record, ExportRecord::MfaDevice { device, .. }
                if device.user_name.as_deref() == Some(ROOT_USER_NAME))
        })
        .count();
    ensure_eq!(root_devices, 2);
    let account = fixture.account(1);
    let source_summary = step!(source.account_summary(account).await);
    let target_summary = step!(target.account_summary(account).await);
    ensure_eq!(target_summary, source_summary);
    let alice = Identity::User("Alice".to_owned());
    let source_policies = step!(source.principal_policies(account, &alice).await);
    let target_policies = step!(target.principal_policies(account, &alice).await);
    ensure_eq!(target_policies.principal, source_policies.principal);
    ensure_eq!(target_policies.groups, source_policies.groups);
    ensure_eq!(
        target_policies.permissions_boundary,
        source_policies.permissions_boundary
    );
    Ok(())
}
