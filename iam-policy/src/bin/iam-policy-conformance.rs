//! Runs policy scenario files and reports the cases whose decision differs from the expected
//! one.
//!
//! Usage: `iam-policy-conformance --cases DIR`. Every `.json` file under `DIR` is read: a
//! file holding a JSON object is in this crate's scenario format, a file holding a list is in
//! the iam-simulate format. Folders named `simulation_engine` are skipped, because their
//! files use a different result format. Each failing case is printed with its explanation,
//! then one line `N passed, N failed`. The exit status is 0 only when nothing failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use iam_policy::{PolicyError, Scenario, ScenarioReport, parse_copilot_file, parse_scenario_file};

fn main() -> ExitCode {
    let mut arguments = std::env::args().skip(1);
    let directory = match (
        arguments.next().as_deref(),
        arguments.next(),
        arguments.next(),
    ) {
        (Some("--cases"), Some(directory), None) => PathBuf::from(directory),
        _ => {
            eprintln!("usage: iam-policy-conformance --cases DIR");
            return ExitCode::from(2);
        }
    };

    let mut files = Vec::new();
    if let Err(error) = collect_files(&directory, &mut files) {
        eprintln!("failed to read `{}`: {error}", directory.display());
        return ExitCode::from(2);
    }
    files.sort();

    let mut report = ScenarioReport::default();
    for file in &files {
        let label = file
            .strip_prefix(&directory)
            .unwrap_or(file)
            .display()
            .to_string();
        report.run_file(&label, read_cases(file));
    }

    for failure in &report.failures {
        println!("FAIL {failure}");
    }
    println!("{} passed, {} failed", report.passed, report.failures.len());
    if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Reads one file in whichever format it holds.
fn read_cases(file: &Path) -> Vec<Result<Scenario, PolicyError>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            return vec![Err(PolicyError::InvalidScenario {
                name: file.display().to_string(),
                reason: format!("failed to read the file: {error}"),
            })];
        }
    };
    let parsed = if text.trim_start().starts_with('[') {
        parse_copilot_file(&text)
    } else {
        parse_scenario_file(&text)
    };
    parsed.unwrap_or_else(|error| vec![Err(error)])
}

/// Collects every `.json` file under `directory`, skipping `simulation_engine` folders.
fn collect_files(directory: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(directory)? {
        let path = entry?.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|name| name == "simulation_engine")
            {
                continue;
            }
            collect_files(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            files.push(path);
        }
    }
    Ok(())
}
