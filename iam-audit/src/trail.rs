//! The on-disk trail: durable group-committed appends, rotation, digests, recovery, retention.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use iam_model::Clock;
use jiff::{SignedDuration, Timestamp};
use ring::signature::Ed25519KeyPair;
use serde::de::IgnoredAny;

use crate::record::{
    self, Body, Chain, Digest, EncodedEvent, PublicKey, RecordHash, SkimmedRecord,
};
use crate::segment::{self, DIGESTS_FILE, SegmentFile};
use crate::{AuditError, AuditEvent, AuditSink, Receipt};

/// The settings of a trail: its directory, rotation, digest intervals and retention.
#[derive(Debug, Clone)]
pub struct TrailConfig {
    /// The directory that contains the segments and the digests file.
    pub directory: PathBuf,
    /// The size in bytes past which the next record starts a new segment.
    pub segment_max_bytes: u64,
    /// The age past which the next record starts a new segment.
    pub segment_max_age: SignedDuration,
    /// How many records may follow a digest before the trail signs the next one.
    pub digest_interval_records: u64,
    /// How long after a digest the next append signs a new one.
    pub digest_interval: SignedDuration,
    /// The limits past which rotation removes old segments.
    pub retention: Retention,
}

impl TrailConfig {
    /// Creates a configuration for a trail in `directory` with 64 MiB or one-day segments, a
    /// digest every 10,000 records or 5 minutes, and no retention limit.
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        Self {
            directory: directory.into(),
            segment_max_bytes: 64 * 1024 * 1024,
            segment_max_age: SignedDuration::from_hours(24),
            digest_interval_records: 10_000,
            digest_interval: SignedDuration::from_mins(5),
            retention: Retention::default(),
        }
    }

    fn validate(&self) -> Result<(), AuditError> {
        let minimum_segment = u64::try_from(segment::MAX_LINE_BYTES).unwrap_or(u64::MAX);
        if self.segment_max_bytes < minimum_segment {
            return Err(AuditError::InvalidConfig(format!(
                "segment size `{}` is below the minimum of `{minimum_segment}` bytes, one maximal record",
                self.segment_max_bytes
            )));
        }
        if self.segment_max_age <= SignedDuration::ZERO
            || self.digest_interval <= SignedDuration::ZERO
        {
            return Err(AuditError::InvalidConfig(
                "segment age and digest interval must be positive".to_owned(),
            ));
        }
        if self.digest_interval_records == 0 {
            return Err(AuditError::InvalidConfig(
                "digest interval in records must be at least `1`".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Limits on the age and size of old segments. Removal takes whole segments, oldest first, and
/// never the segment being written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Removes a segment once its last record is older than this.
    pub max_age: Option<SignedDuration>,
    /// Removes the oldest segments while the segments together exceed this many bytes.
    pub max_bytes: Option<u64>,
}

/// A summary of what opening a trail found and repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    /// The sequence number of the next record.
    pub next_sequence: u64,
    /// How many bytes of a torn last record were cut off the newest segment. Those bytes were
    /// never acknowledged, because a record is acknowledged only after its sync.
    pub cut_bytes: u64,
    /// How many digests of the newest segment were missing from the digests file and were
    /// copied into it.
    pub restored_digests: usize,
}

/// Old segments that retention removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// The removed segment files, oldest first.
    pub removed_segments: Vec<PathBuf>,
    /// Their total size in bytes.
    pub removed_bytes: u64,
}

/// An append-only audit trail in a directory of hash-chained segments with signed digests.
///
/// Appends from many threads share one write and one sync per round (group commit): the first
/// waiting writer syncs everything appended so far and wakes the others. An append returns only
/// after its record is synced. After any failed write or sync the trail rejects every later
/// append until it is opened again.
///
/// ```
/// use std::sync::Arc;
///
/// use iam_audit::{AuditEvent, AuditSink, EventSource, PublicKey, Trail, TrailConfig, verify};
/// use iam_model::{Clock, FixedClock};
/// use ring::signature::Ed25519KeyPair;
///
/// let directory = tempfile::tempdir()?;
/// let clock: Arc<dyn Clock> = Arc::new(FixedClock::new("2026-03-01T12:00:00Z".parse()?));
/// // A real server loads its key; any 32-byte seed makes one for this example.
/// let key_pair = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).map_err(|error| error.to_string())?;
/// let public_key = PublicKey::of(&key_pair);
/// let (trail, _) = Trail::open(TrailConfig::new(directory.path()), clock.clone(), key_pair)?;
///
/// let event = AuditEvent::new(clock.now(), EventSource::Iam, "ListUsers");
/// let receipt = trail.record(event)?;
/// trail.sign()?;
///
/// let report = verify(directory.path(), &[public_key], None)?;
/// assert_eq!(receipt.sequence, 1);
/// assert!(report.is_intact());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Trail {
    config: TrailConfig,
    clock: Arc<dyn Clock>,
    key_pair: Ed25519KeyPair,
    state: Mutex<State>,
    synced: Condvar,
    files: Mutex<Files>,
}

