//! Recovery after a crash: torn records are cut, damage elsewhere stops the writer.

use std::io::Write;

use iam_audit::{AuditError, Tamper};

use crate::support::{self, TestTrail, segments};

fn append_raw(path: &std::path::Path, bytes: &[u8]) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
}

#[test]
fn torn_record_is_cut_on_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 10);
    let segment = segments(test.path()).pop().unwrap();
    let whole = support::read_lines(&segment).pop().unwrap();
    test.trail = None;
    // A crash during a write leaves the start of a record without its newline.
    append_raw(&segment, &whole.as_bytes()[..50]);
    let torn = test.verify();

    let report = test.reopen(|_| {});
    test.append_events(10, 2);

    assert_eq!(torn.torn_bytes, 50);
    assert!(torn.is_intact());
    assert_eq!(report.cut_bytes, 50);
    assert_eq!(report.next_sequence, 11);
    let verified = test.verify();
    assert!(verified.is_intact(), "{:?}", verified.tamper);
    assert_eq!(verified.torn_bytes, 0);
    let page = iam_audit::query(test.path(), &iam_audit::Query::default()).unwrap();
    assert_eq!(page.events.len(), 12);
}

#[test]
fn zero_filled_tail_is_cut_on_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 3);
    let segment = segments(test.path()).pop().unwrap();
    test.trail = None;
    // A file system can extend a file before the data reaches it, leaving zeros and newlines.
    append_raw(&segment, &[0; 4096]);
    append_raw(&segment, b"\n\0\0\n");
    let torn = test.verify();

    let report = test.reopen(|_| {});

    assert_eq!(torn.torn_bytes, 4100);
    assert!(torn.is_intact(), "{:?}", torn.tamper);
    assert_eq!(report.cut_bytes, 4100);
    assert!(test.verify().is_intact());
}

#[test]
fn every_acknowledged_record_survives_a_torn_tail() {
    let mut test = TestTrail::new(|_| {});
    let mut acknowledged = Vec::new();
    for index in 0..20 {
        acknowledged.push(
            test.trail()
                .append(support::event(index, support::start_time()))
                .unwrap()
                .sequence,
        );
    }
    let segment = segments(test.path()).pop().unwrap();
    test.trail = None;
    append_raw(&segment, b"{\"seq\":21,\"prevHash\":\"00");

    test.reopen(|_| {});

    let query = iam_audit::Query {
        max_results: 100,
        ..iam_audit::Query::default()
    };
    let mut stored: Vec<u64> = iam_audit::query(test.path(), &query)
        .unwrap()
        .events
        .iter()
        .map(|stored| stored.sequence)
        .collect();
    stored.reverse();
    assert_eq!(stored, acknowledged);
}

#[test]
fn damage_before_readable_records_stops_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 5);
    let segment = segments(test.path()).pop().unwrap();
    test.trail = None;
    let mut lines = support::read_lines(&segment);
    lines[2] = "garbage".to_owned();
    support::write_lines(&segment, &lines);

    let mut config = iam_audit::TrailConfig::new(test.path());
    config.digest_interval_records = 100;
    let clock: std::sync::Arc<dyn iam_model::Clock> = test.clock.clone();
    let result = iam_audit::Trail::open(config, clock, support::key_pair(1));

    match result {
        Err(iam_audit::AuditError::Corrupt { line, .. }) => assert_eq!(line, 3),
        other => panic!("expected a corrupt segment, got {other:?}"),
    }
    // Nothing was cut.
    assert_eq!(support::read_lines(&segment).len(), lines.len());
}

#[test]
fn broken_link_in_newest_segment_stops_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 5);
    let segment = segments(test.path()).pop().unwrap();
    test.trail = None;
    let mut lines = support::read_lines(&segment);
    lines.remove(2);
    support::write_lines(&segment, &lines);

    let clock: std::sync::Arc<dyn iam_model::Clock> = test.clock.clone();
    let result = iam_audit::Trail::open(
        iam_audit::TrailConfig::new(test.path()),
        clock,
        support::key_pair(1),
    );

    assert!(
        matches!(result, Err(iam_audit::AuditError::Corrupt { .. })),
        "{result:?}"
    );
}

#[test]
fn missing_digest_copy_is_restored_on_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 4);
    test.trail().sign().unwrap();
    test.trail = None;
    // A crash between syncing the segment and syncing the digests file loses the last copy.
    let digests = test.path().join("digests.jsonl");
    let mut copies = support::read_lines(&digests);
    let lost = copies.pop().unwrap();
    support::write_lines(&digests, &copies);

    let report = test.reopen(|_| {});

    assert_eq!(report.restored_digests, 1);
    let restored = support::read_lines(&digests);
    assert!(restored.contains(&lost));
    assert!(test.verify().is_intact());
}

