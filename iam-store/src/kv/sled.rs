//! An engine on sled, the embedded database the server uses by default, with group commit
//! through a write-ahead log of its own.
//!
//! A commit validates its reads and stages its writes in memory, where every read finds them
//! before sled's data, and then waits. One commit thread per engine takes everything staged so
//! far, appends it to the log as one checksummed record, makes the record durable with one
//! `fdatasync`, and notifies every writer whose commit that record contains. Writers keep
//! committing while a record is synced, so one sync covers more commits as more writers run at
//! once. An apply thread gathers the logged batches for [`APPLY_INTERVAL`] and writes them to
//! sled without a flush. A write stays staged until sled has it.
//!
//! A transaction takes the engine's read epoch before its first read, and its commit passes it
//! back. The apply thread changes the epoch whenever it removes writes from the staged view.
//! So while the epoch is unchanged, a key that is not staged still has the value the
//! transaction read, and the commit skips reading it from sled again.
//!
//! sled is flushed in the background: by its own timer, and by the apply thread before it
//! deletes a log segment that the commit thread moved past. Opening the engine replays the log
//! records past the revision sled recovered, flushes sled, and starts a new segment. A record
//! carries the revision it ends at, so a replay cut short by a crash is replayed again.
//!
//! The sync call is `fdatasync`, which waits until the device has the data, its write cache
//! included. sled's own `flush` uses `sync_file_range` on Linux, which skips the device's
//! cache, and the standard library offers no safe way to call it.
//!
//! Runtime workers do not block on disk writes: a writer awaits a channel instead. Nor do they
//! wait for sled's writes. sled 0.34.7 takes a process-wide read-write lock for writing in
//! `Db::apply_batch`, and once any batch was applied it takes that lock for reading in every
//! `Db::get`. The engine therefore writes to sled key by key, never in batches.

mod wal;

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError, RwLock, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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

/// The folder inside the database directory that contains the log segments.
const LOG_DIRECTORY: &str = "wal";

/// How long the apply thread gathers logged batches before it writes them to sled.
///
/// Readers find the batches in the staged view meanwhile, and the log has them on disk. A key
/// written by many commits in that time, such as an account's user counter, is written to sled
/// once, and each write to sled costs sled a copy of a tree node.
const APPLY_INTERVAL: Duration = Duration::from_millis(20);

/// How long opening the engine waits for sled's lock on the database file.
const LOCK_WAIT: Duration = Duration::from_secs(1);

/// The default size past which the commit thread starts a new log segment.
const DEFAULT_LOG_SEGMENT_BYTES: u64 = 64 << 20;

/// The location and settings of a sled database.
#[derive(Debug, Clone)]
pub struct SledOptions {
    /// The directory of the database, created when missing.
    pub path: PathBuf,
    /// Bytes of sled's page cache; sled's default (1 GiB) when `None`.
    pub cache_capacity: Option<u64>,
    /// The size in bytes past which the log moves on to a new segment file. A segment is
    /// deleted once sled's flush covers it, so this bounds the disk space of the log and the
    /// work of a replay, at the cost of one sled flush per segment. 64 MiB by default.
    pub log_segment_bytes: u64,
}

impl SledOptions {
    /// Options for a database in `path` with sled's default cache and 64 MiB log segments.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            cache_capacity: None,
            log_segment_bytes: DEFAULT_LOG_SEGMENT_BYTES,
        }
    }
}

/// An engine that stores data in a sled database on disk.
///
/// [`KvEngine::commit`] returns only after the commit's log record is synced to disk.
pub struct SledEngine {
    shared: Arc<Shared>,
    committer: Option<JoinHandle<()>>,
    applier: Option<JoinHandle<()>>,
}

