//! AWS managed policies, read from a directory of policy documents and put into the store at
//! start.
//!
//! AWS publishes its managed policies (`arn:aws:iam::aws:policy/...`) in every account. This
//! server ships none. The operator names a directory with `--aws-managed-policies`, which contains
//! one file per policy:
//!
//! ```text
//! <dir>/<PolicyName>.json   the policy document of the default version
//! <dir>/_index.json         optional: path, version id and dates per policy
//! ```
//!
//! `_index.json` is `{"policies": [{"PolicyName": ..., "Path": "/service-role/",
//! "VersionId": "v3", "VersionCreateDate": "2026-02-12T18:00:18Z"}, ...]}`; `File`, `Arn`,
//! `CreateDate` and `Description` are optional members, and others are ignored. A policy the
//! index does not list gets path `/`, version `v1` and the file's modification time as its
//! dates. Each document is parsed once here, so a file that is not a policy document is logged
//! and skipped instead of failing requests later. The size quotas of customer managed policies
//! do not apply: AWS's own documents exceed them.
//!
//! The store keeps the policies, so attachments, `ListPolicies` and the policy cache find them
//! the way they find customer managed policies. A start writes only the policies whose
//! document, path, version or dates changed.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iam_model::{
    AccountId, IamArn, ManagedPolicy, Partition, PolicyVersion, PolicyVersionId, SeededRandom,
    UniqueId, UniqueIdKind, validate,
};
use iam_policy::PolicyDocument;
use iam_store::{IamStore, StoreError};
use jiff::Timestamp;
use serde::Deserialize;
use tokio::task::JoinSet;

use crate::ServerError;

/// The name of the optional index file in the directory.
pub const INDEX_FILE: &str = "_index.json";

/// The largest policy document file read, in bytes. AWS's largest managed policy is about
/// 172 KB (`AWSSupportServiceRolePolicy`, March 2026).
pub const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;

/// The largest index file read, in bytes.
pub const MAX_INDEX_BYTES: u64 = 16 * 1024 * 1024;

/// The maximum number of policy files read from the directory. AWS had about 1,500 managed policies in
/// March 2026.
pub const MAX_POLICIES: usize = 10_000;

/// The number of store writes in flight while loading, so that the store can commit them in
/// batches.
const WRITES_IN_FLIGHT: usize = 64;

/// The outcome of a load: how many policies it wrote, found unchanged and skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadSummary {
    /// Policies written to the store because they were new or changed.
    pub written: usize,
    /// Policies already stored as read.
    pub unchanged: usize,
    /// Files skipped because they were not valid policies. Each one is logged.
    pub skipped: usize,
}

/// The policies read from a directory, and how many files were skipped.
#[derive(Debug, Default)]
pub struct Directory {
    /// The policies, sorted by name.
    pub policies: Vec<ManagedPolicy>,
    /// Files skipped because they were not valid policies. Each one is logged.
    pub skipped: usize,
}

/// Reads every AWS managed policy in `directory`.
///
/// # Errors
///
/// `ServerError::Io` when the directory or its index cannot be read, and `ServerError::Config`
/// for an invalid index or more than [`MAX_POLICIES`] files. A single unusable policy file is
/// logged and skipped instead.
pub fn read_directory(directory: &Path) -> Result<Directory, ServerError> {
    let index = read_index(directory)?;
    let mut files = policy_files(directory)?;
    files.sort();

    let mut read = Directory::default();
    for path in files {
        match read_policy(&path, &index) {
            Ok(policy) => read.policies.push(policy),
            Err(reason) => {
                tracing::warn!(path = %path.display(), %reason, "AWS managed policy skipped");
                read.skipped += 1;
            }
        }
    }
    Ok(read)
}

