use super::*;

/// Asserts that `check` accepts every value in `accepted` and rejects every value in
/// `rejected`, naming the value on failure.
fn assert_cases(check: fn(&str) -> Result<(), ModelError>, accepted: &[&str], rejected: &[&str]) {
    for value in accepted {
        assert_eq!(check(value), Ok(()), "expected `{value}` to be accepted");
    }
    for value in rejected {
        assert!(check(value).is_err(), "expected `{value}` to be rejected");
    }
}

fn repeat(character: char, count: usize) -> String {
    std::iter::repeat_n(character, count).collect()
}

#[test]
fn user_and_role_names_allow_64_characters() {
    let max = repeat('a', 64);
    let too_long = repeat('a', 65);
    let accepted = ["a", "Alice", "a_b+c=d,e.f@g-h", "0", max.as_str()];
    let rejected = ["", "a b", "a/b", "a*b", "é", "a:b", too_long.as_str()];

    assert_cases(user_name, &accepted, &rejected);
    assert_cases(role_name, &accepted, &rejected);
}

#[test]
fn group_policy_and_profile_names_allow_128() {
    let max = repeat('Z', 128);
    let too_long = repeat('Z', 129);
    let accepted = ["Admins", "a_b+c=d,e.f@g-h", max.as_str()];
    let rejected = ["", "a b", "a/b", "a\u{0}", "名前", too_long.as_str()];

    assert_cases(group_name, &accepted, &rejected);
    assert_cases(policy_name, &accepted, &rejected);
    assert_cases(instance_profile_name, &accepted, &rejected);
    assert_cases(mfa_device_name, &accepted, &rejected);
}

#[test]
fn name_errors_carry_field_and_value() {
    let too_long = repeat('a', 65);

    assert_eq!(
        user_name(&too_long),
        Err(ModelError::InvalidLength {
            field: "UserName",
            value: too_long.clone(),
            length: 65,
            min: 1,
            max: 64,
        })
    );
    assert_eq!(
        group_name("ops team"),
        Err(ModelError::InvalidCharacter {
            field: "GroupName",
            value: "ops team".to_owned(),
            character: ' ',
            expected: NAME_CHARACTERS,
        })
    );
}

#[test]
fn error_value_is_shortened() {
    let huge = repeat('a', 10_000);

    let Err(ModelError::InvalidLength { value, length, .. }) = user_name(&huge) else {
        panic!("expected InvalidLength");
    };

    assert_eq!(value.chars().count(), 256);
    assert_eq!(length, 10_000);
}

#[test]
fn saml_provider_name_cases() {
    let max = repeat('s', 128);
    let too_long = repeat('s', 129);

    assert_cases(
        saml_provider_name,
        &["Okta", "my_idp.example-1", max.as_str()],
        &["", "my idp", "a+b", "a@b", too_long.as_str()],
    );
}

#[test]
fn path_cases() {
    let max = format!("/{}/", repeat('a', 510));
    let too_long = format!("/{}/", repeat('a', 511));

    assert_cases(
        path,
        &[
            "/",
            "/division/",
            "/a/b/c/",
            "///",
            "/a*b/",
            "/~!/",
            max.as_str(),
        ],
        &[
            "",
            "//",
            "a/",
            "/a",
            "division",
            "/a b/",
            "/é/",
            "/a\t/",
            too_long.as_str(),
        ],
    );
}

#[test]
fn policy_path_cases() {
    assert_cases(
        policy_path,
        &["/", "/job-function/", "/a/b.c,d+e@f=g_h-i/"],
        &["", "//", "/a//b/", "a/", "/a", "/a*b/", "/a b/", "/a:b/"],
    );
}

#[test]
fn path_prefix_cases() {
    let too_long = format!("/{}", repeat('a', 512));

    assert_cases(
        path_prefix,
        &["/", "/division", "/a/b/", "/a*\u{7f}"],
        &["", "division/", "/a b", "/é", too_long.as_str()],
    );
}