struct Shared {
    tree: sled::Db,
    /// The last committed revision. A commit keeps it locked while it validates its reads and
    /// stages its writes, and so does [`KvEngine::validate`] while it checks reads.
    commit_lock: Mutex<Revision>,
    revision: AtomicU64,
    sequence: AtomicU64,
    /// The number of log records synced since the engine opened.
    log_syncs: AtomicU64,
    /// The number of commits those records contain.
    logged_commits: AtomicU64,
    /// Writes of commits that sled has not applied yet.
    staged: RwLock<Staged>,
    /// Whether `staged` may hold writes, so that reads skip its lock when it holds none.
    has_staged: AtomicBool,
    /// How many times the apply thread removed writes from `staged`, which is the engine's
    /// read epoch. While it stays the same, a key that is not staged keeps its value in sled.
    unstaged: AtomicU64,
    /// Writers waiting for durability, and the commit thread's state.
    waiters: Mutex<Waiters>,
    /// Signals the commit thread that a commit was staged or the engine is dropped.
    wake: Condvar,
    /// Log segments the commit thread moved past, oldest first, until sled's flush covers them.
    closed_segments: Mutex<Vec<wal::ClosedSegment>>,
    /// The message of the first failed log append or sled batch. Once it is set, every commit
    /// fails, because later commits may depend on writes that were not stored.
    failure: OnceLock<String>,
}

/// The receiver a writer awaits, which gets `Ok` once its commit is on disk.
type Durability = oneshot::Receiver<Result<(), StoreError>>;

/// Staged writes, newest per key: a stamped value, or `None` for a removal.
type Writes = BTreeMap<IVec, Option<IVec>>;

/// A logged batch on its way to the apply thread, with the revision it ends at.
type LoggedBatch = (Arc<Writes>, Revision);

#[derive(Debug, Default)]
struct Staged {
    /// Writes staged since the commit thread last took them.
    open: Writes,
    /// The revision of the last commit in `open`.
    open_revision: Revision,
    /// Every staged write that sled may not have yet, the newest per key. A write leaves only
    /// after sled has it, so a read never misses it. `open` is a subset of it.
    pending: BTreeMap<IVec, Pending>,
}

/// A staged write with the revision of the commit that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    revision: Revision,
    /// The stamped value, or `None` for a removal.
    value: Option<IVec>,
}

#[derive(Default)]
struct Waiters {
    /// Writers waiting until their revision is durable.
    waiting: Vec<(Revision, oneshot::Sender<Result<(), StoreError>>)>,
    /// Every revision up to this one is on disk.
    durable: Revision,
    /// Set by a writer after it staged a commit, cleared by the commit thread when it takes
    /// the staged writes.
    work: bool,
    /// Set while the commit thread waits on `wake`, so that only the writer that finds it
    /// waiting pays for the wake-up system call.
    idle: bool,
    /// Set when the engine is dropped, so that the commit thread ends.
    stopping: bool,
}

/// The commit thread's end of the log: the segment it appends to and a reused record buffer.
struct LogWriter {
    directory: PathBuf,
    segment: wal::Segment,
    segment_bytes: u64,
    record: Vec<u8>,
    /// The revision of the last record appended.
    logged: Revision,
}

