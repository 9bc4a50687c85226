//! First start: the account, its root user and the root access key.
//!
//! The root user has no IAM user record, so its access key lives in the data directory:
//! `keys/root-account.json` contains the account id, the access key id and the secret sealed under
//! the key-encryption key, and `root-credentials.json` gives the operator the plain secret once,
//! readable by the owner only.

use std::fs;

use iam_auth::seal::{Keyring, SealedSecret};
use iam_auth::{AccessKeyId, AccessKeyKind, SecretAccessKey, generate_access_key};
use iam_model::{AccountId, RandomSource};
use serde::{Deserialize, Serialize};

use crate::error::ServerError;
use crate::keys::{DataDir, write_owner_only};

/// The environment variable that sets the root access key id at first start.
pub const ROOT_ACCESS_KEY_ID_VARIABLE: &str = "IAM_ROOT_ACCESS_KEY_ID";

/// The environment variable that sets the root secret access key at first start.
pub const ROOT_SECRET_ACCESS_KEY_VARIABLE: &str = "IAM_ROOT_SECRET_ACCESS_KEY";

/// The file in the keys folder that keeps the root key, sealed.
pub const ROOT_ACCOUNT_FILE: &str = "root-account.json";

/// The account's root user and its access key.
#[derive(Debug, Clone)]
pub struct RootAccount {
    /// The account id.
    pub account: AccountId,
    /// The root user's access key id.
    pub access_key_id: String,
    /// The root user's secret access key.
    pub secret: SecretAccessKey,
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
    access_key_id: String,
    sealed_secret: String,
}

/// The operator's copy of the root credentials, in `root-credentials.json`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RootCredentialsFile<'a> {
    account_id: &'a str,
    arn: String,
    access_key_id: &'a str,
    secret_access_key: &'a str,
}

/// Loads the root account, creating it on first start.
///
/// On first start the account id is `account_id` or random, and the root key is `given` or
/// generated. Both files are written with owner-only permissions, and only the path of
/// `root-credentials.json` is logged.
///
/// # Errors
///
/// Fails when the files cannot be read or written, the sealed secret does not open, the given
/// key is malformed, or `account_id` differs from the stored account.
pub fn load_or_create_root(
    data_dir: &DataDir,
    keyring: &Keyring,
    random: &dyn RandomSource,
    account_id: Option<AccountId>,
    given: Option<GivenRootKey>,
) -> Result<RootAccount, ServerError> {
    let path = data_dir.keys().join(ROOT_ACCOUNT_FILE);
    match fs::read(&path) {
        Ok(bytes) => {
            let stored: StoredRootAccount = serde_json::from_slice(&bytes).map_err(|error| {
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
            let secret = keyring
                .open(
                    &SealedSecret::from_stored(stored.sealed_secret),
                    &root_context(&stored.access_key_id),
                )
                .and_then(|bytes| bytes.into_string())
                .map_err(|error| {
                    ServerError::Config(format!(
                        "cannot open the root key in `{}`: {error}",
                        path.display()
                    ))
                })?;
            Ok(RootAccount {
                account: stored.account_id,
                access_key_id: stored.access_key_id,
                secret: SecretAccessKey::new(secret),
            })
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            create_root(data_dir, keyring, random, account_id, given)
        }
        Err(source) => Err(ServerError::Io {
            action: "read",
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Returns the sealing context of the root secret, so a sealed blob cannot be moved to
/// another key.
fn root_context(access_key_id: &str) -> Vec<u8> {
    format!("root-access-key/{access_key_id}").into_bytes()
}

fn create_root(
    data_dir: &DataDir,
    keyring: &Keyring,
    random: &dyn RandomSource,
    account_id: Option<AccountId>,
    given: Option<GivenRootKey>,
) -> Result<RootAccount, ServerError> {
    let account = match account_id {
        Some(account) => account,
        None => random_account_id(random)?,
    };
    let (access_key_id, secret) = match given {
        Some(given) => {
            given
                .access_key_id
                .parse::<AccessKeyId>()
                .map_err(|error| {
                    ServerError::Config(format!("invalid `{ROOT_ACCESS_KEY_ID_VARIABLE}`: {error}"))
                })?;
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
    let credentials_json = serde_json::to_vec_pretty(&credentials).map_err(|error| {
        ServerError::Config(format!("failed to encode root credentials: {error}"))
    })?;
    write_owner_only(&credentials_path, &credentials_json)?;
    let stored = StoredRootAccount {
        account_id: account,
        access_key_id: access_key_id.clone(),
        sealed_secret: sealed.as_str().to_owned(),
    };
    let stored_json = serde_json::to_vec_pretty(&stored).map_err(|error| {
        ServerError::Config(format!("failed to encode the root account: {error}"))
    })?;
    write_owner_only(&data_dir.keys().join(ROOT_ACCOUNT_FILE), &stored_json)?;
    tracing::info!(
        account = %account,
        path = %credentials_path.display(),
        "created the account and its root access key"
    );

    Ok(RootAccount {
        account,
        access_key_id,
        secret,
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
