//! Managed policies, their versions and attachments, and permissions boundaries.

use async_trait::async_trait;
use iam_model::{
    AccountId, Arn, ArnAccount, IamArn, IamResource, ManagedPolicy, PolicyVersion, PolicyVersionId,
    Quota, Tag,
};
use serde::{Deserialize, Serialize};

use super::inline_policies as inline;
use super::{
    Counter, KvStore, add_count, identity_key, put, records, require, require_absent,
    require_identity, touch,
};
use crate::keys::{GlobalTable, Key, Table, components};
use crate::kv::KvEngine;
use crate::page::{self, path_matches};
use crate::txn::{self, Txn};
use crate::{
    AttachedPolicy, EntityKind, Identity, ListOptions, ListPoliciesOptions, Page, PolicyEntities,
    PolicyScope, PolicyStore, PrincipalPolicies, StoreError, Stored,
};

/// How often one account uses an AWS managed policy; AWS reports these counts per account.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct AwsPolicyUsage {
    attachment_count: u32,
    permissions_boundary_usage_count: u32,
}

/// A managed policy found by ARN, with where it is stored.
pub(super) struct ResolvedPolicy {
    key: Vec<u8>,
    aws: bool,
    pub(super) stored: Stored<ManagedPolicy>,
}

/// Finds the managed policy `policy_arn` visible to `account`, with the account's attachment
/// counts.
pub(super) fn resolve_policy(
    txn: &mut Txn<'_>,
    account: AccountId,
    policy_arn: &Arn,
) -> Result<ResolvedPolicy, StoreError> {
    let missing = || StoreError::NoSuchEntity {
        kind: EntityKind::ManagedPolicy,
        name: policy_arn.to_string(),
    };
    let iam_arn = IamArn::try_from(policy_arn)
        .map_err(|error| StoreError::InvalidInput(format!("invalid policy ARN: {error}")))?;
    let IamResource::Policy { name, .. } = iam_arn.resource() else {
        return Err(StoreError::InvalidInput(format!(
            "invalid policy ARN `{policy_arn}`, expected a `policy/` resource"
        )));
    };
    let (key, aws) = match iam_arn.account() {
        ArnAccount::Aws => (Key::global(GlobalTable::AwsPolicy).name(name).build(), true),
        ArnAccount::Id(owner) if owner == account => (policy_key(account, name), false),
        ArnAccount::Id(_) => return Err(missing()),
    };
    let mut stored: Stored<ManagedPolicy> = require(
        txn,
        &key,
        EntityKind::ManagedPolicy,
        &policy_arn.to_string(),
    )?;
    if stored.record.arn != *policy_arn {
        return Err(missing());
    }
    if aws {
        let usage = aws_usage(txn, account, policy_arn)?;
        stored.record.attachment_count = usage.attachment_count;
        stored.record.permissions_boundary_usage_count = usage.permissions_boundary_usage_count;
    }
    Ok(ResolvedPolicy { key, aws, stored })
}

/// Writes back a resolved policy: the record itself, or for an AWS managed policy only the
/// account's usage counts.
fn save_policy(
    txn: &mut Txn<'_>,
    account: AccountId,
    resolved: &ResolvedPolicy,
) -> Result<(), StoreError> {
    let policy = &resolved.stored.record;
    if resolved.aws {
        let usage = AwsPolicyUsage {
            attachment_count: policy.attachment_count,
            permissions_boundary_usage_count: policy.permissions_boundary_usage_count,
        };
        let key = aws_usage_key(account, &policy.arn);
        if usage.attachment_count == 0 && usage.permissions_boundary_usage_count == 0 {
            txn.delete(key);
            return Ok(());
        }
        return put(txn, key, &usage);
    }
    put(txn, resolved.key.clone(), policy)
}

