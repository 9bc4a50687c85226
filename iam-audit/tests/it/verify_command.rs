//! The `iam-audit-verify` command: exit status and output on intact and tampered trails.

use std::process::Command;

use crate::support::{TestTrail, read_lines, segments, write_lines};

fn run(arguments: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_iam-audit-verify"))
        .args(arguments)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn sealed() -> TestTrail {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 10);
    test.trail().sign().unwrap();
    test.trail = None;
    test
}

#[test]
fn intact_trail_exits_zero() {
    let test = sealed();
    let key = crate::support::public_key().to_hex();

    let (status, stdout, _) = run(&[test.path().to_str().unwrap(), "--public-key", &key]);

    assert_eq!(status, 0, "{stdout}");
    assert!(
        stdout.contains("records verified: 12 (2 digests)"),
        "{stdout}"
    );
    assert!(stdout.contains("intact"), "{stdout}");
}

#[test]
fn key_file_is_read_after_at_sign() {
    let test = sealed();
    let key_file = test.path().join("public-key.hex");
    std::fs::write(
        &key_file,
        format!("{}\n", crate::support::public_key().to_hex()),
    )
    .unwrap();

    let key_argument = format!("@{}", key_file.display());
    let (status, stdout, _) = run(&[test.path().to_str().unwrap(), "--public-key", &key_argument]);

    assert_eq!(status, 0, "{stdout}");
}

#[test]
fn tampered_trail_exits_one_and_names_the_record() {
    let test = sealed();
    let segment = segments(test.path()).remove(0);
    let mut lines = read_lines(&segment);
    lines[3] = lines[3].replace("target-2", "target-9");
    write_lines(&segment, &lines);
    let key = crate::support::public_key().to_hex();

    let (status, stdout, _) = run(&[test.path().to_str().unwrap(), "--public-key", &key]);

    assert_eq!(status, 1, "{stdout}");
    assert!(stdout.contains("TAMPERED: record `3`"), "{stdout}");
    assert!(stdout.contains(":4 was modified"), "{stdout}");
}

/// Seals a trail, keeps its last digest as an anchor file, and cuts the segment and the
/// digests file back to the opening digest.
fn truncated_with_anchor() -> (TestTrail, std::path::PathBuf) {
    let mut test = TestTrail::new(|_| {});
    test.append_events(0, 3);
    let anchor = test.trail().sign().unwrap();
    test.trail = None;
    let anchor_file = test.path().join("anchor.json");
    std::fs::write(&anchor_file, serde_json::to_string(&anchor).unwrap()).unwrap();
    let segment = segments(test.path()).remove(0);
    write_lines(&segment, &read_lines(&segment)[..1]);
    let digests = test.path().join("digests.jsonl");
    write_lines(&digests, &read_lines(&digests)[..1]);
    (test, anchor_file)
}

#[test]
fn anchor_file_exposes_truncation() {
    let (test, anchor_file) = truncated_with_anchor();
    let key = crate::support::public_key().to_hex();

    let (status, stdout, _) = run(&[
        test.path().to_str().unwrap(),
        "--public-key",
        &key,
        "--anchor",
        anchor_file.to_str().unwrap(),
    ]);

    assert_eq!(status, 1, "{stdout}");
    assert!(
        stdout.contains("TAMPERED: the trail was truncated: it held records up to `4`"),
        "{stdout}"
    );
}

#[test]
fn forged_anchor_exits_two() {
    let (test, anchor_file) = truncated_with_anchor();
    let mut anchor: iam_audit::Digest =
        serde_json::from_str(&std::fs::read_to_string(&anchor_file).unwrap()).unwrap();
    anchor.count += 100;
    std::fs::write(&anchor_file, serde_json::to_string(&anchor).unwrap()).unwrap();
    let key = crate::support::public_key().to_hex();

    let (status, stdout, stderr) = run(&[
        test.path().to_str().unwrap(),
        "--public-key",
        &key,
        "--anchor",
        anchor_file.to_str().unwrap(),
    ]);

    assert_eq!(status, 2, "{stdout}");
    assert!(
        stderr.contains("anchor digest of `104` records does not verify"),
        "{stderr}"
    );
}

#[test]
fn bad_public_key_exits_two() {
    let test = sealed();

    let (status, _, stderr) = run(&[test.path().to_str().unwrap(), "--public-key", "not-hex"]);

    assert_eq!(status, 2);
    assert!(stderr.contains("invalid public key `not-hex`"), "{stderr}");
}

#[test]
fn missing_directory_exits_two() {
    let key = crate::support::public_key().to_hex();

    let (status, _, stderr) = run(&["/nonexistent/trail", "--public-key", &key]);

    assert_eq!(status, 2);
    assert!(
        stderr.contains("failed to list `/nonexistent/trail`"),
        "{stderr}"
    );
}

#[test]
fn trail_without_segments_exits_one() {
    let test = sealed();
    for segment in segments(test.path()) {
        std::fs::remove_file(segment).unwrap();
    }
    let key = crate::support::public_key().to_hex();

    let (status, stdout, _) = run(&[test.path().to_str().unwrap(), "--public-key", &key]);

    assert_eq!(status, 1, "{stdout}");
    assert!(stdout.contains("segments: 0"), "{stdout}");
    assert!(
        stdout.contains("TAMPERED: the trail was truncated: it held records up to `11`"),
        "{stdout}"
    );
}
