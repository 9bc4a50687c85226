use super::*;

#[test]
fn merge_appends_new_keys_in_order() {
    let mut tags = vec![Tag::new("Team", "payments")];

    merge_tags(
        &mut tags,
        &[Tag::new("Env", "prod"), Tag::new("Owner", "ci")],
    );

    assert_eq!(
        tags,
        [
            Tag::new("Team", "payments"),
            Tag::new("Env", "prod"),
            Tag::new("Owner", "ci"),
        ]
    );
}

#[test]
fn merge_replaces_key_ignoring_case() {
    let mut tags = vec![Tag::new("Department", "finance"), Tag::new("Env", "prod")];

    merge_tags(&mut tags, &[Tag::new("department", "hr")]);

    assert_eq!(
        tags,
        [Tag::new("department", "hr"), Tag::new("Env", "prod")]
    );
}

#[test]
fn merge_handles_repeated_addition() {
    let mut tags = Vec::new();

    merge_tags(
        &mut tags,
        &[Tag::new("Env", "dev"), Tag::new("ENV", "prod")],
    );

    assert_eq!(tags, [Tag::new("ENV", "prod")]);
}

#[test]
fn remove_ignores_case_and_unknown_keys() {
    let mut tags = vec![
        Tag::new("Department", "finance"),
        Tag::new("Env", "prod"),
        Tag::new("Owner", "ci"),
    ];

    remove_tags(&mut tags, &["department".to_owned(), "Missing".to_owned()]);

    assert_eq!(tags, [Tag::new("Env", "prod"), Tag::new("Owner", "ci")]);
}
