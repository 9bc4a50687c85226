//! The portable export format: every record of a store as JSON lines, for backups and for
//! moving between backends.
//!
//! The first line is a header naming the format and its version; each further line is one
//! [`ExportRecord`]. [`import`] replays the records through the [`IamStore`] methods, so every
//! index, counter and quota of the target backend is rebuilt by its own rules.

use std::io::{BufRead, Write};

use iam_model::{
    Account, AccountId, Arn, Group, InlinePolicy, InstanceProfile, LoginProfile, ManagedPolicy,
    OidcProvider, Role, SealedAccessKey, User, VirtualMfaDevice,
};
use serde::{Deserialize, Serialize};

use crate::prelude::*;
use crate::{Identity, SessionRevocation, StoreError};

/// The format name in the header line.
const FORMAT_NAME: &str = "iam-store-export";
/// The version of the export format this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;
/// The maximum length of one line, in bytes, well above any record that IAM's quotas allow.
const MAX_LINE_BYTES: usize = 4 << 20;

/// One record of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ExportRecord {
    /// An AWS managed policy, shared by every account.
    AwsManagedPolicy(ManagedPolicy),
    /// An account's alias and password policy.
    Account(Account),
    /// A customer managed policy with its versions.
    Policy {
        /// The owning account.
        account: AccountId,
        /// The policy; its attachment counts are rebuilt from the attachments.
        policy: ManagedPolicy,
    },
    /// A user, with its permissions boundary.
    User {
        /// The owning account.
        account: AccountId,
        /// The user.
        user: User,
    },
    /// A group.
    Group {
        /// The owning account.
        account: AccountId,
        /// The group.
        group: Group,
    },
    /// A role, with its permissions boundary.
    Role {
        /// The owning account.
        account: AccountId,
        /// The role.
        role: Role,
    },
    /// A user's membership in a group.
    Membership {
        /// The owning account.
        account: AccountId,
        /// The group name.
        group_name: String,
        /// The user name.
        user_name: String,
    },
    /// A managed policy attached to a user, group or role.
    Attachment {
        /// The owning account.
        account: AccountId,
        /// The identity the policy is attached to.
        identity: Identity,
        /// The policy.
        policy_arn: Arn,
    },
    /// An inline policy of a user, group or role.
    InlinePolicy {
        /// The owning account.
        account: AccountId,
        /// The identity the policy is embedded in.
        identity: Identity,
        /// The policy.
        policy: InlinePolicy,
    },
    /// An access key with its sealed secret.
    AccessKey {
        /// The owning account.
        account: AccountId,
        /// The key.
        key: SealedAccessKey,
    },
    /// A login profile with its password hash.
    LoginProfile {
        /// The owning account.
        account: AccountId,
        /// The profile.
        profile: LoginProfile,
    },
    /// A virtual MFA device with its sealed seed, and the user it is enabled for.
    MfaDevice {
        /// The owning account.
        account: AccountId,
        /// The device.
        device: VirtualMfaDevice,
        /// The last accepted TOTP time step of an enabled device. An export without it imports
        /// the device with step 0, which accepts any current code once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_accepted_time_step: Option<u64>,
    },
    /// An instance profile with its roles.
    InstanceProfile {
        /// The owning account.
        account: AccountId,
        /// The profile.
        profile: InstanceProfile,
    },
    /// An OpenID Connect provider.
    OidcProvider {
        /// The owning account.
        account: AccountId,
        /// The provider.
        provider: OidcProvider,
    },
    /// The session revocation of a role or user.
    SessionRevocation {
        /// The owning account.
        account: AccountId,
        /// The revocation.
        revocation: SessionRevocation,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

/// Writes `records` in the export format.
///
/// # Errors
///
/// [`StoreError::Io`] when writing fails.
pub fn write_export(records: &[ExportRecord], mut out: impl Write) -> Result<(), StoreError> {
    let header = Header {
        format: FORMAT_NAME.to_owned(),
        version: EXPORT_VERSION,
    };
    write_line(&mut out, &header)?;
    for record in records {
        write_line(&mut out, record)?;
    }
    out.flush()?;
    Ok(())
}

/// Reads records in the export format.
///
/// # Errors
///
/// [`StoreError::UnsupportedFormat`] for a newer export version, [`StoreError::Corrupt`] for a
/// missing header, a line that is not a record or a line over 4 MiB, [`StoreError::Io`] when
/// reading fails.
pub fn read_export(input: impl BufRead) -> Result<Vec<ExportRecord>, StoreError> {
    let mut lines = input.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Err(StoreError::corrupt(
            "the export is empty, expected a header line",
        ));
    };
    let header: Header = serde_json::from_str(&header?)
        .map_err(|error| StoreError::corrupt(format_args!("invalid export header: {error}")))?;
    if header.format != FORMAT_NAME {
        return Err(StoreError::corrupt(format_args!(
            "unknown export format `{}`, expected `{FORMAT_NAME}`",
            header.format
        )));
    }
    if header.version > EXPORT_VERSION {
        return Err(StoreError::UnsupportedFormat {
            found: header.version,
            supported: EXPORT_VERSION,
        });
    }

    let mut records = Vec::new();
    for (index, line) in lines {
        let line = line?;
        if line.len() > MAX_LINE_BYTES {
            return Err(StoreError::corrupt(format_args!(
                "export line {} has {} bytes, expected at most {MAX_LINE_BYTES}",
                index + 1,
                line.len()
            )));
        }
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line).map_err(|error| {
            StoreError::corrupt(format_args!("invalid export line {}: {error}", index + 1))
        })?;
        records.push(record);
    }
    Ok(records)
}

