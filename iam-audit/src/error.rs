//! The error type of the audit trail.

use std::path::PathBuf;

/// A failure to write, read or configure the audit trail.
///
/// A write failure is returned to the caller of the append, which must then refuse the change
/// it was about to acknowledge.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A file system call on the trail failed.
    #[error("failed to {action} `{path}`: {source}")]
    Io {
        /// The operation that failed, such as `sync`.
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An earlier write or sync failed, so the trail accepts no more records until it is
    /// opened again, because the state of the unsynced tail on disk is unknown.
    #[error("audit trail is unavailable after a failed write: {reason}")]
    Unavailable {
        /// The first failure, as text so that every waiting writer can receive it.
        reason: String,
    },
    /// A configuration value outside its allowed range.
    #[error("invalid audit trail configuration: {0}")]
    InvalidConfig(String),
    /// A stored record that cannot be read, found where cutting it would lose records
    /// that were already acknowledged.
    #[error("corrupt audit segment `{path}` at line {line}: {reason}")]
    Corrupt {
        /// The segment file.
        path: PathBuf,
        /// The 1-based line number of the record.
        line: u64,
        /// The problem with the record.
        reason: String,
    },
    /// An event that could not be encoded as JSON.
    #[error("failed to encode audit event: {0}")]
    Encode(#[source] serde_json::Error),
    /// An encoded event that could not be decoded again.
    #[error("failed to decode audit event: {0}")]
    Decode(#[source] serde_json::Error),
    /// An event whose encoding exceeds the per-event maximum.
    #[error("audit event of `{size}` bytes exceeds the maximum of `{max}` bytes")]
    EventTooLarge {
        /// The encoded size.
        size: usize,
        /// The maximum encoded size.
        max: usize,
    },
    /// A pagination token that this trail did not issue.
    #[error("invalid page token `{0}`, expected a token returned by an earlier query")]
    InvalidPageToken(String),
    /// A query value outside its allowed range.
    #[error("invalid audit query: {0}")]
    InvalidQuery(String),
    /// An anchor digest whose signature does not verify with any of the given keys.
    #[error("anchor digest of `{count}` records does not verify with the given public keys")]
    InvalidAnchor {
        /// The record count the anchor claims.
        count: u64,
    },
    /// A public key that is not 32 bytes of Ed25519 key in hexadecimal.
    #[error("invalid public key `{0}`, expected 64 hexadecimal digits")]
    InvalidPublicKey(String),
}

impl AuditError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
