//! `GenerateCredentialReport` and `GetCredentialReport`: states, errors and the CSV content.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::harness::{ACCOUNT, Harness, NOW};

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,\
password_last_changed,password_next_rotation,mfa_active,access_key_1_active,\
access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// Generates a report unless a valid one exists, waits for the background task, and returns
/// the report's CSV lines.
async fn generated_report(harness: &Harness) -> Vec<String> {
    let mut state = String::new();
    for _ in 0..20 {
        let reply = harness.iam("Action=GenerateCredentialReport").await.ok();
        state = reply.text("State").unwrap();
        if state == "COMPLETE" {
            break;
        }
        assert!(
            state == "STARTED" || state == "INPROGRESS",
            "{}",
            reply.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(state, "COMPLETE");
    let reply = harness.iam("Action=GetCredentialReport").await.ok();
    assert_eq!(reply.text("ReportFormat").as_deref(), Some("text/csv"));
    let content = STANDARD.decode(reply.text("Content").unwrap()).unwrap();
    String::from_utf8(content)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Returns the columns of the row of `user`.
fn row(lines: &[String], user: &str) -> Vec<String> {
    let line = lines
        .iter()
        .find(|line| line.split(',').next() == Some(user))
        .unwrap_or_else(|| panic!("no row for {user} in {lines:?}"));
    line.split(',').map(str::to_owned).collect()
}

/// Returns the value of `column` in `row`.
fn value<'a>(row: &'a [String], column: &str) -> &'a str {
    let index = HEADER.split(',').position(|name| name == column).unwrap();
    &row[index]
}

#[tokio::test]
async fn get_before_generate_is_not_present() {
    let harness = Harness::new().await;

    let reply = harness.iam("Action=GetCredentialReport").await;

    reply.error("ReportNotPresent", 410);
}

#[tokio::test]
async fn generate_starts_then_completes() {
    let harness = Harness::new().await;

    let started = harness.iam("Action=GenerateCredentialReport").await.ok();
    let lines = generated_report(&harness).await;

    assert_eq!(started.text("State").as_deref(), Some("STARTED"));
    assert_eq!(
        started.text("Description").as_deref(),
        Some("No report exists. Starting a new report generation task.")
    );
    assert_eq!(lines[0], HEADER);
    let reply = harness.iam("Action=GetCredentialReport").await.ok();
    assert_eq!(reply.text("GeneratedTime").as_deref(), Some(NOW));
}

#[tokio::test]
async fn root_row_reports_not_supported() {
    let harness = Harness::new().await;

    let lines = generated_report(&harness).await;

    let root = row(&lines, "<root_account>");
    assert_eq!(root.len(), 22);
    assert_eq!(value(&root, "arn"), format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(
        value(&root, "user_creation_time"),
        "2025-06-01T08:00:00+00:00"
    );
    assert_eq!(value(&root, "password_enabled"), "not_supported");
    assert_eq!(value(&root, "password_last_used"), "no_information");
    assert_eq!(value(&root, "password_last_changed"), "not_supported");
    assert_eq!(value(&root, "password_next_rotation"), "not_supported");
    assert_eq!(value(&root, "mfa_active"), "false");
    assert_eq!(value(&root, "access_key_1_active"), "true");
    assert_eq!(value(&root, "access_key_2_active"), "false");
    assert_eq!(value(&root, "access_key_2_last_rotated"), "N/A");
    assert_eq!(value(&root, "cert_1_active"), "false");
    assert_eq!(value(&root, "cert_2_last_rotated"), "N/A");
}

#[tokio::test]
async fn root_row_reports_mfa_device() {
    let harness = Harness::new().await;
    crate::root_mfa::enabled_root_device(&harness).await;

    let lines = generated_report(&harness).await;

    let root = row(&lines, "<root_account>");
    assert_eq!(value(&root, "mfa_active"), "true");
}

#[tokio::test]
async fn user_rows_report_credentials() {
    let harness = Harness::new().await;
    harness
        .iam("Action=UpdateAccountPasswordPolicy&MaxPasswordAge=90")
        .await
        .ok();
    let alice = harness.user_with_key("alice").await;
    harness
        .iam("Action=CreateLoginProfile&UserName=alice&Password=Correct-Horse-1")
        .await
        .ok();
    harness.clock.advance(60);
    let second = harness
        .iam("Action=CreateAccessKey&UserName=alice")
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=UpdateAccessKey&UserName=alice&AccessKeyId={}&Status=Inactive",
            second.text("AccessKeyId").unwrap()
        ))
        .await
        .ok();
    harness.allow("alice", "iam:GetUser").await;
    harness.iam_as(&alice, "Action=GetUser").await.ok();
    harness.iam("Action=CreateUser&UserName=bob").await.ok();

    let lines = generated_report(&harness).await;

    let alice = row(&lines, "alice");
    assert_eq!(
        value(&alice, "arn"),
        format!("arn:aws:iam::{ACCOUNT}:user/alice")
    );
    assert_eq!(
        value(&alice, "user_creation_time"),
        "2026-01-01T00:00:15+00:00"
    );
    assert_eq!(value(&alice, "password_enabled"), "true");
    assert_eq!(value(&alice, "password_last_used"), "no_information");
    assert_eq!(
        value(&alice, "password_last_changed"),
        "2026-01-01T00:00:15+00:00"
    );
    assert_eq!(
        value(&alice, "password_next_rotation"),
        "2026-04-01T00:00:15+00:00"
    );
    assert_eq!(value(&alice, "mfa_active"), "false");
    assert_eq!(value(&alice, "access_key_1_active"), "true");
    assert_eq!(
        value(&alice, "access_key_1_last_rotated"),
        "2026-01-01T00:00:15+00:00"
    );
    assert_eq!(
        value(&alice, "access_key_1_last_used_date"),
        "2026-01-01T00:01:15+00:00"
    );
    assert_eq!(value(&alice, "access_key_1_last_used_region"), "us-east-1");
    assert_eq!(value(&alice, "access_key_1_last_used_service"), "iam");
    assert_eq!(value(&alice, "access_key_2_active"), "false");
    assert_eq!(
        value(&alice, "access_key_2_last_rotated"),
        "2026-01-01T00:01:15+00:00"
    );
    assert_eq!(value(&alice, "access_key_2_last_used_date"), "N/A");

    let bob = row(&lines, "bob");
    assert_eq!(value(&bob, "password_enabled"), "false");
    assert_eq!(value(&bob, "password_last_used"), "N/A");
    assert_eq!(value(&bob, "password_last_changed"), "N/A");
    assert_eq!(value(&bob, "password_next_rotation"), "N/A");
    assert_eq!(value(&bob, "access_key_1_active"), "false");
    assert_eq!(value(&bob, "access_key_1_last_rotated"), "N/A");
    assert_eq!(lines.len(), 4, "header, root, alice and bob: {lines:?}");
}

