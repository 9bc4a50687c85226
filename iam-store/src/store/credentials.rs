//! Access keys, login profiles and virtual MFA devices.

use async_trait::async_trait;
use iam_model::{
    AccessKey, AccessKeyLastUsed, AccessKeyStatus, AccountId, Arn, LoginProfile, Quota,
    ROOT_USER_NAME, SealedAccessKey, Tag, VirtualMfaDevice,
};

use super::users::{AccessKeyOwner, require_user};
use super::{Counter, KvStore, add_count, put, records, require_absent, touch};
use crate::keys::{GlobalTable, Key, Table};
use crate::kv::KvEngine;
use crate::page;
use crate::txn::{self, Txn};
use crate::{
    CredentialStore, EntityKind, Identity, ListOptions, MfaAssignment, Page, StoreError,
    TimeStepAcceptance,
};

fn access_key_key(account: AccountId, user_name: &str, access_key_id: &str) -> Vec<u8> {
    Key::account(account, Table::AccessKey)
        .name(user_name)
        .part(access_key_id)
        .build()
}

fn owner_key(access_key_id: &str) -> Vec<u8> {
    Key::global(GlobalTable::AccessKeyOwner)
        .part(access_key_id)
        .build()
}

fn login_profile_key(account: AccountId, user_name: &str) -> Vec<u8> {
    Key::account(account, Table::LoginProfile)
        .name(user_name)
        .build()
}

fn device_key(account: AccountId, serial_number: &Arn) -> Vec<u8> {
    Key::account(account, Table::MfaDevice)
        .name(&serial_number.to_string())
        .build()
}

/// Returns the key of a device's last accepted TOTP time step.
pub(super) fn time_step_key(account: AccountId, serial_number: &Arn) -> Vec<u8> {
    Key::account(account, Table::MfaTimeStep)
        .name(&serial_number.to_string())
        .build()
}

fn user_device_key(account: AccountId, user_name: &str, serial_number: &Arn) -> Vec<u8> {
    Key::account(account, Table::UserMfaDevice)
        .name(user_name)
        .name(&serial_number.to_string())
        .build()
}

fn missing_key(access_key_id: &str) -> StoreError {
    StoreError::NoSuchEntity {
        kind: EntityKind::AccessKey,
        name: access_key_id.to_owned(),
    }
}

/// Returns the stored name of the owner of an access key or MFA device: [`ROOT_USER_NAME`] for
/// the root user, which has no user record, or the user's name as stored.
///
/// # Errors
///
/// [`StoreError::NoSuchEntity`] when no such user exists.
fn require_credential_owner(
    txn: &mut Txn<'_>,
    account: AccountId,
    user_name: &str,
) -> Result<String, StoreError> {
    if user_name == ROOT_USER_NAME {
        return Ok(ROOT_USER_NAME.to_owned());
    }
    Ok(require_user(txn, account, user_name)?.record.user_name)
}

/// Records in the change feed that a key of `owner` changed. Keys of the root user report the
/// owner name [`ROOT_USER_NAME`], so caches of opened keys drop a root key that was
/// deactivated or deleted.
fn key_owner_changed(txn: &mut Txn<'_>, account: AccountId, owner: String) {
    txn.changed(account, Identity::User(owner));
}

/// Reads an access key of a user or the root user, or fails with
/// [`StoreError::NoSuchEntity`].
fn require_access_key(
    txn: &mut Txn<'_>,
    account: AccountId,
    user_name: &str,
    access_key_id: &str,
) -> Result<(Vec<u8>, SealedAccessKey), StoreError> {
    let owner = require_credential_owner(txn, account, user_name)?;
    let key = access_key_key(account, &owner, access_key_id);
    let sealed = txn
        .get_json::<SealedAccessKey>(&key)?
        .ok_or_else(|| missing_key(access_key_id))?;
    Ok((key, sealed))
}

