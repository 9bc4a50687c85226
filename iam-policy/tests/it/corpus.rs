//! Parses, round-trips and validates every AWS managed policy and every example policy of the
//! shared corpus.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on missing or malformed corpus data"
)]

use std::fs;
use std::path::Path;

use iam_policy::{
    PolicyDocument, PolicyError, PolicyKind, SizeQuota, ValidationOptions, policy_size,
    validate_policy,
};

use crate::support::{assert_no_failures, json_file_names, shared_json, shared_path};

const MANAGED: &str = "corpus/aws-managed-policies";
const EXAMPLES: &str = "corpus/example-policies";
const FINDINGS: &str = "corpus/aws-managed-policies-findings";

/// One document of the corpus with the kind it is validated as.
struct CorpusDocument {
    name: String,
    text: String,
    kind: PolicyKind,
    valid_json: bool,
}

fn managed_documents() -> Vec<CorpusDocument> {
    json_file_names(MANAGED)
        .into_iter()
        .map(|name| CorpusDocument {
            text: read(&shared_path(&format!("{MANAGED}/{name}"))),
            name,
            kind: PolicyKind::Identity,
            valid_json: true,
        })
        .collect()
}

fn example_documents() -> Vec<CorpusDocument> {
    let folder = shared_path(EXAMPLES);
    let mut documents = Vec::new();
    for entry in fs::read_dir(&folder).expect("example policy folder is readable") {
        let subfolder = entry.expect("directory entry").path();
        let subfolder_name = subfolder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let index = shared_json(&format!("{EXAMPLES}/{subfolder_name}/_index.json"));
        let entries = index["policies"]
            .as_array()
            .or_else(|| index["files"].as_array())
            .expect("index lists `policies` or `files`");
        for item in entries {
            let file = item["file"].as_str().expect("index entry names a file");
            let kind = match item["kind"].as_str() {
                Some("identity") => PolicyKind::Identity,
                Some("trust") => PolicyKind::Trust,
                Some("resource") => PolicyKind::Resource,
                Some(other) => panic!("unknown kind `{other}` in {subfolder_name}"),
                None => kind_from_path(&format!("{subfolder_name}/{file}")),
            };
            documents.push(CorpusDocument {
                name: format!("{subfolder_name}/{file}"),
                text: read(&subfolder.join(file)),
                kind,
                valid_json: item["valid_json"].as_bool().unwrap_or(true),
            });
        }
    }
    documents.sort_by(|a, b| a.name.cmp(&b.name));
    documents
}

/// Reads the policy kind from the folder names of the AWS sample repositories.
fn kind_from_path(path: &str) -> PolicyKind {
    if path.contains("service-control") || path.contains("service_control") {
        PolicyKind::Scp
    } else if path.contains("resource-control") || path.contains("resource_control") {
        PolicyKind::Rcp
    } else if path.contains("vpc_endpoint") {
        PolicyKind::Resource
    } else {
        panic!("cannot tell the policy kind of `{path}`")
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()))
}

/// Parses, serializes and parses again, returning a description of any difference.
fn round_trip_problem(document: &CorpusDocument) -> Option<String> {
    let parsed = match PolicyDocument::parse(&document.text) {
        Ok(parsed) => parsed,
        Err(error) => return Some(format!("{}: does not parse: {error}", document.name)),
    };
    let serialized = parsed.to_json();
    match PolicyDocument::parse(&serialized) {
        Ok(reparsed) if reparsed.without_spans() == parsed.without_spans() => None,
        Ok(_) => Some(format!(
            "{}: round trip changed the document",
            document.name
        )),
        Err(error) => Some(format!(
            "{}: serialized form does not parse: {error}",
            document.name
        )),
    }
}

#[test]
fn managed_policies_parse_and_round_trip() {
    let documents = managed_documents();
    assert!(
        documents.len() > 1_500,
        "expected every managed policy, found {}",
        documents.len()
    );

    let failures: Vec<String> = documents.iter().filter_map(round_trip_problem).collect();
    assert_no_failures(&failures);
}

#[test]
fn managed_policies_validate_as_identity() {
    let options = ValidationOptions {
        aws_managed: true,
        ..ValidationOptions::new(PolicyKind::Identity, None)
    };
    let failures: Vec<String> = managed_documents()
        .iter()
        .filter_map(|document| {
            validate_policy(&document.text, &options)
                .err()
                .map(|error| format!("{}: {error}", document.name))
        })
        .collect();
    assert_no_failures(&failures);
}

#[test]
fn example_policies_parse_and_round_trip() {
    let documents = example_documents();
    assert!(
        documents.len() > 600,
        "expected every example, found {}",
        documents.len()
    );

    let mut failures = Vec::new();
    let mut rejected = 0;
    for document in &documents {
        if document.valid_json {
            failures.extend(round_trip_problem(document));
        } else {
            rejected += 1;
            match PolicyDocument::parse(&document.text) {
                Err(PolicyError::Malformed(finding)) => {
                    assert_eq!(
                        finding.message, "Syntax errors in policy.",
                        "{}",
                        document.name
                    );
                }
                other => failures.push(format!(
                    "{}: invalid JSON accepted: {other:?}",
                    document.name
                )),
            }
        }
    }
    assert_eq!(rejected, 1, "exactly one example is marked as invalid JSON");
    assert_no_failures(&failures);
}

