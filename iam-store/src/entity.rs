//! Kinds of stored entities, as errors and the change feed name them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A kind of entity the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    /// An account and its settings.
    Account,
    /// An account alias.
    AccountAlias,
    /// An account's password policy.
    PasswordPolicy,
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
    /// A customer managed policy or an AWS managed policy.
    ManagedPolicy,
    /// A version of a managed policy.
    PolicyVersion,
    /// An inline policy embedded in a user, group or role.
    InlinePolicy,
    /// A managed policy attached to a user, group or role.
    PolicyAttachment,
    /// A user's membership in a group.
    GroupMembership,
    /// An access key.
    AccessKey,
    /// A user's console password.
    LoginProfile,
    /// A virtual MFA device.
    MfaDevice,
    /// An instance profile.
    InstanceProfile,
    /// An OpenID Connect identity provider.
    OidcProvider,
    /// The session revocation of a role or user.
    SessionRevocation,
}

impl EntityKind {
    /// Returns the kind in lowercase words, as messages print it.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Account => "account",
            EntityKind::AccountAlias => "account alias",
            EntityKind::PasswordPolicy => "password policy",
            EntityKind::User => "user",
            EntityKind::Group => "group",
            EntityKind::Role => "role",
            EntityKind::ManagedPolicy => "managed policy",
            EntityKind::PolicyVersion => "policy version",
            EntityKind::InlinePolicy => "inline policy",
            EntityKind::PolicyAttachment => "policy attachment",
            EntityKind::GroupMembership => "group membership",
            EntityKind::AccessKey => "access key",
            EntityKind::LoginProfile => "login profile",
            EntityKind::MfaDevice => "MFA device",
            EntityKind::InstanceProfile => "instance profile",
            EntityKind::OidcProvider => "OpenID Connect provider",
            EntityKind::SessionRevocation => "session revocation",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
