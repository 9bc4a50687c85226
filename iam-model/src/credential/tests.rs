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
        previous_password_hashes: Vec::new(),
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

#[test]
fn mfa_device_new_builds_serial_number() {
    let device = VirtualMfaDevice::new(
        Partition::Aws,
        "123456789012".parse().unwrap(),
        "/",
        "alice-phone",
        SealedBytes(vec![1; 32]),
    )
    .unwrap();

    assert_eq!(
        device.serial_number.to_string(),
        "arn:aws:iam::123456789012:mfa/alice-phone"
    );
    assert_eq!(device.user_name, None);
    assert_eq!(device.enable_date, None);
}

#[test]
fn mfa_device_new_bounds_serial_number() {
    let new_device = |path: &str, name: &str| {
        VirtualMfaDevice::new(
            Partition::Aws,
            "123456789012".parse().unwrap(),
            path,
            name,
            SealedBytes(Vec::new()),
        )
    };
    // The fixed part `arn:aws:iam::123456789012:mfa` is 29 characters.
    let longest_path = format!("/{}/", "p".repeat(97));
    let too_long_path = format!("/{}/", "p".repeat(98));
    let name = "n".repeat(128);

    assert!(new_device(&longest_path, &name).is_ok());
    assert!(matches!(
        new_device(&too_long_path, &name),
        Err(ModelError::InvalidLength {
            field: "SerialNumber",
            ..
        })
    ));
    assert!(new_device("/", "alice phone").is_err());
    assert!(new_device("/", &"n".repeat(129)).is_err());
}
