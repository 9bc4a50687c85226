//! `GenerateCredentialReport` and `GetCredentialReport`: a CSV file with one row per user (and
//! one for the root user) describing its password, MFA and access keys.
//!
//! As in AWS, generation runs in the background: the first `GenerateCredentialReport` returns
//! `STARTED`, calls while it runs return `INPROGRESS`, and calls after it finished return
//! `COMPLETE`. A report is valid for four hours. After that `GetCredentialReport` fails with
//! `ReportExpired` and the next `GenerateCredentialReport` starts a new one. Reports are kept
//! in memory, one per account, so a restart discards them.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use iam_model::{AccessKey, AccessKeyStatus, AccountId, Clock, ROOT_USER_NAME, User};
use iam_store::{IamStore, ListOptions, StoreError};
use jiff::{SignedDuration, Timestamp};

use super::{Call, OperationResult};
use crate::bootstrap::RootAccount;
use crate::error::{ApiError, ErrorCode};
use crate::xml::Fields;

/// How long a report stays valid, as in AWS.
const REPORT_LIFETIME: SignedDuration = SignedDuration::from_hours(4);

/// The columns of the report, in AWS's order.
const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// The value of a column that does not apply, such as the dates of a missing access key.
const NOT_APPLICABLE: &str = "N/A";
/// The value of `password_last_used` for a password that was never used.
const NO_INFORMATION: &str = "no_information";
/// The value of the password columns the root user's row does not report.
const NOT_SUPPORTED: &str = "not_supported";

/// The credential report of each account: being generated, or generated at a known time.
#[derive(Default)]
pub struct CredentialReports {
    reports: Mutex<HashMap<AccountId, ReportState>>,
}

#[derive(Clone)]
enum ReportState {
    InProgress,
    Complete(Arc<Report>),
}

/// A generated report.
#[derive(Debug)]
struct Report {
    generated_time: Timestamp,
    csv: String,
}

impl CredentialReports {
    /// Creates an empty set: no account has a report.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<AccountId, ReportState>> {
        self.reports.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs a credential report operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    match action {
        "GenerateCredentialReport" => Some(generate(call)),
        "GetCredentialReport" => Some(get(call)),
        _ => None,
    }
}

fn generate(call: &Call<'_>) -> OperationResult {
    let account = call.account();
    let reports = &call.state.credential_reports;
    let description = match reports.start(account, call.state.clock.now()) {
        Start::InProgress => return Ok(Some(Fields::new().text("State", "INPROGRESS"))),
        Start::Complete => return Ok(Some(Fields::new().text("State", "COMPLETE"))),
        Start::Started { description } => description,
    };

    let reports = Arc::clone(reports);
    let store = Arc::clone(&call.state.store);
    let clock = Arc::clone(&call.state.clock);
    let root = call.state.root;
    tokio::spawn(async move {
        let generated = build(store.as_ref(), clock.as_ref(), account, &root).await;
        reports.finish(account, generated);
    });
    Ok(Some(
        Fields::new()
            .text("State", "STARTED")
            .text("Description", description),
    ))
}

fn get(call: &Call<'_>) -> OperationResult {
    let report = call
        .state
        .credential_reports
        .current(call.account(), call.state.clock.now())?;
    Ok(Some(
        Fields::new()
            .text("Content", STANDARD.encode(report.csv.as_bytes()))
            .text("ReportFormat", "text/csv")
            .timestamp("GeneratedTime", report.generated_time),
    ))
}

