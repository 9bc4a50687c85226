//! The storage traits, one per family of IAM operations, and the types they exchange.
//!
//! [`IamStore`] joins them; the server keeps an `Arc<dyn IamStore>`. Import [`crate::prelude`]
//! to call the methods of every family. Each method runs as one atomic transaction, and every
//! precondition it names (existence, uniqueness ignoring case, quotas, delete conflicts) is
//! checked inside that transaction.

use std::collections::BTreeMap;

use async_trait::async_trait;
use iam_model::{
    AccessKey, AccessKeyLastUsed, AccessKeyStatus, Account, AccountId, Arn, Group, InlinePolicy,
    InstanceProfile, LoginProfile, ManagedPolicy, OidcProvider, PasswordPolicy, PolicyVersion,
    PolicyVersionId, Role, SealedAccessKey, User, VirtualMfaDevice,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::kv::Revision;
use crate::{Change, Identity, ListOptions, Page, StoreError};

/// A record with the revision of the commit that last changed it, for optimistic concurrency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<T> {
    /// The revision of the commit that last wrote the record.
    pub revision: Revision,
    /// The record.
    pub record: T,
}

impl<T> std::ops::Deref for Stored<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.record
    }
}

/// A managed policy attached to an identity, as `ListAttached*Policies` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    /// The policy name.
    pub policy_name: String,
    /// The policy ARN.
    pub policy_arn: Arn,
}

/// The set of managed policies `ListPolicies` returns, AWS's `Scope` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyScope {
    /// AWS managed and customer managed policies.
    #[default]
    All,
    /// AWS managed policies only.
    Aws,
    /// Customer managed policies of the account only.
    Local,
}

/// The parameters of `ListPolicies`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPoliciesOptions {
    /// The set of policies to list.
    pub scope: PolicyScope,
    /// Only policies attached to at least one user, group or role of the account.
    pub only_attached: bool,
    /// Path prefix, marker and page size.
    pub list: ListOptions,
}

/// The identities a managed policy is attached to, as `ListEntitiesForPolicy` returns them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyEntities {
    /// Users, with their names as stored.
    pub users: Vec<String>,
    /// Groups, with their names as stored.
    pub groups: Vec<String>,
    /// Roles, with their names as stored.
    pub roles: Vec<String>,
}

/// The set of virtual MFA devices `ListVirtualMFADevices` returns, AWS's `AssignmentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MfaAssignment {
    /// Every device.
    #[default]
    Any,
    /// Devices enabled for a user.
    Assigned,
    /// Devices not enabled for any user.
    Unassigned,
}

/// The counts and quotas of `GetAccountSummary`, keyed as AWS names them (`Users`,
/// `UsersQuota`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSummary {
    /// Each summary key with its value.
    pub entries: BTreeMap<String, u32>,
}

impl AccountSummary {
    /// Returns the value of `key`, such as `Users`.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.entries.get(key).copied()
    }
}

/// A managed policy document that applies to a principal, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicyDocument {
    /// The policy ARN.
    pub policy_arn: Arn,
    /// The id of the default version, whose document this is.
    pub version_id: PolicyVersionId,
    /// The document of the default version, as the client sent it.
    pub document: String,
}

/// The policies a group passes on to its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPolicies {
    /// The group.
    pub group: Group,
    /// Its inline policies, by folded name.
    pub inline_policies: Vec<InlinePolicy>,
    /// Its attached managed policies, by ARN.
    pub managed_policies: Vec<ManagedPolicyDocument>,
}

/// The user or role whose policies were loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An IAM user.
    User(User),
    /// An IAM role.
    Role(Role),
}

/// Every identity-based policy and the permissions boundary that apply to a user or role, read
/// as one consistent snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalPolicies {
    /// The store revision the snapshot includes: every commit up to it, possibly later ones.
    pub revision: Revision,
    /// The user or role.
    pub principal: Principal,
    /// Its own inline policies, by folded name.
    pub inline_policies: Vec<InlinePolicy>,
    /// Its own attached managed policies, by ARN.
    pub managed_policies: Vec<ManagedPolicyDocument>,
    /// The groups of a user with their policies, by folded group name; empty for a role.
    pub groups: Vec<GroupPolicies>,
    /// The permissions boundary, if one is set.
    pub permissions_boundary: Option<ManagedPolicyDocument>,
}

