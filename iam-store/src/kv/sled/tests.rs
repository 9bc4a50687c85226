use super::*;

fn open_engine(directory: &tempfile::TempDir) -> SledEngine {
    SledEngine::open(&SledOptions::new(directory.path())).unwrap()
}

fn writes(entries: &[(&[u8], Option<&[u8]>)]) -> Writes {
    entries
        .iter()
        .map(|(key, value)| (IVec::from(*key), value.map(IVec::from)))
        .collect()
}

fn keys(entries: &[(IVec, IVec)]) -> Vec<&[u8]> {
    entries.iter().map(|(key, _)| key.as_ref()).collect()
}

fn stamped_writes(entries: &[(&[u8], Option<&[u8]>)]) -> Vec<(IVec, Option<IVec>)> {
    writes(entries).into_iter().collect()
}

#[test]
fn staged_newest_write_wins() {
    let mut staged = Staged::default();
    staged.insert(
        1,
        stamped_writes(&[
            (b"a", Some(b"old")),
            (b"b", Some(b"old")),
            (b"c", Some(b"old")),
            (b"e", Some(b"old")),
        ]),
    );
    staged.insert(2, stamped_writes(&[(b"c", None), (b"e", Some(b"newer"))]));
    staged.insert(3, stamped_writes(&[(b"a", Some(b"new")), (b"b", None)]));

    assert_eq!(staged.value(b"a"), Some(Some(IVec::from(b"new"))));
    assert_eq!(staged.value(b"b"), Some(None));
    assert_eq!(staged.value(b"c"), Some(None));
    assert_eq!(staged.value(b"d"), None);
    assert_eq!(staged.value(b"e"), Some(Some(IVec::from(b"newer"))));
    assert_eq!(staged.revision(b"a"), Some(Some(3)));
    assert_eq!(staged.revision(b"b"), Some(None));
    assert_eq!(staged.revision(b"d"), None);
    assert_eq!(staged.revision(b"e"), Some(Some(2)));
    assert_eq!(staged.open_revision, 3);
    let range = staged.range(b"a", b"f");
    assert_eq!(
        range,
        writes(&[
            (b"a", Some(b"new")),
            (b"b", None),
            (b"c", None),
            (b"e", Some(b"newer")),
        ])
    );
}

#[test]
fn applied_writes_leave_unless_replaced() {
    let mut staged = Staged::default();
    staged.insert(
        1,
        stamped_writes(&[(b"a", Some(b"one")), (b"b", Some(b"one"))]),
    );
    let first = std::mem::take(&mut staged.open);
    staged.insert(2, stamped_writes(&[(b"a", Some(b"two"))]));

    staged.remove_applied(&first, 1);

    assert_eq!(staged.value(b"a"), Some(Some(IVec::from(b"two"))));
    assert_eq!(staged.value(b"b"), None);
    assert_eq!(staged.open.len(), 1);
}

#[test]
fn merge_applies_removals_before_limit() {
    let stored = vec![
        (IVec::from(b"a1"), IVec::from(b"x")),
        (IVec::from(b"a2"), IVec::from(b"x")),
        (IVec::from(b"a3"), IVec::from(b"x")),
    ];
    let staged = writes(&[(b"a1", None), (b"a25", Some(b"y"))]);

    let merged = merge(stored.clone(), staged, Some(2));
    let unchanged = merge(stored, Writes::new(), Some(2));

    assert_eq!(keys(&merged), vec![&b"a2"[..], b"a25"]);
    assert_eq!(keys(&unchanged), vec![&b"a1"[..], b"a2"]);
}

/// Commits `keys` in one transaction without reads and returns its revision.
async fn seed(engine: &SledEngine, keys: &[&[u8]]) -> Revision {
    let request = CommitRequest {
        reads: Vec::new(),
        writes: keys
            .iter()
            .map(|key| (key.to_vec(), Some(b"seed".to_vec())))
            .collect(),
        read_epoch: None,
    };
    engine.commit(request).await.unwrap().unwrap()
}

