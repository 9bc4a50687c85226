//! Customer managed policies, their versions, and inline policies.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::shorten;
use crate::{
    AccountId, Arn, IamArn, IamResource, ModelError, Partition, Quota, Quotas, Tag, UniqueId,
    UniqueIdKind, validate,
};

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
    /// When the newest stored version was created, or the policy's creation date while it has
    /// only one version.
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
    /// Creates a customer managed policy as `CreatePolicy` does: its ARN built from `path` and
    /// `policy_name`, and `document` stored as version `v1`, the default.
    ///
    /// The document is checked for length and characters only. Parsing it and checking its
    /// size quota is the caller's job.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the path, name or document text is invalid or `policy_id` is not a
    /// policy id.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        policy_name: &str,
        policy_id: UniqueId,
        document: String,
        create_date: Timestamp,
    ) -> Result<Self, ModelError> {
        validate::policy_path(path)?;
        validate::policy_name(policy_name)?;
        validate::policy_document("PolicyDocument", &document)?;
        policy_id.check_kind(UniqueIdKind::Policy)?;

        let resource = IamResource::Policy {
            path: path.to_owned(),
            name: policy_name.to_owned(),
        };
        let first_version = PolicyVersion {
            version_id: PolicyVersionId::FIRST,
            document,
            is_default_version: true,
            create_date,
        };
        Ok(Self {
            policy_name: policy_name.to_owned(),
            policy_id,
            arn: IamArn::new(partition, account, resource).to_arn(),
            path: path.to_owned(),
            default_version_id: PolicyVersionId::FIRST,
            attachment_count: 0,
            permissions_boundary_usage_count: 0,
            is_attachable: true,
            description: None,
            create_date,
            update_date: create_date,
            tags: Vec::new(),
            versions: vec![first_version],
            latest_version_id: PolicyVersionId::FIRST,
        })
    }

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

    /// Stores `document` as a new version created at `now`, made the default if
    /// `set_as_default`, and returns its id.
    ///
    /// The caller validates the document and its size first; this checks only the version
    /// count.
    ///
    /// # Errors
    ///
    /// [`ModelError::QuotaExceeded`] for [`Quota::VersionsPerPolicy`] when the policy already
    /// has as many versions as the quota allows.
    pub fn create_version(
        &mut self,
        document: String,
        set_as_default: bool,
        now: Timestamp,
        quotas: &Quotas,
    ) -> Result<PolicyVersionId, ModelError> {
        quotas.check_count(
            Quota::VersionsPerPolicy,
            self.versions.len().saturating_add(1),
        )?;

        let version_id = self.next_version_id();
        self.versions.push(PolicyVersion {
            version_id,
            document,
            is_default_version: false,
            create_date: now,
        });
        self.latest_version_id = version_id;
        self.update_date = now;
        if set_as_default {
            self.mark_default(version_id);
        }
        Ok(version_id)
    }

    /// Makes the stored version `version_id` the one in force.
    ///
    /// # Errors
    ///
    /// [`ModelError::PolicyVersionNotFound`] if no stored version has that id.
    pub fn set_default_version(&mut self, version_id: PolicyVersionId) -> Result<(), ModelError> {
        if self.version(version_id).is_none() {
            return Err(ModelError::PolicyVersionNotFound(version_id));
        }
        self.mark_default(version_id);
        Ok(())
    }

    /// Removes the stored version `version_id` and returns it.
    ///
    /// The update date follows the remaining versions: the creation date of the newest one, or
    /// the policy's creation date when only one is left, as AWS defines `UpdateDate`.
    ///
    /// # Errors
    ///
    /// [`ModelError::PolicyVersionNotFound`] if no stored version has that id, and
    /// [`ModelError::DefaultPolicyVersionDeletion`] if it is the version in force.
    pub fn delete_version(
        &mut self,
        version_id: PolicyVersionId,
    ) -> Result<PolicyVersion, ModelError> {
        let position = self
            .versions
            .iter()
            .position(|version| version.version_id == version_id)
            .ok_or(ModelError::PolicyVersionNotFound(version_id))?;
        if version_id == self.default_version_id {
            return Err(ModelError::DefaultPolicyVersionDeletion(version_id));
        }

        let removed = self.versions.remove(position);
        let newest_version_date = self
            .versions
            .iter()
            .map(|version| version.create_date)
            .max();
        self.update_date = match newest_version_date {
            Some(date) if self.versions.len() > 1 => date,
            _ => self.create_date,
        };
        Ok(removed)
    }

    /// Sets `default_version_id` and every version's `is_default_version` to agree.
    fn mark_default(&mut self, version_id: PolicyVersionId) {
        self.default_version_id = version_id;
        for version in &mut self.versions {
            version.is_default_version = version.version_id == version_id;
        }
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
        let invalid = || ModelError::InvalidPolicyVersionId(shorten(value));
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
