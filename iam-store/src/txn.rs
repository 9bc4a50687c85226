//! Optimistic transactions over a [`KvEngine`], retried on conflict.
//!
//! A transaction body reads through [`Txn`], which records what it saw, and buffers its writes.
//! At the end the engine applies the writes only if every read still holds; otherwise the body
//! runs again. The body therefore must only read and write through the `Txn`: no clock reads,
//! random draws, channel sends or logging, because any of them may happen several times for one
//! committed change.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::Serialize;
use serde::de::DeserializeOwned;

use iam_model::AccountId;

use crate::kv::{CommitRequest, KvEngine, ReadCheck, Revision, Stamped};
use crate::{Identity, StoreError};

/// How many times a transaction runs before it gives up with [`StoreError::Contention`].
///
/// NOTE: Conflicts need another commit between a body's first read and its commit, a window
/// of microseconds because bodies never await, so reaching this bound means a livelock.
const MAX_ATTEMPTS: u32 = 64;

/// A key and its payload, as ranges return them.
pub(crate) type Entry = (Vec<u8>, Vec<u8>);

/// The reads and buffered writes of one run of a transaction body.
pub(crate) struct Txn<'engine> {
    engine: &'engine dyn KvEngine,
    reads: Vec<ReadCheck>,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    changes: Vec<(AccountId, Identity)>,
}

/// The result of a committed transaction, with the revision of its writes.
pub(crate) struct Committed<T> {
    /// The body's result.
    pub(crate) value: T,
    /// The revision of the commit, or `None` when the body wrote nothing.
    pub(crate) revision: Option<Revision>,
    /// The identities the commit changed, for the change feed.
    pub(crate) changes: Vec<(AccountId, Identity)>,
}

impl<'engine> Txn<'engine> {
    fn new(engine: &'engine dyn KvEngine) -> Self {
        Self {
            engine,
            reads: Vec::new(),
            writes: BTreeMap::new(),
            changes: Vec::new(),
        }
    }

    /// Records that `identity` changed, for the change feed after the commit.
    pub(crate) fn changed(&mut self, account: AccountId, identity: Identity) {
        if !self.changes.contains(&(account, identity.clone())) {
            self.changes.push((account, identity));
        }
    }

    /// Reads the payload at `key`, seeing this transaction's own writes.
    pub(crate) fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get_stamped(key)?.map(|stamped| stamped.payload))
    }

    /// Reads the payload at `key` with its revision; a value written by this transaction has
    /// the revision `0` until it commits.
    pub(crate) fn get_stamped(&mut self, key: &[u8]) -> Result<Option<Stamped>, StoreError> {
        if let Some(written) = self.writes.get(key) {
            return Ok(written.as_ref().map(|payload| Stamped {
                revision: 0,
                payload: payload.clone(),
            }));
        }
        let stamped = self.engine.get(key)?;
        self.reads.push(ReadCheck::Key {
            key: key.to_vec(),
            revision: stamped.as_ref().map(|value| value.revision),
        });
        Ok(stamped)
    }

    /// Reads the entries in `start..end` in key order, at most `limit`, seeing this
    /// transaction's own writes.
    pub(crate) fn range(
        &mut self,
        start: &[u8],
        end: &[u8],
        limit: Option<usize>,
    ) -> Result<Vec<Entry>, StoreError> {
        let bounds = (Bound::Included(start), Bound::Excluded(end));
        let own_writes_inside =
            start < end && self.writes.range::<[u8], _>(bounds).next().is_some();
        // A deletion of our own could push an unread entry into the limit, so read all.
        let engine_limit = if own_writes_inside { None } else { limit };
        let stored = self.engine.range(start, end, engine_limit)?;
        self.reads.push(ReadCheck::Range {
            start: start.to_vec(),
            end: end.to_vec(),
            limit: engine_limit,
            entries: stored
                .iter()
                .map(|(key, value)| (key.clone(), value.revision))
                .collect(),
        });

        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> = stored
            .into_iter()
            .map(|(key, value)| (key, value.payload))
            .collect();
        if own_writes_inside {
            for (key, value) in self.writes.range::<[u8], _>(bounds) {
                match value {
                    Some(payload) => merged.insert(key.clone(), payload.clone()),
                    None => merged.remove(key),
                };
            }
        }
        Ok(merged
            .into_iter()
            .take(limit.unwrap_or(usize::MAX))
            .collect())
    }

    /// Reads every entry whose key starts with `prefix`.
    pub(crate) fn prefix(&mut self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        let end = prefix_end(prefix);
        self.range(prefix, &end, None)
    }

    /// Buffers a write of `payload` at `key`.
    pub(crate) fn put(&mut self, key: Vec<u8>, payload: Vec<u8>) {
        self.writes.insert(key, Some(payload));
    }

    /// Buffers the removal of `key`.
    pub(crate) fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    /// Reads and decodes the JSON record at `key`.
    pub(crate) fn get_json<T: DeserializeOwned>(
        &mut self,
        key: &[u8],
    ) -> Result<Option<T>, StoreError> {
        self.get(key)?.map(|payload| decode(&payload)).transpose()
    }

    /// Buffers a write of `record` encoded as JSON.
    pub(crate) fn put_json<T: Serialize>(
        &mut self,
        key: Vec<u8>,
        record: &T,
    ) -> Result<(), StoreError> {
        let payload = encode(record)?;
        self.put(key, payload);
        Ok(())
    }
}

