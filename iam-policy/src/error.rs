//! The error type of the policy crate.

use crate::finding::Finding;

/// A policy document that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A document longer than the parser accepts, before any quota applies.
    #[error("policy document of `{len}` bytes is longer than the maximum of `{max}` bytes")]
    DocumentTooLarge {
        /// The document's length in bytes.
        len: usize,
        /// The maximum accepted.
        max: usize,
    },
    /// A document that breaks the JSON grammar or a rule of the policy language; AWS reports
    /// these as `MalformedPolicyDocument`.
    #[error("malformed policy document: {0}")]
    Malformed(Box<Finding>),
    /// A document larger than the size quota of its kind; AWS reports this as `LimitExceeded`.
    #[error("policy size of `{size}` characters exceeds the quota of `{quota}` characters")]
    SizeQuotaExceeded {
        /// The size as AWS counts it for this kind of policy.
        size: usize,
        /// The quota.
        quota: usize,
    },
    /// A request principal that is neither an IAM or STS principal ARN, a service principal
    /// nor `*`.
    #[error("invalid principal `{value}`: {reason}")]
    InvalidPrincipal {
        /// The text that failed to parse.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// A scenario file that does not follow its format.
    #[error("invalid scenario `{name}`: {reason}")]
    InvalidScenario {
        /// The case or file concerned.
        name: String,
        /// What is wrong, with the offending value.
        reason: String,
    },
}

impl From<Finding> for PolicyError {
    fn from(finding: Finding) -> Self {
        PolicyError::Malformed(Box::new(finding))
    }
}
