//! Account settings, the account summary, the change feed and export.

use async_trait::async_trait;
use iam_model::{
    Account, AccountId, Group, InstanceProfile, LoginProfile, ManagedPolicy, OidcProvider,
    PasswordPolicy, Quota, Role, SealedAccessKey, User, VirtualMfaDevice,
};
use tokio::sync::broadcast;

use super::credentials::time_step_key;
use super::{Counter, KvStore, count, put, records};
use crate::export::ExportRecord;
use crate::keys::{GlobalTable, Key, Table, components};
use crate::kv::{KvEngine, Revision};
use crate::txn::{Txn, decode};
use crate::{
    AccountStore, AccountSummary, AttachedPolicy, Change, EntityKind, Identity, SessionRevocation,
    StoreError,
};

fn account_key(account: AccountId) -> Vec<u8> {
    Key::account(account, Table::Account).build()
}

fn alias_key(alias: &str) -> Vec<u8> {
    Key::global(GlobalTable::AccountAlias).part(alias).build()
}

fn load_account(txn: &mut Txn<'_>, account: AccountId) -> Result<Account, StoreError> {
    Ok(txn.get_json(&account_key(account))?.unwrap_or(Account {
        id: account,
        alias: None,
        password_policy: None,
    }))
}

fn save_account(txn: &mut Txn<'_>, account: &Account) -> Result<(), StoreError> {
    let key = account_key(account.id);
    if account.alias.is_none() && account.password_policy.is_none() {
        txn.delete(key);
        return Ok(());
    }
    put(txn, key, account)
}

/// Finds every account with a record by skipping from one account's keys to the next.
fn accounts(txn: &mut Txn<'_>) -> Result<Vec<AccountId>, StoreError> {
    let (mut start, end) = crate::keys::account_bounds();
    let mut accounts = Vec::new();
    loop {
        let Some((key, _)) = txn.range(&start, &end, Some(1))?.into_iter().next() else {
            return Ok(accounts);
        };
        let digits = key.get(1..13).unwrap_or_default();
        let account: AccountId = std::str::from_utf8(digits)
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| StoreError::corrupt("a key does not start with an account id"))?;
        accounts.push(account);
        // Every key of this account starts with its digits; the next account starts above.
        start = key.get(..13).unwrap_or_default().to_vec();
        start.push(u8::MAX);
    }
}

/// Reads every record of one account in import order.
fn export_account(
    txn: &mut Txn<'_>,
    account: AccountId,
    out: &mut Vec<ExportRecord>,
) -> Result<(), StoreError> {
    let prefix = |table: Table| Key::account(account, table).prefix();
    if let Some(settings) = txn.get_json::<Account>(&account_key(account))? {
        out.push(ExportRecord::Account(settings));
    }

    for policy in records::<ManagedPolicy>(txn, &prefix(Table::Policy))? {
        out.push(ExportRecord::Policy { account, policy });
    }
    for user in records::<User>(txn, &prefix(Table::User))? {
        out.push(ExportRecord::User { account, user });
    }
    for group in records::<Group>(txn, &prefix(Table::Group))? {
        out.push(ExportRecord::Group { account, group });
    }
    for role in records::<Role>(txn, &prefix(Table::Role))? {
        out.push(ExportRecord::Role { account, role });
    }

    let members = prefix(Table::GroupUser);
    for (key, payload) in txn.prefix(&members)? {
        let user_name: String = decode(&payload)?;
        let parts = components(&key, &members);
        let folded_group = parts.first().copied().unwrap_or_default();
        let group_name = String::from_utf8_lossy(folded_group).into_owned();
        out.push(ExportRecord::Membership {
            account,
            group_name,
            user_name,
        });
    }

    let attachments = prefix(Table::Attachment);
    for (key, payload) in txn.prefix(&attachments)? {
        let attached: AttachedPolicy = decode(&payload)?;
        let identity = identity_of(&key, &attachments)?;
        out.push(ExportRecord::Attachment {
            account,
            identity,
            policy_arn: attached.policy_arn,
        });
    }

    let inline = prefix(Table::InlinePolicy);
    for (key, payload) in txn.prefix(&inline)? {
        let identity = identity_of(&key, &inline)?;
        out.push(ExportRecord::InlinePolicy {
            account,
            identity,
            policy: decode(&payload)?,
        });
    }

    for key in records::<SealedAccessKey>(txn, &prefix(Table::AccessKey))? {
        out.push(ExportRecord::AccessKey { account, key });
    }
    for profile in records::<LoginProfile>(txn, &prefix(Table::LoginProfile))? {
        out.push(ExportRecord::LoginProfile { account, profile });
    }
    for device in records::<VirtualMfaDevice>(txn, &prefix(Table::MfaDevice))? {
        let step_key = time_step_key(account, &device.serial_number);
        let last_accepted_time_step = txn.get_json::<u64>(&step_key)?;
        out.push(ExportRecord::MfaDevice {
            account,
            device,
            last_accepted_time_step,
        });
    }
    for profile in records::<InstanceProfile>(txn, &prefix(Table::InstanceProfile))? {
        out.push(ExportRecord::InstanceProfile { account, profile });
    }
    for provider in records::<OidcProvider>(txn, &prefix(Table::OidcProvider))? {
        out.push(ExportRecord::OidcProvider { account, provider });
    }
    let revocations = prefix(Table::SessionRevocation);
    for revocation in records::<SessionRevocation>(txn, &revocations)? {
        out.push(ExportRecord::SessionRevocation {
            account,
            revocation,
        });
    }
    Ok(())
}

