//! Account ids and partitions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::error::shorten;

/// A 12-digit AWS account id, such as `111122223333`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId([u8; 12]);

impl AccountId {
    /// Returns the id as text.
    pub fn as_str(&self) -> &str {
        // INVARIANT (ascii digits): the constructor accepts only ASCII digits.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for AccountId {
    type Err = ModelError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let bytes: [u8; 12] = value
            .as_bytes()
            .try_into()
            .map_err(|_| ModelError::InvalidAccountId(shorten(value)))?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(ModelError::InvalidAccountId(shorten(value)));
        }
        Ok(Self(bytes))
    }
}

impl TryFrom<String> for AccountId {
    type Error = ModelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<AccountId> for String {
    fn from(id: AccountId) -> Self {
        id.as_str().to_owned()
    }
}

impl fmt::Debug for AccountId {
    /// Prints the id as text, `AccountId("111122223333")`, rather than as its bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AccountId").field(&self.as_str()).finish()
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An AWS partition: a group of regions with its own ARN prefix.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum Partition {
    /// The commercial partition, `aws`.
    #[default]
    Aws,
    /// The China partition, `aws-cn`.
    AwsCn,
    /// AWS GovCloud (US), `aws-us-gov`.
    AwsUsGov,
    /// `aws-iso`.
    AwsIso,
    /// `aws-iso-b`.
    AwsIsoB,
    /// `aws-iso-e`.
    AwsIsoE,
    /// `aws-iso-f`.
    AwsIsoF,
}

impl Partition {
    /// Every partition, in the order AWS lists them.
    pub const ALL: [Partition; 7] = [
        Partition::Aws,
        Partition::AwsCn,
        Partition::AwsUsGov,
        Partition::AwsIso,
        Partition::AwsIsoB,
        Partition::AwsIsoE,
        Partition::AwsIsoF,
    ];

    /// Returns the partition's name as it appears in ARNs.
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsIso => "aws-iso",
            Partition::AwsIsoB => "aws-iso-b",
            Partition::AwsIsoE => "aws-iso-e",
            Partition::AwsIsoF => "aws-iso-f",
        }
    }
}

impl FromStr for Partition {
    type Err = ModelError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Partition::ALL
            .into_iter()
            .find(|partition| partition.as_str() == value)
            .ok_or_else(|| ModelError::UnknownPartition(shorten(value)))
    }
}

impl TryFrom<String> for Partition {
    type Error = ModelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Partition> for String {
    fn from(partition: Partition) -> Self {
        partition.as_str().to_owned()
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An AWS account as IAM stores it: its id, its alias and its password policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    /// The 12-digit account id.
    pub id: AccountId,
    /// The account alias, such as `example-corp`: 3 to 63 lower-case letters, digits and single
    /// hyphens, used in the console sign-in URL. An account has at most one.
    pub alias: Option<String>,
    /// The password policy, or `None` when the account never set one.
    pub password_policy: Option<crate::PasswordPolicy>,
}
