//! An engine on sled, the embedded database the server uses by default, with group commit.
//!
//! A commit validates its reads and stages its writes in memory, where every read finds them
//! before sled's data, and then waits. One committer thread per engine takes everything staged
//! so far, applies it to sled as one batch, flushes sled's log, and answers every writer whose
//! commit that flush covered. Writers keep committing while a batch is applied and flushed, so
//! one flush covers more commits as more writers run at once.
//!
//! Runtime workers never wait for sled's disk writes. sled 0.34.7 takes a process-wide lock for
//! writing in `Db::apply_batch` and for reading in `Db::flush` and `Db::get`. It is a
//! `parking_lot` read-write lock, which makes new readers wait behind a waiting writer. Only the
//! committer thread applies batches and flushes, so the two never wait for each other on a
//! runtime worker, and reads never queue behind a batch that waits for a flush.
//!
//! A batch is all or nothing in sled's recovery, and it includes the engine's revision counter.
//! No writer is answered before the flush of its batch ends, so a crash that loses a batch
//! loses no acknowledged commit.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::thread::JoinHandle;

use async_trait::async_trait;
use sled::IVec;
use tokio::sync::oneshot;

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
/// [`KvEngine::commit`] returns only after sled has flushed the commit to disk.
pub struct SledEngine {
    shared: Arc<Shared>,
    committer: Option<JoinHandle<()>>,
}

struct Shared {
    tree: sled::Db,
    /// The last committed revision. A commit keeps it locked while it validates its reads and
    /// stages its writes, and so does [`KvEngine::validate`] while it checks reads.
    commit_lock: Mutex<Revision>,
    revision: AtomicU64,
    sequence: AtomicU64,
    flushes: AtomicU64,
    /// Writes of commits that sled has not applied yet.
    staged: RwLock<Staged>,
    /// Whether `staged` may hold writes, so that reads skip its lock when it holds none.
    has_staged: AtomicBool,
    /// Writers waiting for durability, and the committer thread's state.
    waiters: Mutex<Waiters>,
    /// Signals the committer thread that a commit was staged or the engine is dropped.
    wake: Condvar,
    /// The message of the first failed batch or flush. Once it is set, every commit fails,
    /// because sled may have lost writes that later commits depend on.
    failure: OnceLock<String>,
}

/// The receiver a writer awaits, which gets `Ok` once its commit is on disk.
type Durability = oneshot::Receiver<Result<(), StoreError>>;

/// Staged writes, newest per key: a stamped value, or `None` for a removal.
type Writes = BTreeMap<IVec, Option<IVec>>;

#[derive(Debug, Default)]
struct Staged {
    /// Writes staged since the committer thread last took them.
    open: Writes,
    /// The revision of the last commit in `open`.
    open_revision: Revision,
    /// Writes the committer thread is applying to sled. They stay here until sled has them, so
    /// a read never misses them.
    applying: Arc<Writes>,
}

#[derive(Default)]
struct Waiters {
    /// Writers waiting until their revision is durable.
    waiting: Vec<(Revision, oneshot::Sender<Result<(), StoreError>>)>,
    /// Every revision up to this one is on disk.
    durable: Revision,
    /// Set by a writer after it staged a commit, cleared by the committer thread when it takes
    /// the staged writes.
    work: bool,
    /// Set while the committer thread waits on `wake`, so that only the writer that finds it
    /// waiting pays for the wake-up system call.
    idle: bool,
    /// Set when the engine is dropped, so that the committer thread ends.
    stopping: bool,
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

        let shared = Arc::new(Shared {
            tree,
            commit_lock: Mutex::new(revision),
            revision: AtomicU64::new(revision),
            sequence: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            staged: RwLock::new(Staged::default()),
            has_staged: AtomicBool::new(false),
            waiters: Mutex::new(Waiters {
                durable: revision,
                ..Waiters::default()
            }),
            wake: Condvar::new(),
            failure: OnceLock::new(),
        });
        let committer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("iam-store-commit".to_owned())
                .spawn(move || shared.run_committer())
                .map_err(StoreError::backend)?
        };
        Ok(Self {
            shared,
            committer: Some(committer),
        })
    }

    /// Returns how many flushes the engine has made for commits since it opened.
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
        self.shared.lock_waiters().stopping = true;
        self.shared.wake.notify_one();
        if let Some(committer) = self.committer.take() {
            // A panic on the committer thread was already reported by the panic hook.
            let _ = committer.join();
        }
    }
}

