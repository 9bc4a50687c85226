//! Instance profiles and OpenID Connect providers.

use async_trait::async_trait;
use iam_model::{AccountId, Arn, InstanceProfile, OidcProvider, Quota, Tag};

use super::roles::require_role;
use super::{Counter, KvStore, add_count, put, records, require_absent};
use crate::keys::{Key, Table, fold};
use crate::kv::KvEngine;
use crate::page::{self, path_matches};
use crate::txn::{self, Txn};
use crate::{EntityKind, ListOptions, Page, ProviderStore, StoreError};

fn profile_key(account: AccountId, profile_name: &str) -> Vec<u8> {
    Key::account(account, Table::InstanceProfile)
        .name(profile_name)
        .build()
}

fn role_profile_key(account: AccountId, role_name: &str, profile_name: &str) -> Vec<u8> {
    Key::account(account, Table::RoleInstanceProfile)
        .name(role_name)
        .name(profile_name)
        .build()
}

fn require_profile(
    txn: &mut Txn<'_>,
    account: AccountId,
    profile_name: &str,
) -> Result<InstanceProfile, StoreError> {
    txn.get_json(&profile_key(account, profile_name))?
        .ok_or_else(|| StoreError::NoSuchEntity {
            kind: EntityKind::InstanceProfile,
            name: profile_name.to_owned(),
        })
}

/// Returns the key of an OpenID Connect provider from its ARN, whose resource is
/// `oidc-provider/` and the URL without its scheme.
fn provider_key(account: AccountId, provider_arn: &Arn) -> Result<Vec<u8>, StoreError> {
    let url = provider_arn
        .resource()
        .strip_prefix("oidc-provider/")
        .ok_or_else(|| {
            StoreError::InvalidInput(format!(
                "invalid OpenID Connect provider ARN `{provider_arn}`, expected an \
                 `oidc-provider/` resource"
            ))
        })?;
    if provider_arn.account() != account.as_str() {
        return Err(StoreError::NoSuchEntity {
            kind: EntityKind::OidcProvider,
            name: provider_arn.to_string(),
        });
    }
    Ok(Key::account(account, Table::OidcProvider).name(url).build())
}

fn require_provider(
    txn: &mut Txn<'_>,
    key: &[u8],
    provider_arn: &Arn,
) -> Result<OidcProvider, StoreError> {
    txn.get_json(key)?.ok_or_else(|| StoreError::NoSuchEntity {
        kind: EntityKind::OidcProvider,
        name: provider_arn.to_string(),
    })
}

#[async_trait]
impl<E: KvEngine> ProviderStore for KvStore<E> {
    async fn create_instance_profile(
        &self,
        account: AccountId,
        profile: InstanceProfile,
    ) -> Result<(), StoreError> {
        if !profile.role_names.is_empty() {
            return Err(StoreError::InvalidInput(format!(
                "new instance profile `{}` must have no roles, add them with \
                 `add_role_to_instance_profile`",
                profile.instance_profile_name
            )));
        }
        let key = profile_key(account, &profile.instance_profile_name);
        self.write(|txn| {
            let name = &profile.instance_profile_name;
            require_absent(txn, &key, EntityKind::InstanceProfile, name)?;
            self.add_one_within_quota(
                txn,
                account,
                Counter::InstanceProfiles,
                Quota::InstanceProfiles,
            )?;
            put(txn, key.clone(), &profile)?;
            Ok(())
        })
        .await
    }

