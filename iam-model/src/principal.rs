//! Users, groups and roles.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Arn, Tag, UniqueId};

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
    /// The longest session `AssumeRole` may grant, in seconds, 3600 to 43200.
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
