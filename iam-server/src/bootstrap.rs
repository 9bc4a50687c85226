//! First start: the account, its root user and the root user's first access key.
//!
//! The root user has no IAM user record. `keys/root-account.json` contains the account id and
//! the account's creation date, and `root-credentials.json` gives the operator the first root
//! access key once, readable by the owner only. The root user's access keys are records in the
//! store under the owner name [`ROOT_USER_NAME`], so the root user can list, rotate and delete
//! them like any user's keys.
//!
//! Data directories written before root keys moved into the store keep the key, sealed, in
//! `root-account.json`. [`bootstrap_root`] moves such a key into the store and then rewrites the
//! file without it. A first start takes the same path: it writes the new key into the file, then
//! moves it, so a crash between the two steps is finished by the next start.

use std::fs;
use std::path::Path;

use iam_auth::seal::{Keyring, SealedSecret};
use iam_auth::{AccessKeyKind, SecretAccessKey, generate_access_key};
use iam_model::{
    AccessKey, AccessKeyStatus, AccountId, ROOT_USER_NAME, RandomSource, SealedAccessKey,
    SealedBytes, UniqueId,
};
use iam_store::{IamStore, StoreError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::ServerError;
use crate::identity::access_key_context;
use crate::keys::{DataDir, replace_owner_only, write_owner_only};

/// The environment variable that sets the root access key id at first start.
pub const ROOT_ACCESS_KEY_ID_VARIABLE: &str = "IAM_ROOT_ACCESS_KEY_ID";

/// The environment variable that sets the root secret access key at first start.
pub const ROOT_SECRET_ACCESS_KEY_VARIABLE: &str = "IAM_ROOT_SECRET_ACCESS_KEY";

/// The file in the keys folder that keeps the account id and creation date.
pub const ROOT_ACCOUNT_FILE: &str = "root-account.json";

/// The account and its root user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootAccount {
    /// The account id.
    pub account: AccountId,
    /// When the account was created: the server's first start in this data directory. It is
    /// the root user's `CreateDate`.
    pub create_date: Timestamp,
}

/// A root key given by the operator at first start instead of a generated one.
#[derive(Debug, Clone)]
pub struct GivenRootKey {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret: SecretAccessKey,
}

impl GivenRootKey {
    /// Reads the key from [`ROOT_ACCESS_KEY_ID_VARIABLE`] and
    /// [`ROOT_SECRET_ACCESS_KEY_VARIABLE`].
    ///
    /// # Errors
    ///
    /// Fails when only one of the two is set.
    pub fn from_environment() -> Result<Option<Self>, ServerError> {
        let access_key_id = std::env::var(ROOT_ACCESS_KEY_ID_VARIABLE).ok();
        let secret = std::env::var(ROOT_SECRET_ACCESS_KEY_VARIABLE).ok();
        match (access_key_id, secret) {
            (Some(access_key_id), Some(secret)) => Ok(Some(Self {
                access_key_id,
                secret: SecretAccessKey::new(secret),
            })),
            (None, None) => Ok(None),
            _ => Err(ServerError::Config(format!(
                "set both `{ROOT_ACCESS_KEY_ID_VARIABLE}` and `{ROOT_SECRET_ACCESS_KEY_VARIABLE}`, or neither"
            ))),
        }
    }
}

/// The root account record as stored in [`ROOT_ACCOUNT_FILE`].
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredRootAccount {
    account_id: AccountId,
    /// Absent in files written before the date was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    create_date: Option<Timestamp>,
    /// A root key not yet moved into the store, present only between a first start's two
    /// steps or in data directories from before root keys were store records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_key_id: Option<String>,
    /// The secret of `access_key_id`, sealed under [`root_context`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_secret: Option<String>,
}

/// The operator's copy of the first root key, in `root-credentials.json`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RootCredentialsFile<'a> {
    account_id: &'a str,
    arn: String,
    access_key_id: &'a str,
    secret_access_key: &'a str,
}

