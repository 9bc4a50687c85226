//! Benchmarks of the sled store against raw sled with the same keys and values: point reads,
//! durable writes one at a time, group-committed durable writes, and loading every policy of a
//! principal cold and warm.
//!
//! The store makes a commit durable with `fdatasync` on its log. Raw sled's `flush` uses
//! `sync_file_range` on Linux, which leaves the data in the device's write cache, so the raw
//! writes here also call `fdatasync` on sled's data file to compare at equal durability.
//! The group-commit benchmark prints the process CPU time per write, and for the store the
//! commits per log sync, to standard error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "benchmark setup fails loudly"
)]

use std::fs::File;
use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use iam_model::{AccountId, Quotas, User};
use iam_store::conformance::Fixture;
use iam_store::kv::{KvEngine, SledOptions};
use iam_store::prelude::*;
use iam_store::{Identity, SledStore};

/// The revision stamp in front of every value the store writes.
const STAMP_LEN: usize = 8;
/// Users created per account before the next account is used, below the default quota.
const USERS_PER_ACCOUNT: u64 = 4000;

/// Polls a future that completes without waiting, such as a store read, and panics otherwise.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the future waited"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Builds the key the store uses for a user, following its key layout.
fn user_key(account: AccountId, name: &str) -> Vec<u8> {
    let mut key = vec![0x01];
    key.extend_from_slice(account.as_str().as_bytes());
    key.extend_from_slice(b"u\x00");
    key.extend_from_slice(name.to_lowercase().as_bytes());
    key
}

/// Builds the key of an account's user counter, following the store's key layout.
fn user_counter_key(account: AccountId) -> Vec<u8> {
    let mut key = vec![0x01];
    key.extend_from_slice(account.as_str().as_bytes());
    key.extend_from_slice(b"n\x00users");
    key
}

/// A raw sled database with its data file, which each durable write syncs with `fdatasync`.
struct Raw {
    db: sled::Db,
    data_file: File,
}

/// Writes what `create_user` writes to raw sled as one batch, then flushes and syncs the data
/// file: the user stamped with `index`, the account's user counter and the engine's revision.
fn raw_create_user(raw: &Raw, account: AccountId, user: &User, index: u64) {
    let mut value = index.to_be_bytes().to_vec();
    value.extend_from_slice(&serde_json::to_vec(user).unwrap());
    let mut batch = sled::Batch::default();
    batch.insert(user_key(account, &user.user_name), value);
    batch.insert(user_counter_key(account), index.to_be_bytes().to_vec());
    batch.insert(b"\x00revision".to_vec(), index.to_be_bytes().to_vec());
    raw.db.apply_batch(batch).unwrap();
    raw.db.flush().unwrap();
    raw.data_file.sync_data().unwrap();
}

fn open_store(runtime: &tokio::runtime::Runtime, path: &Path) -> SledStore {
    runtime
        .block_on(SledStore::open_sled(
            &SledOptions::new(path),
            Quotas::default(),
        ))
        .unwrap()
}

fn open_raw(path: &Path) -> Raw {
    let db = sled::Config::new().path(path).open().unwrap();
    // sled 0.34 keeps its log and pages in the file `db` of its directory.
    let data_file = File::open(path.join("db")).unwrap();
    Raw { db, data_file }
}

/// Returns the CPU time the process has used, on every thread.
fn process_cpu_time() -> Duration {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(time.tv_sec).unwrap(),
        u32::try_from(time.tv_nsec).unwrap(),
    )
}

/// The CPU time and writes of the measured runs of one benchmark.
#[derive(Default)]
struct CpuTally {
    cpu: Duration,
    writes: u64,
}

impl CpuTally {
    fn add(&mut self, cpu: Duration, writes: u64) {
        self.cpu += cpu;
        self.writes += writes;
    }

    fn micros_per_write(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.writes.max(1) as f64
    }
}

/// Copies every entry of the store into a raw sled database with the same bytes.
fn copy_into_raw(store: &SledStore, raw: &Raw) {
    let entries = store.engine().range(&[0x01], &[0xFF], None).unwrap();
    for (key, value) in entries {
        let mut bytes = value.revision.to_be_bytes().to_vec();
        bytes.extend_from_slice(&value.payload);
        raw.db.insert(key, bytes).unwrap();
    }
    raw.db.flush().unwrap();
}

