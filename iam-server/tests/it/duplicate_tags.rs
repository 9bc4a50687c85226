//! Requests that give one tag key twice, ignoring case.

use crate::harness::{Harness, encode};

#[tokio::test]
async fn duplicate_tag_keys_are_invalid_input() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();
    let trust = encode(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    );
    let tags = "Tags.member.1.Key=Team&Tags.member.1.Value=a\
                &Tags.member.2.Key=team&Tags.member.2.Value=b";
    let requests = [
        format!("Action=TagUser&UserName=alice&{tags}"),
        format!("Action=CreateUser&UserName=bob&{tags}"),
        format!("Action=CreateRole&RoleName=app&AssumeRolePolicyDocument={trust}&{tags}"),
    ];

    for request in &requests {
        let reply = harness.iam(request).await;

        reply.error("InvalidInput", 400);
        assert_eq!(
            reply.text("Message").as_deref(),
            Some("Duplicate tag keys found. Please note that Tag keys are case insensitive."),
            "{request}"
        );
    }
}