/// Loads the root account, creating it on first start, and makes sure the root user's first
/// access key is a record in `store`.
///
/// On first start the account id is `account_id` or random, its creation date is `now`, and
/// the root key is `given` or generated. Both files are written with owner-only permissions,
/// and only the path of `root-credentials.json` is logged. A data directory whose file has no
/// creation date takes the file's modification time, which is the first start's time unless
/// the file was copied.
///
/// # Errors
///
/// Fails when the files cannot be read or written, the sealed secret does not open, the given
/// key is malformed, `account_id` differs from the stored account, the key belongs to
/// another owner in the store, or the store fails.
pub async fn bootstrap_root(
    data_dir: &DataDir,
    keyring: &Keyring,
    store: &dyn IamStore,
    random: &dyn RandomSource,
    now: Timestamp,
    account_id: Option<AccountId>,
    given: Option<GivenRootKey>,
) -> Result<RootAccount, ServerError> {
    let path = data_dir.keys().join(ROOT_ACCOUNT_FILE);
    let stored = match fs::read(&path) {
        Ok(bytes) => read_root_account(&path, &bytes, data_dir, account_id)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            create_root(data_dir, keyring, random, now, account_id, given)?
        }
        Err(source) => {
            return Err(ServerError::Io {
                action: "read",
                path: path.display().to_string(),
                source,
            });
        }
    };
    let create_date = match stored.create_date {
        Some(date) => date,
        None => modification_time(&path)?,
    };
    let root = RootAccount {
        account: stored.account_id,
        create_date,
    };

    let pending_key = stored.access_key_id.zip(stored.sealed_secret);
    let needs_rewrite = stored.create_date.is_none() || pending_key.is_some();
    if let Some((access_key_id, sealed_secret)) = pending_key {
        move_key_into_store(
            &path,
            keyring,
            store,
            random,
            root,
            &access_key_id,
            sealed_secret,
        )
        .await?;
    }
    if needs_rewrite {
        let record = StoredRootAccount {
            account_id: root.account,
            create_date: Some(root.create_date),
            access_key_id: None,
            sealed_secret: None,
        };
        replace_owner_only(&path, &encode_json(&record, "the root account")?)?;
    }
    Ok(root)
}

/// Returns the sealing context of a root secret kept in [`ROOT_ACCOUNT_FILE`], so a sealed blob
/// cannot be moved to another key.
fn root_context(access_key_id: &str) -> Vec<u8> {
    format!("root-access-key/{access_key_id}").into_bytes()
}

fn read_root_account(
    path: &Path,
    bytes: &[u8],
    data_dir: &DataDir,
    account_id: Option<AccountId>,
) -> Result<StoredRootAccount, ServerError> {
    let stored: StoredRootAccount = serde_json::from_slice(bytes).map_err(|error| {
        ServerError::Config(format!(
            "invalid root account file `{}`: {error}",
            path.display()
        ))
    })?;
    if let Some(requested) = account_id
        && requested != stored.account_id
    {
        return Err(ServerError::Config(format!(
            "account id `{requested}` differs from `{}` created at first start in `{}`",
            stored.account_id,
            data_dir.root().display()
        )));
    }
    Ok(stored)
}

/// Stores a root key kept in [`ROOT_ACCOUNT_FILE`] as an access key record of the root user,
/// unless the store has it already.
async fn move_key_into_store(
    path: &Path,
    keyring: &Keyring,
    store: &dyn IamStore,
    random: &dyn RandomSource,
    root: RootAccount,
    access_key_id: &str,
    sealed_secret: String,
) -> Result<(), ServerError> {
    match store.find_access_key(access_key_id).await {
        Ok((account, sealed)) => {
            let is_root_key =
                account == root.account && sealed.access_key.user_name == ROOT_USER_NAME;
            if is_root_key {
                return Ok(());
            }
            return Err(ServerError::Config(format!(
                "the root access key `{access_key_id}` in `{}` belongs to another owner in the \
                 store",
                path.display()
            )));
        }
        Err(StoreError::NoSuchEntity { .. }) => {}
        Err(error) => return Err(error.into()),
    }

    let secret = keyring
        .open(
            &SealedSecret::from_stored(sealed_secret),
            &root_context(access_key_id),
        )
        .map_err(|error| {
            ServerError::Config(format!(
                "cannot open the root key in `{}`: {error}",
                path.display()
            ))
        })?;
    let secret = SecretAccessKey::new(secret.into_string().map_err(|error| {
        ServerError::Config(format!(
            "the root key in `{}` is not text: {error}",
            path.display()
        ))
    })?);
    store_root_key(store, keyring, random, root, access_key_id, &secret).await?;
    tracing::info!(account = %root.account, "stored the root access key as a store record");
    Ok(())
}

