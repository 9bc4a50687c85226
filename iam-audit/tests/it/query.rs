//! Queries newest first with filters and pagination, and export as JSON lines.

use iam_audit::{AuditError, AuditEvent, Query, StoredEvent, query};
use jiff::SignedDuration;

use crate::support::{TestTrail, all_pages, principal_arn};

/// Builds a trail of 60 sample events over three segments, one event a minute.
fn trail_of_sixty() -> TestTrail {
    let test = TestTrail::new(|config| config.segment_max_age = SignedDuration::from_mins(20));
    for index in 0..60 {
        test.append_events(index, 1);
        test.clock.advance(60);
    }
    test
}

fn request_numbers(events: &[StoredEvent]) -> Vec<usize> {
    events
        .iter()
        .map(|stored| {
            stored
                .event
                .request_id
                .trim_start_matches("request-")
                .parse()
                .unwrap()
        })
        .collect()
}

#[test]
fn pages_return_every_event_newest_first() {
    let test = trail_of_sixty();
    assert!(crate::support::segments(test.path()).len() >= 3);

    let events = all_pages(
        test.path(),
        Query {
            max_results: 7,
            ..Query::default()
        },
    );

    let expected: Vec<usize> = (0..60).rev().collect();
    assert_eq!(request_numbers(&events), expected);
    let sequences: Vec<u64> = events.iter().map(|stored| stored.sequence).collect();
    assert!(sequences.windows(2).all(|pair| pair[0] > pair[1]));
}

#[test]
fn last_page_has_no_token() {
    let test = trail_of_sixty();

    let page = query(
        test.path(),
        &Query {
            max_results: 60,
            ..Query::default()
        },
    )
    .unwrap();

    assert_eq!(page.events.len(), 60);
    assert_eq!(page.next_token, None);
}

#[test]
fn filter_by_principal_arn() {
    let test = trail_of_sixty();

    let events = all_pages(
        test.path(),
        Query {
            principal_arn: Some(principal_arn(1)),
            ..Query::default()
        },
    );

    assert_eq!(events.len(), 20);
    assert!(
        request_numbers(&events)
            .iter()
            .all(|number| number % 3 == 1)
    );
}

#[test]
fn filter_by_access_key_id() {
    let test = trail_of_sixty();

    let events = all_pages(
        test.path(),
        Query {
            access_key_id: Some("AKIAEXAMPLE2".to_owned()),
            ..Query::default()
        },
    );

    assert_eq!(events.len(), 20);
    assert!(
        request_numbers(&events)
            .iter()
            .all(|number| number % 3 == 2)
    );
}

#[test]
fn filter_by_event_name() {
    let test = trail_of_sixty();

    let events = all_pages(
        test.path(),
        Query {
            event_name: Some("DeleteUser".to_owned()),
            ..Query::default()
        },
    );

    assert_eq!(events.len(), 15);
    assert!(
        events
            .iter()
            .all(|stored| stored.event.event_name == "DeleteUser")
    );
}

#[test]
fn filter_by_read_only_flag() {
    let test = trail_of_sixty();

    let reads = all_pages(
        test.path(),
        Query {
            read_only: Some(true),
            ..Query::default()
        },
    );
    let writes = all_pages(
        test.path(),
        Query {
            read_only: Some(false),
            ..Query::default()
        },
    );

    assert_eq!(reads.len(), 30);
    assert_eq!(writes.len(), 30);
    assert!(reads.iter().all(|stored| stored.event.read_only));
    assert!(writes.iter().all(|stored| !stored.event.read_only));
}

#[test]
fn filter_by_error_code() {
    let test = trail_of_sixty();

    let events = all_pages(
        test.path(),
        Query {
            error_code: Some("AccessDenied".to_owned()),
            ..Query::default()
        },
    );

    assert_eq!(
        request_numbers(&events),
        vec![55, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 0]
    );
}

#[test]
fn filter_by_time_range() {
    let test = trail_of_sixty();
    let start = crate::support::start_time();

    let events = all_pages(
        test.path(),
        Query {
            start_time: Some(start + SignedDuration::from_mins(10)),
            end_time: Some(start + SignedDuration::from_mins(14)),
            ..Query::default()
        },
    );

    assert_eq!(request_numbers(&events), vec![14, 13, 12, 11, 10]);
}

#[test]
fn filters_combine() {
    let test = trail_of_sixty();

    let events = all_pages(
        test.path(),
        Query {
            principal_arn: Some(principal_arn(0)),
            event_name: Some("CreateUser".to_owned()),
            error_code: Some("AccessDenied".to_owned()),
            ..Query::default()
        },
    );

    // Caller 0 (index divisible by 3), CreateUser (divisible by 4), failed (divisible by 5).
    assert_eq!(request_numbers(&events), vec![0]);
}

#[test]
fn page_size_out_of_range_is_rejected() {
    let test = TestTrail::new(|_| {});

    for max_results in [0, 1001] {
        let result = query(
            test.path(),
            &Query {
                max_results,
                ..Query::default()
            },
        );
        assert!(
            matches!(result, Err(AuditError::InvalidQuery(_))),
            "{max_results}"
        );
    }
}

#[test]
fn foreign_page_token_is_rejected() {
    let test = TestTrail::new(|_| {});

    let result = query(
        test.path(),
        &Query {
            next_token: Some("page-2".to_owned()),
            ..Query::default()
        },
    );

    assert!(matches!(result, Err(AuditError::InvalidPageToken(_))));
}

#[test]
fn export_writes_events_oldest_first() {
    let test = trail_of_sixty();
    let mut output = Vec::new();

    let written = iam_audit::export(
        test.path(),
        &Query {
            event_name: Some("ListUsers".to_owned()),
            ..Query::default()
        },
        &mut output,
    )
    .unwrap();

    let text = String::from_utf8(output).unwrap();
    let events: Vec<AuditEvent> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(written, 15);
    assert_eq!(events.len(), 15);
    assert_eq!(events[0].request_id, "request-1");
    assert_eq!(events[14].request_id, "request-57");
    assert!(
        text.lines()
            .all(|line| line.starts_with("{\"eventVersion\":"))
    );
}

#[test]
fn export_of_empty_trail_writes_nothing() {
    let test = TestTrail::new(|_| {});
    let mut output = Vec::new();

    let written = iam_audit::export(test.path(), &Query::default(), &mut output).unwrap();

    assert_eq!(written, 0);
    assert!(output.is_empty());
}
