//! Issues or verifies one session token a fixed number of times, for profilers and
//! instruction counters, which need a fixed amount of work rather than criterion's timed runs.
//!
//! `cargo run --release -p iam-sts --example session_token_loop -- OPERATION COUNT`, where
//! OPERATION is `issue-system` (the operating system's generator), `issue-thread` (the
//! thread-local generator), `issue-seeded` (a deterministic generator) or `verify`.

#[path = "../benches/support/claims.rs"]
mod claims;

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Arc;

use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::{SystemRandomSource, ThreadRandomSource};
use iam_model::{RandomSource, SeededRandom};
use iam_sts::SessionTokens;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let operation = args.next().unwrap_or_default();
    let Some(count) = args.next().and_then(|count| count.parse::<u64>().ok()) else {
        eprintln!("usage: session_token_loop OPERATION COUNT, with COUNT a whole number");
        return ExitCode::FAILURE;
    };

    let seeded = SeededRandom::new(1);
    let tokens = match KeyEncryptionKey::new("bench", &[7_u8; 32]) {
        Ok(key) => SessionTokens::new(Arc::new(Keyring::new(key))),
        Err(error) => {
            eprintln!("creating the key failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let claims = claims::role_session_claims();
    let random: &dyn RandomSource = match operation.as_str() {
        "issue-system" => &SystemRandomSource::new(),
        "issue-thread" => &ThreadRandomSource::new(),
        "issue-seeded" | "verify" => &seeded,
        _ => {
            eprintln!(
                "unknown operation `{operation}`, expected issue-system, issue-thread, \
                 issue-seeded or verify"
            );
            return ExitCode::FAILURE;
        }
    };

    let credentials = match tokens.issue(&claims, random) {
        Ok(credentials) => credentials,
        Err(error) => {
            eprintln!("issuing a token failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    for _ in 0..count {
        let result = if operation == "verify" {
            tokens
                .verify(
                    black_box(credentials.session_token.expose()),
                    black_box(credentials.access_key_id.as_str()),
                    claims.issued_at,
                )
                .map(drop)
        } else {
            tokens.issue(black_box(&claims), random).map(drop)
        };
        if let Err(error) = result {
            eprintln!("{operation} failed: {error}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
