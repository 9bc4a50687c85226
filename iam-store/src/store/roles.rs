//! Roles.

use async_trait::async_trait;
use iam_model::{AccountId, Quota, Role};

use super::{
    Counter, KvStore, add_count, check_revision, conflict_if_any, put, require, require_absent,
};
use crate::keys::{Key, Table, fold};
use crate::kv::{KvEngine, Revision};
use crate::page::{self, path_matches};
use crate::store::policies::adjust_boundary;
use crate::store::sessions::revocation_key;
use crate::txn::{self, Txn};
use crate::{EntityKind, Identity, ListOptions, Page, RoleStore, StoreError, Stored};

pub(super) fn role_key(account: AccountId, role_name: &str) -> Vec<u8> {
    Key::account(account, Table::Role).name(role_name).build()
}

/// Reads a role or fails with [`StoreError::NoSuchEntity`].
pub(super) fn require_role(
    txn: &mut Txn<'_>,
    account: AccountId,
    role_name: &str,
) -> Result<Stored<Role>, StoreError> {
    require(
        txn,
        &role_key(account, role_name),
        EntityKind::Role,
        role_name,
    )
}

#[async_trait]
impl<E: KvEngine> RoleStore for KvStore<E> {
    async fn create_role(
        &self,
        account: AccountId,
        role: Role,
    ) -> Result<Stored<Role>, StoreError> {
        let key = role_key(account, &role.role_name);
        let identity = Identity::Role(role.role_name.clone());
        let ((), revision) = self
            .write_revision(|txn| {
                require_absent(txn, &key, EntityKind::Role, &role.role_name)?;
                self.add_one_within_quota(txn, account, Counter::Roles, Quota::Roles)?;
                if let Some(boundary) = &role.permissions_boundary {
                    adjust_boundary(txn, account, boundary, &identity, true)?;
                }
                put(txn, key.clone(), &role)?;
                txn.changed(account, identity.clone());
                Ok(())
            })
            .await?;
        Ok(Stored {
            revision,
            record: role,
        })
    }

    async fn role(&self, account: AccountId, role_name: &str) -> Result<Stored<Role>, StoreError> {
        self.read_record(&role_key(account, role_name), EntityKind::Role, role_name)
    }

    async fn list_roles(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<Role>, StoreError> {
        let prefix = Key::account(account, Table::Role).prefix();
        self.read(|txn| {
            page::list(txn, "roles", &prefix, options, |_, _, payload| {
                let role: Role = txn::decode(payload)?;
                Ok(path_matches(options, &role.path).then_some(role))
            })
        })
    }

    async fn update_role(
        &self,
        account: AccountId,
        role_name: &str,
        mut role: Role,
        expected: Option<Revision>,
    ) -> Result<Stored<Role>, StoreError> {
        let ((), revision) = self
            .write_revision(|txn| {
                let stored = require_role(txn, account, role_name)?;
                check_revision(expected, stored.revision, EntityKind::Role, role_name)?;
                if fold(&role.role_name) != fold(&stored.record.role_name) {
                    return Err(StoreError::InvalidInput(format!(
                        "cannot rename role `{}` to `{}`, roles keep their names",
                        stored.record.role_name, role.role_name
                    )));
                }
                role.role_name = stored.record.role_name.clone();
                role.permissions_boundary = stored.record.permissions_boundary.clone();
                put(txn, role_key(account, role_name), &role)?;
                txn.changed(account, Identity::Role(role.role_name.clone()));
                Ok(())
            })
            .await?;
        Ok(Stored {
            revision,
            record: role,
        })
    }

    async fn delete_role(&self, account: AccountId, role_name: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            let role = require_role(txn, account, role_name)?.record;
            let name = role.role_name.as_str();
            let inline = Key::account(account, Table::InlinePolicy)
                .part("r")
                .name(name)
                .prefix();
            let reason = "it still has inline policies";
            conflict_if_any(txn, &inline, EntityKind::Role, name, reason)?;
            let attached = Key::account(account, Table::Attachment)
                .part("r")
                .name(name)
                .prefix();
            let reason = "it still has attached policies";
            conflict_if_any(txn, &attached, EntityKind::Role, name, reason)?;
            let profiles = Key::account(account, Table::RoleInstanceProfile)
                .name(name)
                .prefix();
            let reason = "it still belongs to instance profiles";
            conflict_if_any(txn, &profiles, EntityKind::Role, name, reason)?;

            let identity = Identity::Role(role.role_name.clone());
            if let Some(boundary) = &role.permissions_boundary {
                adjust_boundary(txn, account, boundary, &identity, false)?;
            }
            txn.delete(role_key(account, name));
            txn.delete(revocation_key(account, &identity)?);
            add_count(txn, account, Counter::Roles, -1)?;
            txn.changed(account, identity);
            Ok(())
        })
        .await
    }
}
