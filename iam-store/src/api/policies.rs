//! The storage trait of managed policies, inline policies and permissions boundaries.

use async_trait::async_trait;
use iam_model::{AccountId, Arn, InlinePolicy, ManagedPolicy, PolicyVersion, PolicyVersionId, Tag};

use crate::{
    AttachedPolicy, Identity, ListOptions, ListPoliciesOptions, Page, PolicyEntities,
    PrincipalPolicies, StoreError, Stored,
};

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

    /// Replaces the tags of a customer managed policy (`TagPolicy`, `UntagPolicy`).
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`], or [`StoreError::InvalidInput`] for an AWS managed policy.
    async fn set_policy_tags(
        &self,
        account: AccountId,
        policy_arn: &Arn,
        tags: Vec<Tag>,
    ) -> Result<(), StoreError>;

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