/// Users: `CreateUser`, `GetUser`, `ListUsers`, `UpdateUser`, `TagUser`, `DeleteUser`.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates `user` in `account`, and counts it against its permissions boundary policy.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`] when the name is taken ignoring case,
    /// [`StoreError::LimitExceeded`] at the `Users` quota, [`StoreError::NoSuchEntity`] when the
    /// permissions boundary policy does not exist.
    async fn create_user(&self, account: AccountId, user: User)
    -> Result<Stored<User>, StoreError>;

    /// Returns the user named `user_name`, ignoring case.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn user(&self, account: AccountId, user_name: &str) -> Result<Stored<User>, StoreError>;

    /// Lists users ordered by folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a bad marker or page size.
    async fn list_users(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<User>, StoreError>;

    /// Replaces the user named `user_name` with `user`, renaming it and moving everything that
    /// belongs to it when the name differs. The permissions boundary is kept as stored: change
    /// it with [`PolicyStore::set_permissions_boundary`].
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], [`StoreError::EntityAlreadyExists`] when the new name is
    /// taken, [`StoreError::RevisionMismatch`] when `expected` is not the stored revision.
    async fn update_user(
        &self,
        account: AccountId,
        user_name: &str,
        user: User,
        expected: Option<Revision>,
    ) -> Result<Stored<User>, StoreError>;

    /// Deletes the user.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::DeleteConflict`] while the user still has
    /// inline or attached policies, group memberships, access keys, a login profile, MFA
    /// devices or a permissions boundary.
    async fn delete_user(&self, account: AccountId, user_name: &str) -> Result<(), StoreError>;
}

/// Groups and membership: `CreateGroup`, `GetGroup`, `ListGroups`, `UpdateGroup`,
/// `DeleteGroup`, `AddUserToGroup`, `RemoveUserFromGroup`, `ListGroupsForUser`.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates `group` in `account`.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`], or [`StoreError::LimitExceeded`] at the `Groups`
    /// quota.
    async fn create_group(
        &self,
        account: AccountId,
        group: Group,
    ) -> Result<Stored<Group>, StoreError>;

    /// Returns the group named `group_name`, ignoring case.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn group(
        &self,
        account: AccountId,
        group_name: &str,
    ) -> Result<Stored<Group>, StoreError>;

    /// Lists groups ordered by folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a bad marker or page size.
    async fn list_groups(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<Group>, StoreError>;

    /// Replaces the group named `group_name` with `group`, renaming it and moving its
    /// memberships and policies when the name differs.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], [`StoreError::EntityAlreadyExists`] when the new name is
    /// taken, [`StoreError::RevisionMismatch`].
    async fn update_group(
        &self,
        account: AccountId,
        group_name: &str,
        group: Group,
        expected: Option<Revision>,
    ) -> Result<Stored<Group>, StoreError>;

    /// Deletes the group.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::DeleteConflict`] while it has members,
    /// inline policies or attached policies.
    async fn delete_group(&self, account: AccountId, group_name: &str) -> Result<(), StoreError>;

    /// Adds the user to the group; adding a member again changes nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or group, or
    /// [`StoreError::LimitExceeded`] at the `GroupsPerUser` quota.
    async fn add_user_to_group(
        &self,
        account: AccountId,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), StoreError>;

    /// Removes the user from the group.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or group, or a user that is not a
    /// member.
    async fn remove_user_from_group(
        &self,
        account: AccountId,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), StoreError>;

    /// Lists the members of the group ordered by folded name, as `GetGroup` returns them.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing group, [`StoreError::InvalidInput`].
    async fn list_group_members(
        &self,
        account: AccountId,
        group_name: &str,
        options: &ListOptions,
    ) -> Result<Page<User>, StoreError>;

    /// Lists the groups of the user ordered by folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user, [`StoreError::InvalidInput`].
    async fn list_groups_for_user(
        &self,
        account: AccountId,
        user_name: &str,
        options: &ListOptions,
    ) -> Result<Page<Group>, StoreError>;
}

