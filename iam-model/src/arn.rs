//! Amazon Resource Names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::shorten;
use crate::{ModelError, Partition};

/// An Amazon Resource Name: `arn:partition:service:region:account:resource`.
///
/// The account field is kept as text because AWS writes more than account ids there: `aws` in
/// the ARNs of AWS managed policies, and nothing at all for global resources such as S3 buckets.
/// The resource keeps every `/` and `:` it contains.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Arn {
    partition: Partition,
    service: String,
    region: String,
    account: String,
    resource: String,
}

impl Arn {
    /// The maximum length of an ARN, in characters, as AWS's API models bound ARN parameters.
    pub const MAX_LEN: usize = 2048;

    /// Builds an ARN from its parts.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidArn`] if the service or resource is empty, the service, region or
    /// account contains `:`, or the ARN is longer than [`Arn::MAX_LEN`]. Each of these would
    /// print as text that does not parse back to the same ARN.
    pub fn new(
        partition: Partition,
        service: impl Into<String>,
        region: impl Into<String>,
        account: impl Into<String>,
        resource: impl Into<String>,
    ) -> Result<Self, ModelError> {
        let arn = Self::from_parts(
            partition,
            service.into(),
            region.into(),
            account.into(),
            resource.into(),
        );
        let invalid = |reason| ModelError::InvalidArn {
            value: shorten(&arn.to_string()),
            reason,
        };
        if arn.service.is_empty() {
            return Err(invalid("the service is empty"));
        }
        if arn.resource.is_empty() {
            return Err(invalid("the resource is empty"));
        }
        let has_colon = [&arn.service, &arn.region, &arn.account]
            .iter()
            .any(|field| field.bytes().any(|byte| byte == b':'));
        if has_colon {
            return Err(invalid(
                "the service, region and account must not contain `:`",
            ));
        }
        // The text has at least as many bytes as characters, so only a long one needs counting.
        let fields = [&arn.service, &arn.region, &arn.account, &arn.resource];
        let text_len = "arn:".len()
            + arn.partition.as_str().len()
            + fields.iter().map(|field| field.len() + 1).sum::<usize>();
        if text_len > Self::MAX_LEN && arn.to_string().chars().count() > Self::MAX_LEN {
            return Err(invalid("longer than 2048 characters"));
        }
        Ok(arn)
    }

    /// Builds an ARN from parts the caller has already checked: a non-empty service and
    /// resource, and no `:` in the service, region or account.
    pub(crate) fn from_parts(
        partition: Partition,
        service: String,
        region: String,
        account: String,
        resource: String,
    ) -> Self {
        Self {
            partition,
            service,
            region,
            account,
            resource,
        }
    }

    /// The partition, such as `aws`.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The service namespace, such as `iam` or `sts`.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The region, empty for global services such as IAM.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account field: an account id, `aws`, or empty.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The resource part: everything after the fifth colon.
    pub fn resource(&self) -> &str {
        &self.resource
    }
}

impl FromStr for Arn {
    type Err = ModelError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| ModelError::InvalidArn {
            value: shorten(value),
            reason,
        };
        // A string has at least as many bytes as characters, so only a long one needs counting.
        if value.len() > Self::MAX_LEN && value.chars().count() > Self::MAX_LEN {
            return Err(invalid("longer than 2048 characters"));
        }
        let mut parts = value.splitn(6, ':');
        if parts.next() != Some("arn") {
            return Err(invalid("expected the prefix `arn:`"));
        }
        let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(invalid("expected six colon-separated fields"));
        };
        let partition = partition
            .parse()
            .map_err(|_| invalid("unknown partition"))?;
        if service.is_empty() {
            return Err(invalid("the service is empty"));
        }
        if resource.is_empty() {
            return Err(invalid("the resource is empty"));
        }
        Ok(Self::from_parts(
            partition,
            service.to_owned(),
            region.to_owned(),
            account.to_owned(),
            resource.to_owned(),
        ))
    }
}

impl TryFrom<String> for Arn {
    type Error = ModelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Arn> for String {
    fn from(arn: Arn) -> Self {
        arn.to_string()
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}