impl std::fmt::Debug for SledEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledEngine")
            .field("revision", &self.shared.revision.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

impl SledEngine {
    /// Opens or creates the database described by `options`, replaying the log records that
    /// sled had not flushed.
    ///
    /// # Errors
    ///
    /// Fails when sled cannot open the directory (for example while another process keeps it
    /// open for longer than a second), the stored revision or the log is corrupt, or
    /// [`StoreError::UnsupportedFormat`] when the log was written in a newer format.
    pub fn open(options: &SledOptions) -> Result<Self, StoreError> {
        let mut config = sled::Config::new().path(&options.path);
        if let Some(capacity) = options.cache_capacity {
            config = config.cache_capacity(capacity);
        }
        let tree = open_sled(&config)?;
        let log_directory = options.path.join(LOG_DIRECTORY);
        let revision = recover(&tree, &log_directory)?;
        let segment = wal::Segment::create(&log_directory, revision + 1)?;

        let shared = Arc::new(Shared {
            tree,
            commit_lock: Mutex::new(revision),
            revision: AtomicU64::new(revision),
            sequence: AtomicU64::new(0),
            log_syncs: AtomicU64::new(0),
            logged_commits: AtomicU64::new(0),
            staged: RwLock::new(Staged::default()),
            has_staged: AtomicBool::new(false),
            unstaged: AtomicU64::new(0),
            waiters: Mutex::new(Waiters {
                durable: revision,
                ..Waiters::default()
            }),
            wake: Condvar::new(),
            closed_segments: Mutex::new(Vec::new()),
            failure: OnceLock::new(),
        });
        let log = LogWriter {
            directory: log_directory,
            segment,
            segment_bytes: options.log_segment_bytes,
            record: Vec::new(),
            logged: revision,
        };
        let (batches, logged_batches) = mpsc::channel();
        let applier = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("iam-store-apply".to_owned())
                .spawn(move || shared.run_applier(&logged_batches))
                .map_err(StoreError::backend)?
        };
        let committer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("iam-store-commit".to_owned())
                .spawn(move || shared.run_committer(log, &batches))
                .map_err(StoreError::backend)?
        };
        Ok(Self {
            shared,
            committer: Some(committer),
            applier: Some(applier),
        })
    }

    /// Returns how many log records the engine has synced for commits since it opened.
    ///
    /// Concurrent writers share records, so this grows more slowly than the number of commits.
    pub fn log_syncs(&self) -> u64 {
        self.shared.log_syncs.load(Ordering::Relaxed)
    }

    /// Returns how many commits the synced log records contained since the engine opened.
    pub fn logged_commits(&self) -> u64 {
        self.shared.logged_commits.load(Ordering::Relaxed)
    }

    /// Returns the size of the database files in bytes, without the log.
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
        // The commit thread logs what is still staged, then drops its sender, which ends the
        // apply thread once that has applied every logged batch.
        for thread in [self.committer.take(), self.applier.take()]
            .into_iter()
            .flatten()
        {
            // A panic on either thread was already reported by the panic hook.
            let _ = thread.join();
        }
    }
}

/// Opens sled, waiting up to [`LOCK_WAIT`] while the database file is locked.
///
/// sled's I/O threads can hold the file, and with it the lock, for a moment after the last
/// handle of a database is dropped, so reopening a store in the same process can find it
/// still locked.
fn open_sled(config: &sled::Config) -> Result<sled::Db, StoreError> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match config.open() {
            Ok(tree) => return Ok(tree),
            // NOTE: sled 0.34.7 reports a held lock only as an I/O error of kind `Other` with
            // this message (`Config::try_lock`).
            Err(sled::Error::Io(error))
                if error.to_string().contains("could not acquire lock")
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(error) => return Err(StoreError::backend(error)),
        }
    }
}

/// Reads sled's revision, replays the log records past it, and deletes the old segments.
///
/// Returns the revision sled stores afterwards. The segments are deleted only after sled's
/// flush covers every record in them, so a crash at any step leaves a log that replays again.
fn recover(tree: &sled::Db, log_directory: &Path) -> Result<Revision, StoreError> {
    let mut revision = stored_revision(tree)?;
    let segments = wal::segments(log_directory)?;
    let mut replayed = 0_u64;
    for (index, (_, path)) in segments.iter().enumerate() {
        let contents = std::fs::read(path).map_err(StoreError::backend)?;
        let last = index + 1 == segments.len();
        for record in wal::read_segment(&contents, path, last)? {
            // INVARIANT (replay is idempotent): a record at or below sled's revision is in
            // sled already, because sled recovers a prefix of its writes and the revision is
            // written after the writes it covers. Records above it are written again in full.
            if record.end <= revision {
                continue;
            }
            write_to_sled(tree, record.writes, record.end).map_err(StoreError::backend)?;
            revision = record.end;
            replayed += 1;
        }
    }

    if replayed > 0 {
        tree.flush().map_err(StoreError::backend)?;
        tracing::info!(records = replayed, revision, "replayed the store's log");
    }
    // Oldest first, so that a crash in between leaves the newest segment last, as a torn tail
    // may only be there.
    for (_, path) in &segments {
        std::fs::remove_file(path).map_err(StoreError::backend)?;
    }
    Ok(revision)
}