/// The chain and what is appended but not yet written, guarded together because they change
/// together.
struct State {
    chain: Chain,
    /// Record lines appended since the last entry of `pending`.
    buffer: Vec<u8>,
    pending: Vec<Pending>,
    /// INVARIANT (durable prefix): every record with a sequence number below this is synced.
    durable: u64,
    flushing: bool,
    failure: Option<String>,
    segment_bytes: u64,
    segment_started: Timestamp,
    records_since_digest: u64,
    last_digest_time: Timestamp,
}

/// A write waiting for the next sync, in append order.
enum Pending {
    Records(Vec<u8>),
    Rotate(u64),
    Digest(Vec<u8>),
}

struct Files {
    segment: File,
    segment_path: PathBuf,
    digests: File,
}

impl Trail {
    /// Opens the trail in `config.directory`, creating it if needed, cuts a torn last record
    /// left by a crash, and signs a digest of what it found.
    ///
    /// A torn record is one without its final newline, or a line with zero bytes where the
    /// file system never wrote a block. A complete line that does not decode is never cut,
    /// because it may be an acknowledged record that was damaged after it was written.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::InvalidConfig`] for a bad configuration, [`AuditError::Corrupt`]
    /// when the newest segment contains a record that does not decode or link and is not a
    /// torn tail (cutting it could lose acknowledged records), and [`AuditError::Io`] when the
    /// file system fails.
    pub fn open(
        config: TrailConfig,
        clock: Arc<dyn Clock>,
        key_pair: Ed25519KeyPair,
    ) -> Result<(Self, OpenReport), AuditError> {
        config.validate()?;
        let directory = config.directory.clone();
        fs::create_dir_all(&directory)
            .map_err(|error| AuditError::io("create", &directory, error))?;
        let now = clock.now();

        let recovered = recover_segments(&directory, now)?;
        let segment = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&recovered.segment_path)
            .map_err(|error| AuditError::io("open", &recovered.segment_path, error))?;
        let (digests, restored_digests) = recover_digests(&directory, &recovered.digest_lines)?;
        segment::sync_directory(&directory)?;

        let report = OpenReport {
            next_sequence: recovered.chain.next_sequence(),
            cut_bytes: recovered.cut_bytes,
            restored_digests,
        };
        let state = State {
            durable: recovered.chain.next_sequence(),
            chain: recovered.chain,
            buffer: Vec::new(),
            pending: Vec::new(),
            flushing: false,
            failure: None,
            segment_bytes: recovered.segment_bytes,
            segment_started: recovered.segment_started,
            records_since_digest: 0,
            last_digest_time: now,
        };
        let trail = Self {
            config,
            clock,
            key_pair,
            state: Mutex::new(state),
            synced: Condvar::new(),
            files: Mutex::new(Files {
                segment,
                segment_path: recovered.segment_path,
                digests,
            }),
        };

