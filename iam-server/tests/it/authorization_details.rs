//! `GetAccountAuthorizationDetails`: every member of the snapshot, `Filter`, pagination across
//! the lists, and bad input.

use crate::aws_managed_policies::{harness_with, members as texts, small_directory};
use crate::harness::{Harness, encode};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const S3_READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;
const S3_LIST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:List*","Resource":"*"}]}"#;
const IAM_READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const VIEW_ONLY: &str = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";

/// Returns the XML of the list `element`, or an empty string when it is empty or absent.
fn section<'a>(body: &'a str, element: &str) -> &'a str {
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    match (body.find(&open), body.find(&close)) {
        (Some(start), Some(end)) => &body[start + open.len()..end],
        _ => "",
    }
}

/// Creates a user, a group and a role with every kind of relationship, and a customer managed
/// policy with two versions.
async fn populate(harness: &Harness) {
    let calls = [
        "Action=CreateUser&UserName=alice&Path=/eng/&Tags.member.1.Key=team&Tags.member.1.Value=blue"
            .to_owned(),
        "Action=CreateGroup&GroupName=devs".to_owned(),
        "Action=AddUserToGroup&GroupName=devs&UserName=alice".to_owned(),
        format!(
            "Action=PutUserPolicy&UserName=alice&PolicyName=read&PolicyDocument={}",
            encode(S3_READ)
        ),
        format!(
            "Action=PutGroupPolicy&GroupName=devs&PolicyName=list&PolicyDocument={}",
            encode(S3_LIST)
        ),
        format!("Action=AttachGroupPolicy&GroupName=devs&PolicyArn={VIEW_ONLY}"),
        format!("Action=PutUserPermissionsBoundary&UserName=alice&PermissionsBoundary={IAM_READ_ONLY}"),
        format!(
            "Action=CreateRole&RoleName=app&AssumeRolePolicyDocument={}&Tags.member.1.Key=tier&Tags.member.1.Value=web",
            encode(TRUST)
        ),
        format!(
            "Action=PutRolePolicy&RoleName=app&PolicyName=read&PolicyDocument={}",
            encode(S3_READ)
        ),
        "Action=CreateInstanceProfile&InstanceProfileName=app-profile".to_owned(),
        "Action=AddRoleToInstanceProfile&InstanceProfileName=app-profile&RoleName=app".to_owned(),
        format!(
            "Action=CreatePolicy&PolicyName=Mine&PolicyDocument={}",
            encode(S3_READ)
        ),
        format!(
            "Action=CreatePolicyVersion&PolicyArn=arn:aws:iam::111122223333:policy/Mine&SetAsDefault=true&PolicyDocument={}",
            encode(S3_LIST)
        ),
        "Action=AttachUserPolicy&UserName=alice&PolicyArn=arn:aws:iam::111122223333:policy/Mine"
            .to_owned(),
        "Action=AttachRolePolicy&RoleName=app&PolicyArn=arn:aws:iam::111122223333:policy/Mine"
            .to_owned(),
    ];
    for call in calls {
        harness.iam(&call).await.ok();
    }
}

