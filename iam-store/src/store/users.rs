//! Users.

use async_trait::async_trait;
use iam_model::{AccountId, Quota, SealedAccessKey, User, VirtualMfaDevice};

use super::{
    Counter, KvStore, add_count, check_revision, conflict_if_any, move_prefix, put,
    rename_identity, require, require_absent,
};
use crate::keys::{GlobalTable, Key, Table, fold};
use crate::kv::{KvEngine, Revision};
use crate::page::{self, path_matches};
use crate::store::policies::adjust_boundary;
use crate::store::sessions::revocation_key;
use crate::txn::{self, Txn};
use crate::{
    EntityKind, Identity, ListOptions, Page, SessionRevocation, StoreError, Stored, UserStore,
};

/// The record of which account and user own an access key, under the global index.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct AccessKeyOwner {
    pub(super) account: AccountId,
    pub(super) user_name: String,
}

pub(super) fn user_key(account: AccountId, user_name: &str) -> Vec<u8> {
    Key::account(account, Table::User).name(user_name).build()
}

/// Reads a user or fails with [`StoreError::NoSuchEntity`].
pub(super) fn require_user(
    txn: &mut Txn<'_>,
    account: AccountId,
    user_name: &str,
) -> Result<Stored<User>, StoreError> {
    require(
        txn,
        &user_key(account, user_name),
        EntityKind::User,
        user_name,
    )
}

#[async_trait]
impl<E: KvEngine> UserStore for KvStore<E> {
    async fn create_user(
        &self,
        account: AccountId,
        user: User,
    ) -> Result<Stored<User>, StoreError> {
        let key = user_key(account, &user.user_name);
        let identity = Identity::User(user.user_name.clone());

        let ((), revision) = self
            .write_revision(|txn| {
                require_absent(txn, &key, EntityKind::User, &user.user_name)?;
                self.add_one_within_quota(txn, account, Counter::Users, Quota::Users)?;
                if let Some(boundary) = &user.permissions_boundary {
                    adjust_boundary(txn, account, boundary, &identity, true)?;
                }
                put(txn, key.clone(), &user)?;
                txn.changed(account, identity.clone());
                Ok(())
            })
            .await?;
        Ok(Stored {
            revision,
            record: user,
        })
    }

    async fn user(&self, account: AccountId, user_name: &str) -> Result<Stored<User>, StoreError> {
        self.read_record(&user_key(account, user_name), EntityKind::User, user_name)
    }

    async fn list_users(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<User>, StoreError> {
        let prefix = Key::account(account, Table::User).prefix();
        self.read(|txn| {
            page::list(txn, "users", &prefix, options, |_, _, payload| {
                let user: User = txn::decode(payload)?;
                Ok(path_matches(options, &user.path).then_some(user))
            })
        })
    }

    async fn update_user(
        &self,
        account: AccountId,
        user_name: &str,
        mut user: User,
        expected: Option<Revision>,
    ) -> Result<Stored<User>, StoreError> {
        let ((), revision) = self
            .write_revision(|txn| {
                let stored = require_user(txn, account, user_name)?;
                check_revision(expected, stored.revision, EntityKind::User, user_name)?;
                user.permissions_boundary = stored.record.permissions_boundary.clone();

                let old_name = stored.record.user_name.clone();
                let new_name = user.user_name.clone();
                if old_name != new_name {
                    if fold(&old_name) != fold(&new_name) {
                        require_absent(
                            txn,
                            &user_key(account, &new_name),
                            EntityKind::User,
                            &new_name,
                        )?;
                    }
                    rename_user(txn, account, &stored.record, &new_name)?;
                    txn.changed(account, Identity::User(old_name));
                }
                put(txn, user_key(account, &new_name), &user)?;
                txn.changed(account, Identity::User(new_name));
                Ok(())
            })
            .await?;
        Ok(Stored {
            revision,
            record: user,
        })
    }

    async fn delete_user(&self, account: AccountId, user_name: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            let user = require_user(txn, account, user_name)?.record;
            let name = user.user_name.as_str();
            let conflict = |txn: &mut Txn<'_>, table: Table, reason: &str| {
                let prefix = match table {
                    Table::InlinePolicy | Table::Attachment => {
                        Key::account(account, table).part("u").name(name).prefix()
                    }
                    _ => Key::account(account, table).name(name).prefix(),
                };
                conflict_if_any(txn, &prefix, EntityKind::User, name, reason)
            };
            conflict(txn, Table::InlinePolicy, "it still has inline policies")?;
            conflict(txn, Table::Attachment, "it still has attached policies")?;
            conflict(txn, Table::UserGroup, "it is still a member of groups")?;
            conflict(txn, Table::AccessKey, "it still has access keys")?;
            conflict(txn, Table::UserMfaDevice, "it still has MFA devices")?;
            if txn
                .get(
                    &Key::account(account, Table::LoginProfile)
                        .name(name)
                        .build(),
                )?
                .is_some()
            {
                return Err(StoreError::DeleteConflict {
                    kind: EntityKind::User,
                    name: name.to_owned(),
                    reason: "it still has a login profile".to_owned(),
                });
            }

            let identity = Identity::User(user.user_name.clone());
            if let Some(boundary) = &user.permissions_boundary {
                adjust_boundary(txn, account, boundary, &identity, false)?;
            }
            txn.delete(user_key(account, name));
            txn.delete(revocation_key(account, &identity)?);
            add_count(txn, account, Counter::Users, -1)?;
            txn.changed(account, identity);
            Ok(())
        })
        .await
    }
}

