use super::*;

#[test]
fn name_key_folds_ascii_case() {
    assert_eq!(name_key("ADMINS"), name_key("admins"));
    assert_eq!(name_key("Alice@Example.com"), "alice@example.com");
    assert_ne!(name_key("admins"), name_key("admin"));
}