#[test]
fn torn_digest_copy_is_cut_on_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 2);
    test.trail = None;
    let digests = test.path().join("digests.jsonl");
    append_raw(&digests, b"{\"seq\":9");

    test.reopen(|_| {});

    let text = std::fs::read_to_string(&digests).unwrap();
    assert!(text.ends_with('\n'));
    assert!(!text.contains("{\"seq\":9{"));
    assert!(test.verify().is_intact());
}

#[test]
fn zero_filled_digest_copy_is_cut_on_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 2);
    test.trail().sign().unwrap();
    test.trail = None;
    let digests = test.path().join("digests.jsonl");
    let mut copies = support::read_lines(&digests);
    let last = copies.pop().unwrap();
    // The block holding the end of the last copy was never written and reads back as zeros.
    let mut torn = last.into_bytes();
    torn[30..].fill(0);
    let mut bytes = std::fs::read(&digests).unwrap();
    bytes.truncate(bytes.len() - torn.len() - 1);
    bytes.extend_from_slice(&torn);
    bytes.push(b'\n');
    std::fs::write(&digests, bytes).unwrap();
    let before_open = test.verify();

    let report = test.reopen(|_| {});

    assert!(before_open.is_intact(), "{:?}", before_open.tamper);
    assert_eq!(report.restored_digests, 1);
    let restored = std::fs::read(&digests).unwrap();
    assert!(!restored.contains(&0), "the torn copy was kept");
    let after_open = test.verify();
    assert!(after_open.is_intact(), "{:?}", after_open.tamper);
}

#[test]
fn empty_newest_segment_with_wrong_name_stops_open() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 3);
    test.trail = None;
    // The chain ends at sequence 3, so an empty segment named 9 leaves a gap.
    std::fs::write(test.path().join("00000000000000000009.jsonl"), b"").unwrap();

    let clock: std::sync::Arc<dyn iam_model::Clock> = test.clock.clone();
    let result = iam_audit::Trail::open(
        iam_audit::TrailConfig::new(test.path()),
        clock,
        support::key_pair(1),
    );

    assert!(
        matches!(result, Err(iam_audit::AuditError::Corrupt { .. })),
        "{result:?}"
    );
}

#[test]
fn crash_after_rotation_resumes_in_the_empty_segment() {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 3);
    test.trail = None;
    // A crash right after the new segment file was created leaves it empty.
    std::fs::write(test.path().join("00000000000000000004.jsonl"), b"").unwrap();

    let report = test.reopen(|_| {});
    test.append_events(3, 2);

    assert_eq!(report.next_sequence, 4);
    let newest = segments(test.path()).pop().unwrap();
    assert!(newest.ends_with("00000000000000000004.jsonl"));
    assert!(support::read_lines(&newest)[0].contains("\"digest\":"));
    assert!(test.verify().is_intact());
}

/// The variable that turns [`child_writer_process`] into a writer for the crash test.
const CHILD_DIRECTORY: &str = "IAM_AUDIT_CRASH_CHILD_DIRECTORY";

/// Entry point of the child process that [`killed_writer_loses_no_acknowledged_record`] starts
/// and kills: appends events one by one and prints each acknowledged sequence number.
///
/// NOTE: run without the variable set, as in a normal test run, it does nothing.
#[test]
fn child_writer_process() {
    let Ok(directory) = std::env::var(CHILD_DIRECTORY) else {
        return;
    };
    let clock: std::sync::Arc<dyn iam_model::Clock> =
        std::sync::Arc::new(iam_model::FixedClock::new(support::start_time()));
    let (trail, _) = iam_audit::Trail::open(
        iam_audit::TrailConfig::new(directory),
        clock,
        support::key_pair(1),
    )
    .unwrap();
    let mut stdout = std::io::stdout();
    for index in 0..100_000 {
        let receipt = trail
            .append(support::event(index, support::start_time()))
            .unwrap();
        writeln!(stdout, "acknowledged {}", receipt.sequence).unwrap();
        stdout.flush().unwrap();
    }
}

#[test]
fn killed_writer_loses_no_acknowledged_record() {
    use std::io::BufRead;

    let directory = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::child_writer_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIRECTORY, directory.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 50 {
        let line = lines.next().expect("the writer stopped early").unwrap();
        if let Some(sequence) = line.strip_prefix("acknowledged ") {
            acknowledged.push(sequence.parse::<u64>().unwrap());
        }
    }

    child.kill().unwrap();
    child.wait().unwrap();
    // Acknowledgements printed before the kill still count.
    for line in lines.map_while(Result::ok) {
        if let Some(sequence) = line.strip_prefix("acknowledged ") {
            acknowledged.push(sequence.parse().unwrap());
        }
    }

    let clock: std::sync::Arc<dyn iam_model::Clock> =
        std::sync::Arc::new(iam_model::FixedClock::new(support::start_time()));
    let (trail, _) = iam_audit::Trail::open(
        iam_audit::TrailConfig::new(directory.path()),
        clock,
        support::key_pair(1),
    )
    .unwrap();
    drop(trail);
    let stored: std::collections::BTreeSet<u64> =
        support::all_pages(directory.path(), iam_audit::Query::default())
            .iter()
            .map(|stored| stored.sequence)
            .collect();
    for sequence in &acknowledged {
        assert!(
            stored.contains(sequence),
            "acknowledged record `{sequence}` was lost"
        );
    }
    let report = iam_audit::verify(directory.path(), &[support::public_key()], None).unwrap();
    assert!(report.is_intact(), "{:?}", report.tamper);
}