/// Counts (`add`) or uncounts a user or role using `policy_arn` as its permissions boundary.
pub(super) fn adjust_boundary(
    txn: &mut Txn<'_>,
    account: AccountId,
    policy_arn: &Arn,
    identity: &Identity,
    add: bool,
) -> Result<(), StoreError> {
    let mut resolved = resolve_policy(txn, account, policy_arn)?;
    let arn = resolved.stored.record.arn.to_string();
    let key = Key::account(account, Table::BoundaryUse)
        .part(&arn)
        .part(identity.tag())
        .name(identity.name())
        .build();
    let policy = &mut resolved.stored.record;
    if add {
        put(txn, key, &identity.name())?;
        policy.permissions_boundary_usage_count += 1;
    } else {
        txn.delete(key);
        policy.permissions_boundary_usage_count =
            policy.permissions_boundary_usage_count.saturating_sub(1);
    }
    save_policy(txn, account, &resolved)
}

/// Returns the default version of a policy as a document that applies to a principal.
pub(super) fn default_document(
    policy: &ManagedPolicy,
) -> Result<crate::ManagedPolicyDocument, StoreError> {
    let version = policy.default_version().ok_or_else(|| {
        StoreError::corrupt(format_args!(
            "policy `{}` has no version `{}`",
            policy.arn, policy.default_version_id
        ))
    })?;
    Ok(crate::ManagedPolicyDocument {
        policy_arn: policy.arn.clone(),
        version_id: version.version_id,
        document: version.document.clone(),
    })
}

fn policy_key(account: AccountId, policy_name: &str) -> Vec<u8> {
    Key::account(account, Table::Policy)
        .name(policy_name)
        .build()
}

fn aws_usage_key(account: AccountId, policy_arn: &Arn) -> Vec<u8> {
    Key::account(account, Table::AwsPolicyUsage)
        .part(&policy_arn.to_string())
        .build()
}

fn aws_usage(
    txn: &mut Txn<'_>,
    account: AccountId,
    policy_arn: &Arn,
) -> Result<AwsPolicyUsage, StoreError> {
    Ok(txn
        .get_json(&aws_usage_key(account, policy_arn))?
        .unwrap_or_default())
}

fn attachment_key(account: AccountId, identity: &Identity, policy_arn: &Arn) -> Vec<u8> {
    Key::account(account, Table::Attachment)
        .part(identity.tag())
        .name(identity.name())
        .part(&policy_arn.to_string())
        .build()
}

fn policy_attachment_key(account: AccountId, policy_arn: &Arn, identity: &Identity) -> Vec<u8> {
    Key::account(account, Table::PolicyAttachment)
        .part(&policy_arn.to_string())
        .part(identity.tag())
        .name(identity.name())
        .build()
}

fn attachment_quota(identity: &Identity) -> Quota {
    match identity {
        Identity::User(_) => Quota::AttachedPoliciesPerUser,
        Identity::Group(_) => Quota::AttachedPoliciesPerGroup,
        Identity::Role(_) => Quota::AttachedPoliciesPerRole,
    }
}

/// Checks the versions of a policy about to be stored: between one and the quota, ids no higher
/// than the latest id, no id twice, and exactly one default, the one the policy names.
fn check_versions(policy: &ManagedPolicy, max_versions: u32) -> Result<(), StoreError> {
    let invalid = |reason: &str| {
        StoreError::InvalidInput(format!(
            "invalid versions of policy `{}`: {reason}",
            policy.arn
        ))
    };
    if policy.versions.is_empty() {
        return Err(invalid("it has no version"));
    }
    if policy.versions.len() > max_versions as usize {
        return Err(StoreError::LimitExceeded {
            quota: Quota::VersionsPerPolicy,
            limit: max_versions,
        });
    }
    let defaults: Vec<&PolicyVersion> = policy
        .versions
        .iter()
        .filter(|version| version.is_default_version)
        .collect();
    let [default] = defaults.as_slice() else {
        return Err(invalid("expected exactly one default version"));
    };
    if default.version_id != policy.default_version_id {
        return Err(invalid(
            "the default version differs from `DefaultVersionId`",
        ));
    }
    for (index, version) in policy.versions.iter().enumerate() {
        if version.version_id > policy.latest_version_id {
            return Err(invalid("a version id is above the latest version id"));
        }
        let repeated = policy
            .versions
            .iter()
            .skip(index + 1)
            .any(|other| other.version_id == version.version_id);
        if repeated {
            return Err(invalid("a version id appears twice"));
        }
    }
    Ok(())
}

