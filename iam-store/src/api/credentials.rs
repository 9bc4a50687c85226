//! The storage trait of access keys, login profiles and virtual MFA devices.

use async_trait::async_trait;
use iam_model::{
    AccessKey, AccessKeyLastUsed, AccessKeyStatus, AccountId, Arn, LoginProfile, SealedAccessKey,
    Tag, VirtualMfaDevice,
};

use crate::{ListOptions, MfaAssignment, Page, StoreError, TimeStepAcceptance};

/// Credentials: access keys, login profiles and virtual MFA devices.
///
/// The access key and MFA device methods also serve the root user, which has no user record.
/// Its keys and enabled devices are stored under the owner name [`iam_model::ROOT_USER_NAME`],
/// and a device enabled for it has that name as its `user_name`.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Stores a new access key of a user; its secret stays sealed bytes to the store.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user, [`StoreError::LimitExceeded`] at the
    /// `AccessKeysPerUser` quota, [`StoreError::EntityAlreadyExists`] when the access key id
    /// is used in any account.
    async fn create_access_key(
        &self,
        account: AccountId,
        key: SealedAccessKey,
    ) -> Result<(), StoreError>;

    /// Finds an access key by id in any account, for request authentication.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when no account has it.
    async fn find_access_key(
        &self,
        access_key_id: &str,
    ) -> Result<(AccountId, SealedAccessKey), StoreError>;

    /// Lists a user's access keys (metadata only), ordered by access key id.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user.
    async fn list_access_keys(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<Vec<AccessKey>, StoreError>;

    /// Sets an access key's status.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or a key that is not the user's.
    async fn update_access_key(
        &self,
        account: AccountId,
        user_name: &str,
        access_key_id: &str,
        status: AccessKeyStatus,
    ) -> Result<(), StoreError>;

    /// Records the last use of an access key.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when no account has the key.
    async fn record_access_key_use(
        &self,
        access_key_id: &str,
        last_used: AccessKeyLastUsed,
    ) -> Result<(), StoreError>;

    /// Deletes an access key.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or a key that is not the user's.
    async fn delete_access_key(
        &self,
        account: AccountId,
        user_name: &str,
        access_key_id: &str,
    ) -> Result<(), StoreError>;

    /// Creates a user's login profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user, [`StoreError::EntityAlreadyExists`]
    /// when the user has one.
    async fn create_login_profile(
        &self,
        account: AccountId,
        profile: LoginProfile,
    ) -> Result<(), StoreError>;

    /// Returns a user's login profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or profile.
    async fn login_profile(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<LoginProfile, StoreError>;

    /// Replaces a user's login profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or profile.
    async fn update_login_profile(
        &self,
        account: AccountId,
        profile: LoginProfile,
    ) -> Result<(), StoreError>;

    /// Deletes a user's login profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or profile.
    async fn delete_login_profile(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<(), StoreError>;

    /// Creates an unassigned virtual MFA device; its seed stays sealed bytes to the store.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`] when the serial number is taken ignoring case,
    /// [`StoreError::InvalidInput`] when the device names a user.
    async fn create_virtual_mfa_device(
        &self,
        account: AccountId,
        device: VirtualMfaDevice,
    ) -> Result<(), StoreError>;

    /// Returns a virtual MFA device by serial number.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn virtual_mfa_device(
        &self,
        account: AccountId,
        serial_number: &Arn,
    ) -> Result<VirtualMfaDevice, StoreError>;

    /// Replaces the tags of a virtual MFA device (`TagMFADevice`, `UntagMFADevice`).
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn set_mfa_device_tags(
        &self,
        account: AccountId,
        serial_number: &Arn,
        tags: Vec<Tag>,
    ) -> Result<(), StoreError>;

    /// Lists virtual MFA devices ordered by folded serial number.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a bad marker or page size.
    async fn list_virtual_mfa_devices(
        &self,
        account: AccountId,
        assignment: MfaAssignment,
        options: &ListOptions,
    ) -> Result<Page<VirtualMfaDevice>, StoreError>;

    /// Enables an unassigned device for a user or the root user, with `accepted_time_step` as its last accepted
    /// TOTP time step: the step of the second of the two codes `EnableMFADevice` checks.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or device,
    /// [`StoreError::EntityAlreadyExists`] when the device is enabled for a user, and
    /// [`StoreError::LimitExceeded`] at the `MfaDevicesPerUser` quota.
    async fn enable_mfa_device(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &Arn,
        enable_date: jiff::Timestamp,
        accepted_time_step: u64,
    ) -> Result<(), StoreError>;

    /// Returns the last accepted TOTP time step of a device: `None` while it is not enabled.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is no such device.
    async fn mfa_time_step(
        &self,
        account: AccountId,
        serial_number: &Arn,
    ) -> Result<Option<u64>, StoreError>;

    /// Makes `step` the last accepted TOTP time step of a device enabled for `user_name`, only
    /// when it is after the stored step. The comparison and the write are one transaction, so
    /// of two requests with the same code exactly one is accepted, across restarts too.
    ///
    /// STS calls with MFA use it for the step their code matched, and `ResyncMFADevice` for the
    /// step of its second code.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or device, or a device not enabled for
    /// this user.
    async fn accept_mfa_time_step(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &Arn,
        step: u64,
    ) -> Result<TimeStepAcceptance, StoreError>;

    /// Disables a device for the user it is enabled for, and removes its last accepted time
    /// step. Enabling it again checks two new codes and stores their step.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or device, or a device not enabled for
    /// this user.
    async fn deactivate_mfa_device(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &Arn,
    ) -> Result<(), StoreError>;

    /// Lists the devices enabled for a user, ordered by folded serial number.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user.
    async fn list_mfa_devices(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<Vec<VirtualMfaDevice>, StoreError>;

    /// Deletes a virtual MFA device.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::DeleteConflict`] while it is enabled for
    /// a user.
    async fn delete_virtual_mfa_device(
        &self,
        account: AccountId,
        serial_number: &Arn,
    ) -> Result<(), StoreError>;
}
