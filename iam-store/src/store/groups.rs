//! Groups and their members.

use async_trait::async_trait;
use iam_model::{AccountId, Group, Quota, User};

use super::users::require_user;
use super::{
    Counter, KvStore, add_count, check_revision, conflict_if_any, move_prefix, put, records,
    rename_identity, require, require_absent, touch,
};
use crate::keys::{Key, Table, fold};
use crate::kv::{KvEngine, Revision};
use crate::page::{self, path_matches};
use crate::txn::{self, Txn};
use crate::{EntityKind, GroupStore, Identity, ListOptions, Page, StoreError, Stored};

pub(super) fn group_key(account: AccountId, group_name: &str) -> Vec<u8> {
    Key::account(account, Table::Group).name(group_name).build()
}

/// Reads a group or fails with [`StoreError::NoSuchEntity`].
pub(super) fn require_group(
    txn: &mut Txn<'_>,
    account: AccountId,
    group_name: &str,
) -> Result<Stored<Group>, StoreError> {
    require(
        txn,
        &group_key(account, group_name),
        EntityKind::Group,
        group_name,
    )
}

#[async_trait]
impl<E: KvEngine> GroupStore for KvStore<E> {
    async fn create_group(
        &self,
        account: AccountId,
        group: Group,
    ) -> Result<Stored<Group>, StoreError> {
        let key = group_key(account, &group.group_name);
        let ((), revision) = self
            .write_revision(|txn| {
                require_absent(txn, &key, EntityKind::Group, &group.group_name)?;
                self.add_one_within_quota(txn, account, Counter::Groups, Quota::Groups)?;
                put(txn, key.clone(), &group)?;
                txn.changed(account, Identity::Group(group.group_name.clone()));
                Ok(())
            })
            .await?;
        Ok(Stored {
            revision,
            record: group,
        })
    }

    async fn group(
        &self,
        account: AccountId,
        group_name: &str,
    ) -> Result<Stored<Group>, StoreError> {
        self.read_record(
            &group_key(account, group_name),
            EntityKind::Group,
            group_name,
        )
    }

