//! The iam-simulate scenario corpus, run as a conformance suite: every strict case must pass.
//!
//! Where a recorded decision contradicts AWS's documentation, the reader asserts AWS's decision
//! instead and cites the page in `scenario/copilot.rs`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on missing or malformed corpus data"
)]

use std::path::{Path, PathBuf};

use iam_policy::{ScenarioReport, parse_copilot_file};

use crate::support::shared_path;

/// The number of strict (non-`Discovery`) cases in the corpus, so a case that silently stops
/// being read fails the test.
const STRICT_CASES: usize = 212;

fn collect(directory: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|name| name != "simulation_engine")
            {
                collect(&path, files);
            }
        } else if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            files.push(path);
        }
    }
}

#[test]
fn iam_simulate_corpus_passes() {
    let root = shared_path("corpus/peer-cases/cloud-copilot-iam-simulate");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();

    let mut report = ScenarioReport::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let label = file.strip_prefix(&root).unwrap().display().to_string();
        let cases = parse_copilot_file(&text).unwrap_or_else(|error| panic!("{label}: {error}"));
        report.run_file(&label, cases);
    }

    assert!(
        report.failures.is_empty(),
        "{} failing cases:\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
    assert_eq!(report.passed, STRICT_CASES);
}
