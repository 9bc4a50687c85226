//! Quotas: the limits on the number of entities in an account and on the size of policies.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// One IAM quota. Names follow the keys of `GetAccountSummary` where AWS reports the quota
/// there (`UsersQuota` is [`Quota::Users`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Quota {
    /// IAM users in an account.
    Users,
    /// Groups in an account.
    Groups,
    /// Roles in an account.
    Roles,
    /// Customer managed policies in an account.
    Policies,
    /// Instance profiles in an account.
    InstanceProfiles,
    /// OpenID Connect providers in an account.
    OpenIdConnectProviders,
    /// SAML providers in an account.
    SamlProviders,
    /// Groups one user can be a member of.
    GroupsPerUser,
    /// Managed policies attached to one user.
    AttachedPoliciesPerUser,
    /// Managed policies attached to one group.
    AttachedPoliciesPerGroup,
    /// Managed policies attached to one role.
    AttachedPoliciesPerRole,
    /// Access keys of one user.
    AccessKeysPerUser,
    /// MFA devices assigned to one user.
    MfaDevicesPerUser,
    /// Stored versions of one managed policy.
    VersionsPerPolicy,
    /// Aggregate size of a user's inline policies, in non-white-space characters.
    UserPolicySize,
    /// Aggregate size of a group's inline policies, in non-white-space characters.
    GroupPolicySize,
    /// Aggregate size of a role's inline policies, in non-white-space characters.
    RolePolicySize,
    /// Size of one managed policy version, in non-white-space characters.
    PolicySize,
    /// Size of a role's trust policy, in non-white-space characters.
    AssumeRolePolicySize,
    /// Roles in one instance profile.
    RolesPerInstanceProfile,
}

impl Quota {
    /// Every quota, in the order of the variants.
    pub const ALL: [Quota; 20] = [
        Quota::Users,
        Quota::Groups,
        Quota::Roles,
        Quota::Policies,
        Quota::InstanceProfiles,
        Quota::OpenIdConnectProviders,
        Quota::SamlProviders,
        Quota::GroupsPerUser,
        Quota::AttachedPoliciesPerUser,
        Quota::AttachedPoliciesPerGroup,
        Quota::AttachedPoliciesPerRole,
        Quota::AccessKeysPerUser,
        Quota::MfaDevicesPerUser,
        Quota::VersionsPerPolicy,
        Quota::UserPolicySize,
        Quota::GroupPolicySize,
        Quota::RolePolicySize,
        Quota::PolicySize,
        Quota::AssumeRolePolicySize,
        Quota::RolesPerInstanceProfile,
    ];

    /// Returns AWS's default value for a new account.
    pub fn default_value(self) -> u32 {
        self.limits().0
    }

    /// Returns the highest value AWS grants on request, equal to the default for quotas AWS
    /// does not adjust.
    ///
    /// NOTE: AWS raises the ceilings of adjustable quotas from time to time, so these may be
    /// lower than what it grants today.
    pub fn max_value(self) -> u32 {
        self.limits().1
    }

    /// Returns the key under which `GetAccountSummary` reports the quota, if it does.
    pub fn summary_key(self) -> Option<&'static str> {
        let key = match self {
            Quota::Users => "UsersQuota",
            Quota::Groups => "GroupsQuota",
            Quota::Roles => "RolesQuota",
            Quota::Policies => "PoliciesQuota",
            Quota::InstanceProfiles => "InstanceProfilesQuota",
            Quota::GroupsPerUser => "GroupsPerUserQuota",
            Quota::AttachedPoliciesPerUser => "AttachedPoliciesPerUserQuota",
            Quota::AttachedPoliciesPerGroup => "AttachedPoliciesPerGroupQuota",
            Quota::AttachedPoliciesPerRole => "AttachedPoliciesPerRoleQuota",
            Quota::AccessKeysPerUser => "AccessKeysPerUserQuota",
            Quota::VersionsPerPolicy => "VersionsPerPolicyQuota",
            Quota::UserPolicySize => "UserPolicySizeQuota",
            Quota::GroupPolicySize => "GroupPolicySizeQuota",
            Quota::RolePolicySize => "RolePolicySizeQuota",
            Quota::PolicySize => "PolicySizeQuota",
            Quota::AssumeRolePolicySize => "AssumeRolePolicySizeQuota",
            Quota::OpenIdConnectProviders
            | Quota::SamlProviders
            | Quota::MfaDevicesPerUser
            | Quota::RolesPerInstanceProfile => return None,
        };
        Some(key)
    }

    /// Returns the name AWS's `LimitExceeded` messages give the quota, as in "Cannot exceed
    /// quota for UsersPerAccount: 5000". It differs from the variant name for most account and
    /// attachment quotas.
    ///
    /// NOTE: the names of the provider, MFA device and inline size quotas are unconfirmed
    /// against AWS and fall back to the variant name.
    pub fn error_name(self) -> &'static str {
        match self {
            Quota::Users => "UsersPerAccount",
            Quota::Groups => "GroupsPerAccount",
            Quota::Roles => "RolesPerAccount",
            Quota::Policies => "PoliciesPerAccount",
            Quota::InstanceProfiles => "InstanceProfilesPerAccount",
            Quota::OpenIdConnectProviders => "OpenIdConnectProviders",
            Quota::SamlProviders => "SamlProviders",
            Quota::GroupsPerUser => "GroupsPerUser",
            Quota::AttachedPoliciesPerUser => "PoliciesPerUser",
            Quota::AttachedPoliciesPerGroup => "PoliciesPerGroup",
            Quota::AttachedPoliciesPerRole => "PoliciesPerRole",
            Quota::AccessKeysPerUser => "AccessKeysPerUser",
            Quota::MfaDevicesPerUser => "MfaDevicesPerUser",
            Quota::VersionsPerPolicy => "VersionsPerPolicy",
            Quota::UserPolicySize => "UserPolicySize",
            Quota::GroupPolicySize => "GroupPolicySize",
            Quota::RolePolicySize => "RolePolicySize",
            Quota::PolicySize => "PolicySize",
            Quota::AssumeRolePolicySize => "ACLSizePerRole",
            Quota::RolesPerInstanceProfile => "InstanceSessionsPerInstanceProfile",
        }
    }

    /// Returns the default and the highest value AWS grants.
    fn limits(self) -> (u32, u32) {
        match self {
            Quota::Users => (5000, 5000),
            Quota::Groups => (300, 500),
            Quota::Roles => (1000, 5000),
            Quota::Policies => (1500, 5000),
            Quota::InstanceProfiles => (1000, 5000),
            Quota::OpenIdConnectProviders => (100, 100),
            Quota::SamlProviders => (100, 100),
            Quota::GroupsPerUser => (10, 10),
            Quota::AttachedPoliciesPerUser => (10, 20),
            Quota::AttachedPoliciesPerGroup => (10, 20),
            Quota::AttachedPoliciesPerRole => (10, 20),
            Quota::AccessKeysPerUser => (2, 2),
            Quota::MfaDevicesPerUser => (8, 8),
            Quota::VersionsPerPolicy => (5, 5),
            Quota::UserPolicySize => (2048, 2048),
            Quota::GroupPolicySize => (5120, 5120),
            Quota::RolePolicySize => (10_240, 10_240),
            Quota::PolicySize => (6144, 6144),
            Quota::AssumeRolePolicySize => (2048, 4096),
            Quota::RolesPerInstanceProfile => (1, 1),
        }
    }
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// The quota values in force for an account: AWS's defaults, with any overrides.
///
/// It deserializes from a map of overrides, such as `{"Roles": 2000}`, so configuration names
/// only the quotas it changes. Every override must lie between 1 and [`Quota::max_value`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<Quota, u32>", into = "BTreeMap<Quota, u32>")]
pub struct Quotas {
    overrides: BTreeMap<Quota, u32>,
}