        // A digest right after opening signs whatever the previous run left unsigned.
        trail.sign()?;
        Ok((trail, report))
    }

    /// Appends `event` after redacting it and returns once it is synced to disk.
    ///
    /// # Errors
    ///
    /// Returns an error when the event is too large to store, and [`AuditError::Unavailable`]
    /// or [`AuditError::Io`] when the trail cannot be written. The caller must then not
    /// acknowledge the call the event describes.
    pub fn append(&self, event: AuditEvent) -> Result<Receipt, AuditError> {
        let receipts = self.append_batch(vec![event])?;
        receipts
            .into_iter()
            .next()
            .ok_or_else(|| AuditError::Unavailable {
                reason: "the trail returned no receipt for an appended event".to_owned(),
            })
    }

    /// Appends `events` in order, after redacting them, and returns their receipts once all are
    /// synced to disk.
    ///
    /// The sequence numbers need not be consecutive, because a digest that opens a new segment
    /// can fall between two events of the batch. The whole batch is rejected, and nothing of it
    /// stored, when any event is too large.
    ///
    /// # Errors
    ///
    /// As for [`Trail::append`].
    pub fn append_batch(&self, events: Vec<AuditEvent>) -> Result<Vec<Receipt>, AuditError> {
        let encoded = events
            .into_iter()
            .map(|mut event| {
                event.redact();
                EncodedEvent::new(&event)
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.append_encoded(&encoded)
    }

    /// Appends encoded events in order and returns their receipts once all are synced.
    fn append_encoded(&self, encoded: &[EncodedEvent]) -> Result<Vec<Receipt>, AuditError> {
        let now = self.clock.now();

        // The framing of a record (`seq`, `prevHash`, the newline) takes under 128 bytes.
        let record_bytes: usize = encoded.iter().map(|event| event.len() + 128).sum();
        let mut state = self.lock_state();
        check_failure(&state)?;
        state.buffer.reserve(record_bytes);
        let mut receipts = Vec::with_capacity(encoded.len());
        for event in encoded {
            self.rotate_if_due(&mut state, now);
            let state = &mut *state;
            let before = state.buffer.len();
            let sequence = state.chain.append_encoded(event, &mut state.buffer);
            receipts.push(Receipt { sequence });
            state.segment_bytes += u64::try_from(state.buffer.len() - before).unwrap_or(u64::MAX);
            state.records_since_digest += 1;
        }
        let end = state.chain.next_sequence();
        let digest_due = state.records_since_digest >= self.config.digest_interval_records
            || now.duration_since(state.last_digest_time) >= self.config.digest_interval;
        if digest_due {
            self.push_digest(&mut state, now);
        }

        self.wait_durable(state, end)?;
        Ok(receipts)
    }

    /// Appends the events that encoded, in order, and returns one result per entry: the error
    /// of an entry that did not encode, or the receipt or failure of its append.
    fn append_each(
        &self,
        encoded: Vec<Result<EncodedEvent, AuditError>>,
    ) -> Vec<Result<Receipt, AuditError>> {
        let mut results = Vec::with_capacity(encoded.len());
        let mut appendable = Vec::with_capacity(encoded.len());
        for entry in encoded {
            match entry {
                Ok(event) => {
                    appendable.push(event);
                    results.push(None);
                }
                Err(error) => results.push(Some(Err(error))),
            }
        }

        let appended: Vec<Result<Receipt, AuditError>> = match self.append_encoded(&appendable) {
            Ok(receipts) => receipts.into_iter().map(Ok).collect(),
            // The error is not `Clone`, so each event gets its text. The trail rejects every
            // later write anyway.
            Err(error) => {
                let reason = error.to_string();
                (0..appendable.len())
                    .map(|_| {
                        Err(AuditError::Unavailable {
                            reason: reason.clone(),
                        })
                    })
                    .collect()
            }
        };
        let mut appended = appended.into_iter();
        results
            .into_iter()
            .map(|result| {
                result.unwrap_or_else(|| {
                    appended.next().unwrap_or_else(|| {
                        Err(AuditError::Unavailable {
                            reason: "the trail returned no receipt for an appended event"
                                .to_owned(),
                        })
                    })
                })
            })
            .collect()
    }

    /// Signs a digest of the trail as it is now and returns it once it is synced.
    ///
    /// Call it before shutting down, so that the last records are signed.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::Unavailable`] or [`AuditError::Io`] when the trail cannot be
    /// written.
    pub fn sign(&self) -> Result<Digest, AuditError> {
        let now = self.clock.now();
        let mut state = self.lock_state();
        check_failure(&state)?;
        let digest = self.push_digest(&mut state, now);
        let end = state.chain.next_sequence();
        self.wait_durable(state, end)?;
        Ok(digest)
    }

    /// Returns the public key that verifies this trail's digests.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::of(&self.key_pair)
    }

    /// Returns the directory the trail lives in.
    pub fn directory(&self) -> &Path {
        &self.config.directory
    }

    /// Removes the old segments that the retention policy no longer keeps. Rotation calls it
    /// too, so a caller needs it only to apply a changed clock or policy early.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::Io`] when a segment cannot be read or removed.
    pub fn apply_retention(&self) -> Result<RetentionReport, AuditError> {
        let mut files = self.lock_files();
        self.remove_expired(&mut files)
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_files(&self) -> MutexGuard<'_, Files> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a new segment, opened by a digest, when the current one is full or old.
    fn rotate_if_due(&self, state: &mut State, now: Timestamp) {
        let full = state.segment_bytes >= self.config.segment_max_bytes;
        let old = now.duration_since(state.segment_started) >= self.config.segment_max_age;
        if !(full || old) {
            return;
        }
        let first_sequence = state.chain.next_sequence();
        seal_buffer(state);
        state.pending.push(Pending::Rotate(first_sequence));
        state.segment_bytes = 0;
        state.segment_started = now;
        self.push_digest(state, now);
    }

    fn push_digest(&self, state: &mut State, now: Timestamp) -> Digest {
        let start = state.buffer.len();
        let (_, digest) = state
            .chain
            .append_digest(now, &self.key_pair, &mut state.buffer);
        let line = state.buffer.get(start..).unwrap_or_default().to_vec();
        state.segment_bytes += u64::try_from(line.len()).unwrap_or(u64::MAX);
        state.pending.push(Pending::Digest(line));
        state.records_since_digest = 0;
        state.last_digest_time = now;
        digest
    }

    /// Waits until every record below `target` is synced, syncing them itself when no other
    /// writer is doing so.
    fn wait_durable<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        target: u64,
    ) -> Result<(), AuditError> {
        loop {
            // INVARIANT (durable prefix): reaching `target` means this caller's records are synced.
            if state.durable >= target {
                return Ok(());
            }
            check_failure(&state)?;
            if state.flushing {
                state = self
                    .synced
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }

            state.flushing = true;
            seal_buffer(&mut state);
            let pending = std::mem::take(&mut state.pending);
            let flushed_to = state.chain.next_sequence();
            drop(state);
            let result = self.write_pending(pending);
            state = self.lock_state();
            state.flushing = false;
            match &result {
                Ok(()) => state.durable = flushed_to,
                Err(error) => state.failure = Some(error.to_string()),
            }
            self.synced.notify_all();
            result?;
        }
    }

    /// Writes and syncs `pending`: records first, then the digest copies, so that the digests
    /// file never names a record the segments lack.
    fn write_pending(&self, pending: Vec<Pending>) -> Result<(), AuditError> {
        let mut files = self.lock_files();
        let mut digest_lines = Vec::new();
        let mut rotated = false;
        for item in pending {
            match item {
                Pending::Records(bytes) => {
                    let path = files.segment_path.clone();
                    files
                        .segment
                        .write_all(&bytes)
                        .map_err(|error| AuditError::io("write", path, error))?;
                }
                Pending::Rotate(first_sequence) => {
                    self.start_segment(&mut files, first_sequence)?;
                    rotated = true;
                }
                Pending::Digest(line) => digest_lines.extend_from_slice(&line),
            }
        }
        let segment_path = files.segment_path.clone();
        files
            .segment
            .sync_data()
            .map_err(|error| AuditError::io("sync", segment_path, error))?;
        if !digest_lines.is_empty() {
            let digests_path = self.config.directory.join(DIGESTS_FILE);
            files
                .digests
                .write_all(&digest_lines)
                .and_then(|()| files.digests.sync_data())
                .map_err(|error| AuditError::io("write", digests_path, error))?;
        }
        if rotated {
            self.remove_expired(&mut files)?;
        }
        Ok(())
    }

    fn start_segment(&self, files: &mut Files, first_sequence: u64) -> Result<(), AuditError> {
        let old_path = files.segment_path.clone();
        files
            .segment
            .sync_data()
            .map_err(|error| AuditError::io("sync", old_path, error))?;
        let path = segment::segment_path(&self.config.directory, first_sequence);
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)
            .map_err(|error| AuditError::io("create", &path, error))?;
        segment::sync_directory(&self.config.directory)?;
        files.segment = file;
        files.segment_path = path;
        Ok(())
    }

    fn remove_expired(&self, files: &mut Files) -> Result<RetentionReport, AuditError> {
        let directory = &self.config.directory;
        let segments = segment::list_segments(directory)?;
        let now = self.clock.now();
        let mut sizes = Vec::with_capacity(segments.len());
        for segment in &segments {
            let size = fs::metadata(&segment.path)
                .map_err(|error| AuditError::io("read metadata of", &segment.path, error))?
                .len();
            sizes.push(size);
        }
        let mut total: u64 = sizes.iter().sum();

        let mut report = RetentionReport::default();
        // The newest segment is being written and always stays.
        let removable = segments.len().saturating_sub(1);
        for (index, (segment, size)) in segments.iter().zip(&sizes).take(removable).enumerate() {
            let over_size = self
                .config
                .retention
                .max_bytes
                .is_some_and(|max| total > max);
            let expired = match self.config.retention.max_age {
                Some(max_age) => {
                    // A segment ends where the next one starts.
                    let next = segments.get(index + 1).map(|next| next.path.as_path());
                    let ended = match next {
                        Some(next) => segment_start(next)?,
                        None => None,
                    };
                    ended.is_some_and(|ended| now.duration_since(ended) > max_age)
                }
                None => false,
            };
            if !(over_size || expired) {
                break;
            }
            fs::remove_file(&segment.path)
                .map_err(|error| AuditError::io("remove", &segment.path, error))?;
            total -= size;
            report.removed_bytes += size;
            report.removed_segments.push(segment.path.clone());
        }
        if report.removed_segments.is_empty() {
            return Ok(report);
        }

        segment::sync_directory(directory)?;
        let oldest_kept = segments
            .get(report.removed_segments.len())
            .map_or(0, |segment| segment.first_sequence);
        files.digests = rewrite_digests(directory, oldest_kept)?;
        Ok(report)
    }
}

