//! A bounded cache of decoded records, checked against the stored revision on every read.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::StoreError;
use crate::kv::Revision;

/// The bound on the encoded size of the cached records, in bytes.
const MAX_BYTES: usize = 16 << 20;

/// Decoded records by key, each with the revision it was decoded from.
///
/// A read passes the revision it found in the engine, and an entry serves only that revision.
/// Every commit gets a new [`Revision`], so a key never holds two different payloads at one
/// revision, and the cache needs no invalidation. When the encoded size of the entries would pass
/// [`MAX_BYTES`], the cache empties itself, which bounds its memory without tracking use.
#[derive(Default)]
pub(crate) struct RecordCache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<Box<[u8]>, Entry>,
    /// The sum of the entries' encoded sizes.
    bytes: usize,
}

struct Entry {
    revision: Revision,
    /// The length of the encoded record.
    size: usize,
    record: Arc<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for RecordCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("RecordCache")
            .field("entries", &state.entries.len())
            .field("bytes", &state.bytes)
            .finish()
    }
}

impl RecordCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns a copy of the record cached for `key` at `revision`, or decodes `payload` with
    /// `decode` and caches the result.
    ///
    /// # Errors
    ///
    /// Returns the error of `decode`.
    pub(crate) fn get_or_decode<T: Clone + Send + Sync + 'static>(
        &self,
        key: &[u8],
        revision: Revision,
        payload: &[u8],
        decode: impl FnOnce(&[u8]) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let cached = self
            .cached(key, revision)
            .and_then(|record| record.downcast::<T>().ok());
        if let Some(record) = cached {
            return Ok(T::clone(&record));
        }

        let record = decode(payload)?;
        self.insert(key, revision, payload.len(), Arc::new(record.clone()));
        Ok(record)
    }

    /// Returns the record cached for `key` at `revision`.
    fn cached(&self, key: &[u8], revision: Revision) -> Option<Arc<dyn Any + Send + Sync>> {
        let state = self.lock();
        let entry = state.entries.get(key)?;
        (entry.revision == revision).then(|| Arc::clone(&entry.record))
    }

    fn insert(
        &self,
        key: &[u8],
        revision: Revision,
        size: usize,
        record: Arc<dyn Any + Send + Sync>,
    ) {
        if size > MAX_BYTES {
            return;
        }
        let mut state = self.lock();
        if state.bytes.saturating_add(size) > MAX_BYTES {
            state.entries.clear();
            state.bytes = 0;
        }
        let entry = Entry {
            revision,
            size,
            record,
        };
        let replaced = state.entries.insert(key.into(), entry);
        state.bytes = state.bytes.saturating_add(size);
        if let Some(replaced) = replaced {
            state.bytes = state.bytes.saturating_sub(replaced.size);
        }
    }
}

#[cfg(test)]
mod tests;
