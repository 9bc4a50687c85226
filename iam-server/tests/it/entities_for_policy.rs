//! `ListEntitiesForPolicy` through the router: ids, the path prefix and pagination.

use crate::harness::{Harness, Reply, encode};

const POLICY_ARN: &str = "arn:aws:iam::111122223333:policy/shared";

/// Returns the text of every element named `name`, in document order.
fn texts(reply: &Reply, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    reply
        .body
        .split(&open)
        .skip(1)
        .filter_map(|rest| rest.split(&close).next())
        .map(str::to_owned)
        .collect()
}

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

    assert_eq!(texts(&reply, "UserName"), ["alice", "bob"]);
    assert_eq!(texts(&reply, "UserId"), [alice_id, bob_id]);
    assert_eq!(texts(&reply, "GroupName"), ["devs"]);
    assert_eq!(texts(&reply, "GroupId"), [devs_id]);
    assert_eq!(texts(&reply, "RoleName"), ["app"]);
    assert_eq!(texts(&reply, "RoleId"), [app_id]);
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

    assert_eq!(texts(&eng, "UserName"), ["alice"]);
    assert_eq!(texts(&eng, "GroupName"), ["devs"]);
    assert_eq!(texts(&eng, "RoleName"), ["app"]);
    assert!(texts(&roles, "UserName").is_empty(), "{}", roles.body);
    assert!(texts(&roles, "GroupName").is_empty(), "{}", roles.body);
    assert_eq!(texts(&roles, "RoleName"), ["app"]);
    invalid.error("ValidationError", 400);
}

#[tokio::test]
async fn entities_for_policy_pages() {
    let harness = Harness::new().await;
    attach_to_four(&harness).await;
    let list = format!("Action=ListEntitiesForPolicy&PolicyArn={POLICY_ARN}&MaxItems=3");

    let first = harness.iam(&list).await.ok();
    let marker = first.text("Marker").expect("a marker on a truncated page");
    let second = harness
        .iam(&format!("{list}&Marker={}", encode(&marker)))
        .await
        .ok();
    let other_listing = harness
        .iam(&format!("Action=ListUsers&Marker={}", encode(&marker)))
        .await;

    let names = |reply: &Reply| {
        let mut names = texts(reply, "GroupName");
        names.extend(texts(reply, "UserName"));
        names.extend(texts(reply, "RoleName"));
        names
    };
    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    assert_eq!(names(&first).len(), 3, "{}", first.body);
    assert_eq!(second.text("IsTruncated").as_deref(), Some("false"));
    assert_eq!(second.text("Marker"), None);
    let mut all = names(&first);
    all.extend(names(&second));
    all.sort();
    assert_eq!(all, ["alice", "app", "bob", "devs"]);
    other_listing.error("InvalidInput", 400);
}