/// Fails unless `policy_arn` names a customer managed policy of `account` called `policy_name`.
fn check_policy_arn(account: Option<AccountId>, policy: &ManagedPolicy) -> Result<(), StoreError> {
    let iam_arn = IamArn::try_from(&policy.arn)
        .map_err(|error| StoreError::InvalidInput(format!("invalid policy ARN: {error}")))?;
    let name_matches = matches!(
        iam_arn.resource(),
        IamResource::Policy { name, path } if *name == policy.policy_name && *path == policy.path
    );
    let account_matches = match (iam_arn.account(), account) {
        (ArnAccount::Id(owner), Some(account)) => owner == account,
        (ArnAccount::Aws, None) => true,
        _ => false,
    };
    if !name_matches || !account_matches {
        return Err(StoreError::InvalidInput(format!(
            "policy ARN `{}` does not match the policy's name, path or account",
            policy.arn
        )));
    }
    Ok(())
}

/// Records a change of every identity the policy is attached to or bounds.
fn touch_policy_users(
    txn: &mut Txn<'_>,
    account: AccountId,
    policy_arn: &Arn,
) -> Result<(), StoreError> {
    let arn = policy_arn.to_string();
    for table in [Table::PolicyAttachment, Table::BoundaryUse] {
        let prefix = Key::account(account, table).part(&arn).prefix();
        for (key, payload) in txn.prefix(&prefix)? {
            let name: String = txn::decode(&payload)?;
            let identity = match components(&key, &prefix).first().copied() {
                Some(b"u") => Identity::User(name),
                Some(b"g") => Identity::Group(name),
                _ => Identity::Role(name),
            };
            touch(txn, account, &identity)?;
        }
    }
    Ok(())
}

/// Finds a customer managed policy for a change, rejecting AWS managed ones.
fn resolve_local(
    txn: &mut Txn<'_>,
    account: AccountId,
    policy_arn: &Arn,
) -> Result<ResolvedPolicy, StoreError> {
    let resolved = resolve_policy(txn, account, policy_arn)?;
    if resolved.aws {
        return Err(StoreError::InvalidInput(format!(
            "policy `{policy_arn}` is an AWS managed policy and cannot be changed"
        )));
    }
    Ok(resolved)
}

#[async_trait]
impl<E: KvEngine> PolicyStore for KvStore<E> {
    async fn put_aws_managed_policy(&self, mut policy: ManagedPolicy) -> Result<(), StoreError> {
        check_policy_arn(None, &policy)?;
        check_versions(&policy, self.quotas.value(Quota::VersionsPerPolicy))?;
        policy.attachment_count = 0;
        policy.permissions_boundary_usage_count = 0;
        let key = Key::global(GlobalTable::AwsPolicy)
            .name(&policy.policy_name)
            .build();
        // NOTE: Replacing an AWS managed policy publishes no change: finding its users would
        // scan every account. Callers replace them at startup, before caching anything.
        self.write(|txn| put(txn, key.clone(), &policy)).await
    }

    async fn create_policy(
        &self,
        account: AccountId,
        mut policy: ManagedPolicy,
    ) -> Result<Stored<ManagedPolicy>, StoreError> {
        check_policy_arn(Some(account), &policy)?;
        check_versions(&policy, self.quotas.value(Quota::VersionsPerPolicy))?;
        policy.attachment_count = 0;
        policy.permissions_boundary_usage_count = 0;
        let key = policy_key(account, &policy.policy_name);
        let versions = i64::try_from(policy.versions.len()).unwrap_or(i64::MAX);

        let ((), revision) = self
            .write_revision(|txn| {
                require_absent(txn, &key, EntityKind::ManagedPolicy, &policy.policy_name)?;
                self.add_one_within_quota(txn, account, Counter::Policies, Quota::Policies)?;
                put(txn, key.clone(), &policy)?;
                add_count(txn, account, Counter::PolicyVersions, versions)?;
                Ok(())
            })
            .await?;
        Ok(Stored {
            revision,
            record: policy,
        })
    }

    async fn policy(
        &self,
        account: AccountId,
        policy_arn: &Arn,
    ) -> Result<Stored<ManagedPolicy>, StoreError> {
        self.read(|txn| Ok(resolve_policy(txn, account, policy_arn)?.stored))
    }

