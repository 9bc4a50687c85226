use super::*;
use crate::SeededRandom;

#[test]
fn instance_profile_new_builds_arn() {
    let random = SeededRandom::new(4);
    let now: Timestamp = "2024-05-01T12:00:00Z".parse().unwrap();

    let profile = InstanceProfile::new(
        Partition::Aws,
        "123456789012".parse().unwrap(),
        "/web/",
        "Webserver",
        UniqueId::generate(UniqueIdKind::InstanceProfile, &random),
        now,
    )
    .unwrap();

    assert_eq!(
        profile.arn.to_string(),
        "arn:aws:iam::123456789012:instance-profile/web/Webserver"
    );
    assert!(profile.role_names.is_empty());
    assert!(
        InstanceProfile::new(
            Partition::Aws,
            "123456789012".parse().unwrap(),
            "/",
            "Web server",
            UniqueId::generate(UniqueIdKind::InstanceProfile, &random),
            now,
        )
        .is_err()
    );
}

#[test]
fn oidc_provider_new_builds_arn() {
    let now: Timestamp = "2024-05-01T12:00:00Z".parse().unwrap();
    let thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280".to_owned();

    let provider = OidcProvider::new(
        Partition::Aws,
        "123456789012".parse().unwrap(),
        "https://token.actions.example.com/org",
        vec!["sts.amazonaws.com".to_owned()],
        vec![thumbprint.clone()],
        now,
    )
    .unwrap();

    assert_eq!(
        provider.arn.to_string(),
        "arn:aws:iam::123456789012:oidc-provider/token.actions.example.com/org"
    );
    assert_eq!(provider.url, "https://token.actions.example.com/org");
    assert_eq!(provider.jwks, None);

    let insecure = OidcProvider::new(
        Partition::Aws,
        "123456789012".parse().unwrap(),
        "http://example.com",
        Vec::new(),
        Vec::new(),
        now,
    );
    assert!(insecure.is_err());
    let bad_thumbprint = OidcProvider::new(
        Partition::Aws,
        "123456789012".parse().unwrap(),
        "https://example.com",
        Vec::new(),
        vec!["abc".to_owned()],
        now,
    );
    assert!(bad_thumbprint.is_err());
}
