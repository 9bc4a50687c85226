//! An engine that keeps everything in memory, for tests and embedding.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use async_trait::async_trait;

use super::{CommitRequest, KvEngine, ReadCheck, Revision, Stamped, same_entries};
use crate::StoreError;

/// An in-memory engine: a sorted map behind a read/write lock.
///
/// Commits take the write lock, so they are atomic to readers. Nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryEngine {
    state: RwLock<State>,
    sequence: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    entries: BTreeMap<Vec<u8>, Stamped>,
    revision: Revision,
}

impl MemoryEngine {
    /// Creates an empty engine.
    pub fn new() -> Self {
        Self::default()
    }

    /// Commits `request` as [`KvEngine::commit`] does, without an `async` caller.
    pub(crate) fn commit_now(&self, request: CommitRequest) -> Option<Revision> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if !state.holds(&request.reads) {
            return None;
        }

        let revision = state.revision + 1;
        self.sequence.fetch_add(1, Ordering::AcqRel);
        for (key, value) in request.writes {
            match value {
                Some(payload) => {
                    state.entries.insert(key, Stamped { revision, payload });
                }
                None => {
                    state.entries.remove(&key);
                }
            }
        }
        state.revision = revision;
        self.sequence.fetch_add(1, Ordering::AcqRel);
        Some(revision)
    }
}

impl State {
    fn range(&self, start: &[u8], end: &[u8], limit: Option<usize>) -> Vec<(Vec<u8>, Stamped)> {
        if start >= end {
            return Vec::new();
        }
        let bounds = (Bound::Included(start), Bound::Excluded(end));
        self.entries
            .range::<[u8], _>(bounds)
            .take(limit.unwrap_or(usize::MAX))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }

    fn holds(&self, reads: &[ReadCheck]) -> bool {
        reads.iter().all(|read| match read {
            ReadCheck::Key { key, revision } => {
                self.entries.get(key).map(|value| value.revision) == *revision
            }
            ReadCheck::Range {
                start,
                end,
                limit,
                entries,
            } => same_entries(&self.range(start, end, *limit), entries),
        })
    }
}

#[async_trait]
impl KvEngine for MemoryEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Stamped>, StoreError> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        Ok(state.entries.get(key).cloned())
    }

    fn range(
        &self,
        start: &[u8],
        end: &[u8],
        limit: Option<usize>,
    ) -> Result<Vec<(Vec<u8>, Stamped)>, StoreError> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        Ok(state.range(start, end, limit))
    }

    async fn commit(&self, request: CommitRequest) -> Result<Option<Revision>, StoreError> {
        Ok(self.commit_now(request))
    }

    fn validate(&self, reads: &[ReadCheck]) -> Result<bool, StoreError> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        Ok(state.holds(reads))
    }

    fn sequence(&self) -> u64 {
        self.sequence.load(Ordering::Acquire)
    }

    fn revision(&self) -> Revision {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .revision
    }
}