    async fn list_groups(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<Group>, StoreError> {
        let prefix = Key::account(account, Table::Group).prefix();
        self.read(|txn| {
            page::list(txn, "groups", &prefix, options, |_, _, payload| {
                let group: Group = txn::decode(payload)?;
                Ok(path_matches(options, &group.path).then_some(group))
            })
        })
    }

    async fn update_group(
        &self,
        account: AccountId,
        group_name: &str,
        group: Group,
        expected: Option<Revision>,
    ) -> Result<Stored<Group>, StoreError> {
        let ((), revision) = self
            .write_revision(|txn| {
                let stored = require_group(txn, account, group_name)?;
                check_revision(expected, stored.revision, EntityKind::Group, group_name)?;

                let old_name = stored.record.group_name.clone();
                let new_name = group.group_name.clone();
                if old_name != new_name {
                    if fold(&old_name) != fold(&new_name) {
                        require_absent(
                            txn,
                            &group_key(account, &new_name),
                            EntityKind::Group,
                            &new_name,
                        )?;
                    }
                    touch(txn, account, &Identity::Group(old_name.clone()))?;
                    rename_group(txn, account, &old_name, &new_name)?;
                }
                put(txn, group_key(account, &new_name), &group)?;
                touch(txn, account, &Identity::Group(new_name))?;
                Ok(())
            })
            .await?;
        Ok(Stored {
            revision,
            record: group,
        })
    }

    async fn delete_group(&self, account: AccountId, group_name: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            let group = require_group(txn, account, group_name)?.record;
            let name = group.group_name.as_str();
            let members = Key::account(account, Table::GroupUser).name(name).prefix();
            conflict_if_any(
                txn,
                &members,
                EntityKind::Group,
                name,
                "it still has members",
            )?;
            let inline = Key::account(account, Table::InlinePolicy)
                .part("g")
                .name(name)
                .prefix();
            let reason = "it still has inline policies";
            conflict_if_any(txn, &inline, EntityKind::Group, name, reason)?;
            let attached = Key::account(account, Table::Attachment)
                .part("g")
                .name(name)
                .prefix();
            let reason = "it still has attached policies";
            conflict_if_any(txn, &attached, EntityKind::Group, name, reason)?;

            txn.delete(group_key(account, name));
            add_count(txn, account, Counter::Groups, -1)?;
            txn.changed(account, Identity::Group(group.group_name.clone()));
            Ok(())
        })
        .await
    }

    async fn add_user_to_group(
        &self,
        account: AccountId,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let group = require_group(txn, account, group_name)?.record;
            let user = require_user(txn, account, user_name)?.record;
            let membership = Key::account(account, Table::UserGroup)
                .name(&user.user_name)
                .name(&group.group_name)
                .build();
            if txn.get(&membership)?.is_some() {
                return Ok(());
            }
            let user_groups = Key::account(account, Table::UserGroup)
                .name(&user.user_name)
                .prefix();
            let groups = txn.prefix(&user_groups)?.len();
            self.check_quota(Quota::GroupsPerUser, groups + 1)?;

            put(txn, membership, &group.group_name)?;
            let member = Key::account(account, Table::GroupUser)
                .name(&group.group_name)
                .name(&user.user_name)
                .build();
            put(txn, member, &user.user_name)?;
            txn.changed(account, Identity::User(user.user_name));
            Ok(())
        })
        .await
    }

    async fn remove_user_from_group(
        &self,
        account: AccountId,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let group = require_group(txn, account, group_name)?.record;
            let user = require_user(txn, account, user_name)?.record;
            let membership = Key::account(account, Table::UserGroup)
                .name(&user.user_name)
                .name(&group.group_name)
                .build();
            if txn.get(&membership)?.is_none() {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::GroupMembership,
                    name: format!("{}/{}", group.group_name, user.user_name),
                });
            }
            txn.delete(membership);
            txn.delete(
                Key::account(account, Table::GroupUser)
                    .name(&group.group_name)
                    .name(&user.user_name)
                    .build(),
            );
            txn.changed(account, Identity::User(user.user_name));
            Ok(())
        })
        .await
    }

    async fn list_group_members(
        &self,
        account: AccountId,
        group_name: &str,
        options: &ListOptions,
    ) -> Result<Page<User>, StoreError> {
        self.read(|txn| {
            let group = require_group(txn, account, group_name)?.record;
            let prefix = Key::account(account, Table::GroupUser)
                .name(&group.group_name)
                .prefix();
            let listing = format!("members:{}", fold(&group.group_name));
            page::list(txn, &listing, &prefix, options, |txn, _, payload| {
                let user_name: String = txn::decode(payload)?;
                Ok(Some(require_user(txn, account, &user_name)?.record))
            })
        })
    }

    async fn list_groups_for_user(
        &self,
        account: AccountId,
        user_name: &str,
        options: &ListOptions,
    ) -> Result<Page<Group>, StoreError> {
        self.read(|txn| {
            let user = require_user(txn, account, user_name)?.record;
            let prefix = Key::account(account, Table::UserGroup)
                .name(&user.user_name)
                .prefix();
            let listing = format!("groups-for-user:{}", fold(&user.user_name));
            page::list(txn, &listing, &prefix, options, |txn, _, payload| {
                let group_name: String = txn::decode(payload)?;
                Ok(Some(require_group(txn, account, &group_name)?.record))
            })
        })
    }
}

/// Moves the memberships, policies and attachments of a group to its new name.
fn rename_group(
    txn: &mut Txn<'_>,
    account: AccountId,
    old_name: &str,
    new_name: &str,
) -> Result<(), StoreError> {
    txn.delete(group_key(account, old_name));
    rename_identity(
        txn,
        account,
        &Identity::Group(old_name.to_owned()),
        &Identity::Group(new_name.to_owned()),
    )?;

    let old_members = Key::account(account, Table::GroupUser)
        .name(old_name)
        .prefix();
    let new_members = Key::account(account, Table::GroupUser)
        .name(new_name)
        .prefix();
    let members: Vec<String> = records(txn, &old_members)?;
    for user_name in &members {
        let user_groups = Key::account(account, Table::UserGroup).name(user_name);
        txn.delete(user_groups.clone().name(old_name).build());
        put(txn, user_groups.name(new_name).build(), &new_name)?;
    }
    move_prefix(txn, &old_members, &new_members, |_, payload| Ok(payload))?;
    Ok(())
}