/// Reads the policies in `directory` and writes the new and changed ones to `store`.
/// `account` is any account of the store; the comparison reads the policies through it.
///
/// NOTE: Policies stored by an earlier start stay in the store when their file is removed or
/// the server starts without the directory, because users and roles may still have them
/// attached.
///
/// # Errors
///
/// The errors of [`read_directory`], and `ServerError::Store` when a write fails.
pub async fn load(
    store: Arc<dyn IamStore>,
    account: AccountId,
    directory: &Path,
) -> Result<LoadSummary, ServerError> {
    let read = read_directory(directory)?;
    let mut summary = LoadSummary {
        skipped: read.skipped,
        ..LoadSummary::default()
    };

    let mut writes = JoinSet::new();
    for policy in read.policies {
        if is_stored(store.as_ref(), account, &policy).await? {
            summary.unchanged += 1;
            continue;
        }
        if writes.len() >= WRITES_IN_FLIGHT {
            join_write(&mut writes).await?;
        }
        let store = Arc::clone(&store);
        writes.spawn(async move { store.put_aws_managed_policy(policy).await });
        summary.written += 1;
    }
    while !writes.is_empty() {
        join_write(&mut writes).await?;
    }
    Ok(summary)
}

/// The members of one `_index.json` entry this server uses.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IndexEntry {
    policy_name: String,
    file: Option<String>,
    arn: Option<String>,
    path: Option<String>,
    version_id: Option<String>,
    version_create_date: Option<String>,
    create_date: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Index {
    policies: Vec<IndexEntry>,
}

/// Reads `_index.json`, keyed by file name, or an empty map when there is none.
fn read_index(directory: &Path) -> Result<HashMap<String, IndexEntry>, ServerError> {
    let path = directory.join(INDEX_FILE);
    if !path.is_file() {
        return Ok(HashMap::new());
    }
    let text = read_bounded(&path, MAX_INDEX_BYTES).map_err(|source| ServerError::Io {
        action: "read",
        path: path.display().to_string(),
        source,
    })?;
    let index: Index = serde_json::from_str(&text).map_err(|error| {
        ServerError::Config(format!(
            "invalid AWS managed policy index `{}`: {error}",
            path.display()
        ))
    })?;
    Ok(index
        .policies
        .into_iter()
        .map(|entry| {
            let file = entry
                .file
                .clone()
                .unwrap_or_else(|| format!("{}.json", entry.policy_name));
            (file, entry)
        })
        .collect())
}

/// Lists the `*.json` files of `directory` other than the index.
fn policy_files(directory: &Path) -> Result<Vec<PathBuf>, ServerError> {
    let io_error = |source| ServerError::Io {
        action: "read the AWS managed policy directory",
        path: directory.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    for entry in fs::read_dir(directory).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        let is_policy = path
            .extension()
            .is_some_and(|extension| extension == "json")
            && path.file_name().is_some_and(|name| name != INDEX_FILE)
            && path.is_file();
        if !is_policy {
            continue;
        }
        if files.len() == MAX_POLICIES {
            return Err(ServerError::Config(format!(
                "too many AWS managed policy files in `{}`, expected at most {MAX_POLICIES}",
                directory.display()
            )));
        }
        files.push(path);
    }
    Ok(files)
}

