use iam_store::EntityKind;

use super::*;

fn account() -> AccountId {
    "111122223333".parse().unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn report(generated_time: &str) -> Report {
    Report {
        generated_time: at(generated_time),
        csv: "user\n".to_owned(),
    }
}

#[test]
fn first_start_begins_generation() {
    let reports = CredentialReports::new();

    let start = reports.start(account(), at("2026-01-01T00:00:00Z"));
    let again = reports.start(account(), at("2026-01-01T00:00:01Z"));

    assert!(
        matches!(start, Start::Started { description } if description.starts_with("No report"))
    );
    assert_eq!(again, Start::InProgress);
}

#[test]
fn get_while_in_progress_fails() {
    let reports = CredentialReports::new();
    let _ = reports.start(account(), at("2026-01-01T00:00:00Z"));

    let error = reports
        .current(account(), at("2026-01-01T00:00:00Z"))
        .unwrap_err();

    assert_eq!(error.code, ErrorCode::ReportInProgress);
}

#[test]
fn get_without_report_fails() {
    let reports = CredentialReports::new();

    let error = reports
        .current(account(), at("2026-01-01T00:00:00Z"))
        .unwrap_err();

    assert_eq!(error.code, ErrorCode::ReportNotPresent);
}

#[test]
fn report_expires_after_four_hours() {
    let reports = CredentialReports::new();
    let _ = reports.start(account(), at("2026-01-01T00:00:00Z"));
    reports.finish(account(), Ok(report("2026-01-01T00:00:00Z")));

    let fresh = reports.current(account(), at("2026-01-01T04:00:00Z"));
    let complete = reports.start(account(), at("2026-01-01T04:00:00Z"));
    let expired = reports.current(account(), at("2026-01-01T04:00:01Z"));
    let restart = reports.start(account(), at("2026-01-01T04:00:01Z"));

    assert!(fresh.is_ok());
    assert_eq!(complete, Start::Complete);
    assert_eq!(expired.unwrap_err().code, ErrorCode::ReportExpired);
    assert!(
        matches!(restart, Start::Started { description } if description.contains("four hours"))
    );
}

#[test]
fn failed_generation_leaves_no_report() {
    let reports = CredentialReports::new();
    let _ = reports.start(account(), at("2026-01-01T00:00:00Z"));

    reports.finish(
        account(),
        Err(StoreError::NoSuchEntity {
            kind: EntityKind::User,
            name: "alice".to_owned(),
        }),
    );

    let error = reports
        .current(account(), at("2026-01-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::ReportNotPresent);
}

#[test]
fn csv_values_are_quoted_when_needed() {
    assert_eq!(escape("alice"), "alice");
    assert_eq!(escape("a,b"), "\"a,b\"");
    assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
}

#[test]
fn times_use_explicit_offset() {
    assert_eq!(
        format_time(at("2026-01-02T03:04:05.678Z")),
        "2026-01-02T03:04:05+00:00"
    );
}
