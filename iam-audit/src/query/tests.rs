use super::*;
use crate::EventSource;

#[test]
fn page_token_round_trips() {
    assert_eq!(decode_token(&encode_token(42)).unwrap(), 42);
    assert_eq!(decode_token(&encode_token(u64::MAX)).unwrap(), u64::MAX);
}

#[test]
fn page_token_rejects_foreign_text() {
    for token in [
        "",
        "42",
        "before-",
        "before-x",
        "before--1",
        "before-99999999999999999999999",
    ] {
        assert!(
            matches!(decode_token(token), Err(AuditError::InvalidPageToken(_))),
            "{token}"
        );
    }
}

#[test]
fn empty_query_matches_everything() {
    let event = AuditEvent::new(Timestamp::UNIX_EPOCH, EventSource::Iam, "ListUsers");

    assert!(Query::default().matches(&event));
}

#[test]
fn time_range_is_inclusive() {
    let time: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
    let event = AuditEvent::new(time, EventSource::Iam, "ListUsers");
    let query = Query {
        start_time: Some(time),
        end_time: Some(time),
        ..Query::default()
    };
    let later = Query {
        start_time: Some("2026-03-01T12:00:01Z".parse().unwrap()),
        ..Query::default()
    };

    assert!(query.matches(&event));
    assert!(!later.matches(&event));
}