#[tokio::test]
async fn staged_removal_hides_stored_entry() {
    let directory = tempfile::tempdir().unwrap();
    let engine = open_engine(&directory);
    let seeded = seed(&engine, &[b"\x01a1", b"\x01a2", b"\x01a3"]).await;
    let removal = CommitRequest {
        reads: Vec::new(),
        writes: vec![(b"\x01a1".to_vec(), None)],
        read_epoch: None,
    };

    // Staged without waiting for the commit thread, which may or may not have applied it
    // when the reads below run: they must see it either way.
    let (revision, answer) = engine.shared.stage(removal).unwrap().unwrap();
    let entries = engine.range(b"\x01a", b"\x01b", Some(2)).unwrap();
    let removed = engine.get(b"\x01a1").unwrap();
    let stale = ReadCheck::Key {
        key: b"\x01a1".to_vec(),
        revision: Some(seeded),
    };

    assert_eq!(revision, seeded + 1);
    let found: Vec<&[u8]> = entries.iter().map(|(key, _)| key.as_slice()).collect();
    assert_eq!(found, vec![&b"\x01a2"[..], b"\x01a3"]);
    assert_eq!(removed, None);
    assert!(!engine.validate(&[stale]).unwrap());
    answer.await.unwrap().unwrap();
    // The apply thread writes to sled after the commit is acknowledged, and before the engine
    // is dropped.
    drop(engine);
    let reopened = open_engine(&directory);
    assert_eq!(reopened.shared.tree.get(b"\x01a1").unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commits_survive_reopen() {
    let directory = tempfile::tempdir().unwrap();
    let engine = Arc::new(open_engine(&directory));

    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..64_u32 {
        let engine = Arc::clone(&engine);
        tasks.spawn(async move {
            let key = format!("\x01key{index:02}").into_bytes();
            seed(&engine, &[&key]).await
        });
    }
    let mut revisions: Vec<Revision> = tasks.join_all().await;
    revisions.sort_unstable();
    let syncs = engine.log_syncs();
    let logged = engine.logged_commits();
    drop(Arc::into_inner(engine).unwrap());
    let reopened = open_engine(&directory);

    assert_eq!(revisions, (1..=64).collect::<Vec<Revision>>());
    assert!(syncs <= 64, "{syncs} log syncs for 64 commits");
    assert_eq!(logged, 64);
    assert_eq!(reopened.revision(), 64);
    let stored = reopened.range(b"\x01", b"\x02", None).unwrap();
    assert_eq!(stored.len(), 64);
}

/// Commits one key per transaction, `\x01key00` up to `count` keys, and returns the revisions.
async fn seed_each(engine: &SledEngine, count: u32) -> Vec<Revision> {
    let mut revisions = Vec::new();
    for index in 0..count {
        let key = format!("\x01key{index:02}").into_bytes();
        revisions.push(seed(engine, &[&key]).await);
    }
    revisions
}

/// Returns the log segment files in `directory`, oldest first.
fn log_files(directory: &Path) -> Vec<PathBuf> {
    wal::segments(&directory.join(LOG_DIRECTORY))
        .unwrap()
        .into_iter()
        .map(|(_, path)| path)
        .collect()
}

/// Writes `contents` as the log segment `name` of a database in `directory`.
fn place_segment(directory: &Path, name: &std::ffi::OsStr, contents: &[u8]) {
    let log = directory.join(LOG_DIRECTORY);
    std::fs::create_dir_all(&log).unwrap();
    std::fs::write(log.join(name), contents).unwrap();
}

fn stored_keys(engine: &SledEngine) -> usize {
    engine.range(b"\x01", b"\x02", None).unwrap().len()
}

#[tokio::test]
async fn log_alone_restores_acknowledged_commits() {
    let written = tempfile::tempdir().unwrap();
    let engine = open_engine(&written);
    let revisions = seed_each(&engine, 20).await;
    drop(engine);
    let [segment] = log_files(written.path()).try_into().unwrap();
    let mut contents = std::fs::read(&segment).unwrap();
    // A torn append after the last acknowledged record: a frame that promises more bytes.
    contents.extend_from_slice(&[0, 0, 1, 0, 0xAB, 0xCD, 0xEF, 0x01, 7, 7]);

    // A database that lost everything sled held, with only the log left.
    let restored = tempfile::tempdir().unwrap();
    place_segment(restored.path(), segment.file_name().unwrap(), &contents);
    let engine = open_engine(&restored);

    assert_eq!(revisions, (1..=20).collect::<Vec<Revision>>());
    assert_eq!(engine.revision(), 20);
    assert_eq!(stored_keys(&engine), 20);
    let last = engine.get(b"\x01key19").unwrap().unwrap();
    assert_eq!(last.revision, 20);
    assert_eq!(last.payload, b"seed");
    assert_eq!(log_files(restored.path()).len(), 1);
}

#[tokio::test]
async fn replay_cut_short_resumes_on_open() {
    let written = tempfile::tempdir().unwrap();
    let engine = open_engine(&written);
    seed_each(&engine, 10).await;
    drop(engine);
    let [segment] = log_files(written.path()).try_into().unwrap();
    let contents = std::fs::read(&segment).unwrap();
    let name = segment.file_name().unwrap();

    // sled kept part of a replay: the records in the first half of the segment.
    let restored = tempfile::tempdir().unwrap();
    place_segment(restored.path(), name, &contents[..contents.len() / 2]);
    let partial = open_engine(&restored);
    let partial_revision = partial.revision();
    drop(partial);
    place_segment(restored.path(), name, &contents);
    let engine = open_engine(&restored);

    assert!(
        (1..10).contains(&partial_revision),
        "the first half replayed to revision {partial_revision}"
    );
    assert_eq!(engine.revision(), 10);
    assert_eq!(stored_keys(&engine), 10);
}

#[tokio::test]
async fn full_segments_are_deleted_once_flushed() {
    let directory = tempfile::tempdir().unwrap();
    let options = SledOptions {
        log_segment_bytes: 1,
        ..SledOptions::new(directory.path())
    };
    let engine = SledEngine::open(&options).unwrap();
    seed_each(&engine, 30).await;
    let syncs = engine.log_syncs();
    drop(engine);
    let remaining = log_files(directory.path());
    let reopened = SledEngine::open(&options).unwrap();

    assert_eq!(syncs, 30);
    assert_eq!(remaining.len(), 1, "left behind: {remaining:?}");
    assert_eq!(reopened.revision(), 30);
    assert_eq!(stored_keys(&reopened), 30);
}

/// Waits until the apply thread has moved every staged write to sled.
async fn wait_until_applied(engine: &SledEngine) {
    while engine.shared.has_staged.load(Ordering::Acquire) {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn read_epoch_catches_applied_write() {
    let directory = tempfile::tempdir().unwrap();
    let engine = open_engine(&directory);
    let key = b"\x01k".to_vec();
    let read_epoch = engine.read_epoch();
    let absent = engine.get(&key).unwrap();
    let write = |reads: Vec<ReadCheck>, value: &[u8]| CommitRequest {
        reads,
        writes: vec![(key.clone(), Some(value.to_vec()))],
        read_epoch,
    };
    let seen_absent = ReadCheck::Key {
        key: key.clone(),
        revision: None,
    };

    // Another writer creates the key, and sled gets it, so it is no longer staged when the
    // first transaction commits.
    let created = engine.commit(write(Vec::new(), b"other")).await.unwrap();
    wait_until_applied(&engine).await;
    let stale = engine
        .commit(write(vec![seen_absent], b"mine"))
        .await
        .unwrap();

    assert_eq!(absent, None);
    assert_eq!(created, Some(1));
    assert_ne!(engine.read_epoch(), read_epoch);
    assert_eq!(stale, None);
    assert_eq!(engine.get(&key).unwrap().unwrap().payload, b"other");
}

#[tokio::test]
async fn read_epoch_unchanged_key_commits() {
    let directory = tempfile::tempdir().unwrap();
    let engine = open_engine(&directory);
    let seeded = seed(&engine, &[b"\x01k"]).await;
    wait_until_applied(&engine).await;
    let read_epoch = engine.read_epoch();
    let seen = engine.get(b"\x01k").unwrap().map(|value| value.revision);
    let request = CommitRequest {
        reads: vec![ReadCheck::Key {
            key: b"\x01k".to_vec(),
            revision: seen,
        }],
        writes: vec![(b"\x01other".to_vec(), Some(b"new".to_vec()))],
        read_epoch,
    };

    let committed = engine.commit(request).await.unwrap();

    assert_eq!(seen, Some(seeded));
    assert_eq!(committed, Some(seeded + 1));
}
