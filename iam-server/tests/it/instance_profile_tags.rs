//! Instance profile tags through the router.

use crate::harness::Harness;

#[tokio::test]
async fn instance_profile_tags_round_trip() {
    let harness = Harness::new().await;
    harness
        .iam("Action=CreateInstanceProfile&InstanceProfileName=web&Tags.member.1.Key=team&Tags.member.1.Value=ops")
        .await
        .ok();

    harness
        .iam("Action=TagInstanceProfile&InstanceProfileName=web&Tags.member.1.Key=env&Tags.member.1.Value=prod")
        .await
        .ok();
    let tagged = harness
        .iam("Action=ListInstanceProfileTags&InstanceProfileName=web")
        .await
        .ok();
    harness
        .iam("Action=UntagInstanceProfile&InstanceProfileName=web&TagKeys.member.1=team")
        .await
        .ok();
    let untagged = harness
        .iam("Action=ListInstanceProfileTags&InstanceProfileName=web")
        .await
        .ok();
    let missing = harness
        .iam("Action=ListInstanceProfileTags&InstanceProfileName=none")
        .await;
    let no_tags = harness
        .iam("Action=TagInstanceProfile&InstanceProfileName=web")
        .await;
    let no_keys = harness
        .iam("Action=UntagInstanceProfile&InstanceProfileName=web")
        .await;

    insta::assert_snapshot!("list_instance_profile_tags", tagged.body);
    assert!(!untagged.body.contains("team"), "{}", untagged.body);
    assert!(untagged.body.contains("env"), "{}", untagged.body);
    missing.error("NoSuchEntity", 404);
    no_tags.error("ValidationError", 400);
    no_keys.error("ValidationError", 400);
}
