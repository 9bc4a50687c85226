use super::*;

fn segment_in(directory: &Path, bytes: &[u8]) -> SegmentFile {
    let path = segment::segment_path(directory, 0);
    fs::write(&path, bytes).unwrap();
    SegmentFile {
        first_sequence: 0,
        path,
    }
}

fn key_pair() -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[9; 32]).unwrap()
}

fn time() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

#[test]
fn default_config_is_valid() {
    assert!(TrailConfig::new("/var/lib/iam/audit").validate().is_ok());
}

#[test]
fn scan_of_empty_segment_has_no_chain() {
    let directory = tempfile::tempdir().unwrap();
    let segment_file = segment_in(directory.path(), b"");

    let scan = scan_newest(&segment_file).unwrap();

    assert!(scan.chain.is_none());
    assert_eq!((scan.kept_bytes, scan.cut_bytes), (0, 0));
}

#[test]
fn scan_keeps_whole_records_and_cuts_the_rest() {
    let directory = tempfile::tempdir().unwrap();
    let mut chain = Chain::new();
    let mut bytes = Vec::new();
    chain.append_digest(time(), &key_pair(), &mut bytes);
    let whole = bytes.len();
    bytes.extend_from_slice(b"{\"seq\":1,\"prev");
    let segment_file = segment_in(directory.path(), &bytes);

    let scan = scan_newest(&segment_file).unwrap();

    assert_eq!(scan.kept_bytes, whole as u64);
    assert_eq!(scan.cut_bytes, (bytes.len() - whole) as u64);
    assert_eq!(scan.started, Some(time()));
    assert_eq!(scan.digest_lines.len(), 1);
    assert_eq!(scan.chain.unwrap().next_sequence(), 1);
}

#[test]
fn scan_rejects_a_segment_starting_at_another_sequence() {
    let directory = tempfile::tempdir().unwrap();
    let mut chain = Chain::resume(5, RecordHash::ZERO);
    let mut bytes = Vec::new();
    chain.append_digest(time(), &key_pair(), &mut bytes);
    let segment_file = segment_in(directory.path(), &bytes);

    let result = scan_newest(&segment_file);

    assert!(matches!(result, Err(AuditError::Corrupt { line: 1, .. })));
}

#[test]
fn seal_buffer_keeps_append_order() {
    let mut state = State {
        chain: Chain::new(),
        buffer: b"first".to_vec(),
        pending: Vec::new(),
        durable: 0,
        flushing: false,
        failure: None,
        segment_bytes: 0,
        segment_started: time(),
        records_since_digest: 0,
        last_digest_time: time(),
    };

    seal_buffer(&mut state);
    state.pending.push(Pending::Rotate(1));
    state.buffer.extend_from_slice(b"second");
    seal_buffer(&mut state);
    seal_buffer(&mut state);

    assert!(state.buffer.is_empty());
    assert_eq!(state.pending.len(), 3);
    assert!(matches!(&state.pending[0], Pending::Records(bytes) if bytes == b"first"));
    assert!(matches!(state.pending[1], Pending::Rotate(1)));
    assert!(matches!(&state.pending[2], Pending::Records(bytes) if bytes == b"second"));
}
