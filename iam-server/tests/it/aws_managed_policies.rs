//! AWS managed policies loaded from a directory: attaching, reading, listing, counting, their
//! effect on authorization, and their read-only rule.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::harness::{ACCOUNT, Harness, encode};

const ADMINISTRATOR: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const IAM_READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const VIEW_ONLY: &str = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

pub(crate) fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/aws-managed-policies")
}

/// Copies four policies of the corpus, with their index entries, into a new directory.
pub(crate) fn small_directory() -> tempfile::TempDir {
    let names = [
        "AdministratorAccess",
        "IAMReadOnlyAccess",
        "ReadOnlyAccess",
        "ViewOnlyAccess",
    ];
    let directory = tempfile::tempdir().unwrap();
    for name in names {
        std::fs::copy(
            corpus().join(format!("{name}.json")),
            directory.path().join(format!("{name}.json")),
        )
        .unwrap();
    }
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("_index.json")).unwrap())
            .unwrap();
    let entries: Vec<&serde_json::Value> = index["policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| names.contains(&entry["PolicyName"].as_str().unwrap()))
        .collect();
    let small = serde_json::json!({ "policies": entries });
    std::fs::write(directory.path().join("_index.json"), small.to_string()).unwrap();
    directory
}

/// Returns a server with the AWS managed policies of `directory` loaded.
pub(crate) async fn harness_with(directory: &Path) -> Harness {
    let harness = Harness::new().await;
    let summary = iam_server::aws_policies::load(
        Arc::clone(&harness.state.store),
        ACCOUNT.parse().unwrap(),
        directory,
    )
    .await
    .unwrap();
    assert_eq!(summary.skipped, 0);
    harness
}

/// Returns the text of each `element` in `body`, in order.
pub(crate) fn members(body: &str, element: &str) -> Vec<String> {
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    body.match_indices(&open)
        .map(|(start, _)| {
            let rest = &body[start + open.len()..];
            rest[..rest.find(&close).unwrap()].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn attach_without_directory_is_no_such_entity() {
    let harness = Harness::new().await;
    harness.user_with_key("alice").await;

    let reply = harness
        .iam(&format!(
            "Action=AttachUserPolicy&UserName=alice&PolicyArn={ADMINISTRATOR}"
        ))
        .await;

    reply.error("NoSuchEntity", 404);
    let attach_message = format!("Policy {ADMINISTRATOR} does not exist or is not attachable.");
    assert!(reply.body.contains(&attach_message), "{}", reply.body);

    let boundary = harness
        .iam(&format!(
            "Action=PutUserPermissionsBoundary&UserName=alice&PermissionsBoundary={ADMINISTRATOR}"
        ))
        .await;
    boundary.error("NoSuchEntity", 404);
    assert!(boundary.body.contains(&attach_message), "{}", boundary.body);

    let get = harness
        .iam(&format!("Action=GetPolicy&PolicyArn={ADMINISTRATOR}"))
        .await;
    get.error("NoSuchEntity", 404);
    let get_message = format!("Policy {ADMINISTRATOR} was not found.");
    assert!(get.body.contains(&get_message), "{}", get.body);
}

#[tokio::test]
async fn attached_policy_grants_its_permissions() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    let alice = harness.user_with_key("alice").await;
    harness
        .iam_as(&alice, "Action=ListUsers")
        .await
        .error("AccessDenied", 403);

    harness
        .iam(&format!(
            "Action=AttachUserPolicy&UserName=alice&PolicyArn={IAM_READ_ONLY}"
        ))
        .await
        .ok();

    harness.iam_as(&alice, "Action=ListUsers").await.ok();
    harness
        .iam_as(&alice, "Action=CreateUser&UserName=bob")
        .await
        .error("AccessDenied", 403);
}

#[tokio::test]
async fn group_and_role_attachments_apply() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    let alice = harness.user_with_key("alice").await;
    harness
        .iam("Action=CreateGroup&GroupName=admins")
        .await
        .ok();
    harness
        .iam("Action=AddUserToGroup&GroupName=admins&UserName=alice")
        .await
        .ok();

    harness
        .iam(&format!(
            "Action=AttachGroupPolicy&GroupName=admins&PolicyArn={ADMINISTRATOR}"
        ))
        .await
        .ok();

    harness
        .iam_as(&alice, "Action=CreateUser&UserName=bob")
        .await
        .ok();
    let reply = harness
        .iam("Action=ListAttachedGroupPolicies&GroupName=admins")
        .await
        .ok();
    assert_eq!(
        reply.text("PolicyName").as_deref(),
        Some("AdministratorAccess")
    );
    assert_eq!(reply.text("PolicyArn").as_deref(), Some(ADMINISTRATOR));
}

#[tokio::test]
async fn boundary_caps_permissions() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    let alice = harness.user_with_key("alice").await;
    harness.allow("alice", "iam:*").await;

    harness
        .iam(&format!(
            "Action=PutUserPermissionsBoundary&UserName=alice&PermissionsBoundary={IAM_READ_ONLY}"
        ))
        .await
        .ok();

    harness.iam_as(&alice, "Action=ListRoles").await.ok();
    harness
        .iam_as(&alice, "Action=CreateUser&UserName=bob")
        .await
        .error("AccessDenied", 403);
    let policy = harness
        .iam(&format!("Action=GetPolicy&PolicyArn={IAM_READ_ONLY}"))
        .await
        .ok();
    assert_eq!(
        policy.text("PermissionsBoundaryUsageCount").as_deref(),
        Some("1")
    );
    assert_eq!(policy.text("AttachmentCount").as_deref(), Some("0"));
}