/// Replays `records` into an empty store through its public methods, in dependency order.
///
/// # Errors
///
/// [`StoreError::ImportIntoNonEmpty`] when the store contains any account, and any error of the
/// replayed operations, such as [`StoreError::LimitExceeded`] when the target's quotas are
/// lower.
pub async fn import(store: &dyn IamStore, records: &[ExportRecord]) -> Result<(), StoreError> {
    if !store.list_accounts().await?.is_empty() {
        return Err(StoreError::ImportIntoNonEmpty);
    }
    let mut ordered: Vec<&ExportRecord> = records.iter().collect();
    ordered.sort_by_key(|record| rank(record));
    for record in ordered {
        replay(store, record).await?;
    }
    Ok(())
}

/// Returns the position of a record kind in import order, where everything a record refers to
/// comes first.
fn rank(record: &ExportRecord) -> u8 {
    match record {
        ExportRecord::AwsManagedPolicy(_) => 0,
        ExportRecord::Account(_) => 1,
        ExportRecord::Policy { .. } => 2,
        ExportRecord::User { .. } => 3,
        ExportRecord::Group { .. } => 4,
        ExportRecord::Role { .. } => 5,
        ExportRecord::Membership { .. } => 6,
        ExportRecord::Attachment { .. } => 7,
        ExportRecord::InlinePolicy { .. } => 8,
        ExportRecord::AccessKey { .. } => 9,
        ExportRecord::LoginProfile { .. } => 10,
        ExportRecord::MfaDevice { .. } => 11,
        ExportRecord::InstanceProfile { .. } => 12,
        ExportRecord::OidcProvider { .. } => 13,
        ExportRecord::SessionRevocation { .. } => 14,
    }
}

async fn replay(store: &dyn IamStore, record: &ExportRecord) -> Result<(), StoreError> {
    match record.clone() {
        ExportRecord::AwsManagedPolicy(policy) => store.put_aws_managed_policy(policy).await,
        ExportRecord::Account(account) => {
            if let Some(alias) = &account.alias {
                store.create_account_alias(account.id, alias).await?;
            }
            if let Some(policy) = account.password_policy {
                store.set_password_policy(account.id, policy).await?;
            }
            Ok(())
        }
        ExportRecord::Policy { account, policy } => {
            store.create_policy(account, policy).await.map(drop)
        }
        ExportRecord::User { account, user } => store.create_user(account, user).await.map(drop),
        ExportRecord::Group { account, group } => {
            store.create_group(account, group).await.map(drop)
        }
        ExportRecord::Role { account, role } => store.create_role(account, role).await.map(drop),
        ExportRecord::Membership {
            account,
            group_name,
            user_name,
        } => {
            store
                .add_user_to_group(account, &group_name, &user_name)
                .await
        }
        ExportRecord::Attachment {
            account,
            identity,
            policy_arn,
        } => store.attach_policy(account, &identity, &policy_arn).await,
        ExportRecord::InlinePolicy {
            account,
            identity,
            policy,
        } => store.put_inline_policy(account, &identity, policy).await,
        ExportRecord::AccessKey { account, key } => store.create_access_key(account, key).await,
        ExportRecord::LoginProfile { account, profile } => {
            store.create_login_profile(account, profile).await
        }
        ExportRecord::MfaDevice {
            account,
            mut device,
            last_accepted_time_step,
        } => {
            let owner = device.user_name.take();
            let enable_date = device.enable_date.take();
            let serial_number = device.serial_number.clone();
            store.create_virtual_mfa_device(account, device).await?;
            if let (Some(user_name), Some(enable_date)) = (owner, enable_date) {
                let step = last_accepted_time_step.unwrap_or(0);
                store
                    .enable_mfa_device(account, &user_name, &serial_number, enable_date, step)
                    .await?;
            }
            Ok(())
        }
        ExportRecord::InstanceProfile {
            account,
            mut profile,
        } => {
            let roles = std::mem::take(&mut profile.role_names);
            let name = profile.instance_profile_name.clone();
            store.create_instance_profile(account, profile).await?;
            for role_name in roles {
                store
                    .add_role_to_instance_profile(account, &name, &role_name)
                    .await?;
            }
            Ok(())
        }
        ExportRecord::OidcProvider { account, provider } => {
            store.create_oidc_provider(account, provider).await
        }
        ExportRecord::SessionRevocation {
            account,
            revocation,
        } => store
            .set_session_revocation(account, &revocation.identity, revocation.revoked_before)
            .await
            .map(drop),
    }
}

fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *out, value)
        .map_err(|error| StoreError::corrupt(format_args!("cannot encode record: {error}")))?;
    out.write_all(b"\n")?;
    Ok(())
}
