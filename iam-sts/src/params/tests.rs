use super::*;

fn parameter(result: Result<impl Sized, StsError>) -> Option<&'static str> {
    match result {
        Err(StsError::Validation { parameter, .. }) => Some(parameter),
        _ => None,
    }
}

#[test]
fn role_session_name_accepts_documented_alphabet() {
    for name in ["s1", "ok.name@team=1", "a_b+c,d-e", &"s".repeat(64)] {
        assert!(
            validate_role_session_name(name).is_ok(),
            "`{name}` rejected"
        );
    }
}

#[test]
fn role_session_name_rejects_bad_values() {
    let too_long = "s".repeat(65);
    for name in [
        "",
        "x",
        "has space",
        "slash/name",
        "colon:name",
        "é-accent",
        &too_long,
    ] {
        assert_eq!(
            parameter(validate_role_session_name(name)),
            Some("RoleSessionName"),
            "`{name}` accepted"
        );
    }
}

#[test]
fn source_identity_rejects_aws_prefix() {
    assert!(validate_source_identity("alice").is_ok());
    assert_eq!(
        parameter(validate_source_identity("aws:alice")),
        Some("SourceIdentity")
    );
    assert_eq!(
        parameter(validate_source_identity("AWS:alice")),
        Some("SourceIdentity")
    );
    assert_eq!(
        parameter(validate_source_identity("a")),
        Some("SourceIdentity")
    );
}

#[test]
fn external_id_allows_colon_and_slash() {
    assert!(validate_external_id("partner:123/abc").is_ok());
    assert!(validate_external_id(&"x".repeat(1224)).is_ok());
    assert_eq!(parameter(validate_external_id("x")), Some("ExternalId"));
    assert_eq!(
        parameter(validate_external_id(&"x".repeat(1225))),
        Some("ExternalId")
    );
    assert_eq!(
        parameter(validate_external_id("has space")),
        Some("ExternalId")
    );
}

#[test]
fn serial_number_bounds() {
    assert!(validate_serial_number("arn:aws:iam::111122223333:mfa/alice").is_ok());
    assert!(validate_serial_number("GAHT12345").is_ok());
    assert_eq!(
        parameter(validate_serial_number("GAHT1234")),
        Some("SerialNumber")
    );
    assert_eq!(
        parameter(validate_serial_number(&"a".repeat(257))),
        Some("SerialNumber")
    );
    assert_eq!(
        parameter(validate_serial_number("bad serial#")),
        Some("SerialNumber")
    );
}

#[test]
fn token_code_needs_six_digits() {
    assert!(validate_token_code("123456").is_ok());
    for code in ["12345", "1234567", "12345a", "", "１２３４５６"] {
        assert_eq!(
            parameter(validate_token_code(code)),
            Some("TokenCode"),
            "`{code}` accepted"
        );
    }
}

#[test]
fn federated_name_bounds() {
    assert!(validate_federated_name("bob").is_ok());
    assert_eq!(parameter(validate_federated_name("b")), Some("Name"));
    assert_eq!(
        parameter(validate_federated_name(&"b".repeat(33))),
        Some("Name")
    );
}

#[test]
fn role_duration_defaults_and_bounds() {
    assert_eq!(role_session_duration(None, 3600, false), Ok(3600));
    assert_eq!(role_session_duration(Some(900), 3600, false), Ok(900));
    assert_eq!(
        role_session_duration(Some(43_200), 43_200, false),
        Ok(43_200)
    );
    assert_eq!(
        parameter(role_session_duration(Some(899), 3600, false)),
        Some("DurationSeconds")
    );
    assert_eq!(
        parameter(role_session_duration(Some(7200), 3600, false)),
        Some("DurationSeconds")
    );
}

#[test]
fn chained_role_duration_caps_at_one_hour() {
    assert_eq!(role_session_duration(None, 43_200, true), Ok(3600));
    assert_eq!(role_session_duration(Some(3600), 43_200, true), Ok(3600));
    assert_eq!(
        parameter(role_session_duration(Some(3601), 43_200, true)),
        Some("DurationSeconds")
    );
    assert_eq!(
        parameter(role_session_duration(Some(7200), 43_200, true)),
        Some("DurationSeconds")
    );
}

