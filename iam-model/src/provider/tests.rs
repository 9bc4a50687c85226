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
