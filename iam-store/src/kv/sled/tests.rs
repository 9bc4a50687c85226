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

#[test]
fn open_writes_shadow_applying_ones() {
    let staged = Staged {
        open: writes(&[(b"a", Some(b"new")), (b"b", None)]),
        open_revision: 2,
        applying: Arc::new(writes(&[
            (b"a", Some(b"old")),
            (b"b", Some(b"old")),
            (b"c", None),
        ])),
    };

    assert_eq!(staged.value(b"a"), Some(Some(IVec::from(b"new"))));
    assert_eq!(staged.value(b"b"), Some(None));
    assert_eq!(staged.value(b"c"), Some(None));
    assert_eq!(staged.value(b"d"), None);
    let range = staged.range(b"a", b"c");
    assert_eq!(range, writes(&[(b"a", Some(b"new")), (b"b", None)]));
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
    };

    // Staged without waiting for the committer thread, which may or may not have applied it
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
    assert_eq!(engine.shared.tree.get(b"\x01a1").unwrap(), None);
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
    let flushes = engine.flushes();
    drop(Arc::into_inner(engine).unwrap());
    let reopened = open_engine(&directory);

    assert_eq!(revisions, (1..=64).collect::<Vec<Revision>>());
    assert!(flushes <= 64, "{flushes} flushes for 64 commits");
    assert_eq!(reopened.revision(), 64);
    let stored = reopened.range(b"\x01", b"\x02", None).unwrap();
    assert_eq!(stored.len(), 64);
}
