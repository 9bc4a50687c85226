//! `iam-audit-verify`: checks an audit trail directory and reports the first tampered record.
//!
//! Exit status: 0 when the trail is intact, 1 when tampering was found, 2 when the trail could
//! not be read or the arguments are invalid.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use iam_audit::{Digest, PublicKey, verify};

/// Verifies the hash chain and the signed digests of an audit trail.
#[derive(Debug, Parser)]
#[command(name = "iam-audit-verify", version)]
struct Arguments {
    /// The trail directory, holding the segment files and `digests.jsonl`.
    directory: PathBuf,
    /// A digest public key as 64 hex digits, or `@FILE` to read it from a file. Repeat the
    /// option to accept digests signed by any of several keys.
    #[arg(long = "public-key", required = true)]
    public_keys: Vec<String>,
    /// A file with a digest's JSON object, kept outside the trail. The chain must reach and
    /// match it, which catches a truncation that also cut the digests file.
    #[arg(long)]
    anchor: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool> {
    let arguments = Arguments::parse();
    let keys = arguments
        .public_keys
        .iter()
        .map(|key| read_public_key(key))
        .collect::<Result<Vec<_>>>()?;
    let anchor = match &arguments.anchor {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("failed to read anchor digest `{}`", path.display()))?;
            let digest: Digest = serde_json::from_str(&text)
                .with_context(|| format!("invalid anchor digest in `{}`", path.display()))?;
            Some(digest)
        }
        None => None,
    };

    let report = verify(&arguments.directory, &keys, anchor.as_ref())?;

    println!("segments: {}", report.segments);
    println!(
        "records verified: {} ({} digests)",
        report.records, report.digests
    );
    if let (Some(first), Some(last)) = (report.first_sequence, report.last_sequence) {
        println!("sequence range: {first} to {last}");
    }
    match report.last_signed_sequence {
        Some(signed) => println!("signed through: {signed}"),
        None => println!("signed through: nothing"),
    }
    if report.torn_bytes > 0 {
        println!(
            "torn tail: {} bytes (cut when the writer next opens the trail)",
            report.torn_bytes
        );
    }
    match &report.tamper {
        Some(tamper) => {
            println!("TAMPERED: {tamper}");
            Ok(false)
        }
        None => {
            println!("intact");
            Ok(true)
        }
    }
}

fn read_public_key(argument: &str) -> Result<PublicKey> {
    let text = match argument.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("failed to read public key file `{path}`"))?,
        None => argument.to_owned(),
    };
    Ok(PublicKey::from_hex(&text)?)
}