#[test]
fn account_alias_cases() {
    let max = repeat('a', 63);
    let too_long = repeat('a', 64);

    assert_cases(
        account_alias,
        &["abc", "example-corp", "a-b-c", "123", max.as_str()],
        &[
            "ab",
            "-abc",
            "abc-",
            "a--b",
            "Example",
            "a_b",
            "a.b",
            too_long.as_str(),
        ],
    );
}

#[test]
fn description_cases() {
    let max = repeat('d', 1000);
    let too_long = repeat('d', 1001);

    assert_cases(
        role_description,
        &[
            "",
            "Deploys the web tier",
            "line\nbreak\ttab",
            "café ¡ÿ",
            max.as_str(),
        ],
        &["\u{0}", "\u{7f}", "\u{a0}", "€", "名前", too_long.as_str()],
    );
    assert_cases(
        policy_description,
        &["", "any € text 名前", max.as_str()],
        &[too_long.as_str()],
    );
}

#[test]
fn policy_document_cases() {
    let max = repeat('x', 131_072);
    let too_long = repeat('x', 131_073);
    let check = |value: &str| policy_document("PolicyDocument", value);

    for value in [
        "{}",
        "{\n\t\"Version\": \"2012-10-17\"\r\n}",
        "ÿ",
        max.as_str(),
    ] {
        assert_eq!(check(value), Ok(()), "expected document `{value}` to pass");
    }
    for value in ["", "\u{0}", "\u{b}", "€", too_long.as_str()] {
        assert!(check(value).is_err(), "expected document to fail");
    }
}

#[test]
fn session_and_federation_names() {
    let max_session = repeat('s', 64);
    let too_long_session = repeat('s', 65);
    let max_federated = repeat('f', 32);
    let too_long_federated = repeat('f', 33);

    assert_cases(
        role_session_name,
        &[
            "ab",
            "alice@example.com",
            "a_b+c=d,e.f-g",
            max_session.as_str(),
        ],
        &["", "a", "a b", "a/b", "a:b", too_long_session.as_str()],
    );
    assert_cases(
        federated_user_name,
        &["ab", "Bob", max_federated.as_str()],
        &["", "b", "b b", "b/b", too_long_federated.as_str()],
    );
}

#[test]
fn source_identity_rejects_aws_prefix() {
    assert_cases(
        source_identity,
        &["ab", "alice", "awsome", "aws-user"],
        &["", "a", "aws:alice", "AWS:alice", "Aws:x", "a b"],
    );
}

#[test]
fn password_outer_limits() {
    let max = repeat('p', 128);
    let too_long = repeat('p', 129);

    assert_cases(
        password,
        &["p", "correct horse!", "tab\there", "ÿ", max.as_str()],
        &["", "\u{0}", "€", too_long.as_str()],
    );
}

#[test]
fn password_error_hides_value() {
    let error = password("secret€value").unwrap_err();
    let message = error.to_string();

    assert!(
        !message.contains("secret"),
        "message `{message}` leaks the password"
    );
    assert!(
        !message.contains('€'),
        "message `{message}` leaks a character"
    );
}

#[test]
fn max_session_duration_bounds() {
    for seconds in [3600, 7200, 43200] {
        assert_eq!(max_session_duration(seconds), Ok(()), "{seconds}");
    }
    for seconds in [0, 900, 3599, 43201, u32::MAX] {
        assert!(max_session_duration(seconds).is_err(), "{seconds}");
    }
    assert_eq!(
        max_session_duration(3599),
        Err(ModelError::OutOfRange {
            field: "MaxSessionDuration",
            value: 3599,
            min: 3600,
            max: 43200,
        })
    );
}

