use iam_model::SeededRandom;

use super::*;
use crate::password::PasswordHasher;

fn update_with(change: impl FnOnce(&mut PasswordPolicyUpdate)) -> PasswordPolicyUpdate {
    let mut update = PasswordPolicyUpdate::default();
    change(&mut update);
    update
}

fn violations(result: Result<(), AuthError>) -> Vec<String> {
    match result {
        Err(AuthError::PasswordPolicyViolation(rules)) => rules,
        other => panic!("expected a policy violation, got {other:?}"),
    }
}

#[test]
fn out_of_range_parameters_are_rejected() {
    let cases = [
        update_with(|u| u.minimum_password_length = Some(5)),
        update_with(|u| u.minimum_password_length = Some(129)),
        update_with(|u| u.max_password_age = Some(0)),
        update_with(|u| u.max_password_age = Some(1096)),
        update_with(|u| u.password_reuse_prevention = Some(0)),
        update_with(|u| u.password_reuse_prevention = Some(25)),
        update_with(|u| u.minimum_password_length = Some(i64::MIN)),
    ];
    for update in cases {
        let error = policy_from_update(&update).unwrap_err();
        assert!(
            matches!(error, AuthError::InvalidPasswordPolicy { .. }),
            "{update:?}: {error}"
        );
        assert_eq!(error.aws_code(), "ValidationError");
    }
}

#[test]
fn range_bounds_are_accepted() {
    let low = update_with(|u| {
        u.minimum_password_length = Some(6);
        u.max_password_age = Some(1);
        u.password_reuse_prevention = Some(1);
    });
    let high = update_with(|u| {
        u.minimum_password_length = Some(128);
        u.max_password_age = Some(1095);
        u.password_reuse_prevention = Some(24);
    });

    let low = policy_from_update(&low).unwrap();
    let high = policy_from_update(&high).unwrap();

    assert_eq!(low.minimum_password_length, 6);
    assert_eq!(low.max_password_age, Some(1));
    assert_eq!(low.password_reuse_prevention, Some(1));
    assert_eq!(high.minimum_password_length, 128);
    assert_eq!(high.max_password_age, Some(1095));
    assert_eq!(high.password_reuse_prevention, Some(24));
}

#[test]
fn invalid_parameter_message_names_value() {
    let update = update_with(|u| u.password_reuse_prevention = Some(25));

    let message = policy_from_update(&update).unwrap_err().to_string();

    assert!(message.contains("`PasswordReusePrevention`"), "{message}");
    assert!(message.contains("`25`"), "{message}");
    assert!(message.contains("1 to 24"), "{message}");
}

#[test]
fn omitted_parameters_reset_to_defaults() {
    let first = update_with(|u| u.require_symbols = Some(true));
    let second = update_with(|u| {
        u.minimum_password_length = Some(12);
        u.require_numbers = Some(true);
    });

    let first = policy_from_update(&first).unwrap();
    let second = policy_from_update(&second).unwrap();

    assert!(first.require_symbols);
    assert_eq!(second.minimum_password_length, 12);
    assert!(second.require_numbers);
    assert!(!second.require_symbols);
    assert!(!second.hard_expiry);
    assert!(!second.expire_passwords());
    assert_eq!(second.max_password_age, None);
    assert_eq!(second.password_reuse_prevention, None);
    assert!(!second.allow_users_to_change_password);
}

#[test]
fn empty_update_uses_minimum_length_six() {
    let policy = policy_from_update(&PasswordPolicyUpdate::default()).unwrap();

    assert_eq!(policy.minimum_password_length, 6);
    assert!(check_policy(&policy, "abcdef").is_ok());
    assert!(check_policy(&policy, "abcde").is_err());
}

#[test]
fn policy_checks_login_profile_passwords() {
    let update = update_with(|u| {
        u.minimum_password_length = Some(12);
        u.require_numbers = Some(true);
    });
    let policy = policy_from_update(&update).unwrap();

    let short = violations(check_policy(&policy, "short1"));
    let no_number = violations(check_policy(&policy, "longenoughpassword"));

    assert_eq!(short, vec!["at least 12 characters"]);
    assert_eq!(no_number, vec!["at least one number (0 to 9)"]);
    assert!(check_policy(&policy, "long-enough-pass9").is_ok());
}