/// Stores an access key of the root user, created at the account's creation date, with its
/// secret sealed as every stored secret access key is.
///
/// # Errors
///
/// A malformed access key id, a sealing failure, or the store's errors, such as
/// `EntityAlreadyExists` for a key id in use.
pub async fn store_root_key(
    store: &dyn IamStore,
    keyring: &Keyring,
    random: &dyn RandomSource,
    root: RootAccount,
    access_key_id: &str,
    secret: &SecretAccessKey,
) -> Result<(), ServerError> {
    let sealed = keyring
        .seal(
            secret.expose().as_bytes(),
            &access_key_context(access_key_id),
            random,
        )
        .map_err(|error| ServerError::Config(format!("failed to seal the root key: {error}")))?;
    let access_key_id = access_key_id
        .parse::<UniqueId>()
        .map_err(|error| ServerError::Config(format!("invalid root access key id: {error}")))?;
    let record = SealedAccessKey {
        access_key: AccessKey {
            user_name: ROOT_USER_NAME.to_owned(),
            access_key_id,
            status: AccessKeyStatus::Active,
            create_date: root.create_date,
            last_used: None,
        },
        sealed_secret: SealedBytes(sealed.as_str().as_bytes().to_vec()),
    };
    store.create_access_key(root.account, record).await?;
    Ok(())
}

fn create_root(
    data_dir: &DataDir,
    keyring: &Keyring,
    random: &dyn RandomSource,
    now: Timestamp,
    account_id: Option<AccountId>,
    given: Option<GivenRootKey>,
) -> Result<StoredRootAccount, ServerError> {
    let account = match account_id {
        Some(account) => account,
        None => random_account_id(random)?,
    };
    let (access_key_id, secret) = match given {
        Some(given) => {
            given.access_key_id.parse::<UniqueId>().map_err(|error| {
                ServerError::Config(format!("invalid `{ROOT_ACCESS_KEY_ID_VARIABLE}`: {error}"))
            })?;
            if !given.access_key_id.starts_with("AKIA") {
                return Err(ServerError::Config(format!(
                    "invalid `{ROOT_ACCESS_KEY_ID_VARIABLE}`, expected a long-term key id that \
                     starts with `AKIA`"
                )));
            }
            if given.secret.expose().is_empty() || given.secret.expose().len() > 128 {
                return Err(ServerError::Config(format!(
                    "invalid `{ROOT_SECRET_ACCESS_KEY_VARIABLE}`, expected 1 to 128 characters"
                )));
            }
            (given.access_key_id, given.secret)
        }
        None => {
            let (id, secret) = generate_access_key(AccessKeyKind::LongTerm, random);
            (id.as_str().to_owned(), secret)
        }
    };
    let sealed = keyring
        .seal(
            secret.expose().as_bytes(),
            &root_context(&access_key_id),
            random,
        )
        .map_err(|error| ServerError::Config(format!("failed to seal the root key: {error}")))?;

    let credentials_path = data_dir.root_credentials();
    let credentials = RootCredentialsFile {
        account_id: account.as_str(),
        arn: format!("arn:aws:iam::{account}:root"),
        access_key_id: &access_key_id,
        secret_access_key: secret.expose(),
    };
    write_owner_only(
        &credentials_path,
        &encode_json(&credentials, "the root credentials")?,
    )?;
    let stored = StoredRootAccount {
        account_id: account,
        create_date: Some(now),
        access_key_id: Some(access_key_id),
        sealed_secret: Some(sealed.as_str().to_owned()),
    };
    write_owner_only(
        &data_dir.keys().join(ROOT_ACCOUNT_FILE),
        &encode_json(&stored, "the root account")?,
    )?;
    tracing::info!(
        account = %account,
        path = %credentials_path.display(),
        "created the account and its root access key"
    );
    Ok(stored)
}

fn encode_json(value: &impl Serialize, description: &str) -> Result<Vec<u8>, ServerError> {
    serde_json::to_vec_pretty(value)
        .map_err(|error| ServerError::Config(format!("failed to encode {description}: {error}")))
}

fn modification_time(path: &Path) -> Result<Timestamp, ServerError> {
    let modified = fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .map_err(|source| ServerError::Io {
            action: "inspect",
            path: path.display().to_string(),
            source,
        })?;
    Timestamp::try_from(modified).map_err(|error| {
        ServerError::Config(format!(
            "the modification time of `{}` is out of range: {error}",
            path.display()
        ))
    })
}

/// Draws a 12-digit account id that does not start with 0.
fn random_account_id(random: &dyn RandomSource) -> Result<AccountId, ServerError> {
    let mut bytes = [0_u8; 8];
    random.fill(&mut bytes);
    let number = 100_000_000_000 + u64::from_le_bytes(bytes) % 900_000_000_000;
    number
        .to_string()
        .parse()
        .map_err(|error| ServerError::Config(format!("failed to draw an account id: {error}")))
}

#[cfg(test)]
mod tests;
