//! The signing keys of OpenID Connect providers, read from files in the data directory.
//!
//! `AssumeRoleWithWebIdentity` checks a token's signature against the provider's JSON Web Key
//! Set (JWKS). AWS fetches that set from the issuer over the network. This server makes no
//! outbound connections, so the operator places the set in a file instead:
//!
//! ```text
//! <data-dir>/oidc-jwks/<host>[/<path>].json
//! ```
//!
//! For the issuer `https://token.example.com` the file is `oidc-jwks/token.example.com.json`,
//! and for `https://example.com/tenant/v2` it is `oidc-jwks/example.com/tenant/v2.json`: the
//! provider's ARN resource with `.json` appended. The server stores the file's contents in the
//! provider's record when it starts, when `CreateOpenIDConnectProvider` registers the issuer,
//! and when `UpdateOpenIDConnectProviderThumbprint` runs, which is how AWS users signal a key
//! rotation. A provider without a file keeps the keys it has, and tokens of a provider that
//! never had keys are rejected.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use iam_model::OidcProvider;
use iam_store::IamStore;
use iam_sts::web_identity::{Jwks, MAX_JWKS_BYTES};

/// The folder of the data directory that contains the JWKS files.
pub const OIDC_JWKS_FOLDER: &str = "oidc-jwks";

/// A JWKS file that exists but cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JwksFileError {
    /// The file could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a JSON Web Key Set the STS crate accepts.
    #[error("invalid JSON Web Key Set in `{path}`: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The reason the file was rejected.
        reason: String,
    },
}

/// Returns the JWKS file of the issuer `url` under `directory`, or `None` when the URL has a
/// path component that cannot name a file (empty, `.` or `..`).
pub fn jwks_path(directory: &Path, url: &str) -> Option<PathBuf> {
    let resource = url.strip_prefix("https://").unwrap_or(url);
    let resource = resource.trim_end_matches('/');
    let components: Vec<&str> = resource.split('/').collect();
    let is_safe = |component: &&str| {
        !component.is_empty()
            && *component != "."
            && *component != ".."
            && !component.contains('\\')
    };
    if !components.iter().all(is_safe) {
        return None;
    }
    let (last, parents) = components.split_last()?;
    let mut path = directory.to_path_buf();
    for parent in parents {
        path.push(parent);
    }
    path.push(format!("{last}.json"));
    Some(path)
}

/// Reads and checks the JWKS file of the issuer `url`, or returns `None` when there is none.
///
/// # Errors
///
/// [`JwksFileError`] for a file that cannot be read, is larger than 64 KiB, or is not a JSON
/// Web Key Set.
pub fn read_jwks(directory: &Path, url: &str) -> Result<Option<String>, JwksFileError> {
    let Some(path) = jwks_path(directory, url) else {
        return Ok(None);
    };
    let file = match fs::File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(JwksFileError::Read { path, source }),
    };
    let mut text = String::new();
    let limit = u64::try_from(MAX_JWKS_BYTES + 1).unwrap_or(u64::MAX);
    if let Err(source) = file.take(limit).read_to_string(&mut text) {
        return Err(JwksFileError::Read { path, source });
    }
    if let Err(error) = Jwks::parse(&text) {
        return Err(JwksFileError::Invalid {
            path,
            reason: error.to_string(),
        });
    }
    Ok(Some(text))
}

/// Copies the JWKS file of `provider`, when there is one, into its `jwks`. Returns whether the
/// keys changed.
///
/// # Errors
///
/// As [`read_jwks`].
pub fn refresh_jwks(directory: &Path, provider: &mut OidcProvider) -> Result<bool, JwksFileError> {
    let Some(text) = read_jwks(directory, &provider.url)? else {
        return Ok(false);
    };
    if provider.jwks.as_deref() == Some(text.as_str()) {
        return Ok(false);
    }
    provider.jwks = Some(text);
    Ok(true)
}

/// Stores the JWKS files of every registered provider of every account, at start. A file that
/// cannot be used is logged and skipped, so one broken file does not stop the server.
///
/// # Errors
///
/// Store failures.
pub async fn load_all(
    store: &dyn IamStore,
    directory: &Path,
) -> Result<usize, iam_store::StoreError> {
    let mut loaded = 0;
    for account in store.list_accounts().await? {
        for mut provider in store.list_oidc_providers(account).await? {
            match refresh_jwks(directory, &mut provider) {
                Ok(true) => {
                    let arn = provider.arn.clone();
                    store.update_oidc_provider(account, provider).await?;
                    tracing::info!(%arn, "stored the provider's signing keys from its file");
                    loaded += 1;
                }
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(%error, arn = %provider.arn, "skipping a JWKS file");
                }
            }
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests;
