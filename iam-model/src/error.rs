//! The error type of the domain model.

/// A value that breaks one of AWS's rules for a domain type.
///
/// Each variant names the field or type and carries the offending value, so a caller can build
/// the client-facing message without re-reading the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// An account id that is not exactly 12 ASCII digits.
    #[error("invalid account id `{0}`, expected 12 digits")]
    InvalidAccountId(String),
    /// A partition name other than `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`,
    /// `aws-iso-e` or `aws-iso-f`.
    #[error("unknown partition `{0}`")]
    UnknownPartition(String),
    /// A string that is not of the form `arn:partition:service:region:account:resource`.
    #[error("invalid ARN `{value}`: {reason}")]
    InvalidArn {
        /// The text that failed to parse.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A string that is not a unique id of a known kind.
    #[error("invalid unique id `{value}`: {reason}")]
    InvalidUniqueId {
        /// The text that failed to parse.
        value: String,
        /// The rule the text breaks.
        reason: &'static str,
    },
    /// A policy version id that is not `v` followed by a positive number.
    #[error("invalid policy version id `{0}`, expected `v1`, `v2`, ...")]
    InvalidPolicyVersionId(String),
    /// An access key status other than `Active` or `Inactive`.
    #[error("invalid access key status `{0}`, expected `Active` or `Inactive`")]
    InvalidAccessKeyStatus(String),
}