#[tokio::test]
async fn report_expires_after_four_hours() {
    let harness = Harness::new().await;
    generated_report(&harness).await;

    harness.clock.advance(4 * 3600 + 1);
    let expired = harness.iam("Action=GetCredentialReport").await;
    let restarted = harness.iam("Action=GenerateCredentialReport").await.ok();

    expired.error("ReportExpired", 410);
    assert_eq!(restarted.text("State").as_deref(), Some("STARTED"));
    assert!(
        restarted
            .text("Description")
            .unwrap()
            .contains("four hours"),
        "{}",
        restarted.body
    );
}

#[tokio::test]
async fn caller_needs_permission() {
    let harness = Harness::new().await;
    let alice = harness.user_with_key("alice").await;

    let generate = harness
        .iam_as(&alice, "Action=GenerateCredentialReport")
        .await;
    let get = harness.iam_as(&alice, "Action=GetCredentialReport").await;

    generate.error("AccessDenied", 403);
    get.error("AccessDenied", 403);
}

#[tokio::test]
async fn snapshot_responses() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();

    let started = harness.iam("Action=GenerateCredentialReport").await.ok();
    generated_report(&harness).await;
    let report = harness.iam("Action=GetCredentialReport").await.ok();

    insta::assert_snapshot!("generate_credential_report_started", started.body);
    insta::assert_snapshot!("get_credential_report", report.body);
}
