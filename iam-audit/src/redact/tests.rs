use serde_json::json;

use super::*;

#[test]
fn secret_field_matches_any_case() {
    assert!(is_secret_field("SecretAccessKey"));
    assert!(is_secret_field("secretAccessKey"));
    assert!(is_secret_field("SECRETACCESSKEY"));
}

#[test]
fn secret_field_matches_flattened_query_name() {
    assert!(is_secret_field("Credentials.SessionToken"));
    assert!(is_secret_field("VirtualMFADevice.Base32StringSeed"));
}

#[test]
fn public_fields_are_not_secret() {
    for name in [
        "SerialNumber",
        "AccessKeyId",
        "UserName",
        "PasswordLastUsed",
        "Tags.member.1.Value",
        "",
    ] {
        assert!(!is_secret_field(name), "{name}");
    }
}

#[test]
fn redaction_reaches_nested_lists_and_objects() {
    let mut value = json!({
        "virtualMFADevices": [
            {"serialNumber": "arn:aws:iam::111122223333:mfa/a", "base32StringSeed": "SEEDONE"},
            {"serialNumber": "arn:aws:iam::111122223333:mfa/b", "qRCodePNG": "PNGTWO"}
        ],
        "outer": {"inner": {"credentials": {"sessionToken": "TOKEN", "accessKeyId": "ASIA1"}}}
    });

    let count = redact_value(&mut value);

    assert_eq!(count, 3);
    let text = value.to_string();
    assert!(!text.contains("SEEDONE"));
    assert!(!text.contains("PNGTWO"));
    assert!(!text.contains("TOKEN\""));
    assert!(text.contains("ASIA1"));
    assert!(text.contains("arn:aws:iam::111122223333:mfa/a"));
}

#[test]
fn redaction_replaces_non_string_secret_values() {
    let mut value = json!({"Password": {"nested": ["a", "b"]}, "TokenCode": 123456});

    let count = redact_value(&mut value);

    assert_eq!(count, 2);
    assert_eq!(value, json!({"Password": REDACTED, "TokenCode": REDACTED}));
}

#[test]
fn redaction_twice_counts_once() {
    let mut value = json!({"NewPassword": "x"});

    let first = redact_value(&mut value);
    let second = redact_value(&mut value);

    assert_eq!(first, 1);
    assert_eq!(second, 0);
}

#[test]
fn redaction_leaves_scalars_alone() {
    for mut value in [json!(null), json!(true), json!(3), json!("SecretAccessKey")] {
        let before = value.clone();

        let count = redact_value(&mut value);

        assert_eq!(count, 0);
        assert_eq!(value, before);
    }
}

/// Builds random JSON in which some object keys are secret field names.
fn json_with_secrets() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;

    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z]{0,8}".prop_map(Value::String),
    ];
    let key = prop_oneof![
        3 => "[a-z]{1,6}",
        1 => prop::sample::select(vec!["SecretAccessKey", "sessionToken", "Password", "tokenCode"]).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Reports whether any secret field in `value` still has a value other than the marker.
fn secret_survives(value: &Value) -> bool {
    match value {
        Value::Object(object) => object.iter().any(|(name, field)| {
            if is_secret_field(name) {
                field.as_str() != Some(REDACTED)
            } else {
                secret_survives(field)
            }
        }),
        Value::Array(items) => items.iter().any(secret_survives),
        _ => false,
    }
}

proptest::proptest! {
    #[test]
    fn redaction_leaves_no_secret_value(mut value in json_with_secrets()) {
        redact_value(&mut value);

        proptest::prop_assert!(!secret_survives(&value));
    }

    #[test]
    fn redaction_is_idempotent(mut value in json_with_secrets()) {
        redact_value(&mut value);
        let once = value.clone();

        let second = redact_value(&mut value);

        proptest::prop_assert_eq!(second, 0);
        proptest::prop_assert_eq!(value, once);
    }

    #[test]
    fn json_without_secret_keys_is_unchanged(value in json_with_secrets()) {
        let mut copy = value.clone();
        let count = redact_value(&mut copy);

        proptest::prop_assert_eq!(count == 0, copy == value);
    }
}