impl Quotas {
    /// Returns the value of `quota` in force.
    pub fn value(&self, quota: Quota) -> u32 {
        self.overrides
            .get(&quota)
            .copied()
            .unwrap_or_else(|| quota.default_value())
    }

    /// Overrides `quota` with `value`.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidQuota`] if `value` is zero or above [`Quota::max_value`].
    pub fn set(&mut self, quota: Quota, value: u32) -> Result<(), ModelError> {
        if value == 0 || value > quota.max_value() {
            return Err(ModelError::InvalidQuota {
                quota,
                value,
                max: quota.max_value(),
            });
        }
        self.overrides.insert(quota, value);
        Ok(())
    }

    /// Checks that a count of `requested` (the count after the operation, such as the number of
    /// access keys a user would have) is within `quota`.
    ///
    /// # Errors
    ///
    /// [`ModelError::QuotaExceeded`] if `requested` is above the quota's value.
    pub fn check_count(&self, quota: Quota, requested: usize) -> Result<(), ModelError> {
        let requested = u64::try_from(requested).unwrap_or(u64::MAX);
        self.check(quota, requested)
    }

    /// Checks that the policy documents in `documents` together fit the size quota `quota`.
    ///
    /// Pass one document for [`Quota::PolicySize`] and [`Quota::AssumeRolePolicySize`], and
    /// every inline policy of the principal, the new one included, for the aggregate quotas.
    ///
    /// # Errors
    ///
    /// [`ModelError::QuotaExceeded`] if the total size is above the quota's value.
    pub fn check_policy_size<'a>(
        &self,
        quota: Quota,
        documents: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), ModelError> {
        let size = documents
            .into_iter()
            .map(policy_size)
            .fold(0_u64, |total, size| {
                total.saturating_add(u64::try_from(size).unwrap_or(u64::MAX))
            });
        self.check(quota, size)
    }

    fn check(&self, quota: Quota, requested: u64) -> Result<(), ModelError> {
        let limit = self.value(quota);
        if requested > u64::from(limit) {
            return Err(ModelError::QuotaExceeded {
                quota,
                requested,
                limit,
            });
        }
        Ok(())
    }
}

impl TryFrom<BTreeMap<Quota, u32>> for Quotas {
    type Error = ModelError;

    fn try_from(overrides: BTreeMap<Quota, u32>) -> Result<Self, Self::Error> {
        let mut quotas = Quotas::default();
        for (quota, value) in overrides {
            quotas.set(quota, value)?;
        }
        Ok(quotas)
    }
}

impl From<Quotas> for BTreeMap<Quota, u32> {
    fn from(quotas: Quotas) -> Self {
        Quota::ALL
            .into_iter()
            .map(|quota| (quota, quotas.value(quota)))
            .collect()
    }
}

/// Returns the size of a policy document as AWS counts it against size quotas: its characters,
/// not counting white space (space, tab, line feed, carriage return).
pub fn policy_size(document: &str) -> usize {
    document
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
        .count()
}

#[cfg(test)]
mod tests;
