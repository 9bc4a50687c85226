//! The error type of the store.

use iam_model::Quota;

use crate::EntityKind;

/// A failed store operation.
///
/// The server maps each variant to an AWS error code: [`StoreError::NoSuchEntity`] to
/// `NoSuchEntity`, [`StoreError::EntityAlreadyExists`] to `EntityAlreadyExists`,
/// [`StoreError::DeleteConflict`] to `DeleteConflict`, [`StoreError::LimitExceeded`] to
/// `LimitExceeded`, [`StoreError::InvalidInput`] to `InvalidInput`, and the rest to
/// `ServiceFailure`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named entity does not exist in the account.
    #[error("{kind} `{name}` not found")]
    NoSuchEntity {
        /// The kind of entity looked up.
        kind: EntityKind,
        /// Its name, id or ARN as the caller gave it.
        name: String,
    },
    /// An entity of the same kind already has this name in the account, ignoring case.
    #[error("{kind} `{name}` already exists")]
    EntityAlreadyExists {
        /// The kind of entity being created.
        kind: EntityKind,
        /// The name that is taken.
        name: String,
    },
    /// The entity cannot be deleted while something still refers to it.
    #[error("cannot delete {kind} `{name}`: {reason}")]
    DeleteConflict {
        /// The kind of entity being deleted.
        kind: EntityKind,
        /// Its name.
        name: String,
        /// What must be removed first.
        reason: String,
    },
    /// The change would exceed one of the account's quotas.
    #[error("limit exceeded: quota {quota} is {limit}")]
    LimitExceeded {
        /// The quota.
        quota: Quota,
        /// Its value.
        limit: u32,
    },
    /// A request parameter the store checks itself, such as a pagination marker, is invalid.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The record changed since the caller read it.
    #[error("{kind} `{name}` is at revision {actual}, expected {expected}")]
    RevisionMismatch {
        /// The kind of entity being changed.
        kind: EntityKind,
        /// Its name.
        name: String,
        /// The revision the caller read.
        expected: u64,
        /// The revision stored now.
        actual: u64,
    },
    /// A transaction kept conflicting with concurrent writers and was given up.
    #[error("transaction gave up after {attempts} conflicting attempts")]
    Contention {
        /// How many times the transaction ran.
        attempts: u32,
    },
    /// The data on disk was written by a format this build cannot read.
    #[error(
        "unsupported store format version {found}, this build reads versions up to {supported}"
    )]
    UnsupportedFormat {
        /// The version found in the data.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A stored record or an export file could not be decoded.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// An import was attempted into a store that already holds data.
    #[error("cannot import into a store that already holds data, expected an empty store")]
    ImportIntoNonEmpty,
    /// Reading or writing an export file failed.
    #[error("export file I/O failed")]
    Io(#[from] std::io::Error),
    /// The storage engine failed, for example on a disk error.
    #[error("storage engine failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps an engine error.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(error))
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}
