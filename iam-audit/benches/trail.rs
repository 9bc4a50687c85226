//! Append throughput: hashing and appending in memory, and durable group-committed appends to a
//! trail on disk.
//!
//! The in-memory benchmarks measure the CPU time of the benchmarking thread (the POSIX clock
//! `CLOCK_THREAD_CPUTIME_ID`) besides wall time, because a per-core rate is what they target and
//! other processes on a shared machine inflate wall time.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark stops at its first setup failure"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use iam_audit::{
    AuditEvent, Chain, Elements, EncodedEvent, EventSource, IdentityType, Trail, TrailConfig,
    UserIdentity,
};
use iam_model::{Clock, FixedClock, RandomSource, SeededRandom};
use jiff::Timestamp;
use ring::signature::Ed25519KeyPair;

const BATCH: usize = 1000;

/// Builds a typical event of about 700 bytes: an IAM user creating another user.
fn sample_event(index: usize) -> AuditEvent {
    let mut event = sample_event_without_elements();
    event.request_parameters =
        Some(serde_json::json!({"userName": format!("user-{index}"), "path": "/"}));
    event.response_elements = Some(serde_json::json!({"user": {
        "userName": format!("user-{index}"),
        "userId": "AIDAEXAMPLEUSERID0001",
        "arn": format!("arn:aws:iam::111122223333:user/user-{index}"),
        "createDate": "2026-03-01T12:00:00Z"
    }}));
    event
}

/// Builds the event of [`sample_event`] with its elements written straight to JSON, as the
/// server builds its events.
fn sample_event_with_elements(index: usize) -> AuditEvent<Elements> {
    let mut event = sample_event_without_elements();
    let user_name = format!("user-{index}");
    event.request_parameters = Some(
        Elements::build(|parameters| {
            parameters.string("userName", &user_name);
            parameters.string("path", "/");
        })
        .unwrap(),
    );
    event.response_elements = Some(
        Elements::build(|elements| {
            elements.object("user", |user| {
                user.string("userName", &user_name);
                user.string("userId", "AIDAEXAMPLEUSERID0001");
                user.string(
                    "arn",
                    &format!("arn:aws:iam::111122223333:user/{user_name}"),
                );
                user.string("createDate", "2026-03-01T12:00:00Z");
            });
        })
        .unwrap(),
    );
    event
}

fn sample_event_without_elements<E>() -> AuditEvent<E> {
    let mut event = AuditEvent::empty(Timestamp::UNIX_EPOCH, EventSource::Iam, "CreateUser");
    event.source_ip_address = "192.0.2.10".to_owned();
    event.user_agent = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1".to_owned();
    event.user_identity = UserIdentity {
        identity_type: IdentityType::IamUser,
        principal_id: Some("AIDAEXAMPLEPRINCIPAL1".to_owned()),
        arn: Some("arn:aws:iam::111122223333:user/admin".parse().unwrap()),
        account_id: Some("111122223333".parse().unwrap()),
        access_key_id: Some("AKIAIOSFODNN7EXAMPLE".to_owned()),
        user_name: Some("admin".to_owned()),
        session_context: None,
        identity_provider: None,
    };
    event.request_id = "c3a1f1e0-0000-4000-8000-000000000001".to_owned();
    event.event_id = "c3a1f1e0-0000-4000-8000-000000000002".to_owned();
    event.recipient_account_id = Some("111122223333".parse().unwrap());
    event
}

fn key_pair() -> Ed25519KeyPair {
    let mut seed = [0_u8; 32];
    SeededRandom::new(1).fill(&mut seed);
    Ed25519KeyPair::from_seed_unchecked(&seed).unwrap()
}

/// Returns the CPU time the current thread has run, in nanoseconds.
///
/// `/proc/thread-self/schedstat` is not precise enough here: Linux updates it at scheduler ticks
/// and context switches, and on a less loaded machine a sample of about 1 ms read zero.
fn thread_cpu_nanoseconds() -> u64 {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let nanoseconds = i128::from(time.tv_sec) * 1_000_000_000 + i128::from(time.tv_nsec);
    u64::try_from(nanoseconds).unwrap()
}

/// A criterion measurement of the benchmarking thread's CPU time.
struct ThreadCpuTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_nanoseconds()
    }

    fn end(&self, start: u64) -> u64 {
        thread_cpu_nanoseconds().saturating_sub(start)
    }

    fn add(&self, first: &u64, second: &u64) -> u64 {
        first + second
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuTimeFormatter
    }
}

/// Prints CPU nanoseconds as CPU milliseconds, and rates per CPU second.
struct CpuTimeFormatter;