fn point_reads(criterion: &mut Criterion) {
    let runtime = runtime();
    let directory = tempfile::tempdir().unwrap();
    let store = open_store(&runtime, &directory.path().join("store"));
    let fixture = Fixture::new();
    let account = fixture.account(0);
    runtime.block_on(async {
        for index in 0..1000 {
            let user = fixture.user(account, &format!("user{index}"));
            store.create_user(account, user).await.unwrap();
        }
    });
    let raw = open_raw(&directory.path().join("raw"));
    copy_into_raw(&store, &raw);
    let names: Vec<String> = (0..1000)
        .map(|index| format!("user{}", index * 7 % 1000))
        .collect();
    let keys: Vec<Vec<u8>> = names.iter().map(|name| user_key(account, name)).collect();

    let mut group = criterion.benchmark_group("point_read");
    group.throughput(Throughput::Elements(1));
    let mut next = 0;
    group.bench_function("raw_sled_get_and_decode", |bench| {
        bench.iter(|| {
            next = (next + 1) % keys.len();
            let value = raw.db.get(&keys[next]).unwrap().unwrap();
            let user: User = serde_json::from_slice(&value[STAMP_LEN..]).unwrap();
            user
        });
    });
    group.bench_function("store_user", |bench| {
        bench.iter(|| {
            next = (next + 1) % names.len();
            ready(store.user(account, &names[next])).unwrap()
        });
    });
    group.finish();
}

fn durable_writes(criterion: &mut Criterion) {
    let runtime = runtime();
    let directory = tempfile::tempdir().unwrap();
    let store = open_store(&runtime, &directory.path().join("store"));
    let raw = open_raw(&directory.path().join("raw"));
    let fixture = Fixture::new();
    let template = fixture.user(fixture.account(0), "template");
    let counter = AtomicU64::new(0);

    let mut group = criterion.benchmark_group("durable_write");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("raw_sled_batch_and_flush", |bench| {
        bench.iter(|| {
            let index = counter.fetch_add(1, Ordering::Relaxed);
            let account = fixture.account(u32::try_from(index / USERS_PER_ACCOUNT).unwrap());
            let mut user = template.clone();
            user.user_name = format!("raw{index}");
            raw_create_user(&raw, account, &user, index);
        });
    });
    group.bench_function("store_create_user", |bench| {
        bench.iter(|| {
            let index = counter.fetch_add(1, Ordering::Relaxed);
            let account = fixture.account(u32::try_from(index / USERS_PER_ACCOUNT).unwrap());
            let mut user = template.clone();
            user.user_name = format!("user{index}");
            runtime.block_on(store.create_user(account, user)).unwrap();
        });
    });
    group.finish();
}

fn group_commit(criterion: &mut Criterion) {
    const WRITERS: u64 = 256;
    let runtime = runtime();
    let directory = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(&runtime, &directory.path().join("store")));
    let fixture = Arc::new(Fixture::new());
    let template = fixture.user(fixture.account(0), "template");
    let round = AtomicU64::new(0);
    let mut store_tally = CpuTally::default();
    let syncs_before = store.engine().log_syncs();
    let commits_before = store.revision();

    let mut group = criterion.benchmark_group("group_commit");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("store_create_user_256_writers", |bench| {
        bench.iter_custom(|iterations| {
            let round = round.fetch_add(1, Ordering::Relaxed);
            let per_writer = iterations.div_ceil(WRITERS);
            let started = Instant::now();
            let cpu_started = process_cpu_time();
            runtime.block_on(async {
                let mut tasks = tokio::task::JoinSet::new();
                for writer in 0..WRITERS {
                    let store = Arc::clone(&store);
                    let fixture = Arc::clone(&fixture);
                    let template = template.clone();
                    tasks.spawn(async move {
                        // Each writer has its own account, as independent clients would. Each
                        // round takes new accounts, so that no account reaches the quota of
                        // 5,000 users however many rounds criterion runs.
                        let account =
                            fixture.account(u32::try_from(round * WRITERS + writer).unwrap());
                        for index in 0..per_writer {
                            let mut user = template.clone();
                            user.user_name = format!("r{round}w{writer}u{index}");
                            store.create_user(account, user).await.unwrap();
                        }
                    });
                }
                tasks.join_all().await;
            });
            // Scale to the requested count: each writer wrote `per_writer`.
            let elapsed = started.elapsed();
            store_tally.add(process_cpu_time() - cpu_started, per_writer * WRITERS);
            elapsed.mul_f64(iterations as f64 / (per_writer * WRITERS) as f64)
        });
    });
    // The same writes from as many threads on raw sled, where each writer's flush covers
    // whatever the other writers applied before it.
    let raw = open_raw(&directory.path().join("raw"));
    let next_index = AtomicU64::new(0);
    let mut raw_tally = CpuTally::default();
    group.bench_function("raw_sled_256_threads", |bench| {
        bench.iter_custom(|iterations| {
            let per_writer = iterations.div_ceil(WRITERS);
            let started = Instant::now();
            let cpu_started = process_cpu_time();
            std::thread::scope(|scope| {
                for writer in 0..WRITERS {
                    let (raw, fixture, template) = (&raw, &fixture, &template);
                    let next_index = &next_index;
                    scope.spawn(move || {
                        let account = fixture.account(u32::try_from(writer).unwrap());
                        for _ in 0..per_writer {
                            let index = next_index.fetch_add(1, Ordering::Relaxed);
                            let mut user = template.clone();
                            user.user_name = format!("raw{index}");
                            raw_create_user(raw, account, &user, index);
                        }
                    });
                }
            });
            let elapsed = started.elapsed();
            raw_tally.add(process_cpu_time() - cpu_started, per_writer * WRITERS);
            elapsed.mul_f64(iterations as f64 / (per_writer * WRITERS) as f64)
        });
    });
    group.finish();

    // A filter that skipped both benchmarks leaves nothing to report.
    if store_tally.writes == 0 && raw_tally.writes == 0 {
        return;
    }
    let syncs = store.engine().log_syncs() - syncs_before;
    let commits = store.revision() - commits_before;
    eprintln!(
        "group_commit/store: {:.1} µs CPU per write, {:.1} commits per log sync ({commits} commits, {syncs} syncs)",
        store_tally.micros_per_write(),
        commits as f64 / syncs.max(1) as f64,
    );
    eprintln!(
        "group_commit/raw: {:.1} µs CPU per write",
        raw_tally.micros_per_write()
    );
}

