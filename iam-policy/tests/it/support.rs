//! Helpers shared by the integration tests: reading the shared test corpus.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on missing or malformed corpus data"
)]

use std::path::{Path, PathBuf};

/// Returns the path of a file or folder under the shared test data, failing loudly when the
/// data is missing.
pub(crate) fn shared_path(relative: &str) -> PathBuf {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    let path = root.join(relative);
    assert!(
        path.exists(),
        "test data `{}` is missing; the shared corpus must sit next to the repository",
        path.display()
    );
    path
}

/// Lists the names of the `*.json` files in a folder of the shared test data, sorted, leaving
/// out index files whose names start with `_`.
pub(crate) fn json_file_names(relative: &str) -> Vec<String> {
    let folder = shared_path(relative);
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("cannot list `{}`: {error}", folder.display()))
        .map(|entry| {
            let entry = entry.unwrap_or_else(|error| panic!("cannot list a file: {error}"));
            entry.file_name().to_string_lossy().into_owned()
        })
        .filter(|name| name.ends_with(".json") && !name.starts_with('_'))
        .collect();
    names.sort();
    names
}

/// Reads and parses a JSON file under the shared test data.
pub(crate) fn shared_json(relative: &str) -> serde_json::Value {
    let path = shared_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("cannot parse `{}`: {error}", path.display()))
}

/// Fails with every collected problem listed, one a line, when there is any.
pub(crate) fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
