//! Appending, reopening, group commit, rotation, retention and write failures.

use std::sync::Arc;

use iam_audit::{AuditSink, Query, Retention, Trail, TrailConfig};
use jiff::SignedDuration;

use crate::support::{self, TestTrail, event, segments};

fn small_segments(config: &mut TrailConfig) {
    config.segment_max_bytes = 300 * 1024;
}

fn count_events(test: &TestTrail) -> usize {
    support::all_pages(test.path(), Query::default()).len()
}

#[test]
fn new_trail_opens_with_a_digest() {
    let test = TestTrail::new(|_| {});

    let report = test.verify();

    assert!(report.is_intact(), "{:?}", report.tamper);
    assert_eq!(report.records, 1);
    assert_eq!(report.digests, 1);
    assert_eq!(report.first_sequence, Some(0));
    assert_eq!(report.last_signed_sequence, Some(0));
}

#[test]
fn appends_get_consecutive_sequences() {
    let test = TestTrail::new(|_| {});

    let first = test
        .trail()
        .append(event(0, support::start_time()))
        .unwrap();
    let second = test
        .trail()
        .record(event(1, support::start_time()))
        .unwrap();
    let batch = test
        .trail()
        .append_batch(vec![
            event(2, support::start_time()),
            event(3, support::start_time()),
        ])
        .unwrap();

    assert_eq!(first.sequence, 1);
    assert_eq!(second.sequence, 2);
    let sequences: Vec<u64> = batch.iter().map(|receipt| receipt.sequence).collect();
    assert_eq!(sequences, vec![3, 4]);
}

#[test]
fn reopened_trail_continues_the_chain() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 5);

    let report = test.reopen(|_| {});
    test.append_events(5, 5);

    assert_eq!(report.next_sequence, 6);
    assert_eq!(report.cut_bytes, 0);
    let verified = test.verify();
    assert!(verified.is_intact(), "{:?}", verified.tamper);
    // Two opening digests and ten events.
    assert_eq!(verified.records, 12);
    assert_eq!(count_events(&test), 10);
}

