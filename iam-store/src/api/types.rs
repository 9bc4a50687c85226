//! The types the storage traits exchange, besides the entities of `iam-model`.

use std::collections::BTreeMap;

use iam_model::{Arn, Group, InlinePolicy, PolicyVersionId, Role, User};
use serde::{Deserialize, Serialize};

use crate::kv::Revision;
use crate::{Identity, ListOptions};

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

/// The outcome of recording a TOTP time step as a virtual MFA device's last accepted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum TimeStepAcceptance {
    /// The step was after the stored one and is now the last accepted step.
    Accepted,
    /// The step was not after the stored one, so its code was already used or is older than a
    /// used one. Nothing changed.
    NotAfterLast {
        /// The last accepted step, as stored.
        last_accepted: u64,
    },
}

impl TimeStepAcceptance {
    /// Returns whether the step was accepted.
    pub fn is_accepted(self) -> bool {
        self == TimeStepAcceptance::Accepted
    }
}

/// A session revocation: every session of a role or user issued before a cut-off is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRevocation {
    /// The role or user whose sessions are revoked, with its name as stored.
    pub identity: Identity,
    /// Sessions issued strictly before this moment are revoked.
    pub revoked_before: jiff::Timestamp,
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
