//! Unique ids: the stable ids AWS gives users, groups, roles, policies, instance profiles and
//! access keys.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::shorten;
use crate::{ModelError, RandomSource};

/// The kind of entity a [`UniqueId`] names, which fixes its four-letter prefix and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UniqueIdKind {
    /// A user id, `AIDA` followed by 17 characters.
    User,
    /// A group id, `AGPA` followed by 17 characters.
    Group,
    /// A role id, `AROA` followed by 17 characters.
    Role,
    /// A managed policy id, `ANPA` followed by 17 characters.
    Policy,
    /// An instance profile id, `AIPA` followed by 17 characters.
    InstanceProfile,
    /// A long-term access key id, `AKIA` followed by 16 characters.
    AccessKey,
    /// A temporary access key id issued by STS, `ASIA` followed by 16 characters.
    TemporaryAccessKey,
}

impl UniqueIdKind {
    /// Every kind, in the order of the variants.
    pub const ALL: [UniqueIdKind; 7] = [
        UniqueIdKind::User,
        UniqueIdKind::Group,
        UniqueIdKind::Role,
        UniqueIdKind::Policy,
        UniqueIdKind::InstanceProfile,
        UniqueIdKind::AccessKey,
        UniqueIdKind::TemporaryAccessKey,
    ];

    /// Returns the four-letter prefix of ids of this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            UniqueIdKind::User => "AIDA",
            UniqueIdKind::Group => "AGPA",
            UniqueIdKind::Role => "AROA",
            UniqueIdKind::Policy => "ANPA",
            UniqueIdKind::InstanceProfile => "AIPA",
            UniqueIdKind::AccessKey => "AKIA",
            UniqueIdKind::TemporaryAccessKey => "ASIA",
        }
    }

    /// Returns the total length of ids of this kind, prefix included.
    ///
    /// NOTE: AWS's entity ids (such as `AIDAJQABLZS4A3QDU576Q`) are 21 characters, but its
    /// access key ids (such as `AKIAIOSFODNN7EXAMPLE`) are 20, and SDKs and tools that
    /// recognise keys by shape expect 20.
    pub fn length(self) -> usize {
        match self {
            UniqueIdKind::AccessKey | UniqueIdKind::TemporaryAccessKey => 20,
            _ => 21,
        }
    }
}

/// A unique id such as `AIDAJQABLZS4A3QDU576Q`: a kind prefix followed by upper-case letters
/// and digits.
///
/// Unlike a name, a unique id is never reused: a user deleted and created again under the same
/// name gets a new id, so policies and logs that name the id do not match the new user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UniqueId {
    kind: UniqueIdKind,
    value: String,
}

impl UniqueId {
    /// Draws a new id of `kind` from `random`.
    ///
    /// The characters after the prefix come from the RFC 4648 base32 alphabet (`A`-`Z`,
    /// `2`-`7`), the characters AWS's own ids use, each from five random bits, so every
    /// character is equally likely.
    pub fn generate(kind: UniqueIdKind, random: &dyn RandomSource) -> Self {
        let mut bytes = vec![0_u8; kind.length() - kind.prefix().len()];
        random.fill(&mut bytes);

        let mut value = String::with_capacity(kind.length());
        value.push_str(kind.prefix());
        value.extend(bytes.iter().map(|byte| base32_character(byte & 0x1f)));
        Self { kind, value }
    }

    /// Returns the kind, read from the prefix.
    pub fn kind(&self) -> UniqueIdKind {
        self.kind
    }

    /// Returns the id as text.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Checks that the id is of `kind`, for constructors that take an id drawn by the caller.
    pub(crate) fn check_kind(&self, kind: UniqueIdKind) -> Result<(), ModelError> {
        if self.kind != kind {
            return Err(ModelError::InvalidUniqueId {
                value: self.value.clone(),
                reason: "wrong prefix for this kind of entity",
            });
        }
        Ok(())
    }
}

impl FromStr for UniqueId {
    type Err = ModelError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| ModelError::InvalidUniqueId {
            value: shorten(value),
            reason,
        };
        let kind = UniqueIdKind::ALL
            .into_iter()
            .find(|kind| value.starts_with(kind.prefix()))
            .ok_or_else(|| invalid("unknown prefix"))?;
        if value.len() != kind.length() {
            return Err(invalid("wrong length for its prefix"));
        }
        let is_upper_alphanumeric = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
        if !value.chars().all(is_upper_alphanumeric) {
            return Err(invalid("expected only upper-case letters and digits"));
        }
        Ok(Self {
            kind,
            value: value.to_owned(),
        })
    }
}

impl TryFrom<String> for UniqueId {
    type Error = ModelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<UniqueId> for String {
    fn from(id: UniqueId) -> Self {
        id.value
    }
}

impl fmt::Display for UniqueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// Maps a value in `0..32` to its RFC 4648 base32 character.
fn base32_character(value: u8) -> char {
    if value < 26 {
        char::from(b'A' + value)
    } else {
        char::from(b'2' + (value - 26))
    }
}

#[cfg(test)]
mod tests;
