//! An engine on sled, the embedded database the server uses by default, with group commit.
//!
//! A commit applies its writes as one sled batch, which sled recovers all or nothing after a
//! crash. It is not durable until sled has flushed its log. One flusher thread per engine makes
//! every flush: a writer in [`KvEngine::wait_durable`] requests one and waits. A flush covers
//! every commit applied before it starts, and the thread starts the next flush as soon as the
//! last one ends if a writer requested one meanwhile. Concurrent writers thus share one fsync,
//! and no runtime worker thread blocks in one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use async_trait::async_trait;
use tokio::sync::watch;

use super::{
    CommitRequest, KvEngine, ReadCheck, Revision, Stamped, same_entries, split_stamp, stamp,
    unstamp,
};
use crate::StoreError;

/// The engine's own key holding the last committed revision.
const REVISION_KEY: &[u8] = b"\x00revision";

/// The location and settings of a sled database.
#[derive(Debug, Clone)]
pub struct SledOptions {
    /// The directory of the database, created when missing.
    pub path: PathBuf,
    /// Bytes of sled's page cache; sled's default (1 GiB) when `None`.
    pub cache_capacity: Option<u64>,
}

impl SledOptions {
    /// Options for a database in `path` with sled's default cache.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            cache_capacity: None,
        }
    }
}

/// An engine that stores data in a sled database on disk.
///
/// [`KvEngine::wait_durable`] returns only after sled has flushed the commit to disk.
pub struct SledEngine {
    shared: Arc<Shared>,
    flusher: Option<JoinHandle<()>>,
}

struct Shared {
    tree: sled::Db,
    /// The last committed revision; held while a commit validates and applies.
    commit_lock: Mutex<Revision>,
    revision: AtomicU64,
    sequence: AtomicU64,
    flushes: AtomicU64,
    /// Requests to the flusher thread, which `flush_requested` signals.
    flush_requests: Mutex<FlushRequests>,
    flush_requested: Condvar,
    durable: watch::Sender<Durability>,
}

#[derive(Debug, Default)]
struct FlushRequests {
    /// Set by a waiting writer, cleared by the flusher thread when it starts a flush.
    pending: bool,
    /// Set when the engine is dropped, so that the flusher thread ends.
    stopping: bool,
}

#[derive(Debug, Clone, Default)]
struct Durability {
    /// Every revision up to this one is on disk.
    revision: Revision,
    /// The message of the flush that failed; once set, no later commit is reported durable.
    failure: Option<String>,
}

impl std::fmt::Debug for SledEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledEngine")
            .field("revision", &self.shared.revision.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

impl SledEngine {
    /// Opens or creates the database described by `options`.
    ///
    /// # Errors
    ///
    /// Fails when sled cannot open the directory (for example while another process has it
    /// open), or the stored revision is corrupt.
    pub fn open(options: &SledOptions) -> Result<Self, StoreError> {
        let mut config = sled::Config::new().path(&options.path);
        if let Some(capacity) = options.cache_capacity {
            config = config.cache_capacity(capacity);
        }
        let tree = config.open().map_err(StoreError::backend)?;
        let revision = match tree.get(REVISION_KEY).map_err(StoreError::backend)? {
            Some(value) => {
                let bytes: [u8; 8] = value.as_ref().try_into().map_err(|_| {
                    StoreError::corrupt(format_args!(
                        "engine revision has {} bytes, expected 8",
                        value.len()
                    ))
                })?;
                u64::from_be_bytes(bytes)
            }
            None => 0,
        };

        let (durable, _) = watch::channel(Durability {
            revision,
            failure: None,
        });
        let shared = Arc::new(Shared {
            tree,
            commit_lock: Mutex::new(revision),
            revision: AtomicU64::new(revision),
            sequence: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            flush_requests: Mutex::new(FlushRequests::default()),
            flush_requested: Condvar::new(),
            durable,
        });
        let flusher = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("iam-store-flusher".to_owned())
                .spawn(move || shared.run_flusher())
                .map_err(StoreError::backend)?
        };
        Ok(Self {
            shared,
            flusher: Some(flusher),
        })
    }

    /// Returns how many flushes the engine has made for waiting writers since it opened.
    ///
    /// Concurrent writers share flushes, so this grows more slowly than the number of commits.
    pub fn flushes(&self) -> u64 {
        self.shared.flushes.load(Ordering::Relaxed)
    }

    /// Returns the size of the database files in bytes.
    ///
    /// # Errors
    ///
    /// Fails when sled cannot read the directory.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.shared.tree.size_on_disk().map_err(StoreError::backend)
    }
}

impl Drop for SledEngine {
    fn drop(&mut self) {
        self.shared.lock_requests().stopping = true;
        self.shared.flush_requested.notify_one();
        if let Some(flusher) = self.flusher.take() {
            // A panic on the flusher thread was already reported by the panic hook.
            let _ = flusher.join();
        }
    }
}

impl Shared {
    fn lock_requests(&self) -> std::sync::MutexGuard<'_, FlushRequests> {
        self.flush_requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Requests a flush from the flusher thread that starts after this call.
    fn request_flush(&self) {
        let already_pending = std::mem::replace(&mut self.lock_requests().pending, true);
        // Waking the thread costs a system call. A request already pending has woken it, or the
        // thread finds it when its current flush ends.
        if !already_pending {
            self.flush_requested.notify_one();
        }
    }

