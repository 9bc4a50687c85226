use std::sync::Arc;

use iam_audit::MemorySink;
use iam_model::{FixedClock, SeededRandom};

use super::*;

fn recorder<S: AuditSink + 'static>(sink: Arc<S>) -> AuditRecorder {
    AuditRecorder::new(
        sink,
        Arc::new(FixedClock::new("2026-01-01T00:00:00Z".parse().unwrap())),
        Arc::new(SeededRandom::new(3)),
    )
    .unwrap()
}

fn parameters(query: &str) -> QueryParameters {
    QueryParameters::decode(Some(query), None).unwrap()
}

fn call(
    service: Service,
    action: &'static str,
    parameters: &QueryParameters,
    result: &Result<Option<Fields>, ApiError>,
) -> CallRecord {
    CallRecord {
        service,
        action,
        request_id: "request-1".to_owned(),
        source_ip_address: "127.0.0.1".to_owned(),
        user_agent: "test".to_owned(),
        parameters: parameters.clone(),
        user_identity: UserIdentity::default(),
        recipient_account_id: None,
        authorization: None,
        result: result.clone(),
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

#[tokio::test]
async fn flush_waits_for_queued_reads() {
    let sink = Arc::new(MemorySink::new());
    let recorder = recorder(Arc::clone(&sink));
    let parameters = parameters("UserName=bob");
    let result = Ok(None);

    for _ in 0..50 {
        recorder
            .record(call(Service::Iam, "GetUser", &parameters, &result))
            .await
            .unwrap();
    }
    recorder.flush().await;

    assert_eq!(sink.events().len(), 50);
}

/// A sink that is slow to sync and counts the batches it receives.
#[derive(Default)]
struct SlowSink {
    inner: MemorySink,
    batches: std::sync::Mutex<Vec<usize>>,
}

impl AuditSink for SlowSink {
    fn record(&self, event: AuditEvent) -> Result<iam_audit::Receipt, iam_audit::AuditError> {
        self.inner.record(event)
    }

    fn record_encoded_batch(
        &self,
        events: Vec<EncodedEvent>,
    ) -> Vec<Result<iam_audit::Receipt, iam_audit::AuditError>> {
        self.batches.lock().unwrap().push(events.len());
        std::thread::sleep(std::time::Duration::from_millis(20));
        self.inner.record_encoded_batch(events)
    }

    fn ready(&self) -> Result<(), iam_audit::AuditError> {
        self.inner.ready()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_share_batches() {
    let sink = Arc::new(SlowSink::default());
    let recorder = Arc::new(recorder(Arc::clone(&sink)));

    let tasks: Vec<_> = (0..100)
        .map(|index| {
            let recorder = Arc::clone(&recorder);
            tokio::spawn(async move {
                let parameters = parameters(&format!("UserName=user{index}"));
                let result = Ok(None);
                recorder
                    .record(call(Service::Iam, "CreateUser", &parameters, &result))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let batches = sink.batches.lock().unwrap().clone();
    assert_eq!(sink.inner.events().len(), 100);
    assert_eq!(batches.iter().sum::<usize>(), 100);
    assert!(
        batches.len() < 100,
        "every event had its own sync: {batches:?}"
    );
}

#[tokio::test]
async fn queued_reads_share_batches() {
    let sink = Arc::new(SlowSink::default());
    let recorder = recorder(Arc::clone(&sink));
    let parameters = parameters("UserName=bob");
    let result = Ok(None);

    for _ in 0..100 {
        recorder
            .record(call(Service::Iam, "GetUser", &parameters, &result))
            .await
            .unwrap();
    }
    recorder.flush().await;

    let batches = sink.batches.lock().unwrap().clone();
    assert_eq!(sink.inner.events().len(), 100);
    assert!(
        batches.len() < 10,
        "reads were stored in small batches: {batches:?}"
    );
}

#[tokio::test]
async fn change_fails_when_writer_panics() {
    /// A sink whose batch write panics, as a bug in a sink might.
    struct PanickingSink;

    impl AuditSink for PanickingSink {
        fn record(&self, _: AuditEvent) -> Result<iam_audit::Receipt, iam_audit::AuditError> {
            panic!("sink failed");
        }

        fn ready(&self) -> Result<(), iam_audit::AuditError> {
            Ok(())
        }
    }
    let recorder = recorder(Arc::new(PanickingSink));
    let parameters = parameters("UserName=bob");
    let result = Ok(None);

    let first = recorder
        .record(call(Service::Iam, "DeleteUser", &parameters, &result))
        .await
        .unwrap_err();
    let later = recorder
        .record(call(Service::Iam, "DeleteUser", &parameters, &result))
        .await
        .unwrap_err();

    assert_eq!(first.code, ErrorCode::ServiceFailure);
    assert_eq!(later.code, ErrorCode::ServiceFailure);
}

#[tokio::test]
async fn change_fails_when_writer_gets_no_result() {
    /// A sink that returns no result for a batch, as a faulty implementation might.
    struct SilentSink;

    impl AuditSink for SilentSink {
        fn record(&self, _: AuditEvent) -> Result<iam_audit::Receipt, iam_audit::AuditError> {
            Ok(iam_audit::Receipt { sequence: 0 })
        }

        fn record_encoded_batch(
            &self,
            _: Vec<EncodedEvent>,
        ) -> Vec<Result<iam_audit::Receipt, iam_audit::AuditError>> {
            Vec::new()
        }

        fn ready(&self) -> Result<(), iam_audit::AuditError> {
            Ok(())
        }
    }
    let recorder = recorder(Arc::new(SilentSink));
    let parameters = parameters("UserName=bob");
    let result = Ok(None);

    let error = recorder
        .record(call(Service::Iam, "DeleteUser", &parameters, &result))
        .await
        .unwrap_err();

    assert_eq!(error.code, ErrorCode::ServiceFailure);
}

#[test]
fn secrets_are_redacted_when_encoded() {
    let sink = MemorySink::new();
    let recorder = recorder(Arc::new(MemorySink::new()));
    let parameters = parameters("UserName=bob&Password=hunter2hunter2");
    let result = Ok(Some(Fields::new().structure(
        "AccessKey",
        Fields::new().text("SecretAccessKey", "wJalrXUtnFEMI"),
    )));

    let event = recorder
        .encode_event(call(
            Service::Iam,
            "CreateLoginProfile",
            &parameters,
            &result,
        ))
        .unwrap();
    let results = sink.record_encoded_batch(vec![event]);

    assert!(results[0].is_ok());

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

    let elements = Elements::build(|object| write_parameters(object, &parameters)).unwrap();

    assert_eq!(elements.as_json(), r#"{"tags.member.1.key":"k"}"#);
}
