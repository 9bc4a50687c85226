//! Tests of what only a store on disk has: reopening, the format version, group commit, and
//! conflict detection in both engines.

use std::sync::Arc;

use iam_model::Quotas;
use iam_store::conformance::Fixture;
use iam_store::kv::{CommitRequest, KvEngine, MemoryEngine, ReadCheck, SledEngine, SledOptions};
use iam_store::prelude::*;
use iam_store::{
    Identity, KvStore, ListOptions, MemoryStore, SledStore, StoreError, TimeStepAcceptance,
};

/// The key of the store's format version: the meta scope byte, then `format`.
const FORMAT_KEY: &[u8] = b"\x03format";

async fn open(path: &std::path::Path) -> SledStore {
    SledStore::open_sled(&SledOptions::new(path), Quotas::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn reopen_keeps_records_and_revision() {
    let directory = tempfile::tempdir().unwrap();
    let fixture = Fixture::new();
    let account = fixture.account(0);
    let store = open(directory.path()).await;
    store
        .create_user(account, fixture.user(account, "Alice"))
        .await
        .unwrap();
    store
        .create_group(account, fixture.group(account, "Team"))
        .await
        .unwrap();
    store
        .add_user_to_group(account, "Team", "Alice")
        .await
        .unwrap();
    let revision = store.revision();
    drop(store);

    let store = open(directory.path()).await;

    assert_eq!(store.revision(), revision);
    let groups = store
        .list_groups_for_user(account, "alice", &ListOptions::default())
        .await
        .unwrap();
    assert_eq!(groups.items.len(), 1);
    let created = store
        .create_user(account, fixture.user(account, "Bob"))
        .await
        .unwrap();
    assert_eq!(created.revision, revision + 1);
}

#[tokio::test]
async fn reopen_keeps_time_steps_and_revocations() {
    let directory = tempfile::tempdir().unwrap();
    let fixture = Fixture::new();
    let account = fixture.account(0);
    let alice = Identity::User("Alice".to_owned());
    let device = fixture.mfa_device(account, "Phone");
    let serial = device.serial_number.clone();
    let step = fixture.time_step();
    let store = open(directory.path()).await;
    store
        .create_user(account, fixture.user(account, "Alice"))
        .await
        .unwrap();
    store
        .create_virtual_mfa_device(account, device)
        .await
        .unwrap();
    store
        .enable_mfa_device(account, "Alice", &serial, fixture.now, step)
        .await
        .unwrap();
    let accepted = store
        .accept_mfa_time_step(account, "Alice", &serial, step + 1)
        .await
        .unwrap();
    store
        .set_session_revocation(account, &alice, fixture.now)
        .await
        .unwrap();
    drop(store);

    let store = open(directory.path()).await;

    assert_eq!(accepted, TimeStepAcceptance::Accepted);
    assert_eq!(
        store.mfa_time_step(account, &serial).await.unwrap(),
        Some(step + 1)
    );
    let replayed = store
        .accept_mfa_time_step(account, "Alice", &serial, step + 1)
        .await
        .unwrap();
    assert_eq!(
        replayed,
        TimeStepAcceptance::NotAfterLast {
            last_accepted: step + 1
        }
    );
    let revocation = store.session_revocation(account, &alice).await.unwrap();
    assert_eq!(
        revocation.map(|record| record.revoked_before),
        Some(fixture.now)
    );
}

#[tokio::test]
async fn newer_format_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let store = open(directory.path()).await;
    let request = CommitRequest {
        reads: Vec::new(),
        writes: vec![(FORMAT_KEY.to_vec(), Some(b"99".to_vec()))],
        read_epoch: None,
    };
    store.engine().commit(request).await.unwrap();
    drop(store);

    let reopened =
        SledStore::open_sled(&SledOptions::new(directory.path()), Quotas::default()).await;

    match reopened {
        Err(StoreError::UnsupportedFormat { found, supported }) => {
            assert_eq!(found, 99);
            assert_eq!(supported, iam_store::FORMAT_VERSION);
        }
        other => panic!("expected UnsupportedFormat, got {other:?}"),
    }
}

#[tokio::test]
async fn records_without_format_are_rejected() {
    let engine = MemoryEngine::new();
    let request = CommitRequest {
        reads: Vec::new(),
        writes: vec![(b"\x01111122220000u\x00alice".to_vec(), Some(b"{}".to_vec()))],
        read_epoch: None,
    };
    engine.commit(request).await.unwrap();

    let opened = KvStore::open(engine, Quotas::default()).await;

    assert!(
        matches!(opened, Err(StoreError::Corrupt(_))),
        "got {opened:?}"
    );
}

#[tokio::test]
async fn older_format_is_raised_to_current() {
    let directory = tempfile::tempdir().unwrap();
    let fixture = Fixture::new();
    let account = fixture.account(0);
    let store = open(directory.path()).await;
    store
        .create_user(account, fixture.user(account, "Alice"))
        .await
        .unwrap();
    let request = CommitRequest {
        reads: Vec::new(),
        writes: vec![(FORMAT_KEY.to_vec(), Some(b"1".to_vec()))],
        read_epoch: None,
    };
    store.engine().commit(request).await.unwrap();
    drop(store);

    let reopened = open(directory.path()).await;

    let stored = reopened.engine().get(FORMAT_KEY).unwrap().unwrap();
    assert_eq!(
        stored.payload,
        iam_store::FORMAT_VERSION.to_string().into_bytes()
    );
    assert!(reopened.user(account, "Alice").await.is_ok());
}

#[tokio::test]
async fn current_format_reopens_in_memory() {
    let store = MemoryStore::in_memory(Quotas::default());
    let stored = store.engine().get(FORMAT_KEY).unwrap().unwrap();
    assert_eq!(
        stored.payload,
        iam_store::FORMAT_VERSION.to_string().into_bytes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_share_log_syncs() {
    let directory = tempfile::tempdir().unwrap();
    let store = Arc::new(open(directory.path()).await);
    let fixture = Fixture::new();
    let account = fixture.account(0);
    let syncs_before = store.engine().log_syncs();

    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..200 {
        let store = Arc::clone(&store);
        let user = fixture.user(account, &format!("user{index}"));
        tasks.spawn(async move { store.create_user(account, user).await.map(drop) });
    }
    for result in tasks.join_all().await {
        result.unwrap();
    }

    let syncs = store.engine().log_syncs() - syncs_before;
    assert!(syncs >= 1, "no log sync happened for 200 durable writes");
    assert!(
        syncs < 200,
        "{syncs} log syncs for 200 writes: writers did not share them"
    );
    let summary = store.account_summary(account).await.unwrap();
    assert_eq!(summary.get("Users"), Some(200));
}

/// Checks that a commit whose reads changed is refused and leaves the data alone.
async fn stale_read_is_refused(engine: &dyn KvEngine) {
    let key = b"\x01shared".to_vec();
    let first = CommitRequest {
        reads: Vec::new(),
        writes: vec![(key.clone(), Some(b"one".to_vec()))],
        read_epoch: None,
    };
    let revision = engine.commit(first).await.unwrap().unwrap();
    let seen = engine.get(&key).unwrap().unwrap();
    assert_eq!(seen.revision, revision);
    let read = ReadCheck::Key {
        key: key.clone(),
        revision: Some(seen.revision),
    };
    let other = CommitRequest {
        reads: Vec::new(),
        writes: vec![(key.clone(), Some(b"two".to_vec()))],
        read_epoch: None,
    };
    engine.commit(other).await.unwrap().unwrap();

    let stale = CommitRequest {
        reads: vec![read.clone()],
        writes: vec![(key.clone(), Some(b"three".to_vec()))],
        read_epoch: None,
    };
    let outcome = engine.commit(stale).await.unwrap();

    assert_eq!(outcome, None);
    assert!(!engine.validate(&[read]).unwrap());
    assert_eq!(engine.get(&key).unwrap().unwrap().payload, b"two".to_vec());
    let range = ReadCheck::Range {
        start: b"\x01".to_vec(),
        end: b"\x02".to_vec(),
        limit: None,
        entries: vec![(key.clone(), engine.revision())],
    };
    assert!(engine.validate(std::slice::from_ref(&range)).unwrap());
    let insert = CommitRequest {
        reads: Vec::new(),
        writes: vec![(b"\x01other".to_vec(), Some(b"new".to_vec()))],
        read_epoch: None,
    };
    engine.commit(insert).await.unwrap().unwrap();
    // A key inserted into a range read before changes the range.
    assert!(!engine.validate(&[range]).unwrap());
}

#[tokio::test]
async fn memory_engine_refuses_stale_reads() {
    stale_read_is_refused(&MemoryEngine::new()).await;
}

#[tokio::test]
async fn sled_engine_refuses_stale_reads() {
    let directory = tempfile::tempdir().unwrap();
    let engine = SledEngine::open(&SledOptions::new(directory.path())).unwrap();
    stale_read_is_refused(&engine).await;
}