#[test]
fn concurrent_appends_are_all_durable() {
    let test = TestTrail::new(|_| {});
    let trail = test.trail();

    let receipts: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|thread| {
                scope.spawn(move || {
                    (0..25)
                        .map(|index| {
                            trail
                                .append(event(thread * 100 + index, support::start_time()))
                                .unwrap()
                                .sequence
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect()
    });

    let mut sorted = receipts.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 200);
    assert_eq!(count_events(&test), 200);
    assert!(test.verify().is_intact());
}

#[test]
fn digest_signed_every_interval_of_records() {
    let test = TestTrail::new(|config| config.digest_interval_records = 10);

    for index in 0..25 {
        test.trail()
            .append(event(index, support::start_time()))
            .unwrap();
    }

    let report = test.verify();
    assert!(report.is_intact(), "{:?}", report.tamper);
    // The opening digest and one after every ten events.
    assert_eq!(report.digests, 3);
    assert_eq!(report.records, 28);
}

#[test]
fn digest_signed_after_interval_of_time() {
    let test = TestTrail::new(|config| config.digest_interval = SignedDuration::from_mins(1));
    test.append_events(0, 3);

    test.clock.advance(61);
    test.append_events(3, 1);

    let report = test.verify();
    assert_eq!(report.digests, 2);
    assert_eq!(report.last_sequence, report.last_signed_sequence);
}

#[test]
fn sign_covers_every_record() {
    let test = TestTrail::new(|_| {});
    test.append_events(0, 7);

    let digest = test.trail().sign().unwrap();

    assert_eq!(digest.count, 8);
    let report = test.verify();
    assert_eq!(report.last_signed_sequence, Some(8));
    assert!(digest.verify(&[test.trail().public_key()]));
}

#[test]
fn segments_rotate_by_size() {
    let test = TestTrail::new(small_segments);

    for batch in 0..10 {
        test.append_events(batch * 200, 200);
    }

    let paths = segments(test.path());
    assert!(paths.len() >= 3, "{paths:?}");
    for path in &paths {
        let size = std::fs::metadata(path).unwrap().len();
        // A segment closes at the first record past the limit.
        assert!(size < 300 * 1024 + 2048, "{}: {size}", path.display());
        let first = support::read_lines(path).remove(0);
        assert!(
            first.contains("\"digest\":"),
            "{} opens with {first}",
            path.display()
        );
    }
    assert!(test.verify().is_intact());
    assert_eq!(count_events(&test), 2000);
}

#[test]
fn segments_rotate_by_age() {
    let test = TestTrail::new(|config| config.segment_max_age = SignedDuration::from_hours(1));
    test.append_events(0, 3);

    test.clock.advance(3600);
    let receipts = test
        .trail()
        .append_batch(vec![
            event(3, support::start_time()),
            event(4, support::start_time()),
        ])
        .unwrap();

    // The digest that opens the new segment takes sequence 4, before the batch's events.
    let sequences: Vec<u64> = receipts.iter().map(|receipt| receipt.sequence).collect();
    assert_eq!(sequences, vec![5, 6]);
    let paths = segments(test.path());
    assert_eq!(paths.len(), 2);
    assert!(
        paths[1].ends_with("00000000000000000004.jsonl"),
        "{paths:?}"
    );
    assert!(test.verify().is_intact());
}

#[test]
fn retention_by_age_keeps_a_verifiable_chain() {
    let configure = |config: &mut TrailConfig| {
        config.segment_max_age = SignedDuration::from_hours(1);
        config.retention = Retention {
            max_age: Some(SignedDuration::from_hours(2)),
            max_bytes: None,
        };
    };
    let test = TestTrail::new(configure);
    for hour in 0..6 {
        test.append_events(hour * 10, 10);
        test.clock.advance(3600);
    }
    // The append that rotates also applies retention.
    test.append_events(60, 1);

    let paths = segments(test.path());
    let report = test.verify();
    assert!(report.is_intact(), "{:?}", report.tamper);
    // Segments that ended more than two hours ago are gone.
    assert_eq!(paths.len(), 4, "{paths:?}");
    assert!(report.first_sequence.unwrap() > 0);
    let digest_copies = support::read_lines(&test.path().join("digests.jsonl"));
    let oldest_copy: serde_json::Value = serde_json::from_str(&digest_copies[0]).unwrap();
    assert_eq!(oldest_copy["seq"].as_u64(), report.first_sequence);
}

#[test]
fn retention_by_size_removes_oldest_segments() {
    let configure = |config: &mut TrailConfig| {
        small_segments(config);
        config.retention = Retention {
            max_age: None,
            max_bytes: Some(700 * 1024),
        };
    };
    let test = TestTrail::new(configure);

    for batch in 0..12 {
        test.append_events(batch * 200, 200);
    }

    let total: u64 = segments(test.path())
        .iter()
        .map(|path| std::fs::metadata(path).unwrap().len())
        .sum();
    assert!(total <= 700 * 1024 + 300 * 1024, "{total}");
    assert!(!segments(test.path())[0].ends_with("00000000000000000000.jsonl"));
    let report = test.verify();
    assert!(report.is_intact(), "{:?}", report.tamper);
}

#[test]
fn apply_retention_without_limits_removes_nothing() {
    let test = TestTrail::new(small_segments);
    test.append_events(0, 1000);

    let report = test.trail().apply_retention().unwrap();

    assert!(report.removed_segments.is_empty());
    assert_eq!(report.removed_bytes, 0);
}

#[test]
fn failed_write_makes_trail_refuse_appends() {
    let test = TestTrail::new(|config| config.segment_max_age = SignedDuration::from_hours(1));
    test.append_events(0, 2);
    // The next rotation must create segment 3; a file already there makes it fail.
    std::fs::write(test.path().join("00000000000000000003.jsonl"), b"").unwrap();
    test.clock.advance(3600);

    let failed = test.trail().append(event(2, support::start_time()));
    let after = test.trail().append(event(3, support::start_time()));

    assert!(
        matches!(failed, Err(iam_audit::AuditError::Io { .. })),
        "{failed:?}"
    );
    assert!(
        matches!(after, Err(iam_audit::AuditError::Unavailable { .. })),
        "{after:?}"
    );
    assert!(test.trail().ready().is_err());
    assert!(test.trail().sign().is_err());
}

#[test]
fn oversized_batch_stores_nothing() {
    let test = TestTrail::new(|_| {});
    let mut huge = event(1, support::start_time());
    huge.request_parameters = Some(serde_json::Value::String(
        "x".repeat(iam_audit::MAX_EVENT_BYTES),
    ));

    let result = test
        .trail()
        .append_batch(vec![event(0, support::start_time()), huge]);

    assert!(matches!(
        result,
        Err(iam_audit::AuditError::EventTooLarge { .. })
    ));
    assert_eq!(count_events(&test), 0);
    assert!(test.trail().ready().is_ok());
}

#[test]
fn sink_batch_rejects_only_oversized_event() {
    let test = TestTrail::new(|_| {});
    let mut huge = event(1, support::start_time());
    huge.request_parameters = Some(serde_json::Value::String(
        "x".repeat(iam_audit::MAX_EVENT_BYTES),
    ));
    let events = vec![
        event(0, support::start_time()),
        huge,
        event(2, support::start_time()),
    ];

    let results = test.trail().record_batch(events);

    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(iam_audit::AuditError::EventTooLarge { .. })),
        "{:?}",
        results[1]
    );
    assert!(results[2].is_ok(), "{:?}", results[2]);
    assert_eq!(count_events(&test), 2);
}