impl std::fmt::Debug for Trail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trail")
            .field("config", &self.config)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl AuditSink for Trail {
    fn record(&self, event: AuditEvent) -> Result<Receipt, AuditError> {
        self.append(event)
    }

    fn record_batch(&self, events: Vec<AuditEvent>) -> Vec<Result<Receipt, AuditError>> {
        let encoded = events
            .into_iter()
            .map(|mut event| {
                event.redact();
                EncodedEvent::new(&event)
            })
            .collect();
        self.append_each(encoded)
    }

    fn record_encoded_batch(&self, events: Vec<EncodedEvent>) -> Vec<Result<Receipt, AuditError>> {
        self.append_each(events.into_iter().map(Ok).collect())
    }

    fn ready(&self) -> Result<(), AuditError> {
        check_failure(&self.lock_state())
    }
}

fn check_failure(state: &State) -> Result<(), AuditError> {
    match &state.failure {
        Some(reason) => Err(AuditError::Unavailable {
            reason: reason.clone(),
        }),
        None => Ok(()),
    }
}

/// Moves the record lines appended so far into the pending writes, so that what follows goes
/// after them.
fn seal_buffer(state: &mut State) {
    if !state.buffer.is_empty() {
        let records = std::mem::take(&mut state.buffer);
        state.pending.push(Pending::Records(records));
    }
}

