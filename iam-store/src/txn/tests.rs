use std::cell::Cell;

use super::*;
use crate::kv::MemoryEngine;

fn seed(engine: &MemoryEngine, entries: &[(&[u8], &[u8])]) {
    let request = CommitRequest {
        reads: Vec::new(),
        writes: entries
            .iter()
            .map(|(key, value)| (key.to_vec(), Some(value.to_vec())))
            .collect(),
        read_epoch: None,
    };
    engine.commit_now(request).unwrap();
}

#[tokio::test]
async fn range_sees_own_writes_and_limit() {
    let engine = MemoryEngine::new();
    seed(
        &engine,
        &[(b"a1", b"x"), (b"a2", b"x"), (b"a3", b"x"), (b"a4", b"x")],
    );

    let keys = run(&engine, |txn| {
        txn.delete(b"a1".to_vec());
        txn.put(b"a25".to_vec(), b"y".to_vec());
        let entries = txn.range(b"a", b"b", Some(3))?;
        Ok(entries.into_iter().map(|(key, _)| key).collect::<Vec<_>>())
    })
    .await
    .unwrap()
    .value;

    assert_eq!(keys, vec![b"a2".to_vec(), b"a25".to_vec(), b"a3".to_vec()]);
}

#[tokio::test]
async fn get_sees_own_writes() {
    let engine = MemoryEngine::new();
    seed(&engine, &[(b"k", b"old")]);

    let seen = run(&engine, |txn| {
        txn.put(b"k".to_vec(), b"new".to_vec());
        let after_put = txn.get(b"k")?;
        txn.delete(b"k".to_vec());
        let after_delete = txn.get(b"k")?;
        Ok((after_put, after_delete))
    })
    .await
    .unwrap()
    .value;

    assert_eq!(seen.0, Some(b"new".to_vec()));
    assert_eq!(seen.1, None);
    assert_eq!(engine.get(b"k").unwrap(), None);
}

#[tokio::test]
async fn conflicting_commit_runs_body_again() {
    let engine = MemoryEngine::new();
    seed(&engine, &[(b"counter", b"1")]);
    let attempts = Cell::new(0);

    let committed = run(&engine, |txn| {
        attempts.set(attempts.get() + 1);
        let current: u32 = txn.get_json(b"counter")?.unwrap_or(0);
        if attempts.get() == 1 {
            // Another writer commits between this body's read and its commit.
            seed(&engine, &[(b"counter", b"10")]);
        }
        txn.put_json(b"counter".to_vec(), &(current + 1))?;
        Ok(current)
    })
    .await
    .unwrap();

    assert_eq!(attempts.get(), 2);
    assert_eq!(committed.value, 10);
    assert_eq!(
        engine.get(b"counter").unwrap().unwrap().payload,
        b"11".to_vec()
    );
    assert_eq!(committed.revision, Some(3));
}

#[tokio::test]
async fn failed_body_writes_nothing() {
    let engine = MemoryEngine::new();

    let outcome: Result<Committed<()>, StoreError> = run(&engine, |txn| {
        txn.put(b"k".to_vec(), b"v".to_vec());
        Err(StoreError::InvalidInput("stop".to_owned()))
    })
    .await;

    assert!(matches!(outcome, Err(StoreError::InvalidInput(_))));
    assert_eq!(engine.get(b"k").unwrap(), None);
    assert_eq!(engine.revision(), 0);
}

#[tokio::test]
async fn endless_conflicts_give_up() {
    let engine = MemoryEngine::new();

    let outcome = run(&engine, |txn| {
        txn.get(b"hot")?;
        seed(&engine, &[(b"hot", b"changed")]);
        txn.put(b"hot".to_vec(), b"mine".to_vec());
        Ok(())
    })
    .await;

    assert!(matches!(
        outcome,
        Err(StoreError::Contention {
            attempts: MAX_ATTEMPTS
        })
    ));
}

#[test]
fn prefix_end_bounds_prefix() {
    assert_eq!(prefix_end(b"ab"), b"ac".to_vec());
    assert_eq!(prefix_end(b"a\xFF"), b"b".to_vec());
    assert_eq!(prefix_end(b"\xFF\xFF"), vec![0xFF; 3]);
}

#[test]
fn truncated_value_is_corrupt() {
    let outcome = crate::kv::unstamp(&[1, 2, 3]);

    assert!(matches!(outcome, Err(StoreError::Corrupt(_))));
}

#[test]
fn read_only_run_rejects_writes() {
    let engine = MemoryEngine::new();

    let outcome = run_read(&engine, |txn| {
        txn.put(b"k".to_vec(), b"v".to_vec());
        Ok(())
    });

    assert!(
        matches!(outcome, Err(StoreError::Backend(_))),
        "got {outcome:?}"
    );
    assert_eq!(engine.get(b"k").unwrap(), None);
}