/// Roles: `CreateRole`, `GetRole`, `ListRoles`, `UpdateRole`, `UpdateAssumeRolePolicy`,
/// `TagRole`, `DeleteRole`.
#[async_trait]
pub trait RoleStore: Send + Sync {
    /// Creates `role` in `account`, and counts it against its permissions boundary policy.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`], [`StoreError::LimitExceeded`] at the `Roles`
    /// quota, [`StoreError::NoSuchEntity`] for a missing boundary policy.
    async fn create_role(&self, account: AccountId, role: Role)
    -> Result<Stored<Role>, StoreError>;

    /// Returns the role named `role_name`, ignoring case.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn role(&self, account: AccountId, role_name: &str) -> Result<Stored<Role>, StoreError>;

    /// Lists roles ordered by folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a bad marker or page size.
    async fn list_roles(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<Role>, StoreError>;

    /// Replaces the role named `role_name` with `role`. Roles cannot be renamed, and the
    /// permissions boundary is kept as stored.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], [`StoreError::InvalidInput`] for a different name,
    /// [`StoreError::RevisionMismatch`].
    async fn update_role(
        &self,
        account: AccountId,
        role_name: &str,
        role: Role,
        expected: Option<Revision>,
    ) -> Result<Stored<Role>, StoreError>;

    /// Deletes the role.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::DeleteConflict`] while it has inline or
    /// attached policies, a permissions boundary, or belongs to an instance profile.
    async fn delete_role(&self, account: AccountId, role_name: &str) -> Result<(), StoreError>;
}

/// Managed policies, their versions and attachments, inline policies and permissions
/// boundaries.
#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// Stores an AWS managed policy, visible to every account, replacing one with the same name.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] when the ARN's account is not `aws` or the versions are
    /// inconsistent.
    async fn put_aws_managed_policy(&self, policy: ManagedPolicy) -> Result<(), StoreError>;

    /// Creates a customer managed policy with its versions (usually `v1` alone). The attachment
    /// counts start at zero whatever `policy` contains.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`], [`StoreError::LimitExceeded`] at the `Policies` or
    /// `VersionsPerPolicy` quota, [`StoreError::InvalidInput`] when no version or more than one
    /// is the default, or the ARN is not in `account`.
    async fn create_policy(
        &self,
        account: AccountId,
        policy: ManagedPolicy,
    ) -> Result<Stored<ManagedPolicy>, StoreError>;

