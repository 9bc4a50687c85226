use super::*;

use sled::IVec;

fn batch(entries: &[(&[u8], Option<&[u8]>)]) -> Writes {
    entries
        .iter()
        .map(|(key, value)| (IVec::from(*key), value.map(IVec::from)))
        .collect()
}

/// Returns a segment's contents: the header, then one record per batch, ending at revisions
/// 1, 2, 3 and so on.
fn segment(batches: &[Writes]) -> (Vec<u8>, Vec<usize>) {
    let mut contents = MAGIC.to_vec();
    contents.extend_from_slice(&LOG_VERSION.to_be_bytes());
    let mut record_ends = Vec::new();
    let mut record = Vec::new();
    for (index, writes) in batches.iter().enumerate() {
        encode(&mut record, index as Revision + 1, writes).unwrap();
        contents.extend_from_slice(&record);
        record_ends.push(contents.len());
    }
    (contents, record_ends)
}

fn three_batches() -> Vec<Writes> {
    vec![
        batch(&[(b"a", Some(b"one")), (b"b", None)]),
        batch(&[(b"c", Some(b""))]),
        batch(&[(b"a", None), (b"d", Some(b"four"))]),
    ]
}

fn ends(records: &[Record<'_>]) -> Vec<Revision> {
    records.iter().map(|record| record.end).collect()
}

#[test]
fn records_round_trip() {
    let (contents, _) = segment(&three_batches());

    let records = read_segment(&contents, Path::new("test.log"), true).unwrap();

    assert_eq!(ends(&records), vec![1, 2, 3]);
    let first = records.first().unwrap();
    assert_eq!(
        first.writes,
        vec![(&b"a"[..], Some(&b"one"[..])), (&b"b"[..], None)]
    );
    let second = records.get(1).unwrap();
    assert_eq!(second.writes, vec![(&b"c"[..], Some(&b""[..]))]);
}

#[test]
fn torn_tail_of_last_segment_is_discarded() {
    let (contents, record_ends) = segment(&three_batches());
    let second_end = record_ends[1];

    // Every cut inside the third record, from its first byte to its last but one.
    for cut in second_end..contents.len() {
        let records = read_segment(&contents[..cut], Path::new("test.log"), true).unwrap();
        assert_eq!(ends(&records), vec![1, 2], "cut at byte {cut}");
    }
}

#[test]
fn checksum_failure_at_tail_is_discarded() {
    let (mut contents, _) = segment(&three_batches());
    let last = contents.len() - 1;
    contents[last] ^= 0x40;

    let records = read_segment(&contents, Path::new("test.log"), true).unwrap();

    assert_eq!(ends(&records), vec![1, 2]);
}

#[test]
fn damage_before_last_segment_is_corrupt() {
    let (contents, record_ends) = segment(&three_batches());
    let mut flipped = contents.clone();
    flipped[record_ends[0] + FRAME_LEN + 2] ^= 0x01;

    let torn = read_segment(&contents[..contents.len() - 3], Path::new("old.log"), false);
    let damaged = read_segment(&flipped, Path::new("old.log"), false);
    let short_header = read_segment(&contents[..3], Path::new("old.log"), false);

    assert!(matches!(torn, Err(StoreError::Corrupt(_))), "got {torn:?}");
    assert!(
        matches!(damaged, Err(StoreError::Corrupt(_))),
        "got {damaged:?}"
    );
    assert!(
        matches!(short_header, Err(StoreError::Corrupt(_))),
        "got {short_header:?}"
    );
}

#[test]
fn incomplete_header_of_last_segment_is_empty() {
    let (contents, _) = segment(&[]);

    for cut in 0..HEADER_LEN {
        let records = read_segment(&contents[..cut], Path::new("new.log"), true).unwrap();
        assert!(records.is_empty(), "cut at byte {cut}");
    }
}

#[test]
fn newer_log_version_is_rejected() {
    let (mut contents, _) = segment(&three_batches());
    contents[MAGIC.len()..HEADER_LEN].copy_from_slice(&(LOG_VERSION + 1).to_be_bytes());

    let read = read_segment(&contents, Path::new("new.log"), true);

    match read {
        Err(StoreError::UnsupportedFormat { found, supported }) => {
            assert_eq!(found, u32::from(LOG_VERSION + 1));
            assert_eq!(supported, u32::from(LOG_VERSION));
        }
        other => panic!("expected UnsupportedFormat, got {other:?}"),
    }
}

#[test]
fn foreign_file_is_corrupt() {
    let read = read_segment(b"not a log segment", Path::new("other.log"), true);

    assert!(matches!(read, Err(StoreError::Corrupt(_))), "got {read:?}");
}

#[test]
fn malformed_body_with_valid_checksum_is_corrupt() {
    let mut contents = MAGIC.to_vec();
    contents.extend_from_slice(&LOG_VERSION.to_be_bytes());
    // An end revision, then a write of kind 7, which no build writes.
    let body = [0, 0, 0, 0, 0, 0, 0, 1, 7, 0, 0, 0, 0];
    contents.extend_from_slice(&(body.len() as u32).to_be_bytes());
    contents.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    contents.extend_from_slice(&body);

    let read = read_segment(&contents, Path::new("bad.log"), true);

    assert!(matches!(read, Err(StoreError::Corrupt(_))), "got {read:?}");
}

#[test]
fn segments_are_listed_oldest_first() {
    let directory = tempfile::tempdir().unwrap();
    for first in [120, 3, 45] {
        Segment::create(directory.path(), first).unwrap();
    }
    std::fs::write(directory.path().join("notes.txt"), b"ignored").unwrap();

    let found = segments(directory.path()).unwrap();

    let firsts: Vec<Revision> = found.iter().map(|(first, _)| *first).collect();
    assert_eq!(firsts, vec![3, 45, 120]);
}

#[test]
fn misnamed_segment_is_corrupt() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("latest.log"), b"").unwrap();

    let found = segments(directory.path());

    assert!(
        matches!(found, Err(StoreError::Corrupt(_))),
        "got {found:?}"
    );
}
