//! Tags: key and value pairs attached to IAM resources.

use serde::{Deserialize, Serialize};

/// A tag attached to a user, role, policy, instance profile, MFA device or OIDC provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The tag key, 1 to 128 characters, unique within a resource ignoring case.
    pub key: String,
    /// The tag value, 0 to 256 characters.
    pub value: String,
}

impl Tag {
    /// Creates a tag without validating it; see the validation functions.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}
