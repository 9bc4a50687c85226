use std::path::Path;
use std::sync::Arc;

use iam_model::{AccountId, Arn, PolicyVersionId, Quotas};
use iam_store::{IamStore, MemoryStore};

use super::*;

const DOCUMENT: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}"#;

fn write(directory: &Path, name: &str, text: &str) {
    fs::write(directory.join(name), text).unwrap();
}

fn account() -> AccountId {
    "111122223333".parse().unwrap()
}

#[test]
fn index_sets_path_version_and_dates() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "ViewOnlyAccess.json", DOCUMENT);
    write(
        directory.path(),
        INDEX_FILE,
        r#"{"count": 1, "policies": [{"PolicyName": "ViewOnlyAccess",
            "File": "ViewOnlyAccess.json",
            "Arn": "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
            "Path": "/job-function/", "VersionId": "v7",
            "VersionCreateDate": "2026-02-12T18:00:18Z", "InCurrentAwsList": true}]}"#,
    );

    let read = read_directory(directory.path()).unwrap();

    assert_eq!(read.skipped, 0);
    let [policy] = read.policies.as_slice() else {
        panic!("expected one policy, got {:?}", read.policies);
    };
    assert_eq!(
        policy.arn.to_string(),
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    );
    assert_eq!(policy.path, "/job-function/");
    assert_eq!(policy.default_version_id, "v7".parse().unwrap());
    assert_eq!(policy.latest_version_id, policy.default_version_id);
    assert_eq!(policy.update_date.to_string(), "2026-02-12T18:00:18Z");
    assert_eq!(policy.create_date, policy.update_date);
    assert_eq!(policy.versions.len(), 1);
    assert!(policy.versions[0].is_default_version);
    assert_eq!(policy.versions[0].document, DOCUMENT);
    assert!(policy.policy_id.as_str().starts_with("ANPA"));
}

#[test]
fn policy_without_index_gets_defaults() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "ReadOnlyAccess.json", DOCUMENT);

    let read = read_directory(directory.path()).unwrap();

    let [policy] = read.policies.as_slice() else {
        panic!("expected one policy, got {:?}", read.policies);
    };
    assert_eq!(policy.policy_name, "ReadOnlyAccess");
    assert_eq!(policy.path, "/");
    assert_eq!(policy.default_version_id, PolicyVersionId::FIRST);
    assert_eq!(
        policy.arn.to_string(),
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    );
}

#[test]
fn policy_id_is_stable_across_reads() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "A.json", DOCUMENT);
    write(directory.path(), "B.json", DOCUMENT);

    let first = read_directory(directory.path()).unwrap();
    let second = read_directory(directory.path()).unwrap();

    assert_eq!(first.policies[0].policy_id, second.policies[0].policy_id);
    assert_ne!(first.policies[0].policy_id, first.policies[1].policy_id);
}

#[test]
fn unusable_files_are_skipped() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "Good.json", DOCUMENT);
    write(directory.path(), "NotJson.json", "{ not a policy");
    write(
        directory.path(),
        "NoStatement.json",
        r#"{"Version": "2012-10-17"}"#,
    );
    write(directory.path(), "Bad Name.json", DOCUMENT);
    write(directory.path(), "notes.txt", "ignored: not a .json file");
    let oversized = format!(
        r#"{{"Version": "2012-10-17", "Statement": [], "Pad": "{}"}}"#,
        "x".repeat(MAX_DOCUMENT_BYTES as usize)
    );
    write(directory.path(), "Huge.json", &oversized);

    let read = read_directory(directory.path()).unwrap();

    let names: Vec<&str> = read
        .policies
        .iter()
        .map(|policy| policy.policy_name.as_str())
        .collect();
    assert_eq!(names, ["Good"]);
    assert_eq!(read.skipped, 4);
}

#[test]
fn index_with_other_arn_skips_policy() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "A.json", DOCUMENT);
    write(
        directory.path(),
        INDEX_FILE,
        r#"{"policies": [{"PolicyName": "A", "Path": "/", "Arn": "arn:aws:iam::aws:policy/B"}]}"#,
    );

    let read = read_directory(directory.path()).unwrap();

    assert!(read.policies.is_empty());
    assert_eq!(read.skipped, 1);
}

#[test]
fn index_with_bad_version_or_date_skips_policy() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "A.json", DOCUMENT);
    write(directory.path(), "B.json", DOCUMENT);
    write(
        directory.path(),
        INDEX_FILE,
        r#"{"policies": [{"PolicyName": "A", "VersionId": "version-2"},
            {"PolicyName": "B", "VersionCreateDate": "yesterday"}]}"#,
    );

    let read = read_directory(directory.path()).unwrap();

    assert!(read.policies.is_empty());
    assert_eq!(read.skipped, 2);
}

#[test]
fn malformed_index_fails() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), INDEX_FILE, r#"{"policies": "none"}"#);

    let error = read_directory(directory.path()).unwrap_err();

    assert!(matches!(error, ServerError::Config(_)), "{error}");
    assert!(error.to_string().contains(INDEX_FILE), "{error}");
}

#[test]
fn missing_directory_fails() {
    let directory = tempfile::tempdir().unwrap();

    let error = read_directory(&directory.path().join("absent")).unwrap_err();

    assert!(matches!(error, ServerError::Io { .. }), "{error}");
}

#[tokio::test]
async fn load_writes_changes_only() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "A.json", DOCUMENT);
    write(directory.path(), "B.json", DOCUMENT);
    let store: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(Quotas::default()));

    let first = load(Arc::clone(&store), account(), directory.path())
        .await
        .unwrap();
    let second = load(Arc::clone(&store), account(), directory.path())
        .await
        .unwrap();
    write(
        directory.path(),
        "B.json",
        &DOCUMENT.replace("s3:Get*", "s3:List*"),
    );
    let third = load(Arc::clone(&store), account(), directory.path())
        .await
        .unwrap();

    assert_eq!(first.written, 2);
    assert_eq!(second.written, 0);
    assert_eq!(second.unchanged, 2);
    assert_eq!(third.written, 1);
    assert_eq!(third.unchanged, 1);
    let arn: Arn = "arn:aws:iam::aws:policy/B".parse().unwrap();
    let stored = store.policy(account(), &arn).await.unwrap();
    assert!(stored.versions[0].document.contains("s3:List*"));
}

/// Every document of the test corpus, a snapshot of AWS's managed policies, loads.
#[test]
fn corpus_loads_completely() {
    let directory = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/aws-managed-policies"
    ));

    let read = read_directory(directory).unwrap();

    assert_eq!(read.skipped, 0);
    assert_eq!(read.policies.len(), 1524);
    let support = read
        .policies
        .iter()
        .find(|policy| policy.policy_name == "AWSSupportServiceRolePolicy")
        .unwrap();
    assert!(support.versions[0].document.len() > 131_072);
    assert!(
        read.policies
            .iter()
            .any(|policy| policy.path == "/job-function/")
    );
}
