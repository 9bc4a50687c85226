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

/// Adds `additions` to `tags` as the `Tag*` operations do: an addition whose key equals an
/// existing key ignoring case replaces that tag in place, and the others are appended in order.
///
/// The caller checks `additions` with [`crate::validate::tags`] before merging, because AWS
/// rejects a request whose own keys repeat ignoring case and merging keeps only the last of
/// them. It then checks the merged list, which enforces the limit of 50.
///
/// NOTE: On a key that differs only in case, the replacement takes the new key's spelling.
/// AWS documents that such keys collide but not which spelling it keeps.
pub fn merge_tags(tags: &mut Vec<Tag>, additions: &[Tag]) {
    for addition in additions {
        let existing = tags
            .iter_mut()
            .find(|tag| tag.key.to_lowercase() == addition.key.to_lowercase());
        match existing {
            Some(tag) => *tag = addition.clone(),
            None => tags.push(addition.clone()),
        }
    }
}

/// Removes from `tags` every tag whose key is in `keys`, ignoring case, as the `Untag*`
/// operations do. Keys that match no tag are ignored.
pub fn remove_tags(tags: &mut Vec<Tag>, keys: &[String]) {
    let keys: Vec<String> = keys.iter().map(|key| key.to_lowercase()).collect();
    tags.retain(|tag| !keys.contains(&tag.key.to_lowercase()));
}

#[cfg(test)]
mod tests;
