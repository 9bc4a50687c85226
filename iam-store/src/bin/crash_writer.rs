//! Writes to a sled store without end and prints each acknowledged change, for the crash test.
//!
//! Usage: `iam-store-crash-writer DIRECTORY FIRST_INDEX [LOG_SEGMENT_BYTES]`. The test kills the
//! process at random moments, reopens the store and checks that every change printed here
//! survived. Each step is one transaction over several records, so the test also detects any
//! partial transaction. Small log segments make the engine start new segments and delete
//! flushed ones while it writes.

use std::io::Write;
use std::process::ExitCode;

use iam_model::{AccountId, Quotas};
use iam_store::conformance::Fixture;
use iam_store::kv::SledOptions;
use iam_store::prelude::*;
use iam_store::{Identity, SledStore, StoreError};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(directory), Some(first)) = (args.next(), args.next()) else {
        eprintln!("usage: iam-store-crash-writer DIRECTORY FIRST_INDEX [LOG_SEGMENT_BYTES]");
        return ExitCode::FAILURE;
    };
    let Ok(first) = first.parse::<u64>() else {
        eprintln!("invalid FIRST_INDEX `{first}`, expected a number");
        return ExitCode::FAILURE;
    };
    let mut options = SledOptions::new(directory);
    if let Some(bytes) = args.next() {
        let Ok(bytes) = bytes.parse::<u64>() else {
            eprintln!("invalid LOG_SEGMENT_BYTES `{bytes}`, expected a number of bytes");
            return ExitCode::FAILURE;
        };
        options.log_segment_bytes = bytes;
    }
    match write_forever(&options, first).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("crash writer failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn write_forever(options: &SledOptions, first: u64) -> Result<(), StoreError> {
    let store = SledStore::open_sled(options, Quotas::default()).await?;
    let fixture = Fixture::new();
    let account = fixture.account(0);
    let policy = fixture.policy(account, "Shared", "s3:*");
    match store.create_policy(account, policy.clone()).await {
        Ok(_) | Err(StoreError::EntityAlreadyExists { .. }) => {}
        Err(error) => return Err(error),
    }
    let mut stdout = std::io::stdout();
    writeln!(stdout, "ready")?;
    stdout.flush()?;

    // Several writers at once, so that acknowledged changes share log records as in the server.
    let mut tasks = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let store = store.clone();
        let arn = policy.arn.clone();
        tasks.spawn(async move {
            let mut index = first + writer;
            loop {
                let user = Fixture::new().user(account, &format!("user{index}"));
                write_one(&store, account, &user, &arn).await?;
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{index}")?;
                stdout.flush()?;
                index += 4;
            }
            #[expect(unreachable_code, reason = "the loop ends only with an error")]
            Ok::<(), StoreError>(())
        });
    }
    while let Some(outcome) = tasks.join_next().await {
        outcome.map_err(StoreError::backend)??;
    }
    Ok(())
}

/// Creates a user, then attaches the shared policy to it. The first transaction writes the user
/// and the user counter, the second the attachment, its reverse index and the policy's count.
async fn write_one(
    store: &SledStore,
    account: AccountId,
    user: &iam_model::User,
    policy_arn: &iam_model::Arn,
) -> Result<(), StoreError> {
    store.create_user(account, user.clone()).await?;
    let identity = Identity::User(user.user_name.clone());
    store.attach_policy(account, &identity, policy_arn).await
}
