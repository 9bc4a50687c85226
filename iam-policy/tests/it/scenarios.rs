//! Policy scenarios in this crate's own file format, kept in `tests/data/scenarios/`.
//!
//! Every file there is read and every case must pass, so a new case needs only a new entry.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on missing or malformed scenario files"
)]

use std::path::Path;

use iam_policy::{ScenarioReport, parse_scenario_file};

#[test]
fn scenario_files_pass() {
    let directory = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/scenarios"));
    let mut files: Vec<_> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no scenario files in `{}`",
        directory.display()
    );

    let mut report = ScenarioReport::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let cases = parse_scenario_file(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
        report.run_file(&name, cases);
    }

    assert!(report.failures.is_empty(), "{}", report.failures.join("\n"));
    assert!(report.passed >= 25, "only {} scenarios ran", report.passed);
}
