//! Shared helpers: deterministic keys, a fixed clock, sample events and trail files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use iam_audit::{
    AuditEvent, Decision, EventSource, IdentityType, PublicKey, Query, StoredEvent, Trail,
    TrailConfig, UserIdentity,
};
use iam_model::{Clock, FixedClock, RandomSource, SeededRandom};
use jiff::Timestamp;
use ring::signature::Ed25519KeyPair;

/// Returns the time every test clock starts at.
pub(crate) fn start_time() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

/// Derives an Ed25519 key pair from `seed`.
pub(crate) fn key_pair(seed: u64) -> Ed25519KeyPair {
    let mut bytes = [0_u8; 32];
    SeededRandom::new(seed).fill(&mut bytes);
    Ed25519KeyPair::from_seed_unchecked(&bytes).unwrap()
}

/// Returns the public key of [`key_pair`]`(1)`, the key every test trail signs with.
pub(crate) fn public_key() -> PublicKey {
    PublicKey::of(&key_pair(1))
}

/// A trail in a temporary directory with a fixed clock.
pub(crate) struct TestTrail {
    pub(crate) directory: tempfile::TempDir,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) trail: Option<Trail>,
}

impl TestTrail {
    /// Opens a new trail with `configure` applied to the default configuration.
    pub(crate) fn new(configure: impl Fn(&mut TrailConfig)) -> Self {
        let directory = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(start_time()));
        let mut test = Self {
            directory,
            clock,
            trail: None,
        };
        test.reopen(configure);
        test
    }

    /// Closes the trail, if open, and opens it again with `configure` applied.
    pub(crate) fn reopen(&mut self, configure: impl Fn(&mut TrailConfig)) -> iam_audit::OpenReport {
        self.try_reopen(configure).unwrap()
    }

    /// Closes the trail, if open, and opens it again with `configure` applied, returning the
    /// error when opening fails.
    pub(crate) fn try_reopen(
        &mut self,
        configure: impl Fn(&mut TrailConfig),
    ) -> Result<iam_audit::OpenReport, iam_audit::AuditError> {
        self.trail = None;
        let mut config = TrailConfig::new(self.directory.path());
        configure(&mut config);
        let clock: Arc<dyn Clock> = self.clock.clone();
        let (trail, report) = Trail::open(config, clock, key_pair(1))?;
        self.trail = Some(trail);
        Ok(report)
    }

    /// Returns the open trail.
    pub(crate) fn trail(&self) -> &Trail {
        self.trail.as_ref().unwrap()
    }

    /// Returns the trail directory.
    pub(crate) fn path(&self) -> &Path {
        self.directory.path()
    }

    /// Appends `count` sample events, numbered from `first`, in one batch.
    pub(crate) fn append_events(&self, first: usize, count: usize) {
        let events = (first..first + count)
            .map(|index| event(index, self.clock.now()))
            .collect();
        self.trail().append_batch(events).unwrap();
    }

    /// Verifies the trail with the test key and no anchor.
    pub(crate) fn verify(&self) -> iam_audit::VerifyReport {
        iam_audit::verify(self.path(), &[public_key()], None).unwrap()
    }
}

/// Returns the segment files of the trail in `directory`, oldest first.
pub(crate) fn segments(directory: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_str().unwrap().len() == 26)
        .collect();
    paths.sort();
    paths
}

/// Reads the lines of a file, without newlines.
pub(crate) fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Writes `lines` to `path`, each followed by a newline.
pub(crate) fn write_lines(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

/// Returns a sample event: callers, actions, read-only flags and errors vary with `index`.
///
/// - `eventName` cycles through `CreateUser`, `ListUsers`, `DeleteUser`, `GetUser`; the `List`
///   and `Get` ones are read-only.
/// - The caller is `user{index % 3}` with access key `AKIAEXAMPLE{index % 3}`.
/// - Every fifth event failed with `AccessDenied`.
pub(crate) fn event(index: usize, time: Timestamp) -> AuditEvent {
    let names = ["CreateUser", "ListUsers", "DeleteUser", "GetUser"];
    let name = names[index % names.len()];
    let mut event = AuditEvent::new(time, EventSource::Iam, name);

    event.read_only = name.starts_with("List") || name.starts_with("Get");
    event.source_ip_address = "127.0.0.1".to_owned();
    event.user_agent = "aws-cli/2.15.0".to_owned();
    event.user_identity = UserIdentity {
        identity_type: IdentityType::IamUser,
        principal_id: Some(format!("AIDAEXAMPLE{}", index % 3)),
        arn: Some(principal_arn(index % 3).parse().unwrap()),
        account_id: Some("111122223333".parse().unwrap()),
        access_key_id: Some(format!("AKIAEXAMPLE{}", index % 3)),
        user_name: Some(format!("user{}", index % 3)),
        session_context: None,
        identity_provider: None,
    };

    event.request_parameters = Some(serde_json::json!({"userName": format!("target-{index}")}));
    event.request_id = format!("request-{index}");
    event.event_id = format!("event-{index}");
    event.recipient_account_id = Some("111122223333".parse().unwrap());

    if index.is_multiple_of(5) {
        event.error_code = Some("AccessDenied".to_owned());
        event.error_message = Some("not authorized".to_owned());
    }
    event.authorization = Some(iam_audit::Authorization {
        decision: if index.is_multiple_of(5) {
            Decision::ImplicitDeny
        } else {
            Decision::Allow
        },
        action: format!("iam:{name}"),
        resource: Some(format!("arn:aws:iam::111122223333:user/target-{index}")),
        policies: Vec::new(),
        statements: Vec::new(),
    });
    event
}

/// Returns the ARN of sample caller `number`.
pub(crate) fn principal_arn(number: usize) -> String {
    format!("arn:aws:iam::111122223333:user/user{number}")
}

/// Runs `query` page by page to the end and returns every event in order.
pub(crate) fn all_pages(directory: &Path, mut query: Query) -> Vec<StoredEvent> {
    let mut events = Vec::new();
    loop {
        let page = iam_audit::query(directory, &query).unwrap();
        assert!(page.events.len() <= query.max_results);
        events.extend(page.events);
        match page.next_token {
            Some(token) => query.next_token = Some(token),
            None => return events,
        }
    }
}