/// Reads the identity named by the first components of an attachment or inline policy key,
/// with its name as stored.
fn identity_of(key: &[u8], prefix: &[u8]) -> Result<Identity, StoreError> {
    let parts = components(key, prefix);
    let folded = parts
        .get(1)
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .ok_or_else(|| StoreError::corrupt("an identity key has no name"))?;
    Ok(match parts.first().copied() {
        Some(b"u") => Identity::User(folded),
        Some(b"g") => Identity::Group(folded),
        _ => Identity::Role(folded),
    })
}

#[async_trait]
impl<E: KvEngine> AccountStore for KvStore<E> {
    async fn account(&self, account: AccountId) -> Result<Account, StoreError> {
        self.read(|txn| load_account(txn, account))
    }

    async fn list_accounts(&self) -> Result<Vec<AccountId>, StoreError> {
        self.read(accounts)
    }

    async fn create_account_alias(
        &self,
        account: AccountId,
        alias: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let key = alias_key(alias);
            match txn.get_json::<AccountId>(&key)? {
                Some(owner) if owner == account => return Ok(()),
                Some(_) => {
                    return Err(StoreError::EntityAlreadyExists {
                        kind: EntityKind::AccountAlias,
                        name: alias.to_owned(),
                    });
                }
                None => {}
            }
            let mut settings = load_account(txn, account)?;
            if let Some(old) = &settings.alias {
                txn.delete(alias_key(old));
            }
            settings.alias = Some(alias.to_owned());
            put(txn, key, &account)?;
            save_account(txn, &settings)
        })
        .await
    }

    async fn delete_account_alias(
        &self,
        account: AccountId,
        alias: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut settings = load_account(txn, account)?;
            if settings.alias.as_deref() != Some(alias) {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::AccountAlias,
                    name: alias.to_owned(),
                });
            }
            txn.delete(alias_key(alias));
            settings.alias = None;
            save_account(txn, &settings)
        })
        .await
    }

    async fn set_password_policy(
        &self,
        account: AccountId,
        policy: PasswordPolicy,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut settings = load_account(txn, account)?;
            settings.password_policy = Some(policy.clone());
            save_account(txn, &settings)
        })
        .await
    }

    async fn delete_password_policy(&self, account: AccountId) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut settings = load_account(txn, account)?;
            if settings.password_policy.take().is_none() {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::PasswordPolicy,
                    name: account.to_string(),
                });
            }
            save_account(txn, &settings)
        })
        .await
    }

    async fn account_summary(&self, account: AccountId) -> Result<AccountSummary, StoreError> {
        let counts = [
            ("Users", Counter::Users),
            ("Groups", Counter::Groups),
            ("Roles", Counter::Roles),
            ("Policies", Counter::Policies),
            ("PolicyVersionsInUse", Counter::PolicyVersions),
            ("InstanceProfiles", Counter::InstanceProfiles),
            ("Providers", Counter::OidcProviders),
            ("MFADevices", Counter::MfaDevices),
            ("MFADevicesInUse", Counter::MfaDevicesInUse),
        ];
        let mut summary = self.read(|txn| {
            let mut summary = AccountSummary::default();
            for (name, counter) in counts {
                summary
                    .entries
                    .insert(name.to_owned(), count(txn, account, counter)?);
            }
            Ok(summary)
        })?;
        for quota in Quota::ALL {
            if let Some(key) = quota.summary_key() {
                summary
                    .entries
                    .insert(key.to_owned(), self.quotas.value(quota));
            }
        }
        Ok(summary)
    }

    fn revision(&self) -> Revision {
        self.engine.revision()
    }

    fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.feed.subscribe()
    }

    async fn export(&self) -> Result<Vec<ExportRecord>, StoreError> {
        self.read(|txn| {
            let mut out = Vec::new();
            let aws = Key::global(GlobalTable::AwsPolicy).prefix();
            for policy in records::<ManagedPolicy>(txn, &aws)? {
                out.push(ExportRecord::AwsManagedPolicy(policy));
            }
            for account in accounts(txn)? {
                export_account(txn, account, &mut out)?;
            }
            Ok(out)
        })
    }
}