/// Creates a user with inline and attached policies, three groups with theirs, and a boundary.
async fn populate_principal(store: &SledStore, fixture: &Fixture, account: AccountId) {
    let boundary = fixture.policy(account, "Boundary", "*");
    store
        .create_policy(account, boundary.clone())
        .await
        .unwrap();
    let mut user = fixture.user(account, "Alice");
    user.permissions_boundary = Some(boundary.arn.clone());
    store.create_user(account, user).await.unwrap();
    let alice = Identity::User("Alice".to_owned());
    for index in 0..5 {
        let policy = fixture.policy(account, &format!("Policy{index}"), "s3:*");
        store.create_policy(account, policy).await.unwrap();
    }
    for index in 0..2 {
        let inline = fixture.inline(&format!("Inline{index}"), "sqs:*");
        store
            .put_inline_policy(account, &alice, inline)
            .await
            .unwrap();
    }
    for index in 0..3 {
        let arn = fixture
            .policy(account, &format!("Policy{index}"), "s3:*")
            .arn;
        store.attach_policy(account, &alice, &arn).await.unwrap();
    }
    for index in 0..3 {
        let name = format!("Group{index}");
        let group = Identity::Group(name.clone());
        store
            .create_group(account, fixture.group(account, &name))
            .await
            .unwrap();
        store
            .add_user_to_group(account, &name, "Alice")
            .await
            .unwrap();
        let inline = fixture.inline("GroupInline", "sns:*");
        store
            .put_inline_policy(account, &group, inline)
            .await
            .unwrap();
        for policy in [index + 2, (index + 3) % 5] {
            let arn = fixture
                .policy(account, &format!("Policy{policy}"), "s3:*")
                .arn;
            store.attach_policy(account, &group, &arn).await.unwrap();
        }
    }
}

fn principal_policies(criterion: &mut Criterion) {
    let runtime = runtime();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("store");
    let fixture = Fixture::new();
    let account = fixture.account(0);
    let alice = Identity::User("Alice".to_owned());
    {
        let store = open_store(&runtime, &path);
        runtime.block_on(populate_principal(&store, &fixture, account));
    }

    let mut group = criterion.benchmark_group("principal_policies");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.bench_function("cold_after_reopen", |bench| {
        bench.iter_batched(
            || open_store(&runtime, &path),
            |store| {
                let loaded = ready(store.principal_policies(account, &alice)).unwrap();
                (loaded, store)
            },
            BatchSize::PerIteration,
        );
    });
    let store = open_store(&runtime, &path);
    group.bench_function("warm", |bench| {
        bench.iter(|| ready(store.principal_policies(account, &alice)).unwrap());
    });
    group.finish();
}

criterion_group!(
    benches,
    point_reads,
    durable_writes,
    group_commit,
    principal_policies
);
criterion_main!(benches);