    async fn list_policies(
        &self,
        account: AccountId,
        options: &ListPoliciesOptions,
    ) -> Result<Page<ManagedPolicy>, StoreError> {
        let size = page::page_size(&options.list)?;
        let in_local_listing = options
            .list
            .marker
            .as_deref()
            .and_then(page::marker_listing)
            .is_some_and(|listing| listing == "policies:local");
        // A local marker skips the AWS managed policies, unless the scope has nothing else.
        let list_aws = match options.scope {
            PolicyScope::All => !in_local_listing,
            PolicyScope::Aws => true,
            PolicyScope::Local => false,
        };
        let list_local = options.scope != PolicyScope::Aws;

        self.read(|txn| {
            let mut items = Vec::new();
            if list_aws {
                let prefix = Key::global(GlobalTable::AwsPolicy).prefix();
                let page = page::list(
                    txn,
                    "policies:aws",
                    &prefix,
                    &options.list,
                    |txn, _, payload| {
                        let mut policy: ManagedPolicy = txn::decode(payload)?;
                        let usage = aws_usage(txn, account, &policy.arn)?;
                        policy.attachment_count = usage.attachment_count;
                        policy.permissions_boundary_usage_count =
                            usage.permissions_boundary_usage_count;
                        Ok(keep_policy(options, policy))
                    },
                )?;
                if page.marker.is_some() || !list_local {
                    return Ok(page);
                }
                items = page.items;
            }
            if items.len() == size {
                // The page is full with AWS managed policies; the next one starts the local ones.
                let has_local =
                    super::has_any(txn, &Key::account(account, Table::Policy).prefix())?;
                let marker = has_local.then(|| page::first_marker("policies:local"));
                return Ok(Page { items, marker });
            }

            let remaining = u32::try_from(size - items.len()).unwrap_or(1);
            let local_options = ListOptions {
                max_items: Some(remaining),
                // Without AWS managed policies in the listing, any marker must be a local one,
                // and a foreign marker is rejected by the local listing.
                marker: options
                    .list
                    .marker
                    .clone()
                    .filter(|_| in_local_listing || !list_aws),
                path_prefix: options.list.path_prefix.clone(),
            };
            let prefix = Key::account(account, Table::Policy).prefix();
            let page = page::list(
                txn,
                "policies:local",
                &prefix,
                &local_options,
                |_, _, payload| Ok(keep_policy(options, txn::decode(payload)?)),
            )?;
            items.extend(page.items);
            Ok(Page {
                items,
                marker: page.marker,
            })
        })
    }

    async fn delete_policy(&self, account: AccountId, policy_arn: &Arn) -> Result<(), StoreError> {
        self.write(|txn| {
            let resolved = resolve_local(txn, account, policy_arn)?;
            let policy = &resolved.stored.record;
            let conflict = |reason: &str| StoreError::DeleteConflict {
                kind: EntityKind::ManagedPolicy,
                name: policy_arn.to_string(),
                reason: reason.to_owned(),
            };
            if policy.attachment_count > 0 {
                return Err(conflict("it is still attached to users, groups or roles"));
            }
            if policy.permissions_boundary_usage_count > 0 {
                return Err(conflict("it is still used as a permissions boundary"));
            }
            if policy.versions.len() > 1 {
                return Err(conflict("it still has versions other than the default"));
            }
            txn.delete(resolved.key.clone());
            add_count(txn, account, Counter::Policies, -1)?;
            let versions = i64::try_from(policy.versions.len()).unwrap_or(i64::MAX);
            add_count(txn, account, Counter::PolicyVersions, -versions)?;
            Ok(())
        })
        .await
    }