/// Reads the revision sled holds, `0` for a new database.
fn stored_revision(tree: &sled::Db) -> Result<Revision, StoreError> {
    let Some(value) = tree.get(REVISION_KEY).map_err(StoreError::backend)? else {
        return Ok(0);
    };
    let bytes: [u8; 8] = value.as_ref().try_into().map_err(|_| {
        StoreError::corrupt(format_args!(
            "engine revision has {} bytes, expected 8",
            value.len()
        ))
    })?;
    Ok(u64::from_be_bytes(bytes))
}

impl Staged {
    /// Stages the writes of the commit at `revision`.
    fn insert(&mut self, revision: Revision, writes: Vec<(IVec, Option<IVec>)>) {
        for (key, value) in writes {
            let pending = Pending {
                revision,
                value: value.clone(),
            };
            self.pending.insert(key.clone(), pending);
            self.open.insert(key, value);
        }
        self.open_revision = revision;
    }

    /// Returns the staged value of `key`: `Some(None)` for a staged removal, and `None` when
    /// nothing is staged for it.
    fn value(&self, key: &[u8]) -> Option<Option<IVec>> {
        self.pending.get(key).map(|pending| pending.value.clone())
    }

    /// Returns the revision of `key` by its staged write: `Some(None)` for a staged removal,
    /// and `None` when nothing is staged for it.
    fn revision(&self, key: &[u8]) -> Option<Option<Revision>> {
        let pending = self.pending.get(key)?;
        Some(pending.value.as_ref().map(|_| pending.revision))
    }

    /// Returns the staged writes to keys in `start..end`.
    fn range(&self, start: &[u8], end: &[u8]) -> Writes {
        let bounds = (Bound::Included(start), Bound::Excluded(end));
        self.pending
            .range::<[u8], _>(bounds)
            .map(|(key, pending)| (key.clone(), pending.value.clone()))
            .collect()
    }