#[tokio::test]
async fn snapshot_has_every_member() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    populate(&harness).await;

    let reply = harness
        .iam("Action=GetAccountAuthorizationDetails")
        .await
        .ok();

    let users = section(&reply.body, "UserDetailList");
    assert_eq!(texts(users, "UserName"), ["alice"]);
    assert_eq!(texts(users, "Path"), ["/eng/"]);
    assert_eq!(
        texts(section(users, "UserPolicyList"), "PolicyName"),
        ["read"]
    );
    assert_eq!(
        texts(section(users, "UserPolicyList"), "PolicyDocument"),
        [encode_rfc3986(S3_READ)]
    );
    assert_eq!(texts(section(users, "GroupList"), "member"), ["devs"]);
    assert_eq!(
        texts(section(users, "AttachedManagedPolicies"), "PolicyName"),
        ["Mine"]
    );
    assert_eq!(texts(users, "PermissionsBoundaryArn"), [IAM_READ_ONLY]);
    assert_eq!(
        texts(users, "PermissionsBoundaryType"),
        ["PermissionsBoundaryPolicy"]
    );
    assert_eq!(texts(section(users, "Tags"), "Key"), ["team"]);

    let groups = section(&reply.body, "GroupDetailList");
    assert_eq!(texts(groups, "GroupName"), ["devs"]);
    assert_eq!(
        texts(section(groups, "GroupPolicyList"), "PolicyName"),
        ["list"]
    );
    assert_eq!(
        texts(section(groups, "AttachedManagedPolicies"), "PolicyArn"),
        [VIEW_ONLY]
    );

    let roles = section(&reply.body, "RoleDetailList");
    // The role's own trust policy, then that of the role inside its instance profile.
    assert_eq!(
        texts(roles, "AssumeRolePolicyDocument"),
        [encode_rfc3986(TRUST), encode_rfc3986(TRUST)]
    );
    let profiles = section(roles, "InstanceProfileList");
    assert_eq!(texts(profiles, "InstanceProfileName"), ["app-profile"]);
    assert_eq!(texts(section(profiles, "Roles"), "RoleName"), ["app"]);
    assert_eq!(
        texts(section(roles, "RolePolicyList"), "PolicyName"),
        ["read"]
    );
    assert_eq!(
        texts(section(roles, "AttachedManagedPolicies"), "PolicyName"),
        ["Mine"]
    );
    assert_eq!(texts(section(roles, "Tags"), "Value"), ["web"]);
    assert!(roles.contains("<RoleLastUsed"), "{roles}");

    // The customer managed policy and the AWS managed policies in use. The two AWS managed
    // policies that no user, group or role has attached are left out.
    let policies = section(&reply.body, "Policies");
    let mut names = texts(policies, "PolicyName");
    names.sort();
    assert_eq!(names, ["Mine", "ViewOnlyAccess"]);
    // Customer managed policies come first, each with its versions newest first.
    assert_eq!(texts(policies, "VersionId"), ["v2", "v1", "v43"]);
    assert_eq!(
        texts(policies, "IsDefaultVersion"),
        ["true", "false", "true"]
    );
    let documents = texts(policies, "Document");
    assert_eq!(documents.len(), 3);
    assert_eq!(documents[0], encode_rfc3986(S3_LIST));
    assert_eq!(documents[1], encode_rfc3986(S3_READ));
    assert_eq!(reply.text("IsTruncated").as_deref(), Some("false"));
}

#[tokio::test]
async fn filter_selects_lists() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    populate(&harness).await;

    let roles = harness
        .iam("Action=GetAccountAuthorizationDetails&Filter.member.1=Role")
        .await
        .ok();
    let policies = harness
        .iam(
            "Action=GetAccountAuthorizationDetails&Filter.member.1=LocalManagedPolicy\
             &Filter.member.2=User",
        )
        .await
        .ok();
    let aws = harness
        .iam("Action=GetAccountAuthorizationDetails&Filter.member.1=AWSManagedPolicy")
        .await
        .ok();

    assert_eq!(
        texts(section(&roles.body, "RoleDetailList"), "RoleName"),
        ["app", "app"],
        "the role and the role inside its instance profile"
    );
    assert_eq!(section(&roles.body, "UserDetailList"), "");
    assert_eq!(section(&roles.body, "Policies"), "");
    assert_eq!(
        texts(section(&policies.body, "Policies"), "PolicyName"),
        ["Mine"]
    );
    assert_eq!(
        texts(section(&policies.body, "UserDetailList"), "UserName"),
        ["alice"]
    );
    assert_eq!(section(&policies.body, "GroupDetailList"), "");
    assert_eq!(
        texts(section(&aws.body, "Policies"), "PolicyName"),
        ["ViewOnlyAccess"]
    );
}

