//! Users, groups and roles.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{
    AccountId, Arn, IamArn, IamResource, ModelError, Partition, Tag, UniqueId, UniqueIdKind,
    validate,
};

/// Returns the key under which an IAM name must be unique in its account: the name in ASCII
/// lower case.
///
/// AWS compares the names of users, groups, roles, managed policies and instance profiles
/// ignoring case, so `ADMINS` and `admins` cannot both exist. Those names are ASCII, so ASCII
/// case folding is exact.
pub fn name_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// An IAM user: a person or workload with long-term credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    /// The path, `/` or `/division/team/`.
    pub path: String,
    /// The user name, unique in the account ignoring case.
    pub user_name: String,
    /// The unique id, prefix `AIDA`.
    pub user_id: UniqueId,
    /// The ARN, `arn:aws:iam::123456789012:user/division/team/Name`.
    pub arn: Arn,
    /// When the user was created.
    pub create_date: Timestamp,
    /// When the user last signed in with a password, if ever.
    pub password_last_used: Option<Timestamp>,
    /// The ARN of the managed policy that bounds the user's permissions, if any.
    pub permissions_boundary: Option<Arn>,
    /// The tags, at most 50.
    pub tags: Vec<Tag>,
}

impl User {
    /// Creates a user as `CreateUser` does, with its ARN built from `path` and `user_name`, no
    /// password use, no permissions boundary and no tags.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the path or name is invalid or `user_id` is not a user id.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        user_name: &str,
        user_id: UniqueId,
        create_date: Timestamp,
    ) -> Result<Self, ModelError> {
        validate::path(path)?;
        validate::user_name(user_name)?;
        user_id.check_kind(UniqueIdKind::User)?;

        let resource = IamResource::User {
            path: path.to_owned(),
            name: user_name.to_owned(),
        };
        Ok(Self {
            path: path.to_owned(),
            user_name: user_name.to_owned(),
            user_id,
            arn: IamArn::new(partition, account, resource).to_arn(),
            create_date,
            password_last_used: None,
            permissions_boundary: None,
            tags: Vec::new(),
        })
    }
}

/// An IAM group: a set of users that share attached policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// The path, `/` or `/division/team/`.
    pub path: String,
    /// The group name, unique in the account ignoring case.
    pub group_name: String,
    /// The unique id, prefix `AGPA`.
    pub group_id: UniqueId,
    /// The ARN, `arn:aws:iam::123456789012:group/division/team/Name`.
    pub arn: Arn,
    /// When the group was created.
    pub create_date: Timestamp,
}

impl Group {
    /// Creates a group as `CreateGroup` does, with its ARN built from `path` and `group_name`.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the path or name is invalid or `group_id` is not a group id.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        group_name: &str,
        group_id: UniqueId,
        create_date: Timestamp,
    ) -> Result<Self, ModelError> {
        validate::path(path)?;
        validate::group_name(group_name)?;
        group_id.check_kind(UniqueIdKind::Group)?;

        let resource = IamResource::Group {
            path: path.to_owned(),
            name: group_name.to_owned(),
        };
        Ok(Self {
            path: path.to_owned(),
            group_name: group_name.to_owned(),
            group_id,
            arn: IamArn::new(partition, account, resource).to_arn(),
            create_date,
        })
    }
}

/// An IAM role: an identity with no long-term credentials that trusted principals assume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// The path, `/` or `/division/team/`.
    pub path: String,
    /// The role name, unique in the account ignoring case.
    pub role_name: String,
    /// The unique id, prefix `AROA`.
    pub role_id: UniqueId,
    /// The ARN, `arn:aws:iam::123456789012:role/division/team/Name`.
    pub arn: Arn,
    /// When the role was created.
    pub create_date: Timestamp,
    /// The trust policy: the JSON document saying who may assume the role, kept as the text
    /// the caller sent.
    pub assume_role_policy_document: String,
    /// The description, at most 1000 characters.
    pub description: Option<String>,
    /// The maximum session duration `AssumeRole` may grant, in seconds, 3600 to 43200.
    pub max_session_duration: u32,
    /// The ARN of the managed policy that bounds the role's permissions, if any.
    pub permissions_boundary: Option<Arn>,
    /// The tags, at most 50.
    pub tags: Vec<Tag>,
    /// When and where the role was last assumed, if AWS has tracked it.
    pub role_last_used: Option<RoleLastUsed>,
}

impl Role {
    /// The `MaxSessionDuration` a role gets when the request sets none, in seconds.
    pub const DEFAULT_MAX_SESSION_DURATION: u32 = 3600;
    /// The smallest `MaxSessionDuration` AWS accepts, in seconds.
    pub const MAX_SESSION_DURATION_MIN: u32 = 3600;
    /// The largest `MaxSessionDuration` AWS accepts, in seconds.
    pub const MAX_SESSION_DURATION_MAX: u32 = 43200;

    /// Creates a role as `CreateRole` does, with its ARN built from `path` and `role_name`, the
    /// default maximum session duration, and no description, boundary, tags or last use.
    ///
    /// The trust policy is checked for length and characters only; parsing it is the policy
    /// crate's job.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the path, name or trust policy text is invalid or `role_id` is not
    /// a role id.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        role_name: &str,
        role_id: UniqueId,
        assume_role_policy_document: String,
        create_date: Timestamp,
    ) -> Result<Self, ModelError> {
        validate::path(path)?;
        validate::role_name(role_name)?;
        validate::policy_document("AssumeRolePolicyDocument", &assume_role_policy_document)?;
        role_id.check_kind(UniqueIdKind::Role)?;

        let resource = IamResource::Role {
            path: path.to_owned(),
            name: role_name.to_owned(),
        };
        Ok(Self {
            path: path.to_owned(),
            role_name: role_name.to_owned(),
            role_id,
            arn: IamArn::new(partition, account, resource).to_arn(),
            create_date,
            assume_role_policy_document,
            description: None,
            max_session_duration: Self::DEFAULT_MAX_SESSION_DURATION,
            permissions_boundary: None,
            tags: Vec::new(),
            role_last_used: None,
        })
    }
}

/// When and in which region a role was last used to make a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    /// When the role was last used.
    pub last_used_date: Option<Timestamp>,
    /// The region of that request, such as `us-east-1`.
    pub region: Option<String>,
}

#[cfg(test)]
mod tests;