#[test]
fn sink_batch_fails_every_event_of_failed_write() {
    let test = TestTrail::new(|config| config.segment_max_age = SignedDuration::from_hours(1));
    test.append_events(0, 2);
    // The next rotation must create segment 3; a file already there makes it fail.
    std::fs::write(test.path().join("00000000000000000003.jsonl"), b"").unwrap();
    test.clock.advance(3600);

    let events = vec![
        event(2, support::start_time()),
        event(3, support::start_time()),
    ];
    let results = test.trail().record_batch(events);

    assert_eq!(results.len(), 2);
    for result in &results {
        assert!(
            matches!(result, Err(iam_audit::AuditError::Unavailable { .. })),
            "{result:?}"
        );
    }
    assert!(test.trail().ready().is_err());
}

#[test]
fn invalid_config_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let clock: Arc<dyn iam_model::Clock> =
        Arc::new(iam_model::FixedClock::new(support::start_time()));
    let cases: [fn(&mut TrailConfig); 4] = [
        |config| config.segment_max_bytes = 1024,
        |config| config.segment_max_age = SignedDuration::ZERO,
        |config| config.digest_interval = SignedDuration::from_secs(-1),
        |config| config.digest_interval_records = 0,
    ];

    for configure in cases {
        let mut config = TrailConfig::new(directory.path());
        configure(&mut config);
        let result = Trail::open(config, clock.clone(), support::key_pair(1));
        assert!(matches!(
            result,
            Err(iam_audit::AuditError::InvalidConfig(_))
        ));
    }
}

#[test]
fn stored_events_are_redacted() {
    let test = TestTrail::new(|_| {});
    let mut secret = event(0, support::start_time());
    secret.response_elements =
        Some(serde_json::json!({"accessKey": {"secretAccessKey": "wJalrXUtnFEMI"}}));

    test.trail().append(secret).unwrap();

    let segment = std::fs::read_to_string(&segments(test.path())[0]).unwrap();
    assert!(!segment.contains("wJalrXUtnFEMI"));
    assert!(segment.contains(iam_audit::REDACTED));
}

#[test]
fn new_key_after_restart_needs_both_keys() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 3);
    test.trail = None;
    let clock: Arc<dyn iam_model::Clock> = test.clock.clone();

    let (trail, _) =
        Trail::open(TrailConfig::new(test.path()), clock, support::key_pair(2)).unwrap();
    trail.append(event(3, support::start_time())).unwrap();
    drop(trail);

    let old_key = support::public_key();
    let new_key = iam_audit::PublicKey::of(&support::key_pair(2));
    let with_old = iam_audit::verify(test.path(), &[old_key], None).unwrap();
    let with_both = iam_audit::verify(test.path(), &[old_key, new_key], None).unwrap();
    assert!(
        matches!(
            with_old.tamper,
            Some(iam_audit::Tamper::BadSignature { sequence: 4, .. })
        ),
        "{:?}",
        with_old.tamper
    );
    assert!(with_both.is_intact(), "{:?}", with_both.tamper);
}

#[test]
fn queries_run_while_writers_append() {
    let test = TestTrail::new(|config| config.segment_max_bytes = 300 * 1024);
    let trail = test.trail();

    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for batch in 0..20 {
                test.append_events(batch * 50, 50);
            }
        });
        while !writer.is_finished() {
            let page = iam_audit::query(test.path(), &Query::default()).unwrap();
            let sequences: Vec<u64> = page.events.iter().map(|stored| stored.sequence).collect();
            assert!(sequences.windows(2).all(|pair| pair[0] > pair[1]));
        }
        writer.join().unwrap();
    });

    assert_eq!(count_events(&test), 1000);
    assert!(trail.ready().is_ok());
}