/// Finds an access key in any account through the global owner index, and returns its account,
/// its key in the store and the record.
fn find_key(
    txn: &mut Txn<'_>,
    access_key_id: &str,
) -> Result<(AccountId, Vec<u8>, SealedAccessKey), StoreError> {
    let owner: AccessKeyOwner = txn
        .get_json(&owner_key(access_key_id))?
        .ok_or_else(|| missing_key(access_key_id))?;
    let key = access_key_key(owner.account, &owner.user_name, access_key_id);
    let sealed = txn
        .get_json::<SealedAccessKey>(&key)?
        .ok_or_else(|| missing_key(access_key_id))?;
    Ok((owner.account, key, sealed))
}

fn require_device(
    txn: &mut Txn<'_>,
    account: AccountId,
    serial_number: &Arn,
) -> Result<VirtualMfaDevice, StoreError> {
    txn.get_json(&device_key(account, serial_number))?
        .ok_or_else(|| StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            name: serial_number.to_string(),
        })
}

/// Reads a device enabled for a user or the root user ([`ROOT_USER_NAME`]), and returns the
/// owner's name as stored with the device.
///
/// Fails with [`StoreError::NoSuchEntity`] for a missing user or device, or a device that is
/// not enabled for this owner.
fn require_enabled_device(
    txn: &mut Txn<'_>,
    account: AccountId,
    user_name: &str,
    serial_number: &Arn,
) -> Result<(String, VirtualMfaDevice), StoreError> {
    let owner = require_credential_owner(txn, account, user_name)?;
    let device = require_device(txn, account, serial_number)?;
    let enabled_for_owner = device.user_name.as_deref() == Some(owner.as_str());
    if !enabled_for_owner {
        return Err(StoreError::NoSuchEntity {
            kind: EntityKind::MfaDevice,
            name: serial_number.to_string(),
        });
    }
    Ok((owner, device))
}

