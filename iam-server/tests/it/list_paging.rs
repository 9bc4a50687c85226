//! `MaxItems` and `Marker` of the listings that hold few items: policy versions and account
//! aliases.

use crate::harness::{Harness, encode};

const POLICY_ARN: &str = "arn:aws:iam::111122223333:policy/versioned";

#[tokio::test]
async fn policy_versions_pages() {
    let harness = Harness::new().await;
    let document = encode(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    harness
        .iam(&format!(
            "Action=CreatePolicy&PolicyName=versioned&PolicyDocument={document}"
        ))
        .await
        .ok();
    for _ in 0..2 {
        harness
            .iam(&format!(
                "Action=CreatePolicyVersion&PolicyArn={POLICY_ARN}&PolicyDocument={document}"
            ))
            .await
            .ok();
    }
    let list = format!("Action=ListPolicyVersions&PolicyArn={POLICY_ARN}&MaxItems=2");

    let (first, second) = harness.two_pages(&list).await;
    let zero = harness
        .iam(&format!(
            "Action=ListPolicyVersions&PolicyArn={POLICY_ARN}&MaxItems=0"
        ))
        .await;

    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    assert_eq!(
        first.body.matches("<VersionId>").count(),
        2,
        "{}",
        first.body
    );
    assert!(
        first.body.contains("<VersionId>v3</VersionId>"),
        "{}",
        first.body
    );
    assert!(
        first.body.contains("<VersionId>v2</VersionId>"),
        "{}",
        first.body
    );
    assert_eq!(second.text("IsTruncated").as_deref(), Some("false"));
    assert_eq!(
        second.body.matches("<VersionId>").count(),
        1,
        "{}",
        second.body
    );
    assert!(
        second.body.contains("<VersionId>v1</VersionId>"),
        "{}",
        second.body
    );
    zero.error("ValidationError", 400);
}

#[tokio::test]
async fn account_aliases_check_max_items() {
    let harness = Harness::new().await;
    harness
        .iam("Action=CreateAccountAlias&AccountAlias=example-corp")
        .await
        .ok();

    let listed = harness
        .iam("Action=ListAccountAliases&MaxItems=1")
        .await
        .ok();
    let zero = harness.iam("Action=ListAccountAliases&MaxItems=0").await;
    let too_many = harness.iam("Action=ListAccountAliases&MaxItems=1001").await;

    assert_eq!(listed.text("member").as_deref(), Some("example-corp"));
    assert_eq!(listed.text("IsTruncated").as_deref(), Some("false"));
    zero.error("ValidationError", 400);
    too_many.error("ValidationError", 400);
}