/// Builds the policy stored in `path`, or returns why the file cannot be used.
fn read_policy(path: &Path, index: &HashMap<String, IndexEntry>) -> Result<ManagedPolicy, String> {
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or("the file name is not UTF-8")?;
    let entry = index.get(file_name);
    let policy_name = match entry {
        Some(entry) => entry.policy_name.as_str(),
        None => file_name.strip_suffix(".json").unwrap_or(file_name),
    };
    validate::policy_name(policy_name).map_err(|error| error.to_string())?;
    let policy_path = entry.and_then(|entry| entry.path.as_deref()).unwrap_or("/");
    validate::policy_path(policy_path).map_err(|error| error.to_string())?;
    let arn = IamArn::aws_managed_policy(Partition::Aws, policy_path, policy_name).to_arn();
    if let Some(listed) = entry.and_then(|entry| entry.arn.as_deref())
        && listed != arn.to_string()
    {
        return Err(format!(
            "the index lists ARN `{listed}`, but the name and path give `{arn}`"
        ));
    }
    let version_id: PolicyVersionId = match entry.and_then(|entry| entry.version_id.as_deref()) {
        Some(text) => text.parse().map_err(|error: iam_model::ModelError| {
            format!("invalid version id in the index: {error}")
        })?,
        None => PolicyVersionId::FIRST,
    };
    let (create_date, update_date) = dates(path, entry)?;

    let document = read_bounded(path, MAX_DOCUMENT_BYTES).map_err(|error| error.to_string())?;
    PolicyDocument::parse(&document).map_err(|error| format!("invalid policy: {error}"))?;

    // The id is derived from the ARN, so it stays the same across starts and servers, as the
    // ids of AWS's own managed policies do.
    let digest = ring::digest::digest(&ring::digest::SHA256, arn.to_string().as_bytes());
    let mut seed = [0_u8; 8];
    seed.copy_from_slice(digest.as_ref().get(..8).unwrap_or(&[0; 8]));
    let policy_id = UniqueId::generate(
        UniqueIdKind::Policy,
        &SeededRandom::new(u64::from_le_bytes(seed)),
    );
    Ok(ManagedPolicy {
        policy_name: policy_name.to_owned(),
        policy_id,
        arn,
        path: policy_path.to_owned(),
        default_version_id: version_id,
        attachment_count: 0,
        permissions_boundary_usage_count: 0,
        is_attachable: true,
        description: entry.and_then(|entry| entry.description.clone()),
        create_date,
        update_date,
        tags: Vec::new(),
        versions: vec![PolicyVersion {
            version_id,
            document,
            is_default_version: true,
            create_date: update_date,
        }],
        latest_version_id: version_id,
    })
}

/// Returns the creation and update dates of a policy: from the index when it lists them,
/// else the file's modification time.
fn dates(path: &Path, entry: Option<&IndexEntry>) -> Result<(Timestamp, Timestamp), String> {
    let parse = |text: &str| {
        text.parse::<Timestamp>()
            .map_err(|error| format!("invalid date `{text}` in the index: {error}"))
    };
    let version_date = entry
        .and_then(|entry| entry.version_create_date.as_deref())
        .map(parse)
        .transpose()?;
    let create_date = entry
        .and_then(|entry| entry.create_date.as_deref())
        .map(parse)
        .transpose()?;
    let update_date = match version_date {
        Some(date) => date,
        None => {
            let modified = fs::metadata(path)
                .and_then(|metadata| metadata.modified())
                .map_err(|error| format!("failed to read the modification time: {error}"))?;
            Timestamp::try_from(modified).map_err(|error| error.to_string())?
        }
    };
    Ok((create_date.unwrap_or(update_date), update_date))
}

/// Reads a UTF-8 file of at most `limit` bytes.
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    let mut text = String::new();
    let read = fs::File::open(path)?
        .take(limit + 1)
        .read_to_string(&mut text)?;
    if read as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("file larger than {limit} bytes"),
        ));
    }
    Ok(text)
}

/// Returns whether the store already contains `policy` as read, ignoring the account's counts.
async fn is_stored(
    store: &dyn IamStore,
    account: AccountId,
    policy: &ManagedPolicy,
) -> Result<bool, ServerError> {
    match store.policy(account, &policy.arn).await {
        Ok(stored) => {
            let mut stored = stored.record;
            stored.attachment_count = 0;
            stored.permissions_boundary_usage_count = 0;
            Ok(stored == *policy)
        }
        Err(StoreError::NoSuchEntity { .. }) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

async fn join_write(writes: &mut JoinSet<Result<(), StoreError>>) -> Result<(), ServerError> {
    match writes.join_next().await {
        Some(Ok(result)) => Ok(result?),
        Some(Err(error)) => Err(ServerError::Config(format!(
            "an AWS managed policy write task failed: {error}"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