    /// Returns the managed policy with `policy_arn`: a customer managed policy of `account` or
    /// an AWS managed policy. Attachment counts are those of `account`.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn policy(
        &self,
        account: AccountId,
        policy_arn: &Arn,
    ) -> Result<Stored<ManagedPolicy>, StoreError>;

    /// Lists managed policies: AWS managed ones first, then the account's, each ordered by
    /// folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a bad marker or page size.
    async fn list_policies(
        &self,
        account: AccountId,
        options: &ListPoliciesOptions,
    ) -> Result<Page<ManagedPolicy>, StoreError>;

    /// Deletes a customer managed policy.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::DeleteConflict`] while it is attached,
    /// used as a permissions boundary, or has versions other than the default.
    async fn delete_policy(&self, account: AccountId, policy_arn: &Arn) -> Result<(), StoreError>;

    /// Adds a version to a customer managed policy under the next version id, optionally
    /// making it the default, and returns the stored version.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::LimitExceeded`] at the
    /// `VersionsPerPolicy` quota.
    async fn create_policy_version(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        document: String,
        create_date: jiff::Timestamp,
        set_as_default: bool,
    ) -> Result<PolicyVersion, StoreError>;

    /// Deletes a version that is not the default.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::DeleteConflict`] for the default version.
    async fn delete_policy_version(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        version_id: PolicyVersionId,
    ) -> Result<(), StoreError>;

    /// Makes `version_id` the default version.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing policy or version.
    async fn set_default_policy_version(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        version_id: PolicyVersionId,
        update_date: jiff::Timestamp,
    ) -> Result<(), StoreError>;

    /// Attaches a managed policy to a user, group or role; attaching it again changes nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing identity or policy, or
    /// [`StoreError::LimitExceeded`] at the `AttachedPoliciesPer*` quota.
    async fn attach_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_arn: &Arn,
    ) -> Result<(), StoreError>;

    /// Detaches a managed policy.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing identity, or a policy that is not attached.
    async fn detach_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_arn: &Arn,
    ) -> Result<(), StoreError>;

    /// Lists the managed policies attached to an identity, ordered by ARN.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing identity, [`StoreError::InvalidInput`].
    async fn list_attached_policies(
        &self,
        account: AccountId,
        identity: &Identity,
        options: &ListOptions,
    ) -> Result<Page<AttachedPolicy>, StoreError>;

    /// Lists the users, groups and roles a managed policy is attached to, each ordered by
    /// folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing policy.
    async fn list_entities_for_policy(
        &self,
        account: AccountId,
        policy_arn: &Arn,
    ) -> Result<PolicyEntities, StoreError>;

    /// Creates or replaces an inline policy of an identity.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing identity, or [`StoreError::LimitExceeded`]
    /// when the identity's inline policies together pass their size quota.
    async fn put_inline_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy: InlinePolicy,
    ) -> Result<(), StoreError>;

    /// Returns an inline policy of an identity.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing identity or policy.
    async fn inline_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_name: &str,
    ) -> Result<InlinePolicy, StoreError>;

    /// Lists the names of an identity's inline policies, ordered by folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing identity, [`StoreError::InvalidInput`].
    async fn list_inline_policies(
        &self,
        account: AccountId,
        identity: &Identity,
        options: &ListOptions,
    ) -> Result<Page<String>, StoreError>;

    /// Deletes an inline policy.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing identity or policy.
    async fn delete_inline_policy(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_name: &str,
    ) -> Result<(), StoreError>;

    /// Sets (`Some`) or removes (`None`) the permissions boundary of a user or role.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user, role or policy, and
    /// [`StoreError::InvalidInput`] for a group.
    async fn set_permissions_boundary(
        &self,
        account: AccountId,
        identity: &Identity,
        policy_arn: Option<&Arn>,
    ) -> Result<(), StoreError>;

    /// Loads every identity-based policy and the permissions boundary that apply to a user or
    /// role, as one consistent snapshot, for policy evaluation.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing user or role, [`StoreError::InvalidInput`]
    /// for a group.
    async fn principal_policies(
        &self,
        account: AccountId,
        principal: &Identity,
    ) -> Result<PrincipalPolicies, StoreError>;
}

/// Credentials: access keys, login profiles and virtual MFA devices.
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

    /// Enables an unassigned device for a user.
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
    ) -> Result<(), StoreError>;

    /// Disables a device for the user it is enabled for.
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

/// Instance profiles and OpenID Connect providers.
#[async_trait]
pub trait ProviderStore: Send + Sync {
    /// Creates an instance profile with no roles.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`], [`StoreError::LimitExceeded`] at the
    /// `InstanceProfiles` quota, [`StoreError::InvalidInput`] when `profile` lists roles.
    async fn create_instance_profile(
        &self,
        account: AccountId,
        profile: InstanceProfile,
    ) -> Result<(), StoreError>;

