//! The storage traits of users, groups and roles.

use async_trait::async_trait;
use iam_model::{AccountId, Group, Role, User};

use crate::kv::Revision;
use crate::{ListOptions, Page, StoreError, Stored};

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
    /// it with [`crate::PolicyStore::set_permissions_boundary`].
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
    /// inline or attached policies, group memberships, access keys, a login profile or MFA
    /// devices. A permissions boundary does not block the deletion and is released.
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
    /// attached policies, or belongs to an instance profile. A permissions boundary does not
    /// block the deletion and is released.
    async fn delete_role(&self, account: AccountId, role_name: &str) -> Result<(), StoreError>;
}
