use super::*;

fn timestamp() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

#[test]
fn access_key_status_parses_aws_names() {
    assert_eq!("Active".parse(), Ok(AccessKeyStatus::Active));
    assert_eq!("Inactive".parse(), Ok(AccessKeyStatus::Inactive));
    for text in ["", "active", "Expired", "ACTIVE"] {
        assert_eq!(
            text.parse::<AccessKeyStatus>(),
            Err(ModelError::InvalidAccessKeyStatus(text.to_owned()))
        );
    }
    assert_eq!(AccessKeyStatus::Inactive.to_string(), "Inactive");
}

#[test]
fn sealed_bytes_debug_shows_length_only() {
    let sealed = SealedBytes(vec![0xde, 0xad, 0xbe, 0xef]);

    let debug = format!("{sealed:?}");

    assert_eq!(debug, "SealedBytes(4 bytes)");
}

#[test]
fn login_profile_debug_hides_hash() {
    let profile = LoginProfile {
        user_name: "alice".to_owned(),
        create_date: timestamp(),
        password_reset_required: true,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
    };

    let debug = format!("{profile:?}");

    assert!(!debug.contains("argon2id"), "{debug}");
    assert!(debug.contains("alice"), "{debug}");
}

#[test]
fn sealed_access_key_json_has_no_plain_secret() {
    let key = SealedAccessKey {
        access_key: AccessKey {
            user_name: "alice".to_owned(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".parse().unwrap(),
            status: AccessKeyStatus::Active,
            create_date: timestamp(),
            last_used: None,
        },
        sealed_secret: SealedBytes(vec![1, 2, 3]),
    };

    let json = serde_json::to_value(&key).unwrap();

    assert_eq!(json["AccessKey"]["Status"], "Active");
    assert_eq!(json["SealedSecret"], serde_json::json!([1, 2, 3]));
    assert_eq!(
        serde_json::from_value::<SealedAccessKey>(json).unwrap(),
        key
    );
}
