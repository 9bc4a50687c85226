//! Inline policies, permissions boundaries, and loading every policy of a principal.

use iam_model::{AccountId, Arn, Group, InlinePolicy, Quota, Role, User};

use super::groups::require_group;
use super::policies::{adjust_boundary, attached_documents, default_document, resolve_policy};
use super::roles::{require_role, role_key};
use super::users::{require_user, user_key};
use super::{KvStore, put, records, require_identity, touch};
use crate::keys::{Key, Table, fold};
use crate::kv::{KvEngine, Revision};
use crate::page;
use crate::txn::{self, Txn};
use crate::{
    EntityKind, GroupPolicies, Identity, ListOptions, Page, Principal, PrincipalPolicies,
    StoreError,
};

fn inline_prefix(account: AccountId, identity: &Identity) -> Vec<u8> {
    Key::account(account, Table::InlinePolicy)
        .part(identity.tag())
        .name(identity.name())
        .prefix()
}

fn inline_key(account: AccountId, identity: &Identity, policy_name: &str) -> Vec<u8> {
    Key::account(account, Table::InlinePolicy)
        .part(identity.tag())
        .name(identity.name())
        .name(policy_name)
        .build()
}

fn size_quota(identity: &Identity) -> Quota {
    match identity {
        Identity::User(_) => Quota::UserPolicySize,
        Identity::Group(_) => Quota::GroupPolicySize,
        Identity::Role(_) => Quota::RolePolicySize,
    }
}

/// Creates or replaces an inline policy within the identity's aggregate size quota.
pub(super) fn put_policy<E: KvEngine>(
    store: &KvStore<E>,
    txn: &mut Txn<'_>,
    account: AccountId,
    identity: &Identity,
    policy: &InlinePolicy,
) -> Result<(), StoreError> {
    let identity = require_identity(txn, account, identity)?;
    let existing: Vec<InlinePolicy> = records(txn, &inline_prefix(account, &identity))?;
    let replaced = fold(&policy.policy_name);
    let documents = existing
        .iter()
        .filter(|other| fold(&other.policy_name) != replaced)
        .map(|other| other.policy_document.as_str())
        .chain([policy.policy_document.as_str()]);
    let quota = size_quota(&identity);
    store
        .quotas
        .check_policy_size(quota, documents)
        .map_err(|_| StoreError::LimitExceeded {
            quota,
            limit: store.quotas.value(quota),
        })?;

    super::put(
        txn,
        inline_key(account, &identity, &policy.policy_name),
        policy,
    )?;
    touch(txn, account, &identity)
}

/// Reads an inline policy.
pub(super) fn get_policy(
    txn: &mut Txn<'_>,
    account: AccountId,
    identity: &Identity,
    policy_name: &str,
) -> Result<InlinePolicy, StoreError> {
    let identity = require_identity(txn, account, identity)?;
    txn.get_json(&inline_key(account, &identity, policy_name))?
        .ok_or_else(|| StoreError::NoSuchEntity {
            kind: EntityKind::InlinePolicy,
            name: policy_name.to_owned(),
        })
}

/// Lists the names of an identity's inline policies.
pub(super) fn list_policies(
    txn: &mut Txn<'_>,
    account: AccountId,
    identity: &Identity,
    options: &ListOptions,
) -> Result<Page<String>, StoreError> {
    let identity = require_identity(txn, account, identity)?;
    let prefix = inline_prefix(account, &identity);
    let listing = format!("inline:{}:{}", identity.tag(), fold(identity.name()));
    page::list(txn, &listing, &prefix, options, |_, _, payload| {
        Ok(Some(txn::decode::<InlinePolicy>(payload)?.policy_name))
    })
}

/// Deletes an inline policy.
pub(super) fn delete_policy(
    txn: &mut Txn<'_>,
    account: AccountId,
    identity: &Identity,
    policy_name: &str,
) -> Result<(), StoreError> {
    let identity = require_identity(txn, account, identity)?;
    let key = inline_key(account, &identity, policy_name);
    if txn.get(&key)?.is_none() {
        return Err(StoreError::NoSuchEntity {
            kind: EntityKind::InlinePolicy,
            name: policy_name.to_owned(),
        });
    }
    txn.delete(key);
    touch(txn, account, &identity)
}

