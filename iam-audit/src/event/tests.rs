use iam_model::SeededRandom;
use serde_json::json;

use super::*;

fn assumed_role_event() -> AuditEvent {
    let time: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
    let mut event = AuditEvent::new(time, EventSource::Iam, "CreateUser");

    event.source_ip_address = "192.0.2.10".to_owned();
    event.user_agent = "aws-cli/2.15.0".to_owned();
    event.user_identity = UserIdentity {
        identity_type: IdentityType::AssumedRole,
        principal_id: Some("AROAEXAMPLEID:alice".to_owned()),
        arn: Some(
            "arn:aws:sts::111122223333:assumed-role/Admin/alice"
                .parse()
                .unwrap(),
        ),
        account_id: Some("111122223333".parse().unwrap()),
        access_key_id: Some("ASIAEXAMPLEKEY".to_owned()),
        user_name: None,
        session_context: Some(SessionContext {
            attributes: SessionAttributes {
                mfa_authenticated: true,
                creation_date: "2026-03-01T11:00:00Z".parse().unwrap(),
            },
            session_issuer: Some(SessionIssuer {
                issuer_type: "Role".to_owned(),
                principal_id: "AROAEXAMPLEID".to_owned(),
                arn: "arn:aws:iam::111122223333:role/Admin".parse().unwrap(),
                account_id: "111122223333".parse().unwrap(),
                user_name: "Admin".to_owned(),
            }),
        }),
        identity_provider: None,
    };

    event.request_parameters = Some(json!({"userName": "bob", "path": "/"}));
    event.response_elements = Some(json!({"user": {"userName": "bob"}}));
    event.request_id = "c3a1f1e0-0000-4000-8000-000000000001".to_owned();
    event.event_id = "c3a1f1e0-0000-4000-8000-000000000002".to_owned();
    event.recipient_account_id = Some("111122223333".parse().unwrap());

    event.authorization = Some(Authorization {
        decision: Decision::Allow,
        action: "iam:CreateUser".to_owned(),
        resource: Some("arn:aws:iam::111122223333:user/bob".to_owned()),
        policies: vec![PolicyReference {
            policy_type: PolicyType::Managed,
            arn: Some("arn:aws:iam::aws:policy/IAMFullAccess".parse().unwrap()),
            name: None,
            version_id: Some("v2".to_owned()),
        }],
        statements: vec![StatementReference {
            policy_index: 0,
            statement_index: 0,
            sid: None,
            effect: Effect::Allow,
        }],
    });
    event
}

#[test]
fn event_uses_cloudtrail_field_names() {
    let event = assumed_role_event();

    let value = serde_json::to_value(&event).unwrap();

    insta::assert_json_snapshot!(value);
}

#[test]
fn event_round_trips_through_json() {
    let event = assumed_role_event();

    let text = serde_json::to_string(&event).unwrap();
    let parsed: AuditEvent = serde_json::from_str(&text).unwrap();

    assert_eq!(parsed, event);
}

#[test]
fn mfa_flag_rejects_non_boolean_text() {
    let mut value = serde_json::to_value(assumed_role_event()).unwrap();
    value["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] = json!("yes");

    let parsed = serde_json::from_value::<AuditEvent>(value);

    assert!(parsed.is_err());
}

#[test]
fn event_source_rejects_other_services() {
    let mut value = serde_json::to_value(assumed_role_event()).unwrap();
    value["eventSource"] = json!("s3.amazonaws.com");

    let parsed = serde_json::from_value::<AuditEvent>(value);

    assert!(parsed.is_err());
}

#[test]
fn redact_counts_both_parameters_and_elements() {
    let mut event = assumed_role_event();
    event.request_parameters = Some(json!({"userName": "bob", "password": "hunter2"}));
    event.response_elements = Some(json!({"accessKey": {"secretAccessKey": "abc"}}));

    let count = event.redact();

    assert_eq!(count, 2);
    assert_eq!(
        event.request_parameters.unwrap()["password"],
        crate::REDACTED
    );
}

#[test]
fn event_id_is_version_four_uuid() {
    let random = SeededRandom::new(7);

    let first = generate_event_id(&random);
    let second = generate_event_id(&random);

    assert_eq!(first.len(), 36);
    assert_eq!(first.as_bytes()[14], b'4');
    assert!(matches!(first.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    assert_eq!(first.matches('-').count(), 4);
    assert_ne!(first, second);
}