#[test]
fn password_policy_bounds() {
    let valid = PasswordPolicy {
        minimum_password_length: 128,
        max_password_age: Some(1095),
        password_reuse_prevention: Some(24),
        ..PasswordPolicy::default()
    };
    let too_short = PasswordPolicy {
        minimum_password_length: 5,
        ..PasswordPolicy::default()
    };
    let too_long = PasswordPolicy {
        minimum_password_length: 129,
        ..PasswordPolicy::default()
    };
    let zero_age = PasswordPolicy {
        max_password_age: Some(0),
        ..PasswordPolicy::default()
    };
    let old_age = PasswordPolicy {
        max_password_age: Some(1096),
        ..PasswordPolicy::default()
    };
    let zero_reuse = PasswordPolicy {
        password_reuse_prevention: Some(0),
        ..PasswordPolicy::default()
    };
    let long_reuse = PasswordPolicy {
        password_reuse_prevention: Some(25),
        ..PasswordPolicy::default()
    };

    assert_eq!(password_policy(&PasswordPolicy::default()), Ok(()));
    assert_eq!(password_policy(&valid), Ok(()));
    for invalid in [
        too_short, too_long, zero_age, old_age, zero_reuse, long_reuse,
    ] {
        assert!(password_policy(&invalid).is_err(), "{invalid:?}");
    }
}

#[test]
fn tag_key_and_value_cases() {
    let max_key = repeat('k', 128);
    let too_long_key = repeat('k', 129);
    let max_value = repeat('v', 256);
    let too_long_value = repeat('v', 257);

    assert_cases(
        tag_key,
        &[
            "Department",
            "Cost Center",
            "a_b.c:d/e=f+g-h@i",
            "Größe",
            "名前",
            "٣",
            "a\u{3000}b",
            "awsome",
            max_key.as_str(),
        ],
        &[
            "",
            "aws:cloudformation",
            "AWS:x",
            "a*b",
            "a\tb",
            "a#b",
            "a\u{301}",
            too_long_key.as_str(),
        ],
    );
    assert_cases(
        tag_value,
        &[
            "",
            "Human Resources",
            "aws:allowed-in-values",
            "値",
            max_value.as_str(),
        ],
        &["a*b", "a\nb", "a!b", too_long_value.as_str()],
    );
}

#[test]
fn tag_key_reserved_prefix_error() {
    assert_eq!(
        tag_key("aws:x"),
        Err(ModelError::ReservedTagKey("aws:x".to_owned()))
    );
}

#[test]
fn tag_lists_check_count_and_uniqueness() {
    let fifty: Vec<Tag> = (0..50).map(|i| Tag::new(format!("k{i}"), "v")).collect();
    let fifty_one: Vec<Tag> = (0..51).map(|i| Tag::new(format!("k{i}"), "v")).collect();
    let same_key_other_case = [Tag::new("Team", "a"), Tag::new("team", "b")];
    let bad_value = [Tag::new("Team", "a*")];

    assert_eq!(tags(&[]), Ok(()));
    assert_eq!(tags(&fifty), Ok(()));
    assert_eq!(
        tags(&fifty_one),
        Err(ModelError::TooManyItems {
            field: "Tags",
            count: 51,
            max: 50,
        })
    );
    assert_eq!(
        tags(&same_key_other_case),
        Err(ModelError::DuplicateTagKey("team".to_owned()))
    );
    assert!(tags(&bad_value).is_err());
}

#[test]
fn tag_key_lists_check_count() {
    let fifty: Vec<String> = (0..50).map(|i| format!("k{i}")).collect();
    let fifty_one: Vec<String> = (0..51).map(|i| format!("k{i}")).collect();

    assert_eq!(tag_keys(&fifty), Ok(()));
    assert!(tag_keys(&fifty_one).is_err());
    assert!(tag_keys(&["aws:x".to_owned()]).is_err());
}