/// Returns the time of the digest that opens the segment at `path`.
fn segment_start(path: &Path) -> Result<Option<Timestamp>, AuditError> {
    let Some(line) = segment::read_first_line(path)? else {
        return Ok(None);
    };
    Ok(match record::decode::<IgnoredAny>(&line) {
        Ok(SkimmedRecord {
            body: Body::Digest(digest),
            ..
        }) => Some(digest.time),
        _ => None,
    })
}

/// The state of the newest segment after recovery.
struct Recovered {
    chain: Chain,
    segment_path: PathBuf,
    segment_bytes: u64,
    segment_started: Timestamp,
    cut_bytes: u64,
    /// The digest record lines of the newest segment, as stored.
    digest_lines: Vec<(u64, Vec<u8>)>,
}

/// Finds where the chain ends, cutting a torn tail off the newest segment.
fn recover_segments(directory: &Path, now: Timestamp) -> Result<Recovered, AuditError> {
    let segments = segment::list_segments(directory)?;
    let Some(newest) = segments.last() else {
        return Ok(Recovered {
            chain: Chain::new(),
            segment_path: segment::segment_path(directory, 0),
            segment_bytes: 0,
            segment_started: now,
            cut_bytes: 0,
            digest_lines: Vec::new(),
        });
    };

    let scan = scan_newest(newest)?;
    if scan.cut_bytes > 0 {
        let file = OpenOptions::new()
            .write(true)
            .open(&newest.path)
            .map_err(|error| AuditError::io("open", &newest.path, error))?;
        file.set_len(scan.kept_bytes)
            .and_then(|()| file.sync_all())
            .map_err(|error| AuditError::io("cut torn record from", &newest.path, error))?;
    }

    let chain = match scan.chain {
        Some(chain) => chain,
        None => {
            let chain = resume_before(&segments, newest)?;
            if chain.next_sequence() != newest.first_sequence {
                return Err(AuditError::Corrupt {
                    path: newest.path.clone(),
                    line: 1,
                    reason: format!(
                        "the previous segment ends before sequence `{}`, but this segment's name starts at `{}`",
                        chain.next_sequence(),
                        newest.first_sequence
                    ),
                });
            }
            chain
        }
    };
    Ok(Recovered {
        chain,
        segment_path: newest.path.clone(),
        segment_bytes: scan.kept_bytes,
        segment_started: scan.started.unwrap_or(now),
        cut_bytes: scan.cut_bytes,
        digest_lines: scan.digest_lines,
    })
}

