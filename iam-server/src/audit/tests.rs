use std::sync::Arc;

use iam_audit::MemorySink;
use iam_model::{FixedClock, SeededRandom};

use super::*;

fn recorder(sink: Arc<MemorySink>) -> AuditRecorder {
    AuditRecorder::new(
        sink,
        Arc::new(FixedClock::new("2026-01-01T00:00:00Z".parse().unwrap())),
        Arc::new(SeededRandom::new(3)),
    )
}

fn parameters(query: &str) -> QueryParameters {
    QueryParameters::decode(Some(query), None).unwrap()
}

fn call<'a>(
    service: Service,
    action: &'a str,
    parameters: &'a QueryParameters,
    result: &'a Result<Option<Fields>, ApiError>,
) -> CallRecord<'a> {
    CallRecord {
        service,
        action,
        request_id: "request-1",
        source_ip_address: "127.0.0.1".to_owned(),
        user_agent: "test".to_owned(),
        parameters,
        user_identity: UserIdentity::default(),
        recipient_account_id: None,
        authorization: None,
        result,
    }
}

#[tokio::test]
async fn change_is_recorded_before_returning() {
    let sink = Arc::new(MemorySink::new());
    let recorder = recorder(Arc::clone(&sink));
    let parameters = parameters("Action=CreateUser&Version=2010-05-08&UserName=bob");
    let result = Ok(Some(
        Fields::new().structure("User", Fields::new().text("UserName", "bob")),
    ));

    recorder
        .record(call(Service::Iam, "CreateUser", &parameters, &result))
        .await
        .unwrap();

    let events = sink.events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.event_name, "CreateUser");
    assert_eq!(event.event_source, EventSource::Iam);
    assert_eq!(event.request_id, "request-1");
    assert!(!event.read_only);
    assert_eq!(
        event.request_parameters,
        Some(serde_json::json!({"userName": "bob"}))
    );
    assert_eq!(
        event.response_elements,
        Some(serde_json::json!({"user": {"userName": "bob"}}))
    );
}

#[tokio::test]
async fn failed_trail_rejects_change() {
    let sink = Arc::new(MemorySink::new());
    sink.set_failure(Some("disk full".to_owned()));
    let recorder = recorder(Arc::clone(&sink));
    let parameters = parameters("UserName=bob");
    let result = Ok(None);

    let error = recorder
        .record(call(Service::Iam, "DeleteUser", &parameters, &result))
        .await
        .unwrap_err();

    assert_eq!(error.code, ErrorCode::ServiceFailure);
    assert!(recorder.ready().is_err());
}

#[tokio::test]
async fn read_is_recorded_in_background() {
    let sink = Arc::new(MemorySink::new());
    let recorder = recorder(Arc::clone(&sink));
    let parameters = parameters("UserName=bob");
    let result = Err(ApiError::new(ErrorCode::NoSuchEntity, "no user bob"));

    recorder
        .record(call(Service::Iam, "GetUser", &parameters, &result))
        .await
        .unwrap();

    let mut events = sink.events();
    for _ in 0..100 {
        if !events.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        events = sink.events();
    }
    assert_eq!(events.len(), 1);
    assert!(events[0].read_only);
    assert_eq!(events[0].error_code.as_deref(), Some("NoSuchEntity"));
    assert_eq!(events[0].error_message.as_deref(), Some("no user bob"));
}

#[test]
fn secrets_are_redacted_by_sink() {
    let sink = MemorySink::new();
    let recorder = recorder(Arc::new(MemorySink::new()));
    let parameters = parameters("UserName=bob&Password=hunter2hunter2");
    let result = Ok(Some(Fields::new().structure(
        "AccessKey",
        Fields::new().text("SecretAccessKey", "wJalrXUtnFEMI"),
    )));

    let event = recorder.event(call(
        Service::Iam,
        "CreateLoginProfile",
        &parameters,
        &result,
    ));
    sink.record(event).unwrap();

    let stored = serde_json::to_string(&sink.events()[0]).unwrap();
    assert!(!stored.contains("hunter2"), "{stored}");
    assert!(!stored.contains("wJalrXUtnFEMI"), "{stored}");
}

#[test]
fn state_changes_are_iam_writes() {
    assert!(changes_state(Service::Iam, "CreateUser"));
    assert!(changes_state(Service::Iam, "UpdateAccessKey"));
    assert!(!changes_state(Service::Iam, "GetUser"));
    assert!(!changes_state(Service::Iam, "ListUsers"));
    assert!(!changes_state(Service::Iam, "SimulatePrincipalPolicy"));
    assert!(!changes_state(Service::Sts, "AssumeRole"));
}

#[test]
fn parameters_skip_action_version_and_signature() {
    let parameters =
        parameters("Action=ListUsers&Version=2010-05-08&X-Amz-Signature=abc&Tags.member.1.Key=k");

    let json = parameters_json(&parameters);

    assert_eq!(json, serde_json::json!({"tags.member.1.key": "k"}));
}