#[test]
fn oidc_url_cases() {
    let too_long = format!("https://{}", repeat('h', 248));

    assert_cases(
        oidc_url,
        &[
            "https://accounts.google.com",
            "https://example.com/tenant/v2",
            "https://localhost:8443",
        ],
        &[
            "",
            "http://example.com",
            "https://",
            "https:///path",
            "example.com",
            "https://example.com?x=1",
            "https://example.com#top",
            "https://exa mple.com",
            too_long.as_str(),
        ],
    );
}

#[test]
fn oidc_client_id_and_thumbprint_lists() {
    let hundred: Vec<String> = (0..100).map(|i| format!("client-{i}")).collect();
    let hundred_one: Vec<String> = (0..101).map(|i| format!("client-{i}")).collect();
    let thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280".to_owned();
    let six = vec![thumbprint.clone(); 6];

    assert_eq!(oidc_client_ids(&hundred), Ok(()));
    assert!(oidc_client_ids(&hundred_one).is_err());
    assert!(oidc_client_ids(&[String::new()]).is_err());
    assert!(oidc_client_ids(&[repeat('c', 256)]).is_err());

    assert_eq!(oidc_thumbprints(std::slice::from_ref(&thumbprint)), Ok(()));
    assert_eq!(oidc_thumbprints(&vec![thumbprint.clone(); 5]), Ok(()));
    assert!(oidc_thumbprints(&six).is_err());
    assert!(oidc_thumbprints(&[thumbprint[..39].to_owned()]).is_err());
    assert!(oidc_thumbprints(&[format!("{}g", &thumbprint[..39])]).is_err());
}

#[test]
fn external_id_cases() {
    let max = repeat('e', 1224);
    let too_long = repeat('e', 1225);

    assert_cases(
        external_id,
        &["ab", "Unique-ID:1234/abc", "a_b+c=d,e.f@g", max.as_str()],
        &["", "a", "a b", "a*b", "a#b", too_long.as_str()],
    );
}

#[test]
fn serial_number_cases() {
    let max = repeat('s', 256);
    let too_long = repeat('s', 257);

    assert_cases(
        serial_number,
        &[
            "GAHT12345678",
            "arn:aws:iam::123456789012:mfa/alice",
            max.as_str(),
        ],
        &["", "GAHT1234", "arn aws", "abcdefghi*", too_long.as_str()],
    );
}

#[test]
fn mfa_code_cases() {
    let check = |value: &str| mfa_code("TokenCode", value);

    for value in ["123456", "000000"] {
        assert_eq!(check(value), Ok(()), "{value}");
    }
    for value in ["", "12345", "1234567", "12345a", " 12345", "١٢٣٤٥٦"] {
        assert!(check(value).is_err(), "{value}");
    }
}

#[test]
fn access_key_id_cases() {
    let max = repeat('A', 128);
    let too_long = repeat('A', 129);

    assert_cases(
        access_key_id,
        &["AKIAIOSFODNN7EXAMPLE", "ASIA_1234567890AB", max.as_str()],
        &[
            "",
            "AKIA12345678901",
            "AKIAIOSFODNN7EXAMPL-",
            too_long.as_str(),
        ],
    );
}

#[test]
fn session_policy_cases() {
    let max = repeat('p', 2048);
    let too_long = repeat('p', 2049);

    assert_cases(
        session_policy,
        &["{}", "{\n\"Version\": \"2012-10-17\"\n}", max.as_str()],
        &["", "\u{0}", "€", too_long.as_str()],
    );
}

#[test]
fn fixed_length_message_names_one_length() {
    let error = mfa_code("AuthenticationCode1", "12345").unwrap_err();

    let message = error.to_string();

    assert_eq!(
        message,
        "invalid AuthenticationCode1 `***`: 5 characters, expected exactly 6"
    );
}

#[test]
fn mfa_code_message_hides_value() {
    for value in ["1234567", "12a456"] {
        let error = mfa_code("TokenCode", value).unwrap_err();

        let message = error.to_string();

        assert!(!message.contains(value), "{message}");
        assert!(message.starts_with("invalid TokenCode `***`"), "{message}");
    }
}
