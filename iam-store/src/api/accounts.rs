//! The storage traits of instance profiles, OpenID Connect providers and account settings.

use async_trait::async_trait;
use iam_model::{Account, AccountId, Arn, InstanceProfile, OidcProvider, PasswordPolicy, Tag};
use tokio::sync::broadcast;

use crate::kv::Revision;
use crate::{AccountSummary, Change, ListOptions, Page, StoreError};

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

    /// Replaces the tags of an instance profile (`TagInstanceProfile`, `UntagInstanceProfile`).
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when there is none.
    async fn set_instance_profile_tags(
        &self,
        account: AccountId,
        profile_name: &str,
        tags: Vec<Tag>,
    ) -> Result<(), StoreError>;

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
