//! The crate dependency rules: edges between workspace crates point down the layers only.

use std::collections::BTreeSet;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Each workspace crate with the workspace crates it may depend on, in any dependency kind.
///
/// ARCHITECTURE.md shows the same table. A crate missing here fails the check, so a new crate
/// must be placed in the layers on purpose.
const ALLOWED: &[(&str, &[&str])] = &[
    ("iam-model", &[]),
    ("iam-policy", &["iam-model"]),
    ("iam-store", &["iam-model"]),
    ("iam-audit", &["iam-model"]),
    ("iam-auth", &["iam-model", "iam-policy", "iam-store"]),
    (
        "iam-sts",
        &["iam-model", "iam-policy", "iam-store", "iam-auth"],
    ),
    (
        "iam-server",
        &[
            "iam-model",
            "iam-policy",
            "iam-store",
            "iam-audit",
            "iam-auth",
            "iam-sts",
        ],
    ),
    ("xtask", &[]),
];

/// Reads `cargo metadata` and fails on any workspace edge that [`ALLOWED`] does not list.
pub(crate) fn check() -> Result<()> {
    let output = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("failed to run `cargo metadata`")?;
    if !output.status.success() {
        bail!(
            "`cargo metadata` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).context("`cargo metadata` printed invalid JSON")?;
    let violations = violations(&metadata)?;
    if !violations.is_empty() {
        bail!(
            "crate dependency rules broken:\n  {}",
            violations.join("\n  ")
        );
    }
    println!("xtask deps: every workspace crate follows the dependency rules");
    Ok(())
}

/// Lists every workspace edge in `cargo metadata` output that [`ALLOWED`] does not list.
fn violations(metadata: &Value) -> Result<Vec<String>> {
    let packages = metadata
        .get("packages")
        .and_then(Value::as_array)
        .context("`cargo metadata` has no `packages` list")?;
    let members: BTreeSet<&str> = packages
        .iter()
        .filter_map(|package| package.get("name").and_then(Value::as_str))
        .collect();

    let mut violations = Vec::new();
    for package in packages {
        let name = package
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some((_, allowed)) = ALLOWED.iter().find(|(crate_name, _)| *crate_name == name) else {
            violations.push(format!(
                "crate `{name}` has no row in the dependency table of xtask/src/deps.rs"
            ));
            continue;
        };
        let dependencies = package
            .get("dependencies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for dependency in dependencies {
            let target = dependency
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if members.contains(target) && !allowed.contains(&target) {
                violations.push(format!("`{name}` must not depend on `{target}`"));
            }
        }
    }

    Ok(violations)
}

#[cfg(test)]
mod tests;
