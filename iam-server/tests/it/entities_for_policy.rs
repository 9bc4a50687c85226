//! `ListEntitiesForPolicy` through the router: ids, the path prefix and pagination.

use crate::harness::{Harness, Reply, encode};

const POLICY_ARN: &str = "arn:aws:iam::111122223333:policy/shared";

/// Creates the policy, users `alice` (`/eng/`) and `bob` (`/ops/`), group `devs` (`/eng/`) and
/// role `app` (`/eng/`), attaches the policy to all four, and returns their ids in that order.
async fn attach_to_four(harness: &Harness) -> [String; 4] {
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    harness
        .iam(&format!(
            "Action=CreatePolicy&PolicyName=shared&PolicyDocument={}",
            encode(document)
        ))
        .await
        .ok();
    let alice = harness
        .iam("Action=CreateUser&UserName=alice&Path=/eng/")
        .await
        .ok();
    let bob = harness
        .iam("Action=CreateUser&UserName=bob&Path=/ops/")
        .await
        .ok();
    let devs = harness
        .iam("Action=CreateGroup&GroupName=devs&Path=/eng/")
        .await
        .ok();
    let app = harness
        .iam(&format!(
            "Action=CreateRole&RoleName=app&Path=/eng/&AssumeRolePolicyDocument={}",
            encode(trust)
        ))
        .await
        .ok();
    for attach in [
        "Action=AttachUserPolicy&UserName=alice",
        "Action=AttachUserPolicy&UserName=bob",
        "Action=AttachGroupPolicy&GroupName=devs",
        "Action=AttachRolePolicy&RoleName=app",
    ] {
        harness
            .iam(&format!("{attach}&PolicyArn={POLICY_ARN}"))
            .await
            .ok();
    }
    [
        alice.text("UserId").unwrap(),
        bob.text("UserId").unwrap(),
        devs.text("GroupId").unwrap(),
        app.text("RoleId").unwrap(),
    ]
}

#[tokio::test]
async fn entities_for_policy_carry_ids() {
    let harness = Harness::new().await;
    let [alice_id, bob_id, devs_id, app_id] = attach_to_four(&harness).await;

    let reply = harness
        .iam(&format!(
            "Action=ListEntitiesForPolicy&PolicyArn={POLICY_ARN}"
        ))
        .await
        .ok();

    assert_eq!(reply.texts("UserName"), ["alice", "bob"]);
    assert_eq!(reply.texts("UserId"), [alice_id, bob_id]);
    assert_eq!(reply.texts("GroupName"), ["devs"]);
    assert_eq!(reply.texts("GroupId"), [devs_id]);
    assert_eq!(reply.texts("RoleName"), ["app"]);
    assert_eq!(reply.texts("RoleId"), [app_id]);
    assert_eq!(reply.text("IsTruncated").as_deref(), Some("false"));
}

#[tokio::test]
async fn entities_for_policy_path_prefix() {
    let harness = Harness::new().await;
    attach_to_four(&harness).await;

    let eng = harness
        .iam(&format!(
            "Action=ListEntitiesForPolicy&PolicyArn={POLICY_ARN}&PathPrefix=/eng/"
        ))
        .await
        .ok();
    let roles = harness
        .iam(&format!(
            "Action=ListEntitiesForPolicy&PolicyArn={POLICY_ARN}&PathPrefix=/eng/&EntityFilter=Role"
        ))
        .await
        .ok();
    let invalid = harness
        .iam(&format!(
            "Action=ListEntitiesForPolicy&PolicyArn={POLICY_ARN}&PathPrefix=eng"
        ))
        .await;

    assert_eq!(eng.texts("UserName"), ["alice"]);
    assert_eq!(eng.texts("GroupName"), ["devs"]);
    assert_eq!(eng.texts("RoleName"), ["app"]);
    assert!(roles.texts("UserName").is_empty(), "{}", roles.body);
    assert!(roles.texts("GroupName").is_empty(), "{}", roles.body);
    assert_eq!(roles.texts("RoleName"), ["app"]);
    invalid.error("ValidationError", 400);
}

#[tokio::test]
async fn entities_for_policy_pages() {
    let harness = Harness::new().await;
    attach_to_four(&harness).await;
    let list = format!("Action=ListEntitiesForPolicy&PolicyArn={POLICY_ARN}&MaxItems=3");

    let (first, second) = harness.two_pages(&list).await;
    let marker = first.text("Marker").unwrap_or_default();
    let other_listing = harness
        .iam(&format!("Action=ListUsers&Marker={}", encode(&marker)))
        .await;

    let names = |reply: &Reply| {
        let mut names = reply.texts("GroupName");
        names.extend(reply.texts("UserName"));
        names.extend(reply.texts("RoleName"));
        names
    };
    assert_eq!(names(&first).len(), 3, "{}", first.body);
    assert_eq!(second.text("IsTruncated").as_deref(), Some("false"));
    assert_eq!(second.text("Marker"), None);
    let mut all = names(&first);
    all.extend(names(&second));
    all.sort();
    assert_eq!(all, ["alice", "app", "bob", "devs"]);
    other_listing.error("InvalidInput", 400);
}