#[tokio::test]
async fn get_policy_returns_index_facts() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;

    let reply = harness
        .iam(&format!("Action=GetPolicy&PolicyArn={VIEW_ONLY}"))
        .await
        .ok();

    assert_eq!(reply.text("PolicyName").as_deref(), Some("ViewOnlyAccess"));
    assert_eq!(reply.text("Path").as_deref(), Some("/job-function/"));
    assert_eq!(reply.text("DefaultVersionId").as_deref(), Some("v43"));
    assert_eq!(reply.text("IsAttachable").as_deref(), Some("true"));
    assert_eq!(
        reply.text("UpdateDate").as_deref(),
        Some("2026-02-12T18:02:40Z")
    );
    assert!(reply.text("PolicyId").unwrap().starts_with("ANPA"));
}

#[tokio::test]
async fn policy_versions_of_aws_policy() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;

    let version = harness
        .iam(&format!(
            "Action=GetPolicyVersion&PolicyArn={READ_ONLY}&VersionId=v178"
        ))
        .await
        .ok();
    let versions = harness
        .iam(&format!("Action=ListPolicyVersions&PolicyArn={READ_ONLY}"))
        .await
        .ok();
    let missing = harness
        .iam(&format!(
            "Action=GetPolicyVersion&PolicyArn={READ_ONLY}&VersionId=v1"
        ))
        .await;

    let document = version.text("Document").unwrap();
    let decoded: String = percent_decode(&document);
    let expected = std::fs::read_to_string(corpus().join("ReadOnlyAccess.json")).unwrap();
    assert_eq!(decoded, expected);
    // The document is larger than any customer managed policy may be.
    assert!(decoded.len() > 6_144);
    assert_eq!(version.text("IsDefaultVersion").as_deref(), Some("true"));
    assert_eq!(members(&versions.body, "VersionId"), ["v178"]);
    missing.error("NoSuchEntity", 404);
}

#[tokio::test]
async fn list_policies_by_scope() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    harness
        .iam(&format!(
            "Action=CreatePolicy&PolicyName=Mine&PolicyDocument={}",
            encode(document)
        ))
        .await
        .ok();
    harness.user_with_key("alice").await;
    harness
        .iam(&format!(
            "Action=AttachUserPolicy&UserName=alice&PolicyArn={VIEW_ONLY}"
        ))
        .await
        .ok();

    let aws = harness.iam("Action=ListPolicies&Scope=AWS").await.ok();
    let local = harness.iam("Action=ListPolicies&Scope=Local").await.ok();
    let all = harness.iam("Action=ListPolicies&Scope=All").await.ok();
    let attached = harness
        .iam("Action=ListPolicies&Scope=AWS&OnlyAttached=true")
        .await
        .ok();
    let job_function = harness
        .iam("Action=ListPolicies&Scope=AWS&PathPrefix=/job-function/")
        .await
        .ok();

    assert_eq!(
        members(&aws.body, "PolicyName"),
        [
            "AdministratorAccess",
            "IAMReadOnlyAccess",
            "ReadOnlyAccess",
            "ViewOnlyAccess"
        ]
    );
    assert_eq!(members(&local.body, "PolicyName"), ["Mine"]);
    assert_eq!(members(&all.body, "PolicyName").len(), 5);
    assert_eq!(members(&attached.body, "PolicyName"), ["ViewOnlyAccess"]);
    assert_eq!(
        members(&job_function.body, "PolicyName"),
        ["ViewOnlyAccess"]
    );
}

