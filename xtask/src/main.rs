//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: everything CI checks, in order: formatting, clippy with warnings denied, every test,
//!   the documentation build with warnings denied, and the crate dependency rules.
//! - `deps`: only the crate dependency rules.
//!
//! xtask depends on no `iam-*` crate, so it builds even when they do not.

mod deps;

use std::process::Command;

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = arguments.first() else {
        bail!("missing command, expected one of: ci, deps");
    };
    match command.as_str() {
        "ci" => ci(),
        "deps" => deps::check(),
        other => bail!("unknown command `{other}`, expected one of: ci, deps"),
    }
}

/// Runs every check CI runs, stopping at the first failure.
fn ci() -> Result<()> {
    run("cargo", &["fmt", "--all", "--check"], &[])?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    run("cargo", &["test", "--workspace", "--all-targets"], &[])?;
    // `--all-targets` leaves doc tests out, so they run on their own.
    run("cargo", &["test", "--workspace", "--doc"], &[])?;
    run(
        "cargo",
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    deps::check()?;
    println!("xtask ci: every check passed");
    Ok(())
}

/// Runs one command with extra environment variables and fails when it exits non-zero.
fn run(program: &str, arguments: &[&str], environment: &[(&str, &str)]) -> Result<()> {
    println!("xtask: {program} {}", arguments.join(" "));
    let status = Command::new(program)
        .args(arguments)
        .envs(environment.iter().copied())
        .status()
        .with_context(|| format!("failed to start `{program}`"))?;
    if !status.success() {
        bail!("`{program} {}` failed with {status}", arguments.join(" "));
    }
    Ok(())
}