#[tokio::test]
async fn pages_cover_every_item_once() {
    let harness = Harness::new().await;
    for name in ["u1", "u2", "u3"] {
        harness
            .iam(&format!("Action=CreateUser&UserName={name}"))
            .await
            .ok();
    }
    for name in ["g1", "g2"] {
        harness
            .iam(&format!("Action=CreateGroup&GroupName={name}"))
            .await
            .ok();
    }
    harness
        .iam(&format!(
            "Action=CreateRole&RoleName=r1&AssumeRolePolicyDocument={}",
            encode(TRUST)
        ))
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=CreatePolicy&PolicyName=p1&PolicyDocument={}",
            encode(S3_READ)
        ))
        .await
        .ok();

    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut parameters = "Action=GetAccountAuthorizationDetails&MaxItems=2".to_owned();
        if let Some(marker) = &marker {
            parameters.push_str(&format!("&Marker={}", encode(marker)));
        }
        let reply = harness.iam(&parameters).await.ok();
        let page: Vec<String> = ["UserName", "GroupName", "RoleName", "PolicyName"]
            .iter()
            .flat_map(|element| texts(&reply.body, element))
            .collect();
        assert!(page.len() <= 2, "{page:?}");
        names.extend(page);
        pages += 1;
        marker = reply.text("Marker");
        if reply.text("IsTruncated").as_deref() == Some("false") {
            assert_eq!(marker, None);
            break;
        }
        assert!(pages < 10, "pagination does not end");
    }

    assert_eq!(names, ["u1", "u2", "u3", "g1", "g2", "r1", "p1"]);
}

#[tokio::test]
async fn bad_filter_is_validation_error() {
    let harness = Harness::new().await;

    let reply = harness
        .iam("Action=GetAccountAuthorizationDetails&Filter.member.1=Users")
        .await;

    reply.error("ValidationError", 400);
    assert!(reply.body.contains("Users"), "{}", reply.body);
}

#[tokio::test]
async fn bad_marker_and_max_items_fail() {
    let harness = Harness::new().await;

    let marker = harness
        .iam("Action=GetAccountAuthorizationDetails&Marker=not-a-marker")
        .await;
    let forged = harness
        .iam(&format!(
            "Action=GetAccountAuthorizationDetails&Marker={}",
            "VXNlcgpnYXJiYWdl"
        ))
        .await;
    let long = harness
        .iam(&format!(
            "Action=GetAccountAuthorizationDetails&Marker={}",
            "A".repeat(5000)
        ))
        .await;
    let zero = harness
        .iam("Action=GetAccountAuthorizationDetails&MaxItems=0")
        .await;
    let large = harness
        .iam("Action=GetAccountAuthorizationDetails&MaxItems=1001")
        .await;

    marker.error("InvalidInput", 400);
    forged.error("InvalidInput", 400);
    long.error("InvalidInput", 400);
    zero.error("ValidationError", 400);
    large.error("ValidationError", 400);
}

#[tokio::test]
async fn caller_needs_permission() {
    let harness = Harness::new().await;
    let alice = harness.user_with_key("alice").await;

    let denied = harness
        .iam_as(&alice, "Action=GetAccountAuthorizationDetails")
        .await;
    harness
        .allow("alice", "iam:GetAccountAuthorizationDetails")
        .await;
    let allowed = harness
        .iam_as(&alice, "Action=GetAccountAuthorizationDetails")
        .await;

    denied.error("AccessDenied", 403);
    let allowed = allowed.ok();
    assert_eq!(
        texts(section(&allowed.body, "UserDetailList"), "UserName"),
        ["alice"]
    );
}

/// Percent-encodes a document as IAM returns it: everything but RFC 3986's unreserved
/// characters.
fn encode_rfc3986(document: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(document, UNRESERVED).to_string()
}

#[tokio::test]
async fn snapshot_response_shape() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    populate(&harness).await;

    // Without AWS managed policies, whose documents would make the snapshot long.
    let reply = harness
        .iam(
            "Action=GetAccountAuthorizationDetails&Filter.member.1=User&Filter.member.2=Group\
             &Filter.member.3=Role&Filter.member.4=LocalManagedPolicy",
        )
        .await
        .ok();

    insta::assert_snapshot!("get_account_authorization_details", reply.body);
}