/// Builds a trail of the opening digest (line 1) and events 1 to 20 (lines 2 to 21), closed
/// without a closing digest, and returns it with its only segment.
fn unsigned_trail() -> (TestTrail, std::path::PathBuf) {
    let mut test = TestTrail::new(|config| config.digest_interval_records = 1000);
    test.append_events(0, 20);
    test.trail = None;
    let segment = segments(test.path()).remove(0);
    (test, segment)
}

/// Opens `test` again and returns the line of the [`AuditError::Corrupt`] it fails with.
fn corrupt_line_on_open(test: &mut TestTrail, segment: &std::path::Path) -> u64 {
    match test.try_reopen(|config| config.digest_interval_records = 1000) {
        Err(AuditError::Corrupt { path, line, .. }) => {
            assert_eq!(path, segment);
            line
        }
        other => panic!("expected a corrupt segment, got {other:?}"),
    }
}

#[test]
fn reopen_keeps_complete_unreadable_record() {
    let (mut test, segment) = unsigned_trail();
    let mut lines = support::read_lines(&segment);
    let last = lines.len() - 1;
    lines[last] = lines[last].replace("\"event\":", "\"evenX\":");
    support::write_lines(&segment, &lines);
    let damaged = std::fs::read(&segment).unwrap();

    let line = corrupt_line_on_open(&mut test, &segment);

    assert_eq!(line, 21);
    assert_eq!(
        std::fs::read(&segment).unwrap(),
        damaged,
        "the segment was cut"
    );
    let report = test.verify();
    match report.tamper {
        Some(Tamper::Modified { sequence, location }) => {
            assert_eq!(sequence, 20);
            assert_eq!(location.line, 21);
        }
        other => panic!("expected a modified record, found {other:?}"),
    }
}

#[test]
fn complete_bad_line_before_torn_tail_stops_open() {
    let (mut test, segment) = unsigned_trail();
    let mut lines = support::read_lines(&segment);
    let last = lines.len() - 1;
    lines[last] = lines[last].replace("\"seq\":20,", "\"seq\":\"20\",");
    support::write_lines(&segment, &lines);
    append_raw(&segment, b"{\"seq\":21");

    let line = corrupt_line_on_open(&mut test, &segment);

    assert_eq!(line, 21);
}

#[test]
fn empty_last_line_stops_open() {
    let (mut test, segment) = unsigned_trail();
    append_raw(&segment, b"\n");

    let line = corrupt_line_on_open(&mut test, &segment);

    assert_eq!(line, 22);
}

#[test]
fn record_torn_by_unwritten_block_is_cut() {
    let (mut test, segment) = unsigned_trail();
    let last = support::read_lines(&segment).pop().unwrap();
    // The start of the record reached the disk and the block after it reads back as zeros, up
    // to a later block that holds the rest of the record and its newline.
    let mut torn = last.as_bytes().to_vec();
    torn[40..100].fill(0);
    let mut bytes = std::fs::read(&segment).unwrap();
    bytes.truncate(bytes.len() - last.len() - 1);
    bytes.extend_from_slice(&torn);
    bytes.push(b'\n');
    std::fs::write(&segment, bytes).unwrap();
    let before_open = test.verify();

    let report = test.reopen(|config| config.digest_interval_records = 1000);

    let torn_bytes = u64::try_from(last.len() + 1).unwrap();
    assert_eq!(before_open.torn_bytes, torn_bytes);
    assert!(before_open.is_intact(), "{:?}", before_open.tamper);
    assert_eq!(report.cut_bytes, torn_bytes);
    assert_eq!(report.next_sequence, 20);
    let verified = test.verify();
    assert!(verified.is_intact(), "{:?}", verified.tamper);
}

#[test]
fn complete_line_after_zero_filled_line_stops_open() {
    let (mut test, segment) = unsigned_trail();
    append_raw(&segment, &[0; 512]);
    append_raw(&segment, b"\ngarbage\n");

    let before_open = test.verify();
    let line = corrupt_line_on_open(&mut test, &segment);

    assert_eq!(line, 23);
    assert_eq!(before_open.torn_bytes, 0);
    assert!(
        matches!(
            before_open.tamper,
            Some(Tamper::Modified { sequence: 21, .. })
        ),
        "{:?}",
        before_open.tamper
    );
}