/// Moves everything that belongs to a user to its new name.
fn rename_user(
    txn: &mut Txn<'_>,
    account: AccountId,
    user: &User,
    new_name: &str,
) -> Result<(), StoreError> {
    let old_name = user.user_name.as_str();
    txn.delete(user_key(account, old_name));
    let old = Identity::User(old_name.to_owned());
    let new = Identity::User(new_name.to_owned());
    rename_identity(txn, account, &old, &new)?;
    if let Some(boundary) = &user.permissions_boundary {
        adjust_boundary(txn, account, boundary, &old, false)?;
        adjust_boundary(txn, account, boundary, &new, true)?;
    }

    let old_groups = Key::account(account, Table::UserGroup)
        .name(old_name)
        .prefix();
    let new_groups = Key::account(account, Table::UserGroup)
        .name(new_name)
        .prefix();
    let groups: Vec<String> = super::records(txn, &old_groups)?;
    for group_name in &groups {
        let members = Key::account(account, Table::GroupUser).name(group_name);
        txn.delete(members.clone().name(old_name).build());
        put(txn, members.name(new_name).build(), &new_name)?;
    }
    move_prefix(txn, &old_groups, &new_groups, |_, payload| Ok(payload))?;

    let old_keys = Key::account(account, Table::AccessKey)
        .name(old_name)
        .prefix();
    let new_keys = Key::account(account, Table::AccessKey)
        .name(new_name)
        .prefix();
    let mut owners = Vec::new();
    move_prefix(txn, &old_keys, &new_keys, |_, payload| {
        let mut key: SealedAccessKey = txn::decode(&payload)?;
        key.access_key.user_name = new_name.to_owned();
        owners.push(key.access_key.access_key_id.as_str().to_owned());
        txn::encode(&key)
    })?;
    for access_key_id in owners {
        let owner = AccessKeyOwner {
            account,
            user_name: new_name.to_owned(),
        };
        put(
            txn,
            Key::global(GlobalTable::AccessKeyOwner)
                .part(&access_key_id)
                .build(),
            &owner,
        )?;
    }

    let old_profile = Key::account(account, Table::LoginProfile)
        .name(old_name)
        .build();
    if let Some(mut profile) = txn.get_json::<iam_model::LoginProfile>(&old_profile)? {
        txn.delete(old_profile);
        profile.user_name = new_name.to_owned();
        put(
            txn,
            Key::account(account, Table::LoginProfile)
                .name(new_name)
                .build(),
            &profile,
        )?;
    }

    let old_devices = Key::account(account, Table::UserMfaDevice)
        .name(old_name)
        .prefix();
    let new_devices = Key::account(account, Table::UserMfaDevice)
        .name(new_name)
        .prefix();
    let serials: Vec<String> = super::records(txn, &old_devices)?;
    for serial in &serials {
        let device_key = Key::account(account, Table::MfaDevice).name(serial).build();
        if let Some(mut device) = txn.get_json::<VirtualMfaDevice>(&device_key)? {
            device.user_name = Some(new_name.to_owned());
            put(txn, device_key, &device)?;
        }
    }
    move_prefix(txn, &old_devices, &new_devices, |_, payload| Ok(payload))?;

    let old_revocation = revocation_key(account, &old)?;
    if let Some(mut revocation) = txn.get_json::<SessionRevocation>(&old_revocation)? {
        txn.delete(old_revocation);
        revocation.identity = new.clone();
        put(txn, revocation_key(account, &new)?, &revocation)?;
    }
    Ok(())
}