    /// Unstages the writes of `batch` that sled has now, because no commit after revision
    /// `applied` replaced them.
    fn remove_applied(&mut self, batch: &Writes, applied: Revision) {
        for key in batch.keys() {
            let replaced = self
                .pending
                .get(key)
                .is_none_or(|pending| pending.revision > applied);
            if !replaced {
                self.pending.remove(key);
            }
        }
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

    /// Returns whether every read still holds. The caller holds the commit lock.
    ///
    /// `read_epoch` is the read epoch the reads started at, if known. It lets a key that is not
    /// staged skip the read from sled when no write left the staged view since.
    fn holds(&self, reads: &[ReadCheck], read_epoch: Option<u64>) -> Result<bool, StoreError> {
        for read in reads {
            let holds = match read {
                ReadCheck::Key { key, revision } => self.key_holds(key, *revision, read_epoch)?,
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

    /// Returns whether `key` still has the revision `seen`. The caller holds the commit lock,
    /// so no commit stages a write meanwhile.
    fn key_holds(
        &self,
        key: &[u8],
        seen: Option<Revision>,
        read_epoch: Option<u64>,
    ) -> Result<bool, StoreError> {
        {
            let staged = self.staged.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(now) = staged.revision(key) {
                return Ok(now == seen);
            }
            // A write to `key` after the read would be staged now, unless the apply thread
            // removed it, which changes the epoch. INVARIANT (unstaged under lock): the epoch
            // cannot change while this lock is held.
            let unchanged = read_epoch == Some(self.unstaged.load(Ordering::Acquire));
            if unchanged {
                return Ok(true);
            }
        }
        let now = match self.value(key)? {
            Some(value) => Some(split_stamp(&value)?.0),
            None => None,
        };
        Ok(now == seen)
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
            if !self.holds(&request.reads, request.read_epoch)? {
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
                staged.insert(revision, writes);
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

    /// Runs the commit thread: logs staged writes whenever a commit staged some, until the
    /// engine is dropped.
    fn run_committer(&self, mut log: LogWriter, batches: &mpsc::Sender<LoggedBatch>) {
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
            self.commit_staged(&mut log, batches);
            if stopping {
                return;
            }
        }
    }

    /// Appends every staged write to the log as one record, syncs it, notifies the writers
    /// whose commits are now durable, and passes the batch on to the apply thread.
    fn commit_staged(&self, log: &mut LogWriter, batches: &mpsc::Sender<LoggedBatch>) {
        if self.failure.get().is_some() {
            return;
        }
        let (batch, target) = {
            let mut staged = self.staged.write().unwrap_or_else(PoisonError::into_inner);
            if staged.open.is_empty() {
                return;
            }
            let batch = Arc::new(std::mem::take(&mut staged.open));
            (batch, staged.open_revision)
        };

        let outcome = self.append(log, &batch, target);

        let mut waiters = self.lock_waiters();
        if let Err(error) = outcome {
            self.fail(&mut waiters, &error, target, "log append failed");
            return;
        }
        let commits = target - waiters.durable;
        self.log_syncs.fetch_add(1, Ordering::Relaxed);
        self.logged_commits.fetch_add(commits, Ordering::Relaxed);
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
        // The apply thread reads until this sender is dropped, so the send fails only if that
        // thread panicked. The batch is in the log then, and the next open applies it.
        let _ = batches.send((batch, target));
    }

    /// Appends the batch ending at `target` to the log and syncs it, moving on to a new
    /// segment first when the current one is full.
    fn append(
        &self,
        log: &mut LogWriter,
        batch: &Writes,
        target: Revision,
    ) -> Result<(), StoreError> {
        wal::encode(&mut log.record, target, batch)?;
        let full = log.segment.len() >= log.segment_bytes && log.segment.records() > 0;
        if full {
            let next = wal::Segment::create(&log.directory, log.logged + 1)?;
            let closed = std::mem::replace(&mut log.segment, next);
            self.lock_closed_segments().push(wal::ClosedSegment {
                path: closed.path().to_owned(),
                last: log.logged,
            });
        }
        log.segment.append(&log.record)?;
        log.logged = target;
        Ok(())
    }

    /// Runs the apply thread: writes the logged batches to sled without a flush, until the
    /// commit thread ends. The batches logged within [`APPLY_INTERVAL`] of the first go to
    /// sled together, so sled rewrites a key and the revision counter once for all of them.
    fn run_applier(&self, batches: &mpsc::Receiver<LoggedBatch>) {
        while let Ok(first) = batches.recv() {
            let mut logged = vec![first];
            let deadline = Instant::now() + APPLY_INTERVAL;
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                // A timeout ends the interval, and a closed channel means the engine is dropped.
                let Ok(batch) = batches.recv_timeout(left) else {
                    break;
                };
                logged.push(batch);
            }
            // After a failure the batches stay staged, and in the log for the next open.
            if self.failure.get().is_some() {
                continue;
            }
            let mut newest = BTreeMap::new();
            let mut target = 0;
            // Oldest first, so that the newest write of a key replaces the older ones.
            for (batch, end) in &logged {
                for (key, value) in batch.iter() {
                    newest.insert(key, value.clone());
                }
                target = *end;
            }
            if let Err(error) = write_to_sled(&self.tree, newest, target) {
                let mut waiters = self.lock_waiters();
                self.fail(
                    &mut waiters,
                    &StoreError::backend(error),
                    target,
                    "sled batch failed",
                );
                continue;
            }

            {
                let mut staged = self.staged.write().unwrap_or_else(PoisonError::into_inner);
                for (batch, _) in &logged {
                    staged.remove_applied(batch, target);
                }
                // INVARIANT (unstaged under lock): `unstaged` changes only while the staged
                // writes are locked for writing.
                self.unstaged.fetch_add(1, Ordering::AcqRel);
                if staged.pending.is_empty() {
                    self.has_staged.store(false, Ordering::Release);
                }
            }
            drop(logged);
            self.delete_covered_segments(target);
        }
    }

    /// Flushes sled and deletes the closed log segments whose records sled then holds, when
    /// any closed segment ends at or below `applied`.
    fn delete_covered_segments(&self, applied: Revision) {
        let covered: Vec<wal::ClosedSegment> = {
            let mut closed = self.lock_closed_segments();
            let count = closed
                .iter()
                .take_while(|segment| segment.last <= applied)
                .count();
            closed.drain(..count).collect()
        };
        if covered.is_empty() {
            return;
        }
        // Every batch up to `applied` was applied on this thread before the flush starts.
        if let Err(error) = self.tree.flush() {
            tracing::warn!(?error, "sled flush failed, the log keeps its old segments");
            let mut closed = self.lock_closed_segments();
            let newer = std::mem::take(&mut *closed);
            *closed = covered.into_iter().chain(newer).collect();
            return;
        }
        for segment in covered {
            if let Err(error) = std::fs::remove_file(&segment.path) {
                // The next open replays nothing from it and deletes it.
                tracing::warn!(?error, segment = %segment.path.display(), "cannot delete a log segment");
            }
        }
    }

    /// Records the first failure and fails every waiting writer.
    fn fail(&self, waiters: &mut Waiters, error: &StoreError, revision: Revision, what: &str) {
        tracing::error!(?error, revision, "{what}, later writes are rejected");
        // NOTE: The writes stay staged, so reads still return them although they may not be
        // stored. The store accepts no write from here on.
        let message = self.failure.get_or_init(|| error.to_string());
        for (_, reply) in waiters.waiting.drain(..) {
            let _ = reply.send(Err(failed(message)));
        }
    }

    fn lock_closed_segments(&self) -> MutexGuard<'_, Vec<wal::ClosedSegment>> {
        self.closed_segments
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

/// Writes `writes` to sled key by key, then the engine revision `end` that they complete.
///
/// sled 0.34.7 takes a process-wide lock for writing in `Db::apply_batch`, and from its first
/// use on every `Db::get` takes that lock for reading, so a batch would stall every reader until
/// it is applied. Single writes take no such lock, but they are not atomic as a group. sled
/// recovers a prefix of its writes, because its log does not recover a segment whose
/// predecessor was lost (`pagecache/segment.rs` in sled 0.34.7). A crash in between therefore
/// leaves the stored revision below `end`, and the next open writes the records past it again.
fn write_to_sled<K: AsRef<[u8]>, V: Into<IVec>>(
    tree: &sled::Db,
    writes: impl IntoIterator<Item = (K, Option<V>)>,
    end: Revision,
) -> sled::Result<()> {
    for (key, value) in writes {
        match value {
            Some(value) => tree.insert(key, value)?,
            None => tree.remove(key)?,
        };
    }
    tree.insert(REVISION_KEY, &end.to_be_bytes())?;
    Ok(())
}

/// Returns the error of a commit rejected after a failed log append or sled batch.
fn failed(message: &str) -> StoreError {
    StoreError::backend(std::io::Error::other(format!(
        "a log append or sled write failed earlier, the store accepts no more writes: {message}"
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
        self.shared.holds(reads, None)
    }

    fn read_epoch(&self) -> Option<u64> {
        Some(self.shared.unstaged.load(Ordering::Acquire))
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