#[tokio::test]
async fn entities_for_policy_are_counted() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    harness.user_with_key("alice").await;
    harness.iam("Action=CreateGroup&GroupName=devs").await.ok();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    harness
        .iam(&format!(
            "Action=CreateRole&RoleName=app&AssumeRolePolicyDocument={}",
            encode(trust)
        ))
        .await
        .ok();

    for attach in [
        "AttachUserPolicy&UserName=alice",
        "AttachGroupPolicy&GroupName=devs",
        "AttachRolePolicy&RoleName=app",
    ] {
        harness
            .iam(&format!("Action={attach}&PolicyArn={IAM_READ_ONLY}"))
            .await
            .ok();
    }

    let entities = harness
        .iam(&format!(
            "Action=ListEntitiesForPolicy&PolicyArn={IAM_READ_ONLY}"
        ))
        .await
        .ok();
    assert_eq!(members(&entities.body, "UserName"), ["alice"]);
    assert_eq!(members(&entities.body, "GroupName"), ["devs"]);
    assert_eq!(members(&entities.body, "RoleName"), ["app"]);
    let policy = harness
        .iam(&format!("Action=GetPolicy&PolicyArn={IAM_READ_ONLY}"))
        .await
        .ok();
    assert_eq!(policy.text("AttachmentCount").as_deref(), Some("3"));

    harness
        .iam(&format!(
            "Action=DetachRolePolicy&RoleName=app&PolicyArn={IAM_READ_ONLY}"
        ))
        .await
        .ok();
    let policy = harness
        .iam(&format!("Action=GetPolicy&PolicyArn={IAM_READ_ONLY}"))
        .await
        .ok();
    assert_eq!(policy.text("AttachmentCount").as_deref(), Some("2"));
}

#[tokio::test]
async fn aws_policies_are_read_only() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    let document = encode(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let cases = [
        (
            format!("Action=DeletePolicy&PolicyArn={ADMINISTRATOR}"),
            "Cannot delete policies outside your own account.",
        ),
        (
            format!(
                "Action=CreatePolicyVersion&PolicyArn={ADMINISTRATOR}&PolicyDocument={document}"
            ),
            "Cannot create versions for policies outside your own account.",
        ),
        (
            format!("Action=DeletePolicyVersion&PolicyArn={ADMINISTRATOR}&VersionId=v1"),
            "Cannot delete policy versions for policies outside your own account.",
        ),
        (
            format!("Action=SetDefaultPolicyVersion&PolicyArn={ADMINISTRATOR}&VersionId=v1"),
            "Cannot update policies outside your own account.",
        ),
    ];

    for (parameters, message) in cases {
        let reply = harness.iam(&parameters).await;
        reply.error("AccessDenied", 403);
        assert_eq!(reply.text("Message").as_deref(), Some(message));
    }
    let still_there = harness
        .iam(&format!("Action=GetPolicy&PolicyArn={ADMINISTRATOR}"))
        .await
        .ok();
    assert_eq!(still_there.text("DefaultVersionId").as_deref(), Some("v1"));
}

#[tokio::test]
async fn changing_aws_policy_needs_permission_first() {
    let directory = small_directory();
    let harness = harness_with(directory.path()).await;
    let alice = harness.user_with_key("alice").await;

    let reply = harness
        .iam_as(
            &alice,
            &format!("Action=DeletePolicy&PolicyArn={ADMINISTRATOR}"),
        )
        .await;

    reply.error("AccessDenied", 403);
    assert!(
        reply.body.contains("iam:DeletePolicy"),
        "the denial names the action: {}",
        reply.body
    );
}

#[tokio::test]
async fn full_corpus_lists_in_pages() {
    let harness = harness_with(&corpus()).await;

    let first = harness
        .iam("Action=ListPolicies&Scope=AWS&MaxItems=1000")
        .await
        .ok();
    let marker = first.text("Marker").unwrap();
    let second = harness
        .iam(&format!(
            "Action=ListPolicies&Scope=AWS&MaxItems=1000&Marker={}",
            encode(&marker)
        ))
        .await
        .ok();

    assert_eq!(members(&first.body, "PolicyName").len(), 1000);
    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    assert_eq!(members(&second.body, "PolicyName").len(), 524);
    assert_eq!(second.text("IsTruncated").as_deref(), Some("false"));
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}