#[async_trait]
impl<E: KvEngine> CredentialStore for KvStore<E> {
    async fn create_access_key(
        &self,
        account: AccountId,
        mut key: SealedAccessKey,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let user_name = require_credential_owner(txn, account, &key.access_key.user_name)?;
            key.access_key.user_name = user_name.clone();
            let access_key_id = key.access_key.access_key_id.as_str().to_owned();
            let owner = owner_key(&access_key_id);
            require_absent(txn, &owner, EntityKind::AccessKey, &access_key_id)?;
            let prefix = Key::account(account, Table::AccessKey)
                .name(&user_name)
                .prefix();
            let keys = txn.prefix(&prefix)?.len();
            self.check_quota(Quota::AccessKeysPerUser, keys + 1)?;

            let record = AccessKeyOwner {
                account,
                user_name: user_name.clone(),
            };
            put(txn, owner, &record)?;
            put(
                txn,
                access_key_key(account, &user_name, &access_key_id),
                &key,
            )?;
            key_owner_changed(txn, account, user_name);
            Ok(())
        })
        .await
    }

    async fn find_access_key(
        &self,
        access_key_id: &str,
    ) -> Result<(AccountId, SealedAccessKey), StoreError> {
        self.read(|txn| {
            let (account, _, sealed) = find_key(txn, access_key_id)?;
            Ok((account, sealed))
        })
    }

    async fn list_access_keys(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<Vec<AccessKey>, StoreError> {
        self.read(|txn| {
            let owner = require_credential_owner(txn, account, user_name)?;
            let prefix = Key::account(account, Table::AccessKey)
                .name(&owner)
                .prefix();
            let keys: Vec<SealedAccessKey> = records(txn, &prefix)?;
            Ok(keys.into_iter().map(|sealed| sealed.access_key).collect())
        })
    }

    async fn update_access_key(
        &self,
        account: AccountId,
        user_name: &str,
        access_key_id: &str,
        status: AccessKeyStatus,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let (key, mut sealed) = require_access_key(txn, account, user_name, access_key_id)?;
            if sealed.access_key.status == status {
                return Ok(());
            }
            sealed.access_key.status = status;
            let user_name = sealed.access_key.user_name.clone();
            put(txn, key, &sealed)?;
            key_owner_changed(txn, account, user_name);
            Ok(())
        })
        .await
    }

    async fn record_access_key_use(
        &self,
        access_key_id: &str,
        last_used: AccessKeyLastUsed,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let (_, key, mut sealed) = find_key(txn, access_key_id)?;
            sealed.access_key.last_used = Some(last_used.clone());
            put(txn, key, &sealed)
        })
        .await
    }

    async fn delete_access_key(
        &self,
        account: AccountId,
        user_name: &str,
        access_key_id: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let (key, sealed) = require_access_key(txn, account, user_name, access_key_id)?;
            txn.delete(key);
            txn.delete(owner_key(access_key_id));
            key_owner_changed(txn, account, sealed.access_key.user_name);
            Ok(())
        })
        .await
    }

    async fn create_login_profile(
        &self,
        account: AccountId,
        mut profile: LoginProfile,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let user = require_user(txn, account, &profile.user_name)?.record;
            let key = login_profile_key(account, &user.user_name);
            require_absent(txn, &key, EntityKind::LoginProfile, &user.user_name)?;
            profile.user_name = user.user_name.clone();
            put(txn, key, &profile)?;
            txn.changed(account, Identity::User(user.user_name));
            Ok(())
        })
        .await
    }

    async fn login_profile(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<LoginProfile, StoreError> {
        self.read(|txn| {
            let user = require_user(txn, account, user_name)?.record;
            txn.get_json(&login_profile_key(account, &user.user_name))?
                .ok_or_else(|| StoreError::NoSuchEntity {
                    kind: EntityKind::LoginProfile,
                    name: user.user_name.clone(),
                })
        })
    }

    async fn update_login_profile(
        &self,
        account: AccountId,
        mut profile: LoginProfile,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let user = require_user(txn, account, &profile.user_name)?.record;
            let key = login_profile_key(account, &user.user_name);
            if txn.get(&key)?.is_none() {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::LoginProfile,
                    name: user.user_name,
                });
            }
            profile.user_name = user.user_name.clone();
            put(txn, key, &profile)?;
            txn.changed(account, Identity::User(user.user_name));
            Ok(())
        })
        .await
    }

    async fn delete_login_profile(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let user = require_user(txn, account, user_name)?.record;
            let key = login_profile_key(account, &user.user_name);
            if txn.get(&key)?.is_none() {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::LoginProfile,
                    name: user.user_name,
                });
            }
            txn.delete(key);
            txn.changed(account, Identity::User(user.user_name));
            Ok(())
        })
        .await
    }

    async fn create_virtual_mfa_device(
        &self,
        account: AccountId,
        device: VirtualMfaDevice,
    ) -> Result<(), StoreError> {
        if device.user_name.is_some() || device.enable_date.is_some() {
            return Err(StoreError::InvalidInput(format!(
                "new MFA device `{}` must be unassigned, enable it with `enable_mfa_device`",
                device.serial_number
            )));
        }
        let key = device_key(account, &device.serial_number);
        let serial = device.serial_number.to_string();
        self.write(|txn| {
            require_absent(txn, &key, EntityKind::MfaDevice, &serial)?;
            put(txn, key.clone(), &device)?;
            add_count(txn, account, Counter::MfaDevices, 1)?;
            Ok(())
        })
        .await
    }

    async fn virtual_mfa_device(
        &self,
        account: AccountId,
        serial_number: &Arn,
    ) -> Result<VirtualMfaDevice, StoreError> {
        self.read(|txn| require_device(txn, account, serial_number))
    }

    async fn set_mfa_device_tags(
        &self,
        account: AccountId,
        serial_number: &Arn,
        tags: Vec<Tag>,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut device = require_device(txn, account, serial_number)?;
            device.tags = tags.clone();
            put(txn, device_key(account, serial_number), &device)
        })
        .await
    }

    async fn list_virtual_mfa_devices(
        &self,
        account: AccountId,
        assignment: MfaAssignment,
        options: &ListOptions,
    ) -> Result<Page<VirtualMfaDevice>, StoreError> {
        let prefix = Key::account(account, Table::MfaDevice).prefix();
        self.read(|txn| {
            page::list(txn, "mfa-devices", &prefix, options, |_, _, payload| {
                let device: VirtualMfaDevice = txn::decode(payload)?;
                let keep = match assignment {
                    MfaAssignment::Any => true,
                    MfaAssignment::Assigned => device.user_name.is_some(),
                    MfaAssignment::Unassigned => device.user_name.is_none(),
                };
                Ok(keep.then_some(device))
            })
        })
    }

    async fn enable_mfa_device(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &Arn,
        enable_date: jiff::Timestamp,
        accepted_time_step: u64,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let owner = require_credential_owner(txn, account, user_name)?;
            let mut device = require_device(txn, account, serial_number)?;
            if device.user_name.is_some() {
                return Err(StoreError::EntityAlreadyExists {
                    kind: EntityKind::MfaDevice,
                    name: serial_number.to_string(),
                });
            }
            let prefix = Key::account(account, Table::UserMfaDevice)
                .name(&owner)
                .prefix();
            let devices = txn.prefix(&prefix)?.len();
            self.check_quota(Quota::MfaDevicesPerUser, devices + 1)?;

            device.user_name = Some(owner.clone());
            device.enable_date = Some(enable_date);
            put(txn, device_key(account, serial_number), &device)?;
            let index = user_device_key(account, &owner, serial_number);
            put(txn, index, &device.serial_number.to_string())?;
            put(
                txn,
                time_step_key(account, serial_number),
                &accepted_time_step,
            )?;
            add_count(txn, account, Counter::MfaDevicesInUse, 1)?;
            touch(txn, account, &Identity::User(owner))
        })
        .await
    }

    async fn mfa_time_step(
        &self,
        account: AccountId,
        serial_number: &Arn,
    ) -> Result<Option<u64>, StoreError> {
        self.read(|txn| {
            require_device(txn, account, serial_number)?;
            txn.get_json(&time_step_key(account, serial_number))
        })
    }

    async fn accept_mfa_time_step(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &Arn,
        step: u64,
    ) -> Result<TimeStepAcceptance, StoreError> {
        let key = time_step_key(account, serial_number);
        self.write(|txn| {
            require_enabled_device(txn, account, user_name, serial_number)?;
            match txn.get_json::<u64>(&key)? {
                Some(last_accepted) if step <= last_accepted => {
                    Ok(TimeStepAcceptance::NotAfterLast { last_accepted })
                }
                _ => {
                    put(txn, key.clone(), &step)?;
                    Ok(TimeStepAcceptance::Accepted)
                }
            }
        })
        .await
    }

    async fn deactivate_mfa_device(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &Arn,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let (owner, mut device) =
                require_enabled_device(txn, account, user_name, serial_number)?;
            device.user_name = None;
            device.enable_date = None;
            put(txn, device_key(account, serial_number), &device)?;
            txn.delete(user_device_key(account, &owner, serial_number));
            txn.delete(time_step_key(account, serial_number));
            add_count(txn, account, Counter::MfaDevicesInUse, -1)?;
            touch(txn, account, &Identity::User(owner))
        })
        .await
    }

    async fn list_mfa_devices(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<Vec<VirtualMfaDevice>, StoreError> {
        self.read(|txn| {
            let owner = require_credential_owner(txn, account, user_name)?;
            let prefix = Key::account(account, Table::UserMfaDevice)
                .name(&owner)
                .prefix();
            let serials: Vec<String> = records(txn, &prefix)?;
            let mut devices = Vec::with_capacity(serials.len());
            for serial in serials {
                let arn: Arn = serial
                    .parse()
                    .map_err(|_| StoreError::corrupt(format_args!("invalid serial `{serial}`")))?;
                devices.push(require_device(txn, account, &arn)?);
            }
            Ok(devices)
        })
    }

    async fn delete_virtual_mfa_device(
        &self,
        account: AccountId,
        serial_number: &Arn,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let device = require_device(txn, account, serial_number)?;
            if device.user_name.is_some() {
                return Err(StoreError::DeleteConflict {
                    kind: EntityKind::MfaDevice,
                    name: serial_number.to_string(),
                    reason: "it is still enabled for a user or the root user".to_owned(),
                });
            }
            txn.delete(device_key(account, serial_number));
            add_count(txn, account, Counter::MfaDevices, -1)?;
            Ok(())
        })
        .await
    }
}
