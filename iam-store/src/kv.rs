//! The ordered key/value engine under the generic store, and its two built-in engines.
//!
//! An engine stores byte keys in lexicographic order and applies a batch of writes atomically
//! after checking that nothing the transaction read has changed (optimistic concurrency). The
//! generic store in [`crate::KvStore`] builds every IAM rule on these few calls, so an ordered
//! key/value database such as etcd or FoundationDB needs only this trait.

mod memory;
mod sled;

use async_trait::async_trait;

pub use memory::MemoryEngine;
pub use sled::{SledEngine, SledOptions};

use crate::StoreError;

/// A store-wide revision: the number of committed write transactions.
///
/// It increases by one with every commit. Every value carries the revision of the commit that
/// last wrote it, which is what transactions validate against.
pub type Revision = u64;

/// A value as an engine stores it: the revision that wrote it and the opaque payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// The revision of the commit that wrote this value.
    pub revision: Revision,
    /// The bytes the store wrote.
    pub payload: Vec<u8>,
}

/// One read of a transaction, checked again at commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadCheck {
    /// A point read of `key`, which had `revision` (`None` when the key was absent).
    Key {
        /// The key read.
        key: Vec<u8>,
        /// The revision seen, or `None` for a missing key.
        revision: Option<Revision>,
    },
    /// A range read: the keys in `start..end`, at most `limit` of them, with their revisions.
    Range {
        /// The first key of the range, inclusive.
        start: Vec<u8>,
        /// The end of the range, exclusive.
        end: Vec<u8>,
        /// The maximum number of entries returned, if any.
        limit: Option<usize>,
        /// The keys seen, in order, with their revisions.
        entries: Vec<(Vec<u8>, Revision)>,
    },
}

/// The writes of a transaction together with the reads they depend on.
#[derive(Debug, Clone, Default)]
pub struct CommitRequest {
    /// Reads that must still return the same revisions when the writes are applied.
    pub reads: Vec<ReadCheck>,
    /// Keys to set (`Some`) or remove (`None`). The store's transactions list each key once.
    pub writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// The engine's [`KvEngine::read_epoch`] taken before the first of `reads`, if any.
    pub read_epoch: Option<u64>,
}

/// An ordered key/value engine with optimistic transactions.
///
/// Keys that start with byte `0x00` are reserved for the engine's own records, such as its
/// revision counter; the store never reads or writes them.
///
/// Reads go straight to the engine. [`KvEngine::commit`] must check every [`ReadCheck`] and
/// apply every write as one atomic step: no reader sees part of it and no crash leaves part of
/// it behind.
#[async_trait]
pub trait KvEngine: Send + Sync + 'static {
    /// Reads one key.
    ///
    /// # Errors
    ///
    /// Fails when the engine cannot read, or the stored value lacks a revision stamp.
    fn get(&self, key: &[u8]) -> Result<Option<Stamped>, StoreError>;

    /// Reads one key and passes its revision and payload to `read`, returning whether the key
    /// exists. Engines that can lend the stored bytes override this to skip a copy.
    ///
    /// # Errors
    ///
    /// Fails when the engine cannot read, or the stored value lacks a revision stamp.
    fn read_with(
        &self,
        key: &[u8],
        read: &mut dyn FnMut(Revision, &[u8]),
    ) -> Result<bool, StoreError> {
        let Some(stamped) = self.get(key)? else {
            return Ok(false);
        };
        read(stamped.revision, &stamped.payload);
        Ok(true)
    }

    /// Reads the keys in `start..end` in ascending order, at most `limit` of them.
    ///
    /// # Errors
    ///
    /// Fails when the engine cannot read.
    fn range(
        &self,
        start: &[u8],
        end: &[u8],
        limit: Option<usize>,
    ) -> Result<Vec<(Vec<u8>, Stamped)>, StoreError>;

    /// Validates the reads of `request` and, when none changed, applies its writes stamped with
    /// the next revision and returns once they are durable.
    ///
    /// Returns the new revision, or `None` when a read changed. That is a conflict, and the
    /// caller runs its transaction again. An engine that keeps data in memory only returns as
    /// soon as the writes are applied.
    ///
    /// # Errors
    ///
    /// Fails when the engine cannot write or cannot make the writes durable, for example on a
    /// failed flush.
    async fn commit(&self, request: CommitRequest) -> Result<Option<Revision>, StoreError>;

    /// Checks that every read in `reads` still holds, atomically with respect to commits.
    ///
    /// # Errors
    ///
    /// Fails when the engine cannot read.
    fn validate(&self, reads: &[ReadCheck]) -> Result<bool, StoreError>;

    /// Returns a sequence number that changes whenever a commit is applied, and is odd while
    /// one is being applied.
    ///
    /// Read-only transactions compare it before and after their reads: an equal, even number
    /// proves that they saw one consistent state without taking a lock.
    fn sequence(&self) -> u64;

    /// Returns the revision of the last commit.
    fn revision(&self) -> Revision;

    /// Returns the read epoch, which a transaction takes before its first read and passes on
    /// in [`CommitRequest::read_epoch`].
    ///
    /// An engine that moves values between places, such as from its staged writes to its
    /// stored ones, changes the epoch when it moves some. While the epoch stays the same, a
    /// commit may trust a key's revision without reading the key again. The default `None`
    /// makes every commit read its keys again.
    fn read_epoch(&self) -> Option<u64> {
        None
    }
}

/// Returns whether a range read now returns the same keys at the same revisions as `seen`.
pub(crate) fn same_entries(now: &[(Vec<u8>, Stamped)], seen: &[(Vec<u8>, Revision)]) -> bool {
    now.len() == seen.len()
        && now
            .iter()
            .zip(seen)
            .all(|((key, value), (seen_key, seen_revision))| {
                key == seen_key && value.revision == *seen_revision
            })
}

/// Length of the revision stamp that prefixes every stored value.
pub(crate) const STAMP_LEN: usize = 8;

/// Encodes a payload with its revision stamp, as both built-in engines store values.
pub(crate) fn stamp(revision: Revision, payload: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(STAMP_LEN + payload.len());
    value.extend_from_slice(&revision.to_be_bytes());
    value.extend_from_slice(payload);
    value
}

/// Splits a stored value into its revision stamp and a view of its payload.
pub(crate) fn split_stamp(value: &[u8]) -> Result<(Revision, &[u8]), StoreError> {
    let Some((revision, payload)) = value.split_first_chunk::<STAMP_LEN>() else {
        return Err(StoreError::corrupt(format_args!(
            "stored value of {} bytes is shorter than its revision stamp",
            value.len()
        )));
    };
    Ok((u64::from_be_bytes(*revision), payload))
}

/// Splits a stored value into its revision stamp and payload.
pub(crate) fn unstamp(value: &[u8]) -> Result<Stamped, StoreError> {
    let (revision, payload) = split_stamp(value)?;
    Ok(Stamped {
        revision,
        payload: payload.to_vec(),
    })
}