impl ValueFormatter for CpuTimeFormatter {
    fn scale_values(&self, _typical: f64, values: &mut [f64]) -> &'static str {
        for value in values {
            *value /= 1e6;
        }
        "ms (CPU)"
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let count = match throughput {
            Throughput::Elements(count)
            | Throughput::Bytes(count)
            | Throughput::BytesDecimal(count) => *count as f64,
            _ => 1.0,
        };
        for value in values {
            *value = count * 1e9 / *value / 1e6;
        }
        "Melem/CPU-s"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn in_memory_wall_time(criterion: &mut Criterion) {
    in_memory(criterion, "chain");
}

fn in_memory_cpu_time(criterion: &mut Criterion<ThreadCpuTime>) {
    in_memory(criterion, "chain_cpu_time");
}

fn in_memory<M: Measurement>(criterion: &mut Criterion<M>, group_name: &str) {
    let events: Vec<AuditEvent> = (0..BATCH).map(sample_event).collect();
    let encoded: Vec<EncodedEvent> = events
        .iter()
        .map(|event| EncodedEvent::new(event).unwrap())
        .collect();
    let mut group = criterion.benchmark_group(group_name);
    group.throughput(Throughput::Elements(BATCH as u64));

    group.bench_function("hash_and_append_encoded", |bencher| {
        let mut buffer = Vec::with_capacity(BATCH * 1024);
        bencher.iter(|| {
            let mut chain = Chain::new();
            buffer.clear();
            for event in &encoded {
                chain.append_encoded(event, &mut buffer);
            }
            chain.last_hash()
        });
    });
    group.bench_function("encode_hash_and_append", |bencher| {
        let mut buffer = Vec::with_capacity(BATCH * 1024);
        bencher.iter(|| {
            let mut chain = Chain::new();
            buffer.clear();
            for event in &events {
                chain.append_event(event, &mut buffer).unwrap();
            }
            chain.last_hash()
        });
    });
    // Both build an event from its fields and encode it, the first through JSON values that
    // it redacts, the second through elements redacted as they are written.
    group.bench_function("build_values_redact_encode", |bencher| {
        bencher.iter(|| {
            (0..BATCH)
                .map(|index| {
                    let mut event = sample_event(index);
                    event.redact();
                    EncodedEvent::new(&event).unwrap().len()
                })
                .sum::<usize>()
        });
    });
    group.bench_function("build_elements_encode", |bencher| {
        bencher.iter(|| {
            (0..BATCH)
                .map(|index| {
                    EncodedEvent::new(&sample_event_with_elements(index))
                        .unwrap()
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.finish();
}

fn open_trail(directory: &std::path::Path) -> Trail {
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(Timestamp::UNIX_EPOCH));
    let mut config = TrailConfig::new(directory);
    config.segment_max_bytes = 256 * 1024 * 1024;
    Trail::open(config, clock, key_pair()).unwrap().0
}

fn durable(criterion: &mut Criterion) {
    // The trail lives under the target directory, on the same disk as the build, because a
    // temporary directory may be in memory, where a sync costs nothing.
    let root = env!("CARGO_TARGET_TMPDIR");
    let mut group = criterion.benchmark_group("trail");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));

    let directory = tempfile::tempdir_in(root).unwrap();
    let trail = open_trail(directory.path());
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("append_batch_1000_synced", |bencher| {
        bencher.iter_batched(
            || (0..BATCH).map(sample_event).collect::<Vec<_>>(),
            |events| trail.append_batch(events).unwrap(),
            criterion::BatchSize::LargeInput,
        );
    });
    drop(trail);

    for writers in [16_usize, 64, 256] {
        let directory = tempfile::tempdir_in(root).unwrap();
        let trail = open_trail(directory.path());
        let per_writer = 20;
        group.throughput(Throughput::Elements((writers * per_writer) as u64));
        group.bench_with_input(
            BenchmarkId::new("concurrent_single_appends", writers),
            &writers,
            |bencher, &writers| {
                bencher.iter_custom(|iterations| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        let start = Instant::now();
                        std::thread::scope(|scope| {
                            for writer in 0..writers {
                                let trail = &trail;
                                scope.spawn(move || {
                                    for index in 0..per_writer {
                                        trail
                                            .append(sample_event(writer * per_writer + index))
                                            .unwrap();
                                    }
                                });
                            }
                        });
                        total += start.elapsed();
                    }
                    total
                });
            },
        );
    }
    group.finish();
}

criterion_group!(wall_time, in_memory_wall_time, durable);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = in_memory_cpu_time
}
criterion_main!(wall_time, cpu_time);