struct Scan {
    /// The chain after the last good record, or `None` when the segment has no good record.
    chain: Option<Chain>,
    kept_bytes: u64,
    cut_bytes: u64,
    started: Option<Timestamp>,
    digest_lines: Vec<(u64, Vec<u8>)>,
}

/// Reads the newest segment and finds its last good record.
///
/// A crash can leave only the end of the last write unfinished. That end is the bytes after the
/// last newline and any complete lines torn as [`segment::is_torn_line`] describes. Bad lines
/// are cut only when every line from the first bad one on is torn. Otherwise a complete record
/// was changed after it was written, and opening fails.
fn scan_newest(newest: &SegmentFile) -> Result<Scan, AuditError> {
    let bytes = segment::read_file(&newest.path)?;
    let (lines, _) = segment::complete_lines(&bytes);
    let corrupt = |line: usize, reason: String| AuditError::Corrupt {
        path: newest.path.clone(),
        line: u64::try_from(line + 1).unwrap_or(u64::MAX),
        reason,
    };

    let mut chain: Option<Chain> = None;
    let mut kept_bytes = 0_usize;
    let mut started = None;
    let mut digest_lines = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let problem = match record::decode::<IgnoredAny>(line) {
            Err(reason) => Some(reason),
            Ok(record) => {
                let expected_sequence = chain
                    .as_ref()
                    .map_or(newest.first_sequence, Chain::next_sequence);
                let linked = chain
                    .as_ref()
                    .is_none_or(|chain| chain.last_hash() == record.prev_hash);
                if record.sequence != expected_sequence {
                    return Err(corrupt(
                        index,
                        format!(
                            "sequence `{}`, expected `{expected_sequence}`",
                            record.sequence
                        ),
                    ));
                }
                if !linked {
                    return Err(corrupt(
                        index,
                        "`prevHash` does not match the previous record".to_owned(),
                    ));
                }
                if let Body::Digest(digest) = &record.body {
                    started.get_or_insert(digest.time);
                    digest_lines.push((record.sequence, line.to_vec()));
                }
                chain = Some(Chain::resume(record.sequence + 1, record.hash));
                kept_bytes += line.len() + 1;
                None
            }
        };
        if let Some(reason) = problem {
            // NOTE: A file system that exposes stale data instead of zeros after a crash leaves
            // a torn line without a zero byte, and opening then fails until an operator acts.
            if !segment::is_torn_line(line) {
                return Err(corrupt(
                    index,
                    format!("{reason}, and the line is complete, so a crash did not tear it"),
                ));
            }
            let complete_later = lines
                .iter()
                .skip(index + 1)
                .position(|later| !segment::is_torn_line(later));
            if let Some(offset) = complete_later {
                return Err(corrupt(
                    index + 1 + offset,
                    format!(
                        "complete line after the line `{}` that a crash tore",
                        index + 1
                    ),
                ));
            }
            break;
        }
    }

    let kept_bytes = u64::try_from(kept_bytes).unwrap_or(u64::MAX);
    let total = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    Ok(Scan {
        chain,
        kept_bytes,
        cut_bytes: total - kept_bytes,
        started,
        digest_lines,
    })
}

