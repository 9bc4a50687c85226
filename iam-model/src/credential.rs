//! Long-term credentials of IAM users: access keys, login profiles and virtual MFA devices.
//!
//! Secrets never appear here in plain text. An access key's secret and an MFA device's seed
//! are kept as [`SealedBytes`], sealed by the crate that owns the sealing key, and a console
//! password is kept only as a hash.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::shorten;
use crate::{AccountId, Arn, IamArn, IamResource, ModelError, Partition, Tag, UniqueId, validate};

/// Whether an access key can sign requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccessKeyStatus {
    /// The key can sign requests.
    Active,
    /// The key is kept but every request it signs is rejected.
    Inactive,
}

impl AccessKeyStatus {
    /// Returns the status as AWS writes it: `Active` or `Inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKeyStatus::Active => "Active",
            AccessKeyStatus::Inactive => "Inactive",
        }
    }
}

impl FromStr for AccessKeyStatus {
    type Err = ModelError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "Active" => Ok(AccessKeyStatus::Active),
            "Inactive" => Ok(AccessKeyStatus::Inactive),
            _ => Err(ModelError::InvalidAccessKeyStatus(shorten(value))),
        }
    }
}

impl fmt::Display for AccessKeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The public metadata of a user's access key, as `ListAccessKeys` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKey {
    /// The name of the user who owns the key.
    pub user_name: String,
    /// The access key id, prefix `AKIA`.
    pub access_key_id: UniqueId,
    /// Whether the key can sign requests.
    pub status: AccessKeyStatus,
    /// When the key was created.
    pub create_date: Timestamp,
    /// When, for which service and in which region the key last signed a request, or `None`
    /// if it never has.
    pub last_used: Option<AccessKeyLastUsed>,
}

/// The last request an access key signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyLastUsed {
    /// When the request was made.
    pub last_used_date: Timestamp,
    /// The service namespace the request went to, such as `iam` or `sts`.
    pub service_name: String,
    /// The region the request went to, such as `us-east-1`.
    pub region: String,
}

impl AccessKeyLastUsed {
    /// The text AWS returns for `ServiceName` and `Region` of a key that was never used.
    pub const NOT_APPLICABLE: &'static str = "N/A";
}

/// An access key together with its sealed secret, as storage keeps it.
///
/// The secret access key is shown to the caller once, at creation. After that it exists only
/// sealed, and only the crate that owns the sealing key can open it to verify a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SealedAccessKey {
    /// The public metadata.
    pub access_key: AccessKey,
    /// The secret access key, sealed with authenticated encryption.
    pub sealed_secret: SealedBytes,
}

/// Bytes sealed with authenticated encryption: a sealed secret, opaque to this crate.
///
/// `Debug` prints only the length, so a sealed secret never reaches a log line even as
/// ciphertext.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SealedBytes(pub Vec<u8>);

impl fmt::Debug for SealedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedBytes({} bytes)", self.0.len())
    }
}

/// The owner name under which the root user's access keys are stored, in place of an IAM
/// user name. No IAM user can have it, because user names cannot contain `<` or `>`.
pub const ROOT_USER_NAME: &str = "<root>";

/// A user's console password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoginProfile {
    /// The name of the user who owns the password.
    pub user_name: String,
    /// When the password was first set.
    pub create_date: Timestamp,
    /// Whether the user must choose a new password at the next sign-in.
    pub password_reset_required: bool,
    /// The password hash in the hashing crate's own encoding (such as a PHC string), opaque
    /// here.
    pub password_hash: String,
    /// The hashes of earlier passwords, newest first, kept for the password policy's
    /// `PasswordReusePrevention` (at most 24). Records written before this field existed
    /// read as empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_password_hashes: Vec<String>,
}

impl fmt::Debug for LoginProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginProfile")
            .field("user_name", &self.user_name)
            .field("create_date", &self.create_date)
            .field("password_reset_required", &self.password_reset_required)
            .field("password_hash", &"***")
            .field(
                "previous_password_hashes",
                &format_args!("{} hashes", self.previous_password_hashes.len()),
            )
            .finish()
    }
}

/// A virtual (TOTP) MFA device, enabled for at most one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VirtualMfaDevice {
    /// The serial number, which for a virtual device is its ARN,
    /// `arn:aws:iam::123456789012:mfa/path/Name`.
    pub serial_number: Arn,
    /// The name of the user the device is enabled for, or `None` while it is unassigned.
    pub user_name: Option<String>,
    /// When the device was enabled for its user.
    pub enable_date: Option<Timestamp>,
    /// The TOTP seed, sealed with authenticated encryption.
    pub sealed_seed: SealedBytes,
    /// The tags, at most 50.
    pub tags: Vec<Tag>,
}

impl VirtualMfaDevice {
    /// Creates an unassigned device as `CreateVirtualMFADevice` does, with its serial number
    /// ARN built from `path` and `device_name`.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the path or name is invalid, or the serial number they make is
    /// longer than 256 characters.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        device_name: &str,
        sealed_seed: SealedBytes,
    ) -> Result<Self, ModelError> {
        validate::path(path)?;
        validate::mfa_device_name(device_name)?;

        let resource = IamResource::MfaDevice {
            path: path.to_owned(),
            name: device_name.to_owned(),
        };
        let serial_number = IamArn::new(partition, account, resource).to_arn();
        validate::serial_number(&serial_number.to_string())?;
        Ok(Self {
            serial_number,
            user_name: None,
            enable_date: None,
            sealed_seed,
            tags: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests;
