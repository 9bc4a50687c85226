use super::*;

fn at(line: u64) -> Location {
    Location {
        path: PathBuf::from("trail/00000000000000000000.jsonl"),
        line,
    }
}

#[test]
fn tamper_messages_name_the_record() {
    let cases = [
        (
            Tamper::Modified {
                sequence: 5,
                location: at(6),
            },
            "record `5` at trail/00000000000000000000.jsonl:6 was modified",
        ),
        (
            Tamper::Deleted {
                sequence: 5,
                count: 2,
                location: at(6),
            },
            "2 record(s) from `5` were deleted before trail/00000000000000000000.jsonl:6",
        ),
        (
            Tamper::Reordered {
                sequence: 7,
                location: at(7),
            },
            "record `7` at trail/00000000000000000000.jsonl:7 is out of order",
        ),
        (
            Tamper::Truncated {
                expected: 22,
                found: 19,
            },
            "the trail was truncated: it held records up to `21` but now ends before `19`",
        ),
    ];

    for (tamper, message) in cases {
        assert_eq!(tamper.to_string(), message);
    }
}

#[test]
fn empty_directory_verifies_as_empty() {
    let directory = tempfile::tempdir().unwrap();

    let report = verify(directory.path(), &[], None).unwrap();

    assert!(report.is_intact());
    assert_eq!(report.records, 0);
    assert_eq!(report.segments, 0);
}