#[test]
fn violation_lists_every_broken_rule() {
    let update = update_with(|u| {
        u.minimum_password_length = Some(10);
        u.require_symbols = Some(true);
        u.require_numbers = Some(true);
        u.require_uppercase_characters = Some(true);
        u.require_lowercase_characters = Some(true);
    });
    let policy = policy_from_update(&update).unwrap();

    let error = check_policy(&policy, "ABC").unwrap_err();
    let AuthError::PasswordPolicyViolation(rules) = &error else {
        panic!("{error:?}");
    };

    assert_eq!(rules.len(), 4);
    assert!(rules.contains(&"at least 10 characters".to_owned()));
    assert!(rules.contains(&"at least one lower-case letter (a to z)".to_owned()));
    assert!(rules.contains(&"at least one number (0 to 9)".to_owned()));
    assert!(
        rules
            .iter()
            .any(|rule| rule.starts_with("at least one symbol"))
    );
    assert!(error.to_string().contains("; "));
    assert_eq!(error.aws_code(), "PasswordPolicyViolation");
}

#[test]
fn every_listed_symbol_counts() {
    let update = update_with(|u| u.require_symbols = Some(true));
    let policy = policy_from_update(&update).unwrap();

    for symbol in SYMBOLS.chars() {
        let password = format!("abcdefg{symbol}");
        assert!(check_policy(&policy, &password).is_ok(), "{symbol}");
    }
    assert!(check_policy(&policy, "abcdefg~").is_err());
    assert!(check_policy(&policy, "abcdefg.").is_err());
}

#[test]
fn default_rules_need_three_classes() {
    let error = violations(check_default_rules("abcdefgh", &[]));

    assert_eq!(error.len(), 1);
    assert!(error[0].starts_with("at least 3 of"));
    assert!(check_default_rules("abcdEFG1", &[]).is_ok());
    assert!(check_default_rules("abcdef!G", &[]).is_ok());
    assert_eq!(violations(check_default_rules("aB1", &[])).len(), 1);
    assert!(check_password(None, "abcdefgh", &[]).is_err());
}

#[test]
fn default_rules_reject_account_name() {
    let error = violations(check_default_rules("Example-Corp1", &["example-corp1"]));

    assert_eq!(error, vec!["not the account name or email address"]);
}

#[test]
fn invalid_password_characters_are_rejected() {
    let policy = policy_from_update(&PasswordPolicyUpdate::default()).unwrap();
    let cases = [
        String::new(),
        "a".repeat(129),
        "abcdefg\u{100}".to_owned(),
        "abc\u{0}defg".to_owned(),
    ];

    for password in &cases {
        let error = check_policy(&policy, password).unwrap_err();
        assert!(
            matches!(error, AuthError::InvalidPassword(_)),
            "{password:?}"
        );
        assert_eq!(error.aws_code(), "ValidationError");
    }
    assert!(check_policy(&policy, &"a".repeat(128)).is_ok());
    assert!(check_policy(&policy, "tab\tand\u{ff}latin").is_ok());
}

#[test]
fn reuse_prevention_checks_recent_hashes() {
    let hasher = PasswordHasher::new(1_000).unwrap();
    let random = SeededRandom::new(9);
    let previous: Vec<_> = ["newest-1", "second-2", "third-3"]
        .iter()
        .map(|password| hasher.hash(password, &random).unwrap())
        .collect();
    let update = update_with(|u| u.password_reuse_prevention = Some(2));
    let policy = policy_from_update(&update).unwrap();
    let without = policy_from_update(&PasswordPolicyUpdate::default()).unwrap();

    assert_eq!(
        check_reuse(&policy, "newest-1", &previous).unwrap_err(),
        AuthError::PasswordReused(2)
    );
    assert!(check_reuse(&policy, "second-2", &previous).is_err());
    assert!(check_reuse(&policy, "third-3", &previous).is_ok());
    assert!(check_reuse(&policy, "fresh-4", &previous).is_ok());
    assert!(check_reuse(&without, "newest-1", &previous).is_ok());
}

#[test]
fn password_expiration_follows_max_age() {
    let update = update_with(|u| u.max_password_age = Some(90));
    let policy = policy_from_update(&update).unwrap();
    let changed_at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();

    let expiration = password_expiration(&policy, changed_at).unwrap();

    assert_eq!(
        expiration,
        "2026-04-01T00:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert!(policy.expire_passwords());
    let never = policy_from_update(&PasswordPolicyUpdate::default()).unwrap();
    assert_eq!(password_expiration(&never, changed_at), None);
}