    /// Runs the flusher thread: flushes whenever a writer requests it, until the engine is dropped.
    ///
    /// Requests that arrive during a flush are served together by the next one.
    fn run_flusher(&self) {
        loop {
            {
                let mut requests = self.lock_requests();
                while !requests.pending && !requests.stopping {
                    requests = self
                        .flush_requested
                        .wait(requests)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if !requests.pending {
                    return;
                }
                requests.pending = false;
            }
            self.flush();
        }
    }

    /// Flushes sled's log and publishes the revision it made durable.
    fn flush(&self) {
        // INVARIANT (applied before counted): `revision` is raised only after a commit's
        // batch is applied, so the flush below covers every revision up to `target`.
        let target = self.revision.load(Ordering::Acquire);
        let outcome = self.tree.flush();
        self.flushes.fetch_add(1, Ordering::Relaxed);
        self.durable.send_modify(|durability| match outcome {
            Ok(_) => durability.revision = durability.revision.max(target),
            Err(error) => {
                tracing::error!(?error, "sled flush failed, later writes are rejected");
                durability.failure = Some(error.to_string());
            }
        });
    }

    fn range(
        &self,
        start: &[u8],
        end: &[u8],
        limit: Option<usize>,
    ) -> Result<Vec<(Vec<u8>, Stamped)>, StoreError> {
        if start >= end {
            return Ok(Vec::new());
        }
        self.tree
            .range(start..end)
            .take(limit.unwrap_or(usize::MAX))
            .map(|entry| {
                let (key, value) = entry.map_err(StoreError::backend)?;
                Ok((key.to_vec(), unstamp(&value)?))
            })
            .collect()
    }

    fn revision_at(&self, key: &[u8]) -> Result<Option<Revision>, StoreError> {
        let value = self.tree.get(key).map_err(StoreError::backend)?;
        value
            .map(|value| unstamp(&value).map(|stamped| stamped.revision))
            .transpose()
    }

    fn holds(&self, reads: &[ReadCheck]) -> Result<bool, StoreError> {
        for read in reads {
            let holds = match read {
                ReadCheck::Key { key, revision } => self.revision_at(key)? == *revision,
                ReadCheck::Range {
                    start,
                    end,
                    limit,
                    entries,
                } => same_entries(&self.range(start, end, *limit)?, entries),
            };
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[async_trait]
impl KvEngine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Stamped>, StoreError> {
        let value = self.shared.tree.get(key).map_err(StoreError::backend)?;
        value.map(|value| unstamp(&value)).transpose()
    }

    fn read_with(
        &self,
        key: &[u8],
        read: &mut dyn FnMut(Revision, &[u8]),
    ) -> Result<bool, StoreError> {
        let Some(value) = self.shared.tree.get(key).map_err(StoreError::backend)? else {
            return Ok(false);
        };
        let (revision, payload) = split_stamp(&value)?;
        read(revision, payload);
        Ok(true)
    }

    fn range(
        &self,
        start: &[u8],
        end: &[u8],
        limit: Option<usize>,
    ) -> Result<Vec<(Vec<u8>, Stamped)>, StoreError> {
        self.shared.range(start, end, limit)
    }

    fn commit(&self, request: CommitRequest) -> Result<Option<Revision>, StoreError> {
        let shared = &*self.shared;
        let mut last = shared
            .commit_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !shared.holds(&request.reads)? {
            return Ok(None);
        }

        let revision = *last + 1;
        let mut batch = sled::Batch::default();
        for (key, value) in request.writes {
            match value {
                Some(payload) => batch.insert(key, stamp(revision, &payload)),
                None => batch.remove(key),
            }
        }
        batch.insert(REVISION_KEY, &revision.to_be_bytes());
        shared.sequence.fetch_add(1, Ordering::AcqRel);
        let applied = shared.tree.apply_batch(batch);
        if applied.is_ok() {
            *last = revision;
            shared.revision.store(revision, Ordering::Release);
        }
        shared.sequence.fetch_add(1, Ordering::AcqRel);
        applied.map_err(StoreError::backend)?;
        Ok(Some(revision))
    }

    fn validate(&self, reads: &[ReadCheck]) -> Result<bool, StoreError> {
        let _commits_held = self
            .shared
            .commit_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.shared.holds(reads)
    }

    fn sequence(&self) -> u64 {
        self.shared.sequence.load(Ordering::Acquire)
    }

    fn revision(&self) -> Revision {
        self.shared.revision.load(Ordering::Acquire)
    }

    async fn wait_durable(&self, revision: Revision) -> Result<(), StoreError> {
        let shared = &*self.shared;
        let mut durable = shared.durable.subscribe();
        loop {
            {
                let state = durable.borrow_and_update();
                if let Some(message) = &state.failure {
                    return Err(StoreError::backend(std::io::Error::other(format!(
                        "sled flush failed: {message}"
                    ))));
                }
                if state.revision >= revision {
                    return Ok(());
                }
            }
            // The state above was marked seen before this request, so the flush it starts
            // wakes this writer even when it ends before the await below begins.
            shared.request_flush();
            durable.changed().await.map_err(StoreError::backend)?;
        }
    }
}
