use super::*;

#[test]
fn name_key_folds_ascii_case() {
    assert_eq!(name_key("ADMINS"), name_key("admins"));
    assert_eq!(name_key("Alice@Example.com"), "alice@example.com");
    assert_ne!(name_key("admins"), name_key("admin"));
}

fn account() -> AccountId {
    "123456789012".parse().unwrap()
}

fn now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

fn id(kind: UniqueIdKind) -> UniqueId {
    UniqueId::generate(kind, &crate::SeededRandom::new(9))
}

#[test]
fn user_new_builds_arn_from_path() {
    let user = User::new(
        Partition::Aws,
        account(),
        "/division/",
        "alice",
        id(UniqueIdKind::User),
        now(),
    )
    .unwrap();

    assert_eq!(
        user.arn.to_string(),
        "arn:aws:iam::123456789012:user/division/alice"
    );
    assert_eq!(user.path, "/division/");
    assert_eq!(user.create_date, now());
    assert!(user.tags.is_empty());
    assert_eq!(user.password_last_used, None);
}

#[test]
fn user_new_rejects_bad_input() {
    let new_user = |path: &str, name: &str, kind| {
        User::new(Partition::Aws, account(), path, name, id(kind), now())
    };

    assert!(new_user("/", "alice", UniqueIdKind::User).is_ok());
    assert!(matches!(
        new_user("division", "alice", UniqueIdKind::User),
        Err(ModelError::InvalidFormat { field: "Path", .. })
    ));
    assert!(matches!(
        new_user("/", "al ice", UniqueIdKind::User),
        Err(ModelError::InvalidCharacter {
            field: "UserName",
            ..
        })
    ));
    assert!(matches!(
        new_user("/", "alice", UniqueIdKind::Role),
        Err(ModelError::InvalidUniqueId { .. })
    ));
}

#[test]
fn group_new_builds_arn() {
    let group = Group::new(
        Partition::AwsCn,
        account(),
        "/",
        "Admins",
        id(UniqueIdKind::Group),
        now(),
    )
    .unwrap();

    assert_eq!(
        group.arn.to_string(),
        "arn:aws-cn:iam::123456789012:group/Admins"
    );
    assert!(
        Group::new(
            Partition::Aws,
            account(),
            "/",
            "",
            id(UniqueIdKind::Group),
            now()
        )
        .is_err()
    );
    assert!(
        Group::new(
            Partition::Aws,
            account(),
            "/",
            "a",
            id(UniqueIdKind::User),
            now()
        )
        .is_err()
    );
}

#[test]
fn role_new_sets_aws_defaults() {
    let trust = r#"{"Version":"2012-10-17","Statement":[]}"#.to_owned();

    let role = Role::new(
        Partition::Aws,
        account(),
        "/service-role/",
        "Deploy",
        id(UniqueIdKind::Role),
        trust.clone(),
        now(),
    )
    .unwrap();

    assert_eq!(
        role.arn.to_string(),
        "arn:aws:iam::123456789012:role/service-role/Deploy"
    );
    assert_eq!(role.max_session_duration, 3600);
    assert_eq!(role.assume_role_policy_document, trust);
    assert_eq!(role.description, None);
    assert_eq!(role.role_last_used, None);
}

#[test]
fn role_new_rejects_bad_input() {
    let new_role = |name: &str, document: &str| {
        Role::new(
            Partition::Aws,
            account(),
            "/",
            name,
            id(UniqueIdKind::Role),
            document.to_owned(),
            now(),
        )
    };

    assert!(new_role(&"r".repeat(65), "{}").is_err());
    assert!(matches!(
        new_role("Deploy", ""),
        Err(ModelError::InvalidLength {
            field: "AssumeRolePolicyDocument",
            ..
        })
    ));
    assert!(new_role("Deploy", "{\"a\":\"€\"}").is_err());
}