/// Runs `body` until it commits or fails on a state that did not change under it, and returns
/// once the commit is durable.
///
/// A body that writes nothing is checked for a consistent view instead: the engine's sequence
/// number must not have moved, or its reads must still hold.
pub(crate) async fn run<T>(
    engine: &dyn KvEngine,
    mut body: impl FnMut(&mut Txn<'_>) -> Result<T, StoreError>,
) -> Result<Committed<T>, StoreError> {
    for _ in 0..MAX_ATTEMPTS {
        let (value, request, changes) = match attempt(engine, &mut body)? {
            Attempt::Consistent(outcome) => {
                return outcome.map(|value| Committed {
                    value,
                    revision: None,
                    changes: Vec::new(),
                });
            }
            Attempt::Inconsistent => continue,
            Attempt::Writes {
                value,
                request,
                changes,
            } => (value, request, changes),
        };
        if let Some(revision) = engine.commit(request).await? {
            return Ok(Committed {
                value,
                revision: Some(revision),
                changes,
            });
        }
    }
    Err(StoreError::Contention {
        attempts: MAX_ATTEMPTS,
    })
}

/// Runs a `body` that only reads until it reads one consistent state, and returns its result.
///
/// # Errors
///
/// Besides the body's own errors, fails with [`StoreError::Contention`] when commits keep
/// changing what it reads, and with [`StoreError::Backend`] when it buffered writes, which
/// only [`run`] commits.
pub(crate) fn run_read<T>(
    engine: &dyn KvEngine,
    mut body: impl FnMut(&mut Txn<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    for _ in 0..MAX_ATTEMPTS {
        match attempt(engine, &mut body)? {
            Attempt::Consistent(outcome) => return outcome,
            Attempt::Inconsistent => {}
            Attempt::Writes { .. } => {
                return Err(StoreError::backend(std::io::Error::other(
                    "a read-only transaction buffered writes, which only a write transaction commits",
                )));
            }
        }
    }
    Err(StoreError::Contention {
        attempts: MAX_ATTEMPTS,
    })
}

/// The result of one run of a transaction body.
enum Attempt<T> {
    /// The body wrote nothing, or failed, and saw one consistent state.
    Consistent(Result<T, StoreError>),
    /// The body wrote nothing, or failed, but a commit changed what it read meanwhile.
    Inconsistent,
    /// The body succeeded with writes, which commit only if its reads still hold.
    Writes {
        value: T,
        request: CommitRequest,
        changes: Vec<(AccountId, Identity)>,
    },
}

/// Runs `body` once and sorts its result into an [`Attempt`].
fn attempt<T>(
    engine: &dyn KvEngine,
    body: &mut impl FnMut(&mut Txn<'_>) -> Result<T, StoreError>,
) -> Result<Attempt<T>, StoreError> {
    let sequence = engine.sequence();
    let read_epoch = engine.read_epoch();
    let mut txn = Txn::new(engine);
    let value = match body(&mut txn) {
        Ok(value) if !txn.writes.is_empty() => value,
        // A failed body's writes are dropped, so it only needs a consistent view like a read.
        outcome => {
            let unchanged = sequence.is_multiple_of(2) && engine.sequence() == sequence;
            if unchanged || engine.validate(&txn.reads)? {
                return Ok(Attempt::Consistent(outcome));
            }
            return Ok(Attempt::Inconsistent);
        }
    };
    Ok(Attempt::Writes {
        value,
        request: CommitRequest {
            reads: txn.reads,
            writes: txn.writes.into_iter().collect(),
            read_epoch,
        },
        changes: txn.changes,
    })
}

/// Encodes a record as JSON.
pub(crate) fn encode<T: Serialize>(record: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(record)
        .map_err(|error| StoreError::corrupt(format_args!("cannot encode record: {error}")))
}

/// Decodes a JSON record.
pub(crate) fn decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(payload)
        .map_err(|error| StoreError::corrupt(format_args!("cannot decode record: {error}")))
}

/// Returns the smallest key greater than every key that starts with `prefix`.
pub(crate) fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return end;
        }
    }
    // Every byte was 0xFF: no finite key bounds the prefix, so use a key above all real ones.
    vec![u8::MAX; prefix.len() + 1]
}

#[cfg(test)]
mod tests;
