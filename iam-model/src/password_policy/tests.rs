use super::*;

#[test]
fn default_matches_update_request_defaults() {
    let policy = PasswordPolicy::default();

    assert_eq!(policy.minimum_password_length, 6);
    assert!(!policy.require_symbols);
    assert!(!policy.require_numbers);
    assert!(!policy.require_uppercase_characters);
    assert!(!policy.require_lowercase_characters);
    assert!(!policy.allow_users_to_change_password);
    assert_eq!(policy.max_password_age, None);
    assert_eq!(policy.password_reuse_prevention, None);
    assert!(!policy.hard_expiry);
    assert!(!policy.expire_passwords());
}

#[test]
fn expire_passwords_follows_max_age() {
    let policy = PasswordPolicy {
        max_password_age: Some(90),
        ..PasswordPolicy::default()
    };

    assert!(policy.expire_passwords());
}
