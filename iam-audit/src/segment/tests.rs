use super::*;

#[test]
fn complete_lines_keeps_torn_tail_apart() {
    let (lines, complete) = complete_lines(b"one\ntwo\nthr");

    assert_eq!(lines, vec![&b"one"[..], &b"two"[..]]);
    assert_eq!(complete, 8);
}

#[test]
fn complete_lines_of_empty_input() {
    let (lines, complete) = complete_lines(b"");

    assert!(lines.is_empty());
    assert_eq!(complete, 0);
}

#[test]
fn complete_lines_without_newline_is_all_tail() {
    let (lines, complete) = complete_lines(b"partial");

    assert!(lines.is_empty());
    assert_eq!(complete, 0);
}

#[test]
fn segment_names_sort_by_sequence() {
    let directory = tempfile::tempdir().unwrap();
    for sequence in [10_u64, 2, 300] {
        fs::write(segment_path(directory.path(), sequence), b"").unwrap();
    }
    fs::write(directory.path().join(DIGESTS_FILE), b"").unwrap();
    fs::write(directory.path().join("12.jsonl"), b"").unwrap();
    fs::write(directory.path().join("00000000000000000007.tmp"), b"").unwrap();

    let segments = list_segments(directory.path()).unwrap();

    let sequences: Vec<u64> = segments
        .iter()
        .map(|segment| segment.first_sequence)
        .collect();
    assert_eq!(sequences, vec![2, 10, 300]);
}

#[test]
fn first_line_needs_a_newline() {
    let directory = tempfile::tempdir().unwrap();
    let complete = directory.path().join("complete");
    let torn = directory.path().join("torn");
    fs::write(&complete, b"first\nsecond\n").unwrap();
    fs::write(&torn, b"first").unwrap();

    assert_eq!(read_first_line(&complete).unwrap(), Some(b"first".to_vec()));
    assert_eq!(read_first_line(&torn).unwrap(), None);
}