    async fn set_policy_tags(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        tags: Vec<Tag>,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut resolved = resolve_local(txn, account, policy_arn)?;
            resolved.stored.record.tags = tags.clone();
            save_policy(txn, account, &resolved)
        })
        .await
    }

    async fn create_policy_version(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        document: String,
        create_date: jiff::Timestamp,
        set_as_default: bool,
    ) -> Result<PolicyVersion, StoreError> {
        self.write(|txn| {
            let mut resolved = resolve_local(txn, account, policy_arn)?;
            let policy = &mut resolved.stored.record;
            self.check_quota(Quota::VersionsPerPolicy, policy.versions.len() + 1)?;

            let version = PolicyVersion {
                version_id: policy.next_version_id(),
                document: document.clone(),
                is_default_version: set_as_default,
                create_date,
            };
            policy.latest_version_id = version.version_id;
            if set_as_default {
                for existing in &mut policy.versions {
                    existing.is_default_version = false;
                }
                policy.default_version_id = version.version_id;
                policy.update_date = create_date;
            }
            policy.versions.push(version.clone());
            save_policy(txn, account, &resolved)?;
            add_count(txn, account, Counter::PolicyVersions, 1)?;
            if set_as_default {
                touch_policy_users(txn, account, policy_arn)?;
            }
            Ok(version)
        })
        .await
    }

    async fn delete_policy_version(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        version_id: PolicyVersionId,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut resolved = resolve_local(txn, account, policy_arn)?;
            let policy = &mut resolved.stored.record;
            let Some(index) = policy
                .versions
                .iter()
                .position(|version| version.version_id == version_id)
            else {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::PolicyVersion,
                    name: format!("{policy_arn} {version_id}"),
                });
            };
            if version_id == policy.default_version_id {
                return Err(StoreError::DeleteConflict {
                    kind: EntityKind::PolicyVersion,
                    name: format!("{policy_arn} {version_id}"),
                    reason: "it is the default version".to_owned(),
                });
            }
            policy.versions.remove(index);
            save_policy(txn, account, &resolved)?;
            add_count(txn, account, Counter::PolicyVersions, -1)?;
            Ok(())
        })
        .await
    }

    async fn set_default_policy_version(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        version_id: PolicyVersionId,
        update_date: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut resolved = resolve_local(txn, account, policy_arn)?;
            let policy = &mut resolved.stored.record;
            if policy.version(version_id).is_none() {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::PolicyVersion,
                    name: format!("{policy_arn} {version_id}"),
                });
            }
            if policy.default_version_id == version_id {
                return Ok(());
            }
            for version in &mut policy.versions {
                version.is_default_version = version.version_id == version_id;
            }
            policy.default_version_id = version_id;
            policy.update_date = update_date;
            save_policy(txn, account, &resolved)?;
            touch_policy_users(txn, account, policy_arn)
        })
        .await
    }

    async fn attach_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_arn: &Arn,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let identity = require_identity(txn, account, identity)?;
            let mut resolved = resolve_policy(txn, account, policy_arn)?;
            let arn = resolved.stored.record.arn.clone();
            let key = attachment_key(account, &identity, &arn);
            if txn.get(&key)?.is_some() {
                return Ok(());
            }
            let attached = Key::account(account, Table::Attachment)
                .part(identity.tag())
                .name(identity.name())
                .prefix();
            let attached = txn.prefix(&attached)?.len();
            self.check_quota(attachment_quota(&identity), attached + 1)?;

            let attachment = AttachedPolicy {
                policy_name: resolved.stored.record.policy_name.clone(),
                policy_arn: arn.clone(),
            };
            put(txn, key, &attachment)?;
            put(
                txn,
                policy_attachment_key(account, &arn, &identity),
                &identity.name(),
            )?;
            resolved.stored.record.attachment_count += 1;
            save_policy(txn, account, &resolved)?;
            touch(txn, account, &identity)
        })
        .await
    }

    async fn detach_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_arn: &Arn,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let identity = require_identity(txn, account, identity)?;
            let key = attachment_key(account, &identity, policy_arn);
            if txn.get(&key)?.is_none() {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::PolicyAttachment,
                    name: policy_arn.to_string(),
                });
            }
            txn.delete(key);
            txn.delete(policy_attachment_key(account, policy_arn, &identity));
            // The policy record exists while it is attached: deletion requires no attachments.
            let mut resolved = resolve_policy(txn, account, policy_arn)?;
            let policy = &mut resolved.stored.record;
            policy.attachment_count = policy.attachment_count.saturating_sub(1);
            save_policy(txn, account, &resolved)?;
            touch(txn, account, &identity)
        })
        .await
    }

    async fn list_attached_policies(
        &self,
        account: AccountId,
        identity: &Identity,
        options: &ListOptions,
    ) -> Result<Page<AttachedPolicy>, StoreError> {
        self.read(|txn| {
            let identity = require_identity(txn, account, identity)?;
            let prefix = Key::account(account, Table::Attachment)
                .part(identity.tag())
                .name(identity.name())
                .prefix();
            let listing = format!(
                "attached:{}",
                String::from_utf8_lossy(&identity_key(account, &identity))
            );
            page::list(txn, &listing, &prefix, options, |_, _, payload| {
                let attached: AttachedPolicy = txn::decode(payload)?;
                let path = IamArn::try_from(&attached.policy_arn)
                    .ok()
                    .and_then(|arn| arn.resource().path().map(str::to_owned))
                    .unwrap_or_default();
                Ok(path_matches(options, &path).then_some(attached))
            })
        })
    }

    async fn list_entities_for_policy(
        &self,
        account: AccountId,
        policy_arn: &Arn,
    ) -> Result<PolicyEntities, StoreError> {
        self.read(|txn| {
            let resolved = resolve_policy(txn, account, policy_arn)?;
            let arn = resolved.stored.record.arn.to_string();
            let prefix = Key::account(account, Table::PolicyAttachment)
                .part(&arn)
                .prefix();
            let mut entities = PolicyEntities::default();
            for (key, payload) in txn.prefix(&prefix)? {
                let name: String = txn::decode(&payload)?;
                match components(&key, &prefix).first().copied() {
                    Some(b"u") => entities.users.push(name),
                    Some(b"g") => entities.groups.push(name),
                    _ => entities.roles.push(name),
                }
            }
            Ok(entities)
        })
    }

    async fn put_inline_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy: iam_model::InlinePolicy,
    ) -> Result<(), StoreError> {
        self.write(|txn| inline::put_policy(self, txn, account, identity, &policy))
            .await
    }

    async fn inline_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_name: &str,
    ) -> Result<iam_model::InlinePolicy, StoreError> {
        self.read(|txn| inline::get_policy(txn, account, identity, policy_name))
    }

    async fn list_inline_policies(
        &self,
        account: AccountId,
        identity: &Identity,
        options: &ListOptions,
    ) -> Result<Page<String>, StoreError> {
        self.read(|txn| inline::list_policies(txn, account, identity, options))
    }

    async fn delete_inline_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_name: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| inline::delete_policy(txn, account, identity, policy_name))
            .await
    }

    async fn set_permissions_boundary(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_arn: Option<&Arn>,
    ) -> Result<(), StoreError> {
        self.write(|txn| inline::set_boundary(txn, account, identity, policy_arn))
            .await
    }

    async fn principal_policies(
        &self,
        account: AccountId,
        principal: &Identity,
    ) -> Result<PrincipalPolicies, StoreError> {
        let revision = self.engine.revision();
        self.read(|txn| inline::principal_policies(txn, account, principal, revision))
    }
}

/// Applies the `OnlyAttached` and `PathPrefix` filters of `ListPolicies`.
fn keep_policy(options: &ListPoliciesOptions, policy: ManagedPolicy) -> Option<ManagedPolicy> {
    let attached_enough = !options.only_attached || policy.attachment_count > 0;
    (attached_enough && path_matches(&options.list, &policy.path)).then_some(policy)
}

/// Loads the attached managed policies of an identity as documents.
pub(super) fn attached_documents(
    txn: &mut Txn<'_>,
    account: AccountId,
    identity: &Identity,
) -> Result<Vec<crate::ManagedPolicyDocument>, StoreError> {
    let prefix = Key::account(account, Table::Attachment)
        .part(identity.tag())
        .name(identity.name())
        .prefix();
    let attached: Vec<AttachedPolicy> = records(txn, &prefix)?;
    let mut documents = Vec::with_capacity(attached.len());
    for attachment in attached {
        let resolved = resolve_policy(txn, account, &attachment.policy_arn)?;
        documents.push(default_document(&resolved.stored.record)?);
    }
    Ok(documents)
}