#[test]
fn user_duration_defaults_and_bounds() {
    assert_eq!(user_session_duration(None, false), Ok(43_200));
    assert_eq!(user_session_duration(Some(129_600), false), Ok(129_600));
    assert_eq!(user_session_duration(Some(900), false), Ok(900));
    assert_eq!(
        parameter(user_session_duration(Some(129_601), false)),
        Some("DurationSeconds")
    );
    assert_eq!(
        parameter(user_session_duration(Some(899), false)),
        Some("DurationSeconds")
    );
}

#[test]
fn root_duration_caps_at_one_hour() {
    assert_eq!(user_session_duration(None, true), Ok(3600));
    assert_eq!(user_session_duration(Some(3600), true), Ok(3600));
    assert_eq!(
        parameter(user_session_duration(Some(3601), true)),
        Some("DurationSeconds")
    );
}

#[test]
fn session_policy_is_compacted() {
    let policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}";

    let compact = compact_session_policy(policy).unwrap();

    assert_eq!(compact, r#"{"Version":"2012-10-17","Statement":[]}"#);
}

#[test]
fn session_policy_compaction_keeps_strings() {
    let policy = r#"{ "Sid" : "a b\" c" ,"Version":"2012-10-17"}"#;

    let compact = compact_session_policy(policy).unwrap();

    assert_eq!(compact, r#"{"Sid":"a b\" c","Version":"2012-10-17"}"#);
}

#[test]
fn session_policy_length_limit() {
    let padding = " ".repeat(MAX_SESSION_POLICY_CHARS - 2);
    let at_limit = format!("{{{padding}}}");
    let over_limit = format!("{{{padding} }}");

    assert!(compact_session_policy(&at_limit).is_ok());
    assert_eq!(
        parameter(compact_session_policy(&over_limit)),
        Some("Policy")
    );
    assert_eq!(parameter(compact_session_policy("")), Some("Policy"));
}

#[test]
fn session_policy_rejects_bad_characters_and_json() {
    assert_eq!(
        parameter(compact_session_policy("{\"a\":\"\u{0100}\"}")),
        Some("Policy")
    );
    assert_eq!(
        parameter(compact_session_policy("{\"a\":\"\u{0001}\"}")),
        Some("Policy")
    );
    assert_eq!(
        compact_session_policy("{not json").unwrap_err().code(),
        "MalformedPolicyDocument"
    );
    assert_eq!(
        compact_session_policy("[]").unwrap_err().code(),
        "MalformedPolicyDocument"
    );
}

#[test]
fn policy_arns_limit_and_syntax() {
    let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned();
    let ten = vec![arn.clone(); 10];
    let eleven = vec![arn; 11];

    assert_eq!(
        parse_session_policy_arns(&ten).map(|arns| arns.len()),
        Ok(10)
    );
    assert_eq!(
        parameter(parse_session_policy_arns(&eleven)),
        Some("PolicyArns")
    );
    assert_eq!(
        parameter(parse_session_policy_arns(&["short".to_owned()])),
        Some("PolicyArns")
    );
    assert_eq!(
        parameter(parse_session_policy_arns(&[
            "not-an-arn-but-long-enough".to_owned()
        ])),
        Some("PolicyArns")
    );
}

fn tag(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

#[test]
fn session_tags_mark_transitive_keys() {
    let tags = [tag("team", "blue"), tag("Project", "x")];

    let result = session_tags(&tags, &["project".to_owned()], &[]).unwrap();

    assert_eq!(result.len(), 2);
    assert!(!result[0].transitive);
    assert!(result[1].transitive);
}

#[test]
fn session_tags_keep_inherited_transitive_tags() {
    let inherited = [SessionTag {
        key: "team".to_owned(),
        value: "blue".to_owned(),
        transitive: true,
    }];

    let result = session_tags(&[tag("env", "dev")], &[], &inherited).unwrap();
    let overridden = session_tags(&[tag("Team", "red")], &[], &inherited);

    assert_eq!(result.len(), 2);
    assert_eq!(result[0], inherited[0]);
    assert!(!result[1].transitive);
    assert_eq!(parameter(overridden), Some("Tags"));
}

#[test]
fn session_tags_reject_bad_input() {
    let fifty_one: Vec<_> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    let fifty: Vec<_> = (0..50).map(|i| tag(&format!("k{i}"), "v")).collect();

    assert!(session_tags(&fifty, &[], &[]).is_ok());
    assert_eq!(parameter(session_tags(&fifty_one, &[], &[])), Some("Tags"));
    assert_eq!(
        parameter(session_tags(&[tag("a", "1"), tag("A", "2")], &[], &[])),
        Some("Tags")
    );
    assert_eq!(
        parameter(session_tags(&[tag("a", "1")], &["b".to_owned()], &[])),
        Some("TransitiveTagKeys")
    );
    assert_eq!(
        parameter(session_tags(&[tag("aws:team", "1")], &[], &[])),
        Some("Tags")
    );
    assert_eq!(
        parameter(session_tags(&[tag("", "1")], &[], &[])),
        Some("TagKey")
    );
    assert_eq!(
        parameter(session_tags(&[tag("k", &"v".repeat(257))], &[], &[])),
        Some("TagValue")
    );
    assert_eq!(
        parameter(session_tags(&[tag("k", "semi;colon")], &[], &[])),
        Some("TagValue")
    );
}

#[test]
fn tag_characters_follow_unicode_classes() {
    assert!(validate_tag("Équipe 1", "données_ü:/=+-@.").is_ok());
    assert!(validate_tag("k", "").is_ok());
    assert!(validate_tag("k", "no\ttab").is_err());
    assert!(validate_tag("k\u{3000}", "ideographic space").is_ok());
}

#[test]
fn packed_size_reports_percentage() {
    let policy = "p".repeat(PACKED_POLICY_ALLOTMENT / 2);
    let over = "p".repeat(PACKED_POLICY_ALLOTMENT + PACKED_POLICY_ALLOTMENT / 10);

    assert_eq!(check_packed_size(Some(&policy), &[], &[]), Ok(50));
    assert_eq!(check_packed_size(None, &[], &[]), Ok(0));
    assert_eq!(
        check_packed_size(Some(&over), &[], &[]),
        Err(StsError::PackedPolicyTooLarge { percent: 110 })
    );
}

#[test]
fn fifty_long_tags_are_too_large() {
    let tags: Vec<SessionTag> = (0..50)
        .map(|i| SessionTag {
            key: format!("{i:0>128}"),
            value: "v".repeat(256),
            transitive: false,
        })
        .collect();

    let result = check_packed_size(None, &[], &tags);

    let Err(StsError::PackedPolicyTooLarge { percent }) = result else {
        panic!("expected PackedPolicyTooLarge, got {result:?}");
    };
    assert_eq!(percent, 800);
    assert_eq!(
        StsError::PackedPolicyTooLarge { percent }.code(),
        "PackedPolicyTooLarge"
    );
}

#[test]
fn maximal_policy_with_short_tags_fits() {
    let policy = "p".repeat(MAX_SESSION_POLICY_CHARS);
    let tags: Vec<SessionTag> = (0..20)
        .map(|i| SessionTag {
            key: format!("key{i}"),
            value: "value".to_owned(),
            transitive: false,
        })
        .collect();
    let arns = vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".parse().unwrap(); 10];

    assert!(check_packed_size(Some(&policy), &[], &tags).is_ok());
    assert_eq!(
        check_packed_size(Some(&policy), &arns, &tags),
        Err(StsError::PackedPolicyTooLarge { percent: 110 })
    );
}

#[test]
fn role_session_name_message_names_field_once() {
    let error = validate_role_session_name("x").unwrap_err();

    let message = error.to_string();

    assert_eq!(
        message,
        "invalid RoleSessionName `x`: 1 characters, expected 2 to 64"
    );
}

#[test]
fn duration_message_names_parameter() {
    let error = role_session_duration(Some(100), 3600, false).unwrap_err();

    let message = error.to_string();

    assert!(
        message.starts_with("invalid `DurationSeconds`: "),
        "{message}"
    );
}