    async fn instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
    ) -> Result<InstanceProfile, StoreError> {
        self.read(|txn| require_profile(txn, account, profile_name))
    }

    async fn set_instance_profile_tags(
        &self,
        account: AccountId,
        profile_name: &str,
        tags: Vec<Tag>,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut profile = require_profile(txn, account, profile_name)?;
            profile.tags = tags.clone();
            put(txn, profile_key(account, profile_name), &profile)
        })
        .await
    }

    async fn list_instance_profiles(
        &self,
        account: AccountId,
        options: &ListOptions,
    ) -> Result<Page<InstanceProfile>, StoreError> {
        let prefix = Key::account(account, Table::InstanceProfile).prefix();
        self.read(|txn| {
            page::list(
                txn,
                "instance-profiles",
                &prefix,
                options,
                |_, _, payload| {
                    let profile: InstanceProfile = txn::decode(payload)?;
                    Ok(path_matches(options, &profile.path).then_some(profile))
                },
            )
        })
    }

    async fn list_instance_profiles_for_role(
        &self,
        account: AccountId,
        role_name: &str,
        options: &ListOptions,
    ) -> Result<Page<InstanceProfile>, StoreError> {
        self.read(|txn| {
            let role = require_role(txn, account, role_name)?.record;
            let prefix = Key::account(account, Table::RoleInstanceProfile)
                .name(&role.role_name)
                .prefix();
            let listing = format!("instance-profiles-for-role:{}", fold(&role.role_name));
            page::list(txn, &listing, &prefix, options, |txn, _, payload| {
                let profile_name: String = txn::decode(payload)?;
                require_profile(txn, account, &profile_name).map(Some)
            })
        })
    }

    async fn add_role_to_instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
        role_name: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut profile = require_profile(txn, account, profile_name)?;
            let role = require_role(txn, account, role_name)?.record;
            let folded = fold(&role.role_name);
            if profile.role_names.iter().any(|name| fold(name) == folded) {
                return Err(StoreError::EntityAlreadyExists {
                    kind: EntityKind::Role,
                    name: role.role_name,
                });
            }
            self.check_quota(Quota::RolesPerInstanceProfile, profile.role_names.len() + 1)?;

            profile.role_names.push(role.role_name.clone());
            let name = profile.instance_profile_name.clone();
            put(txn, profile_key(account, &name), &profile)?;
            put(
                txn,
                role_profile_key(account, &role.role_name, &name),
                &name,
            )?;
            Ok(())
        })
        .await
    }

    async fn remove_role_from_instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
        role_name: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut profile = require_profile(txn, account, profile_name)?;
            let folded = fold(role_name);
            let Some(index) = profile
                .role_names
                .iter()
                .position(|name| fold(name) == folded)
            else {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::Role,
                    name: role_name.to_owned(),
                });
            };
            profile.role_names.remove(index);
            let name = profile.instance_profile_name.clone();
            put(txn, profile_key(account, &name), &profile)?;
            txn.delete(role_profile_key(account, role_name, &name));
            Ok(())
        })
        .await
    }

    async fn delete_instance_profile(
        &self,
        account: AccountId,
        profile_name: &str,
    ) -> Result<(), StoreError> {
        self.write(|txn| {
            let profile = require_profile(txn, account, profile_name)?;
            if !profile.role_names.is_empty() {
                return Err(StoreError::DeleteConflict {
                    kind: EntityKind::InstanceProfile,
                    name: profile.instance_profile_name,
                    reason: "it still contains a role".to_owned(),
                });
            }
            txn.delete(profile_key(account, profile_name));
            add_count(txn, account, Counter::InstanceProfiles, -1)?;
            Ok(())
        })
        .await
    }

    async fn create_oidc_provider(
        &self,
        account: AccountId,
        provider: OidcProvider,
    ) -> Result<(), StoreError> {
        let key = provider_key(account, &provider.arn)?;
        let name = provider.arn.to_string();
        self.write(|txn| {
            require_absent(txn, &key, EntityKind::OidcProvider, &name)?;
            self.add_one_within_quota(
                txn,
                account,
                Counter::OidcProviders,
                Quota::OpenIdConnectProviders,
            )?;
            put(txn, key.clone(), &provider)?;
            Ok(())
        })
        .await
    }

    async fn oidc_provider(
        &self,
        account: AccountId,
        provider_arn: &Arn,
    ) -> Result<OidcProvider, StoreError> {
        let key = provider_key(account, provider_arn)?;
        self.read(|txn| require_provider(txn, &key, provider_arn))
    }

    async fn list_oidc_providers(
        &self,
        account: AccountId,
    ) -> Result<Vec<OidcProvider>, StoreError> {
        let prefix = Key::account(account, Table::OidcProvider).prefix();
        self.read(|txn| records(txn, &prefix))
    }

    async fn update_oidc_provider(
        &self,
        account: AccountId,
        provider: OidcProvider,
    ) -> Result<(), StoreError> {
        let key = provider_key(account, &provider.arn)?;
        self.write(|txn| {
            let stored = require_provider(txn, &key, &provider.arn)?;
            if stored.arn != provider.arn || stored.url != provider.url {
                return Err(StoreError::InvalidInput(format!(
                    "OpenID Connect provider `{}` keeps its ARN and URL",
                    stored.arn
                )));
            }
            put(txn, key.clone(), &provider)
        })
        .await
    }

    async fn delete_oidc_provider(
        &self,
        account: AccountId,
        provider_arn: &Arn,
    ) -> Result<(), StoreError> {
        let key = provider_key(account, provider_arn)?;
        self.write(|txn| {
            require_provider(txn, &key, provider_arn)?;
            txn.delete(key.clone());
            add_count(txn, account, Counter::OidcProviders, -1)?;
            Ok(())
        })
        .await
    }
}
