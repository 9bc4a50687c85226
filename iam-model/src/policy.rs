//! Customer managed policies, their versions, and inline policies.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Arn, ModelError, Tag, UniqueId};

/// A customer managed policy: a standalone policy document with its own ARN, attachable to
/// users, groups and roles, and keeping up to five versions of its document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    /// The policy name, unique in the account ignoring case.
    pub policy_name: String,
    /// The unique id, prefix `ANPA`.
    pub policy_id: UniqueId,
    /// The ARN, `arn:aws:iam::123456789012:policy/path/Name`.
    pub arn: Arn,
    /// The path, `/` or `/division/team/`.
    pub path: String,
    /// The id of the version in force.
    pub default_version_id: PolicyVersionId,
    /// How many users, groups and roles the policy is attached to.
    pub attachment_count: u32,
    /// How many users and roles use the policy as their permissions boundary.
    pub permissions_boundary_usage_count: u32,
    /// Whether the policy can be attached. Always true for customer managed policies.
    pub is_attachable: bool,
    /// The description, at most 1000 characters, fixed at creation.
    pub description: Option<String>,
    /// When the policy was created.
    pub create_date: Timestamp,
    /// When the policy last changed (a new version or a new default version).
    pub update_date: Timestamp,
    /// The tags, at most 50.
    pub tags: Vec<Tag>,
    /// The stored versions, oldest first, exactly one of them the default.
    pub versions: Vec<PolicyVersion>,
    /// The highest version id ever created, kept because AWS never reuses a version id: after
    /// `v5` is deleted, the next version is `v6`, not `v5` again.
    pub latest_version_id: PolicyVersionId,
}

impl ManagedPolicy {
    /// Returns the version in force, or `None` if no stored version carries the default id.
    pub fn default_version(&self) -> Option<&PolicyVersion> {
        self.version(self.default_version_id)
    }

    /// Returns the version with `version_id`, if stored.
    pub fn version(&self, version_id: PolicyVersionId) -> Option<&PolicyVersion> {
        self.versions
            .iter()
            .find(|version| version.version_id == version_id)
    }

    /// Returns the id the next created version gets, one past [`Self::latest_version_id`].
    pub fn next_version_id(&self) -> PolicyVersionId {
        self.latest_version_id.next()
    }
}

/// One version of a managed policy's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    /// The version id, `v1`, `v2`, ...
    pub version_id: PolicyVersionId,
    /// The policy document, kept as the text the caller sent.
    pub document: String,
    /// Whether this is the version in force.
    pub is_default_version: bool,
    /// When the version was created.
    pub create_date: Timestamp,
}

/// A policy version id, `v1`, `v2`, ...: the letter `v` and a positive number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PolicyVersionId(u32);

impl PolicyVersionId {
    /// The id of a policy's first version, `v1`.
    pub const FIRST: PolicyVersionId = PolicyVersionId(1);

    /// Creates the id `v{number}`, or `None` when `number` is zero.
    pub fn new(number: u32) -> Option<Self> {
        (number > 0).then_some(Self(number))
    }

    /// Returns the number after the `v`.
    pub fn number(self) -> u32 {
        self.0
    }

    /// Returns the id that follows this one.
    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl FromStr for PolicyVersionId {
    type Err = ModelError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = || ModelError::InvalidPolicyVersionId(value.to_owned());
        let digits = value.strip_prefix('v').ok_or_else(invalid)?;
        let is_canonical = !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit());
        if !is_canonical {
            return Err(invalid());
        }
        let number = digits.parse().map_err(|_| invalid())?;
        Self::new(number).ok_or_else(invalid)
    }
}

impl TryFrom<String> for PolicyVersionId {
    type Error = ModelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<PolicyVersionId> for String {
    fn from(id: PolicyVersionId) -> Self {
        id.to_string()
    }
}

impl fmt::Display for PolicyVersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// A policy embedded in one user, group or role, named within it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    /// The policy name, unique within its principal.
    pub policy_name: String,
    /// The policy document, kept as the text the caller sent.
    pub policy_document: String,
}

#[cfg(test)]
mod tests;