    /// Returns an instance profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
    ) -> Result<InstanceProfile, StoreError>;

    /// Lists instance profiles ordered by folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a bad marker or page size.
    async fn list_instance_profiles(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<InstanceProfile>, StoreError>;

    /// Lists the instance profiles that contain a role, ordered by folded name.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing role, [`StoreError::InvalidInput`].
    async fn list_instance_profiles_for_role(
        &self,
        account: AccountId,
        role_name: &str,
        options: &ListOptions,
    ) -> Result<Page<InstanceProfile>, StoreError>;

    /// Adds a role to an instance profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing profile or role,
    /// [`StoreError::EntityAlreadyExists`] when the role is in it, and
    /// [`StoreError::LimitExceeded`] at the `RolesPerInstanceProfile` quota.
    async fn add_role_to_instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
        role_name: &str,
    ) -> Result<(), StoreError>;

    /// Removes a role from an instance profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing profile, or a role that is not in it.
    async fn remove_role_from_instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
        role_name: &str,
    ) -> Result<(), StoreError>;

    /// Deletes an instance profile.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::DeleteConflict`] while it contains a
    /// role.
    async fn delete_instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
    ) -> Result<(), StoreError>;

    /// Creates an OpenID Connect provider, unique by URL ignoring case.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`], or [`StoreError::LimitExceeded`] at the
    /// `OpenIdConnectProviders` quota.
    async fn create_oidc_provider(
        &self,
        account: AccountId,
        provider: OidcProvider,
    ) -> Result<(), StoreError>;

    /// Returns an OpenID Connect provider by ARN.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn oidc_provider(
        &self,
        account: AccountId,
        provider_arn: &Arn,
    ) -> Result<OidcProvider, StoreError>;

    /// Lists every OpenID Connect provider of the account, ordered by folded URL.
    ///
    /// # Errors
    ///
    /// Only engine failures.
    async fn list_oidc_providers(
        &self,
        account: AccountId,
    ) -> Result<Vec<OidcProvider>, StoreError>;

    /// Replaces an OpenID Connect provider (client ids, thumbprints, tags); its URL and ARN
    /// stay.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], [`StoreError::InvalidInput`] for a changed ARN.
    async fn update_oidc_provider(
        &self,
        account: AccountId,
        provider: OidcProvider,
    ) -> Result<(), StoreError>;

    /// Deletes an OpenID Connect provider.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn delete_oidc_provider(
        &self,
        account: AccountId,
        provider_arn: &Arn,
    ) -> Result<(), StoreError>;
}

/// Account settings and administration of the store.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Returns the account's settings; an account never written has no alias and no password
    /// policy.
    ///
    /// # Errors
    ///
    /// Only engine failures.
    async fn account(&self, account: AccountId) -> Result<Account, StoreError>;

    /// Lists every account that has any stored record, in id order.
    ///
    /// # Errors
    ///
    /// Only engine failures.
    async fn list_accounts(&self) -> Result<Vec<AccountId>, StoreError>;

    /// Sets the account's alias, which is unique across all accounts; an account has at most
    /// one, so a new alias replaces the old one.
    ///
    /// # Errors
    ///
    /// [`StoreError::EntityAlreadyExists`] when another account uses the alias.
    async fn create_account_alias(&self, account: AccountId, alias: &str)
    -> Result<(), StoreError>;

    /// Deletes the account's alias.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when the account does not have this alias.
    async fn delete_account_alias(&self, account: AccountId, alias: &str)
    -> Result<(), StoreError>;

    /// Sets the account's password policy.
    ///
    /// # Errors
    ///
    /// Only engine failures.
    async fn set_password_policy(
        &self,
        account: AccountId,
        policy: PasswordPolicy,
    ) -> Result<(), StoreError>;

    /// Deletes the account's password policy.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when the account has none.
    async fn delete_password_policy(&self, account: AccountId) -> Result<(), StoreError>;

    /// Returns the counts and quotas of `GetAccountSummary`.
    ///
    /// # Errors
    ///
    /// Only engine failures.
    async fn account_summary(&self, account: AccountId) -> Result<AccountSummary, StoreError>;

    /// Returns the revision of the last commit.
    fn revision(&self) -> Revision;

    /// Subscribes to the change feed. A receiver that falls behind gets
    /// `RecvError::Lagged` and should drop every cached policy.
    fn subscribe(&self) -> broadcast::Receiver<Change>;

    /// Returns every record of every account as one consistent snapshot, in the order
    /// [`crate::export::import`] needs.
    ///
    /// # Errors
    ///
    /// Only engine failures.
    async fn export(&self) -> Result<Vec<crate::export::ExportRecord>, StoreError>;
}

/// Every storage trait together: what the server and the other crates hold.
pub trait IamStore:
    UserStore + GroupStore + RoleStore + PolicyStore + CredentialStore + ProviderStore + AccountStore
{
}

impl<T> IamStore for T where
    T: UserStore
        + GroupStore
        + RoleStore
        + PolicyStore
        + CredentialStore
        + ProviderStore
        + AccountStore
{
}