/// Examples that AWS itself would reject, with the reason: placeholders in place of ARNs and
/// account ids, fragments without `Version`, and mistakes shown on purpose in troubleshooting
/// pages.
const EXPECTED_REJECTIONS: &[(&str, &str)] = &[
    (
        "aws-samples-data-perimeter-policy-examples/service_control_policies/resource_perimeter_scp.json",
        "placeholder `<third-party-resource>`",
    ),
    (
        "aws-samples-data-perimeter-policy-examples/vpc_endpoint_policies/s3_endpoint_policy.json",
        "placeholder `<third-party-resource-arn>`",
    ),
    (
        "aws-samples-resource-control-policy-examples/Limit-access-to-trusted-OIDC-identity-providers/Shared-Issuers.json",
        "`Allow` in a customer RCP",
    ),
    (
        "awsdocs-amazon-s3-userguide/MultiRegionAccessPointPermissions__2.json",
        "placeholder `Bucket ARN`",
    ),
    (
        "awsdocs-amazon-s3-userguide/access-points-policies__7.json",
        "placeholder `Bucket ARN`",
    ),
    (
        "awsdocs-amazon-s3-userguide/access-points-policies__8.json",
        "placeholder `Bucket ARN`",
    ),
    (
        "awsdocs-amazon-s3-userguide/example-walkthroughs-managing-access-example4__3.json",
        "placeholder account in a principal ARN",
    ),
    (
        "awsdocs-amazon-s3-userguide/grant-destinations-permissions-to-s3__1.json",
        "placeholder `SNS-topic-ARN`",
    ),
    (
        "awsdocs-amazon-s3-userguide/olap-create__1.json",
        "placeholder ARN",
    ),
    (
        "awsdocs-amazon-s3-userguide/olap-policies__1.json",
        "placeholder principal `account-ARN`",
    ),
    (
        "awsdocs-amazon-s3-userguide/replication-config-for-kms-objects__1.json",
        "placeholder sentence as resource",
    ),
    (
        "awsdocs-amazon-s3-userguide/replication-config-for-kms-objects__2.json",
        "placeholder sentence as resource",
    ),
    (
        "awsdocs-amazon-s3-userguide/replication-walkthrough-3__1.json",
        "placeholder account id as principal",
    ),
    (
        "awsdocs-amazon-s3-userguide/replication-walkthrough-4__1.json",
        "placeholder sentence as resource",
    ),
    (
        "awsdocs-amazon-s3-userguide/ways-to-add-notification-config-to-bucket__1.json",
        "placeholder `SQS-queue-ARN`",
    ),
    (
        "awsdocs-aws-organizations-docs/org_troubleshoot_policies__1.json",
        "resource ` *` with a space, shown as a mistake",
    ),
    (
        "awsdocs-aws-organizations-docs/orgs_manage_policies_scps_syntax__1.json",
        "fragment without `Version`",
    ),
    (
        "awsdocs-aws-organizations-docs/orgs_manage_policies_scps_syntax__2.json",
        "fragment without `Version`",
    ),
    (
        "awsdocs-iam-user-guide/confused-deputy__1.json",
        "placeholder account id as principal",
    ),
    (
        "awsdocs-iam-user-guide/id_credentials_mfa_configure-api-require__1.json",
        "placeholder account id as principal",
    ),
    (
        "awsdocs-iam-user-guide/id_credentials_mfa_configure-api-require__5.json",
        "placeholder account id as principal",
    ),
    (
        "awsdocs-iam-user-guide/id_roles_use_passrole__1.json",
        "placeholder sentence as resource",
    ),
    (
        "awsdocs-iam-user-guide/reference_policies_condition-keys__15.json",
        "placeholder partition `partition`",
    ),
    (
        "awsdocs-iam-user-guide/reference_policies_iam-condition-keys__6.json",
        "principal ARN with a leading space",
    ),
    (
        "awsdocs-iam-user-guide/troubleshoot_policies__14.json",
        "missing `Version`, shown as a mistake",
    ),
    (
        "awsdocs-iam-user-guide/troubleshoot_policies__8.json",
        "resource ` *` with a space, shown as a mistake",
    ),
];

#[test]
fn example_policies_validate_by_kind() {
    let mut failures = Vec::new();
    for document in example_documents()
        .iter()
        .filter(|document| document.valid_json)
    {
        let options = ValidationOptions::new(document.kind, None);
        let result = validate_policy(&document.text, &options);
        let expected_rejection = EXPECTED_REJECTIONS
            .iter()
            .find(|(name, _)| *name == document.name);
        match (result, expected_rejection) {
            (Ok(_), None) | (Err(PolicyError::Malformed(_)), Some(_)) => {}
            (Ok(_), Some((_, reason))) => {
                failures.push(format!("{}: accepted despite {reason}", document.name));
            }
            (Err(error), _) => {
                failures.push(format!("{} as {:?}: {error}", document.name, document.kind));
            }
        }
    }
    assert_no_failures(&failures);
}

/// IAM Access Analyzer reports `POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA` for a managed policy
/// larger than the largest identity policy quota (10,240 characters, for role inline
/// policies). Counting as IAM does must put exactly the flagged policies above it.
#[test]
fn size_matches_access_analyzer_findings() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for name in json_file_names(FINDINGS) {
        let findings = shared_json(&format!("{FINDINGS}/{name}"));
        let flagged = findings
            .as_array()
            .expect("findings are a list")
            .iter()
            .any(|finding| finding["issueCode"] == "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA");

        let text = read(&shared_path(&format!("{MANAGED}/{name}")));
        let quota = SizeQuota::ROLE_INLINE_POLICIES;
        let size = policy_size(&text, quota.counts_whitespace);
        checked += 1;
        if (size > quota.max_characters) != flagged {
            failures.push(format!(
                "{name}: size {size}, flagged by Access Analyzer: {flagged}"
            ));
        }
    }
    assert!(
        checked > 100,
        "expected the findings of over 100 policies, found {checked}"
    );
    assert_no_failures(&failures);
}