/// The outcome of `CredentialReports::start`, which `GenerateCredentialReport` returns.
#[derive(Debug, PartialEq, Eq)]
enum Start {
    /// A report is being generated.
    InProgress,
    /// A valid report exists.
    Complete,
    /// A new generation started, for the reason in `description`.
    Started { description: &'static str },
}

impl CredentialReports {
    /// Marks the account's report as in progress unless one is being generated or is still
    /// valid at `now`.
    fn start(&self, account: AccountId, now: Timestamp) -> Start {
        let mut states = self.lock();
        let description = match states.get(&account) {
            Some(ReportState::InProgress) => return Start::InProgress,
            Some(ReportState::Complete(report)) if !report.is_expired(now) => {
                return Start::Complete;
            }
            Some(ReportState::Complete(_)) => {
                "The report is older than four hours. Starting a new report generation task."
            }
            None => "No report exists. Starting a new report generation task.",
        };
        states.insert(account, ReportState::InProgress);
        Start::Started { description }
    }

    /// Stores a finished generation. A failed one is logged and leaves the account without a
    /// report, so the next `GenerateCredentialReport` starts again.
    fn finish(&self, account: AccountId, generated: Result<Report, StoreError>) {
        let mut states = self.lock();
        match generated {
            Ok(report) => {
                states.insert(account, ReportState::Complete(Arc::new(report)));
            }
            Err(error) => {
                tracing::error!(%error, %account, "credential report generation failed");
                states.remove(&account);
            }
        }
    }

