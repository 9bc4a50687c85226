//! The error type of the domain model.

/// A value that breaks one of AWS's rules for a domain type.
///
/// Each variant names the field or type and carries the offending value, so a caller can build
/// the client-facing message without re-reading the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// An account id that is not exactly 12 ASCII digits. The value is shortened to 256
    /// characters.
    #[error("invalid account id `{0}`, expected 12 digits")]
    InvalidAccountId(String),
    /// A partition name other than `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`,
    /// `aws-iso-e` or `aws-iso-f`. The value is shortened to 256 characters.
    #[error("unknown partition `{0}`")]
    UnknownPartition(String),
    /// A string that is not of the form `arn:partition:service:region:account:resource`.
    #[error("invalid ARN `{value}`: {reason}")]
    InvalidArn {
        /// The text that failed to parse, shortened to 256 characters.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A string that is not a unique id of a known kind.
    #[error("invalid unique id `{value}`: {reason}")]
    InvalidUniqueId {
        /// The text that failed to parse, shortened to 256 characters.
        value: String,
        /// The rule the text breaks.
        reason: &'static str,
    },
    /// A policy version id that is not `v` followed by a positive number. The value is
    /// shortened to 256 characters.
    #[error("invalid policy version id `{0}`, expected `v1`, `v2`, ...")]
    InvalidPolicyVersionId(String),
    /// A policy version id that names no stored version of the policy.
    #[error("policy version `{0}` not found")]
    PolicyVersionNotFound(crate::PolicyVersionId),
    /// A request to delete the version in force, which a policy always keeps.
    #[error(
        "cannot delete the default policy version `{0}`, make another version the default first"
    )]
    DefaultPolicyVersionDeletion(crate::PolicyVersionId),
    /// An access key status other than `Active` or `Inactive`. The value is shortened to 256
    /// characters.
    #[error("invalid access key status `{0}`, expected `Active` or `Inactive`")]
    InvalidAccessKeyStatus(String),
    /// A field whose length in characters is outside AWS's bounds.
    #[error(
        "invalid {field} `{value}`: {length} characters, expected {}",
        length_range(*.min, *.max)
    )]
    InvalidLength {
        /// The AWS parameter name, such as `UserName`.
        field: &'static str,
        /// The offending value, shortened to 256 characters.
        value: String,
        /// The length of the full value, in characters.
        length: usize,
        /// The minimum length.
        min: usize,
        /// The maximum length.
        max: usize,
    },
    /// A field with a character outside its allowed set.
    #[error(
        "invalid {field} `{value}`: character {character:?} is not allowed, expected {expected}"
    )]
    InvalidCharacter {
        /// The AWS parameter name, such as `UserName`.
        field: &'static str,
        /// The offending value, shortened to 256 characters.
        value: String,
        /// The first character not in the allowed set.
        character: char,
        /// The allowed characters, in words.
        expected: &'static str,
    },
    /// A field whose characters are allowed but whose shape is not, such as a path without
    /// its closing `/`.
    #[error("invalid {field} `{value}`, expected {expected}")]
    InvalidFormat {
        /// The AWS parameter name, such as `Path`.
        field: &'static str,
        /// The offending value, shortened to 256 characters.
        value: String,
        /// The expected shape, in words.
        expected: &'static str,
    },
    /// A number outside AWS's bounds.
    #[error("invalid {field} `{value}`, expected {min} to {max}")]
    OutOfRange {
        /// The AWS parameter name, such as `MaxSessionDuration`.
        field: &'static str,
        /// The offending number.
        value: u64,
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A list with more members than AWS allows.
    #[error("too many {field}: {count}, expected at most {max}")]
    TooManyItems {
        /// The AWS parameter name, such as `Tags`.
        field: &'static str,
        /// The number of members given.
        count: usize,
        /// The maximum number of members.
        max: usize,
    },
    /// A password outside AWS's outer limits. The value is left out on purpose.
    #[error("invalid password: {0}")]
    InvalidPassword(&'static str),
    /// Two tags whose keys differ only in case, or not at all.
    #[error("duplicate tag key `{0}`, tag keys must be unique ignoring case")]
    DuplicateTagKey(String),
    /// A tag key that starts with the prefix AWS reserves, `aws:` in any case.
    #[error("invalid tag key `{0}`: the prefix `aws:` is reserved for AWS")]
    ReservedTagKey(String),
    /// An operation that would take the count or size of something past its quota.
    #[error("quota {quota} exceeded: {requested} requested, limit {limit}")]
    QuotaExceeded {
        /// The quota.
        quota: crate::Quota,
        /// The count or size the operation would reach.
        requested: u64,
        /// The quota's value.
        limit: u32,
    },
    /// A quota override above the highest value AWS lets an account request, or zero.
    #[error("invalid value `{value}` for quota {quota}, expected 1 to {max}")]
    InvalidQuota {
        /// The quota.
        quota: crate::Quota,
        /// The value given.
        value: u32,
        /// The highest value allowed.
        max: u32,
    },
}

/// The maximum length of a value repeated in an error message, in characters.
const ERROR_VALUE_MAX_CHARS: usize = 256;

/// Returns at most the first 256 characters of `value`, so an error never repeats a huge input.
pub fn shorten(value: &str) -> String {
    value.chars().take(ERROR_VALUE_MAX_CHARS).collect()
}

/// Formats an inclusive length range, or the one length when both ends are equal.
fn length_range(min: usize, max: usize) -> String {
    if min == max {
        format!("exactly {min}")
    } else {
        format!("{min} to {max}")
    }
}