/// Resumes the chain from the last record of the segment before `newest`, for a newest segment
/// that contains no record yet.
fn resume_before(segments: &[SegmentFile], newest: &SegmentFile) -> Result<Chain, AuditError> {
    let Some(previous) = segments.iter().rev().nth(1) else {
        return Ok(Chain::resume(newest.first_sequence, RecordHash::ZERO));
    };
    let bytes = segment::read_file(&previous.path)?;
    let (lines, _) = segment::complete_lines(&bytes);
    let last = lines.last().ok_or_else(|| AuditError::Corrupt {
        path: previous.path.clone(),
        line: 1,
        reason: "the segment before the newest one holds no record".to_owned(),
    })?;
    let record = record::decode::<IgnoredAny>(last).map_err(|reason| AuditError::Corrupt {
        path: previous.path.clone(),
        line: u64::try_from(lines.len()).unwrap_or(u64::MAX),
        reason,
    })?;
    Ok(Chain::resume(record.sequence + 1, record.hash))
}

/// Opens the digests file, cuts a torn tail, and adds the digests of the newest segment it is
/// missing (a crash can fall between syncing a segment and syncing the digests file).
fn recover_digests(
    directory: &Path,
    segment_digests: &[(u64, Vec<u8>)],
) -> Result<(File, usize), AuditError> {
    let path = directory.join(DIGESTS_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(AuditError::io("read", &path, error)),
    };
    // Only the torn tail is cut, so a damaged complete line stays for the verifier to report.
    let (mut lines, complete) = segment::complete_lines(&bytes);
    let complete = complete - segment::pop_torn_lines(&mut lines);
    let last_sequence = lines
        .iter()
        .filter_map(|line| record::decode::<IgnoredAny>(line).ok())
        .map(|record| record.sequence)
        .max();

    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|error| AuditError::io("open", &path, error))?;
    file.set_len(u64::try_from(complete).unwrap_or(u64::MAX))
        .map_err(|error| AuditError::io("cut torn record from", &path, error))?;

    let missing: Vec<&(u64, Vec<u8>)> = segment_digests
        .iter()
        .filter(|(sequence, _)| last_sequence.is_none_or(|last| *sequence > last))
        .collect();
    for (_, line) in &missing {
        file.write_all(line)
            .and_then(|()| file.write_all(b"\n"))
            .map_err(|error| AuditError::io("write", &path, error))?;
    }
    file.sync_all()
        .map_err(|error| AuditError::io("sync", &path, error))?;
    Ok((file, missing.len()))
}

/// Rewrites the digests file without the digests of removed segments, atomically, and returns
/// the new file opened for appending.
fn rewrite_digests(directory: &Path, oldest_kept: u64) -> Result<File, AuditError> {
    let path = directory.join(DIGESTS_FILE);
    let temporary = directory.join(format!("{DIGESTS_FILE}.tmp"));
    let bytes = segment::read_file(&path)?;
    let (lines, _) = segment::complete_lines(&bytes);
    let mut kept_lines = Vec::with_capacity(bytes.len());
    for line in lines {
        let keep = match record::decode::<IgnoredAny>(line) {
            Ok(record) => record.sequence >= oldest_kept,
            // An unreadable line stays, for the verifier to report.
            Err(_) => true,
        };
        if keep {
            kept_lines.extend_from_slice(line);
            kept_lines.push(b'\n');
        }
    }
    let mut file =
        File::create(&temporary).map_err(|error| AuditError::io("create", &temporary, error))?;
    file.write_all(&kept_lines)
        .and_then(|()| file.sync_all())
        .map_err(|error| AuditError::io("write", &temporary, error))?;
    fs::rename(&temporary, &path).map_err(|error| AuditError::io("replace", &path, error))?;
    segment::sync_directory(directory)?;
    OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|error| AuditError::io("open", &path, error))
}

#[cfg(test)]
mod tests;