    /// Returns the account's report if it exists, is complete and is valid at `now`.
    fn current(&self, account: AccountId, now: Timestamp) -> Result<Arc<Report>, ApiError> {
        let state = self.lock().get(&account).cloned();
        match state {
            None => Err(ApiError::new(
                ErrorCode::ReportNotPresent,
                "Credential report does not exist. Use GenerateCredentialReport to generate one.",
            )),
            Some(ReportState::InProgress) => Err(ApiError::new(
                ErrorCode::ReportInProgress,
                "Credential report is still being generated. Try again in a few seconds.",
            )),
            Some(ReportState::Complete(report)) if report.is_expired(now) => Err(ApiError::new(
                ErrorCode::ReportExpired,
                "Credential report is older than four hours. Use GenerateCredentialReport to \
                 generate a new one.",
            )),
            Some(ReportState::Complete(report)) => Ok(report),
        }
    }
}

impl Report {
    fn is_expired(&self, now: Timestamp) -> bool {
        now.duration_since(self.generated_time) > REPORT_LIFETIME
    }
}

/// Reads the account's users and credentials and writes the report.
async fn build(
    store: &dyn IamStore,
    clock: &dyn Clock,
    account: AccountId,
    root: &RootAccount,
) -> Result<Report, StoreError> {
    let generated_time = clock.now();
    let max_password_age = store
        .account(account)
        .await?
        .password_policy
        .and_then(|policy| policy.max_password_age);

    let mut csv = COLUMNS.join(",");
    csv.push('\n');
    let root_keys = store.list_access_keys(account, ROOT_USER_NAME).await?;
    let root_devices = store.list_mfa_devices(account, ROOT_USER_NAME).await?;
    let root_row = Row {
        user: "<root_account>".to_owned(),
        arn: format!("arn:aws:iam::{account}:root"),
        user_creation_time: root.create_date,
        // NOTE: The root user of this server has no console password, because no action
        // creates one.
        password: PasswordColumns::root(),
        mfa_active: !root_devices.is_empty(),
        keys: root_keys,
    };
    root_row.write(&mut csv);

    let mut options = ListOptions::first(iam_store::MAX_MAX_ITEMS);
    loop {
        let page = store.list_users(account, &options).await?;
        for user in &page.items {
            user_row(store, account, user, max_password_age)
                .await?
                .write(&mut csv);
        }
        match page.marker {
            Some(marker) => options = options.after(marker),
            None => break,
        }
    }
    Ok(Report {
        generated_time,
        csv,
    })
}

async fn user_row(
    store: &dyn IamStore,
    account: AccountId,
    user: &User,
    max_password_age: Option<u16>,
) -> Result<Row, StoreError> {
    let profile = match store.login_profile(account, &user.user_name).await {
        Ok(profile) => Some(profile),
        Err(StoreError::NoSuchEntity { .. }) => None,
        Err(error) => return Err(error),
    };
    let mfa_active = !store
        .list_mfa_devices(account, &user.user_name)
        .await?
        .is_empty();
    let keys = store.list_access_keys(account, &user.user_name).await?;

    // NOTE: The store keeps no time of the last password change, so `password_last_changed`
    // is when the login profile was created.
    let password = match &profile {
        Some(profile) => PasswordColumns {
            enabled: "true".to_owned(),
            last_used: user
                .password_last_used
                .map_or_else(|| NO_INFORMATION.to_owned(), format_time),
            last_changed: format_time(profile.create_date),
            next_rotation: max_password_age.map_or_else(
                || NOT_APPLICABLE.to_owned(),
                |days| {
                    let age = SignedDuration::from_hours(24 * i64::from(days));
                    profile
                        .create_date
                        .checked_add(age)
                        .map_or_else(|_| NOT_APPLICABLE.to_owned(), format_time)
                },
            ),
        },
        None => PasswordColumns {
            enabled: "false".to_owned(),
            last_used: user
                .password_last_used
                .map_or_else(|| NOT_APPLICABLE.to_owned(), format_time),
            last_changed: NOT_APPLICABLE.to_owned(),
            next_rotation: NOT_APPLICABLE.to_owned(),
        },
    };
    Ok(Row {
        user: user.user_name.clone(),
        arn: user.arn.to_string(),
        user_creation_time: user.create_date,
        password,
        mfa_active,
        keys,
    })
}

/// The values of the four password columns.
struct PasswordColumns {
    enabled: String,
    last_used: String,
    last_changed: String,
    next_rotation: String,
}

impl PasswordColumns {
    fn root() -> Self {
        Self {
            enabled: NOT_SUPPORTED.to_owned(),
            last_used: NO_INFORMATION.to_owned(),
            last_changed: NOT_SUPPORTED.to_owned(),
            next_rotation: NOT_SUPPORTED.to_owned(),
        }
    }
}

/// One line of the report.
struct Row {
    user: String,
    arn: String,
    user_creation_time: Timestamp,
    password: PasswordColumns,
    mfa_active: bool,
    /// The access keys, at most two.
    keys: Vec<AccessKey>,
}

impl Row {
    fn write(mut self, csv: &mut String) {
        self.keys.sort_by_key(|key| key.create_date);
        let mut values = vec![
            self.user,
            self.arn,
            format_time(self.user_creation_time),
            self.password.enabled,
            self.password.last_used,
            self.password.last_changed,
            self.password.next_rotation,
            self.mfa_active.to_string(),
        ];
        for index in 0..2 {
            values.extend(key_columns(self.keys.get(index)));
        }
        // Signing certificates do not exist on this server, so both are absent.
        for _ in 0..2 {
            values.push("false".to_owned());
            values.push(NOT_APPLICABLE.to_owned());
        }
        let line: Vec<String> = values.iter().map(|value| escape(value)).collect();
        let _ = writeln!(csv, "{}", line.join(","));
    }
}

/// Returns the five columns of one access key.
fn key_columns(key: Option<&AccessKey>) -> [String; 5] {
    let not_applicable = || NOT_APPLICABLE.to_owned();
    let Some(key) = key else {
        return [
            "false".to_owned(),
            not_applicable(),
            not_applicable(),
            not_applicable(),
            not_applicable(),
        ];
    };
    let active = key.status == AccessKeyStatus::Active;
    let (date, region, service) = match &key.last_used {
        Some(last_used) => (
            format_time(last_used.last_used_date),
            last_used.region.clone(),
            last_used.service_name.clone(),
        ),
        None => (not_applicable(), not_applicable(), not_applicable()),
    };
    [
        active.to_string(),
        format_time(key.create_date),
        date,
        region,
        service,
    ]
}

/// Formats a time as the report does: ISO 8601 with an explicit `+00:00` offset.
fn format_time(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// Quotes a CSV value that contains a comma, quote or line break. User names and ARNs cannot,
/// but the report stays well-formed whatever the store holds.
fn escape(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests;
