//! Secret files in the data directory: created on first start, readable by the owner only.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use iam_model::RandomSource;
use ring::signature::{Ed25519KeyPair, KeyPair};

use crate::error::ServerError;

/// The file holding the key-encryption key that seals stored secrets.
pub const KEY_ENCRYPTION_KEY_FILE: &str = "key-encryption.key";

/// The file holding the 32-byte Ed25519 seed of the key that signs audit digests.
pub const AUDIT_SIGNING_KEY_FILE: &str = "audit-signing.key";

/// The file holding the public half of the audit signing key as 64 lower-case hex digits,
/// the form `iam-audit-verify --public-key @FILE` reads.
pub const AUDIT_PUBLIC_KEY_FILE: &str = "audit-signing.pub";

/// The id of the key-encryption key kept in the data directory, recorded in each sealed
/// secret so that a later key can be added without losing the old one.
pub const KEY_ENCRYPTION_KEY_ID: &str = "kek-1";

/// The file holding the 32-byte key that seals session tokens.
pub const SESSION_TOKEN_KEY_FILE: &str = "session-token.key";

/// The file holding the 32-byte key that seals encoded authorization messages.
pub const AUTHORIZATION_MESSAGE_KEY_FILE: &str = "authorization-message.key";

/// The length of the key-encryption key in bytes, for AES-256-GCM or ChaCha20-Poly1305.
/// The session-token and authorization-message keys have the same length.
pub const KEY_ENCRYPTION_KEY_BYTES: usize = 32;

/// The data directory's layout.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Creates the directory and its `keys` folder if needed, with owner-only permissions.
    ///
    /// # Errors
    ///
    /// Fails when a directory cannot be created or its permissions set.
    pub fn prepare(root: &Path) -> Result<Self, ServerError> {
        let data_dir = Self {
            root: root.to_path_buf(),
        };
        for directory in [data_dir.root.clone(), data_dir.keys()] {
            let existed = directory.exists();
            fs::create_dir_all(&directory)
                .map_err(|source| io_error("create", &directory, source))?;
            set_owner_only(&directory, 0o700, existed)?;
        }
        Ok(data_dir)
    }

    /// Returns the data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Returns the folder of secret key files.
    pub fn keys(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// Returns the folder of OpenID Connect signing key files, which the operator fills; see
    /// [`crate::oidc_keys`].
    pub fn oidc_jwks(&self) -> PathBuf {
        self.root.join(crate::oidc_keys::OIDC_JWKS_FOLDER)
    }

    /// Returns the folder of the sled store.
    pub fn store(&self) -> PathBuf {
        self.root.join("store")
    }

    /// Returns the folder of the audit trail.
    pub fn audit(&self) -> PathBuf {
        self.root.join("audit")
    }

    /// Returns the path of `root-credentials.json`.
    pub fn root_credentials(&self) -> PathBuf {
        self.root.join("root-credentials.json")
    }

    /// Loads the key-encryption key, creating it from `random` on first start.
    ///
    /// # Errors
    ///
    /// Fails when the file cannot be read or written, or has the wrong length.
    pub fn key_encryption_key(
        &self,
        random: &dyn RandomSource,
    ) -> Result<[u8; KEY_ENCRYPTION_KEY_BYTES], ServerError> {
        self.symmetric_key(KEY_ENCRYPTION_KEY_FILE, random)
    }

    /// Loads the key that seals session tokens, creating it from `random` on first start.
    /// Session tokens issued before a restart open after it because the key is kept.
    ///
    /// # Errors
    ///
    /// Fails when the file cannot be read or written, or has the wrong length.
    pub fn session_token_key(
        &self,
        random: &dyn RandomSource,
    ) -> Result<[u8; KEY_ENCRYPTION_KEY_BYTES], ServerError> {
        self.symmetric_key(SESSION_TOKEN_KEY_FILE, random)
    }

    /// Loads the key that seals encoded authorization messages, creating it from `random` on
    /// first start.
    ///
    /// # Errors
    ///
    /// Fails when the file cannot be read or written, or has the wrong length.
    pub fn authorization_message_key(
        &self,
        random: &dyn RandomSource,
    ) -> Result<[u8; KEY_ENCRYPTION_KEY_BYTES], ServerError> {
        self.symmetric_key(AUTHORIZATION_MESSAGE_KEY_FILE, random)
    }

    /// Loads the 32-byte key in `file_name` of the keys folder, creating it from `random` when
    /// the file does not exist.
    fn symmetric_key(
        &self,
        file_name: &str,
        random: &dyn RandomSource,
    ) -> Result<[u8; KEY_ENCRYPTION_KEY_BYTES], ServerError> {
        let path = self.keys().join(file_name);
        let bytes = load_or_create(&path, || {
            let mut key = vec![0_u8; KEY_ENCRYPTION_KEY_BYTES];
            random.fill(&mut key);
            Ok(key)
        })?;
        bytes.try_into().map_err(|bytes: Vec<u8>| {
            ServerError::Config(format!(
                "invalid key file `{}`: {} bytes, expected {KEY_ENCRYPTION_KEY_BYTES}",
                path.display(),
                bytes.len()
            ))
        })
    }

    /// Loads the audit signing key, creating a new Ed25519 seed from `random` on first start.
    ///
    /// # Errors
    ///
    /// Fails when the file cannot be read or written or does not hold a 32-byte seed.
    pub fn audit_signing_key(
        &self,
        random: &dyn RandomSource,
    ) -> Result<Ed25519KeyPair, ServerError> {
        let path = self.keys().join(AUDIT_SIGNING_KEY_FILE);
        let seed = load_or_create(&path, || {
            let mut seed = vec![0_u8; 32];
            random.fill(&mut seed);
            Ok(seed)
        })?;
        let key_pair = Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|error| {
            ServerError::Config(format!(
                "invalid audit signing key `{}`: {error}, expected a 32-byte Ed25519 seed",
                path.display()
            ))
        })?;

        // The public key is derived from the seed, so it is rewritten at every start rather
        // than trusted from disk.
        let public_path = self.keys().join(AUDIT_PUBLIC_KEY_FILE);
        let public_hex: String = key_pair
            .public_key()
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        fs::write(&public_path, format!("{public_hex}\n"))
            .map_err(|source| io_error("write", &public_path, source))?;
        tracing::info!(path = %public_path.display(), "wrote the audit public key");
        Ok(key_pair)
    }
}