impl Staged {
    /// Returns the staged value of `key`: `Some(None)` for a staged removal, and `None` when
    /// nothing is staged for it.
    fn value(&self, key: &[u8]) -> Option<Option<IVec>> {
        self.open
            .get(key)
            .or_else(|| self.applying.get(key))
            .cloned()
    }

    /// Returns the staged writes to keys in `start..end`.
    fn range(&self, start: &[u8], end: &[u8]) -> Writes {
        let bounds = (Bound::Included(start), Bound::Excluded(end));
        let mut writes: Writes = self
            .applying
            .range::<[u8], _>(bounds)
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        for (key, value) in self.open.range::<[u8], _>(bounds) {
            writes.insert(key.clone(), value.clone());
        }
        writes
    }
}

impl Shared {
    fn lock_waiters(&self) -> MutexGuard<'_, Waiters> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the staged value of `key` like [`Staged::value`], without a lock when nothing is
    /// staged.
    fn staged_value(&self, key: &[u8]) -> Option<Option<IVec>> {
        if !self.has_staged.load(Ordering::Acquire) {
            return None;
        }
        self.staged
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .value(key)
    }

    /// Reads `key`, staged writes first.
    fn value(&self, key: &[u8]) -> Result<Option<IVec>, StoreError> {
        match self.staged_value(key) {
            Some(value) => Ok(value),
            None => self.tree.get(key).map_err(StoreError::backend),
        }
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
        // INVARIANT (staged before stored): the staged writes are read before sled's entries.
        // Writes move from staged to sled only after sled has them, so none is missed.
        let staged = if self.has_staged.load(Ordering::Acquire) {
            self.staged
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .range(start, end)
        } else {
            Writes::new()
        };
        // Each staged removal hides at most one stored entry, so reading that many more
        // entries still finds the first `limit` that remain.
        let stored_limit = limit.map(|limit| limit.saturating_add(staged.len()));
        let stored = self
            .tree
            .range(start..end)
            .take(stored_limit.unwrap_or(usize::MAX))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::backend)?;
        merge(stored, staged, limit)
            .into_iter()
            .map(|(key, value)| Ok((key.to_vec(), unstamp(&value)?)))
            .collect()
    }

    /// Returns whether every read still holds.
    fn holds(&self, reads: &[ReadCheck]) -> Result<bool, StoreError> {
        for read in reads {
            let holds = match read {
                ReadCheck::Key { key, revision } => {
                    let now = match self.value(key)? {
                        Some(value) => Some(split_stamp(&value)?.0),
                        None => None,
                    };
                    now == *revision
                }
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

    /// Validates the reads of `request` and stages its writes with the next revision.
    ///
    /// Returns that revision and the receiver that reports durability, or `None` when a read
    /// changed.
    fn stage(&self, request: CommitRequest) -> Result<Option<(Revision, Durability)>, StoreError> {
        if let Some(message) = self.failure.get() {
            return Err(failed(message));
        }
        let revision = {
            let mut last = self
                .commit_lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !self.holds(&request.reads)? {
                return Ok(None);
            }
            let revision = *last + 1;
            let writes: Vec<_> = request
                .writes
                .into_iter()
                .map(|(key, value)| {
                    let value = value.map(|payload| IVec::from(stamp(revision, &payload)));
                    (IVec::from(key), value)
                })
                .collect();

            self.sequence.fetch_add(1, Ordering::AcqRel);
            {
                let mut staged = self.staged.write().unwrap_or_else(PoisonError::into_inner);
                staged.open.extend(writes);
                staged.open_revision = revision;
                self.has_staged.store(true, Ordering::Release);
            }
            *last = revision;
            self.revision.store(revision, Ordering::Release);
            self.sequence.fetch_add(1, Ordering::AcqRel);
            revision
        };

        let (reply, answer) = oneshot::channel();
        let wake = {
            let mut waiters = self.lock_waiters();
            if let Some(message) = self.failure.get() {
                let _ = reply.send(Err(failed(message)));
            } else if waiters.durable >= revision {
                let _ = reply.send(Ok(()));
            } else {
                waiters.waiting.push((revision, reply));
            }
            waiters.work = true;
            std::mem::replace(&mut waiters.idle, false)
        };
        if wake {
            self.wake.notify_one();
        }
        Ok(Some((revision, answer)))
    }

    /// Runs the committer thread: applies and flushes staged writes whenever a commit staged
    /// some, until the engine is dropped.
    fn run_committer(&self) {
        loop {
            let stopping = {
                let mut waiters = self.lock_waiters();
                while !waiters.work && !waiters.stopping {
                    waiters.idle = true;
                    waiters = self
                        .wake
                        .wait(waiters)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                waiters.idle = false;
                waiters.work = false;
                waiters.stopping
            };
            self.commit_staged();
            if stopping {
                return;
            }
        }
    }

    /// Applies every staged write to sled as one batch, flushes, and notifies the writers whose
    /// commits are now durable.
    fn commit_staged(&self) {
        if self.failure.get().is_some() {
            return;
        }
        let (applying, target) = {
            let mut staged = self.staged.write().unwrap_or_else(PoisonError::into_inner);
            if staged.open.is_empty() {
                return;
            }
            let applying = Arc::new(std::mem::take(&mut staged.open));
            staged.applying = Arc::clone(&applying);
            (applying, staged.open_revision)
        };

        let mut batch = sled::Batch::default();
        for (key, value) in applying.iter() {
            match value {
                Some(value) => batch.insert(key.clone(), value.clone()),
                None => batch.remove(key.clone()),
            }
        }
        batch.insert(REVISION_KEY, &target.to_be_bytes());
        let applied = self.tree.apply_batch(batch);
        if applied.is_ok() {
            let mut staged = self.staged.write().unwrap_or_else(PoisonError::into_inner);
            staged.applying = Arc::default();
            if staged.open.is_empty() {
                self.has_staged.store(false, Ordering::Release);
            }
        }
        let outcome = applied.and_then(|()| {
            self.flushes.fetch_add(1, Ordering::Relaxed);
            self.tree.flush()
        });

        let mut waiters = self.lock_waiters();
        if let Err(error) = outcome {
            tracing::error!(
                ?error,
                revision = target,
                "sled batch or flush failed, later writes are rejected"
            );
            // NOTE: The writes stay staged, so reads still return them although sled may not
            // have them. The store accepts no write from here on.
            let message = self.failure.get_or_init(|| error.to_string());
            for (_, reply) in waiters.waiting.drain(..) {
                let _ = reply.send(Err(failed(message)));
            }
            return;
        }
        waiters.durable = target;
        let (durable, waiting) = std::mem::take(&mut waiters.waiting)
            .into_iter()
            .partition(|(revision, _)| *revision <= target);
        waiters.waiting = waiting;
        drop(waiters);
        for (_, reply) in durable {
            // A writer that stopped waiting no longer needs the result.
            let _ = reply.send(Ok(()));
        }
    }
}

/// Merges staged writes over stored entries in `start..end`, and keeps the first `limit`.
///
/// `stored` must hold every stored entry up to the `limit`-th one that remains after the
/// staged removals.
fn merge(stored: Vec<(IVec, IVec)>, staged: Writes, limit: Option<usize>) -> Vec<(IVec, IVec)> {
    let limit = limit.unwrap_or(usize::MAX);
    if staged.is_empty() {
        return stored.into_iter().take(limit).collect();
    }
    let mut merged: BTreeMap<IVec, IVec> = stored.into_iter().collect();
    for (key, value) in staged {
        match value {
            Some(value) => merged.insert(key, value),
            None => merged.remove(&key),
        };
    }
    merged.into_iter().take(limit).collect()
}

/// Returns the error of a commit rejected after a failed batch or flush.
fn failed(message: &str) -> StoreError {
    StoreError::backend(std::io::Error::other(format!(
        "sled write failed earlier, the store accepts no more writes: {message}"
    )))
}

#[async_trait]
impl KvEngine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Stamped>, StoreError> {
        let value = self.shared.value(key)?;
        value.map(|value| unstamp(&value)).transpose()
    }

    fn read_with(
        &self,
        key: &[u8],
        read: &mut dyn FnMut(Revision, &[u8]),
    ) -> Result<bool, StoreError> {
        let Some(value) = self.shared.value(key)? else {
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

    async fn commit(&self, request: CommitRequest) -> Result<Option<Revision>, StoreError> {
        let Some((revision, answer)) = self.shared.stage(request)? else {
            return Ok(None);
        };
        answer.await.map_err(|_| {
            StoreError::backend(std::io::Error::other(
                "the commit thread stopped before reporting durability",
            ))
        })??;
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
}

#[cfg(test)]
mod tests;
