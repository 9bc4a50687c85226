//! The crash test: a child process writes continuously and is killed at random moments. Each
//! reopen must find every change the child reported as acknowledged, and no partial
//! transaction.
//!
//! The rounds take turns between three writers. The first uses the default log segments, and the
//! second small segments that the engine replaces and deletes while it writes. The third is
//! killed within milliseconds of its start, while it opens the store and replays the log that
//! the previous writer left.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use iam_model::Quotas;
use iam_store::conformance::Fixture;
use iam_store::kv::SledOptions;
use iam_store::prelude::*;
use iam_store::{Identity, ListOptions, SledStore};

/// Total time spent killing writers, so the test stays a few seconds long in CI.
const BUDGET: Duration = Duration::from_secs(4);
/// The maximum number of rounds, whatever the budget allows.
const MAX_ROUNDS: u64 = 25;

/// A small deterministic generator for kill delays (SplitMix64).
fn next_delay(state: &mut u64) -> Duration {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut mixed = *state;
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^= mixed >> 31;
    Duration::from_millis(5 + mixed % 120)
}

/// Log segment size of the rounds that make the engine replace and delete segments often.
const SMALL_SEGMENT_BYTES: u64 = 8 << 10;

/// When a round kills its writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kill {
    /// After the writer reported that it is ready, with the default log segments.
    Writing,
    /// After the writer reported that it is ready, with small log segments.
    ReplacingSegments,
    /// Right after the start, without waiting for the writer to report ready.
    Opening,
}

/// Returns the kind of kill of round `round`.
fn kill_of_round(round: u64) -> Kill {
    match round % 3 {
        0 => Kill::Writing,
        1 => Kill::ReplacingSegments,
        _ => Kill::Opening,
    }
}

/// Runs one writer until a random moment, kills it, and returns the indexes it acknowledged.
fn run_and_kill(directory: &std::path::Path, first: u64, kill: Kill, delay: Duration) -> Vec<u64> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iam-store-crash-writer"));
    command.arg(directory).arg(first.to_string());
    if kill == Kill::ReplacingSegments {
        command.arg(SMALL_SEGMENT_BYTES.to_string());
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_sender, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_sender.send(line).is_err() {
                break;
            }
        }
    });

    if kill == Kill::Opening {
        std::thread::sleep(delay / 8);
    } else {
        let ready = lines.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(ready, "ready");
        std::thread::sleep(delay);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();

    // Only complete lines count: a line cut by the kill was never acknowledged.
    lines
        .try_iter()
        .filter_map(|line| line.parse::<u64>().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_writer_loses_no_acknowledged_change() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("store");
    let fixture = Fixture::new();
    let account = fixture.account(0);
    let policy_arn = fixture.policy(account, "Shared", "s3:*").arn;
    let mut acknowledged = BTreeSet::new();
    let mut seed = 0x0C0F_FEE0_u64;
    let started = Instant::now();

    let mut rounds = 0;
    while rounds < MAX_ROUNDS && started.elapsed() < BUDGET {
        let delay = next_delay(&mut seed);
        let kill = kill_of_round(rounds);
        let reported = run_and_kill(&path, rounds * 1_000_000, kill, delay);
        acknowledged.extend(reported);
        rounds += 1;

        let store = SledStore::open_sled(&SledOptions::new(&path), Quotas::default())
            .await
            .unwrap();
        let users = list_all_users(&store, account).await;
        for index in &acknowledged {
            let name = format!("user{index}");
            assert!(
                users.contains(&name),
                "round {rounds} ({kill:?}): acknowledged `{name}` was lost"
            );
        }
        let attached = store
            .list_entities_for_policy(account, &policy_arn)
            .await
            .unwrap();
        for index in &acknowledged {
            let name = format!("user{index}");
            assert!(
                attached.users.contains(&name),
                "round {rounds} ({kill:?}): acknowledged attachment to `{name}` was lost"
            );
        }

        // No partial transaction: the counters agree with the records they count.
        let summary = store.account_summary(account).await.unwrap();
        assert_eq!(
            summary.get("Users"),
            Some(u32::try_from(users.len()).unwrap())
        );
        let policy = store.policy(account, &policy_arn).await.unwrap();
        assert_eq!(policy.attachment_count as usize, attached.users.len());
        for user in &attached.users {
            let loaded = store
                .principal_policies(account, &Identity::User(user.clone()))
                .await
                .unwrap();
            assert_eq!(loaded.managed_policies.len(), 1);
        }
    }

    assert!(rounds >= 5, "only {rounds} rounds ran within the budget");
    assert!(
        acknowledged.len() >= 20,
        "only {} changes were acknowledged in {rounds} rounds",
        acknowledged.len()
    );
}

async fn list_all_users(store: &SledStore, account: iam_model::AccountId) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut options = ListOptions::first(1000);
    loop {
        let page = store.list_users(account, &options).await.unwrap();
        names.extend(page.items.into_iter().map(|user| user.user_name));
        match page.marker {
            Some(marker) => options = options.after(marker),
            None => return names,
        }
    }
}