/// Sets or removes the permissions boundary of a user or role, keeping the policy's usage count.
pub(super) fn set_boundary(
    txn: &mut Txn<'_>,
    account: AccountId,
    identity: &Identity,
    policy_arn: Option<&Arn>,
) -> Result<(), StoreError> {
    let (current, identity) = match identity {
        Identity::User(name) => {
            let user = require_user(txn, account, name)?.record;
            (user.permissions_boundary, Identity::User(user.user_name))
        }
        Identity::Role(name) => {
            let role = require_role(txn, account, name)?.record;
            (role.permissions_boundary, Identity::Role(role.role_name))
        }
        Identity::Group(name) => {
            return Err(StoreError::InvalidInput(format!(
                "group `{name}` cannot have a permissions boundary, only users and roles can"
            )));
        }
    };
    // A boundary is stored with the policy's own ARN, so compare after resolving.
    let new = match policy_arn {
        Some(arn) => Some(resolve_policy(txn, account, arn)?.stored.record.arn),
        None => None,
    };
    if current == new {
        return Ok(());
    }
    if let Some(old) = &current {
        adjust_boundary(txn, account, old, &identity, false)?;
    }
    if let Some(new) = &new {
        adjust_boundary(txn, account, new, &identity, true)?;
    }

    match &identity {
        Identity::User(name) => {
            let mut user = require_user(txn, account, name)?.record;
            user.permissions_boundary = new;
            put(txn, user_key(account, name), &user)?;
        }
        Identity::Role(name) | Identity::Group(name) => {
            let mut role = require_role(txn, account, name)?.record;
            role.permissions_boundary = new;
            put(txn, role_key(account, name), &role)?;
        }
    }
    touch(txn, account, &identity)
}

/// Loads every identity-based policy and the boundary of a user or role.
pub(super) fn principal_policies(
    txn: &mut Txn<'_>,
    account: AccountId,
    principal: &Identity,
    revision: Revision,
) -> Result<PrincipalPolicies, StoreError> {
    let (principal, identity, boundary) = match principal {
        Identity::User(name) => {
            let user: User = require_user(txn, account, name)?.record;
            let identity = Identity::User(user.user_name.clone());
            let boundary = user.permissions_boundary.clone();
            (Principal::User(user), identity, boundary)
        }
        Identity::Role(name) => {
            let role: Role = require_role(txn, account, name)?.record;
            let identity = Identity::Role(role.role_name.clone());
            let boundary = role.permissions_boundary.clone();
            (Principal::Role(role), identity, boundary)
        }
        Identity::Group(name) => {
            return Err(StoreError::InvalidInput(format!(
                "group `{name}` is not a principal, expected a user or role"
            )));
        }
    };

    let inline_policies = records(txn, &inline_prefix(account, &identity))?;
    let managed_policies = attached_documents(txn, account, &identity)?;
    let mut groups = Vec::new();
    if let Identity::User(user_name) = &identity {
        let prefix = Key::account(account, Table::UserGroup)
            .name(user_name)
            .prefix();
        let group_names: Vec<String> = records(txn, &prefix)?;
        for group_name in group_names {
            let group: Group = require_group(txn, account, &group_name)?.record;
            let group_identity = Identity::Group(group.group_name.clone());
            groups.push(GroupPolicies {
                inline_policies: records(txn, &inline_prefix(account, &group_identity))?,
                managed_policies: attached_documents(txn, account, &group_identity)?,
                group,
            });
        }
    }
    let permissions_boundary = match &boundary {
        Some(arn) => Some(default_document(
            &resolve_policy(txn, account, arn)?.stored.record,
        )?),
        None => None,
    };
    Ok(PrincipalPolicies {
        revision,
        principal,
        inline_policies,
        managed_policies,
        groups,
        permissions_boundary,
    })
}