/// Writes `contents` to a new file that only the owner may read, failing if it exists.
///
/// # Errors
///
/// Fails when the file exists or cannot be written.
pub fn write_owner_only(path: &Path, contents: &[u8]) -> Result<(), ServerError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|source| io_error("create", path, source))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|source| io_error("write", path, source))
}

/// Replaces the contents of a file that only the owner may read: writes a new file beside it
/// and renames it over the old one, so a crash leaves either the old or the new contents.
///
/// # Errors
///
/// Fails when the new file cannot be written or renamed.
pub fn replace_owner_only(path: &Path, contents: &[u8]) -> Result<(), ServerError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    match fs::remove_file(&temporary) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(io_error("remove", &temporary, source)),
    }
    write_owner_only(&temporary, contents)?;
    fs::rename(&temporary, path).map_err(|source| io_error("replace", path, source))
}

/// Reads a secret file, or creates it with `create` when it does not exist. A file that others
/// may read has its permissions narrowed to the owner, with a warning.
fn load_or_create(
    path: &Path,
    create: impl FnOnce() -> Result<Vec<u8>, ServerError>,
) -> Result<Vec<u8>, ServerError> {
    match fs::read(path) {
        Ok(bytes) => {
            set_owner_only(path, 0o600, true)?;
            Ok(bytes)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let bytes = create()?;
            write_owner_only(path, &bytes)?;
            tracing::info!(path = %path.display(), "created key file");
            Ok(bytes)
        }
        Err(source) => Err(io_error("read", path, source)),
    }
}

/// Narrows the permissions of `path` to `mode` when group or others have any access, with a
/// warning when `warn` is set because an existing file or folder was too open.
fn set_owner_only(path: &Path, mode: u32, warn: bool) -> Result<(), ServerError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = fs::metadata(path).map_err(|source| io_error("inspect", path, source))?;
        if metadata.permissions().mode() & 0o077 != 0 {
            if warn {
                tracing::warn!(path = %path.display(), "narrowing permissions to the owner only");
            }
            fs::set_permissions(path, fs::Permissions::from_mode(mode))
                .map_err(|source| io_error("set permissions of", path, source))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode, warn);
    Ok(())
}

fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> ServerError {
    ServerError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests;
